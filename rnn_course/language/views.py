"""Notebooks 02 and 03's interactive pieces: next-word predictions, sampling, hidden-state views.

Each widget is a thin skin over a plain function (``next_words``, ``sample_text``,
``hidden_state_html``) that the tests call directly; bad input becomes a message in the widget,
never a traceback.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ..checkpoint import load_checkpoint
from ..paths import data_dir
from ..plots import figure, figure_html
from .data import CharVocab, Vocab, words
from .model import LMConfig, RecurrentLM, generate, hidden_activations

__all__ = ["load_pretrained", "int8_state", "float_state", "save_int8", "prompt_words", "next_words", "NextWords", "NextWordWidget", "bar_chart", "sample_text", "SamplingWidget",
           "hidden_state_html", "HiddenStateViewer", "readable_features", "unit_correlations"]


def int8_state(model: torch.nn.Module) -> dict:
    """The model's weights for storage: every matrix as int8 with one float32 scale per row
    (symmetric, scale = max|row| / 127), everything else float16. A tensor that shares its
    storage with one already stored (a tied output layer) is stored once; ``"aliases"`` names it.
    ``float_state`` undoes it. Per-row scales keep a rare word's small embedding row from being
    rounded to zeros by a common word's large one."""
    tensors, scales, aliases, seen = {}, {}, {}, {}
    for name, t in model.state_dict(keep_vars=False).items():
        key = (t.data_ptr(), tuple(t.shape))
        if key in seen:
            aliases[name] = seen[key]
            continue
        seen[key] = name
        t = t.detach().float()
        if t.dim() == 2:  # (rows, columns)
            scale = t.abs().amax(dim=1, keepdim=True).clamp_min(1e-12) / 127  # (rows, 1)
            tensors[name] = torch.round(t / scale).clamp(-127, 127).to(torch.int8)
            scales[name] = scale
        else:
            tensors[name] = t.half()
    return {"storage": "int8-per-row", "tensors": tensors, "scales": scales, "aliases": aliases}


def float_state(stored: dict) -> dict:
    """A state dict of float32 tensors from ``int8_state``'s output (or from a plain state dict
    of float16/float32 tensors, returned as float32)."""
    if stored.get("storage") != "int8-per-row":
        return {k: v.float() for k, v in stored.items()}
    state = {name: t.float() * stored["scales"][name] if name in stored["scales"] else t.float()
             for name, t in stored["tensors"].items()}
    for name, target in stored["aliases"].items():
        state[name] = state[target]
    return state


class _Stored(torch.nn.Module):
    """Hands ``save_checkpoint`` an int8 state (it stores whatever ``state_dict`` returns)."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self._state = int8_state(model)

    def state_dict(self, *args, **kwargs):
        return self._state


def save_int8(path: Path, model: RecurrentLM, **kwargs) -> str:
    """``save_checkpoint`` with the weights stored by ``int8_state``; returns the SHA-256."""
    from ..checkpoint import save_checkpoint

    return save_checkpoint(path, _Stored(model), **kwargs)


def load_pretrained(kind: str, path: Path | None = None):
    """The shipped checkpoint for ``kind`` ("word" or "char"): returns ``(model, meta)``, as every
    application's ``load_pretrained`` does.

    The file's SHA-256 is checked and it is read with ``weights_only=True``. The vocabulary comes
    from the checkpoint itself and travels with the model as ``model.vocab``, so it is exactly the
    one the model was trained with.
    Weights stored as int8 (the word model) or float16 (the character model) come back as
    float32.
    """
    if kind not in ("word", "char"):
        raise ValueError(f"kind must be 'word' or 'char', got {kind!r}")
    path = path or data_dir() / "checkpoints" / f"{kind}_lm.pt"
    payload = load_checkpoint(path)  # verifies the hash, refuses pickled code
    meta = payload["meta"]
    model = RecurrentLM(LMConfig(**meta["config"]))
    model.load_state_dict(float_state(payload["model"]))
    model.eval()
    model.vocab = Vocab(list(meta["itos"])) if kind == "word" else CharVocab(list(meta["itos"]))
    return model, meta


@dataclass
class NextWords:
    words: list[str]
    probs: list[float]
    notes: list[str] = field(default_factory=list)


def prompt_words(vocab: Vocab, text: str, what: str = "prefix") -> tuple[list[str], list[str]]:
    """``text`` as the word model's tokens, and notes naming the words it reads as ``<unk>``.

    The one check under ``next_words`` and ``sample_text`` (and so under both widgets): a
    ``ValueError`` saying what to type when the text is empty, has nothing the tokenizer reads
    (it knows English letters a–z, digits and punctuation), is punctuation only, or has no word
    the vocabulary knows (the model would start from ``<unk>`` alone).
    """
    if not isinstance(text, str):
        raise ValueError(f"the {what} must be text (a str), got {type(text).__name__}: type a few words in quotes, "
                         "e.g. 'the cat sat on the'")
    if not text.strip():
        raise ValueError(f"the {what} is empty: type a few words, e.g. 'the cat sat on the'")
    tokens = words(text)
    if not tokens:
        raise ValueError(f"no word in {text[:40]!r} that the model can read: it knows English words "
                         "(letters a–z, as in Shakespeare), digits and punctuation. Type an English "
                         "prefix, e.g. 'the king is'")
    if not any(t[0].isalnum() for t in tokens):
        raise ValueError("type a few words first: punctuation alone is not enough to go on")
    unknown = [t for t in tokens if t not in vocab]
    if not any(t[0].isalnum() and t in vocab for t in tokens):
        names = list(dict.fromkeys(unknown))
        shown = ", ".join(names[:8]) + (" …" if len(names) > 8 else "")
        raise ValueError(f"none of these words is in the model's {len(vocab):,}-word vocabulary ({shown}): "
                         "it would read only <unk>. Try common English words, e.g. 'the king is'")
    notes = [f"not in the {len(vocab):,}-word vocabulary, read as <unk>: {', '.join(unknown)}"] if unknown else []
    return tokens, notes


@torch.no_grad()
def same_vocabulary(model: RecurrentLM, vocab) -> None:
    """Refuse a vocabulary of another size than the model's output: its ids would mean other tokens."""
    V = model.config.vocab_size
    if len(vocab) != V:
        raise ValueError(f"this vocabulary has {len(vocab):,} tokens but the model predicts {V:,}: it is another "
                         "model's vocabulary. Use the one the model was trained with (model.vocab for the "
                         "shipped models)")


def next_words(model: RecurrentLM, vocab: Vocab, prefix: str, k: int = 10) -> NextWords:
    """The ``k`` most likely next words after ``prefix``, with probabilities.

    Raises ``ValueError`` with a message a learner can act on: empty input, nothing usable in
    it (see ``prompt_words``), or a bad ``k``. Unknown words are read as ``<unk>`` and named in ``notes``.
    """
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a whole number ≥ 1, got {k!r}")
    same_vocabulary(model, vocab)
    k = min(k, len(vocab))
    tokens, notes = prompt_words(vocab, prefix)
    model.eval()
    logits, _ = model(vocab.encode(tokens).view(1, -1))  # (1, T, V)
    probs = torch.softmax(logits[0, -1], dim=-1)  # (V,)
    top = torch.topk(probs, k)
    return NextWords(vocab.decode(top.indices), [float(p) for p in top.values], notes)


class NextWordWidget:
    """Type a prefix, see the top-k next words as a bar chart (a PNG in an HTML widget, so it
    shows as a picture on a fresh kernel and from any thread)."""

    def __init__(self, model: RecurrentLM, vocab: Vocab, prefix: str = "the cat sat on the", k: int = 10):
        import ipywidgets as w

        self.model, self.vocab = model, vocab
        self.text = w.Text(value=prefix, description="prefix", layout=w.Layout(width="420px"),
                           continuous_update=False)
        self.k = w.IntSlider(value=k, min=1, max=20, description="top k")
        self.message = w.HTML()
        self.chart = w.HTML()
        self.text.observe(lambda _: self.update(), names="value")
        self.k.observe(lambda _: self.update(), names="value")
        self.widget = w.VBox([w.HBox([self.text, self.k]), self.message, self.chart])
        self.update()

    def update(self) -> NextWords | None:
        try:
            result = next_words(self.model, self.vocab, self.text.value, self.k.value)
        except ValueError as e:
            self.message.value = f"<span style='color:#d62728'>{html.escape(str(e))}</span>"
            self.chart.value = ""
            return None
        self.message.value = "<br>".join(html.escape(n) for n in result.notes)
        self.chart.value = figure_html(bar_chart(result))
        return result

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def bar_chart(result: NextWords):
    """The top-k next words as horizontal bars, most likely on top. Returns the figure."""
    fig, (ax,) = figure(5, 0.28 * len(result.words) + 0.6)
    ax.barh(range(len(result.words))[::-1], result.probs, color="#3182bd")
    ax.set_yticks(range(len(result.words))[::-1], result.words)
    ax.set_xlabel("P(next word | prefix)")
    fig.tight_layout()
    return fig


def sample_text(model: RecurrentLM, vocab, prompt: str, length: int = 300, *, strategy: str = "sample",
                temperature: float = 1.0, top_k: int | None = None, seed: int | None = 0) -> str:
    """Continue ``prompt`` with the model (characters or words, by the vocabulary's kind).

    Bad settings raise ``ValueError`` saying what is allowed (see ``generate``: ``length`` up to
    ``MAX_GENERATE``, 100,000 tokens); a word prompt is checked by ``prompt_words``.
    """
    if not isinstance(prompt, str):
        raise ValueError(f"the prompt must be text (a str), got {type(prompt).__name__}: give the model some text "
                         "to continue, in quotes, e.g. 'ROMEO:'")
    if not prompt:
        raise ValueError("the prompt is empty: give the model some text to continue, e.g. 'ROMEO:'")
    same_vocabulary(model, vocab)
    if isinstance(vocab, CharVocab):
        ids = vocab.encode(prompt)  # names any character the model does not know
        return prompt + vocab.decode(generate(model, ids, length, strategy=strategy, temperature=temperature,
                                              top_k=top_k, seed=seed))
    tokens, _ = prompt_words(vocab, prompt, "prompt")  # the same refusals as next_words
    out = generate(model, vocab.encode(tokens), length, strategy=strategy, temperature=temperature,
                   top_k=top_k, seed=seed)
    return " ".join(tokens + vocab.decode(out))


class SamplingWidget:
    """Prompt, strategy, temperature, top-k and length → generated text; errors as messages."""

    def __init__(self, model: RecurrentLM, vocab, prompt: str = "ROMEO:\n", length: int = 300):
        import ipywidgets as w

        self.model, self.vocab = model, vocab
        self.prompt = w.Textarea(value=prompt, description="prompt", layout=w.Layout(width="420px", height="60px"))
        self.strategy = w.ToggleButtons(options=["sample", "greedy"], value="sample")
        self.temperature = w.FloatText(value=0.8, description="temperature", layout=w.Layout(width="200px"))
        self.top_k = w.IntText(value=0, description="top-k (0=all)", layout=w.Layout(width="200px"),
                               style={"description_width": "90px"})
        self.length = w.IntText(value=length, description="length",  # sample_text checks it, with its message
                                layout=w.Layout(width="200px"))
        self.seed = w.IntText(value=0, description="seed", layout=w.Layout(width="200px"))
        self.button = w.Button(description="Generate", button_style="primary")
        self.result = w.HTML()
        self.button.on_click(lambda _: self.update())
        self.widget = w.VBox([self.prompt, self.strategy,
                              w.HBox([self.temperature, self.top_k]), w.HBox([self.length, self.seed]),
                              self.button, self.result])

    def update(self) -> str | None:
        try:
            text = sample_text(self.model, self.vocab, self.prompt.value, self.length.value,
                               strategy=self.strategy.value, temperature=self.temperature.value,
                               top_k=self.top_k.value or None, seed=self.seed.value)
        except ValueError as e:
            self.result.value = f"<span style='color:#d62728'>{html.escape(str(e))}</span>"
            return None
        self.result.value = f"<pre style='white-space:pre-wrap'>{html.escape(text)}</pre>"
        return text

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def hidden_state_html(text: str, activations: torch.Tensor, unit: int) -> str:
    """``text`` with each character's background coloured by hidden unit ``unit`` after reading it.

    activations: (T, H), one row per character (from ``hidden_activations``). Blue is
    negative, red positive (tanh-range units: −1 … 1).
    """
    if activations.dim() != 2 or activations.shape[0] != len(text):
        raise ValueError(f"activations must be (T, H) with T = len(text) = {len(text)}; got {tuple(activations.shape)}")
    if not 0 <= unit < activations.shape[1]:
        raise ValueError(f"unit must be from 0 to {activations.shape[1] - 1}, got {unit}")
    values = activations[:, unit].clamp(-1, 1).tolist()
    spans = []
    for ch, v in zip(text, values):
        colour = f"rgba(214,39,40,{v:.2f})" if v > 0 else f"rgba(49,130,189,{-v:.2f})"
        shown = "↵<br>" if ch == "\n" else html.escape(ch)
        spans.append(f"<span style='background:{colour}'>{shown}</span>")
    return "<div style='font-family:monospace;line-height:1.5'>" + "".join(spans) + "</div>"


class HiddenStateViewer:
    """A slider picks a hidden unit; the text is coloured by that unit's activation."""

    def __init__(self, model: RecurrentLM, vocab: CharVocab, text: str, unit: int = 0):
        import ipywidgets as w

        self.text = text
        self.acts = hidden_activations(model, vocab.encode(text))  # (T, H)
        self.unit = w.IntSlider(value=unit, min=0, max=self.acts.shape[1] - 1, description="unit")
        self.view = w.HTML()
        self.unit.observe(lambda _: self.update(), names="value")
        self.widget = w.VBox([self.unit, self.view])
        self.update()

    def update(self) -> None:
        self.view.value = hidden_state_html(self.text, self.acts, self.unit.value)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def readable_features(text: str) -> dict[str, torch.Tensor]:
    """Per-character signals a hidden unit might track, each (T,):

    * ``position in line`` — characters since the last newline;
    * ``in speaker name`` — 1 inside a ``NAME:`` line, else 0;
    * ``in a word`` — 1 on letters and apostrophes, 0 on spaces and punctuation.
    """
    pos, name, word = [], [], []
    col, line_start = 0, 0
    for i, ch in enumerate(text):
        if i == 0 or text[i - 1] == "\n":
            col, line_start = 0, i
        end = text.find("\n", i)
        line = text[line_start: end if end != -1 else len(text)]
        pos.append(float(col))
        name.append(1.0 if line.endswith(":") and line[:-1].replace(" ", "").replace("&", "").isupper() else 0.0)
        word.append(1.0 if ch.isalpha() or ch == "'" else 0.0)
        col += 1
    return {"position in line": torch.tensor(pos), "in speaker name": torch.tensor(name),
            "in a word": torch.tensor(word)}


def unit_correlations(activations: torch.Tensor, feature: torch.Tensor) -> torch.Tensor:
    """Pearson correlation of every hidden unit with ``feature``: (T, H), (T,) → (H,)."""
    a = activations - activations.mean(dim=0)
    f = feature - feature.mean()
    denom = a.norm(dim=0) * f.norm()
    return (a * f[:, None]).sum(dim=0) / denom.clamp_min(1e-12)
