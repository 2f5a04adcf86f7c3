"""rnn_course — the package behind the Practical RNNs notebooks.

Every notebook starts with ``rnn_course.start("<its name>")``: it seeds everything, names the
notebook for :func:`record`, and returns the device to train on.

The names below are imported on first use (PEP 562), so ``import rnn_course`` alone does not
load torch: the Jupyter server imports ``rnn_course.saved_notebooks`` at start-up and should
stay small and quick.
"""

from __future__ import annotations

import importlib

__version__ = "0.2.0"

_EXPORTS = {  # name → the module that defines it
    "CheckpointError": ".checkpoint", "load_checkpoint": ".checkpoint", "save_checkpoint": ".checkpoint",
    "sha256_file": ".checkpoint",
    "device": ".repro", "seed_everything": ".repro",
    "read_results": ".results", "record": ".results", "set_notebook": ".results",
    "Callback": ".train", "History": ".train", "RunSummary": ".train", "TrainConfig": ".train", "Trainer": ".train",
}

__all__ = ["start", *_EXPORTS]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'rnn_course' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def start(notebook: str, seed: int = 0):
    """Begin a notebook: seed Python/NumPy/torch, name it for ``record``; returns the device."""
    from .repro import device, seed_everything
    from .results import set_notebook

    set_notebook(notebook)
    seed_everything(seed)
    return device()
