"""Notebook 10's tasks for running text (``GenerateTask``) and sentence pairs (``TranslateTask``)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd

from ..train import TrainConfig
from .data import PairsData, TextData, _progress

from ..language.baselines import KneserNeyLM
from ..language.data import CharVocab, lm_windows
from ..language.model import LMConfig, RecurrentLM, lm_loss, stream_perplexity
from ..translation.data import make_tensors, tokenize
from ..translation.decoding import greedy_decode
from ..translation.grammar import Pair
from ..translation.model import Seq2Seq, Seq2SeqConfig, corpus_scores, seq2seq_loss
from ..vocab import SPECIAL_TOKENS, Vocab
from .tasks import _Task, _batch_means_band, _blocks, _widen

__all__ = ["GenerateTask", "TranslateTask"]


class GenerateTask(_Task):
    """A character language model. The vocabulary is every character of the file (a character
    seen only in the test part still gets an id; its probability is learned as tiny)."""

    kind, metric, higher_is_better = "generate", "nats_per_char", False
    loss_label = "cross-entropy (nats/character)"
    tensor_names = ("x", "y")
    budget = TrainConfig(steps=300, batch_size=32, lr=3e-3, eval_every=100, eval_batches=10)

    def __init__(self, data: TextData, steps: int = 64):
        self.data, self.T = data, steps
        self.vocab = CharVocab.build("".join(data.parts.values()))
        self.ids = {s: self.vocab.encode(t) for s, t in data.parts.items()}
        self.train = lm_windows(self.ids["train"], steps)  # x, y: (N, T)
        self.valid = lm_windows(self.ids["valid"], steps) if len(self.ids["valid"]) > steps else None
        self.test = lm_windows(self.ids["test"], steps) if len(self.ids["test"]) > steps else None
        self.block_nats = None  # the RNN's nats/char per block of the test text, kept by evaluate()

    def loss(self, model, batch):
        return lm_loss(model, batch)

    def model(self, **options):
        return RecurrentLM(LMConfig(vocab_size=len(self.vocab), **{"embedding_dim": 32, "hidden_size": 128,
                                                                   "cell": "gru", "dropout": 0.0, **options}))

    def example(self, B: int = 3):
        return (self.train[0][:B, :min(self.T, 10)],)  # (B, T) ids

    diagnose_options = {"causal": True}

    def baselines(self) -> dict:
        out = {}
        for order in (3, 5):
            lm = KneserNeyLM(order=order).fit(self.ids["train"].tolist(), len(self.vocab))
            out[f"{order}-gram (Kneser–Ney)"] = {"nats_per_char": math.log(lm.perplexity(self.ids["test"].tolist()))}
        return out

    def evaluate(self, model) -> dict:
        """Nats per character of the test text, read in 2–10 contiguous blocks with the state
        carried inside each block (the blocks' spread gives :meth:`noise_band`)."""
        ids = self.ids["test"]
        blocks = _blocks(len(ids) - 1, 2 * self.T)
        self.block_nats = [math.log(stream_perplexity(model, ids[b.start:b.stop + 1], steps=self.T, streams=1))
                           for b in _progress(blocks, "test blocks", show=len(ids) > 100_000)]
        return {"nats_per_char": float(np.mean(self.block_nats))}

    def noise_band(self, rnn: dict) -> float:
        """Two standard errors of nats/char, from its spread over blocks of the test text."""
        if self.block_nats is None:
            raise ValueError("call task.evaluate(model) first: the noise band comes from the RNN's test blocks")
        return _batch_means_band(self.block_nats)

    def describe(self) -> pd.DataFrame:
        """Characters and lines per split."""
        return pd.DataFrame({s: {"characters": len(t), "lines": t.count("\n") + 1, "distinct characters": len(set(t))}
                             for s, t in self.data.parts.items()})

    def examples(self) -> list[str]:
        """The first lines of the training text."""
        return self.data.parts["train"][:400].splitlines()[:6]

    def plot(self):
        import matplotlib.pyplot as plt

        counts = Counter(self.data.parts["train"]).most_common(30)
        fig, ax = plt.subplots(figsize=(10, 3))
        ax.bar([repr(c)[1:-1] for c, _ in counts], [n for _, n in counts])
        ax.set(title="the 30 most frequent training characters")
        return fig

    def facts(self) -> dict:
        return {"output": f"generation: the next of {len(self.vocab)} characters at every step",
                "context": f"windows of T = {self.T} characters; the state carries more"}


class TranslateTask(_Task):
    """Encoder–decoder with attention (notebook 04's ``Seq2Seq``) on the learner's pairs."""

    kind, metric, higher_is_better = "translate", "bleu", True
    loss_label = "cross-entropy (nats/target token)"
    tensor_names = ("src", "src_len", "tgt_in", "tgt_out")
    budget = TrainConfig(steps=300, batch_size=32, lr=3e-3, eval_every=100)

    def __init__(self, data: PairsData):
        self.data, self.tok = data, tokenize
        src = [tokenize(a, "en") for a, _ in data.parts["train"]]
        tgt = [tokenize(b, "fr") for _, b in data.parts["train"]]
        self.src_vocab = Vocab.build(src, specials=SPECIAL_TOKENS)
        self.tgt_vocab = Vocab.build(tgt, specials=SPECIAL_TOKENS)
        self.tensors = {s: make_tensors([Pair(a, b) for a, b in p], self.src_vocab, self.tgt_vocab)
                        for s, p in data.parts.items() if p}
        self.train, self.valid, self.test = self.tensors["train"], self.tensors.get("valid"), self.tensors["test"]
        self.references = [" ".join(tokenize(b, "fr")) for _, b in data.parts["test"]]
        self.hypotheses = None  # the RNN's test translations, kept by evaluate()

    def loss(self, model, batch):
        return seq2seq_loss(model, batch)

    def model(self, **options):
        config = Seq2SeqConfig(len(self.src_vocab), len(self.tgt_vocab),
                               **{"embedding_dim": 32, "hidden_size": 64, "dropout": 0.0, **options})
        return Seq2Seq(config, self.src_vocab, self.tgt_vocab)

    def example(self, B: int = 3):
        src, src_len, tgt_in, _ = self.train
        return _widen(src[:B], max(int(src_len[:B].max()), B + 2)), src_len[:B], tgt_in[:B]  # T_src ≠ B

    diagnose_options = {"batch_dims": (0, None, 0)}

    def baselines(self) -> dict:
        """Word by word, with each source word's most associated target word (Dice coefficient)."""
        src_count, tgt_count, both = Counter(), Counter(), Counter()
        for a, b in self.data.parts["train"]:
            s, t = set(self.tok(a, "en")), set(self.tok(b, "fr"))
            src_count.update(s)
            tgt_count.update(t)
            both.update((x, y) for x in s for y in t)
        best: dict[str, tuple[float, str]] = {}
        for (x, y), n in both.items():
            score = 2 * n / (src_count[x] + tgt_count[y])
            if score > best.get(x, (0.0, ""))[0]:
                best[x] = (score, y)
        hyps = [" ".join(best[w][1] if w in best else w for w in self.tok(a, "en")) for a, _ in self.data.parts["test"]]
        return {"word by word (learned dictionary)": corpus_scores(hyps, self.references)}

    def evaluate(self, model) -> dict:
        src, src_len, _, _ = self.tensors["test"]
        seqs, _, _ = greedy_decode(model, src, src_len, max_len=int(src_len.max()) * 2 + 5)
        self.hypotheses = [" ".join(self.tgt_vocab.decode(s)) for s in seqs]
        return corpus_scores(self.hypotheses, self.references)

    def noise_band(self, rnn: dict, resamples: int = 100) -> float:
        """Two standard deviations of BLEU over test sets resampled with replacement (bootstrap,
        as Koehn 2004 does for machine translation)."""
        import sacrebleu

        if self.hypotheses is None:
            raise ValueError("call task.evaluate(model) first: the noise band comes from the RNN's test translations")
        rng, n = np.random.default_rng(0), len(self.references)
        scores = []
        for _ in _progress(range(resamples), "bootstrap", show=n > 2000):
            idx = rng.integers(0, n, n)
            scores.append(sacrebleu.corpus_bleu([self.hypotheses[i] for i in idx],
                                                [[self.references[i] for i in idx]], force=True).score)
        return round(float(2 * np.std(scores)), 10)  # rounded: identical resamples give 0, not 1e-14

    def describe(self) -> pd.DataFrame:
        """Pairs and mean sentence lengths (tokens) per split."""
        return pd.DataFrame({s: {"pairs": len(p), "source tokens (mean)": round(np.mean([len(self.tok(a, "en")) for a, _ in p]), 1),
                                 "target tokens (mean)": round(np.mean([len(self.tok(b, "fr")) for _, b in p]), 1)}
                             for s, p in self.data.parts.items() if p})

    def examples(self) -> list[str]:
        """Three training pairs."""
        return [f"{a}  →  {b}" for a, b in self.data.parts["train"][:3]]

    def plot(self):
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 3))
        pairs = self.data.parts["train"]
        ax.scatter([len(self.tok(a, "en")) for a, _ in pairs], [len(self.tok(b, "fr")) for _, b in pairs], s=4, alpha=0.3)
        ax.set(xlabel="source tokens", ylabel="target tokens", title="sentence lengths (training pairs)")
        return fig

    def facts(self) -> dict:
        return {"output": "generation: a target sentence for each source sentence (sequence to sequence)",
                "context": f"source sentences of up to {self.train[0].shape[1]} tokens"}
