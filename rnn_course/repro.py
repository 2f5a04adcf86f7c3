"""Seeding and device choice — one call each, used by every notebook."""

from __future__ import annotations

import os
import random
import warnings
from contextlib import contextmanager

import numpy as np
import torch

__all__ = ["seed_everything", "device", "checked_device", "without_onednn"]


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python, NumPy and torch so a notebook run twice prints the same numbers.

    Also asks torch for deterministic kernels where it has them (``warn_only``: a kernel
    without a deterministic version warns instead of failing). Returns a ``torch.Generator``
    seeded the same way, for code that wants its own random stream.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS
    return torch.Generator().manual_seed(seed)


def device() -> torch.device:
    """The device the course trains on: CPU by default, CUDA when a GPU is present.

    Set ``RNN_COURSE_DEVICE=cpu`` (or ``cuda``, ``cuda:1``, ``mps``) to choose explicitly; a value
    that is not such a device, or names one this machine lacks, is a ``ValueError`` saying so.
    """
    choice = os.environ.get("RNN_COURSE_DEVICE", "").strip()
    if choice:
        return checked_device(choice, name="RNN_COURSE_DEVICE",
                              otherwise="or unset RNN_COURSE_DEVICE to let the course choose")
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def checked_device(device, *, name: str = "device", otherwise: str) -> torch.device:
    """``device`` (a name such as 'cpu' or 'cuda:1', or a torch.device) as a CPU, CUDA or MPS device this
    machine has; else a ``ValueError`` naming the setting (``name``), the valid values and ``otherwise``
    (the other way out). The one check under ``device()`` and the Trainer's ``device=``."""
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        dev = None
    have = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": torch.backends.mps.is_available()}
    if dev is None or dev.type not in have:
        raise ValueError(f"{name}={device!r} is not a device the course runs on: use 'cpu', 'cuda' or 'mps' "
                         f"(a GPU by number: 'cuda:1'), {otherwise}")
    gpus = torch.cuda.device_count() if dev.type == "cuda" else 1
    if not have[dev.type] or (dev.index or 0) >= gpus:
        what = {"cuda": "CUDA GPU", "mps": "Apple GPU (MPS)"}[dev.type] + (f" number {dev.index}" if dev.index else "")
        raise ValueError(f"{name}={device!r}, but PyTorch finds no {what} on this machine; use {name}='cpu', "
                         f"{otherwise}")
    return dev


@contextmanager
def without_onednn():
    """oneDNN off for one-step and small inference calls: on a CPU, stepping an LSTM one token at
    a time through oneDNN measured 2–7× slower (keep it on for training). Quiet about its TF32 notice."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="TF32 acceleration on top of oneDNN")
        with torch.backends.mkldnn.flags(enabled=False):
            yield
