"""Demo mode: every notebook top to bottom in seconds, for an instructor in front of a room.

One switch, the environment variable ``RNN_COURSE_DEMO`` (``python3 course.py lab --demo`` sets
it), read here and nowhere else:

- ``1`` (or ``true``, ``yes``, ``on``): a :class:`~rnn_course.train.Trainer` run started from code
  (``dash.run()``, ``trainer.run()``) *replays* the recorded run that starts from the same
  weights, settings and data: it loads the weights, history and data position that run ended
  with, instead of computing them, and the dashboard draws the recorded curve. The notebook's
  numbers, and its closing assertions, are those of the full run. A run with no recording (you
  changed a setting) trains a tiny budget (:data:`DEMO_STEPS` steps), and says so. The
  dashboard's **Start** always trains live.
- ``record``: train as usual, and write every run of the notebook to its recording,
  ``data/demo/<notebook>.pt`` (``scripts/record_demo_runs.py`` does this for every notebook).
- unset, empty or ``0``: the course as usual.

A run is identified by its :func:`fingerprint`: a SHA-256 of the model's weights, the trainer's
settings and step, the number of steps asked for, the loss function's name and the training and
validation data (tensors whole; a Dataset by its class and length, never reading an item). Runs whose callbacks cannot be replayed (a callback that measures the run while
it trains: ``Callback.replay_safe`` is False) and notebooks without a recording train as usual.
A training function that does not use the Trainer can take part with :func:`replayable`.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import os
from pathlib import Path

import torch

from .checkpoint import CheckpointError, _atomic_write, _expected_hash, sha256_file
from .paths import data_dir
from .results import current_notebook

__all__ = ["ENV", "DEMO_STEPS", "demo_mode", "recording", "banner", "fingerprint", "recording_path", "plan",
           "tiny_note", "replay", "remember", "replayable"]

ENV = "RNN_COURSE_DEMO"
DEMO_STEPS = 20  # the tiny budget of a run that has no recording
FORMAT = "rnn_course-demo-v1"
_ON, _OFF = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


def _setting() -> str:
    value = os.environ.get(ENV, "").strip().lower()
    if value not in _ON | _OFF | {"record"}:
        raise ValueError(f"{ENV}={os.environ[ENV]!r} is not a setting: use 1 (demo mode: replay the shipped runs), "
                         f"0 (train live) or record (write the recordings); or unset it")
    return value


def demo_mode() -> bool:
    """Whether demo mode is on (``RNN_COURSE_DEMO=1``): runs from code replay their recording."""
    return _setting() in _ON


def recording() -> bool:
    """Whether runs are being recorded (``RNN_COURSE_DEMO=record``)."""
    return _setting() == "record"


def banner() -> str:
    """The line that tells a room the numbers on screen come from a recording, not a live run."""
    return f"demo mode: replaying the shipped run ({ENV}=1); press Start to train live"


def recording_path(notebook: str) -> Path:
    return data_dir() / "demo" / f"{notebook}.pt"


# -- fingerprints ---------------------------------------------------------------------------
def _feed(h, value) -> None:
    """Hash tensors by their bytes, containers item by item, anything else by its repr."""
    if torch.is_tensor(value):
        t = value.detach().cpu().contiguous()
        h.update(f"{t.dtype}{tuple(t.shape)}".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    elif isinstance(value, dict):
        for k in value:
            h.update(repr(k).encode())
            _feed(h, value[k])
    elif isinstance(value, (list, tuple)):
        h.update(f"{type(value).__name__}{len(value)}".encode())
        for v in value:
            _feed(h, v)
    else:
        h.update(repr(value).encode())


def _data_sample(data):
    """Tensor data whole; a Dataset by its class and length only: reading an item could draw a
    random augmentation and so change the run being fingerprinted (notebook 07's clips do)."""
    if data is None:
        return None
    if data.tensors is not None:
        return data.tensors
    return type(data.dataset).__qualname__, data.n


def fingerprint(trainer, steps: int) -> str:
    """What identifies a run: a SHA-256 of everything its result depends on (see the module docstring)."""
    h = hashlib.sha256()
    settings = dataclasses.asdict(trainer.config)
    loss = getattr(trainer.loss_fn, "__qualname__", type(trainer.loss_fn).__name__)
    for part in (trainer.model.state_dict(), settings, trainer.step, steps, loss, type(trainer.optimizer).__name__,
                 _data_sample(trainer.train_data), _data_sample(trainer.val_data)):
        _feed(h, part)
    return h.hexdigest()


# -- recordings -------------------------------------------------------------------------------
_loaded: dict[Path, dict] = {}  # path → {fingerprint: run}, read once per kernel
_recorded: dict[Path, dict] = {}  # runs this kernel has recorded


def _runs(path: Path) -> dict:
    """The recorded runs in ``path`` ({} if there is none), checked against their SHA-256 first."""
    if path not in _loaded:
        if not path.is_file():
            _loaded[path] = {}
        else:
            if sha256_file(path) != _expected_hash(path):
                raise CheckpointError(f"{path.name} does not match its recorded SHA-256: re-create it with "
                                      f"scripts/record_demo_runs.py, or unset {ENV} to train live")
            payload = torch.load(path, map_location="cpu", weights_only=True)
            if not isinstance(payload, dict) or payload.get("format") != FORMAT:
                raise CheckpointError(f"{path.name} is not a demo recording (format {FORMAT!r}); re-create it "
                                      "with scripts/record_demo_runs.py")
            _loaded[path] = payload["runs"]
    return _loaded[path]


def plan(trainer, steps: int):
    """What a run from code does in demo mode: ``("replay", run)``, ``("tiny", DEMO_STEPS)`` or
    ``("live", steps)`` (no recording for this notebook, or a callback that cannot be replayed)."""
    notebook = current_notebook()
    if notebook is None or not all(getattr(cb, "replay_safe", False) for cb in trainer.callbacks):
        return "live", steps
    runs = _runs(recording_path(notebook))
    if not runs:
        return "live", steps
    run = runs.get(fingerprint(trainer, steps))
    return ("replay", run) if run is not None else ("tiny", min(steps, DEMO_STEPS))


def tiny_note(steps: int, tiny: int) -> str:
    return (f"demo mode ({ENV}=1): no recorded run starts from these weights, settings and data, so this trains "
            f"{tiny} steps instead of {steps} (press Start, or unset {ENV}, for the full run)")


def replay(trainer, run: dict, steps: int):
    """Put ``trainer`` where the recorded ``run`` ended, tell its callbacks, return its RunSummary."""
    from .train import RunSummary

    trainer.target_step = trainer.step + steps
    for cb in trainer.callbacks:
        cb.on_run_start(trainer)
    trainer.model.load_state_dict(run["model"])
    progress = copy.deepcopy(run["progress"])
    progress["order"] = None if progress["order"] is None else progress["order"].tolist()
    progress["generator"] = progress["generator"].tolist()
    trainer.load_progress_state(progress)
    h = trainer.history
    if trainer.config.restore_best and h.val_loss:  # as after a live run: the weights held now are the best
        i = min(range(len(h.val_loss)), key=h.val_loss.__getitem__)
        trainer._best = (h.val_loss[i], h.val_step[i], copy.deepcopy(trainer.model.state_dict()),
                         copy.deepcopy(trainer.optimizer.state_dict()))
    summary = dict(run["summary"])
    summary["message"] = f"{banner()}. The recorded run: {summary['message']}"
    summary = RunSummary(**summary)
    print(summary.message)
    if h.val_step and h.val_step[-1] == trainer.step:
        for cb in trainer.callbacks:
            cb.on_eval(trainer, trainer.step, h.val_loss[-1])
    for cb in trainer.callbacks:
        cb.on_run_end(trainer, summary)
    return summary


def remember(trainer, key: str, summary) -> None:
    """Record mode: add the run that just ended (it started at fingerprint ``key``) to the notebook's recording."""
    progress = trainer.progress_state()
    progress["order"] = None if progress["order"] is None else torch.tensor(progress["order"])
    progress["generator"] = torch.tensor(progress["generator"], dtype=torch.uint8)
    _store(key, {"model": copy.deepcopy(trainer.model.state_dict()), "progress": progress,
                 "summary": dataclasses.asdict(summary)})


def replayable(train):
    """Demo mode for a training function that does not use the Trainer: ``train(model, *args,
    **kwargs)`` trains ``model`` in place and returns plain values (numbers, lists, dicts). In demo
    mode a recorded call with the same model weights and arguments is replayed (weights loaded,
    result returned); any other call trains as asked. In record mode each call is recorded."""

    @functools.wraps(train)
    def wrapper(model, *args, **kwargs):
        setting, notebook = _setting(), current_notebook()
        if notebook is None or setting in _OFF:
            return train(model, *args, **kwargs)
        h = hashlib.sha256()
        _feed(h, (train.__qualname__, model.state_dict(), args, sorted(kwargs.items())))
        key = h.hexdigest()
        run = _runs(recording_path(notebook)).get(key) if setting in _ON else None
        if run is not None:
            model.load_state_dict(run["model"])
            print(f"{banner()}: {train.__name__} replayed")
            return run["result"]
        result = train(model, *args, **kwargs)
        if setting == "record":
            _store(key, {"model": copy.deepcopy(model.state_dict()), "result": result})
        return result

    return wrapper


def _store(key: str, entry: dict) -> None:
    notebook = current_notebook()
    if notebook is None:
        return
    path = recording_path(notebook)
    runs = _recorded.setdefault(path, {})  # a kernel's first recording replaces the file's old runs
    runs[key] = entry
    _atomic_write(path, lambda f: torch.save({"format": FORMAT, "runs": runs}, f))
    os.chmod(path, 0o644)  # a shipped file, readable like the rest of data/ (mkstemp makes it 0600)
    Path(f"{path}.sha256").write_text(f"{sha256_file(path)}  {path.name}\n")
    _loaded.pop(path, None)
