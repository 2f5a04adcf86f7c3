"""Seeding and device choice — one call each, used by every notebook."""

from __future__ import annotations

import os
import random
import warnings
from contextlib import contextmanager

import numpy as np
import torch

__all__ = ["seed_everything", "device", "without_onednn"]


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

    Set ``RNN_COURSE_DEVICE=cpu`` (or ``cuda``, ``cuda:1``) to choose explicitly.
    """
    choice = os.environ.get("RNN_COURSE_DEVICE", "").strip()
    if choice:
        dev = torch.device(choice)
        if dev.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(
                f"RNN_COURSE_DEVICE={choice} but torch sees no CUDA GPU; "
                "unset it to train on the CPU."
            )
        return dev
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@contextmanager
def without_onednn():
    """oneDNN off for one-step and small inference calls: on a CPU, stepping an LSTM one token at
    a time through oneDNN measured 2–7× slower (keep it on for training). Quiet about its TF32 notice."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="TF32 acceleration on top of oneDNN")
        with torch.backends.mkldnn.flags(enabled=False):
            yield
