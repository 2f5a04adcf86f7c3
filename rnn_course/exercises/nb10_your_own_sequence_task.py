"""Notebook 10, your own sequence task: its exercises, registered in the order the notebook asks them."""

from __future__ import annotations

import torch

from .answers import as_number, call_answer, kind_of
from .core import exercise


@exercise("10-majority-accuracy", 1, (
    "data.counts shows how many passages each genre has in each split; the majority class is the "
    "commonest training genre, scored on the test passages."
))
def _majority_accuracy(answer):
    # notebook 10's default data: 400 test passages per genre (comedy, history, tragedy);
    # training has 2400 comedy, 3600 history, 1600 tragedy, so "majority" always says history
    got = as_number(answer, "one number between 0 and 1")
    if abs(got - 1 / 3) < 0.005:
        return True, "1/3: the test plays give 400 passages per genre, and 'history' is right for 400 of 1,200."
    if abs(got - 3600 / 7600) < 0.005:
        return False, "that is the share of histories in the training passages; the majority class is scored on the test passages."
    if abs(got - 100 / 3) < 0.5:
        return False, "as a share between 0 and 1, please (not a percentage)."
    return False, "count the test passages per genre with data.counts(): the majority class is right only on its own genre."


@exercise("10-masked-mean", 2, (
    "only each sequence's real steps count, the first length of them: a (B, T) mask of the real steps"
    " (torch.arange against lengths, broadcast) keeps the padding out, and each sum is divided by its"
    " own length, not by T."
))
def _masked_mean(answer):
    gen = torch.Generator().manual_seed(0)
    out = torch.randn(3, 6, 4, generator=gen)  # (B=3, T=6, H=4): the padding holds values, not zeros
    lengths = torch.tensor([6, 2, 4])
    real = (torch.arange(6)[None, :] < lengths[:, None])[..., None]  # (B, T, 1): True on real steps
    truth = (out * real).sum(1) / lengths[:, None]  # (B, H)
    got = call_answer(answer, out, lengths, example="def mean_over_steps(out, lengths): return ...")
    if not torch.is_tensor(got) or tuple(got.shape) != (3, 4):
        return False, f"return a tensor (B, H) = (3, 4); yours is {kind_of(got)}."
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
