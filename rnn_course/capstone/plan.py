"""Notebook 10: the course's workflow on any data :func:`rnn_course.capstone.data.load_data` returns.

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
from dataclasses import dataclass, replace

import torch

from ..train import Trainer
from .data import LabelledSequences, PairsData, SeriesData, TextData
from .tasks import ClassifyTask, ForecastTask, _Task
from .text_tasks import GenerateTask, TranslateTask

__all__ = ["plan_for", "Plan", "make_task", "verdict", "Verdict", "findings", "run_numbers", "quality_problems",
           "QUALITY_BARS"]


def make_task(data):
    """The task for what :func:`rnn_course.capstone.data.load_data` returned."""
    kinds = {LabelledSequences: ClassifyTask, SeriesData: ForecastTask, TextData: GenerateTask, PairsData: TranslateTask}
    if type(data) not in kinds:
        raise ValueError(f"make_task needs data from rnn_course.capstone.data.load_data, got {type(data).__name__}")
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
    """What the run says about each of the four questions (keys as in ``views.QUESTIONS``)."""
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
