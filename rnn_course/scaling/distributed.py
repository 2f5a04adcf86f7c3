"""Data-parallel training under ``torchrun``: the course's Trainer on several processes.

One script serves one process and many (nanoGPT's ``train.py``, PyTorch's DDP tutorial series):
``torchrun`` starts N copies and tells each who it is through the environment (``RANK``,
``LOCAL_RANK``, ``WORLD_SIZE``); without those variables the same script runs alone.

    env = setup(global_batch=32)            # reads torchrun's environment; gloo on CPU
    trainer = ddp_trainer(model, (x, y), lm_loss, env=env, val_data=(xv, yv),
                          config=TrainConfig(steps=100, batch_size=32))   # batch_size: the GLOBAL batch
    resumed = restore(trainer, "snapshots/", env, identity)            # None when starting afresh
    trainer.callbacks.append(Snapshots("snapshots/", env, every=20, identity=identity))
    trainer.run(100 - trainer.step)
    teardown(env)

How the pieces keep every replica identical:

- **Batches.** Every rank draws the *same* global batch of B indices (the Trainer's generator has
  the same seed everywhere) and keeps its own contiguous shard of B/W of them, so the W shards
  together are exactly the batch one process would take. B must divide evenly by W.
- **Gradients.** ``DistributedDataParallel`` averages the gradients over the ranks during
  ``backward``: the mean of W shard means is the mean over the whole batch.
- **The loss the Trainer sees** is the mean over all ranks (one all-reduce of a number), so the
  divergence guard takes the same decision on every rank at the same step. A guard that fired on
  one rank only would leave the others waiting forever in the next all-reduce.
- **Snapshots** hold model, optimizer, step, every rank's RNG state and the data position; rank 0
  writes them atomically, one file per step, and at start rank 0 reads the newest one that
  verifies and sends it to every rank, so a restarted job (``torchrun --max-restarts``) goes on
  exactly where the snapshot left it, even on machines that share no file system. When none
  verifies, rank 0 says so, names each file it skipped and why, and training starts at step 0.
- **A dead agent.** A worker started by torchrun stops when its agent is gone (killed with
  SIGKILL, the agent cannot stop its workers; they would train on, orphaned, to the end).
"""

from __future__ import annotations

import datetime
import functools
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch
import torch.distributed as dist
from torch import nn

from ..checkpoint import CheckpointError, load_checkpoint, model_mismatch, save_checkpoint
from ..repro import device
from ..train import Callback, TrainConfig, Trainer
from ..train_inputs import checked_loss

__all__ = ["DistEnv", "setup", "teardown", "shard_size", "ShardedBatches", "ddp_trainer", "Snapshots", "AgentWatch",
           "save_snapshot", "restore", "unwrap", "gather"]

SNAPSHOT_KIND = "rnn_course-ddp-snapshot-v1"
_SNAPSHOT = re.compile(r"snapshot-(\d+)\.pt$")
_PARTIAL = re.compile(r"^\.snapshot-\d+\.pt\.")  # a temp file of an atomic write (.snapshot-N.pt[.sha256].XXXX)


@dataclass(frozen=True)
class DistEnv:
    """Who this process is. ``world_size == 1`` (no torchrun) means no process group at all."""

    rank: int = 0
    local_rank: int = 0
    world_size: int = 1
    backend: str | None = None  # "gloo", "nccl" or None (one process)
    device: torch.device = torch.device("cpu")
    grad_group: Any = None  # the process group DDP and the loss average use (NCCL on GPUs)

    @property
    def is_main(self) -> bool:
        """Rank 0: the only process that logs and writes files."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def _env_int(name: str, default: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        if default is None:
            raise ValueError(f"{name} is not set: start the script with torchrun, which sets RANK, "
                             "LOCAL_RANK and WORLD_SIZE, or unset WORLD_SIZE to run as one process")
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number; torchrun sets it — do not set it by hand") from None


def shard_size(global_batch: int, world_size: int) -> int:
    """Examples per rank: B / W. Raises ``ValueError`` naming batch sizes that work when W ∤ B."""
    if not isinstance(global_batch, int) or global_batch < 1:
        raise ValueError(f"the global batch must be a whole number ≥ 1, got {global_batch!r}")
    if not isinstance(world_size, int) or world_size < 1:
        raise ValueError(f"the world size must be a whole number ≥ 1, got {world_size!r}")
    if global_batch % world_size:
        lower = global_batch - global_batch % world_size
        upper = lower + world_size
        fits = [w for w in range(1, min(global_batch, 64) + 1) if global_batch % w == 0]
        raise ValueError(
            f"the global batch of {global_batch} cannot be split evenly over {world_size} processes; "
            f"use a global batch that is a multiple of {world_size} (e.g. {lower or upper} or {upper}), "
            f"or a number of processes that divides {global_batch} ({', '.join(map(str, fits))})"
        )
    return global_batch // world_size


def _attempt_store(rank: int, world: int, timeout: datetime.timedelta) -> dist.Store:
    """The key-value store the ranks meet in, with keys private to this restart attempt.

    torchrun's agent keeps one store for the whole job and its workers share it across restarts.
    Without a prefix per attempt, a restarted rank can read the gloo address its dead
    predecessor left there and try to connect to it (seen here: "Gloo connectFullMesh failed
    ... Connection refused", or a hang, after ``--max-restarts`` restarted a killed worker).
    """
    addr, port = os.environ.get("MASTER_ADDR"), os.environ.get("MASTER_PORT")
    if not addr or not port:
        raise ValueError("MASTER_ADDR and MASTER_PORT are not set: start the script with torchrun "
                         "(or set both to the address and a free port of the rank-0 machine)")
    agent_store = os.environ.get("TORCHELASTIC_USE_AGENT_STORE") == "True"  # torchrun hosts it
    store = dist.TCPStore(addr, int(port), world, is_master=rank == 0 and not agent_store, timeout=timeout,
                          multi_tenant=not agent_store)
    attempt = os.environ.get("TORCHELASTIC_RESTART_COUNT", "0")
    return dist.PrefixStore(f"rnn_course/attempt_{attempt}", store)


def setup(global_batch: int | None = None, *, timeout_s: float = 300.0) -> DistEnv:
    """Join the job ``torchrun`` started (or return a one-process ``DistEnv`` without torchrun).

    The default process group is gloo, always: it carries the small CPU messages (snapshots,
    checks). Gradients go over NCCL only when *every* rank has a GPU of its own — the ranks
    agree on that with one all-reduce before choosing. ``global_batch`` is checked against the
    world size first, before any process waits for another.
    """
    world = _env_int("WORLD_SIZE", 1)
    if world < 1:
        raise ValueError(f"WORLD_SIZE={world}: it must be ≥ 1")
    if global_batch is not None:
        shard_size(global_batch, world)
    if world == 1:  # alone (or torchrun --nproc-per-node=1 on one node): no process group needed
        return DistEnv(device=device())
    rank, local_rank = _env_int("RANK"), _env_int("LOCAL_RANK")
    if not 0 <= rank < world:
        raise ValueError(f"RANK={rank} is outside 0..{world - 1} (WORLD_SIZE={world})")
    if not dist.is_initialized():
        timeout = datetime.timedelta(seconds=timeout_s)
        dist.init_process_group("gloo", store=_attempt_store(rank, world, timeout), rank=rank,
                                world_size=world, timeout=timeout)
    has_gpu = torch.cuda.is_available() and local_rank < torch.cuda.device_count()
    flag = torch.tensor([1 if has_gpu else 0])
    dist.all_reduce(flag, op=dist.ReduceOp.MIN)
    if int(flag):  # every rank has a GPU: gradients over NCCL, one GPU per process
        torch.cuda.set_device(local_rank)
        group = dist.new_group(backend="nccl")
        return DistEnv(rank, local_rank, world, "nccl", torch.device("cuda", local_rank), group)
    return DistEnv(rank, local_rank, world, "gloo", torch.device("cpu"), None)


def teardown(env: DistEnv) -> None:
    """Leave the process group (safe to call for one process, and twice)."""
    if env.distributed and dist.is_initialized():
        dist.destroy_process_group()


def unwrap(model: nn.Module) -> nn.Module:
    """The plain model inside a ``DistributedDataParallel`` wrapper (or the model itself)."""
    return model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model


def gather(env: DistEnv, obj) -> list:
    """Every rank's ``obj``, in rank order, on every rank (``[obj]`` for one process)."""
    if not env.distributed:
        return [obj]
    out = [None] * env.world_size
    dist.all_gather_object(out, obj)
    return out


class ShardedBatches:
    """Tensors (examples along dim 0) seen by the Trainer as a Dataset of indices.

    The Trainer draws the global batch of B indices and calls ``collate`` with them; ``collate``
    keeps this rank's contiguous shard of B/W indices and slices the tensors once:
    x: (N, T) → (B/W, T).
    """

    def __init__(self, tensors: tuple[torch.Tensor, ...], env: DistEnv):
        self.tensors, self.env = tensors, env
        self.n = tensors[0].shape[0]

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        return i  # the Trainer fetches indices; collate does the slicing

    def collate(self, indices: list[int]):
        b = shard_size(len(indices), self.env.world_size)
        mine = torch.tensor(indices[self.env.rank * b:(self.env.rank + 1) * b])  # (B/W,)
        out = tuple(t[mine] for t in self.tensors)
        return out[0] if len(out) == 1 else out


class _ReportGlobalMean(torch.autograd.Function):
    """Forward: the loss averaged over all ranks. Backward: the gradient of this rank's own loss
    (DDP averages those gradients)."""

    @staticmethod
    def forward(ctx, local, global_mean):
        return global_mean.clone()

    @staticmethod
    def backward(ctx, grad):
        return grad, None


def _global_loss(loss_fn: Callable, env: DistEnv) -> Callable:
    @functools.wraps(loss_fn)  # the Trainer's messages name the learner's loss_fn
    def loss_over_all_ranks(model, batch):
        loss = loss_fn(model, batch)
        if not (model.training and torch.is_grad_enabled()):
            return loss  # evaluation: every rank evaluates the same data, so no message is needed
        mean = checked_loss(loss, loss_fn, training=True).detach().clone()
        dist.all_reduce(mean, op=dist.ReduceOp.SUM, group=env.grad_group)
        return _ReportGlobalMean.apply(loss, mean / env.world_size)

    return loss_over_all_ranks


def ddp_trainer(model: nn.Module, train_data: tuple[torch.Tensor, ...], loss_fn: Callable, *, env: DistEnv,
                config: TrainConfig, val_data=None, callbacks=()) -> Trainer:
    """A plain :class:`Trainer` set up for data parallelism (or untouched for one process).

    ``config.batch_size`` is the **global** batch B; each rank trains on B/W examples a step.
    Validation runs on every rank over the whole validation data (the same numbers everywhere).
    """
    if not isinstance(train_data, (tuple, list)) or not all(torch.is_tensor(t) for t in train_data):
        raise ValueError("train_data must be a tuple of tensors with examples along dim 0, e.g. (x, y)")
    if "TORCHELASTIC_RUN_ID" in os.environ:  # started by torchrun: stop when its agent dies
        callbacks = [AgentWatch(env), *callbacks]
    if not env.distributed:
        return Trainer(model, tuple(train_data), loss_fn, val_data=val_data, config=config,
                       callbacks=callbacks, device=env.device)
    shard_size(config.batch_size, env.world_size)
    model.to(env.device)
    ddp = nn.parallel.DistributedDataParallel(
        model, device_ids=[env.local_rank] if env.backend == "nccl" else None,
        process_group=env.grad_group)  # rank 0's weights are sent to every rank here
    data = ShardedBatches(tuple(train_data), env)
    return Trainer(ddp, data, _global_loss(loss_fn, env), val_data=val_data, config=config,
                   callbacks=callbacks, collate=data.collate, device=env.device)


class AgentWatch(Callback):
    """Stop this worker (exit status 1) after the step in which it finds its parent, the torchrun
    agent, gone: an agent killed with SIGKILL cannot stop its workers, and orphans would train on
    alone to the end. The check compares ``os.getppid()`` with the parent at start (an orphan is
    re-parented to init or a subreaper)."""

    def __init__(self, env: DistEnv, parent: int | None = None):
        self.env, self.parent = env, os.getppid() if parent is None else parent

    def on_step(self, trainer, step, loss):
        if os.getppid() != self.parent:
            print(f"error: rank {self.env.rank} stops at step {step}: the torchrun agent that started it "
                  f"(pid {self.parent}) is gone. Start the job again; with --snapshot-dir it resumes from "
                  "the last snapshot.", file=sys.stderr, flush=True)
            raise SystemExit(1)


# --- snapshots ---------------------------------------------------------------------------------


def save_snapshot(trainer: Trainer, directory, env: DistEnv, identity: dict, keep: int = 2) -> Path | None:
    """Every rank calls this at the same step; rank 0 writes ``snapshot-<step>.pt`` atomically
    (with its ``.sha256``) and keeps the newest ``keep``. Returns the path on rank 0."""
    rng = gather(env, torch.get_rng_state().tolist())  # every rank's dropout stream
    if not env.is_main:
        return None
    directory = Path(directory)
    path = directory / f"snapshot-{trainer.step:07d}.pt"
    meta = {"kind": SNAPSHOT_KIND, "identity": identity, "world_size": env.world_size,
            "trainer": trainer.progress_state(), "rng": rng}
    save_checkpoint(path, unwrap(trainer.model), trainer.optimizer, step=trainer.step, meta=meta)
    _prune(directory, trainer.step, keep)
    return path


def _prune(directory: Path, step: int, keep: int) -> None:
    """Keep the newest ``keep`` snapshots up to ``step``. Snapshots of later steps are gone too: this
    run started below them, so none of them verified. And so are the temp files a process killed
    mid-write leaves (only rank 0 writes, one file at a time, so none is being written now)."""
    found = _snapshots(directory)
    later = [p for p in found if int(_SNAPSHOT.search(p.name).group(1)) > step]
    for old in later + [p for p in found if p not in later][keep:]:
        old.unlink(missing_ok=True)
        Path(f"{old}.sha256").unlink(missing_ok=True)
    for partial in directory.iterdir():
        if _PARTIAL.match(partial.name):
            partial.unlink(missing_ok=True)


def _snapshots(directory: Path) -> list[Path]:
    """Snapshot files, newest step first."""
    if not directory.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in directory.iterdir() if (m := _SNAPSHOT.search(p.name))]
    return [p for _, p in sorted(found, reverse=True)]


def _read_newest(directory: Path, model: nn.Module, identity: dict) -> dict | None:
    """Rank 0: the payload of the newest snapshot that verifies, checked against ``identity``."""
    skipped = []
    for path in _snapshots(directory):
        try:
            payload = load_checkpoint(path)  # checksum first, weights_only=True
        except CheckpointError as e:  # e.g. the process died while writing it: use the one before
            skipped.append(f"{path.name} ({e})")
            continue
        meta = payload.get("meta") or {}
        if meta.get("kind") != SNAPSHOT_KIND:
            raise CheckpointError(
                f"{path} is a checkpoint but not a training snapshot (it has no step, data position or "
                f"RNG states). Use an empty --snapshot-dir for training snapshots; {directory} holds other files.")
        saved = meta.get("identity", {})
        diff = {k: (saved.get(k), identity.get(k)) for k in sorted(set(saved) | set(identity))
                if saved.get(k) != identity.get(k)}
        if diff:
            said = "; ".join(f"{k}: saved {a!r}, now {b!r}" for k, (a, b) in diff.items())
            raise CheckpointError(
                f"{path} was written by a different run ({said}). Resuming would mix two trainings. "
                f"Give this run its own --snapshot-dir, or delete {directory} to start afresh.")
        if why := model_mismatch(payload["model"], model):  # checked here, loaded by restore() on every rank
            raise CheckpointError(
                f"{path} holds a different model ({why}). Give this run its own "
                f"--snapshot-dir, or delete {directory} to start afresh.")
        if skipped:
            print(f"skipped unreadable snapshot(s): {'; '.join(skipped)}", flush=True)
        return payload
    if skipped:
        print(f"no snapshot in {directory} verifies, so training starts from step 0. Skipped: "
              f"{'; '.join(skipped)}. New snapshots replace them as training goes on.", flush=True)
    return None


def restore(trainer: Trainer, directory, env: DistEnv, identity: dict) -> int | None:
    """Load the newest snapshot in ``directory`` into ``trainer`` on every rank.

    Returns the step it resumes from, or ``None`` when there is nothing to resume. Rank 0 reads
    and checks the file; every rank gets the same payload (or the same error), so a bad snapshot
    stops all ranks with one clear :class:`CheckpointError` instead of leaving some waiting.
    """
    payload, error = None, None
    if env.is_main:
        try:
            payload = _read_newest(Path(directory), unwrap(trainer.model), identity)
        except CheckpointError as e:
            error = str(e)
    if env.distributed:
        box = [(payload, error)]
        dist.broadcast_object_list(box, src=0)
        payload, error = box[0]
    if error:
        raise CheckpointError(error)
    if payload is None:
        return None
    unwrap(trainer.model).load_state_dict(payload["model"])
    trainer.optimizer.load_state_dict(payload["optimizer"])
    meta = payload["meta"]
    trainer.load_progress_state(meta["trainer"])
    rng = meta["rng"]
    if len(rng) == env.world_size:
        torch.set_rng_state(torch.tensor(rng[env.rank], dtype=torch.uint8))
    else:  # the job came back with another number of processes: fresh, distinct dropout streams
        torch.manual_seed(identity.get("seed", 0) * 1000 + env.rank + trainer.step)
    c = trainer.config
    if trainer.val_data is not None and trainer.step % c.eval_every == 0:
        trainer._eval_and_log()  # the snapshot was taken just before this step's validation
    return trainer.step


class Snapshots(Callback):
    """Write a snapshot every ``every`` steps (a collective: every rank runs it; rank 0 writes)."""

    def __init__(self, directory, env: DistEnv, *, every: int, identity: dict, keep: int = 2):
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a whole number of steps ≥ 1 (try 20), got {every!r}")
        self.directory, self.env, self.every, self.identity, self.keep = Path(directory), env, every, identity, keep
        self.written: list[int] = []

    def on_step(self, trainer, step, loss):
        if step % self.every == 0:
            save_snapshot(trainer, self.directory, self.env, self.identity, self.keep)
            self.written.append(step)
