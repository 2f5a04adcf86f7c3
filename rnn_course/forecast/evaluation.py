"""Honest evaluation of forecasts (notebooks 05, 06): splits by time, walk-forward origins, metrics.

    split = time_split(load, train_end=0.75, valid_end=0.875)   # by time, never shuffled
    origins = walk_forward_origins(len(load), first_origin=split.valid_end, step=48, horizon=48)
    mape(truth, forecast), diebold_mariano(errors_a, errors_b, horizon=48)

A forecast *origin* ``o`` is a position in the series: a forecast made there may use
``series[:o]`` and nothing else, and predicts ``series[o : o + H]`` (O origins, H steps ahead).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from .data import _check_horizon, _numpy, _origin_array, _series_1d, _whole

__all__ = ["TimeSplit", "time_split", "walk_forward_origins", "walk_forward",
           "mae", "rmse", "mape", "direction_accuracy", "diebold_mariano"]

# --------------------------------------------------------------------------- splits and walk-forward

@dataclass(frozen=True)
class TimeSplit:
    """Positions of a series split by time: train ``[0, train_end)``, valid ``[train_end, valid_end)``,
    test ``[valid_end, n)``. Never shuffled: everything in valid comes after all of train."""

    n: int
    train_end: int
    valid_end: int
    index: pd.DatetimeIndex | None = field(default=None, repr=False, compare=False)

    @property
    def train(self) -> slice:
        return slice(0, self.train_end)

    @property
    def valid(self) -> slice:
        return slice(self.train_end, self.valid_end)

    @property
    def test(self) -> slice:
        return slice(self.valid_end, self.n)

    def sizes(self) -> dict[str, int]:
        return {"train": self.train_end, "valid": self.valid_end - self.train_end, "test": self.n - self.valid_end}

    def __str__(self) -> str:
        lines = []
        for name in ("train", "valid", "test"):
            part = getattr(self, name)
            span = f"positions {part.start}–{part.stop - 1}"
            if self.index is not None:
                span += f"  ({self.index[part.start]} … {self.index[part.stop - 1]})"
            lines.append(f"{name:5s} {part.stop - part.start:>7,} steps  {span}")
        return "\n".join(lines)


def _position(bound, n: int, index: pd.DatetimeIndex | None, name: str) -> int:
    if isinstance(bound, bool):
        raise ValueError(f"{name} must be a position, a fraction or a timestamp, got {bound!r}")
    if _whole(bound):
        return int(bound)
    if isinstance(bound, float):
        if not 0 < bound < 1:
            raise ValueError(f"{name}={bound}: a fraction must lie between 0 and 1 (e.g. 0.7); "
                             "for a position pass a whole number")
        return int(math.floor(bound * n))
    if isinstance(bound, (str, pd.Timestamp, np.datetime64)) or hasattr(bound, "year"):
        if index is None:
            raise ValueError(f"{name}={bound!r} is a date, which needs a DatetimeIndex (pass the Series or "
                             "its index, not a length)")
        try:
            stamp = pd.Timestamp(bound)
        except ValueError:
            raise ValueError(f"{name}={bound!r} is not a date pandas can read: write it as 'YYYY-MM-DD' "
                             f"(e.g. {str(index[len(index) * 7 // 10].date())!r}), a position or a fraction") from None
        return int(index.searchsorted(_same_zone(stamp, index, name), side="left"))
    raise ValueError(f"{name} must be a position, a fraction or a timestamp, got {bound!r}")


def _same_zone(stamp: pd.Timestamp, index: pd.DatetimeIndex, name: str) -> pd.Timestamp:
    """A date bound comparable with ``index``: a bound without a timezone is read in the series'
    own timezone; a bound with one cannot be placed on a series without one."""
    if index.tz is not None and stamp.tz is None:
        return stamp.tz_localize(index.tz)
    if index.tz is None and stamp.tz is not None:
        raise ValueError(f"{name}={stamp} has a timezone ({stamp.tz}) but the series has none, so they cannot be "
                         f"compared: give the date without one (e.g. {str(stamp.tz_localize(None))!r}), or give "
                         "the series its timezone first (series.tz_localize('UTC'))")
    return stamp


def time_split(index_or_len, train_end, valid_end) -> TimeSplit:
    """Split a series by time into train, valid and test.

    ``index_or_len``: a length, a DatetimeIndex, or a Series/DataFrame (its index is used).
    Each bound is a position (``2688``), a fraction of the length (``0.7``: floor(0.7·n)), or,
    with a DatetimeIndex, a date (``"2000-07-31"``: the part *ends before* that time). On a
    series with a timezone, a date without one is read in the series' timezone.
    Every part must be non-empty.
    """
    index = None
    if _whole(index_or_len):
        n = int(index_or_len)
    else:
        if isinstance(index_or_len, (pd.Series, pd.DataFrame)):
            index_or_len = index_or_len.index
        n = len(index_or_len)
        if isinstance(index_or_len, pd.DatetimeIndex):
            index = index_or_len
    if n < 3:
        raise ValueError(f"a series of {n} steps cannot be split into train, valid and test")
    a = _position(train_end, n, index, "train_end")
    b = _position(valid_end, n, index, "valid_end")
    if not 0 < a < b < n:
        raise ValueError(f"the split needs 0 < train_end < valid_end < n so that every part is non-empty; "
                         f"got train_end={a}, valid_end={b}, n={n}")
    return TimeSplit(n, a, b, index)


def walk_forward_origins(n, *, first_origin: int, step: int, horizon: int) -> list[int]:
    """Forecast origins first_origin, first_origin + step, … — every one whose horizon fits in the series.

    ``n``: the series length (or the series). At origin o a forecast may use positions < o
    and is scored on positions o … o + horizon − 1, so the last origin is at most n − horizon.
    With ``step == horizon`` the scored stretches tile the test period without overlap.
    """
    if not _whole(n):
        n = len(n)
    for name, v in (("first_origin", first_origin), ("step", step), ("horizon", horizon)):
        if not _whole(v):
            raise ValueError(f"{name} must be a whole number, got {v!r}")
    if first_origin < 1:
        raise ValueError(f"first_origin must be ≥ 1 (a forecast needs some past), got {first_origin}")
    if step < 1:
        raise ValueError(f"step must be ≥ 1, got {step}")
    _check_horizon(horizon)
    if first_origin + horizon > n:
        raise ValueError(f"no origin fits: first_origin={first_origin} plus horizon={horizon} runs past the "
                         f"end of the series (n={n}); start earlier or forecast fewer steps")
    return list(range(int(first_origin), int(n) - int(horizon) + 1, int(step)))


def walk_forward(series, origins, horizon: int, forecast: Callable[[np.ndarray, int], Sequence[float]]
                 ) -> np.ndarray:
    """Run ``forecast(past, horizon)`` at every origin; return the forecasts, (O, H) float64.

    ``past`` is a *read-only* float64 array of ``series[:o]`` — the data before the origin and
    nothing else — so a forecaster cannot peek at the values it is scored on. ``forecast`` must
    return ``horizon`` numbers. Use it for forecasters that refit at each origin:

        walk_forward(load, origins, 48, lambda past, h: exp_smoothing_forecast(past, h, 336))
    """
    arr = _series_1d(series)
    _check_horizon(horizon)
    o = _origin_array(origins, len(arr), need_before=1, need_after=0, what="a forecast")
    out = np.empty((len(o), horizon))
    for k, origin in enumerate(o.tolist()):
        past = arr[:origin].view()
        past.flags.writeable = False
        pred = np.asarray(forecast(past, horizon), dtype=np.float64)
        if pred.shape != (horizon,):
            raise ValueError(f"forecast(past, horizon) returned shape {pred.shape} at origin {origin}; "
                             f"it must return {horizon} values, shape ({horizon},)")
        out[k] = pred
    return out



# --------------------------------------------------------------------------- metrics

def _pair(y_true, y_pred, names=("y_true", "y_pred")) -> tuple[np.ndarray, np.ndarray]:
    a, b = _numpy(y_true, names[0]), _numpy(y_pred, names[1])
    if a.shape != b.shape:
        raise ValueError(f"{names[0]} has shape {a.shape} but {names[1]} has shape {b.shape}: "
                         "compare forecasts and truth on the same origins and horizon")
    if a.size == 0:
        raise ValueError("nothing to score: the arrays are empty")
    for name, x in zip(names, (a, b)):
        if not np.isfinite(x).all():
            raise ValueError(f"{name} has missing or infinite values: drop or fill them first "
                             "(returns from .pct_change() or .diff() start with a NaN)")
    return a, b


def mae(y_true, y_pred) -> float:
    """Mean absolute error, in the units of the series."""
    a, b = _pair(y_true, y_pred)
    return float(np.mean(np.abs(a - b)))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error, in the units of the series."""
    a, b = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((a - b) ** 2)))


def mape(y_true, y_pred) -> float:
    """Mean absolute percentage error, in percent: 100 · mean(|y_true − y_pred| / |y_true|)."""
    a, b = _pair(y_true, y_pred)
    zeros = np.flatnonzero(a.reshape(-1) == 0)
    if len(zeros):
        raise ValueError(f"MAPE divides by the true values, and {len(zeros)} of them are 0 (first at flat "
                         f"position {zeros[0]}): use mae or rmse for this series")
    return float(100 * np.mean(np.abs((a - b) / a)))


def direction_accuracy(pred_returns, true_returns) -> float:
    """Share of steps where the predicted return has the same sign as the true one (0 … 1).

    Note the order: predictions first. Steps where the true return is exactly 0 (no move)
    are left out; a predicted return of 0 counts as wrong on every other step — so
    persistence (always 0) scores 0, and "always up" is the baseline to beat.
    """
    pred, true = _pair(pred_returns, true_returns, ("pred_returns", "true_returns"))
    moved = true != 0
    if not moved.any():
        raise ValueError("every true return is 0: there is no direction to predict")
    return float(np.mean(np.sign(pred[moved]) == np.sign(true[moved])))


def diebold_mariano(errors_a, errors_b, horizon: int = 1, power: int = 2) -> tuple[float, float]:
    """Diebold–Mariano test of equal forecast accuracy, with the Harvey–Leybourne–Newbold
    small-sample correction: returns (statistic, two-sided p-value).

    ``errors_a``, ``errors_b``: (O,) forecast errors (truth − forecast) of models A and B on the
    same targets, in time order (for multi-step forecasts pass one lead time, e.g.
    ``e[:, h - 1]``). The loss is ``|e| ** power`` (2: squared error, 1: absolute).

    ``horizon`` says how far apart, *counted in origins*, two errors must be before they stop
    sharing surprises: with an origin at every step and forecasts h steps ahead it is h; with
    origins ``step`` apart it is ceil(h / step) — so 1 whenever step ≥ h, as with
    ``walk_forward_origins(..., step=48, horizon=48)``.

    **Sign:** d = loss_A − loss_B; a *negative* statistic means model A is more accurate,
    positive means model B is. A small p-value (say < 0.05) says the difference is unlikely
    to be luck.

    Computed by ``statsmodels.tsa.stattools.diebold_mariano_test`` (statsmodels ≥ 0.15) with
    ``harvey_adj=True`` and ``lags=horizon − 1``: DM = mean(d) / sqrt(S / O), S the long-run
    variance of d from its first horizon − 1 autocovariances (Newey–West weights), scaled by
    sqrt((O + 1 − 2h + h(h − 1)/O) / O) and compared with Student's t on O − 1 degrees of
    freedom. At horizon 1 this is exactly the textbook HLN test (and R's forecast::dm.test).
    """
    try:
        from statsmodels.tsa.stattools import diebold_mariano_test
    except ImportError:
        raise ImportError("diebold_mariano needs statsmodels ≥ 0.15: `pip install statsmodels` "
                          "(the course pins its version in pyproject.toml)") from None
    e_a, e_b = _pair(errors_a, errors_b, ("errors_a", "errors_b"))
    if e_a.ndim != 1:
        raise ValueError(f"errors must be 1-D (O,), got shape {e_a.shape}: for (O, H) multi-step errors "
                         "test one lead time at a time, e.g. e[:, h - 1] with horizon=h")
    _check_horizon(horizon)
    if not isinstance(power, (int, float)) or isinstance(power, bool) or power <= 0:
        raise ValueError(f"power must be > 0 (2: squared error, 1: absolute error), got {power!r}")
    n = len(e_a)
    if n < max(3, 2 * horizon):
        raise ValueError(f"{n} paired errors are too few for a test at horizon {horizon}; "
                         "use more forecast origins")
    d = np.abs(e_a) ** power - np.abs(e_b) ** power
    if np.allclose(d, d[0], rtol=0, atol=1e-12 * max(1.0, float(np.abs(d).max()))):
        raise ValueError("the two models' losses differ by the same amount at every origin (often: "
                         "identical forecasts), so the test has no variance to work with")
    result = diebold_mariano_test(np.zeros(n), -e_a, -e_b, criterion="poly", power=float(power),
                                  harvey_adj=True, horizon=horizon, lags=horizon - 1)
    return float(result.statistic), float(result.pvalue)


