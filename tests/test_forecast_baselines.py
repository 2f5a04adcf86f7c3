"""rnn_course.forecast.baselines: the seasonal AR and the lag regression (notebook 06) — no look-ahead,
shapes, known coefficients recovered."""

import numpy as np
import pytest

from rnn_course.forecast.baselines import lag_regression, seasonal_ar

SEASON = 12


def _seasonal_ar_series(n=6000, phi=0.7, c=0.3, seed=0):
    """A season of 12 steps plus week-over-week changes d_t = c + φ d_{t−1} + noise."""
    rng = np.random.default_rng(seed)
    pattern = 10 * np.sin(2 * np.pi * np.arange(SEASON) / SEASON) + 100
    y = np.tile(pattern, n // SEASON + 1)[:n].copy()
    d = np.zeros(n)
    for t in range(SEASON, n):
        d[t] = c + phi * d[t - 1] + rng.normal()
        y[t] = y[t - SEASON] + d[t]
    return y


def _implied_ar1(y, origin, forecast):
    """(c, φ) read off an AR(1) forecast: d̂_1 = c + φ d_0 and d̂_2 = c + φ d̂_1."""
    d0 = y[origin - 1] - y[origin - 1 - SEASON]
    d1, d2 = forecast[0] - y[origin - SEASON], forecast[1] - y[origin + 1 - SEASON]
    phi = (d2 - d1) / (d1 - d0)
    return d1 - phi * d0, phi


def test_seasonal_ar_recovers_the_coefficient_of_a_known_series():
    y = _seasonal_ar_series(phi=0.7, c=0.3)
    origin = 5000
    c, phi = _implied_ar1(y, origin, seasonal_ar(y, [origin], 4, season=SEASON)[0])
    assert phi == pytest.approx(0.7, abs=0.03)  # standard error about 0.01 on 5,000 changes
    assert c == pytest.approx(0.3, abs=0.1)


def test_seasonal_ar_is_ordinary_least_squares_on_the_seasonal_differences():
    from statsmodels.tsa.ar_model import AutoReg

    y = _seasonal_ar_series(n=2000, seed=1)
    origin = 1500
    d = y[SEASON:origin] - y[:origin - SEASON]  # every change before the origin
    expected = AutoReg(d, lags=1, trend="c").fit().params  # [c, φ], conditional least squares
    got = _implied_ar1(y, origin, seasonal_ar(y, [origin], 3, season=SEASON)[0])
    assert np.allclose(got, expected, rtol=1e-6)


@pytest.mark.parametrize("refit_every", [1, 48])
def test_neither_model_looks_past_the_origin(refit_every):
    y = _seasonal_ar_series(n=3000, seed=2)
    calendar = np.random.default_rng(3).normal(size=(len(y), 2))
    origin, horizon = 2400, 20
    changed = y.copy()
    changed[origin:] = changed[origin:] * 3 + 50  # the future, rewritten
    for fn, kw in ((seasonal_ar, {"season": SEASON}),
                   (lag_regression, {"lags": 3, "seasons": (4, SEASON), "calendar": calendar})):
        before = fn(y, [origin], horizon, refit_every=refit_every, **kw)
        after = fn(changed, [origin], horizon, refit_every=refit_every, **kw)
        assert np.array_equal(before, after), fn.__name__
        earlier = changed.copy()
        earlier[origin - 1] += 5  # the last value before the origin is read
        assert not np.allclose(fn(earlier, [origin], horizon, refit_every=refit_every, **kw), before), fn.__name__


def test_a_forecast_does_not_depend_on_the_other_origins_asked_for():
    y = _seasonal_ar_series(n=3000, seed=4)
    for fn, kw in ((seasonal_ar, {"season": SEASON}), (lag_regression, {"lags": 3, "seasons": (SEASON,)})):
        alone = fn(y, [2000], 6, **kw)[0]
        together = fn(y, [700, 2000, 2900], 6, **kw)[1]
        assert np.allclose(alone, together, rtol=0, atol=1e-9), fn.__name__


def test_shapes_are_origins_by_horizon_even_past_one_season():
    y = _seasonal_ar_series(n=1200)
    origins = [600, 700, 800]
    sar = seasonal_ar(y, origins, 30, season=SEASON, order=2)  # 30 steps: more than two seasons
    lin = lag_regression(y, origins, 30, lags=2, seasons=(SEASON,))
    for f in (sar, lin):
        assert f.shape == (3, 30) and f.dtype == np.float64 and np.isfinite(f).all()


def test_a_nightly_refit_uses_the_fit_made_at_the_last_multiple():
    y = _seasonal_ar_series(n=3000, seed=5)
    # at a multiple of refit_every, a nightly refit is a refit at the origin
    assert np.allclose(seasonal_ar(y, [2400], 5, season=SEASON, refit_every=48),
                       seasonal_ar(y, [2400], 5, season=SEASON), rtol=0, atol=1e-12)
    # between multiples it uses the fit of 2400 with the data up to the origin: close, not equal
    daily, every = (seasonal_ar(y, [2430], 5, season=SEASON, refit_every=r) for r in (48, 1))
    assert not np.array_equal(daily, every) and np.allclose(daily, every, atol=0.2)


def test_lag_regression_is_the_conditional_mean_of_an_ar1():
    rng = np.random.default_rng(6)
    y = np.zeros(8000)
    for t in range(1, len(y)):
        y[t] = 0.8 * y[t - 1] + rng.normal()
    origins = list(range(6000, 7900, 50))
    forecast = lag_regression(y, origins, 3, lags=1, seasons=(SEASON,))
    expected = y[np.array(origins) - 1][:, None] * 0.8 ** np.arange(1, 4)  # E[y_{o+h} | y_{o−1}] = φ^(h+1) y_{o−1}
    # coefficients fitted on ~6,000 rows are within about 0.02 of the truth; a forecast one step
    # off (φ^h for φ^(h+1)) would miss by 0.2 · |y| ≈ 0.3 on average
    assert np.abs(forecast - expected).mean() < 0.05


def test_lag_regression_reads_the_calendar_of_the_target_step():
    rng = np.random.default_rng(7)
    calendar = rng.normal(size=(1500, 1))  # known in advance, changes every step
    y = 50 + 3 * calendar[:, 0]
    origins, horizon = [1000, 1100], 24
    truth = y[np.array(origins)[:, None] + np.arange(horizon)]
    with_calendar = lag_regression(y, origins, horizon, lags=2, seasons=(SEASON,), calendar=calendar)
    without = lag_regression(y, origins, horizon, lags=2, seasons=(SEASON,))
    assert np.allclose(with_calendar, truth, atol=1e-6)  # a calendar read one step off would miss
    assert np.abs(without - truth).mean() > 1


def test_bad_arguments_say_what_to_pass():
    y = _seasonal_ar_series(n=1200)
    with pytest.raises(ValueError, match="refit_every"):
        seasonal_ar(y, [800], 5, season=SEASON, refit_every=0)
    with pytest.raises(ValueError, match="order"):
        seasonal_ar(y, [800], 5, season=SEASON, order=0)
    with pytest.raises(ValueError, match="start the origins"):
        seasonal_ar(y, [SEASON + 2], 5, season=SEASON)
    with pytest.raises(ValueError, match="calendar of the forecast days"):
        lag_regression(y, [1190], 20, lags=2, seasons=(SEASON,), calendar=np.zeros((1200, 1)))
    with pytest.raises(ValueError, match="seasons"):
        lag_regression(y, [800], 5, seasons=())


def test_a_constant_series_is_forecast_as_itself():
    y = np.full(600, 7.0)
    assert np.allclose(seasonal_ar(y, [500], 5, season=SEASON), 7.0)
    assert np.allclose(lag_regression(y, [500], 5, lags=2, seasons=(SEASON,)), 7.0)
