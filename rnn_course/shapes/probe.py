"""What the shape doctor works with: the example input, decoded once, and the model run on it.

:class:`Example` holds the declared layout, B and T, and which axis of every input tensor is
the batch. The rest runs the model while recording every module's tensors, changes one
slice of an input, and compares outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
from torch.nn.utils.rnn import PackedSequence

from .hooks import leaves, watch
from .layout import LAYOUT_WORDS, LAYOUTS

# -- nested inputs: a path is a tuple of indices into nested tuples/lists -----------------


def tensor_paths(obj, path=()):
    if isinstance(obj, torch.Tensor):
        return [path]
    if isinstance(obj, (tuple, list)) and not isinstance(obj, PackedSequence):
        return [p for i, item in enumerate(obj) for p in tensor_paths(item, path + (i,))]
    return []


def get(obj, path):
    for i in path:
        obj = obj[i]
    return obj


def replace(obj, path, new):
    if not path:
        return new
    items = list(obj)
    items[path[0]] = replace(obj[path[0]], path[1:], new)
    return items if isinstance(obj, list) else tuple(items)


def path_label(path, n_args):
    if n_args == 1:
        return "the input" + "".join(f"[{i}]" for i in path[1:])
    return "input" + "".join(f"[{i}]" for i in path)


# -- the example input, decoded once ------------------------------------------------------


class Ambiguous(ValueError):
    """Several axes of a tensor have size B, and none of them is clearly the batch."""


@dataclass(frozen=True)
class Example:
    """The example input read against the declared layout: its sizes and where its axes are.

    ``batch_axis``/``time_axis`` are the axes of the primary input (the first tensor with at
    least two axes, at ``primary``); ``input_batch_axes`` gives every input tensor's batch axis
    by its path (None: that input is not perturbed); ``vocab`` keeps changed token ids in range.
    """

    layout: str  # "BTF" or "TBF"
    batch_axis: int
    time_axis: int
    B: int
    T: int
    primary: tuple[int, ...]
    input_batch_axes: dict[tuple[int, ...], int | None]
    vocab: int | None

    @property
    def words(self) -> str:
        """``(B, T, F)`` or ``(T, B, F)``."""
        return LAYOUT_WORDS[self.layout]

    @classmethod
    def decode(cls, model: nn.Module, args: tuple, layout: str, batch_dims=None,
               causal: bool = False) -> "Example":
        """Read B, T and the batch axes off ``args``; a ValueError says what to change."""
        batch_axis, time_axis = LAYOUTS[layout]
        primary = next((i for i, a in enumerate(args)
                        if isinstance(a, torch.Tensor) and a.dim() >= 2), None)
        if primary is None:
            raise ValueError(
                f"diagnose needs a padded tensor input with batch and time axes, "
                f"{LAYOUT_WORDS[layout]} or token ids; got {[type(a).__name__ for a in args]}")
        B, T = args[primary].shape[batch_axis], args[primary].shape[time_axis]
        if B < 2:
            raise ValueError(f"the example batch has B={B}; diagnose compares samples, so give it "
                             f"at least 2 (better 3 or more)")
        if B == T:
            raise ValueError(f"the example input has B == T == {B}, so the batch and time axes "
                             f"cannot be told apart; use different sizes, e.g. B=3 and T=5")
        if causal and T < 2:
            raise ValueError(f"causal=True needs at least 2 time steps, the example has T={T}")

        axes = {}  # tensor path → batch axis (None: not perturbed)
        for path in tensor_paths(args):
            if batch_dims is not None:
                if len(batch_dims) != len(args):
                    raise ValueError(f"batch_dims needs one entry (an axis or None) per input: "
                                     f"{len(args)} inputs, {len(batch_dims)} entries")
                axes[path] = batch_dims[path[0]]
            elif path == (primary,):
                axes[path] = batch_axis
            else:
                axes[path] = _input_batch_axis(get(args, path), B)
        if axes.get((primary,)) is None:
            raise ValueError("batch_dims gives no batch axis for the first sequence input")

        embeddings = [m for m in model.modules() if isinstance(m, nn.Embedding)]
        vocab = embeddings[0].num_embeddings if embeddings else None
        return cls(layout, batch_axis, time_axis, B, T, (primary,), axes, vocab)

    def batch_axis_of(self, t: torch.Tensor):
        """The axis of size B; prefers dims 0/1 (where PyTorch layouts keep B), then the layout's.

        Returns None when no axis has size B; raises :class:`Ambiguous` when several could be it.
        """
        axes = [d for d, n in enumerate(t.shape) if n == self.B]
        if len(axes) <= 1:
            return axes[0] if axes else None
        front = [d for d in axes if d < 2]
        if len(front) == 1:
            return front[0]
        if self.batch_axis in axes:
            return self.batch_axis
        raise Ambiguous(
            f"a tensor of shape {tuple(t.shape)} has several axes of size B={self.B}, so diagnose "
            f"cannot tell which one is the batch; use an example batch size that differs from "
            f"every other size (e.g. B=3 with T=5, H=8)"
        )

    def time_axis_of(self, t: torch.Tensor):
        """The axis of size T that is not the batch axis; None when it cannot be told."""
        try:
            b = self.batch_axis_of(t)
        except Ambiguous:
            return None
        axes = [d for d, n in enumerate(t.shape) if n == self.T and d != b]
        if len(axes) == 1:
            return axes[0]
        return self.time_axis if self.time_axis in axes else None


def _input_batch_axis(t: torch.Tensor, B: int):
    """Batch axis of an extra input: data (B, T, F)/(T, B, F), or a state h_0: (L·D, B, H)."""
    if t.dtype == torch.bool or t.dim() == 0:
        return None
    axes = [d for d, n in enumerate(t.shape) if n == B]
    if len(axes) <= 1:
        return axes[0] if axes else None
    if 0 in axes and 1 in axes:
        raise ValueError(
            f"an input of shape {tuple(t.shape)} has size B={B} on both dim 0 and dim 1, so "
            f"diagnose cannot tell its batch axis: pass batch_dims=(...) with one axis (or None) "
            f"per input, or use an example batch size that differs from the other sizes"
        )
    if axes[0] < 2:  # B in front (dim 0 or 1), the other size-B axes are features
        return axes[0]
    raise ValueError(
        f"an input of shape {tuple(t.shape)} has several axes of size B={B} and none of them "
        f"is dim 0 or 1: pass batch_dims=(...) with one axis (or None) per input")


# -- running the model -----------------------------------------------------------------------


def run(model, args):
    """Outputs as [(label, tensor)], and every module's inputs/outputs in call order."""
    events = []  # (kind "in"/"out", module name, module, [tensors])

    def tensors(obj):
        return [v.detach().clone() for _, v in leaves(obj, "") if isinstance(v, torch.Tensor)]

    def before(name, module, a, kw):
        events.append(("in", name, module, tensors((a, kw))))

    def after(name, module, a, kw, out):
        events.append(("out", name, module, tensors(out)))

    with watch(model, before, after):
        out = model(*args)
    outputs = [(label, v.detach()) for label, v in leaves(out, "output")
               if isinstance(v, torch.Tensor)]
    return outputs, events


def perturb(t: torch.Tensor, axis: int, index: int, gen, vocab):
    """A copy of ``t`` with one slice along ``axis`` changed clearly (tokens stay in range)."""
    t = t.clone()
    part = t.select(axis, index)  # a view into the copy
    if t.is_floating_point():
        scale = 1.0 + float(t.abs().max())
        part += torch.randn(part.shape, generator=gen, dtype=t.dtype) * scale
    else:
        n = max(2, vocab or int(t.max()) + 1)
        shift = torch.randint(1, n, part.shape, generator=gen, dtype=t.dtype)
        part.copy_((part + shift) % n)
    return t


def _tol(t: torch.Tensor) -> float:
    return 1e-5 * max(1.0, float(t.float().abs().max())) if t.numel() else 0.0


def others_changed(a, b, axis, sample) -> bool:
    """Did any sample other than ``sample`` change between ``a`` and ``b``?"""
    keep = torch.tensor([i for i in range(a.shape[axis]) if i != sample])
    diff = (a.index_select(axis, keep).float() - b.index_select(axis, keep).float()).abs()
    return diff.numel() > 0 and float(diff.max()) > _tol(a)


def changed(a, b) -> bool:
    return a.shape != b.shape or float((a.float() - b.float()).abs().max()) > _tol(a)
