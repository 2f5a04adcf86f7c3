"""Exercise checkers for every notebook: feedback, never a traceback.

    answer = ...            # the learner replaces ... with their answer
    check("01-h_n-shape", answer)

An unanswered exercise (``...`` or ``None``) prints a hint, so notebooks still run top to bottom.
A wrong answer gets feedback aimed at the usual mistake; a learner's function that crashes is
reported as feedback too. Solutions live in ``notebooks/solutions/``, apart from the exercises.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable

import torch

__all__ = ["check", "Feedback", "EXERCISES"]


@dataclass(frozen=True)
class Feedback:
    exercise: str
    status: str  # "correct", "wrong" or "unanswered"
    message: str

    @property
    def ok(self) -> bool:
        return self.status == "correct"

    def __str__(self) -> str:
        mark = {"correct": "✓", "wrong": "✗", "unanswered": "…"}[self.status]
        return f"{mark} {self.exercise}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = {"correct": "#31a354", "wrong": "#d62728", "unanswered": "#777"}[self.status]
        return f"<div style='color:{colour}'>{html.escape(str(self))}</div>"


@dataclass(frozen=True)
class Exercise:
    hint: str
    judge: Callable[[Any], tuple[bool | None, str]]  # answer → (correct? None: unanswered, feedback)


def _shape(answer) -> tuple | None:
    try:
        return tuple(int(a) for a in answer)
    except (TypeError, ValueError):
        return None


def _hn_shape(answer):
    # nn.GRU(8, 16, num_layers=2, bidirectional=True, batch_first=True), x: (B=3, T=10, F=8)
    got = _shape(answer)
    if got == (4, 3, 16):
        return True, "h_n is (L·D, B, H) = (2·2, 3, 16) — and batch_first does not change it."
    if got == (3, 4, 16):
        return False, "close, but h_n is never batch-first: batch_first only applies to input and output."
    if got in ((3, 10, 32), (3, 10, 16)):
        return False, "that is the shape of output (B, T, D·H); h_n holds one final state per layer and direction."
    if got == (2, 3, 16):
        return False, "count the directions too: L·D = layers × directions."
    return False, "h_n has three axes: (L·D, B, H). Work out each one from the layer's settings."


def _last_step(answer):
    if not callable(answer):
        return False, "give a function, e.g. def last_step(out): return ..."
    out = torch.arange(2 * 5 * 3, dtype=torch.float32).reshape(2, 5, 3)  # (B=2, T=5, H=3)
    try:
        got = answer(out)
    except Exception as e:  # the learner's code: report, don't crash
        return False, f"your function raised {type(e).__name__}: {e}"
    if got is ... or got is None:
        return None, "your function returns nothing yet"
    if not torch.is_tensor(got):
        return False, f"your function returned {type(got).__name__}; it should return a tensor (B, H)"
    if got.shape == (5, 3) and torch.equal(got, out[-1]):
        return False, "that is out[-1]: for a batch-first (B, T, H) output it is the last *sample*, not the last step."
    if got.shape != (2, 3):
        return False, f"the result should be (B, H) = (2, 3); yours is {tuple(got.shape)}"
    if torch.equal(got, out[:, -1]):
        return True, "out[:, -1] takes the last time step of every sequence."
    if torch.equal(got, out[:, 0]):
        return False, "that is the first time step; the last one is at index -1 on the T axis."
    return False, "right shape, wrong values: take index -1 along the time axis (dim 1 for batch-first)."


def _lstm_params(answer):
    try:
        n = int(answer)
    except (TypeError, ValueError):
        return False, "give a whole number"
    if n == 200:
        return True, "4 gates × (W_ih 5×3 + W_hh 5×5 + b_ih 5 + b_hh 5) = 4 × 50 = 200."
    if n == 50:
        return False, "that is an nn.RNN's count; an LSTM has four sets of weights, one per gate."
    if n == 160:
        return False, "PyTorch keeps two bias vectors per gate (b_ih and b_hh): count both."
    if n == 150:
        return False, "that is a GRU (three gates); an LSTM has four."
    return False, "count W_ih (H×F), W_hh (H×H), b_ih (H), b_hh (H), for each of the LSTM's 4 gates."


EXERCISES: dict[str, Exercise] = {
    "01-h_n-shape": Exercise(
        "h_n is (L·D, B, H): L layers, D directions (2 if bidirectional), B batch, H hidden size.", _hn_shape),
    "01-last-step": Exercise(
        "For a batch-first output out: (B, T, H), the time axis is dim 1.", _last_step),
    "01-lstm-params": Exercise(
        "sum(p.numel() for p in nn.LSTM(3, 5).parameters()) gives it — but try working it out first.",
        _lstm_params),
}


def check(exercise: str, answer: Any) -> Feedback:
    """Judge ``answer`` to ``exercise``; always returns feedback (never raises for the answer)."""
    if exercise not in EXERCISES:
        raise ValueError(f"no exercise {exercise!r}; exercises: {', '.join(EXERCISES)}")
    ex = EXERCISES[exercise]
    if answer is ... or answer is None:
        return Feedback(exercise, "unanswered", f"not answered yet. Hint: {ex.hint}")
    ok, message = ex.judge(answer)
    if ok is None:
        return Feedback(exercise, "unanswered", f"{message}. Hint: {ex.hint}")
    return Feedback(exercise, "correct" if ok else "wrong", message)
