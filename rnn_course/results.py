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

from .paths import data_dir, project_root

__all__ = ["record", "results_dir", "set_notebook", "current_notebook", "read_results",
           "save_benchmark", "load_benchmark"]

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


# --- shipped benchmark results -------------------------------------------------------------
# Long measurements that a notebook cannot afford to repeat (a model-choice curve, a classroom
# of ten) are made by a script in benchmarks/ and shipped in data/benchmarks/<name>.json with the
# command, machine and date that produced them, so a notebook can plot them honestly.


def _machine() -> dict:
    import platform

    import torch

    info = {
        "python": platform.python_version(),
        "torch": str(torch.__version__),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
    }
    try:
        info["load_average_1_5_15"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:  # not on every platform
        pass
    return info


def save_benchmark(name: str, results: dict, *, command: str, path: Path | None = None) -> Path:
    """Write ``data/benchmarks/<name>.json``: ``results`` plus the command, machine and date.

    The load average is stored with the machine: a figure measured on a busy machine says so.
    """
    import datetime

    target = Path(path) if path else data_dir() / "benchmarks" / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "benchmark": name,
        "command": command,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": _machine(),
        "results": _plain(results),
    }
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{name}.", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f, indent=2, sort_keys=True)
        f.write("\n")
    os.chmod(tmp, 0o644)  # a shipped file, readable like the rest of data/ (mkstemp makes it 0600)
    os.replace(tmp, target)
    _update_manifest(target)
    return target


def _update_manifest(target: Path) -> None:
    """Give a re-measured file listed in ``data/SHA256SUMS`` its new checksum there, so one command
    re-measures a shipped benchmark. Files outside ``data/``, or not listed, are left alone."""
    import hashlib

    manifest = data_dir() / "SHA256SUMS"
    try:
        name = target.resolve().relative_to(data_dir().resolve()).as_posix()
    except ValueError:
        return
    if not manifest.exists():
        return
    lines = manifest.read_text().splitlines(keepends=True)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    new = [f"{digest}  {name}\n" if line.split()[1:] == [name] else line for line in lines]
    if new != lines:
        manifest.write_text("".join(new))


def load_benchmark(name: str) -> dict:
    """The shipped ``data/benchmarks/<name>.json`` (keys: benchmark, command, date, machine, results)."""
    path = data_dir() / "benchmarks" / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: it ships with the course; restore it with git "
            f"(git checkout -- {path.relative_to(data_dir().parent)}) or re-run benchmarks/{name}.py"
        )
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise ValueError(f"{path} is not valid JSON ({e}); restore it with git or re-run the benchmark") from e
