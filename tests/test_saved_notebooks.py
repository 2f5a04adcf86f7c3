"""Notebooks are saved without widget views, so a reopened notebook never says "model not found".

The browser test (tests/test_browser.py) reopens saved notebooks in JupyterLab; these tests pin
the pieces: the hook's effect on a notebook, and that this environment's Jupyter server loads it.
"""

from __future__ import annotations

import json
import subprocess
import sys

from rnn_course.saved_notebooks import NOTE, WIDGET_VIEW, pre_save_hook, strip_widget_views


def notebook_with_widget() -> dict:
    view = {"model_id": "0f3c", "version_major": 2, "version_minor": 0}
    return {
        "metadata": {"widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}}, "kernelspec": {}},
        "cells": [
            {"cell_type": "markdown", "source": "text", "metadata": {}},
            {"cell_type": "code", "source": "dash", "metadata": {}, "outputs": [
                {"output_type": "display_data", "metadata": {},
                 "data": {"text/plain": "VBox(children=(HTML(value='<b>Training</b>'),))", WIDGET_VIEW: view}},
                {"output_type": "stream", "name": "stdout", "text": "kept\n"},
            ]},
            {"cell_type": "code", "source": "1 + 1", "metadata": {}, "outputs": [
                {"output_type": "execute_result", "metadata": {}, "execution_count": 2, "data": {"text/plain": "2"}}]},
        ],
    }


def test_widget_views_become_a_note_and_nothing_else_changes():
    nb = notebook_with_widget()
    assert strip_widget_views(nb) == 1
    widget_out, stream = nb["cells"][1]["outputs"]
    assert widget_out["data"] == {"text/plain": NOTE}
    assert "run this cell again" in NOTE
    assert stream["text"] == "kept\n"
    assert nb["cells"][2]["outputs"][0]["data"] == {"text/plain": "2"}
    assert "widgets" not in nb["metadata"] and "kernelspec" in nb["metadata"]
    assert strip_widget_views(nb) == 0  # idempotent


def test_pre_save_hook_touches_notebooks_only():
    nb = notebook_with_widget()
    pre_save_hook({"type": "notebook", "content": nb}, path="x.ipynb", contents_manager=None)
    assert WIDGET_VIEW not in json.dumps(nb)
    text = {"type": "file", "content": json.dumps(notebook_with_widget())}
    pre_save_hook(text, path="x.json")
    assert WIDGET_VIEW in text["content"]


def test_this_environments_jupyter_server_loads_the_extension():
    """course.py setup writes the server config into .venv; the server must list the extension."""
    out = subprocess.run([sys.executable, "-m", "jupyter", "server", "extension", "list"],
                         capture_output=True, text=True, timeout=120)
    text = out.stdout + out.stderr
    assert "rnn_course.saved_notebooks" in text and "OK" in text.split("rnn_course.saved_notebooks")[-1][:200], text


def test_loading_the_extension_does_not_import_torch():
    """The Jupyter server imports the extension at start-up: it must not pull in torch (2 s, 200 MB)."""
    code = "import sys, rnn_course.saved_notebooks; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
