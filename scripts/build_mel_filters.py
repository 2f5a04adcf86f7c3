#!/usr/bin/env python3
"""Write the front end's mel filterbank: librosa's, saved so a kernel need not import librosa.

    python scripts/build_mel_filters.py        # → rnn_course/speech/mel_filters.npy  (40 × 257 float32)

The matrix is exactly ``librosa.filters.mel(sr=16000, n_fft=512, n_mels=40, fmin=20, fmax=4000)``
(Slaney's mel scale and area normalisation). ``rnn_course.speech.data.mel_filters`` loads it and
checks its SHA-256; tests/test_speech_frontend.py checks it equals librosa's. Computing it at run
time would import librosa and numba into the notebook's kernel, about 200 MB for a 41 KB table.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import librosa
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "rnn_course" / "speech" / "mel_filters.npy"


def main() -> None:
    from rnn_course.speech.data import FMAX, FMIN, N_FFT, N_MELS, SR

    fb = librosa.filters.mel(sr=SR, n_fft=N_FFT, n_mels=N_MELS, fmin=FMIN, fmax=FMAX).astype(np.float32)  # (F, K)
    np.save(OUT, fb, allow_pickle=False)
    print(f"wrote {OUT.relative_to(ROOT)} {fb.shape}; sha256 {hashlib.sha256(OUT.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
