"""Notebook 09's training job and its launcher: notebook 03's character LM, trained data-parallel.

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
import math
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import torch

from .paths import project_root
from .train import Callback

__all__ = ["CharLMRun", "train_char_lm", "torchrun_command", "run_torchrun", "LaunchError", "free_port",
           "LINKS", "allreduce_seconds", "allreduce_table", "draw_data_parallel", "classroom_sizing",
           "SCRIPT"]

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
        for f in ("steps", "global_batch", "seq_len", "embedding_dim", "hidden_size", "train_chars",
                  "eval_every", "eval_batches", "snapshot_every"):
            v = getattr(self, f)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{f} must be a whole number ≥ 1, got {v!r}")
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
    from . import distributed as D
    from .language.model import LMConfig, RecurrentLM, lm_loss
    from .language.data import CharVocab, lm_windows, play_text, plays, shakespeare
    from .train import TrainConfig

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


# --- launching torchrun ----------------------------------------------------------------------


class LaunchError(RuntimeError):
    """A torchrun job did not start or did not finish; the message says what to do."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_args(run: CharLMRun) -> list[str]:
    """``run`` as command-line options of scripts/train_ddp.py."""
    out = []
    for f in fields(run):
        v = getattr(run, f.name)
        if v is not None:
            out += [f"--{f.name.replace('_', '-')}", str(v)]
    return out


def torchrun_command(script_args: list[str], *, nproc: int = 2, nnodes: int = 1, endpoint: str | None = None,
                     rdzv_id: str = "rnn-course", max_restarts: int = 0, rdzv_conf: dict | None = None,
                     local_addr: str = "127.0.0.1", script: Path = SCRIPT) -> list[str]:
    """``python -m torch.distributed.run`` (torchrun) with a c10d rendezvous; ``endpoint`` defaults
    to 127.0.0.1 on a free port."""
    endpoint = endpoint or f"127.0.0.1:{free_port()}"
    cmd = [sys.executable, "-m", "torch.distributed.run", f"--nnodes={nnodes}", f"--nproc-per-node={nproc}",
           "--rdzv-backend=c10d", f"--rdzv-endpoint={endpoint}", f"--rdzv-id={rdzv_id}",
           f"--max-restarts={max_restarts}", f"--local-addr={local_addr}", "--monitor-interval=0.5"]
    if rdzv_conf:
        cmd.append("--rdzv-conf=" + ",".join(f"{k}={v}" for k, v in rdzv_conf.items()))
    return cmd + [str(script), *script_args]


def loopback_env() -> dict:
    """The environment for jobs that stay on this machine: gloo talks over the loopback device,
    one thread per process (two processes already fill two cores)."""
    env = dict(os.environ)
    env.update(GLOO_SOCKET_IFNAME="lo", OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    return env


def explain_failure(output: str, endpoint: str | None = None) -> str:
    """Turn torchrun's output into one sentence that says what went wrong and what to do."""
    where = f" at {endpoint}" if endpoint else ""
    for line in output.splitlines():
        if line.startswith("error: "):  # scripts/train_ddp.py's own message (bad settings, snapshots)
            return line.removeprefix("error: ")
    if "RendezvousConnectionError" in output or "connection to the C10d store has failed" in output:
        return (f"torchrun could not reach the rendezvous{where}: nothing answered there. Start the first "
                "node's torchrun (the machine named in --rdzv-endpoint) before the others, check the address "
                "and port, and that a firewall lets that port through.")
    if "RendezvousTimeoutError" in output:
        return (f"the rendezvous{where} timed out before --nnodes nodes joined: start the same torchrun "
                "command on every machine (same --rdzv-id, --rdzv-endpoint and --nnodes) within join_timeout.")
    tail = "\n".join(output.strip().splitlines()[-12:])
    return f"the torchrun job failed; the end of its output:\n{tail}"


def _stop(proc: subprocess.Popen) -> None:
    """Stop a launched job and everything it started (its own process group), then reap it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def start(cmd: list[str], log, env: dict | None = None) -> subprocess.Popen:
    """Start ``cmd`` in its own process group (so :func:`_stop` can end all of it)."""
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env or loopback_env(),
                            cwd=project_root(), start_new_session=True)


def wait_showing_time(proc: subprocess.Popen, timeout: float, desc: str) -> int:
    """``proc.wait(timeout)``, with a line that counts the seconds meanwhile: a cell that waits for
    other processes still shows that it is alive (tqdm: a widget in Jupyter, text elsewhere)."""
    from tqdm.auto import tqdm

    t0 = time.monotonic()
    with tqdm(desc=desc, bar_format="{desc}: running for {elapsed}") as line:
        while True:
            left = timeout - (time.monotonic() - t0)
            try:
                return proc.wait(max(min(0.5, left), 0))
            except subprocess.TimeoutExpired:
                if left <= 0.5:
                    raise
                line.refresh()


def run_torchrun(run: CharLMRun, *, nproc: int = 2, timeout: float = 180.0, threads: int = 1,
                 **torchrun_options) -> dict:
    """Run ``run`` under torchrun on this machine and return rank 0's result dict.

    ``threads`` is each process's torch thread count (OMP_NUM_THREADS). Raises
    :class:`LaunchError` with a plain explanation when the job fails or runs out of time; every
    process it started is stopped either way.
    """
    with tempfile.TemporaryDirectory(prefix="rnn_ddp_") as tmp:
        out = Path(tmp) / "result.json"
        cmd = torchrun_command(run_args(run) + ["--out", str(out)], nproc=nproc, **torchrun_options)
        endpoint = next(a.split("=", 1)[1] for a in cmd if a.startswith("--rdzv-endpoint="))
        with open(Path(tmp) / "log.txt", "w+") as log:
            t0 = time.perf_counter()
            proc = start(cmd, log, env={**loopback_env(), "OMP_NUM_THREADS": str(threads)})
            try:
                wait_showing_time(proc, timeout, f"torchrun, {nproc} processes")
            except subprocess.TimeoutExpired:
                raise LaunchError(f"the torchrun job did not finish within {timeout:.0f} s and was stopped; "
                                  "try fewer steps, or a larger timeout") from None
            finally:
                _stop(proc)
            log.seek(0)
            output = log.read()
        if proc.returncode != 0 or not out.exists():
            raise LaunchError(explain_failure(output, endpoint))
        result = json.loads(out.read_text())
        result["log"] = output
        result["wall_s"] = time.perf_counter() - t0  # launch to exit: startup + training + shutdown
        return result


# --- the arithmetic of an all-reduce -----------------------------------------------------------

# Nominal one-direction link speeds, in bits per second. Real all-reduces reach perhaps 70–90 %.
LINKS = {
    "10 Gb/s Ethernet": 10e9,
    "100 Gb/s InfiniBand (EDR)": 100e9,
    "NVLink 3 (A100, 300 GB/s each way)": 300e9 * 8,
}


def allreduce_seconds(nbytes: float, world_size: int, bits_per_second: float, latency_s: float = 0.0) -> float:
    """Time of a ring all-reduce of ``nbytes`` over ``world_size`` ranks on links of the given speed.

    Each rank sends (and receives) 2·(W−1)/W of the data: W−1 steps that add up pieces
    (reduce-scatter), W−1 that pass the sums on (all-gather); each step also pays ``latency_s``.
    """
    if world_size < 1 or nbytes < 0 or bits_per_second <= 0:
        raise ValueError("need world_size ≥ 1, nbytes ≥ 0 and a positive link speed")
    if world_size == 1:
        return 0.0
    return 2 * (world_size - 1) / world_size * nbytes * 8 / bits_per_second + 2 * (world_size - 1) * latency_s


def allreduce_table(nbytes: float, compute_seconds: float, world_size: int = 2) -> list[dict]:
    """One row per link in :data:`LINKS`: all-reduce time, and its share of a step whose
    computation takes ``compute_seconds`` (without overlap: DDP overlaps the two, so this is the
    worst case)."""
    rows = []
    for name, bps in LINKS.items():
        t = allreduce_seconds(nbytes, world_size, bps)
        rows.append({"link": name, "allreduce_ms": 1e3 * t, "share_of_step": t / (t + compute_seconds)})
    return rows


def draw_data_parallel(world_size: int = 2, ax=None):
    """Data parallelism as a picture: one global batch cut into shards, one replica per process,
    gradients averaged by an all-reduce, the same update everywhere."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.6))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 6.2)
    ax.axis("off")
    colours = plt.get_cmap("tab10").colors

    def box(x, y, w, h, text, colour, alpha=0.25):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05", fc=colour, ec=colour, alpha=alpha))
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=9)

    def arrow(x0, y0, x1, y1):
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=12, color="0.3"))

    W = world_size
    ax.text(0.1, 5.8, f"global batch (B, T) → {W} shards of (B/{W}, T)", fontsize=10, weight="bold")
    width = 9.6 / W
    for r in range(W):
        x = 0.2 + r * width
        c = colours[r % 10]
        box(x, 4.8, width - 0.4, 0.6, f"shard {r}: rows {r}·B/{W} … {r + 1}·B/{W}−1", c)
        arrow(x + (width - 0.4) / 2, 4.75, x + (width - 0.4) / 2, 4.25)
        box(x, 3.1, width - 0.4, 1.1, f"process {r} (rank {r})\nthe same model replica\nforward + backward → g{r}", c)
        arrow(x + (width - 0.4) / 2, 3.05, x + (width - 0.4) / 2, 2.45)
        box(x, 0.2, width - 0.4, 0.7, f"optimizer step with ḡ\n(identical weights on rank {r})", c)
        arrow(x + (width - 0.4) / 2, 1.65, x + (width - 0.4) / 2, 0.95)
    box(0.2, 1.7, 9.2, 0.7, "all-reduce:  ḡ = (" + " + ".join(f"g{r}" for r in range(W)) + f") / {W}"
        "   — every process receives the same average", "0.5", alpha=0.2)
    return ax


# --- sizing a classroom from the measured benchmarks ---------------------------------------------


def classroom_sizing(classroom: dict, costs: dict | None = None, *, rooms=(10, 20, 30, 40),
                     slowdown: float = 2.0) -> dict:
    """A sizing rule from ``data/benchmarks/classroom.json`` (and ``notebook_costs.json``).

    Each running learner keeps ``c`` cores busy: the CPU seconds one learner's kernel used in the
    crowded room over the CPU seconds it used alone (``kernel_cpu_s / alone_cpu_s``; CPU time
    hardly depends on how busy the machine is), or, for an older file without CPU times, the
    wall-clock estimate ``wall_s · C / (N · alone_s)``. A one-thread kernel running a training
    cell keeps a whole core busy, so ``c`` is never counted below 1. If everyone runs a cell at
    the same moment and may wait at most ``slowdown`` × as long as alone, a room of L learners
    needs ``c · L / slowdown`` cores. Memory per learner is the measured server + kernel peak,
    or — with ``costs`` — the server plus the heaviest notebook's kernel peak, if larger. These
    are extrapolations from one measurement on one machine: a first estimate, not a guarantee.
    """
    r = classroom["results"]
    n, cores = r["learners"], r["cpu_count"]
    if r.get("kernel_cpu_s") and r.get("alone_cpu_s"):
        measured, basis = r["kernel_cpu_s"] / r["alone_cpu_s"], "CPU time"
    else:
        measured, basis = r["wall_s"] * cores / (n * r["alone_s"]), "wall time"
    c = max(measured, 1.0)
    per_learner_mb = r["peak_rss_mb_per_learner"]
    heaviest = None
    if costs:
        runs = {k: v for k, v in costs["results"]["notebooks"].items() if v.get("ok") and v.get("peak_rss_mb")}
        if runs:
            heaviest = max(runs, key=lambda k: runs[k]["peak_rss_mb"])
            per_learner_mb = max(per_learner_mb, r["server_rss_mb"] + runs[heaviest]["peak_rss_mb"])
    fixed_mb = (r.get("hub_rss_mb") or 0) + (r.get("proxy_rss_mb") or 0)
    rows = [{"learners": L, "cores": math.ceil(c * L / slowdown),
             "memory_gb": round((L * per_learner_mb + fixed_mb) / 1024, 1)} for L in rooms]
    failures = r["failures"] if isinstance(r["failures"], int) else len(r["failures"])
    return {"learners": n, "served": r["served"], "failures": failures,
            "cores_per_running_learner_measured": measured, "basis": basis, "cores_per_running_learner": c,
            "learners_per_core": slowdown / c, "memory_mb_per_learner": per_learner_mb,
            "heaviest_notebook": heaviest, "hub_and_proxy_mb": fixed_mb, "slowdown": slowdown, "rows": rows}
