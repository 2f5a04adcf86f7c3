"""JupyterHub for a workshop room on one server: the course's environment for every learner.

Start it with ``python3 deploy/jupyterhub/hub.py start`` (README.md beside this file), or
directly with ``.venv/bin/jupyterhub -f deploy/jupyterhub/jupyterhub_config.py``.

What it sets up
- **One shared workshop password** (JupyterHub's ``SharedPasswordAuthenticator``): anyone who
  has it logs in under any name they choose, and can log in as any other learner. Fine for a
  room behind 127.0.0.1 or a trusted network for an afternoon; NOT for the open internet.
- **Every learner runs in the course's environment**: ``jupyterhub-singleuser`` and its kernels
  come from the Python that runs the hub (the project's ``.venv``), with JupyterLab by default.
- **``OMP_NUM_THREADS=1``** in every learner's server and so in every kernel it starts: with
  torch's default of one thread per core, learners' spin-waiting threads starve each other
  (five learners did not finish a 7-second cell in three minutes on 2 cores, as reported in
  issue 10).
- **Idle servers culled** by ``jupyterhub-idle-culler`` run as a hub service.
- **Listens on 127.0.0.1** unless ``COURSE_HUB_IP`` says otherwise (``0.0.0.0`` for the room).
- **Local processes, one folder per learner**: ``SimpleLocalProcessSpawner`` runs every learner's
  server as the hub's own OS user, in ``<workshop>/home/<name>`` holding a copy of the notebooks.
  There is NO isolation between learners: each can read and change the others' files and run
  any command as that OS user. Run the hub as a dedicated unprivileged user (never as root on a
  machine that matters), or use a container spawner / Zero to JupyterHub for real isolation.

Settings (environment variables; ``hub.py start`` sets them from its options)

===========================  =========================================================  ============
variable                     meaning                                                    default
===========================  =========================================================  ============
COURSE_HUB_PASSWORD          the shared workshop password (8+ characters)               read from
                                                                                        <dir>/password
COURSE_HUB_ADMIN_PASSWORD    password (32+ characters) of the admin ``instructor``      no admin
COURSE_HUB_IP / _PORT        where learners connect                                     127.0.0.1:8000
COURSE_HUB_DIR               workshop folder: database, cookie secret, learners' homes  deploy/jupyterhub/workshop
COURSE_HUB_HUB_PORT          the hub's internal port (on 127.0.0.1)                     8081
COURSE_HUB_PROXY_API_PORT    the proxy's REST API port (on 127.0.0.1)                   8001
COURSE_HUB_CULL_AFTER        seconds a server may sit idle before it is stopped         3600
===========================  =========================================================  ============
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]  # the project: pyproject.toml, notebooks/, data/
BIN = Path(sys.executable).parent  # the environment running the hub: the course's .venv
WORKSHOP = Path(os.environ.get("COURSE_HUB_DIR", HERE / "workshop")).resolve()
IP = os.environ.get("COURSE_HUB_IP", "127.0.0.1")
PORT = int(os.environ.get("COURSE_HUB_PORT", "8000"))
HUB_PORT = int(os.environ.get("COURSE_HUB_HUB_PORT", "8081"))
PROXY_API_PORT = int(os.environ.get("COURSE_HUB_PROXY_API_PORT", "8001"))
CULL_AFTER = int(os.environ.get("COURSE_HUB_CULL_AFTER", "3600"))
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
SINGLEUSER_ENV = {
    "OMP_NUM_THREADS": "1",  # one torch thread per kernel: essential with many learners per core
    "MKL_NUM_THREADS": "1",
    "PYTHONUNBUFFERED": "1",
}


def workshop_password() -> str:
    """``$COURSE_HUB_PASSWORD``, else the first line of ``<workshop>/password``."""
    password = os.environ.get("COURSE_HUB_PASSWORD")
    if not password and (WORKSHOP / "password").exists():
        password = (WORKSHOP / "password").read_text().strip()
    if not password or len(password) < 8:
        raise SystemExit(
            "jupyterhub_config.py: no workshop password of 8 or more characters. Set "
            "COURSE_HUB_PASSWORD, or start the hub with `python3 deploy/jupyterhub/hub.py start`, "
            f"which makes one and keeps it in {WORKSHOP / 'password'}."
        )
    return password


def copy_course(spawner) -> None:
    """Before a learner's first start: give them their own copy of the notebooks."""
    home = Path(spawner.home_dir)
    (home / "results").mkdir(parents=True, exist_ok=True)
    if not (home / "notebooks").exists():
        shutil.copytree(ROOT / "notebooks", home / "notebooks")


c = get_config()  # noqa: F821 (JupyterHub provides get_config when it loads this file)

# --- where it listens: the proxy faces learners; the hub and the proxy API stay on loopback ---
c.JupyterHub.bind_url = f"http://{IP}:{PORT}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = HUB_PORT
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PROXY_API_PORT}"
c.ConfigurableHTTPProxy.command = [str(PROXY)]  # installed by `npm ci --prefix deploy/jupyterhub`
c.ConfigurableHTTPProxy.pid_file = str(WORKSHOP / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{WORKSHOP / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(WORKSHOP / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server
c.JupyterHub.cleanup_proxy = True

# --- one shared workshop password (not for the open internet) ---
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = workshop_password()
if os.environ.get("COURSE_HUB_ADMIN_PASSWORD"):
    admin_password = os.environ["COURSE_HUB_ADMIN_PASSWORD"]
    if len(admin_password) < 32 or admin_password == c.SharedPasswordAuthenticator.user_password:
        raise SystemExit("jupyterhub_config.py: COURSE_HUB_ADMIN_PASSWORD must have 32 or more characters "
                         "and differ from the workshop password (JupyterHub's rule for admin passwords).")
    c.SharedPasswordAuthenticator.admin_password = admin_password
    c.Authenticator.admin_users = {"instructor"}
c.Authenticator.allow_all = True  # any name with the password: learners pick their own

# --- every learner: a local process in the course's environment, JupyterLab by default ---
c.JupyterHub.spawner_class = "simple"  # SimpleLocalProcessSpawner: no system users needed
c.SimpleLocalProcessSpawner.home_dir_template = str(WORKSHOP / "home" / "{username}")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = str(WORKSHOP / "home" / "{username}")
c.Spawner.environment = dict(SINGLEUSER_ENV, RNN_COURSE_DATA=str(ROOT / "data"))
c.Spawner.pre_spawn_hook = copy_course
c.Spawner.start_timeout = 180  # ten servers starting at once on two cores take a while
c.Spawner.http_timeout = 180
# Kernels talk to their server over Unix sockets, not TCP ports: ten servers each starting a
# kernel at once picked the same free port ("ZMQError: Address already in use", then "Invalid
# Signature" as a kernel answered another server) and a learner's kernel never connected.
c.Spawner.args = ["--KernelManager.transport=ipc"] + (["--ServerApp.allow_root=True"] if os.geteuid() == 0 else [])


def short_runtime_dir(spawner) -> str:
    """A learner's Jupyter runtime folder, short enough for Unix socket paths (about 100
    characters at most: a folder inside a deep home made the kernels fail "File name too long")."""
    import hashlib
    import tempfile

    tag = hashlib.sha256(str(WORKSHOP.resolve()).encode()).hexdigest()[:8]  # one per workshop folder
    folder = Path(tempfile.gettempdir()) / f"rnn-hub-{tag}" / spawner.user.name
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return str(folder)


c.Spawner.environment["JUPYTER_RUNTIME_DIR"] = short_runtime_dir


def learner_results(spawner) -> str:
    """Each learner's ``record()`` numbers go to their own folder, not the shared project."""
    return str(Path(spawner.home_dir) / "results")


c.Spawner.environment["RNN_COURSE_RESULTS"] = learner_results  # a callable gets the spawner

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
