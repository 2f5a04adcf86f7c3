"""Notebook 06, electricity load: its exercises, registered in the order the notebook asks them.

The series loaders are imported inside the checkers: rnn_course.forecast.data brings pandas,
0.4 s that every notebook would otherwise pay when it imports the exercises.
"""

from __future__ import annotations

import numpy as np
import torch

from .answers import as_whole, call_answer, kind_of
from .core import exercise


@exercise("06-naive-position", 1, (
    "the weekly seasonal naive copies the value exactly one week before the position being forecast; "
    "how many half-hours is a week?"
))
def _naive_position(answer):
    value = as_whole(answer, "a whole number (a position in the series)")
    if value == 3360 + 30 - 336:
        return True, "o + h − 336 = 3054: the same half-hour one week before the value being forecast."
    if value == 3360 + 30 - 48:
        return False, "that is the daily seasonal naive (season 48); the weekly one goes back 336 steps."
    if value == 3360 - 336:
        return False, "that is one week before the origin; add the 30 steps ahead you are forecasting."
    if value in (3360 + 30 - 336 - 1, 3360 + 30 - 336 + 1):
        return False, "off by one: position o + h is forecast from position o + h − 336 exactly."
    return False, "the forecast for position o + h is the value at o + h − season, with season = 7 × 48."


@exercise("06-daily-profile", 2, (
    "load has a DatetimeIndex: group the values by time of day (load.index.time, or hour and minute "
    "together) and average each group."
))
def _daily_profile(answer):
    from ..forecast.data import load_taylor

    load = load_taylor()
    got = call_answer(answer, load, example="def daily_profile(load): return ...")
    if torch.is_tensor(got):
        got = got.detach()
    try:
        got = np.asarray(got, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return False, f"your function returned {kind_of(got)}; return 48 numbers (an array or a Series), one per half-hour."
    t = load.index
    truth = load.groupby([t.hour, t.minute]).mean().to_numpy()  # (48,)
    mistakes = {
        "that is the mean per hour (24 values): the data are half-hourly, so a day has 48 steps; group by hour and minute.":
            load.groupby(t.hour).mean().to_numpy(),
        "that is the mean per day of the week (7 values), the weekly profile; the daily one has 48, one per half-hour.":
            load.groupby(t.day_of_week).mean().to_numpy(),
        "those are totals, summed over all days; average each half-hour instead.":
            load.groupby([t.hour, t.minute]).sum().to_numpy(),
    }
    for message, values in mistakes.items():
        if got.shape == values.shape and np.allclose(got, values, rtol=1e-9):
            return False, message
    if got.shape != (48,):
        return False, f"a day has 48 half-hours, so return 48 values; yours has {got.size}."
    if np.allclose(got, truth, rtol=1e-9):
        return True, (f"the load swings from {truth.min():,.0f} MW at night to {truth.max():,.0f} MW by day: "
                      "a forecast that ignores the time of day cannot be good.")
    return False, "group by time of day (hour and minute) and average over every day."
