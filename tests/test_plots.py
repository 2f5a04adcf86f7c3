"""Figures: every figure rnn_course returns shows as a picture on a fresh kernel, with readable
axes (dates and log scales that do not overlap), one colour per model, legends off the data."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from rnn_course import plots
from rnn_course.forecast.views import error_by_horizon, forecast_vs_truth, price_vs_prediction
from rnn_course.plots import as_html, date_axis, figure, log_axis, model_colour

PACKAGE = Path(plots.__file__).parent

# A fresh Jupyter kernel, as far as figures go: ipykernel sets MPLBACKEND to the inline backend,
# but the backend (and with it IPython's PNG formatter for Figure) loads only when pyplot makes
# its first figure. Each figure-returning function is called before that ever happens.
FRESH_KERNEL = r'''
import json, sys
import numpy as np, pandas as pd, torch
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
from rnn_course import plots, History
from rnn_course.forecast import views
from rnn_course.dashboard import curve_figure
from rnn_course.language.views import NextWords, bar_chart
from rnn_course.translation.views import attention_figure

load = pd.Series(np.arange(48 * 14, dtype=float), index=pd.date_range("2024-01-01", periods=48 * 14, freq="30min"))
days = pd.date_range("2015-01-01", periods=60, freq="B")
truth = np.linspace(100, 200, 96).reshape(2, 48)
figures = {
    "plots.figure": plots.figure(3, 2)[0],
    "forecast.views.seasonal_profiles": views.seasonal_profiles(load),
    "forecast.views.price_vs_prediction": views.price_vs_prediction(days, np.arange(60.0), np.arange(60.0) + 1),
    "forecast.views.forecast_vs_truth": views.forecast_vs_truth(load.index[:48], truth[0], {"LSTM direct": truth[0] + 1}),
    "forecast.views.error_by_horizon": views.error_by_horizon(truth, {"LSTM direct": truth * 1.05}),
    "language.views.bar_chart": bar_chart(NextWords(["mat", "cat"], [0.6, 0.3])),
    "translation.views.attention_figure": attention_figure(["a", "b"], ["x"], torch.full((2, 2), 0.5)),
    "dashboard.curve_figure": curve_figure(History([1, 2, 3], [3.0, 2.0, 1.0], [3], [1.5])),
}
formats = {name: sorted(shell.display_formatter.format(fig)[0]) for name, fig in figures.items()}
print(json.dumps({"pyplot_loaded": "matplotlib.pyplot" in sys.modules, "formats": formats}))
'''


def test_every_returned_figure_displays_as_an_image_on_a_fresh_kernel():
    """Found in a browser: notebook 02's next-word widget and 06's seasonal_profiles showed the
    text "<Figure size 800x256 with 2 Axes>" on a fresh kernel instead of the picture."""
    env = {**os.environ, "MPLBACKEND": "module://matplotlib_inline.backend_inline", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", FRESH_KERNEL], capture_output=True, text=True, env=env,
                          timeout=300, cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["pyplot_loaded"] is False  # as on a fresh kernel: nothing loaded the inline backend
    not_images = {name: kinds for name, kinds in report["formats"].items() if "image/png" not in kinds}
    assert not not_images, f"these show as text, not a picture: {not_images}"


def test_no_module_makes_a_bare_matplotlib_figure():
    """Every figure comes from plots.figure (a bare Figure shows as text on a fresh kernel)."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "plots.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "Figure":
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not offenders, f"use rnn_course.plots.figure instead of Figure(...): {offenders}"


def test_as_html_escapes_text_and_inlines_figures():
    assert as_html("a\n<b>") == "<pre style='white-space:pre-wrap;margin:0;font-size:12px'>a\n&lt;b&gt;</pre>"
    fig, _ = figure(2, 2)
    assert as_html(fig).startswith("<img src='data:image/png;base64,iVBOR")  # base64 of the PNG signature
    assert as_html(None) == ""


def renderer(fig):
    canvas = FigureCanvasAgg(fig)  # the PNG that is shown is drawn by Agg too
    canvas.draw()
    return canvas.get_renderer()


def tick_labels_overlap(fig, axis):
    renderer_ = renderer(fig)
    boxes = [t.get_window_extent(renderer_) for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
    return len(boxes), any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


@pytest.mark.parametrize("days", [40, 250, 2500])
def test_date_ticks_do_not_overlap(days):
    fig, (ax,) = figure(5, 3)  # half of notebook 05's two-panel figures
    index = pd.date_range("2006-01-02", periods=days, freq="B")
    ax.plot(index, np.arange(days))
    date_axis(ax)
    count, overlap = tick_labels_overlap(fig, ax.xaxis)
    assert count >= 2 and not overlap


@pytest.mark.parametrize("low, high", [(2.2, 4.5), (1.0, 20.0), (0.8, 700.0), (1e-3, 1e4)])
def test_log_ticks_are_plain_numbers_that_do_not_overlap(low, high):
    fig, (ax,) = figure(3, 3)
    ax.plot([0, 1], [low, high])
    log_axis(ax)
    count, overlap = tick_labels_overlap(fig, ax.yaxis)
    assert count >= 2 and not overlap
    labels = [t.get_text() for t in ax.yaxis.get_ticklabels() if t.get_text()]
    assert all("$" not in s for s in labels)  # "2", "0.5", not "$2\times10^{0}$"
    minor = [t.get_text() for t in ax.yaxis.get_ticklabels(minor=True) if t.get_visible() and t.get_text()]
    assert minor == []
    with pytest.raises(ValueError, match="'x' or 'y'"):
        log_axis(ax, "z")


def line_colours(fig):
    return {line.get_label(): line.get_color() for ax in fig.axes for line in ax.get_lines()}


def test_each_model_keeps_its_colour_from_plot_to_plot():
    truth = np.linspace(100, 200, 96).reshape(2, 48)
    names = ["seasonal naive (week)", "LSTM direct, residual", "exp. smoothing", "my own model"]
    times = pd.date_range("2024-01-01", periods=48, freq="30min")
    a = line_colours(forecast_vs_truth(times, truth[0], {n: truth[0] for n in names}))
    b = line_colours(forecast_vs_truth(times, truth[1], {n: truth[1] for n in reversed(names)}))
    c = line_colours(error_by_horizon(truth, {n: truth * 1.1 for n in names[1:]}))
    for name in names:
        assert a[name] == b[name] == model_colour(name)
        assert name not in c or c[name] == a[name]
    assert len({a[n] for n in names}) == len(names)  # different models, different colours
    assert model_colour("my own model") == model_colour("my own model")


def test_forecast_legend_stays_off_the_plotted_lines():
    times = pd.date_range("2024-01-01", periods=48, freq="30min")
    truth = np.linspace(100, 200, 48)
    fig = forecast_vs_truth(times, truth, {n: truth for n in ["persistence", "LSTM direct", "LSTM recursive"]})
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent(renderer(fig))
    assert not legend.overlaps(ax.get_window_extent())


def test_price_plot_dates_do_not_overlap():
    days = pd.date_range("2014-11-10", periods=200, freq="B")
    fig = price_vs_prediction(days, np.arange(200.0), np.arange(200.0))
    for ax in fig.axes:
        count, overlap = tick_labels_overlap(fig, ax.xaxis)
        assert count >= 2 and not overlap
