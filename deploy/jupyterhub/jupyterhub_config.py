"""JupyterHub for a workshop room on one server: the course's environment for every learner.

Start it with ``sudo python3 deploy/jupyterhub/hub.py start`` (README.md beside this file), which
writes the secret files below and sets the environment; or directly with
``.venv/bin/jupyterhub -f deploy/jupyterhub/jupyterhub_config.py`` once those files exist.

What it sets up
- **One shared workshop password** (JupyterHub's ``SharedPasswordAuthenticator``): anyone who
  has it logs in under any name they choose (lowercase letters, digits, ``-`` and ``_``, up to 22),
  and can log in as any other learner. Fine for a room behind 127.0.0.1 or a trusted network for
  an afternoon; NOT for the open internet.
- **An instructor** (admin) only when ``<dir>/hub/instructor-password`` exists: log in as
  ``instructor`` with it. The workshop password never opens that account.
- **Learners kept apart** when the hub runs as root: each learner's server runs as their own
  system user ``rnncourse-<name>``, made at their first start (as The Littlest JupyterHub does),
  in ``<dir>/home/<name>`` (mode 0700, theirs) holding a copy of the notebooks, with a clean
  environment (``Spawner.env_keep``: locale only). The hub's secrets are files in ``<dir>/hub/``
  (mode 0700, the hub's user), never environment variables; a learner's uid can read neither
  them nor the hub's ``/proc/<pid>/environ``. Not root: every server runs as the hub's own user
  and nothing keeps learners apart (``hub.py`` says so loudly).
- **Terminals off** unless ``COURSE_HUB_TERMINALS=1`` (``hub.py start --terminals``).
- **Every learner runs in the course's environment**: ``jupyterhub-singleuser`` and its kernels
  come from the Python that runs the hub (the project's ``.venv``), with JupyterLab by default.
- **``OMP_NUM_THREADS=1``** in every learner's server and so in every kernel it starts: with
  torch's default of one thread per core, learners' spin-waiting threads starve each other
  (five learners did not finish a 7-second cell in three minutes on 2 cores, as reported in
  issue 10).
- **Idle servers culled** by ``jupyterhub-idle-culler`` run as a hub service.
- **The room board** (``board_service.py``), when there is an instructor: a hub service at
  ``/services/board/`` on 127.0.0.1:``COURSE_HUB_BOARD_PORT``, run as the hub's user so it can
  read every learner's ``results/``; the hub lets through only tokens with
  ``access:services!service=board``, which only the admin role holds (learners get 403).
- **Listens on 127.0.0.1** unless ``COURSE_HUB_IP`` says otherwise (``0.0.0.0`` for the room).

Files in ``<dir>/hub/`` (``hub.py`` writes the first two; the hub makes the others)

==========================  ================================================================
password                    the shared workshop password (8+ characters), mode 0600
instructor-password         password (32+ characters) of the admin ``instructor``, mode 0600
jupyterhub_cookie_secret    signs login cookies (whoever reads it can forge the instructor's)
jupyterhub.sqlite           users, servers, hashed API tokens
==========================  ================================================================

The proxy's auth token is made afresh at every start and handed to the proxy in its environment
(a root process's environment: no learner can read it).

Settings (environment variables; ``hub.py start`` sets them from its options; no secrets)

===========================  =========================================================  ============
variable                     meaning                                                    default
===========================  =========================================================  ============
COURSE_HUB_DIR               workshop folder: ``hub/`` (secrets, database), ``home/``   deploy/jupyterhub/workshop
COURSE_HUB_IP / _PORT        where learners connect                                     127.0.0.1:8000
COURSE_HUB_HUB_PORT          the hub's internal port (on 127.0.0.1)                     8081
COURSE_HUB_PROXY_API_PORT    the proxy's REST API port (on 127.0.0.1)                   8001
COURSE_HUB_CULL_AFTER        seconds a server may sit idle before it is stopped         3600
COURSE_HUB_TERMINALS         1: learners may open terminals                             0
COURSE_HUB_BOARD_PORT        the room board's port (on 127.0.0.1)                       8002
===========================  =========================================================  ============
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]  # the project: pyproject.toml, notebooks/, data/
BIN = Path(sys.executable).parent  # the environment running the hub: the course's .venv
WORKSHOP = Path(os.environ.get("COURSE_HUB_DIR", HERE / "workshop")).resolve()
HUB_FILES = WORKSHOP / "hub"  # hub.py's SECRET_FILES
HOMES = WORKSHOP / "home"
IP = os.environ.get("COURSE_HUB_IP", "127.0.0.1")
PORT = int(os.environ.get("COURSE_HUB_PORT", "8000"))
HUB_PORT = int(os.environ.get("COURSE_HUB_HUB_PORT", "8081"))
PROXY_API_PORT = int(os.environ.get("COURSE_HUB_PROXY_API_PORT", "8001"))
CULL_AFTER = int(os.environ.get("COURSE_HUB_CULL_AFTER", "3600"))
TERMINALS = os.environ.get("COURSE_HUB_TERMINALS", "0") == "1"
BOARD_PORT = int(os.environ.get("COURSE_HUB_BOARD_PORT", "8002"))
ISOLATE = hasattr(os, "geteuid") and os.geteuid() == 0  # switching users needs root
LEARNER_PREFIX = "rnncourse-"  # hub.py's LEARNER_PREFIX
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
SINGLEUSER_ENV = {
    "OMP_NUM_THREADS": "1",  # one torch thread per kernel: essential with many learners per core
    "MKL_NUM_THREADS": "1",
    "PYTHONUNBUFFERED": "1",
    "PATH": os.pathsep.join([str(BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
}
COPY_COURSE = (  # run as the learner: what they get at their first start; later starts keep their work
    "import pathlib, shutil, sys; src, home = map(pathlib.Path, sys.argv[1:]); "
    "(home / 'results').mkdir(exist_ok=True); "
    "(home / 'notebooks').exists() or shutil.copytree(src, home / 'notebooks')"
)


def read_secret(name: str, *, required: bool) -> str | None:
    """The first line of ``<dir>/hub/<name>``, refused unless only the hub's user can read it."""
    path = HUB_FILES / name
    if not path.exists():
        if required:
            raise SystemExit(
                f"jupyterhub_config.py: no workshop password in {path}. Start the hub with "
                "`python3 deploy/jupyterhub/hub.py start`, which makes one (or takes $COURSE_HUB_PASSWORD, "
                "8 or more characters) and keeps it there, readable by the hub only.")
        return None
    info = path.stat()
    if stat.S_IMODE(info.st_mode) & 0o077 or (hasattr(os, "geteuid") and info.st_uid != os.geteuid()):
        raise SystemExit(f"jupyterhub_config.py: {path} may be read by others (mode "
                         f"{stat.S_IMODE(info.st_mode):04o}): `chmod 600 {path}`, owned by the hub's user.")
    return path.read_text().strip()


def learner_name(spawner) -> str:
    """The system user a learner's server runs as."""
    return LEARNER_PREFIX + spawner.user.name


def learner_home(spawner) -> Path:
    return HOMES / spawner.user.name


def runtime_dir(spawner) -> Path:
    """A learner's Jupyter runtime folder (kernels' sockets and keys), short enough for Unix
    socket paths (about 100 characters at most: a folder inside a deep home made the kernels
    fail "File name too long"). One folder per workshop in the shared temp folder, the hub's."""
    tag = hashlib.sha256(str(WORKSHOP).encode()).hexdigest()[:8]
    return Path(tempfile.gettempdir()) / f"rnn-hub-{tag}" / spawner.user.name


def private_folder(path: Path, uid: int, gid: int) -> None:
    """``path`` a real folder (not a link), owned by ``uid``, mode 0700."""
    path.mkdir(mode=0o700, exist_ok=True)
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode):
        raise RuntimeError(f"{path} is not a folder")
    if info.st_uid != uid:  # a home left by a deleted account: hand it over without following links
        for folder, dirs, files in os.walk(path):
            for name in [*dirs, *files]:
                os.chown(os.path.join(folder, name), uid, gid, follow_symlinks=False)
        os.chown(path, uid, gid, follow_symlinks=False)
    path.chmod(0o700)


def run(command: list[str], **kwargs) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}")


def make_learner(spawner) -> None:
    """Before each start (as root): the learner's system user (made at the first start), their
    home, their runtime folder, and, written as them, their copy of the notebooks.

    Runs in the hub's event loop, so ``useradd`` never runs twice at once (it locks /etc/passwd)."""
    import pwd

    from jupyterhub.spawner import set_user_setuid

    name, home = learner_name(spawner), learner_home(spawner)
    try:
        user = pwd.getpwnam(name)
    except KeyError:
        run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash", "--user-group",
             "--comment", f"workshop learner {spawner.user.name}", name])
        user = pwd.getpwnam(name)
    if user.pw_dir != str(home):  # the same learner name in an earlier workshop folder
        run(["usermod", "--home", str(home), name])
    private_folder(home, user.pw_uid, user.pw_gid)
    shared = runtime_dir(spawner).parent
    shared.mkdir(mode=0o711, exist_ok=True)
    info = shared.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise RuntimeError(f"{shared} is not the hub's own folder: remove it and start again")
    private_folder(runtime_dir(spawner), user.pw_uid, user.pw_gid)
    run([sys.executable, "-I", "-c", COPY_COURSE, str(ROOT / "notebooks"), str(home)],
        preexec_fn=set_user_setuid(name, chdir=False), env={"HOME": str(home), "PATH": SINGLEUSER_ENV["PATH"]})


def copy_course(spawner) -> None:
    """Before a start without root: the learner's folder and copy of the notebooks, as the hub's user."""
    home = learner_home(spawner)
    (home / "results").mkdir(parents=True, exist_ok=True)
    if not (home / "notebooks").exists():
        shutil.copytree(ROOT / "notebooks", home / "notebooks")
    runtime_dir(spawner).mkdir(parents=True, exist_ok=True, mode=0o700)


c = get_config()  # noqa: F821 (JupyterHub provides get_config when it loads this file)

# --- where it listens: the proxy faces learners; the hub and the proxy API stay on loopback ---
c.JupyterHub.bind_url = f"http://{IP}:{PORT}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = HUB_PORT
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PROXY_API_PORT}"
c.ConfigurableHTTPProxy.command = [str(PROXY)]  # installed by `npm ci --prefix deploy/jupyterhub`
c.ConfigurableHTTPProxy.pid_file = str(HUB_FILES / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{HUB_FILES / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(HUB_FILES / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server
c.JupyterHub.cleanup_proxy = True

# --- one shared workshop password (not for the open internet); the instructor's own ---
c.JupyterHub.authenticator_class = "shared-password"
password = read_secret("password", required=True)
if len(password) < 8:
    raise SystemExit(f"jupyterhub_config.py: the workshop password in {HUB_FILES / 'password'} "
                     "must have 8 or more characters.")
c.SharedPasswordAuthenticator.user_password = password
admin_password = read_secret("instructor-password", required=False)
if admin_password is not None:
    if len(admin_password) < 32 or admin_password == password:
        raise SystemExit("jupyterhub_config.py: the instructor password (COURSE_HUB_ADMIN_PASSWORD) must have 32 "
                         "or more characters and differ from the workshop password (JupyterHub's rule).")
    c.SharedPasswordAuthenticator.admin_password = admin_password
    c.Authenticator.admin_users = {"instructor"}
c.Authenticator.allow_all = True  # any name with the password: learners pick their own
c.Authenticator.username_pattern = r"^[a-z0-9_][a-z0-9_-]{0,21}$"  # a valid system user after "rnncourse-"
c.JupyterHub.template_vars = {"announcement_login": "Any name of lowercase letters, digits, - and _ "
                                                    "(up to 22), and the workshop password."}

# --- every learner: a local process in the course's environment, JupyterLab by default ---
if ISOLATE:
    from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid

    class LearnerSpawner(LocalProcessSpawner):
        """JupyterHub's local spawner, run as ``rnncourse-<name>`` rather than as ``<name>``."""

        def make_preexec_fn(self, name):
            return set_user_setuid(learner_name(self))

        def user_env(self, env):
            env.update(USER=learner_name(self), LOGNAME=learner_name(self), HOME=str(learner_home(self)),
                       SHELL="/bin/bash")
            return env

    c.JupyterHub.spawner_class = LearnerSpawner
    c.Spawner.pre_spawn_hook = make_learner
else:
    c.JupyterHub.spawner_class = "simple"  # SimpleLocalProcessSpawner: all servers as the hub's user
    c.SimpleLocalProcessSpawner.home_dir_template = str(HOMES / "{username}")
    c.Spawner.pre_spawn_hook = copy_course
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = str(HOMES / "{username}")
c.Spawner.env_keep = ["LANG", "LC_ALL"]  # nothing else of the hub's environment reaches a learner
c.Spawner.environment = dict(SINGLEUSER_ENV, RNN_COURSE_DATA=str(ROOT / "data"))
c.Spawner.environment["JUPYTER_RUNTIME_DIR"] = lambda spawner: str(runtime_dir(spawner))
c.Spawner.environment["RNN_COURSE_RESULTS"] = lambda spawner: str(learner_home(spawner) / "results")
c.Spawner.start_timeout = 180  # ten servers starting at once on two cores take a while
c.Spawner.http_timeout = 180
# Kernels talk to their server over Unix sockets, not TCP ports: ten servers each starting a
# kernel at once picked the same free port ("ZMQError: Address already in use", then "Invalid
# Signature" as a kernel answered another server) and a learner's kernel never connected.
c.Spawner.args = ["--KernelManager.transport=ipc", f"--ServerApp.terminals_enabled={TERMINALS}"]

# --- idle servers culled: a hub service with just the permissions it needs ---
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={CULL_AFTER}"],
    }
]

# --- the room board, for the instructor only: the admin role holds access:services (learners' "user"
# role does not), so the hub refuses a learner's OAuth request to it with 403 ---
if admin_password is not None:
    c.JupyterHub.services.append({
        "name": "board",
        "url": f"http://127.0.0.1:{BOARD_PORT}",
        "command": [sys.executable, str(HERE / "board_service.py")],
        "environment": {"COURSE_BOARD_HOMES": str(HOMES), "OMP_NUM_THREADS": "1"},
        "oauth_no_confirm": True,  # the instructor's own hub: no "authorize this service?" page
    })
