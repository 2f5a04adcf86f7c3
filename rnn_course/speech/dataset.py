"""What training reads: clips as (features (T, F), character ids (S,)), augmented as they load.

    train = SpeechDataset(corpus["train"], augment=Augment(), seed=0)   # gain, shift, noise
    train = SpeechDataset(corpus["train"], augment=Augment(channel=Channel()), seed=0)  # + channel
    feats, ids = train[0]                                               # (T, F), (S,)

Every clip reaches the model through the one front end (:func:`.data.features`); augmentation
changes what a clip sounds like, never how it is turned into features. Two kinds:

- :class:`Augment` — what a microphone adds: a random gain, a small time shift, white noise;
- :class:`Channel` — what a different voice, synthesizer or codec changes, applied to the mel
  spectrogram: speaking rate (frames stretched or squeezed), vocal-tract length (the mel axis
  warped, as a higher or lower voice moves its formants), the channel's colouring (a smooth random
  tilt of the bands), and a masked band and stretches of time (SpecAugment, Park et al. 2019).
  The shipped models train with it: the corpus's clips all went through one codec, and without
  it a model learns that codec's sound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..validate import is_number, whole
from .data import HOP, LOG_FLOOR, SR, Clip, encode_text, features, log_mel

__all__ = ["add_noise", "Augment", "Channel", "SpeechDataset"]


def add_noise(wave: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """White noise at ``snr_db`` relative to the clip's average power."""
    power = float(np.mean(wave ** 2)) + 1e-12
    noise = rng.standard_normal(len(wave)).astype(np.float32) * np.sqrt(power / 10 ** (snr_db / 10))
    return (wave + noise).astype(np.float32)


def _range(name: str, pair, low: float, high: float) -> None:
    """Refuse a (lo, hi) range that is not two numbers with low ≤ lo ≤ hi ≤ high."""
    ok = isinstance(pair, (tuple, list)) and len(pair) == 2 and all(is_number(v) for v in pair)
    if not ok or not low <= pair[0] <= pair[1] <= high:
        raise ValueError(f"{name} must be a range (lo, hi) with {low:g} ≤ lo ≤ hi ≤ {high:g}, got {pair!r}")


def _stretch(power: np.ndarray, factor: float, axis: int) -> np.ndarray:
    """Linear interpolation of ``power`` along ``axis``.

    axis 0 (frames): the result has round(T · factor) frames — factor > 1 is slower speech;
    axis 1 (bands): the band count stays F and band f reads the input at f / factor, so factor > 1
    moves every formant up (a shorter vocal tract)."""
    n = power.shape[axis]
    size = max(2, round(n * factor)) if axis == 0 else n
    where = np.clip(np.arange(size) / factor, 0, n - 1)
    lo = np.floor(where).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    w = (where - lo).astype(np.float32)
    if axis == 0:
        return power[lo] * (1 - w)[:, None] + power[hi] * w[:, None]
    return power[:, lo] * (1 - w) + power[:, hi] * w


@dataclass
class Channel:
    """Spectral augmentation of a (T, F) mel power spectrogram; see the module's docstring.

    rate: range of the speaking-rate factor (0.8: speech at 80 % of its speed, 1.25× the frames);
    warp: range of the vocal-tract factor on the mel axis; tilt_db: the largest rise or fall of the
    bands from lowest to highest (a straight line in dB) plus half as much of a random bump;
    band_mask: the widest masked band (mel bands), on a share ``p_mask`` of clips; time_mask: the
    longest masked stretch (frames), up to two per clip.
    """

    rate: tuple[float, float] = (0.9, 1.1)
    warp: tuple[float, float] = (0.94, 1.06)
    tilt_db: float = 4.0
    band_mask: int = 4
    time_mask: int = 8
    p_mask: float = 0.25

    def __post_init__(self):
        _range("rate", self.rate, 0.5, 2.0)
        _range("warp", self.warp, 0.5, 2.0)
        if not is_number(self.p_mask) or not 0 <= self.p_mask <= 1:
            raise ValueError(f"p_mask is the share of clips that get masks, between 0 and 1; got {self.p_mask!r}")
        if not is_number(self.tilt_db) or self.tilt_db < 0:
            raise ValueError(f"tilt_db must be a number of decibels ≥ 0, got {self.tilt_db!r}")
        for name in ("band_mask", "time_mask"):
            whole(name, getattr(self, name), why="the widest mask; p_mask=0 turns masks off")

    def __call__(self, power: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """(T, F) mel power → (T', F) mel power, T' ≈ T / rate factor."""
        f = power.shape[1]
        power = _stretch(power, 1 / rng.uniform(*self.rate), axis=0)
        power = _stretch(power, rng.uniform(*self.warp), axis=1)
        bands = np.linspace(-1, 1, f, dtype=np.float32)
        db = rng.uniform(-1, 1) * self.tilt_db * bands / 2 \
            + rng.uniform(-1, 1) * self.tilt_db / 2 * np.cos(np.pi * (bands + rng.uniform(0, 1)))
        power = power * (10 ** (db / 10)).astype(np.float32)
        if rng.random() < self.p_mask:
            width = int(rng.integers(1, self.band_mask + 1))
            start = int(rng.integers(0, f - width + 1))
            power[:, start:start + width] = 0.0
            for _ in range(int(rng.integers(1, 3))):
                width = int(rng.integers(1, min(self.time_mask, len(power) // 4) + 1))
                start = int(rng.integers(0, len(power) - width + 1))
                power[start:start + width] = 0.0
        return power.astype(np.float32)


@dataclass
class Augment:
    """Load-time augmentation, drawn from the dataset's seeded generator (deterministic).

    Noise on a share ``p_noise`` of clips (not all: espeak's perfectly silent stretches make a
    model that only ever heard noise worse on clean audio), a random gain, a small time shift
    in whole 10-ms frames, and, if given, a :class:`Channel` augmentation of the spectrogram.
    """

    p_noise: float = 0.5
    snr_db: tuple[float, float] = (0.0, 20.0)
    gain_db: tuple[float, float] = (-6.0, 6.0)
    shift_s: float = 0.05
    channel: Channel | None = None

    def __post_init__(self):
        if not is_number(self.p_noise) or not 0 <= self.p_noise <= 1:
            raise ValueError(f"p_noise is the share of clips that get noise, between 0 and 1; got {self.p_noise!r}")
        _range("snr_db", self.snr_db, -30.0, 100.0)
        _range("gain_db", self.gain_db, -60.0, 60.0)
        if not is_number(self.shift_s) or not 0 <= self.shift_s <= 1:
            raise ValueError(f"shift_s is the largest shift in seconds, between 0 and 1; got {self.shift_s!r}")
        if self.channel is not None and not isinstance(self.channel, Channel):
            raise ValueError(f"channel must be a Channel(...) or None, got {type(self.channel).__name__}")

    def draw(self, rng: np.random.Generator) -> tuple[float, int, float | None]:
        """One clip's random choices: a gain (factor on the wave), a shift (frames of silence put
        in front) and the SNR in dB of the noise to add, or None for no noise."""
        gain = float(10 ** (rng.uniform(*self.gain_db) / 20))
        shift = int(rng.integers(0, round(self.shift_s * SR / HOP) + 1))
        snr = float(rng.uniform(*self.snr_db)) if rng.random() < self.p_noise else None
        return gain, shift, snr

    def __call__(self, wave: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """An augmented copy of ``wave`` (N,) → (N + shift·160,): gain, shift and noise (the
        :class:`Channel` part acts on spectrograms: see :meth:`features`)."""
        return self._apply(wave, *self.draw(rng), rng)

    @staticmethod
    def _apply(wave, gain: float, shift: int, snr: float | None, rng) -> np.ndarray:
        wave = np.concatenate([np.zeros(shift * HOP, np.float32), wave * np.float32(gain)])
        return add_noise(wave, snr, rng) if snr is not None else wave.astype(np.float32)

    def features(self, clip: Clip, rng: np.random.Generator) -> np.ndarray:
        """Log-mel features of an augmented clip, (T', F), from the clip's cached ``clip.mel_power()``.

        Without a channel part this equals ``log_mel(self(clip.wave, rng))``. Gain and shift need no
        new spectrogram: a gain g scales every band's power by g², and a shift of k frames puts k
        silent frames in front. Only noise, new in every frame, is added to the wave and the
        spectrogram computed again. The channel part then reshapes the spectrogram.
        """
        gain, shift, snr = self.draw(rng)
        if snr is not None:
            feats = log_mel(self._apply(clip.wave, gain, shift, snr, rng))
            if self.channel is None:
                return feats
            power = np.exp(feats) - LOG_FLOOR
        else:
            power = clip.mel_power()
            silence = np.zeros((shift, power.shape[1]), np.float32)
            power = np.concatenate([silence, power * np.float32(gain ** 2)])  # (shift + T, F)
        if self.channel is not None:
            power = self.channel(power, rng)
        return np.log(power + LOG_FLOOR).astype(np.float32)


class SpeechDataset(torch.utils.data.Dataset):
    """Clips → (features (T, F), target ids (S,)), through the front end (:func:`.data.features`).

    Each clip's spectrogram is computed once and kept on the clip (:meth:`.data.Clip.mel_power`),
    so datasets over the same clips share it; augmentation reuses it (see :meth:`Augment.features`).
    ``noise_snr_db`` adds fixed noise (seeded per clip) for a noisy test set; those features are
    kept by the dataset.
    """

    def __init__(self, clips: list[Clip], augment: Augment | None = None, seed: int = 0,
                 noise_snr_db: float | None = None):
        if not clips:
            raise ValueError("no clips: give at least one Clip")
        self.clips, self.augment = clips, augment
        self.rng = np.random.default_rng(seed)
        self._noisy: dict[int, torch.Tensor] = {}
        self.noise_snr_db = noise_snr_db
        self.seed = seed

    def __len__(self) -> int:
        return len(self.clips)

    def features(self, i: int) -> torch.Tensor:
        clip = self.clips[i]
        if self.augment is not None:
            return torch.from_numpy(self.augment.features(clip, self.rng))
        if self.noise_snr_db is None:
            return features(clip)
        if i not in self._noisy:
            wave = add_noise(clip.wave, self.noise_snr_db, np.random.default_rng([self.seed, i]))
            self._noisy[i] = torch.from_numpy(log_mel(wave))
        return self._noisy[i]

    def __getitem__(self, i: int):
        return self.features(i), torch.tensor(encode_text(self.clips[i].text))
