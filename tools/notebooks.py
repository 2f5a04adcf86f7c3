#!/usr/bin/env python3
"""Keep notebooks small and their diffs readable.

    python tools/notebooks.py tidy notebooks/*.ipynb     # strip what should not be in git
    python tools/notebooks.py execute notebooks/00_start_here.ipynb   # run, store checked outputs
    python tools/notebooks.py check notebooks/*.ipynb    # report problems (used by the tests)
    python tools/notebooks.py pair notebooks/*.ipynb     # rewrite each notebook's text view in notebooks_py/
    python tools/notebooks.py timings notebooks/*.ipynb  # rewrite quoted run times from the benchmark
    python tools/notebooks.py timings --costs /tmp/costs.json notebooks/03_text_generation.ipynb

Stored outputs are kept only for cells marked ``# NBVAL_CHECK_OUTPUT`` — the deterministic
ones (shape tables, parameter counts) that nbval compares on every test run. Everything else
is re-created when the learner runs the notebook, so git holds no megabyte plots.

Each notebook in ``notebooks/`` has a text view, ``notebooks_py/NN_name.py`` in jupytext's
py:percent format (cells and tags; no outputs, no jupytext metadata), so a change to a notebook
reads as a plain diff in review. The ``.ipynb`` is the source: the view is written from it, never
read back. ``tidy``, ``execute`` and ``timings`` rewrite the view of every notebook they write;
``pair`` writes it alone; ``tests/test_notebook_sources.py`` fails while one is missing or stale.

Run times quoted in markdown are marked spans filled from ``data/benchmarks/notebook_costs.json``
(``benchmarks/notebook_costs.py``, measured on the course's 2-core machine): the whole notebook,
``<!-- time:nb -->about 40 s<!-- /time -->``, or one code cell by a tag it carries,
``<!-- time:cell=first-training -->about 5 s<!-- /time -->``. The figure is the CPU time the
kernel used: on an idle machine with one thread that is the time a learner waits, and unlike the
wall time it does not grow when the machine is busy. After a re-measure, ``timings`` rewrites
every span; ``tests/test_prose_timings.py`` fails while one disagrees.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

CHECK = "# NBVAL_CHECK_OUTPUT"
MAX_BYTES = 200_000
ROOT = Path(__file__).resolve().parents[1]
COSTS = ROOT / "data" / "benchmarks" / "notebook_costs.json"
MEASURE = "OMP_NUM_THREADS=1 .venv/bin/python benchmarks/notebook_costs.py --notebooks {stem}"
NOTEBOOKS = ROOT / "notebooks"
TEXTS = ROOT / "notebooks_py"  # outside notebooks/, so learners' JupyterLab file browser does not list them
TIME_SPAN = re.compile(r"(<!-- time:(nb|cell=([\w-]+)) -->)(.*?)(<!-- /time -->)", re.S)


def is_checked(cell: dict) -> bool:
    return cell["cell_type"] == "code" and CHECK in "".join(cell["source"])


def tidy(nb: dict) -> dict:
    n = 0
    for cell in nb["cells"]:
        cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k in ("tags",)}
        if cell["cell_type"] == "code":
            n += 1
            # nbval compares only cells that look run; a checked cell's count is its position,
            # so it never changes in a diff.
            cell["execution_count"] = n if is_checked(cell) else None
            if not is_checked(cell):
                cell["outputs"] = []
            for out in cell["outputs"]:
                if out.get("output_type") == "execute_result":
                    out["execution_count"] = n
                out.get("metadata", {}).clear()
    meta = nb.get("metadata", {})
    nb["metadata"] = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        **({"title": meta["title"]} if "title" in meta else {}),
    }
    return nb


def dump(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def as_text(nb: dict, name: str) -> str:
    """The notebook ``nb`` (a dict, as stored) as py:percent text: every cell, its tags, no outputs,
    and a two-line header naming the notebook ``name`` it came from."""
    import jupytext
    import nbformat

    node = nbformat.reads(json.dumps(nb), as_version=4)  # a copy, its sources joined into strings
    node.metadata = {"jupytext": {"notebook_metadata_filter": "-all", "cell_metadata_filter": "tags"}}
    return (f"# {name} as text (jupytext py:percent), written by `python tools/notebooks.py pair`.\n"
            "# Edit the notebook, not this file: `tools/notebooks.py tidy` rewrites it.\n\n"
            + jupytext.writes(node, fmt="py:percent"))


def text_path(path: Path) -> Path | None:
    """Where the text view of the notebook at ``path`` lives; ``None`` for a notebook outside
    ``notebooks/`` (a scratch copy in /tmp has no view, and must not overwrite the course's)."""
    path = path.resolve()
    return TEXTS / f"{path.stem}.py" if path.parent == NOTEBOOKS.resolve() else None


def view_of(path: Path) -> str:
    """What the text view of the notebook file at ``path`` should hold."""
    return as_text(json.loads(path.read_text()), f"{NOTEBOOKS.name}/{path.name}")


def pair(path: Path) -> Path | None:
    """Rewrite the text view of the notebook at ``path`` from the notebook; returns where, if anywhere."""
    target = text_path(path)
    if target is not None:
        target.parent.mkdir(exist_ok=True)
        target.write_text(view_of(path))
    return target


def pair_problems(path: Path) -> list[str]:
    """Why the text view of the notebook at ``path`` is missing or out of date, with the fix."""
    target = text_path(path)
    if target is None:
        return []
    fix = f"run `python tools/notebooks.py pair {NOTEBOOKS.name}/{path.name}`"
    if not target.exists():
        return [f"{path.name}: no text view {TEXTS.name}/{target.name}; {fix}"]
    if target.read_text() != view_of(path):
        return [f"{path.name}: {TEXTS.name}/{target.name} is out of date; {fix}"]
    return []


def orphan_texts() -> list[Path]:
    """Text views whose notebook is gone (renamed or deleted)."""
    return sorted(p for p in TEXTS.glob("*.py") if not (NOTEBOOKS / f"{p.stem}.ipynb").exists())


def write(path: Path, nb: dict) -> None:
    """Store ``nb`` at ``path`` tidy, and rewrite its text view."""
    path.write_text(dump(tidy(nb)))
    pair(path)


def check(path: Path) -> list[str]:
    text = path.read_text()
    nb = json.loads(text)
    problems = []
    if dump(tidy(json.loads(text))) != text:
        problems.append(f"{path.name}: not tidy; run `python tools/notebooks.py tidy {path}`")
    if len(text.encode()) > MAX_BYTES:
        problems.append(f"{path.name}: {len(text.encode())} bytes, over {MAX_BYTES}")
    for bad in ("/root/", "/tmp/", "/home/", "/work/", "/Users/"):
        if bad in text:
            problems.append(f"{path.name}: contains a machine path ({bad})")
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"{path.name}: a stored output is an error")
        if is_checked(cell) and not cell["outputs"]:
            problems.append(f"{path.name}: a {CHECK} cell has no stored output to compare against")
    return problems


def about(seconds: float) -> str:
    """A run time as prose says it: 'about 5 s', 'about 30 s', 'about 2 minutes'."""
    if seconds < 1:
        return "under a second"
    if seconds < 1.5:
        return "about a second"
    if seconds < 10:
        return f"about {round(seconds)} s"
    if seconds < 100:
        return f"about {5 * round(seconds / 5)} s"
    return f"about {round(seconds / 60)} minutes"


def measured_seconds(entry: dict, what: str, tag: str | None) -> float:
    """CPU seconds of the whole notebook (``what == "nb"``) or of its cell tagged ``tag``."""
    if what == "nb":
        return entry["cpu_s"]
    cells = [c for c in entry.get("cells", []) if tag in c.get("tags", [])]
    if len(cells) != 1:
        found = "no cell" if not cells else f"{len(cells)} cells"
        raise LookupError(f"the measurement has {found} tagged {tag!r}")
    return cells[0]["cpu_s"]


def fill_timings(nb: dict, stem: str, costs: dict) -> list[str]:
    """Rewrite the marked run times in ``nb``'s markdown from ``costs`` (notebook_costs.json).

    Returns what changed, as readable lines; raises ``LookupError`` when a span names a notebook
    or a cell tag the measurement does not have (re-measure: the message says how)."""
    entry = costs["results"]["notebooks"].get(stem)
    changes = []
    for i, cell in enumerate(nb["cells"]):
        text = "".join(cell["source"])
        if cell["cell_type"] != "markdown" or "<!-- time:" not in text:
            continue

        def fill(m: re.Match) -> str:
            if entry is None:
                raise LookupError(f"{stem} has not been measured; run `{MEASURE.format(stem=stem)}`")
            try:
                new = about(measured_seconds(entry, m[2], m[3]))
            except LookupError as e:
                raise LookupError(f"{stem}, cell {i}: {e}; tag the cell, then run `{MEASURE.format(stem=stem)}`") from None
            if m[4][:1].isupper():  # the span starts a sentence
                new = new[0].upper() + new[1:]
            if new != m[4]:
                changes.append(f"{stem}, cell {i}, {m[2]}: {m[4]!r} → {new!r}")
            return m[1] + new + m[5]

        new_text = TIME_SPAN.sub(fill, text)
        if new_text != text:
            cell["source"] = new_text.splitlines(keepends=True)
    return changes


def timings(path: Path, costs: dict) -> list[str]:
    """Fill one notebook file's marked run times from ``costs``; returns what changed."""
    nb = json.loads(path.read_text())
    changes = fill_timings(nb, path.stem, costs)
    if changes:
        write(path, nb)
    return changes


def execute(path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    write(path, json.loads(nbformat.writes(nb)))


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("tidy", "check", "execute", "timings", "pair"):
        print(__doc__)
        return 2
    problems, paths, costs = [], argv[1:], None
    if argv[0] == "timings":
        costs_path = COSTS
        if paths[0] == "--costs" and len(paths) > 2:
            costs_path, paths = Path(paths[1]), paths[2:]
        costs = json.loads(costs_path.read_text())
    for p in map(Path, paths):
        if argv[0] == "tidy":
            write(p, json.loads(p.read_text()))
        elif argv[0] == "pair":
            if pair(p) is None:
                problems.append(f"{p}: not a notebook in {NOTEBOOKS.name}/, so it has no text view")
        elif argv[0] == "execute":
            execute(p)
        elif argv[0] == "timings":
            try:
                print("\n".join(timings(p, costs)) or f"{p.name}: run times agree with the measurement")
            except LookupError as e:
                problems.append(str(e))
        else:
            problems += check(p) + pair_problems(p)
    print("\n".join(problems) or "ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
