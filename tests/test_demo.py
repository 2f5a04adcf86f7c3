"""Demo mode (rnn_course.demo): one switch, recorded runs replayed exactly, Start still live."""

import pytest
import torch

import rnn_course.demo as demo
import rnn_course.results as results
from rnn_course import Callback
from rnn_course.checkpoint import CheckpointError, sha256_file
from rnn_course.dashboard import Dashboard
from rnn_course.toy import sum_trainer


class Counter(Callback):
    """Counts the steps actually trained; replay_safe, so it does not keep demo mode from replaying."""

    replay_safe = True

    def __init__(self):
        self.steps = 0

    def on_step(self, trainer, step, loss):
        self.steps += 1


def weights(trainer):
    return list(trainer.model.state_dict().values())


@pytest.fixture
def notebook(tmp_path, monkeypatch):
    """A notebook named "nb_demo" whose recordings live in a temporary data folder."""
    monkeypatch.setenv("RNN_COURSE_DATA", str(tmp_path))
    monkeypatch.delenv(demo.ENV, raising=False)
    monkeypatch.setattr(demo, "_loaded", {})
    monkeypatch.setattr(demo, "_recorded", {})
    monkeypatch.setattr(results, "_notebook", "nb_demo")
    return demo.recording_path("nb_demo")


def record_one(monkeypatch, **settings):
    monkeypatch.setenv(demo.ENV, "record")
    trainer = sum_trainer(steps=60, eval_every=20, **settings)
    summary = trainer.run()
    monkeypatch.setenv(demo.ENV, "1")
    return trainer, summary


@pytest.mark.parametrize("value, on, rec", [("1", True, False), ("true", True, False), ("ON", True, False),
                                            ("0", False, False), ("", False, False), ("off", False, False),
                                            ("record", False, True)])
def test_the_switch_is_read_from_the_environment(monkeypatch, value, on, rec):
    monkeypatch.setenv(demo.ENV, value)
    assert demo.demo_mode() is on and demo.recording() is rec


def test_the_switch_is_off_when_unset_and_refuses_a_value_it_does_not_know(monkeypatch):
    monkeypatch.delenv(demo.ENV, raising=False)
    assert demo.demo_mode() is False
    monkeypatch.setenv(demo.ENV, "fast")
    with pytest.raises(ValueError, match="RNN_COURSE_DEMO='fast' is not a setting: use 1"):
        demo.demo_mode()


def test_a_recorded_run_is_replayed_without_training_to_the_same_weights_and_history(notebook, monkeypatch, capsys):
    live, live_summary = record_one(monkeypatch)
    assert notebook.is_file() and sha256_file(notebook) in notebook.with_suffix(".pt.sha256").read_text()
    assert notebook.stat().st_mode & 0o777 == 0o644  # shipped in data/: readable by every learner's user
    counter = Counter()
    replayed = sum_trainer(steps=60, eval_every=20)
    replayed.callbacks.append(counter)
    summary = replayed.run()
    assert counter.steps == 0 and replayed.step == 60
    assert all(torch.equal(a, b) for a, b in zip(weights(live), weights(replayed)))
    assert replayed.history == live.history
    assert summary.reason == "completed" and summary.steps_this_run == live_summary.steps_this_run
    assert summary.message.startswith(demo.banner()) and demo.banner() in capsys.readouterr().out


def test_a_replayed_run_continues_from_the_recorded_data_position(notebook, monkeypatch):
    live, _ = record_one(monkeypatch)
    replayed = sum_trainer(steps=60, eval_every=20)
    replayed.run()
    assert replayed._pos == live._pos and torch.equal(replayed._order, live._order)
    assert torch.equal(replayed.generator.get_state(), live.generator.get_state())


def test_a_run_with_no_recording_trains_the_tiny_budget_and_says_so(notebook, monkeypatch, capsys):
    record_one(monkeypatch)
    changed = sum_trainer(steps=60, eval_every=20, lr=5e-3)  # another setting: another run
    summary = changed.run()
    assert changed.step == summary.steps_this_run == demo.DEMO_STEPS
    assert f"trains {demo.DEMO_STEPS} steps instead of 60" in capsys.readouterr().out


def test_replay_false_and_demo_mode_off_train_live(notebook, monkeypatch):
    record_one(monkeypatch)
    trainer = sum_trainer(steps=60, eval_every=20)
    trainer.callbacks.append(counter := Counter())
    trainer.run(replay=False)
    assert counter.steps == 60
    monkeypatch.setenv(demo.ENV, "0")
    again = sum_trainer(steps=60, eval_every=20)
    again.callbacks.append(counter := Counter())
    again.run()
    assert counter.steps == 60


def test_a_notebook_without_recordings_trains_as_asked(notebook, monkeypatch):
    monkeypatch.setenv(demo.ENV, "1")
    trainer = sum_trainer(steps=60, eval_every=20)
    assert trainer.run().steps_this_run == 60 and not notebook.exists()


def test_a_callback_that_is_not_replay_safe_keeps_its_run_live(notebook, monkeypatch):
    record_one(monkeypatch)

    class Measures(Callback):  # like a time budget: it needs the live steps
        def __init__(self):
            self.steps = 0

        def on_step(self, trainer, step, loss):
            self.steps += 1

    trainer = sum_trainer(steps=60, eval_every=20)
    trainer.callbacks.append(measures := Measures())
    assert trainer.run().steps_this_run == 60 and measures.steps == 60


def test_a_cosine_schedule_does_not_keep_a_run_from_being_replayed(notebook, monkeypatch):
    from rnn_course.train import CosineLR

    monkeypatch.setenv(demo.ENV, "record")
    live = sum_trainer(steps=60, eval_every=20)
    live.callbacks.append(CosineLR(1e-2, 60, log=False))
    live.run()
    monkeypatch.setenv(demo.ENV, "1")
    replayed = sum_trainer(steps=60, eval_every=20)
    replayed.callbacks += [CosineLR(1e-2, 60, log=False), counter := Counter()]
    replayed.run()
    assert counter.steps == 0 and replayed.history == live.history


def test_a_tampered_recording_is_refused_with_what_to_do(notebook, monkeypatch):
    record_one(monkeypatch)
    notebook.write_bytes(notebook.read_bytes()[:-10] + b"0123456789")
    monkeypatch.setattr(demo, "_loaded", {})
    with pytest.raises(CheckpointError, match="record_demo_runs.py"):
        sum_trainer(steps=60, eval_every=20).run()


def test_the_dashboard_replays_under_a_banner_and_start_trains_live(notebook, monkeypatch):
    record_one(monkeypatch, restore_best=True)
    dash = Dashboard(sum_trainer(steps=60, eval_every=20), steps=60)
    dash.trainer.callbacks.append(counter := Counter())
    assert demo.banner() in dash.widget.children[0].value
    blank = dash.curve.value
    summary = dash.run()
    assert counter.steps == 0 and dash.trainer.step == 60 and summary.ok
    assert dash.curve.value != blank and "demo mode" in dash.state_text and dash.progress.value == 60
    assert "latest" in dash.live_text  # the live slot shows the replayed run's validation
    assert dash.start(10) is True
    dash.wait(timeout=60)
    assert counter.steps == 10 and dash.trainer.step == 70


def test_no_banner_when_demo_mode_is_off(monkeypatch):
    monkeypatch.delenv(demo.ENV, raising=False)
    dash = Dashboard(sum_trainer(steps=10))
    assert "demo mode" not in dash.widget.children[0].value


@demo.replayable
def train_by_hand(model, steps, *, lr=0.1):
    """A training loop outside the Trainer (like notebook 08's copy task)."""
    train_by_hand.calls += 1
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        model(torch.ones(4, 3)).pow(2).mean().backward()
        opt.step()
    with torch.no_grad():
        return {"loss": float(model(torch.ones(4, 3)).pow(2).mean()), "steps": steps}


def test_a_replayable_function_is_replayed_with_its_weights_and_result(notebook, monkeypatch, capsys):
    train_by_hand.calls = 0
    monkeypatch.setenv(demo.ENV, "record")
    torch.manual_seed(0)
    live = torch.nn.Linear(3, 2)
    recorded = train_by_hand(live, 5)
    monkeypatch.setenv(demo.ENV, "1")
    torch.manual_seed(0)
    again = torch.nn.Linear(3, 2)
    assert train_by_hand(again, 5) == recorded and train_by_hand.calls == 1
    assert all(torch.equal(a, b) for a, b in zip(live.state_dict().values(), again.state_dict().values()))
    assert "train_by_hand replayed" in capsys.readouterr().out
    other = torch.nn.Linear(3, 2)
    train_by_hand(other, 5, lr=0.2)  # other arguments: trained live
    assert train_by_hand.calls == 2


# -- the one command: python3 course.py lab --demo, and test's demo pass ---------------------------

def fake_calls(monkeypatch):
    import course

    calls = []
    monkeypatch.setattr(course, "setup", lambda: None)
    monkeypatch.setattr(course, "setup_proxy", lambda required=False: None)
    monkeypatch.setattr(course.subprocess, "call", lambda argv, cwd, env: calls.append((argv, env)) or 0)
    return course, calls


def test_course_lab_demo_switches_demo_mode_on_for_the_kernels(monkeypatch):
    monkeypatch.delenv(demo.ENV, raising=False)
    course, calls = fake_calls(monkeypatch)
    assert course.main(["lab", "--demo", "--no-browser"]) == 0
    assert course.main(["lab", "--no-browser"]) == 0
    (argv, env), (_, plain_env) = calls
    assert "--demo" not in argv and "--no-browser" in argv  # ours, not JupyterLab's option
    assert env[demo.ENV] == "1" and demo.ENV not in plain_env


def test_course_test_runs_every_notebook_again_in_demo_mode(monkeypatch):
    monkeypatch.setenv(demo.ENV, "1")  # set in the shell: the first pass still trains live
    course, calls = fake_calls(monkeypatch)
    assert course.main(["test", "-x"]) == 0
    (full, full_env), (again, demo_env) = calls
    assert full[3:5] == ["tests", "notebooks"] and full_env[demo.ENV] == "0"
    assert "notebooks" in again and "tests" not in again and "-x" in again and demo_env[demo.ENV] == "1"


def test_the_demo_pass_runs_only_the_notebooks_asked_for():
    import course

    assert course.demo_pass_args(["-k", "trainer"]) == ["notebooks", "-k", "trainer"]
    assert course.demo_pass_args(["tests/test_demo.py"]) is None  # no notebook named: no demo pass
    one = "notebooks/01_sequences_and_shapes.ipynb"
    assert course.demo_pass_args(["tests/test_demo.py", one, "-x"]) == [one, "-x"]


class Augmented(torch.utils.data.Dataset):
    """Like notebook 07's training clips: every read draws a new random augmentation."""

    def __init__(self, x, y):
        self.x, self.y, self.reads, self.rng = x, y, 0, torch.Generator().manual_seed(0)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        self.reads += 1
        return self.x[i] + 0.01 * torch.randn(self.x[i].shape, generator=self.rng), self.y[i]


def test_fingerprinting_a_dataset_reads_no_item_so_the_run_stays_the_same():
    from rnn_course import Trainer

    tensors = sum_trainer(steps=20)
    data = Augmented(*tensors.train_data.tensors)
    trainer = Trainer(tensors.model, data, tensors.loss_fn, steps=20)
    reads = data.reads  # the Trainer itself tries one batch when made
    key = demo.fingerprint(trainer, 20)
    assert data.reads == reads and demo.fingerprint(trainer, 20) == key and demo.fingerprint(trainer, 21) != key
