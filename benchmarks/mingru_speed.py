#!/usr/bin/env python3
"""Training speed of minGRU's parallel (log-space scan) path against ``nn.GRU`` as T grows.

One forward + backward pass of a single layer, x: (B, T, H) with B = 8, H = 256, for
T = 128 … 2,048, timed three ways: minGRU's parallel scan (``logcumsumexp`` over T), minGRU
stepped one token at a time in Python (the same maths, sequential), and PyTorch's fused
``nn.GRU``. Median of ``--repeats`` runs, in CPU seconds of this process (one thread), so
other jobs on a shared machine do not inflate it. Results go to data/benchmarks/mingru_speed.json
with the command, machine and load average. On a GPU the scan's O(log T) depth is the point;
on a CPU every element is still computed one after another, so expect little or no gain.

    OMP_NUM_THREADS=1 python benchmarks/mingru_speed.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import time

import torch
from torch import nn

from rnn_course.families.mingru import MinGRU
from rnn_course.results import save_benchmark

LENGTHS = (128, 256, 512, 1024, 2048)


def step_seconds(fn, x, repeats):
    times = []
    for _ in range(repeats + 1):  # the first is a warm-up
        t0 = time.process_time()  # CPU time: a shared machine's other jobs are not counted
        out = fn(x)
        out.square().mean().backward()
        times.append(time.process_time() - t0)
    return statistics.median(times[1:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--hidden", type=int, default=256)
    args = ap.parse_args()
    torch.manual_seed(0)
    B, H = args.batch, args.hidden
    mingru, gru = MinGRU(H, H), nn.GRU(H, H, batch_first=True)
    ways = {
        "mingru_parallel": lambda x: mingru(x, scan="parallel")[0],
        "mingru_sequential": lambda x: mingru(x, scan="sequential")[0],
        "nn_gru": lambda x: gru(x)[0],
    }
    rows = {name: [] for name in ways}
    for T in LENGTHS:
        x = torch.randn(B, T, H, requires_grad=True)  # (B, T, H)
        for name, fn in ways.items():
            rows[name].append(step_seconds(fn, x, args.repeats))
        print(f"T={T:5d}  " + "  ".join(f"{n} {rows[n][-1] * 1e3:8.1f} ms" for n in ways), flush=True)
    results = {"batch": B, "hidden": H, "lengths": list(LENGTHS), "seconds_per_step": rows,
               "tokens_per_s": {n: [B * T / s for T, s in zip(LENGTHS, v)] for n, v in rows.items()}}
    command = "OMP_NUM_THREADS=1 python benchmarks/mingru_speed.py " + shlex.join(sys.argv[1:])
    save_benchmark("mingru_speed", results, command=command.strip())
    ratio = [g / p for g, p in zip(rows["nn_gru"], rows["mingru_parallel"])]
    print("minGRU parallel scan vs nn.GRU, training step speed-up at T = "
          + ", ".join(f"{T}: {r:.2f}×" for T, r in zip(LENGTHS, ratio)))


if __name__ == "__main__":
    main()
