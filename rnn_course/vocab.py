"""Tokens ↔ ids: the one vocabulary of the course (word LMs in 02, translation in 04, the capstone).

    vocab = Vocab.build(words, max_size=10_000)                         # ids: <unk>, then by frequency
    src_vocab = Vocab.build(sentences, specials=SPECIAL_TOKENS)          # <pad> <bos> <eos> <unk> first
    ids = vocab.encode(["the", "cat"])                                   # (N,) int64; unknown → <unk>
    vocab.decode(ids)                                                    # ['the', 'cat']

The special tokens come first, then the tokens seen at least ``min_count`` times, most frequent
first (ties alphabetical), up to ``max_size`` ids in all. ``Vocab(itos)`` rebuilds a vocabulary
from its list — how the shipped checkpoints store theirs: the word LM's starts with ``<unk>``,
the translation models' with ``<pad> <bos> <eos> <unk>``; the specials are read off that list.
Characters have their own :class:`rnn_course.language.data.CharVocab` (an unknown character is an
error there, not ``<unk>``).
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence

import torch

__all__ = ["Vocab", "PAD", "BOS", "EOS", "UNK", "SPECIAL_TOKENS"]

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
SPECIAL_TOKENS = (PAD, BOS, EOS, UNK)  # what a sequence-to-sequence model needs; a word LM needs only UNK


def _not_text(tokens, call: str, wanted: str) -> None:
    """A string is an iterable of characters, never what a word vocabulary wants: refuse it by name."""
    if isinstance(tokens, str):
        raise ValueError(f"{call} takes {wanted}, got the string {tokens[:40]!r}, which it would read one "
                         "character at a time: split it into tokens first, e.g. text.split() or words(text)")


class Vocab:
    """Tokens ↔ ids. ``unk`` is the id of ``<unk>``; ``pad``, ``bos`` and ``eos`` are ids, or None when
    the vocabulary has no such token."""

    def __init__(self, itos: Sequence[str]):
        itos = list(itos)
        n_special = next((i for i, t in enumerate(itos) if t not in SPECIAL_TOKENS), len(itos))
        self.specials = tuple(itos[:n_special])
        if UNK not in self.specials:
            raise ValueError(f"a vocabulary starts with its special tokens, <unk> among them "
                             f"(for example {SPECIAL_TOKENS}); got {tuple(itos[:4])}")
        self.itos = itos
        self.stoi = {t: i for i, t in enumerate(itos)}
        if len(self.stoi) != len(itos):
            twice = sorted({t for t in itos if itos.count(t) > 1})[:5]
            raise ValueError(f"a vocabulary cannot list a token twice: {twice}")
        self.pad, self.bos, self.eos, self.unk = (self.stoi.get(t) for t in SPECIAL_TOKENS)

    @classmethod
    def build(cls, tokens: Iterable[str] | Iterable[Sequence[str]], *, max_size: int | None = None,
              min_count: int = 1, specials: Sequence[str] = (UNK,)) -> "Vocab":
        """From ``tokens`` (a stream of tokens, or of sentences that are lists of tokens)."""
        specials = tuple(specials)
        if UNK not in specials or any(t not in SPECIAL_TOKENS for t in specials):
            raise ValueError(f"specials must include {UNK!r} and come from {SPECIAL_TOKENS}, got {specials}")
        if max_size is not None and (not isinstance(max_size, int) or isinstance(max_size, bool)
                                     or max_size <= len(specials)):
            raise ValueError(f"max_size must be a whole number above {len(specials)} (the special tokens plus "
                             f"at least one token), or None; got {max_size!r}")
        if not isinstance(min_count, int) or isinstance(min_count, bool) or min_count < 1:
            raise ValueError(f"min_count must be a whole number ≥ 1, got {min_count!r}")
        _not_text(tokens, "Vocab.build", "a list of tokens (or of sentences as lists of tokens)")
        counts = Counter()
        for item in tokens:
            if isinstance(item, str):
                counts[item] += 1
            else:
                counts.update(item)
        ranked = sorted((t for t, c in counts.items() if c >= min_count and t not in SPECIAL_TOKENS),
                        key=lambda t: (-counts[t], t))
        if max_size is not None:
            ranked = ranked[: max_size - len(specials)]
        return cls([*specials, *ranked])

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def encode(self, tokens: Sequence[str]) -> torch.Tensor:
        """(N,) int64 ids; a token outside the vocabulary becomes ``<unk>``."""
        _not_text(tokens, "encode", "a list of tokens")
        return torch.tensor([self.stoi.get(t, self.unk) for t in tokens], dtype=torch.long)

    def decode(self, ids: Iterable[int], strip: bool = True) -> list[str]:
        """Ids → tokens; with ``strip``, stop at ``<eos>`` and drop ``<pad>`` and ``<bos>``."""
        out = []
        for i in ids:
            if not 0 <= int(i) < len(self.itos):
                raise ValueError(f"id {int(i)} is not in this vocabulary, whose ids run from 0 to {len(self.itos) - 1}: "
                                 "decode ids with the vocabulary that encoded them (or the model's own, model.vocab)")
            tok = self.itos[int(i)]
            if strip and tok == EOS:
                break
            if not (strip and tok in (PAD, BOS)):
                out.append(tok)
        return out

    def unknown(self, tokens: Sequence[str]) -> list[str]:
        """The tokens this vocabulary does not know (each would become ``<unk>``)."""
        return [t for t in tokens if t not in self.stoi]

    def coverage(self, tokens: Sequence[str]) -> float:
        """Share of ``tokens`` the vocabulary knows."""
        return sum(t in self.stoi for t in tokens) / max(len(tokens), 1)

    def __repr__(self) -> str:
        return f"Vocab({len(self):,} tokens, specials {self.specials})"
