"""Launching notebook 09's job under torchrun (``python -m torch.distributed.run``) on 127.0.0.1,
and turning a failed launch into a message that says what to do.

    two = run_torchrun(CharLMRun(steps=60, global_batch=32), nproc=2)   # 2 processes, one machine
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import fields
from pathlib import Path


from ..paths import project_root

from .job import SCRIPT, CharLMRun

__all__ = ["LaunchError", "free_port", "run_args", "torchrun_command", "loopback_env", "explain_failure",
           "wait_showing_time", "run_torchrun"]

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
