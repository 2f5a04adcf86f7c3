"""Instructor notes (docs/instructor/): one per notebook, the same sections, numbers that cannot go stale.

Every run time a note quotes is read back and compared with ``data/benchmarks/notebook_costs.json``
(the record ``benchmarks/notebook_costs.py`` writes), every study time with ``rnn_course.checks.COURSE_MAP``,
and a time in any other form is refused, so a re-measure that moves a number fails here until the
note follows. Every exercise or quiz key a note names must exist, and every key of its notebook
must be named (its wrong answers are what the room gets wrong).

The forms a note may use (one per line, in its Timings section):

    - whole notebook: 67.4 CPU-s, kernel peak 814 MB
    - cell `summary = dash.run()` (the dashboard's run): 42.8 CPU-s     ← the cell whose first line starts so
    - demo mode: 6.1 CPU-s                                            ← results["demo_notebooks"]
    - demo mode: see data/benchmarks/notebook_costs.json once demo mode lands   ← only while that is missing
    - study time: 60 minutes
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rnn_course.checks import COURSE_MAP
from rnn_course.exercises import EXERCISES, QUESTIONS

ROOT = Path(__file__).resolve().parents[1]
NOTES = ROOT / "docs" / "instructor"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
COSTS = json.loads((ROOT / "data" / "benchmarks" / "notebook_costs.json").read_text())["results"]
STUDY = {stem: minutes for _, stem, *_, minutes in COURSE_MAP}

SECTIONS = ("The arc", "Show live, skip", "Timings", "Where learners go wrong", "Questions for the room")
PENDING_DEMO = "demo mode: see data/benchmarks/notebook_costs.json once demo mode lands"

WHOLE = re.compile(r"whole notebook: (?P<cpu>\d+(?:\.\d+)?) CPU-s, kernel peak (?P<mb>[\d,]+) MB")
CELL = re.compile(r"cell `(?P<src>[^`]+)`[^:\n]*: (?P<cpu>\d+(?:\.\d+)?) CPU-s")
DEMO = re.compile(r"demo mode: (?P<cpu>\d+(?:\.\d+)?) CPU-s")
STUDY_TIME = re.compile(r"study time: (?P<min>\d+) minutes")
ANY_TIME = re.compile(r"\d\s*(?:CPU-s|CPU seconds|seconds?\b|sec\b|min\b|minutes?\b|hours?\b|[MG]B\b)|\d\s+s\b", re.I)
KEY = re.compile(r"`(\d\d-[\w-]+)`")


def sections(text: str) -> dict[str, str]:
    """``## heading`` → the text under it, up to the next ``## ``."""
    parts = re.split(r"(?m)^## +(.+?)\s*$", text)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def timing_problems(text: str, stem: str, costs: dict, study: dict) -> list[str]:
    """What in ``text`` disagrees with the record ``costs`` (notebook_costs.json's results) for ``stem``."""
    problems, entry = [], costs.get("notebooks", {}).get(stem)
    demo = costs.get("demo_notebooks", {}).get(stem)

    def near(quoted: str, measured: float, digits: int) -> bool:
        return abs(float(quoted.replace(",", "")) - measured) <= 0.5 * 10 ** -digits + 1e-9  # rounded either way

    rest = text
    for m in WHOLE.finditer(text):
        if entry is None:
            problems.append(f"{stem} has no entry in notebook_costs.json; re-measure it")
        elif not (near(m["cpu"], entry["cpu_s"], 1) and near(m["mb"], entry["peak_rss_mb"], 0)):
            problems.append(f"{m[0]!r}: measured {entry['cpu_s']:.1f} CPU-s, kernel peak {entry['peak_rss_mb']:.0f} MB")
    for m in CELL.finditer(text):
        cells = [c for c in (entry or {}).get("cells", []) if c["source"].startswith(m["src"])]
        if len(cells) != 1:
            problems.append(f"{m[0]!r}: {len(cells)} measured cells of {stem} start with {m['src']!r} (want exactly 1)")
        elif not near(m["cpu"], cells[0]["cpu_s"], 1):
            problems.append(f"{m[0]!r}: measured {cells[0]['cpu_s']:.1f} CPU-s")
    for m in DEMO.finditer(text):
        if demo is None:
            problems.append(f"{m[0]!r}: notebook_costs.json has no demo-mode entry for {stem}")
        elif not near(m["cpu"], demo["cpu_s"], 1):
            problems.append(f"{m[0]!r}: measured {demo['cpu_s']:.1f} CPU-s in demo mode")
    if PENDING_DEMO in text and demo is not None:
        problems.append(f"demo mode has been measured for {stem} ({demo['cpu_s']:.1f} CPU-s): quote it "
                        f"('demo mode: {demo['cpu_s']:.1f} CPU-s') instead of {PENDING_DEMO!r}")
    for m in STUDY_TIME.finditer(text):
        if int(m["min"]) != study.get(stem):
            problems.append(f"{m[0]!r}: rnn_course.checks.COURSE_MAP says {study.get(stem)} minutes")
    for pattern in (WHOLE, CELL, DEMO, STUDY_TIME):
        rest = pattern.sub("", rest)
    for m in ANY_TIME.finditer(rest):
        line = next(l for l in rest.splitlines() if m[0] in l)
        problems.append(f"a time or size in a form this test cannot check: {line.strip()!r} "
                        "(use one of the forms in tests/test_instructor_notes.py's docstring)")
    return problems


def key_problems(text: str, number: str) -> list[str]:
    named = set(KEY.findall(text))
    known = set(EXERCISES) | set(QUESTIONS)
    problems = [f"`{k}` is neither an exercise nor a quiz question" for k in sorted(named - known)]
    mine = {k for k in known if k.startswith(f"{number}-")}
    problems += [f"notebook {number}'s `{k}` is not named (say what the room gets wrong there)"
                 for k in sorted(mine - named)]
    return problems


# -- the checks themselves catch what they should -----------------------------------------------

RECORD = {"notebooks": {"02_x": {"cpu_s": 67.37, "peak_rss_mb": 814.3, "cells": [
    {"index": 16, "cpu_s": 42.76, "source": "summary = dash.run()"},
    {"index": 18, "cpu_s": 6.73, "source": "from rnn_course.language.baselines import KneserNeyLM"}]}}}
GOOD = ("- whole notebook: 67.4 CPU-s, kernel peak 814 MB\n- cell `summary = dash.run()` (dashboard): 42.8 CPU-s\n"
        "- cell `from rnn_course.language.baselines`: 6.7 CPU-s\n- study time: 60 minutes\n- " + PENDING_DEMO + "\n")


def test_timing_check_accepts_numbers_that_match_the_record():
    assert timing_problems(GOOD, "02_x", RECORD, {"02_x": 60}) == []


@pytest.mark.parametrize("stale, says", [
    ("67.4 CPU-s, kernel peak 814", "67.0 CPU-s, kernel peak 814"),  # re-measured notebook
    ("dashboard): 42.8", "dashboard): 30.0"),  # re-measured cell
    ("60 minutes", "45 minutes"),  # study time changed in the course map
    ("- study time", "- trains in about 45 s\n- study time"),  # a time the test cannot check
    ("cell `summary = dash.run()`", "cell `print(summary)`"),  # a cell the record does not have
])
def test_timing_check_refuses_a_stale_or_unchecked_number(stale, says):
    assert timing_problems(GOOD.replace(stale, says), "02_x", RECORD, {"02_x": 60})


def test_pending_demo_line_is_refused_once_demo_mode_is_measured():
    record = {**RECORD, "demo_notebooks": {"02_x": {"cpu_s": 6.12, "cells": []}}}
    assert any("demo mode has been measured" in p for p in timing_problems(GOOD, "02_x", record, {"02_x": 60}))
    measured = GOOD.replace(PENDING_DEMO, "demo mode: 6.1 CPU-s")
    assert timing_problems(measured, "02_x", record, {"02_x": 60}) == []


def test_key_check_refuses_unknown_keys_and_missing_ones():
    assert key_problems("`01-h_n-shape` `01-nonsense`", "01")  # unknown, and 01's others missing
    everything = " ".join(f"`{k}`" for k in (*EXERCISES, *QUESTIONS) if k.startswith("01-"))
    assert key_problems(everything, "01") == []


# -- the course's notes ---------------------------------------------------------------------------

@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_every_notebook_has_notes_with_the_required_sections(notebook):
    path = NOTES / f"{notebook.stem}.md"
    assert path.is_file(), f"no instructor notes for {notebook.name}: write {path.relative_to(ROOT)}"
    found = sections(path.read_text())
    missing = [s for s in SECTIONS if not found.get(s, "").strip()]
    assert not missing, f"{path.name} lacks (or leaves empty) the sections {missing}"
    arc = [line for line in found["The arc"].splitlines() if line.strip()]
    assert len(arc) == 5 and all(line.startswith(f"{i}. ") for i, line in enumerate(arc, 1)), \
        f"{path.name}: the arc is five numbered lines, 1. to 5.; it has {arc}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_notes_quote_the_measured_timings(notebook):
    text = (NOTES / f"{notebook.stem}.md").read_text()
    timings = sections(text)["Timings"]
    assert WHOLE.search(timings) and STUDY_TIME.search(timings), \
        "the Timings section quotes the whole notebook's CPU-s and the study time"
    assert DEMO.search(timings) or PENDING_DEMO in timings, "the Timings section says what demo mode costs"
    problems = timing_problems(text, notebook.stem, COSTS, STUDY)
    assert not problems, (f"{notebook.stem}.md disagrees with notebook_costs.json or the course map "
                          "(re-read the record, or re-measure with benchmarks/notebook_costs.py):\n"
                          + "\n".join(problems))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_notes_name_real_exercise_and_quiz_keys(notebook):
    problems = key_problems((NOTES / f"{notebook.stem}.md").read_text(), notebook.stem[:2])
    assert not problems, "\n".join(problems)


def test_the_index_links_every_note_and_quotes_no_unchecked_time():
    index = (NOTES / "README.md").read_text()
    unlinked = [nb.stem for nb in NOTEBOOKS if f"({nb.stem}.md)" not in index]
    assert not unlinked, f"docs/instructor/README.md does not link {unlinked}"
    assert not ANY_TIME.search(index), "the index quotes times; they belong in the notes, where they are checked"
    assert "docs/instructor/" in (ROOT / "README.md").read_text(), "the README links the instructor notes"
