"""environment.yml (conda, Binder), pyproject.toml and each Python version's lock name the same pins."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

import course  # the repository's course.py (tests/ is a package, so its parent is on sys.path)

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
        elif in_pip and line.startswith("      - ") and not item.startswith("-"):  # -e ., --extra-index-url
            k, v = canonical(item)
            pins[k] = v
    return python, pins


def test_environment_yml_and_pyproject_pin_the_same_packages():
    python, env = environment_pins()
    assert python == "3.11"
    assert env == pyproject_pins()


def lock_pins(path: Path) -> dict[str, str]:
    return dict(canonical(line) for line in path.read_text().splitlines() if line and not line.startswith("#"))


@pytest.mark.parametrize("version", course.SUPPORTED, ids=lambda v: f"{v[0]}.{v[1]}")
def test_every_pin_is_also_in_each_versions_lock_file(version):
    lock_file = course.lock_file(version)
    assert lock_file.exists(), f"no lock for Python {version}: run scripts/python_versions.py --write-lock"
    lock = lock_pins(lock_file)
    for name, version in pyproject_pins().items():
        assert lock.get(name) == version, f"{lock_file.name} has {name}=={lock.get(name)}, pyproject {version}"


def test_requires_python_is_the_versions_course_py_accepts():
    spec = SpecifierSet(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"])
    candidates = [(3, minor) for minor in range(8, 16)]
    assert [v for v in candidates if f"{v[0]}.{v[1]}" in spec] == list(course.SUPPORTED)


def test_lock_file_per_version():
    assert course.lock_file((3, 11)) == ROOT / "requirements.lock"  # CI's and .ci/run's
    assert course.lock_file((3, 13)) == ROOT / "requirements-3.13.lock"


def test_course_py_refuses_an_unsupported_python_with_what_to_do(monkeypatch):
    monkeypatch.setattr(course.sys, "version_info", (3, 10, 4, "final", 0))
    with pytest.raises(SystemExit, match=r"(?s)3\.11, 3\.12, 3\.13.*python3\.12 course\.py"):
        course.check_python()
    monkeypatch.setattr(course.sys, "version_info", (3, 13, 0, "final", 0))
    course.check_python()  # accepted: returns


def test_widget_frontend_matches_ipywidgets():
    """ipywidgets 8.1.x talks to the JupyterLab frontend in jupyterlab_widgets 3.0.x; a mismatch
    is the classroom's "Error displaying widget: model not found"."""
    pins = pyproject_pins()
    assert pins["ipywidgets"].startswith("8.1.") and pins["jupyterlab-widgets"].startswith("3.0.")
    assert pins["widgetsnbextension"].startswith("4.0.")
    assert pins["jupyterlab"].startswith("4.")


def test_a_venv_from_another_python_is_made_anew(tmp_path):
    """course.py setup recreates .venv when the interpreter changed (3.11's .venv, then python3.12)."""
    assert course.venv_version(tmp_path) is None
    (tmp_path / "pyvenv.cfg").write_text("home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.12.1\n")
    assert course.venv_version(tmp_path) == (3, 12)
    (tmp_path / "pyvenv.cfg").write_text("home = /usr/bin\nversion_info = 3.13.0.final.0\n")  # virtualenv's key
    assert course.venv_version(tmp_path) == (3, 13)


@pytest.mark.parametrize("version, ok", [("3.10.4", False), ("3.11.7", True), ("3.12.1", True), ("3.13.0", True),
                                         ("3.14.0", False)])
def test_notebook_00s_python_row_follows_requires_python(monkeypatch, version, ok):
    from rnn_course import checks

    info = tuple(int(n) for n in version.split(".")) + ("final", 0)
    monkeypatch.setattr(checks.sys, "version_info", info)
    monkeypatch.setattr(checks.platform, "python_version", lambda: version)
    row = next(r for r in checks.environment_report().rows if r[0] == "Python")
    assert row[2].startswith("✓") == ok, row
    assert ok or ">=3.11,<3.14" in row[2]


def test_binder_starts_every_session_with_one_torch_thread(tmp_path):
    """repo2docker runs ``start`` with the session's command: it must set the threads, keep a
    learner's own setting, and then run that command."""
    import os
    import subprocess

    start = ROOT / "start"
    assert os.access(start, os.X_OK)
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    run = lambda env: subprocess.run([str(start), "sh", "-c", "echo $OMP_NUM_THREADS"], env=env,
                                     capture_output=True, text=True, check=True).stdout.strip()
    assert run(env) == "1"
    assert run({**env, "OMP_NUM_THREADS": "2"}) == "2"


def test_binder_gets_torchs_cpu_build():
    text = (ROOT / "environment.yml").read_text()
    assert "- --extra-index-url https://download.pytorch.org/whl/cpu" in text
