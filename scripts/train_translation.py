#!/usr/bin/env python3
"""Train the pretrained English → French models that notebook 04 loads.

    python scripts/train_translation.py     # → data/checkpoints/translation.pt         (attention)
                                            #   data/checkpoints/translation_plain.pt   (no attention)
                                            #   data/checkpoints/translation_varied.pt  (attention, varied corpus)
    python scripts/train_translation.py --only translation_varied   # one of them

The first two see the same data, steps and settings; they differ only in attention, so the
notebook can show what one context vector costs on long sentences. The third is the attention
model trained on a corpus with more varied sentence structures (``grammar.VARIED``: three
subjects, two predicates, two prepositional phrases, two clauses) — the same number of pairs
and steps — so the notebook can measure what variety buys on the "structural" test set, whose
skeletons none of the three ever saw. Deterministic: fixed seeds, fixed step counts, one thread
(``torch.set_num_threads(1)``), so a re-run on the same machine and torch version reproduces the
files. The corpus is generated (``rnn_course.translation.corpus.make_splits`` with the arguments
stored in ``meta["splits"]``); training uses the train split only, and the script reports BLEU /
chrF / exact match on the random, compositional and structural test sets. Weights are stored as
float16 (the scores are re-measured after the conversion and stored in ``meta``); the
vocabularies, the model settings and ``max_src_len`` (the longest training sentence, in English
tokens) travel inside the checkpoint.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]

from rnn_course import TrainConfig, Trainer, save_checkpoint, seed_everything
from rnn_course.train import CosineLR
from rnn_course.translation.data import detokenize, make_tensors, tokenize
from rnn_course.translation.corpus import VARIED, make_splits
from rnn_course.translation.decoding import greedy_decode
from rnn_course.translation.model import (Seq2Seq, Seq2SeqConfig, checkpoint_meta, corpus_scores, length_thirds,
                                          seq2seq_loss)
from rnn_course.vocab import SPECIAL_TOKENS, Vocab

SPLITS = dict(n_train=15_000, n_valid=500, n_test=1_000, seed=0)
MODEL = dict(embedding_dim=64, hidden_size=128, bidirectional=True, dropout=0.1)
RECIPE = dict(steps=4_000, batch_size=64, lr=3e-3)
MODELS = {"translation": ("additive", {}), "translation_plain": (None, {}), "translation_varied": ("additive", VARIED)}
TESTS = ("test", "compositional", "structural")


def evaluate(model, pairs) -> dict:
    src, src_len, _, _ = make_tensors(pairs, model.src_vocab, model.tgt_vocab)
    seqs, _, _ = greedy_decode(model, src, src_len)
    hyps = [detokenize(model.tgt_vocab.decode(s)) for s in seqs]
    refs = [p.fr for p in pairs]
    scores = corpus_scores(hyps, refs)
    long = length_thirds(pairs)["long"]
    scores["bleu_long"] = corpus_scores([hyps[i] for i in long], [refs[i] for i in long])["bleu"]
    return {k: round(v, 2) for k, v in scores.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, help="override the recipe's step count (the shipped files use the recipe)")
    ap.add_argument("--out-dir", type=Path, default=ROOT / "data" / "checkpoints")
    ap.add_argument("--only", choices=list(MODELS), action="append", help="train only this model (repeatable)")
    args = ap.parse_args()
    steps = args.steps or RECIPE["steps"]
    torch.set_num_threads(1)

    for name, (attention, structures) in MODELS.items():
        if args.only and name not in args.only:
            continue
        corpus = {**SPLITS, **structures}
        splits = make_splits(**corpus)
        src_vocab = Vocab.build((tokenize(p.en, "en") for p in splits["train"]), specials=SPECIAL_TOKENS)
        tgt_vocab = Vocab.build((tokenize(p.fr, "fr") for p in splits["train"]), specials=SPECIAL_TOKENS)
        train = make_tensors(splits["train"], src_vocab, tgt_vocab)
        valid = make_tensors(splits["valid"], src_vocab, tgt_vocab)
        max_src_len = int(train[1].max())  # English tokens of the longest training sentence, "." included
        print(f"{name}: {len(splits['train'])} training pairs ({corpus}); vocabularies: {len(src_vocab)} English, "
              f"{len(tgt_vocab)} French tokens; longest English sentence {max_src_len} tokens", flush=True)
        seed_everything(0)
        config = Seq2SeqConfig(len(src_vocab), len(tgt_vocab), attention=attention, **MODEL)
        model = Seq2Seq(config, src_vocab, tgt_vocab)
        print(f"{name}: attention={attention}, {model.num_parameters():,} parameters, {steps} steps", flush=True)
        trainer = Trainer(model, train, seq2seq_loss, val_data=valid, callbacks=[CosineLR(RECIPE["lr"], steps)],
                          config=TrainConfig(steps=steps, batch_size=RECIPE["batch_size"], lr=RECIPE["lr"],
                                             eval_every=500, clip_grad=1.0))
        t0, c0 = time.time(), time.process_time()
        summary = trainer.run()
        seconds, cpu = time.time() - t0, time.process_time() - c0
        print(f"  {summary}  (CPU time {cpu:.0f} s)", flush=True)
        if summary.reason != "completed":
            sys.exit(f"training did not complete: {summary.message}")
        model.eval()
        result = {f"fp32_{s}": evaluate(model, splits[s]) for s in TESTS}
        model.half().float()  # round the weights to float16, as they will be stored
        result |= {s: evaluate(model, splits[s]) for s in TESTS}
        print(f"  {result}", flush=True)
        model.half()
        out = args.out_dir / f"{name}.pt"
        digest = save_checkpoint(out, model, step=trainer.step, meta={
            **checkpoint_meta(model), "splits": corpus, "max_src_len": max_src_len,
            "recipe": {**RECIPE, "steps": steps},
            "train_seconds": round(seconds, 1), "train_cpu_seconds": round(cpu, 1), "torch": torch.__version__,
            "scores": result, "dtype": "float16",
        })
        print(f"  wrote {out} ({out.stat().st_size / 1e6:.2f} MB)\n  {digest}  checkpoints/{out.name}", flush=True)


if __name__ == "__main__":
    main()
