#!/usr/bin/env python3
"""Synthesize the spoken-digit corpus of notebook 07 with espeak-ng, flite and festival.

    apt-get install espeak-ng flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts
    python scripts/build_speech.py   # writes data/speech/manifest.csv, identities.csv and clips.zip
    python scripts/build_speech.py --check   # only the identity checks (needs the engines)

No recorded speech corpus can be had offline, so the course makes one: synthesizers speak
digits, digit strings ("three one four", phone-number style) and ten command words. Everything
the script chooses (voices, words, rates, pitches, splits) comes from one seeded random
generator, so the manifest is reproduced exactly; the audio depends on the engines' versions
(espeak-ng 1.51, flite 2.2, festival 2.5 made the shipped corpus).

Voice identities (``IDENTITIES``): an engine, a voice, a variant and a pitch. Before anything
is written the script checks them:

- **every identity sounds different from every other** on a short phrase, at one rate and
  pitch (espeak-ng 1.51 ignores ``+variant`` for the voice name ``en-gb``: the British accent
  is the voice ``en``, whose variants do differ); identical audio stops the build;
- **a foreign-accent voice pronounces the words in its own language**: ``espeak-ng -x`` shows
  no switch to English. ``hi`` reads Latin script as English; ``fr``, ``de``, ``it``, ``nl`` and
  ``sv`` switch for some of the twenty words: none of them is used. Spanish, Polish, Czech and
  Finnish read every word in their own language.

Splits hold out whole voices, so evaluation is speaker-independent:

  train / valid / test   espeak-ng English accents × variants (unseen combinations held out),
                         plus flite's ``awb`` and festival's ``ked`` (package festvox-kdlpc16k)
                         in five variants each (vocal-tract and pitch shifts: resampling);
  fast                   the test voices at 220 words a minute;
  unseen_variant         espeak-ng variants never used above (whisper, Klatt), English accents;
  foreign_accent         espeak-ng voices of other languages reading the English words;
  test_plain             the test voices again, new utterances, stored losslessly (FLAC);
  unseen_engine          speakers never in training, of other engines, stored losslessly:
                         flite rms, slt, kal, kal16; festival kal and us-slt-hts (slt and kal
                         are one recorded speaker each, twice — still none is in training).

Training speaking rates run from 100 to 240 words a minute (espeak-ng's ``-s``; flite's and
festival's duration stretch set from the same nominal rate). Clips are trimmed of leading and
trailing silence, resampled to 16 kHz and stored as Ogg/Opus (about 12 kbit/s) — the two
lossless splits as FLAC — inside one uncompressed zip, beside a CSV manifest.
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
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "speech"
SR = 16_000
SEED = 7
PHRASE = "three one four"  # the identity check's short phrase

DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
COMMANDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
# accent label → espeak-ng voice name (``en``, not ``en-gb``: 1.51 ignores variants on ``en-gb``)
ACCENTS = {"en-gb": "en", "en-us": "en-us", "en-gb-scotland": "en-gb-scotland", "en-gb-x-gbclan": "en-gb-x-gbclan",
           "en-gb-x-rp": "en-gb-x-rp", "en-gb-x-gbcwmd": "en-gb-x-gbcwmd", "en-029": "en-029", "en-us-nyc": "en-us-nyc"}
SEEN_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5"]
UNSEEN_VARIANTS = ["whisper", "whisperf", "klatt", "klatt2", "klatt4"]
FOREIGN = ["es", "pl", "cs", "fi"]  # checked: no word switched to English (see check_foreign)
OTHER_ENGINE_TRAIN = [("flite", "awb"), ("festival", "ked")]  # five variants each: 4 train, 1 valid
TAPE = [0.88, 0.94, 1.0, 1.06, 1.12]  # resampling factor of those variants: pitch and formants move together
UNSEEN_ENGINE = [("flite", "rms"), ("flite", "slt"), ("flite", "kal"), ("flite", "kal16"),
                 ("festival", "kal"), ("festival", "us-slt-hts")]
FESTIVAL_VOICES = {"ked": "voice_ked_diphone", "kal": "voice_kal_diphone", "us-slt-hts": "voice_cmu_us_slt_arctic_hts"}
CLIPS = {"train": 80, "valid": 60, "test": 80, "fast": 20, "unseen_variant": 40, "foreign_accent": 40,
         "test_plain": 20, "unseen_engine": 14}
LOSSLESS = {"test_plain", "unseen_engine"}
N_IDENTITIES, N_VALID, N_TEST = 40, 4, 4
RATES = (100, 240)   # words per minute, training identities
FAST = 220           # words per minute of the fast split
DEFAULT_WPM = 170    # flite's and festival's own rate, roughly: duration stretch = 170 / rate


def utterance(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.25:
        return rng.choice(COMMANDS)
    if kind < 0.40:
        return rng.choice(DIGITS)
    return " ".join(rng.choice(DIGITS) for _ in range(rng.randint(2, 5)))


def identities(rng: random.Random) -> list[dict]:
    """Every voice identity: engine, voice, variant, accent label, tape factor, base rate and pitch, split."""
    labels = list(ACCENTS)
    ids = [(labels[i % len(labels)], SEEN_VARIANTS[(5 * i) % len(SEEN_VARIANTS)]) for i in range(N_IDENTITIES)]
    order = list(range(N_IDENTITIES))
    rng.shuffle(order)
    split = {i: "valid" for i in order[:N_VALID]} | {i: "test" for i in order[N_VALID:N_VALID + N_TEST]}
    out = [dict(engine="espeak-ng", voice=ACCENTS[a], accent=a, variant=v, tape=1.0, split=split.get(i, "train"))
           for i, (a, v) in enumerate(ids)]
    for engine, voice in OTHER_ENGINE_TRAIN:
        for k, tape in enumerate(TAPE):
            out.append(dict(engine=engine, voice=voice, accent=f"{engine} {voice}", variant=f"tape{tape:g}", tape=tape,
                            split="valid" if k == 2 else "train"))
    out += [dict(engine="espeak-ng", voice=ACCENTS[labels[(3 * j) % len(labels)]], accent=labels[(3 * j) % len(labels)],
                 variant=v, tape=1.0, split="unseen_variant") for j, v in enumerate(UNSEEN_VARIANTS)]
    out += [dict(engine="espeak-ng", voice=lang, accent=lang, variant="m3" if j % 2 else "f2", tape=1.0,
                 split="foreign_accent") for j, lang in enumerate(FOREIGN)]
    out += [dict(engine=engine, voice=voice, accent=f"{engine} {voice}", variant="", tape=1.0, split="unseen_engine")
            for engine, voice in UNSEEN_ENGINE]
    for v in out:
        v["rate"] = rng.randint(*RATES)     # words per minute
        v["pitch"] = rng.randint(25, 75)    # espeak's 0–99 scale; flite: f0 target 80–150 Hz from it
    return out


def identity_name(v: dict) -> str:
    if v["engine"] == "espeak-ng":
        return f"{v['voice']}+{v['variant']}"
    return f"{v['engine']}:{v['voice']}" + (f"+{v['variant']}" if v["variant"] else "")


def plan() -> list[dict]:
    """Every clip to make — file, text, voice, rate, pitch, split — from the seeded generator alone."""
    rng = random.Random(SEED)
    rows = []
    voices = identities(rng)
    for vi, v in enumerate(voices):
        splits = [v["split"]] + (["fast", "test_plain"] if v["split"] == "test" else [])
        for split in splits:
            for k in range(CLIPS[split]):
                text = utterance(rng)
                rate = FAST if split == "fast" else v["rate"] + rng.randint(-10, 10)
                pitch = max(0, min(99, v["pitch"] + rng.randint(-5, 5)))
                ext = "flac" if split in LOSSLESS else "opus"
                rows.append(dict(file=f"{split}/v{vi:02d}_{k:03d}.{ext}", text=text, voice=identity_name(v),
                                 speaker=f"v{vi:02d}", split=split, engine=v["engine"], accent=v["accent"],
                                 variant=v["variant"], rate=rate, pitch=pitch))
    return rows


# --- synthesis ---------------------------------------------------------------------------------------


def _read(wav: bytes) -> np.ndarray:
    import librosa
    import soundfile as sf

    wave, rate = sf.read(io.BytesIO(wav), dtype="float32")
    if wave.ndim == 2:
        wave = wave.mean(1)
    return librosa.resample(wave, orig_sr=rate, target_sr=SR, res_type="soxr_hq") if rate != SR else wave


def _tape(wave: np.ndarray, factor: float) -> np.ndarray:
    """Play ``factor`` times faster: pitch, formants and rate all scale (Kaldi's speed perturbation)."""
    import librosa

    if factor == 1.0:
        return wave
    return librosa.resample(wave, orig_sr=round(SR * factor), target_sr=SR, res_type="soxr_hq")


def synthesize(engine: str, voice: str, variant: str, rate: int, pitch: int, texts: list[str], tape: float = 1.0):
    """(N,) float32 waves at 16 kHz, one per text, untrimmed."""
    if engine == "espeak-ng":
        name = voice + (f"+{variant}" if variant else "")
        waves = [_read(subprocess.run(["espeak-ng", "-v", name, "-s", str(rate), "-p", str(pitch), "--stdout", t],
                                      check=True, capture_output=True).stdout) for t in texts]
    elif engine == "flite":
        with tempfile.TemporaryDirectory() as tmp:
            waves = []
            for t in texts:
                out = Path(tmp) / "x.wav"
                subprocess.run(["flite", "-voice", voice, "--setf", f"duration_stretch={DEFAULT_WPM / rate:.3f}",
                                "--setf", f"int_f0_target_mean={80 + 0.7 * pitch:.0f}", "-t", t, "-o", str(out)],
                               check=True, capture_output=True)
                waves.append(_read(out.read_bytes()))
    elif engine == "festival":
        with tempfile.TemporaryDirectory() as tmp:
            script = [f"({FESTIVAL_VOICES[voice]})", f"(Parameter.set 'Duration_Stretch {DEFAULT_WPM / rate:.3f})"]
            for i, t in enumerate(texts):
                script.append(f'(utt.save.wave (utt.synth (Utterance Text "{t}")) "{tmp}/{i}.wav" \'riff)')
            (Path(tmp) / "run.scm").write_text("\n".join(script))
            subprocess.run(["festival", "--batch", str(Path(tmp) / "run.scm")], check=True, capture_output=True)
            waves = [_read((Path(tmp) / f"{i}.wav").read_bytes()) for i in range(len(texts))]
    else:
        raise ValueError(f"unknown engine {engine!r}")
    return [_tape(w, tape).astype(np.float32) for w in waves]


def finish(wave: np.ndarray) -> np.ndarray:
    """Trim leading and trailing silence, then 50 ms of silence either side."""
    import librosa

    wave, _ = librosa.effects.trim(wave, top_db=45)
    pad = np.zeros(int(0.05 * SR), dtype=np.float32)
    return np.concatenate([pad, wave, pad])


# --- the checks ----------------------------------------------------------------------------------------


def fingerprint(v: dict) -> str:
    """A digest of the identity's audio for PHRASE at one fixed rate and pitch (its own variant and tape)."""
    wave = synthesize(v["engine"], v["voice"], v["variant"], 160, 50, [PHRASE], v["tape"])[0]
    return hashlib.sha256(np.round(wave * 32767).astype(np.int16).tobytes()).hexdigest()[:16]


def duplicates(prints: dict[str, str]) -> list[list[str]]:
    """Groups of identity names whose fingerprints are equal (identical audio)."""
    by_print: dict[str, list[str]] = {}
    for name, fp in prints.items():
        by_print.setdefault(fp, []).append(name)
    return [names for names in by_print.values() if len(names) > 1]


def english_switches(voice: str, words=tuple(DIGITS + COMMANDS)) -> list[str]:
    """The words an espeak-ng voice reads as English (``-x`` marks them ``(en)``), not in its own language."""
    out = []
    for w in words:
        phonemes = subprocess.run(["espeak-ng", "-v", voice, "-q", "-x", w], check=True, capture_output=True,
                                  text=True).stdout
        if "(en)" in phonemes:
            out.append(w)
    return out


def check(voices: list[dict]) -> dict[str, str]:
    """Stop the build if two identities sound the same or a foreign accent is English; → fingerprints."""
    prints = {identity_name(v): fingerprint(v) for v in voices}
    same = duplicates(prints)
    if same:
        sys.exit("identical audio from different voice identities (fix or drop them): "
                 + "; ".join(" = ".join(g) for g in same))
    for lang in sorted({v["voice"] for v in voices if v["split"] == "foreign_accent"}):
        english = english_switches(lang)
        if english:
            sys.exit(f"espeak-ng voice {lang!r} reads {english} as English: it is not a {lang} accent")
    return prints


def build(out: Path, only_check: bool = False) -> None:
    import soundfile as sf

    missing = [e for e in ("espeak-ng", "flite", "festival") if shutil.which(e) is None]
    if missing:
        sys.exit(f"not installed: {', '.join(missing)}. apt-get install espeak-ng flite festival "
                 "festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts")
    versions = [subprocess.run([e, "--version"], capture_output=True, text=True).stdout.strip().splitlines()[0]
                for e in ("espeak-ng", "flite", "festival")]
    voices = identities(random.Random(SEED))
    prints = check(voices)
    print(f"{len(prints)} identities, all distinct; foreign accents checked", flush=True)
    if only_check:
        return
    rows = plan()
    out.mkdir(parents=True, exist_ok=True)
    by_speaker: dict[str, list[dict]] = {}
    for r in rows:
        by_speaker.setdefault(r["speaker"], []).append(r)
    tmp = out / "clips.zip.partial"
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
        for speaker, group in by_speaker.items():
            v = voices[int(speaker[1:])]
            for rate in sorted({r["rate"] for r in group}):  # festival starts once per rate, not per clip
                same = [r for r in group if r["rate"] == rate]
                for pitch in sorted({r["pitch"] for r in same}):
                    batch = [r for r in same if r["pitch"] == pitch]
                    waves = synthesize(v["engine"], v["voice"], v["variant"], rate, pitch, [r["text"] for r in batch],
                                       v["tape"])
                    for r, wave in zip(batch, waves):
                        wave = finish(wave)
                        buf = io.BytesIO()
                        if r["split"] in LOSSLESS:
                            sf.write(buf, wave, SR, format="FLAC", subtype="PCM_16")
                        else:
                            sf.write(buf, wave, SR, format="OGG", subtype="OPUS", compression_level=1.0)
                        zf.writestr(zipfile.ZipInfo(r["file"], date_time=(2026, 1, 1, 0, 0, 0)), buf.getvalue())
                        r["seconds"] = round(len(wave) / SR, 3)
            print(f"{group[0]['voice']:>28} {', '.join(sorted({r['split'] for r in group})):>20}", flush=True)
    tmp.replace(out / "clips.zip")
    with open(out / "manifest.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with open(out / "identities.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["voice", "split", "fingerprint"])
        w.writerows([identity_name(v), v["split"], prints[identity_name(v)]] for v in voices)
    size = (out / "clips.zip").stat().st_size
    print(f"{len(rows)} clips, {sum(r['seconds'] for r in rows) / 60:.1f} min of audio, "
          f"clips.zip {size / 1e6:.1f} MB; {'; '.join(versions)}")
    for name in ("manifest.csv", "identities.csv", "clips.zip"):
        digest = hashlib.sha256((out / name).read_bytes()).hexdigest()
        print(f"{digest}  speech/{name}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT, help="output folder (default data/speech)")
    ap.add_argument("--check", action="store_true", help="only check the voice identities")
    args = ap.parse_args()
    build(args.out, args.check)
