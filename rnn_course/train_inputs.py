"""What a :class:`~rnn_course.train.Trainer` is given, checked before it trains: the data (tensors
or a Dataset), the device, what ``loss_fn`` returns, and validation data that fits the model.

Each check raises ``ValueError`` with what is wrong and what to do, before any weight changes.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

import torch
from torch import nn

from .repro import checked_device
from .validate import is_number

__all__ = ["TrainData", "to_device", "pick_device", "checked_loss", "check_val_data"]


def to_device(batch, device):
    if torch.is_tensor(batch):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, (list, tuple)):
        return type(batch)(to_device(b, device) for b in batch)
    if isinstance(batch, dict):
        return {k: to_device(v, device) for k, v in batch.items()}
    return batch


def pick_device(device, model: nn.Module) -> torch.device:
    """``device`` checked: a CPU, CUDA or MPS device this machine has (None: where the model is)."""
    if device is None:
        return next(model.parameters()).device
    return checked_device(device, otherwise="or leave device out to train where the model is")


def checked_loss(loss, loss_fn, *, training: bool):
    """``loss_fn``'s result, refused unless it is one number (a tensor autograd can follow, when training)."""
    name = f"loss_fn {getattr(loss_fn, '__name__', type(loss_fn).__name__)!r}"
    if torch.is_tensor(loss) and loss.numel() != 1:
        raise ValueError(f"{name} returned a tensor of shape {tuple(loss.shape)}, not one number: it must return "
                         "the batch's loss as a single value. For one loss per example, return their mean "
                         "(per_example.mean(), or reduction='mean').")
    if torch.is_tensor(loss) and training and not loss.requires_grad:
        raise ValueError(f"{name} returned a loss autograd cannot follow back to the weights: it was computed "
                         "under torch.no_grad() or cut off with .detach() or torch.tensor(...). Compute it from "
                         "the model's output with gradients on, and return that tensor as it is.")
    if not torch.is_tensor(loss) and (training or not is_number(loss)):
        kind = f"a Python {type(loss).__name__}" if is_number(loss) else "None (is a return missing?)" \
            if loss is None else type(loss).__name__
        raise ValueError(f"{name} returned {kind}: it must return the loss as a one-element torch tensor "
                         "(the tensor itself, not loss.item() or float(loss)), so the weights can learn from it.")
    return loss


def _no_plain_arrays(data, what: str) -> None:
    """NumPy arrays or Python lists of numbers where tensors belong: a tuple of them would be read as a
    Dataset of its few members (a tuple (x, y) of arrays as 2 examples), so they are refused by name."""
    if not isinstance(data, (tuple, list)) or not data:
        return
    first = data[0]
    numbers = isinstance(first, (int, float)) or (isinstance(first, (list, tuple)) and first
                                                  and isinstance(first[0], (int, float)))
    if numbers or any(isinstance(t, np.ndarray) for t in data):
        kind = "NumPy arrays" if any(isinstance(t, np.ndarray) for t in data) else "Python lists of numbers"
        raise ValueError(f"{what} holds {kind}, not tensors: convert them first, e.g. "
                         f"{what}=(torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32)) "
                         "with examples along dim 0")


class TrainData:
    """Uniform access to tensor tuples and Datasets: ``len`` and ``take(indices)``."""

    def __init__(self, data, collate: Callable | None, what: str):
        if torch.is_tensor(data):
            data = (data,)
        if collate is None:  # with its own collate, a Dataset may hold anything the collate turns into tensors
            _no_plain_arrays(data, what)
        if isinstance(data, (tuple, list)) and data and all(torch.is_tensor(t) for t in data):
            sizes = {t.shape[0] if t.dim() else None for t in data}
            if len(sizes) != 1 or None in sizes:
                shapes = ", ".join(str(tuple(t.shape)) for t in data)
                raise ValueError(
                    f"{what}: the tensors must share their first (batch) axis, got shapes {shapes}; "
                    "put examples along dim 0 for every tensor"
                )
            self.tensors, self.dataset, self.n = tuple(data), None, sizes.pop()
        elif hasattr(data, "__len__") and hasattr(data, "__getitem__"):
            self.tensors, self.dataset, self.n = None, data, len(data)
            self.collate = collate or torch.utils.data.default_collate
        else:
            raise ValueError(
                f"{what} must be a tensor, a tuple of tensors (examples along dim 0) or a "
                f"torch Dataset; got {type(data).__name__}"
            )
        if self.n == 0:
            raise ValueError(f"{what} is empty: it needs at least one example")

    def take(self, idx: torch.Tensor):
        if self.tensors is not None:
            out = tuple(t[idx] for t in self.tensors)
            return out[0] if len(out) == 1 else out
        return self.collate([self.dataset[int(i)] for i in idx])


@torch.no_grad()
def check_val_data(model: nn.Module, loss_fn: Callable, train: TrainData, val: TrainData, batch_size: int,
                   device: torch.device) -> None:
    """Run ``loss_fn`` on a first validation batch (eval mode, no gradients, the random stream put
    back): val_data that does not fit the model is refused here, not after the training."""
    if train.tensors is not None and val.tensors is not None and len(train.tensors) != len(val.tensors):
        raise ValueError(f"val_data has {len(val.tensors)} tensor(s) but train_data has {len(train.tensors)}: "
                         "give validation data the same tensors as training data, e.g. (x_val, y_val)")
    was_training = model.training
    model.eval()
    try:
        with torch.random.fork_rng(devices=[]):
            error, shapes = _try_loss(model, loss_fn, val, batch_size, device)
            if error is None:
                return
            train_error, train_shapes = _try_loss(model, loss_fn, train, batch_size, device)
    finally:
        model.train(was_training)
    if train_error is None:
        raise ValueError(f"val_data does not fit the model: on its first batch ({shapes}) loss_fn raised "
                         f"{error}, while on a train_data batch ({train_shapes}) it works. Give val_data "
                         "the same layout as train_data.")
    raise ValueError(f"loss_fn {getattr(loss_fn, '__name__', '')!r} fails on train_data too ({train_error}): "
                     "call loss_fn(model, batch) on one training batch and fix that first.")


def _try_loss(model, loss_fn, data: TrainData, batch_size: int, device) -> tuple[str | None, str | None]:
    """(the error ``loss_fn`` raises on ``data``'s first batch or None, the batch's shapes)."""
    shapes = None
    try:
        batch = data.take(torch.arange(min(batch_size, data.n)))
        parts = batch if isinstance(batch, (tuple, list)) else (batch,)
        shapes = ", ".join(str(tuple(b.shape)) if torch.is_tensor(b) else type(b).__name__ for b in parts)
        loss = loss_fn(model, to_device(batch, device))
    except Exception as e:  # the learner's model or loss_fn: its message goes into ours
        return f"{type(e).__name__}: {(str(e).splitlines() or [''])[0]}", shapes
    checked_loss(loss, loss_fn, training=False)
    return None, shapes


def check_loss_and_callbacks(model: nn.Module, train: TrainData, loss_fn, callbacks, callback_type) -> list:
    """The Trainer's arguments that torch would only trip over at step 1 (or never): a torch loss
    module where a ``loss_fn(model, batch)`` belongs, callbacks that are not course Callbacks,
    and floating-point data of another dtype than the model's weights. → the callbacks as a list."""
    if isinstance(loss_fn, nn.modules.loss._Loss):
        raise ValueError(f"loss_fn is called as loss_fn(model, batch); {type(loss_fn).__name__}() takes "
                         "(prediction, target): wrap it, e.g. loss_fn=lambda model, batch: "
                         "nn.MSELoss()(model(batch[0]), batch[1])")
    if not callable(loss_fn):
        raise ValueError("loss_fn must be a function loss_fn(model, batch) -> scalar loss tensor")
    callbacks = [callbacks] if isinstance(callbacks, callback_type) else list(callbacks)
    bad = [c for c in callbacks if not isinstance(c, callback_type)]
    if bad:
        raise ValueError(f"callbacks must be rnn_course Callback objects (subclass Callback and override "
                         f"on_step, on_eval, …), got {type(bad[0]).__name__} {bad[0]!r:.60}")
    weights = {p.dtype for p in model.parameters() if p.is_floating_point()}
    if train.tensors is not None and len(weights) == 1:
        (want,) = weights
        for t in train.tensors:
            if torch.is_tensor(t) and t.is_floating_point() and t.dtype != want:
                raise ValueError(f"train_data holds {t.dtype} tensors but the model's weights are {want}: "
                                 f"convert the data (x.to({want})) or the model (model.to({t.dtype}))")
    return callbacks
