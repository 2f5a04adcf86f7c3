"""Exercise checkers for every notebook: feedback, never a traceback.

    answer = ...                 # the learner replaces ... with their answer
    check("01-h_n-shape", answer)
    solution("01-h_n-shape")     # the worked answer, only when the learner asks for it

Hints come in two steps. ``check`` answers an unanswered exercise (``...`` or ``None``) with a
nudge — what to look at, which function, never the code that solves it — so notebooks still run
top to bottom; ``solution`` shows the worked answer from ``notebooks/solutions/``. A wrong
answer gets feedback on what it actually is: each checker computes the usual wrong answers and
says which one the learner's matches. An answer of the wrong kind (text, a list, NaN, a tensor of
the wrong shape or dtype) and a learner's function that crashes get feedback too; one guard in
``check`` turns anything else a checker did not foresee into feedback as well.

Feedback is plain text (no Markdown), shown as it prints; a solution is Markdown, rendered.
"""

from __future__ import annotations

import copy
import html
import math
import numbers
import re
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

from .paths import project_root

__all__ = ["check", "solution", "Feedback", "Solution", "EXERCISES"]


@dataclass(frozen=True)
class Feedback:
    exercise: str
    status: str  # "correct", "wrong" or "unanswered"
    message: str  # plain text

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
class Solution:
    """A worked answer: Markdown, rendered by Jupyter, printed as its source elsewhere."""

    exercise: str
    markdown: str

    def __str__(self) -> str:
        return self.markdown

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return self.markdown


@dataclass(frozen=True)
class Exercise:
    number: int  # its number in the notebook, and its section in notebooks/solutions/NN_*.md
    nudge: str  # where to look first: never the code that solves it
    judge: Callable[[Any], tuple[bool, str]]  # answer → (correct?, feedback); may raise _Reject / _NotYet


class _Reject(Exception):
    """Ends judging: the answer is wrong, and the message says what it is."""


class _NotYet(Exception):
    """Ends judging: the learner's function has no answer yet."""


# --- reading answers: the wrong kind of answer becomes feedback -------------------------------


def _kind(answer) -> str:
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


def _number(answer, what: str) -> float:
    """``answer`` as a finite float (a one-value tensor or array counts); else _Reject saying what it is."""
    if (torch.is_tensor(answer) and answer.numel() == 1) or (isinstance(answer, (np.ndarray, np.generic))
                                                             and answer.size == 1):
        answer = answer.item()
    if isinstance(answer, (str, bytes)):
        raise _Reject(f"{answer!r} is text; give {what} without quotes.")
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, numbers.Real):
        raise _Reject(f"that is {_kind(answer)}; give {what}.")
    value = float(answer)
    if math.isnan(value):
        raise _Reject("that is NaN (not a number), which comes from an undefined step such as 0 / 0 "
                      "or the log of a negative number: check each step of your computation.")
    if math.isinf(value):
        raise _Reject("that is infinite: look for a division by zero or the log of 0.")
    return value


def _whole(answer, what: str) -> int:
    """``answer`` as a whole number (200 and 200.0 both count); else _Reject."""
    value = _number(answer, what)
    if not value.is_integer():
        raise _Reject(f"{value:g} is not a whole number; give {what}.")
    return int(value)


def _shape(answer) -> tuple[int, ...]:
    """A shape written as a tuple (or list, or torch.Size) of whole numbers; else _Reject."""
    if not isinstance(answer, (tuple, list)):  # torch.Size is a tuple
        raise _Reject(f"that is {_kind(answer)}; give the shape as a tuple of whole numbers, such as (1, 2, 3).")
    return tuple(_whole(a, "each axis as a whole number") for a in answer)


def _call(function, *args, example: str):
    """The learner's function run on copies of ``args``; its exception, or no result yet, ends judging."""
    if not callable(function):
        raise _Reject(f"that is {_kind(function)}; give a function, such as {example}")
    try:
        got = function(*copy.deepcopy(args))
    except Exception as e:  # the learner's code: report, don't crash
        raise _Reject(f"your function raised {type(e).__name__}: {e}") from None
    if got is ... or got is None:
        raise _NotYet("your function returns nothing yet")
    return got


def _closest_mistake(value: float, mistakes: dict[str, float], tol: float) -> str | None:
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


# --- 01 sequences and shapes ------------------------------------------------------------------


def _hn_shape(answer):
    # nn.GRU(8, 16, num_layers=2, bidirectional=True, batch_first=True), x: (B=3, T=10, F=8)
    got = _shape(answer)
    if got == (4, 3, 16):
        return True, "h_n is (L·D, B, H) = (2·2, 3, 16), and batch_first does not change it."
    if got == (3, 4, 16):
        return False, "close, but h_n is never batch-first: batch_first only applies to input and output."
    if got == (3, 10, 32):
        return False, "that is the shape of output, (B, T, D·H); h_n holds only the final state, one per layer and direction."
    if got == (3, 10, 16):
        return False, "that has a time axis (T = 10), like output; h_n holds only the final state, one per layer and direction."
    if got == (2, 3, 16):
        return False, "count the directions too: L·D = layers × directions."
    if len(got) != 3:
        return False, f"h_n has three axes, (L·D, B, H); yours has {len(got)}."
    return False, "h_n has three axes: (L·D, B, H). Work out each one from the layer's settings."


def _last_step(answer):
    out = torch.arange(2 * 5 * 3, dtype=torch.float32).reshape(2, 5, 3) + 0.5  # (B=2, T=5, H=3)
    got = _call(answer, out, example="def last_step(out): return ...")
    if not torch.is_tensor(got):
        return False, f"your function returned {_kind(got)}; it should return a tensor (B, H)."
    if tuple(got.shape) == (5, 3) and torch.equal(got, out[-1]):
        return False, ("that is out[-1], which indexes the batch axis of a batch-first (B, T, H) output: "
                       "every step of the last sample, not the last step of every sample.")
    if tuple(got.shape) != (2, 3):
        return False, f"the result should be (B, H) = (2, 3); yours is {tuple(got.shape)}."
    if got.dtype != out.dtype:
        return False, f"keep the values as they are ({out.dtype}, like out); yours are {got.dtype}."
    if torch.equal(got, out[:, -1]):
        return True, "out[:, -1] takes the last time step of every sequence."
    if torch.equal(got, out[:, 0]):
        return False, "that is the first time step; the last one is at index -1 on the T axis."
    return False, "right shape, wrong values: take index -1 along the time axis (dim 1 for batch-first)."


def _lstm_params(answer):
    n = _whole(answer, "a whole number of parameters")
    if n == 200:
        return True, "4 gates × (W_ih 5×3 + W_hh 5×5 + b_ih 5 + b_hh 5) = 4 × 50 = 200."
    if n == 50:
        return False, "that is an nn.RNN's count; an LSTM has four sets of weights, one per gate."
    if n == 160:
        return False, "PyTorch keeps two bias vectors per gate (b_ih and b_hh): count both."
    if n == 150:
        return False, "that is a GRU (three gates); an LSTM has four."
    return False, "count W_ih (H×F), W_hh (H×H), b_ih (H), b_hh (H), for each of the LSTM's 4 gates."


# --- 02 language modeling ---------------------------------------------------------------------

PPL_PROBS = (0.5, 0.25, 0.125, 0.5)  # the probabilities exercise 02-perplexity gives


def _perplexity(answer):
    value = _number(answer, "one number")
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
        return False, "a language model predicts at every step, not only the last: keep the T axis."
    return False, "the logits have three axes: batch, time, vocabulary."


def _unk_share(answer):
    from .text import Vocab, shakespeare, words

    value = _number(answer, "a share between 0 and 1, such as 0.05")
    if value > 1:
        return False, "give a share between 0 and 1, not a percentage or a count."
    vocab = Vocab.build(words(shakespeare("train")), max_size=5_000)
    truth = 1 - vocab.coverage(words(shakespeare("test")))
    if math.isclose(value, truth, abs_tol=5e-4):
        return True, f"{truth:.1%} of test tokens become <unk> with 5,000 words (it is lower with 10,000)."
    if math.isclose(value, 1 - truth, abs_tol=5e-4):
        return False, "that is the share the vocabulary knows; the question asks for the <unk> share, the rest."
    return False, "build the vocabulary from the training words only (5,000 of them), then measure the test words it misses."


# --- 03 text generation -----------------------------------------------------------------------


def _temperature_prob(answer):
    value = _number(answer, "a probability between 0 and 1")
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


# --- 04 machine translation -------------------------------------------------------------------


def _decoder_step_shape(answer):
    # DecoderRNN(output_size=300, hidden_size=128), 16 sentences, one step of generation
    got = _shape(answer)
    if got == (1, 16, 300):
        return True, "(T=1, B=16, V_tgt=300): one step, 16 sentences, a one-hot vector over the 300 French words."
    if got == (16, 1, 300):
        return False, "the article's decoder is time-first: (T, B, V), so the single step comes first."
    if got in ((1, 16), (16, 1), (16,)):
        return False, "those are word ids; the article's DecoderRNN has no embedding: it reads one-hot vectors of size V_tgt."
    if got == (16, 300):
        return False, "nn.RNN would read a 2-D input as ONE unbatched sentence of 16 steps: keep the T axis, (1, B, V)."
    if got == (1, 16, 128):
        return False, "128 is the hidden size H; what the decoder reads (its input size) is the output vocabulary size."
    return False, "three axes, time-first: (T, B, F), where F is what the decoder's nn.RNN was built to read."


ATTENTION_SENTENCE = (["the", "white", "dog", "eats", "."], ["le", "chien", "blanc", "mange", "."])


def _attention_pattern(answer):
    en, fr = ATTENTION_SENTENCE
    if torch.is_tensor(answer) or isinstance(answer, np.ndarray):
        answer = answer.tolist()
    if not isinstance(answer, (list, tuple)):
        return False, (f"that is {_kind(answer)}; give a list of {len(fr)} English positions, "
                       "one per French token, such as [0, 1, 2, 3, 4].")
    got = [_whole(a, "each position as a whole number") for a in answer]
    if len(got) != len(fr):
        return False, f"give one English position per French token: {len(fr)} numbers for {fr}."
    if any(not 0 <= g < len(en) for g in got):
        return False, f"positions count English tokens from 0 to {len(en) - 1}: {list(enumerate(en))}."
    if got == [0, 2, 1, 3, 4]:
        return True, "chien looks at dog (2) and blanc back at white (1): the colour adjective follows the noun in French."
    if got == [0, 1, 2, 3, 4]:
        return False, "that is word-by-word order; 'blanc' is a colour adjective, and French puts it after the noun."
    return False, "match each French word to the English word it translates; 'le' ↔ 'the', 'mange' ↔ 'eats'."


def _padding_mask(answer):
    lengths = torch.tensor([3, 1, 4])
    truth = torch.tensor([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 0]], dtype=torch.bool)
    got = _call(answer, lengths, 5, example="def padding_mask(lengths, max_len): return ...")
    if not torch.is_tensor(got):
        return False, f"your function returned {_kind(got)}; it should return a tensor (B, T_src)."
    if tuple(got.shape) != (3, 5):
        return False, f"the mask should be (B, T_src) = (3, 5) for lengths {lengths.tolist()}; yours is {tuple(got.shape)}."
    if got.dtype != torch.bool:
        if torch.equal(got, truth.to(got.dtype)):
            return False, (f"the right positions, but as {got.dtype} 1s and 0s; the task asks for booleans. "
                           "It matters: ~ on an integer mask gives −2 and −1, not False and True, and masked_fill "
                           "wants a bool mask. A comparison such as < gives booleans directly.")
        return False, f"the mask should hold booleans (True / False); yours is a {got.dtype} tensor."
    if torch.equal(got, truth):
        return True, "True on the words, False on the padding: masked_fill(~mask, -inf) then gives padding zero weight."
    if torch.equal(got, ~truth):
        return False, "that marks the padding as True; the course's masks are True on real words (flip it)."
    return False, "position t of sentence b is a word when t < lengths[b]: compare every position with every length."


# --- 05 stock prices --------------------------------------------------------------------------


def _up_share(answer):
    from .series import load_msft

    value = _number(answer, "a share between 0 and 1, such as 0.5")
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
    mistake = _closest_mistake(value, {
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


def _fit_scaler(answer):
    from .series import Scaler

    prices = np.concatenate([np.linspace(10.0, 20.0, 80), np.linspace(60.0, 90.0, 20)])  # the future is higher
    got = _call(answer, prices, 80, example="def fit_scaler(prices, train_end): return ...")
    if not isinstance(got, Scaler) or not got.fitted:
        return False, f"return a fitted S.Scaler, not {_kind(got)}."

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


# --- 06 electricity load ----------------------------------------------------------------------


def _naive_position(answer):
    value = _whole(answer, "a whole number (a position in the series)")
    if value == 3360 + 30 - 336:
        return True, "o + h − 336 = 3054: the same half-hour one week before the value being forecast."
    if value == 3360 + 30 - 48:
        return False, "that is the daily seasonal naive (season 48); the weekly one goes back 336 steps."
    if value == 3360 - 336:
        return False, "that is one week before the origin; add the 30 steps ahead you are forecasting."
    if value in (3360 + 30 - 336 - 1, 3360 + 30 - 336 + 1):
        return False, "off by one: position o + h is forecast from position o + h − 336 exactly."
    return False, "the forecast for position o + h is the value at o + h − season, with season = 7 × 48."


def _daily_profile(answer):
    from .series import load_taylor

    load = load_taylor()
    got = _call(answer, load, example="def daily_profile(load): return ...")
    if torch.is_tensor(got):
        got = got.detach()
    try:
        got = np.asarray(got, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return False, f"your function returned {_kind(got)}; return 48 numbers (an array or a Series), one per half-hour."
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


# --- 07 speech --------------------------------------------------------------------------------


def _ctc_decode(answer):
    # frames "__oo_nn__ee_" with "_" the blank: collapse repeats, then drop blanks → "one"
    if not isinstance(answer, str):
        return False, f"that is {_kind(answer)}; give the transcript as text in quotes, such as \"abc\"."
    got = answer.strip().lower()
    if got == "one":
        return True, "repeats collapse (oo → o), then blanks vanish: o, n, e."
    if got in ("oonnee", "oo nn ee", "oonee"):
        return False, "consecutive repeats of one class collapse into one character before the blanks go."
    if "_" in got:
        return False, "the blanks (_) are removed once repeats have collapsed."
    return False, f"{answer!r} is not it: collapse runs of the same symbol, then delete every blank."


def _output_frames(answer):
    # 2.5 s at 16 kHz, hop 160 → 1 + 40000 // 160 = 251 frames; two stride-2 convolutions → 126 → 63
    got = _whole(answer, "a whole number of frames")
    if got == 63:
        return True, "251 feature frames, 126 after the first stride-2 convolution, 63 after the second: one per 40 ms."
    if got == 251:
        return False, "251 is the feature frames T that go in; the two strided convolutions each halve it (rounding up)."
    if got == 250:
        return False, "librosa's frames are 1 + samples // hop (one more than 40000 // 160), and the two strided convolutions then halve them."
    if got == 126:
        return False, "that is after the first stride-2 convolution; the model has two."
    if got in (125, 62, 64):
        return False, "close: the model's out_lengths applies (n − 1) // 2 + 1 twice to T = 1 + 40000 // 160."
    return False, "T = 1 + samples // hop with hop = 160 at 16 kHz; then halve twice, rounding up."


def _snr_db(answer):
    rng = np.random.default_rng(0)
    clean = rng.standard_normal(8000).astype(np.float32)
    noisy = clean + rng.standard_normal(8000).astype(np.float32) * 0.1  # noise power 0.01 × signal → 20 dB
    truth = 10 * np.log10(np.mean(clean ** 2) / np.mean((noisy - clean) ** 2))
    got = _call(answer, clean, noisy, example="def snr_db(clean, noisy): return ...")
    try:
        got = _number(got, "one number of decibels")
    except _Reject as e:
        raise _Reject(f"your function's result: {e}") from None
    if abs(got - truth) < 0.01:
        return True, f"{got:.2f} dB: ten times log10 of signal power over noise power, the noise being noisy − clean."
    if abs(got - truth / 2) < 0.01:
        return False, "that is 10·log10 of an amplitude ratio; SNR compares powers (mean of squares), or use 20·log10 for amplitudes."
    if abs(got + truth) < 0.01:
        return False, "upside down: signal power over noise power."
    return False, f"got {got:.2f}; SNR = 10·log10(mean(clean²) / mean((noisy − clean)²))."


# --- 08 choosing a sequence model -------------------------------------------------------------


def _receptive_field(answer):
    # TCN: kernel_size 3, 5 layers with dilations 1, 2, 4, 8, 16
    got = _whole(answer, "a whole number of steps")
    if got == 63:
        return True, "1 + (3 − 1)·(1 + 2 + 4 + 8 + 16) = 63: each layer adds (k − 1)·d steps of history."
    if got == 62:
        return False, "count the current step too: the output at t reads t itself plus 62 steps back."
    if got in (11, 10):
        return False, "with dilation d a kernel of 3 spans 2·d steps, not 2: the dilations double layer by layer."
    return False, "receptive field = 1 + (k − 1) · Σ dilations, with dilations 1, 2, 4, 8, 16."


def _state_bytes(answer):
    # nn.GRU(64, 256, batch_first=True), float32, batch 1, after 2,000 tokens of context
    got = _whole(answer, "a whole number of bytes")
    if got == 1024:
        return True, "h: (L, B, H) = (1, 1, 256) float32 = 1,024 bytes — the same at 20 tokens or 20,000."
    if got == 2000 * 256 * 4:
        return False, "the GRU keeps one state, not one per token: that growth is a Transformer's KV cache."
    if got == 256:
        return False, "that is the number of values; each float32 takes 4 bytes."
    return False, "the state is h: (L, B, H); multiply the sizes and 4 bytes per float32."


# --- 09 scaling out ---------------------------------------------------------------------------


def _shard_per_process(answer):
    # global batch 96, torchrun --nnodes=2 --nproc-per-node=4: W = 8 processes
    got = _whole(answer, "a whole number of sequences")
    if got == 12:
        return True, "W = 2 nodes × 4 processes = 8 ranks, so each takes 96 / 8 = 12 sequences a step."
    if got == 48:
        return False, "you divided by the machines only; every process is a rank: W = nodes × processes per node."
    if got == 24:
        return False, "you divided by the processes of one machine; the other machine's 4 processes share the batch too."
    if got == 96:
        return False, "96 is the global batch, what all ranks see together; each rank sees only its shard."
    return False, "divide the global batch by the world size W = nodes × processes per node."


def _allreduce_ms(answer):
    # 25 million float32 parameters, 4 ranks, ring all-reduce, 10 Gb/s links
    got = _number(answer, "a number of milliseconds")
    nbytes = 25e6 * 4
    truth = 2 * 3 / 4 * nbytes * 8 / 10e9 * 1e3  # 120 ms
    if math.isclose(got, truth, rel_tol=0.02):
        return True, (f"2·(W−1)/W × 100 MB × 8 bits / 10 Gb/s = {truth:.0f} ms a step — longer than many GPU steps, "
                      "which is why multi-node training wants InfiniBand or bigger batches.")
    if math.isclose(got, nbytes * 8 / 10e9 * 1e3, rel_tol=0.02):
        return False, "a ring all-reduce sends 2·(W−1)/W of the gradients from every rank, not the gradients once."
    if math.isclose(got, truth / 8, rel_tol=0.02):
        return False, "10 Gb/s is 10 billion bits a second, not bytes: multiply the bytes by 8."
    if math.isclose(got, truth / 4, rel_tol=0.02):
        return False, "a float32 parameter is 4 bytes: 25 million of them are 100 MB."
    return False, "time = 2·(W−1)/W × gradient bytes × 8 / link bits per second (then × 1000 for ms)."


def _lost_steps(answer):
    # snapshots every 50 steps; the worker is killed after finishing step 437
    got = _whole(answer, "a whole number of steps")
    if got == 37:
        return True, "the newest snapshot is from step 400, so steps 401–437 are done again: 37 steps, plus the restart."
    if got == 13:
        return False, "the restart goes back to the last snapshot written (step 400), not forward to the next one."
    if got in (437, 0):
        return False, "a restart loads the newest snapshot, so only the steps since then are lost."
    if got == 50:
        return False, "at most 50 steps can be lost; here the snapshot at 400 was written and 401–437 followed."
    return False, "find the newest multiple of 50 at or before step 437; the steps after it are done again."


# --- 10 your own sequence task ----------------------------------------------------------------


def _majority_accuracy(answer):
    # notebook 10's default data: 400 test passages per genre (comedy, history, tragedy);
    # training has 2400 comedy, 3600 history, 1600 tragedy, so "majority" always says history
    got = _number(answer, "one number between 0 and 1")
    if abs(got - 1 / 3) < 0.005:
        return True, "1/3: the test plays give 400 passages per genre, and 'history' is right for 400 of 1,200."
    if abs(got - 3600 / 7600) < 0.005:
        return False, "that is the share of histories in the training passages; the majority class is scored on the test passages."
    if abs(got - 100 / 3) < 0.5:
        return False, "as a share between 0 and 1, please (not a percentage)."
    return False, "count the test passages per genre with data.counts(): the majority class is right only on its own genre."


def _masked_mean(answer):
    gen = torch.Generator().manual_seed(0)
    out = torch.randn(3, 6, 4, generator=gen)  # (B=3, T=6, H=4): the padding holds values, not zeros
    lengths = torch.tensor([6, 2, 4])
    real = (torch.arange(6)[None, :] < lengths[:, None])[..., None]  # (B, T, 1): True on real steps
    truth = (out * real).sum(1) / lengths[:, None]  # (B, H)
    got = _call(answer, out, lengths, example="def mean_over_steps(out, lengths): return ...")
    if not torch.is_tensor(got) or tuple(got.shape) != (3, 4):
        return False, f"return a tensor (B, H) = (3, 4); yours is {_kind(got)}."
    if not got.is_floating_point():
        return False, f"a mean has fractions: return a float tensor; yours is {got.dtype}."
    got = got.detach().to(out.dtype)
    if torch.allclose(got, truth, atol=1e-5):
        return True, "only real steps count: padding cannot move the mean, whatever it holds."
    mistakes = {
        "out.mean(1) averages the padded steps too, so padding changes the prediction; leave them out.": out.mean(1),
        ("that sums the padded steps too: dividing by the length is right only when the padding holds zeros, "
         "and here it holds other values. Leave the padded steps out of the sum."): out.sum(1) / lengths[:, None],
        "you left the padding out of the sum but divided by T, the padded length; divide by each sequence's own length.":
            (out * real).sum(1) / 6,
        "that is the sum over the real steps; divide it by each sequence's length to get the mean.": (out * real).sum(1),
        "that is the last real step of each sequence, not the mean over its real steps.": out[torch.arange(3), lengths - 1],
    }
    for message, value in mistakes.items():
        if torch.allclose(got, value, atol=1e-5):
            return False, message
    return False, ("average each sequence over its real steps only: mask the padded steps out, sum over time (dim 1), "
                   "and divide by each sequence's length.")


# --- the exercises, in notebook order ---------------------------------------------------------

EXERCISES: dict[str, Exercise] = {
    "01-h_n-shape": Exercise(1, (
        "h_n is (L·D, B, H): read L, D, B and H off the layer's settings and x's shape."
    ), _hn_shape),
    "01-last-step": Exercise(2, (
        "out is batch-first, (B, T, H): which axis is time, and which index is its last step?"
    ), _last_step),
    "01-lstm-params": Exercise(3, (
        "an LSTM has four gates, each with an input weight (H×F), a recurrent weight (H×H) and two bias "
        "vectors (H); here F = 3 and H = 5."
    ), _lstm_params),
    "02-perplexity": Exercise(1, (
        "perplexity is the exponential of the mean negative log-probability; math.log and math.exp will "
        "do."
    ), _perplexity),
    "02-logits-shape": Exercise(2, (
        "RecurrentLM is batch-first, and predicts a distribution over V words at every step."
    ), _logits_shape),
    "02-unk-share": Exercise(3, (
        "build a 5,000-word Vocab from the training words (Vocab.build); its coverage method says which "
        "share of the test words it knows."
    ), _unk_share),
    "03-temperature": Exercise(1, (
        "divide each logit by the temperature, then take the softmax; math.exp or torch.softmax will do "
        "the arithmetic."
    ), _temperature_prob),
    "03-state-shape": Exercise(2, (
        "generating one sequence a character at a time means B = 1; the state's layout does not follow "
        "batch_first."
    ), _step_state_shape),
    "04-decoder-input": Exercise(1, (
        "the article's DecoderRNN is an nn.RNN with no embedding, time-first, fed one step at a time: "
        "what size of vector was that nn.RNN built to read?"
    ), _decoder_step_shape),
    "04-attention-pattern": Exercise(2, (
        "write the French under the English and draw a line from each French word to its English source."
    ), _attention_pattern),
    "04-padding-mask": Exercise(3, (
        "compare every position 0 … max_len − 1 with every sentence's length: torch.arange and "
        "broadcasting make all B × T_src comparisons at once."
    ), _padding_mask),
    "05-up-share": Exercise(1, (
        "use returns (the daily log returns): only the test days, from 2015-11-10 on, and only the days "
        "that moved; a day went up when its return is above 0."
    ), _up_share),
    "05-fit-scaler": Exercise(2, (
        "S.Scaler learns a mean and a standard deviation from whatever you fit it on: give it only what "
        "would be known at train_end."
    ), _fit_scaler),
    "06-naive-position": Exercise(1, (
        "the weekly seasonal naive copies the value exactly one week before the position being forecast; "
        "how many half-hours is a week?"
    ), _naive_position),
    "06-daily-profile": Exercise(2, (
        "load has a DatetimeIndex: group the values by time of day (load.index.time, or hour and minute "
        "together) and average each group."
    ), _daily_profile),
    "07-ctc-decode": Exercise(1, (
        "read the frames left to right: merge each run of one symbol, then drop the blanks (_)."
    ), _ctc_decode),
    "07-output-frames": Exercise(2, (
        "the features give one frame every 160 samples, plus one; each stride-2 convolution keeps about "
        "half of the frames, rounding up."
    ), _output_frames),
    "07-snr-db": Exercise(3, (
        "SNR compares powers: the mean square of the signal against the mean square of the noise (noisy "
        "minus clean), in decibels, 10·log10 of the ratio."
    ), _snr_db),
    "08-receptive-field": Exercise(1, (
        "each layer with kernel k and dilation d sees (k − 1)·d more steps back; count the current step "
        "too."
    ), _receptive_field),
    "08-state-bytes": Exercise(2, (
        "a GRU carries h: (L, B, H) from token to token, whatever the context length; a float32 takes 4 "
        "bytes."
    ), _state_bytes),
    "09-shard-size": Exercise(1, (
        "every process is a rank: W = nodes × processes per node, and each rank takes B / W."
    ), _shard_per_process),
    "09-allreduce-ms": Exercise(2, (
        "ring all-reduce: each rank sends 2·(W−1)/W × the gradient bytes; bytes × 8 = bits."
    ), _allreduce_ms),
    "09-lost-steps": Exercise(3, (
        "the job goes back to the newest snapshot: the last multiple of 50 not after step 437."
    ), _lost_steps),
    "10-majority-accuracy": Exercise(1, (
        "data.counts shows how many passages each genre has in each split; the majority class is the "
        "commonest training genre, scored on the test passages."
    ), _majority_accuracy),
    "10-masked-mean": Exercise(2, (
        "only each sequence's real steps count, the first length of them: a (B, T) mask of the real steps"
        " (torch.arange against lengths, broadcast) keeps the padding out, and each sum is divided by its"
        " own length, not by T."
    ), _masked_mean),
}


def _exercise(name: str) -> Exercise:
    if name not in EXERCISES:
        raise ValueError(f"no exercise {name!r}; exercises: {', '.join(EXERCISES)}")
    return EXERCISES[name]


def check(exercise: str, answer: Any) -> Feedback:
    """Judge ``answer`` to ``exercise``: always feedback, never an exception, whatever the answer."""
    ex = _exercise(exercise)
    stuck = f'Stuck? solution("{exercise}") shows a worked answer.'
    if answer is ... or answer is None:
        return Feedback(exercise, "unanswered", f"not answered yet. Hint: {ex.nudge} {stuck}")
    try:
        ok, message = ex.judge(answer)
    except _NotYet as e:
        return Feedback(exercise, "unanswered", f"{e}. Hint: {ex.nudge} {stuck}")
    except _Reject as e:
        ok, message = False, str(e)
    except Exception as e:  # a case no checker foresaw: still feedback, never a traceback
        ok, message = False, (f"this answer could not be checked ({type(e).__name__}: {e}); "
                              "compare its type and shape with what the exercise asks for.")
    if ok:
        return Feedback(exercise, "correct", message)
    return Feedback(exercise, "wrong", f"{message} {stuck}")


def solution(exercise: str) -> Solution:
    """The worked answer to ``exercise``, from ``notebooks/solutions/`` — for when its hint was not enough."""
    ex = _exercise(exercise)
    prefix = exercise.split("-")[0]
    files = sorted((project_root() / "notebooks" / "solutions").glob(f"{prefix}_*.md"))
    if not files:
        return Solution(exercise, f"The worked answers are in notebooks/solutions/{prefix}_….md in the course "
                                  f"repository: see exercise {ex.number}.")
    for section in re.split(r"(?m)^(?=## )", files[0].read_text()):
        if re.match(rf"## {ex.number}\b", section):
            return Solution(exercise, f"{section.strip()}\n\n(from notebooks/solutions/{files[0].name})")
    return Solution(exercise, f"See exercise {ex.number} in notebooks/solutions/{files[0].name}.")
