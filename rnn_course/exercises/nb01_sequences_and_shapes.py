"""Notebook 01, sequences and shapes: its exercises, registered in the order the notebook asks them."""

from __future__ import annotations

import torch

from .answers import as_shape, as_whole, call_answer, kind_of
from .core import exercise


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
