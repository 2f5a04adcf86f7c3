"""Prose against measurement: quoted run times, study times, and progress for long cells.

Run times in markdown are marked spans (``<!-- time:nb -->…<!-- /time -->``,
``<!-- time:cell=<tag> -->…<!-- /time -->``) filled by ``tools/notebooks.py timings`` from
``data/benchmarks/notebook_costs.json``; study times live in ``rnn_course.checks.COURSE_MAP``.
"""

import copy
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as nbtools  # noqa: E402

from rnn_course.checks import COURSE_MAP  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
COSTS = json.loads(nbtools.COSTS.read_text())


def costs_with(stem: str, cpu_s: float, cells: list[dict]) -> dict:
    return {"results": {"notebooks": {stem: {"seconds": 99.0, "cpu_s": cpu_s, "cells": cells}}}}


def notebook_with(*markdown: str) -> dict:
    return {"cells": [{"cell_type": "markdown", "metadata": {}, "source": [text]} for text in markdown]}


# -- the machinery ---------------------------------------------------------------------------

@pytest.mark.parametrize("seconds, text", [(0.4, "under a second"), (1.2, "about a second"), (4.4, "about 4 s"),
                                           (27.0, "about 25 s"), (33.0, "about 35 s"), (150.0, "about 2 minutes")])
def test_about_says_a_run_time_as_prose_does(seconds, text):
    assert nbtools.about(seconds) == text


def test_timings_rewrite_notebook_and_cell_spans_from_cpu_seconds():
    nb = notebook_with("Runs in <!-- time:nb -->about a minute<!-- /time -->.",
                       "Trains for <!-- time:cell=train -->a few seconds<!-- /time -->; "
                       "<!-- time:cell=train -->About 5 s<!-- /time --> of training.")
    costs = costs_with("07_x", 41.0, [{"index": 3, "seconds": 80.0, "cpu_s": 29.0, "tags": ["train"]},
                                      {"index": 4, "seconds": 1.0, "cpu_s": 1.0}])
    changes = nbtools.fill_timings(nb, "07_x", costs)
    assert len(changes) == 3
    assert nb["cells"][0]["source"] == ["Runs in <!-- time:nb -->about 40 s<!-- /time -->."]
    assert "".join(nb["cells"][1]["source"]) == ("Trains for <!-- time:cell=train -->about 30 s<!-- /time -->; "
                                                 "<!-- time:cell=train -->About 30 s<!-- /time --> of training.")
    assert nbtools.fill_timings(nb, "07_x", costs) == []  # filled spans agree: nothing left to change


@pytest.mark.parametrize("stem, cells, says", [
    ("08_y", [], "has not been measured"),  # a notebook the measurement lacks
    ("07_x", [{"index": 3, "seconds": 1.0, "cpu_s": 1.0}], "no cell tagged 'train'"),  # tagged after measuring
])
def test_timings_name_what_to_re_measure_when_the_measurement_lacks_a_span(stem, cells, says):
    nb = notebook_with("Trains for <!-- time:cell=train -->about 5 s<!-- /time -->.")
    with pytest.raises(LookupError, match=says) as e:
        nbtools.fill_timings(nb, stem, costs_with("07_x", 10.0, cells))
    assert "benchmarks/notebook_costs.py --notebooks" in str(e.value)


# -- the course's notebooks agree with the shipped measurement --------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_quoted_run_times_agree_with_notebook_costs(path):
    nb = json.loads(path.read_text())
    changes = nbtools.fill_timings(copy.deepcopy(nb), path.stem, COSTS)
    assert changes == [], (f"run times in the prose disagree with {nbtools.COSTS.name}: {changes}; "
                           f"run `python tools/notebooks.py timings {path.relative_to(ROOT)}`")


def intro_minutes(path: Path) -> int | None:
    """The study time a notebook's introduction (its first markdown cell) states, if any."""
    first = next(c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown")
    m = re.search(r"\babout (\d+) minutes", "".join(first["source"]), re.I)
    return int(m[1]) if m else None


@pytest.mark.parametrize("stem, minutes", [(s, m) for _, s, _, _, m in COURSE_MAP], ids=[s for _, s, *_ in COURSE_MAP])
def test_study_time_in_the_introduction_matches_the_course_map(stem, minutes):
    stated = intro_minutes(ROOT / "notebooks" / f"{stem}.ipynb")
    if stated is not None:  # an introduction that states no study time has nothing to disagree with
        assert stated == minutes, f"{stem}'s introduction says {stated} minutes, the course map {minutes}"


def test_the_course_map_shows_the_study_times_it_holds():
    from rnn_course.checks import course_map

    assert [row[3] for row in course_map().rows] == [f"{m} min" for *_, m in COURSE_MAP]


# -- progress for long training cells --------------------------------------------------------

def test_progress_bar_counts_each_runs_steps_and_closes():
    import torch

    from rnn_course.train import ProgressBar, Trainer

    x = torch.randn(64, 3)
    bar = ProgressBar("test")
    trainer = Trainer(torch.nn.Linear(3, 1), (x, x.sum(1, keepdim=True)), lambda m, b: ((m(b[0]) - b[1]) ** 2).mean(),
                      steps=30, batch_size=8, callbacks=[bar])
    trainer.run()
    assert (bar.bar.n, bar.bar.total, bar.bar.disable) == (30, 30, True)  # full, and closed
    trainer.run(12)  # a second run gets a bar of its own length
    assert (bar.bar.n, bar.bar.total) == (12, 12)
    assert "loss" in bar.bar.postfix


def test_waiting_for_torchrun_shows_time_and_keeps_its_timeout():
    import subprocess

    from rnn_course.scaling.launch import wait_showing_time

    quick = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.6)"])
    assert wait_showing_time(quick, 10, "quick") == 0  # waited past a 0.5 s tick, then returned
    slow = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            wait_showing_time(slow, 0.8, "slow")
    finally:
        slow.kill()
        slow.wait()


# -- a re-measure is one command: the manifest follows the benchmark ----------------------------

def test_saving_a_listed_benchmark_updates_its_checksum_in_the_manifest(tmp_path, monkeypatch):
    from rnn_course.checks import check_data
    from rnn_course.results import save_benchmark

    monkeypatch.setenv("RNN_COURSE_DATA", str(tmp_path))
    (tmp_path / "other.txt").write_text("untouched")
    (tmp_path / "SHA256SUMS").write_text(f"{'0' * 64}  benchmarks/demo.json\n"
                                         "4f1b9b3c0c5b42f6d8e4e6bcf0e0b1b6d1f7c5e0d1a2b3c4d5e6f708192a3b4c  other.txt\n")
    save_benchmark("demo", {"ratio": 1.5}, command="python benchmarks/demo.py")
    lines = (tmp_path / "SHA256SUMS").read_text().splitlines()
    assert not lines[0].startswith("0" * 64) and lines[0].endswith("  benchmarks/demo.json")
    assert lines[1].startswith("4f1b9b3c")  # other files keep their line
    assert [r[1].startswith("✓") for r in check_data(tmp_path).rows] == [True, False]
    save_benchmark("elsewhere", {}, command="x", path=tmp_path.parent / "elsewhere.json")  # outside data/: no change
    assert (tmp_path / "SHA256SUMS").read_text().splitlines() == lines
