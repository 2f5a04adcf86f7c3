"""Speech for notebook 07: audio in, log-mel frames out, transcripts as character ids.

    feats = features("clip.wav")                   # THE front end: any file, bytes, Clip or (wave, sr) → (T, F)
    wave = load_audio("clip.wav")                  # float32 (N,), mono, 16 kHz, checked, whatever came in
    feats = log_mel(wave)                          # (T, F): 100 frames a second, F = 40 mel bands to 4 kHz
    corpus = SpeechCorpus.load()                   # data/speech: synthesized clips, split by voice
    x, x_len, y, y_len = collate(batch)            # x: (B, T, F) padded, y: (B, S) char ids

**One front end.** Every path — corpus clips in training and evaluation, an uploaded file, a
NumPy wave — reaches the model through the same two steps: :func:`prepare_wave` (mono, 16 kHz,
refuse silent, too short or too long audio) and :func:`log_mel` (mel bands from 20 Hz to
``FMAX`` = 4 kHz only). The corpus's 12 kbit/s Opus codec leaves the spectrum above about 4 kHz
nearly empty: a model that never sees those bands cannot come to rely on their emptiness, so a
plain WAV from a microphone or another synthesizer reads much more like a corpus clip. The codec
also reshapes the bands below 4 kHz; the shipped model is trained with augmentation that changes
the channel (:class:`.dataset.Channel`), and reads the held-out voices' plain WAV at 2.2 % CER
against 2.5 % for their codec clips, spelled greedily (21 % before this front end; decoded to the
vocabulary, :mod:`.decode`, 1.4 % and 1.5 %; ``benchmarks/speech_bars.py``).
Putting every input through the codec as well was measured and not kept: with an earlier model
it helped plain WAV but made the other engines' speakers worse (15 % → 21 %).
:func:`check_features` applies the same refusals to features handed to the model directly
(``transcribe``), with the same messages.

Features are librosa's mel spectrogram (torchaudio has no build for torch 2.13), computed with
``torch.stft`` and librosa's filterbank, shipped as ``mel_filters.npy`` (:func:`mel_filters`): the
same numbers as ``librosa.feature.melspectrogram`` (a test checks), without importing librosa and
numba into the kernel (about 200 MB). Nothing here is a hand-written filterbank. Resampling is
soxr's. Every loader names what to do when a file is missing or broken.
"""

from __future__ import annotations

import csv
import io
import os
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from ..paths import data_dir
from ..validate import whole

__all__ = [
    "AudioError", "SR", "HOP", "N_MELS", "FMAX", "load_audio", "prepare_wave", "features", "check_features",
    "mel_filters", "mel_power", "log_mel", "frames_per_second",
    "CHARS", "encode_text", "decode_ids", "ctc_greedy", "error_rates",
    "Clip", "SpeechCorpus", "collate", "load_fsdd", "BLANK",
]

SR = 16_000          # samples per second everything is resampled to
HOP = 160            # 10 ms between frames → 100 frames a second
WIN = 400            # 25 ms analysis window
N_FFT = 512          # FFT size: the window padded to 512 samples → 257 frequency bins
N_MELS = 40          # mel bands: F, the feature count the RNN reads
LOG_FLOOR = 1e-5     # log(mel + floor): silence sits on log(floor), not −inf
FMIN, FMAX = 20, 4_000  # Hz: the lowest and highest mel band edges — FMAX is the front end's band limit
MIN_SECONDS, MAX_SECONDS = 0.1, 30.0  # shorter or longer audio is refused (clips are a few seconds)
SILENCE_PEAK = 1e-4  # −80 dBFS: a wave whose loudest sample is below this is silence
# Features whose loudest band has less mel power than this hold no sound: a silent wave's sit on
# log(LOG_FLOOR) exactly; a tone at the wave check's −80 dBFS reaches about 1e-6.
SILENT_MEL_POWER = 1e-7


class AudioError(ValueError):
    """An audio file that cannot be used (empty, silent, unreadable); the message says why."""


def _silent(name: str) -> AudioError:
    return AudioError(f"{name} is silent (peak below −80 dBFS): check the microphone or the file")


def _duration_problem(name: str, seconds: float, max_seconds: float | None = MAX_SECONDS) -> AudioError | None:
    if seconds < MIN_SECONDS:
        return AudioError(f"{name} is {seconds * 1000:.0f} ms long; give at least {MIN_SECONDS:g} s of speech")
    if max_seconds is not None and seconds > max_seconds:
        return AudioError(f"{name} is {seconds:.0f} s long; this model was trained on clips of a few seconds — "
                          f"cut it to under {max_seconds:.0f} s")
    return None


def prepare_wave(wave, sr: int, name: str = "the audio", max_seconds: float | None = MAX_SECONDS) -> np.ndarray:
    """The front end's first step: a wave (N,) or (N, channels) at rate ``sr`` → float32 (N',) mono
    at 16 kHz, refused with :class:`AudioError` when empty, not finite, silent, shorter than 0.1 s
    or longer than ``max_seconds`` (30 s; None: no upper limit, for a caller that states its own).
    A NumPy array or a torch tensor; ``sr`` must be said (no guessing)."""
    if torch.is_tensor(wave):
        wave = wave.detach().cpu().numpy()
    if not isinstance(wave, np.ndarray) or not np.issubdtype(wave.dtype, np.number):
        raise AudioError(f"{name} must be a wave — a NumPy array or tensor of samples, shape (N,) or "
                         f"(N, channels) — or a file; got {type(wave).__name__}")
    if wave.ndim == 2 and wave.shape[1] <= 8 < wave.shape[0]:
        wave = wave.mean(axis=1)  # (N, channels) → mono
    if wave.ndim != 1:
        raise AudioError(f"{name} has shape {wave.shape}; give a mono wave (N,) or (N, channels)")
    if not isinstance(sr, (int, np.integer)) or isinstance(sr, bool) or sr < 1_000:
        raise AudioError(f"the sample rate must be a whole number of samples a second (e.g. 16000); got {sr!r}")
    if len(wave) == 0:
        raise AudioError(f"{name} holds no samples: record or choose a clip with sound in it")
    wave = wave.astype(np.float32)
    if not np.isfinite(wave).all():
        raise AudioError(f"{name} contains NaN or infinite samples: the file is corrupt")
    problem = _duration_problem(name, len(wave) / sr, max_seconds)
    if problem:
        raise problem
    if sr != SR:
        import soxr

        wave = soxr.resample(wave, int(sr), SR, quality="HQ").astype(np.float32)
    if np.abs(wave).max() < SILENCE_PEAK:
        raise _silent(name)
    return wave


def load_audio(source, sr: int = SR, max_seconds: float | None = MAX_SECONDS) -> np.ndarray:
    """Read a WAV/FLAC/Ogg file (a path, bytes or a file object) → float32 (N,) mono at 16 kHz.

    Stereo is averaged to mono; any other sample rate is resampled (soxr, as librosa does), through
    :func:`prepare_wave`. An empty, silent, too short, too long or unreadable file raises
    :class:`AudioError` with what to do about it. (``sr`` other than 16 kHz: resampled once more;
    ``max_seconds`` as in :func:`prepare_wave`.)
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
    elif isinstance(source, np.ndarray) or torch.is_tensor(source):
        raise AudioError("this is a wave, not a file: give its sample rate with features(wave, sr=16000) "
                         "or transcribe_source(model, wave, sr=16000)")
    try:
        data, rate = sf.read(source, dtype="float32", always_2d=True)  # (N, channels)
    except (RuntimeError, sf.LibsndfileError, TypeError, ValueError) as e:
        raise AudioError(
            f"{name} could not be read as audio ({e}). Give a WAV, FLAC or Ogg file; "
            "convert other formats first (for example with ffmpeg or Audacity)"
        ) from None
    if data.shape[0] == 0:
        raise AudioError(f"{name} holds no samples: record or choose a clip with sound in it")
    wave = prepare_wave(data.mean(axis=1), int(rate), name, max_seconds)  # (N, channels) → mono, 16 kHz
    if sr != SR:
        import soxr

        wave = soxr.resample(wave, SR, int(sr), quality="HQ").astype(np.float32)
    return wave


def frames_per_second(hop: int = HOP, sr: int = SR) -> float:
    return sr / hop


MEL_FILTERS_SHA256 = "61da80ad72140fa5a8fb8eccfa24d03c19abc3ae661ccbd14f20012546d32d9b"


@lru_cache(maxsize=8)
def mel_filters(sr: int = SR, n_mels: int = N_MELS) -> torch.Tensor:
    """librosa's mel filterbank, (F, K) float32 with K = 257 FFT bins: Slaney's mel scale, bands
    from 20 Hz to ``FMAX`` (or to sr/2 if lower).

    The course's own (16 kHz, 40 bands) is read from ``mel_filters.npy`` beside this module, written
    by ``scripts/build_mel_filters.py`` with ``librosa.filters.mel`` and checked here against its
    SHA-256; any other (sr, n_mels) is computed by librosa (which then loads numba, ~200 MB)."""
    if (sr, n_mels) == (SR, N_MELS):
        path = Path(__file__).with_name("mel_filters.npy")
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        import hashlib

        if hashlib.sha256(data).hexdigest() != MEL_FILTERS_SHA256:
            raise FileNotFoundError(f"{path} is missing or changed: restore it with `git checkout -- {path.name}` "
                                    "in rnn_course/speech, or rewrite it with scripts/build_mel_filters.py")
        return torch.from_numpy(np.load(io.BytesIO(data), allow_pickle=False))
    import librosa

    return torch.from_numpy(librosa.filters.mel(sr=sr, n_fft=N_FFT, n_mels=n_mels, fmin=FMIN,
                                                fmax=min(FMAX, sr / 2)).astype(np.float32))


def mel_power(wave: np.ndarray, sr: int = SR, n_mels: int = N_MELS) -> np.ndarray:
    """Mel spectrogram before the log, frames first: (T, F) float32 power, T = 1 + N // 160,
    bands from 20 Hz to ``FMAX`` (4 kHz) — ``librosa.feature.melspectrogram`` with the course's
    settings (25 ms Hann window, 10 ms hop, centred frames padded with zeros), via ``torch.stft``."""
    whole("n_mels", n_mels, why="the number of mel bands, 40 for the course's models")
    wave = np.asarray(wave, dtype=np.float32)
    if wave.ndim != 1:
        raise ValueError(f"log_mel takes a mono wave of shape (N,), got {wave.shape}; average the channels first")
    spec = torch.stft(torch.from_numpy(wave), n_fft=N_FFT, hop_length=HOP, win_length=WIN, window=_hann(),
                      center=True, pad_mode="constant", return_complex=True)  # (K, T) complex
    power = spec.real ** 2 + spec.imag ** 2  # (K, T)
    mel = mel_filters(int(sr), n_mels) @ power  # (F, K) @ (K, T) → (F, T): bands to 4 kHz only (the band limit)
    return np.ascontiguousarray(mel.T.numpy(), dtype=np.float32)  # (T, F)


@lru_cache(maxsize=1)
def _hann() -> torch.Tensor:
    return torch.hann_window(WIN)  # periodic, as librosa's (scipy's get_window with fftbins=True)


def log_mel(wave: np.ndarray, sr: int = SR, n_mels: int = N_MELS) -> np.ndarray:
    """Log-mel spectrogram, frames first: (T, F) float32 with T = 1 + N // 160, F = ``n_mels``."""
    return np.log(mel_power(wave, sr, n_mels) + LOG_FLOOR)  # (T, F)


def features(source, sr: int | None = None) -> torch.Tensor:
    """THE front end: what the model hears, (T, F) float32, from any input.

    ``source``: a file (path, bytes, file object — read by :func:`load_audio`), a :class:`Clip`,
    or a wave (NumPy array or tensor, (N,) or (N, channels)) with its sample rate ``sr``. Every
    input is checked by :func:`prepare_wave` and turned into band-limited log-mel frames by
    :func:`log_mel`; bad input raises :class:`AudioError` saying what to do.
    """
    if isinstance(source, Clip):
        return torch.from_numpy(np.log(source.mel_power() + LOG_FLOOR))  # the clip's cached spectrogram
    if isinstance(source, np.ndarray) or torch.is_tensor(source):
        if sr is None:
            raise AudioError("a wave needs its sample rate: features(wave, sr=16000) — the corpus and the "
                             "model work at 16 kHz, and any other rate is resampled")
        return torch.from_numpy(log_mel(prepare_wave(source, sr)))
    return torch.from_numpy(log_mel(load_audio(source)))


def check_features(feats, n_mels: int = N_MELS, name: str = "the audio") -> torch.Tensor:
    """Features handed to the model directly → a float32 tensor (T, F), or :class:`AudioError`
    with the front end's own message: silent, too short or too long, or not (T, F) features.
    A NumPy array is accepted like a tensor."""
    if isinstance(feats, np.ndarray):
        feats = torch.from_numpy(np.ascontiguousarray(feats))
    if not torch.is_tensor(feats):
        raise AudioError(f"the model reads log-mel features, a (T, F={n_mels}) tensor or array; got "
                         f"{type(feats).__name__}. For a file or a wave use features(source, sr=...) first")
    if feats.dim() == 1:
        raise AudioError(f"this looks like a wave of {len(feats)} samples, shape (N,); the model reads log-mel "
                         f"features (T, F={n_mels}): use features(wave, sr=16000) first")
    if feats.dim() != 2 or feats.shape[1] != n_mels:
        raise AudioError(f"features must have shape (T, F={n_mels}); got {tuple(feats.shape)}")
    if not feats.is_floating_point():
        feats = feats.float()
    problem = _duration_problem(name, len(feats) * HOP / SR)
    if problem:
        raise problem
    if not torch.isfinite(feats).all():
        raise AudioError(f"{name} contains NaN or infinite values: compute them again from the audio")
    if float(feats.max()) < np.log(LOG_FLOOR + SILENT_MEL_POWER):
        raise _silent(name)
    return feats


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


class Clip:
    """One utterance: its wave (N,) float32 at 16 kHz, transcript, speaker, split and voice.

    ``wave`` may be given as an array, or as a function that decodes it (the corpus does this:
    clips are decoded from the zip only when their wave is asked for, and not kept, so a loaded
    corpus costs a few megabytes, not the ~400 MB its decoded audio would). ``seconds`` is then
    needed, and known from the manifest. The clip's mel spectrogram is computed once and kept
    (:meth:`mel_power`): every dataset built on the clip reuses it.
    """

    __slots__ = ("_wave", "text", "speaker", "split", "voice", "seconds", "_power")

    def __init__(self, wave, text: str, speaker: str, split: str, voice: str = "", seconds: float | None = None):
        self._wave, self.text, self.speaker, self.split, self.voice = wave, text, speaker, split, voice
        if seconds is None:
            if callable(wave):
                raise ValueError("a clip decoded on demand needs its length: give seconds=")
            seconds = len(wave) / SR
        self.seconds = float(seconds)
        self._power: np.ndarray | None = None

    @property
    def wave(self) -> np.ndarray:
        return self._wave() if callable(self._wave) else self._wave

    def mel_power(self) -> np.ndarray:
        """``mel_power(self.wave)``, (T, F), computed at the first call and kept."""
        if self._power is None:
            self._power = mel_power(self.wave)
        return self._power

    def __repr__(self) -> str:
        return f"Clip({self.text!r}, speaker={self.speaker!r}, split={self.split!r}, {self.seconds:.2f} s)"


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

    Splits (whole voices held out, see scripts/build_speech.py): ``train``, ``valid``, ``test``;
    the hard test's ``fast`` (the test voices at 220 words a minute), ``unseen_variant`` and
    ``foreign_accent`` (espeak-ng voices unlike any in training); and, stored as lossless FLAC
    rather than through the codec, ``test_plain`` (the test voices, new digit strings) and
    ``unseen_engine`` (speakers of flite and festival, engines whose voices never appear above).
    Clips are decoded when their wave is needed (:class:`Clip`), never all at once.
    """

    SPLITS = ("train", "valid", "test", "fast", "unseen_variant", "foreign_accent", "test_plain", "unseen_engine")

    def __init__(self, clips: dict[str, list[Clip]]):
        self.clips = clips

    @classmethod
    def load(cls, splits=SPLITS, max_per_split: int | None = None) -> "SpeechCorpus":
        import zipfile

        unknown = set(splits) - set(cls.SPLITS)
        if unknown:
            raise ValueError(f"unknown split(s) {sorted(unknown)}; splits: {', '.join(cls.SPLITS)}")
        folder = _speech_dir()
        with open(folder / "manifest.csv", newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["split"] in splits]
        clips: dict[str, list[Clip]] = {s: [] for s in splits}
        try:
            with zipfile.ZipFile(folder / "clips.zip") as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile as e:
            raise FileNotFoundError(f"data/speech/clips.zip is damaged ({e}); restore it with "
                                    "`git checkout -- data/speech`") from None
        for r in rows:
            if max_per_split is not None and len(clips[r["split"]]) >= max_per_split:
                continue
            if r["file"] not in names:
                raise FileNotFoundError(f"data/speech/clips.zip lacks {r['file']} named in manifest.csv; restore "
                                        "both with `git checkout -- data/speech`")
            clips[r["split"]].append(Clip(_ZipMember(folder / "clips.zip", r["file"]), r["text"], r["speaker"],
                                          r["split"], r["voice"], seconds=float(r["seconds"])))
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


@lru_cache(maxsize=4)
def _open_zip(path: Path, stamp: tuple[int, int]):
    """One open ``ZipFile`` per corpus file (and per version of it: ``stamp`` is its mtime and
    size), shared by all its clips: opening it reads the whole directory of ~4,500 entries."""
    import zipfile

    return zipfile.ZipFile(path)


class _ZipMember:
    """Decodes one clip of the corpus zip when called → (N,) float32 at 16 kHz (Opus or FLAC)."""

    __slots__ = ("zip_path", "name")

    def __init__(self, zip_path: Path, name: str):
        self.zip_path, self.name = zip_path, name

    def __call__(self) -> np.ndarray:
        import zipfile

        import soundfile as sf

        try:
            st = self.zip_path.stat()
            data = _open_zip(self.zip_path, (st.st_mtime_ns, st.st_size)).read(self.name)
            wave, rate = sf.read(io.BytesIO(data), dtype="float32")
        except (OSError, zipfile.BadZipFile, KeyError, sf.LibsndfileError) as e:
            raise FileNotFoundError(f"data/speech/clips.zip is damaged or gone ({e}); restore it with "
                                    "`git checkout -- data/speech`") from None
        return prepare_wave(wave, rate, self.name)


# --- batches -------------------------------------------------------------------------------------


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
