#!/usr/bin/env python3
"""Train notebook 03's character LM (a small one) data-parallel under torchrun — or alone.

    # two processes on this machine (CPU: gloo; one thread each)
    torchrun --nproc-per-node=2 scripts/train_ddp.py --steps 60 --out results/ddp_2.json

    # the same job, one process (world size 1)
    python scripts/train_ddp.py --steps 60 --out results/ddp_1.json

    # surviving a killed worker: periodic snapshots + restarts
    torchrun --nproc-per-node=2 --max-restarts=3 scripts/train_ddp.py --snapshot-dir snapshots/ddp

    # two machines (run on both; node0 is the first machine's address)
    torchrun --nnodes=2 --nproc-per-node=1 --rdzv-backend=c10d --rdzv-endpoint=node0:29400 \\
        --rdzv-id=charlm scripts/train_ddp.py --snapshot-dir /shared/snapshots

--global-batch is the batch of the whole job: each of the W processes trains on global-batch / W
examples a step, so 1 and 2 processes follow the same loss curve. Rank 0 alone prints and writes
files. With --snapshot-dir the job writes a snapshot every --snapshot-every steps and, when it
(re)starts, resumes from the newest one. Bad settings stop every process with one line starting
"error:" and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from rnn_course.scaling import distributed as D
from rnn_course.checkpoint import CheckpointError
from rnn_course.scaling.job import CharLMRun, train_char_lm, write_json


def parse(argv=None) -> tuple[CharLMRun, Path | None]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for f in fields(CharLMRun):
        kind = str if f.name in ("cell", "snapshot_dir") else float if f.name == "lr" else int
        ap.add_argument(f"--{f.name.replace('_', '-')}", type=kind, default=f.default)
    ap.add_argument("--out", type=Path, help="write rank 0's result (loss curves, timings) to this JSON file")
    args = vars(ap.parse_args(argv))
    out = args.pop("out")
    return CharLMRun(**args), out


def main(argv=None) -> int:
    run, out = parse(argv)
    env = None
    try:
        run.check()
        env = D.setup(run.global_batch)  # checks W | B before any process waits for another
        result = train_char_lm(run, env)
        if out and env.is_main:
            write_json(out, result)
        return 0
    except (ValueError, CheckpointError) as e:
        if int(os.environ.get("RANK", 0)) == 0:
            print(f"error: {e}", file=sys.stderr, flush=True)
        return 2
    finally:
        if env is not None:
            D.teardown(env)


if __name__ == "__main__":
    sys.exit(main())
