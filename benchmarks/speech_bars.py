#!/usr/bin/env python3
"""Issue 20's bars for the shipped speech model, measured through the upload path.

    OMP_NUM_THREADS=1 python benchmarks/speech_bars.py [--model speech_bigru] [--path trial.pt]

Every clip of a split is written as a plain 16-bit 16 kHz WAV file's bytes and handed to
``transcribe_source`` — what the notebook's upload widget calls — so the whole front end is in
the measurement, and so is its decoder: the words heard are the likeliest sequence of the
corpus's twenty words (``speech.decode``); each result also holds the greedy spelling's rates
(``greedy``), the model without the vocabulary. Conditions: the held-out test voices as plain WAV (``test_plain``: new
utterances, never through the codec), the same voices' codec clips (``test``), at 220 words a
minute (``fast``), and the speakers of other engines (``unseen_engine``), per voice too.
With espeak-ng installed, ``--fresh N`` also synthesizes N new utterances per test voice as
plain WAV at this moment (not from the zip).
Results go to data/benchmarks/speech_bars.json; each bar's line says whether it is reached.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections import defaultdict

import soundfile as sf

from rnn_course.results import save_benchmark
from rnn_course.speech.data import SR, SpeechCorpus, error_rates
from rnn_course.speech.model import load_pretrained
from rnn_course.speech.views import transcribe_source

BARS = {  # condition → (what it must show, CER fraction at most)
    "test_plain": ("held-out test voices, plain 16 kHz WAV", 0.02),
    "test": ("held-out test voices, codec clips", 0.01),
    "fast": ("held-out test voices at 220 words a minute", 0.03),
    "unseen_engine_bar": ("flite rms, slt, kal16 and festival kal, plain WAV", 0.15),
}
BAR_VOICES = {"flite:rms", "flite:slt", "flite:kal16", "festival:kal"}


CODEC = False  # --codec: every clip goes through the corpus's Opus codec first (an experiment, not recorded)


def wav_bytes(wave) -> bytes:
    if CODEC:
        buf = io.BytesIO()
        sf.write(buf, wave, SR, format="OGG", subtype="OPUS", compression_level=1.0)
        wave, _ = sf.read(io.BytesIO(buf.getvalue()), dtype="float32")
    buf = io.BytesIO()
    sf.write(buf, wave, SR, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def score(model, clips) -> dict:
    """Error rates of the words heard (``text``: decoded to the corpus's vocabulary, what the bars
    read) and, under ``greedy``, of the model's own letter-by-letter spelling (``spelled``)."""
    hyps, spelled = [], []
    for c in clips:
        result = transcribe_source(model, wav_bytes(c.wave))
        hyps.append(result.text if result.text is not None else "")
        spelled.append(result.spelled if result.spelled is not None else "")
    refs = [c.text for c in clips]
    return {**error_rates(refs, hyps), "clips": len(clips), "greedy": error_rates(refs, spelled)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="speech_bigru")
    ap.add_argument("--fresh", type=int, default=0, help="new utterances per test voice, synthesized now")
    ap.add_argument("--path", help="a checkpoint file to measure instead of the shipped one (not recorded)")
    ap.add_argument("--codec", action="store_true", help="code every clip with the corpus's codec first (not recorded)")
    args = ap.parse_args()
    global CODEC
    CODEC = args.codec
    model, _ = load_pretrained(args.model, path=args.path)
    corpus = SpeechCorpus.load(("test", "test_plain", "fast", "unseen_engine"))
    results = {s: score(model, corpus[s]) for s in ("test_plain", "test", "fast")}
    by_voice = defaultdict(list)
    for c in corpus["unseen_engine"]:
        by_voice[c.voice].append(c)
    results["unseen_engine_by_voice"] = {v: score(model, clips) for v, clips in sorted(by_voice.items())}
    results["unseen_engine_bar"] = score(model, [c for c in corpus["unseen_engine"] if c.voice in BAR_VOICES])
    results["unseen_engine_all"] = score(model, corpus["unseen_engine"])
    if args.fresh:
        results["test_fresh_plain"] = fresh(model, corpus["test"], args.fresh)
    for key, r in results.items():
        if "cer" in r:
            bar = BARS.get(key)
            verdict = "" if bar is None else f"  bar ≤ {100 * bar[1]:g} %: {'reached' if r['cer'] <= bar[1] else 'NOT reached'}"
            print(f"{key:>22}: CER {100 * r['cer']:5.2f} %  WER {100 * r['wer']:5.2f} %  ({r['clips']} clips; "
                  f"greedy CER {100 * r['greedy']['cer']:5.2f} %){verdict}")
        else:
            for v, s in r.items():
                print(f"{v:>22}: CER {100 * s['cer']:5.2f} %  WER {100 * s['wer']:5.2f} %  ({s['clips']} clips; "
                      f"greedy CER {100 * s['greedy']['cer']:5.2f} %)")
    if args.path or args.codec:
        return
    save_benchmark("speech_bars", {"model": args.model, **results}, command=" ".join(["python"] + sys.argv))


def fresh(model, test_clips, n: int) -> dict:
    """New digit strings per test voice, synthesized now with the build script's engines, as plain WAV."""
    import csv
    import importlib.util
    import random
    from pathlib import Path

    from rnn_course.paths import data_dir

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("build_speech", root / "scripts" / "build_speech.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    voices = build.identities(random.Random(build.SEED))
    with open(data_dir() / "speech" / "manifest.csv", newline="") as f:
        speakers = sorted({r["speaker"] for r in csv.DictReader(f) if r["split"] == "test"})
    rng = random.Random(2026)
    refs, hyps, spelled = [], [], []
    for speaker in speakers:
        v = voices[int(speaker[1:])]
        texts = [" ".join(rng.choice(build.DIGITS) for _ in range(rng.randint(2, 5))) for _ in range(n)]
        for text, wave in zip(texts, build.synthesize(v["engine"], v["voice"], v["variant"], v["rate"], v["pitch"],
                                                        texts, v["tape"])):
            refs.append(text)
            result = transcribe_source(model, wav_bytes(build.finish(wave)))
            hyps.append(result.text or "")
            spelled.append(result.spelled or "")
    return {**error_rates(refs, hyps), "clips": len(refs), "greedy": error_rates(refs, spelled)}


if __name__ == "__main__":
    main()
