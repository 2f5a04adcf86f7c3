#!/usr/bin/env python3
"""Start the workshop JupyterHub: ``python3 deploy/jupyterhub/hub.py start``.

    sudo python3 deploy/jupyterhub/hub.py start                    # on http://127.0.0.1:8000
    sudo python3 deploy/jupyterhub/hub.py start --ip 0.0.0.0       # the room can reach it
    sudo python3 deploy/jupyterhub/hub.py start --port 8080 --cull-after 1800 --terminals
    sudo python3 deploy/jupyterhub/hub.py remove-learners          # after the workshop

Needs the course environment (``python3 course.py setup``) and the proxy from npm
(``npm ci --prefix deploy/jupyterhub``). Started as root, every learner's server runs as their own
system user ``rnncourse-<name>`` (made at their first login); started as anyone else, every server
runs as that user and learners are not kept apart (it says so loudly). The workshop password is
``$COURSE_HUB_PASSWORD`` if set, else the one kept in ``<dir>/hub/password`` (made on the first
start and printed); with ``$COURSE_HUB_ADMIN_PASSWORD`` (32+ characters) there is an admin
``instructor``, who alone may open the room board (``board_service.py``). Secrets reach the hub
in files only readable by it (``<dir>/hub/``, mode 0700), never in its environment. Ctrl-C stops the hub, the proxy and every learner's server.
``benchmarks/classroom.py`` starts the hub with the same ``prepare_workshop``/``hub_env``/``hub_command``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import stat
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CONFIG = HERE / "jupyterhub_config.py"
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
VENV_BIN = ROOT / ".venv" / ("Scripts" if os.name == "nt" else "bin")
INSTALL_PROXY = "npm ci --prefix deploy/jupyterhub"
LEARNER_PREFIX = "rnncourse-"  # learner "ada" runs as system user "rnncourse-ada" (jupyterhub_config.py)
SECRET_FILES = "hub"  # <dir>/hub/: passwords, cookie secret, database, logs (mode 0700, the hub's own)


def check_ready() -> None:
    """Fail with the command to run when the course environment or the proxy is missing."""
    if not (VENV_BIN / "jupyterhub").exists():
        raise SystemExit(f"[hub] {VENV_BIN / 'jupyterhub'} is missing: run `python3 course.py setup` first "
                         "(it installs JupyterHub with the course's [hub] extra).")
    if not PROXY.exists():
        raise SystemExit(f"[hub] configurable-http-proxy is missing ({PROXY}): install it with "
                         f"`{INSTALL_PROXY}` (needs Node.js and npm) from the project folder.")


def isolating() -> bool:
    """Learners get their own system users only when the hub runs as root (it must switch users)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def hub_command() -> list[str]:
    """The command that runs JupyterHub from the course's ``.venv`` with this folder's config."""
    return [str(VENV_BIN / "jupyterhub"), "-f", str(CONFIG)]


def hub_env(*, workshop: Path, ip: str = "127.0.0.1", port: int = 8000, hub_port: int = 8081,
            proxy_api_port: int = 8001, board_port: int = 8002, cull_after: int = 3600,
            terminals: bool = False) -> dict[str, str]:
    """The environment ``jupyterhub_config.py`` reads (see its docstring): settings, no secrets.

    Every ``COURSE_HUB_*`` variable of the caller is dropped first, so a password exported in the
    instructor's shell never reaches the hub's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_HUB_")}
    env.update(COURSE_HUB_DIR=str(workshop), COURSE_HUB_IP=ip, COURSE_HUB_PORT=str(port),
               COURSE_HUB_HUB_PORT=str(hub_port), COURSE_HUB_PROXY_API_PORT=str(proxy_api_port),
               COURSE_HUB_BOARD_PORT=str(board_port),
               COURSE_HUB_CULL_AFTER=str(cull_after), COURSE_HUB_TERMINALS="1" if terminals else "0",
               OMP_NUM_THREADS="1")
    return env


def write_secret(path: Path, text: str) -> None:
    """``text`` into ``path``, readable and writable by this user only (mode 0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # also when the file was there with other permissions
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")


def workshop_password(workshop: Path) -> str:
    """``$COURSE_HUB_PASSWORD``, else the kept one, else a new one (kept by ``prepare_workshop``)."""
    if os.environ.get("COURSE_HUB_PASSWORD"):
        return os.environ["COURSE_HUB_PASSWORD"]
    for kept in (workshop / SECRET_FILES / "password", workshop / "password"):  # the second: before 0.3
        if kept.exists():
            return kept.read_text().strip()
    return "-".join(secrets.token_hex(2) for _ in range(3))  # e.g. 3f9a-0c1d-77be


def course_paths(workshop: Path) -> list[Path]:
    """What every learner's server must reach: the course's Python (the ``.venv`` and the Python it
    was made from), the project (editable install, notebooks, data) and the learners' homes."""
    needed = [VENV_BIN.parent, ROOT / "rnn_course", ROOT / "notebooks", ROOT / "data", workshop / "home"]
    cfg = VENV_BIN.parent / "pyvenv.cfg"
    if cfg.exists():
        for line in cfg.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "home":
                needed.append(Path(value.strip()).parent)  # e.g. /root/.pyenv/versions/3.11.7
    return needed


def closed_folders(paths: list[Path]) -> list[Path]:
    """Folders on the way to ``paths`` that other users may not enter (no ``x`` for others)."""
    closed: list[Path] = []
    for path in paths:
        path = path.resolve()
        for folder in [*reversed(path.parents), path]:
            if folder.is_dir() and not folder.stat().st_mode & stat.S_IXOTH and folder not in closed:
                closed.append(folder)
    return closed


def open_folders(folders: list[Path]) -> list[tuple[Path, int]]:
    """Give others search permission (``x``, not ``r``: they may pass, not list) on ``folders``;
    return their old modes for ``restore_modes``."""
    changed = []
    for folder in folders:
        mode = stat.S_IMODE(folder.stat().st_mode)
        folder.chmod(mode | stat.S_IXOTH)
        changed.append((folder, mode))
    return changed


def restore_modes(changed: list[tuple[Path, int]]) -> None:
    for folder, mode in changed:
        folder.chmod(mode)


def prepare_workshop(workshop: Path, password: str, *, admin_password: str | None = None,
                     open_closed: bool = False) -> list[tuple[Path, int]]:
    """The workshop folder, with the secrets in ``<dir>/hub/`` (0700; files 0600) for the hub to read.

    As root, also ``<dir>/home/`` (0711: learners reach their own home, cannot list the others),
    and a check that learners can reach the course's Python and files: folders closed to them
    (say ``/root``, mode 0700, holding a pyenv Python) stop the start with the fix, or, with
    ``open_closed``, get ``x`` for others. Returns the folders changed so, with their old modes."""
    if len(password) < 8:
        raise SystemExit("[hub] the workshop password must have 8 or more characters")
    workshop.mkdir(parents=True, exist_ok=True)
    hub_files = workshop / SECRET_FILES
    hub_files.mkdir(mode=0o700, exist_ok=True)
    hub_files.chmod(0o700)
    write_secret(hub_files / "password", password)
    (workshop / "password").unlink(missing_ok=True)  # where it was kept before 0.3, readable by learners
    if admin_password:
        write_secret(hub_files / "instructor-password", admin_password)
    else:
        (hub_files / "instructor-password").unlink(missing_ok=True)  # no instructor unless asked this time
    if not isolating():
        return []
    workshop.chmod(0o711)
    (workshop / "home").mkdir(exist_ok=True)
    (workshop / "home").chmod(0o711)
    closed = closed_folders(course_paths(workshop))
    if closed and not open_closed:
        names = " ".join(str(f) for f in closed)
        raise SystemExit(
            f"[hub] learners' servers run as their own users, who cannot enter {names} (no x permission "
            f"for others), so they could not run the course's Python or read its files. Either install the "
            f"course where every user can read it (e.g. /srv/course, with Python outside /root), or run "
            f"`chmod o+x {names}` (others may pass through, not list), or start again with "
            f"--open-folders to do that for this machine.")
    return open_folders(closed) if closed else []


def learner_users(workshop: Path) -> list[str]:
    """The system users this workshop made: ``rnncourse-*`` with their home in ``<dir>/home``."""
    import pwd

    homes = (workshop / "home").resolve()
    return [u.pw_name for u in pwd.getpwall()
            if u.pw_name.startswith(LEARNER_PREFIX) and Path(u.pw_dir).parent == homes]


def remove_learners(workshop: Path) -> list[str]:
    """Delete the workshop's learner accounts (their files stay in ``<dir>/home``). Root only."""
    names = learner_users(workshop)
    for name in names:
        subprocess.run(["userdel", name], check=True, capture_output=True)
    return names


def start(args: argparse.Namespace) -> int:
    check_ready()
    workshop = Path(args.dir).resolve()
    password = workshop_password(workshop)
    opened = prepare_workshop(workshop, password, admin_password=os.environ.get("COURSE_HUB_ADMIN_PASSWORD"),
                              open_closed=args.open_folders)
    env = hub_env(workshop=workshop, ip=args.ip, port=args.port, hub_port=args.hub_port,
                  proxy_api_port=args.proxy_api_port, board_port=args.board_port, cull_after=args.cull_after,
                  terminals=args.terminals)
    host = "127.0.0.1" if args.ip in ("", "0.0.0.0") else args.ip
    print(f"[hub] workshop folder: {workshop}")
    print(f"[hub] open http://{host}:{args.port}/ — any name (lowercase letters, digits, - and _), "
          f"workshop password: {password}")
    if args.ip not in ("127.0.0.1", "localhost"):
        print(f"[hub] listening on {args.ip}: anyone who can reach this port and knows the password gets "
              "a Python shell on this machine. Use it on a trusted network only, never the open internet.")
    for folder, mode in opened:
        print(f"[hub] gave others search permission on {folder} (was {mode:04o}; undo: chmod {mode:04o} {folder})")
    if isolating():
        print(f"[hub] each learner's server runs as their own system user {LEARNER_PREFIX}<name>, made at "
              f"their first start; `hub.py remove-learners --dir {workshop}` deletes them afterwards.")
    else:
        user = os.environ.get("USER") or "this user"
        print(f"[hub] WARNING: not started as root, so every learner's server runs as {user}, like the hub: "
              "any learner can read the hub's files (passwords, cookie secret, database), log in as the "
              "instructor, and read or change every other learner's work. Fine for trying it out alone; for a "
              "room, start it as root (sudo) so each learner gets their own system user.")
    if os.environ.get("COURSE_HUB_ADMIN_PASSWORD"):
        print(f"[hub] the room board, for `instructor` only: http://{host}:{args.port}/services/board/")
    else:
        print("[hub] no instructor (set COURSE_HUB_ADMIN_PASSWORD, 32+ characters), so no room board.")
    print(f"[hub] terminals are {'ON' if args.terminals else 'off (--terminals turns them on)'}.")
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
    default_dir = os.environ.get("COURSE_HUB_DIR", str(HERE / "workshop"))
    p = sub.add_parser("start", help="start the hub in the foreground (Ctrl-C stops everything)")
    p.add_argument("--ip", default=os.environ.get("COURSE_HUB_IP", "127.0.0.1"),
                   help="address learners connect to (default 127.0.0.1; 0.0.0.0 for the whole network)")
    p.add_argument("--port", type=int, default=int(os.environ.get("COURSE_HUB_PORT", "8000")))
    p.add_argument("--hub-port", type=int, default=8081, help="the hub's internal port on 127.0.0.1")
    p.add_argument("--proxy-api-port", type=int, default=8001, help="the proxy's API port on 127.0.0.1")
    p.add_argument("--board-port", type=int, default=8002, help="the room board's port on 127.0.0.1")
    p.add_argument("--cull-after", type=int, default=3600, help="stop servers idle this many seconds")
    p.add_argument("--terminals", action="store_true",
                   help="let learners open terminals in JupyterLab (off by default)")
    p.add_argument("--open-folders", action="store_true",
                   help="as root: give others search (x) permission on folders that keep learners from the "
                        "course's Python, such as /root holding a pyenv Python")
    p.add_argument("--dir", default=default_dir,
                   help="workshop folder: the hub's secrets and database, learners' homes (default deploy/jupyterhub/workshop)")
    r = sub.add_parser("remove-learners", help="as root: delete the learners' system users (their files stay)")
    r.add_argument("--dir", default=default_dir, help="the workshop folder the hub ran with")
    args = parser.parse_args(argv)
    if args.command == "remove-learners":
        names = remove_learners(Path(args.dir).resolve())
        print(f"[hub] removed {len(names)} learner users: {' '.join(names) or '(none)'}")
        return 0
    return start(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
