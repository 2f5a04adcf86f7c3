"""The dashboard's button logic, driven without a browser."""

import html
import re
import threading
import time

import numpy as np
import torch
from torch import nn

from rnn_course import Callback, History
from rnn_course.dashboard import Dashboard, curve_figure, draw_curves, smooth, validation_note
from rnn_course.plots import figure
from rnn_course.toy import sum_trainer


def params(model):
    return [p.detach().clone() for p in model.parameters()]


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b))


def test_run_trains_headless_and_updates_the_widgets():
    dash = Dashboard(sum_trainer(steps=60, eval_every=20), steps=60)
    blank = dash.curve.value
    summary = dash.run()
    assert summary.reason == "completed" and dash.trainer.step == 60
    assert dash.progress.value == 60 and "completed" in dash.state_text
    assert dash.curve.value != blank and dash.curve.value[:4] == b"\x89PNG"
    assert dash.trainer.history.val_loss[-1] < dash.trainer.history.val_loss[0]


def test_headless_runs_are_deterministic():
    a, b = Dashboard(sum_trainer(steps=40)), Dashboard(sum_trainer(steps=40))
    a.run()
    b.run()
    assert a.trainer.history.train_loss == b.trainer.history.train_loss


def test_start_trains_in_the_background_and_stop_from_another_thread_ends_within_one_step():
    dash = Dashboard(sum_trainer(), steps=100_000)
    seen = {}

    class StopAt(Callback):
        def on_step(self, trainer, step, loss):
            if step == 30 and "step" not in seen:
                seen["step"] = step
                threading.Thread(target=dash.stop).start()
                time.sleep(0.05)

    dash.trainer.callbacks.append(StopAt())
    assert dash.start() is True
    assert dash.running
    dash.wait(timeout=30)
    assert not dash.running
    assert seen["step"] <= dash.trainer.step <= seen["step"] + 1
    assert "stopped" in dash.state_text and dash.start_button.disabled is False


def test_pause_then_resume_continues_from_the_same_step():
    dash = Dashboard(sum_trainer(), steps=100_000)
    dash.start()
    while dash.trainer.step < 10:
        time.sleep(0.001)
    dash.toggle_pause()
    time.sleep(0.1)
    held = dash.trainer.step
    assert "paused" in dash.state_text and dash.pause_button.description == "Resume"
    time.sleep(0.2)
    assert dash.trainer.step == held
    dash.toggle_pause()
    while dash.trainer.step < held + 5:
        time.sleep(0.001)
    dash.stop()
    dash.wait(timeout=30)
    assert dash.trainer.history.train_step == list(range(1, dash.trainer.step + 1))


def test_invalid_hyperparameter_shows_a_message_and_leaves_the_weights_untouched():
    dash = Dashboard(sum_trainer(steps=30))
    dash.run()
    before, config = params(dash.trainer.model), dash.trainer.config
    for box, bad, word in [(dash.lr, -0.1, "lr"), (dash.batch_size, 100_000, "batch_size"),
                           (dash.steps_box, 0, "steps")]:
        good = box.value
        box.value = bad
        assert dash.start() is False and dash.run() is None
        assert "error" in dash.state_text and word in dash.state_text
        assert "nothing was changed" in dash.state_text
        assert dash.trainer.config == config and same(params(dash.trainer.model), before)
        box.value = good
    assert dash.run(10).reason == "completed"


def test_diverging_run_shows_the_message_and_keeps_good_weights():
    dash = Dashboard(sum_trainer(steps=200, optimizer="sgd"))
    dash.lr.value, dash.clip_grad.value = 5.0, 0
    summary = dash.run()
    assert summary.reason == "diverged"
    assert "diverged" in dash.state_text and "smaller learning rate" in dash.state_text
    assert all(torch.isfinite(p).all() for p in dash.trainer.model.parameters())


def test_second_start_while_running_is_refused():
    dash = Dashboard(sum_trainer(), steps=100_000)
    assert dash.start()
    assert dash.start() is False and "already training" in dash.state_text
    dash.stop()
    dash.wait(timeout=30)


def test_live_slot_is_filled_after_each_validation_and_a_failing_view_does_not_stop_training():
    calls = []
    dash = Dashboard(sum_trainer(steps=40, eval_every=20), live=lambda tr: calls.append(tr.step) or f"step {tr.step}")
    dash.run()
    assert calls == [20, 40]
    broken = Dashboard(sum_trainer(steps=40, eval_every=20), live=lambda tr: 1 / 0)
    assert broken.run().reason == "completed"


def test_curve_drawing_handles_empty_and_wide_ranging_histories():
    tr = sum_trainer(steps=20)
    assert draw_curves(tr.history)[:4] == b"\x89PNG"
    tr.run()
    assert draw_curves(tr.history)[:4] == b"\x89PNG"


def test_slow_curve_drawing_does_not_redraw_after_every_step(monkeypatch):
    """Found under load: when drawing took longer than redraw_seconds, every step redrew."""
    import rnn_course.dashboard as d

    draws = []

    def slow_draw(history, **kw):
        draws.append(len(history.train_step))
        time.sleep(0.05)
        return b"\x89PNG"

    monkeypatch.setattr(d, "draw_curves", slow_draw)
    dash = Dashboard(sum_trainer(steps=60, eval_every=1000), redraw_seconds=0.01)
    dash.run()
    assert len(draws) < 60 / 3  # far fewer redraws than steps


# -- the live slot ------------------------------------------------------------------------------
def live_slot_text(dash) -> str:
    """What the widget with the DOM class ``rnn-dashboard-live`` shows, as plain text."""
    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)
    slot = next(w for w in walk(dash.widget) if "rnn-dashboard-live" in w._dom_classes)
    if hasattr(slot, "value"):
        value = re.sub(r"<div class='rnn-dashboard-live-step'[^>]*>.*?</div>", "", slot.value)  # the step caption
        return html.unescape(re.sub(r"<[^>]+>", "", value))
    return "".join(str(o.get("text", o.get("data", {}).get("text/plain", ""))) for o in slot.outputs)


def test_start_fills_the_live_slot_from_its_background_thread():
    """Found in a browser: Start trained, but the live panel stayed empty (an Output widget's
    capture does not work from a thread); it filled only from dash.run()."""
    seen = []
    dash = Dashboard(sum_trainer(steps=40, eval_every=20), live=lambda tr: f"sample at step {tr.step}")

    class Watch(Callback):
        def on_eval(self, trainer, step, val):
            seen.append(live_slot_text(dash))  # after the dashboard's own on_eval (it was added first)

    dash.trainer.callbacks.append(Watch())
    assert dash.start()
    dash.wait(timeout=60)
    assert seen == ["sample at step 20", "sample at step 40"]


def test_the_live_slot_names_the_step_it_shows_even_when_the_view_does_not_change():
    """Found in a browser: notebook 04's probe translation had settled, so after Start the live
    panel looked frozen (the same text, unchanged): a learner could not tell it was live."""
    dash = Dashboard(sum_trainer(steps=40, eval_every=20), live=lambda tr: "le chien blanc")
    assert dash.start()
    dash.wait(timeout=60)
    assert "after step 40" in dash.live_view.value and "after step 20" not in dash.live_view.value
    assert dash.live_text == "le chien blanc" and live_slot_text(dash) == "le chien blanc"


def test_without_a_live_view_the_live_slot_shows_the_validation_loss():
    dash = Dashboard(sum_trainer(steps=40, eval_every=20), loss_label="MSE (sum units²)")
    assert live_slot_text(dash) == ""
    dash.run()
    h = dash.trainer.history
    text = live_slot_text(dash)
    assert text.startswith("validation MSE (sum units²)\n") and f"latest {h.val_loss[-1]:.4g} (after 40 steps)" in text
    assert f"best   {min(h.val_loss):.4g}" in text


def test_live_text_shows_as_text_with_its_line_breaks_not_as_a_repr():
    dash = Dashboard(sum_trainer(steps=20, eval_every=20), live=lambda tr: "ROMEO:\nWell, <sir> & 'you'")
    dash.run()
    assert live_slot_text(dash) == "ROMEO:\nWell, <sir> & 'you'"  # real line break, no quotes
    assert "&lt;sir&gt;" in dash.live_view.value and "<pre" in dash.live_view.value


def test_live_figures_and_tables_become_html():
    class Table:
        def _repr_html_(self):
            return "<table><tr><td>1</td></tr></table>"

    fig, (ax,) = figure(3, 2)
    ax.plot([1, 2, 3])
    from IPython.display import HTML

    for shown, expected in [(fig, "<img src='data:image/png;base64,"), (Table(), "<table>"), (None, ""),
                            (3.5, "3.5"), (HTML("<b>heard</b>"), "<b>heard</b>")]:
        dash = Dashboard(sum_trainer(steps=20, eval_every=20), live=lambda tr, shown=shown: shown)
        dash.run()
        assert expected in dash.live_view.value if expected else dash.live_text == ""


# -- the curve ---------------------------------------------------------------------------------
def test_smoothing_follows_a_straight_line_exactly_up_to_both_ends():
    line = 3.0 - 0.01 * np.arange(300)
    assert np.allclose(smooth(line), line)


def test_smoothed_curve_runs_through_the_middle_of_a_falling_noisy_loss():
    """Found in a browser: the smoothed curve sat above nearly every per-batch point for long
    stretches (an exponential average started at the first, high, loss lags a falling loss)."""
    rng = np.random.default_rng(0)
    steps = np.arange(2000)
    loss = 1.0 + 4.0 * np.exp(-steps / 400) + rng.normal(0, 0.1, len(steps))
    above = loss > smooth(loss)
    for stretch in np.split(above, 8):  # 250 steps each: about half the points above, half below
        assert 0.4 < stretch.mean() < 0.6


def test_the_loss_label_names_the_y_axis():
    tr = sum_trainer(steps=20)
    tr.run()
    assert curve_figure(tr.history).axes[0].get_ylabel() == "loss"
    label = "MSE (standardised units²)"
    assert curve_figure(tr.history, loss_label=label).axes[0].get_ylabel() == label


def test_the_dashboard_passes_its_loss_label_to_the_curve(monkeypatch):
    import rnn_course.dashboard as d

    labels = []
    monkeypatch.setattr(d, "draw_curves", lambda history, **kw: labels.append(kw.get("loss_label")) or b"\x89PNG")
    d.Dashboard(sum_trainer(steps=10), loss_label="cross-entropy (nats/token)").run()
    assert labels and set(labels) == {"cross-entropy (nats/token)"}


def falling(val_last):
    steps = list(range(1, 101))
    return History(train_step=steps, train_loss=[2.0 - 0.005 * s for s in steps],
                   val_step=[50, 100], val_loss=[1.9, val_last])


def test_a_validation_loss_below_training_is_explained_in_one_line():
    assert validation_note(falling(val_last=1.8)) == ""  # above the training loss (1.5 at step 100)
    note = validation_note(falling(val_last=1.2))
    assert note.startswith("Validation is below training") and "\n" not in note and "dropout" not in note
    assert "dropout is on while training" in validation_note(falling(val_last=1.2), dropout=True)
    assert validation_note(History()) == ""


def test_the_dashboard_shows_the_note_under_the_curve_and_knows_about_dropout():
    tr = sum_trainer(steps=10)
    tr.model.drop = nn.Dropout(0.3)  # a submodule is enough for the dashboard to see it
    dash = Dashboard(tr)
    assert dash.note.value == ""
    dash.trainer.history = falling(val_last=1.2)
    dash.on_eval(dash.trainer, 100, 1.2)
    assert "Validation is below training" in dash.note.value and "dropout" in dash.note.value
    assert "rnn-dashboard-note" in dash.note._dom_classes


# -- pause: one step number ------------------------------------------------------------------------
def numbers_shown(dash):
    return {int(n) for n in re.findall(r"step (\d+)", dash.step_label.value + " " + dash.state_text)}


def test_pause_between_steps_shows_the_step_it_holds_at_in_both_places():
    """Found in a browser: "step 280" beside "paused — at step 281"."""
    dash = Dashboard(sum_trainer(), steps=100_000)
    held = threading.Event()

    class PressPause(Callback):
        def on_step(self, trainer, step, loss):
            if step == 7:  # a click landing between steps 7 and 8
                dash.toggle_pause()
                held.set()

    dash.trainer.callbacks.append(PressPause())
    dash.start()
    assert held.wait(timeout=60)
    try:
        assert dash.trainer.step == 7 and numbers_shown(dash) == {7}
    finally:
        dash.stop()
        dash.wait(timeout=30)


def test_pause_during_a_step_shows_the_step_it_finishes_and_holds_at():
    dash = Dashboard(sum_trainer(), steps=100_000)
    loss_fn, finished = dash.trainer.loss_fn, threading.Event()

    def pressing_pause_mid_step(model, batch):
        if dash.trainer.step == 11 and not dash.trainer.paused:  # computing step 12
            dash.toggle_pause()
        return loss_fn(model, batch)

    class Done(Callback):
        def on_step(self, trainer, step, loss):
            if step == 12:
                finished.set()

    dash.trainer.loss_fn = pressing_pause_mid_step
    dash.trainer.callbacks.append(Done())
    dash.start()
    assert finished.wait(timeout=60)
    try:
        assert dash.trainer.paused and dash.trainer.step == 12 and numbers_shown(dash) == {12}
        assert "paused" in dash.state_text
    finally:
        dash.stop()
        dash.wait(timeout=30)
