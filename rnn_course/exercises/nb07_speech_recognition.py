"""Notebook 07, speech recognition: its exercises, registered in the order the notebook asks them."""

from __future__ import annotations

import numpy as np

from .answers import as_number, as_whole, call_answer, kind_of, Reject
from .core import exercise
from .quizzes import choice


@exercise("07-ctc-decode", 1, (
    "read the frames left to right: merge each run of one symbol, then drop the blanks (_)."
))
def _ctc_decode(answer):
    # frames "__oo_nn__ee_" with "_" the blank: collapse repeats, then drop blanks → "one"
    if not isinstance(answer, str):
        return False, f"that is {kind_of(answer)}; give the transcript as text in quotes, such as \"abc\"."
    got = answer.strip().lower()
    if got == "one":
        return True, "repeats collapse (oo → o), then blanks vanish: o, n, e."
    if got in ("oonnee", "oo nn ee", "oonee"):
        return False, "consecutive repeats of one class collapse into one character before the blanks go."
    if "_" in got:
        return False, "the blanks (_) are removed once repeats have collapsed."
    return False, f"{answer!r} is not it: collapse runs of the same symbol, then delete every blank."


@exercise("07-output-frames", 2, (
    "the features give one frame every 160 samples, plus one; each stride-2 convolution keeps about "
    "half of the frames, rounding up."
))
def _output_frames(answer):
    # 2.5 s at 16 kHz, hop 160 → 1 + 40000 // 160 = 251 frames; two stride-2 convolutions → 126 → 63
    got = as_whole(answer, "a whole number of frames")
    if got == 63:
        return True, "251 feature frames, 126 after the first stride-2 convolution, 63 after the second: one per 40 ms."
    if got == 251:
        return False, "251 is the feature frames T that go in; the two strided convolutions each halve it (rounding up)."
    if got == 250:
        return False, "librosa's frames are 1 + samples // hop (one more than 40000 // 160), and the two strided convolutions then halve them."
    if got == 126:
        return False, "that is after the first stride-2 convolution; the model has two."
    if got in (125, 62, 64):
        return False, "close: the model's out_lengths applies (n − 1) // 2 + 1 twice to T = 1 + 40000 // 160."
    return False, "T = 1 + samples // hop with hop = 160 at 16 kHz; then halve twice, rounding up."


@exercise("07-snr-db", 3, (
    "SNR compares powers: the mean square of the signal against the mean square of the noise (noisy "
    "minus clean), in decibels, 10·log10 of the ratio."
))
def _snr_db(answer):
    rng = np.random.default_rng(0)
    clean = rng.standard_normal(8000).astype(np.float32)
    noisy = clean + rng.standard_normal(8000).astype(np.float32) * 0.1  # noise power 0.01 × signal → 20 dB
    truth = 10 * np.log10(np.mean(clean ** 2) / np.mean((noisy - clean) ** 2))
    got = call_answer(answer, clean, noisy, example="def snr_db(clean, noisy): return ...")
    try:
        got = as_number(got, "one number of decibels")
    except Reject as e:
        raise Reject(f"your function's result: {e}") from None
    if abs(got - truth) < 0.01:
        return True, f"{got:.2f} dB: ten times log10 of signal power over noise power, the noise being noisy − clean."
    if abs(got - truth / 2) < 0.01:
        return False, "that is 10·log10 of an amplitude ratio; SNR compares powers (mean of squares), or use 20·log10 for amplitudes."
    if abs(got + truth) < 0.01:
        return False, "upside down: signal power over noise power."
    return False, f"got {got:.2f}; SNR = 10·log10(mean(clean²) / mean((noisy − clean)²))."


# --- the quiz (rnn_course.exercises.quizzes shows and judges it) ------------------------------
choice(
    "07-quiz-why-ctc",
    "Why can't the article's per-frame classifier be trained with plain cross-entropy from these transcripts?",
    "a",
    ("cross-entropy needs a label for every frame, and a transcript does not say which frames are which letter",
     "CTC removes the need: it sums the probability of every frame labelling that reads as the transcript, "
     "so the model learns the alignment by itself."),
    ("the RNN is too small",
     "size is not the problem: no model can be trained on per-frame labels nobody has."),
    ("audio is not a sequence",
     "it is: a (T, F) sequence of log-mel frames. The problem is that the output is a shorter sequence with "
     "no alignment given."),
)
choice(
    "07-quiz-blank",
    "CTC reads a transcript by merging repeats, then dropping blanks. Why is there a blank between the two e "
    "runs in `__tthh_rr_eee_ee__` → `three`?",
    "c",
    ("it marks the end of a syllable",
     "CTC knows no syllables; the blank only means 'no new character at this frame'."),
    ("it is silence in the audio",
     "blanks fill most frames, speech included: CTC models fire a character in a short spike and say blank "
     "in between."),
    ("without it the two e runs would merge into one e",
     "repeats merge first, so a double letter needs a blank between its runs. The blank is how CTC spells "
     "'ee'."),
)
choice(
    "07-quiz-streaming",
    "For live captions, which model: the bidirectional GRU or the unidirectional one?",
    "b",
    ("the bidirectional one: it is more accurate",
     "its backward GRU starts at the end of the clip, so it can say nothing until the speaker stops: its "
     "latency grows with the utterance."),
    ("the unidirectional one: fixed small latency, at a cost in accuracy",
     "it can emit each frame's output as soon as the audio has arrived (plus the convolutions' look-ahead). "
     "It pays by deciding about a sound before hearing what follows."),
    ("either: both transcribe a second of audio in milliseconds",
     "speed is not latency. Both are faster than real time, but the bidirectional one cannot start until the "
     "utterance ends."),
)
choice(
    "07-quiz-new-voices",
    "Noise in training made the model robust to noise, yet voices unlike any in training still break it. "
    "What would help?",
    "b",
    ("more noise in training",
     "white noise is not a new voice: noise augmentation did not help on the unfamiliar voices."),
    ("more voices, or augmentation that changes the voice (speed and pitch)",
     "a model only knows the voices it was trained on. Real systems train on thousands of speakers."),
    ("a bigger GRU",
     "capacity does not supply voices the model never heard; more data of the right kind does."),
)
choice(
    "07-quiz-held-out-voices",
    "Why are whole voices held out for validation and test, rather than random clips?",
    "a",
    ("a random clip's voice is also in training, so the score would measure memory of voices",
     "the question is how the model does on a speaker it has never heard, so the test speakers must not speak "
     "in training."),
    ("random clips would make the test set too small",
     "the size can be the same either way; the split decides what the score measures."),
    ("CTC requires it",
     "CTC trains on any split; the split is about honest evaluation."),
)
