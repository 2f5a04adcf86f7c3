"""Reading a learner's answer: the wrong kind of answer becomes feedback, never a traceback.

A checker reads an answer with :func:`as_number`, :func:`as_whole`, :func:`as_shape` or
:func:`call_answer`; each raises :class:`Reject` with a message saying what the answer is (text,
NaN, a fraction, a function that raised, ...), and ``call_answer`` raises :class:`NotYet` when the
learner's function returns nothing yet. :func:`~rnn_course.exercises.check` turns both into
feedback.
"""

from __future__ import annotations

import copy
import math
import numbers

import numpy as np
import torch


class Reject(Exception):
    """Ends judging: the answer is wrong, and the message says what it is."""


class NotYet(Exception):
    """Ends judging: the learner's function has no answer yet."""


def kind_of(answer) -> str:
    """What an answer is, for feedback: 'the text '200'', 'a tensor of shape (7, 2)', 'a list', …"""
    if isinstance(answer, (str, bytes)):
        return f"the text {answer!r}"
    if torch.is_tensor(answer):
        return f"a {answer.dtype} tensor of shape {tuple(answer.shape)}"
    if isinstance(answer, np.ndarray):
        return f"a {answer.dtype} array of shape {answer.shape}"
    if callable(answer):
        return "a function"
    name = type(answer).__name__
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


def as_number(answer, what: str) -> float:
    """``answer`` as a finite float (a one-value tensor or array counts); else Reject saying what it is."""
    if (torch.is_tensor(answer) and answer.numel() == 1) or (isinstance(answer, (np.ndarray, np.generic))
                                                             and answer.size == 1):
        answer = answer.item()
    if isinstance(answer, (str, bytes)):
        raise Reject(f"{answer!r} is text; give {what} without quotes.")
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, numbers.Real):
        raise Reject(f"that is {kind_of(answer)}; give {what}.")
    value = float(answer)
    if math.isnan(value):
        raise Reject("that is NaN (not a number), which comes from an undefined step such as 0 / 0 "
                     "or the log of a negative number: check each step of your computation.")
    if math.isinf(value):
        raise Reject("that is infinite: look for a division by zero or the log of 0.")
    return value


def as_whole(answer, what: str) -> int:
    """``answer`` as a whole number (200 and 200.0 both count); else Reject."""
    value = as_number(answer, what)
    if not value.is_integer():
        raise Reject(f"{value:g} is not a whole number; give {what}.")
    return int(value)


def as_shape(answer) -> tuple[int, ...]:
    """A shape written as a tuple (or list, or torch.Size) of whole numbers; else Reject."""
    if not isinstance(answer, (tuple, list)):  # torch.Size is a tuple
        raise Reject(f"that is {kind_of(answer)}; give the shape as a tuple of whole numbers, such as (1, 2, 3).")
    return tuple(as_whole(a, "each axis as a whole number") for a in answer)


def call_answer(function, *args, example: str):
    """The learner's function run on copies of ``args``; its exception, or no result yet, ends judging."""
    if not callable(function):
        raise Reject(f"that is {kind_of(function)}; give a function, such as {example}")
    try:
        got = function(*copy.deepcopy(args))
    except Exception as e:  # the learner's code: report, don't crash
        raise Reject(f"your function raised {type(e).__name__}: {e}") from None
    if got is ... or got is None:
        raise NotYet("your function returns nothing yet")
    return got


def closest_mistake(value: float, mistakes: dict[str, float], tol: float) -> str | None:
    """Feedback for the usual wrong answer(s) within ``tol`` of ``value``; None when it is none of them.

    When two slips give about the same number, say both rather than guess: a diagnosis must be true.
    """
    near = sorted((abs(value - v), message) for message, v in mistakes.items() if abs(value - v) <= tol)
    if not near:
        return None
    exact = [message for distance, message in near if distance < 1e-9]
    if len(exact) == 1 or len(near) == 1:
        return exact[0] if exact else near[0][1]
    return "more than one slip gives about this value. " + " ".join(
        f"({i}) {message[0].upper()}{message[1:]}" for i, (_, message) in enumerate(near, 1))
