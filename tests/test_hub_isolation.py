"""Learners cannot become the instructor, nor read each other (issue 21, item 6).

The fast tests check ``deploy/jupyterhub/hub.py``'s handling of the secrets. The slow one starts
the real workshop hub as ``benchmarks/classroom.py`` does (as root: one system user per learner),
logs two learners in, and from alice's kernel (code sent over its websocket, as JupyterLab does)
tries what a learner tried on the hub before: read bob's files and his kernel's keys, the hub's
``/proc/<pid>/environ``, its password files, cookie secret and database, every other process's
environment, the hub's API with her own server's token, bob's server; then logs in as
``instructor`` with everything she found. Each must fail; the real instructor password must work
(so the test can tell). It needs root (switching users), like the hub's isolation itself.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]
PROXY = ROOT / "deploy" / "jupyterhub" / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "isolation-workshop-pw"
ADMIN = "isolation-instructor-password-of-40-chars"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bench = _load("classroom_benchmark", ROOT / "benchmarks" / "classroom.py")
hub = bench.course_hub  # deploy/jupyterhub/hub.py, as the benchmark loaded it


# --- hub.py: secrets in files only the hub reads, never in its environment ----------------------


def test_hub_environment_carries_no_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_HUB_PASSWORD", "exported-workshop-password")
    monkeypatch.setenv("COURSE_HUB_ADMIN_PASSWORD", "exported-instructor-password-of-32-chars")
    env = hub.hub_env(workshop=tmp_path, terminals=True)
    assert "COURSE_HUB_PASSWORD" not in env and "COURSE_HUB_ADMIN_PASSWORD" not in env
    assert not [k for k, v in env.items() if "exported-" in v]
    assert env["COURSE_HUB_DIR"] == str(tmp_path) and env["COURSE_HUB_TERMINALS"] == "1"


def test_secrets_go_to_files_only_the_hubs_user_reads(monkeypatch, tmp_path):
    monkeypatch.setattr(hub, "isolating", lambda: False)
    (tmp_path / "password").write_text("an-old-kept-password\n")  # where it was kept before: world-readable
    assert hub.workshop_password(tmp_path) == "an-old-kept-password"
    hub.prepare_workshop(tmp_path, "an-old-kept-password", admin_password="i" * 32)
    files = tmp_path / hub.SECRET_FILES
    assert stat.S_IMODE(files.stat().st_mode) == 0o700
    for name in ("password", "instructor-password"):
        assert stat.S_IMODE((files / name).stat().st_mode) == 0o600
    assert (files / "password").read_text().strip() == "an-old-kept-password"
    assert not (tmp_path / "password").exists()
    hub.prepare_workshop(tmp_path, "an-old-kept-password")  # no instructor unless asked for at this start
    assert not (files / "instructor-password").exists()
    with pytest.raises(SystemExit, match="8 or more"):
        hub.prepare_workshop(tmp_path, "short")


def test_folders_closed_to_learners_stop_the_start_or_are_opened_on_request(monkeypatch, tmp_path):
    closed = tmp_path / "closed"
    (closed / "python").mkdir(parents=True)
    closed.chmod(0o700)  # like /root holding a pyenv Python
    monkeypatch.setattr(hub, "isolating", lambda: True)
    monkeypatch.setattr(hub, "course_paths", lambda workshop: [closed / "python"])
    workshop = tmp_path / "workshop"
    with pytest.raises(SystemExit, match=f"cannot enter .*{re.escape(str(closed))}.*--open-folders"):
        hub.prepare_workshop(workshop, "a-long-password")
    opened = hub.prepare_workshop(workshop, "a-long-password", open_closed=True)
    assert closed in [folder for folder, _ in opened]
    assert stat.S_IMODE(closed.stat().st_mode) == 0o701  # others may pass, not list
    assert stat.S_IMODE(workshop.stat().st_mode) == stat.S_IMODE((workshop / "home").stat().st_mode) == 0o711
    hub.restore_modes(opened)
    assert stat.S_IMODE(closed.stat().st_mode) == 0o700


# --- the real hub, two learners ------------------------------------------------------------------

BOB = """
import os, pathlib
pathlib.Path(os.environ["HOME"], "note.txt").write_text("bob's private note 7c1e")
print(os.getuid())
"""

ATTACK = """
import glob, json, os, urllib.error, urllib.request

def read(path):
    try:
        if os.path.isdir(path):
            return "read: " + " ".join(sorted(os.listdir(path)))
        with open(path, "rb") as f:
            return "read: " + f.read().decode("latin-1")
    except OSError as e:
        return type(e).__name__

def status(url, token):
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": "token " + token}),
                                      timeout=30).status
    except urllib.error.HTTPError as e:
        return e.code

token, seen, found, environ_uids = os.environ["JUPYTERHUB_API_TOKEN"], [], set(), set()
for path in glob.glob("/proc/[0-9]*/environ"):
    text = read(path)
    if text.startswith("read: "):
        environ_uids.add(os.stat(os.path.dirname(path)).st_uid)
        seen.append(text)
        for line in text[6:].split("\\0"):
            name, _, value = line.partition("=")
            if value and any(k in name for k in ("TOKEN", "PASSWORD", "SECRET", "KEY")):
                found.add(value)
for path in glob.glob("/proc/[0-9]*/cmdline"):
    seen.append(read(path))
attempts = {name: read(path) for name, path in P["targets"].items()}
seen += attempts.values()
api = os.environ["JUPYTERHUB_API_URL"]
print(json.dumps({
    "uid": os.getuid(), "env": sorted(os.environ), "attempts": attempts, "environ_uids": sorted(environ_uids),
    "found": sorted(found), "seen": "\\n".join(seen),
    "status": {"hub: all users": status(api + "/users", token), "hub: bob": status(api + "/users/bob", token),
               "bob's files via the proxy": status(P["base"] + "/user/bob/api/contents", token),
               "bob's server directly": status(P["bob_server"] + "/user/bob/api/contents", token)},
}))
"""


async def login_works(base: str, name: str, password: str) -> bool:
    learner = bench.Learner(base, name, password)
    try:
        await learner.login()
        return True
    except RuntimeError:  # "login refused"
        return False
    finally:
        await learner.client.aclose()


def server_of(hub_pid: int, name: str) -> psutil.Process:
    for p in psutil.Process(hub_pid).children(recursive=True):
        if "jupyterhub-singleuser" in " ".join(p.cmdline()) and p.environ().get("JUPYTERHUB_USER") == name:
            return p
    raise LookupError(f"no server for {name}")


async def two_learners(base: str, workshop: Path, hub_pid: int) -> dict:
    alice, bob = bench.Learner(base, "alice", PASSWORD), bench.Learner(base, "bob", PASSWORD)
    try:
        await alice.login()
        await bob.login()
        await asyncio.gather(alice.start_server(300), bob.start_server(300))
        async with bob.kernel(300) as (bob_ws, bob_session):  # bob's kernel (and its keys) stay up meanwhile
            bob_uid = int(await bob.execute(bob_ws, bob_session, BOB, 0))
            bob_server = server_of(hub_pid, "bob")
            bob_env = bob_server.environ()
            bob_home = bob_env["HOME"]
            (port,) = {c.laddr.port for c in bob_server.net_connections("inet") if c.status == psutil.CONN_LISTEN}
            targets = {
                "bob's home": bob_home, "bob's note": f"{bob_home}/note.txt",
                "bob's notebooks": f"{bob_home}/notebooks", "bob's kernel keys": bob_env["JUPYTER_RUNTIME_DIR"],
                "the learners' homes": str(workshop / "home"), "the hub's environment": f"/proc/{hub_pid}/environ",
                "the hub's folder": str(workshop / hub.SECRET_FILES),
                **{f"hub/{n}": str(workshop / hub.SECRET_FILES / n) for n in
                   ("password", "instructor-password", "jupyterhub_cookie_secret", "jupyterhub.sqlite", "hub.log")},
                "alice's own notebooks (control)": f"{workshop}/home/alice/notebooks",
            }
            params = {"targets": targets, "base": base, "bob_server": f"http://127.0.0.1:{port}"}
            async with alice.kernel(300) as (ws, session):
                code = f"import json\nP = json.loads({json.dumps(params)!r})\n" + ATTACK
                report = json.loads(await alice.execute(ws, session, code, 0))
        proxy = [p for p in psutil.Process(hub_pid).children() if "configurable-http-proxy" in " ".join(p.cmdline())]
        report.update(
            bob_uid=bob_uid,
            secrets={"the instructor password": ADMIN, "bob's note": "bob's private note 7c1e",
                     "bob's server token": bob_env["JUPYTERHUB_API_TOKEN"],
                     "the cookie secret": (workshop / hub.SECRET_FILES / "jupyterhub_cookie_secret").read_text().strip(),
                     "the proxy's token": proxy[0].environ()["CONFIGPROXY_AUTH_TOKEN"]},
            instructor_with={c[:12]: await login_works(base, "instructor", c) for c in [PASSWORD, *report["found"]]},
            instructor_with_real_password=await login_works(base, "instructor", ADMIN),
            admin_api_with_found_tokens=[(await alice.client.get("/hub/api/users", headers={"Authorization": f"token {t}"})
                                          ).status_code for t in report["found"]],
            terminal=(await alice.client.post("/user/alice/api/terminals")).status_code,
        )
        return report
    finally:
        await asyncio.gather(alice.client.aclose(), bob.client.aclose())


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="learners get their own system users only when the hub runs as root")
def test_a_learner_reads_neither_another_learner_nor_the_hub_nor_becomes_instructor():
    if not PROXY.exists():
        pytest.fail(f"configurable-http-proxy is not installed ({PROXY}); the project's set-up installs it "
                    "with `npm ci --prefix deploy/jupyterhub` (run it from the project folder)")
    workshop = Path(tempfile.mkdtemp(prefix="rnn-isolation-"))
    process = sampler = None
    opened = []
    try:
        port = bench.free_port()
        process, opened = bench.start_hub(workshop, port, password=PASSWORD, admin_password=ADMIN)
        sampler = bench.Sampler(psutil.Process(process.pid))  # so stop_everything finds every process
        base = f"http://127.0.0.1:{port}"
        bench.wait_for_hub(process, base, workshop)
        r = asyncio.run(two_learners(base, workshop, process.pid))
    finally:
        left = bench.stop_everything(process, sampler)
        hub.restore_modes(opened)
        removed = hub.remove_learners(workshop)
        shutil.rmtree(workshop, ignore_errors=True)
    assert left == 0 and sorted(removed) == ["rnncourse-alice", "rnncourse-bob"]

    assert r["uid"] not in (0, r["bob_uid"]) and r["bob_uid"] != 0  # two system users, neither root
    attempts = r["attempts"]
    assert attempts.pop("alice's own notebooks (control)").startswith("read: ")
    assert attempts["the learners' homes"] == "PermissionError"  # may pass through, not list
    refused = {name: result for name, result in attempts.items() if result != "PermissionError"}
    assert not refused, f"alice could read: {refused}"
    assert r["environ_uids"] == [r["uid"]], "alice read the environment of another user's process"
    assert not [k for k in r["env"] if k.startswith(("COURSE_HUB", "CONFIGPROXY"))], r["env"]
    leaked = [name for name, secret in r["secrets"].items() if secret in r["seen"]]
    assert not leaked, f"alice's kernel saw {leaked}"
    # refused: 403, or 404 where JupyterHub will not even say that bob exists
    assert all(code in (403, 404) for code in r["status"].values()), r["status"]
    assert r["instructor_with_real_password"], "the instructor's own password must work, or this test proves nothing"
    assert not any(r["instructor_with"].values()), r["instructor_with"]
    assert r["admin_api_with_found_tokens"] and set(r["admin_api_with_found_tokens"]) == {403}
    assert r["terminal"] == 404, "terminals are off by default"
