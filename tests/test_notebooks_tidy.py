"""Notebooks in git stay small, readable in a diff, and free of machine paths and errors."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as nbtools  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_tidy(path):
    assert nbtools.check(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_ends_by_asserting_its_quality_bar(path):
    import json
    code = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    assert "assert " in "".join(code[-1]["source"]), "the last code cell should assert the notebook's quality bar"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_names_itself_for_record(path):
    assert f'rnn_course.start("{path.stem}"' in path.read_text().replace('\\"', '"')


def test_tidy_keeps_cell_tags_that_timed_prose_refers_to_and_drops_other_metadata():
    nb = {"metadata": {"widgets": {}}, "cells": [
        {"cell_type": "code", "metadata": {"tags": ["dashboard-run"], "execution": {"iopub.status.busy": "…"}},
         "source": ["dash.run()"], "outputs": [{"output_type": "stream", "name": "stdout", "text": "…"}],
         "execution_count": 7}]}
    cell = nbtools.tidy(nb)["cells"][0]
    assert (cell["metadata"], cell["outputs"], cell["execution_count"]) == ({"tags": ["dashboard-run"]}, [], None)
