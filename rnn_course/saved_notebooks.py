"""Saved notebooks reopen cleanly: a widget's view is replaced by a note when a notebook is saved.

A widget lives in the kernel that made it. A notebook saved with its widget views and reopened
later (a new kernel, or none) shows "Error displaying widget: model not found" in every widget
cell: the view points at a model that no kernel holds any more. Nothing is wrong with the
installation; the widget simply has to be made again by running its cell.

So the course's Jupyter server saves notebooks without widget views: each view's output keeps
only a plain-text note saying to run the cell again (``NOTE``), and the notebook's saved widget
state, if any, is dropped. The learner's open notebook is untouched; only the file on disk
changes. This module is a Jupyter server extension, switched on by
``jupyter-config/jupyter_server_config.d/rnn_course.json``, which installing the package puts
in the environment's ``etc/jupyter`` (pip, ``course.py``, conda via ``environment.yml``).

Check that it is on: ``jupyter server extension list`` names ``rnn_course.saved_notebooks``.
"""

from __future__ import annotations

__all__ = ["NOTE", "WIDGET_VIEW", "strip_widget_views", "pre_save_hook"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
NOTE = ("[an interactive widget was here: run this cell again to bring it back "
        "(widgets live in the running kernel and are not saved with the notebook)]")


def strip_widget_views(nb: dict) -> int:
    """Replace every widget view in ``nb`` (a notebook as a dict) by ``NOTE``; drop saved widget
    state. Changes ``nb`` in place and returns how many views were replaced."""
    replaced = 0
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = out.get("data")
            if isinstance(data, dict) and WIDGET_VIEW in data:
                del data[WIDGET_VIEW]
                data["text/plain"] = NOTE
                replaced += 1
    metadata = nb.get("metadata", {})
    if isinstance(metadata, dict):
        metadata.pop("widgets", None)
    return replaced


def pre_save_hook(model: dict, **_) -> None:
    """A Jupyter ``ContentsManager`` pre-save hook: notebooks are saved without widget views."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        strip_widget_views(model["content"])


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp) -> None:
    serverapp.contents_manager.register_pre_save_hook(pre_save_hook)
    serverapp.log.info("rnn_course: notebooks are saved without widget views (run the cell to bring one back)")
