"""Improved language models (notebooks 02 and 03) and everything that samples from them.

``RecurrentLM`` is the article's ``RNNLanguageModel`` grown up: batch-first, LSTM/GRU/RNN,
several layers, dropout, optional weight tying, and it *returns its state* so text can be
generated one token at a time without re-reading the prefix.

    x: (B, T) token ids → logits: (B, T, V), state: h_n (L, B, H)  [LSTM: (h_n, c_n)]
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..repro import without_onednn as _without_onednn
from ..validate import fraction, one_of, whole, whole_numbers

__all__ = ["LMConfig", "RecurrentLM", "lm_loss", "seed_lm_loss", "next_token_distribution", "generate", "MAX_GENERATE",
           "generate_by_rereading", "stream_nll", "stream_perplexity", "perplexity_interval", "ngram_nll", "compare_perplexities", "hidden_activations", "CELLS"]

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
MAX_GENERATE = 100_000  # tokens per generate call (10⁷ characters took about an hour on a CPU: issue 18)


@dataclass(frozen=True)
class LMConfig:
    vocab_size: int
    embedding_dim: int = 128
    hidden_size: int = 256
    num_layers: int = 1
    cell: str = "lstm"
    dropout: float = 0.2
    tie_weights: bool = False
    embedding_dropout: float = 0.0  # while training, drop whole words from the embedding (Gal & Ghahramani, 2016)

    def check(self) -> None:
        one_of("cell", self.cell, CELLS)
        whole_numbers(self, "vocab_size", "embedding_dim", "hidden_size", "num_layers")
        fraction(self, "dropout", "embedding_dropout")
        if self.tie_weights and self.embedding_dim != self.hidden_size:
            raise ValueError(
                f"tie_weights=True shares the embedding with the output layer, so embedding_dim "
                f"({self.embedding_dim}) must equal hidden_size ({self.hidden_size})"
            )


class RecurrentLM(nn.Module):
    """Embedding → dropout → recurrent layers (batch-first) → dropout → linear over the vocabulary.

    ``embedding_dropout`` (training only) zeroes whole rows of the embedding for a step, so every
    occurrence of a dropped word in the batch reads as zeros and the model cannot lean on any one
    word; the kept rows are scaled by 1/(1 − p). The output layer (tied or not) is left whole.
    """

    def __init__(self, config: LMConfig | None = None, **kwargs):
        super().__init__()
        config = config or LMConfig(**kwargs)
        config.check()
        self.config = config
        c = config
        self.embedding = nn.Embedding(c.vocab_size, c.embedding_dim)
        self.drop = nn.Dropout(c.dropout)
        self.rnn = CELLS[c.cell](c.embedding_dim, c.hidden_size, num_layers=c.num_layers, batch_first=True,
                                 dropout=c.dropout if c.num_layers > 1 else 0.0)
        self.head = nn.Linear(c.hidden_size, c.vocab_size)
        if c.tie_weights:  # one matrix both reads and writes words (Press & Wolf, 2017)
            self.head.weight = self.embedding.weight

    def forward(self, x: torch.Tensor, state=None):
        if x.dim() != 2 or x.dtype not in (torch.long, torch.int32, torch.int64):
            raise ValueError(f"x must be token ids of shape (B, T), got {x.dtype} {tuple(x.shape)}")
        emb = self.drop(self._embed(x))  # (B, T, E)
        out, state = self.rnn(emb, state)  # (B, T, H); h_n: (L, B, H)
        return self.head(self.drop(out)), state  # (B, T, V)

    def _embed(self, x: torch.Tensor) -> torch.Tensor:
        p = self.config.embedding_dropout
        if not (self.training and p > 0):
            return self.embedding(x)  # (B, T, E)
        w = self.embedding.weight  # (V, E)
        keep = torch.empty(w.size(0), 1, device=w.device, dtype=w.dtype).bernoulli_(1 - p) / (1 - p)  # (V, 1)
        return F.embedding(x, w * keep)  # (B, T, E)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())  # parameters() counts tied weights once

    def describe(self) -> dict:
        return asdict(self.config)


def lm_loss(model: nn.Module, batch) -> torch.Tensor:
    """Mean cross-entropy (nats per token) of a batch-first LM. batch: x, y: (B, T)."""
    x, y = batch
    logits, _ = model(x)  # (B, T, V)
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))


def seed_lm_loss(model: nn.Module, batch) -> torch.Tensor:
    """The same loss for the article's time-first ``RNNLanguageModel``: (B, T) → (T, B) first."""
    x, y = batch
    logits = model(x.t())  # (T, B, V)
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.t().reshape(-1))


@torch.no_grad()
def stream_nll(model: RecurrentLM, ids: torch.Tensor, *, steps: int = 64, streams: int = 16) -> torch.Tensor:
    """Negative log-probability (nats) of every predicted token of a long stream, reading it as
    ``streams`` contiguous pieces with the hidden state carried from chunk to chunk.

    ids: (N,) → (S·n,) with n = (N − 1) // S, in stream order (piece 0 first); the last
    (N − 1) mod S tokens are not predicted. With ``streams=1`` every token after the first is.
    """
    was_training = model.training
    model.eval()
    n = (len(ids) - 1) // streams
    if n < 1:
        raise ValueError(f"{len(ids)} tokens are too few for {streams} streams")
    device = next(model.parameters()).device
    x_all = ids[: n * streams].view(streams, n).to(device)  # (S, n)
    y_all = ids[1: n * streams + 1].view(streams, n).to(device)
    state, pieces = None, []
    for start in range(0, n, steps):
        x, y = x_all[:, start:start + steps], y_all[:, start:start + steps]  # (S, T)
        logits, state = model(x, state)  # (S, T, V)
        pieces.append(F.cross_entropy(logits.transpose(1, 2).float(), y, reduction="none").cpu())  # (S, T)
    model.train(was_training)
    return torch.cat(pieces, dim=1).reshape(-1)  # (S·n,)


def stream_perplexity(model: RecurrentLM, ids: torch.Tensor, *, steps: int = 64, streams: int = 16) -> float:
    """Perplexity of a long token stream, reading it as ``streams`` contiguous pieces with the
    hidden state carried from chunk to chunk — every token predicted once, with its history.

    ids: (N,) → exp(mean cross-entropy over the predicted tokens).
    """
    return math.exp(float(stream_nll(model, ids, steps=steps, streams=streams).double().mean()))


def perplexity_interval(nll: torch.Tensor, *, block: int = 200, samples: int = 1000, seed: int = 0,
                        level: float = 0.95) -> tuple[float, float, float]:
    """Perplexity of per-token losses ``nll`` (N,) and a block-bootstrap interval for it.

    Neighbouring tokens' losses are correlated (a hard passage is hard for many words), so the
    resampling draws whole blocks of ``block`` consecutive tokens with replacement. Returns
    (perplexity, low, high). Paired comparisons: pass the difference of two models' losses and
    read exp(·) as the ratio of their perplexities.
    """
    nll = torch.as_tensor(nll, dtype=torch.float64).reshape(-1)
    k = nll.numel() // block
    if k < 2:
        raise ValueError(f"{nll.numel()} tokens make fewer than two blocks of {block}; use a smaller block")
    means = nll[: k * block].view(k, block).mean(dim=1)  # (k,)
    g = torch.Generator().manual_seed(seed)
    boot = means[torch.randint(0, k, (samples, k), generator=g)].mean(dim=1)  # (samples,)
    lo, hi = torch.quantile(boot, torch.tensor([(1 - level) / 2, (1 + level) / 2], dtype=torch.float64))
    return math.exp(float(nll.mean())), math.exp(float(lo)), math.exp(float(hi))


def ngram_nll(ngram, ids: torch.Tensor) -> torch.Tensor:
    """Per-token losses of an n-gram model (anything with ``.order`` and ``.prob(word, context)``,
    such as ``KneserNeyLM``) on the tokens ``stream_nll(..., streams=1)`` scores: ids (N,) → (N − 1,),
    every token after the first given up to ``order − 1`` tokens before it."""
    seq = [int(i) for i in ids]
    k = ngram.order - 1
    return torch.tensor([-math.log(ngram.prob(seq[i], seq[max(0, i - k):i])) for i in range(1, len(seq))],
                        dtype=torch.float64)


def compare_perplexities(nll: torch.Tensor, baseline_nll: torch.Tensor, *, block: int = 200) -> dict:
    """Two models' per-token losses on the same tokens (N,) each: both perplexities with 95 %
    block-bootstrap intervals, and the relative reduction 1 − ppl/ppl_baseline with a paired
    interval (the same blocks resampled for both, so a hard passage counts against both)."""
    if nll.shape != baseline_nll.shape:
        raise ValueError(f"the two models must be scored on the same tokens; got {tuple(nll.shape)} and "
                         f"{tuple(baseline_nll.shape)} losses")
    p, lo, hi = perplexity_interval(nll, block=block)
    b, blo, bhi = perplexity_interval(baseline_nll, block=block)
    r, rlo, rhi = perplexity_interval(torch.as_tensor(nll, dtype=torch.float64) - torch.as_tensor(baseline_nll, dtype=torch.float64),
                                      block=block)  # exp(mean difference) = ppl / ppl_baseline
    return {"tokens": int(nll.numel()), "ppl": round(p, 2), "ppl_ci95": [round(lo, 2), round(hi, 2)],
            "baseline_ppl": round(b, 2), "baseline_ci95": [round(blo, 2), round(bhi, 2)],
            "reduction": round(1 - r, 4), "reduction_ci95": [round(1 - rhi, 4), round(1 - rlo, 4)]}


def _check_sampling(vocab_size: int, strategy: str, temperature: float, top_k: int | None) -> None:
    if strategy not in ("sample", "greedy"):
        raise ValueError(f"strategy must be 'sample' or 'greedy', got {strategy!r}")
    if not isinstance(temperature, (int, float)) or not math.isfinite(temperature) or temperature <= 0:
        raise ValueError(
            f"temperature must be > 0 (1.0 samples from the model as it is; lower is more conservative); "
            f"got {temperature!r}. For always-the-most-likely output use strategy='greedy'"
        )
    if top_k is not None and (not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= vocab_size):
        raise ValueError(f"top_k must be a whole number from 1 to the vocabulary size ({vocab_size}), or None; got {top_k!r}")


def _check_generation(model: RecurrentLM, prompt_ids, length: int, seed=None) -> torch.Tensor:
    """``length`` from 0 to ``MAX_GENERATE``, a ``seed`` (whole number or None) and a non-empty prompt of
    ids the model knows (one prompt: (P,), or (1, P)) → prompt ids (P,)."""
    whole("seed", seed, at_least=0, why="the same seed gives the same text", or_none=True)
    whole("length", length, at_least=0)
    if length > MAX_GENERATE:
        raise ValueError(f"length={length:,} is more than the {MAX_GENERATE:,} tokens one call generates "
                         f"(characters for a character model, words for a word model): ask for at most "
                         f"{MAX_GENERATE:,}, or continue in pieces, each prompted with the end of the text so far")
    if torch.is_tensor(prompt_ids) and prompt_ids.is_floating_point():
        raise ValueError(f"prompt_ids must be token ids (integers), got a {prompt_ids.dtype} tensor: "
                         "encode text with the model's vocabulary, e.g. vocab.encode(...)")
    ids = torch.as_tensor(prompt_ids, dtype=torch.long)
    if ids.dim() > 1 and sum(n > 1 for n in ids.shape) > 1:
        raise ValueError(f"prompt_ids must be one prompt, a 1-D tensor (P,); got shape {tuple(ids.shape)}, "
                         "several prompts: generate from each row in turn, e.g. [generate(model, p, n) for p in prompts]")
    ids = ids.reshape(-1)  # (P,)
    if ids.numel() == 0:
        raise ValueError("the prompt is empty: give at least one token to start from")
    V = model.config.vocab_size
    bad = ids[(ids < 0) | (ids >= V)]
    if bad.numel():
        raise ValueError(f"token id {int(bad[0])} is not in the model's vocabulary, whose ids run from 0 to {V - 1} "
                         f"({V:,} tokens): encode the prompt with the vocabulary the model was trained with "
                         "(the one load_pretrained returns with it)")
    return ids


def next_token_distribution(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None) -> torch.Tensor:
    """logits: (V,) → probabilities (V,) after temperature and top-k filtering."""
    logits = logits / temperature
    if top_k is not None and top_k < logits.numel():
        kth = torch.topk(logits, top_k).values[-1]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    return torch.softmax(logits, dim=-1)




def _pick(logits, strategy, temperature, top_k, generator) -> int:
    if strategy == "greedy":
        return int(logits.argmax())
    probs = next_token_distribution(logits, temperature, top_k)
    return int(torch.multinomial(probs, 1, generator=generator))


@torch.no_grad()
def generate(model: RecurrentLM, prompt_ids: torch.Tensor, length: int, *, strategy: str = "sample",
             temperature: float = 1.0, top_k: int | None = None, seed: int | None = 0) -> list[int]:
    """Continue ``prompt_ids`` (P,) by ``length`` tokens, carrying the hidden state: O(1) per token.

    ``length`` runs from 0 to ``MAX_GENERATE`` (100,000); every prompt id must be in the vocabulary.

    The prompt is read once (B=1, T=P); then each new token is fed alone (B=1, T=1) with the
    state from the step before. oneDNN is switched off while stepping: for one token at a time
    on a CPU it is 2–7× slower than the plain kernels (training keeps it on).
    """
    _check_sampling(model.config.vocab_size, strategy, temperature, top_k)
    prompt_ids = _check_generation(model, prompt_ids, length, seed)
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    out: list[int] = []
    with _without_onednn():
        logits, state = model(prompt_ids.view(1, -1).to(device))  # (1, P, V)
        last = logits[0, -1].float().cpu()  # (V,)
        for _ in range(length):
            token = _pick(last, strategy, temperature, top_k, generator)
            out.append(token)
            logits, state = model(torch.tensor([[token]], device=device), state)  # (1, 1, V)
            last = logits[0, -1].float().cpu()
    model.train(was_training)
    return out


@torch.no_grad()
def generate_by_rereading(model: RecurrentLM, prompt_ids: torch.Tensor, length: int, *, strategy: str = "sample",
                          temperature: float = 1.0, top_k: int | None = None, seed: int | None = 0) -> list[int]:
    """The slow reference: re-run the model over the whole text so far for every new token,
    O(length²). ``generate`` must produce the same tokens (tests check it)."""
    _check_sampling(model.config.vocab_size, strategy, temperature, top_k)
    ids = _check_generation(model, prompt_ids, length, seed).tolist()
    was_training = model.training
    model.eval()
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    out = []
    with _without_onednn():
        for _ in range(length):
            logits, _ = model(torch.tensor([ids + out]))
            out.append(_pick(logits[0, -1].float(), strategy, temperature, top_k, generator))
    model.train(was_training)
    return out


@torch.no_grad()
def hidden_activations(model: RecurrentLM, ids: torch.Tensor) -> torch.Tensor:
    """The last layer's hidden state at every step of ``ids`` (T,): returns (T, H)."""
    was_training = model.training
    model.eval()
    emb = model.embedding(torch.as_tensor(ids).view(1, -1))  # (1, T, E)
    out, _ = model.rnn(emb)  # (1, T, H)
    model.train(was_training)
    return out[0]
