#!/usr/bin/env python3
"""How fast does the corrected generator write, one character at a time, at batch size 1?

Loads the shipped character model (data/checkpoints/char_lm.pt) and times ``generate`` —
which carries the hidden state, so each character costs one step — for 2,000 characters,
with oneDNN off while stepping (the package's default) and on, for comparison. The last line
prints characters per second. Issue 4 asks for at least 1,000 on 2 cores.

    python benchmarks/generation_speed.py [--chars 2000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from rnn_course.language.views import load_pretrained
from rnn_course.language.model import generate


def timed(model, prompt, n, seed):
    t0 = time.perf_counter()
    generate(model, prompt, n, seed=seed)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chars", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    model, _ = load_pretrained("char")
    vocab = model.vocab
    prompt = vocab.encode("KING:\n")
    timed(model, prompt, 50, 0)  # warm-up
    off = [timed(model, prompt, args.chars, s) for s in range(args.repeats)]
    import rnn_course.language.model as lang

    original = lang._without_onednn
    lang._without_onednn = __import__("contextlib").nullcontext  # measure with oneDNN left on
    try:
        on = [timed(model, prompt, args.chars, s) for s in range(args.repeats)]
    finally:
        lang._without_onednn = original
    print(f"threads={torch.get_num_threads()} model={model.config.cell} {model.config.num_layers}x{model.config.hidden_size}")
    print(f"oneDNN on while stepping: {args.chars / statistics.median(on):,.0f} chars/s")
    print(f"generation speed (batch 1, oneDNN off while stepping): {args.chars / statistics.median(off):,.0f} chars/s")


if __name__ == "__main__":
    main()
