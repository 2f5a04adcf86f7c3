"""Encoder–decoder translation (notebook 04): the article's pair, then a GRU seq2seq with attention.

    data = make_tensors(pairs, src_vocab, tgt_vocab)      # (from .data) src, src_len, tgt_in, tgt_out
    model = Seq2Seq(Seq2SeqConfig(len(src_vocab), len(tgt_vocab), attention="additive"),
                    src_vocab, tgt_vocab)
    loss = seq2seq_loss(model, data)                     # cross-entropy, PAD ignored
    translate(model, "the black cat is happy .")         # tokens, text, attention (T_out, T_src)

Layouts (letters as everywhere in the course): B batch, T_src / T_tgt time steps, E embedding,
H hidden size, D directions, V vocabulary. The improved model is **batch-first**:

    src (B, T_src) ids + src_len (B,) → encoder outputs (B, T_src, D·H), h_n (D, B, H)
    tgt_in (B, T_tgt) = <bos> y₁ … y_n        tgt_out (B, T_tgt) = y₁ … y_n <eos>
    logits (B, T_tgt, V_tgt), attention (B, T_tgt, T_src)

Attention follows Luong et al. (2015): the decoder GRU's output at step t is the *query*; it is
scored against every encoder output (additive: vᵀ tanh(W_q q + W_k k), or dot: q · W k), the
scores of padded source positions are set to −∞ before the softmax (so they get exactly zero
weight), and the weighted sum of encoder outputs (the context) joins the query to predict the
word. With attention off, the decoder only gets the encoder's final hidden state: one context
vector for the whole sentence — the article's design, and its bottleneck.

Decoding (greedy, beam search) and translating text are in :mod:`.decoding`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..article import DecoderRNN, EncoderRNN
from ..checkpoint import load_checkpoint
from ..paths import data_dir
from ..validate import fraction, whole_numbers
from ..vocab import Vocab
from .data import tokenize

__all__ = ["Seq2SeqConfig", "Seq2Seq", "ATTENTION", "seq2seq_loss", "corpus_scores", "length_thirds",
           "ArticleSeq2Seq", "article_loss", "article_greedy", "checkpoint_meta", "load_pretrained",
           "TRAINED_MAX_TOKENS"]


ATTENTION = (None, "additive", "dot")
TRAINED_MAX_TOKENS = 18  # longest English sentence (tokens) the shipped models trained on, for models that do not say



# ------------------------------------------------------------------------------------------ model
@dataclass(frozen=True)
class Seq2SeqConfig:
    src_vocab: int  # V_src
    tgt_vocab: int  # V_tgt
    embedding_dim: int = 64  # E
    hidden_size: int = 128  # H
    bidirectional: bool = True  # D = 2: the encoder reads the sentence both ways
    attention: str | None = "additive"  # None (one context vector), "additive" or "dot"
    dropout: float = 0.1

    def check(self) -> None:
        whole_numbers(self, "src_vocab", "tgt_vocab", "embedding_dim", "hidden_size")
        if self.src_vocab < 5 or self.tgt_vocab < 5:
            raise ValueError("each vocabulary needs <pad>, <bos>, <eos>, <unk> and at least one word")
        if self.attention not in ATTENTION:
            raise ValueError(f"attention must be one of {ATTENTION}; got {self.attention!r}")
        fraction(self, "dropout")


class Seq2Seq(nn.Module):
    """Embedding → GRU encoder (optionally bidirectional) → GRU decoder (+ attention) → linear over V_tgt.

    ``forward(src, src_len, tgt_in)`` → ``(logits (B, T_tgt, V_tgt), attention (B, T_tgt, T_src) or None)``.
    Pass the vocabularies to make :func:`translate` work on plain sentences. ``max_src_len``
    (None until set) is the longest English sentence it trained on: ``checkpoint_meta`` stores it
    and :func:`~.decoding.translate` warns on a sentence ``LONG_INPUT`` times longer (``TRAINED_MAX_TOKENS`` if unset).
    """

    def __init__(self, config: Seq2SeqConfig | None = None, src_vocab: Vocab | None = None,
                 tgt_vocab: Vocab | None = None, **kwargs):
        super().__init__()
        config = config or Seq2SeqConfig(**kwargs)
        config.check()
        for name, v, size in (("src_vocab", src_vocab, config.src_vocab), ("tgt_vocab", tgt_vocab, config.tgt_vocab)):
            if v is not None and len(v) != size:
                raise ValueError(f"{name} has {len(v)} tokens but the config says {size}")
        self.config, self.src_vocab, self.tgt_vocab = config, src_vocab, tgt_vocab
        self.max_src_len: int | None = None
        E, H, D = config.embedding_dim, config.hidden_size, 2 if config.bidirectional else 1
        self.src_embedding = nn.Embedding(config.src_vocab, E, padding_idx=0)
        self.tgt_embedding = nn.Embedding(config.tgt_vocab, E, padding_idx=0)
        self.encoder = nn.GRU(E, H, batch_first=True, bidirectional=config.bidirectional)
        self.bridge = nn.Linear(D * H, H)  # encoder's final states (both directions) → decoder's h_0
        self.decoder = nn.GRU(E, H, batch_first=True)
        self.dropout = nn.Dropout(config.dropout)
        if config.attention == "additive":
            self.att_query = nn.Linear(H, H, bias=False)
            self.att_key = nn.Linear(D * H, H)
            self.att_v = nn.Linear(H, 1, bias=False)
        elif config.attention == "dot":
            self.att_key = nn.Linear(D * H, H, bias=False)
        if config.attention is not None:
            self.combine = nn.Linear(H + D * H, H)  # [query; context] → attentional state
        self.out = nn.Linear(H, config.tgt_vocab)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def describe(self) -> dict:
        return asdict(self.config)

    # -- encoder ------------------------------------------------------------------------------
    def encode(self, src: torch.Tensor, src_len: torch.Tensor):
        """src (B, T_src), src_len (B,) → memory (B, T_src, D·H), h_0 for the decoder (1, B, H), mask (B, T_src)."""
        B, S = src.shape
        x = self.dropout(self.src_embedding(src))  # (B, T_src, E)
        packed = pack_padded_sequence(x, src_len.cpu(), batch_first=True, enforce_sorted=False)
        out, h_n = self.encoder(packed)  # h_n: (D, B, H), each direction's state at its sentence end
        memory, _ = pad_packed_sequence(out, batch_first=True, total_length=S)  # (B, T_src, D·H)
        h_cat = torch.cat(list(h_n), dim=-1)  # (B, D·H)
        h_0 = torch.tanh(self.bridge(h_cat)).unsqueeze(0)  # (1, B, H)
        mask = torch.arange(S, device=src.device)[None, :] < src_len.to(src.device)[:, None]  # (B, T_src), True = word
        return memory, h_0, mask

    # -- attention ----------------------------------------------------------------------------
    def attend(self, query: torch.Tensor, memory: torch.Tensor, mask: torch.Tensor, keys: torch.Tensor | None = None):
        """query (B, T_tgt, H) over memory (B, T_src, D·H) → context (B, T_tgt, D·H), weights (B, T_tgt, T_src).

        Padded source positions (``mask`` False) get a score of −∞, hence a weight of exactly 0.
        """
        keys = self.att_key(memory) if keys is None else keys  # (B, T_src, H)
        if self.config.attention == "additive":
            # (B, T_tgt, 1, H) + (B, 1, T_src, H) → tanh → v → (B, T_tgt, T_src)
            scores = self.att_v(torch.tanh(self.att_query(query).unsqueeze(2) + keys.unsqueeze(1))).squeeze(-1)
        else:
            scores = query @ keys.transpose(1, 2)  # (B, T_tgt, H) @ (B, H, T_src) → (B, T_tgt, T_src)
        scores = scores.masked_fill(~mask[:, None, :], float("-inf"))
        weights = torch.softmax(scores, dim=-1)  # (B, T_tgt, T_src), each row sums to 1
        context = weights @ memory  # (B, T_tgt, D·H)
        return context, weights

    # -- decoder ------------------------------------------------------------------------------
    def decode(self, tgt_in: torch.Tensor, h: torch.Tensor, memory: torch.Tensor, mask: torch.Tensor,
               keys: torch.Tensor | None = None):
        """Run the decoder over T_tgt given input tokens (T_tgt = 1 for one step of generation).

        tgt_in (B, T_tgt), h (1, B, H) → logits (B, T_tgt, V_tgt), h (1, B, H), weights (B, T_tgt, T_src) or None.
        """
        y = self.dropout(self.tgt_embedding(tgt_in))  # (B, T_tgt, E)
        query, h = self.decoder(y, h)  # (B, T_tgt, H), (1, B, H)
        weights = None
        if self.config.attention is not None:
            context, weights = self.attend(query, memory, mask, keys)  # (B, T_tgt, D·H), (B, T_tgt, T_src)
            query = torch.tanh(self.combine(torch.cat([query, context], dim=-1)))  # (B, T_tgt, H)
        logits = self.out(self.dropout(query))  # (B, T_tgt, V_tgt)
        return logits, h, weights

    def keys_for(self, memory: torch.Tensor) -> torch.Tensor | None:
        """The attention keys depend only on the source: compute them once per sentence."""
        return self.att_key(memory) if self.config.attention is not None else None

    def forward(self, src: torch.Tensor, src_len: torch.Tensor, tgt_in: torch.Tensor,
                teacher_forcing: float = 1.0, generator: torch.Generator | None = None):
        """Teacher forcing 1.0 (default): every step reads the true previous word — one pass over T_tgt.

        ``teacher_forcing < 1``: step by step, and at each step, with probability 1 − ratio, the
        decoder reads its *own* previous prediction (argmax) instead of the true word.
        """
        if not 0 <= teacher_forcing <= 1:
            raise ValueError(f"teacher_forcing is a probability in [0, 1], got {teacher_forcing!r}")
        memory, h, mask = self.encode(src, src_len)
        keys = self.keys_for(memory)
        if teacher_forcing >= 1:
            logits, _, weights = self.decode(tgt_in, h, memory, mask, keys)
            return logits, weights
        steps_logits, steps_weights = [], []
        y = tgt_in[:, :1]  # (B, 1): <bos>
        for t in range(tgt_in.shape[1]):
            logits, h, w = self.decode(y, h, memory, mask, keys)  # (B, 1, V)
            steps_logits.append(logits)
            steps_weights.append(w)
            if t + 1 < tgt_in.shape[1]:
                own = logits.argmax(-1)  # (B, 1)
                use_truth = torch.rand(tgt_in.shape[0], 1, generator=generator) < teacher_forcing
                y = torch.where(use_truth.to(own.device), tgt_in[:, t + 1:t + 2], own)
        weights = torch.cat(steps_weights, dim=1) if steps_weights[0] is not None else None
        return torch.cat(steps_logits, dim=1), weights  # (B, T_tgt, V), (B, T_tgt, T_src)


def _trim(batch):
    """Cut a padded batch to its own longest source and target."""
    src, src_len, tgt_in, tgt_out = batch
    S, T = int(src_len.max()), int((tgt_out != 0).sum(1).max())
    return src[:, :S], src_len, tgt_in[:, :T], tgt_out[:, :T]


def seq2seq_loss(model: Seq2Seq, batch, teacher_forcing: float = 1.0) -> torch.Tensor:
    """Mean cross-entropy per target token; <pad> positions (id 0) are ignored.

    ``batch`` is ``(src, src_len, tgt_in, tgt_out)`` as from :func:`make_tensors`. For a
    teacher-forcing ratio below 1 use ``lambda m, b: seq2seq_loss(m, b, teacher_forcing=0.5)``.
    """
    src, src_len, tgt_in, tgt_out = _trim(batch)
    logits, _ = model(src, src_len, tgt_in, teacher_forcing=teacher_forcing)  # (B, T_tgt, V)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1), ignore_index=0)


# ------------------------------------------------------------------------------------------ metrics
def corpus_scores(hypotheses: Sequence[str], references: Sequence[str]) -> dict:
    """BLEU and chrF (sacrebleu, default settings, 13a tokenizer) and exact match, all in 0–100."""
    import sacrebleu

    if len(hypotheses) != len(references) or not references:
        raise ValueError(f"need one hypothesis per reference, got {len(hypotheses)} and {len(references)}")
    hyps, refs = list(hypotheses), [list(references)]
    return {"bleu": sacrebleu.corpus_bleu(hyps, refs, force=True).score,
            "chrf": sacrebleu.corpus_chrf(hyps, refs).score,
            "exact": 100.0 * sum(h.strip() == r.strip() for h, r in zip(hypotheses, references)) / len(references)}


def length_thirds(pairs) -> dict[str, list[int]]:
    """Indices of ``pairs`` split by English length into "short", "medium", "long" thirds (stable order)."""
    order = sorted(range(len(pairs)), key=lambda i: (len(tokenize(pairs[i].en, "en")), i))
    n = len(order)
    return {"short": order[:n // 3], "medium": order[n // 3:2 * n // 3], "long": order[2 * n // 3:]}


# -------------------------------------------------------------------------- the article's pair, wrapped
class ArticleSeq2Seq(nn.Module):
    """The article's ``EncoderRNN`` + ``DecoderRNN`` (time-first, one-hot inputs), wrapped for batches.

    ``forward(src, src_len, tgt_in)`` takes the same batch-first ids as :class:`Seq2Seq` and turns
    them into what the article's classes expect: one-hot (T_src, B, V_src) for the encoder and
    one-hot (T_tgt, B, V_tgt) for the decoder — the decoder's input size *is* V_tgt. The
    encoder's h_n (1, B, H) is the decoder's h_0: the only thing it hands over. Nothing is
    packed, so the encoder also reads the <pad> steps after a short sentence.
    """

    def __init__(self, src_vocab: Vocab, tgt_vocab: Vocab, hidden_size: int = 128):
        super().__init__()
        self.src_vocab, self.tgt_vocab = src_vocab, tgt_vocab
        self.V_src, self.V_tgt = len(src_vocab), len(tgt_vocab)
        self.encoder = EncoderRNN(self.V_src, hidden_size)  # input size = V_src: one-hot English words
        self.decoder = DecoderRNN(self.V_tgt, hidden_size)  # input size = V_tgt: one-hot French words

    def forward(self, src, src_len, tgt_in):
        x = F.one_hot(src.t(), self.V_src).float()  # (B, T_src) → (T_src, B, V_src)
        _, hidden = self.encoder(x)  # hidden: (1, B, H)
        y = F.one_hot(tgt_in.t(), self.V_tgt).float()  # (T_tgt, B, V_tgt)
        logits, _ = self.decoder(y, hidden)  # (T_tgt, B, V_tgt)
        return logits.transpose(0, 1)  # (B, T_tgt, V_tgt)


def article_loss(model: ArticleSeq2Seq, batch) -> torch.Tensor:
    src, src_len, tgt_in, tgt_out = _trim(batch)
    logits = model(src, src_len, tgt_in)  # (B, T_tgt, V)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1), ignore_index=0)


@torch.no_grad()
def article_greedy(model: ArticleSeq2Seq, src, src_len, max_len: int = 30) -> list[list[int]]:
    """Greedy decoding with the article's pair, one (T=1, B, V_tgt) one-hot step at a time."""
    model.eval()
    _, h = model.encoder(F.one_hot(src.t(), model.V_src).float())  # (1, B, H)
    y = torch.full((src.shape[0],), 1, dtype=torch.long)  # <bos>
    out = []
    for _ in range(max_len):
        step = F.one_hot(y, model.V_tgt).float().unsqueeze(0)  # (1, B, V_tgt): T=1
        logits, h = model.decoder(step, h)  # (1, B, V_tgt)
        y = logits[0].argmax(-1)  # (B,)
        out.append(y)
        if bool((torch.stack(out) == 2).any(0).all()):
            break
    model.train()
    rows = torch.stack(out, dim=1).tolist()
    return [r[:r.index(2)] if 2 in r else r for r in rows]


# ------------------------------------------------------------------------------------ checkpoints
def checkpoint_meta(model: Seq2Seq) -> dict:
    """What :func:`load_pretrained` needs besides the weights: config, both vocabularies and, once set,
    ``max_src_len`` (the longest English sentence in training)."""
    meta = {"config": model.describe(), "src_itos": list(model.src_vocab.itos), "tgt_itos": list(model.tgt_vocab.itos)}
    return meta | ({"max_src_len": int(model.max_src_len)} if model.max_src_len else {})


def load_pretrained(name: str = "translation", path=None):
    """Load ``data/checkpoints/<name>.pt`` (checksum checked, ``weights_only``) → ``(model, meta)``.

    The model comes back in float32, in eval mode, with its vocabularies attached and
    ``max_src_len`` from the meta (the shipped files predate it: ``TRAINED_MAX_TOKENS``).
    """
    path = data_dir() / "checkpoints" / f"{name}.pt" if path is None else path
    meta = load_checkpoint(path)["meta"]
    model = Seq2Seq(Seq2SeqConfig(**meta["config"]), Vocab(meta["src_itos"]), Vocab(meta["tgt_itos"]))
    model.half()  # the file holds float16 weights: load them as they are, then widen
    load_checkpoint(path, model)
    model.max_src_len = meta.get("max_src_len", TRAINED_MAX_TOKENS)
    return model.float().eval(), meta
