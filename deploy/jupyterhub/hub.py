#!/usr/bin/env python3
"""Start the workshop JupyterHub: ``python3 deploy/jupyterhub/hub.py start``.

    python3 deploy/jupyterhub/hub.py start                    # on http://127.0.0.1:8000
    python3 deploy/jupyterhub/hub.py start --ip 0.0.0.0       # the room can reach it
    python3 deploy/jupyterhub/hub.py start --port 8080 --cull-after 1800

Needs the course environment (``python3 course.py setup``) and the proxy from npm
(``npm ci --prefix deploy/jupyterhub``). The workshop password is ``$COURSE_HUB_PASSWORD`` if
set, else the one kept in ``<dir>/password`` (made on the first start and printed). Ctrl-C stops
the hub, the proxy and every learner's server. ``benchmarks/classroom.py`` starts the hub with
the same ``hub_command``/``hub_env`` as this script.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CONFIG = HERE / "jupyterhub_config.py"
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
VENV_BIN = ROOT / ".venv" / ("Scripts" if os.name == "nt" else "bin")
INSTALL_PROXY = "npm ci --prefix deploy/jupyterhub"


def check_ready() -> None:
    """Fail with the command to run when the course environment or the proxy is missing."""
    if not (VENV_BIN / "jupyterhub").exists():
        raise SystemExit(f"[hub] {VENV_BIN / 'jupyterhub'} is missing: run `python3 course.py setup` first "
                         "(it installs JupyterHub with the course's [hub] extra).")
    if not PROXY.exists():
        raise SystemExit(f"[hub] configurable-http-proxy is missing ({PROXY}): install it with "
                         f"`{INSTALL_PROXY}` (needs Node.js and npm) from the project folder.")


def hub_command() -> list[str]:
    """The command that runs JupyterHub from the course's ``.venv`` with this folder's config."""
    return [str(VENV_BIN / "jupyterhub"), "-f", str(CONFIG)]


def hub_env(*, workshop: Path, password: str, ip: str = "127.0.0.1", port: int = 8000,
            hub_port: int = 8081, proxy_api_port: int = 8001, cull_after: int = 3600,
            admin_password: str | None = None) -> dict[str, str]:
    """The environment ``jupyterhub_config.py`` reads (see its docstring)."""
    env = dict(os.environ, COURSE_HUB_DIR=str(workshop), COURSE_HUB_PASSWORD=password,
               COURSE_HUB_IP=ip, COURSE_HUB_PORT=str(port), COURSE_HUB_HUB_PORT=str(hub_port),
               COURSE_HUB_PROXY_API_PORT=str(proxy_api_port), COURSE_HUB_CULL_AFTER=str(cull_after),
               OMP_NUM_THREADS="1")
    if admin_password:
        env["COURSE_HUB_ADMIN_PASSWORD"] = admin_password
    return env


def workshop_password(workshop: Path) -> str:
    """``$COURSE_HUB_PASSWORD``, else the kept one, else a new one written to ``<dir>/password``."""
    if os.environ.get("COURSE_HUB_PASSWORD"):
        return os.environ["COURSE_HUB_PASSWORD"]
    kept = workshop / "password"
    if kept.exists():
        return kept.read_text().strip()
    password = "-".join(secrets.token_hex(2) for _ in range(3))  # e.g. 3f9a-0c1d-77be
    workshop.mkdir(parents=True, exist_ok=True)
    kept.touch(mode=0o600)
    kept.write_text(password + "\n")
    return password


def start(args: argparse.Namespace) -> int:
    check_ready()
    workshop = Path(args.dir).resolve()
    workshop.mkdir(parents=True, exist_ok=True)
    password = workshop_password(workshop)
    if len(password) < 8:
        raise SystemExit("[hub] the workshop password must have 8 or more characters")
    env = hub_env(workshop=workshop, password=password, ip=args.ip, port=args.port,
                  hub_port=args.hub_port, proxy_api_port=args.proxy_api_port, cull_after=args.cull_after,
                  admin_password=os.environ.get("COURSE_HUB_ADMIN_PASSWORD"))
    host = "127.0.0.1" if args.ip in ("", "0.0.0.0") else args.ip
    print(f"[hub] workshop folder: {workshop}")
    print(f"[hub] open http://{host}:{args.port}/ — any name, workshop password: {password}")
    if args.ip not in ("127.0.0.1", "localhost"):
        print(f"[hub] listening on {args.ip}: anyone who can reach this port and knows the password gets "
              "a Python shell on this machine. Use it on a trusted network only, never the open internet.")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        print("[hub] warning: running as root, so every learner's server runs as root too (no isolation). "
              "Prefer a dedicated unprivileged user: see deploy/jupyterhub/README.md.")
    print("[hub] Ctrl-C stops the hub, the proxy and every learner's server.", flush=True)
    os.chdir(workshop)
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # started in the background, SIGINT may be ignored:
    #                                              the hub stops its services with it
    command = hub_command()
    os.execve(command[0], command, env)  # the hub takes this process's place: signals reach it directly


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="hub.py", description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("start", help="start the hub in the foreground (Ctrl-C stops everything)")
    p.add_argument("--ip", default=os.environ.get("COURSE_HUB_IP", "127.0.0.1"),
                   help="address learners connect to (default 127.0.0.1; 0.0.0.0 for the whole network)")
    p.add_argument("--port", type=int, default=int(os.environ.get("COURSE_HUB_PORT", "8000")))
    p.add_argument("--hub-port", type=int, default=8081, help="the hub's internal port on 127.0.0.1")
    p.add_argument("--proxy-api-port", type=int, default=8001, help="the proxy's API port on 127.0.0.1")
    p.add_argument("--cull-after", type=int, default=3600, help="stop servers idle this many seconds")
    p.add_argument("--dir", default=os.environ.get("COURSE_HUB_DIR", str(HERE / "workshop")),
                   help="workshop folder: database, password, learners' homes (default deploy/jupyterhub/workshop)")
    args = parser.parse_args(argv)
    return start(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
