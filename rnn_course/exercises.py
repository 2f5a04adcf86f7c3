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


def _up_share(answer):
    import numpy as np

    from .series import load_msft

    try:
        value = float(answer)
    except (TypeError, ValueError):
        return False, "give a number between 0 and 1 (a share), e.g. 0.5"
    close = load_msft()["close"]
    r = np.log(close).diff().dropna()
    test = r[r.index >= "2015-11-10"].to_numpy()
    moved = test[test != 0]
    truth = float(np.mean(moved > 0))
    if math.isclose(value, truth, abs_tol=5e-4):
        return True, (f"{truth:.1%} of the test days went up: 'always up' scores that on direction, "
                      "so a model must beat it, not 50 %.")
    if math.isclose(value, 1 - truth, abs_tol=5e-4):
        return False, "that is the share of *down* days; the question asks for the up days."
    if math.isclose(value, float(np.mean(test > 0)), abs_tol=5e-4):
        return False, "leave out the days with no change (return exactly 0), as direction_accuracy does."
    if value > 1:
        return False, "give a share between 0 and 1, not a percentage or a count."
    return False, "take the log returns from 2015-11-10 on, drop the zeros, and average (returns > 0)."


def _fit_scaler(answer):
    import numpy as np

    from .series import Scaler

    if not callable(answer):
        return False, "give a function, e.g. def fit_scaler(prices, train_end): return ..."
    prices = np.concatenate([np.linspace(10.0, 20.0, 80), np.linspace(60.0, 90.0, 20)])  # the future is higher
    try:
        got = answer(prices.copy(), 80)
    except Exception as e:  # the learner's code: report, don't crash
        return False, f"your function raised {type(e).__name__}: {e}"
    if got is ... or got is None:
        return None, "your function returns nothing yet"
    if not isinstance(got, Scaler) or not got.fitted:
        return False, f"return a fitted Scaler (S.Scaler().fit(...)), not {type(got).__name__}"
    honest = Scaler().fit(prices[:80])
    if np.isclose(got.mean, honest.mean) and np.isclose(got.std, honest.std):
        return True, "fitted on prices[:train_end] only: the test part's level and spread stay unknown, as they will be in real use."
    if np.isclose(got.mean, prices.mean()):
        return False, "your scaler saw all the prices, the test part too: fit it on prices[:train_end] only."
    if np.isclose(got.mean, prices[:79].mean()) or np.isclose(got.mean, prices[:81].mean()):
        return False, "off by one: the training part is prices[:train_end] — positions 0 … train_end − 1."
    return False, "fit on the training part only: S.Scaler().fit(prices[:train_end])."


def _naive_position(answer):
    try:
        value = int(answer)
    except (TypeError, ValueError):
        return False, "give a whole number (a position in the series)"
    if value != answer:
        return False, "give a whole number (a position in the series)"
    if value == 3360 + 30 - 336:
        return True, "o + h − 336 = 3054: the same half-hour one week before the value being forecast."
    if value == 3360 + 30 - 48:
        return False, "that is the *daily* seasonal naive (season 48); the weekly one goes back 336 steps."
    if value == 3360 - 336:
        return False, "that is one week before the origin; add the 30 steps ahead you are forecasting."
    if value == 3360 + 30 - 336 - 1 or value == 3360 + 30 - 336 + 1:
        return False, "off by one: position o + h is forecast from position o + h − 336 exactly."
    return False, "the forecast for position o + h is the value at o + h − season, with season = 7 × 48."


def _daily_profile(answer):
    import numpy as np

    from .series import load_taylor

    if not callable(answer):
        return False, "give a function, e.g. def daily_profile(load): return ..."
    load = load_taylor()
    try:
        got = answer(load.copy())
    except Exception as e:  # the learner's code: report, don't crash
        return False, f"your function raised {type(e).__name__}: {e}"
    if got is ... or got is None:
        return None, "your function returns nothing yet"
    try:
        got = np.asarray(got, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return False, "return 48 numbers (an array or a Series), one per half-hour of the day"
    truth = load.groupby([load.index.hour, load.index.minute]).mean().to_numpy()  # (48,)
    if got.shape == (24,):
        return False, "24 values: you grouped by hour; the data are half-hourly, so a day has 48 steps."
    if got.shape == (7,):
        return False, "7 values: that is the weekly profile (by day of week); the daily one has 48."
    if got.shape != (48,):
        return False, f"a day has 48 half-hours, so return 48 values; yours has {got.size}"
    if np.allclose(got, truth, rtol=1e-9):
        return True, (f"the load swings from {truth.min():,.0f} MW at night to {truth.max():,.0f} MW by day: "
                      "a forecast that ignores the time of day cannot be good.")
    return False, "group by time of day (hour and minute) and average over every day."


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
        return False, "128 is the hidden size H; the decoder's *input* size is the output vocabulary size."
    return False, "three axes, time-first: (T, B, F), where F is what the decoder's nn.RNN was built to read."


ATTENTION_SENTENCE = (["the", "white", "dog", "eats", "."], ["le", "chien", "blanc", "mange", "."])


def _attention_pattern(answer):
    try:
        got = [int(a) for a in answer]
    except (TypeError, ValueError):
        return False, "give a list of source positions, one per French token, e.g. [0, 1, 2, 3, 4]"
    en, fr = ATTENTION_SENTENCE
    if len(got) != len(fr):
        return False, f"give one English position per French token: {len(fr)} numbers for {fr}"
    if any(not 0 <= g < len(en) for g in got):
        return False, f"positions count English tokens from 0 to {len(en) - 1}: {list(enumerate(en))}"
    if got == [0, 2, 1, 3, 4]:
        return True, "chien looks at dog (2) and blanc back at white (1): the colour adjective follows the noun in French."
    if got == [0, 1, 2, 3, 4]:
        return False, "that is word-by-word order; 'blanc' is a colour adjective, and French puts it after the noun."
    return False, "match each French word to the English word it translates; 'le' ↔ 'the', 'mange' ↔ 'eats'."


def _padding_mask(answer):
    if not callable(answer):
        return False, "give a function, e.g. def padding_mask(lengths, max_len): return ..."
    lengths = torch.tensor([3, 1, 4])
    truth = torch.tensor([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 0]], dtype=torch.bool)
    try:
        got = answer(lengths, 5)
    except Exception as e:  # the learner's code: report, don't crash
        return False, f"your function raised {type(e).__name__}: {e}"
    if got is ... or got is None:
        return None, "your function returns nothing yet"
    if not torch.is_tensor(got):
        return False, f"your function returned {type(got).__name__}; it should return a tensor (B, T_src)"
    if tuple(got.shape) != (3, 5):
        return False, f"the mask should be (B, T_src) = (3, 5) for lengths {lengths.tolist()}; yours is {tuple(got.shape)}"
    got = got.bool()
    if torch.equal(got, truth):
        return True, "True on the words, False on the padding: masked_fill(~mask, -inf) then gives padding zero weight."
    if torch.equal(got, ~truth):
        return False, "that marks the padding as True; the course's masks are True on real words (flip it)."
    return False, "position t of sentence b is a word when t < lengths[b]: compare torch.arange(max_len) with lengths."


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
    "05-up-share": Exercise(
        "np.log(close).diff() gives the returns; keep those from 2015-11-10 on and not equal to 0.", _up_share),
    "05-fit-scaler": Exercise(
        "S.Scaler().fit(values) learns mean and std from what you give it — give it the past only.", _fit_scaler),
    "06-naive-position": Exercise(
        "the forecast for position o + h is the value one season earlier; a week is 7 × 48 half-hours.",
        _naive_position),
    "06-daily-profile": Exercise(
        "load.groupby([load.index.hour, load.index.minute]).mean() — or load.index.time.", _daily_profile),
    "04-decoder-input": Exercise(
        "the article's DecoderRNN is nn.RNN(output_size, hidden_size), time-first, fed one step at a time.",
        _decoder_step_shape),
    "04-attention-pattern": Exercise(
        "write the French under the English and draw a line from each French word to its English source.",
        _attention_pattern),
    "04-padding-mask": Exercise(
        "torch.arange(max_len)[None, :] < lengths[:, None] compares every position with every length.",
        _padding_mask),
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
