#!/usr/bin/env python3
"""How many steps notebook 07's live run needs on this corpus: held-out CER per training budget.

    OMP_NUM_THREADS=1 python benchmarks/speech_live_budget.py [--budgets 240 480 720] [--hidden 128 160]

Each budget is its own run of the notebook's live recipe (a 128-unit BiGRU, batches of 24 clips,
cosine from 5e-3, gain and shift augmentation, seed 0), so a longer budget also anneals later.
``--hidden`` also runs each budget at other widths (the shipped models' 160 units per direction),
to check what the live run's slimmer model gives up; results for 128 units are keyed by the
budget ("480"), the others by budget and width ("480 hidden 160").
CER is on the held-out test voices' corpus clips, like the notebook's, spelled greedily and decoded
to the corpus's twenty words (``speech.decode``, as the upload path reads). The CPU seconds of
training are recorded with the machine's load. Results: data/benchmarks/speech_live_budget.json.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import torch

from rnn_course import TrainConfig, Trainer
from rnn_course.results import save_benchmark
from rnn_course.speech.data import SpeechCorpus, collate
from rnn_course.speech.dataset import Augment, SpeechDataset
from rnn_course.speech.decode import corpus_words
from rnn_course.speech.model import AcousticConfig, AcousticModel, ctc_loss_fn, evaluate
from rnn_course.train import CosineLR

BATCH, LR, HIDDEN = 24, 5e-3, 128  # the notebook's


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budgets", type=int, nargs="+", default=[240, 480, 720])
    ap.add_argument("--hidden", type=int, nargs="+", default=[HIDDEN], help="GRU units per direction")
    args = ap.parse_args()
    torch.set_num_threads(1)
    corpus = SpeechCorpus.load(("train", "valid", "test"))
    train = SpeechDataset(corpus["train"], augment=Augment(p_noise=0.0), seed=0)
    valid, test = SpeechDataset(corpus["valid"]), SpeechDataset(corpus["test"])
    normalizer = torch.cat([SpeechDataset(corpus["train"])[i][0] for i in range(0, len(corpus["train"]), 8)])
    results = {}
    for hidden, steps in [(h, s) for h in args.hidden for s in args.budgets]:
        torch.manual_seed(0)
        train.rng = np.random.default_rng(0)  # the same augmentation draws for every budget
        model = AcousticModel(AcousticConfig(hidden=hidden))
        model.set_normalizer(normalizer)
        trainer = Trainer(model, train, ctc_loss_fn, val_data=valid, collate=collate,
                          callbacks=[CosineLR(LR, steps, log=False)],
                          config=TrainConfig(steps=steps, batch_size=BATCH, lr=LR, eval_every=80, clip_grad=1.0))
        cpu0 = time.process_time()
        trainer.run()
        cpu = time.process_time() - cpu0
        r, w = evaluate(model, test), evaluate(model, test, words=corpus_words())
        key = str(steps) if hidden == HIDDEN else f"{steps} hidden {hidden}"
        results[key] = {"test_cer": round(r["cer"], 4), "test_wer": round(r["wer"], 4),
                        "test_words_cer": round(w["cer"], 4), "test_words_wer": round(w["wer"], 4),
                        "train_cpu_s": round(cpu, 1)}
        print(f"{steps:5d} steps, {hidden} units: test CER {100 * r['cer']:.2f} % spelled, "
              f"{100 * w['cer']:.2f} % decoded to words; {cpu:.0f} CPU-s of training", flush=True)
    save_benchmark("speech_live_budget", results, command=" ".join(["python"] + sys.argv))


if __name__ == "__main__":
    main()
