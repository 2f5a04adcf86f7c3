"""Where the course's files are: the project root, ``data/``, ``results/``."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["project_root", "data_dir"]


def project_root() -> Path:
    """The folder holding ``pyproject.toml`` (the package is installed from it in editable mode)."""
    root = Path(__file__).resolve().parents[1]
    return root if (root / "pyproject.toml").exists() else Path.cwd()


def data_dir() -> Path:
    """``$RNN_COURSE_DATA`` if set, else ``data/`` in the project."""
    env = os.environ.get("RNN_COURSE_DATA")
    return Path(env) if env else project_root() / "data"
