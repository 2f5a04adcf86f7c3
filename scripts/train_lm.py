#!/usr/bin/env python3
"""Train the pretrained language models that notebooks 02 and 03 load.

    python scripts/train_lm.py char    # → data/checkpoints/char_lm.pt (+ .sha256)
    python scripts/train_lm.py word    # → data/checkpoints/word_lm.pt (+ .sha256)

Deterministic: fixed seeds, fixed step counts, one thread (``torch.set_num_threads(1)``), so a
re-run on the same machine and torch version reproduces the checkpoint. Training data is the
training split only (whole plays); the script reports validation loss as it goes and the final
validation and test numbers at the end. Weights are stored small — the character model as
float16, the word model as int8 with one scale per row — and ``load_pretrained`` turns them back
into float32 (the change in validation loss is measured and reported).

The word recipe also keeps its learning curve (step, passes over the training words, validation
and test perplexity, CPU seconds) in ``data/benchmarks/word_lm_curve.json`` as it trains, saves
the checkpoint whenever validation perplexity reaches a new best (so an interrupted run still
leaves its best model behind), and ends by scoring the stored model on each test play against
the Kneser–Ney trigram on the same tokens, with bootstrap intervals, in
``data/benchmarks/word_lm.json``. ``--evaluate PATH`` redoes only that last part (keeping the
training run's int8-vs-float32 measurement when the record is for the same model).

The vocabulary travels inside the checkpoint (``meta["itos"]``), so the notebooks rebuild the
exact token ↔ index mapping the model was trained with.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rnn_course import TrainConfig, Trainer, save_checkpoint, seed_everything  # noqa: E402
from rnn_course.train import Callback, CosineLR  # noqa: E402
from rnn_course.language.baselines import KneserNeyLM  # noqa: E402
from rnn_course.language.data import CharVocab, Vocab, lm_windows, play_text, plays, shakespeare, words  # noqa: E402
from rnn_course.language.model import (LMConfig, RecurrentLM, compare_perplexities, lm_loss, ngram_nll,  # noqa: E402
                                       stream_nll, stream_perplexity)
from rnn_course.language.views import load_pretrained, save_int8  # noqa: E402

BENCH = ROOT / "data" / "benchmarks"

RECIPES = {
    # 2-layer GRU, 384 units: about 4 passes over the 4 MB of training plays.
    "char": dict(model=dict(embedding_dim=64, hidden_size=384, num_layers=2, cell="gru", dropout=0.1),
                 steps=4000, batch_size=32, seq_len=128, lr=2e-3),
    # 2-layer LSTM, 512 units, tied embedding, vocabulary of the 10,000 most frequent words;
    # dropout between layers and on the output, whole-word embedding dropout, tight gradient
    # clipping. 3,200 steps of 32×35 tokens: about 4 passes over the 0.9 M training words, about
    # 85 minutes of one busy CPU thread. Stored as int8 with per-row scales (about 9.6 MB).
    "word": dict(model=dict(embedding_dim=512, hidden_size=512, num_layers=2, cell="lstm", dropout=0.3,
                            embedding_dropout=0.1, tie_weights=True),
                 steps=3200, batch_size=32, seq_len=35, lr=3e-3, clip_grad=0.5, vocab_size=10_000,
                 curve_every=400, storage="int8"),
}


def _json(path: Path, data) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    tmp.replace(path)


class Curve(Callback):
    """At every validation pass: perplexity of the whole validation and test text (read as 16
    streams with the state carried), appended to a JSON learning curve; saves the model through
    ``save`` whenever validation perplexity is the best so far."""

    def __init__(self, path: Path, valid_ids, test_ids, tokens_per_step: int, n_train: int, T: int, save):
        self.path, self.valid_ids, self.test_ids, self.T, self.save = path, valid_ids, test_ids, T, save
        self.tokens_per_step, self.n_train = tokens_per_step, n_train
        self.points, self.best = [], math.inf
        self.cpu0, self.wall0 = time.process_time(), time.perf_counter()

    def on_eval(self, trainer, step, val_loss):
        valid = stream_perplexity(trainer.model, self.valid_ids, steps=self.T, streams=16)
        test = stream_perplexity(trainer.model, self.test_ids, steps=self.T, streams=16)
        point = {"step": step, "epoch": round(step * self.tokens_per_step / self.n_train, 3),
                 "valid_ppl": round(valid, 2), "test_ppl": round(test, 2),
                 "cpu_s": round(time.process_time() - self.cpu0, 1), "wall_s": round(time.perf_counter() - self.wall0, 1)}
        self.points.append(point)
        print(point, flush=True)
        _json(self.path, self.points)
        if valid < self.best:
            self.best = valid
            self.save(step, point)


def per_play(model: RecurrentLM, vocab: Vocab, train_ids: torch.Tensor, T: int) -> dict:
    """Each test play read from its start (one stream, state carried): the LSTM's and the
    Kneser–Ney trigram's perplexity on the same tokens, with 95 % block-bootstrap intervals, and
    the same for the three plays pooled ("whole test set")."""
    kn = KneserNeyLM(order=3).fit(train_ids.tolist(), vocab_size=len(vocab))
    out, lstm_all, kn_all = {}, [], []
    for row in plays("test"):
        ids = vocab.encode(words(play_text(row["play"])))
        lstm = stream_nll(model, ids, steps=T, streams=1)  # (N − 1,): every token after the first
        ngram = ngram_nll(kn, ids)  # the same N − 1 tokens
        lstm_all.append(lstm)
        kn_all.append(ngram)
        out[row["title"]] = compare_perplexities(lstm, ngram)  # baseline = Kneser–Ney
    out["whole test set"] = compare_perplexities(torch.cat(lstm_all), torch.cat(kn_all))
    return out


def evaluate_word(path: Path, float_state: dict | None = None) -> dict:
    """Score the stored word model: per play and pooled vs Kneser–Ney, plus the change in
    validation loss that int8 storage caused (when the float weights are at hand)."""
    model, meta = load_pretrained("word", path)
    vocab = model.vocab
    T = meta["recipe"]["seq_len"]
    train_ids = vocab.encode(words(shakespeare("train")))
    valid_ids = vocab.encode(words(shakespeare("valid")))
    path = path.resolve()
    result = {"checkpoint": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name,
              "step": meta["best_step"], "steps": meta["steps"], "config": meta["config"],
              "recipe": meta["recipe"], "size_mb": round(path.stat().st_size / 1e6, 2),
              "plays": per_play(model, vocab, train_ids, T)}
    stored_nats = math.log(stream_perplexity(model, valid_ids, steps=T, streams=16))
    result["valid_nats_int8"] = round(stored_nats, 5)
    if float_state is not None:
        model.load_state_dict(float_state)
        float_nats = math.log(stream_perplexity(model, valid_ids, steps=T, streams=16))
        result["valid_nats_float32"] = round(float_nats, 5)
        result["int8_minus_float32_nats"] = round(stored_nats - float_nats, 5)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=sorted(RECIPES))
    ap.add_argument("--steps", type=int, help="override the recipe's step count (the shipped file uses the recipe)")
    ap.add_argument("--out", type=Path, help="where to write the checkpoint")
    ap.add_argument("--evaluate", type=Path, metavar="PATH",
                    help="word only: skip training; score this stored checkpoint per test play into word_lm.json")
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.evaluate:
        if args.kind != "word":
            sys.exit("--evaluate is for the word model")
        result = evaluate_word(args.evaluate)
        record = BENCH / "word_lm.json"
        previous = json.loads(record.read_text()) if record.exists() else {}
        if (previous.get("step"), previous.get("config")) == (result["step"], result["config"]):
            # the int8-vs-float32 measurement needs the float weights, which only the training run had
            result.update({k: v for k, v in previous.items() if k in ("valid_nats_float32", "int8_minus_float32_nats")})
        _json(record, result)
        print(json.dumps(result["plays"], indent=1))
        return
    recipe = dict(RECIPES[args.kind])
    steps = args.steps or recipe["steps"]
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
    T, B = recipe["seq_len"], recipe["batch_size"]
    x, y = lm_windows(train_ids, T, stride=T // 2)
    xv, yv = lm_windows(valid_ids[:200_000], T)
    model = RecurrentLM(LMConfig(vocab_size=len(vocab), **recipe["model"]))
    print(f"{args.kind}: {len(vocab)} tokens in vocabulary, {len(train_ids):,} training tokens, "
          f"{model.num_parameters():,} parameters, {steps} steps", flush=True)
    out = args.out or ROOT / "data" / "checkpoints" / f"{args.kind}_lm.pt"
    meta = {"kind": args.kind, "config": model.describe(), "itos": list(vocab.itos),
            "recipe": {k: v for k, v in recipe.items() if k != "model"}, "steps": steps, "torch": torch.__version__}
    t0 = time.time()
    callbacks = [CosineLR(recipe["lr"], steps)]
    best = {}
    if recipe.get("storage") == "int8":
        def save(step, point):
            best["state"] = {k: v.detach().clone() for k, v in model.state_dict().items()}
            save_int8(out, model, step=step, meta={
                **meta, "best_step": step, "train_seconds": round(time.time() - t0, 1),
                "valid_ppl": point["valid_ppl"], "test_ppl": point["test_ppl"],
                "valid_nats": round(math.log(point["valid_ppl"]), 4), "test_nats": round(math.log(point["test_ppl"]), 4)})
        callbacks.append(Curve(BENCH / f"{args.kind}_lm_curve.json", valid_ids, test_ids, B * T, len(train_ids), T, save))
    trainer = Trainer(model, (x, y), lm_loss, val_data=(xv, yv), callbacks=callbacks,
                      config=TrainConfig(steps=steps, batch_size=B, lr=recipe["lr"],
                                         eval_every=recipe.get("curve_every", 250),
                                         eval_batches=10 if "curve_every" in recipe else 40,
                                         clip_grad=recipe.get("clip_grad", 1.0)))
    summary = trainer.run()
    print(summary, flush=True)
    if summary.reason != "completed":
        sys.exit(f"training did not complete: {summary.message}")

    if recipe.get("storage") == "int8":
        result = evaluate_word(out, best["state"])
        _json(BENCH / "word_lm.json", result)
        print(json.dumps(result, indent=1))
        print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")
        return

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

    state_model = RecurrentLM(LMConfig(vocab_size=len(vocab), **recipe["model"]))
    state_model.load_state_dict(model.state_dict())
    state_model.half()
    digest = save_checkpoint(out, state_model, step=trainer.step, meta={
        **meta, "train_seconds": round(time.time() - t0, 1), **{k: round(v, 4) for k, v in result.items()}})
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB, sha256 {digest})")


if __name__ == "__main__":
    main()
