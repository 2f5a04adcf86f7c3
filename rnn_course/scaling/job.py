"""Notebook 09's training job: notebook 03's character LM, trained data-parallel.

    run = CharLMRun(steps=60, global_batch=32)
    one = train_char_lm(run)                          # here, in this process (world size 1)
    two = run_torchrun(run, nproc=2)                  # the same job under torchrun, 2 processes
    max(abs(a - b) for a, b in zip(one["train_loss"], two["train_loss"]))   # float noise

``scripts/train_ddp.py`` is the command-line face of :func:`train_char_lm`; :func:`run_torchrun`
starts it through ``python -m torch.distributed.run`` (that is ``torchrun``) on 127.0.0.1 and
turns a failed launch into a message that says what to do.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from ..language.data import CharVocab, lm_windows, play_text, plays, shakespeare
from ..language.model import LMConfig, RecurrentLM, lm_loss
from ..paths import project_root
from ..train import Callback, TrainConfig
from ..validate import whole_numbers
from . import distributed as D

__all__ = ["CharLMRun", "train_char_lm", "write_json", "SCRIPT"]

SCRIPT = project_root() / "scripts" / "train_ddp.py"


@dataclass(frozen=True)
class CharLMRun:
    """A small character LM run (notebook 03's GRU, smaller) that several processes can share."""

    steps: int = 60
    global_batch: int = 32  # B, split into B/W per process
    seq_len: int = 64  # T
    embedding_dim: int = 32
    hidden_size: int = 128  # H
    cell: str = "gru"
    lr: float = 4e-3
    train_chars: int = 200_000  # the first characters of the training plays
    eval_every: int = 20
    eval_batches: int = 4
    seed: int = 0
    snapshot_dir: str | None = None  # None: no snapshots, no resuming
    snapshot_every: int = 20

    def check(self) -> None:
        whole_numbers(self, "steps", "global_batch", "seq_len", "embedding_dim", "hidden_size", "train_chars",
                      "eval_every", "eval_batches", "snapshot_every")
        if self.train_chars < 10 * self.seq_len:
            raise ValueError(f"train_chars={self.train_chars} is too little text for seq_len={self.seq_len}")

    def identity(self) -> dict:
        """What a snapshot must share with this run to be resumed by it."""
        keys = ("global_batch", "seq_len", "embedding_dim", "hidden_size", "cell", "lr", "train_chars", "seed")
        return {k: getattr(self, k) for k in keys}


class _StepTimer(Callback):
    """Wall time between consecutive steps, leaving out the steps that paid for an evaluation or
    a snapshot (they happen between two steps)."""

    def __init__(self, skip_every: list[int]):
        self.skip_every, self.last, self.times, self.cpu = skip_every, None, [], []

    def on_run_start(self, trainer):
        self.last = None

    def on_step(self, trainer, step, loss):
        now = (time.perf_counter(), time.process_time())  # wall clock; CPU time of this process
        if self.last is not None and not any((step - 1) % k == 0 for k in self.skip_every):
            self.times.append(now[0] - self.last[0])
            self.cpu.append(now[1] - self.last[1])
        self.last = now

    @staticmethod
    def median(values):
        return sorted(values)[len(values) // 2] if values else None


def train_char_lm(run: CharLMRun, env=None) -> dict:
    """Train ``run`` in this process as one rank of ``env`` (default: torchrun's environment, or
    alone). Every rank returns the same result dict; only rank 0 prints."""
    run.check()
    env = env or D.setup(run.global_batch)
    D.shard_size(run.global_batch, env.world_size)
    vocab = CharVocab.build(shakespeare("train"))  # notebook 03's 63 characters
    x, y = lm_windows(vocab.encode(shakespeare("train", max_chars=run.train_chars)), run.seq_len)  # (N, T)
    valid = "".join(play_text(r["play"])[:10_000] for r in plays("valid"))
    xv, yv = lm_windows(vocab.encode(valid), run.seq_len)
    torch.manual_seed(run.seed)  # the same initial weights on every rank (DDP also sends rank 0's)
    model = RecurrentLM(LMConfig(vocab_size=len(vocab), embedding_dim=run.embedding_dim,
                                 hidden_size=run.hidden_size, cell=run.cell, dropout=0.0))
    torch.manual_seed(run.seed * 1000 + env.rank)  # dropout streams differ per rank (none here)
    timer = _StepTimer([run.eval_every] + ([run.snapshot_every] if run.snapshot_dir else []))
    config = TrainConfig(steps=run.steps, batch_size=run.global_batch, lr=run.lr, eval_every=run.eval_every,
                         eval_batches=run.eval_batches, seed=run.seed)
    trainer = D.ddp_trainer(model, (x, y), lm_loss, env=env, config=config, val_data=(xv, yv), callbacks=[timer])
    identity = {**run.identity(), "vocab": "".join(vocab.itos)}
    resumed = None
    if run.snapshot_dir:
        resumed = D.restore(trainer, run.snapshot_dir, env, identity)
        trainer.callbacks.append(D.Snapshots(run.snapshot_dir, env, every=run.snapshot_every, identity=identity))
    restarts = int(os.environ.get("TORCHELASTIC_RESTART_COUNT", 0))
    if env.is_main:
        print(f"world size {env.world_size} ({env.backend or 'one process'}), {model.num_parameters():,} parameters, "
              f"global batch {run.global_batch} = {env.world_size} × {run.global_batch // env.world_size}"
              + (f"; resumed from step {resumed} (restart {restarts})" if resumed is not None else ""), flush=True)
    t0 = time.perf_counter()
    summary = trainer.run(run.steps - trainer.step) if trainer.step < run.steps else None
    seconds = time.perf_counter() - t0
    params = D.unwrap(trainer.model).parameters()
    digest = hashlib.sha256(torch.cat([p.detach().flatten().cpu() for p in params]).numpy().tobytes()).hexdigest()
    cpu = timer.median(timer.cpu)
    nodes = D.gather(env, (os.environ.get("GROUP_RANK", "0"), digest, cpu))  # (node rank, weights, CPU s) per rank
    h = trainer.history
    median = timer.median(timer.times)
    result = {
        "run": asdict(run), "world_size": env.world_size, "backend": env.backend,
        "nodes": len({n[0] for n in nodes}), "replicas_identical": len({n[1] for n in nodes}) == 1,
        "summary": summary.reason if summary else "already complete", "message": str(summary or ""),
        "resumed_from": resumed, "restart_count": restarts,
        "train_step": h.train_step, "train_loss": h.train_loss, "val_step": h.val_step, "val_loss": h.val_loss,
        "parameters": model.num_parameters(),
        "gradient_bytes": sum(p.numel() * p.element_size() for p in model.parameters() if p.requires_grad),
        "seconds": seconds, "step_seconds_median": median,
        "cpu_seconds_per_step": sum(n[2] for n in nodes) if cpu is not None else None,  # all ranks together
        "samples_per_second": run.global_batch / median if median else None,
        "torch_threads": torch.get_num_threads(),
    }
    if env.is_main and summary is not None:
        print(summary, f"final train loss {h.train_loss[-1]:.4f}, val loss {h.val_loss[-1]:.4f}", flush=True)
    return result


def write_json(path, data: dict) -> None:
    """Atomic JSON write (a reader never sees half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f)
    os.replace(tmp, path)
