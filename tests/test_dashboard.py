"""The dashboard's button logic, driven without a browser."""

import threading
import time

import torch

from rnn_course import Callback
from rnn_course.dashboard import Dashboard, draw_curves
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
