"""Deployment cost of a trained model, as one small card: parameters, size on disk, latency.

    card = cost_card(model, example_args)     # example_args: the model's inputs for ONE sequence (B = 1)
    card                                       # a table in Jupyter; card.numbers for record()

Latency is the median of ``repeat`` timed calls after one warm-up, on the current device and
thread count, under ``torch.no_grad()`` in eval mode; "per step" divides it by the example's
T (its dim 1), which is what streaming costs when the state is carried from step to step.
"""

from __future__ import annotations

import functools
import io
import re
import statistics
import time
from dataclasses import dataclass

import torch
from torch import nn

from .validate import whole

__all__ = ["CostCard", "cost_card", "pss_mb", "release_freed_memory"]


@dataclass(frozen=True)
class CostCard:
    parameters: int
    bytes_float32: int  # the state_dict as torch.save writes it
    latency_ms: float  # one sequence (batch 1)
    steps: int  # T of the example sequence
    threads: int

    @property
    def ms_per_step(self) -> float:
        return self.latency_ms / max(self.steps, 1)

    @property
    def numbers(self) -> dict:
        return {"parameters": self.parameters, "size_kb": self.bytes_float32 / 1e3,
                "latency_ms": self.latency_ms, "ms_per_step": self.ms_per_step}

    def rows(self) -> list[tuple[str, str]]:
        return [("parameters", f"{self.parameters:,}"),
                ("size on disk (float32 state_dict)", f"{self.bytes_float32 / 1e3:,.1f} kB"),
                ("size as float16", f"{self.bytes_float32 / 2e3:,.1f} kB (about)"),
                (f"latency, one sequence of T={self.steps}", f"{self.latency_ms:.2f} ms (batch 1, {self.threads} thread(s))"),
                ("latency per time step", f"{self.ms_per_step * 1e3:.1f} µs")]

    def __str__(self) -> str:
        width = max(len(k) for k, _ in self.rows())
        return "\n".join(f"{k:<{width}}  {v}" for k, v in self.rows())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        import html

        body = "".join(f"<tr><td style='text-align:left'>{html.escape(k)}</td><td style='text-align:left'>"
                       f"{html.escape(v)}</td></tr>" for k, v in self.rows())
        return f"<table><caption>deployment cost</caption>{body}</table>"


def cost_card(model: nn.Module, example_args, repeat: int = 20) -> CostCard:
    """Measure ``model(*example_args)``; the first argument's dim 1 is taken as T."""
    if not isinstance(model, nn.Module):
        raise ValueError(f"cost_card needs a torch.nn.Module, got {type(model).__name__}")
    whole("repeat", repeat)
    args = tuple(example_args) if isinstance(example_args, (tuple, list)) else (example_args,)
    if not args or not torch.is_tensor(args[0]) or args[0].dim() < 2:
        raise ValueError("example_args must start with a batch tensor (B, T, …) of one sequence (B = 1)")
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    was_training = model.training
    model.eval()
    times = []
    try:
        with torch.no_grad():
            model(*args)  # warm-up
            for _ in range(repeat):
                t0 = time.perf_counter()
                model(*args)
                times.append(time.perf_counter() - t0)
    finally:
        model.train(was_training)
    params = sum(p.numel() for p in model.parameters())
    return CostCard(params, buffer.tell(), statistics.median(times) * 1e3, int(args[0].shape[1]),
                    torch.get_num_threads())


def pss_mb(proc) -> float:
    """Memory of one process in MB as its proportional set size (shared pages split among the
    processes sharing them; Linux), or its RSS where the kernel does not report PSS.
    ``proc`` is a ``psutil.Process``. Used by the classroom and notebook-cost benchmarks."""
    from pathlib import Path

    try:
        text = Path(f"/proc/{proc.pid}/smaps_rollup").read_text()
        return int(re.search(r"^Pss:\s+(\d+) kB", text, re.M).group(1)) / 1024
    except (OSError, AttributeError):
        return proc.memory_info().rss / 2**20


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim  # glibc's; musl and other C libraries have none
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> bool:
    """Give the memory the process has freed back to the operating system; False where it cannot.

    Training allocates and frees tensors of many sizes every step. glibc keeps what is freed for
    reuse, but scattered between live blocks it cannot be reused for the next, larger tensor, so a
    kernel's resident memory creeps up by hundreds of megabytes over a run (measured in notebook 07:
    +320 MB in 240 steps, of which ``malloc_trim`` hands back 170). :class:`~rnn_course.Trainer`
    calls this every ``RELEASE_EVERY`` (10) steps: on 07's live run (240 steps) the peak was 672 MB
    never trimming, 629 every 10 steps (+2 % CPU time), 618 every 5 (+4 %), 579 every step (+11 %).
    Elsewhere than Linux/glibc it does nothing.
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
