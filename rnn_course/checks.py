"""What notebook 00 shows: the course map, and checks of the environment, data and widgets.

Every check returns plain rows (so tests can call it) inside a small table object that renders
as HTML in a notebook and as aligned text elsewhere.
"""

from __future__ import annotations

import html
import os
import platform
import sys
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import torch
from packaging.specifiers import SpecifierSet

from .checkpoint import sha256_file
from .paths import data_dir, project_root
from .toy import sum_trainer

__all__ = [
    "COURSE_MAP", "course_map", "environment_report", "check_data", "widget_check", "widget_demo",
    "rnn_parameter_text", "smoke_train", "Table",
]


@dataclass
class Table:
    """Rows of strings with a header; ``_repr_html_`` for notebooks, ``str`` for text."""

    header: list[str]
    rows: list[list[str]]
    title: str = ""

    @property
    def ok(self) -> bool:
        """True when no row's status column says a problem ('✗')."""
        return not any("✗" in cell for row in self.rows for cell in row)

    def __str__(self) -> str:
        widths = [max(len(str(r[i])) for r in [self.header, *self.rows]) for i in range(len(self.header))]
        line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
        out = ([self.title] if self.title else []) + [line(self.header), line(["-" * w for w in widths])]
        return "\n".join(out + [line(r) for r in self.rows])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        esc = lambda c: html.escape(str(c))  # noqa: E731
        head = "".join(f"<th style='text-align:left'>{esc(h)}</th>" for h in self.header)
        body = "".join(
            "<tr>" + "".join(f"<td style='text-align:left'>{esc(c)}</td>" for c in r) + "</tr>" for r in self.rows
        )
        cap = f"<caption style='text-align:left'><b>{esc(self.title)}</b></caption>" if self.title else ""
        return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# The notebooks in order (COURSE.md). Minutes: reading, running and playing, not just execution.
# The one source of study times: each notebook's introduction says "About N minutes", and
# tests/test_prose_timings.py checks that it says the number written here.
COURSE_MAP = [
    ("00", "00_start_here", "Start here", "the course map; is this machine ready?", 10),
    ("01", "01_sequences_and_shapes", "Sequences and shapes",
     "one RNN step by hand, unrolling, RNN/LSTM/GRU, batch_first, h_n, packing, the shape doctor", 45),
    ("02", "02_language_modeling", "Language modeling",
     "next-word prediction on real text; perplexity against an n-gram baseline", 60),
    ("03", "03_text_generation", "Text generation",
     "a character-level model; sampling, temperature, keeping the hidden state", 60),
    ("04", "04_machine_translation", "Machine translation",
     "encoder–decoder, attention and beam search, English → French", 60),
    ("05", "05_stock_prices", "Stock price prediction",
     "LSTM forecasting done honestly: persistence baseline, walk-forward, leakage traps", 45),
    ("06", "06_electricity_load", "Electricity load forecasting",
     "half-hourly demand; seasonal naive and a classical model as baselines", 45),
    ("07", "07_speech_recognition", "Speech recognition",
     "waveform → features → RNN → CTC; held-out voices and noise", 45),
    ("08", "08_choosing_a_sequence_model", "Choosing a sequence model",
     "RNN, LSTM/GRU, causal CNN, Transformer, minGRU at equal budget", 60),
    ("09", "09_scaling_out", "Scaling out",
     "torchrun/DDP on several processes and nodes; classrooms on JupyterHub", 60),
    ("10", "10_your_own_sequence_task", "Capstone: your own data",
     "the whole workflow on your data; sequence classification", 40),
]


def course_map(notebooks_dir: Path | None = None) -> Table:
    """The course map, with which notebooks exist in this copy of the course."""
    nb_dir = notebooks_dir or project_root() / "notebooks"
    rows = [
        [num, title, what, f"{minutes} min", "ready" if (nb_dir / f"{stem}.ipynb").exists() else "coming"]
        for num, stem, title, what, minutes in COURSE_MAP
    ]
    return Table(["#", "notebook", "what you learn", "time", "status"], rows, "Course map")


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def supported_python() -> str:
    """pyproject.toml's ``requires-python`` (e.g. ``>=3.11,<3.14``): the one place it is said."""
    return tomllib.loads((project_root() / "pyproject.toml").read_text())["project"]["requires-python"]


def environment_report() -> Table:
    """Versions, cores, GPU. A ✗ marks what will not work, with what to do."""
    wanted = supported_python()
    py_ok = platform.python_version() in SpecifierSet(wanted)
    cuda = torch.cuda.is_available()
    rows = [
        ["Python", platform.python_version(), "✓" if py_ok else f"✗ the course is tested on Python {wanted}"],
        ["torch", torch.__version__, "✓"],
        ["numpy", _version("numpy"), "✓"],
        ["ipywidgets", _version("ipywidgets"), "✓"],
        ["jupyterlab", _version("jupyterlab"), "✓"],
        ["CPU cores", str(os.cpu_count()), "✓"],
        ["torch threads", str(torch.get_num_threads()), "✓"],
        ["GPU", torch.cuda.get_device_name(0) if cuda else "none (the course runs on the CPU)", "✓"],
    ]
    return Table(["what", "found", "status"], rows, "Environment")


def check_data(folder: Path | None = None) -> Table:
    """Every file listed in ``data/SHA256SUMS`` is present and unchanged."""
    folder = folder or data_dir()
    manifest = folder / "SHA256SUMS"
    if not manifest.exists():
        return Table(["file", "status"], [[str(manifest), "✗ missing: the course folder is incomplete"]], "Data")
    rows = []
    for line in manifest.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        digest, name = line.split(maxsplit=1)
        path = folder / name.lstrip("*")
        if not path.exists():
            status = "✗ missing: re-download or re-clone the course (see data/README.md)"
        elif sha256_file(path) != digest:
            status = "✗ changed or corrupted: restore it with `git checkout -- data/`"
        else:
            status = f"✓ {path.stat().st_size / 1e6:.2f} MB, checksum ok"
        rows.append([name, status])
    if not rows:
        rows.append(["(none yet)", "✓ this version of the course ships no data files"])
    return Table(["file", "status"], rows, "Data")


def widget_check() -> Table:
    """The kernel's ipywidgets and JupyterLab's widget frontend must be versions that agree.

    A mismatch is what makes notebooks show "Error displaying widget: model not found".
    """
    ipyw, front = _version("ipywidgets"), _version("jupyterlab_widgets")
    rows = [["ipywidgets (kernel side)", ipyw, "✓" if ipyw.startswith("8.") else "✗ need ipywidgets 8"]]
    pair_ok = ipyw.startswith("8.") and front.startswith("3.")
    rows.append(["jupyterlab_widgets (browser side)", front,
                 "✓ matches ipywidgets 8" if pair_ok else
                 "✗ does not match: run `python3 course.py lab` from the course folder to reinstall"])
    ext = Path(sys.prefix) / "share/jupyter/labextensions/@jupyter-widgets/jupyterlab-manager/package.json"
    if ext.exists():
        import json

        # @jupyter-widgets/jupyterlab-manager 5.x is the frontend of ipywidgets 8 (3.x was ipywidgets 7)
        ext_version = json.loads(ext.read_text()).get("version", "?")
        status = ("✓ speaks the ipywidgets 8 protocol" if ext_version.startswith("5.") and ipyw.startswith("8.")
                  else f"✗ extension {ext_version} does not fit ipywidgets {ipyw}: run `python3 course.py lab`")
        rows.append(["JupyterLab widget extension", ext_version, status])
    else:
        rows.append(["JupyterLab widget extension", "not found in this environment",
                     "✗ run `python3 course.py lab`, which installs it, and reload the page"])
    return Table(["part", "version", "status"], rows, "Widgets")


def rnn_parameter_text(hidden: int, inputs: int = 4) -> str:
    """What the widget check shows for a slider value: nn.RNN's parameter count, worked out."""
    n = hidden * inputs + hidden * hidden + 2 * hidden  # W_ih (H×F) + W_hh (H×H) + b_ih + b_hh
    return f"nn.RNN({inputs}, {hidden}) has {hidden}×{inputs} + {hidden}×{hidden} + 2×{hidden} = {n} parameters"


def widget_demo():
    """A slider wired to a label through the kernel: if the label follows, widgets work."""
    import ipywidgets as w

    slider = w.IntSlider(value=8, min=1, max=64, description="hidden H")
    label = w.Label(value=rnn_parameter_text(slider.value))
    slider.observe(lambda change: setattr(label, "value", rnn_parameter_text(change["new"])), names="value")
    return w.VBox([slider, label])


def smoke_train(steps: int = 150, seed: int = 0):
    """Train a tiny GRU to add up a sequence: proves torch and the trainer work here, and how fast.

    Returns ``(trainer, summary, val_before, val_after)``; x: (B, T=12, F=1) → y: (B, 1).
    """
    trainer = sum_trainer("gru", 32, steps=steps, seed=seed)
    before = trainer.evaluate()
    summary = trainer.run()
    return trainer, summary, before, trainer.history.val_loss[-1]
