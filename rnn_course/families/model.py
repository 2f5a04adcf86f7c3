"""One option picks the sequence-model family (notebook 08); every family speaks notebook 03's
character-LM interface, so ``Trainer`` + ``lm_loss``, ``generate``, the dashboard and
``diagnose(causal=True)`` work on each unchanged:

    model = make_lm("tcn", vocab_size=63, hidden_size=128, num_layers=6)
    logits, state = model(x)            # x: (B, T) ids → logits (B, T, V)
    logits, state = model(x_next, state)  # carry the state: one new token costs O(1) … or not

======================  =========================================  ===========================
family                  state carried between calls                cost per generated token
======================  =========================================  ===========================
rnn / lstm / gru        h_n (L, B, H) [LSTM: (h_n, c_n)]           constant
mingru                  h (L, B, H)                                constant
tcn                     last (k − 1)·d inputs per layer            constant (≤ receptive field)
transformer             KV cache (B, S, d) per layer               grows with S (≤ context)
======================  =========================================  ===========================
"""

from __future__ import annotations

from dataclasses import fields

from torch import nn

from ..language.data import CharVocab, lm_windows, play_text, plays, shakespeare
from ..language.model import CELLS, LMConfig, RecurrentLM
from .mingru import MinGRUConfig, MinGRULM
from .tcn import TCNConfig, TCNLM
from .transformer import CausalTransformerLM, TransformerConfig

__all__ = ["FAMILIES", "make_lm", "family_of", "RECURRENT", "FAMILY_SETTINGS", "build", "char_lm_data"]

# family → (config class, model class)
FAMILIES = {
    **{cell: (LMConfig, RecurrentLM) for cell in CELLS},
    "mingru": (MinGRUConfig, MinGRULM),
    "tcn": (TCNConfig, TCNLM),
    "transformer": (TransformerConfig, CausalTransformerLM),
}
RECURRENT = ("rnn", "lstm", "gru", "mingru")  # a fixed-size state: flat cost per token


def make_lm(family: str, vocab_size: int, **options) -> nn.Module:
    """Build a character LM of ``family``; ``options`` are that family's config fields.

    A bad family or an option the family does not have raises ``ValueError`` naming the valid
    choices, before any weights are made.
    """
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}; got {family!r}")
    config_cls, model_cls = FAMILIES[family]
    valid = [f.name for f in fields(config_cls) if f.name not in ("vocab_size", "cell")]
    unknown = sorted(set(options) - set(valid))
    if unknown:
        raise ValueError(f"{family} has no option(s) {unknown}; its options are: {', '.join(valid)}")
    if config_cls is LMConfig:
        options = {"cell": family, "dropout": 0.0, **options}
    config = config_cls(vocab_size=vocab_size, **options)
    config.check()
    return model_cls(config)


def family_of(model: nn.Module) -> str:
    """The family name of a model built by ``make_lm`` (or a ``RecurrentLM``)."""
    if isinstance(model, RecurrentLM):
        return model.config.cell
    for name, (_, cls) in FAMILIES.items():
        if type(model) is cls:
            return name
    raise ValueError(f"{type(model).__name__} is not one of the course's LM families ({', '.join(FAMILIES)})")


# The equal-budget line-up: sizes a 2-core laptop trains in minutes, close to the line-up;
# learning rates are common Adam defaults per family, not tuned here (tuning would favour whichever
# family got the most trials). hidden_size is H (RNNs), channels (TCN) or d (Transformer).
FAMILY_SETTINGS = {
    "lstm": (dict(embedding_dim=64, hidden_size=256), 4e-3),
    "gru": (dict(embedding_dim=64, hidden_size=256), 4e-3),
    "tcn": (dict(hidden_size=128, num_layers=6, kernel_size=3), 2e-3),
    "transformer": (dict(hidden_size=128, num_layers=4, heads=4), 1e-3),
    "mingru": (dict(hidden_size=192, num_layers=2), 3e-3),
}


def build(family: str, vocab_size: int, **overrides) -> tuple[nn.Module, float]:
    """The line-up's model of ``family`` (with ``overrides``) and its learning rate."""
    if family not in FAMILY_SETTINGS:
        raise ValueError(f"family must be one of {', '.join(FAMILY_SETTINGS)}; got {family!r}")
    options, lr = FAMILY_SETTINGS[family]
    return make_lm(family, vocab_size, **{**options, **overrides}), lr


def char_lm_data(steps: int = 128, valid_chars: int | None = 10_000):
    """Notebook 03's split: train on the training plays; validate on the validation plays
    (the first ``valid_chars`` of each, or whole plays with None). Returns vocab, (x, y) train,
    (x, y) valid, all (N, T) windows."""
    train_text = shakespeare("train")
    vocab = CharVocab.build(train_text)
    valid = "".join(play_text(r["play"])[:valid_chars] for r in plays("valid"))
    return vocab, lm_windows(vocab.encode(train_text), steps), lm_windows(vocab.encode(valid), steps)
