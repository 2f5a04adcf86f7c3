"""How many torch threads should a learner's kernel use? One learner, idle machine and busy machine.

    .venv/bin/python benchmarks/kernel_threads.py            # ~3 minutes on 2 cores
    .venv/bin/python benchmarks/kernel_threads.py --steps 40 --repeats 1   # quicker, rougher

The work is notebook 03's training cell (a 1×256 character GRU, batch 32 × 128 characters, Adam),
run for ``--steps`` steps in a fresh process with ``OMP_NUM_THREADS`` = 1 and 2, each:

- **idle**: nothing else runs;
- **busy**: beside one other CPU-bound process (a single-threaded matrix-multiply loop standing
  for another program, a browser tab, or a second learner's kernel).

It reports wall-clock seconds (what the learner waits for), the median of ``--repeats`` runs.
``course.py lab`` takes the setting whose *worse* case is faster; README "Troubleshooting" quotes
the figures. Results go to ``data/benchmarks/kernel_threads.json``. The last line prints the
recommendation.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WORK = """
import time, torch
from rnn_course import Trainer, TrainConfig
from rnn_course.language.model import LMConfig, RecurrentLM, lm_loss
from rnn_course.language.data import CharVocab, lm_windows, shakespeare
torch.manual_seed(0)
text = shakespeare("train")[:400_000]
vocab = CharVocab.build(text)
x, y = lm_windows(vocab.encode(text), 128)
model = RecurrentLM(LMConfig(vocab_size=len(vocab), embedding_dim=32, hidden_size=256, cell="gru", dropout=0.0))
trainer = Trainer(model, (x, y), lm_loss, config=TrainConfig(steps={steps}, batch_size=32, lr=4e-3, eval_every=10**9))
t0 = time.perf_counter()
trainer.run()
print(time.perf_counter() - t0)
"""

NEIGHBOUR = """
import torch
torch.set_num_threads(1)
a = torch.randn(512, 512)
while True:
    a = torch.tanh(a @ a.T / 512)
"""


def run_once(threads: int, steps: int, busy: bool) -> float:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    neighbour = None
    if busy:
        neighbour = subprocess.Popen([sys.executable, "-c", NEIGHBOUR], env=dict(os.environ, OMP_NUM_THREADS="1"))
        time.sleep(1.0)  # let it get going
    try:
        out = subprocess.run([sys.executable, "-c", WORK.format(steps=steps)], env=env, cwd=ROOT,
                             capture_output=True, text=True, check=True)
    finally:
        if neighbour is not None:
            neighbour.kill()
            neighbour.wait()
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="default: data/benchmarks/kernel_threads.json")
    args = parser.parse_args()

    from rnn_course.results import save_benchmark

    load_before = os.getloadavg()[0]
    table: dict[str, dict[str, float]] = {}
    for threads in (1, 2):
        for busy in (False, True):
            times = [run_once(threads, args.steps, busy) for _ in range(args.repeats)]
            key = "busy" if busy else "idle"
            table.setdefault(str(threads), {})[key] = round(statistics.median(times), 2)
            print(f"OMP_NUM_THREADS={threads}, {key:4s}: {statistics.median(times):6.2f} s "
                  f"(runs: {', '.join(f'{t:.2f}' for t in times)})", flush=True)
    worst = {t: max(v.values()) for t, v in table.items()}
    best = min(worst, key=worst.get)
    results = {"steps": args.steps, "repeats": args.repeats, "seconds": table, "worst_case": worst,
               "recommended_threads": int(best), "load_before": load_before}
    path = save_benchmark("kernel_threads", results, command=" ".join(["python", *sys.argv]), path=args.out)
    print(f"wrote {path}")
    print(f"recommended OMP_NUM_THREADS={best}: worst case {worst[best]:.1f} s vs "
          f"{max(worst.values()):.1f} s for the other setting")


if __name__ == "__main__":
    main()
