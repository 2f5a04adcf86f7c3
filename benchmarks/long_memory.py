#!/usr/bin/env python3
"""Performance limits: copy-memory accuracy against distance, per model family.

The copy-memory task of Bai, Kolter & Koltun (2018), generated on the fly: 10 symbols from 8,
a gap of blanks, a delimiter, then recall the 10 symbols. Each family
(``rnn_course.families.measure.COPY_SETTINGS``) is trained from scratch for ``--steps`` Adam steps
of batch 32 at each gap, and scored on 256 fresh sequences (chance: 12.5 %). Results go to
data/benchmarks/long_memory.json; notebook 08 plots them beside its short live runs.

    OMP_NUM_THREADS=1 python benchmarks/long_memory.py [--steps 600] [--gaps 20 100 400] [--jobs 5]
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time

from rnn_course.families.measure import COPY_SETTINGS, build_copy_model, train_copy
from rnn_course.results import save_benchmark


def run_one(gap: int, fam: str, steps: int) -> tuple[float, float]:
    """Train a fresh model of ``fam`` at ``gap``; its accuracy and the CPU seconds it took."""
    import torch

    torch.set_num_threads(1)
    model, lr = build_copy_model(fam)
    t0 = time.process_time()
    acc = train_copy(model, gap, steps=steps, lr=lr)
    seconds = time.process_time() - t0
    print(f"gap {gap:4d}  {fam:12s} accuracy {acc:.3f}  ({seconds:.0f} CPU s)", flush=True)
    return acc, seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--gaps", type=int, nargs="+", default=[20, 100, 400])
    ap.add_argument("--families", nargs="+", default=list(COPY_SETTINGS), choices=list(COPY_SETTINGS))
    ap.add_argument("--jobs", type=int, default=1, help="runs at once, one process (one thread) each")
    args = ap.parse_args()
    jobs = [(gap, fam) for gap in sorted(args.gaps, reverse=True) for fam in args.families]  # longest first
    if args.jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(args.jobs) as pool:
            done = list(pool.map(run_one, *zip(*jobs), [args.steps] * len(jobs)))
    else:
        done = [run_one(gap, fam, args.steps) for gap, fam in jobs]
    acc = {f: {} for f in args.families}
    seconds = {f: {} for f in args.families}
    for (gap, fam), (a, s) in zip(jobs, done):
        acc[fam][gap], seconds[fam][gap] = a, s
    command = "OMP_NUM_THREADS=1 python benchmarks/long_memory.py " + shlex.join(sys.argv[1:])
    save_benchmark("long_memory", {"steps": args.steps, "batch_size": 32, "gaps": args.gaps, "accuracy": acc,
                                   "cpu_seconds": seconds, "chance": 1 / 8}, command=command.strip())
    print(f"copy-memory accuracy after {args.steps} steps (chance 12.5 %), by gap {args.gaps}: "
          + "; ".join(f"{f} " + "/".join(f"{acc[f][g]:.0%}" for g in args.gaps) for f in args.families))


if __name__ == "__main__":
    main()
