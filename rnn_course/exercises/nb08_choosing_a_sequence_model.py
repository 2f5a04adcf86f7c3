"""Notebook 08, choosing a sequence model: its exercises, registered in the order the notebook asks them."""

from __future__ import annotations

from .answers import as_whole
from .core import exercise


@exercise("08-receptive-field", 1, (
    "each layer with kernel k and dilation d sees (k − 1)·d more steps back; count the current step "
    "too."
))
def _receptive_field(answer):
    # TCN: kernel_size 3, 5 layers with dilations 1, 2, 4, 8, 16
    got = as_whole(answer, "a whole number of steps")
    if got == 63:
        return True, "1 + (3 − 1)·(1 + 2 + 4 + 8 + 16) = 63: each layer adds (k − 1)·d steps of history."
    if got == 62:
        return False, "count the current step too: the output at t reads t itself plus 62 steps back."
    if got in (11, 10):
        return False, "with dilation d a kernel of 3 spans 2·d steps, not 2: the dilations double layer by layer."
    return False, "receptive field = 1 + (k − 1) · Σ dilations, with dilations 1, 2, 4, 8, 16."


@exercise("08-state-bytes", 2, (
    "a GRU carries h: (L, B, H) from token to token, whatever the context length; a float32 takes 4 "
    "bytes."
))
def _state_bytes(answer):
    # nn.GRU(64, 256, batch_first=True), float32, batch 1, after 2,000 tokens of context
    got = as_whole(answer, "a whole number of bytes")
    if got == 1024:
        return True, "h: (L, B, H) = (1, 1, 256) float32 = 1,024 bytes — the same at 20 tokens or 20,000."
    if got == 2000 * 256 * 4:
        return False, "the GRU keeps one state, not one per token: that growth is a Transformer's KV cache."
    if got == 256:
        return False, "that is the number of values; each float32 takes 4 bytes."
    return False, "the state is h: (L, B, H); multiply the sizes and 4 bytes per float32."
