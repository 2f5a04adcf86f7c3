"""environment.yml (conda, Binder) and pyproject.toml must name the same pinned packages."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def canonical(req: str) -> tuple[str, str]:
    name, _, spec = req.partition("==")
    assert spec, f"{req!r} is not pinned with =="
    return re.sub(r"[-_.]+", "-", name.strip().lower()), spec.strip()


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + [r for group in project["optional-dependencies"].values() for r in group]
    return dict(canonical(r) for r in reqs)


def environment_pins() -> tuple[str, dict[str, str]]:
    python, pins, in_pip = None, {}, False
    for raw in (ROOT / "environment.yml").read_text().splitlines():
        line = raw.split("#")[0].rstrip()
        if not line.strip():
            continue
        item = line.strip().removeprefix("- ").strip()
        if item.startswith("python="):
            python = item.split("=", 1)[1]
        elif item == "pip:":
            in_pip = True
        elif in_pip and line.startswith("      - ") and not item.startswith("-e"):
            k, v = canonical(item)
            pins[k] = v
    return python, pins


def test_environment_yml_and_pyproject_pin_the_same_packages():
    python, env = environment_pins()
    assert python == "3.11"
    assert env == pyproject_pins()


def test_every_pin_is_also_in_the_lock_file():
    lock = dict(
        canonical(line) for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line and not line.startswith("#")
    )
    for name, version in pyproject_pins().items():
        assert lock.get(name) == version, f"requirements.lock has {name}=={lock.get(name)}, pyproject {version}"


def test_widget_frontend_matches_ipywidgets():
    """ipywidgets 8.1.x talks to the JupyterLab frontend in jupyterlab_widgets 3.0.x; a mismatch
    is the classroom's "Error displaying widget: model not found"."""
    pins = pyproject_pins()
    assert pins["ipywidgets"].startswith("8.1.") and pins["jupyterlab-widgets"].startswith("3.0.")
    assert pins["widgetsnbextension"].startswith("4.0.")
    assert pins["jupyterlab"].startswith("4.")
