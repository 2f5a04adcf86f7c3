"""Text for notebooks 02 and 03: the Shakespeare corpus, tokens, vocabularies, (B, T) windows.

    text = shakespeare("train")                    # str: every training play, in a fixed order
    tokens = words(text)                           # ["first", "citizen", ":", ...]
    vocab = Vocab.build(tokens, max_size=10_000)   # rarer words become <unk>
    x, y = lm_windows(vocab.encode(tokens), steps=35)   # x, y: (N, T); y is x shifted by one

The corpus is split by whole play (``data/shakespeare/plays.csv``), never by shuffled lines,
so validation and test text comes from plays the model has never read.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import torch

from ..paths import data_dir
from ..validate import whole
from ..vocab import Vocab  # the course's one vocabulary (rnn_course.vocab), for word tokens

__all__ = ["plays", "play_text", "shakespeare", "words", "Vocab", "CharVocab", "lm_windows", "SPLITS"]

SPLITS = ("train", "valid", "test")


def _corpus_dir() -> Path:
    folder = data_dir() / "shakespeare"
    if not (folder / "plays.csv").exists():
        raise FileNotFoundError(
            f"the Shakespeare corpus is missing ({folder / 'plays.csv'}). It ships with the course: "
            "restore it with `git checkout -- data/`, or rebuild it with scripts/build_shakespeare.py"
        )
    return folder


def plays(split: str | None = None) -> list[dict]:
    """Rows of ``plays.csv`` (play, title, genre, split, …), optionally for one split."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}; got {split!r}")
    with open(_corpus_dir() / "plays.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r for r in rows if split is None or r["split"] == split]


def play_text(play: str) -> str:
    """The cleaned text of one play, by its slug in ``plays.csv`` (e.g. ``"hamlet"``)."""
    rows = {r["play"]: r for r in plays()}
    if play not in rows:
        raise ValueError(f"no play {play!r}; use one of these slugs (lower case, words joined by '-'): "
                         f"{', '.join(sorted(rows))}")
    return (_corpus_dir() / rows[play]["genre"] / f"{play}.txt").read_text(encoding="utf-8")


def shakespeare(split: str = "train", max_chars: int | None = None) -> str:
    """The cleaned text of every play in ``split``, joined in ``plays.csv`` order.

    ``max_chars`` keeps only the beginning (a contiguous block), for quick experiments.
    """
    whole("max_chars", max_chars, why="characters to keep from the start", or_none=True)
    folder = _corpus_dir()
    texts = [(folder / r["genre"] / f"{r['play']}.txt").read_text(encoding="utf-8") for r in plays(split)]
    text = "\n".join(texts)
    return text if max_chars is None else text[:max_chars]


_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*|[0-9]+|[.,!?;:\-]+")


def words(text: str) -> list[str]:
    """Lower-case words (with inner apostrophes: "ne'er") and punctuation marks as tokens."""
    return _WORD.findall(text.lower())


@dataclass
class CharVocab:
    """Character ↔ index, built from the training text. Unknown characters are an error."""

    itos: list[str]

    def __post_init__(self):
        self.stoi = {c: i for i, c in enumerate(self.itos)}

    @classmethod
    def build(cls, text: str) -> "CharVocab":
        if not isinstance(text, str) or not text:
            raise ValueError(f"CharVocab.build needs the training text as a non-empty string, got {text!r:.40}: "
                             "pass the text the model will learn from, e.g. shakespeare('train')")
        return cls(sorted(set(text)))

    def __len__(self) -> int:
        return len(self.itos)

    def unknown(self, text: str) -> list[str]:
        return sorted(set(text) - set(self.stoi))

    def encode(self, text: str) -> torch.Tensor:
        missing = self.unknown(text)
        if missing:
            raise ValueError(
                f"characters not in the vocabulary: {missing!r}. The model knows {len(self)} characters "
                f"(letters, digits and {''.join(c for c in self.itos if not c.isalnum())!r})"
            )
        return torch.tensor([self.stoi[c] for c in text], dtype=torch.long)

    def decode(self, ids) -> str:
        return "".join(self.itos[int(i)] for i in ids)


def _kind(value) -> str:
    return f"a tensor of shape {tuple(value.shape)}" if torch.is_tensor(value) else f"a {type(value).__name__}"


def lm_windows(ids: torch.Tensor, steps: int, stride: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Cut a token stream into language-modeling examples.

    ids: (N,) → x: (W, T) and y: (W, T) with ``y[w, t] == ids[start_w + t + 1]``: the target at
    every position is the *next* token. Windows start every ``stride`` tokens (default ``steps``:
    no overlap), and every token but the last is an input exactly once when ``stride == steps``.
    """
    if not torch.is_tensor(ids) or ids.dim() != 1:
        raise ValueError(f"ids must be a 1-D tensor of token ids (N,), got {_kind(ids)}: encode the text "
                         "with its vocabulary, e.g. vocab.encode(text)")
    if ids.is_floating_point() or ids.is_complex() or ids.dtype == torch.bool:
        raise ValueError(f"ids must be integer token ids, got a {ids.dtype} tensor: encode the text with its "
                         "vocabulary (vocab.encode(text)), or convert ids with ids.long() if they are whole numbers")
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps (T) must be a whole number ≥ 1, got {steps!r}")
    stride = steps if stride is None else stride
    if not isinstance(stride, int) or stride < 1:
        raise ValueError(f"stride must be a whole number ≥ 1, got {stride!r}")
    if len(ids) < steps + 1:
        raise ValueError(f"the stream has {len(ids)} tokens; a window of T={steps} needs at least {steps + 1}")
    starts = torch.arange(0, len(ids) - steps, stride)  # (W,)
    offsets = torch.arange(steps)  # (T,)
    idx = starts[:, None] + offsets[None, :]  # (W, T)
    return ids[idx], ids[idx + 1]
