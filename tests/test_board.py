"""The room board's rows (rnn_course/board.py), from learners' results folders, without a hub.

The board's web service and its refusal of learners are tested on a real hub in
tests/test_classroom.py."""

from __future__ import annotations

import json
import os

import pytest

from rnn_course.board import MAX_BYTES, Row, board_page, board_rows, read_learner
from rnn_course.exercises import check, check_quiz


def write(home, notebook, data):
    results = home / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"{notebook}.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_a_learner_row_says_notebooks_outcomes_and_the_latest_failure(tmp_path):
    home = tmp_path / "ada"
    write(home, "01_sequences_and_shapes", {
        "exercises": {"01-h_n-shape": True, "01-last-step": False},
        "quiz": {"01-quiz-batch-first": True, "01-quiz-padding": False},
        "last_failed": {"check": "01-last-step", "message": "that is out[-1]", "at": "2026-12-06T05:00:00+00:00"},
    })
    write(home, "02_language_modeling", {
        "perplexity": 5.1,
        "last_failed": {"check": "02-quiz-x", "message": "", "at": "2026-12-06T06:00:00+00:00"},
    })
    row = read_learner("ada", home)
    assert row.notebooks == ("01_sequences_and_shapes", "02_language_modeling")
    assert row.exercises_passed == ("01-h_n-shape",) and row.exercises_failed == ("01-last-step",)
    assert row.quiz_passed == ("01-quiz-batch-first",) and row.quiz_failed == ("01-quiz-padding",)
    assert row.last_failed["check"] == "02-quiz-x"  # the later of the two
    assert row.last_failed["notebook"] == "02_language_modeling" and row.problems == ()
    assert row.last_activity is not None
    assert json.loads(json.dumps(row.as_dict()))["exercises_failed"] == ["01-last-step"]


def test_missing_and_corrupt_files_give_a_row_that_says_so(tmp_path):
    assert read_learner("new", tmp_path / "new").problems == ("no results folder yet",)
    home = tmp_path / "bob"
    write(home, "01_sequences_and_shapes", '{"exercises": {"01-h_n-shape": tr')  # cut short mid-write
    write(home, "02_language_modeling", "[1, 2]")
    write(home, "03_text_generation", b"\xff\xfe".decode("latin-1"))
    write(home, "05_stock_prices", {"exercises": "all of them", "quiz": ["x"], "last_failed": "yes"})
    row = read_learner("bob", home)
    assert row.notebooks == ("05_stock_prices",)  # the one file that parses; its odd sections count as none
    assert row.exercises_passed == row.quiz_failed == () and row.last_failed is None
    assert [p.split(":")[0] for p in row.problems] == [
        "01_sequences_and_shapes.json", "02_language_modeling.json", "03_text_generation.json"]
    assert "not valid JSON" in row.problems[0] and "not a JSON object" in row.problems[1]


def test_links_fifos_and_huge_files_are_not_read(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"exercises": {"stolen": True}}))
    home = tmp_path / "eve"
    (home / "results").mkdir(parents=True)
    (home / "results" / "01_sequences_and_shapes.json").symlink_to(secret)
    os.mkfifo(home / "results" / "02_language_modeling.json")  # reading it would wait forever
    write(home, "03_text_generation", " " * (MAX_BYTES + 1))
    row = read_learner("eve", home)
    assert row.notebooks == () and row.exercises_passed == ()
    assert row.problems == ("01_sequences_and_shapes.json: a link, not a file",
                            "02_language_modeling.json: not a regular file",
                            f"03_text_generation.json: too large ({MAX_BYTES + 1} bytes)")
    linked = tmp_path / "mallory"
    linked.mkdir()
    (linked / "results").symlink_to(home / "results")  # another learner's folder
    assert read_learner("mallory", linked).problems[0].startswith("results folder cannot be read")


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_file_the_learner_does_not_own_is_not_read(tmp_path):
    home = tmp_path / "eve"
    path = write(home, "01_sequences_and_shapes", {"exercises": {"01-h_n-shape": True}})
    os.chown(path, 65534, 65534)  # e.g. a hard link to someone else's file
    assert read_learner("eve", home).problems == ("01_sequences_and_shapes.json: not the learner's own file",)


def test_board_rows_has_one_row_per_learner_folder(tmp_path):
    assert board_rows(tmp_path / "no-homes-yet") == []
    write(tmp_path / "bob", "01_sequences_and_shapes", {"exercises": {"01-h_n-shape": True}})
    (tmp_path / "ada").mkdir()
    (tmp_path / "stray.txt").write_text("not a learner")
    rows = board_rows(tmp_path)
    assert [r.learner for r in rows] == ["ada", "bob"]
    assert rows[1].exercises_passed == ("01-h_n-shape",)


def test_the_checkers_write_what_the_board_reads(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_COURSE_RESULTS", str(tmp_path / "ada" / "results"))
    check("01-h_n-shape", (4, 3, 16))
    check("01-lstm-params", 160)  # forgets the second bias
    check("01-last-step", ...)  # not answered yet: no outcome
    row = read_learner("ada", tmp_path / "ada")
    assert row.exercises_passed == ("01-h_n-shape",) and row.exercises_failed == ("01-lstm-params",)
    assert row.last_failed["check"] == "01-lstm-params" and "two bias vectors" in row.last_failed["message"]
    check("01-lstm-params", 200)
    check_quiz({"01-quiz-batch-first": "a"})
    row = read_learner("ada", tmp_path / "ada")
    assert row.exercises_passed == ("01-h_n-shape", "01-lstm-params") and row.exercises_failed == ()
    assert row.quiz_failed == ("01-quiz-batch-first",) and row.last_failed["check"] == "01-quiz-batch-first"


def test_the_page_escapes_what_learners_wrote(tmp_path):
    row = Row("ada", ("01_sequences_and_shapes", "classroom_task"), ("01-h_n-shape",), ("<b>x</b>",),
              last_failed={"check": "01-last-step", "message": "<script>alert(1)</script>", "at": 100.0},
              last_activity=100.0, problems=("x.json: <img src=x onerror=alert(1)>",))
    page = board_page([row], now=160.0, refresh=3)
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page
    assert '<meta http-equiv=refresh content="3">' in page
    assert "01, classroom_task" in page and "✓ 01-h_n-shape" in page and "✗ &lt;b&gt;x&lt;/b&gt;" in page
    assert "60 s ago" in page
    assert "No learner has started" in board_page([])
