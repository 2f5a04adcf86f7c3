"""Every notebook has a text view in notebooks_py/ (jupytext py:percent) that matches it, so a
change to a notebook reads as a plain diff in review. The .ipynb stays the source."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as nbtools  # noqa: E402

NOTEBOOKS = sorted(nbtools.NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_text_view_exists_and_matches_its_notebook(path):
    problems = nbtools.pair_problems(path)
    assert not problems, "\n".join(problems)


def test_no_text_view_outlives_its_notebook():
    orphans = [p.name for p in nbtools.orphan_texts()]
    assert orphans == [], f"{orphans} in notebooks_py/ have no notebook in notebooks/; delete them (git rm)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_text_view_shows_every_cell_as_stored(path):
    """Read back, the view has the notebook's cells: same kinds, sources and tags, in order. (A
    source's final newline, which a few stored cells carry, is the one thing the text leaves out.)"""
    import jupytext

    stored = json.loads(path.read_text())["cells"]
    header, _, body = nbtools.as_text(json.loads(path.read_text()), path.name).partition("\n\n")
    assert header.startswith("# ")
    cells = jupytext.reads(body, fmt="py:percent").cells
    assert [(c.cell_type, c.source, c.metadata.get("tags")) for c in cells] == [
        (c["cell_type"], "".join(c["source"]).removesuffix("\n"), c["metadata"].get("tags")) for c in stored]


def test_the_repository_does_not_pair_notebooks_on_save():
    """No jupytext config in the repository: a learner saving a notebook in JupyterLab (where the
    jupytext extension is installed with the test tools) writes the .ipynb only, no .py."""
    from jupytext.config import find_jupytext_configuration_file

    for folder in (ROOT, nbtools.NOTEBOOKS):
        assert find_jupytext_configuration_file(folder, search_parent_dirs=False) is None, folder


# The workflow, on a small course of its own in tmp_path.

def notebook(source: str) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "id": "m", "metadata": {}, "source": ["# Title\n", "Some prose."]},
        {"cell_type": "code", "id": "c", "metadata": {"tags": ["first-training"]}, "execution_count": 3,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": "big output\n"}], "source": [source]},
    ]}


@pytest.fixture
def course(tmp_path, monkeypatch):
    notebooks, texts = tmp_path / "notebooks", tmp_path / "notebooks_py"
    notebooks.mkdir()
    monkeypatch.setattr(nbtools, "NOTEBOOKS", notebooks)
    monkeypatch.setattr(nbtools, "TEXTS", texts)
    path = notebooks / "01_demo.ipynb"
    path.write_text(nbtools.dump(notebook("x = 1")))
    return path, texts


def test_missing_and_stale_views_are_reported_with_the_command_that_fixes_them(course):
    path, texts = course
    [missing] = nbtools.pair_problems(path)
    assert "no text view" in missing and "tools/notebooks.py pair notebooks/01_demo.ipynb" in missing
    assert nbtools.pair(path) == texts / "01_demo.py"
    assert nbtools.pair_problems(path) == []
    path.write_text(nbtools.dump(notebook("x = 2")))  # an edit that bypassed tidy
    [stale] = nbtools.pair_problems(path)
    assert "out of date" in stale and "tools/notebooks.py pair notebooks/01_demo.ipynb" in stale


def test_tidy_rewrites_the_view_which_holds_cells_and_tags_but_no_outputs(course):
    path, texts = course
    assert nbtools.main(["tidy", str(path)]) == 0
    text = (texts / "01_demo.py").read_text()
    assert text.startswith("# notebooks/01_demo.ipynb as text")
    assert '# %% tags=["first-training"]\nx = 1\n' in text and "# Some prose." in text
    assert "big output" not in text and "jupytext_version" not in text and "kernelspec" not in text
    path.write_text(nbtools.dump(notebook("x = 2")))
    assert nbtools.main(["tidy", str(path)]) == 0
    assert "x = 2" in (texts / "01_demo.py").read_text() and nbtools.pair_problems(path) == []
    assert nbtools.main(["check", str(path)]) == 0


def test_a_notebook_outside_notebooks_gets_no_view_and_overwrites_none(course, tmp_path):
    path, texts = course
    nbtools.pair(path)
    before = (texts / "01_demo.py").read_text()
    scratch = tmp_path / "scratch" / "01_demo.ipynb"  # a copy being executed, say
    scratch.parent.mkdir()
    scratch.write_text(nbtools.dump(notebook("x = 99")))
    assert nbtools.main(["tidy", str(scratch)]) == 0
    assert (texts / "01_demo.py").read_text() == before
    assert nbtools.main(["pair", str(scratch)]) == 1  # says why instead of writing somewhere odd


def test_a_view_whose_notebook_was_renamed_is_an_orphan(course):
    path, texts = course
    nbtools.pair(path)
    path.rename(path.with_name("01_renamed.ipynb"))
    assert [p.name for p in nbtools.orphan_texts()] == ["01_demo.py"]
