"""Toy sequence tasks for notebooks 00 and 01: small, fast, and with a known right answer.

The *running-sum* task: x: (B, T, F=1) numbers in [0, 1) → y: (B, 1), their sum. The total
has to travel through the hidden state step by step, so it exercises exactly what an RNN does.
"""

from __future__ import annotations

import torch
from torch import nn

from .train import Trainer

__all__ = ["sum_task", "SequenceRegressor", "mse_loss", "sum_trainer", "CELLS"]

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def sum_task(n: int = 1200, steps: int = 12, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """x: (N, T, 1) uniform numbers, y: (N, 1) their sum. Deterministic from ``seed``."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, steps, 1, generator=g)  # (N, T, F)
    return x, x.sum(dim=1)  # (N, 1)


class SequenceRegressor(nn.Module):
    """A batch-first recurrent layer and a linear head on the last time step.

    x: (B, T, F) → out: (B, T, H) → out[:, -1]: (B, H) → (B, 1).
    """

    def __init__(self, cell: str = "gru", input_size: int = 1, hidden_size: int = 32, num_layers: int = 1):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {', '.join(CELLS)}; got {cell!r}")
        self.rnn = CELLS[cell](input_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x):  # (B, T, F)
        out, _ = self.rnn(x)  # (B, T, H)
        return self.head(out[:, -1])  # last time step of every sequence: (B, 1)


def mse_loss(model: nn.Module, batch) -> torch.Tensor:
    x, y = batch
    return nn.functional.mse_loss(model(x), y)


def sum_trainer(cell: str = "gru", hidden_size: int = 32, *, n: int = 1200, steps_in_sequence: int = 12,
                seed: int = 0, **config) -> Trainer:
    """A ready Trainer on the running-sum task (1,000 training and 200 validation sequences)."""
    x, y = sum_task(n, steps_in_sequence, seed)
    torch.manual_seed(seed)
    model = SequenceRegressor(cell, 1, hidden_size)
    cut = n * 5 // 6
    settings = dict(steps=150, batch_size=32, lr=1e-2, eval_every=50, seed=seed)
    settings.update(config)
    return Trainer(model, (x[:cut], y[:cut]), mse_loss, val_data=(x[cut:], y[cut:]), **settings)
