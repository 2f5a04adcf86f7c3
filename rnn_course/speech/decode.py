"""Decoding CTC output into words the model knows: a lexicon-constrained Viterbi search.

    words = corpus_words()                            # the 20 words the corpus's transcripts use
    text = lexicon_decode(log_probs, words)           # log_probs: (T', C) one clip's → "three one"

Greedy decoding (:func:`.data.ctc_greedy`) spells: it takes the likeliest character in each frame,
merges repeats and drops blanks, and can produce "fivive" or "threeight". A recognizer for a
known vocabulary instead asks which *sequence of known words* the frames support best: the
likeliest CTC path through a graph that can only spell vocabulary words, separated by spaces.
This is the classic decoder of speech recognition (an acoustic model, a lexicon, a search), here
without a language model: every word may follow every other, with no word preferred.

The graph: each word is spelled as CTC spells a label sequence — an optional blank before, between
and after its characters, a repeated character only across a blank — and every word after the
first starts with the space character. The search is the Viterbi recursion over the graph's states,
one frame at a time, vectorised over states with NumPy.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from .data import BLANK, CHARS, _speech_dir

__all__ = ["corpus_words", "lexicon_decode", "ctc_min_frames"]

_NEG = -1e30


@lru_cache(maxsize=8)
def _graph(words: tuple[str, ...]):
    """The search graph for ``words``: per state its label, its unit (word, first or not), whether
    a word may start or end there, and whether the skip from two states back is allowed."""
    labels, unit, first, start, end, skip = [], [], [], [], [], []
    units = []
    for is_first in (True, False):
        for w in words:
            ids = ([] if is_first else [CHARS.index(" ") + 1]) + [CHARS.index(ch) + 1 for ch in w]
            ext = [BLANK]
            for i in ids:
                ext += [i, BLANK]  # b x1 b x2 … xn b
            u = len(units)
            units.append(w)
            for k, lab in enumerate(ext):
                labels.append(lab)
                unit.append(u)
                first.append(is_first)
                start.append(k <= 1)  # a word is entered at its leading blank or first label
                end.append(k >= len(ext) - 2)  # and left from its last label or trailing blank
                skip.append(k >= 2 and lab != BLANK and lab != ext[k - 2])
    a = lambda v, t=bool: np.array(v, dtype=t)  # noqa: E731
    return units, a(labels, np.int64), a(unit, np.int64), a(first), a(start), a(end), a(skip)


def ctc_min_frames(text: str) -> int:
    """The fewest output frames in which CTC can spell ``text``: one per character, plus a blank
    between two equal characters in a row (``"three"``: t h r e _ e → 6 frames). A model whose
    clip has fewer frames cannot produce the transcript at all, and one with barely more must
    spend nearly every frame on a letter — where fast speech loses words."""
    return len(text) + sum(a == b for a, b in zip(text, text[1:]))


@lru_cache(maxsize=1)
def corpus_words() -> tuple[str, ...]:
    """The words of the training transcripts in ``data/speech/manifest.csv``, sorted: the
    vocabulary the course's models were trained to spell (ten digits, ten commands)."""
    import csv

    with open(_speech_dir() / "manifest.csv", newline="") as f:
        return tuple(sorted({w for r in csv.DictReader(f) if r["split"] == "train" for w in r["text"].split()}))


def lexicon_decode(log_probs, words) -> str:
    """The likeliest sequence of ``words`` (space-separated) for one clip's CTC log-probabilities
    ``log_probs``: (T', C) — a tensor or array; C = len(CHARS) + 1, class 0 the blank."""
    lp = log_probs.detach().cpu().numpy() if torch.is_tensor(log_probs) else np.asarray(log_probs)
    if lp.ndim != 2 or lp.shape[1] != len(CHARS) + 1:
        raise ValueError(f"lexicon_decode takes one clip's log-probabilities (T', C={len(CHARS) + 1}); "
                         f"got shape {lp.shape}")
    words = tuple(sorted(set(words)))
    bad = [w for w in words if not w or any(ch not in CHARS[1:] for ch in w)]
    if bad or not words:
        raise ValueError(f"the vocabulary must be words of the letters a–z and ' only; got {bad or 'none'}")
    units, labels, unit, first, start, end, skip = _graph(words)
    S, T = len(labels), len(lp)
    score = np.where(start & first, lp[0, labels], _NEG)  # (S,) at frame 0: a first word begins
    back = np.zeros((T, S), np.int64)  # the state each state's best path came from
    idx = np.arange(S)
    same1 = np.r_[False, unit[1:] == unit[:-1]]
    same2 = np.r_[False, False, unit[2:] == unit[:-2]] & skip
    entry = start & ~first  # later words are entered from any word's end
    for t in range(1, T):
        cand = np.stack([score,
                         np.where(same1, np.r_[_NEG, score[:-1]], _NEG),
                         np.where(same2, np.r_[_NEG, _NEG, score[:-2]], _NEG)])  # (3, S)
        choice = cand.argmax(0)
        best = cand[choice, idx]
        frm = idx - choice
        ends = np.where(end, score, _NEG)
        e = int(ends.argmax())
        take = entry & (ends[e] > best)
        best = np.where(take, ends[e], best)
        frm = np.where(take, e, frm)
        back[t] = frm
        score = best + lp[t, labels]
    final = np.where(end, score, _NEG)
    s = int(final.argmax())
    if final[s] <= _NEG / 2:
        return ""  # too few frames for any word
    out = []
    for t in range(T - 1, 0, -1):
        p = back[t, s]
        if start[s] and (unit[p] != unit[s] or p > s):  # entered this word from the end of another
            out.append(units[unit[s]])
        s = p
    out.append(units[unit[s]])
    return " ".join(reversed(out))
