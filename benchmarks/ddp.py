#!/usr/bin/env python3
"""One process against two under torchrun: the same loss curve, and what the second costs or buys.

    OMP_NUM_THREADS=1 python benchmarks/ddp.py            # about 2 minutes; writes data/benchmarks/ddp.json

Trains notebook 03's character GRU (embedding 32, 256 units, T=128, global batch 32) three ways,
each started by torchrun on 127.0.0.1 and alternated over --repeats rounds:

- 1 process × 1 thread    — the single-process reference for the loss curve;
- 1 process × 2 threads   — the fair reference for speed: the same two cores as below;
- 2 processes × 1 thread  — DistributedDataParallel over gloo, each process half of the batch.

Speed is the median wall time of a training step (evaluations and the first step left out),
best of the rounds; next to it, the CPU time a step costs all processes together, which hardly
depends on how busy the machine is. On a 2-core machine the two processes share the two cores the one process
could use with two threads, so little or no gain is expected: data parallelism pays when each
process brings its own cores or GPU. The last line prints the largest loss difference between
the 1- and 2-process runs and the throughput ratio (2 processes / 1 process with 2 threads).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from rnn_course.results import save_benchmark
from rnn_course.scaling.job import CharLMRun
from rnn_course.scaling.launch import run_torchrun
from rnn_course.scaling.views import allreduce_table

RUN = CharLMRun(steps=40, global_batch=32, seq_len=128, embedding_dim=32, hidden_size=256, lr=4e-3,
                train_chars=400_000, eval_every=20, eval_batches=2)
SETUPS = {"1 process × 1 thread": (1, 1), "1 process × 2 threads": (1, 2), "2 processes × 1 thread": (2, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=RUN.steps)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--no-save", action="store_true", help="print only; do not write data/benchmarks/ddp.json")
    args = ap.parse_args()
    run = replace(RUN, steps=args.steps)
    best: dict[str, dict] = {}
    for r in range(args.repeats):
        for name, (nproc, threads) in SETUPS.items():
            res = run_torchrun(run, nproc=nproc, threads=threads, timeout=600)
            print(f"round {r + 1}: {name}: median step {1e3 * res['step_seconds_median']:.1f} ms, "
                  f"{res['samples_per_second']:.0f} sequences/s", flush=True)
            if name not in best or res["step_seconds_median"] < best[name]["step_seconds_median"]:
                best[name] = res
    one, two, one2 = best["1 process × 1 thread"], best["2 processes × 1 thread"], best["1 process × 2 threads"]
    loss_diff = max(abs(a - b) for a, b in zip(one["train_loss"], two["train_loss"]))
    val_diff = max(abs(a - b) for a, b in zip(one["val_loss"], two["val_loss"]))
    ratio_fair = two["samples_per_second"] / one2["samples_per_second"]
    ratio_one_thread = two["samples_per_second"] / one["samples_per_second"]
    # Compute time of one step: the faster of the two one-process setups (on a crowded machine two
    # threads can be far slower than one, and that is contention, not the step's arithmetic).
    compute = min(one["step_seconds_median"], one2["step_seconds_median"])
    results = {
        "run": one["run"],
        "setups": {name: {"processes": SETUPS[name][0], "threads_per_process": SETUPS[name][1],
                          "step_seconds_median": res["step_seconds_median"],
                          "sequences_per_second": res["samples_per_second"],
                          "cpu_seconds_per_step": res["cpu_seconds_per_step"],
                          "final_train_loss": res["train_loss"][-1], "final_val_loss": res["val_loss"][-1]}
                   for name, res in best.items()},
        "max_train_loss_difference": loss_diff,
        "max_val_loss_difference": val_diff,
        "throughput_ratio_2proc_vs_1proc_2threads": ratio_fair,
        "throughput_ratio_2proc_vs_1proc_1thread": ratio_one_thread,
        # CPU time hardly depends on how crowded the machine is (wall time does): the CPU-seconds a
        # step costs all processes together, and the ratio an idle 2-core machine would give if each
        # of the 2 processes had a core to itself while 1 process used 1 core.
        "cpu_overhead_2proc_vs_1proc": two["cpu_seconds_per_step"] / one["cpu_seconds_per_step"],
        "idle_estimate_ratio_2proc_vs_1proc_1thread": 2 * one["cpu_seconds_per_step"] / two["cpu_seconds_per_step"],
        "parameters": one["parameters"],
        "gradient_bytes_per_step": one["gradient_bytes"],
        "compute_seconds_per_step": compute,
        "compute_seconds_per_step_1proc_2threads": one2["step_seconds_median"],
        "compute_seconds_per_step_1proc_1thread": one["step_seconds_median"],
        "allreduce_2_ranks": allreduce_table(one["gradient_bytes"], compute, world_size=2),
        "repeats": args.repeats,
        "note": "2 CPU cores shared by both setups; the machine was shared with other work (see load average)",
    }
    if not args.no_save:
        path = save_benchmark("ddp", results, command="OMP_NUM_THREADS=1 python benchmarks/ddp.py"
                              + (f" --steps {args.steps}" if args.steps != RUN.steps else "")
                              + (f" --repeats {args.repeats}" if args.repeats != 2 else ""))
        print(f"wrote {path}")
    print(f"CPU seconds per step: 1 process {one['cpu_seconds_per_step']:.3f}, 2 processes together "
          f"{two['cpu_seconds_per_step']:.3f} ({results['cpu_overhead_2proc_vs_1proc']:.2f}×)")
    print(f"largest loss difference 1 vs 2 processes: {loss_diff:.2e} nats; throughput 2 processes / 1 process: "
          f"{ratio_fair:.2f}× (vs 2 threads), {ratio_one_thread:.2f}× (vs 1 thread)")


if __name__ == "__main__":
    main()
