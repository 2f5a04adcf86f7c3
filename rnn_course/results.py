"""``record(key, value)``: a notebook's headline numbers, kept for benchmarks and checks.

Each notebook names itself once (``rnn_course.start("02_language_modeling")``); every
``record`` call then updates ``results/<notebook>.json`` at the top of the project
(git-ignored). Benchmarks and the CI quality checks read those files after a run.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import tempfile
from pathlib import Path

from .paths import project_root

__all__ = ["record", "results_dir", "set_notebook", "current_notebook", "read_results"]

_notebook: str | None = None


def results_dir() -> Path:
    """``$RNN_COURSE_RESULTS`` if set, else ``results/`` beside ``pyproject.toml``."""
    env = os.environ.get("RNN_COURSE_RESULTS")
    return Path(env) if env else project_root() / "results"


def set_notebook(name: str) -> None:
    """Name the notebook whose numbers ``record`` writes (``"00_start_here"``, no suffix)."""
    global _notebook
    name = str(name).removesuffix(".ipynb")
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"notebook name must be a plain file stem like '02_language_modeling', got {name!r}")
    _notebook = name


def current_notebook() -> str | None:
    return _notebook


def _plain(value):
    """Turn numbers from numpy/torch into JSON numbers; refuse what JSON cannot hold."""
    if hasattr(value, "item") and callable(value.item):
        try:
            value = value.item()
        except (ValueError, RuntimeError) as e:
            raise ValueError(f"record() takes a single number, string or bool; got {value!r}") from e
    if isinstance(value, str):
        return str(value)  # a str subclass (torch.__version__ is one) would not load with weights_only
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"record() got {value}: a result must be a finite number")
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    raise ValueError(f"record() cannot store {type(value).__name__}; give a number, string, bool, list or dict")


def record(key: str, value, *, notebook: str | None = None) -> None:
    """Store ``value`` under ``key`` in ``results/<notebook>.json`` (written atomically)."""
    nb = notebook or _notebook
    if nb is None:
        raise RuntimeError(
            "record() does not know which notebook this is: call rnn_course.start('<notebook name>') "
            "at the top of the notebook, or pass notebook='...'"
        )
    if not isinstance(key, str) or not key:
        raise ValueError(f"record() key must be a non-empty string, got {key!r}")
    value = _plain(value)
    path = results_dir() / f"{nb}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = read_results(nb)
    data[key] = value
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{nb}.", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def read_results(notebook: str) -> dict:
    """What a notebook has recorded so far ({} if nothing, or if the file is unreadable)."""
    path = results_dir() / f"{str(notebook).removesuffix('.ipynb')}.json"
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
