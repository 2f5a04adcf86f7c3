"""Watching a forward call: the one place the shape tools install forward hooks.

:func:`watch` calls ``before(name, module, args, kwargs)`` as every module's forward starts
and ``after(name, module, args, kwargs, output)`` as it returns, in call order, and removes
its hooks when the block ends, also when the forward call raised. :func:`leaves` flattens
what a hook sees (nested tuples, lists and dicts) into labelled values.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence

ROOT = "(model)"  # how the watched model itself is named


def leaves(obj, label):
    """Flatten nested tuples / lists / dicts into ``[(label, leaf)]``; ``None`` is skipped.

    A ``PackedSequence`` is a leaf (it is a tuple underneath, so it is tested first).
    """
    if obj is None:
        return []
    if isinstance(obj, (torch.Tensor, PackedSequence)):
        return [(label, obj)]
    if isinstance(obj, (tuple, list)):
        return [pair for i, item in enumerate(obj) for pair in leaves(item, f"{label}[{i}]")]
    if isinstance(obj, dict):
        return [pair for k, item in obj.items() for pair in leaves(item, f"{label}[{k!r}]")]
    return [(label, obj)]


@contextmanager
def watch(model: nn.Module, before, after):
    """Within the block, report every module call of ``model`` to ``before`` and ``after``.

    Modules are named as in ``model.named_modules()``, the model itself :data:`ROOT`. The
    callbacks only look: whatever they return, inputs and outputs pass on unchanged.
    """
    names = {m: (n or ROOT) for n, m in model.named_modules()}

    def pre_hook(module, args, kwargs):
        before(names[module], module, args, kwargs)

    def post_hook(module, args, kwargs, output):
        after(names[module], module, args, kwargs, output)

    handles = []
    try:
        for m in names:
            handles.append(m.register_forward_pre_hook(pre_hook, with_kwargs=True))
            handles.append(m.register_forward_hook(post_hook, with_kwargs=True))
        yield
    finally:
        for h in handles:
            h.remove()
