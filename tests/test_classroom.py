"""The workshop JupyterHub (deploy/jupyterhub) and the classroom benchmark.

The config tests load ``jupyterhub_config.py`` the way JupyterHub does, without starting a hub.
The classroom test runs ``benchmarks/classroom.py`` with 10 learners on 127.0.0.1, watches
every process it starts from outside (psutil), and checks they all served, all listened on
127.0.0.1 only, ran (as root) as ten different system users removed afterwards, and were all
stopped. What one learner cannot do to another is tests/test_hub_isolation.py. It needs the proxy installed by the project's set-up:
``npm ci --prefix deploy/jupyterhub`` (no network at test time).
"""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]
HUB_DIR = ROOT / "deploy" / "jupyterhub"
CONFIG = HUB_DIR / "jupyterhub_config.py"
PROXY = HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
INSTALL_PROXY = "npm ci --prefix deploy/jupyterhub"


def load_config(monkeypatch, tmp_path, password: str | None = "a-long-password", admin: str | None = None,
                **env) -> Config:
    """Execute jupyterhub_config.py as JupyterHub does (it calls get_config()) and return c.

    The secrets go where ``hub.py`` keeps them: ``<dir>/hub/password`` and ``instructor-password``."""
    monkeypatch.setenv("COURSE_HUB_DIR", str(tmp_path))
    for name in [n for n in os.environ if n.startswith("COURSE_HUB_") and n != "COURSE_HUB_DIR"]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    files = tmp_path / "hub"
    files.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, secret in (("password", password), ("instructor-password", admin)):
        (files / name).unlink(missing_ok=True)
        if secret is not None:
            (files / name).touch(mode=0o600)
            (files / name).write_text(secret + "\n")
    c = Config()
    namespace = {"get_config": lambda: c, "__file__": str(CONFIG), "__name__": "jupyterhub_config"}
    exec(compile(CONFIG.read_text(), str(CONFIG), "exec"), namespace)
    return c


def test_hub_listens_on_loopback_unless_told_otherwise(monkeypatch, tmp_path):
    c = load_config(monkeypatch, tmp_path)
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8000"
    assert c.JupyterHub.hub_ip == "127.0.0.1" and c.Spawner.ip == "127.0.0.1"
    assert c.ConfigurableHTTPProxy.api_url.startswith("http://127.0.0.1:")
    c = load_config(monkeypatch, tmp_path, COURSE_HUB_IP="0.0.0.0", COURSE_HUB_PORT="8080")
    assert c.JupyterHub.bind_url == "http://0.0.0.0:8080"
    assert c.JupyterHub.hub_ip == "127.0.0.1"  # the hub itself and the proxy API never leave loopback


def test_every_learner_gets_one_thread_and_the_course_environment(monkeypatch, tmp_path):
    c = load_config(monkeypatch, tmp_path)
    assert c.Spawner.environment["OMP_NUM_THREADS"] == "1"
    assert c.Spawner.environment["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    assert c.Spawner.cmd == [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
    assert c.Spawner.default_url == "/lab"
    assert c.Spawner.notebook_dir == str(tmp_path / "home" / "{username}")


def test_learners_get_their_own_system_user_when_the_hub_is_root(monkeypatch, tmp_path):
    c = load_config(monkeypatch, tmp_path)
    if os.geteuid() == 0:
        from jupyterhub.spawner import LocalProcessSpawner

        assert issubclass(c.JupyterHub.spawner_class, LocalProcessSpawner)  # switches to rnncourse-<name>
        assert c.Spawner.pre_spawn_hook.__name__ == "make_learner"
    else:  # no user switching without root: the hub's own user for all (hub.py warns loudly)
        assert c.JupyterHub.spawner_class == "simple"
        assert c.SimpleLocalProcessSpawner.home_dir_template == str(tmp_path / "home" / "{username}")
    assert c.Authenticator.username_pattern == r"^[a-z0-9_][a-z0-9_-]{0,21}$"  # fits a system user name


def test_servers_get_none_of_the_hubs_environment_and_no_terminals(monkeypatch, tmp_path):
    c = load_config(monkeypatch, tmp_path, COURSE_HUB_ADMIN_PASSWORD="x" * 40)
    assert c.Spawner.env_keep == ["LANG", "LC_ALL"]
    assert not [k for k in c.Spawner.environment if k.startswith(("COURSE_HUB", "CONFIGPROXY", "JUPYTERHUB"))]
    assert "--ServerApp.terminals_enabled=False" in c.Spawner.args
    c = load_config(monkeypatch, tmp_path, COURSE_HUB_TERMINALS="1")
    assert "--ServerApp.terminals_enabled=True" in c.Spawner.args


def test_idle_culler_runs_as_a_service_with_only_the_scopes_it_needs(monkeypatch, tmp_path):
    c = load_config(monkeypatch, tmp_path, COURSE_HUB_PASSWORD="a-long-password")
    (service,) = [s for s in c.JupyterHub.services if "jupyterhub_idle_culler" in s["command"]]
    assert "--timeout=3600" in service["command"]
    (role,) = [r for r in c.JupyterHub.load_roles if service["name"] in r.get("services", [])]
    assert set(role["scopes"]) == {"list:users", "read:users:activity", "read:servers", "delete:servers"}


def test_room_board_is_an_instructor_only_service_on_loopback(monkeypatch, tmp_path):
    assert not [s for s in load_config(monkeypatch, tmp_path).JupyterHub.services if s["name"] == "board"]
    c = load_config(monkeypatch, tmp_path, admin="an-instructor-password-of-32-characters!", COURSE_HUB_BOARD_PORT="8123")
    (board,) = [s for s in c.JupyterHub.services if s["name"] == "board"]
    assert board["url"] == "http://127.0.0.1:8123"
    assert board["command"] == [sys.executable, str(HUB_DIR / "board_service.py")]
    assert board["environment"]["COURSE_BOARD_HOMES"] == str(tmp_path / "home")
    # no role hands access to it out: only the admin role's access:services reaches it
    assert not [r for r in c.JupyterHub.load_roles if any("board" in scope for scope in r["scopes"])]


def test_shared_password_is_read_from_the_hubs_own_file_only(monkeypatch, tmp_path):
    c = load_config(monkeypatch, tmp_path)
    assert c.JupyterHub.authenticator_class == "shared-password"
    assert c.SharedPasswordAuthenticator.user_password == "a-long-password"
    with pytest.raises(SystemExit, match="no workshop password"):  # not from the environment any more
        load_config(monkeypatch, tmp_path / "empty", password=None, COURSE_HUB_PASSWORD="a-long-password")
    with pytest.raises(SystemExit, match="8 or more"):
        load_config(monkeypatch, tmp_path, password="short")
    load_config(monkeypatch, tmp_path)
    (tmp_path / "hub" / "password").chmod(0o644)
    with pytest.raises(SystemExit, match="may be read by others"):
        exec(compile(CONFIG.read_text(), str(CONFIG), "exec"), {"get_config": Config, "__file__": str(CONFIG)})


def test_instructor_is_admin_only_with_a_long_separate_password(monkeypatch, tmp_path):
    admin = "an-instructor-password-of-32-characters!"
    c = load_config(monkeypatch, tmp_path, admin=admin)
    assert c.SharedPasswordAuthenticator.admin_password == admin and c.Authenticator.admin_users == {"instructor"}
    with pytest.raises(SystemExit, match="32 or more"):
        load_config(monkeypatch, tmp_path, admin="too-short-admin")
    assert "admin_users" not in load_config(monkeypatch, tmp_path).Authenticator
    assert "admin_users" not in load_config(monkeypatch, tmp_path, COURSE_HUB_ADMIN_PASSWORD=admin).Authenticator


def test_hub_start_names_the_npm_command_when_the_proxy_is_missing(monkeypatch):
    sys.path.insert(0, str(HUB_DIR))
    try:
        import hub
    finally:
        sys.path.remove(str(HUB_DIR))
    monkeypatch.setattr(hub, "PROXY", HUB_DIR / "no-such-proxy")
    with pytest.raises(SystemExit, match="npm ci --prefix deploy/jupyterhub"):
        hub.check_ready()


def running(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


class Watcher(threading.Thread):
    """From outside: every process the benchmark starts, and every address they listen on."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.seen: dict[int, psutil.Process] = {}
        self.cmdlines: dict[int, str] = {}
        self.uids: dict[int, int] = {}
        self.addresses: set[str] = set()
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(0.5):
            try:
                procs = self.root.children(recursive=True)
            except psutil.NoSuchProcess:
                return
            for p in procs:
                self.seen.setdefault(p.pid, p)
                try:  # the latest: a child caught between fork and exec still shows the hub's command and uid
                    command, uid = " ".join(p.cmdline()), p.uids().real
                    if command:  # a zombie's is empty
                        self.cmdlines[p.pid], self.uids[p.pid] = command, uid
                    self.addresses |= {c.laddr.ip for c in p.net_connections("inet") if c.status == psutil.CONN_LISTEN}
                except psutil.Error:
                    pass


def test_classroom_of_ten_is_served_on_loopback_and_everything_stops(tmp_path):
    if not PROXY.exists():
        pytest.fail(f"configurable-http-proxy is not installed ({PROXY}); the project's set-up installs it "
                    f"with `{INSTALL_PROXY}` (run it from the project folder)")
    out = tmp_path / "classroom.json"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    # The benchmark's own temporary workshop folder, not one under tmp_path: learners (other
    # system users, as root) must pass through its parents, and pytest closes its own
    # /tmp/pytest-of-<user> again (mode 0700) whenever a pytest run starts on the machine.
    bench = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "classroom.py"), "--learners", "10",
                              "--notebook", str(ROOT / "benchmarks" / "classroom_task.ipynb"), "--out", str(out)],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    watcher = Watcher(bench.pid)
    watcher.start()
    try:
        output, _ = bench.communicate(timeout=600)
    except subprocess.TimeoutExpired:  # hung: SIGTERM makes it stop everything it started
        bench.terminate()
        try:
            output, _ = bench.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            bench.kill()
            output, _ = bench.communicate()
        output += "\n[test] the benchmark did not finish in 10 minutes and was stopped"
    finally:
        watcher.done.set()
        watcher.join()
    time.sleep(1)
    left = [p for p in watcher.seen.values() if running(p)]
    for p in left:  # never leave them behind, even when the assertion below fails
        try:
            p.kill()
        except psutil.Error:
            pass
    assert bench.returncode == 0, output[-3000:]
    assert not left, f"still running after the benchmark: {[watcher.cmdlines.get(p.pid) for p in left]}"
    kinds = {"jupyterhub -f", "configurable-http-proxy", "jupyterhub-singleuser", "jupyterhub_idle_culler", "ipykernel",
             "board_service.py"}
    commands = list(watcher.cmdlines.values())
    assert {k for k in kinds if any(k in cmd for cmd in commands)} == kinds, commands
    assert sum("jupyterhub-singleuser" in cmd for cmd in commands) == 10
    server_uids = {watcher.uids.get(pid) for pid, cmd in watcher.cmdlines.items() if "jupyterhub-singleuser" in cmd}
    if os.geteuid() == 0:  # as root, each learner's server runs as their own system user
        assert len(server_uids) == 10 and 0 not in server_uids, server_uids
        assert not [u.pw_name for u in pwd.getpwall() if u.pw_uid in server_uids], "learner users left behind"
    assert watcher.addresses == {"127.0.0.1"}, f"listened on {watcher.addresses}"
    r = json.loads(out.read_text())["results"]
    assert r["learners"] == 10 and r["served"] == 10 and r["failures"] == 0, r["failure_details"]
    assert r["listen_addresses"] == ["127.0.0.1"] and r["leftover_processes"] == 0
    assert r["kernel_torch_threads"] == [1], "OMP_NUM_THREADS=1 must reach every learner's kernel"
    assert output.strip().splitlines()[-1].startswith("classroom: 10/10 learners served, 0 failures")
    # The room board: the instructor sees all ten, each with notebook 01's outcomes as the task
    # answered them (even-numbered learners got exercise 3 wrong); learner01 is refused.
    board = r["board"]
    assert board["error"] is None and board["instructor_status"] == 200, board
    assert board["learner_status"] == 403 and board["learner_token_status"] == 403, board
    rows = {row["learner"]: row for row in board["rows"]}
    assert sorted(rows) == [f"learner{i:02d}" for i in range(1, 11)]
    for i in range(1, 11):
        row, wrong = rows[f"learner{i:02d}"], i % 2 == 0
        assert row["notebooks"] == ["01_sequences_and_shapes"], row
        assert row["exercises_passed"] == ["01-h_n-shape", "01-last-step"] + ([] if wrong else ["01-lstm-params"]), row
        assert row["exercises_failed"] == (["01-lstm-params"] if wrong else []), row
        assert row["quiz_passed"] == ["01-quiz-batch-first"] and row["quiz_failed"] == [], row
        assert row["last_failed"] == ("01-lstm-params" if wrong else None), row
