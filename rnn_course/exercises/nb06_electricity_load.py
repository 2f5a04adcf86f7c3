"""Notebook 06, electricity load: its exercises, registered in the order the notebook asks them.

The series loaders are imported inside the checkers: rnn_course.forecast.data brings pandas,
0.4 s that every notebook would otherwise pay when it imports the exercises.
"""

from __future__ import annotations

import numpy as np
import torch

from .answers import as_whole, call_answer, kind_of
from .core import exercise
from .quizzes import choice


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


# --- the quiz (rnn_course.exercises.quizzes shows and judges it) ------------------------------
choice(
    "06-quiz-origin",
    "A day-ahead forecast is made at origin o (midnight). Which data may it use?",
    "a",
    ("load[:o], and calendar facts about tomorrow",
     "everything before the origin, and what is known in advance (time of day, day of week, last week's load). "
     "Every model is refitted at each origin on that data only."),
    ("load[:o + 48], to fit the daily cycle",
     "load[o:o + 48] is the day being forecast: using it is look-ahead, and the score would mean nothing."),
    ("the whole series, as long as it only fits a scaler",
     "a scaler fitted on the future leaks its level (notebook 05's trap 2). Fit every statistic on the data "
     "before the origin."),
)
choice(
    "06-quiz-validation-week",
    "How many recent half-hours the lag regression reads is chosen on:",
    "b",
    ("the test weeks: pick the setting with the lowest test MAPE",
     "then the test score is the best of several tries on the same days, which flatters the model. The test "
     "weeks only score; settings are chosen before them."),
    ("the validation week",
     "the validation week chooses every setting, the test weeks score once. That keeps the test score an "
     "honest estimate of the next weeks."),
    ("the training error: more lags until it stops falling",
     "training error keeps falling as inputs are added, because more inputs fit more noise. Only held-out "
     "data says when more lags stop helping."),
)
choice(
    "06-quiz-last-week",
    "Why does 'same half-hour last week' beat 'same half-hour yesterday'?",
    "c",
    ("older data is more reliable",
     "age has nothing to do with it: the week-old copy matches the calendar."),
    ("yesterday is too close to tomorrow to help",
     "close is usually good. Yesterday is the wrong kind of day whenever tomorrow's weekday differs, as on "
     "Saturday and Monday."),
    ("it gets both cycles right: the time of day and weekday against weekend",
     "a Monday looks like last Monday, not like Sunday. Copying yesterday gets every weekend and every Monday "
     "wrong."),
)
choice(
    "06-quiz-recursive",
    "Why can a recursive model's error grow along the 48-step horizon while a direct model's need not?",
    "a",
    ("it feeds its own predictions back as inputs, so its errors compound",
     "each of the 48 steps reads the previous prediction as if it were a measured load; a mistake early in "
     "the day shifts everything after it. A direct model emits all 48 at once from measured inputs."),
    ("it has fewer parameters",
     "its head is smaller, but that does not make errors grow with the horizon: feeding predictions back does."),
    ("it sees less of the past",
     "it reads the same window; the difference is what it reads while forecasting, its own predictions."),
)
choice(
    "06-quiz-data-scale",
    "With nine weeks of training data, the linear models beat the LSTMs. Why?",
    "b",
    ("LSTMs cannot model daily and weekly cycles",
     "they can (the residual LSTM starts from last week's load); they lack examples, not the capacity."),
    ("nine weeks hold nine Mondays: a network needs many examples of each situation, a linear model few",
     "the classical models are fitted in closed form by least squares; an LSTM learns by gradient descent from "
     "the same little data. With years of data and weather inputs, RNNs have room to win."),
    ("MAPE is unfair to neural networks",
     "every model is scored on the same origins with the same metric; the ranking is the data talking."),
)
