"""Notebook 10's tasks for labelled sequences and series: what every task shares, ``ClassifyTask``
and ``ForecastTask``. Text and sentence pairs are in :mod:`.text_tasks`; :mod:`.plan` puts a task,
a model and a trainer together (see its docstring for the whole workflow).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import torch

from ..forecast.baselines import persistence, seasonal_naive
from ..forecast.data import Scaler, make_windows, windows_at
from ..forecast.evaluation import mae, rmse
from ..forecast.model import ReturnLSTM, mse_loss
from ..train import TrainConfig
from ..vocab import Vocab
from .data import LabelledSequences, SeriesData
from .model import ClassifierConfig, SequenceClassifier, classify_loss, predict

__all__ = ["ClassifyTask", "ForecastTask", "classification_metrics", "pad_tokens", "pad_frames"]


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
        self.data, self.classes = data, data.classes
        parts = {s: data.part(s) for s in ("train", "valid", "test")}
        if not parts["train"][0] or not parts["test"][0]:
            raise ValueError("the data need training and test examples; see rnn_course.capstone.data.stratified_split")
        self.raw = parts
        if data.kind == "tokens":
            self.vocab = Vocab.build([w for s in parts["train"][0] for w in s], max_size=max_vocab, min_count=2)
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
        return classify_loss(model, batch, self.class_weights)

    def model(self, **options):
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

    @staticmethod
    def _season(index) -> int | None:
        """Steps per day for sub-daily data, 5 or 7 for trading or calendar days; None when the
        index holds step numbers (no clock, so no season to guess)."""
        if not isinstance(index, pd.DatetimeIndex):
            return None
        step = pd.Series(index[1:] - index[:-1]).median()
        per_day = round(86400 / step.total_seconds()) if step.total_seconds() > 0 else 0
        if 2 <= per_day <= 1440:
            return per_day
        if step.days == 1:
            return 5 if index.dayofweek.max() < 5 else 7
        return None

    def __init__(self, data: SeriesData):
        self.data = data
        frame = data.frame
        self.season = self._season(frame.index)
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
        return mse_loss(model, batch)

    def model(self, **options):
        return ReturnLSTM(n_features=self.z.shape[1], **{"hidden_size": 32, **options})

    def example(self, B: int = 3):
        return (self.train[0][:B],)  # (B, T, F)

    diagnose_options = {"causal": True}

    def _scores(self, pred) -> dict:
        truth = self.values[self.origins["test"], 0]
        return {"rmse": rmse(truth, pred), "mae": mae(truth, pred)}

    def baselines(self) -> dict:
        target, o = self.values[:, 0], self.origins["test"]
        out = {"persistence": self._scores(persistence(target, o, 1)[:, 0]),
               # for a series of changes (returns) the training mean beats persistence (notebook 05)
               "training mean": self._scores(np.full(len(o), target[:self.data.bounds[0]].mean()))}
        if self.season and o[0] >= self.season:
            out[f"seasonal naive ({self.season} steps)"] = self._scores(seasonal_naive(target, o, 1, self.season)[:, 0])
        return out

    @torch.no_grad()
    def evaluate(self, model) -> dict:
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
