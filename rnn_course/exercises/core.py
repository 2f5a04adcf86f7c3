"""The exercise registry, and the two calls a notebook makes: ``check`` and ``solution``.

Each notebook's module registers its checkers with :func:`exercise`. ``check`` answers an
unanswered exercise with its nudge, runs the checker otherwise, and is the one guard that turns
whatever a checker did not foresee into feedback. ``solution`` shows the worked answer from
``notebooks/solutions/``: the section whose heading ends with the exercise's key, e.g.
``## 1. Greedy CTC decoding · `07-ctc-decode```.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..paths import project_root
from .answers import NotYet, Reject


@dataclass(frozen=True)
class Feedback:
    exercise: str
    status: str  # "correct", "wrong" or "unanswered"
    message: str  # plain text

    @property
    def ok(self) -> bool:
        return self.status == "correct"

    def __str__(self) -> str:
        mark = {"correct": "✓", "wrong": "✗", "unanswered": "…"}[self.status]
        return f"{mark} {self.exercise}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = {"correct": "#31a354", "wrong": "#d62728", "unanswered": "#777"}[self.status]
        return f"<div style='color:{colour}'>{html.escape(str(self))}</div>"


@dataclass(frozen=True)
class Solution:
    """A worked answer: Markdown, rendered by Jupyter, printed as its source elsewhere."""

    exercise: str
    markdown: str

    def __str__(self) -> str:
        return self.markdown

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return self.markdown


@dataclass(frozen=True)
class Exercise:
    number: int  # its number in the notebook, and in its heading in notebooks/solutions/NN_*.md
    nudge: str  # where to look first: never the code that solves it
    judge: Callable[[Any], tuple[bool, str]]  # answer → (correct?, feedback); may raise Reject / NotYet


EXERCISES: dict[str, Exercise] = {}  # key ("07-ctc-decode") → exercise, in notebook order


def exercise(key: str, number: int, nudge: str):
    """Register the decorated checker as exercise ``key``, number ``number`` of its notebook."""

    def register(judge):
        if key in EXERCISES:
            raise ValueError(f"exercise {key!r} is registered twice")
        EXERCISES[key] = Exercise(number, nudge, judge)
        return judge

    return register


def _exercise(name: str) -> Exercise:
    if name not in EXERCISES:
        raise ValueError(f"no exercise {name!r}; exercises: {', '.join(EXERCISES)}")
    return EXERCISES[name]


def check(exercise: str, answer: Any) -> Feedback:
    """Judge ``answer`` to ``exercise``: always feedback, never an exception, whatever the answer."""
    ex = _exercise(exercise)
    stuck = f'Stuck? solution("{exercise}") shows a worked answer.'
    if answer is ... or answer is None:
        return Feedback(exercise, "unanswered", f"not answered yet. Hint: {ex.nudge} {stuck}")
    try:
        ok, message = ex.judge(answer)
    except NotYet as e:
        return Feedback(exercise, "unanswered", f"{e}. Hint: {ex.nudge} {stuck}")
    except Reject as e:
        ok, message = False, str(e)
    except Exception as e:  # a case no checker foresaw: still feedback, never a traceback
        ok, message = False, (f"this answer could not be checked ({type(e).__name__}: {e}); "
                              "compare its type and shape with what the exercise asks for.")
    _keep(exercise, bool(ok), message)
    if ok:
        return Feedback(exercise, "correct", message)
    return Feedback(exercise, "wrong", f"{message} {stuck}")


def _keep(exercise: str, ok: bool, message: str) -> None:
    """Record a judged answer under ``"exercises"`` of its notebook's results, for the learner and the
    room board (rnn_course/board.py). A results folder that cannot be written never spoils the feedback."""
    from .quizzes import _notebook

    try:
        record_outcomes("exercises", _notebook(exercise[:2])[0], {exercise: ok}, {exercise: message})
    except (OSError, ValueError):
        pass


def record_outcomes(section: str, notebook: str, outcomes: dict[str, bool],
                    messages: dict[str, str] | None = None) -> None:
    """Merge ``{key: passed}`` into ``section`` of ``results/<notebook>.json``: the latest outcome per key.

    What a learner and an instructor's board read: ``read_results(notebook)[section]``. Keys not in
    ``outcomes`` keep their earlier outcome; a section that is not a dict (a hand-edited file) starts afresh.
    A wrong outcome also becomes the notebook's ``"last_failed"``: ``{"check", "message", "at"}`` (the
    feedback from ``messages``, if given; the UTC time), the room board's "last failed check".
    """
    import datetime

    from ..results import read_results, record

    earlier = read_results(notebook).get(section)
    record(section, {**(earlier if isinstance(earlier, dict) else {}), **outcomes}, notebook=notebook)
    failed = [key for key, ok in outcomes.items() if not ok]
    if failed:
        at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        record("last_failed", {"check": failed[-1], "message": (messages or {}).get(failed[-1], ""), "at": at},
               notebook=notebook)


# --- worked answers: a section of notebooks/solutions/NN_*.md, found by the key in its heading ---

KEYED_HEADING = re.compile(r"## .*`(\d\d-[\w-]+)`[ \t]*$", re.M)  # "## 1. Title · `07-ctc-decode`"


def _sections(markdown: str) -> list[str]:
    """The ``## `` sections of a solutions file, each from its heading to the next."""
    return [s for s in re.split(r"(?m)^(?=## )", markdown) if s.startswith("## ")]


def keyed_sections(path: Path) -> dict[str, str]:
    """Exercise key → its section, for every section of ``path`` whose heading names a key."""
    found = {}
    for section in _sections(path.read_text()):
        match = KEYED_HEADING.match(section.splitlines()[0])
        if match:
            found[match.group(1)] = section.strip()
    return found


def solution(exercise: str) -> Solution:
    """The worked answer to ``exercise``, from ``notebooks/solutions/`` — for when its hint was not enough."""
    ex = _exercise(exercise)
    prefix = exercise.split("-")[0]
    files = sorted((project_root() / "notebooks" / "solutions").glob(f"{prefix}_*.md"))
    if not files:
        return Solution(exercise, f"The worked answers are in notebooks/solutions/{prefix}_….md in the course "
                                  f"repository: see exercise {ex.number}.")
    section = keyed_sections(files[0]).get(exercise)
    if section:
        return Solution(exercise, f"{section}\n\n(from notebooks/solutions/{files[0].name})")
    return Solution(exercise, f"See exercise {ex.number} in notebooks/solutions/{files[0].name}.")
