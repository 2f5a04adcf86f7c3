"""record(): headline numbers land in results/<notebook>.json for benchmarks and checks."""

import json

import numpy as np
import pytest
import torch

import rnn_course
from rnn_course import record
from rnn_course import results


@pytest.fixture(autouse=True)
def results_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_COURSE_RESULTS", str(tmp_path))
    monkeypatch.setattr(results, "_notebook", None)
    return tmp_path


def test_record_writes_and_updates_the_notebook_file(results_in_tmp):
    rnn_course.start("02_language_modeling")
    record("perplexity", np.float32(123.5))
    record("run_seconds", torch.tensor(41.0))
    record("perplexity", 120.25)
    data = json.loads((results_in_tmp / "02_language_modeling.json").read_text())
    assert data == {"perplexity": 120.25, "run_seconds": 41.0}


def test_record_without_a_notebook_name_says_what_to_do():
    with pytest.raises(RuntimeError, match="rnn_course.start"):
        record("x", 1)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), torch.ones(3), object()])
def test_record_refuses_values_json_cannot_hold(bad):
    with pytest.raises(ValueError):
        record("x", bad, notebook="nb")


def test_notebook_name_must_be_a_plain_stem():
    with pytest.raises(ValueError):
        rnn_course.set_notebook("../escape")
    rnn_course.set_notebook("00_start_here.ipynb")
    assert results.current_notebook() == "00_start_here"


def test_start_seeds_everything_repeatably():
    rnn_course.start("nb", seed=3)
    a = (torch.rand(2), np.random.rand(2))
    rnn_course.start("nb", seed=3)
    b = (torch.rand(2), np.random.rand(2))
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_save_benchmark_keeps_command_machine_and_date(tmp_path, monkeypatch):
    from rnn_course.results import load_benchmark, save_benchmark

    monkeypatch.setenv("RNN_COURSE_DATA", str(tmp_path))
    save_benchmark("demo", {"ratio": 1.5}, command="python benchmarks/demo.py")
    doc = load_benchmark("demo")
    assert doc["results"] == {"ratio": 1.5}
    assert doc["command"] == "python benchmarks/demo.py"
    assert doc["machine"]["cpu_count"] >= 1 and doc["date"].startswith("20")


def test_load_benchmark_missing_says_how_to_restore(tmp_path, monkeypatch):
    from rnn_course.results import load_benchmark

    monkeypatch.setenv("RNN_COURSE_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="benchmarks/nothing.py"):
        load_benchmark("nothing")
