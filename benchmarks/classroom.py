"""How many learners one server holds: a simulated classroom on the course's real JupyterHub.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/classroom.py --learners 10 --notebook benchmarks/classroom_task.ipynb

What it does, with nothing but the real pieces (deploy/jupyterhub/ and its configurable-http-proxy):
1. starts the hub on 127.0.0.1 (free ports, a fresh workshop folder), as ``hub.py start`` does;
2. logs N learners in through the real login form (``/hub/login``, shared workshop password),
   each then asks the hub's REST API for an API token and starts its server
   (``POST /hub/api/users/<name>/server``); waits until every server is ready;
3. runs the notebook once for one learner alone (a fresh kernel, every code cell over the
   kernel's websocket, as JupyterLab sends them), then in every learner's fresh kernel at once;
4. samples, once a second, the memory of every process the hub started: each learner's
   ``jupyterhub-singleuser`` server and its kernel (RSS, and PSS, which splits shared pages
   fairly), the hub and the proxy; and every listening socket's address;
5. as the instructor (the hub's admin), opens the room board (``/services/board/``, the hub's
   OAuth as a browser goes through it) and keeps its rows; as a learner, opens it too and keeps
   the refusal (the hub's 403 to a browser; the board's 403 to a learner's API token);
6. stops everything it started — on success, failure, Ctrl-C or SIGTERM: the hub is asked to
   shut down (it stops the proxy and every server), then anything still alive is killed. As
   root its learners are system users (``rnncourse-learner01``...), as in a room, deleted at the
   end, and folders closed to them on the way to the course's Python (a pyenv in /root) are
   opened for the run (``hub.py start --open-folders``) and closed again.

Its last line: learners served, failures, wall time against one learner alone, peak memory per
learner. Results go to ``data/benchmarks/classroom.json`` (``--out`` elsewhere) via
``rnn_course.results.save_benchmark``. Keys of ``results`` (times in seconds, memory in MB):

- ``learners``, ``served`` (learners whose notebook ran to the end with no error), ``failures``
  (how many learners failed), ``failure_details`` (a list of ``{"learner", "stage", "error"}``),
  ``notebook``, ``code_cells``
- ``login_s`` (all logins), ``spawn_s`` (first server request until every server is ready)
- ``alone_s`` (one learner, kernel start to last cell), ``wall_s`` (all learners at once, first
  kernel request to last learner done), ``slowdown`` (``wall_s / alone_s``),
  ``per_learner_s`` ({min, median, max} of each learner's own time in the concurrent run),
  ``kernel_torch_threads`` (the distinct ``torch.get_num_threads()`` seen in the kernels: [1])
- ``alone_cpu_s`` and ``kernel_cpu_s`` (CPU seconds, user + system, one kernel used for the
  notebook including its start: alone, and the median in the concurrent run): the work one
  learner costs, which does not depend on the machine's load; ``quiet_wall_estimate_s``
  (``max(learners / cpu_count, 1) × kernel_cpu_s``): the wall time on an otherwise idle machine
- ``peak_rss_mb_per_learner`` (largest peak over learners of server + kernel RSS),
  ``mean_peak_rss_mb_per_learner``, ``kernel_rss_mb`` and ``server_rss_mb`` (largest peaks),
  ``peak_pss_mb_per_learner``, ``hub_rss_mb``, ``proxy_rss_mb``, ``total_peak_rss_mb`` and
  ``total_peak_pss_mb`` (everything the hub started, at the busiest sample)
- ``listen_addresses`` (every address a started process listened on), ``leftover_processes``
  (how many were still alive after the clean-up: 0 unless something went wrong)
- ``cpu_count``, ``load_before`` (1-minute load average before the run; the machine record
  in the JSON has the load after it)
- ``board``: ``instructor_status`` (HTTP status of the board page for the instructor: 200),
  ``learner_status`` and ``learner_token_status`` (for learner01's browser and API token: 403),
  ``rows`` (per learner: ``learner``, ``notebooks``, ``exercises_passed``, ``exercises_failed``,
  ``quiz_passed``, ``quiz_failed``, ``last_failed`` check), ``error`` (null unless it failed)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import nbformat
import psutil
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from rnn_course.cost import pss_mb

ROOT = Path(__file__).resolve().parents[1]

def _load_hub():
    """deploy/jupyterhub/hub.py, the command that starts the hub (a script folder, not a package)."""
    spec = importlib.util.spec_from_file_location("hub", ROOT / "deploy" / "jupyterhub" / "hub.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["hub"] = module  # its own imports of "hub" (if any) find this one
    spec.loader.exec_module(module)
    return module


course_hub = _load_hub()

PASSWORD = "classroom-" + uuid.uuid4().hex[:8]
ADMIN_PASSWORD = "instructor-" + uuid.uuid4().hex  # 43 characters: the hub asks for 32 or more
BOARD_KEYS = ("learner", "notebooks", "exercises_passed", "exercises_failed", "quiz_passed", "quiz_failed")
# After the notebook, untimed: the kernel's torch threads and the CPU seconds it has used
# (user + system, all threads): the work a learner costs, whatever else the machine is doing.
PROBE = ("import resource, torch; r = resource.getrusage(resource.RUSAGE_SELF); "
         "print(torch.get_num_threads(), r.ru_utime + r.ru_stime)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- memory and sockets of everything the hub started ------------------------------------------


class Sampler(threading.Thread):
    """Once a second: RSS/PSS per learner (server, kernels), hub, proxy; listening addresses."""

    def __init__(self, hub: psutil.Process, interval: float = 1.0):
        super().__init__(daemon=True, name="classroom-sampler")
        self.hub, self.interval = hub, interval
        self.seen: dict[int, psutil.Process] = {hub.pid: hub}  # every process the hub started
        self.peak: dict[str, dict[str, float]] = {}  # learner -> {server, kernel, total, pss}
        self.peak_hub = self.peak_proxy = self.peak_total = self.peak_total_pss = 0.0
        self.addresses: set[str] = set()
        self.stop_event = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        while not self.stop_event.wait(self.interval):
            self.sample()

    def descendants(self) -> list[psutil.Process]:
        try:
            procs = self.hub.children(recursive=True)
        except psutil.NoSuchProcess:
            procs = []
        with self.lock:
            for p in procs:
                self.seen.setdefault(p.pid, p)
        return procs

    def sample(self) -> None:
        procs = self.descendants()
        total = total_pss = 0.0
        try:
            hub_rss = self.hub.memory_info().rss / 2**20
            total, total_pss = hub_rss, pss_mb(self.hub)
            self.peak_hub = max(self.peak_hub, hub_rss)
        except psutil.Error:
            return
        for p in [self.hub, *procs]:
            try:
                for c in p.net_connections(kind="inet"):
                    if c.status == psutil.CONN_LISTEN:
                        self.addresses.add(c.laddr.ip)
            except psutil.Error:
                pass
        for p in procs:
            try:
                cmd = " ".join(p.cmdline())
                if "configurable-http-proxy" in cmd:
                    rss = p.memory_info().rss / 2**20
                    self.peak_proxy = max(self.peak_proxy, rss)
                    total, total_pss = total + rss, total_pss + pss_mb(p)
                elif "jupyterhub-singleuser" in cmd:
                    user = p.environ().get("JUPYTERHUB_USER", str(p.pid))
                    server = p.memory_info().rss / 2**20
                    kids = p.children(recursive=True)
                    kernel = sum(k.memory_info().rss for k in kids) / 2**20
                    pss = pss_mb(p) + sum(pss_mb(k) for k in kids)
                    peak = self.peak.setdefault(user, {"server": 0.0, "kernel": 0.0, "total": 0.0, "pss": 0.0})
                    for key, value in (("server", server), ("kernel", kernel), ("total", server + kernel), ("pss", pss)):
                        peak[key] = max(peak[key], value)
                    total, total_pss = total + server + kernel, total_pss + pss
                elif "jupyterhub_idle_culler" in cmd or "board_service.py" in cmd:
                    rss = p.memory_info().rss / 2**20
                    total, total_pss = total + rss, total_pss + pss_mb(p)
            except psutil.Error:
                continue
        self.peak_total = max(self.peak_total, total)
        self.peak_total_pss = max(self.peak_total_pss, total_pss)


# --- the hub -----------------------------------------------------------------------------------


def start_hub(workshop: Path, port: int, password: str = PASSWORD, admin_password: str | None = ADMIN_PASSWORD,
              ) -> tuple[subprocess.Popen, list[tuple[Path, int]]]:
    """The course's hub (deploy/jupyterhub) on 127.0.0.1:port, in its own process group, as
    ``hub.py start`` runs it. As root (learners as their own system users), folders closed to
    them on the way to the course's Python are opened (``x`` for others); the second value
    lists them with their old modes, for ``course_hub.restore_modes`` once the hub is stopped.
    Its log: ``<workshop>/hub/hub.log`` (with the hub's secrets: learners cannot read it)."""
    course_hub.check_ready()
    opened = course_hub.prepare_workshop(workshop, password, admin_password=admin_password, open_closed=True)
    env = course_hub.hub_env(workshop=workshop, ip="127.0.0.1", port=port,
                             hub_port=free_port(), proxy_api_port=free_port(), board_port=free_port())
    log = open(workshop / course_hub.SECRET_FILES / "hub.log", "wb")
    hub = subprocess.Popen(course_hub.hub_command(), cwd=workshop, env=env, stdout=log,
                           stderr=subprocess.STDOUT, start_new_session=True)
    return hub, opened


def wait_for_hub(hub: subprocess.Popen, base: str, workshop: Path, timeout: float = 60) -> None:
    """Until the hub answers on ``base``; fails with the end of its log if it exits or never does."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}/hub/api/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if hub.poll() is not None or time.monotonic() > deadline:
            tail = (workshop / course_hub.SECRET_FILES / "hub.log").read_text()[-2000:]
            raise RuntimeError(f"the hub did not come up; the end of its log:\n{tail}")
        time.sleep(0.3)


def running(p: psutil.Process) -> bool:
    """Still alive (and the same process: psutil checks its start time), not a zombie."""
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def stop_everything(hub: subprocess.Popen | None, sampler: Sampler | None, grace: float = 30.0) -> int:
    """Ask the hub to shut down (it stops the proxy and the servers), then kill what is left.

    Returns how many started processes were still alive at the end (0 when all is well)."""
    if hub is None:
        return 0
    procs = {}
    if sampler:
        sampler.stop_event.set()
        sampler.descendants()  # the latest servers and kernels too
        procs = dict(sampler.seen)
    if hub.poll() is None:
        hub.send_signal(signal.SIGTERM)
        try:
            hub.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    alive = [p for p in procs.values() if running(p)]
    for p in alive:
        try:
            p.terminate()
        except psutil.Error:
            pass
    gone, alive = psutil.wait_procs(alive, timeout=5)
    for p in alive:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=5)
    if hub.poll() is None:
        try:
            os.killpg(hub.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        hub.wait(5)
    return sum(1 for p in procs.values() if running(p))


# --- one simulated learner ---------------------------------------------------------------------


class Learner:
    """A learner's browser, reduced to HTTP: login form, hub API, kernel websocket."""

    def __init__(self, base: str, name: str, password: str = PASSWORD):
        self.base, self.name, self.password, self.token = base, name, password, None
        self.client = httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(300.0))

    async def login(self) -> None:
        page = await self.client.get("/hub/login")
        page.raise_for_status()
        xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', page.text).group(1)
        r = await self.client.post("/hub/login", data={"username": self.name, "password": self.password, "_xsrf": xsrf})
        if r.status_code != 302:
            raise RuntimeError(f"login refused (HTTP {r.status_code})")
        xsrf = [c.value for c in self.client.cookies.jar if c.name == "_xsrf"][-1]  # renewed at login
        r = await self.client.post(f"/hub/api/users/{self.name}/tokens", json={"note": "classroom benchmark"},
                                   headers={"X-XSRFToken": xsrf})
        r.raise_for_status()
        self.token = r.json()["token"]
        self.client.headers["Authorization"] = f"token {self.token}"

    async def start_server(self, timeout: float) -> None:
        r = await self.client.post(f"/hub/api/users/{self.name}/server")
        if r.status_code not in (201, 202):
            raise RuntimeError(f"server start refused (HTTP {r.status_code}: {r.text[:200]})")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = (await self.client.get(f"/hub/api/users/{self.name}")).json()["servers"].get("")
            if server is None:
                raise RuntimeError("the server stopped while starting (see hub.log)")
            if server.get("ready"):
                return
            await asyncio.sleep(0.5)
        raise TimeoutError(f"server not ready after {timeout:.0f} s")

    async def run_notebook(self, cells: list[str], timeout: float) -> tuple[float, int, float]:
        """Fresh kernel, every code cell in order, kernel shut down.

        Returns the seconds taken (kernel start to last cell), the kernel's torch threads and
        the CPU seconds the kernel used."""
        t0 = time.perf_counter()
        async with self.kernel(timeout) as (ws, session):
            for i, code in enumerate(cells):
                await asyncio.wait_for(self.execute(ws, session, code, i), timeout - (time.perf_counter() - t0))
            seconds = time.perf_counter() - t0
            threads, cpu = (await asyncio.wait_for(self.execute(ws, session, PROBE, len(cells)), 60)).split()
        return seconds, int(threads), float(cpu)

    @contextlib.asynccontextmanager
    async def kernel(self, timeout: float):
        """A fresh kernel in the learner's server: yields its websocket and a session id; shut down after."""
        api = f"/user/{self.name}/api/kernels"
        r = await self.client.post(api, json={"name": "python3"})
        r.raise_for_status()
        kernel = r.json()["id"]
        try:
            url = self.base.replace("http", "ws", 1) + f"{api}/{kernel}/channels"
            # A browser waits for a busy server; tornado's default of 20 s did not when ten kernels
            # started at once on 2 cores (one learner failed in CI with "Timeout during request").
            ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {self.token}"},
                                                     connect_timeout=timeout, request_timeout=timeout),
                                         max_message_size=64 * 2**20)
            try:
                yield ws, uuid.uuid4().hex
            finally:
                ws.close()
        finally:
            await self.client.delete(f"{api}/{kernel}")

    async def execute(self, ws, session: str, code: str, index: int) -> str:
        """Run one cell; return what it printed; raise naming the cell if it failed."""
        msg_id = uuid.uuid4().hex
        now = datetime.datetime.now(datetime.timezone.utc).isoformat()
        ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": self.name, "session": session, "date": now,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        printed, reply, idle = [], None, False
        while reply is None or not idle:  # the reply (shell) and the last output (iopub) come in either order
            raw = await ws.read_message()
            if raw is None:
                raise RuntimeError(f"the kernel's websocket closed during code cell {index + 1}")
            if not isinstance(raw, str):
                continue  # binary frames carry buffers (widgets); not needed here
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                printed.append(msg["content"]["text"])
            elif msg["msg_type"] == "execute_reply":
                reply = msg["content"]
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        if reply["status"] != "ok":
            raise RuntimeError(f"code cell {index + 1} failed: {reply.get('ename')}: {reply.get('evalue')}")
        return "".join(printed)


async def room_board(base: str, timeout: float) -> dict:
    """The room board as the instructor sees it, and a learner's two ways of asking for it."""
    board = "/services/board/"
    instructor, learner = Learner(base, "instructor", ADMIN_PASSWORD), Learner(base, "learner01")
    try:
        for person in (instructor, learner):
            await person.login()
            del person.client.headers["Authorization"]  # a browser: the hub's cookie, the OAuth dance
        page = await instructor.client.get(board, follow_redirects=True, timeout=timeout)
        rows = await instructor.client.get(board + "rows.json", timeout=timeout) if page.status_code == 200 else None
        refused = await learner.client.get(board, follow_redirects=True, timeout=timeout)
        with_token = await learner.client.get(board + "rows.json", headers={"Authorization": f"token {learner.token}"},
                                              timeout=timeout)
    finally:
        await asyncio.gather(instructor.client.aclose(), learner.client.aclose(), return_exceptions=True)
    return {
        "instructor_status": page.status_code, "learner_status": refused.status_code,
        "learner_token_status": with_token.status_code, "error": None,
        "rows": [{**{k: row[k] for k in BOARD_KEYS}, "last_failed": (row["last_failed"] or {}).get("check")}
                 for row in rows.json()] if rows is not None and rows.status_code == 200 else None,
    }


async def classroom(base: str, n: int, cells: list[str], timeout: float, log) -> dict:
    learners = [Learner(base, f"learner{i + 1:02d}") for i in range(n)]
    failures: list[dict] = []
    ok = set(range(n))

    async def stage(name: str, coro_of, who: list[int]):
        results = await asyncio.gather(*(coro_of(learners[i]) for i in who), return_exceptions=True)
        for i, res in zip(who, results):
            if isinstance(res, BaseException):
                failures.append({"learner": learners[i].name, "stage": name, "error": f"{type(res).__name__}: {res}"})
                ok.discard(i)
        return dict(zip(who, results))

    try:
        t0 = time.perf_counter()
        await stage("login", lambda l: l.login(), sorted(ok))
        login_s = time.perf_counter() - t0
        log(f"{len(ok)}/{n} logged in ({login_s:.1f} s); starting their servers")
        t0 = time.perf_counter()
        await stage("spawn", lambda l: l.start_server(timeout), sorted(ok))
        spawn_s = time.perf_counter() - t0
        log(f"{len(ok)}/{n} servers ready ({spawn_s:.1f} s); one learner alone first")
        alone_s = alone_cpu_s = None
        if ok:
            first = min(ok)
            alone = await stage("alone", lambda l: l.run_notebook(cells, timeout), [first])
            alone_s, _, alone_cpu_s = alone[first] if not isinstance(alone[first], BaseException) else (None, 0, None)
            log(f"alone: {alone_s:.1f} s" if alone_s else "alone: failed")
        log(f"all {len(ok)} at once")
        t0 = time.perf_counter()
        times = await stage("notebook", lambda l: l.run_notebook(cells, timeout), sorted(ok))
        wall_s = time.perf_counter() - t0
        done = [r for r in times.values() if not isinstance(r, BaseException)]
        per, threads, cpu = [r[0] for r in done], sorted({r[1] for r in done}), [r[2] for r in done]
        try:
            board = await room_board(base, timeout)
        except Exception as e:  # noqa: BLE001 (kept in the results, and the run fails)
            board = {"error": f"{type(e).__name__}: {e}"}
        log(f"room board: {board}" if board.get("error") else
            f"room board: {len(board['rows'] or [])} rows for the instructor (HTTP {board['instructor_status']}); "
            f"a learner gets HTTP {board['learner_status']} (browser), {board['learner_token_status']} (token)")
    finally:
        await asyncio.gather(*(l.client.aclose() for l in learners), return_exceptions=True)
    return {
        "served": len(ok), "failures": len({f["learner"] for f in failures}), "failure_details": failures,
        "login_s": login_s, "spawn_s": spawn_s,
        "alone_s": alone_s, "wall_s": wall_s,
        "slowdown": wall_s / alone_s if alone_s else None, "kernel_torch_threads": threads,
        "alone_cpu_s": alone_cpu_s, "kernel_cpu_s": statistics.median(cpu) if cpu else None,
        "quiet_wall_estimate_s": max(n / os.cpu_count(), 1) * statistics.median(cpu) if cpu else None,
        "per_learner_s": {"min": min(per), "median": statistics.median(per), "max": max(per)} if per else None,
        "board": board,
    }


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=10, help="simulated learners (default 10)")
    parser.add_argument("--notebook", default="benchmarks/classroom_task.ipynb",
                        help="notebook every learner runs: a path, or a course notebook's name such as 03_text_generation")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds each stage may take per learner")
    parser.add_argument("--dir", help="workshop folder to use (default: a fresh temporary one, removed afterwards)")
    parser.add_argument("--out", help="where the JSON goes (default data/benchmarks/classroom.json)")
    args = parser.parse_args(argv)
    if args.learners < 1:
        parser.error(f"--learners must be at least 1, got {args.learners}")
    nb_path = Path(args.notebook)
    if not nb_path.exists() and (ROOT / "notebooks" / f"{args.notebook.removesuffix('.ipynb')}.ipynb").exists():
        nb_path = ROOT / "notebooks" / f"{args.notebook.removesuffix('.ipynb')}.ipynb"
    if not nb_path.exists():
        names = ", ".join(sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb")))
        parser.error(f"no notebook {args.notebook!r}: give a path or one of {names}")
    cells = [c.source for c in nbformat.read(nb_path, as_version=4).cells if c.cell_type == "code"]
    log = lambda msg: print(f"[classroom] {msg}", flush=True)  # noqa: E731

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_interrupt)  # so the finally below runs and stops everything
    workshop = Path(args.dir).resolve() if args.dir else Path(tempfile.mkdtemp(prefix="classroom-"))
    workshop.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    hub = sampler = None
    leftover = None
    opened: list[tuple[Path, int]] = []
    try:
        port = free_port()
        hub, opened = start_hub(workshop, port)
        sampler = Sampler(psutil.Process(hub.pid))
        base = f"http://127.0.0.1:{port}"
        wait_for_hub(hub, base, workshop)
        log(f"hub up at {base}; {args.learners} learners log in")
        sampler.start()
        run = asyncio.run(classroom(base, args.learners, cells, args.timeout, log))
        sampler.sample()
    except (KeyboardInterrupt, asyncio.CancelledError) as e:  # Ctrl-C, SIGTERM, SIGHUP: stop all, save nothing
        run = None
        log(f"interrupted ({e or 'Ctrl-C'})")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        t0 = time.perf_counter()
        if hub is not None:
            log("stopping the hub, the proxy, every server and kernel (up to a minute)")
        leftover = stop_everything(hub, sampler)
        course_hub.restore_modes(opened)
        if course_hub.isolating():
            course_hub.remove_learners(workshop)  # the simulated learners' system users
        if hub is not None:
            log(f"stopped the hub and everything it started in {time.perf_counter() - t0:.0f} s "
                f"({leftover} left running)")
        if not args.dir:
            shutil.rmtree(workshop, ignore_errors=True)
    if run is None:
        return 130

    peaks = list(sampler.peak.values())
    results = {
        "learners": args.learners, "notebook": str(nb_path.resolve().relative_to(ROOT)) if nb_path.resolve().is_relative_to(ROOT) else str(nb_path),
        "code_cells": len(cells), **run,
        "peak_rss_mb_per_learner": max((p["total"] for p in peaks), default=None),
        "mean_peak_rss_mb_per_learner": statistics.mean(p["total"] for p in peaks) if peaks else None,
        "kernel_rss_mb": max((p["kernel"] for p in peaks), default=None),
        "server_rss_mb": max((p["server"] for p in peaks), default=None),
        "peak_pss_mb_per_learner": max((p["pss"] for p in peaks), default=None),
        "hub_rss_mb": sampler.peak_hub, "proxy_rss_mb": sampler.peak_proxy,
        "total_peak_rss_mb": sampler.peak_total, "total_peak_pss_mb": sampler.peak_total_pss,
        "listen_addresses": sorted(sampler.addresses), "leftover_processes": leftover,
        "cpu_count": os.cpu_count(), "load_before": round(load_before, 2),
    }
    results = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in results.items()}
    from rnn_course.results import save_benchmark

    command = "OMP_NUM_THREADS=1 .venv/bin/python benchmarks/classroom.py " + " ".join(argv if argv is not None else sys.argv[1:])
    path = save_benchmark("classroom", results, command=command, path=Path(args.out) if args.out else None)
    for f in run["failure_details"]:
        log(f"failure: {f['learner']} at {f['stage']}: {f['error']}")
    log(f"results in {path}")
    r = results
    print(f"classroom: {r['served']}/{r['learners']} learners served, {r['failures']} failures; "
          f"wall {r['wall_s']:.1f} s for {r['learners']} at once vs {r['alone_s'] or float('nan'):.1f} s alone; "
          f"peak {r['peak_rss_mb_per_learner'] or 0:.0f} MB RSS per learner "
          f"(kernel {r['kernel_rss_mb'] or 0:.0f} MB, server {r['server_rss_mb'] or 0:.0f} MB; "
          f"PSS {r['peak_pss_mb_per_learner'] or 0:.0f} MB); {r['kernel_cpu_s'] or 0:.1f} CPU-s per learner, "
          f"so about {r['quiet_wall_estimate_s'] or 0:.0f} s for all on an idle machine "
          f"(load before: {r['load_before']})", flush=True)
    board = r["board"]
    board_ok = (not board.get("error") and board["instructor_status"] == 200 and board["learner_status"] == 403
                and board["learner_token_status"] == 403 and len(board["rows"] or []) == r["learners"])
    if not board_ok:
        log(f"the room board did not answer as it should: {board}")
    return 0 if r["served"] == r["learners"] and r["failures"] == 0 and leftover == 0 and board_ok else 1


if __name__ == "__main__":
    sys.exit(main())
