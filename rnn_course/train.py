"""The headless trainer every notebook (and the dashboard) drives.

Budgeted in optimizer steps, deterministic from a seed, and careful with the learner's weights: a NaN or a
diverging loss stops training and restores the last good weights, a stop request (from a button, another thread,
or Jupyter's interrupt) ends it cleanly after the current step, and bad input fails before anything changes,
with a message that says what to do: settings, a device this machine lacks, validation data the model cannot
take (tried on one batch when the Trainer is made), a loss_fn that returns no single trainable number.

    trainer = Trainer(model, (x_train, y_train), loss_fn, val_data=(x_val, y_val),
                      config=TrainConfig(steps=300, lr=3e-3, batch_size=32))
    summary = trainer.run()          # or trainer.run(100) to continue for 100 more steps
    trainer.history.val_loss[-1]

``loss_fn(model, batch) -> scalar loss tensor``; ``batch`` is what the data yields for the chosen indices: tensors
sliced along dim 0 (the batch axis, B) for tensor data, or ``collate([dataset[i] for i in idx])`` for a ``Dataset``.
"""

from __future__ import annotations

import copy
import math
import threading
import time
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Callable, Sequence

import torch
from torch import nn

from . import demo
from .cost import release_freed_memory
from .train_inputs import TrainData, check_loss_and_callbacks, check_val_data, checked_loss, pick_device, to_device
from .validate import is_number, one_of, whole

__all__ = ["TrainConfig", "Trainer", "Callback", "CosineLR", "ProgressBar", "History", "RunSummary", "OPTIMIZERS"]

OPTIMIZERS = ("adam", "adamw", "sgd")
RELEASE_EVERY = 10  # steps between handing freed memory back to the OS (cost.release_freed_memory)


@dataclass(frozen=True)
class TrainConfig:
    """Everything a run needs to know; the defaults train the course's small models well."""

    steps: int = 300  # optimizer steps per run()
    batch_size: int = 32  # B
    lr: float = 2e-3
    optimizer: str = "adam"  # one of OPTIMIZERS
    weight_decay: float = 0.0
    clip_grad: float | None = 1.0  # max global gradient norm; None turns clipping off
    eval_every: int = 50  # steps between validation passes (and at the end of each run)
    eval_batches: int | None = None  # cap on validation batches; None: the whole set
    divergence_factor: float = 4.0  # stop when the smoothed loss exceeds its best by this factor
    #                                 (and has climbed back half-way to its starting value)
    seed: int = 0
    restore_best: bool = False  # end each run with the best validated weights seen (without val_data: no-op)

    def check(self, n_train: int | None = None) -> None:
        """Raise ``ValueError`` naming the bad setting and a sensible value."""
        whole("steps", self.steps, why="try 200")
        whole("batch_size", self.batch_size, why="try 32")
        if n_train is not None and self.batch_size > n_train:
            raise ValueError(
                f"batch_size={self.batch_size} is larger than the training data ({n_train} examples); "
                f"use a batch_size of at most {n_train}"
            )
        if not is_number(self.lr) or self.lr <= 0:
            raise ValueError(f"lr (learning rate) must be a number > 0 (try 1e-3), got {self.lr!r}")
        if self.lr > 10:
            raise ValueError(f"lr={self.lr} is far too large to train anything; try 1e-3 (Adam) or 0.1 (SGD)")
        one_of("optimizer", self.optimizer, OPTIMIZERS)
        if not is_number(self.weight_decay) or self.weight_decay < 0:
            raise ValueError(f"weight_decay must be ≥ 0 (try 0 or 1e-4), got {self.weight_decay!r}")
        if self.clip_grad is not None and (not is_number(self.clip_grad) or self.clip_grad <= 0):
            raise ValueError(f"clip_grad must be > 0 (try 1.0) or None for no clipping, got {self.clip_grad!r}")
        whole("eval_every", self.eval_every, why="try 50")
        whole("eval_batches", self.eval_batches, why="None: the whole validation set", or_none=True)
        if not is_number(self.divergence_factor) or self.divergence_factor <= 1:
            raise ValueError(f"divergence_factor must be > 1 (try 4), got {self.divergence_factor!r}")
        whole("seed", self.seed, at_least=0)
        if not isinstance(self.restore_best, bool):
            raise ValueError(f"restore_best must be True or False, got {self.restore_best!r}")


@dataclass
class History:
    """Loss curves: train loss at every step, validation loss at every evaluation."""

    train_step: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_step: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RunSummary:
    """How a ``run`` ended. ``reason`` is one of: completed, stopped, interrupted, diverged."""

    reason: str
    step: int  # optimizer steps taken in total (over all runs; a restore does not rewind it)
    steps_this_run: int
    seconds: float
    message: str
    restored_step: int | None = None  # with restore_best: the step whose weights the model ended with

    @property
    def ok(self) -> bool:
        return self.reason in ("completed", "stopped", "interrupted")

    def __str__(self) -> str:
        return self.message


class Callback:
    """Override what you need. The dashboard is one of these. ``replay_safe``: demo mode may
    replay a recorded run in place of a run with this callback (it needs no live steps)."""

    replay_safe = False

    def on_run_start(self, trainer: "Trainer") -> None: ...
    def on_step(self, trainer: "Trainer", step: int, loss: float) -> None: ...
    def on_eval(self, trainer: "Trainer", step: int, val_loss: float) -> None: ...
    def on_run_end(self, trainer: "Trainer", summary: RunSummary) -> None: ...


class CosineLR(Callback):
    """Cosine decay of the learning rate from ``lr`` to ``floor·lr`` over ``steps``; prints each
    validation loss when ``log`` is true. Used by the scripts that train the shipped checkpoints."""

    replay_safe = True  # the rate follows the step: a replayed run leaves nothing for it to catch up on

    def __init__(self, lr: float, steps: int, floor: float = 0.05, log: bool = True):
        self.lr, self.steps, self.floor, self.log = lr, steps, floor, log

    def on_eval(self, trainer, step, val):
        if self.log:
            print(f"step {step:5d}  val {val:.4f}", flush=True)

    def progress(self, trainer, step: int) -> float:
        """How far along the schedule is, 0 → 1 (by steps here; a subclass may measure otherwise)."""
        return step / self.steps

    def on_step(self, trainer, step, loss):
        frac = min(self.progress(trainer, step), 1.0)
        scale = self.floor + (1 - self.floor) * 0.5 * (1 + math.cos(math.pi * frac))
        for g in trainer.optimizer.param_groups:
            g["lr"] = self.lr * scale


class ProgressBar(Callback):
    """A progress bar over each ``run`` with the latest training loss, for training cells that
    have no dashboard: ``Trainer(..., callbacks=[ProgressBar("article model")])``. It is tqdm's:
    a bar in Jupyter, a line of text elsewhere."""

    replay_safe = True

    def __init__(self, desc: str = "training"):
        self.desc, self.bar = desc, None

    def on_run_start(self, trainer):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=trainer.target_step - trainer.step, desc=self.desc, unit="step")

    def on_step(self, trainer, step, loss):
        self.bar.set_postfix_str(f"loss {loss:.3f}", refresh=False)
        self.bar.update(1)

    def on_run_end(self, trainer, summary):
        self.bar.close()


class _Diverged(Exception):
    pass


class Trainer:
    """Step-budgeted training with guards. See the module docstring for an example."""

    def __init__(
        self,
        model: nn.Module,
        train_data,
        loss_fn: Callable[[nn.Module, Any], torch.Tensor],
        *,
        val_data=None,
        config: TrainConfig | None = None,
        callbacks: Sequence[Callback] = (),
        collate: Callable | None = None,
        device: torch.device | str | None = None,
        **overrides,
    ):
        if not isinstance(model, nn.Module):
            raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        if not any(p.requires_grad for p in model.parameters()):
            raise ValueError("the model has no trainable parameters, so there is nothing to train")
        config = replace(config or TrainConfig(), **self._known(overrides))
        self.train_data = TrainData(train_data, collate, "train_data")
        callbacks = check_loss_and_callbacks(model, self.train_data, loss_fn, callbacks, Callback)
        self.val_data = TrainData(val_data, collate, "val_data") if val_data is not None else None
        config.check(self.train_data.n)
        self.device = pick_device(device, model)
        self.model, self.loss_fn, self.config = model, loss_fn, config
        self.callbacks = list(callbacks)
        self.model.to(self.device)
        if self.val_data is not None:
            check_val_data(model, loss_fn, self.train_data, self.val_data, config.batch_size, self.device)
        self.optimizer = self._make_optimizer(config)
        self.history = History()
        self.step = 0  # optimizer steps taken so far
        self.target_step = 0  # the step the current (or last) run() ends at, when it completes
        self.generator = torch.Generator().manual_seed(config.seed)
        self._order: torch.Tensor | None = None  # current shuffled pass over the training data
        self._pos = 0
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()  # "not paused"
        self._snapshot = None  # (step, model state, optimizer state) known to be good
        self._best = None  # restore_best: (validation loss, step, model state, optimizer state)
        self._ema = None
        self._best_ema = math.inf
        self._above = 0  # consecutive steps with the smoothed loss above the divergence line
        self._first_ema = None  # the smoothed loss when training began
        self.is_training = False

    # -- settings ---------------------------------------------------------------------------
    @staticmethod
    def _known(overrides: dict) -> dict:
        names = {f.name for f in fields(TrainConfig)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise ValueError(f"unknown setting(s) {unknown}; valid settings: {', '.join(sorted(names))}")
        return overrides

    def _make_optimizer(self, c: TrainConfig) -> torch.optim.Optimizer:
        params = [p for p in self.model.parameters() if p.requires_grad]
        if c.optimizer == "sgd":
            return torch.optim.SGD(params, lr=c.lr, momentum=0.9, weight_decay=c.weight_decay)
        cls = torch.optim.AdamW if c.optimizer == "adamw" else torch.optim.Adam
        return cls(params, lr=c.lr, weight_decay=c.weight_decay)

    def configure(self, **changes) -> TrainConfig:
        """Change settings between runs. Everything is checked first; on error nothing changes."""
        if self.is_training:
            raise RuntimeError("settings cannot change while training runs; pause or stop first")
        new = replace(self.config, **self._known(changes))
        new.check(self.train_data.n)
        if new.optimizer != self.config.optimizer:
            self.optimizer = self._make_optimizer(new)
        for group in self.optimizer.param_groups:
            group["lr"], group["weight_decay"] = new.lr, new.weight_decay
        self.config = new
        return new

    # -- control from other threads ---------------------------------------------------------
    def request_stop(self) -> None:
        """Ask the running loop to stop after the current step (safe from any thread)."""
        self._stop.set()
        self._running.set()  # wake a paused loop so it can stop

    def pause(self) -> None:
        """Hold the loop after the current step until ``resume()`` or ``request_stop()``."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    # -- data -------------------------------------------------------------------------------
    def _next_batch(self):
        b = self.config.batch_size
        if self._order is None or self._pos + b > len(self._order):
            self._order = torch.randperm(self.train_data.n, generator=self.generator)
            self._pos = 0
        idx = self._order[self._pos:self._pos + b]
        self._pos += b
        return to_device(self.train_data.take(idx), self.device)

    # -- guards -----------------------------------------------------------------------------
    def _take_snapshot(self) -> None:
        self._snapshot = (
            self.step,
            copy.deepcopy(self.model.state_dict()),
            copy.deepcopy(self.optimizer.state_dict()),
        )

    def _restore_snapshot(self) -> int:
        step, model_state, opt_state = self._snapshot
        self.model.load_state_dict(model_state)
        self.optimizer.load_state_dict(opt_state)
        self.optimizer.zero_grad(set_to_none=True)
        return step

    def _consider_best(self, val: float) -> None:
        if self.config.restore_best and (self._best is None or val < self._best[0]):
            self._best = (val, self.step, copy.deepcopy(self.model.state_dict()),
                          copy.deepcopy(self.optimizer.state_dict()))

    def _restore_best(self) -> int | None:
        """Load the best validated weights if the latest validation is worse; their step, or None."""
        if self.val_data is None or self._best is None:
            return None
        if not self.history.val_step or self.history.val_step[-1] != self.step:
            self._eval_and_log()  # a stopped or interrupted run: score where it ended first
        if self._best[1] == self.step or self.history.val_loss[-1] <= self._best[0]:
            return None
        _, step, model_state, opt_state = self._best
        self.model.load_state_dict(model_state)
        self.optimizer.load_state_dict(opt_state)
        self.optimizer.zero_grad(set_to_none=True)
        return step

    def _check_loss(self, loss: float) -> None:
        c = self.config
        if not math.isfinite(loss):
            raise _Diverged(f"the loss became {loss}")
        self._ema = loss if self._ema is None else 0.9 * self._ema + 0.1 * loss
        if self._first_ema is None:
            self._first_ema = self._ema
        self._best_ema = min(self._best_ema, self._ema)
        # Diverging = far above its best AND back up at least half-way to where training began.
        # A loss that wobbles between 0.006 and 0.04 after falling from 40 is noise, not divergence.
        above = (self._best_ema > 0 and self._ema > c.divergence_factor * self._best_ema
                 and self._ema > 0.5 * self._first_ema)
        self._above = self._above + 1 if above else 0
        if self._above >= 10:  # one noisy batch is not a divergence; ten in a row are
            raise _Diverged(
                f"the loss is diverging (smoothed {self._ema:.3g}, more than {c.divergence_factor:g}× "
                f"its best {self._best_ema:.3g})"
            )

    # -- the loop ---------------------------------------------------------------------------
    @torch.no_grad()
    def progress_state(self) -> dict:
        """Where training stands, as plain values: step, data position and shuffling generator,
        history, divergence-guard state. With the model's and optimizer's state_dicts it is all a
        snapshot needs to resume exactly (``rnn_course.scaling.distributed`` uses it)."""
        return {
            "step": self.step,
            "pos": self._pos,
            "order": self._order.tolist() if self._order is not None else None,
            "generator": self.generator.get_state().tolist(),
            "history": self.history.to_dict(),
            "guard": {"ema": self._ema, "first_ema": self._first_ema, "above": self._above,
                      "best_ema": self._best_ema if math.isfinite(self._best_ema) else None},
        }

    def load_progress_state(self, state: dict) -> None:
        """Resume from :meth:`progress_state`'s values (load model and optimizer separately)."""
        self.step = state["step"]
        self._pos = state["pos"]
        self._order = torch.tensor(state["order"], dtype=torch.long) if state["order"] is not None else None
        self.generator.set_state(torch.tensor(state["generator"], dtype=torch.uint8))
        self.history = History(**state["history"])
        g = state["guard"]
        self._ema, self._first_ema, self._above = g["ema"], g["first_ema"], g["above"]
        self._best_ema = math.inf if g["best_ema"] is None else g["best_ema"]

    def evaluate(self, data=None, max_batches: int | None = None) -> float:
        """Mean loss over validation data (or ``data``), in eval mode, in a fixed order."""
        d = self.val_data if data is None else TrainData(data, None, "data")
        if d is None:
            raise ValueError("no validation data: pass val_data= to the Trainer, or data= here")
        max_batches = self.config.eval_batches if max_batches is None else max_batches
        was_training = self.model.training
        self.model.eval()
        total, count = 0.0, 0
        try:
            with torch.no_grad():  # no graph: validation needs no gradients, and would pay for one
                for i, start in enumerate(range(0, d.n, self.config.batch_size)):
                    if max_batches is not None and i >= max_batches:
                        break
                    idx = torch.arange(start, min(start + self.config.batch_size, d.n))
                    loss = self.loss_fn(self.model, to_device(d.take(idx), self.device))
                    total += float(checked_loss(loss, self.loss_fn, training=False)) * len(idx)
                    count += len(idx)
        finally:
            self.model.train(was_training)
        return total / count

    def _eval_and_log(self) -> None:
        if self.val_data is None or (self.history.val_step and self.history.val_step[-1] == self.step):
            return
        val = self.evaluate()
        self.history.val_step.append(self.step)
        self.history.val_loss.append(val)
        self._consider_best(val)
        for cb in self.callbacks:
            cb.on_eval(self, self.step, val)

    def run(self, steps: int | None = None, *, replay: bool | None = None) -> RunSummary:
        """Train for ``steps`` more optimizer steps (default: ``config.steps``).

        Returns a :class:`RunSummary`; it never raises for a diverging loss, a stop request or a keyboard
        interrupt — it says what happened, and the model keeps good weights. In demo mode (:mod:`rnn_course.demo`;
        ``replay=None`` follows it, False trains live) the recorded run that starts here is replayed, or a tiny
        budget trained. Every ``RELEASE_EVERY`` steps and at the end, freed memory goes back to the OS."""
        steps = self.config.steps if steps is None else steps
        replace(self.config, steps=steps).check(self.train_data.n)
        key = demo.fingerprint(self, steps) if demo.recording() else None
        if not self.is_training and (demo.demo_mode() if replay is None else replay):
            what, value = demo.plan(self, steps)
            if what == "replay":
                return demo.replay(self, value, steps)
            if what == "tiny":
                print(demo.tiny_note(steps, value))
                steps = value
        c = self.config
        self._stop.clear()
        self._running.set()
        self.is_training = True
        self.model.train()
        self._take_snapshot()
        start_step, t0 = self.step, time.perf_counter()
        self.target_step = start_step + steps
        reason, detail = "completed", ""
        for cb in self.callbacks:
            cb.on_run_start(self)
        if c.restore_best and self.val_data is not None and not (self.history.val_step and
                                                                 self.history.val_step[-1] == self.step):
            self._consider_best(self.evaluate())  # the weights this run starts from are a candidate too
        in_update = False
        try:
            while self.step - start_step < steps:
                if not self._running.is_set():
                    self._running.wait()
                if self._stop.is_set():
                    reason = "stopped"
                    break
                batch = self._next_batch()
                loss = checked_loss(self.loss_fn(self.model, batch), self.loss_fn, training=True)
                value = float(loss.detach())
                self._check_loss(value)
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                max_norm = c.clip_grad if c.clip_grad is not None else math.inf
                norm = float(nn.utils.clip_grad_norm_(self.model.parameters(), max_norm))
                if not math.isfinite(norm):
                    raise _Diverged(f"the gradient became {norm}")
                in_update = True
                self.optimizer.step()
                in_update = False
                self.step += 1
                self.history.train_step.append(self.step)
                self.history.train_loss.append(value)
                for cb in self.callbacks:
                    cb.on_step(self, self.step, value)
                if self.step % RELEASE_EVERY == 0:
                    release_freed_memory()  # freed tensors back to the OS: resident memory stays flat
                if self.step % c.eval_every == 0:
                    self._eval_and_log()
                    self._take_snapshot()
            else:
                self._eval_and_log()
        except _Diverged as e:
            good = self._restore_snapshot()
            reason = "diverged"
            detail = (
                f"{e} at step {self.step + 1}. The weights are back to those of step {good}, the last good ones. "
                f"Try a smaller learning rate (lr={c.lr:g} now; try {c.lr / 10:g})"
                + (", and turn on gradient clipping (clip_grad=1.0)." if c.clip_grad is None else ".")
            )
            self._ema, self._best_ema, self._above = None, math.inf, 0
        except KeyboardInterrupt:
            reason = "interrupted"
            if in_update:  # the optimizer was half-way through changing the weights
                good = self._restore_snapshot()
                detail = f" (stopped mid-update, so back to the weights of step {good})"
            self.optimizer.zero_grad(set_to_none=True)
        finally:
            self.is_training = False
            self.model.train()
            release_freed_memory()
        n = self.step - start_step
        seconds = time.perf_counter() - t0
        restored = self._restore_best() if c.restore_best and reason != "diverged" else None
        messages = {
            "completed": f"Trained {n} steps in {seconds:.1f} s (step {self.step} in total).",
            "stopped": f"Stopped on request after {n} steps (step {self.step}); the weights are from that step.",
            "interrupted": f"Interrupted after {n} steps{detail}; the model keeps its trained weights. "
                           "Run again to continue.",
            "diverged": f"Training stopped: {detail}",
        }
        if restored is not None:
            best_val, best_step = self._best[0], self._best[1]
            messages[reason] += (f" Validation was best at step {best_step} ({best_val:.4g}, against "
                                 f"{self.history.val_loss[-1]:.4g} now), so the model keeps the weights of step "
                                 f"{best_step} (restore_best=True).")
        summary = RunSummary(reason, self.step, n, seconds, messages[reason], restored)
        if key is not None:
            demo.remember(self, key, summary)
        for cb in self.callbacks:
            cb.on_run_end(self, summary)
        return summary
