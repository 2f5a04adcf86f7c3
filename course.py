#!/usr/bin/env python3
"""Set up the course and run it — the README's two commands.

    python3 course.py lab     # set up (first time only), then open JupyterLab on notebooks/
    python3 course.py test    # set up (first time only), then run every test and notebook

Needs only Python 3.11, 3.12 or 3.13. Everything goes into a project-local virtual environment,
``.venv/``, installed from ``pyproject.toml`` with every version pinned by ``requirements.lock``
(3.11) or ``requirements-3.12.lock`` / ``requirements-3.13.lock``. A second
run skips the install when neither file changed (a stamp in ``.venv`` remembers their hash).

Other subcommands: ``setup`` (install only), ``lock`` (rewrite requirements.lock from the
current .venv, after changing pyproject.toml), ``hub`` (a JupyterHub for a workshop room on
this machine: ``sudo python3 course.py hub --ip 0.0.0.0``; as root each learner's server runs as
their own system user, otherwise learners are not kept apart; see deploy/jupyterhub/README.md),
``site`` (the course website in build/site/html: every notebook with the outputs of one run on
this machine, reused while nothing changed; ``--only 01,05,07`` for a subset; tools/website.py).
Set-up also installs the hub's proxy, configurable-http-proxy, from npm into
deploy/jupyterhub/node_modules (pinned by its package-lock.json) when npm is there. Extra arguments go to JupyterLab or pytest:

    python3 course.py lab --no-browser --port 8899
    python3 course.py lab --present    # presenting to a room: large type, one notebook at a time
    python3 course.py lab --demo       # demo mode: training cells replay the shipped runs (Start stays live)
    python3 course.py test -k trainer
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".course-install-stamp"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def say(msg: str) -> None:
    print(f"[course] {msg}", flush=True)


SUPPORTED = ((3, 11), (3, 12), (3, 13))  # pyproject.toml's requires-python; one lock file each


def lock_file(version: tuple[int, int]) -> Path:
    """The lock for a Python version: requirements.lock for 3.11 (CI's), requirements-3.X.lock otherwise."""
    return ROOT / ("requirements.lock" if version == (3, 11) else f"requirements-{version[0]}.{version[1]}.lock")


LOCK = lock_file(sys.version_info[:2])


def check_python() -> None:
    if sys.version_info[:2] not in SUPPORTED:
        names = ", ".join(f"{a}.{b}" for a, b in SUPPORTED)
        sys.exit(
            f"[course] This course needs Python {names}; this is {sys.version.split()[0]} "
            f"({sys.executable}).\n         Run it with one of those, e.g. `python3.12 course.py ...`."
        )


def venv_version(venv_dir: Path) -> tuple[int, int] | None:
    """The Python version a virtual environment was made with (its pyvenv.cfg), or None."""
    cfg = venv_dir / "pyvenv.cfg"
    for line in cfg.read_text().splitlines() if cfg.exists() else []:
        key, _, value = line.partition("=")
        if key.strip() in ("version", "version_info"):
            return tuple(int(n) for n in value.strip().split(".")[:2])
    return None


def install_hash() -> str:
    h = hashlib.sha256()
    for f in (ROOT / "pyproject.toml", LOCK):
        h.update(f.read_bytes() if f.exists() else b"")
    return h.hexdigest()


SERVER_CONFIG = VENV / "etc" / "jupyter" / "jupyter_server_config.d" / "rnn_course.json"


def enable_server_extension(venv_dir: Path = VENV) -> None:
    """Switch on rnn_course.saved_notebooks in .venv's Jupyter server: notebooks are saved without
    widget views, so a reopened notebook says "run this cell again" instead of "Error displaying
    widget: model not found". (pip's editable installs do not install data files, so we write it.)"""
    config = venv_dir / SERVER_CONFIG.relative_to(VENV)
    text = '{"ServerApp": {"jpserver_extensions": {"rnn_course.saved_notebooks": true}}}\n'
    if not config.exists() or config.read_text() != text:
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(text)


def setup() -> None:
    """Create .venv and install the pinned environment, unless it is already current."""
    check_python()
    want = install_hash()
    same_python = venv_version(VENV) == sys.version_info[:2]
    if PY.exists() and same_python and STAMP.exists() and STAMP.read_text().strip() == want:
        enable_server_extension()
        return
    if not PY.exists() or not same_python:  # none yet, or made by another Python version
        say(f"creating the virtual environment in {VENV.relative_to(ROOT)}/ for Python {sys.version.split()[0]}")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    say("installing pinned packages (first run: a few minutes; later runs: seconds)")
    cmd = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if LOCK.exists():
        cmd += ["-c", str(LOCK)]
    cmd += ["-e", f"{ROOT}[test,hub,site]"]
    if subprocess.call(cmd, cwd=ROOT) != 0:
        sys.exit("[course] Installing the packages failed (see pip's message above). "
                 "Check the network or the disk space, then run the same command again.")
    STAMP.write_text(want + "\n")
    enable_server_extension()
    say("environment ready")


HUB = ROOT / "deploy" / "jupyterhub"
PROXY = HUB / "node_modules" / ".bin" / "configurable-http-proxy"


def setup_proxy(required: bool = False) -> None:
    """npm-install configurable-http-proxy (pinned by package-lock.json) unless it is current."""
    lock = HUB / "package-lock.json"
    stamp = HUB / "node_modules" / ".course-install-stamp"
    want = hashlib.sha256(lock.read_bytes()).hexdigest()
    if PROXY.exists() and stamp.exists() and stamp.read_text().strip() == want:
        return
    npm = shutil.which("npm")
    if npm is None:
        message = ("npm is not installed, so the workshop hub's proxy (configurable-http-proxy) cannot be; "
                   "install Node.js and npm (e.g. apt-get install nodejs npm), then run this again")
        if required:
            sys.exit(f"[course] {message}")
        say(f"note: {message} (only the JupyterHub classroom needs it)")
        return
    say("installing configurable-http-proxy for the workshop hub (npm ci)")
    if subprocess.call([npm, "ci", "--prefix", str(HUB), "--no-audit", "--no-fund"], cwd=ROOT) != 0:
        sys.exit("[course] `npm ci --prefix deploy/jupyterhub` failed (see npm's message above); "
                 "check the network, then run the same command again.")
    stamp.write_text(want + "\n")


def hub(args: list[str]) -> int:
    setup()
    setup_proxy(required=True)
    return subprocess.call([str(PY), str(HUB / "hub.py"), "start", *args], cwd=ROOT)


PRESENT_SETTINGS = ROOT / "deploy" / "present"  # JupyterLab user settings: large type, one notebook at a time


def present_settings() -> Path:
    """A fresh copy of PRESENT_SETTINGS in a temp dir, so that font changes made while presenting
    are written there, never into the repository, and the next ``--present`` starts from ours."""
    dest = Path(tempfile.mkdtemp(prefix="rnn-course-present-"))
    shutil.copytree(PRESENT_SETTINGS, dest, dirs_exist_ok=True)
    return dest


def lab(args: list[str]) -> int:
    setup()
    present = "--present" in args  # ours, not JupyterLab's: presenting to a room
    demo = "--demo" in args  # ours too: every notebook in seconds (rnn_course/demo.py)
    args = [a for a in args if a not in ("--present", "--demo")]
    argv = [str(PY), "-m", "jupyter", "lab", f"--ServerApp.root_dir={ROOT / 'notebooks'}"]
    if not any(a.startswith(("--ip", "--ServerApp.ip")) for a in args):
        argv.append("--ServerApp.ip=127.0.0.1")  # never listen beyond this machine by default
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
        argv.append("--allow-root")  # containers and CI machines often run as root
    argv += args
    # One torch thread per kernel unless you say otherwise: measured here (benchmarks/kernel_threads.py),
    # notebook 03's training cell took 5.5 s with two threads and 7.1 s with one on an idle 2-core
    # machine, but 69 s with two and 7.5 s with one beside one other busy process.
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "1")
    if present:
        env["JUPYTERLAB_SETTINGS_DIR"] = str(present_settings())
        say("presenting: large type, one notebook at a time (deploy/present/; your own JupyterLab settings are not used)")
    if demo:
        env["RNN_COURSE_DEMO"] = "1"
        say("demo mode (RNN_COURSE_DEMO=1): training cells replay the shipped runs; a dashboard's Start trains live")
    say(f"starting JupyterLab on notebooks/ with OMP_NUM_THREADS={env['OMP_NUM_THREADS']} (Ctrl-C twice to stop)")
    return subprocess.call(argv, cwd=ROOT, env=env)


def test(args: list[str]) -> int:
    setup()
    setup_proxy()  # the classroom test starts a real JupyterHub
    env = dict(os.environ, PYTHONHASHSEED="0")
    # One thread per process unless you say otherwise: on a machine with anything else running,
    # torch's two spin-waiting threads per process slowed the notebooks tenfold (measured here).
    env.setdefault("OMP_NUM_THREADS", "1")
    nbval = [
        "--nbval-lax",  # run every cell; compare outputs of cells marked NBVAL_CHECK_OUTPUT
        "--nbval-current-env",  # notebook kernels use this .venv
        "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"),
        "--nbval-cell-timeout", "600",
    ]
    say("running the unit tests and every notebook")
    code = subprocess.call([str(PY), "-m", "pytest", "tests", "notebooks", *nbval, *args], cwd=ROOT,
                           env=dict(env, RNN_COURSE_DEMO="0"))
    demo_args = demo_pass_args(args)
    if demo_args is None:
        return code
    say("running every notebook again in demo mode (RNN_COURSE_DEMO=1): training cells replay the shipped runs")
    demo_code = subprocess.call([str(PY), "-m", "pytest", *nbval, *demo_args], cwd=ROOT,
                                env=dict(env, RNN_COURSE_DEMO="1"))
    return code or (0 if demo_code == 5 else demo_code)  # 5: the options selected no notebook cell


def demo_pass_args(args: list[str]) -> list[str] | None:
    """pytest's arguments for the demo pass of ``test``: the notebooks, with the options given
    (``-k``, ``-x``, ...); only the notebooks named when paths are given, None if none is."""
    paths = [a for a in args if not a.startswith("-") and (ROOT / a.split("::")[0]).exists()]
    notebooks = [a for a in paths if a.split("::")[0].endswith(".ipynb") or a.startswith("notebooks")]
    if paths and not notebooks:
        return None
    return [*(notebooks or ["notebooks"]), *(a for a in args if a not in paths)]


def site(args: list[str]) -> int:
    """Build the course website (tools/website.py): execute what changed, then Sphinx."""
    setup()
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "1")  # one thread per notebook kernel, as in `test`
    say("building the course website into build/site/html (first time: every notebook runs once, ~10 minutes)")
    return subprocess.call([str(PY), str(ROOT / "tools" / "website.py"), *args], cwd=ROOT, env=env)


def lock() -> int:
    """Rewrite requirements.lock from what is installed in .venv now."""
    setup()
    text = lock_text(str(PY))
    LOCK.write_text(text)
    STAMP.write_text(install_hash() + "\n")
    say(f"wrote {LOCK.name} ({text.count(chr(10)) - 1} packages)")
    return 0


def lock_text(python: str) -> str:
    """Every package installed for ``python``, pinned: the text of a lock file."""
    out = subprocess.run([python, "-m", "pip", "freeze", "--exclude-editable"],
                         check=True, capture_output=True, text=True).stdout
    lines = []
    for line in out.splitlines():
        if not line or line.startswith(("#", "-e ", "rnn_course")):
            continue
        name, _, version = line.partition("==")
        lines.append(f"{name}=={version.split('+')[0]}")  # torch==2.13.0+cpu → torch==2.13.0
    return ("# Every package version, pinned. Regenerate: python3 course.py lock\n"
            + "\n".join(sorted(lines, key=str.lower)) + "\n")


def main(argv: list[str]) -> int:
    commands = {"lab": lab, "test": test, "hub": hub, "setup": lambda a: setup() or setup_proxy() or 0,
                "lock": lambda a: lock(), "site": site}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
