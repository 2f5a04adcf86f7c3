#!/usr/bin/env python3
"""Synthesize the spoken-digit corpus of notebook 07 with espeak-ng.

    apt-get install espeak-ng        # 1.51 made the shipped corpus
    python scripts/build_speech.py   # writes data/speech/manifest.csv and data/speech/clips.zip

No recorded speech corpus can be had offline, so the course makes one: espeak-ng speaks digits,
digit strings ("three one four", phone-number style) and ten command words, in 8 English accents
× 13 voice variants, each voice identity with its own speaking rate and pitch. Everything the
script chooses (which voices, which words, rates, pitches, which split) comes from one seeded
random generator, so the manifest is reproduced exactly; the audio depends on the espeak-ng
version. Clips are trimmed of leading and trailing silence, resampled to 16 kHz and stored as
Ogg/Opus (about 12 kbit/s) inside one uncompressed zip, beside a CSV manifest.

Splits hold out whole voices, so evaluation is speaker-independent:
  train 32 identities · valid 4 · test 4 (same accents and variants, unseen combinations);
  unseen_variant: synthesis variants never used above (whisper, klatt, ...), English accents;
  foreign_accent: French, German, Spanish and Hindi espeak voices reading the English words.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "speech"
SR = 16_000
SEED = 7

DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
COMMANDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
ACCENTS = ["en-gb", "en-us", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd",
           "en-029", "en-us-nyc"]
SEEN_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5"]
UNSEEN_VARIANTS = ["whisper", "whisperf", "klatt", "klatt2", "klatt4"]
FOREIGN = ["fr", "de", "es", "hi"]
CLIPS = {"train": 100, "valid": 60, "test": 80, "unseen_variant": 40, "foreign_accent": 40}
N_IDENTITIES, N_VALID, N_TEST = 40, 4, 4


def utterance(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.25:
        return rng.choice(COMMANDS)
    if kind < 0.40:
        return rng.choice(DIGITS)
    return " ".join(rng.choice(DIGITS) for _ in range(rng.randint(2, 5)))


def voices(rng: random.Random) -> list[dict]:
    """Every voice identity: espeak voice + variant, base rate and pitch, split."""
    ids = [(ACCENTS[i % len(ACCENTS)], SEEN_VARIANTS[(5 * i) % len(SEEN_VARIANTS)]) for i in range(N_IDENTITIES)]
    order = list(range(N_IDENTITIES))
    rng.shuffle(order)
    split = {i: "valid" for i in order[:N_VALID]} | {i: "test" for i in order[N_VALID:N_VALID + N_TEST]}
    out = [dict(accent=a, variant=v, split=split.get(i, "train")) for i, (a, v) in enumerate(ids)]
    out += [dict(accent=ACCENTS[(3 * j) % len(ACCENTS)], variant=v, split="unseen_variant")
            for j, v in enumerate(UNSEEN_VARIANTS)]
    out += [dict(accent=lang, variant="m3" if j % 2 else "f2", split="foreign_accent") for j, lang in enumerate(FOREIGN)]
    for v in out:
        v["voice"] = f"{v['accent']}+{v['variant']}"
        v["rate"] = rng.randint(130, 200)   # words per minute
        v["pitch"] = rng.randint(25, 75)    # espeak's 0–99 scale
    return out


def speak(voice: str, rate: int, pitch: int, text: str) -> np.ndarray:
    import librosa
    import soundfile as sf

    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-p", str(pitch), "--stdout", text],
                         check=True, capture_output=True).stdout
    wave, rate_in = sf.read(io.BytesIO(wav), dtype="float32")
    wave = librosa.resample(wave, orig_sr=rate_in, target_sr=SR, res_type="soxr_hq")
    wave, _ = librosa.effects.trim(wave, top_db=45)
    pad = np.zeros(int(0.05 * SR), dtype=np.float32)  # 50 ms of silence either side
    return np.concatenate([pad, wave, pad])


def plan() -> list[dict]:
    """Every clip to make — file, text, voice, rate, pitch, split — from the seeded generator alone."""
    rng = random.Random(SEED)
    rows = []
    for vi, v in enumerate(voices(rng)):
        for k in range(CLIPS[v["split"]]):
            text = utterance(rng)
            rate = v["rate"] + rng.randint(-10, 10)
            pitch = max(0, min(99, v["pitch"] + rng.randint(-5, 5)))
            rows.append(dict(file=f"{v['split']}/v{vi:02d}_{k:03d}.opus", text=text, voice=v["voice"],
                             speaker=f"v{vi:02d}", split=v["split"], accent=v["accent"], variant=v["variant"],
                             rate=rate, pitch=pitch))
    return rows


def build(out: Path) -> None:
    import soundfile as sf

    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng is not installed: apt-get install espeak-ng (or your system's package)")
    version = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True).stdout.strip()
    rows = plan()
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / "clips.zip.partial"
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
        for i, r in enumerate(rows):
            wave = speak(r["voice"], r["rate"], r["pitch"], r["text"])
            buf = io.BytesIO()
            sf.write(buf, wave, SR, format="OGG", subtype="OPUS", compression_level=1.0)
            zf.writestr(zipfile.ZipInfo(r["file"], date_time=(2026, 1, 1, 0, 0, 0)), buf.getvalue())
            r["seconds"] = round(len(wave) / SR, 3)
            if i + 1 == len(rows) or rows[i + 1]["speaker"] != r["speaker"]:
                print(f"{r['voice']:>24} {r['split']:>15}", flush=True)
    tmp.replace(out / "clips.zip")
    with open(out / "manifest.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    size = (out / "clips.zip").stat().st_size
    print(f"{len(rows)} clips, {sum(r['seconds'] for r in rows) / 60:.1f} min of audio, "
          f"clips.zip {size / 1e6:.1f} MB; {version}")
    for name in ("manifest.csv", "clips.zip"):
        digest = hashlib.sha256((out / name).read_bytes()).hexdigest()
        print(f"{digest}  speech/{name}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT, help="output folder (default data/speech)")
    build(ap.parse_args().out)
