"""What each course notebook costs to run alone: wall time and peak memory of its kernel.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/notebook_costs.py                 # every notebook
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/notebook_costs.py --notebooks 07 08_choosing_a_model
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/notebook_costs.py --demo          # in demo mode

Each notebook runs top to bottom in a fresh kernel with nbclient (as ``jupyter nbconvert
--execute`` does), one at a time, with ``OMP_NUM_THREADS=1`` (as on the workshop hub) and its
``record()`` numbers sent to a temporary folder; the notebook file is not changed. Twice a
second the kernel's process tree is sampled with psutil: RSS (what ``top`` shows) and PSS
(shared pages split fairly). A workshop organiser reads this with ``benchmarks/classroom.py``:
the classroom run gives the cost of many learners at once, this one the cost of each notebook.

Results merge into ``data/benchmarks/notebook_costs.json`` (``--out`` elsewhere): notebooks
measured earlier keep their entries, so later notebooks can be added with ``--notebooks``.
``results["notebooks"][<stem>]`` holds, for each notebook:

- ``ok`` (ran to the end), ``error`` (the first failing cell's error, or null), ``code_cells``
- ``seconds`` (kernel start to the last cell), ``cpu_s`` (CPU seconds, user + system, the
  kernel used: the notebook's work whatever else the machine was doing; on an idle machine
  with one thread, ``seconds`` is close to it), ``peak_rss_mb`` and ``peak_pss_mb`` (kernel
  process tree, peak of the sum)
- ``date``, ``load_before`` and ``load_after`` (1-minute load average: the machine is shared,
  so a time measured under load says so), ``cpu_count``
- ``cells``: one entry per code cell run, in order: ``index`` (its position in the notebook,
  markdown cells included), ``seconds`` (wall time from sending the cell to its reply),
  ``cpu_s`` (CPU seconds the kernel's process tree used meanwhile, child processes included),
  ``tags`` (the cell's tags, when it has any) and ``source`` (its first line)

``--demo`` runs the notebooks in demo mode (``RNN_COURSE_DEMO=1``: training cells replay their
recorded runs, see ``rnn_course/demo.py``) and keeps their entries, in the same format, apart:
``results["demo_notebooks"][<stem>]``, with the command in ``results["demo_command"]``; the
full runs' entries and command are left as they were (and a full run leaves the demo ones).

The prose quotes these figures through marked spans (``<!-- time:nb -->…<!-- /time -->``, and
``<!-- time:cell=<tag> -->…<!-- /time -->`` for a cell with that tag); after a re-measure,
``python tools/notebooks.py timings notebooks/*.ipynb`` rewrites them, and
``tests/test_prose_timings.py`` fails while any disagrees.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SLOW_CELL_S = 5.0  # a cell longer than this is listed as it is measured: it should show progress
from rnn_course.cost import pss_mb


class TreeSampler(threading.Thread):
    """Peak RSS and PSS (MB) of this process's children and their children: the kernel."""

    def __init__(self, interval: float = 0.5):
        super().__init__(daemon=True, name="kernel-sampler")
        self.interval, self.peak_rss, self.peak_pss = interval, 0.0, 0.0
        self.stop_event = threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        while not self.stop_event.wait(self.interval):
            rss = pss = 0.0
            for p in me.children(recursive=True):
                try:
                    rss += p.memory_info().rss / 2**20
                    pss += pss_mb(p)
                except psutil.Error:
                    continue
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)


def tree_cpu_s() -> float:
    """CPU seconds (user + system) used so far by this process's descendants: the kernel and
    whatever it started, including children it has already waited for."""
    total = 0.0
    for p in psutil.Process().children(recursive=True):
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            continue
    return total


class CellTimer:
    """nbclient hooks that time every code cell: wall seconds and the kernel tree's CPU seconds."""

    def __init__(self):
        self.cells: list[dict] = []
        self._start = (0.0, 0.0)

    def before(self, cell, cell_index, **_):
        self._start = (time.perf_counter(), tree_cpu_s())

    def after(self, cell, cell_index, **_):
        wall, cpu = time.perf_counter() - self._start[0], tree_cpu_s() - self._start[1]
        entry = {"index": cell_index, "seconds": round(wall, 2), "cpu_s": round(cpu, 2),
                 "source": cell.source.strip().splitlines()[0][:60]}
        if cell.metadata.get("tags"):
            entry["tags"] = list(cell.metadata["tags"])
        self.cells.append(entry)


def resolve(names: list[str] | None) -> list[Path]:
    """Notebook paths from stems, numbers (``07``) or paths; every course notebook by default."""
    available = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not names:
        return available
    chosen = []
    for name in names:
        stem = Path(name).name.removesuffix(".ipynb")
        match = [p for p in available if p.stem == stem or p.stem.split("_")[0] == stem]
        if not match:
            valid = ", ".join(p.stem for p in available)
            raise SystemExit(f"notebook_costs: no notebook {name!r} in notebooks/; choose from {valid}")
        chosen += match
    return chosen


def measure(path: Path, timeout: float) -> dict:
    """Run one notebook in a fresh kernel; its time, peak memory and whether it finished."""
    nb = nbformat.read(path, as_version=4)
    sampler = TreeSampler()
    entry = {"code_cells": sum(c.cell_type == "code" for c in nb.cells), "cpu_count": os.cpu_count(),
             "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
             "load_before": round(os.getloadavg()[0], 2), "error": None}
    timer = CellTimer()
    client = NotebookClient(nb, kernel_name="python3", timeout=timeout,
                            resources={"metadata": {"path": str(path.parent)}},
                            on_cell_execute=timer.before, on_cell_executed=timer.after)
    sampler.start()
    before = os.times()
    t0 = time.perf_counter()
    try:
        client.execute()
        entry["ok"] = True
    except Exception as e:  # a failing cell: record it, measure the rest of the notebooks
        entry["ok"], entry["error"] = False, f"{type(e).__name__}: {str(e).strip().splitlines()[-1][:300]}"
    entry["seconds"] = round(time.perf_counter() - t0, 2)
    after = os.times()  # the kernel was our child and has been reaped: its CPU time is counted
    entry["cpu_s"] = round(after.children_user + after.children_system - before.children_user - before.children_system, 2)
    sampler.stop_event.set()
    sampler.join()
    entry.update(peak_rss_mb=round(sampler.peak_rss, 1), peak_pss_mb=round(sampler.peak_pss, 1),
                 load_after=round(os.getloadavg()[0], 2), cells=timer.cells)
    return entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notebooks", nargs="+", help="stems, numbers or paths (default: every notebook)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds any one cell may take")
    parser.add_argument("--out", help="JSON to merge into (default data/benchmarks/notebook_costs.json)")
    parser.add_argument("--demo", action="store_true", help="run in demo mode (RNN_COURSE_DEMO=1); kept apart")
    args = parser.parse_args(argv)
    from rnn_course.demo import ENV
    from rnn_course.paths import data_dir
    from rnn_course.results import save_benchmark

    paths = resolve(args.notebooks)
    os.environ["OMP_NUM_THREADS"] = "1"  # the kernels inherit it, as on the workshop hub
    os.environ[ENV] = "1" if args.demo else "0"
    out = Path(args.out) if args.out else data_dir() / "benchmarks" / "notebook_costs.json"
    try:
        old = json.loads(out.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        old = {}
    results = {"notebooks": {}, "omp_num_threads": 1, **old.get("results", {})}
    key = "demo_notebooks" if args.demo else "notebooks"
    notebooks = results.setdefault(key, {})
    command = ("OMP_NUM_THREADS=1 .venv/bin/python benchmarks/notebook_costs.py "
               + " ".join(argv if argv is not None else sys.argv[1:])).strip()
    if args.demo:
        results["demo_command"], command = command, old.get("command", command)
    with tempfile.TemporaryDirectory(prefix="notebook-costs-") as tmp:
        os.environ["RNN_COURSE_RESULTS"] = tmp  # the notebooks' record() numbers stay out of results/
        for path in paths:
            print(f"[notebook_costs] {path.stem} …", flush=True)
            entry = notebooks[path.stem] = measure(path, args.timeout)
            print(f"[notebook_costs] {path.stem}: {'ok' if entry['ok'] else 'FAILED ' + entry['error']}, "
                  f"{entry['seconds']:.1f} s ({entry['cpu_s']:.1f} CPU-s), peak {entry['peak_rss_mb']:.0f} MB RSS / {entry['peak_pss_mb']:.0f} MB PSS "
                  f"(load {entry['load_before']} → {entry['load_after']})", flush=True)
            for cell in entry["cells"]:
                if cell["seconds"] > SLOW_CELL_S:  # cells that should show progress while they run
                    print(f"    cell {cell['index']}: {cell['seconds']:.1f} s ({cell['cpu_s']:.1f} CPU-s)  "
                          f"{cell['source']}", flush=True)
            # saved after every notebook: an interrupted run keeps what it measured
            results[key] = dict(sorted(notebooks.items()))
            save_benchmark("notebook_costs", results, command=command, path=out)
    measured = [notebooks[p.stem] for p in paths]
    worst = max(measured, key=lambda e: e["peak_rss_mb"])
    print(f"notebook_costs{' (demo mode)' if args.demo else ''}: {sum(e['ok'] for e in measured)}/{len(measured)} ran; "
          f"slowest {max(e['seconds'] for e in measured):.1f} s; "
          f"largest peak {worst['peak_rss_mb']:.0f} MB RSS; results in {out}", flush=True)
    return 0 if all(e["ok"] for e in measured) else 1


if __name__ == "__main__":
    sys.exit(main())
