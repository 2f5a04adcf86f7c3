"""Speech's single front end (issue 20 item 1; issue 18's speech cases): every path — corpus
clips, uploads, NumPy waves, features handed to ``transcribe`` — is read the same way, refused
the same way, and does not depend on the corpus's codec."""

import csv
import re
import importlib.util
import io
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from rnn_course.speech import data as S
from rnn_course.speech.model import AcousticConfig, AcousticModel, transcribe
from rnn_course.speech.views import transcribe_source

ROOT = Path(__file__).resolve().parents[1]
SILENT = "silent (peak below −80 dBFS)"
SILENT_RE = re.escape(SILENT)


def tiny():
    torch.manual_seed(0)
    return AcousticModel(AcousticConfig(hidden=16, channels=8))


def tone(seconds=0.5, sr=16_000, freq=440.0):
    t = np.arange(int(seconds * sr)) / sr
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def encode(wave, fmt, subtype=None):
    buf = io.BytesIO()
    sf.write(buf, wave, S.SR, format=fmt, subtype=subtype)
    return buf.getvalue()


def codec(wave):
    """The corpus's codec: Ogg/Opus at its lowest bitrate setting (about 12 kbit/s)."""
    buf = io.BytesIO()
    sf.write(buf, wave, S.SR, format="OGG", subtype="OPUS", compression_level=1.0)
    return buf.getvalue()


# --- silence, length and NumPy input: the same answer on every path ------------------------------------


def test_transcribe_refuses_silent_features_as_the_upload_path_does():
    """Was: transcribe(model, log_mel(silence)) returned 'p' while the upload path said 'silent'."""
    model, silence = tiny(), np.zeros(16_000, np.float32)
    with pytest.raises(S.AudioError, match=SILENT_RE):
        transcribe(model, torch.from_numpy(S.log_mel(silence)))
    assert SILENT in transcribe_source(model, encode(silence, "WAV")).message
    assert SILENT in transcribe_source(model, silence, sr=16_000).message
    with pytest.raises(S.AudioError, match=SILENT_RE):
        S.features(silence, sr=16_000)


def test_transcribe_accepts_numpy_features_like_tensors():
    """Was: AttributeError / TypeError for a NumPy array."""
    model, feats = tiny(), S.log_mel(tone(0.6))
    assert transcribe(model, feats) == transcribe(model, torch.from_numpy(feats))
    assert transcribe(model, [feats, feats]) == [transcribe(model, feats)] * 2


def test_transcribe_given_a_wave_says_to_make_features_first():
    with pytest.raises(S.AudioError, match=r"features\(wave, sr=16000\)"):
        transcribe(tiny(), tone(0.6))
    with pytest.raises(S.AudioError, match=r"\(T, F=40\)"):
        transcribe(tiny(), np.zeros((60, 13), np.float32))


def test_a_numpy_wave_needs_its_sample_rate_on_every_path():
    wave = tone(0.6, sr=8_000)
    assert "sr=16000" in transcribe_source(tiny(), wave).message
    with pytest.raises(S.AudioError, match="sample rate"):
        S.features(wave)
    result = transcribe_source(tiny(), wave, sr=8_000)
    assert isinstance(result.text, str) and "0.60 s" in result.message  # resampled to 16 kHz
    torch.testing.assert_close(S.features(wave, sr=8_000), S.features(_wav(wave, 8_000)))  # as the same file


def _wav(wave, sr):
    buf = io.BytesIO()
    sf.write(buf, wave, sr, format="WAV", subtype="FLOAT")
    return buf.getvalue()


@pytest.mark.parametrize("seconds, message", [(0.05, "at least 0.1 s"), (31.0, "under 30 s")])
def test_too_short_or_too_long_is_refused_alike_as_a_file_a_wave_and_features(seconds, message):
    model, wave = tiny(), tone(seconds)
    assert message in transcribe_source(model, _wav(wave, 16_000)).message
    assert message in transcribe_source(model, wave, sr=16_000).message
    with pytest.raises(S.AudioError, match=message):
        transcribe(model, S.log_mel(wave))


def test_stereo_numpy_wave_is_mixed_down():
    wave = tone(0.5)
    stereo = np.stack([wave, wave], axis=1)  # (N, channels)
    torch.testing.assert_close(S.features(stereo, sr=16_000), S.features(wave, sr=16_000))


# --- the features are librosa's, computed without librosa in the kernel ----------------------------


def test_shipped_filterbank_is_librosas():
    import librosa

    expected = librosa.filters.mel(sr=S.SR, n_fft=S.N_FFT, n_mels=S.N_MELS, fmin=S.FMIN, fmax=S.FMAX)
    np.testing.assert_array_equal(S.mel_filters().numpy(), expected.astype(np.float32))


@pytest.mark.parametrize("sr,n_mels", [(16_000, 40), (16_000, 24), (8_000, 40)])
def test_features_equal_librosas_melspectrogram(sr, n_mels):
    """Speech, a tone and noise, at the course's setting and two others (librosa computes those
    filterbanks): the same log-mel frames as librosa.feature.melspectrogram, to float32 rounding."""
    import librosa

    rng = np.random.default_rng(0)
    clip = S.SpeechCorpus.load(("test",), max_per_split=1)["test"][0].wave
    for wave in (clip, tone(0.73, sr), 0.1 * rng.standard_normal(12_345).astype(np.float32)):
        ref = librosa.feature.melspectrogram(y=wave, sr=sr, n_fft=512, win_length=S.WIN, hop_length=S.HOP,
                                             n_mels=n_mels, fmin=20, fmax=min(S.FMAX, sr / 2))
        ours = S.log_mel(wave, sr, n_mels)
        assert ours.shape == (1 + len(wave) // S.HOP, n_mels)
        np.testing.assert_allclose(ours, np.log(ref.T + S.LOG_FLOOR), atol=2e-4)


def test_a_changed_filterbank_file_is_refused_with_what_to_do(tmp_path, monkeypatch):
    fake = tmp_path / "data.py"
    np.save(tmp_path / "mel_filters.npy", np.zeros((S.N_MELS, 257), np.float32))
    monkeypatch.setattr(S, "__file__", str(fake))
    S.mel_filters.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match="build_mel_filters.py"):
            S.mel_filters()
        (tmp_path / "mel_filters.npy").unlink()
        with pytest.raises(FileNotFoundError, match="missing or changed"):
            S.log_mel(tone())
    finally:
        monkeypatch.undo()
        S.mel_filters.cache_clear()


def test_transcribing_an_upload_imports_neither_librosa_nor_numba():
    """What notebook 07 does with a file, in a fresh interpreter: librosa would bring numba
    and ~200 MB into the learner's kernel for a table the course ships."""
    import subprocess
    import sys

    code = ("import io, sys, numpy as np, soundfile as sf\n"
            "from rnn_course.speech.data import SpeechCorpus, features\n"
            "from rnn_course.speech.model import AcousticModel\n"
            "from rnn_course.speech.views import transcribe_source\n"
            "t = np.arange(24000) / 22050; buf = io.BytesIO()\n"
            "sf.write(buf, (0.3 * np.sin(2 * np.pi * 300 * t)).astype('float32'), 22050, format='WAV')\n"
            "transcribe_source(AcousticModel(), buf.getvalue())\n"
            "features(SpeechCorpus.load(('test',), max_per_split=1)['test'][0])\n"
            "print(sorted(m for m in ('librosa', 'numba') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- the band limit: codec clips and plain WAV read alike ---------------------------------------------


def _plain_and_codec(n=8):
    clips = S.SpeechCorpus.load(("test_plain",), max_per_split=n)["test_plain"]
    return [(c, c.wave, S.load_audio(codec(c.wave))) for c in clips]


def _full_band_log_mel(wave):
    import librosa

    mel = librosa.feature.melspectrogram(y=wave, sr=S.SR, n_fft=512, win_length=S.WIN, hop_length=S.HOP,
                                         n_mels=S.N_MELS, fmin=20, fmax=S.SR / 2)
    return np.log(mel.T + S.LOG_FLOOR)


def test_band_limited_features_barely_change_through_the_codec():
    """The codec empties a band above 4 kHz: there the old full-band features (to 8 kHz) of a
    codec clip sit several log units below the same clip's plain WAV, on average over its frames.
    The front end's bands (to 4 kHz) keep no such hole: their worst band moves less than half as much."""
    for _, plain, coded in _plain_and_codec(4):
        full = np.abs(_full_band_log_mel(plain).mean(0) - _full_band_log_mel(coded).mean(0))  # (F,)
        limited = np.abs(S.log_mel(plain).mean(0) - S.log_mel(coded).mean(0))                # (F,)
        assert full.max() > 3.0                      # the hole the model used to learn from
        assert limited.max() < full.max() / 2


def test_shipped_model_gives_one_transcript_for_codec_audio_and_plain_wav():
    """Issue 20 item 1, through the upload path: the words heard (decoded to the vocabulary) are
    the same, and right, for a clip as plain WAV and through the corpus codec. Letter by letter
    (greedy) the two still differ on one of these eight (``spelled``), as the notebook shows."""
    from rnn_course.speech.model import load_pretrained

    model, _ = load_pretrained("speech_bigru")
    for clip, plain, coded in _plain_and_codec(8):
        as_wav = transcribe_source(model, encode(plain, "WAV", "PCM_16")).text
        as_codec = transcribe_source(model, codec(plain)).text
        assert as_wav == as_codec == clip.text, (clip.text, as_wav, as_codec)


# --- the corpus: decoded lazily, spectrograms shared -----------------------------------------------------


def test_loading_the_corpus_decodes_nothing_until_a_wave_is_asked_for(monkeypatch):
    calls = []
    real = sf.read
    monkeypatch.setattr(sf, "read", lambda *a, **k: calls.append(1) or real(*a, **k))
    corpus = S.SpeechCorpus.load(("valid", "test"))
    assert len(corpus["test"]) > 0 and calls == []
    clip = corpus["test"][0]
    assert abs(len(clip.wave) / S.SR - clip.seconds) < 0.01 and len(calls) == 1


# --- honest voice identities (scripts/build_speech.py) ---------------------------------------------------


def build_script():
    spec = importlib.util.spec_from_file_location("build_speech", ROOT / "scripts" / "build_speech.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows(name):
    with open(ROOT / "data" / "speech" / name, newline="") as f:
        return list(csv.DictReader(f))


def test_shipped_identities_all_sound_different():
    prints = [r["fingerprint"] for r in rows("identities.csv")]
    assert len(prints) == len(set(prints)) == len({r["voice"] for r in rows("identities.csv")})
    assert {r["voice"] for r in rows("identities.csv")} == {r["voice"] for r in rows("manifest.csv")}


def test_duplicates_finds_identities_with_identical_audio():
    b = build_script()
    assert b.duplicates({"en-gb+m1": "aa", "en-gb+m3": "aa", "en+m1": "bb"}) == [["en-gb+m1", "en-gb+m3"]]
    assert b.duplicates({"a": "1", "b": "2"}) == []


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_the_identity_check_catches_espeaks_ignored_en_gb_variants():
    b = build_script()
    ident = lambda voice, variant: dict(engine="espeak-ng", voice=voice, variant=variant, tape=1.0)  # noqa: E731
    assert b.fingerprint(ident("en-gb", "m1")) == b.fingerprint(ident("en-gb", "m3"))  # espeak-ng 1.51 ignores them
    assert b.fingerprint(ident("en", "m1")) != b.fingerprint(ident("en", "m3"))        # what the corpus uses
    assert b.english_switches("hi", ("three",)) == ["three"]                          # hi reads English


def test_other_engines_train_and_unseen_engines_stay_out_of_training():
    manifest = rows("manifest.csv")
    seen = {(r["engine"], r["voice"].split("+")[0]) for r in manifest if r["split"] in ("train", "valid")}
    assert {("flite", "flite:awb"), ("festival", "festival:ked")} <= seen
    unseen = {r["voice"] for r in manifest if r["split"] == "unseen_engine"}
    assert unseen == {"flite:rms", "flite:slt", "flite:kal", "flite:kal16", "festival:kal", "festival:us-slt-hts"}
    trained = {r["voice"].split("+")[0] for r in manifest if r["split"] in ("train", "valid")}
    assert not unseen & trained
    rates = [int(r["rate"]) for r in manifest if r["split"] == "train"]
    assert min(rates) <= 100 and max(rates) >= 240
    assert {int(r["rate"]) for r in manifest if r["split"] == "fast"} == {220}


def test_foreign_accents_are_labelled_by_their_language_and_exclude_english_readers():
    accents = {r["accent"] for r in rows("manifest.csv") if r["split"] == "foreign_accent"}
    assert accents and not accents & {"hi", "fr"}


# --- absurd settings are refused by name ----------------------------------------------------------------


@pytest.mark.parametrize("kwargs, message", [
    (dict(p_noise=1.5), r"p_noise is the share of clips.*between 0 and 1; got 1.5"),
    (dict(snr_db=(20.0, 0.0)), r"snr_db must be a range \(lo, hi\)"),
    (dict(gain_db=6.0), r"gain_db must be a range \(lo, hi\)"),
    (dict(shift_s=-0.1), r"shift_s is the largest shift"),
    (dict(channel="mild"), r"channel must be a Channel"),
])
def test_an_augmentation_with_an_impossible_setting_is_refused_when_made(kwargs, message):
    from rnn_course.speech.dataset import Augment

    with pytest.raises(ValueError, match=message):
        Augment(**kwargs)


@pytest.mark.parametrize("kwargs, message", [
    (dict(rate=(1.2, 0.8)), r"rate must be a range"),
    (dict(warp=(0.1, 1.0)), r"warp must be a range"),
    (dict(p_mask=2), r"p_mask is the share"),
    (dict(time_mask=-3), r"time_mask must be a whole number ≥ 1"),
    (dict(band_mask=0), r"band_mask must be a whole number ≥ 1 \(the widest mask; p_mask=0 turns masks off\)"),
])
def test_a_channel_augmentation_with_an_impossible_setting_is_refused_when_made(kwargs, message):
    from rnn_course.speech.dataset import Channel

    with pytest.raises(ValueError, match=message):
        Channel(**kwargs)


@pytest.mark.parametrize("n_mels", [0, "40", 2.5])
def test_log_mel_with_no_bands_or_a_word_for_the_band_count_is_refused(n_mels):
    with pytest.raises(ValueError, match=r"n_mels must be a whole number ≥ 1 \(the number of mel bands"):
        S.log_mel(np.zeros(1600, np.float32), n_mels=n_mels)


# --- decoding to the vocabulary ------------------------------------------------------------------------


def _log_probs_spelling(text: str, frames_per_char: int = 3, sure: float = 0.9):
    """(T', C) log-probabilities that spell ``text``: each character for a few frames, blanks between."""
    from rnn_course.speech.data import BLANK, CHARS

    rows = []
    for ch in text:
        for k in range(frames_per_char):
            rows.append(CHARS.index(ch) + 1 if k < frames_per_char - 1 else BLANK)
    lp = np.full((len(rows), len(CHARS) + 1), np.log((1 - sure) / len(CHARS)), np.float32)
    lp[np.arange(len(rows)), rows] = np.log(sure)
    return torch.from_numpy(lp)


def test_lexicon_decoding_snaps_a_misspelling_to_the_nearest_word_sequence():
    from rnn_course.speech.decode import corpus_words, lexicon_decode

    words = corpus_words()
    assert len(words) == 20 and {"zero", "nine", "yes", "go"} <= set(words)
    assert lexicon_decode(_log_probs_spelling("five six"), words) == "five six"
    assert lexicon_decode(_log_probs_spelling("seve to fou zro"), words) == "seven two four zero"
    assert lexicon_decode(_log_probs_spelling("threeight"), words) == "three eight"
    assert lexicon_decode(_log_probs_spelling("six six"), words) == "six six"  # a repeated word is two words
    assert lexicon_decode(_log_probs_spelling("sixsix"), words) == "six six"


def test_lexicon_decoding_agrees_with_greedy_where_greedy_spells_known_words():
    """On a real model's output: wherever the greedy spelling is a sequence of vocabulary words,
    the decoder returns exactly it (the search can only add what greedy lacks)."""
    from rnn_course.speech.decode import corpus_words
    from rnn_course.speech.model import load_pretrained, transcribe

    model, _ = load_pretrained("speech_bigru")
    clips = S.SpeechCorpus.load(("valid",), max_per_split=60)["valid"]
    feats = [S.features(c) for c in clips]
    words = set(corpus_words())
    greedy, decoded = transcribe(model, feats), transcribe(model, feats, corpus_words())
    known = [(g, d) for g, d in zip(greedy, decoded) if g and set(g.split()) <= words]
    assert len(known) > 40
    assert all(g == d for g, d in known)
    assert all(set(d.split()) <= words for d in decoded)


@pytest.mark.parametrize("shape", [(10,), (10, 5), (2, 10, 29)])
def test_lexicon_decoding_refuses_what_is_not_one_clips_log_probabilities(shape):
    from rnn_course.speech.decode import lexicon_decode

    with pytest.raises(ValueError, match="one clip's log-probabilities"):
        lexicon_decode(torch.zeros(shape), ["one"])


@pytest.mark.parametrize("words", [[], ["One"], ["one", "2"], [""]])
def test_lexicon_decoding_refuses_a_vocabulary_it_cannot_spell(words):
    from rnn_course.speech.decode import lexicon_decode

    with pytest.raises(ValueError, match="vocabulary"):
        lexicon_decode(_log_probs_spelling("one"), words)


def test_ctc_needs_a_frame_per_character_and_a_blank_between_doubled_ones():
    from rnn_course.speech.decode import ctc_min_frames, lexicon_decode

    assert [ctc_min_frames(t) for t in ("", "go", "three", "six six", "three three")] == [0, 2, 6, 7, 13]
    # the decoder agrees: "three" fits in six frames, t h r e _ e — and five frames spell no "three"
    six = _log_probs_framewise("thre_e")
    assert len(six) == ctc_min_frames("three") and lexicon_decode(six, ["three", "go"]) == "three"
    assert lexicon_decode(six[:5], ["three"]) == ""


def _log_probs_framewise(symbols: str, sure: float = 0.9):
    """(T', C) log-probabilities with one symbol per frame, ``_`` the blank."""
    from rnn_course.speech.data import BLANK, CHARS

    rows = [BLANK if ch == "_" else CHARS.index(ch) + 1 for ch in symbols]
    lp = np.full((len(rows), len(CHARS) + 1), np.log((1 - sure) / len(CHARS)), np.float32)
    lp[np.arange(len(rows)), rows] = np.log(sure)
    return torch.from_numpy(lp)


def test_too_few_frames_for_any_word_decode_to_nothing():
    from rnn_course.speech.decode import lexicon_decode

    assert lexicon_decode(_log_probs_spelling("a", frames_per_char=1)[:1], ["three"]) == ""


def test_the_upload_path_gives_the_words_and_the_spelling():
    from rnn_course.speech.model import load_pretrained

    model, _ = load_pretrained("speech_bigru")
    clip = S.SpeechCorpus.load(("test_plain",), max_per_split=1)["test_plain"][0]
    result = transcribe_source(model, encode(clip.wave, "WAV", "PCM_16"))
    assert result.text == clip.text and result.spelled is not None
    assert transcribe_source(model, encode(clip.wave, "WAV", "PCM_16"), words=None).text == result.spelled


def test_the_upload_path_runs_the_model_once_for_the_words_and_the_spelling():
    from rnn_course.speech.decode import corpus_words
    from rnn_course.speech.model import load_pretrained

    model, _ = load_pretrained("speech_bigru")
    clips = S.SpeechCorpus.load(("test",), max_per_split=3)["test"]
    calls = []
    hook = model.register_forward_hook(lambda *_: calls.append(1))
    try:
        results = [transcribe_source(model, encode(c.wave, "WAV", "PCM_16")) for c in clips]
    finally:
        hook.remove()
    assert len(calls) == len(clips)
    # the same words and spelling as transcribing the features in a batch, each way on its own
    feats = [S.features(encode(c.wave, "WAV", "PCM_16")) for c in clips]
    assert [r.text for r in results] == transcribe(model, feats, corpus_words())
    assert [r.spelled for r in results] == transcribe(model, feats)


def test_the_shipped_speech_models_were_made_with_the_training_scripts_settings():
    """Each checkpoint's stored settings are the committed recipe's: the frame rate, the steps, the
    batch and the options that make the three differ — so retraining with the script reproduces them."""
    from rnn_course.checkpoint import load_checkpoint
    from rnn_course.paths import data_dir
    from rnn_course.speech.model import PRETRAINED

    spec = importlib.util.spec_from_file_location("train_speech", ROOT / "scripts" / "train_speech.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert set(PRETRAINED) == set(script.MODELS)
    for name in PRETRAINED:
        meta = load_checkpoint(data_dir() / "checkpoints" / f"{name}.pt")["meta"]
        assert meta["config"]["subsample"] == script.frames_kept(meta["config"]["bidirectional"]), name
        assert meta["config"]["bidirectional"] == script.MODELS[name]["bidirectional"], name
        assert meta["options"] == script.MODELS[name] and meta["recipe"] == script.RECIPE, name
