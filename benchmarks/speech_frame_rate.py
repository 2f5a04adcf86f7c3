#!/usr/bin/env python3
"""What the frame rate costs: the acoustic model of notebook 07 at 1/1, 1/2 and 1/4 of the frames,
each trained for the same CPU time, scored on the held-out voices.

    OMP_NUM_THREADS=1 python benchmarks/speech_frame_rate.py [--cpu-seconds 60]

Notebook 07's recipe at batch 32 (its one-minute run now uses 24 clips a step): Adam at 5e-3 decayed on a cosine, gain and
time-shift augmentation (no noise). The budget is this process's CPU time (``time.process_time``), so a run that waits for a core on
a busy machine is not charged for the wait; with one thread it is what an idle core would take.
Results go to data/benchmarks/speech_frame_rate.json; the last line is the headline.
"""

from __future__ import annotations

import argparse
import time

import torch

from rnn_course import TrainConfig, Trainer, seed_everything
from rnn_course.speech.model import AcousticConfig, AcousticModel, ctc_loss_fn, evaluate
from rnn_course.results import save_benchmark
from rnn_course.train import CosineLR
from rnn_course.speech.data import SpeechCorpus, collate
from rnn_course.speech.dataset import Augment, SpeechDataset


class CPUBudget(CosineLR):
    """The trainer's cosine schedule (to 5 %) over ``seconds`` of CPU time instead of over steps, as
    notebook 07's run decays it over its steps; stops the run when the time is spent."""

    def __init__(self, seconds: float, lr: float):
        super().__init__(lr, steps=1, floor=0.05, log=False)
        self.seconds = seconds

    def on_run_start(self, trainer):
        self.t0 = time.process_time()

    def progress(self, trainer, step: int) -> float:
        return (time.process_time() - self.t0) / self.seconds

    def on_step(self, trainer, step, loss):
        super().on_step(trainer, step, loss)
        if self.progress(trainer, step) >= 1.0:
            trainer.request_stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cpu-seconds", type=float, default=60.0)
    ap.add_argument("--lr", type=float, default=5e-3)
    args = ap.parse_args()
    corpus = SpeechCorpus.load(("train", "valid", "test"))
    norm = torch.cat([SpeechDataset(corpus["train"])[i][0] for i in range(0, len(corpus["train"]), 8)])
    valid, test = SpeechDataset(corpus["valid"]), SpeechDataset(corpus["test"])
    results = {}
    for sub in (1, 2, 4):
        seed_everything(0)
        model = AcousticModel(AcousticConfig(subsample=sub))
        model.set_normalizer(norm)
        budget = CPUBudget(args.cpu_seconds, args.lr)
        steps_cap = 10_000
        train = SpeechDataset(corpus["train"], augment=Augment(p_noise=0.0), seed=0)  # notebook 07's recipe
        trainer = Trainer(model, train, ctc_loss_fn,
                          collate=collate, callbacks=[budget],
                          config=TrainConfig(steps=steps_cap, batch_size=32, lr=args.lr, eval_every=10**9))
        trainer.run()
        scores = {name: {k: v for k, v in evaluate(model, ds).items() if k != "hypotheses"}
                  for name, ds in (("valid", valid), ("test", test))}
        results[f"1/{sub}"] = {"steps": trainer.step, "cpu_seconds_per_step": args.cpu_seconds / trainer.step, **scores}
        print(f"frames 1/{sub}: {trainer.step} steps in {args.cpu_seconds:.0f} CPU-s, "
              f"valid CER {100 * scores['valid']['cer']:.1f} %, test CER {100 * scores['test']['cer']:.1f} %", flush=True)
    command = f"OMP_NUM_THREADS=1 python benchmarks/speech_frame_rate.py --cpu-seconds {args.cpu_seconds:g} --lr {args.lr:g}"
    save_benchmark("speech_frame_rate", {"cpu_seconds": args.cpu_seconds, "lr": args.lr, "by_frame_rate": results},
                   command=command)
    print("test CER at equal CPU time: " + ", ".join(f"{k} {100 * v['test']['cer']:.1f} %" for k, v in results.items()))


if __name__ == "__main__":
    main()
