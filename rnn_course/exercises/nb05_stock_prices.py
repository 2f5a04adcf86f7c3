"""Notebook 05, stock prices: its exercises, registered in the order the notebook asks them.

The series loaders are imported inside the checkers: rnn_course.forecast.data brings pandas,
0.4 s that every notebook would otherwise pay when it imports the exercises.
"""

from __future__ import annotations

import math

import numpy as np

from .answers import as_number, call_answer, closest_mistake, kind_of
from .core import exercise


@exercise("05-up-share", 1, (
    "use returns (the daily log returns): only the test days, from 2015-11-10 on, and only the days "
    "that moved; a day went up when its return is above 0."
))
def _up_share(answer):
    from ..forecast.data import load_msft

    value = as_number(answer, "a share between 0 and 1, such as 0.5")
    r = np.log(load_msft()["close"]).diff().dropna()  # the notebook's `returns`

    def up(part, moved_only: bool = True) -> float:
        x = part.to_numpy()
        return float(np.mean(x[x != 0] > 0 if moved_only else x > 0))

    test, before = r[r.index >= "2015-11-10"], r[r.index < "2015-11-10"]
    truth = up(test)
    if math.isclose(value, truth, abs_tol=5e-4):
        return True, (f"{truth:.1%} of the test days went up: 'always up' scores that on direction, "
                      "so a model must beat it, not 50 %.")
    if value > 1:
        return False, "give a share between 0 and 1, not a percentage or a count."
    mistake = closest_mistake(value, {
        "that is the share of down days in the test years; the question asks for the up days.": 1 - truth,
        "that counts the days with no change (return exactly 0) too; leave them out, as direction_accuracy does.":
            up(test, moved_only=False),
        "that is the share over the whole history, from 1986 on; keep only the test days, from 2015-11-10 on.": up(r),
        ("that is the share over the whole history, from 1986 on, counting the days with no change too; keep only "
         "the test days, from 2015-11-10 on, and leave out the returns of exactly 0."): up(r, moved_only=False),
        "that is the share before the test years; keep only the test days, from 2015-11-10 on.": up(before),
        ("that is the share before the test years, counting the days with no change too; keep only the test days, "
         "from 2015-11-10 on, and leave out the returns of exactly 0."): up(before, moved_only=False),
    }, tol=5e-4)
    return False, mistake or "keep the test days' returns (from 2015-11-10 on) that are not 0, and take the share above 0."


@exercise("05-fit-scaler", 2, (
    "S.Scaler learns a mean and a standard deviation from whatever you fit it on: give it only what "
    "would be known at train_end."
))
def _fit_scaler(answer):
    from ..forecast.data import Scaler

    prices = np.concatenate([np.linspace(10.0, 20.0, 80), np.linspace(60.0, 90.0, 20)])  # the future is higher
    got = call_answer(answer, prices, 80, example="def fit_scaler(prices, train_end): return ...")
    if not isinstance(got, Scaler) or not got.fitted:
        return False, f"return a fitted S.Scaler, not {kind_of(got)}."

    def fitted_on(part) -> bool:
        return bool(np.allclose(got.mean, part.mean()) and np.allclose(got.std, part.std()))

    if fitted_on(prices[:80]):
        return True, "fitted on prices[:train_end] only: the test part's level and spread stay unknown, as they will be in real use."
    if fitted_on(prices):
        return False, "your scaler saw all the prices, the test part too: fit it on the training part only."
    if fitted_on(prices[80:]):
        return False, "your scaler learned from the test part only; it must learn from the past, before train_end."
    if fitted_on(prices[:79]) or fitted_on(prices[:81]):
        return False, "off by one: the training part is positions 0 … train_end − 1."
    return False, "fit the scaler on the training part only: the prices before position train_end."
