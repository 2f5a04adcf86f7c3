"""Speech (notebook 07): features, CTC decoding, the corpus split, the upload path, the model."""

import csv
import importlib.util
import io
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from rnn_course.speech import data as S
from rnn_course.speech import dataset as D
from rnn_course.speech.model import AcousticConfig, AcousticModel, ctc_loss_fn, transcribe

ROOT = Path(__file__).resolve().parents[1]


def ids(text):
    return S.encode_text(text)


def frames(*classes):
    """(T, C) log-probs whose argmax per frame is the given class ids."""
    lp = torch.full((len(classes), len(S.CHARS) + 1), -10.0)
    lp[torch.arange(len(classes)), torch.tensor(classes)] = 0.0
    return lp


def tone(seconds=0.5, sr=16_000, freq=440.0, channels=1):
    t = np.arange(int(seconds * sr)) / sr
    wave = (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.stack([wave] * channels, axis=1) if channels > 1 else wave


def wav_bytes(data, sr=16_000):
    buf = io.BytesIO()
    sf.write(buf, data, sr, format="WAV")
    return buf.getvalue()


# --- CTC greedy decoding -------------------------------------------------------------------------


def test_ctc_greedy_collapses_repeats_and_drops_blanks():
    a, b = ids("a")[0], ids("b")[0]
    assert S.ctc_greedy(frames(0, a, a, 0, b, b, 0)) == ["ab"]


def test_ctc_greedy_keeps_a_double_letter_split_by_a_blank():
    o = ids("o")[0]
    assert S.ctc_greedy(frames(o, o, 0, o)) == ["oo"]          # "oo" needs a blank between
    assert S.ctc_greedy(frames(o, o, o)) == ["o"]               # without one it is a single o


def test_ctc_greedy_all_blank_is_empty_and_padding_is_ignored():
    assert S.ctc_greedy(frames(0, 0, 0)) == [""]
    n = ids("n")[0]
    batch = torch.stack([frames(n, 0, n, n), frames(n, n, n, n)])  # second row: 1 real frame
    assert S.ctc_greedy(batch, lengths=torch.tensor([4, 1])) == ["nn", "n"]


def test_encode_decode_round_trip_and_digits_are_refused_with_advice():
    assert S.decode_ids(ids("Three  one")) == "three one"
    with pytest.raises(ValueError, match="three"):
        ids("3 1 4")


def test_error_rates_use_jiwer_and_count_an_empty_transcript_as_errors():
    assert S.error_rates(["one two"], ["one two"]) == {"cer": 0.0, "wer": 0.0}
    r = S.error_rates(["one two"], ["one too"])
    assert r["wer"] == pytest.approx(0.5) and 0 < r["cer"] < 0.5
    assert S.error_rates(["one"], [""])["wer"] == 1.0


# --- features ---------------------------------------------------------------------------------------


def test_log_mel_is_frames_first_at_100_frames_a_second():
    feats = S.log_mel(tone(1.0))
    assert feats.shape == (1 + 16_000 // S.HOP, S.N_MELS) == (101, 40)
    assert feats.dtype == np.float32


def test_collate_pads_to_b_t_f_and_keeps_lengths():
    ds = [(torch.randn(t, 40), torch.tensor(ids(w))) for t, w in ((30, "one"), (50, "three"), (10, "go"))]
    x, x_len, y, y_len = S.collate(ds)
    assert x.shape == (3, 50, 40) and x_len.tolist() == [30, 50, 10]
    assert y.shape == (3, 5) and y_len.tolist() == [3, 5, 2]


def test_log_mel_refuses_stereo_with_advice():
    with pytest.raises(ValueError, match="mono"):
        S.log_mel(tone(0.2, channels=2))


# --- the upload path: load_audio -----------------------------------------------------------------


def test_load_audio_resamples_to_16k():
    wave = S.load_audio(wav_bytes(tone(1.0, sr=8_000), sr=8_000))
    assert abs(len(wave) - 16_000) <= 2


def test_load_audio_mixes_stereo_down_to_mono():
    wave = S.load_audio(wav_bytes(tone(0.5, channels=2)))
    assert wave.ndim == 1 and len(wave) == 8_000


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt garbage", "could not be read"),
    (wav_bytes(np.zeros(16_000, np.float32)), "silent"),
    (wav_bytes(np.zeros(0, np.float32)), "no samples|could not be read"),
])
def test_load_audio_bad_files_give_a_clear_error(data, message):
    with pytest.raises(S.AudioError, match=message):
        S.load_audio(data)


def test_load_audio_missing_and_empty_paths(tmp_path):
    with pytest.raises(S.AudioError, match="no audio file"):
        S.load_audio(tmp_path / "nothing.wav")
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(S.AudioError, match="empty"):
        S.load_audio(tmp_path / "empty.wav")


# --- Free Spoken Digit Dataset layout ------------------------------------------------------------


def test_load_fsdd_reads_digit_speaker_index_layout(tmp_path):
    for name in ("3_jackson_0.wav", "7_theo_12.wav"):
        (tmp_path / name).write_bytes(wav_bytes(tone(0.3, sr=8_000), sr=8_000))  # FSDD is 8 kHz
    clips = S.load_fsdd(tmp_path, split_speakers={"theo": "test"})
    assert [(c.text, c.speaker, c.split) for c in clips] == [("three", "jackson", "fsdd"), ("seven", "theo", "test")]
    assert abs(clips[0].seconds - 0.3) < 0.01


def test_load_fsdd_names_files_outside_the_layout(tmp_path):
    (tmp_path / "hello.wav").write_bytes(wav_bytes(tone(0.3)))
    with pytest.raises(ValueError, match="hello.wav"):
        S.load_fsdd(tmp_path)
    with pytest.raises(FileNotFoundError):
        S.load_fsdd(tmp_path / "missing")


# --- the shipped corpus ----------------------------------------------------------------------------


def manifest():
    with open(ROOT / "data" / "speech" / "manifest.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_no_voice_is_in_two_splits():
    """The held-out test voices also speak the fast and plain-WAV test sets; no voice crosses any
    other split boundary."""
    held_out = {"test", "fast", "test_plain"}
    splits_of = {}
    for r in manifest():
        family = "test" if r["split"] in held_out else r["split"]
        splits_of.setdefault(r["speaker"], set()).add(family)
        splits_of.setdefault(r["voice"], set()).add(family)
    assert all(len(s) == 1 for s in splits_of.values()), {k: v for k, v in splits_of.items() if len(v) > 1}
    assert {r["split"] for r in manifest()} == set(S.SpeechCorpus.SPLITS)


def test_hard_test_variants_and_accents_never_appear_in_training():
    rows = manifest()
    seen = {r["variant"] for r in rows if r["split"] in ("train", "valid")} | \
           {r["accent"] for r in rows if r["split"] in ("train", "valid")}
    assert not {r["variant"] for r in rows if r["split"] == "unseen_variant"} & seen
    assert not {r["accent"] for r in rows if r["split"] == "foreign_accent"} & seen


def test_build_script_plan_reproduces_the_shipped_manifest():
    spec = importlib.util.spec_from_file_location("build_speech", ROOT / "scripts" / "build_speech.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    planned = [{k: str(v) for k, v in r.items()} for r in build.plan()]
    shipped = [{k: v for k, v in r.items() if k != "seconds"} for r in manifest()]
    assert planned == shipped


def test_corpus_loads_a_split_and_refuses_unknown_ones():
    corpus = S.SpeechCorpus.load(("test",), max_per_split=5)
    clips = corpus["test"]
    assert len(clips) == 5 and all(c.wave.dtype == np.float32 and c.seconds > 0.2 for c in clips)
    with pytest.raises(ValueError, match="splits: train"):
        S.SpeechCorpus.load(("dev",))


def test_missing_corpus_says_how_to_restore(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_COURSE_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="build_speech.py"):
        S.SpeechCorpus.load()


# --- augmentation ------------------------------------------------------------------------------------


def test_augmentation_is_deterministic_from_the_seed_and_changes_the_clip():
    clip = S.Clip(tone(0.5), "one", "x", "train")
    a = D.SpeechDataset([clip] * 3, augment=D.Augment(p_noise=1.0), seed=1)
    b = D.SpeechDataset([clip] * 3, augment=D.Augment(p_noise=1.0), seed=1)
    first = [a[i][0] for i in range(3)]
    assert all(torch.equal(f, b[i][0]) for i, f in enumerate(first))
    clean = D.SpeechDataset([clip])[0][0]
    assert not torch.equal(first[0][: len(clean)], clean)


def spoken(seconds=0.5):
    """A tone after 50 ms of silence, as every corpus clip starts (espeak leads with ~44 ms)."""
    return np.concatenate([np.zeros(800, np.float32), tone(seconds)])


def test_gain_and_shift_on_the_cached_spectrogram_equal_augmenting_the_wave():
    aug, wave = D.Augment(p_noise=0.0), spoken()
    for seed in range(6):
        cached = aug.features(S.Clip(wave, "one", "x", "train"), np.random.default_rng(seed))
        recomputed = S.log_mel(aug(wave, np.random.default_rng(seed)))
        assert cached.shape == recomputed.shape
        np.testing.assert_allclose(cached, recomputed, atol=1e-4)


def test_augment_shifts_by_whole_frames_of_silence_and_scales_power_by_gain_squared():
    aug, wave = D.Augment(p_noise=0.0, gain_db=(6.0, 6.0), shift_s=0.03), spoken()
    power, clip = S.mel_power(wave), S.Clip(wave, "one", "x", "train")
    shifts = set()
    for seed in range(20):
        feats = aug.features(clip, np.random.default_rng(seed))
        k = len(feats) - len(power)
        shifts.add(k)
        assert np.all(feats[:k] == np.float32(np.log(S.LOG_FLOOR)))  # k silent frames in front
        loud = power > 1.0
        np.testing.assert_allclose(np.exp(feats[k:][loud]), power[loud] * 10 ** (12 / 20), rtol=1e-4)  # +6 dB on the wave: gain² in power
    assert shifts == {0, 1, 2, 3}  # 0 to 30 ms in 10-ms frames


def test_augmented_dataset_computes_each_spectrogram_once_and_noise_from_the_wave(monkeypatch):
    clips = [S.Clip(spoken(), "one", "x", "train"), S.Clip(spoken(0.6), "two", "x", "train")]
    calls = []
    real = S.mel_power
    monkeypatch.setattr(S, "mel_power", lambda w, *a: calls.append(len(w)) or real(w, *a))
    quiet = D.SpeechDataset(clips, augment=D.Augment(p_noise=0.0), seed=0)
    for _ in range(5):
        quiet[0], quiet[1]
    assert len(calls) == 2  # one spectrogram per clip, however often it is drawn
    plain = D.SpeechDataset(clips)
    plain[0], plain[1]
    assert len(calls) == 2  # … and another dataset over the same clips reuses it
    calls.clear()
    clip = S.Clip(spoken(), "one", "x", "train")
    noisy = D.SpeechDataset([clip], augment=D.Augment(p_noise=1.0), seed=0)
    a, b = noisy[0][0], noisy[0][0]
    assert len(calls) == 2 and not torch.equal(a, b)  # fresh noise, a new spectrogram, every draw


def test_add_noise_hits_the_requested_snr():
    wave = tone(2.0)
    noisy = D.add_noise(wave, 10.0, np.random.default_rng(0))
    snr = 10 * np.log10(np.mean(wave ** 2) / np.mean((noisy - wave) ** 2))
    assert snr == pytest.approx(10.0, abs=0.2)


# --- the model ---------------------------------------------------------------------------------------


def test_acoustic_model_shapes_and_subsampled_lengths():
    model = AcousticModel(AcousticConfig(hidden=16, channels=8))
    log_probs, out_len = model(torch.randn(2, 101, 40), torch.tensor([101, 40]))
    assert log_probs.shape == (2, 26, len(S.CHARS) + 1)
    assert out_len.tolist() == [26, 10]
    assert torch.allclose(log_probs.exp().sum(-1), torch.ones(2, 26))


def test_padding_never_changes_a_transcript_or_its_scores():
    torch.manual_seed(0)
    model = AcousticModel(AcousticConfig(hidden=16, channels=8)).eval()
    short, long = torch.randn(37, 40), torch.randn(90, 40)
    x, x_len, _, _ = S.collate([(short, torch.tensor([1])), (long, torch.tensor([1]))])
    lp, out_len = model(x, x_len)
    alone, n = model(short[None], torch.tensor([37]))
    assert torch.allclose(lp[0, : out_len[0]], alone[0, : n[0]], atol=1e-5)
    assert transcribe(model, [short, long])[0] == transcribe(model, short)


@pytest.mark.parametrize("option, message", [
    (dict(subsample=3), "subsample must be 1, 2 or 4"),
    (dict(cell="rnn"), "cell must be one of gru, lstm"),
    (dict(hidden=0), "hidden"),
    (dict(dropout=1.5), "dropout"),
])
def test_bad_options_fail_at_construction(option, message):
    with pytest.raises(ValueError, match=message):
        AcousticModel(AcousticConfig(**option))


def test_wrong_feature_shape_says_what_is_expected():
    with pytest.raises(ValueError, match=r"\(B, T, F=40\)"):
        AcousticModel()(torch.randn(101, 40))


def test_ctc_training_step_lowers_the_loss_on_one_batch():
    torch.manual_seed(0)
    model = AcousticModel(AcousticConfig(hidden=32, channels=16, subsample=2))
    batch = S.collate([(torch.randn(60, 40), torch.tensor(ids("one"))), (torch.randn(45, 40), torch.tensor(ids("go")))])
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = ctc_loss_fn(model, batch).item()
    for _ in range(30):
        opt.zero_grad()
        loss = ctc_loss_fn(model, batch)
        loss.backward()
        opt.step()
    assert loss.item() < 0.5 * first


def test_a_band_silent_in_training_is_not_magnified():
    """The codec leaves the top mel bands on the log floor; noise there must not read as a huge input."""
    feats = torch.randn(500, 40)
    feats[:, -1] = float(np.log(S.LOG_FLOOR))  # a band that never varies in training
    model = AcousticModel(AcousticConfig(hidden=16, channels=8))
    model.set_normalizer(feats)
    assert model.std.min() >= 1.0
    noisy = feats[:50].clone()
    noisy[:, -1] += 3.0  # noise fills the band
    normed = (noisy - model.mean) / model.std
    assert normed[:, -1].abs().max() <= 3.0 + 1e-6


class _LengthSpeller(torch.nn.Module):
    """Writes one letter per clip that names its frame count (a, b, c, …), so a transcript
    handed to the wrong clip is seen."""

    config = AcousticConfig()  # transcribe checks the features against config.n_mels

    def forward(self, x, lengths):  # (B, T, F) → (B, T, C)
        scores = torch.full((x.shape[0], x.shape[1], len(S.CHARS) + 1), -10.0)
        scores[:, :, 0] = 0.0  # blank everywhere …
        scores[torch.arange(x.shape[0]), 0, 0] = -10.0
        scores[torch.arange(x.shape[0]), 0, 2 + (lengths % 26)] = 0.0  # … but a letter on the first frame
        return scores, lengths


def test_evaluate_batches_by_length_but_returns_transcripts_in_the_datasets_order():
    from rnn_course.speech.model import evaluate

    seconds = [0.9, 0.2, 0.5, 0.3, 0.8, 0.1, 0.6]
    clips = [S.Clip(spoken(s), "x", "v", "test") for s in seconds]
    dataset = D.SpeechDataset(clips)
    expected = [S.CHARS[1 + (len(dataset[i][0]) % 26)] for i in range(len(clips))]
    assert len(set(expected)) == len(clips)  # every clip gets its own letter
    assert evaluate(_LengthSpeller(), dataset, batch_size=3)["hypotheses"] == expected


# --- the "try a clip" widget's callback ------------------------------------------------------------


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"not audio at all" * 20, "could not be read"),
    (wav_bytes(np.zeros(8_000, np.float32)), "silent"),
    (wav_bytes(tone(0.05)), "at least 0.1 s"),
])
def test_upload_callback_turns_bad_audio_into_a_message(data, message):
    from rnn_course.speech.views import transcribe_source

    result = transcribe_source(AcousticModel(AcousticConfig(hidden=16, channels=8)), data)
    assert result.text is None and re.search(message, result.message)


def test_upload_callback_transcribes_stereo_at_another_rate():
    from rnn_course.speech.views import transcribe_source

    result = transcribe_source(AcousticModel(AcousticConfig(hidden=16, channels=8)),
                               wav_bytes(tone(0.8, sr=44_100, channels=2), sr=44_100))
    assert isinstance(result.text, str) and "0.80 s" in result.message


# --- pictures: legends beside the data, never over it -------------------------------------------------


def _legend_clear_of_axes(fig, ax) -> bool:
    fig.canvas.draw()
    legend, box = ax.get_legend().get_window_extent(), ax.get_window_extent()
    return legend.x0 >= box.x1 or legend.y0 >= box.y1 or legend.x1 <= box.x0 or legend.y1 <= box.y0


def test_hard_test_bars_keep_the_legend_off_the_bars_and_label_plain_percentages():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from rnn_course.speech.views import plot_hard_test

    table = pd.DataFrame({"clips": [320, 320], "this run CER %": [1.6, 100.0], "this run WER %": [5.0, 100.0],
                          "pretrained CER %": [0.0, 2.9], "pretrained WER %": [3.5, 9.0]},
                         index=["(a) held-out voices, clean", "(b) same, noise at 10 dB SNR"])
    fig = plot_hard_test(table)
    ax = fig.axes[0]
    assert _legend_clear_of_axes(fig, ax)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["this run", "pretrained"]  # CER columns only
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "1" in labels and "100" in labels and not any("10^" in t for t in labels)
    plt.close(fig)


def test_frame_predictions_put_the_legend_beside_the_curves():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rnn_course.speech.views import plot_frame_predictions

    torch.manual_seed(0)
    fig = plot_frame_predictions(AcousticModel(AcousticConfig(hidden=16, channels=8)),
                                 S.Clip(tone(0.6), "one", "tone", "test"))
    assert _legend_clear_of_axes(fig, fig.axes[1])
    plt.close(fig)
