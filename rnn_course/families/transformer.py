"""A small causal Transformer language model on torch's own ``nn.TransformerEncoderLayer``.

Positions: **ALiBi** (Press, Smith & Lewis, 2022, "Train Short, Test Long"). No position
embedding at all; each attention head adds −m_h·(i − j) to the score of query i for key j, so
attention prefers recent tokens, each head at its own slope m_h. The bias depends only on the
distance i − j, so a model trained on 128-character windows still runs (and stays sensible)
on 2,000 characters — an absolute position table would have no row for position 129.

Context: ``context=None`` attends to the whole text so far; ``context=W`` is a sliding window
(each token sees itself and the W − 1 before it in every layer; stacked, L layers reach
L·(W − 1) tokens back), which caps the cost per generated token.

Generation state is a **KV cache**: for each layer, the normalised inputs of the tokens a new
query may attend to, (B, S, d). Keys and values are re-projected from it by the layer's own
``self_attn`` (so the code reuses torch's layer untouched); what the cache saves is re-running
every earlier token through every layer. Its size grows with the context — unless a window
caps it — which is the deployment difference from an RNN's fixed-size state.

    x: (B, T) ids → logits: (B, T, V), state: list of L tensors (B, S, d) with S ≤ context
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn
from ..validate import fraction, whole_numbers

__all__ = ["TransformerConfig", "CausalTransformerLM", "alibi_slopes"]


@dataclass(frozen=True)
class TransformerConfig:
    vocab_size: int
    hidden_size: int = 128  # d (d_model)
    num_layers: int = 4  # L
    heads: int = 4
    ff_mult: int = 4  # feed-forward width = ff_mult · d
    dropout: float = 0.0
    context: int | None = None  # W: sliding attention window; None attends to everything so far

    def check(self) -> None:
        whole_numbers(self, "vocab_size", "hidden_size", "num_layers", "heads", "ff_mult")
        if self.hidden_size % self.heads:
            divisors = [h for h in range(1, 17) if self.hidden_size % h == 0]
            raise ValueError(f"heads must divide hidden_size={self.hidden_size}; choose one of {divisors}")
        if self.context is not None and (not isinstance(self.context, int) or self.context < 1):
            raise ValueError(f"context must be a whole number ≥ 1 (a window in tokens) or None (everything), "
                             f"got {self.context!r}")
        fraction(self, "dropout")


def alibi_slopes(heads: int) -> torch.Tensor:
    """The geometric slopes 2^(−8h/heads), h = 1 … heads, of Press et al. (heads,)."""
    return torch.tensor([2.0 ** (-8.0 * h / heads) for h in range(1, heads + 1)])


class CausalTransformerLM(nn.Module):
    """Embedding → L pre-norm ``nn.TransformerEncoderLayer`` with a causal ALiBi mask → norm → head."""

    def __init__(self, config: TransformerConfig | None = None, **kwargs):
        super().__init__()
        config = config or TransformerConfig(**kwargs)
        config.check()
        self.config = c = config
        self.embedding = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(c.hidden_size, c.heads, c.ff_mult * c.hidden_size, c.dropout,
                                       activation="gelu", batch_first=True, norm_first=True)
            for _ in range(c.num_layers))
        self.norm = nn.LayerNorm(c.hidden_size)
        self.head = nn.Linear(c.hidden_size, c.vocab_size)
        self.register_buffer("slopes", alibi_slopes(c.heads), persistent=False)

    def attention_mask(self, T: int, S: int, B: int) -> torch.Tensor:
        """Additive mask for T queries that are the last T of S positions: (B·heads, T, S).

        −inf where key j is in the future of query i (j > i) or outside the window; else the
        ALiBi bias −m_h·(i − j)."""
        i = torch.arange(S - T, S, device=self.slopes.device)[:, None]  # (T, 1) query positions
        j = torch.arange(S, device=self.slopes.device)[None, :]  # (1, S) key positions
        dist = (i - j).float()  # (T, S)
        banned = j > i
        if self.config.context is not None:
            banned = banned | (dist >= self.config.context)
        bias = -self.slopes[:, None, None] * dist  # (heads, T, S)
        bias = bias.masked_fill(banned, float("-inf"))
        return bias.unsqueeze(0).expand(B, -1, -1, -1).reshape(B * self.config.heads, T, S)

    def forward(self, x: torch.Tensor, state: list[torch.Tensor] | None = None):
        if x.dim() != 2 or x.dtype not in (torch.long, torch.int32):
            raise ValueError(f"x must be token ids of shape (B, T), got {x.dtype} {tuple(x.shape)}")
        B, T = x.shape
        h = self.embedding(x)  # (B, T, d)
        past = 0 if state is None else state[0].size(1)
        mask = self.attention_mask(T, past + T, B)  # (B·heads, T, S)
        new_state = []
        for i, layer in enumerate(self.layers):
            # The layer's own pre-norm forward, written out so new tokens can attend to cached ones.
            # (Calling layer(h, src_mask=mask) in eval mode takes torch's fused "fast path", which
            # measured wrong with a per-head float mask here, torch 2.13; this path is the same in
            # training and inference.)
            a = layer.norm1(h)  # (B, T, d): what this layer's attention reads
            kv = a if state is None else torch.cat([state[i], a], dim=1)  # (B, S, d)
            attn = layer.self_attn(a, kv, kv, attn_mask=mask, need_weights=False)[0]  # (B, T, d)
            h = h + layer.dropout1(attn)
            ff = layer.linear2(layer.dropout(layer.activation(layer.linear1(layer.norm2(h)))))
            h = h + layer.dropout2(ff)  # (B, T, d)
            keep = kv.size(1) if self.config.context is None else self.config.context - 1
            new_state.append(kv[:, kv.size(1) - min(keep, kv.size(1)):])  # (B, S', d)
        return self.head(self.norm(h)), new_state  # (B, T, V)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def describe(self) -> dict:
        return {"family": "transformer", **asdict(self.config)}
