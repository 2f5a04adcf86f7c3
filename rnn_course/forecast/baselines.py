"""The forecasts a practitioner tries first (notebooks 05, 06), each using only ``series[:origin]``.

    naive = seasonal_naive(load, origins, horizon=48, season=336)    # (O, H): same time last week

Every function returns (O, H): one row of H forecasts per origin, on the series' own scale.
"""

from __future__ import annotations

import numpy as np

from .data import _check_horizon, _origin_array, _series_1d, _whole

__all__ = ["persistence", "drift", "seasonal_naive", "exp_smoothing_forecast"]

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


