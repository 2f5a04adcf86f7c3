"""Record the training runs that demo mode replays (``RNN_COURSE_DEMO=1``, see rnn_course/demo.py).

    OMP_NUM_THREADS=1 .venv/bin/python scripts/record_demo_runs.py            # every notebook but 09
    OMP_NUM_THREADS=1 .venv/bin/python scripts/record_demo_runs.py 07 10      # some notebooks

Runs each notebook top to bottom in a fresh kernel (nbclient, as ``jupyter nbconvert --execute``)
with ``RNN_COURSE_DEMO=record``: it trains as usual, and every Trainer run it makes is written to
``data/demo/<notebook>.pt`` (+ ``.sha256``), keyed by the run's fingerprint; the notebook file is
not changed and its ``record()`` numbers go to a temporary folder. Then data/SHA256SUMS gets the
recordings' lines. Re-record a notebook whenever its training cells, models or data change: a run
with no recording trains only a tiny budget in demo mode, and the notebook's closing assertions
then fail under the demo pass of ``course.py test``, which says so.

Notebook 09 is not recorded: its runs are cheap, and their point is the live comparison of one
process with two under torchrun.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from notebook_costs import resolve  # noqa: E402  (one way to name notebooks)

SKIP = {"09"}


def update_sums(data: Path) -> None:
    """Put every data/demo/*.pt's line into data/SHA256SUMS (replacing old demo lines)."""
    from rnn_course.checkpoint import sha256_file

    sums = data / "SHA256SUMS"
    lines = [ln for ln in sums.read_text().splitlines() if not ln.split()[-1:] or not ln.split()[-1].startswith("demo/")]
    lines += [f"{sha256_file(p)}  demo/{p.name}" for p in sorted((data / "demo").glob("*.pt"))]
    sums.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", help="stems or numbers (default: every notebook but 09)")
    args = parser.parse_args(argv)
    from rnn_course.demo import ENV, recording_path
    from rnn_course.paths import data_dir

    paths = resolve(args.notebooks) if args.notebooks else [p for p in resolve(None) if p.stem[:2] not in SKIP]
    os.environ[ENV] = "record"
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    failed = []
    with tempfile.TemporaryDirectory(prefix="demo-record-") as tmp:
        os.environ["RNN_COURSE_RESULTS"] = tmp
        for path in paths:
            target = recording_path(path.stem)
            target.unlink(missing_ok=True)  # a notebook that trains nothing any more leaves no stale runs
            Path(f"{target}.sha256").unlink(missing_ok=True)
            print(f"[record] {path.stem} …", flush=True)
            nb = nbformat.read(path, as_version=4)
            try:
                NotebookClient(nb, kernel_name="python3", timeout=900,
                               resources={"metadata": {"path": str(path.parent)}}).execute()
            except Exception as e:
                failed.append(path.stem)
                print(f"[record] {path.stem} FAILED: {type(e).__name__}: {(str(e).strip().splitlines() or [''])[-1][:300]}")
                continue
            size = target.stat().st_size / 2**20 if target.exists() else 0
            print(f"[record] {path.stem}: {target.relative_to(ROOT) if target.exists() else 'no runs'} "
                  f"({size:.2f} MB)", flush=True)
    update_sums(data_dir())
    print(f"record_demo_runs: {len(paths) - len(failed)}/{len(paths)} notebooks recorded"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
