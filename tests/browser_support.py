"""Helpers for tests/test_browser.py: find Chromium, run a private JupyterLab.

Nothing here downloads anything: the browser is the system's Chromium (Debian's ``chromium``
package, or ``$RNN_COURSE_CHROMIUM``), driven by playwright's Python package.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# As root in a closed network: no sandbox, no GPU, nothing that phones home.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


# -- the browser ---------------------------------------------------------------------------------
def find_chromium() -> str | None:
    """``$RNN_COURSE_CHROMIUM``, else chromium / chromium-browser / google-chrome on PATH.

    Debian's /usr/bin/chromium is a shell wrapper that adds flags (extensions, GPU
    rasterization) from /etc/chromium.d; the binary behind it, /usr/lib/chromium/chromium,
    is launched directly so the browser runs with exactly CHROMIUM_ARGS.
    """
    env = os.environ.get("RNN_COURSE_CHROMIUM")
    if env:
        return env if Path(env).is_file() and os.access(env, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            real = Path("/usr/lib/chromium/chromium")
            if Path(found).resolve() == Path("/usr/bin/chromium") and real.is_file():
                return str(real)
            return found
    return None


# -- JupyterLab ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    """Direct children of ``pid``, read from /proc (Linux); [] elsewhere."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:  # a process may exit while we read: skip it
            fields = stat.read_text().rsplit(")", 1)[1].split()  # state, ppid, ...
            if int(fields[1]) == pid:
                out.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return out


def alive(pid: int) -> bool:
    """True if ``pid`` runs (a zombie counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class JupyterLab:
    """A JupyterLab server on 127.0.0.1 with a random port and token, on its own temp dirs."""

    def __init__(self, root_dir: Path, work: Path, settings: Path | None = None):
        """``settings``: a JupyterLab user-settings tree (as ``course.py lab --present`` uses)
        copied under the test's own settings."""
        self.root_dir, self.work = Path(root_dir), Path(work)
        self.settings = settings
        self.port, self.token = free_port(), secrets.token_hex(24)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = self.work / "jupyterlab.log"
        self.proc: subprocess.Popen | None = None
        self.kernel_pids: set[int] = set()

    def _env(self) -> dict:
        settings = self.work / "lab-settings"
        if self.settings is not None:
            shutil.copytree(self.settings, settings, dirs_exist_ok=True)
        for rel, value in {
            # no "receive Jupyter news?" toast, no update check over the (closed) network
            "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
                {"fetchNews": "false", "checkForUpdates": False},
            # every cell stays in the DOM, so selectors see the whole notebook
            "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        }.items():
            (settings / rel).parent.mkdir(parents=True, exist_ok=True)
            (settings / rel).write_text(json.dumps(value))
        dirs = {name: self.work / name.lower() for name in
                ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR")}
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        results = self.work / "results"
        results.mkdir(exist_ok=True)
        return dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0",
                    JUPYTERLAB_SETTINGS_DIR=str(settings), RNN_COURSE_RESULTS=str(results),
                    **{k: str(v) for k, v in dirs.items()})

    def start(self, timeout: float = 60) -> None:
        argv = [sys.executable, "-m", "jupyter", "lab", "--no-browser",
                "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={self.root_dir}",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                "--LabApp.news_url=None"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            argv.append("--allow-root")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(argv, cwd=self.root_dir, env=self._env(), stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("status")
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        raise RuntimeError(f"JupyterLab did not answer /api/status within {timeout:.0f} s:\n{self.log_tail()}")

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def api(self, path: str, method: str = "GET"):
        req = urllib.request.Request(self.url(f"api/{path}"), method=method,
                                     headers={"Authorization": f"token {self.token}"})
        for attempt in range(5):
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    body = r.read()
                return json.loads(body) if body else None
            except urllib.error.HTTPError as e:
                # jupyter_server answers 500 to GET /api/kernels while a kernel is half-started
                # ("last_activity ... expected a datetime, not None"): ask again a moment later.
                if e.code < 500 or method != "GET" or attempt == 4:
                    raise
                time.sleep(0.5)

    def kernels(self) -> list[dict]:
        ks = self.api("kernels")
        self._note_kernel_pids()
        return ks

    def _note_kernel_pids(self) -> None:
        if self.proc is not None:
            self.kernel_pids |= {p for p in _children(self.proc.pid) if "ipykernel" in _cmdline(p)}

    def shutdown_kernels(self) -> None:
        """Close every session and shut its kernel down (a learner closing notebook and kernel)."""
        self._note_kernel_pids()
        for s in self.api("sessions"):
            self.api(f"sessions/{s['id']}", method="DELETE")
        for k in self.api("kernels"):
            self.api(f"kernels/{k['id']}", method="DELETE")

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def stop(self) -> list[int]:
        """Shut down kernels, then the server; return the pids of kernels that outlived it."""
        if self.proc is None:
            return []
        self._note_kernel_pids()
        if self.proc.poll() is None:
            try:
                for k in self.api("kernels"):
                    self.api(f"kernels/{k['id']}", method="DELETE")
            except (OSError, urllib.error.URLError, ValueError):
                pass
            self.proc.send_signal(signal.SIGINT)  # twice: Jupyter asks to confirm on the first
            time.sleep(0.2)
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(10)
        self.log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(p) for p in self.kernel_pids):
            time.sleep(0.2)
        leftovers = [p for p in self.kernel_pids if alive(p) and "ipykernel" in _cmdline(p)]
        for p in leftovers:  # only the kernels this server started, by pid
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        return leftovers
