#!/usr/bin/env python3
"""Keep notebooks small and their diffs readable.

    python tools/notebooks.py tidy notebooks/*.ipynb     # strip what should not be in git
    python tools/notebooks.py execute notebooks/00_start_here.ipynb   # run, store checked outputs
    python tools/notebooks.py check notebooks/*.ipynb    # report problems (used by the tests)

Stored outputs are kept only for cells marked ``# NBVAL_CHECK_OUTPUT`` — the deterministic
ones (shape tables, parameter counts) that nbval compares on every test run. Everything else
is re-created when the learner runs the notebook, so git holds no megabyte plots.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CHECK = "# NBVAL_CHECK_OUTPUT"
MAX_BYTES = 200_000


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


def execute(path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    path.write_text(dump(tidy(json.loads(nbformat.writes(nb)))))


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("tidy", "check", "execute"):
        print(__doc__)
        return 2
    problems = []
    for p in map(Path, argv[1:]):
        if argv[0] == "tidy":
            p.write_text(dump(tidy(json.loads(p.read_text()))))
        elif argv[0] == "execute":
            execute(p)
        else:
            problems += check(p)
    print("\n".join(problems) or "ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
