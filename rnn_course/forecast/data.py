"""Time series for notebooks 05 (stock prices) and 06 (electricity load): the data, windows, scaling
and calendar features. Splits, walk-forward evaluation and metrics are in :mod:`.evaluation`, the
baselines in :mod:`.baselines`, the models in :mod:`.model`, the plots in :mod:`.views`.

    load = load_taylor()                          # Series "load_mw", every 30 min, 4,032 points (12 weeks)
    split = time_split(load, train_end=0.75, valid_end=0.875)   # by time, never shuffled
    scaler = Scaler().fit(load.to_numpy()[split.train])          # statistics of the training part only
    z = scaler.transform(load.to_numpy())
    x, y = make_windows(z[split.train], window=336, horizon=48)  # x: (N, T, F=1), y: (N, H)

    origins = walk_forward_origins(len(load), first_origin=split.valid_end, step=48, horizon=48)
    x_test = windows_at(z, origins, window=336)         # (O, T, F): each ends just before its origin
    truth = targets_at(load, origins, horizon=48)       # (O, H)
    naive = seasonal_naive(load, origins, horizon=48, season=336)    # (O, H): same time last week
    mape(truth, naive), mape(truth, scaler.inverse_transform(model(x_test)))

Axis letters: N windows, T time steps in a window, F features, H the horizon (steps ahead),
O forecast origins. A forecast *origin* ``o`` is a position in the series: a forecast made
there may use ``series[:o]`` and nothing else, and predicts ``series[o : o + H]``.

Windows and model inputs are float32 torch tensors; everything on the original scale
(baselines, targets, metrics) is float64 NumPy. Nothing here downloads anything: the data
ships in ``data/timeseries/`` (see data/README.md and scripts/extract_timeseries.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from ..paths import data_dir
from .spacing import IrregularSpacing, _step_of, spacing

__all__ = ["load_msft", "load_taylor", "check_series", "make_windows", "windows_at", "targets_at", "Scaler",
           "calendar_features"]

TAYLOR_FREQ = "30min"


# --------------------------------------------------------------------------- loading

def _timeseries_file(name: str):
    path = data_dir() / "timeseries" / name
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing. It ships with the course: restore it with `git checkout -- data/`, "
            "or rebuild it with scripts/extract_timeseries.py (its docstring says how)"
        )
    return path


def load_msft() -> pd.DataFrame:
    """Daily Microsoft share prices, 13 March 1986 – 10 November 2017 (7,983 trading days).

    A DataFrame indexed by ``date`` (a DatetimeIndex of trading days: no weekends or market
    holidays, so no fixed frequency) with float columns ``open``, ``high``, ``low``,
    ``close`` (US dollars, adjusted for splits) and an integer ``volume`` (shares traded).
    """
    df = pd.read_csv(_timeseries_file("msft.csv"), parse_dates=["date"], date_format="%Y-%m-%d",
                     index_col="date",
                     dtype={"open": "float64", "high": "float64", "low": "float64", "close": "float64",
                            "volume": "int64"})
    return check_series(df)


def load_taylor() -> pd.Series:
    """Half-hourly electricity demand in England and Wales, Monday 5 June – Sunday 27 August 2000.

    A float Series named ``load_mw`` (megawatts), 4,032 points (12 weeks × 7 days × 48), with
    a DatetimeIndex named ``timestamp`` at a 30-minute frequency, starting 2000-06-05 00:00.
    """
    df = pd.read_csv(_timeseries_file("taylor_load.csv"), parse_dates=["timestamp"],
                     date_format="%Y-%m-%dT%H:%M", index_col="timestamp", dtype={"load_mw": "float64"})
    load = check_series(df["load_mw"], freq=TAYLOR_FREQ)
    load.index = pd.DatetimeIndex(load.index, freq=TAYLOR_FREQ, name="timestamp")
    return load


def check_series(obj, freq: str | None = None):
    """Check that ``obj`` (a pandas Series or DataFrame) is a clean time series; return it unchanged.

    Raises ``ValueError`` naming the first offending timestamp and what to do, if the index is
    not a DatetimeIndex, is not sorted, has duplicates, if a value is missing (NaN) or infinite,
    or if a timestamp is missing from, or falls off, the regular grid that starts at the first
    timestamp. The grid's step is ``freq`` (``"30min"``, ``"h"``, ``"D"``, ``"B"``, …) or, when
    not given, inferred from the data (:func:`.spacing.spacing`: the most common step; trading
    days may skip weekends and holidays).
    """
    if not isinstance(obj, (pd.Series, pd.DataFrame)):
        raise TypeError(f"check_series needs a pandas Series or DataFrame, got {type(obj).__name__}")
    index = obj.index
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError(
            f"the index is a {type(index).__name__}, not a DatetimeIndex: set one, e.g. "
            "df = df.set_index(pd.to_datetime(df['date']))"
        )
    if len(index) == 0:
        raise ValueError("the series is empty")
    if index.hasnans:
        pos = int(np.flatnonzero(index.isna())[0])
        raise ValueError(f"the index has a missing timestamp (NaT) at position {pos}: drop those rows, "
                         "e.g. obj = obj[obj.index.notna()]")
    stamps = (index if index.tz is None else index.tz_convert("UTC").tz_localize(None)).to_numpy()
    steps = np.diff(stamps)
    if (steps < np.timedelta64(0)).any():
        pos = int(np.flatnonzero(steps < np.timedelta64(0))[0]) + 1
        raise ValueError(f"the index is not in time order: {index[pos]} (position {pos}) follows the later "
                         f"{index[pos - 1]}. Sort it with obj = obj.sort_index()")
    if (steps == np.timedelta64(0)).any():
        pos = int(np.flatnonzero(steps == np.timedelta64(0))[0]) + 1
        n_dup = int((steps == np.timedelta64(0)).sum())
        raise ValueError(f"duplicate timestamp {index[pos]} at positions {pos - 1} and {pos} ({n_dup} repeated "
                         "timestamp(s) in all): keep one row per time, e.g. "
                         "obj = obj[~obj.index.duplicated()] or obj = obj.groupby(level=0).mean()")
    frame = obj.to_frame() if isinstance(obj, pd.Series) else obj
    bad = frame.isna()
    numeric = frame.select_dtypes("number")
    if not numeric.empty:
        bad = bad | np.isinf(numeric).reindex(columns=frame.columns, fill_value=False)
    if bad.to_numpy().any():
        rows = bad.any(axis=1).to_numpy()
        pos = int(np.flatnonzero(rows)[0])
        cols = [str(c) for c in frame.columns[bad.iloc[pos].to_numpy()]]
        where = "" if isinstance(obj, pd.Series) else f" in column(s) {', '.join(cols)}"
        raise ValueError(
            f"missing or infinite value at {index[pos]}{where} ({int(rows.sum())} row(s) in all). "
            "Fill short gaps with obj = obj.interpolate(), or drop the rows with obj = obj.dropna()"
        )
    if freq is None:
        _check_spacing(index, "obj")
    else:
        try:
            grid = pd.date_range(index[0], index[-1], freq=freq)
        except (ValueError, TypeError):
            raise ValueError(f"freq={freq!r} is not a pandas frequency: use an alias such as '30min', 'h', 'D' or "
                             "'B' (trading days), or leave freq out to infer the step from the data") from None
        off = index.difference(grid)
        if len(off):
            raise ValueError(
                f"{off[0]} is not on the {freq!r} grid that starts at {index[0]}: "
                f"resample the series with obj = obj.resample({freq!r}).mean()"
            )
        missing = grid.difference(index)
        if len(missing):
            raise ValueError(
                f"gap: no value at {missing[0]} ({len(missing)} of the {len(grid)} {freq!r} steps are missing). "
                f"Insert the missing rows with obj = obj.asfreq({freq!r}), then fill them with "
                "obj.interpolate() (short gaps) or cut the series where the gap is"
            )
    return obj


def _check_spacing(index: pd.DatetimeIndex, name: str) -> None:
    """Refuse irregular spacing and gaps, inferred from the data (see :mod:`.spacing`)."""
    try:
        grid = spacing(index)
    except IrregularSpacing as e:
        step = _step_of(index)
        raise ValueError(f"the spacing is irregular: {e}. Resample to one step, e.g. {name} = "
                         f"{name}.resample({step!r}).mean()") from None
    if grid.gaps:
        first = grid.gaps[0]
        raise ValueError(f"gap: {grid.summary()}{grid.dst_hint()}. A model would read the values either side as neighbours. "
                         f"Fill short gaps with {name} = {name}.asfreq({grid.step!r}).interpolate(), or keep one "
                         f"stretch, e.g. {name} = {name}.iloc[{first.position + 1}:] (the part after the first gap)")


# --------------------------------------------------------------------------- windows

def _numpy(values, what: str) -> np.ndarray:
    if torch.is_tensor(values):
        values = values.detach().cpu().numpy()
    elif isinstance(values, (pd.Series, pd.DataFrame)):
        values = values.to_numpy()
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be numbers (an array, tensor, Series or DataFrame)") from None
    return arr


def _no_holes(values, what: str) -> None:
    """A Series/DataFrame on a DatetimeIndex must have no gap a window could straddle (a NumPy array
    or tensor carries no time, so its rows are taken as consecutive steps)."""
    index = getattr(values, "index", None)
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 3 or not index.is_monotonic_increasing:
        return
    try:
        grid = spacing(index)
    except IrregularSpacing as e:
        raise ValueError(f"{what}: {e}; windows need one step between rows — check the series with "
                         "check_series(values) and resample it") from None
    if grid.gaps:
        g = grid.gaps[0]
        raise ValueError(f"{what} has a hole in time: {grid.summary()}. A window across it would read values "
                         f"{g.missing + 1} steps apart as neighbours. Make windows on each stretch and join them, "
                         f"e.g. torch.cat over make_windows(values.iloc[:{g.position + 1}], …) and "
                         f"make_windows(values.iloc[{g.position + 1}:], …), or fill a short gap with "
                         f"values.asfreq({grid.step!r}).interpolate()")


def _table(values, what: str) -> tuple[np.ndarray, list | None]:
    """values → (L, F) float64 array, plus the column names of a DataFrame; a pandas object's
    DatetimeIndex must have no holes (:func:`_no_holes`)."""
    _no_holes(values, what)
    columns = list(values.columns) if isinstance(values, pd.DataFrame) else None
    arr = _numpy(values, what)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{what} must be 1-D (L,) or 2-D (L, F), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        pos = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise ValueError(f"{what} has a missing or infinite value at position {pos}: "
                         "fill or drop it first (check_series finds such problems)")
    return arr, columns


def _whole(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _target_columns(target_cols, columns: list | None, n_features: int) -> tuple[list[int], bool]:
    """(column positions, squeeze) — squeeze: y has no feature axis (one target)."""
    if target_cols is None:
        return list(range(n_features)), n_features == 1
    single = _whole(target_cols) or isinstance(target_cols, str)
    wanted = [target_cols] if single else list(target_cols)
    if not wanted:
        raise ValueError("target_cols is empty: name at least one column to predict")
    picked = []
    for c in wanted:
        if isinstance(c, str):
            if columns is None or c not in columns:
                raise ValueError(f"target column {c!r} not found; the columns are {columns}"
                                 if columns else f"target column {c!r}: names need a DataFrame; use positions 0..{n_features - 1}")
            picked.append(columns.index(c))
        elif _whole(c) and -n_features <= c < n_features:
            picked.append(int(c) % n_features)
        else:
            raise ValueError(f"target column {c!r} does not exist: the series has {n_features} feature(s), "
                             f"positions 0..{n_features - 1}")
    return picked, single


def make_windows(values, window: int, horizon: int = 1, *, target_cols=None, stride: int = 1
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """Cut a series into (input window, what comes next) training examples.

    values: (L,) or (L, F) — an array, tensor, Series or DataFrame, already scaled.
    Returns float32 tensors

        x: (N, T, F)          x[i] = values[s_i : s_i + T]            with T = window, s_i = i·stride
        y: (N, H)             y[i] = values[s_i + T : s_i + T + H]    with H = horizon — one target
        y: (N, H, F_target)   … the same, for several target columns

    so the target of window i is the ``horizon`` values right after the window ends (the
    window's forecast origin is ``s_i + T``). **Target shape:** y has no feature axis when
    there is one target — a 1-D series, a one-column table, or ``target_cols`` given as one
    column (``3`` or ``"close"``) — so a model ending in ``nn.Linear(hidden, H)`` matches it;
    a list (``[3]``, ``["close", "volume"]``), or several columns with ``target_cols=None``,
    keeps the feature axis. Column names need a DataFrame.

    **Holes in time:** consecutive rows are taken as consecutive steps. A Series or DataFrame on a
    DatetimeIndex with a gap (a missing stretch of its inferred step, see :mod:`.spacing`) is
    refused with the gap's position, since a window across it would mix values far apart in time;
    make windows on each stretch, or fill the gap. A NumPy array or tensor carries no time: check
    it before converting (``check_series``).
    """
    arr, columns = _table(values, "values")
    length, n_features = arr.shape
    for name, v in (("window", window), ("horizon", horizon), ("stride", stride)):
        if not _whole(v):
            raise ValueError(f"{name} must be a whole number, got {v!r}")
    if window < 1:
        raise ValueError(f"window (T) must be at least 1 time step, got {window}")
    if horizon < 1:
        raise ValueError(f"a horizon of {horizon} predicts nothing: horizon (H) is how many steps after "
                         "the window to predict; use horizon=1 for the next step")
    if stride < 1:
        raise ValueError(f"stride must be at least 1 (1: a window starting at every step), got {stride}")
    if window + horizon > length:
        raise ValueError(f"a window of T={window} plus a horizon of H={horizon} needs at least "
                         f"{window + horizon} time steps, but the series has {length}: "
                         "use a shorter window or horizon, or a longer series")
    targets, squeeze = _target_columns(target_cols, columns, n_features)
    starts = np.arange(0, length - window - horizon + 1, stride)          # (N,)
    x = arr[starts[:, None] + np.arange(window)]                           # (N, T, F)
    y = arr[(starts[:, None] + window + np.arange(horizon))[:, :, None], targets]  # (N, H, F_target)
    if squeeze:
        y = y[:, :, 0]                                                     # (N, H)
    return torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y.astype(np.float32))


def _origin_array(origins, length: int, *, need_before: int, need_after: int, what: str) -> np.ndarray:
    """Validate forecast origins: whole numbers with need_before ≤ o ≤ length − need_after."""
    if isinstance(origins, (int, np.integer)):
        origins = [origins]
    arr = np.asarray(list(origins))
    if arr.ndim != 1 or len(arr) == 0:
        raise ValueError("origins must be a non-empty list of positions (see walk_forward_origins)")
    if not all(_whole(o) for o in arr.tolist()):
        raise ValueError(f"origins must be whole-number positions in the series, got {arr[:5].tolist()}…")
    arr = arr.astype(np.int64)
    low, high = int(arr.min()), int(arr.max())
    if low < need_before:
        raise ValueError(f"origin {low} has only {low} earlier value(s), and {what} needs {need_before}: "
                         f"start the origins at {need_before} or later")
    if high > length - need_after:
        raise ValueError(f"origin {high} needs values up to position {high + need_after - 1}, but the series "
                         f"ends at {length - 1}: the last usable origin is {length - need_after}")
    return arr


def windows_at(values, origins, window: int) -> torch.Tensor:
    """The model inputs for forecasts made at ``origins``: x: (O, T, F) float32, x[k] = values[o_k − T : o_k].

    Each window ends just before its origin, so a model fed these sees nothing from the
    origin on. values: (L,) or (L, F), scaled the same way as the training windows; a Series or
    DataFrame with a hole in time is refused, as in :func:`make_windows`.
    """
    arr, _ = _table(values, "values")
    if not _whole(window) or window < 1:
        raise ValueError(f"window (T) must be a whole number ≥ 1, got {window!r}")
    o = _origin_array(origins, len(arr), need_before=window, need_after=0, what=f"a window of T={window}")
    return torch.from_numpy(arr[(o[:, None] - window + np.arange(window))].astype(np.float32))


def _series_1d(series, what: str = "series") -> np.ndarray:
    if isinstance(series, pd.DataFrame):
        if series.shape[1] != 1:
            raise ValueError(f"{what} must be one series; pick a column, e.g. prices['close']")
        series = series.iloc[:, 0]
    arr = _numpy(series, what)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{what} must be 1-D (L,), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        pos = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise ValueError(f"{what} has a missing or infinite value at position {pos}: fill or drop it first")
    return arr


def targets_at(series, origins, horizon: int) -> np.ndarray:
    """What actually happened after each origin: (O, H) float64, row k = series[o_k : o_k + H]."""
    arr = _series_1d(series)
    _check_horizon(horizon)
    o = _origin_array(origins, len(arr), need_before=0, need_after=horizon, what="a target")
    return arr[o[:, None] + np.arange(horizon)]


def _check_horizon(horizon) -> None:
    if not _whole(horizon) or horizon < 1:
        raise ValueError(f"a horizon of {horizon!r} predicts nothing: horizon (H) must be a whole number ≥ 1")



# --------------------------------------------------------------------------- scaling

class NotFittedError(RuntimeError):
    """A Scaler used before ``fit``."""


@dataclass
class Scaler:
    """Standardisation, z = (x − mean) / std, with statistics from the training data only.

    ``fit(train_values)`` stores ``mean`` and ``std`` as plain floats (a 1-D series) or NumPy
    arrays of shape (F,) (a table, one per column) — copies, so changing the data later
    changes nothing here. ``transform``/``inverse_transform`` accept arrays, tensors and
    pandas objects, and return the same kind.
    """

    mean: float | np.ndarray | None = None
    std: float | np.ndarray | None = None

    @property
    def fitted(self) -> bool:
        return self.mean is not None and self.std is not None

    def fit(self, train_values) -> "Scaler":
        arr = _numpy(train_values, "train_values")
        if arr.ndim not in (1, 2):
            raise ValueError(f"train_values must be 1-D (L,) or 2-D (L, F), got shape {arr.shape}")
        if len(arr) < 2:
            raise ValueError(f"fit needs at least 2 training values, got {len(arr)}")
        if not np.isfinite(arr).all():
            pos = int(np.flatnonzero(~np.isfinite(arr.reshape(len(arr), -1)).all(axis=1))[0])
            raise ValueError(f"train_values has a missing or infinite value at position {pos}: "
                             "fill or drop it before fitting")
        mean, std = arr.mean(axis=0), arr.std(axis=0)
        if np.any(std == 0):
            cols = np.flatnonzero(np.atleast_1d(std) == 0).tolist()
            which = "the series is" if arr.ndim == 1 else f"column(s) {cols} are"
            raise ValueError(f"{which} constant in the training data (std 0), so they cannot be "
                             "standardised: drop constant columns")
        if arr.ndim == 1:
            self.mean, self.std = float(mean), float(std)
        else:
            self.mean, self.std = mean.copy(), std.copy()
        return self

    def _stats_for(self, values):
        if not self.fitted:
            raise NotFittedError("this Scaler is not fitted: call scaler.fit(train_values) on the training "
                               "part only, then transform")
        if isinstance(self.mean, np.ndarray):
            width = values.shape[-1] if getattr(values, "ndim", 0) >= 1 else None
            if width != len(self.mean):
                raise ValueError(f"the scaler was fitted on {len(self.mean)} columns, but the values have "
                                 f"shape {tuple(values.shape)}; for one column use scaler.column(j)")
        if torch.is_tensor(values):
            as_t = lambda s: torch.as_tensor(s, dtype=values.dtype, device=values.device)  # noqa: E731
            return as_t(self.mean), as_t(self.std)
        return self.mean, self.std

    def transform(self, values):
        """(x − mean) / std."""
        if isinstance(values, (list, tuple)):
            values = np.asarray(values, dtype=np.float64)
        mean, std = self._stats_for(values)
        return (values - mean) / std

    def inverse_transform(self, values):
        """z · std + mean: back to the original units (e.g. a model's scaled forecasts)."""
        if isinstance(values, (list, tuple)):
            values = np.asarray(values, dtype=np.float64)
        mean, std = self._stats_for(values)
        return values * std + mean

    def column(self, j: int) -> "Scaler":
        """The scaler of one column of a table scaler, e.g. to un-scale forecasts of the target column."""
        if not self.fitted:
            raise NotFittedError("this Scaler is not fitted: call scaler.fit(train_values) first")
        if not isinstance(self.mean, np.ndarray):
            return Scaler(self.mean, self.std)
        if not _whole(j) or not -len(self.mean) <= j < len(self.mean):
            raise ValueError(f"column {j!r} does not exist: the scaler has {len(self.mean)} columns")
        return Scaler(float(self.mean[j]), float(self.std[j]))



# --------------------------------------------------------------------------- features

def calendar_features(index) -> pd.DataFrame:
    """Calendar inputs for a DatetimeIndex (or a Series/DataFrame with one): a float DataFrame

        tod_sin, tod_cos   time of day on a circle (23:30 sits next to 00:00)
        dow_sin, dow_cos   day of week on a circle (Monday = 0 … Sunday = 6)
        weekend            1.0 on Saturdays and Sundays, else 0.0

    indexed like the input, to append to the features F of each time step.
    """
    if isinstance(index, (pd.Series, pd.DataFrame)):
        index = index.index
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError(f"calendar_features needs a DatetimeIndex, got {type(index).__name__}")
    seconds = index.hour * 3600 + index.minute * 60 + index.second
    day = 2 * np.pi * np.asarray(seconds, dtype=np.float64) / 86_400
    dow = np.asarray(index.day_of_week, dtype=np.float64)
    week = 2 * np.pi * dow / 7
    return pd.DataFrame({
        "tod_sin": np.sin(day), "tod_cos": np.cos(day),
        "dow_sin": np.sin(week), "dow_cos": np.cos(week),
        "weekend": (dow >= 5).astype(np.float64),
    }, index=index)
