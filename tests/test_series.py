"""rnn_course.forecast (data, evaluation, baselines): the shipped time series, windows, splits, walk-forward, baselines, metrics."""

import importlib.util
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch

from rnn_course.forecast.baselines import drift, exp_smoothing_forecast, persistence, seasonal_naive
from rnn_course.forecast.data import Scaler, calendar_features, check_series, load_msft, load_taylor, make_windows, targets_at, windows_at
from rnn_course.forecast.evaluation import diebold_mariano, direction_accuracy, mae, mape, rmse, time_split, walk_forward, walk_forward_origins
from rnn_course.paths import data_dir, project_root


# --------------------------------------------------------------------------- the shipped data

def test_taylor_load_timestamps_start_monday_5_june_2000_every_30_minutes():
    load = load_taylor()
    assert load.name == "load_mw" and load.dtype == np.float64
    assert len(load) == 4032  # 12 weeks x 7 days x 48 half-hours
    assert load.index[0] == pd.Timestamp("2000-06-05 00:00") and load.index[0].day_name() == "Monday"
    assert load.index[-1] == pd.Timestamp("2000-08-27 23:30") and load.index[-1].day_name() == "Sunday"
    assert load.index.freq == pd.Timedelta("30min")
    assert (np.diff(load.index.to_numpy()) == np.timedelta64(30, "m")).all()
    assert load.iloc[:3].tolist() == [22262.0, 21756.0, 22247.0]  # pmdarima's documented first values


def test_taylor_load_is_lower_on_weekends():
    load = load_taylor()
    by_day = load.groupby(load.index.day_of_week).mean()  # 0 = Monday
    assert by_day.loc[5:6].max() < 0.9 * by_day.loc[0:4].min()


def test_msft_prices_are_a_clean_daily_series():
    prices = load_msft()
    assert list(prices.columns) == ["open", "high", "low", "close", "volume"]
    assert len(prices) == 7983
    assert prices.index[0] == pd.Timestamp("1986-03-13") and prices.index[-1] == pd.Timestamp("2017-11-10")
    assert prices.index.is_monotonic_increasing and prices.index.is_unique
    assert not prices.isna().any().any()
    assert (prices.index.day_of_week < 5).all()
    assert ((prices["low"] <= prices["close"]) & (prices["close"] <= prices["high"])).all()


def test_a_missing_data_file_says_how_to_restore_it(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_COURSE_DATA", str(tmp_path))
    for loader in (load_msft, load_taylor):
        with pytest.raises(FileNotFoundError, match="git checkout -- data/.*extract_timeseries.py"):
            loader()


def _extract_script():
    path = project_root() / "scripts" / "extract_timeseries.py"
    spec = importlib.util.spec_from_file_location("extract_timeseries", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_extraction_script_rebuilds_the_shipped_files_byte_for_byte(capsys):
    script = _extract_script()
    folder = data_dir() / "timeseries"
    shipped = pd.read_csv(folder / "msft.csv")
    fake = SimpleNamespace(  # what pmdarima's loaders return, rebuilt from the shipped files
        load_msft=lambda: shipped.rename(columns=str.capitalize).assign(OpenInt=0),
        load_taylor=lambda: pd.read_csv(folder / "taylor_load.csv")["load_mw"].to_numpy(dtype=float),
    )
    assert script.msft_csv(fake)[0].encode() == (folder / "msft.csv").read_bytes()
    assert script.taylor_csv(fake)[0].encode() == (folder / "taylor_load.csv").read_bytes()
    assert "12 of 12" in capsys.readouterr().out


def test_the_extraction_script_fails_loudly_when_weekdays_do_not_line_up(capsys):
    script = _extract_script()
    values = load_taylor().to_numpy()
    shifted = SimpleNamespace(load_taylor=lambda: np.roll(values, -48))  # as if the data began on Tuesday
    with pytest.raises(SystemExit, match="weekend|Saturday and Sunday"):
        script.taylor_csv(shifted)


# --------------------------------------------------------------------------- check_series

def _half_hourly(n=10):
    return pd.Series(np.arange(n, dtype=float), index=pd.date_range("2000-06-05", periods=n, freq="30min"))


def test_check_series_accepts_a_clean_series_and_returns_it():
    s = _half_hourly()
    assert check_series(s, freq="30min") is s


@pytest.mark.parametrize("make, freq, match", [
    (lambda s: s.where(s.index != "2000-06-05 02:00"), None, r"2000-06-05 02:00:00.*interpolate\(\).*dropna\(\)"),
    (lambda s: s.drop(s.index[3]), "30min", r"gap: no value at 2000-06-05 01:30:00.*asfreq\('30min'\)"),
    (lambda s: s.iloc[[0, 2, 1, 3]], None, r"not in time order: 2000-06-05 00:30:00.*sort_index\(\)"),
    (lambda s: pd.concat([s.iloc[:3], s.iloc[2:]]), None, r"duplicate timestamp 2000-06-05 01:00:00"),
    (lambda s: s.reset_index(drop=True), None, r"not a DatetimeIndex"),
    (lambda s: s.set_axis(s.index + pd.Timedelta("1min") * (s.index == s.index[4]).astype(int)), "30min",
     r"2000-06-05 02:01:00 is not on the '30min' grid.*resample"),
])
def test_check_series_names_the_first_bad_timestamp_and_the_fix(make, freq, match):
    with pytest.raises(ValueError, match=match):
        check_series(make(_half_hourly()), freq=freq)


def test_check_series_names_the_column_with_a_missing_value():
    df = pd.DataFrame({"open": [1.0, 2.0, 3.0], "close": [1.0, np.nan, 3.0]},
                      index=pd.date_range("2001-01-01", periods=3, freq="D"))
    with pytest.raises(ValueError, match="2001-01-02.*column\\(s\\) close"):
        check_series(df)


# --------------------------------------------------------------------------- windows

def test_the_target_of_window_i_is_what_comes_right_after_it():
    values = np.arange(20.0)  # the value at position t is t
    x, y = make_windows(values, window=4, horizon=3)
    assert x.shape == (20 - 4 - 3 + 1, 4, 1) and y.shape == (14, 3)  # x: (N, T, F), y: (N, H)
    assert x.dtype == y.dtype == torch.float32
    for i in range(len(x)):
        assert x[i, :, 0].tolist() == [i, i + 1, i + 2, i + 3]
        assert y[i].tolist() == [i + 4, i + 5, i + 6]


def test_windows_with_a_stride_and_several_features():
    values = np.stack([np.arange(12.0), 100 + np.arange(12.0)], axis=1)  # (L=12, F=2)
    x, y = make_windows(values, window=3, horizon=2, stride=2)
    assert x.shape == (4, 3, 2) and y.shape == (4, 2, 2)  # all columns are targets: (N, H, F)
    assert x[1, :, 1].tolist() == [102, 103, 104] and y[1, :, 1].tolist() == [105, 106]
    _, y1 = make_windows(values, window=3, horizon=2, target_cols=1)
    assert y1.shape == (8, 2) and y1[0].tolist() == [103, 104]  # one target: (N, H)
    _, y2 = make_windows(values, window=3, horizon=2, target_cols=[1])
    assert y2.shape == (8, 2, 1)  # a list keeps the feature axis


def test_windows_take_target_columns_by_name_from_a_dataframe():
    df = pd.DataFrame({"open": np.arange(6.0), "close": 10 + np.arange(6.0)})
    x, y = make_windows(df, window=2, horizon=1, target_cols="close")
    assert x.shape == (4, 2, 2) and y.shape == (4, 1) and y[:, 0].tolist() == [12, 13, 14, 15]
    with pytest.raises(ValueError, match="'volume' not found"):
        make_windows(df, window=2, target_cols="volume")


@pytest.mark.parametrize("kwargs, match", [
    (dict(window=3, horizon=0), "a horizon of 0 predicts nothing"),
    (dict(window=10, horizon=1), "needs at least 11 time steps, but the series has 10"),
    (dict(window=0, horizon=1), "window"),
    (dict(window=3, horizon=1, stride=0), "stride"),
])
def test_bad_window_settings_say_what_to_do(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_windows(np.arange(10.0), **kwargs)


def test_windows_at_end_just_before_each_origin_and_targets_start_at_it():
    values = np.arange(30.0)
    x = windows_at(values, [10, 20], window=5)
    assert x.shape == (2, 5, 1)
    assert x[0, :, 0].tolist() == [5, 6, 7, 8, 9] and x[1, -1, 0] == 19  # nothing from the origin on
    assert targets_at(values, [10, 20], horizon=3).tolist() == [[10, 11, 12], [20, 21, 22]]
    with pytest.raises(ValueError, match="start the origins at 5"):
        windows_at(values, [3], window=5)
    with pytest.raises(ValueError, match="last usable origin is 27"):
        targets_at(values, [28], horizon=3)


# --------------------------------------------------------------------------- splits, walk-forward

def test_time_split_by_position_fraction_and_date():
    assert time_split(100, 70, 85).sizes() == {"train": 70, "valid": 15, "test": 15}
    split = time_split(100, 0.7, 0.85)
    assert (split.train, split.valid, split.test) == (slice(0, 70), slice(70, 85), slice(85, 100))
    load = _half_hourly(48)
    by_date = time_split(load, "2000-06-05 12:00", "2000-06-05 18:00")
    assert (by_date.train_end, by_date.valid_end) == (24, 36)
    assert "2000-06-05 11:30:00" in str(by_date)
    with pytest.raises(ValueError, match="0 < train_end < valid_end < n"):
        time_split(100, 80, 70)
    with pytest.raises(ValueError, match="between 0 and 1"):
        time_split(100, 0.7, 1.5)


def test_walk_forward_origins_leave_room_for_the_horizon():
    assert walk_forward_origins(20, first_origin=10, step=3, horizon=4) == [10, 13, 16]
    assert walk_forward_origins(20, first_origin=10, step=5, horizon=5) == [10, 15]
    with pytest.raises(ValueError, match="no origin fits"):
        walk_forward_origins(20, first_origin=18, step=1, horizon=5)


def test_walk_forward_never_shows_a_forecaster_data_from_its_origin_on():
    values = np.arange(50.0)  # the value at position t is t, so the past reveals how far it reaches
    seen = {}

    def forecast(past, horizon):
        seen[len(past)] = past.max()
        with pytest.raises(ValueError):  # read-only: it cannot tamper with the series either
            past[0] = -1
        return np.full(horizon, past[-1])

    origins = walk_forward_origins(len(values), first_origin=30, step=5, horizon=5)
    preds = walk_forward(values, origins, 5, forecast)
    assert sorted(seen) == origins and all(seen[o] == o - 1 for o in origins)
    assert preds.shape == (len(origins), 5) and (preds == persistence(values, origins, 5)).all()
    with pytest.raises(ValueError, match="must return 5 values"):
        walk_forward(values, origins, 5, lambda past, h: np.zeros(h + 1))


# --------------------------------------------------------------------------- scaling

def test_the_scaler_is_fitted_on_training_data_only():
    values = np.arange(100.0)
    split = time_split(len(values), 60, 80)
    scaler = Scaler().fit(values[split.train])
    assert isinstance(scaler.mean, float) and isinstance(scaler.std, float)
    assert scaler.mean == pytest.approx(29.5) and scaler.std == pytest.approx(np.std(np.arange(60.0)))
    values[split.valid] = 1e6  # the future changes: the fitted statistics must not
    values[split.train] = 0.0  # nor do they alias the array they came from
    assert scaler.mean == pytest.approx(29.5)
    z = scaler.transform(np.array([29.5, 29.5 + scaler.std]))
    assert z.tolist() == pytest.approx([0.0, 1.0])
    assert scaler.inverse_transform(z).tolist() == pytest.approx([29.5, 29.5 + scaler.std])


def test_the_scaler_refuses_to_transform_before_fit_and_handles_tables_and_tensors():
    with pytest.raises(RuntimeError, match="not fitted.*fit\\(train_values\\)"):
        Scaler().transform(np.ones(3))
    table = np.array([[1.0, 10.0], [3.0, 30.0]])
    scaler = Scaler().fit(table)
    assert scaler.mean.tolist() == [2.0, 20.0] and scaler.std.tolist() == [1.0, 10.0]
    z = scaler.transform(torch.tensor(table, dtype=torch.float32))
    assert torch.is_tensor(z) and z.tolist() == [[-1.0, -1.0], [1.0, 1.0]]
    assert scaler.column(1).inverse_transform(np.array([1.0])).tolist() == [30.0]
    with pytest.raises(ValueError, match="fitted on 2 columns"):
        scaler.transform(np.ones(3))
    with pytest.raises(ValueError, match="constant"):
        Scaler().fit(np.ones(5))


# --------------------------------------------------------------------------- baselines

TINY = np.array([0.0, 10, 20, 30, 40, 50, 60, 70])


def test_persistence_repeats_the_last_value_before_the_origin():
    assert persistence(TINY, [4, 6], horizon=3).tolist() == [[30, 30, 30], [50, 50, 50]]


def test_seasonal_naive_takes_the_value_one_season_earlier():
    # season 2: positions 4, 5, 6 are forecast by 2, 3, 2 (position 6 - 2 = 4 is not known at origin 4)
    assert seasonal_naive(TINY, [4, 6], horizon=3, season=2).tolist() == [[20, 30, 20], [40, 50, 40]]
    assert seasonal_naive(TINY, [4], horizon=2, season=4).tolist() == [[0, 10]]
    with pytest.raises(ValueError, match="start the origins at 4"):
        seasonal_naive(TINY, [3], horizon=1, season=4)


def test_drift_uses_the_slope_of_the_training_part_only():
    series = np.array([0.0, 1, 2, 3, 100, 200])  # the jump after train_end must not change the slope
    assert drift(series, [4, 5], horizon=2, train_end=4).tolist() == [[4, 5], [101, 102]]
    with pytest.raises(ValueError, match="start the origins at 4"):
        drift(series, [3], horizon=1, train_end=4)


def test_exp_smoothing_continues_a_clean_seasonal_pattern():
    pattern = np.array([10.0, 20.0, 30.0, 20.0])
    forecast = exp_smoothing_forecast(np.tile(pattern, 10), horizon=6, seasonal_periods=4)
    assert forecast.shape == (6,)
    assert forecast == pytest.approx(np.tile(pattern, 2)[:6], abs=0.5)
    with pytest.raises(ValueError, match="two full seasons"):
        exp_smoothing_forecast(np.arange(20.0), horizon=2, seasonal_periods=12)


# --------------------------------------------------------------------------- metrics

def test_mae_rmse_mape_on_tiny_arrays():
    assert mae([1, 2, 3], [2, 2, 5]) == pytest.approx(1.0)
    assert rmse([1, 2, 3], [2, 2, 5]) == pytest.approx(math.sqrt(5 / 3))
    assert mape([100, 200], [110, 180]) == pytest.approx(10.0)
    assert mae(torch.tensor([1.0, 2.0]), np.array([1.0, 4.0])) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="MAPE divides by the true values.*use mae or rmse"):
        mape([0, 1], [1, 1])
    with pytest.raises(ValueError, match="same origins and horizon"):
        mae(np.zeros((2, 3)), np.zeros((2, 2)))


def test_direction_accuracy_skips_steps_without_a_move():
    assert direction_accuracy([0.1, -0.2, 0.3, 0.5], [0.2, 0.1, 0.4, 0.0]) == pytest.approx(2 / 3)
    assert direction_accuracy([0.0, 0.0], [0.1, -0.1]) == 0.0  # persistence predicts no direction


def test_diebold_mariano_matches_a_hand_computation():
    from scipy import stats

    e_a = np.array([1.0, -2.0, 0.5, 3.0, -1.0, 2.0])
    e_b = np.array([2.0, -1.0, 1.5, 2.0, -2.5, 3.0])
    d = e_a**2 - e_b**2  # [-3, 3, -2, 5, -5.25, -5]: mean -1.2083
    n, mean = len(d), d.mean()
    gamma0 = np.sum((d - mean) ** 2) / n
    gamma1 = np.sum((d[1:] - mean) * (d[:-1] - mean)) / n
    for h, long_run_var in ((1, gamma0), (2, gamma0 + 2 * (1 - 1 / 2) * gamma1)):  # Newey-West weights
        hln = math.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
        expected = hln * mean / math.sqrt(long_run_var / n)
        stat, p = diebold_mariano(e_a, e_b, horizon=h)
        assert stat == pytest.approx(expected, rel=1e-9)
        assert p == pytest.approx(2 * stats.t.cdf(-abs(expected), df=n - 1), rel=1e-9)
    assert diebold_mariano(e_a, e_b)[0] == pytest.approx(-0.6945435, abs=1e-6)


def test_diebold_mariano_is_negative_when_model_a_is_more_accurate():
    rng = np.random.default_rng(0)
    truth_noise = rng.normal(size=200)
    stat, p = diebold_mariano(0.5 * truth_noise, truth_noise + rng.normal(scale=0.5, size=200))
    assert stat < 0 and p < 0.01
    assert diebold_mariano(truth_noise + rng.normal(scale=0.5, size=200), 0.5 * truth_noise)[0] > 0
    with pytest.raises(ValueError, match="identical forecasts"):
        diebold_mariano(truth_noise, truth_noise)


# --------------------------------------------------------------------------- calendar features

def test_calendar_features_put_time_and_weekday_on_circles():
    index = pd.DatetimeIndex(["2000-06-05 00:00", "2000-06-05 06:00", "2000-06-10 12:00"])  # Mon, Mon, Sat
    f = calendar_features(index)
    assert list(f.columns) == ["tod_sin", "tod_cos", "dow_sin", "dow_cos", "weekend"]
    assert f.iloc[0].tolist() == pytest.approx([0, 1, 0, 1, 0])
    assert f.iloc[1, :2].tolist() == pytest.approx([1, 0], abs=1e-12)
    assert f.iloc[2].tolist() == pytest.approx(
        [0, -1, math.sin(2 * math.pi * 5 / 7), math.cos(2 * math.pi * 5 / 7), 1], abs=1e-12)
    with pytest.raises(ValueError, match="DatetimeIndex"):
        calendar_features(pd.RangeIndex(3))
