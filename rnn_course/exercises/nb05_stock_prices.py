"""Notebook 05, stock prices: its exercises, registered in the order the notebook asks them.

The series loaders are imported inside the checkers: rnn_course.forecast.data brings pandas,
0.4 s that every notebook would otherwise pay when it imports the exercises.
"""

from __future__ import annotations

import math

import numpy as np

from .answers import as_number, call_answer, closest_mistake, kind_of
from .core import exercise
from .quizzes import choice


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


# --- the quiz (rnn_course.exercises.quizzes shows and judges it) ------------------------------
choice(
    "05-quiz-lagged-copy",
    "On a plot spanning years, a price model's prediction hugs the price. Zoomed in, its error is smaller "
    "against the price a day earlier than against the price it predicts. What has it learned?",
    "b",
    ("to forecast well: the curves overlap",
     "on a plot spanning years any lagged copy overlaps the price. Compare with persistence on the same days; "
     "the plot hides a one-day shift."),
    ("to copy yesterday's price, a step behind the truth",
     "its best match is the past, not the future: it is persistence with extra steps, and no better. Always "
     "score against persistence before believing a price plot."),
    ("the future, through a leak",
     "a leak would make it closest to the day it predicts. Being closest to the day before says it follows "
     "the past."),
)
choice(
    "05-quiz-leaky-scaler",
    "A scaler fitted on all the prices gives a lower test error than one fitted on the training years. Which "
    "error do you report?",
    "c",
    ("the lower one: it is the better model",
     "the lower error comes from the leak: the scaler's mean and spread carry the test years' price range into "
     "training. No real forecaster knows next year's range."),
    ("the average of the two",
     "averaging an honest number with a leaked one is still leaked. Fit every statistic on the past only."),
    ("the one with the scaler fitted on the training years only",
     "the scaler is part of the model: fitted on the future, it tells the model where future prices will be. "
     "Fit it on the past, then transform everything with it."),
)
choice(
    "05-quiz-returns",
    "Why does the notebook model returns rather than prices?",
    "a",
    ("prices drift to levels never seen in training; returns stay in the range training covered",
     "prices are non-stationary and an LSTM's output is bounded by what it saw, so it falls behind a climbing "
     "price. Returns stay centred near zero; turn them back into prices only to score."),
    ("returns are easier to predict",
     "they are almost unpredictable (the efficient-market argument). The reason is range, not ease: a model "
     "of returns meets familiar values."),
    ("returns are fewer numbers",
     "there is one return per day, as many as prices less one. The reason is what the values look like."),
)
choice(
    "05-quiz-drift",
    "Trained with squared error, the return LSTM outputs a nearly constant small positive number. Why?",
    "b",
    ("it is undertrained: longer training will beat drift",
     "training cannot create information the inputs lack. If past returns say almost nothing about tomorrow's, "
     "more steps converge to the same constant."),
    ("squared error learns the mean of tomorrow's return given the inputs; with no information that is the "
     "average return",
     "the conditional mean, when past returns carry (almost) nothing, is the training years' mean return: the "
     "drift. The LSTM found it, which is why it ties with drift and does not beat it."),
    ("a bug: a model that outputs a constant has stopped learning",
     "a constant is the right answer to an unpredictable target under squared error. The test that it learned "
     "something real is beating drift walk-forward, which it does not."),
)
choice(
    "05-quiz-walk-forward",
    "Why evaluate walk-forward (refit before each block, forecast only from the past) and not with shuffled "
    "k-fold cross-validation?",
    "c",
    ("shuffled k-fold gives more test data",
     "it gives every day a turn in the test, but trains on days after the ones it tests: look-ahead."),
    ("walk-forward is faster",
     "it refits several times, so it is slower. It is chosen for honesty, not speed."),
    ("it uses the model as it would be used: trained on everything before the day it forecasts, nothing after",
     "shuffled folds put future days in training for past test days, and the score flatters the model. "
     "Walk-forward never lets a forecast see its own day or later."),
)
