"""Many-to-one: one class for a whole sequence (notebook 10's default task).

    model = SequenceClassifier(ClassifierConfig(n_classes=3, vocab_size=len(vocab)))
    logits = model(x, lengths)      # x: (B, T) token ids or (B, T, F) features; lengths: (B,) → (B, C)
    Trainer(model, (x, lengths, y), classify_loss)
    predict(model, x, lengths)      # (N,) class indices, in batches

Variable lengths are **packed** (``pack_padded_sequence``): the recurrent layers never read a
padded step, so padding — whatever its value, however much of it — cannot change a
prediction. ``pooling="last"`` classifies from h_n, each sequence's state after its own last
real step (for a bidirectional model, the forward state at the end and the backward state at
the start, concatenated); ``"mean"`` averages the outputs over the real steps only.

Letters: B batch, T time steps, F features per step, E embedding size, H hidden size,
L layers, D directions, C classes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..language.model import CELLS
from ..validate import fraction, one_of, whole, whole_numbers

__all__ = ["ClassifierConfig", "SequenceClassifier", "classify_loss", "predict", "POOLING"]

POOLING = ("last", "mean")


@dataclass(frozen=True)
class ClassifierConfig:
    """Token input when ``vocab_size`` is set (x: (B, T) ids), else ``n_features`` floats per step."""

    n_classes: int
    vocab_size: int | None = None
    n_features: int | None = None
    embedding_dim: int = 64  # E (token input only)
    hidden_size: int = 128  # H
    num_layers: int = 1  # L
    cell: str = "gru"  # one of CELLS
    bidirectional: bool = False  # D = 2 if True
    pooling: str = "last"  # one of POOLING
    dropout: float = 0.0

    def check(self) -> None:
        if (self.vocab_size is None) == (self.n_features is None):
            raise ValueError("give exactly one of vocab_size (token ids, x: (B, T)) or n_features "
                             f"(float features, x: (B, T, F)); got vocab_size={self.vocab_size!r}, "
                             f"n_features={self.n_features!r}")
        one_of("cell", self.cell, CELLS)
        one_of("pooling", self.pooling, POOLING)
        whole_numbers(self, "n_classes", "embedding_dim", "hidden_size", "num_layers")
        for name in ("vocab_size", "n_features"):
            whole(name, getattr(self, name), or_none=True)
        if self.n_classes < 2:
            raise ValueError(f"n_classes must be at least 2 (a classifier needs a choice), got {self.n_classes}")
        fraction(self, "dropout")


class SequenceClassifier(nn.Module):
    """(Embedding →) packed recurrent layers → pooling over real steps → dropout → linear over C classes."""

    def __init__(self, config: ClassifierConfig | None = None, **kwargs):
        super().__init__()
        config = config or ClassifierConfig(**kwargs)
        config.check()
        self.config = c = config
        if c.vocab_size is not None:
            self.embedding = nn.Embedding(c.vocab_size, c.embedding_dim)
        n_in = c.embedding_dim if c.vocab_size is not None else c.n_features
        self.rnn = CELLS[c.cell](n_in, c.hidden_size, num_layers=c.num_layers, batch_first=True,
                                 bidirectional=c.bidirectional, dropout=c.dropout if c.num_layers > 1 else 0.0)
        self.drop = nn.Dropout(c.dropout)
        self.head = nn.Linear(c.hidden_size * (2 if c.bidirectional else 1), c.n_classes)

    def _check(self, x: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
        c = self.config
        if c.vocab_size is not None and (x.dim() != 2 or x.is_floating_point()):
            raise ValueError(f"x must be token ids (B, T), got {x.dtype} {tuple(x.shape)}")
        if c.n_features is not None and (x.dim() != 3 or x.shape[-1] != c.n_features or not x.is_floating_point()):
            raise ValueError(f"x must be float features (B, T, F) with F={c.n_features}, got {x.dtype} "
                             f"{tuple(x.shape)}; a time-first batch needs x.transpose(0, 1)")
        B, T = x.shape[:2]
        if lengths is None:
            return torch.full((B,), T, dtype=torch.long)
        lengths = torch.as_tensor(lengths).to("cpu", torch.long)  # packing wants lengths on the CPU
        if lengths.shape != (B,):
            raise ValueError(f"lengths must be (B,) = ({B},), one length per sequence; got {tuple(lengths.shape)}")
        if lengths.min() < 1 or lengths.max() > T:
            raise ValueError(f"every length must be between 1 and T={T} (the padded length); got "
                             f"{lengths.min().item()}…{lengths.max().item()}. Drop empty sequences before batching")
        return lengths

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        lengths = self._check(x, lengths)
        x = x[:, :int(lengths.max())]  # a batch sliced from a longer padded set: (B, T_batch[, F])
        if self.config.vocab_size is not None:
            x = self.embedding(x)  # (B, T, E)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, h_n = self.rnn(packed)  # h_n: (L·D, B, H), each sequence's state after its own last step
        if isinstance(h_n, tuple):  # LSTM: (h_n, c_n)
            h_n = h_n[0]
        if self.config.pooling == "last":
            D = 2 if self.config.bidirectional else 1
            pooled = torch.cat([h_n[-d] for d in range(D, 0, -1)], dim=-1)  # last layer: (B, D·H)
        else:
            out, _ = pad_packed_sequence(out, batch_first=True)  # (B, T, D·H), zeros past each length
            pooled = out.sum(1) / lengths.to(out.device, out.dtype)[:, None]  # mean over real steps
        return self.head(self.drop(pooled))  # (B, C)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def describe(self) -> dict:
        return asdict(self.config)


def classify_loss(model: nn.Module, batch, class_weights: torch.Tensor | None = None) -> torch.Tensor:
    """Cross-entropy of a batch ``(x, lengths, y)``; y: (B,) class indices. For weights, wrap it:
    ``lambda m, b: classify_loss(m, b, weights)``."""
    x, lengths, y = batch
    return F.cross_entropy(model(x, lengths), y, weight=class_weights)


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, lengths: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """Class indices (N,) for N padded sequences, in eval mode, ``batch_size`` at a time."""
    was_training = model.training
    model.eval()
    try:
        parts = [model(x[i:i + batch_size], lengths[i:i + batch_size]).argmax(-1) for i in range(0, len(x), batch_size)]
    finally:
        model.train(was_training)
    return torch.cat(parts)
