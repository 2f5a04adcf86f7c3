"""Tokens, vocabularies and (B, T) tensors for notebook 04 — and reading a Tatoeba/Anki file.

    tokenize("je n'aime pas l'arbre .", "fr")             # ['je', "n'", 'aime', 'pas', "l'", 'arbre', '.']
    src_vocab = Vocab.build((tokenize(p.en, "en") for p in pairs), specials=SPECIAL_TOKENS)  # rnn_course.vocab
    data = make_tensors(pairs, src_vocab, tgt_vocab)      # src, src_len, tgt_in, tgt_out

:func:`tokenize` splits French after an apostrophe ("l'" "arbre"), so an attention map shows
"l'" looking at "the". The sentence pairs themselves come from :mod:`.grammar`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

import torch

from ..validate import whole
from ..vocab import Vocab
from .grammar import Pair

__all__ = ["tokenize", "detokenize", "make_tensors", "load_tatoeba_tsv"]

_TOKENS = {
    "en": re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+|[^\w\s]"),  # keeps "don't" whole
    "fr": re.compile(r"aujourd'hui|[^\W\d_]+(?:-[^\W\d_]+)*'?|\d+|[^\w\s]"),  # "l'arbre" → "l'" "arbre"
}


def tokenize(sentence: str, lang: str) -> list[str]:
    """Lower-case tokens; punctuation on its own; French split after an apostrophe (j' aime, l' arbre)."""
    if lang not in _TOKENS:
        raise ValueError(f"lang must be 'en' or 'fr', got {lang!r}")
    return _TOKENS[lang].findall(sentence.lower().replace("’", "'"))



def detokenize(tokens: Sequence[str]) -> str:
    """French tokens → text: a token ending in an apostrophe joins the next ("l'" "arbre" → "l'arbre")."""
    text = ""
    for t in tokens:
        text += t if (not text or text.endswith("'")) else " " + t
    return text



def _en_fr(pair) -> tuple[str, str]:
    if isinstance(pair, Pair):
        return pair.en, pair.fr
    if isinstance(pair, (tuple, list)) and len(pair) == 2 and all(isinstance(t, str) for t in pair):
        return pair[0], pair[1]
    raise ValueError(f"each pair must be a Pair or an (English, French) tuple of two strings, got {pair!r:.60}: "
                     "give pairs such as ('the cat .', 'le chat .')")


def make_tensors(pairs, src_vocab: Vocab, tgt_vocab: Vocab, max_len: int | None = None):
    """Pairs → ``(src, src_len, tgt_in, tgt_out)``, padded with <pad> (id 0) to the longest sentence.

    src: (N, T_src) English ids; src_len: (N,); tgt_in: (N, T_tgt) = <bos> + French ids;
    tgt_out: (N, T_tgt) = French ids + <eos> — the same words shifted by one (teacher forcing).
    :func:`seq2seq_loss` trims each batch to its own longest sentence, so the Trainer can slice
    these tensors directly.
    """
    texts = [_en_fr(p) for p in pairs]  # Pair objects or plain (English, French) tuples
    if max_len is not None:
        whole("max_len", max_len, why="tokens kept per sentence; None keeps them all", or_none=True)
    src = [src_vocab.encode(tokenize(en, "en")).tolist() for en, _ in texts]
    tgt = [tgt_vocab.encode(tokenize(fr, "fr")).tolist() for _, fr in texts]
    if not src:
        raise ValueError("no pairs to encode")
    for lang, vocab, ids in (("English", src_vocab, src), ("French", tgt_vocab, tgt)):
        known = sum(i != vocab.unk for s in ids for i in s) / max(sum(map(len, ids)), 1)
        if known < 0.5:
            raise ValueError(f"the {lang} vocabulary knows only {known:.0%} of the {lang} words: is it the other "
                             "language's? Pass make_tensors(pairs, src_vocab, tgt_vocab), English first (the "
                             "model's own: model.src_vocab, model.tgt_vocab)")
    if any(not s for s in src):
        raise ValueError("an English sentence has no tokens; remove empty pairs first")
    S = max(len(s) for s in src) if max_len is None else max_len
    T = max(len(t) for t in tgt) + 1 if max_len is None else max_len + 1
    x = torch.zeros(len(pairs), S, dtype=torch.long)  # (N, T_src), 0 = <pad>
    y_in = torch.zeros(len(pairs), T, dtype=torch.long)  # (N, T_tgt)
    y_out = torch.zeros(len(pairs), T, dtype=torch.long)
    for i, (s, t) in enumerate(zip(src, tgt)):
        s, t = s[:S], t[:T - 1]
        x[i, :len(s)] = torch.tensor(s)
        y_in[i, :len(t) + 1] = torch.tensor([tgt_vocab.bos, *t])
        y_out[i, :len(t) + 1] = torch.tensor([*t, tgt_vocab.eos])
    lengths = torch.tensor([min(len(s), S) for s in src])  # (N,)
    return x, lengths, y_in, y_out



def load_tatoeba_tsv(path, max_pairs: int | None = None) -> list[Pair]:
    """Pairs from a Tatoeba/Anki export ("fra.txt": ``English<TAB>French[<TAB>attribution]`` per line).

    Text is kept as written (use :func:`tokenize`); blank lines are skipped; features hold the
    line number and attribution. The course never downloads this file.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no sentence-pair file at {path}. Download fra-eng.zip from "
                                "https://www.manythings.org/anki/ and unzip fra.txt (the course never downloads it)")
    if max_pairs is not None and (not isinstance(max_pairs, int) or max_pairs < 1):
        raise ValueError(f"max_pairs must be a whole number ≥ 1 or None, got {max_pairs!r}")
    pairs = []
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8").removeprefix("\ufeff").rstrip("\r\n")
            except UnicodeDecodeError:
                raise ValueError(f"{path}, line {lineno}: not UTF-8 text; re-save the file as UTF-8") from None
            if not line.strip():
                continue
            cols = line.split("\t")
            if len(cols) not in (2, 3) or not cols[0].strip() or not cols[1].strip():
                raise ValueError(f"{path}, line {lineno}: expected 'English<TAB>French[<TAB>attribution]', "
                                 f"got {len(cols)} column(s): {line[:60]!r}. Use a tab character between the English "
                                 "and the French (not commas or spaces), one pair per line")
            features = {"source": "tatoeba", "line": lineno, "attribution": cols[2].strip() if len(cols) == 3 else None}
            pairs.append(Pair(cols[0].strip(), cols[1].strip(), features))
            if max_pairs is not None and len(pairs) >= max_pairs:
                break
    return pairs
