"""Notebook 01, sequences and shapes: its exercises, registered in the order the notebook asks them."""

from __future__ import annotations

import torch

from .answers import as_shape, as_whole, call_answer, kind_of
from .core import exercise
from .quizzes import choice


@exercise("01-h_n-shape", 1, (
    "h_n is (L·D, B, H): read L, D, B and H off the layer's settings and x's shape."
))
def _hn_shape(answer):
    # nn.GRU(8, 16, num_layers=2, bidirectional=True, batch_first=True), x: (B=3, T=10, F=8)
    got = as_shape(answer)
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


@exercise("01-last-step", 2, (
    "out is batch-first, (B, T, H): which axis is time, and which index is its last step?"
))
def _last_step(answer):
    out = torch.arange(2 * 5 * 3, dtype=torch.float32).reshape(2, 5, 3) + 0.5  # (B=2, T=5, H=3)
    got = call_answer(answer, out, example="def last_step(out): return ...")
    if not torch.is_tensor(got):
        return False, f"your function returned {kind_of(got)}; it should return a tensor (B, H)."
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


@exercise("01-lstm-params", 3, (
    "an LSTM has four gates, each with an input weight (H×F), a recurrent weight (H×H) and two bias "
    "vectors (H); here F = 3 and H = 5."
))
def _lstm_params(answer):
    n = as_whole(answer, "a whole number of parameters")
    if n == 200:
        return True, "4 gates × (W_ih 5×3 + W_hh 5×5 + b_ih 5 + b_hh 5) = 4 × 50 = 200."
    if n == 50:
        return False, "that is an nn.RNN's count; an LSTM has four sets of weights, one per gate."
    if n == 160:
        return False, "PyTorch keeps two bias vectors per gate (b_ih and b_hh): count both."
    if n == 150:
        return False, "that is a GRU (three gates); an LSTM has four."
    return False, "count W_ih (H×F), W_hh (H×H), b_ih (H), b_hh (H), for each of the LSTM's 4 gates."


# --- the quiz (rnn_course.exercises.quizzes shows and judges it) ------------------------------
choice(
    "01-quiz-batch-first",
    "You switch an `nn.LSTM` from the default layout to `batch_first=True`. Which tensors change layout?",
    "b",
    ("the input, the output, h_n and c_n",
     "that is the classic bug: taking h_n to be batch-first because the input is. The states stay (L·D, B, H) "
     "whatever batch_first says; read them as layer·direction first."),
    ("the input and the output only; h_n and c_n stay (L·D, B, H)",
     "batch_first switches the input to (B, T, F) and the output to (B, T, H); the final states keep one row "
     "per layer and direction, so h_n[-1] is the last layer's state for every sequence."),
    ("none: batch_first only makes the layer faster",
     "it changes what the axes mean, not the speed: the same tensor read with the wrong setting mixes the "
     "batch and time axes, silently."),
)
choice(
    "01-quiz-last-step",
    "A batch-first LSTM returns `out: (B, T, H)`. The article's predictor uses `out[-1]`. What does that pick?",
    "c",
    ("the last time step of every sequence, (B, H)",
     "that would be out[:, -1]. On a batch-first output the first index is the batch axis, so out[-1] is a "
     "sequence, not a step."),
    ("an IndexError, since the first axis is the batch",
     "nothing crashes, which is why the bug is silent: out[-1] is a valid index on any axis. diagnose finds it "
     "by behaviour, not by shape."),
    ("the last sequence of the batch, all its steps, (T, H)",
     "indexing the first axis of (B, T, H) picks a sample. Every prediction then depends on that one sample: "
     "diagnose reports batch-mixing. For the last step write out[:, -1]."),
)
choice(
    "01-quiz-padding",
    "A batch is padded to T_max = 4 steps and holds a sequence whose real length is 2. Without packing, what is "
    "`out[:, -1]` for that sequence?",
    "b",
    ("its state after its real last step",
     "the RNN does not know where the sequence ends: without packing it keeps reading the padding, so the last "
     "position is two steps past the real end. Pack the batch, or take out[torch.arange(B), lengths - 1]."),
    ("its state after reading two steps of padding as well",
     "the RNN reads the zeros like any input, and they change the state. Packing tells it each length, so "
     "h_n is each sequence's real last state; or index the real last step with the lengths."),
    ("zeros, because the padding is zeros",
     "zero inputs do not give a zero state: the biases and the carried state still pass through tanh, so the "
     "state keeps moving. Only packing (or indexing the real last step) gives the right one."),
)
choice(
    "01-quiz-linear-wins",
    "On the toy task (output the sum of 12 numbers), linear regression beats the trained GRU. What do you conclude?",
    "a",
    ("the simpler model wins here, and that is the right conclusion",
     "the sum is a fixed linear formula of a fixed window, which linear regression solves exactly. An RNN earns "
     "its place when the answer is not such a formula: next words, prices, audio."),
    ("the GRU was trained too briefly; train it until it wins",
     "more training brings the GRU closer, but it cannot beat an exact solution. When a practitioner's first "
     "model solves the task, stop there."),
    ("RNNs cannot learn sums",
     "the GRU explains over 95 % of the variance: it did learn to carry a running total through its state. It "
     "is just not the best tool for a linear task."),
    ("the linear model must be leaking the answer",
     "nothing leaks: it is fitted on training sequences and scored on held-out ones. The task simply is linear, "
     "which is why it is the baseline to try first."),
)
