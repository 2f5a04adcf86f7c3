"""Notebook 10 as a learner runs it: pick a source, press Load, run the cells below — to a verdict.

The notebook's own cells run in a real kernel (nbclient) on a copy of the notebook. One cell is
added right after the picker's: it sets the picker's dropdown and path and presses its Load
button (``picker.button.click()`` runs exactly what a click runs); then the notebook's cells
below the picker run unchanged. Each source kind runs in a fresh kernel, and again in a kernel
that already ran another source (the issue: a CSV series after the default data reused the old
classifier). Small fixture files keep each run to seconds of training (the notebook's own step
budget). Written against the issue's breaks: on the notebook before the fix, a CSV series stops
at ``data.counts()`` ('SeriesData' object has no attribute 'counts'), a text file likewise.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.test_capstone import fixture_path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "10_your_own_sequence_task.ipynb"
VERDICT = re.compile(r"Tie within noise|The RNN beats the best baseline|The RNN loses to the best baseline")


def click_load(choice: str, path: str = "") -> str:
    """The added cell: what a learner does in the picker."""
    return (f"picker.choice.value = {choice!r}\n"
            f"picker.path.value = {path!r}\n"
            "picker.button.click()  # Load\n"
            "print('LOADED', picker.message[:1], type(picker.data).__name__)")


AFTER = ("print('AFTER', picker.message[:1], picker.data.source, plan.data.source, plan.task.kind, "
         "type(model).__name__, plan.trainer.model is model)")


def learner_notebook(sources: list[tuple[str, str]]):
    """The notebook's cells up to its picker, then for each (choice, path): Load, and every cell below."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.startswith("picker = DataPicker("))
    top, below = nb.cells[:at + 1], nb.cells[at + 1:]
    cells = list(top)
    for choice, path in sources:
        cells += [nbformat.v4.new_code_cell(click_load(choice, path)), *[c.copy() for c in below],
                  nbformat.v4.new_code_cell(AFTER)]
    nb.cells = cells
    return nb


def run_as_learner(sources, tmp_path, monkeypatch) -> list[str]:
    """Execute; a cell error fails the test with its traceback. Returns each source's printed text."""
    monkeypatch.setenv("RNN_COURSE_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    nb = learner_notebook(sources)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    text, runs = [], []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text.append(out.get("text", "") or "".join(out.get("data", {}).get("text/plain", "")))
        if cell.source.startswith("print('AFTER'"):
            runs.append("\n".join(text))
            text = []
    return runs


DATA = {"classify": "LabelledSequences", "forecast": "SeriesData", "generate": "TextData", "translate": "PairsData"}


def check_run(printed: str, choice: str, kind: str) -> None:
    assert f"LOADED ✓ {DATA[kind]}" in printed
    assert VERDICT.search(printed), "no verdict printed"
    assert "You have answered none of the four questions" in printed  # nobody typed: said, not failed
    assert "✓ rnn_" in printed  # the last cell's quality check passed
    # the demo of a bad file used its own picker: the learner's still shows what they loaded
    model = {"classify": "SequenceClassifier", "forecast": "ReturnLSTM", "generate": "RecurrentLM",
             "translate": "Seq2Seq"}[kind]
    assert f"AFTER ✓ {choice} {choice} {kind} {model} True" in printed


OWN_FILES = {"csv-series": "forecast", "text-file": "generate", "wav-folder": "classify", "tsv-pairs": "translate"}


@pytest.mark.parametrize("choice", list(OWN_FILES))
def test_own_file_runs_to_a_verdict_in_a_fresh_kernel(choice, tmp_path, monkeypatch):
    path = str(fixture_path(choice, tmp_path))
    (printed,) = run_as_learner([(choice, path)], tmp_path, monkeypatch)
    check_run(printed, choice, OWN_FILES[choice])


def test_each_own_file_after_another_rebuilds_everything(tmp_path, monkeypatch):
    """The default data first, then a CSV series: the issue's stale-classifier path; then each other
    kind of file after one of another kind."""
    order = ["csv-series", "wav-folder", "text-file", "tsv-pairs"]
    sources = [("shakespeare-genre", "")] + [(c, str(fixture_path(c, tmp_path))) for c in order]
    runs = run_as_learner(sources, tmp_path, monkeypatch)
    check_run(runs[0], "shakespeare-genre", "classify")
    for choice, printed in zip(order, runs[1:]):
        check_run(printed, choice, OWN_FILES[choice])


COURSE = {"english-french": "translate", "msft-returns": "forecast", "shakespeare-text": "generate",
          "electricity-load": "forecast", "spoken-commands": "classify"}


def test_course_data_sets_run_one_after_another(tmp_path, monkeypatch):
    """Every course data set but the default (nbval runs that one), in one kernel."""
    runs = run_as_learner([(c, "") for c in COURSE], tmp_path, monkeypatch)
    for (choice, kind), printed in zip(COURSE.items(), runs):
        check_run(printed, choice, kind)

