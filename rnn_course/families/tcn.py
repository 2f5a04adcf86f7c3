"""A causal temporal convolutional network (TCN) language model (after Bai, Kolter & Koltun, 2018).

Each layer is a 1-D convolution over time that only looks *back*: the input is padded on the
left by (k − 1)·d, so the output at step t reads steps t, t − d, …, t − (k − 1)·d. Dilations
double from layer to layer (1, 2, 4, …), so the **receptive field** — how far back the output at
step t can see — grows exponentially with depth:

    receptive field = 1 + (k − 1) · (1 + 2 + … + 2^(L−1)) = 1 + (k − 1)(2^L − 1)

Beyond it the model is blind, however it is trained. Layers are gated (tanh ⊙ σ, as in WaveNet)
and residual.

Generation keeps, for every layer, the last (k − 1)·d inputs that layer has seen: that cache is
the TCN's "state", of fixed size, so each new token costs one column of every convolution —
O(1) in the length of the text, like an RNN (the "fast WaveNet" trick).

    x: (B, T) ids → logits: (B, T, V), state: list of L tensors (B, C, (k − 1)·d_l)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn
from ..validate import fraction, whole_numbers

__all__ = ["TCNConfig", "TCNLM", "CausalConvBlock"]


@dataclass(frozen=True)
class TCNConfig:
    vocab_size: int
    hidden_size: int = 128  # C: channels
    num_layers: int = 6  # L: dilations 1, 2, 4, …, 2^(L−1)
    kernel_size: int = 3  # k
    dropout: float = 0.0

    def check(self) -> None:
        whole_numbers(self, "vocab_size", "hidden_size", "num_layers")
        if not isinstance(self.kernel_size, int) or self.kernel_size < 2:
            raise ValueError(f"kernel_size must be a whole number ≥ 2 (a kernel of 1 never looks back), "
                             f"got {self.kernel_size!r}")
        if self.num_layers > 16:
            raise ValueError(f"num_layers={self.num_layers} gives dilations up to 2^{self.num_layers - 1}; "
                             "use at most 16")
        fraction(self, "dropout")

    @property
    def receptive_field(self) -> int:
        return 1 + (self.kernel_size - 1) * (2 ** self.num_layers - 1)


class CausalConvBlock(nn.Module):
    """x + W·(tanh(conv_a(x)) ⊙ σ(conv_b(x))) with a left-padded dilated convolution.

    x: (B, C, T), past: (B, C, P) or None (zeros) with P = (k − 1)·d → y (B, C, T), past' (B, C, P)
    """

    def __init__(self, channels: int, kernel_size: int, dilation: int, dropout: float = 0.0):
        super().__init__()
        self.pad = (kernel_size - 1) * dilation  # P
        self.conv = nn.Conv1d(channels, 2 * channels, kernel_size, dilation=dilation)
        self.out = nn.Conv1d(channels, channels, 1)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, past: torch.Tensor | None = None):
        if past is None:
            past = x.new_zeros(x.size(0), x.size(1), self.pad)  # (B, C, P): nothing before t = 0
        xp = torch.cat([past, x], dim=2)  # (B, C, P + T)
        a, b = self._dilated(xp, x.size(2)).chunk(2, dim=1)  # (B, C, T) each: output t reads xp[t … t + P]
        y = x + self.drop(self.out(torch.tanh(a) * torch.sigmoid(b)))  # (B, C, T)
        return y, xp[:, :, xp.size(2) - self.pad:]  # the last P inputs, for the next call


    def _dilated(self, xp: torch.Tensor, T: int) -> torch.Tensor:
        """``self.conv(xp)`` computed as one matrix product over the k shifted copies of xp.

        Same numbers as the dilated Conv1d; PyTorch's CPU kernel for *dilated* convolutions
        (``slow_conv_dilated2d``) measured 10–50× slower here, worst for one-token steps."""
        k, d = self.conv.kernel_size[0], self.conv.dilation[0]
        taps = torch.cat([xp[:, :, i * d: i * d + T] for i in range(k)], dim=1)  # (B, k·C, T)
        w = self.conv.weight.permute(0, 2, 1).reshape(self.conv.out_channels, -1)  # (2C, k·C), tap-major
        return torch.matmul(w, taps) + self.conv.bias[:, None]  # (B, 2C, T)


class TCNLM(nn.Module):
    """Embedding → L causal dilated gated residual blocks → LayerNorm → linear over the vocabulary."""

    def __init__(self, config: TCNConfig | None = None, **kwargs):
        super().__init__()
        config = config or TCNConfig(**kwargs)
        config.check()
        self.config = c = config
        self.embedding = nn.Embedding(c.vocab_size, c.hidden_size)
        self.blocks = nn.ModuleList(CausalConvBlock(c.hidden_size, c.kernel_size, 2 ** i, c.dropout)
                                    for i in range(c.num_layers))
        self.norm = nn.LayerNorm(c.hidden_size)
        self.head = nn.Linear(c.hidden_size, c.vocab_size)

    @property
    def receptive_field(self) -> int:
        """How many steps back (including the current one) the output at step t can see."""
        return self.config.receptive_field

    def forward(self, x: torch.Tensor, state: list[torch.Tensor] | None = None):
        if x.dim() != 2 or x.dtype not in (torch.long, torch.int32):
            raise ValueError(f"x must be token ids of shape (B, T), got {x.dtype} {tuple(x.shape)}")
        h = self.embedding(x).transpose(1, 2)  # (B, T, C) → (B, C, T): Conv1d wants channels first
        new_state = []
        for i, block in enumerate(self.blocks):
            h, past = block(h, None if state is None else state[i])  # (B, C, T)
            new_state.append(past)
        return self.head(self.norm(h.transpose(1, 2))), new_state  # (B, T, V)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def describe(self) -> dict:
        return {"family": "tcn", **asdict(self.config), "receptive_field": self.receptive_field}
