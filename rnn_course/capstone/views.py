"""Notebook 10's widgets: pick the data, answer the four questions, tick what you did alone.

Every widget's logic is a plain method a test can call (``DataPicker.pick``, ``FourQuestions.answer``,
``Checklist.tick``); the buttons only call them. A bad file shows its message in the picker and
the notebook keeps running with the data it had.

    picker = DataPicker()                # dropdown of rnn_course.capstone.data.CHOICES, a path box, Load
    data = picker.load()                 # what the widgets say now (the default: Shakespeare genres)
    questions = FourQuestions()          # empty boxes; answers typed earlier come back on a re-run
    questions.answer(ordering="…")       # what typing in a box does
    print(questions.note()); questions.report(facts)   # your answers beside what the run found
    checklist = Checklist(); save_run(checklist, questions, numbers)   # → results/<notebook>.json

DOM contract (the browser tests rely on it): the picker's box has the CSS class ``rnn-picker``,
its path text box ``rnn-picker-path``, its button the text "Load", and its message area
``rnn-picker-status``; the four-questions form has the class ``rnn-four-questions`` (each answer
box ``rnn-four-questions-answer``). A notebook shows one picker: the learner's.
"""

from __future__ import annotations

import html

import pandas as pd

from ..results import current_notebook, read_results, record, results_dir
from .data import CHOICES, DataError, load_data

__all__ = ["DataPicker", "FourQuestions", "QUESTIONS", "Checklist", "STEPS", "save_run"]


class DataPicker:
    """A dropdown (course data or your own file), a path box and a Load button."""

    def __init__(self, choice: str = "shakespeare-genre", path: str = ""):
        import ipywidgets as w

        self.data = None
        self.message = ""
        self.loaded_from: tuple[str, str] | None = None  # (choice, path) of ``data``
        self.choice = w.Dropdown(options=[(label, key) for key, (label, _) in CHOICES.items()], value=choice,
                                 description="data", layout=w.Layout(width="460px"))
        self.path = w.Text(value=path, description="path", placeholder="my_file.csv, my_text.txt, clips/, pairs.tsv",
                           layout=w.Layout(width="460px"))
        self.path.add_class("rnn-picker-path")
        self.button = w.Button(description="Load", icon="upload")
        self.status = w.HTML()
        self.status.add_class("rnn-picker-status")
        self.button.on_click(lambda _: self.pick())
        self.widget = w.VBox([self.choice, self.path, self.button, self.status])
        self.widget.add_class("rnn-picker")

    def pick(self, choice: str | None = None, path: str | None = None):
        """Load ``choice`` (default: the dropdown) from ``path`` (default: the box). Returns the data,
        or None with the reason in ``message`` and on screen — for any failure, not only a
        ``DataError`` — and the data loaded before stays. What the loader decided about the file
        (``data.notes``) is part of the message."""
        choice = self.choice.value if choice is None else choice
        path = self.path.value if path is None else path
        try:
            data = load_data(choice, path or None)
        except Exception as e:  # a button callback's exception would vanish: every failure is shown
            known = isinstance(e, (DataError, FileNotFoundError))
            self._show(f"✗ {e}" if known else f"✗ loading {choice!r} failed unexpectedly ({type(e).__name__}: {e}); "
                       "the course did not expect this: please report it, with the file if you can", "#d62728")
            return None
        self.data, self.loaded_from = data, (choice, path)
        self._show(f"✓ {data}", "#31a354")  # with the loader's notes (date order, Unix time, …), one per line
        return data

    def _show(self, message: str, color: str) -> None:
        self.message = message
        self.status.value = f"<span style='color:{color}; white-space:pre-wrap'>{html.escape(message)}</span>"

    def load(self):
        """The data the widgets point at: what Load loaded if they still point at it, else loaded now;
        a DataError if they point at a bad file (for code, not clicks)."""
        if self.data is not None and self.loaded_from == (self.choice.value, self.path.value):
            return self.data
        data = self.pick()
        if data is None:
            raise DataError(self.message.removeprefix("✗ "))
        return data

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


QUESTIONS = {  # the article's four questions, short key → question
    "ordering": "Is the input ordered — would shuffling it destroy the meaning?",
    "context": "How long is the context the output depends on?",
    "output": "Is the output a classification, a number, or a generated sequence?",
    "alternative": "Would a simpler (or stronger) model do as well or better?",
}


HINTS = {  # placeholders: what a good answer talks about, not the answer
    "ordering": "e.g. shuffle the steps (words, samples, readings): what would be lost?",
    "context": "e.g. how many steps back does the answer depend on: a few, a sentence, a season?",
    "output": "e.g. one label per sequence, the next value, or a whole new sequence?",
    "alternative": "e.g. which simple model would you try first, and do you expect it to lose?",
}

_kept: dict[str, dict[str, str]] = {}  # notebook → answers typed in this kernel


class FourQuestions:
    """A small form; the answers are kept and shown again beside what the run found.

    The boxes start empty (the placeholders only say what an answer talks about). What is typed is
    kept: re-running the cell that makes the form — in the same kernel, or after a restart once
    :func:`save_run` has written ``results/<notebook>.json`` — shows the answers again.
    ``notebook`` (default: the one ``rnn_course.start`` named) says whose answers these are; None
    keeps nothing. Answers given as arguments replace kept ones.
    """

    def __init__(self, *, notebook: str | None = "", **answers):
        import ipywidgets as w

        self.notebook = current_notebook() if notebook == "" else notebook
        self.answers = {k: "" for k in QUESTIONS}
        self.boxes = {k: w.Textarea(description="", placeholder=HINTS[k], layout=w.Layout(width="640px", height="48px"))
                      for k in QUESTIONS}
        for key, box in self.boxes.items():
            box.add_class("rnn-four-questions-answer")
            box.observe(lambda change, key=key: self.answer(**{key: change["new"]}), names="value")
        rows = []
        for key, q in QUESTIONS.items():
            rows += [w.HTML(f"<b>{html.escape(q)}</b>"), self.boxes[key]]
        self.widget = w.VBox(rows)
        self.widget.add_class("rnn-four-questions")
        if self.notebook:
            kept = _kept.get(self.notebook) or read_results(self.notebook).get("four_questions") or {}
            self.answer(**{k: v for k, v in kept.items() if k in QUESTIONS and isinstance(v, str)})
        self.answer(**answers)

    def answer(self, **answers) -> None:
        """Record answers by key (ordering, context, output, alternative); unknown keys are an error."""
        unknown = sorted(set(answers) - set(QUESTIONS))
        if unknown:
            raise ValueError(f"unknown question(s) {unknown}; questions: {', '.join(QUESTIONS)}")
        for key, text in answers.items():
            self.answers[key] = str(text).strip()
            if self.boxes[key].value != str(text):
                self.boxes[key].value = str(text)
        if self.notebook:
            _kept[self.notebook] = dict(self.answers)

    @property
    def unanswered(self) -> list[str]:
        return [k for k in QUESTIONS if not self.answers[k]]

    def note(self) -> str:
        """One line on what is still unanswered ("" when every question has an answer)."""
        missing = self.unanswered
        if not missing:
            return ""
        which = "none of the four questions" if len(missing) == len(QUESTIONS) else f"not yet: {', '.join(missing)}"
        return (f"You have answered {which}. Type your answers in the boxes above (they are kept when "
                "you run the cells again); here is what the run found.")

    def report(self, found: dict) -> pd.DataFrame:
        """Question, your answer, and what the run found (``found``: key → text)."""
        return pd.DataFrame({"question": list(QUESTIONS.values()),
                             "your answer": [self.answers[k] or "(not answered yet)" for k in QUESTIONS],
                             "what the run found": [found.get(k, "") for k in QUESTIONS]}, index=list(QUESTIONS))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


STEPS = (  # the workflow the course taught, in order
    "chose data and said which task it is (classification or generation)",
    "answered the four questions before training",
    "split the data so the test set is truly unseen",
    "looked at the data before modelling it",
    "built (B, T, F) batches and read their shapes",
    "ran diagnose on the model before training",
    "computed the baseline a practitioner would try first",
    "trained the RNN and read its curves",
    "compared RNN and baseline on held-out data, and said which won",
    "measured the deployment cost",
)


class Checklist:
    """One checkbox per workflow step: tick what you did without help."""

    def __init__(self, steps=STEPS):
        import ipywidgets as w

        self.steps = tuple(steps)
        self.boxes = [w.Checkbox(value=False, description=s, indent=False, layout=w.Layout(width="640px"))
                      for s in self.steps]
        self.widget = w.VBox(self.boxes)

    def tick(self, *steps: int | str) -> None:
        """Tick steps by position (0-based) or text."""
        for s in steps:
            i = self.steps.index(s) if isinstance(s, str) and s in self.steps else s
            if not isinstance(i, int) or not 0 <= i < len(self.steps):
                raise ValueError(f"no step {s!r}; give a position 0–{len(self.steps) - 1} or one of {list(self.steps)}")
            self.boxes[i].value = True

    @property
    def ticked(self) -> dict[str, bool]:
        return {s: bool(b.value) for s, b in zip(self.steps, self.boxes)}

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def save_run(checklist: Checklist, questions: FourQuestions, numbers: dict, *, data_name: str = "",
             notebook: str | None = None):
    """Store the checklist, the answers and the run's numbers in ``results/<notebook>.json``
    (through :func:`rnn_course.record`), for an instructor to collect. Returns the file's path."""
    nb = notebook or current_notebook()
    record("data", data_name, notebook=nb)
    record("numbers", numbers, notebook=nb)
    record("four_questions", questions.answers, notebook=nb)
    record("done_alone", checklist.ticked, notebook=nb)
    record("done_alone_count", sum(checklist.ticked.values()), notebook=nb)
    return results_dir() / f"{nb}.json"
