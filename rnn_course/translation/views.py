"""Pictures and the translate widget for notebook 04.

    fig = attention_figure(t.source, t.tokens, t.attention)   # heatmap: French rows × English columns
    view = translate_view(model, "the black cat is happy .")  # the widget's logic, a plain function
    TranslateWidget(model)                                     # type English, see French + attention

``translate_view`` never raises for what a learner types: an empty box or words the model never
saw come back as ``ok=False`` with a message naming them, so unit tests can call it directly
(an exception inside an ipywidgets callback would never reach nbval).
"""

from __future__ import annotations

import html
import warnings
from typing import NamedTuple

from ..plots import figure, figure_html
from ..vocab import EOS
from .decoding import Translation, translate

__all__ = ["attention_figure", "translate_view", "TranslateView", "TranslateWidget"]


def attention_figure(source, target, weights, *, title: str | None = None, ax=None):
    """Heatmap of attention weights (T_out, T_src): one row per French token, one column per English token.

    ``target`` may omit the final <eos> row (it is labelled automatically). Returns the Figure.
    """
    w = weights.detach().float().cpu().numpy() if hasattr(weights, "detach") else weights
    rows = list(target) + ([EOS] if len(target) == w.shape[0] - 1 else [])
    if w.shape != (len(rows), len(source)):
        raise ValueError(f"weights are {tuple(w.shape)} but there are {len(rows)} target rows "
                         f"and {len(source)} source tokens")
    if ax is None:
        fig, (ax,) = figure(0.45 * len(source) + 1.6, 0.38 * len(rows) + 1.2)
    else:
        fig = ax.figure
    ax.imshow(w, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(source)), source, rotation=60, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("English (source)")
    ax.set_ylabel("French (output)")
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


class TranslateView(NamedTuple):
    ok: bool
    message: str  # the translation, or what is wrong with the input
    translation: Translation | None
    html: str  # what the widget shows


def translate_view(model, sentence: str, beam: int = 1, heatmap: bool = True) -> TranslateView:
    """Translate ``sentence`` for the widget: the French text and (with attention) a heatmap, or a message.

    A sentence far longer than any in training is translated, with ``translate``'s warning shown
    above the French (in the view, not as a second warning under the widget).
    """
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="this sentence has")  # t.warning carries it into the view
            t = translate(model, sentence, beam=beam)
    except ValueError as e:
        msg = str(e)
        return TranslateView(False, msg, None, f"<span style='color:#d62728'>{html.escape(msg)}</span>")
    body = f"<p style='color:#b35900'>⚠ {html.escape(t.warning)}</p>" if t.warning else ""
    body += f"<p style='font-size:1.2em'><b>{html.escape(t.text)}</b></p>"
    if t.attention is None:
        body += "<p><i>This model has no attention: the decoder saw one vector for the whole sentence.</i></p>"
    elif heatmap:
        body += figure_html(attention_figure(t.source, t.tokens, t.attention))
    return TranslateView(True, t.text, t, body)


class TranslateWidget:
    """A text box and a beam-width slider; press Translate (or Enter) to see the French and its attention map."""

    def __init__(self, model, sentence: str = "the small cats do not like the black dog .", beam: int = 1):
        import ipywidgets as w

        self.model = model
        self.text = w.Text(value=sentence, description="English", continuous_update=False,
                           layout=w.Layout(width="520px"))
        self.beam = w.IntSlider(value=beam, min=1, max=8, description="beam width")
        self.button = w.Button(description="Translate", button_style="primary")
        self.result = w.HTML()
        self.button.on_click(lambda _: self.update())
        self.text.observe(lambda _: self.update(), names="value")
        self.widget = w.VBox([w.HBox([self.text, self.button]), self.beam, self.result])
        self.update()

    def update(self) -> TranslateView:
        view = translate_view(self.model, self.text.value, beam=self.beam.value)
        self.result.value = view.html
        return view

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
