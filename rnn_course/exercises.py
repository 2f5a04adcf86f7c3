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


def _majority_accuracy(answer):
    # notebook 10's default data: 400 test passages per genre (comedy, history, tragedy);
    # training has 2400 comedy, 3600 history, 1600 tragedy, so "majority" always says history
    try:
        got = float(answer)
    except (TypeError, ValueError):
        return False, "give one number between 0 and 1"
    if abs(got - 1 / 3) < 0.005:
        return True, "1/3: the test plays give 400 passages per genre, and 'history' is right for 400 of 1,200."
    if abs(got - 3600 / 7600) < 0.005:
        return False, "that is the share of histories in the training passages; the majority class is scored on the test passages."
    if abs(got - 100 / 3) < 0.5:
        return False, "as a share between 0 and 1, please (not a percentage)."
    return False, "count the test passages per genre with data.counts(): the majority class is right only on its own genre."


def _masked_mean(answer):
    if not callable(answer):
        return False, "give a function, e.g. def mean_over_steps(out, lengths): return ..."
    gen = torch.Generator().manual_seed(0)
    out = torch.randn(3, 6, 4, generator=gen)  # (B=3, T=6, H=4)
    lengths = torch.tensor([6, 2, 4])
    truth = torch.stack([out[b, :int(n)].mean(0) for b, n in enumerate(lengths)])  # (B, H)
    try:
        got = answer(out, lengths)
    except Exception as e:  # the learner's code: report, don't crash
        return False, f"your function raised {type(e).__name__}: {e}"
    if got is ... or got is None:
        return None, "your function returns nothing yet"
    if not torch.is_tensor(got) or tuple(got.shape) != (3, 4):
        return False, f"return a tensor (B, H) = (3, 4); got {type(got).__name__} {tuple(getattr(got, 'shape', ()))}"
    if torch.allclose(got, truth, atol=1e-5):
        return True, "only real steps count: padding cannot move the mean, whatever it holds."
    if torch.allclose(got, out.mean(1), atol=1e-5):
        return False, "out.mean(1) averages the padded steps too, so padding changes the prediction; mask them out."
    if torch.allclose(got, out.mean(0), atol=1e-5) or torch.allclose(got, out.sum(1) / 6, atol=1e-5):
        return False, "average over time (dim 1), and divide by each sequence's own length."
    return False, "sum out over time where t < length (a mask from torch.arange(T) and lengths), then divide by the length."


def _receptive_field(answer):
    # TCN: kernel_size 3, 5 layers with dilations 1, 2, 4, 8, 16
    try:
        got = int(answer)
    except (TypeError, ValueError):
        return False, "give a whole number of steps"
    if got == 63:
        return True, "1 + (3 − 1)·(1 + 2 + 4 + 8 + 16) = 63: each layer adds (k − 1)·d steps of history."
    if got == 62:
        return False, "count the current step too: the output at t reads t itself plus 62 steps back."
    if got in (11, 10):
        return False, "with dilation d a kernel of 3 spans 2·d steps, not 2: the dilations double layer by layer."
    return False, "receptive field = 1 + (k − 1) · Σ dilations, with dilations 1, 2, 4, 8, 16."


def _state_bytes(answer):
    # nn.GRU(64, 256, batch_first=True), float32, batch 1, after 2,000 tokens of context
    try:
        got = int(answer)
    except (TypeError, ValueError):
        return False, "give a whole number of bytes"
    if got == 1024:
        return True, "h: (L, B, H) = (1, 1, 256) float32 = 1,024 bytes — the same at 20 tokens or 20,000."
    if got == 2000 * 256 * 4:
        return False, "the GRU keeps one state, not one per token: that growth is a Transformer's KV cache."
    if got == 256:
        return False, "that is the number of values; each float32 takes 4 bytes."
    return False, "the state is h: (L, B, H); multiply the sizes and 4 bytes per float32."


# --- 07 speech -------------------------------------------------------------------------------------


def _ctc_decode(answer):
    # frames "__oo_nn__ee_" with "_" the blank: collapse repeats, then drop blanks → "one"
    if not isinstance(answer, str):
        return False, "give the transcript as a string, e.g. \"abc\""
    got = answer.strip().lower()
    if got == "one":
        return True, "repeats collapse (oo → o), then blanks vanish: o, n, e."
    if got in ("oonnee", "oo nn ee", "oonee"):
        return False, "consecutive repeats of one class collapse into one character before the blanks go."
    if "_" in got:
        return False, "the blanks (_) are removed once repeats have collapsed."
    return False, f"{answer!r} is not it: collapse runs of the same symbol, then delete every _."


def _output_frames(answer):
    # 2.5 s at 16 kHz, hop 160 → 1 + 40000 // 160 = 251 frames; two stride-2 convolutions → 126 → 63
    try:
        got = int(answer)
    except (TypeError, ValueError):
        return None, "give a whole number of frames"
    if got == 63:
        return True, "251 feature frames, 126 after the first stride-2 convolution, 63 after the second: one per 40 ms."
    if got in (251, 250):
        return False, f"{got} is the feature frames T; the two strided convolutions each halve it (rounding up)."
    if got in (125, 126, 62, 64):
        return False, "close: the model's out_lengths applies (n − 1) // 2 + 1 twice to T = 1 + 40000 // 160."
    return False, "T = 1 + samples // hop with hop = 160 at 16 kHz; then halve twice, rounding up."


def _snr_db(answer):
    import numpy as np

    if not callable(answer):
        return False, "give a function, e.g. def snr_db(clean, noisy): return ..."
    rng = np.random.default_rng(0)
    clean = rng.standard_normal(8000).astype(np.float32)
    noisy = clean + rng.standard_normal(8000).astype(np.float32) * 0.1  # noise power 0.01 × signal → 20 dB
    truth = 10 * np.log10(np.mean(clean ** 2) / np.mean((noisy - clean) ** 2))
    try:
        got = answer(clean, noisy)
        if got is ...:
            return None, "your function still returns ..."
        got = float(got)
    except Exception as e:  # the learner's own code
        return False, f"your function raised {type(e).__name__}: {e}"
    if abs(got - truth) < 0.01:
        return True, f"{got:.2f} dB: ten times log10 of signal power over noise power, the noise being noisy − clean."
    if abs(got - truth / 2) < 0.01:
        return False, "that is 10·log10 of an amplitude ratio; SNR compares powers (mean of squares), or use 20·log10 for amplitudes."
    if abs(got + truth) < 0.01:
        return False, "upside down: signal power over noise power."
    return False, f"got {got:.2f}; SNR = 10·log10(mean(clean²) / mean((noisy − clean)²))."


# --- 09 scaling out ----------------------------------------------------------------------------


def _number(answer) -> float | None:
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _shard_per_process(answer):
    # global batch 96, torchrun --nnodes=2 --nproc-per-node=4: W = 8 processes
    got = _number(answer)
    if got is None:
        return False, "give a whole number of sequences"
    if got == 12:
        return True, "W = 2 nodes × 4 processes = 8 ranks, so each takes 96 / 8 = 12 sequences a step."
    if got == 48:
        return False, "you divided by the machines only; every process is a rank: W = nodes × processes per node."
    if got == 24:
        return False, "you divided by the processes of one machine; the other machine's 4 processes share the batch too."
    if got == 96:
        return False, "96 is the global batch — what all ranks see together; each rank sees only its shard."
    return False, "divide the global batch by the world size W = nodes × processes per node."


def _allreduce_ms(answer):
    # 25 million float32 parameters, 4 ranks, ring all-reduce, 10 Gb/s links
    got = _number(answer)
    if got is None:
        return False, "give a number of milliseconds"
    nbytes = 25e6 * 4
    truth = 2 * 3 / 4 * nbytes * 8 / 10e9 * 1e3  # 120 ms
    if math.isclose(got, truth, rel_tol=0.02):
        return True, (f"2·(W−1)/W × 100 MB × 8 bits / 10 Gb/s = {truth:.0f} ms a step — longer than many GPU steps, "
                      "which is why multi-node training wants InfiniBand or bigger batches.")
    if math.isclose(got, nbytes * 8 / 10e9 * 1e3, rel_tol=0.02):
        return False, "a ring all-reduce sends 2·(W−1)/W of the gradients from every rank, not the gradients once."
    if math.isclose(got, truth / 8, rel_tol=0.02):
        return False, "10 Gb/s is 10 billion *bits* a second: multiply the bytes by 8."
    if math.isclose(got, truth / 4, rel_tol=0.02):
        return False, "a float32 parameter is 4 bytes: 25 million of them are 100 MB."
    return False, "time = 2·(W−1)/W × gradient bytes × 8 / link bits per second (then × 1000 for ms)."


def _lost_steps(answer):
    # snapshots every 50 steps; the worker is killed after finishing step 437
    got = _number(answer)
    if got is None:
        return False, "give a whole number of steps"
    if got == 37:
        return True, "the newest snapshot is from step 400, so steps 401–437 are done again: 37 steps, plus the restart."
    if got == 13:
        return False, "the restart goes back to the last snapshot written (step 400), not forward to the next one."
    if got in (437, 0):
        return False, "a restart loads the newest snapshot, so only the steps since then are lost."
    if got == 50:
        return False, "at most 50 steps can be lost; here the snapshot at 400 was written and 401–437 followed."
    return False, "find the newest multiple of 50 at or before step 437; the steps after it are done again."


EXERCISES: dict[str, Exercise] = {
    "09-shard-size": Exercise(
        "every process is a rank: W = nodes × processes per node, and each rank takes B / W.", _shard_per_process),
    "09-allreduce-ms": Exercise(
        "ring all-reduce: each rank sends 2·(W−1)/W × the gradient bytes; bytes × 8 = bits.", _allreduce_ms),
    "09-lost-steps": Exercise(
        "the job goes back to the newest snapshot: the last multiple of 50 not after step 437.", _lost_steps),
    "08-receptive-field": Exercise(
        "Each layer with kernel k and dilation d sees (k − 1)·d more steps back.", _receptive_field),
    "08-state-bytes": Exercise(
        "A GRU carries h: (L, B, H) from token to token, whatever the context length.", _state_bytes),
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
    "10-majority-accuracy": Exercise(
        "data.counts() shows the passages per genre and split; the majority class is the commonest *training* genre.",
        _majority_accuracy),
    "10-masked-mean": Exercise(
        "mask = torch.arange(T)[None, :] < lengths[:, None] is (B, T); (out * mask[..., None]).sum(1) / lengths[:, None].",
        _masked_mean),
    "04-padding-mask": Exercise(
        "torch.arange(max_len)[None, :] < lengths[:, None] compares every position with every length.",
        _padding_mask),
    "07-ctc-decode": Exercise(
        "read the frames left to right: merge each run of one symbol, then drop the blanks (_).", _ctc_decode),
    "07-output-frames": Exercise(
        "frames T = 1 + samples // 160; each stride-2 convolution keeps (T − 1) // 2 + 1.", _output_frames),
    "07-snr-db": Exercise(
        "noise = noisy − clean; 10 * np.log10(np.mean(clean ** 2) / np.mean(noise ** 2)).", _snr_db),
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
