"""Pictures, the live transcript, the hard test and the "try a clip" widget of notebook 07.

Widget callbacks are plain functions here (``transcribe_source``) so tests can call them with
good and bad input; the widget only displays what they return.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import torch

from .data import CHARS, SR, AudioError, Clip, ctc_greedy, features, load_audio, log_mel, prepare_wave
from .dataset import SpeechDataset
from .decode import corpus_words, lexicon_decode
from .model import AcousticModel, clip_log_probs, evaluate, transcribe

__all__ = ["plot_clip", "plot_frame_predictions", "live_transcript", "HARD_TEST", "hard_test", "plot_hard_test",
           "transcribe_source", "Transcript", "SpeechDemo"]


def plot_clip(clip: Clip, title: str | None = None):
    """The waveform over time, then the log-mel spectrogram the RNN reads as (T, F)."""
    import matplotlib.pyplot as plt

    feats = log_mel(clip.wave)  # (T, F)
    fig, (a, b) = plt.subplots(2, 1, figsize=(8, 4.2), sharex=True, constrained_layout=True)
    t = np.arange(len(clip.wave)) / SR
    a.plot(t, clip.wave, lw=0.5)
    a.set_ylabel("amplitude")
    a.set_title(title or f"“{clip.text}” — voice {clip.voice or clip.speaker}")
    b.imshow(feats.T, origin="lower", aspect="auto", extent=(0, len(feats) / 100, 0, feats.shape[1]), cmap="magma")
    b.set_ylabel("mel band (F)")
    b.set_xlabel(f"time (s) — {len(feats)} frames T at 100 a second")
    return fig


def plot_frame_predictions(model: AcousticModel, clip: Clip):
    """Where each character fires: the most likely non-blank class per output frame, over the spectrogram."""
    import matplotlib.pyplot as plt


    feats = torch.from_numpy(log_mel(clip.wave))
    model.eval()
    with torch.no_grad():
        log_probs, _ = model(feats[None], torch.tensor([len(feats)]))
    probs = log_probs[0].exp()  # (T', C)
    per_frame = len(feats) / probs.shape[0] / 100  # seconds per output frame
    fig, (a, b) = plt.subplots(2, 1, figsize=(9, 4.6), sharex=True, constrained_layout=True)
    a.imshow(feats.T, origin="lower", aspect="auto", extent=(0, len(feats) / 100, 0, feats.shape[1]), cmap="magma")
    a.set_ylabel("mel band")
    a.set_title(f"reference “{clip.text}” — model “{transcribe(model, feats)}”")
    t = (np.arange(probs.shape[0]) + 0.5) * per_frame
    b.plot(t, probs[:, 0], color="0.75", lw=1, label="blank")
    best = probs[:, 1:].argmax(1)
    for i in range(probs.shape[0]):
        c = int(best[i]) + 1
        if probs[i, c] > 0.5:
            b.text(t[i], float(probs[i, c]) + 0.02, repr(CHARS[c - 1])[1:-1] or "␣", ha="center", fontsize=9)
    b.plot(t, probs[:, 1:].max(1).values, lw=1.2, label="best character")
    b.set_ylim(0, 1.15)
    b.set_ylabel("probability")
    b.set_xlabel(f"time (s) — one output frame every {per_frame * 1000:.0f} ms")
    b.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)  # beside the curves, never over them
    return fig


def live_transcript(dataset: SpeechDataset, indices=(0, 1, 2)):
    """A dashboard ``live`` view: held-out clips' transcripts as the model learns."""
    def view(trainer) -> str:
        model = trainer.model
        hyps = transcribe(model, [dataset[i][0] for i in indices])
        rows = "".join(
            f"<tr><td>{html.escape(dataset.clips[i].text)}</td><td><b>{html.escape(h) or '∅'}</b></td></tr>"
            for i, h in zip(indices, hyps))
        return _html(f"<b>step {trainer.step}</b><table><tr><th>said</th><th>heard</th></tr>{rows}</table>")
    return view


def _html(text: str):
    from IPython.display import HTML

    return HTML(text)


HARD_TEST = {  # condition → (split, noise SNR in dB or None)
    "(a) held-out voices, codec clips": ("test", None),
    "(a) held-out voices, plain WAV": ("test_plain", None),
    "(b) same, noise at 10 dB SNR": ("test", 10.0),
    "(b) same, noise at 0 dB SNR": ("test", 0.0),
    "(c) fast speech, 220 words a minute": ("fast", None),
    "(d) unseen espeak-ng variants (whisper, Klatt)": ("unseen_variant", None),
    "(d) foreign-language espeak-ng voices": ("foreign_accent", None),
    "(e) unseen engines (flite, festival), plain WAV": ("unseen_engine", None),
}


def hard_test(models: dict[str, AcousticModel], corpus, noise_seed: int = 0, conditions=None, words=None):
    """A DataFrame of CER and WER (%) per model (columns) and condition (rows, :data:`HARD_TEST`):
    held-out voices through the codec and as plain WAV, in noise at 10 and 0 dB SNR, spoken
    fast, and voices unlike any in training (espeak-ng variants, other languages, other engines).
    Transcripts are greedy, or decoded to ``words`` (every model alike). Conditions whose split
    the corpus did not load are left out."""
    import pandas as pd

    rows = []
    for condition, (split, snr) in (conditions or HARD_TEST).items():
        if split not in corpus.clips:
            continue
        ds = SpeechDataset(corpus[split], noise_snr_db=snr, seed=noise_seed)
        row = {"condition": condition, "clips": len(ds)}
        for name, model in models.items():
            r = evaluate(model, ds, words=words)
            row[f"{name} CER %"] = round(100 * r["cer"], 1)
            row[f"{name} WER %"] = round(100 * r["wer"], 1)
        rows.append(row)
    return pd.DataFrame(rows).set_index("condition")


def plot_hard_test(table):
    """Bars of CER % per condition (rows) and model (the ``… CER %`` columns of :func:`hard_test`),
    on a log scale labelled in plain percentages, with the legend beside the bars, not over them."""
    import matplotlib.pyplot as plt

    cer = table[[c for c in table.columns if c.endswith("CER %")]]
    cer = cer.rename(columns=lambda c: c.removesuffix(" CER %"))
    fig, ax = plt.subplots(figsize=(9, 4), constrained_layout=True)
    cer.clip(lower=0.1).plot.barh(ax=ax, logx=True)  # 0 % would vanish on a log axis: drawn at 0.1 %
    ticks = [t for t in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100) if t <= max(100, float(cer.max().max()))]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.set(xlabel="CER % (log scale)", ylabel="", title="where it breaks")
    ax.invert_yaxis()
    ax.legend(title="model", fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


@dataclass
class Transcript:
    text: str | None  # the words heard (decoded to the vocabulary); None when the audio could not be used
    message: str      # what happened, for the learner
    wave: np.ndarray | None = None
    spelled: str | None = None  # greedy CTC: the model's own spelling, character by character


def transcribe_source(model: AcousticModel, source, sr: int | None = None, words=corpus_words) -> Transcript:
    """Transcribe an uploaded file's bytes, a path, a ``Clip`` or a wave with its rate ``sr``,
    through the front end (``features``) every other path uses; bad audio → a message, never a
    traceback. ``text`` is decoded to ``words`` (the corpus's vocabulary by default; None: greedy
    spelling), ``spelled`` is the greedy spelling, for comparison."""
    try:
        if isinstance(source, Clip):
            wave, feats = source.wave, features(source)
        elif isinstance(source, np.ndarray) or torch.is_tensor(source):
            feats = features(source, sr)  # refuses a wave without its rate
            wave = prepare_wave(source, sr)
        else:
            wave = load_audio(source)
            feats = torch.from_numpy(log_mel(wave))
        log_probs = clip_log_probs(model, feats)  # (T', C): one forward pass for the spelling and the words
        spelled = ctc_greedy(log_probs)[0]
        vocabulary = words() if callable(words) else words
        text = spelled if vocabulary is None else lexicon_decode(log_probs, vocabulary)
    except AudioError as e:
        return Transcript(None, str(e))
    said = f" (said: “{source.text}”)" if isinstance(source, Clip) else ""
    return Transcript(text, f"{len(wave) / SR:.2f} s of audio{said}", wave, spelled)


class SpeechDemo:
    """Upload a WAV (any rate, mono or stereo) or pick a held-out clip; hear it; read its transcript."""

    def __init__(self, model: AcousticModel, clips: list[Clip], max_choices: int = 30):
        import ipywidgets as w

        self.model, self.clips = model, clips[:max_choices]
        self.pick = w.Dropdown(options=[(f"{c.text}  ({c.voice})", i) for i, c in enumerate(self.clips)],
                               description="held-out clip", layout=w.Layout(width="420px"))
        self.upload = w.FileUpload(accept=".wav,.flac,.ogg", multiple=False, description="Upload WAV")
        self.out = w.Output()
        self.pick.observe(lambda change: self.show(self.clips[change["new"]]), names="value")
        self.upload.observe(self._on_upload, names="value")
        self.widget = w.VBox([w.HBox([self.pick, self.upload]), self.out])

    def _on_upload(self, change) -> None:
        files = change["new"]
        if files:
            self.show(bytes(files[0]["content"]))

    def show(self, source) -> Transcript:
        from IPython.display import Audio, display

        result = transcribe_source(self.model, source)
        with self.out:
            self.out.clear_output(wait=True)
            if result.wave is not None:
                display(Audio(result.wave, rate=SR))
            if result.text is None:
                display(_html(f"<span style='color:#d62728'>⚠ {html.escape(result.message)}</span>"))
            else:
                display(_html(f"heard: <b>{html.escape(result.text) or '∅ (nothing)'}</b> — {html.escape(result.message)}"
                              f"<br><small>spelled letter by letter (greedy): {html.escape(result.spelled) or '∅'}"
                              "</small>"))
        return result

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
        self.show(self.clips[0])

