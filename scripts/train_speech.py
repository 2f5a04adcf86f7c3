#!/usr/bin/env python3
"""Train the pretrained acoustic models that notebook 07 loads.

    python scripts/train_speech.py      # → data/checkpoints/speech_bigru.pt              (the main model)
                                        #   data/checkpoints/speech_bigru_noaug.pt        (no augmentation)
                                        #   data/checkpoints/speech_gru_unidirectional.pt (can stream)

All three see the same clips (the train split of data/speech: espeak-ng, flite and festival
voices at 100–240 words a minute), through the same front end as every other path
(``rnn_course.speech.data.features``: 16 kHz, mel bands to 4 kHz), the same steps and settings,
and differ in one thing each, so the notebook can show what augmentation buys and what streaming costs
(the unidirectional model's frame rate follows from its direction, below).
The bidirectional two keep one frame in two (50 output frames a second), not the one in four of
the notebook's one-minute run: CTC spells at most one letter per frame and needs a blank between
doubled letters (``speech.decode.ctc_min_frames``), and at 220 words a minute a word lasts about
seven frames at 25 a second, which is what " three" needs — at one in four, fast speakers lose words
(the main model read the 220-words-a-minute clips at 5.4 % CER decoded at one in four, 1.3 % at one in two).
The unidirectional model keeps one frame in four: it cannot read ahead except through its
convolutions (30 ms of look-ahead at one in four, 10 ms at one in two), and trained at one in two
it read the held-out voices at 13.6 % CER greedy, against 5.9 % at one in four (``frames_kept``).
Deterministic: fixed seeds and step counts, one thread. Weights are stored as float16; the
scores in ``meta`` are measured after that conversion, on the held-out voices.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]

from rnn_course import TrainConfig, Trainer, save_checkpoint, seed_everything
from rnn_course.speech.model import (AcousticConfig, AcousticModel, checkpoint_meta,
                                      ctc_loss_fn, evaluate)
from rnn_course.speech.data import SpeechCorpus, collate
from rnn_course.speech.dataset import Augment, Channel, SpeechDataset
from rnn_course.train import CosineLR

RECIPE = dict(steps=2_400, batch_size=32, lr=5e-3)
MODELS = {
    "speech_bigru": dict(bidirectional=True, augment=True),
    "speech_bigru_noaug": dict(bidirectional=True, augment=False),
    "speech_gru_unidirectional": dict(bidirectional=False, augment=True),
}


def frames_kept(bidirectional: bool) -> int:
    """The model's ``subsample``: 2 for a bidirectional model, 4 for a unidirectional one (see above).
    Stored with each model's settings in ``meta["config"]``."""
    return 2 if bidirectional else 4


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, help="override the recipe's step count (the shipped files use the recipe)")
    ap.add_argument("--only", choices=list(MODELS), help="train one of the models")
    ap.add_argument("--out-dir", type=Path, default=ROOT / "data" / "checkpoints")
    args = ap.parse_args()
    steps = args.steps or RECIPE["steps"]
    torch.set_num_threads(1)
    corpus = SpeechCorpus.load()
    train_feats = torch.cat([SpeechDataset(corpus["train"])[i][0] for i in range(0, len(corpus["train"]), 4)])
    held_out = {s: SpeechDataset(corpus[s]) for s in corpus.SPLITS if s != "train"}
    for name, opts in MODELS.items():
        if args.only and name != args.only:
            continue
        seed_everything(0)
        bidirectional = opts["bidirectional"]
        model = AcousticModel(AcousticConfig(subsample=frames_kept(bidirectional), bidirectional=bidirectional))
        model.set_normalizer(train_feats)
        train = SpeechDataset(corpus["train"], augment=Augment(channel=Channel()) if opts["augment"] else None, seed=0)
        n_params = sum(p.numel() for p in model.parameters())
        print(f"{name}: {opts}, {n_params:,} parameters, {steps} steps", flush=True)
        trainer = Trainer(model, train, ctc_loss_fn, val_data=held_out["valid"], collate=collate,
                          callbacks=[CosineLR(RECIPE["lr"], steps)],
                          config=TrainConfig(steps=steps, batch_size=RECIPE["batch_size"], lr=RECIPE["lr"],
                                             eval_every=250, clip_grad=1.0))
        t0 = time.time()
        summary = trainer.run()
        seconds = time.time() - t0
        print(f"  {summary}", flush=True)
        if summary.reason != "completed":
            sys.exit(f"training did not complete: {summary.message}")
        model.half().float().eval()  # round to float16, as stored, before scoring
        scores = {s: {k: round(v, 4) for k, v in evaluate(model, ds).items() if k != "hypotheses"}
                  for s, ds in held_out.items()}
        print(f"  {scores}", flush=True)
        out = args.out_dir / f"{name}.pt"
        digest = save_checkpoint(out, model.half(), step=trainer.step, meta={
            **checkpoint_meta(model), "options": opts, "recipe": {**RECIPE, "steps": steps},
            "train_seconds": round(seconds, 1), "torch": torch.__version__, "scores": scores, "dtype": "float16",
        })
        print(f"  wrote {out} ({out.stat().st_size / 1e6:.2f} MB)\n  {digest}  checkpoints/{out.name}", flush=True)


if __name__ == "__main__":
    main()
