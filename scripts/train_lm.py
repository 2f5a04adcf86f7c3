#!/usr/bin/env python3
"""Train the pretrained language models that notebooks 02 and 03 load.

    python scripts/train_lm.py char    # → data/checkpoints/char_lm.pt (+ .sha256)
    python scripts/train_lm.py word    # → data/checkpoints/word_lm.pt (+ .sha256)

Deterministic: fixed seeds, fixed step counts, one thread (``torch.set_num_threads(1)``), so a
re-run on the same machine and torch version reproduces the checkpoint. Training data is the
training split only (whole plays); the script reports validation loss as it goes and the final
validation and test numbers at the end. Weights are stored as float16 to keep the files small;
``load_pretrained`` turns them back into float32 (the change in loss is reported).

The vocabulary travels inside the checkpoint (``meta["itos"]``), so the notebooks rebuild the
exact token ↔ index mapping the model was trained with.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rnn_course import TrainConfig, Trainer, save_checkpoint, seed_everything  # noqa: E402
from rnn_course.train import CosineLR  # noqa: E402
from rnn_course.language.model import LMConfig, RecurrentLM, lm_loss, stream_perplexity  # noqa: E402
from rnn_course.language.data import CharVocab, Vocab, lm_windows, shakespeare, words  # noqa: E402

RECIPES = {
    # 2-layer GRU, 384 units: about 4 passes over the 4 MB of training plays.
    "char": dict(model=dict(embedding_dim=64, hidden_size=384, num_layers=2, cell="gru", dropout=0.1),
                 steps=4000, batch_size=32, seq_len=128, lr=2e-3),
    # 1-layer LSTM, 256 units, tied embedding, vocabulary of the 10,000 most frequent words.
    "word": dict(model=dict(embedding_dim=256, hidden_size=256, num_layers=1, cell="lstm", dropout=0.3,
                            tie_weights=True),
                 steps=4000, batch_size=32, seq_len=35, lr=2e-3, vocab_size=10_000),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=sorted(RECIPES))
    ap.add_argument("--steps", type=int, help="override the recipe's step count (the shipped file uses the recipe)")
    ap.add_argument("--out", type=Path, help="where to write the checkpoint")
    args = ap.parse_args()
    recipe = dict(RECIPES[args.kind])
    steps = args.steps or recipe["steps"]
    torch.set_num_threads(1)
    seed_everything(0)

    train_text, valid_text, test_text = shakespeare("train"), shakespeare("valid"), shakespeare("test")
    if args.kind == "char":
        vocab = CharVocab.build(train_text)
        enc = vocab.encode
        train_ids, valid_ids, test_ids = enc(train_text), enc(valid_text), enc(test_text)
    else:
        train_tokens = words(train_text)
        vocab = Vocab.build(train_tokens, max_size=recipe["vocab_size"])
        train_ids = vocab.encode(train_tokens)
        valid_ids, test_ids = vocab.encode(words(valid_text)), vocab.encode(words(test_text))
    T = recipe["seq_len"]
    x, y = lm_windows(train_ids, T, stride=T // 2)
    xv, yv = lm_windows(valid_ids[:200_000], T)
    model = RecurrentLM(LMConfig(vocab_size=len(vocab), **recipe["model"]))
    print(f"{args.kind}: {len(vocab)} tokens in vocabulary, {len(train_ids):,} training tokens, "
          f"{model.num_parameters():,} parameters, {steps} steps", flush=True)
    trainer = Trainer(model, (x, y), lm_loss, val_data=(xv, yv), callbacks=[CosineLR(recipe["lr"], steps)],
                      config=TrainConfig(steps=steps, batch_size=recipe["batch_size"], lr=recipe["lr"],
                                         eval_every=250, eval_batches=40, clip_grad=1.0))
    t0 = time.time()
    summary = trainer.run()
    print(summary, flush=True)
    if summary.reason != "completed":
        sys.exit(f"training did not complete: {summary.message}")

    model.eval()
    result = {}
    for name, ids in (("valid", valid_ids), ("test", test_ids)):
        ppl = stream_perplexity(model, ids, steps=T, streams=16)
        result[f"{name}_nats"] = math.log(ppl)
        result[f"{name}_ppl"] = ppl
    model.half()  # float16 on disk: half the size
    model.float()
    for name, ids in (("valid", valid_ids), ("test", test_ids)):
        result[f"{name}_nats_fp16"] = math.log(stream_perplexity(model, ids, steps=T, streams=16))
    print({k: round(v, 4) for k, v in result.items()}, flush=True)

    out = args.out or ROOT / "data" / "checkpoints" / f"{args.kind}_lm.pt"
    state_model = RecurrentLM(LMConfig(vocab_size=len(vocab), **recipe["model"]))
    state_model.load_state_dict(model.state_dict())
    state_model.half()
    digest = save_checkpoint(out, state_model, step=trainer.step, meta={
        "kind": args.kind, "config": model.describe(), "itos": list(vocab.itos),
        "recipe": {k: v for k, v in recipe.items() if k != "model"}, "steps": steps,
        "train_seconds": round(time.time() - t0, 1), "torch": torch.__version__,
        **{k: round(v, 4) for k, v in result.items()},
    })
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB, sha256 {digest})")


if __name__ == "__main__":
    main()
