"""Figures for the whole course.

Every figure in ``rnn_course`` comes from :func:`figure`. It is a matplotlib ``Figure`` made
without pyplot (nothing global, so it is safe to draw from the dashboard's training thread) that
shows itself as a PNG in any IPython frontend, on a fresh kernel too: a bare
``matplotlib.figure.Figure`` displays as the text ``<Figure size 400x272 with 1 Axes>`` until
pyplot happens to load the inline backend. Widgets show figures through :func:`figure_html`
(an ``<img>`` with the PNG inline), and :func:`as_html` turns whatever a live view returns
(text, a figure, a table) into HTML a widget can hold.

Readable axes, shared by every plot: :func:`date_axis` (concise date ticks that do not
overlap), :func:`log_axis` (log scale labelled 1-2-5 in plain numbers), :func:`model_colour`
(one fixed colour per model name, so a model keeps its colour from plot to plot).
"""

from __future__ import annotations

import base64
import html
import io
import math
import sys
import zlib

from matplotlib.figure import Figure

__all__ = ["figure", "CourseFigure", "figure_png", "figure_html", "as_html", "date_axis", "log_axis",
           "MODEL_COLOURS", "model_colour"]

# -- figures that display everywhere --------------------------------------------------------
def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (tight bounding box, so legends outside the axes are kept)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


class CourseFigure(Figure):
    """A ``Figure`` that IPython shows as an image whether or not pyplot's inline backend is loaded."""

    def _repr_png_(self) -> bytes:
        return figure_png(self)


def figure(width: float, height: float, *, nrows: int = 1, ncols: int = 1, dpi: int = 80, **subplot_kw):
    """A new :class:`CourseFigure` and its axes, flattened: ``fig, (ax1, ax2) = figure(10, 3, ncols=2)``."""
    fig = CourseFigure(figsize=(width, height), dpi=dpi)
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw).ravel()
    return fig, axes


def figure_html(fig: Figure) -> str:
    """An ``<img>`` holding the figure's PNG inline, for an ipywidgets HTML widget."""
    data = base64.b64encode(figure_png(fig)).decode()
    return f"<img src='data:image/png;base64,{data}' style='max-width:100%'/>"


def _pre(text: str) -> str:
    return f"<pre style='white-space:pre-wrap;margin:0;font-size:12px'>{html.escape(text)}</pre>"


def as_html(obj) -> str:
    """HTML for anything a live view returns: text → its lines in a ``<pre>`` (escaped, not a
    repr); a matplotlib figure → :func:`figure_html` (a pyplot figure is closed afterwards, so
    the inline backend does not show it a second time); an object with ``_repr_html_`` (a
    DataFrame) → that; None → nothing; anything else → ``str(obj)`` as text."""
    if obj is None:
        return ""
    if isinstance(obj, str):
        return _pre(obj)
    if isinstance(obj, Figure):
        shown = figure_html(obj)
        if "matplotlib.pyplot" in sys.modules and getattr(obj.canvas, "manager", None) is not None:
            sys.modules["matplotlib.pyplot"].close(obj)
        return shown
    repr_html = getattr(obj, "_repr_html_", None)
    if callable(repr_html):
        shown = repr_html()
        if isinstance(shown, str):
            return shown
    return _pre(str(obj))


# -- readable axes ---------------------------------------------------------------------------
def date_axis(ax, which: str = "x") -> None:
    """Date ticks that never overlap: a few ticks, labelled concisely (``2015``, ``Mar``, ``15``)."""
    import matplotlib.dates as mdates

    axis = ax.xaxis if which == "x" else ax.yaxis
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    axis.set_major_locator(locator)
    axis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _plain_number(value: float, _pos=None) -> str:
    return f"{value:g}"


def log_axis(ax, which: str = "y", ticks=None) -> None:
    """Log scale with labels that do not crowd: plain numbers (0.5, 1, 2, 5, 10), steps of
    1-2-5 over up to three decades, powers of ten beyond, unlabelled minor ticks — or, given
    ``ticks``, labels at exactly those values (1,024 with a thousands comma). Call it after
    plotting, so the data's range is known."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    if which not in ("x", "y"):
        raise ValueError(f"which must be 'x' or 'y', got {which!r}")
    getattr(ax, f"set_{which}scale")("log")
    if ticks is not None:
        ticks = sorted(ticks)
        (ax.xaxis if which == "x" else ax.yaxis).set_ticks(ticks, [f"{t:,g}" for t in ticks])
        (ax.xaxis if which == "x" else ax.yaxis).set_minor_formatter(NullFormatter())
        return
    lo, hi = getattr(ax, f"get_{which}lim")()
    decades = math.log10(hi / lo) if lo > 0 and hi > lo else 1.0
    subs = tuple(range(1, 10)) if decades < 0.6 else (1.0, 2.0, 5.0) if decades <= 3 else (1.0,)
    axis = ax.yaxis if which == "y" else ax.xaxis
    axis.set_major_locator(LogLocator(base=10, subs=subs, numticks=12))
    axis.set_major_formatter(FuncFormatter(_plain_number))
    axis.set_minor_formatter(NullFormatter())


# One colour per model, the same in every plot (notebook 06 compares these in four figures).
MODEL_COLOURS = {
    "truth": "black",
    "persistence": "#7f7f7f",
    "drift": "#17becf",
    "LSTM": "#ff7f0e",
    "seasonal naive (day)": "#9467bd",
    "seasonal naive (week)": "#1f77b4",
    "exp. smoothing": "#8c564b",
    "LSTM direct": "#ff7f0e",
    "LSTM recursive": "#2ca02c",
    "LSTM direct, residual": "#d62728",
    "seasonal AR": "#e7298a",
    "lag regression": "#08306b",
    "LSTM hybrid": "#a50026",
}
_SPARE = ("#17becf", "#bcbd22", "#e377c2", "#393b79", "#637939", "#843c39")


def model_colour(name: str) -> str:
    """The model's fixed colour: from :data:`MODEL_COLOURS`, else one picked from the name
    (the same name always gets the same colour, in every plot and every run)."""
    return MODEL_COLOURS.get(name) or _SPARE[zlib.crc32(name.encode()) % len(_SPARE)]
