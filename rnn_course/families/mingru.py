"""minGRU (Feng et al., 2024, "Were RNNs All We Needed?"): a GRU whose gates read only the input.

A GRU's update gate and candidate depend on the previous state h_{t-1}, so step t must wait for
step t-1. minGRU drops that dependence:

    z_t  = σ(Linear_z(x_t))                 update gate, from x_t alone
    h̃_t = g(Linear_h(x_t))                  candidate, g(v) = v + 0.5 (v ≥ 0), σ(v) (v < 0) > 0
    h_t  = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ h̃_t    a linear recurrence h_t = a_t h_{t−1} + b_t

A linear recurrence can be solved for every t at once with cumulative sums (Heinsen, 2023):
log h_t = a*_t + logcumsumexp_s≤t(log b_s − a*_s), where a*_t = Σ_s≤t log a_s. Working in log
space keeps the products of many gates from underflowing. That is the **parallel** path, used to
train on whole sequences; the **sequential** path steps one token at a time (generation, and the
reference the tests compare against). Both give the same h to float precision.

    x: (B, T, F) → out: (B, T, H), h_T: (B, H)
    MinGRULM: x (B, T) ids → logits (B, T, V), state h: (L, B, H)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn
from ..validate import fraction, one_of, whole_numbers

__all__ = ["MinGRU", "MinGRUConfig", "MinGRULM", "SCANS"]

SCANS = ("parallel", "sequential")


def _g(v: torch.Tensor) -> torch.Tensor:
    """Positive activation for the candidate state (keeps h > 0, so log h exists)."""
    return torch.where(v >= 0, v + 0.5, torch.sigmoid(v))


def _log_g(v: torch.Tensor) -> torch.Tensor:
    return torch.where(v >= 0, (F.relu(v) + 0.5).log(), -F.softplus(-v))


class MinGRU(nn.Module):
    """One minGRU layer. x: (B, T, F), h0: (B, H) or None (zeros) → out (B, T, H), h_T (B, H)."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.hidden_size = hidden_size
        self.to_gate_and_candidate = nn.Linear(input_size, 2 * hidden_size)

    def forward(self, x: torch.Tensor, h0: torch.Tensor | None = None, scan: str = "parallel"):
        k, v = self.to_gate_and_candidate(x).chunk(2, dim=-1)  # (B, T, H) each
        if scan == "sequential":
            return self._sequential(k, v, h0)
        if scan != "parallel":
            raise ValueError(f"scan must be one of {', '.join(SCANS)}; got {scan!r}")
        log_a = -F.softplus(k)  # log(1 − z_t)  (B, T, H)
        log_b = -F.softplus(-k) + _log_g(v)  # log(z_t · h̃_t)  (B, T, H)
        if h0 is not None:  # h0 enters as b_0 with a_0 = 1 (log 0)
            log_a = torch.cat([torch.zeros_like(log_a[:, :1]), log_a], dim=1)  # (B, 1+T, H)
            log_b = torch.cat([h0.clamp_min(1e-30).log().unsqueeze(1), log_b], dim=1)
        a_star = log_a.cumsum(dim=1)  # (B, T', H)
        h = (a_star + (log_b - a_star).logcumsumexp(dim=1)).exp()  # (B, T', H)
        if h0 is not None:
            h = h[:, 1:]  # (B, T, H)
        return h, h[:, -1]

    @staticmethod
    def _sequential(k, v, h0):
        z, cand = torch.sigmoid(k), _g(v)  # (B, T, H)
        h = torch.zeros_like(z[:, 0]) if h0 is None else h0  # (B, H)
        outs = []
        for z_t, c_t in zip(z.unbind(1), cand.unbind(1)):
            h = (1 - z_t) * h + z_t * c_t  # (B, H)
            outs.append(h)
        return torch.stack(outs, dim=1), h  # (B, T, H), (B, H)


@dataclass(frozen=True)
class MinGRUConfig:
    vocab_size: int
    hidden_size: int = 256  # H: model width and minGRU state size
    num_layers: int = 2  # L
    expansion: int = 2  # MLP width = expansion · H
    dropout: float = 0.0
    scan: str = "parallel"  # path for T > 1; one token at a time always steps sequentially

    def check(self) -> None:
        one_of("scan", self.scan, SCANS)
        whole_numbers(self, "vocab_size", "hidden_size", "num_layers", "expansion")
        fraction(self, "dropout")


class _Block(nn.Module):
    """Pre-norm residual block: x + W·minGRU(norm(x)), then x + MLP(norm(x))."""

    def __init__(self, c: MinGRUConfig):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(c.hidden_size), nn.LayerNorm(c.hidden_size)
        self.rnn = MinGRU(c.hidden_size, c.hidden_size)
        self.proj = nn.Linear(c.hidden_size, c.hidden_size)
        self.mlp = nn.Sequential(nn.Linear(c.hidden_size, c.expansion * c.hidden_size), nn.GELU(),
                                 nn.Linear(c.expansion * c.hidden_size, c.hidden_size))
        self.drop = nn.Dropout(c.dropout)

    def forward(self, x, h0, scan):  # x: (B, T, H), h0: (B, H) or None
        out, h = self.rnn(self.norm1(x), h0, scan)  # (B, T, H), (B, H)
        x = x + self.drop(self.proj(out))
        return x + self.drop(self.mlp(self.norm2(x))), h


class MinGRULM(nn.Module):
    """Character LM on stacked minGRU blocks, behind notebook 03's interface.

    forward(x: (B, T) ids, state: (L, B, H) or None) → logits (B, T, V), state (L, B, H).
    """

    def __init__(self, config: MinGRUConfig | None = None, **kwargs):
        super().__init__()
        config = config or MinGRUConfig(**kwargs)
        config.check()
        self.config = c = config
        self.embedding = nn.Embedding(c.vocab_size, c.hidden_size)
        self.blocks = nn.ModuleList(_Block(c) for _ in range(c.num_layers))
        self.norm = nn.LayerNorm(c.hidden_size)
        self.head = nn.Linear(c.hidden_size, c.vocab_size)

    def forward(self, x: torch.Tensor, state: torch.Tensor | None = None, scan: str | None = None):
        if x.dim() != 2 or x.dtype not in (torch.long, torch.int32):
            raise ValueError(f"x must be token ids of shape (B, T), got {x.dtype} {tuple(x.shape)}")
        scan = scan or (self.config.scan if x.size(1) > 1 else "sequential")
        h = self.embedding(x)  # (B, T, H)
        finals = []
        for i, block in enumerate(self.blocks):
            h, h_last = block(h, None if state is None else state[i], scan)  # (B, T, H), (B, H)
            finals.append(h_last)
        return self.head(self.norm(h)), torch.stack(finals)  # (B, T, V), (L, B, H)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def describe(self) -> dict:
        return {"family": "mingru", **asdict(self.config)}
