"""Notebook 10's workflow on every kind of input the picker accepts, on small files written here;
bad files give a clear DataError; padding never changes a classifier's prediction."""

import json
import math

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
import torch

from rnn_course import Trainer, TrainConfig, seed_everything
from rnn_course.capstone.data import DataError, load_data, shakespeare_genres, stratified_split
from rnn_course.capstone.model import ClassifierConfig, SequenceClassifier, predict
from rnn_course.capstone.plan import findings, make_task, plan_for, quality_problems, run_numbers, verdict
from rnn_course.capstone.views import Checklist, DataPicker, FourQuestions, save_run
from rnn_course.cost import cost_card
from rnn_course.language.data import plays
from rnn_course.shapes import diagnose, trace

SR = 16000


# ------------------------------------------------------------------------------ fixtures
def write_series(path, n=24 * 21):
    t = pd.date_range("2024-01-01", periods=n, freq="h")
    rng = np.random.default_rng(0)
    load = 10 + 3 * np.sin(2 * np.pi * np.arange(n) / 24) + rng.normal(0, 0.3, n)
    pd.DataFrame({"reading_time": t.strftime("%Y-%m-%d %H:%M"), "load": load,
                  "temperature": 15 + 5 * np.cos(2 * np.pi * np.arange(n) / 24)}).to_csv(path, index=False)
    return path


def write_text(path):
    rng = np.random.default_rng(0)
    lines = [f"the {rng.choice(['cat', 'dog', 'king'])} {rng.choice(['sat', 'ran', 'slept'])} on the "
             f"{rng.choice(['mat', 'hill', 'throne'])}." for _ in range(200)]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


TONES = {"low": 300.0, "mid": 900.0, "high": 2500.0}


def tone(freq, seconds, rng):
    t = np.arange(int(seconds * SR)) / SR
    return (0.3 * np.sin(2 * np.pi * freq * t) + rng.normal(0, 0.02, len(t))).astype(np.float32)


def write_wav_folder(folder, per_label=5, nested=False):
    """Tones of three pitches, 0.2–0.4 s long, from two 'speakers' (amplitudes)."""
    rng = np.random.default_rng(0)
    folder.mkdir()
    for label, freq in TONES.items():
        for i in range(per_label):
            wave = tone(freq * rng.uniform(0.95, 1.05), rng.uniform(0.2, 0.4), rng)
            if nested:
                (folder / label).mkdir(exist_ok=True)
                sf.write(folder / label / f"clip{i}.wav", wave, SR)
            else:
                sf.write(folder / f"{label}_{'ab'[i % 2]}_{i}.wav", wave, SR)
    return folder


def write_pairs(path, n=150):
    rng = np.random.default_rng(0)
    en = ["cat", "dog", "bird", "horse", "fish"]
    fr = ["chat", "chien", "oiseau", "cheval", "poisson"]
    lines = []
    for _ in range(n):
        k = rng.integers(0, 5, 6)
        lines.append(" ".join(en[j] for j in k) + " .\t" + " ".join(fr[j] for j in k) + " .")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fixture_path(kind, tmp_path):
    return {"csv-series": lambda: write_series(tmp_path / "meter.csv"),
            "text-file": lambda: write_text(tmp_path / "story.txt"),
            "wav-folder": lambda: write_wav_folder(tmp_path / "clips"),
            "tsv-pairs": lambda: write_pairs(tmp_path / "pairs.tsv")}[kind]()


# ------------------------------------------------------------------------------ the workflow
@pytest.mark.parametrize("kind,task_kind", [("csv-series", "forecast"), ("text-file", "generate"),
                                            ("wav-folder", "classify"), ("tsv-pairs", "translate")])
def test_workflow_runs_end_to_end_on_each_kind_of_file(kind, task_kind, tmp_path):
    seed_everything(0)
    data = load_data(kind, fixture_path(kind, tmp_path))
    task = make_task(data)
    assert task.kind == task_kind
    model = task.model()
    assert diagnose(model, task.example(), **task.diagnose_options).codes == []
    assert len(trace(model, *task.example()).rows) > 1
    base = task.baselines()
    summary = Trainer(model, task.train, task.loss, val_data=task.valid,
                      config=TrainConfig(steps=40, batch_size=8, lr=5e-3, eval_every=20)).run()
    assert summary.reason == "completed"
    rnn = task.evaluate(model)
    assert math.isfinite(rnn[task.metric]) and all(math.isfinite(v[task.metric]) for v in base.values())
    result = verdict(task, base, rnn)
    assert result.winner in ("rnn", "baseline", "tie") and math.isfinite(result.band) and result.band > 0
    found = findings(task, base, rnn)
    assert set(found) == {"ordering", "context", "output", "alternative"}
    card = cost_card(model, tuple(a[:1] for a in task.example()))
    assert card.parameters == sum(p.numel() for p in model.parameters()) and card.latency_ms > 0
    task.plot()


def test_tone_clips_are_classified_well_by_both_baseline_and_rnn(tmp_path):
    """Pure tones of three distinct pitches: the mean log-mel spectrum separates them, so the
    bag-of-frames baseline and a briefly trained GRU must both beat the majority class clearly."""
    seed_everything(0)
    task = make_task(load_data("wav-folder", write_wav_folder(tmp_path / "clips", per_label=6)))
    base = task.baselines()
    assert base["bag-of-frames logistic regression"]["accuracy"] == 1.0
    model = task.model()
    Trainer(model, task.train, task.loss, config=TrainConfig(steps=60, batch_size=8, lr=1e-2)).run()
    assert task.evaluate(model)["accuracy"] > base["majority class"]["accuracy"] + 0.3


def test_nested_wav_folder_takes_labels_from_subfolders(tmp_path):
    data = load_data("wav-folder", write_wav_folder(tmp_path / "clips", per_label=3, nested=True))
    assert data.classes == sorted(TONES) and data.kind == "frames"
    assert all(x.ndim == 2 and x.shape[1] == 40 for x in data.items)  # (T, F = 40 mel bands)


def test_forecast_baselines_on_a_daily_cycle_prefer_seasonal_naive(tmp_path):
    task = make_task(load_data("csv-series", write_series(tmp_path / "m.csv")))
    assert task.season == 24  # hourly data: one day = 24 steps
    base = task.baselines()
    assert base["seasonal naive (24 steps)"]["rmse"] < base["persistence"]["rmse"]


# ------------------------------------------------------------------------------ padding
@pytest.mark.parametrize("options", [
    dict(vocab_size=30), dict(vocab_size=30, pooling="mean"),
    dict(n_features=4, cell="lstm", bidirectional=True), dict(n_features=4, pooling="mean", num_layers=2),
])
def test_padded_batch_gives_each_sequence_the_class_it_gets_alone(options):
    torch.manual_seed(0)
    model = SequenceClassifier(ClassifierConfig(n_classes=3, hidden_size=16, **options)).eval()
    lengths = torch.tensor([9, 2, 5, 1, 7])
    T = 12  # padded further than the longest sequence
    if "vocab_size" in options:
        x = torch.randint(0, 30, (5, T))  # padding positions hold random tokens, not zeros
    else:
        x = torch.randn(5, T, 4) * 5  # padding holds large random values
    with torch.no_grad():
        batched = model(x, lengths)  # (B, C)
        alone = torch.cat([model(x[i:i + 1, :lengths[i]], lengths[i:i + 1]) for i in range(5)])
    assert torch.allclose(batched, alone, atol=1e-5)
    assert torch.equal(predict(model, x, lengths, batch_size=2), alone.argmax(-1))


def test_classifier_rejects_bad_settings_and_lengths_with_a_message():
    with pytest.raises(ValueError, match="exactly one of vocab_size"):
        ClassifierConfig(n_classes=3, vocab_size=10, n_features=4).check()
    with pytest.raises(ValueError, match="pooling must be one of last, mean"):
        SequenceClassifier(n_classes=3, vocab_size=10, pooling="max")
    model = SequenceClassifier(n_classes=3, vocab_size=10)
    with pytest.raises(ValueError, match="between 1 and T=4"):
        model(torch.zeros(2, 4, dtype=torch.long), torch.tensor([0, 4]))
    with pytest.raises(ValueError, match="token ids"):
        model(torch.zeros(2, 4, 3))


# ------------------------------------------------------------------------------ bad files
def _bad(tmp_path, name, content):
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content)
    return p


@pytest.mark.parametrize("choice,name,content,message", [
    ("csv-series", "empty.csv", "", "is empty"),
    ("csv-series", "header.csv", "date,value\n", "no data rows"),
    ("csv-series", "notime.csv", "a,b\n1,2\n3,4\n", "no column holds timestamps"),
    ("csv-series", "nonum.csv", "date,name\n2024-01-01,x\n2024-01-02,y\n", "no numeric value column"),
    ("csv-series", "baddate.csv", "date,v\n2024-01-01,1\nsoon,2\n", "not a date"),
    ("text-file", "empty.txt", "", "is empty"),
    ("text-file", "short.txt", "too short", "at least"),
    ("text-file", "latin1.txt", "caf\xe9 ".encode("latin-1") * 1000, "not UTF-8"),
    ("tsv-pairs", "cols.tsv", "one column only\n" * 30, "expected"),
    ("tsv-pairs", "few.tsv", "a\tb\n" * 3, "at least 20"),
])
def test_bad_files_raise_a_clear_data_error(tmp_path, choice, name, content, message):
    with pytest.raises(DataError, match=message) as err:
        load_data(choice, _bad(tmp_path, name, content))
    assert isinstance(err.value, ValueError)


def test_unreadable_audio_names_the_clip(tmp_path):
    folder = write_wav_folder(tmp_path / "clips", per_label=2)
    (folder / "low_c_9.wav").write_bytes(b"this is not audio at all" * 10)
    with pytest.raises(DataError, match="low_c_9.wav: cannot use this clip"):
        load_data("wav-folder", folder)


def test_silent_audio_is_refused(tmp_path):
    folder = write_wav_folder(tmp_path / "clips", per_label=2)
    sf.write(folder / "mid_c_9.wav", np.zeros(SR // 4, dtype=np.float32), SR)
    with pytest.raises(DataError, match="mid_c_9.wav"):
        load_data("wav-folder", folder)


def test_a_label_with_one_example_is_refused(tmp_path):
    folder = write_wav_folder(tmp_path / "clips", per_label=2)
    sf.write(folder / "other_a_0.wav", tone(5000, 0.3, np.random.default_rng(1)), SR)
    with pytest.raises(DataError, match=r"\['other'\] have only one example"):
        load_data("wav-folder", folder)


def test_missing_paths_and_unknown_choices_say_what_to_do(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_data("csv-series", tmp_path / "nope.csv")
    with pytest.raises(DataError, match="give the path"):
        load_data("text-file", None)
    with pytest.raises(DataError, match="no .wav files"):
        (tmp_path / "empty").mkdir()
        load_data("wav-folder", tmp_path / "empty")
    with pytest.raises(DataError, match="choose one of"):
        load_data("excel")


def test_stratified_split_gives_every_class_a_test_and_a_training_example():
    labels = ["a"] * 2 + ["b"] * 10 + ["c"] * 3
    split = stratified_split(labels)
    for c in "abc":
        mine = [s for s, lab in zip(split, labels) if lab == c]
        assert "test" in mine and "train" in mine


# ------------------------------------------------------------------------------ widget logic
def test_picker_shows_a_bad_file_and_keeps_the_data_it_had(tmp_path):
    picker = DataPicker(choice="csv-series")
    good = picker.pick("csv-series", str(write_series(tmp_path / "m.csv")))
    assert good is not None and picker.data is good and picker.message.startswith("✓")
    assert picker.pick("csv-series", str(_bad(tmp_path, "e.csv", ""))) is None
    assert picker.data is good
    assert "is empty" in picker.message and "is empty" in picker.status.value
    picker.path.value = str(tmp_path / "e.csv")
    with pytest.raises(DataError, match="is empty"):
        picker.load()


def test_answers_are_kept_and_reported_beside_the_findings(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_COURSE_RESULTS", str(tmp_path))
    q = FourQuestions(ordering="yes, word order", notebook=None)
    q.boxes["context"].value = "a passage"  # typing in the form records the answer
    report = q.report({"ordering": "order-blind model scored 0.5", "context": "T = 40"})
    assert report.loc["ordering", "your answer"] == "yes, word order"
    assert report.loc["context", "your answer"] == "a passage"
    assert report.loc["output", "your answer"] == "(not answered yet)"
    assert report.loc["context", "what the run found"] == "T = 40"
    with pytest.raises(ValueError, match="unknown question"):
        q.answer(colour="blue")
    checklist = Checklist()
    checklist.tick(0, checklist.steps[2])
    with pytest.raises(ValueError, match="no step"):
        checklist.tick(99)
    path = save_run(checklist, q, {"rnn_accuracy": 0.5}, data_name="tones", notebook="10_test")
    saved = json.loads(path.read_text())
    assert saved["numbers"] == {"rnn_accuracy": 0.5} and saved["done_alone_count"] == 2
    assert saved["four_questions"]["ordering"] == "yes, word order"


class StubTask:
    metric, higher_is_better = "accuracy", True


class LowerIsBetter:
    metric, higher_is_better = "rmse", False


BASE = {"majority class": {"accuracy": 0.33}, "bag-of-words": {"accuracy": 0.5067}}


def test_verdict_inside_the_noise_band_is_a_tie_that_ships_the_baseline():
    """The issue's numbers: 0.5208 vs 0.5067 with a band of ±0.029 is noise, not a win."""
    result = verdict(StubTask, BASE, {"accuracy": 0.5208}, band=0.0288)
    assert result.winner == "tie" and result.ship == "bag-of-words" and result.baseline == "bag-of-words"
    assert "Tie within noise" in str(result) and "beats" not in str(result)
    assert "Ship the simpler one: bag-of-words" in str(result)


@pytest.mark.parametrize("rnn,winner", [(0.5067 + 0.02 - 1e-9, "tie"), (0.5067 + 0.02 + 1e-6, "rnn"),
                                        (0.5067 - 0.02 + 1e-9, "tie"), (0.5067 - 0.02 - 1e-6, "baseline")])
def test_verdict_names_a_winner_only_outside_the_band(rnn, winner):
    result = verdict(StubTask, BASE, {"accuracy": rnn}, band=0.02)
    assert result.winner == winner
    text = str(result)
    assert ("beats" in text) == (winner == "rnn") and ("loses to" in text) == (winner == "baseline")
    assert result.ship == ("the RNN" if winner == "rnn" else "bag-of-words")


def test_verdict_on_a_lower_is_better_metric_picks_the_lowest_baseline():
    base = {"persistence": {"rmse": 2.0}, "seasonal naive": {"rmse": 1.0}}
    assert verdict(LowerIsBetter, base, {"rmse": 0.8}, band=0.1).winner == "rnn"
    assert verdict(LowerIsBetter, base, {"rmse": 0.95}, band=0.1).winner == "tie"
    lost = verdict(LowerIsBetter, base, {"rmse": 1.5}, band=0.1)
    assert lost.winner == "baseline" and lost.baseline == "seasonal naive" and "Ship seasonal naive" in str(lost)


def test_classification_noise_band_is_two_binomial_standard_errors(tmp_path):
    task = make_task(load_data("wav-folder", write_wav_folder(tmp_path / "clips", per_label=6)))
    n = len(task.test[2])
    assert task.noise_band({"accuracy": 0.5}) == pytest.approx(2 * math.sqrt(0.25 / (n + 4)))
    assert task.noise_band({"accuracy": 1.0}) > 0.3  # all right on a few clips is not proof: still a wide band


@pytest.mark.parametrize("kind", ["csv-series", "text-file", "tsv-pairs"])
def test_noise_band_needs_an_evaluation_first_and_is_then_positive(kind, tmp_path):
    seed_everything(0)
    plan = plan_for(load_data(kind, fixture_path(kind, tmp_path)))
    with pytest.raises(ValueError, match="evaluate"):
        plan.task.noise_band({})
    rnn = plan.task.evaluate(plan.model)  # untrained: errors vary, so the band is not zero
    assert 0 < plan.task.noise_band(rnn) < math.inf


# ------------------------------------------------------------------------------ one plan per kind of data
@pytest.mark.parametrize("kind,task_kind", [("csv-series", "forecast"), ("text-file", "generate"),
                                            ("wav-folder", "classify"), ("tsv-pairs", "translate")])
def test_plan_gives_every_kind_a_matching_model_trainer_and_test_split(kind, task_kind, tmp_path):
    """The notebook's cells below the picker only call these, whatever the data (the issue: a CSV
    series met ``data.counts()`` and ``task.test``, which only classification data had)."""
    plan = plan_for(load_data(kind, fixture_path(kind, tmp_path)))
    task = plan.task
    assert task.kind == task_kind and plan.trainer.model is plan.model
    assert plan.trainer.config.steps == task.budget.steps
    assert plan.trainer.config.batch_size <= len(task.train[0])  # tiny data: the batch shrinks to fit
    assert task.test is not None and len(task.describe()) > 0 and task.examples()
    assert task.shapes().splitlines()[0].startswith("train") and "test" in task.shapes()
    assert str(plan).splitlines()[1].startswith(f"task: {task_kind}")


def test_quality_bar_holds_the_default_data_only():
    class Summary:
        reason = "completed"

    class Data:
        source = "shakespeare-genre"

    numbers = {"rnn_accuracy": 0.36, "rnn_macro_f1": 0.5, "baseline_accuracy": 0.5, "baseline_macro_f1": 0.5,
               "majority_class_accuracy": 0.33, "majority_class_macro_f1": 0.17}
    plan = type("P", (), {"data": Data})()
    assert quality_problems(plan, Summary, numbers) == [
        "rnn accuracy 0.360 does not beat the majority class (0.330) by 0.05"]
    Data.source = "wav-folder"  # the learner's own data: no bar, the verdict speaks
    assert quality_problems(plan, Summary, numbers) == []
    Summary.reason = "stopped"
    assert "did not complete" in quality_problems(plan, Summary, {**numbers, "x": float("nan")})[0]
    assert "not finite: ['x']" in quality_problems(plan, Summary, {**numbers, "x": float("nan")})[1]


def test_run_numbers_name_the_first_real_baseline():
    numbers = run_numbers(BASE, {"accuracy": 0.5})
    assert numbers["baseline_accuracy"] == 0.5067 and numbers["majority_class_accuracy"] == 0.33


# ------------------------------------------------------------------------------ the form and the picker
def test_four_questions_start_empty_and_come_back_after_the_cell_runs_again(tmp_path, monkeypatch):
    """The issue: the boxes arrived pre-filled, and re-running their cell wiped what was typed."""
    monkeypatch.setenv("RNN_COURSE_RESULTS", str(tmp_path))
    first = FourQuestions(notebook="10_form_test")
    assert all(box.value == "" and box.placeholder for box in first.boxes.values())
    assert first.unanswered == list(first.boxes) and "none of the four questions" in first.note()
    first.boxes["ordering"].value = "yes: shuffled words lose the style"  # the learner types
    again = FourQuestions(notebook="10_form_test")  # the cell runs again, same kernel
    assert again.boxes["ordering"].value == "yes: shuffled words lose the style"
    assert "not yet: context, output, alternative" in again.note()
    assert "rnn-four-questions" in again.widget._dom_classes


def test_four_questions_come_back_from_the_saved_results_after_a_restart(tmp_path, monkeypatch):
    from rnn_course.capstone import views

    monkeypatch.setenv("RNN_COURSE_RESULTS", str(tmp_path))
    q = FourQuestions(notebook="10_restart_test", **{k: f"answer {k}" for k in views.QUESTIONS})
    save_run(Checklist(), q, {}, notebook="10_restart_test")
    monkeypatch.setattr(views, "_kept", {})  # a new kernel remembers nothing
    back = FourQuestions(notebook="10_restart_test")
    assert back.answers == q.answers and back.note() == ""


def test_picker_load_returns_what_load_loaded_without_loading_again(tmp_path, monkeypatch):
    from rnn_course.capstone import views

    picker = DataPicker()
    picker.choice.value, picker.path.value = "csv-series", str(write_series(tmp_path / "m.csv"))
    picker.button.click()  # what pressing Load does
    assert picker.data is not None and picker.message.startswith("✓")
    monkeypatch.setattr(views, "load_data", lambda *a, **k: pytest.fail("loaded twice"))
    assert picker.load() is picker.data


def test_picker_declares_the_dom_contract():
    picker = DataPicker()
    assert "rnn-picker" in picker.widget._dom_classes
    assert "rnn-picker-path" in picker.path._dom_classes and "rnn-picker-status" in picker.status._dom_classes
    assert picker.button.description == "Load"


# ------------------------------------------------------------------------------ the default data
def test_genre_passages_are_split_by_whole_play_without_speaker_names():
    data = shakespeare_genres(max_per_play=30)
    play_split = {}
    for g, s in zip(data.groups, data.split):
        assert play_split.setdefault(g, s) == s  # every passage of a play is in the same split
    assert {g for g, s in play_split.items() if s == "test"} == {r["play"] for r in plays("test")}
    assert data.classes == ["comedy", "history", "tragedy"]
    assert not any(p[0] == "hamlet" and p[1] == ":" for p in data.items)


def test_default_data_has_the_counts_the_majority_exercise_assumes():
    counts = shakespeare_genres().counts()
    assert counts["test"].tolist() == [400, 400, 400]
    assert counts.loc["history", "train"] == 3600 and counts["train"].sum() == 7600


def test_wav_folder_with_several_speakers_holds_whole_speakers_out(tmp_path):
    folder = tmp_path / "voices"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for label, freq in (("low", 300.0), ("high", 2000.0)):
        for speaker in ("ann", "bob", "cat", "dan", "eve"):
            for i in range(2):
                sf.write(folder / f"{label}_{speaker}_{i}.wav", tone(freq, 0.3, rng), SR)
    data = load_data("wav-folder", folder)
    assert "split by speaker" in data.name
    where = {}
    for speaker, part in zip(data.groups, data.split):
        where.setdefault(speaker, set()).add(part)
    assert all(len(parts) == 1 for parts in where.values()), where
    assert {"train", "test"} <= {p for parts in where.values() for p in parts}


def test_wav_folder_with_two_speakers_says_voices_may_repeat(tmp_path):
    data = load_data("wav-folder", write_wav_folder(tmp_path / "clips", per_label=4))
    assert "voices may be in train and test" in data.name


def test_a_series_of_step_numbers_gets_a_plan_without_a_season(tmp_path):
    """A CSV whose time column holds step numbers (no clock) loads; the forecast task then has no
    daily season to guess, and says so instead of crashing on the integer index."""
    n = 400
    values = np.sin(np.arange(n) / 5) + 0.01 * np.arange(n)
    (tmp_path / "steps.csv").write_text("step,value\n" + "\n".join(f"{1000 + i},{v:.5f}" for i, v in enumerate(values)))
    plan = plan_for(load_data("csv-series", str(tmp_path / "steps.csv")))
    assert plan.task.season is None and "season" not in plan.task.facts()["context"]
    assert set(plan.task.baselines()) >= {"persistence"}
