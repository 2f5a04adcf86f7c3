"""The forecasts a practitioner tries first (notebooks 05, 06), each using only ``series[:origin]``.

    naive = seasonal_naive(load, origins, horizon=48, season=336)    # (O, H): same time last week
    sar = seasonal_ar(load, origins, horizon=48, season=336)         # (O, H): AR(1) on week-over-week changes
    lin = lag_regression(load, origins, horizon=48, calendar=calendar_features(load))   # (O, H)

Every function returns (O, H): one row of H forecasts per origin, on the series' own scale.
"""

from __future__ import annotations

import numpy as np

from .data import _check_horizon, _numpy, _origin_array, _series_1d, _whole

__all__ = ["persistence", "drift", "seasonal_naive", "seasonal_ar", "lag_regression", "exp_smoothing_forecast"]

# --------------------------------------------------------------------------- baselines

def persistence(series, origins, horizon: int) -> np.ndarray:
    """The last value before each origin, repeated: (O, H) float64. For prices, a random walk."""
    arr = _series_1d(series)
    _check_horizon(horizon)
    o = _origin_array(origins, len(arr), need_before=1, need_after=0, what="persistence")
    return np.repeat(arr[o - 1][:, None], horizon, axis=1)


def drift(series, origins, horizon: int, *, train_end: int) -> np.ndarray:
    """Random walk with drift: the last value plus h times the average step of the training data.

    slope = (series[train_end − 1] − series[0]) / (train_end − 1), estimated on the training
    part only; forecast h steps ahead of origin o = series[o − 1] + h · slope, h = 1 … H.
    Every origin must be ≥ train_end, so the slope never uses data from after an origin.
    (For prices, apply it to log prices to get a constant growth *rate*.)
    """
    arr = _series_1d(series)
    _check_horizon(horizon)
    if not _whole(train_end) or not 2 <= train_end <= len(arr):
        raise ValueError(f"train_end must be a position between 2 and {len(arr)} (the slope needs two "
                         f"training values), got {train_end!r}")
    o = _origin_array(origins, len(arr), need_before=train_end, need_after=0,
                      what=f"drift estimated on series[:{train_end}]")
    slope = (arr[train_end - 1] - arr[0]) / (train_end - 1)
    return arr[o - 1][:, None] + slope * np.arange(1, horizon + 1)[None, :]


def seasonal_naive(series, origins, horizon: int, season: int) -> np.ndarray:
    """The value one season earlier: (O, H) float64.

    The forecast for position t = o + h is the last observed value at the same point of the
    season, series[t − season·k] with the smallest k that lands before the origin (k = 1
    while h < season). Half-hourly data: season=48 is "same time yesterday", season=336
    "same time last week".
    """
    arr = _series_1d(series)
    _check_horizon(horizon)
    if not _whole(season) or season < 1:
        raise ValueError(f"season must be a whole number of steps ≥ 1 (48: a day of half-hours), got {season!r}")
    o = _origin_array(origins, len(arr), need_before=season, need_after=0, what=f"a season of {season}")
    h = np.arange(horizon)
    return arr[o[:, None] + h[None, :] - season * (h[None, :] // season + 1)]


# --------------------------------------------------------------------------- least squares, refitted at every origin

def _expanding_least_squares(x: np.ndarray, target: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Least-squares coefficients fitted on rows ``[:end]`` only, for every end: (O, P).

    x: (N, P) design rows in time order, column 0 the intercept; target: (N,); ends: (O,),
    each ≥ 1. The sums Σ x xᵀ and Σ x·target grow from one end to the next, so fitting at
    every distinct end costs one pass over the rows. A ridge of 1e-9 × the mean diagonal (the
    intercept unpenalised; scale-free) only breaks exact ties between columns, e.g. two lags
    that coincide at one step ahead, or inputs that are all zero.
    """
    n_params = x.shape[1]
    distinct, which = np.unique(ends, return_inverse=True)
    grams, moments = np.empty((len(distinct), n_params, n_params)), np.empty((len(distinct), n_params))
    gram, moment, start = np.zeros((n_params, n_params)), np.zeros(n_params), 0
    for k, end in enumerate(distinct.tolist()):
        gram += x[start:end].T @ x[start:end]            # (P, P)
        moment += x[start:end].T @ target[start:end]     # (P,)
        grams[k], moments[k], start = gram, moment, end
    diag = np.arange(1, n_params)
    if n_params > 1:
        scale = grams[:, diag, diag].mean(axis=1, keepdims=True)  # (distinct ends, 1)
        grams[:, diag, diag] += np.where(scale > 0, 1e-9 * scale, 1.0)  # all-zero inputs: coefficients 0
    coef = np.linalg.solve(grams, moments[..., None])[..., 0]   # (distinct ends, P)
    return coef[which]                                           # (O, P)


def _fit_points(o: np.ndarray, refit_every, earliest: int) -> np.ndarray:
    """Where each origin's model is fitted: the origin itself (refit_every=1), or the last
    multiple of ``refit_every`` at or before it (not before ``earliest``) — a nightly refit."""
    if not _whole(refit_every) or refit_every < 1:
        raise ValueError(f"refit_every must be a whole number of steps ≥ 1 (1: refit at every origin; "
                         f"48: once a day of half-hours), got {refit_every!r}")
    return np.maximum(o - o % refit_every, earliest)


def seasonal_ar(series, origins, horizon: int, season: int = 336, *, order: int = 1,
                refit_every: int = 1) -> np.ndarray:
    """An autoregression on seasonal differences, refitted at every origin: (O, H) float64.

    The week-over-week change d_t = y_t − y_{t−season} follows
    d_t = c + φ_1 d_{t−1} + … + φ_p d_{t−p} + noise (p = ``order``), fitted by least squares on
    the d values before each origin. The forecast carries the last observed changes forward
    (d̂ shrinks towards c / (1 − Σφ) step by step) and adds them to the seasonal naive:
    ŷ_{o+h} = y_{o+h−season} + d̂_{o+h}. With order 1 this is "last week, shifted by how
    much this week differs from it, the shift fading at the rate φ" — a SARIMA(p,0,0)(0,1,0)
    with a constant, as statsmodels' ``SARIMAX(order=(p, 0, 0), seasonal_order=(0, 1, 0, season),
    trend="c")`` would write it.

    Why least squares and not SARIMAX: least squares on the differences is that model's
    conditional maximum likelihood, in closed form. For the electricity load at one origin,
    ``SARIMAX(..., simple_differencing=True)`` finds the same φ (0.968 against 0.968) in about
    60 ms but forecasts the differences, not the load; without simple differencing its state
    holds the whole 336-step season and one fit had not finished after five minutes. Least squares
    refits at every origin — thousands of them, for the training windows of a hybrid model —
    in a fraction of a second.

    ``refit_every``: 1 refits at every origin; k fits once per k steps (at the multiples of k),
    and every origin uses the latest fit at or before it — never data from after the origin.
    """
    arr = _series_1d(series)
    _check_horizon(horizon)
    if not _whole(season) or season < 1:
        raise ValueError(f"season must be a whole number of steps ≥ 1 (336: a week of half-hours), got {season!r}")
    if not _whole(order) or order < 1:
        raise ValueError(f"order (p, how many past changes the AR reads) must be a whole number ≥ 1, got {order!r}")
    first = season + order  # the first position whose p earlier changes all exist
    need = first + 2 * (order + 1)
    o = _origin_array(origins, len(arr), need_before=need, need_after=0,
                      what=f"an AR({order}) on changes over a season of {season} (at least {2 * (order + 1)} to fit)")
    fit_at = _fit_points(o, refit_every, need)
    d = np.full(len(arr), np.nan)
    d[season:] = arr[season:] - arr[:-season]  # d[t] = y[t] − y[t − season]
    t = np.arange(first, int(o.max()))
    x = np.column_stack([np.ones(len(t))] + [d[t - i] for i in range(1, order + 1)])  # (N, 1 + p)
    coef = _expanding_least_squares(x, d[t], fit_at - first)                         # (O, 1 + p)
    recent = d[o[:, None] - np.arange(1, order + 1)[None, :]]  # (O, p): d at o − 1, o − 2, …
    path = np.concatenate([arr[o[:, None] - season + np.arange(season)[None, :]], np.empty((len(o), horizon))],
                          axis=1)  # (O, season + H): last season's values, then the forecasts
    for h in range(horizon):
        change = coef[:, 0] + np.sum(coef[:, 1:] * recent, axis=1)  # (O,): d̂ at o + h
        path[:, season + h] = path[:, h] + change                     # y at o + h − season, plus the change
        recent = np.concatenate([change[:, None], recent[:, :-1]], axis=1)
    return path[:, season:]


def lag_regression(series, origins, horizon: int, *, lags: int = 48, seasons=(48, 336),
                   calendar=None, refit_every: int = 1) -> np.ndarray:
    """A linear model on lags and calendar features, refitted at every origin: (O, H) float64.

    **Direct**, not recursive: one least-squares fit per step ahead h, so no forecast is ever
    fed back in as an input (fed back, a linear model's errors compound along the day). To
    predict y at t = o + h from origin o, the inputs are

        y[o−1], …, y[o−lags]               the last ``lags`` values before the origin;
        y[o−1−S], …, y[o−lags−S]           the same values one long season S = max(seasons)
                                           earlier (how far today runs above last week);
        y[t − s·(h // s + 1)], s in seasons   the same time one day / one week before t;
        calendar[t]                        inputs known in advance, e.g. ``calendar_features``;

    plus an intercept. The fit for origin o uses only the rows whose target lies before o.
    ``calendar``: None, or an (L, C) array / DataFrame covering every forecast position
    (L ≥ the last origin + horizon). ``refit_every``: as in :func:`seasonal_ar` (48: one fit
    per day of half-hours, shared by that day's origins). The default of 48 lags (a day of
    half-hours) is the one notebook 06 picks on its validation week, among 4, 16 and 48.
    """
    arr = _series_1d(series)
    _check_horizon(horizon)
    if not _whole(lags) or lags < 1:
        raise ValueError(f"lags must be a whole number ≥ 1 (how many values before the origin to read), got {lags!r}")
    seasons = tuple(seasons)
    if not seasons or not all(_whole(s) and s >= 1 for s in seasons):
        raise ValueError(f"seasons must be whole numbers of steps ≥ 1, e.g. (48, 336) for a day and a week "
                         f"of half-hours, got {seasons!r}")
    long = max(seasons)
    cal = np.zeros((len(arr) + horizon, 0)) if calendar is None else _numpy(calendar, "calendar")
    if cal.ndim != 2 or not np.isfinite(cal).all():
        raise ValueError(f"calendar must be an (L, C) table of finite numbers, e.g. calendar_features(load), "
                         f"got shape {cal.shape}")
    first = long + lags  # the first row whose inputs all exist
    n_params = 1 + 2 * lags + len(seasons) + cal.shape[1]
    need = first + horizon - 1 + 2 * n_params
    o = _origin_array(origins, len(arr), need_before=need, need_after=0,
                      what=f"a fit of {n_params} coefficients (at least {2 * n_params} rows for every step ahead)")
    fit_at = _fit_points(o, refit_every, need)
    if len(cal) < int(o.max()) + horizon:
        raise ValueError(f"calendar has {len(cal)} rows but the last forecast needs row {int(o.max()) + horizon - 1}: "
                         "give it the calendar of the forecast days too")
    ref = arr[:long]
    z = (arr - ref.mean()) / (ref.std() or 1.0)  # for the numerics only: an affine change of y changes no forecast
    rows = np.arange(first, int(o.max()) + 1)  # every origin a fit may learn from, and the forecast origins
    i = np.arange(1, lags + 1)
    recent = np.concatenate([z[rows[:, None] - i], z[rows[:, None] - i - long]], axis=1)  # (N, 2·lags)
    out = np.empty((len(o), horizon))
    for h in range(horizon):
        target = rows + h
        x = np.column_stack([np.ones(len(rows)), recent]
                            + [z[target - s * (h // s + 1)] for s in seasons] + [cal[target]])  # (N, P)
        ends = fit_at - h - first  # the rows whose target (row + h) lies before the fit point
        fit = slice(0, int(ends.max()))
        coef = _expanding_least_squares(x[fit], z[target[fit]], ends)                            # (O, P)
        out[:, h] = np.sum(coef * x[o - first], axis=1)
    return out * (ref.std() or 1.0) + ref.mean()


def exp_smoothing_forecast(train_series, horizon: int, seasonal_periods: int | None = None, *,
                           trend: str | None = None, damped_trend: bool = False) -> np.ndarray:
    """Holt–Winters exponential smoothing (statsmodels' ``ExponentialSmoothing``), fitted on
    ``train_series`` and forecast ``horizon`` steps past its end: (H,) float64.

    ``seasonal_periods``: the season length (48 or 336 for half-hourly load), or None for no
    seasonality. ``trend``: None, "add" or "mul". Seasonality is additive; its initial state
    uses statsmodels' "heuristic" initialisation (fast, and the only practical choice for a
    336-step season); without seasonality the initial state is estimated. To evaluate on
    walk-forward origins, refit at each one:
    ``walk_forward(series, origins, H, lambda past, h: exp_smoothing_forecast(past, h, 336))``.
    """
    try:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
    except ImportError:
        raise ImportError("exp_smoothing_forecast needs statsmodels: `pip install statsmodels` "
                          "(the course pins its version in pyproject.toml)") from None
    arr = _series_1d(train_series, "train_series")
    _check_horizon(horizon)
    if trend not in (None, "add", "mul"):
        raise ValueError(f"trend must be None, 'add' or 'mul', got {trend!r}")
    if seasonal_periods is not None:
        if not _whole(seasonal_periods) or seasonal_periods < 2:
            raise ValueError(f"seasonal_periods must be a whole number ≥ 2 or None, got {seasonal_periods!r}")
        need = max(2 * seasonal_periods, 10 + 2 * (seasonal_periods // 2))
        if len(arr) < need:
            raise ValueError(f"a season of {seasonal_periods} steps needs at least {need} training values "
                             f"(two full seasons), got {len(arr)}")
    elif len(arr) < 10:
        raise ValueError(f"exponential smoothing needs at least 10 training values, got {len(arr)}")
    model = ExponentialSmoothing(
        arr, trend=trend, damped_trend=damped_trend,
        seasonal="add" if seasonal_periods else None, seasonal_periods=seasonal_periods,
        initialization_method="heuristic" if seasonal_periods else "estimated",
    )
    return np.asarray(model.fit().forecast(horizon), dtype=np.float64)


