"""The room board's rows: where each learner of a workshop is, read from their ``results/`` folder.

    rows = board_rows(Path("deploy/jupyterhub/workshop/home"))   # one Row per learner, by name
    page = board_page(rows)                                       # the instructor's HTML page

A workshop hub (deploy/jupyterhub) gives every learner a home ``<homes>/<name>/`` whose
``results/<notebook>.json`` is what :func:`rnn_course.record` and the checkers wrote there: the
exercises' latest outcomes under ``"exercises"`` and the quiz's under ``"quiz"`` (``{key: passed}``,
:func:`~rnn_course.exercises.core.record_outcomes`), and the latest wrong answer under
``"last_failed"`` (``{"check", "message", "at"}``). A row says which notebooks the learner ran (those
with a results file), which exercises and quiz questions they passed and failed (the latest outcome of
each), and their last failed check. This module reads files only (no torch): the board's web service
(deploy/jupyterhub/board_service.py) stays small, and these functions are tested without a hub.

The files are the learners' own, and the board may run as root: a file is read only if it is a
regular file (no link, FIFO or device), owned by the learner (the owner of their home), at most
``MAX_BYTES``, opened without following links. Anything else, or a file that is not JSON, gives the
row a problem that says so; it never stops the board. Every text on the page is escaped: a learner
writes what their results say, and the page is shown to the hub's admin.
"""

from __future__ import annotations

import datetime
import errno
import html
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Row", "read_learner", "board_rows", "board_page", "MAX_BYTES"]

MAX_BYTES = 1_000_000  # a results file is a few kB; anything larger is not one


@dataclass(frozen=True)
class Row:
    """One learner on the board. Check keys such as ``"01-last-step"``; times in Unix seconds."""

    learner: str
    notebooks: tuple[str, ...] = ()  # notebooks with a results file, e.g. "01_sequences_and_shapes"
    exercises_passed: tuple[str, ...] = ()
    exercises_failed: tuple[str, ...] = ()  # latest answer wrong
    quiz_passed: tuple[str, ...] = ()
    quiz_failed: tuple[str, ...] = ()
    last_failed: dict | None = None  # {"check", "message", "at"} of the latest wrong answer
    last_activity: float | None = None  # when a results file last changed
    problems: tuple[str, ...] = field(default=())  # what could not be read, in words

    def as_dict(self) -> dict:
        return {name: (list(v) if isinstance(v, tuple) else v) for name, v in self.__dict__.items()}


def _read_json(folder_fd: int, name: str, owner: int) -> dict:
    """``name`` inside the open folder ``folder_fd`` as a dict; ``ValueError`` saying why not."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder_fd)
    except OSError as e:
        raise ValueError("a link, not a file" if e.errno == errno.ELOOP
                         else f"cannot be opened ({e.strerror})") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_uid != owner:
            raise ValueError("not the learner's own file")
        if info.st_size > MAX_BYTES:
            raise ValueError(f"too large ({info.st_size} bytes)")
        try:
            data = json.loads(f.read(MAX_BYTES + 1))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def _outcomes(section) -> tuple[list[str], list[str]]:
    """Passed and failed keys of a ``{key: passed}`` section (anything else: none)."""
    if not isinstance(section, dict):
        return [], []
    passed = [str(k) for k, v in section.items() if v is True]
    failed = [str(k) for k, v in section.items() if v is False]
    return passed, failed


def _failure(value, notebook: str, modified: float) -> dict | None:
    """A ``last_failed`` entry as ``{"check", "message", "at"}``, ``at`` in Unix seconds."""
    if not isinstance(value, dict) or not isinstance(value.get("check"), str):
        return None
    try:
        at = datetime.datetime.fromisoformat(str(value.get("at"))).timestamp()
    except ValueError:
        at = modified  # no time: the file's
    message = value.get("message")
    return {"check": value["check"], "message": message if isinstance(message, str) else "",
            "at": at, "notebook": notebook}


def read_learner(name: str, home: Path) -> Row:
    """The board's row for learner ``name`` whose home folder is ``home``."""
    results = Path(home) / "results"
    try:
        owner = os.lstat(home).st_uid
        folder = os.open(results, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return Row(name, problems=("no results folder yet",))
    except OSError as e:
        return Row(name, problems=(f"results folder cannot be read ({e.strerror})",))
    notebooks, problems, failures, times = [], [], [], []
    ex_ok, ex_bad, quiz_ok, quiz_bad = [], [], [], []
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json") and not n.startswith("."))
        for file_name in names:
            notebook = file_name.removesuffix(".json")
            try:
                data = _read_json(folder, file_name, owner)
                modified = os.stat(file_name, dir_fd=folder, follow_symlinks=False).st_mtime
            except ValueError as e:
                problems.append(f"{file_name}: {e}")
                continue
            notebooks.append(notebook)
            times.append(modified)
            for section, ok, bad in (("exercises", ex_ok, ex_bad), ("quiz", quiz_ok, quiz_bad)):
                passed, failed = _outcomes(data.get(section))
                ok += passed
                bad += failed
            failure = _failure(data.get("last_failed"), notebook, modified)
            if failure:
                failures.append(failure)
    finally:
        os.close(folder)
    return Row(name, tuple(notebooks), tuple(ex_ok), tuple(ex_bad), tuple(quiz_ok), tuple(quiz_bad),
               max(failures, key=lambda f: f["at"]) if failures else None,
               max(times) if times else None, tuple(problems))


def board_rows(homes: Path) -> list[Row]:
    """One row per learner folder in ``homes`` (the workshop's ``home/``), sorted by name."""
    homes = Path(homes)
    if not homes.is_dir():
        return []
    return [read_learner(p.name, p) for p in sorted(homes.iterdir(), key=lambda p: p.name)
            if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")]


def _when(seconds: float | None, now: float) -> str:
    if seconds is None:
        return "—"
    ago = max(0, int(now - seconds))
    return f"{ago} s ago" if ago < 120 else f"{ago // 60} min ago" if ago < 7200 else f"{ago // 3600} h ago"


def _short(notebook: str) -> str:
    """A course notebook by its number ("01"), anything else by its name."""
    return notebook[:2] if notebook[:2].isdigit() else notebook


def _keys(passed: tuple[str, ...], failed: tuple[str, ...]) -> str:
    marks = [f"<span class=ok>✓ {html.escape(k)}</span>" for k in passed]
    marks += [f"<span class=bad>✗ {html.escape(k)}</span>" for k in failed]
    return " ".join(marks) or "—"


def board_page(rows: list[Row], *, now: float | None = None, refresh: int = 5) -> str:
    """The board as one HTML page that reloads itself every ``refresh`` seconds."""
    import time

    now = time.time() if now is None else now
    body = []
    for r in rows:
        last = "—"
        if r.last_failed:
            f = r.last_failed
            last = (f"<b>{html.escape(f['check'])}</b> ({_when(f['at'], now)}): "
                    f"{html.escape(f['message']) or '(no message kept)'}")
        notes = "".join(f"<div class=problem>{html.escape(p)}</div>" for p in r.problems)
        body.append(
            f"<tr><td>{html.escape(r.learner)}</td>"
            f"<td>{html.escape(', '.join(_short(n) for n in r.notebooks)) or '—'}</td>"
            f"<td>{_keys(r.exercises_passed, r.exercises_failed)}</td>"
            f"<td>{_keys(r.quiz_passed, r.quiz_failed)}</td>"
            f"<td>{last}</td><td>{_when(r.last_activity, now)}{notes}</td></tr>")
    rows_html = "\n".join(body) or "<tr><td colspan=6>No learner has started a server yet.</td></tr>"
    return f"""<!doctype html>
<html><head><meta charset=utf-8><meta http-equiv=refresh content="{int(refresh)}">
<title>Room board</title>
<style>body{{font-family:sans-serif;margin:1.5em}} table{{border-collapse:collapse}}
td,th{{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}}
.ok{{color:#31a354}} .bad{{color:#d62728}} .problem{{color:#d62728;font-size:90%}}</style></head>
<body><h1>Room board</h1>
<p>{len(rows)} learners; this page reloads every {int(refresh)} s.
Notebooks are those with results; ✓/✗ is each check's latest outcome.</p>
<table><tr><th>learner</th><th>notebooks</th><th>exercises</th><th>quiz</th><th>last failed check</th>
<th>last activity</th></tr>
{rows_html}
</table></body></html>
"""
