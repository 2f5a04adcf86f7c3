"""End-of-notebook quizzes: a few concept questions, each answer explained, the outcome recorded.

    from rnn_course.exercises import quiz, check_quiz
    quiz("05")                                  # the questions, rendered as Markdown
    quiz_answers = {"05-quiz-lagged-copy": ..., ...}   # the learner replaces each ... with a letter
    check_quiz(quiz_answers)                    # feedback per question; results/05_stock_prices.json

A question is multiple choice (answered with a letter, ``"b"``; ``"B "``, ``"b)"`` and ``"(b)"``
read the same) or a number. Every choice carries its own explanation: the right one says why it is
right, each wrong one what choosing it suggests the learner believes, and the fix — the exercise
checkers' style. A number question names its usual wrong values the same way
(:func:`~rnn_course.exercises.answers.closest_mistake`).

``check_quiz`` never raises on an answer: ``...`` is "not answered yet", an answer of the wrong
kind gets a message saying what it is. It records the latest outcome of every answered question,
``{key: passed}``, under ``"quiz"`` in ``results/<notebook>.json`` (:func:`~.core.record_outcomes`),
where the learner and an instructor's board can read it.

Each notebook's questions live in its own module (``nb05_stock_prices.py`` …), registered in notebook
order; :func:`write_solutions` rewrites the ``## Quiz`` section
at the end of every ``notebooks/solutions/NN_*.md`` from them (a test checks that they agree).
"""

from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ..paths import project_root
from ..results import results_dir
from .answers import NotYet, Reject, as_number, closest_mistake, kind_of
from .core import Feedback, record_outcomes

LETTERS = "abcdefgh"


@dataclass(frozen=True)
class Question:
    """One quiz question: ``options`` (text, explanation) for multiple choice, else a number."""

    key: str  # "05-quiz-lagged-copy": its notebook's two digits first
    prompt: str  # may use `code` marks: shown as Markdown, printed without them
    options: tuple[tuple[str, str], ...] = ()  # (choice, why it is right / what choosing it means)
    right: str = ""  # the right letter, for multiple choice
    number: float | None = None  # the right number, for a number question
    tol: float = 0.0  # how far from ``number`` still counts as right
    what: str = ""  # what to give, for a number question: "a number of seconds"
    why: str = ""  # why ``number`` is right, for a number question
    mistakes: dict[str, float] = field(default_factory=dict)  # explanation → the usual wrong value

    @property
    def letters(self) -> str:
        return LETTERS[: len(self.options)]

    def explanation(self) -> str:
        """Why the right answer is right."""
        return self.options[self.letters.index(self.right)][1] if self.options else self.why

    def answer_text(self) -> str:
        """The right answer as a learner would write it: ``(b)`` or ``1.5``."""
        return f"({self.right})" if self.options else f"{self.number:g}"


QUESTIONS: dict[str, Question] = {}  # key → question, in notebook order


def _ask(question: Question) -> None:
    """Register ``question``, refusing one that could not be answered or explained."""
    q = question
    if q.key in QUESTIONS or not re.fullmatch(r"\d\d-quiz-[\w-]+", q.key):
        raise ValueError(f"quiz key {q.key!r} is registered twice or is not of the form 'NN-quiz-topic'")
    if q.options:
        if q.right not in q.letters or not all(text and why for text, why in q.options):
            raise ValueError(f"{q.key}: the right letter must be one of {q.letters}, and every choice explained")
    elif q.number is None or not q.what or not q.why or any(abs(v - q.number) <= q.tol for v in q.mistakes.values()):
        raise ValueError(f"{q.key}: a number question needs number, what, why, and mistakes away from the answer")
    QUESTIONS[q.key] = q


def choice(key: str, prompt: str, right: str, *options: tuple[str, str]) -> None:
    _ask(Question(key, prompt, options=tuple(options), right=right))


def number(key: str, prompt: str, answer: float, *, what: str, why: str, mistakes: dict[str, float],
           tol: float = 1e-9) -> None:
    _ask(Question(key, prompt, number=answer, tol=tol, what=what, why=why, mistakes=mistakes))


# --- reading and judging an answer ---------------------------------------------------------------


def read_letter(answer: Any, letters: str) -> str:
    """``"b"``, ``"B "``, ``"b)"``, ``"(b)"``, ``"b."`` → ``"b"``; else Reject saying what the answer is."""
    if answer is ... or answer is None:
        raise NotYet(f"not answered yet: replace ... with a letter, {_choices(letters)}")
    if isinstance(answer, str):
        text = answer.strip().lower()
        bare = re.sub(r"^[(\[]\s*|\s*[)\].:]+$", "", text)
        if bare in letters and len(bare) == 1:
            return bare
        if re.fullmatch(r"[+-]?\d+(\.\d*)?", bare):
            return _reject_number(answer, letters)
        if len(re.findall(r"\b[a-h]\b", text)) > 1 or re.fullmatch(r"[a-h]{2,}", bare):
            raise Reject(f"{answer!r} names more than one choice; only one is right: give one letter, "
                         f"{_choices(letters)}.")
        raise Reject(f"{answer!r} is not one of the choices; answer with one letter, {_choices(letters)}.")
    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        return _reject_number(answer, letters)
    raise Reject(f"that is {kind_of(answer)}; answer with one letter in quotes, such as 'b'.")


def _reject_number(value, letters: str) -> str:
    raise Reject(f"{value!r} is a number, and this question asks for the letter of your choice, "
                 f"{_choices(letters)}, in quotes, such as 'b'.")


def _choices(letters: str) -> str:
    return f"{', '.join(letters[:-1])} or {letters[-1]}"


def judge(question: Question, answer: Any) -> Feedback:
    """Feedback on ``answer`` to ``question``: right, wrong with why, or not answered yet."""
    q = question
    try:
        if q.options:
            letter = read_letter(answer, q.letters)
            text, why = q.options[q.letters.index(letter)]
            status = "correct" if letter == q.right else "wrong"
            lead = "right" if status == "correct" else "not this one"
            return Feedback(q.key, status, f"({letter}) {_plain(text)} — {lead}: {why}")
        if answer is ... or answer is None:
            raise NotYet(f"not answered yet: replace ... with {q.what}")
        value = as_number(answer, q.what)
        if abs(value - q.number) <= q.tol:
            return Feedback(q.key, "correct", f"{value:g} — right: {q.why}")
        mistake = closest_mistake(value, q.mistakes, tol=max(q.tol, 1e-9))
        return Feedback(q.key, "wrong", f"{value:g} — not it: " + (
            mistake or "it is none of the usual slips either; work it through again from the notebook's section."))
    except NotYet as e:
        return Feedback(q.key, "unanswered", str(e) + ".")
    except Reject as e:
        return Feedback(q.key, "wrong", str(e))


def _shown(path: Path) -> str:
    """``path`` as a learner finds it: from the course folder when it is inside."""
    try:
        return str(path.relative_to(project_root()))
    except ValueError:
        return str(path)


def _plain(text: str) -> str:
    """Prompt or choice text as it prints: no Markdown code marks."""
    return text.replace("`", "")


# --- what a notebook calls -----------------------------------------------------------------------


def _notebook(prefix: str) -> tuple[str, str]:
    """The notebook's file stem and title for a two-digit prefix, from the course map."""
    from ..checks import COURSE_MAP

    for num, stem, title, _, _ in COURSE_MAP:
        if num == prefix:
            return stem, title
    raise ValueError(f"no notebook {prefix!r}; notebooks: {', '.join(n for n, *_ in COURSE_MAP)}")


def questions_of(notebook: str) -> list[Question]:
    """The quiz of notebook ``"05"`` (or ``"05_stock_prices"``), in order."""
    prefix = str(notebook)[:2]
    found = [q for key, q in QUESTIONS.items() if key.startswith(prefix + "-")]
    if not found:
        have = sorted({key[:2] for key in QUESTIONS})
        raise ValueError(f"no quiz for notebook {notebook!r}; quizzes: {', '.join(have)}")
    return found


@dataclass(frozen=True)
class Quiz:
    """A notebook's questions: Markdown in Jupyter, plain text when printed."""

    notebook: str  # "05"
    questions: tuple[Question, ...]

    def template(self) -> str:
        """The answer cell a notebook holds: every key with ``...``, then ``check_quiz``."""
        width = max(len(q.key) for q in self.questions) + 3
        lines = []
        for q in self.questions:
            key = f'"{q.key}":'
            lines.append(f"    {key:<{width}} ...,  # {'a letter' if q.options else 'a number'}")
        return "quiz_answers = {\n" + "\n".join(lines) + "\n}\ncheck_quiz(quiz_answers)"

    def _lines(self, markdown: bool) -> list[str]:
        text = (lambda s: s) if markdown else _plain
        _, title = _notebook(self.notebook)
        out = [f"Quiz · {self.notebook} {title} — answer each question in the cell below, then run it.", ""]
        for i, q in enumerate(self.questions, 1):
            ask = f"{i}. {text(q.prompt)}  ({q.key})" if not markdown else f"**{i}.** {q.prompt} `{q.key}`"
            out.append(ask)
            if q.options:
                out += [f"{'- ' if markdown else '   '}({letter}) {text(option)}"
                        for letter, (option, _) in zip(q.letters, q.options)]
            else:
                out.append(f"{'- ' if markdown else '   '}Answer with {q.what}.")
            out.append("")
        return out

    def __str__(self) -> str:
        return "\n".join(self._lines(markdown=False)).strip()

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return "\n".join(self._lines(markdown=True)).strip()

    def solutions_markdown(self) -> str:
        """The ``## Quiz`` section of the notebook's solutions file: each answer and why."""
        paragraphs = ["## Quiz", f'The answers to the quiz at the end of the notebook, `quiz("{self.notebook}")`. '
                      "`check_quiz` gives the same explanations, and one for every wrong choice."]
        for i, q in enumerate(self.questions, 1):
            choice_text = f" {q.options[q.letters.index(q.right)][0]}" if q.options else ""
            paragraphs += [f"**{i}.** {q.prompt} `{q.key}`",
                           f"**{q.answer_text()}**{choice_text} — {q.explanation()}"]
        wrap = partial(textwrap.fill, width=100, break_long_words=False, break_on_hyphens=False)
        return "\n\n".join(wrap(p) for p in paragraphs) + "\n"


def quiz(notebook: str) -> Quiz:
    """The end-of-notebook quiz of ``notebook`` (``"05"``): its questions, to answer in the next cell."""
    return Quiz(str(notebook)[:2], tuple(questions_of(notebook)))


@dataclass(frozen=True)
class QuizFeedback:
    """One feedback line per question, and whether the outcomes were saved."""

    items: tuple[Feedback, ...]
    note: str = ""  # where the outcomes went, or why they could not be saved

    @property
    def passed(self) -> int:
        return sum(f.ok for f in self.items)

    def __str__(self) -> str:
        lines = [str(f) for f in self.items]
        answered = sum(f.status != "unanswered" for f in self.items)
        tally = f"{self.passed} of {len(self.items)} right"
        if answered < len(self.items):
            tally += f" ({answered} answered)"
        lines.append(tally + (f"; {self.note}" if self.note else "."))
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = "".join(f._repr_html_() for f in self.items)
        return f"{rows}<div>{html.escape(str(self).splitlines()[-1])}</div>"


def check_quiz(answers: dict) -> QuizFeedback:
    """Judge a dict ``{question key: answer}``; record each answered question's outcome.

    Unknown keys raise ``ValueError`` naming the notebook's keys (a typo, not an answer); any
    answer, of any kind, gets feedback instead of an exception.
    """
    if not isinstance(answers, dict):
        raise TypeError(f"check_quiz takes a dict of answers, such as {{'01-quiz-batch-first': 'b'}}; "
                        f"got {kind_of(answers)}")
    unknown = [key for key in answers if key not in QUESTIONS]
    if unknown:
        prefix = str(unknown[0])[:2]
        mine = [k for k in QUESTIONS if k.startswith(prefix + "-")] or list(QUESTIONS)
        raise ValueError(f"no quiz question {unknown[0]!r}; this notebook's are: {', '.join(mine)}")
    items = tuple(judge(QUESTIONS[key], answer) for key, answer in answers.items())
    outcomes: dict[str, dict[str, bool]] = {}
    for f in items:
        if f.status != "unanswered":
            outcomes.setdefault(f.exercise[:2], {})[f.exercise] = f.ok
    saved = []
    for prefix, passed in outcomes.items():
        stem, _ = _notebook(prefix)
        try:
            record_outcomes("quiz", stem, passed)
            saved.append(_shown(results_dir() / f"{stem}.json"))
        except OSError as e:
            return QuizFeedback(items, f"your answers could not be saved ({e}); the feedback above still holds.")
    return QuizFeedback(items, f"saved in {', '.join(saved)}." if saved else "")


def write_solutions() -> None:
    """Rewrite the ``## Quiz`` section at the end of every notebooks/solutions/NN_*.md."""
    for prefix in sorted({key[:2] for key in QUESTIONS}):
        path = next((project_root() / "notebooks" / "solutions").glob(f"{prefix}_*.md"))
        text = path.read_text()
        head = text.split("\n## Quiz\n")[0].rstrip() + "\n\n"
        path.write_text(head + quiz(prefix).solutions_markdown())
        print(f"wrote the quiz section of {path.name}")
