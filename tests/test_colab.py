"""The Colab install step (rnn_course/colab.py), with the network and the shell faked."""

import json
import sys
from pathlib import Path

import pytest
from IPython.core.inputtransformer2 import TransformerManager

from rnn_course import colab

ROOT = Path(__file__).resolve().parents[1]
URL = "https://github.com/someone/practical-rnns"
# Notebooks whose first code cell is not the Colab step yet (none: every notebook has it).
PENDING: set[str] = set()


def write_pyproject(folder: Path, url: str | None = URL) -> Path:
    urls = f'[project.urls]\nRepository = "{url}"\n' if url else ""
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["torch==2.13.0", "numpy==2.4.6", "jupyterlab==4.6.6",\n'
        '    "ipykernel==7.4.0", "ipywidgets==8.1.9", "scikit-learn==1.9.1"]\n'
        f'[project.optional-dependencies]\ntest = ["pytest==9.2.0"]\n{urls}')
    return folder / "pyproject.toml"


def first_code_cell(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    return "".join(next(c for c in cells if c["cell_type"] == "code")["source"])


def test_detects_colab_by_its_module_or_its_environment():
    assert colab.on_colab(modules={"google.colab": object()}, environ={})
    assert colab.on_colab(modules={}, environ={"COLAB_RELEASE_TAG": "release-colab_20261201-060000"})
    assert not colab.on_colab(modules={"google": object()}, environ={"HOME": "/root"})


def test_the_url_is_one_setting_in_pyproject(tmp_path):
    assert colab.repository_url(write_pyproject(tmp_path, URL + "/")) == URL
    assert colab.repository_url().startswith("https://github.com/")  # the project's own
    with pytest.raises(ValueError, match=r"\[project.urls\] Repository"):
        colab.repository_url(write_pyproject(tmp_path, None))


def test_install_steps_keep_every_pin_but_the_platforms_own(tmp_path):
    write_pyproject(tmp_path)
    pip = ["/usr/bin/python3", "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    assert colab.install_steps(URL, tmp_path, python="/usr/bin/python3") == [
        ["git", "clone", "--depth", "1", URL, str(tmp_path)],
        [*pip, "--no-deps", "-e", str(tmp_path)],
        [*pip, "numpy==2.4.6", "ipywidgets==8.1.9", "scikit-learn==1.9.1"],
    ]


def test_the_projects_own_colab_install_drops_only_torch_jupyterlab_and_ipykernel():
    everything = colab.pinned()
    kept = colab.pinned(skip=colab.PLATFORM)
    assert sorted(set(everything) - set(kept)) == ["ipykernel==7.4.0", "jupyterlab==4.6.6", "torch==2.13.0"]
    assert any(r.startswith("ipywidgets==") for r in kept) and any(r.startswith("jupyterlab_widgets==") for r in kept)


def test_off_colab_the_install_runs_nothing():
    ran, said = [], []
    assert colab.main(run=lambda cmd: ran.append(cmd) or 0, colab=False, say=said.append) == 0
    assert ran == [] and "nothing to install" in said[0]


def test_on_colab_the_install_runs_the_steps_after_the_clone_in_order(tmp_path):
    write_pyproject(tmp_path)
    ran = []
    assert colab.main(run=lambda cmd: ran.append(cmd) or 0, colab=True, root=tmp_path, say=lambda m: None) == 0
    assert ran == colab.install_steps(URL, tmp_path)[1:]


def test_a_failed_step_stops_the_install_with_what_to_do(tmp_path):
    write_pyproject(tmp_path)
    ran, said = [], []
    assert colab.main(run=lambda cmd: ran.append(cmd) or 1, colab=True, root=tmp_path, say=said.append) == 1
    assert len(ran) == 1 and "--no-deps" in ran[0]
    assert "failed" in said[-1] and "run this cell again" in said[-1]


class FakeShell:
    def __init__(self):
        self.commands = []

    def system(self, cmd):
        self.commands.append(cmd)


def run_cell(source: str, modules: dict) -> tuple[list[str], list[str]]:
    """Run a notebook cell the way IPython does (``!cmd`` → get_ipython().system), shell faked."""
    shell, fake_sys = FakeShell(), type("FakeSys", (), {"modules": modules, "path": []})()
    code = TransformerManager().transform_cell(source).replace("import sys\n", "")
    exec(code, {"get_ipython": lambda: shell, "sys": fake_sys})
    return shell.commands, fake_sys.path


def test_the_cell_does_nothing_outside_colab():
    assert run_cell(colab.cell_source(URL), modules=dict(sys.modules)) == ([], [])


def test_on_colab_the_cell_clones_once_then_runs_this_module():
    commands, path = run_cell(colab.cell_source(URL), modules={"google.colab": object()})
    assert commands == [
        "test -d /content/practical-rnns || git clone --depth 1 " + URL + " /content/practical-rnns",
        "python /content/practical-rnns/rnn_course/colab.py",
    ]
    assert path == ["/content/practical-rnns"]
    assert " ".join(colab.install_steps(URL, "/content/practical-rnns")[0]) in commands[0]


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_every_notebook_starts_with_the_colab_step_built_from_the_setting(path):
    has_it = first_code_cell(path) == colab.cell_source(colab.repository_url())
    assert has_it != (path.stem in PENDING), (
        f"{path.name}: its first code cell must be rnn_course.colab.cell_source(repository_url())"
        if path.stem not in PENDING else f"{path.name} has the Colab step now: remove it from PENDING")


def test_the_module_runs_as_a_script_on_the_standard_library_alone():
    """On a fresh Colab nothing of the course is installed yet: the file must run by itself."""
    import ast
    import subprocess

    tree = ast.parse(Path(colab.__file__).read_text())
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0}
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported
    env = {"PATH": "/usr/bin:/bin"}  # no COLAB_RELEASE_TAG
    out = subprocess.run([sys.executable, "-I", colab.__file__], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and "not on Colab" in out.stdout, out.stderr
