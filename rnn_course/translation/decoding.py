"""Decoding and translating text (notebook 04): from a trained :class:`~.model.Seq2Seq` to French.

Decoding: :func:`greedy_decode` (batched; stops each sentence at <eos>) and :func:`beam_search`
(one sentence, ``beam`` hypotheses). Beam scores are summed log-probabilities divided by
``length ** length_penalty``; the default ``length_penalty=0`` ranks by the model's own
log-probability (no normalisation), which is what makes width 1 identical to greedy and lets
beam search be compared with greedy on the model's own terms. Beam search is a heuristic: it
usually finds a more probable translation than greedy, but can in principle miss one.
"""

from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import torch

from ..validate import is_number, whole
from .data import detokenize, make_tensors, tokenize
from .model import TRAINED_MAX_TOKENS, ArticleSeq2Seq, Seq2Seq, article_greedy

__all__ = ["greedy_decode", "beam_search", "Hypothesis", "Translation", "translate", "translate_pairs",
           "long_input_warning", "MAX_OUTPUT", "LONG_INPUT"]

MAX_OUTPUT = 1_000  # output tokens a decoding may ask for: a model that never says <eos> stops there
LONG_INPUT = 3  # translate warns on a sentence longer than this many times the longest training sentence


# --------------------------------------------------------------------------------------- decoding
def _check_max_len(max_len) -> None:
    whole("max_len", max_len, why="the most tokens the translation may have; the default is 30")
    if max_len > MAX_OUTPUT:
        raise ValueError(f"max_len={max_len:,} is more than the {MAX_OUTPUT:,} tokens a translation may have; "
                         "the default, 30, is longer than the corpus's sentences")


@torch.no_grad()
def greedy_decode(model: Seq2Seq, src: torch.Tensor, src_len: torch.Tensor, max_len: int = 30):
    """Pick the most probable word at every step; a sentence stops at its first <eos>.

    src (B, T_src), src_len (B,) → (list of B id lists without <eos>, attention (B, T_out, T_src) or None,
    log-probabilities (B,) of each output including its <eos>).
    """
    _check_max_len(max_len)
    was_training = model.training
    model.eval()
    bos, eos = 1, 2
    memory, h, mask = model.encode(src, src_len)
    keys = model.keys_for(memory)
    B = src.shape[0]
    y = torch.full((B, 1), bos, dtype=torch.long, device=src.device)  # (B, 1)
    done = torch.zeros(B, dtype=torch.bool, device=src.device)
    out, attn, score = [], [], torch.zeros(B, device=src.device)
    for _ in range(max_len):
        logits, h, w = model.decode(y, h, memory, mask, keys)  # (B, 1, V)
        logp = torch.log_softmax(logits[:, 0], dim=-1)  # (B, V)
        best, y = logp.max(dim=-1)  # (B,)
        score += torch.where(done, torch.zeros_like(best), best)
        out.append(torch.where(done, torch.full_like(y, eos), y))
        if w is not None:
            attn.append(w)
        done |= y == eos
        y = y.unsqueeze(1)  # (B, 1)
        if bool(done.all()):
            break
    model.train(was_training)
    ids = torch.stack(out, dim=1).tolist()  # (B, T_out)
    seqs = [row[:row.index(eos)] if eos in row else row for row in ids]
    return seqs, (torch.cat(attn, dim=1) if attn else None), score


class Hypothesis(NamedTuple):
    ids: list  # output word ids, without <bos>/<eos>
    logprob: float  # sum of log-probabilities, <eos> included
    score: float  # logprob / length ** length_penalty: what the beam ranks by
    attention: torch.Tensor | None  # (T_out, T_src)


@torch.no_grad()
def beam_search(model: Seq2Seq, src: torch.Tensor, src_len: torch.Tensor, beam: int = 4, max_len: int = 30,
                length_penalty: float = 0.0, keep_greedy: bool = True) -> list[Hypothesis]:
    """Keep the ``beam`` best partial translations of one sentence; return the finished ones, best first.

    src (1, T_src), src_len (1,). At every step each live hypothesis is extended by every word;
    the ``beam`` best of those candidates are kept, and those ending in <eos> are finished.
    The search stops when ``beam`` hypotheses are finished, when no live one can still beat the
    best finished one (log-probabilities only fall as words are added), or after ``max_len`` steps.

    Score = log-probability / length ** ``length_penalty`` (length counts <eos>). With 0 (the
    default) the score is the model's log-probability; 1 is the mean per word, which stops
    the search favouring short outputs. ``beam=1`` follows exactly the words greedy picks.
    """
    whole("beam", beam)
    if not is_number(length_penalty):
        raise ValueError(f"length_penalty must be a number (0: the model's log-probability, 1: per word), "
                         f"got {length_penalty!r}")
    _check_max_len(max_len)
    if src.shape[0] != 1:
        raise ValueError(f"beam_search translates one sentence: src must be (1, T_src), got {tuple(src.shape)}")
    was_training = model.training
    model.eval()
    bos, eos = 1, 2
    memory, h, mask = model.encode(src, src_len)  # (1, T_src, D·H), (1, 1, H), (1, T_src)
    keys = model.keys_for(memory)

    def norm(logprob, length):
        return logprob / (length ** length_penalty) if length_penalty else logprob

    live = [([], 0.0, [])]  # (ids, logprob, attention rows)
    y = torch.tensor([[bos]], device=src.device)  # (K, 1), K live hypotheses
    finished: list[Hypothesis] = []
    if keep_greedy and beam > 1:
        seqs, att, score = greedy_decode(model, src, src_len, max_len)
        n = min(len(seqs[0]) + 1, max_len)  # steps taken: the words and the <eos>, unless it ran out
        finished.append(Hypothesis(seqs[0], float(score[0]), norm(float(score[0]), n),
                                   att[0, :n] if att is not None else None))
    for step in range(max_len):
        K = len(live)
        logits, h_new, w = model.decode(y, h, memory.expand(K, -1, -1), mask.expand(K, -1),
                                        None if keys is None else keys.expand(K, -1, -1))
        logp = torch.log_softmax(logits[:, 0], dim=-1)  # (K, V)
        total = torch.tensor([lp for _, lp, _ in live], device=logp.device)[:, None] + logp  # (K, V)
        # the beam best candidates overall: those ending in <eos> are finished …
        top = total.flatten().topk(min(beam, total.numel()))
        for value, flat in zip(top.values.tolist(), top.indices.tolist()):
            k, word = divmod(flat, logp.shape[1])
            if word == eos:
                ids, _, rows = live[k]
                rows = rows + ([w[k, 0]] if w is not None else [])
                finished.append(Hypothesis(ids, value, norm(value, len(ids) + 1), torch.stack(rows) if rows else None))
        # … and the beam best that do not end there stay alive, so the beam never shrinks
        total[:, eos] = -math.inf
        top = total.flatten().topk(min(beam, total.numel()))
        keep = []
        for value, flat in zip(top.values.tolist(), top.indices.tolist()):
            k, word = divmod(flat, logp.shape[1])
            ids, _, rows = live[k]
            keep.append((k, ids + [word], value, rows + ([w[k, 0]] if w is not None else [])))
        if finished and length_penalty == 0 and max(f.logprob for f in finished) >= keep[0][2]:
            break  # log-probabilities only fall as words are added: no live hypothesis can do better
        if length_penalty != 0 and len(finished) >= beam:
            break
        live = [(ids, value, rows) for _, ids, value, rows in keep]
        y = torch.tensor([[ids[-1]] for ids, _, _ in live], device=src.device)  # (K, 1)
        h = h_new[:, [k for k, _, _, _ in keep]]  # (1, K, H)
    else:
        for ids, value, rows in live:  # out of steps: unfinished hypotheses count as they are
            finished.append(Hypothesis(ids, value, norm(value, len(ids)), torch.stack(rows) if rows else None))
    model.train(was_training)
    unique = {tuple(f.ids): f for f in sorted(finished, key=lambda f: f.score)}  # the best copy of each
    return sorted(unique.values(), key=lambda f: -f.score)


# ------------------------------------------------------------------------------ one sentence, by text
class Translation(NamedTuple):
    source: list  # English tokens
    tokens: list  # French tokens, without <eos>
    text: str  # detokenized French
    attention: torch.Tensor | None  # (T_out + 1, T_src): one row per output token and the <eos>
    logprob: float
    warning: str | None = None  # set when the sentence is far longer than any the model trained on


def long_input_warning(model: Seq2Seq, n_tokens: int) -> str | None:
    """A warning for a sentence of ``n_tokens`` more than ``LONG_INPUT`` times the longest the model
    trained on (``model.max_src_len``, else ``TRAINED_MAX_TOKENS``), or None."""
    longest = getattr(model, "max_src_len", None) or TRAINED_MAX_TOKENS
    if n_tokens <= LONG_INPUT * longest:
        return None
    return (f"this sentence has {n_tokens} tokens, more than {LONG_INPUT}× the longest the model trained on "
            f"({longest}): expect a short or garbled translation. Translate it in sentences of up to {longest} tokens.")


def _check_sentence(model, sentence: str) -> list[str]:
    if model.src_vocab is None or model.tgt_vocab is None:
        raise ValueError("this model has no vocabularies: build it with Seq2Seq(config, src_vocab, tgt_vocab)")
    if isinstance(sentence, (list, tuple)):
        raise ValueError(f"translate takes one sentence (a str), got a {type(sentence).__name__} of {len(sentence)}: "
                         "translate them one at a time, e.g. [translate(model, s).text for s in sentences]")
    if not isinstance(sentence, str):
        raise ValueError(f"the sentence must be text (a str), got {type(sentence).__name__}: type an English "
                         "sentence in quotes, e.g. 'the black cat is happy .'")
    if not sentence.strip():
        raise ValueError("the input is empty: type an English sentence, e.g. 'the black cat is happy .'")
    tokens = tokenize(sentence, "en")
    if not tokens:
        raise ValueError(f"no words in {sentence!r}: type an English sentence, e.g. 'the black cat is happy .'")
    unknown = model.src_vocab.unknown(tokens)
    if unknown:
        known = ", ".join(t for t in model.src_vocab.itos[4:14])
        raise ValueError(f"not in the model's English vocabulary: {', '.join(repr(u) for u in dict.fromkeys(unknown))}. "
                         f"Rephrase with words it knows: {len(model.src_vocab) - 4} words, such as {known} …")
    return tokens


def translate(model: Seq2Seq, sentence: str, beam: int = 1, max_len: int = 30,
              length_penalty: float = 0.0) -> Translation:
    """Translate one English sentence; ``beam=1`` is greedy. Lower-cased; a final " ." is added if missing.

    Raises ``ValueError`` for an empty sentence, words the model never saw (naming them) or a
    ``max_len`` outside 1 … ``MAX_OUTPUT``. A sentence far longer than any in training is translated
    with a ``UserWarning``, also kept in ``.warning`` (see :func:`long_input_warning`).
    """
    tokens = _check_sentence(model, sentence)
    _check_max_len(max_len)
    if tokens[-1] not in (".", "?", "!"):
        tokens.append(".")  # the corpus always ends with " ."
    warning = long_input_warning(model, len(tokens))
    if warning:
        warnings.warn(warning, stacklevel=2)
    device = next(model.parameters()).device
    src = model.src_vocab.encode(tokens)[None].to(device)  # (1, T_src)
    src_len = torch.tensor([len(tokens)])
    best = beam_search(model, src, src_len, beam=beam, max_len=max_len, length_penalty=length_penalty)[0]
    out = model.tgt_vocab.decode(best.ids)
    return Translation(tokens, out, detokenize(out), best.attention, best.logprob, warning)




def translate_pairs(model, pairs, beam: int = 1, batch_size: int = 500) -> list[str]:
    """Translate the English side of ``pairs`` (greedy in batches, or beam search sentence by sentence)."""
    out = []
    for start in range(0, len(pairs), batch_size):
        chunk = pairs[start:start + batch_size]
        src, src_len, _, _ = make_tensors(chunk, model.src_vocab, model.tgt_vocab)
        if isinstance(model, ArticleSeq2Seq):
            seqs = article_greedy(model, src, src_len)
        elif beam == 1:
            seqs = greedy_decode(model, src, src_len)[0]
        else:
            seqs = [beam_search(model, src[i:i + 1, :int(n)], src_len[i:i + 1], beam=beam)[0].ids
                    for i, n in enumerate(src_len.tolist())]
        out += [detokenize(model.tgt_vocab.decode(s)) for s in seqs]
    return out
