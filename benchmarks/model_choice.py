#!/usr/bin/env python3
"""Quality at equal time: validation loss against seconds of training, per model family.

Notebook 03's character LM split (train on the training plays; validate on the first 10,000
characters of each validation play during training, and on the whole validation plays at the
end), batch 64 × 128 characters, each family from ``rnn_course.families.model.FAMILY_SETTINGS``
trained for the same budget of CPU seconds on one thread (``time.process_time``, so waiting
for a core on a shared machine is not charged). Results (curves, tokens/s, parameters) go to
data/benchmarks/model_choice.json with the command, machine and load average; notebook 08 plots
them. The last line prints the headline.

    OMP_NUM_THREADS=1 python benchmarks/model_choice.py [--seconds 180] [--families lstm gru ...] [--jobs 5]
"""

from __future__ import annotations

import argparse
import shlex
import sys

import torch

from rnn_course.families.measure import train_for
from rnn_course.families.model import FAMILY_SETTINGS, build, char_lm_data
from rnn_course.repro import seed_everything
from rnn_course.results import save_benchmark
from rnn_course.train import Trainer
from rnn_course.language.model import lm_loss


def run_family(fam: str, seconds: float, evals: int) -> dict:
    """Train one family for ``seconds`` CPU seconds; its curve, final losses and load average."""
    import datetime
    import os

    torch.set_num_threads(1)
    vocab, train, valid = char_lm_data(128)
    _, _, whole = char_lm_data(128, valid_chars=None)
    seed_everything(0)
    model, lr = build(fam, len(vocab))
    run = train_for(model, train, valid, seconds=seconds, lr=lr, batch_size=64, eval_seconds=seconds / evals)
    run["whole_valid_plays_loss"] = Trainer(model, train, lm_loss, batch_size=64).evaluate(whole)
    run["params"] = sum(p.numel() for p in model.parameters())
    run["lr"] = lr
    run["config"] = model.describe() if hasattr(model, "describe") else {}
    run["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    run["load_average_at_end"] = list(os.getloadavg())
    print(f"{fam:12s} {run['steps']:5d} steps  {run['tokens_per_s']:8.0f} tokens per CPU s  "
          f"val {run['final_val_loss']:.3f}  whole plays {run['whole_valid_plays_loss']:.3f}", flush=True)
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=180.0, help="training budget per family (CPU seconds)")
    ap.add_argument("--families", nargs="+", default=list(FAMILY_SETTINGS), choices=list(FAMILY_SETTINGS))
    ap.add_argument("--evals", type=int, default=8, help="validation passes per run")
    ap.add_argument("--jobs", type=int, default=1, help="families trained at once, one process (one thread) each; "
                    "fair because the budget is CPU time, not wall time")
    args = ap.parse_args()
    results = {"seconds_budget": args.seconds, "batch_size": 64, "steps": 128, "clock": "process CPU time",
               "families": {}}
    if args.jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(args.jobs) as pool:
            futures = {f: pool.submit(run_family, f, args.seconds, args.evals) for f in args.families}
            results["families"] = {f: fut.result() for f, fut in futures.items()}
    else:
        results["families"] = {f: run_family(f, args.seconds, args.evals) for f in args.families}
    command = "OMP_NUM_THREADS=1 python benchmarks/model_choice.py " + shlex.join(sys.argv[1:])
    path = save_benchmark("model_choice", results, command=command.strip())
    print(f"threads={torch.get_num_threads()}; saved {path}")
    best = sorted(results["families"].items(), key=lambda kv: kv[1]["whole_valid_plays_loss"])
    print(f"after {args.seconds:g} CPU s of training (nats/char on whole held-out plays): "
          + ", ".join(f"{f} {r['whole_valid_plays_loss']:.2f}" for f, r in best))


if __name__ == "__main__":
    main()
