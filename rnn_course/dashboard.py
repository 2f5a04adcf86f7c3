"""The training dashboard: ipywidgets over the headless :class:`~rnn_course.train.Trainer`.

    dash = Dashboard(trainer, steps=300, live=show_samples, loss_label="cross-entropy (nats/token)")
    dash               # shows controls, Start / Pause / Stop, progress, live curves, a live slot
    dash.run()         # trains right here, no clicking: what nbval and "Run All" execute

Clicking **Start** trains in a background thread, so Pause and Stop stay responsive; ``run``
trains in the calling thread (deterministic, headless). Both fill every widget the same way:
by setting widget values, never through an ``Output`` widget's capture (which only works in
the kernel's main thread). Every button's logic is a plain method (``start``, ``pause``,
``stop``, ``apply_settings``) that tests call without a browser. Bad settings and diverging
runs show a message in the dashboard — never a traceback — and the trainer keeps its last good
weights.

In demo mode (``RNN_COURSE_DEMO=1``, :mod:`rnn_course.demo`) ``run`` replays the recorded run and
draws its curve, under a banner that says so; Start still trains live.

The curve shows each batch's training loss, a centred smoothing of it (:func:`smooth`, of the
logs on a log axis: it runs through the middle of the per-batch points instead of lagging above
a falling loss), and the validation loss; the y-axis names the loss (``loss_label``), and a note under it explains a
validation loss below the training loss (:func:`validation_note`).

DOM contract for the browser test: the box has CSS class ``rnn-dashboard``; the curve image
``rnn-dashboard-curve``; the note under it ``rnn-dashboard-note``; the status line
``rnn-dashboard-status``; the live slot ``rnn-dashboard-live``, an HTML widget whose content is
the live view's latest result rendered by :func:`rnn_course.plots.as_html`: text as a ``<pre>``
with its line breaks, a figure as an ``<img>`` with an inline PNG, a table as its HTML, under a
caption ``rnn-dashboard-live-step`` ("after step 1,990") that changes at every evaluation.
"""

from __future__ import annotations

import html
import threading
import time
from typing import Any, Callable

import numpy as np
from torch import nn

from .demo import banner, demo_mode
from .plots import as_html, figure, figure_png, log_axis
from .train import Callback, RunSummary, Trainer
from .validate import is_number

LIVE_STEP = "rnn-dashboard-live-step"  # CSS class of the live slot's "after step N" caption

__all__ = ["Dashboard", "curve_figure", "draw_curves", "smooth", "validation_note"]


def smooth(values, half_width: int | None = None) -> np.ndarray:
    """A centred local-linear smoothing of ``values`` (N,) → (N,).

    Each point is the value at that step of a straight line fitted to the points within
    ``half_width`` steps on either side (fewer at the ends). An exponential moving average
    trails behind, so on a falling loss it sits above most per-batch points; this has no lag
    and follows a straight trend exactly, up to the last step. Default ``half_width``: N/25,
    from 2 to 100 steps.
    """
    y = np.asarray(values, dtype=float)
    n = len(y)
    if n < 3:
        return y.copy()
    h = half_width if half_width is not None else min(100, max(2, n // 25))
    x = np.arange(n, dtype=float)
    lo, hi = np.clip(x - h, 0, n).astype(int), np.clip(x + h + 1, 0, n).astype(int)

    def window_sum(v):  # sum of v over each point's window
        c = np.concatenate([[0.0], np.cumsum(v)])
        return c[hi] - c[lo]

    k, sx, sy, sxx, sxy = (window_sum(v) for v in (np.ones(n), x, y, x * x, x * y))
    var = k * sxx - sx * sx
    slope = np.divide(k * sxy - sx * sy, var, out=np.zeros(n), where=var > 0)
    return (sy - slope * sx) / k + slope * x


def _has_dropout(model) -> bool:
    return any((isinstance(m, nn.modules.dropout._DropoutNd) and m.p > 0)
               or (isinstance(m, nn.RNNBase) and m.dropout > 0 and m.num_layers > 1) for m in model.modules())


def validation_note(history, *, dropout: bool = False) -> str:
    """One line when the last validation loss is below the smoothed training loss at that step
    (it puzzles learners), else "". ``dropout``: whether the model has dropout switched on."""
    if not history.val_step or len(history.train_step) < 3:
        return ""
    step, val = history.val_step[-1], history.val_loss[-1]
    at = int(np.searchsorted(history.train_step, step, side="right")) - 1
    if at < 0 or val >= smooth(history.train_loss)[at]:
        return ""
    why = ("dropout is on while training and off at validation, so the training batches are scored "
           "with part of the network switched off" if dropout else
           "the validation set is a different sample from the training batches, and can be easier")
    return f"Validation is below training: {why}. A small gap either way is normal."


def curve_figure(history, *, loss_label: str = "loss", width: float = 6.0, height: float = 2.6):
    """The train loss (per batch and smoothed) and the validation loss against steps;
    ``loss_label`` names the loss on the y-axis, e.g. "cross-entropy (nats/token)"."""
    fig, (ax,) = figure(width, height)
    values = history.train_loss + history.val_loss
    log = bool(values) and min(values) > 0 and max(values) / min(values) > 30  # a loss spanning decades
    if history.train_step:
        ax.plot(history.train_step, history.train_loss, color="#9ecae1", lw=0.8, label="train (per batch)")
        # on a log axis, the middle of the points is the middle of their logs
        line = np.exp(smooth(np.log(history.train_loss))) if log else smooth(history.train_loss)
        ax.plot(history.train_step, line, color="#3182bd", lw=1.6, label="train (smoothed)")
    if history.val_step:
        ax.plot(history.val_step, history.val_loss, "o-", color="#e6550d", ms=3, lw=1.4, label="validation")
    if log:
        log_axis(ax)
    ax.set_xlabel("step")
    ax.set_ylabel(loss_label)
    ax.grid(alpha=0.3)
    if history.train_step or history.val_step:
        ax.legend(loc="upper right", fontsize=8)
    else:
        ax.text(0.5, 0.5, "press Start (or call .run())", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    return fig


def draw_curves(history, *, loss_label: str = "loss", width: float = 6.0, height: float = 2.6) -> bytes:
    """:func:`curve_figure` as PNG bytes, for the dashboard's Image widget."""
    return figure_png(curve_figure(history, loss_label=loss_label, width=width, height=height))


class Dashboard(Callback):
    """Widgets over a Trainer: settings, Start / Pause / Stop, progress, curves, a live slot.

    ``live(trainer)`` (optional) is called after every validation pass; whatever it returns
    (text, a matplotlib figure, an object with ``_repr_html_``) replaces the live slot's
    content. Without one, the live slot shows the latest and best validation loss.
    ``loss_label`` names the loss on the curve's y-axis, with its units, e.g.
    "cross-entropy (nats/token)" or "MSE (standardised units²)". ``restore_best`` (on by
    default) sets the trainer's option of that name: a run ends with the best validated weights
    it has seen, so pressing Start for more training never leaves a worse model behind.
    """

    SETTINGS = ("lr", "batch_size", "clip_grad")
    replay_safe = True  # demo mode may replay a recorded run in its place: it draws what the trainer holds

    def __init__(self, trainer: Trainer, *, steps: int | None = None,
                 live: Callable[[Trainer], Any] | None = None, title: str = "Training",
                 loss_label: str = "loss", redraw_seconds: float = 0.5, restore_best: bool = True):
        import ipywidgets as w

        if not isinstance(trainer, Trainer):
            raise ValueError(f"Dashboard needs an rnn_course Trainer, got {type(trainer).__name__}")
        if live is not None and not callable(live):
            raise ValueError(f"live must be a function live(trainer) -> what to show, or None; "
                             f"got {type(live).__name__} {live!r:.40}")
        if not is_number(redraw_seconds) or redraw_seconds < 0:
            raise ValueError(f"redraw_seconds must be a number ≥ 0 (try 0.5), got {redraw_seconds!r}")
        if trainer.config.restore_best != restore_best:
            trainer.configure(restore_best=restore_best)  # Start never leaves a worse validated model behind
        self.trainer, self.live, self.redraw_seconds = trainer, live, redraw_seconds
        self.loss_label = loss_label
        self._dropout = _has_dropout(trainer.model)
        self._pause_lock = threading.Lock()  # the step shown when paused is the step it holds at
        self.steps = trainer.config.steps if steps is None else steps
        self._thread: threading.Thread | None = None
        self._last_draw = 0.0
        self._draw_cost = 0.0  # seconds the last curve drawing took
        self._target = 0
        self.last_summary: RunSummary | None = None
        if self not in trainer.callbacks:
            trainer.callbacks.append(self)

        c = trainer.config
        layout = w.Layout(width="190px")
        style = {"description_width": "80px"}
        self.lr = w.FloatText(value=c.lr, description="lr", layout=layout, style=style)
        self.batch_size = w.IntText(value=c.batch_size, description="batch B", layout=layout, style=style)
        self.clip_grad = w.FloatText(value=c.clip_grad or 0.0, description="clip (0=off)", layout=layout, style=style)
        self.steps_box = w.IntText(value=self.steps, description="steps", layout=layout, style=style)
        self.start_button = w.Button(description="Start", button_style="success", icon="play")
        self.pause_button = w.Button(description="Pause", icon="pause", disabled=True)
        self.stop_button = w.Button(description="Stop", button_style="danger", icon="stop", disabled=True)
        self.progress = w.IntProgress(value=0, min=0, max=max(self.steps, 1), layout=w.Layout(width="300px"))
        self.step_label = w.Label(value=f"step {trainer.step}")
        self.status = w.HTML(value=self._status_html("ready", "press Start, or call .run() in code"))
        self.status.add_class("rnn-dashboard-status")
        self.curve = w.Image(value=self._draw(), format="png", layout=w.Layout(width="480px"))
        self.curve.add_class("rnn-dashboard-curve")
        self.note = w.HTML(layout=w.Layout(max_width="480px"))
        self.note.add_class("rnn-dashboard-note")
        self.live_view = w.HTML(layout=w.Layout(min_width="300px", max_height="320px", overflow="auto"))
        self.live_view.add_class("rnn-dashboard-live")

        self.start_button.on_click(lambda _: self.start())
        self.pause_button.on_click(lambda _: self.toggle_pause())
        self.stop_button.on_click(lambda _: self.stop())

        controls = w.VBox([self.lr, self.batch_size, self.clip_grad, self.steps_box])
        buttons = w.HBox([self.start_button, self.pause_button, self.stop_button])
        progress = w.HBox([self.progress, self.step_label])
        header = w.HTML(value=f"<b>{html.escape(title)}</b>" + (
            f"<div class='rnn-dashboard-demo' style='color:#b35806'>{html.escape(banner())}</div>" if demo_mode() else ""))
        self.widget = w.VBox([header, w.HBox([controls, w.VBox([buttons, progress, self.status])]),
                              w.HBox([w.VBox([self.curve, self.note]), self.live_view])])
        self.widget.add_class("rnn-dashboard")

    # -- display ----------------------------------------------------------------------------
    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    @staticmethod
    def _status_html(state: str, message: str = "") -> str:
        colours = {"ready": "#555", "running": "#31a354", "paused": "#e6a700", "completed": "#3182bd",
                   "stopped": "#555", "interrupted": "#555", "diverged": "#d62728", "error": "#d62728"}
        text = f"<b style='color:{colours.get(state, '#555')}'>{state}</b>"
        return text + (f" — {html.escape(message)}" if message else "")

    def show_status(self, state: str, message: str = "") -> None:
        self.status.value = self._status_html(state, message)

    @property
    def state_text(self) -> str:
        """The status line as plain text (for tests)."""
        import re

        return html.unescape(re.sub(r"<[^>]+>", "", self.status.value))

    def _draw(self) -> bytes:
        return draw_curves(self.trainer.history, loss_label=self.loss_label)

    def _redraw(self, force: bool = False) -> None:
        # Wait redraw_seconds after the previous draw *finished*, and at least 5× as long as it
        # took: on a busy machine a slow draw must not turn into a redraw after every step.
        if force or time.monotonic() - self._last_draw >= max(self.redraw_seconds, 5 * self._draw_cost):
            t0 = time.monotonic()
            self.curve.value = self._draw()
            self._last_draw = time.monotonic()
            self._draw_cost = self._last_draw - t0

    def _show_note(self) -> None:
        note = validation_note(self.trainer.history, dropout=self._dropout)
        self.note.value = f"<small>{html.escape(note)}</small>" if note else ""

    def show_live(self, shown: Any, step: int | None = None) -> None:
        """Put a live view's result into the live slot (see :func:`rnn_course.plots.as_html`),
        under a caption naming the step it shows ("after step 1,990"): a view that comes out the
        same twice (a translation that has settled) still shows that it is live."""
        caption = "" if step is None else f"<div class='{LIVE_STEP}' style='color:#888;font-size:11px'>after step {step:,}</div>"
        self.live_view.value = caption + as_html(shown)

    @property
    def live_text(self) -> str:
        """The live view's result in the live slot as plain text, without the step caption (for tests)."""
        import re

        value = re.sub(rf"<div class='{LIVE_STEP}'[^>]*>.*?</div>", "", self.live_view.value)
        return html.unescape(re.sub(r"<[^>]+>", "", value))

    def _set_buttons(self, running: bool) -> None:
        self.start_button.disabled = running
        self.pause_button.disabled = not running
        self.stop_button.disabled = not running
        self.pause_button.description = "Pause"
        for box in (self.lr, self.batch_size, self.clip_grad, self.steps_box):
            box.disabled = running

    # -- button logic (plain methods: tests call them directly) ----------------------------
    def apply_settings(self) -> str | None:
        """Push the controls' values into the trainer. Returns an error message, or None.

        Nothing changes unless every value is valid (``Trainer.configure`` checks them all).
        """
        clip = self.clip_grad.value
        try:
            steps = int(self.steps_box.value)
            if steps < 1:
                raise ValueError(f"steps must be a whole number ≥ 1 (try 200), got {steps}")
            self.trainer.configure(lr=float(self.lr.value), batch_size=int(self.batch_size.value),
                                   clip_grad=None if clip == 0 else float(clip))
        except (ValueError, RuntimeError) as e:
            self.show_status("error", f"{e} — nothing was changed")
            return str(e)
        self.steps = steps
        return None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, steps: int | None = None) -> bool:
        """What Start does: apply settings, then train in a background thread. False if refused."""
        if self.running or self.trainer.is_training:
            self.show_status("running", "already training; press Stop first")
            return False
        if self.apply_settings() is not None:
            return False
        self._thread = threading.Thread(target=self.run, args=(steps,), kwargs={"replay": False}, daemon=True,
                                        name="rnn-dashboard")  # Start trains live, in demo mode too
        self._thread.start()
        return True

    def toggle_pause(self) -> None:
        """What Pause / Resume does. The trainer holds after the step it is in finishes; the
        step label and the status both show that step (``on_step`` corrects them when a step
        was under way)."""
        if not self.trainer.is_training:
            return
        with self._pause_lock:
            if self.trainer.paused:
                self.trainer.resume()
                self.pause_button.description = "Pause"
                self.show_status("running", f"towards step {self._target}")
            else:
                self.trainer.pause()
                self.pause_button.description = "Resume"
                self._show_paused()

    def _show_paused(self) -> None:
        step = self.trainer.step
        self.step_label.value = f"step {step}"
        self.show_status("paused", f"at step {step}; press Resume to continue")

    def stop(self) -> None:
        """What Stop does: the trainer finishes its current step, then stops."""
        self.trainer.request_stop()

    def wait(self, timeout: float | None = None) -> None:
        """Block until a run started with Start (``start()``) has ended."""
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self, steps: int | None = None, *, replay: bool | None = None) -> RunSummary | None:
        """Train ``steps`` steps here and now (default: the steps box). Returns the summary,
        or None when the settings are invalid (the message is in the dashboard). In demo mode
        (:mod:`rnn_course.demo`) it replays the recorded run and draws its curve; ``replay=False``
        trains live."""
        if threading.current_thread() is threading.main_thread() and self.apply_settings() is not None:
            return None  # start() has applied them already when this runs in its thread
        steps = self.steps if steps is None else steps
        if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
            self.show_status("error", f"steps must be a whole number ≥ 1 (try 200), got {steps!r}")
            return None
        self._target = self.trainer.step + steps
        try:
            summary = self.trainer.run(steps, replay=replay)
        except Exception as e:  # an error in the task's own code: show it, keep the kernel alive
            self._set_buttons(False)
            self.show_status("error", f"{type(e).__name__}: {e}")
            if threading.current_thread() is threading.main_thread():
                raise
            return None
        self.last_summary = summary
        return summary

    # -- trainer callbacks ------------------------------------------------------------------
    def on_run_start(self, trainer: Trainer) -> None:
        self._set_buttons(True)
        self.progress.min, self.progress.max = 0, max(self._target, 1)
        self.progress.value = trainer.step
        self.show_status("running", f"towards step {self._target}")

    def on_step(self, trainer: Trainer, step: int, loss: float) -> None:
        with self._pause_lock:
            if trainer.paused:  # pressed during this step: the loop holds here, at `step`
                self.progress.value = min(step, self.progress.max)
                self._show_paused()
            elif step % 5 == 0 or step == self._target:
                self.progress.value = min(step, self.progress.max)
                self.step_label.value = f"step {step} · loss {loss:.4g}"
        self._redraw()

    def validation_summary(self) -> str:
        """The live slot's text when no live view was given: the latest and the best validation loss."""
        h = self.trainer.history
        best = min(range(len(h.val_loss)), key=h.val_loss.__getitem__)
        return (f"validation {self.loss_label}\nlatest {h.val_loss[-1]:.4g} (after {h.val_step[-1]:,} steps)\n"
                f"best   {h.val_loss[best]:.4g} (after {h.val_step[best]:,} steps)")

    def on_eval(self, trainer: Trainer, step: int, val_loss: float) -> None:
        self._redraw(force=True)
        self._show_note()
        try:
            shown = self.validation_summary() if self.live is None else self.live(trainer)
        except Exception as e:  # a broken live view must not stop training
            shown = f"(live view failed: {type(e).__name__}: {e})"
        try:
            self.show_live(shown, step)
        except Exception as e:  # nor can one that returns something unprintable
            self.show_live(f"(live view failed: {type(e).__name__}: {e})", step)

    def on_run_end(self, trainer: Trainer, summary: RunSummary) -> None:
        self._set_buttons(False)
        self.progress.value = min(trainer.step, self.progress.max)
        self.step_label.value = f"step {trainer.step}"
        self._redraw(force=True)
        self._show_note()
        self.show_status(summary.reason, summary.message)
