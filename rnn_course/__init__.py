"""rnn_course — the package behind the Practical RNNs notebooks.

Every notebook starts with ``rnn_course.start("<its name>")``: it seeds everything, names the
notebook for :func:`record`, and returns the device to train on.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint, sha256_file
from .repro import device, seed_everything
from .results import read_results, record, set_notebook
from .train import Callback, History, RunSummary, TrainConfig, Trainer

__all__ = [
    "start", "seed_everything", "device", "record", "read_results", "set_notebook",
    "Trainer", "TrainConfig", "Callback", "History", "RunSummary",
    "save_checkpoint", "load_checkpoint", "CheckpointError", "sha256_file",
]


def start(notebook: str, seed: int = 0):
    """Begin a notebook: seed Python/NumPy/torch, name it for ``record``; returns the device."""
    set_notebook(notebook)
    seed_everything(seed)
    return device()
