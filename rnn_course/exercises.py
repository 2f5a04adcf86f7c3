"""Exercise checkers for every notebook: feedback, never a traceback.

    answer = ...            # the learner replaces ... with their answer
    check("01-h_n-shape", answer)

An unanswered exercise (``...`` or ``None``) prints a hint, so notebooks still run top to bottom.
A wrong answer gets feedback aimed at the usual mistake; a learner's function that crashes is
reported as feedback too. Solutions live in ``notebooks/solutions/``, apart from the exercises.
"""

from __future__ import annotations

import html
import math
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


PPL_PROBS = (0.5, 0.25, 0.125, 0.5)  # the probabilities exercise 02-perplexity gives


def _perplexity(answer):
    import math

    try:
        value = float(answer)
    except (TypeError, ValueError):
        return False, "give a number"
    nll = [-math.log(p) for p in PPL_PROBS]
    truth = math.exp(sum(nll) / len(nll))  # = 2 ** 1.75 ≈ 3.364
    if math.isclose(value, truth, rel_tol=1e-3):
        return True, f"exp(mean(−log p)) = {truth:.3f}: as uncertain as a fair choice among {truth:.1f} words."
    if math.isclose(value, sum(nll) / len(nll), rel_tol=1e-3):
        return False, "that is the mean negative log-likelihood (the loss); perplexity is exp of it."
    if math.isclose(value, 1 / (sum(PPL_PROBS) / len(PPL_PROBS)), rel_tol=1e-3):
        return False, "that is 1 / (mean probability); perplexity averages log-probabilities, then exponentiates."
    return False, "perplexity = exp(mean over tokens of −log p(token))."


def _logits_shape(answer):
    got = _shape(answer)
    if got == (16, 20, 10_000):
        return True, "(B, T, V): one score per vocabulary word at every position of every window."
    if got == (20, 16, 10_000):
        return False, "that is time-first (T, B, V), the article's layout; RecurrentLM is batch-first."
    if got == (16, 10_000):
        return False, "a language model predicts at *every* step, not only the last: keep the T axis."
    return False, "the logits have three axes: batch, time, vocabulary."


def _unk_share(answer):
    from .text import Vocab, shakespeare, words

    try:
        value = float(answer)
    except (TypeError, ValueError):
        return False, "give a number between 0 and 1 (a share), e.g. 0.05"
    vocab = Vocab.build(words(shakespeare("train")), max_size=5_000)
    truth = 1 - vocab.coverage(words(shakespeare("test")))
    if math.isclose(value, truth, abs_tol=5e-4):
        return True, f"{truth:.1%} of test tokens become <unk> with 5,000 words (it is lower with 10,000)."
    if math.isclose(value, 1 - truth, abs_tol=5e-4):
        return False, "that is the share the vocabulary *knows*; the question asks for the <unk> share."
    if value > 1:
        return False, "give a share between 0 and 1, not a percentage or a count."
    return False, "build Vocab.build(train_tokens, max_size=5_000) and use 1 − vocab.coverage(test_tokens)."


def _temperature_prob(answer):
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return False, "give a probability between 0 and 1"
    scaled = [2 / 0.5, 1 / 0.5, 0 / 0.5]  # logits [2, 1, 0] at temperature 0.5
    truth = math.exp(scaled[0]) / sum(math.exp(v) for v in scaled)
    plain = math.exp(2) / (math.exp(2) + math.exp(1) + 1)
    if math.isclose(value, truth, abs_tol=1e-3):
        return True, f"softmax([2, 1, 0] / 0.5) gives {truth:.3f} (it was {plain:.3f} at temperature 1): cooler is greedier."
    if math.isclose(value, plain, abs_tol=1e-3):
        return False, "that is temperature 1; divide the logits by the temperature before the softmax."
    if math.isclose(value, math.exp(1) / (math.exp(1) + math.exp(0.5) + 1), abs_tol=1e-3):
        return False, "you multiplied by the temperature; divide the logits by it."
    return False, "p = exp(z₁/τ) / Σ exp(zᵢ/τ) with z = [2, 1, 0] and τ = 0.5."


def _step_state_shape(answer):
    got = _shape(answer)
    if got == (2, 1, 256):
        return True, "(L, B, H) = (2, 1, 256): one state per layer, for the single sequence being generated."
    if got == (1, 2, 256):
        return False, "h_n is never batch-first: (L·D, B, H), whatever batch_first says."
    if got in ((1, 1, 256), (1, 256)):
        return False, "both layers keep a state: L = 2."
    return False, "the state is (L·D, B, H): layers × directions, batch, hidden size."


EXERCISES: dict[str, Exercise] = {
    "01-h_n-shape": Exercise(
        "h_n is (L·D, B, H): L layers, D directions (2 if bidirectional), B batch, H hidden size.", _hn_shape),
    "01-last-step": Exercise(
        "For a batch-first output out: (B, T, H), the time axis is dim 1.", _last_step),
    "01-lstm-params": Exercise(
        "sum(p.numel() for p in nn.LSTM(3, 5).parameters()) gives it — but try working it out first.",
        _lstm_params),
    "02-perplexity": Exercise(
        "perplexity = exp(mean(−log p)); math.log and math.exp will do.", _perplexity),
    "02-logits-shape": Exercise(
        "RecurrentLM is batch-first, and predicts a distribution over V words at every step.", _logits_shape),
    "02-unk-share": Exercise(
        "Vocab.build(train_tokens, max_size=5_000), then 1 − vocab.coverage(test_tokens).", _unk_share),
    "03-temperature": Exercise(
        "divide the logits by the temperature, then softmax: torch.softmax(torch.tensor([2., 1, 0]) / 0.5, 0)",
        _temperature_prob),
    "03-state-shape": Exercise(
        "generating one character at a time means B = 1; the GRU has 2 layers of 256 units.", _step_state_shape),
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
