"""Install the course into a fresh venv per Python version, run its unit tests and notebooks 00 and 01.

    python3 scripts/python_versions.py --python 3.12 3.13           # install + unit tests + notebooks
    python3 scripts/python_versions.py --python 3.11 --skip-unit    # install + notebooks only
    python3 scripts/python_versions.py --python 3.12 --reuse --skip-notebooks   # unit tests only
    python3 scripts/python_versions.py --other-torch 2.14.1         # the Colab install on another torch

Each version gets its own venv under ``--venvs`` (default /work/venvs/py3.X), created from that
interpreter (``python3.X`` on PATH or pyenv's) and installed the way ``course.py setup`` does:
``pip install -c <the version's lock> -e .[every extra]``. ``--reuse`` keeps a venv that already
exists (pip then adds only what is missing, and the record keeps the fresh install's figures);
without it the venv is made anew. Each install uses an empty pip cache, so ``downloaded_mb``
(the sizes on pip's ``Downloading`` lines) is what came over the network, and
``local_wheels_mb`` what this machine's wheel mirror supplied (a learner downloads that too).

After the install, ``pip freeze`` is compared with the version's lock: packages the lock does
not pin (``unpinned``) and pins the install did not honour (``differs``). ``--write-lock``
writes the freeze as that version's lock (``course.py lock`` does the same for .venv).

``--other-torch V`` makes a throwaway venv (Python 3.11), installs torch V, clones this
repository and installs it the way the Colab cell does (``rnn_course/colab.py``: the package
without its pinned torch), then runs notebooks 00 and 01 there.

Unit tests and notebooks run under ``nice -n 15`` with ``OMP_NUM_THREADS=1``. Everything seen
is merged into ``data/benchmarks/python_versions.json`` (one entry per version, and
``other_torch``), and its line in data/SHA256SUMS is rewritten.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import course  # noqa: E402  (lock_file, lock_text: one place for what a lock is)

OUT = ROOT / "data" / "benchmarks" / "python_versions.json"
NOTEBOOKS = ["notebooks/00_start_here.ipynb", "notebooks/01_sequences_and_shapes.ipynb"]
# Every optional group, as course.py setup installs them.
EXTRAS = ",".join(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"])
NBVAL = ["--nbval-lax", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]


def find_python(version: str) -> str:
    pyenv = sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")))
    for candidate in [*pyenv[::-1], shutil.which(f"python{version}")]:  # pyenv's shims may refuse to run
        if candidate and subprocess.run([candidate, "-c", ""], capture_output=True).returncode == 0:
            return candidate
    sys.exit(f"no python{version} on PATH or under ~/.pyenv/versions; install it or leave --python {version} out")


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def downloaded_mb(log: Path) -> float:
    """What pip fetched from the network: the sizes on its ``Downloading name.whl (366.2 MB)`` lines."""
    units = {"kB": 1e-3, "MB": 1.0, "GB": 1e3}
    sizes = re.findall(r"^\s*Downloading \S+ \(([\d.]+) (kB|MB|GB)\)", log.read_text(), re.M)
    return round(sum(float(n) * units[u] for n, u in sizes), 1)


def local_wheels_mb(log: Path) -> float:
    """Wheels pip took from this machine's disk (``Processing /path.whl``): a learner downloads these too."""
    files = {Path(m) for m in re.findall(r"^Processing (/\S+\.whl)", log.read_text(), re.M)}
    return round(sum(f.stat().st_size for f in files if f.exists()) / 1e6, 1)


def run(cmd: list[str], log: Path, env: dict | None = None, heavy: bool = False,
        timeout: float | None = None) -> tuple[int | None, float]:
    """Run ``cmd`` from the repository root, output to ``log``; return (exit code, seconds).
    Past ``timeout`` seconds the command is stopped and the code is None."""
    if heavy:
        cmd = ["nice", "-n", "15", *cmd]
    start = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0", **(env or {})})
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:  # Ctrl-C for pytest: its fixtures stop the servers they started
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            code = None
    return code, round(time.monotonic() - start, 1)


def install(py: str, venv_dir: Path, lock: Path, reuse: bool, logs: Path) -> dict:
    vpy = venv_dir / "bin" / "python"
    reused = vpy.exists() and reuse
    if not reused:
        shutil.rmtree(venv_dir, ignore_errors=True)
        subprocess.run([py, "-m", "venv", str(venv_dir)], check=True)
    cache = venv_dir.parent / f"{venv_dir.name}.pip-cache"
    shutil.rmtree(cache, ignore_errors=True)
    cmd = [str(vpy), "-m", "pip", "install", "--progress-bar", "off", "--cache-dir", str(cache)]
    # A version without a lock yet installs within 3.11's (CI's), then --write-lock records it.
    constraints = lock if lock.exists() else course.lock_file((3, 11))
    cmd += ["-c", str(constraints)]
    code, seconds = run(cmd + ["-e", f"{ROOT}[{EXTRAS}]"], logs / "install.log")
    result = {"venv": str(venv_dir), "reused": reused, "ok": code == 0, "seconds": seconds,
              "constraints": constraints.name,
              "downloaded_mb": downloaded_mb(logs / "install.log"),
              "local_wheels_mb": local_wheels_mb(logs / "install.log"),
              "venv_mb": round(dir_bytes(venv_dir) / 1e6, 1)}
    shutil.rmtree(cache, ignore_errors=True)
    return result


def freeze(vpy: Path) -> dict[str, str]:
    pins = {}
    for line in course.lock_text(str(vpy)).splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def compare_lock(vpy: Path, lock: Path) -> dict:
    installed = freeze(vpy)
    pinned = {} if not lock.exists() else {
        n.lower().replace("_", "-"): v for n, _, v in
        (line.partition("==") for line in lock.read_text().splitlines() if line and not line.startswith("#"))}
    return {"packages": len(installed),
            "unpinned": sorted(f"{n}=={v}" for n, v in installed.items() if n not in pinned),
            "differs": sorted(f"{n}: lock {pinned[n]}, installed {v}" for n, v in installed.items()
                              if n in pinned and pinned[n] != v)}


# Run last, so that a run cut short by --unit-timeout has the quick tests' verdicts.
SLOW = re.compile(r"browser|classroom|site|distributed|hub")


def unit_test_files() -> list[str]:
    files = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").glob("test_*.py"))
    return [f for f in files if not SLOW.search(f)] + [f for f in files if SLOW.search(f)]


def pytest_run(vpy: Path, args: list[str], logs: Path, name: str, timeout: float | None = None) -> dict:
    """pytest -v into ``name``.log; the verdicts are read from its lines, so a run stopped at
    ``timeout`` still says what passed and failed before it (``finished``: false)."""
    code, seconds = run([str(vpy), "-m", "pytest", "-v", "-p", "no:cacheprovider", *args],
                        logs / f"{name}.log", heavy=True, timeout=timeout)
    verdicts = re.findall(r"^(\S+::\S+.*?) (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b",
                          (logs / f"{name}.log").read_text(errors="replace"), re.M)
    counts = {k: sum(v == k.upper() for _, v in verdicts) for k in ("passed", "failed", "error", "skipped")}
    failures = sorted({t for t, v in verdicts if v in ("FAILED", "ERROR")})
    return {"ok": code == 0, "finished": code is not None, "exit_code": code, "seconds": seconds, **counts,
            "failures": failures[:40]}


def versions_of(vpy: Path) -> dict:
    code = ("import sys, torch, numpy; print(sys.version.split()[0], torch.__version__, numpy.__version__)")
    out = subprocess.run([str(vpy), "-c", code], capture_output=True, text=True)
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1:]}
    python, torch, numpy = out.stdout.split()
    return {"python": python, "torch": torch, "numpy": numpy}


def one_version(version: str, args, logs: Path) -> dict:
    py = find_python(version)
    venv_dir = Path(args.venvs) / f"py{version}"
    lock = course.lock_file((int(version.split(".")[0]), int(version.split(".")[1])))
    print(f"[{version}] installing into {venv_dir} with {lock.name}", flush=True)
    entry = {"interpreter": py, "install": install(py, venv_dir, lock, args.reuse, logs)}
    vpy = venv_dir / "bin" / "python"
    if entry["install"].get("ok") is False:
        return entry
    course.enable_server_extension(venv_dir)  # as course.py setup does for .venv
    if args.write_lock:
        lock.write_text(course.lock_text(str(vpy)))
    entry["versions"] = versions_of(vpy)
    entry["lock_check"] = compare_lock(vpy, lock)
    if not args.skip_unit:
        print(f"[{version}] unit tests", flush=True)
        entry["unit_tests"] = pytest_run(vpy, unit_test_files(), logs, "unit", timeout=args.unit_timeout)
    if not args.skip_notebooks:
        print(f"[{version}] notebooks 00 and 01", flush=True)
        entry["notebooks"] = pytest_run(vpy, [*NBVAL, *NOTEBOOKS], logs, "notebooks")
    return entry


def other_torch(torch_version: str, args, logs: Path) -> dict:
    """The Colab install (rnn_course/colab.py) on a torch other than the pinned one."""
    from rnn_course import colab  # noqa: PLC0415  (standard library only: no torch needed)

    venv_dir = Path(args.venvs) / f"other-torch-{torch_version}"
    shutil.rmtree(venv_dir, ignore_errors=True)
    subprocess.run([find_python("3.11"), "-m", "venv", str(venv_dir)], check=True)
    vpy = venv_dir / "bin" / "python"
    code, seconds = run([str(vpy), "-m", "pip", "install", "--progress-bar", "off", f"torch=={torch_version}"],
                        logs / "torch.log")
    entry = {"venv": str(venv_dir), "torch_install": {"ok": code == 0, "seconds": seconds}}
    if code:
        return entry
    clone = venv_dir / "course"
    url = colab.repository_url(ROOT / "pyproject.toml")
    # The clone is of this working copy's last commit (the public address may not have it yet);
    # the install steps after it are the Colab cell's own.
    steps = [["git", "clone", "--depth", "1", f"file://{ROOT}", str(clone)]]
    start = time.monotonic()
    for i in range(3):
        if i == 1:
            steps += colab.install_steps(url, clone, python=str(vpy))[1:]
        code, _ = run(steps[i], logs / f"colab-step{i}.log")
        if code:
            entry["colab_install"] = {"ok": False, "failed_step": steps[i]}
            return entry
    entry["colab_install"] = {"ok": True, "seconds": round(time.monotonic() - start, 1), "steps": len(steps)}
    # The test runner, and ipykernel standing in for Colab's own kernel.
    tools = [r for r in colab.pinned(ROOT / "pyproject.toml", "test") if r.startswith(("pytest==", "nbval=="))]
    tools += [r for r in colab.pinned(ROOT / "pyproject.toml") if r.startswith("ipykernel==")]
    run([str(vpy), "-m", "pip", "install", "-q", *tools], logs / "test-tools.log")
    entry["versions"] = versions_of(vpy)
    nb = [str(clone / n) for n in NOTEBOOKS]
    entry["notebooks"] = pytest_run(vpy, [*NBVAL[:-1], str(clone / NBVAL[-1]), *nb], logs, "notebooks")
    return entry


def update_manifest(path: Path, manifest: Path = ROOT / "data" / "SHA256SUMS") -> None:
    """Rewrite ``path``'s line in data/SHA256SUMS (paths relative to data/), adding it if absent."""
    name = path.relative_to(manifest.parent).as_posix()
    line = f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {name}"
    lines = [entry for entry in manifest.read_text().splitlines() if not entry.endswith(f"  {name}")]
    manifest.write_text("\n".join([*lines, line]) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", nargs="*", default=[], help="versions, e.g. 3.11 3.12 3.13")
    parser.add_argument("--venvs", default="/work/venvs")
    parser.add_argument("--reuse", action="store_true", help="keep an existing venv (no fresh install)")
    parser.add_argument("--skip-unit", action="store_true", help="notebooks 00 and 01 only")
    parser.add_argument("--unit-timeout", type=float, help="stop the unit tests after this many seconds")
    parser.add_argument("--skip-notebooks", action="store_true", help="unit tests only")
    parser.add_argument("--write-lock", action="store_true", help="write each version's freeze as its lock")
    parser.add_argument("--other-torch", metavar="VERSION", help="the Colab install on this torch")
    args = parser.parse_args()
    record = json.loads(OUT.read_text()) if OUT.exists() else {}
    record.update({"benchmark": "scripts/python_versions.py", "machine": f"{platform.machine()}, "
                   f"{os.cpu_count()} cores", "results": record.get("results", {})})
    jobs = [(v, lambda v=v, logs=None: one_version(v, args, logs)) for v in args.python]
    if args.other_torch:
        jobs.append(("other_torch", lambda logs=None: other_torch(args.other_torch, args, logs)))
    for key, job in jobs:
        logs = Path(tempfile.mkdtemp(prefix=f"python_versions-{key}-"))
        entry = job(logs=logs)
        previous = record["results"].get(key, {}).get("install", {})
        if entry.get("install", {}).get("reused") and previous:  # keep what the fresh install measured
            entry["install"]["fresh"] = previous.get("fresh") or {k: v for k, v in previous.items() if k != "fresh"}
        entry.update({"date": dt.date.today().isoformat(), "logs": str(logs),
                      "command": "python3 scripts/python_versions.py " + " ".join(sys.argv[1:])})
        entry["runs"] = {k: entry["command"] for k in ("unit_tests", "notebooks") if k in entry}
        # A run that skipped a step keeps the step's last result (and says which command made it).
        record["results"][key] = {**record["results"].get(key, {}), **entry,
                                  "runs": {**record["results"].get(key, {}).get("runs", {}), **entry["runs"]}}
        OUT.write_text(json.dumps(record, indent=2) + "\n")  # after each version: a crash keeps the rest
        update_manifest(OUT)
        print(json.dumps({key: record["results"][key]}, indent=2), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
