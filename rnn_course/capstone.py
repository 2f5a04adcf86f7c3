"""Notebook 10: the course's workflow on any data :func:`rnn_course.sources.load_data` returns.

    data = load_data("shakespeare-genre")       # or the learner's file, through the picker
    plan = plan_for(data)                       # task, model and trainer for this kind of data
    task, model = plan.task, plan.model         # ClassifyTask, ForecastTask, GenerateTask, TranslateTask
    print(task.describe()); task.plot()         # look first: sizes per split, a picture, raw examples
    print(task.shapes())                        # the (B, T, F) tensors of every split
    base = task.baselines()                     # {"majority class": {...metrics}, ...} on the test split
    plan.trainer.run()                          # the step budget of ``plan.trainer.config``
    rnn = task.evaluate(model)                  # the same metrics, the same test split
    print(verdict(task, base, rnn))             # winner, or a tie within noise, and what to ship

The notebook calls one of these per step whatever the data, so re-running its cells after
loading other data rebuilds everything from that data: no cell keeps a model or a task from
before. Every task has the same members: ``kind``, ``metric`` (headline metric) and
``higher_is_better``, ``train`` / ``valid`` / ``test`` (tensor tuples), ``budget`` (its
TrainConfig), ``loss``, ``model()``, ``example(B)`` (model arguments for ``trace`` /
``diagnose``), ``diagnose_options``, ``describe()``, ``examples()``, ``shapes()``,
``baselines()``, ``evaluate(model)``, ``noise_band(rnn)``, ``plot()`` and ``facts()`` (what the
run says about the four questions).

Baselines are the ones a practitioner tries first: majority class and bag-of-words (tokens) or
bag-of-frames (audio) logistic regression for classification; persistence, seasonal naive and
the training mean for series; a Kneser–Ney n-gram for text; a word-by-word dictionary for translation.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch

from .sources import LabelledSequences, PairsData, SeriesData, TextData, _progress
from .train import Trainer, TrainConfig

__all__ = ["plan_for", "Plan", "make_task", "verdict", "Verdict", "findings", "run_numbers", "quality_problems",
           "ClassifyTask", "ForecastTask", "GenerateTask", "TranslateTask", "classification_metrics",
           "pad_tokens", "pad_frames", "QUALITY_BARS"]


def classification_metrics(y_true, y_pred) -> dict:
    """Accuracy and macro-F1 (every class counts the same, however rare), both in 0–1."""
    from sklearn.metrics import accuracy_score, f1_score

    return {"accuracy": float(accuracy_score(y_true, y_pred)),
            "macro_f1": float(f1_score(y_true, y_pred, average="macro", zero_division=0))}


def pad_tokens(seqs: list[list[int]], pad: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Id lists → x: (N, T) padded with ``pad`` to the longest, lengths: (N,)."""
    lengths = torch.tensor([len(s) for s in seqs])
    x = torch.full((len(seqs), int(lengths.max())), pad, dtype=torch.long)
    for i, s in enumerate(seqs):
        x[i, :len(s)] = torch.as_tensor(s, dtype=torch.long)
    return x, lengths


def pad_frames(seqs: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """(T_i, F) arrays → x: (N, T, F) zero-padded to the longest, lengths: (N,)."""
    lengths = torch.tensor([len(s) for s in seqs])
    x = torch.zeros(len(seqs), int(lengths.max()), seqs[0].shape[1])
    for i, s in enumerate(seqs):
        x[i, :len(s)] = torch.as_tensor(s)
    return x, lengths


def _widen(x: torch.Tensor, T: int) -> torch.Tensor:
    """x cut or zero-padded along the time axis (dim 1) to exactly T steps, so an example batch
    for ``diagnose`` can have T ≠ B (padding past each length is never read)."""
    if x.shape[1] >= T:
        return x[:, :T]
    pad = torch.zeros(x.shape[0], T - x.shape[1], *x.shape[2:], dtype=x.dtype)
    return torch.cat([x, pad], dim=1)


def _batch_means_band(values) -> float:
    """Two standard errors of the mean of K block values (the "batch means" estimate: neighbouring
    steps of one series or text are correlated, whole blocks much less so)."""
    v = np.asarray(values, dtype=float)
    return round(float(2 * v.std(ddof=1) / math.sqrt(len(v))), 10) if len(v) > 1 else math.inf


def _blocks(n: int, size: int) -> list[slice]:
    """2–10 equal contiguous blocks of ``range(n)``, each at least ``size`` long when n allows."""
    k = max(2, min(10, n // max(size, 1)))
    step = n // k
    return [slice(i * step, (i + 1) * step) for i in range(k)]


class _Task:
    """What every task shares: the tensors' shapes, the noise band's default."""

    tensor_names: tuple[str, ...] = ()
    loss_label = "loss"  # the training loss and its unit, for the dashboard's y-axis
    test = None

    def shapes(self) -> str:
        """One line per split: every tensor the Trainer and the evaluation get, with its shape."""
        lines = []
        for split in ("train", "valid", "test"):
            part = getattr(self, split)
            if part is not None:
                lines.append(f"{split:5s}  " + "  ".join(f"{n} {tuple(t.shape)}" for n, t in zip(self.tensor_names, part)))
        return "\n".join(lines)


class ClassifyTask(_Task):
    """Many-to-one: one label per sequence. Tokens get an embedding; frames are standardised
    with training statistics. Loss weights balance the classes, as does the logistic regression."""

    kind, metric, higher_is_better = "classify", "accuracy", True
    loss_label = "cross-entropy (nats/sequence)"
    tensor_names = ("x", "lengths", "y")
    budget = TrainConfig(steps=300, batch_size=64, lr=3e-3, eval_every=100)

    def __init__(self, data: LabelledSequences, max_vocab: int = 8000):
        from .language.data import Vocab

        self.data, self.classes = data, data.classes
        parts = {s: data.part(s) for s in ("train", "valid", "test")}
        if not parts["train"][0] or not parts["test"][0]:
            raise ValueError("the data need training and test examples; see rnn_course.sources.stratified_split")
        self.raw = parts
        if data.kind == "tokens":
            self.vocab = Vocab.build([w for s in parts["train"][0] for w in s], max_size=max_vocab, min_freq=2)
            encode = lambda items: pad_tokens([self.vocab.encode(s).tolist() for s in items])  # noqa: E731
        else:
            frames = np.concatenate(parts["train"][0])  # (ΣT, F): statistics of the training clips only
            self.mean, self.std = frames.mean(0), frames.std(0) + 1e-5
            encode = lambda items: pad_frames([(s - self.mean) / self.std for s in items])  # noqa: E731
        self.tensors = {}
        for s, (items, labels) in parts.items():
            if items:
                x, lengths = encode(items)
                self.tensors[s] = (x, lengths, torch.tensor([self.classes.index(c) for c in labels]))
        self.train, self.valid, self.test = self.tensors["train"], self.tensors.get("valid"), self.tensors["test"]
        counts = torch.bincount(self.train[2], minlength=len(self.classes)).float()
        self.class_weights = counts.sum() / (len(self.classes) * counts.clamp(min=1))

    def loss(self, model, batch):
        from .models.classify import classify_loss

        return classify_loss(model, batch, self.class_weights)

    def model(self, **options):
        from .models.classify import ClassifierConfig, SequenceClassifier

        defaults = dict(hidden_size=64, pooling="mean", dropout=0.3, cell="gru")
        if self.data.kind == "tokens":
            defaults.update(vocab_size=len(self.vocab), embedding_dim=64)
        else:
            defaults.update(n_features=self.train[0].shape[-1])
        return SequenceClassifier(ClassifierConfig(n_classes=len(self.classes), **{**defaults, **options}))

    def example(self, B: int = 3):
        x, lengths, _ = self.train
        lengths = lengths[:B]
        return _widen(x[:B], max(int(lengths.max()), B + 2)), lengths  # (B, T) or (B, T, F), (B,); T ≠ B

    diagnose_options = {"batch_dims": (0, None)}  # lengths are not samples to perturb

    def _bag(self, items):
        if self.data.kind == "tokens":
            return items
        return np.stack([np.concatenate([(s - self.mean).mean(0) / self.std, s.std(0) / self.std]) for s in items])

    def baselines(self) -> dict:
        """Majority class, and logistic regression on bags of words (counts) or frames (mean, std)."""
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        (train_x, train_y), (test_x, test_y) = self.raw["train"], self.raw["test"]
        majority = Counter(train_y).most_common(1)[0][0]
        out = {"majority class": classification_metrics(test_y, [majority] * len(test_y))}
        lr = LogisticRegression(max_iter=2000, class_weight="balanced")
        if self.data.kind == "tokens":
            model, name = make_pipeline(CountVectorizer(analyzer=lambda t: t, min_df=2), lr), "bag-of-words logistic regression"
        else:
            model, name = lr, "bag-of-frames logistic regression"
        model.fit(self._bag(train_x), train_y)
        out[name] = classification_metrics(test_y, model.predict(self._bag(test_x)))
        return out

    def evaluate(self, model) -> dict:
        from .models.classify import predict

        x, lengths, y = self.test
        return classification_metrics(y.numpy(), predict(model, x, lengths).numpy())

    def noise_band(self, rnn: dict) -> float:
        """Two standard errors of the test accuracy, k right out of n sequences, with the
        Agresti–Coull adjustment (two right and two wrong added), so a perfect score on a tiny
        test set is not mistaken for certainty."""
        n = len(self.test[2])
        p = (rnn["accuracy"] * n + 2) / (n + 4)
        return 2 * math.sqrt(p * (1 - p) / (n + 4))

    def describe(self) -> pd.DataFrame:
        """Examples per class (rows) and split (columns)."""
        return self.data.counts()

    def examples(self) -> list[str]:
        """One raw training example per class."""
        out = []
        for label in self.classes:
            i = next(i for i, (lab, s) in enumerate(zip(self.data.labels, self.data.split)) if lab == label and s == "train")
            item = self.data.items[i]
            shown = " ".join(item)[:150] if self.data.kind == "tokens" else f"{len(item)} frames × {item.shape[1]} features"
            out.append(f"{label:8s} ({self.data.groups[i]}): {shown}")
        return out

    def plot(self):
        import matplotlib.pyplot as plt

        fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3))
        self.data.counts().plot.bar(ax=a1, title="examples per class and split", rot=0)
        lengths = [len(s) for s in self.data.items]
        a2.hist(lengths, bins=30)
        a2.set(title="sequence length T", xlabel="tokens" if self.data.kind == "tokens" else "10 ms frames")
        fig.tight_layout()
        return fig

    def facts(self) -> dict:
        lengths = self.train[1].float()
        return {"output": f"classification: one of {len(self.classes)} classes per sequence ({', '.join(self.classes)})",
                "context": f"T = {int(lengths.min())}…{int(lengths.max())} steps (median {int(lengths.median())})"}


class ForecastTask(_Task):
    """Next value of the first column from a window of all columns, scaled with training statistics."""

    kind, metric, higher_is_better = "forecast", "rmse", False
    loss_label = "MSE (standardised units)"
    tensor_names = ("x", "y")
    budget = TrainConfig(steps=300, batch_size=64, lr=3e-3, eval_every=100)

    def __init__(self, data: SeriesData):
        from .forecast.data import Scaler, make_windows, windows_at

        self.data = data
        frame = data.frame
        step = (frame.index[1:] - frame.index[:-1]).median()
        per_day = round(86400 / step.total_seconds()) if step.total_seconds() > 0 else 0
        self.season = per_day if 2 <= per_day <= 1440 else (5 if step.days == 1 and frame.index.dayofweek.max() < 5
                                                              else 7 if step.days == 1 else None)
        self.window = max(20, min(self.season or 20, 96))  # T: one season (a day), at least 20 steps
        a, b = data.bounds
        values = frame.to_numpy()
        self.scaler = Scaler().fit(values[:a])
        z = self.scaler.transform(values)  # (L, F)
        self.values, self.z = values, z
        x, y = make_windows(z[:a], window=self.window, horizon=1, target_cols=0)  # (N, T, F), (N, 1)
        self.train = (x, y)
        self.origins = {"valid": np.arange(max(a, self.window), b), "test": np.arange(b, len(z))}
        self.valid, self.test = ((windows_at(z, self.origins[s], self.window),  # (N, T, F)
                                  torch.tensor(z[self.origins[s], :1], dtype=torch.float32))  # (N, 1)
                                 for s in ("valid", "test"))
        self.errors = None  # the RNN's test errors, kept by evaluate() for noise_band()

    def loss(self, model, batch):
        from .forecast.model import mse_loss

        return mse_loss(model, batch)

    def model(self, **options):
        from .forecast.model import ReturnLSTM

        return ReturnLSTM(n_features=self.z.shape[1], **{"hidden_size": 32, **options})

    def example(self, B: int = 3):
        return (self.train[0][:B],)  # (B, T, F)

    diagnose_options = {"causal": True}

    def _scores(self, pred) -> dict:
        from .forecast.evaluation import mae, rmse

        truth = self.values[self.origins["test"], 0]
        return {"rmse": rmse(truth, pred), "mae": mae(truth, pred)}

    def baselines(self) -> dict:
        from .forecast.baselines import persistence, seasonal_naive

        target, o = self.values[:, 0], self.origins["test"]
        out = {"persistence": self._scores(persistence(target, o, 1)[:, 0]),
               # for a series of changes (returns) the training mean beats persistence (notebook 05)
               "training mean": self._scores(np.full(len(o), target[:self.data.bounds[0]].mean()))}
        if self.season and o[0] >= self.season:
            out[f"seasonal naive ({self.season} steps)"] = self._scores(seasonal_naive(target, o, 1, self.season)[:, 0])
        return out

    @torch.no_grad()
    def evaluate(self, model) -> dict:
        from .forecast.data import windows_at

        model.eval()
        pred = model(windows_at(self.z, self.origins["test"], self.window))[:, 0].numpy()
        model.train()
        pred = self.scaler.column(0).inverse_transform(pred)
        self.errors = pred - self.values[self.origins["test"], 0]
        return self._scores(pred)

    def noise_band(self, rnn: dict) -> float:
        """Two standard errors of the RMSE, from the spread of the RMSE over contiguous blocks of
        the test period (errors of neighbouring steps are correlated; blocks much less)."""
        if self.errors is None:
            raise ValueError("call task.evaluate(model) first: the noise band comes from the RNN's test errors")
        return _batch_means_band([math.sqrt(np.mean(self.errors[b] ** 2)) for b in _blocks(len(self.errors), 5)])

    def describe(self) -> pd.DataFrame:
        """Steps, time span and the target's mean and spread, per split."""
        a, b = self.data.bounds
        col = self.data.frame.iloc[:, 0]
        rows = {s: col.iloc[lo:hi] for s, (lo, hi) in (("train", (0, a)), ("valid", (a, b)), ("test", (b, len(col))))}
        return pd.DataFrame({s: {"steps": len(c), "from": c.index[0], "to": c.index[-1],
                                 f"mean {col.name}": round(c.mean(), 4), f"std {col.name}": round(c.std(), 4)}
                             for s, c in rows.items()})

    def examples(self) -> list[str]:
        """The first rows of the series, as loaded."""
        return self.data.frame.head(5).to_string().splitlines()

    def plot(self):
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(10, 3))
        a, b = self.data.bounds
        col = self.data.frame.iloc[:, 0]
        for (lo, hi), name in (((0, a), "train"), ((a, b), "valid"), ((b, len(col)), "test")):
            ax.plot(col.index[lo:hi], col.iloc[lo:hi], lw=0.6, label=name)
        ax.set(title=f"{self.data.name}: {col.name}, split by time")
        ax.legend()
        return fig

    def facts(self) -> dict:
        return {"output": "regression: the next value of one series (one number per window)",
                "context": f"windows of T = {self.window} steps" + (f"; season {self.season} steps" if self.season else "")}


class GenerateTask(_Task):
    """A character language model. The vocabulary is every character of the file (a character
    seen only in the test part still gets an id; its probability is learned as tiny)."""

    kind, metric, higher_is_better = "generate", "nats_per_char", False
    loss_label = "cross-entropy (nats/character)"
    tensor_names = ("x", "y")
    budget = TrainConfig(steps=300, batch_size=32, lr=3e-3, eval_every=100, eval_batches=10)

    def __init__(self, data: TextData, steps: int = 64):
        from .language.data import CharVocab, lm_windows

        self.data, self.T = data, steps
        self.vocab = CharVocab.build("".join(data.parts.values()))
        self.ids = {s: self.vocab.encode(t) for s, t in data.parts.items()}
        self.train = lm_windows(self.ids["train"], steps)  # x, y: (N, T)
        self.valid = lm_windows(self.ids["valid"], steps) if len(self.ids["valid"]) > steps else None
        self.test = lm_windows(self.ids["test"], steps) if len(self.ids["test"]) > steps else None
        self.block_nats = None  # the RNN's nats/char per block of the test text, kept by evaluate()

    def loss(self, model, batch):
        from .language.model import lm_loss

        return lm_loss(model, batch)

    def model(self, **options):
        from .language.model import LMConfig, RecurrentLM

        return RecurrentLM(LMConfig(vocab_size=len(self.vocab), **{"embedding_dim": 32, "hidden_size": 128,
                                                                   "cell": "gru", "dropout": 0.0, **options}))

    def example(self, B: int = 3):
        return (self.train[0][:B, :min(self.T, 10)],)  # (B, T) ids

    diagnose_options = {"causal": True}

    def baselines(self) -> dict:
        from .language.baselines import KneserNeyLM

        out = {}
        for order in (3, 5):
            lm = KneserNeyLM(order=order).fit(self.ids["train"].tolist(), len(self.vocab))
            out[f"{order}-gram (Kneser–Ney)"] = {"nats_per_char": math.log(lm.perplexity(self.ids["test"].tolist()))}
        return out

    def evaluate(self, model) -> dict:
        """Nats per character of the test text, read in 2–10 contiguous blocks with the state
        carried inside each block (the blocks' spread gives :meth:`noise_band`)."""
        from .language.model import stream_perplexity

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
        from .translation.data import Vocab, make_tensors, tokenize
        from .translation.grammar import Pair

        self.data, self.tok = data, tokenize
        src = [tokenize(a, "en") for a, _ in data.parts["train"]]
        tgt = [tokenize(b, "fr") for _, b in data.parts["train"]]
        self.src_vocab, self.tgt_vocab = Vocab.build(src), Vocab.build(tgt)
        self.tensors = {s: make_tensors([Pair(a, b) for a, b in p], self.src_vocab, self.tgt_vocab)
                        for s, p in data.parts.items() if p}
        self.train, self.valid, self.test = self.tensors["train"], self.tensors.get("valid"), self.tensors["test"]
        self.references = [" ".join(tokenize(b, "fr")) for _, b in data.parts["test"]]
        self.hypotheses = None  # the RNN's test translations, kept by evaluate()

    def loss(self, model, batch):
        from .translation.model import seq2seq_loss

        return seq2seq_loss(model, batch)

    def model(self, **options):
        from .translation.model import Seq2Seq, Seq2SeqConfig

        config = Seq2SeqConfig(len(self.src_vocab), len(self.tgt_vocab),
                               **{"embedding_dim": 32, "hidden_size": 64, "dropout": 0.0, **options})
        return Seq2Seq(config, self.src_vocab, self.tgt_vocab)

    def example(self, B: int = 3):
        src, src_len, tgt_in, _ = self.train
        return _widen(src[:B], max(int(src_len[:B].max()), B + 2)), src_len[:B], tgt_in[:B]  # T_src ≠ B

    diagnose_options = {"batch_dims": (0, None, 0)}

    def baselines(self) -> dict:
        """Word by word, with each source word's most associated target word (Dice coefficient)."""
        from .translation.model import corpus_scores

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
        from .translation.model import corpus_scores, greedy_decode

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


def make_task(data):
    """The task for what :func:`rnn_course.sources.load_data` returned."""
    kinds = {LabelledSequences: ClassifyTask, SeriesData: ForecastTask, TextData: GenerateTask, PairsData: TranslateTask}
    if type(data) not in kinds:
        raise ValueError(f"make_task needs data from rnn_course.sources.load_data, got {type(data).__name__}")
    return kinds[type(data)](data)


@dataclass(frozen=True)
class Verdict:
    """RNN against the best baseline on the headline metric. ``winner`` is "rnn", "baseline" or
    "tie" (the difference is inside the noise band); ``ship`` names the model to deploy."""

    metric: str
    higher_is_better: bool
    baseline: str  # the best baseline's name
    rnn_value: float
    baseline_value: float
    band: float  # ± two standard errors of the metric on this test set
    winner: str
    ship: str

    @property
    def difference(self) -> float:
        return self.rnn_value - self.baseline_value

    def __str__(self) -> str:
        m, name, d = self.metric, self.baseline, f"{abs(self.difference):.3g}"
        scores = (f"held-out {m}, {self.rnn_value:.4g} vs {self.baseline_value:.4g} "
                  f"({'higher' if self.higher_is_better else 'lower'} is better)")
        noise = f"the noise band (±{self.band:.2g}, two standard errors on this test set)"
        if self.winner == "tie":
            return (f"Tie within noise: the RNN and the best baseline, {name}, differ by {d} on {scores}, "
                    f"inside {noise}. Ship the simpler one: {name}.")
        if self.winner == "rnn":
            return (f"The RNN beats the best baseline, {name}, by {d} on {scores}, more than {noise}. "
                    "Ship the RNN if its deployment cost (below) is affordable.")
        return (f"The RNN loses to the best baseline, {name}, by {d} on {scores}, more than {noise}. "
                f"Ship {name}, the simpler model, unless the RNN can be improved.")


def verdict(task, baselines: dict, rnn: dict, band: float | None = None) -> Verdict:
    """Who wins on held-out data, said once and consistently with the noise.

    The best baseline on ``task.metric`` is compared with the RNN. A difference no larger than
    ``band`` (default ``task.noise_band(rnn)``: two standard errors) is a tie, and a tie ships the
    simpler model, the baseline; otherwise the better one wins.
    """
    m, up = task.metric, task.higher_is_better
    name, best = max(baselines.items(), key=lambda kv: kv[1][m] if up else -kv[1][m])
    band = task.noise_band(rnn) if band is None else float(band)
    r, b = float(rnn[m]), float(best[m])
    if abs(r - b) <= band:
        winner = "tie"
    else:
        winner = "rnn" if (r > b) == up else "baseline"
    return Verdict(m, up, name, r, b, band, winner, "the RNN" if winner == "rnn" else name)


def findings(task, baselines: dict, rnn: dict) -> dict:
    """What the run says about each of the four questions (keys as in ``capstone_form.QUESTIONS``)."""
    m = task.metric
    scores = ", ".join(f"{name} {v[m]:.3g}" for name, v in baselines.items())
    order_blind = {"classify": "the bag-of-words/frames model ignores order",
                   "forecast": "the naive forecasts use one past value at most",
                   "generate": "the n-gram sees only the last few characters",
                   "translate": "word by word ignores order"}[task.kind]
    return {**task.facts(),
            "ordering": f"{order_blind}: {scores}; the RNN, which reads in order: {rnn[m]:.3g} ({m})",
            "alternative": str(verdict(task, baselines, rnn))}


def run_numbers(baselines: dict, rnn: dict) -> dict:
    """Flat numbers for ``record``: ``rnn_<metric>``, ``<baseline>_<metric>``, and ``baseline_<metric>`` for
    the first baseline that is not the majority class (the one a practitioner would try)."""
    def slug(name):
        return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_").replace("__", "_")

    out = {f"rnn_{m}": v for m, v in rnn.items()}
    for name, scores in baselines.items():
        out.update({f"{slug(name)}_{m}": v for m, v in scores.items()})
    real = [s for n, s in baselines.items() if n != "majority class"]
    if real:
        out.update({f"baseline_{m}": v for m, v in real[0].items()})
    return out


@dataclass
class Plan:
    """What notebook 10 runs on the loaded data: its task, a fresh model, and a trainer with the
    task's step budget (``trainer.config``; press Start in the dashboard to train longer)."""

    data: object
    task: _Task
    model: torch.nn.Module
    trainer: Trainer

    @property
    def steps(self) -> int:
        return self.trainer.config.steps

    def __str__(self) -> str:
        t, c = self.task, self.trainer.config
        n = sum(p.numel() for p in self.model.parameters())
        return "\n".join([
            str(self.data),
            f"task: {t.kind} — {type(self.model).__name__}, {n:,} parameters",
            f"metric: {t.metric} on the held-out test split ({'higher' if t.higher_is_better else 'lower'} is better)",
            f"training: {c.steps} steps of batch {c.batch_size}, lr {c.lr:g}",
        ])


def plan_for(data, **model_options) -> Plan:
    """The task for ``data`` (see :func:`make_task`), a fresh model (``model_options`` go to
    ``task.model``) and a Trainer with the task's budget; the batch shrinks to fit tiny data."""
    task = make_task(data)
    model = task.model(**model_options)
    config = replace(task.budget, batch_size=min(task.budget.batch_size, len(task.train[0])))
    return Plan(data, task, model, Trainer(model, task.train, task.loss, val_data=task.valid, config=config))


QUALITY_BARS = {  # course data set → (metrics, margin): RNN and baseline beat the majority class by the margin
    "shakespeare-genre": (("accuracy", "macro_f1"), 0.05),
}


def quality_problems(plan: Plan, summary, numbers: dict) -> list[str]:
    """What is wrong with this run ([] when nothing is): training did not complete, a metric is not
    finite, or, for a course data set in :data:`QUALITY_BARS`, a model does not clearly beat the
    majority class. A learner's own data has no bar: the verdict says how the RNN did."""
    problems = []
    if summary is None or summary.reason != "completed":
        problems.append(f"training did not complete ({getattr(summary, 'reason', 'not run')}); run the training cell again")
    bad = sorted(k for k, v in numbers.items() if not math.isfinite(v))
    if bad:
        problems.append(f"not finite: {bad}")
    metrics, margin = QUALITY_BARS.get(getattr(plan.data, "source", ""), ((), 0.0))
    for who in ("rnn", "baseline"):
        for m in metrics:
            mine, floor = numbers[f"{who}_{m}"], numbers[f"majority_class_{m}"]
            if not mine > floor + margin:
                problems.append(f"{who} {m} {mine:.3f} does not beat the majority class ({floor:.3f}) by {margin}")
    return problems
