"""Running the course where the learner already is: the Colab install step.

It is built from one setting, the repository's public address in pyproject.toml
(``[project.urls] Repository``), as the site's launch links are (tools/website.py). On Google
Colab, each notebook's first cell (``cell_source``) clones the repository, data included, and
then runs this file as a script, which installs the
course's pinned packages *except* those the platform brings its own of (``PLATFORM``): Colab's
torch, JupyterLab and ipykernel. Anywhere else that cell does nothing: the local, conda, hub
and CI environments keep every pin (``python3 course.py lab``).

This module uses the standard library only and does not import the package, so it runs on a
fresh Colab before anything is installed::

    python /content/practical-rnns/rnn_course/colab.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Callable, Mapping

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
# What Colab brings its own of, and why we leave it alone there.
PLATFORM = {
    "torch": "Colab's own build (with CUDA when a GPU runtime is chosen)",
    "jupyterlab": "Colab has its own notebook frontend",
    "ipykernel": "Colab's kernel is the one running this install",
}


def repository_url(pyproject: Path = PYPROJECT) -> str:
    """The repository's public address: ``[project.urls] Repository`` in pyproject.toml."""
    urls = tomllib.loads(Path(pyproject).read_text()).get("project", {}).get("urls", {})
    if not urls.get("Repository"):
        raise ValueError(f"{pyproject} has no [project.urls] Repository = \"https://...\"; add the repository's address")
    return urls["Repository"].rstrip("/")


def clone_dir(url: str) -> str:
    """Where Colab keeps the clone: /content/<repository name>."""
    return f"/content/{url.rstrip('/').removesuffix('.git').rsplit('/', 1)[-1]}"


def on_colab(modules: Mapping = sys.modules, environ: Mapping = os.environ) -> bool:
    """True in a Colab kernel (google.colab is imported there) or a process it started (COLAB_RELEASE_TAG)."""
    return "google.colab" in modules or "COLAB_RELEASE_TAG" in environ


def cell_source(url: str) -> str:
    """The first code cell of every notebook: on Colab, clone and install; elsewhere, nothing."""
    dest = clone_dir(url)
    return (
        "# On Google Colab only: clone the course (data included) and install it on Colab's own torch.\n"
        "# Anywhere else this cell does nothing (`python3 course.py lab` has installed the course).\n"
        "import sys\n"
        "if \"google.colab\" in sys.modules:\n"
        f"    !test -d {dest} || git clone --depth 1 {url} {dest}\n"
        f"    !python {dest}/rnn_course/colab.py\n"
        f"    sys.path.insert(0, \"{dest}\")"
    )


def pinned(pyproject: Path = PYPROJECT, group: str | None = None, skip=()) -> list[str]:
    """The ``name==version`` pins of the runtime dependencies (or an optional group), minus ``skip``."""
    project = tomllib.loads(Path(pyproject).read_text())["project"]
    reqs = project["dependencies"] if group is None else project["optional-dependencies"][group]
    return [r for r in reqs if r.split("==")[0].strip().lower().replace("_", "-") not in skip]


def install_steps(url: str, dest: str | Path, python: str = sys.executable) -> list[list[str]]:
    """The commands of the Colab install, in order: the clone (the notebook cell runs it, since this
    file is not there before), the package itself without its dependencies, then its pins minus
    ``PLATFORM``. Reads the clone's pyproject.toml, so call it after the clone for the last step."""
    dest = str(dest)
    pyproject = Path(dest) / "pyproject.toml"
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    return [
        ["git", "clone", "--depth", "1", url, dest],
        [*pip, "--no-deps", "-e", dest],
        [*pip, *(pinned(pyproject, skip=PLATFORM) if pyproject.exists() else ["<pins from the clone>"])],
    ]


def main(run: Callable[[list[str]], int] = subprocess.call, colab: bool | None = None,
         root: Path = PYPROJECT.parent, say: Callable[[str], None] = print) -> int:
    """The install after the clone (steps 2 and 3). Off Colab it installs nothing and says so."""
    if not (on_colab() if colab is None else colab):
        say("[course] not on Colab: nothing to install here (python3 course.py lab sets up this machine)")
        return 0
    url = repository_url(root / "pyproject.toml")
    kept = ", ".join(f"{name} ({why})" for name, why in PLATFORM.items())
    say(f"[course] installing the course's pinned packages on Colab, keeping the platform's {kept}")
    for step in install_steps(url, root)[1:]:
        if run(step) != 0:
            say(f"[course] this step failed: {' '.join(step)}\n"
                "         Check the runtime has network (Runtime > Disconnect and delete runtime, then run "
                "this cell again); if pip names a conflict, report it with pip's message.")
            return 1
    say("[course] installed. If Colab offers 'Restart session', accept it and run this cell again.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
