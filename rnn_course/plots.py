"""Figures for the whole course, and the plots the forecasting notebooks (05, 06) need.

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

import numpy as np
from matplotlib.figure import Figure

__all__ = ["figure", "CourseFigure", "figure_png", "figure_html", "as_html", "date_axis", "log_axis",
           "MODEL_COLOURS", "model_colour",
           "seasonal_profiles", "price_vs_prediction", "forecast_vs_truth", "error_by_horizon"]

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


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


def log_axis(ax, which: str = "y") -> None:
    """Log scale with labels that do not crowd: plain numbers (0.5, 1, 2, 5, 10), steps of
    1-2-5 over up to three decades, powers of ten beyond, unlabelled minor ticks. Call it after
    plotting, so the data's range is known."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    if which not in ("x", "y"):
        raise ValueError(f"which must be 'x' or 'y', got {which!r}")
    getattr(ax, f"set_{which}scale")("log")
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
    "seasonal naive (day)": "#9467bd",
    "seasonal naive (week)": "#1f77b4",
    "exp. smoothing": "#8c564b",
    "LSTM direct": "#ff7f0e",
    "LSTM recursive": "#2ca02c",
    "LSTM direct, residual": "#d62728",
}
_SPARE = ("#17becf", "#bcbd22", "#e377c2", "#393b79", "#637939", "#843c39")


def model_colour(name: str) -> str:
    """The model's fixed colour: from :data:`MODEL_COLOURS`, else one picked from the name
    (the same name always gets the same colour, in every plot and every run)."""
    return MODEL_COLOURS.get(name) or _SPARE[zlib.crc32(name.encode()) % len(_SPARE)]


# -- the forecasting notebooks' plots (05, 06) -----------------------------------------------
def seasonal_profiles(series, unit: str = "MW"):
    """Two panels: mean by time of day (one line per weekday), and mean by day of week."""
    fig, (ax1, ax2) = figure(10, 3.2, ncols=2)
    idx = series.index
    hours = idx.hour + idx.minute / 60
    frame = series.to_frame("v").assign(hour=hours, dow=idx.day_of_week)
    by_time = frame.pivot_table(index="hour", columns="dow", values="v", aggfunc="mean")
    for dow in by_time.columns:
        ax1.plot(by_time.index, by_time[dow], lw=1.8 if dow >= 5 else 1.0,
                 ls="--" if dow >= 5 else "-", label=_DAYS[dow])
    ax1.set(xlabel="hour of day", ylabel=f"mean load ({unit})", title="daily cycle, by weekday", xticks=range(0, 25, 6))
    ax1.legend(fontsize=7, ncol=2)
    by_day = frame.groupby("dow")["v"].mean()
    ax2.bar([_DAYS[d] for d in by_day.index], by_day.to_numpy(), color=["#3182bd"] * 5 + ["#e6550d"] * 2)
    ax2.set(ylabel=f"mean load ({unit})", title="weekly cycle", ylim=(by_day.min() * 0.9, by_day.max() * 1.03))
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def price_vs_prediction(dates, truth, pred, *, zoom: int = 40, title: str = "prediction vs price"):
    """Left: the whole stretch (looks perfect). Right: the last ``zoom`` days, with yesterday's price."""
    fig, (ax1, ax2) = figure(10, 3.2, ncols=2)
    truth, pred = np.asarray(truth, dtype=float), np.asarray(pred, dtype=float)
    ax1.plot(dates, truth, color="black", lw=1, label="price")
    ax1.plot(dates, pred, color="#e6550d", lw=1, label="model")
    ax1.set(title=title, ylabel="US $")
    z = slice(len(truth) - zoom, len(truth))
    ax2.plot(dates[z], truth[z], "o-", color="black", ms=3, lw=1, label="price")
    ax2.plot(dates[z], pred[z], "o-", color="#e6550d", ms=3, lw=1, label="model")
    ax2.plot(dates[z][1:], truth[z][:-1], ":", color="#3182bd", lw=1.5, label="yesterday's price")
    ax2.set(title=f"last {zoom} days, zoomed in")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        date_axis(ax)
    fig.tight_layout()
    return fig


def forecast_vs_truth(times, truth, forecasts: dict, *, title: str = "", unit: str = "MW"):
    """One forecast window: the truth in black, every forecast in ``forecasts`` (name → values),
    each in its model's colour (:func:`model_colour`); the legend sits outside the plot."""
    fig, (ax,) = figure(7.5, 3)
    ax.plot(times, np.asarray(truth, dtype=float), color=model_colour("truth"), lw=2, label="truth")
    for name, values in forecasts.items():
        ax.plot(times, np.asarray(values, dtype=float), lw=1.3, color=model_colour(name), label=name)
    ax.set(title=title, ylabel=unit)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    date_axis(ax)
    fig.tight_layout()
    return fig


def error_by_horizon(truth, forecasts: dict, *, step_minutes: int = 30):
    """Mean absolute percentage error at each step ahead, one line per model in its colour; truth: (O, H)."""
    fig, (ax,) = figure(8, 3.2)
    truth = np.asarray(truth, dtype=float)
    hours = np.arange(1, truth.shape[1] + 1) * step_minutes / 60
    for name, pred in forecasts.items():
        err = 100 * np.mean(np.abs(truth - np.asarray(pred, dtype=float)) / np.abs(truth), axis=0)  # (H,)
        ax.plot(hours, err, lw=1.5, color=model_colour(name), label=name)
    ax.set(xlabel="hours ahead", ylabel="MAPE (%)", title="error by horizon step")
    log_axis(ax)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    fig.tight_layout()
    return fig
