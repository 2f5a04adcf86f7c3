"""Speech for notebook 07: audio in, log-mel frames out, transcripts as character ids.

    wave = load_audio("clip.wav")                  # float32 (N,), mono, 16 kHz, whatever came in
    feats = log_mel(wave)                          # (T, F): 100 frames a second, F = 40 mel bands
    corpus = SpeechCorpus.load()                   # data/speech: synthesized clips, split by voice
    x, x_len, y, y_len = collate(batch)            # x: (B, T, F) padded, y: (B, S) char ids

Features come from librosa (torchaudio has no build for torch 2.13); nothing here is a
hand-written filterbank. Every loader names what to do when a file is missing or broken.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..paths import data_dir

__all__ = [
    "AudioError", "SR", "HOP", "N_MELS", "load_audio", "mel_power", "log_mel", "frames_per_second",
    "CHARS", "encode_text", "decode_ids", "ctc_greedy", "error_rates",
    "Clip", "SpeechCorpus", "Augment", "add_noise", "SpeechDataset", "collate", "load_fsdd", "BLANK",
]

SR = 16_000          # samples per second everything is resampled to
HOP = 160            # 10 ms between frames → 100 frames a second
WIN = 400            # 25 ms analysis window
N_MELS = 40          # mel bands: F, the feature count the RNN reads
LOG_FLOOR = 1e-5     # log(mel + floor): silence sits on log(floor), not −inf


class AudioError(ValueError):
    """An audio file that cannot be used (empty, silent, unreadable); the message says why."""


def load_audio(source, sr: int = SR) -> np.ndarray:
    """Read a WAV/FLAC/Ogg file (a path, bytes or a file object) → float32 (N,) mono at ``sr``.

    Stereo is averaged to mono; any other sample rate is resampled (librosa's soxr). An empty,
    silent or unreadable file raises :class:`AudioError` with what to do about it.
    """
    import soundfile as sf

    name = str(source) if isinstance(source, (str, os.PathLike)) else "the uploaded audio"
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise AudioError(f"{name} is empty (0 bytes): record or choose a clip with sound in it")
        source = io.BytesIO(bytes(source))
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise AudioError(f"no audio file at {path}: check the path")
        if path.stat().st_size == 0:
            raise AudioError(f"{path} is empty (0 bytes): record or choose a clip with sound in it")
    try:
        data, rate = sf.read(source, dtype="float32", always_2d=True)  # (N, channels)
    except (RuntimeError, sf.LibsndfileError, TypeError, ValueError) as e:
        raise AudioError(
            f"{name} could not be read as audio ({e}). Give a WAV, FLAC or Ogg file; "
            "convert other formats first (for example with ffmpeg or Audacity)"
        ) from None
    if data.shape[0] == 0:
        raise AudioError(f"{name} holds no samples: record or choose a clip with sound in it")
    wave = data.mean(axis=1)  # (N,) stereo → mono
    if not np.isfinite(wave).all():
        raise AudioError(f"{name} contains NaN or infinite samples: the file is corrupt")
    if rate != sr:
        import librosa

        wave = librosa.resample(wave, orig_sr=rate, target_sr=sr, res_type="soxr_hq")
    if np.abs(wave).max() < 1e-4:
        raise AudioError(f"{name} is silent (peak below −80 dBFS): check the microphone or the file")
    return wave.astype(np.float32)


def frames_per_second(hop: int = HOP, sr: int = SR) -> float:
    return sr / hop


def mel_power(wave: np.ndarray, sr: int = SR, n_mels: int = N_MELS) -> np.ndarray:
    """Mel spectrogram before the log, frames first: (T, F) float32 power, T = 1 + N // 160."""
    import librosa

    wave = np.asarray(wave, dtype=np.float32)
    if wave.ndim != 1:
        raise ValueError(f"log_mel takes a mono wave of shape (N,), got {wave.shape}; average the channels first")
    mel = librosa.feature.melspectrogram(
        y=wave, sr=sr, n_fft=512, win_length=WIN, hop_length=HOP, n_mels=n_mels, fmin=20, fmax=sr / 2,
    )  # (F, T)
    return np.ascontiguousarray(mel.T, dtype=np.float32)  # (T, F)


def log_mel(wave: np.ndarray, sr: int = SR, n_mels: int = N_MELS) -> np.ndarray:
    """Log-mel spectrogram, frames first: (T, F) float32 with T = 1 + N // 160, F = ``n_mels``."""
    return np.log(mel_power(wave, sr, n_mels) + LOG_FLOOR)  # (T, F)


# --- transcripts: characters in, characters out -----------------------------------------------

CHARS = " abcdefghijklmnopqrstuvwxyz'"  # class 0 is CTC's blank; character i is class i + 1
BLANK = 0


def encode_text(text: str) -> list[int]:
    """'three one' → class ids (1 … 28); spaces between words are characters too."""
    clean = re.sub(r"\s+", " ", text.lower()).strip()
    bad = sorted({c for c in clean if c not in CHARS})
    if bad:
        raise ValueError(f"transcript {text!r} has characters the model cannot write: {bad}; use letters, "
                         "spaces and apostrophes (write digits as words: '3' → 'three')")
    return [CHARS.index(c) + 1 for c in clean]


def decode_ids(ids) -> str:
    return "".join(CHARS[int(i) - 1] for i in ids if int(i) != BLANK)


def ctc_greedy(log_probs: torch.Tensor, lengths=None) -> list[str]:
    """Best class per frame, repeats collapsed, blanks removed: (B, T, C) → B strings.

    ``lengths`` (B,) says how many frames of each row are real; padding frames are ignored.
    A (T, C) tensor is one utterance.
    """
    if log_probs.dim() == 2:
        log_probs = log_probs[None]
    best = log_probs.argmax(dim=-1)  # (B, T)
    out = []
    for b, row in enumerate(best.tolist()):
        n = len(row) if lengths is None else int(lengths[b])
        collapsed = [c for t, c in enumerate(row[:n]) if t == 0 or c != row[t - 1]]
        out.append(decode_ids(c for c in collapsed if c != BLANK))
    return out


def error_rates(references: list[str], hypotheses: list[str]) -> dict:
    """Character and word error rates over a set of utterances (jiwer), as fractions."""
    import jiwer

    if len(references) != len(hypotheses) or not references:
        raise ValueError(f"need as many hypotheses as references (>0), got {len(references)} and {len(hypotheses)}")
    hyps = [h if h.strip() else "∅" for h in hypotheses]  # an empty transcript counts as all deletions
    return {"cer": float(jiwer.cer(references, hyps)), "wer": float(jiwer.wer(references, hyps))}


# --- the corpus ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clip:
    wave: np.ndarray  # (N,) float32 at 16 kHz
    text: str
    speaker: str
    split: str
    voice: str = ""

    @property
    def seconds(self) -> float:
        return len(self.wave) / SR


def _speech_dir() -> Path:
    folder = data_dir() / "speech"
    if not (folder / "manifest.csv").exists() or not (folder / "clips.zip").exists():
        raise FileNotFoundError(
            f"the speech corpus is missing ({folder}/manifest.csv, clips.zip). It ships with the course: "
            "restore it with `git checkout -- data/speech`, or rebuild it with scripts/build_speech.py"
        )
    return folder


class SpeechCorpus:
    """The synthesized spoken-digit corpus in ``data/speech`` (see data/README.md), by split.

    Splits: ``train``, ``valid``, ``test`` (whole voices held out), ``unseen_variant`` and
    ``foreign_accent`` (voices unlike any in training: the hard test).
    """

    SPLITS = ("train", "valid", "test", "unseen_variant", "foreign_accent")

    def __init__(self, clips: dict[str, list[Clip]]):
        self.clips = clips

    @classmethod
    def load(cls, splits=SPLITS, max_per_split: int | None = None) -> "SpeechCorpus":
        import zipfile

        import soundfile as sf

        unknown = set(splits) - set(cls.SPLITS)
        if unknown:
            raise ValueError(f"unknown split(s) {sorted(unknown)}; splits: {', '.join(cls.SPLITS)}")
        folder = _speech_dir()
        with open(folder / "manifest.csv", newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["split"] in splits]
        clips: dict[str, list[Clip]] = {s: [] for s in splits}
        try:
            with zipfile.ZipFile(folder / "clips.zip") as zf:
                for r in rows:
                    if max_per_split is not None and len(clips[r["split"]]) >= max_per_split:
                        continue
                    wave, _ = sf.read(io.BytesIO(zf.read(r["file"])), dtype="float32")
                    clips[r["split"]].append(Clip(wave, r["text"], r["speaker"], r["split"], r["voice"]))
        except (zipfile.BadZipFile, KeyError, sf.LibsndfileError) as e:
            raise FileNotFoundError(
                f"data/speech/clips.zip is damaged ({e}); restore it with `git checkout -- data/speech`"
            ) from None
        return cls(clips)

    def __getitem__(self, split: str) -> list[Clip]:
        if split not in self.clips:
            raise ValueError(f"no split {split!r} loaded; loaded: {', '.join(self.clips)}")
        return self.clips[split]

    def speakers(self, split: str) -> set[str]:
        return {c.speaker for c in self[split]}

    def summary(self) -> list[dict]:
        return [{"split": s, "clips": len(c), "voices": len({x.speaker for x in c}),
                 "minutes": round(sum(x.seconds for x in c) / 60, 1)} for s, c in self.clips.items()]


# --- augmentation and batches -----------------------------------------------------------------------


def add_noise(wave: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """White noise at ``snr_db`` relative to the clip's average power."""
    power = float(np.mean(wave ** 2)) + 1e-12
    noise = rng.standard_normal(len(wave)).astype(np.float32) * np.sqrt(power / 10 ** (snr_db / 10))
    return (wave + noise).astype(np.float32)


@dataclass
class Augment:
    """Load-time augmentation, drawn from the dataset's seeded generator (deterministic).

    Noise on a share ``p_noise`` of clips (not all: espeak's perfectly silent stretches make a
    model that only ever heard noise worse on clean audio), a random gain, a small time shift
    in whole 10-ms frames.
    """

    p_noise: float = 0.5
    snr_db: tuple[float, float] = (0.0, 20.0)
    gain_db: tuple[float, float] = (-6.0, 6.0)
    shift_s: float = 0.05

    def draw(self, rng: np.random.Generator) -> tuple[float, int, float | None]:
        """One clip's random choices: a gain (factor on the wave), a shift (frames of silence put
        in front) and the SNR in dB of the noise to add, or None for no noise."""
        gain = float(10 ** (rng.uniform(*self.gain_db) / 20))
        shift = int(rng.integers(0, round(self.shift_s * SR / HOP) + 1))
        snr = float(rng.uniform(*self.snr_db)) if rng.random() < self.p_noise else None
        return gain, shift, snr

    def __call__(self, wave: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """An augmented copy of ``wave`` (N,) → (N + shift·160,)."""
        return self._apply(wave, *self.draw(rng), rng)

    @staticmethod
    def _apply(wave, gain: float, shift: int, snr: float | None, rng) -> np.ndarray:
        wave = np.concatenate([np.zeros(shift * HOP, np.float32), wave * np.float32(gain)])
        return add_noise(wave, snr, rng) if snr is not None else wave.astype(np.float32)

    def features(self, wave: np.ndarray, power: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``log_mel(self(wave, rng))``, (T, F), from the clip's cached ``mel_power(wave)``, (T, F).

        Gain and shift need no new spectrogram: a gain g scales every band's power by g², and a
        shift of k frames puts k silent frames in front. Only noise, new in every frame, is added
        to the wave and the spectrogram computed again.
        """
        gain, shift, snr = self.draw(rng)
        if snr is not None:
            return log_mel(self._apply(wave, gain, shift, snr, rng))
        silence = np.zeros((shift, power.shape[1]), np.float32)
        return np.log(np.concatenate([silence, power * np.float32(gain ** 2)]) + LOG_FLOOR)  # (shift + T, F)


class SpeechDataset(torch.utils.data.Dataset):
    """Clips → (features (T, F), target ids (S,)). Each clip's spectrogram is computed once;
    augmentation reuses it (see :meth:`Augment.features`)."""

    def __init__(self, clips: list[Clip], augment: Augment | None = None, seed: int = 0,
                 noise_snr_db: float | None = None):
        if not clips:
            raise ValueError("no clips: give at least one Clip")
        self.clips, self.augment = clips, augment
        self.rng = np.random.default_rng(seed)
        self._cache: dict[int, torch.Tensor] = {}
        self._power: dict[int, np.ndarray] = {}  # mel power (T, F) per clip, for augmentation
        self.noise_snr_db = noise_snr_db  # fixed noise for a noisy test set (seeded per clip)
        self.seed = seed

    def __len__(self) -> int:
        return len(self.clips)

    def features(self, i: int) -> torch.Tensor:
        clip = self.clips[i]
        if self.augment is not None:
            if i not in self._power:
                self._power[i] = mel_power(clip.wave)
            return torch.from_numpy(self.augment.features(clip.wave, self._power[i], self.rng))
        if i not in self._cache:
            wave = clip.wave
            if self.noise_snr_db is not None:
                wave = add_noise(wave, self.noise_snr_db, np.random.default_rng([self.seed, i]))
            self._cache[i] = torch.from_numpy(log_mel(wave))
        return self._cache[i]

    def __getitem__(self, i: int):
        return self.features(i), torch.tensor(encode_text(self.clips[i].text))


def collate(items) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """[(feats (T_i, F), ids (S_i,))] → x (B, T, F) padded, x_len (B,), y (B, S) padded, y_len (B,)."""
    feats, ids = zip(*items)
    x_len = torch.tensor([f.shape[0] for f in feats])
    y_len = torch.tensor([len(t) for t in ids])
    x = torch.nn.utils.rnn.pad_sequence(feats, batch_first=True, padding_value=float(np.log(LOG_FLOOR)))
    y = torch.nn.utils.rnn.pad_sequence(ids, batch_first=True)
    return x, x_len, y, y_len


# --- real recordings: the Free Spoken Digit Dataset layout ---------------------------------------

_FSDD = re.compile(r"^(\d)_([A-Za-z0-9-]+)_(\d+)\.wav$")


def load_fsdd(folder, split_speakers: dict[str, str] | None = None) -> list[Clip]:
    """Clips from a folder in FSDD layout, ``{digit}_{speaker}_{index}.wav`` (e.g. ``7_jackson_32.wav``).

    The transcript is the digit as a word. ``split_speakers`` maps speaker → split name (default:
    every clip in split ``"fsdd"``). Files not in the layout are listed in the error, not skipped.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {folder}: point load_fsdd at the folder holding the .wav files")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".wav")
    if not files:
        raise ValueError(f"{folder} holds no .wav files named like 7_jackson_32.wav")
    odd = [p.name for p in files if not _FSDD.match(p.name)]
    if odd:
        raise ValueError(f"{len(odd)} file(s) do not follow {{digit}}_{{speaker}}_{{index}}.wav, e.g. {odd[:3]}")
    clips = []
    for p in files:
        digit, speaker, _ = _FSDD.match(p.name).groups()
        split = (split_speakers or {}).get(speaker, "fsdd")
        clips.append(Clip(load_audio(p), ["zero", "one", "two", "three", "four", "five", "six", "seven",
                                          "eight", "nine"][int(digit)], speaker, split))
    return clips
