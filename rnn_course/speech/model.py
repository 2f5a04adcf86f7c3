"""The acoustic model of notebook 07: log-mel frames in, per-frame character scores out, CTC.

    model = AcousticModel(AcousticConfig())             # BiGRU 2×160 over 4×-subsampled frames
    log_probs, out_len = model(x, x_len)                # x: (B, T, F) → (B, T', C), T' ≈ T / 4
    loss = ctc_loss_fn(model, (x, x_len, y, y_len))     # CTC: no frame-level labels needed

Frames first go through strided 1-D convolutions: each halves the frame rate (100 → 50 → 25
frames a second), which is what lets a one-minute CPU run learn at all — the recurrent layers
then take a quarter of the steps. Padding never changes a prediction: the recurrent layers see
packed sequences, and ``out_len`` says which output frames are real.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..checkpoint import load_checkpoint
from ..cost import release_freed_memory
from ..paths import data_dir
from .data import CHARS, N_MELS, check_features, collate, ctc_greedy, error_rates
from .decode import lexicon_decode

__all__ = ["AcousticConfig", "AcousticModel", "ctc_loss_fn", "transcribe", "clip_log_probs", "evaluate",
           "load_pretrained", "checkpoint_meta", "PRETRAINED"]

# The shipped checkpoints (scripts/train_speech.py): the main model, and two made the same way
# that differ in one thing each, so notebook 07 can show what augmentation and direction cost.
PRETRAINED = ("speech_bigru", "speech_bigru_noaug", "speech_gru_unidirectional")

CELLS = {"gru": nn.GRU, "lstm": nn.LSTM}
STD_FLOOR = 1.0  # log-mel units; see AcousticModel.set_normalizer


@dataclass
class AcousticConfig:
    n_mels: int = N_MELS      # F
    subsample: int = 4        # 1, 2 or 4: frame-rate reduction before the RNN
    channels: int = 128       # convolution channels
    hidden: int = 160         # H per direction
    layers: int = 2           # L
    bidirectional: bool = True  # D = 2; a unidirectional model can stream
    cell: str = "gru"
    dropout: float = 0.1
    n_classes: int = len(CHARS) + 1  # C: characters + CTC blank (class 0)

    def check(self) -> None:
        if self.subsample not in (1, 2, 4):
            raise ValueError(f"subsample must be 1, 2 or 4 (frames kept: all, every 2nd, every 4th); got {self.subsample!r}")
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {', '.join(CELLS)}; got {self.cell!r}")
        for name in ("n_mels", "channels", "hidden", "layers", "n_classes"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name} must be a whole number ≥ 1, got {v!r}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")


class AcousticModel(nn.Module):
    def __init__(self, config: AcousticConfig | None = None):
        super().__init__()
        self.config = c = config or AcousticConfig()
        c.check()
        # Feature normalisation, fitted on the training set (set_normalizer) and saved with the weights.
        self.register_buffer("mean", torch.zeros(c.n_mels))
        self.register_buffer("std", torch.ones(c.n_mels))
        convs, width = [], c.n_mels
        for _ in range({1: 0, 2: 1, 4: 2}[c.subsample]):
            convs += [nn.Conv1d(width, c.channels, kernel_size=3, stride=2, padding=1), nn.GELU()]
            width = c.channels
        self.subsampler = nn.Sequential(*convs)
        self.rnn = CELLS[c.cell](width, c.hidden, num_layers=c.layers, batch_first=True,
                                 bidirectional=c.bidirectional, dropout=c.dropout if c.layers > 1 else 0.0)
        self.head = nn.Linear(c.hidden * (2 if c.bidirectional else 1), c.n_classes)

    def set_normalizer(self, features: torch.Tensor) -> None:
        """Per-feature mean and std from training frames: (N, F).

        The std has a floor of 1 (a factor e in power): a band that hardly varies in training —
        the corpus's codec leaves the top of the spectrum empty, on the log floor — must not be
        magnified. Without the floor, any sound there (noise, a real microphone), or rounding the
        mean to float16, reads as an enormous input and wrecks the transcript.
        """
        self.mean.copy_(features.mean(0))
        self.std.copy_(features.std(0).clamp_min(STD_FLOOR))

    def out_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        for _ in range({1: 0, 2: 1, 4: 2}[self.config.subsample]):
            lengths = (lengths - 1) // 2 + 1  # stride 2, kernel 3, padding 1
        return lengths

    @staticmethod
    def _mask(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        keep = torch.arange(x.shape[-1])[None, :] < lengths[:, None]  # (B, T)
        return x * keep[:, None, :].to(x.dtype)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None):
        """x: (B, T, F), lengths: (B,) → log-probabilities (B, T', C) and out lengths (B,)."""
        if x.dim() != 3 or x.shape[-1] != self.config.n_mels:
            raise ValueError(f"AcousticModel takes features of shape (B, T, F={self.config.n_mels}); got "
                             f"{tuple(x.shape)}. A single clip's (T, F) needs a batch axis: x[None]")
        B, T, _ = x.shape
        if lengths is None:
            lengths = torch.full((B,), T)
        lengths = lengths.cpu()
        x = ((x - self.mean) / self.std).transpose(1, 2)       # (B, F, T) for the convolutions
        x = self._mask(x, lengths)  # padding reads as zeros, exactly like the end of a lone clip
        for i in range(0, len(self.subsampler), 2):
            lengths = (lengths - 1) // 2 + 1
            x = self._mask(self.subsampler[i + 1](self.subsampler[i](x)), lengths)  # (B, channels, T/2)
        x = x.transpose(1, 2)                                    # (B, T', F or channels)
        out_len = lengths.clamp(max=x.shape[1])
        packed = pack_padded_sequence(x, out_len, batch_first=True, enforce_sorted=False)
        out, _ = self.rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])  # (B, T', D·H)
        return self.head(out).log_softmax(-1), out_len          # (B, T', C)


def ctc_loss_fn(model: AcousticModel, batch) -> torch.Tensor:
    """CTC loss for a batch from ``rnn_course.speech.data.collate``: (x, x_len, y, y_len)."""
    x, x_len, y, y_len = batch
    log_probs, out_len = model(x, x_len)
    return nn.functional.ctc_loss(log_probs.transpose(0, 1), y, out_len, y_len,  # CTC wants (T', B, C)
                                  blank=0, zero_infinity=True)


@torch.no_grad()
def transcribe(model: AcousticModel, feats, words=None) -> list[str]:
    """Transcripts for a list of (T, F) features — tensors or NumPy arrays — or for one: greedy
    (spelled character by character), or, given ``words``, the likeliest sequence of those words
    (:func:`.decode.lexicon_decode`; ``corpus_words()`` is the corpus's vocabulary).

    Features come from the front end (``rnn_course.speech.data.features``). Each is checked as
    the front end checks audio (``check_features``): silent, too short or too long features, or a
    wave given where features belong, raise ``AudioError`` saying what to do — never a guess.
    """
    single = torch.is_tensor(feats) or isinstance(feats, np.ndarray)
    feats = [feats] if single else list(feats)
    if not feats:
        return []
    log_probs, out_len = _log_probs(model, feats)
    if words is None:
        out = ctc_greedy(log_probs, out_len)
    else:
        out = [lexicon_decode(lp[:n], words) for lp, n in zip(log_probs, out_len)]  # (T', C) each
    return out[0] if single else out


def _log_probs(model: AcousticModel, feats: list):
    """Checked (T, F) features, batched → (B, T', C) log-probabilities and (B,) output lengths,
    read in eval mode (the model's mode is restored)."""
    x, x_len, _, _ = collate([(check_features(f, model.config.n_mels), torch.zeros(0, dtype=torch.long))
                              for f in feats])
    was = model.training
    model.eval()
    try:
        return model(x, x_len)
    finally:
        model.train(was)


@torch.no_grad()
def clip_log_probs(model: AcousticModel, feats) -> torch.Tensor:
    """One clip's (T, F) features → its (T', C) log-probabilities, checked as :func:`transcribe`
    checks them: what greedy spelling (``ctc_greedy``) and decoding to words (``lexicon_decode``)
    both read, so one forward pass serves both."""
    log_probs, out_len = _log_probs(model, [feats])
    return log_probs[0, : int(out_len[0])]


def evaluate(model: AcousticModel, dataset, batch_size: int = 64, words=None) -> dict:
    """CER and WER (fractions) of the transcripts over a ``SpeechDataset`` — greedy, or decoded
    to ``words`` as :func:`transcribe` does; also the transcripts, in the dataset's order.

    Clips are batched shortest first, so a batch holds clips of similar length and little padding
    (padding never changes a transcript; it only costs time). Batches of 64 take as long as 256's
    and keep the kernel's memory lower; what they free goes back to the OS at the end.
    """

    order = sorted(range(len(dataset)), key=lambda i: dataset.clips[i].seconds)
    hyps = [""] * len(dataset)
    for start in range(0, len(dataset), batch_size):
        batch = order[start:start + batch_size]
        for i, text in zip(batch, transcribe(model, [dataset[i][0] for i in batch], words)):
            hyps[i] = text
    release_freed_memory()
    refs = [c.text for c in dataset.clips]
    return {**error_rates(refs, hyps), "hypotheses": hyps}


def checkpoint_meta(model: AcousticModel) -> dict:
    from dataclasses import asdict

    return {"config": asdict(model.config)}


def load_pretrained(name: str = "speech_bigru", path=None):
    """Load ``data/checkpoints/<name>.pt`` (checksum checked, ``weights_only``) → ``(model, meta)``."""
    if path is None and name not in PRETRAINED:
        raise ValueError(f"no pretrained speech model {name!r}; choose one of {', '.join(PRETRAINED)}")
    path = data_dir() / "checkpoints" / f"{name}.pt" if path is None else path
    meta = load_checkpoint(path)["meta"]
    model = AcousticModel(AcousticConfig(**meta["config"])).half()  # float16 on disk
    load_checkpoint(path, model)
    return model.float().eval(), meta
