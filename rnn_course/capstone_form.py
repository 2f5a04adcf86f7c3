"""Notebook 10's widgets: pick the data, answer the four questions, tick what you did alone.

Every widget's logic is a plain method a test can call (``DataPicker.pick``, ``FourQuestions.answer``,
``Checklist.tick``); the buttons only call them. A bad file shows its message in the picker and
the notebook keeps running with the data it had.

    picker = DataPicker()                # dropdown of rnn_course.sources.CHOICES, a path box, Load
    data = picker.load()                 # what the widgets say now (the default: Shakespeare genres)
    questions = FourQuestions(); questions.answer(ordering="…")
    questions.report(facts)              # your answers beside what the run found
    checklist = Checklist(); save_run(checklist, questions, numbers)   # → results/<notebook>.json
"""

from __future__ import annotations

import html

import pandas as pd

from .sources import CHOICES, DataError, load_data

__all__ = ["DataPicker", "FourQuestions", "QUESTIONS", "Checklist", "STEPS", "save_run"]


class DataPicker:
    """A dropdown (course data or your own file), a path box and a Load button."""

    def __init__(self, choice: str = "shakespeare-genre", path: str = ""):
        import ipywidgets as w

        self.data = None
        self.message = ""
        self.choice = w.Dropdown(options=[(label, key) for key, (label, _) in CHOICES.items()], value=choice,
                                 description="data", layout=w.Layout(width="460px"))
        self.path = w.Text(value=path, description="path", placeholder="my_file.csv, my_text.txt, clips/, pairs.tsv",
                           layout=w.Layout(width="460px"))
        self.button = w.Button(description="Load", icon="upload")
        self.status = w.HTML()
        self.button.on_click(lambda _: self.pick())
        self.widget = w.VBox([self.choice, self.path, self.button, self.status])

    def pick(self, choice: str | None = None, path: str | None = None):
        """Load ``choice`` (default: the dropdown) from ``path`` (default: the box). Returns the data,
        or None with the reason in ``message`` and on screen; the data loaded before stays."""
        choice = self.choice.value if choice is None else choice
        path = self.path.value if path is None else path
        try:
            data = load_data(choice, path or None)
        except (DataError, FileNotFoundError) as e:
            self.message = f"✗ {e}"
            self.status.value = f"<span style='color:#d62728'>{html.escape(self.message)}</span>"
            return None
        self.data, self.message = data, f"✓ {data}"
        self.status.value = f"<span style='color:#31a354'>{html.escape(self.message)}</span>"
        return data

    def load(self):
        """The data the widgets point at; a DataError if they point at a bad file (for code, not clicks)."""
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


class FourQuestions:
    """A small form; the answers are kept and shown again beside what the run found."""

    def __init__(self, **answers):
        import ipywidgets as w

        self.answers = {k: "" for k in QUESTIONS}
        self.boxes = {k: w.Textarea(description="", placeholder="your answer", layout=w.Layout(width="640px", height="48px"))
                      for k in QUESTIONS}
        for key, box in self.boxes.items():
            box.observe(lambda change, key=key: self.answer(**{key: change["new"]}), names="value")
        rows = []
        for key, q in QUESTIONS.items():
            rows += [w.HTML(f"<b>{html.escape(q)}</b>"), self.boxes[key]]
        self.widget = w.VBox(rows)
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

    def report(self, found: dict) -> pd.DataFrame:
        """Question, your answer, and what the run found (``found``: key → text)."""
        return pd.DataFrame({"question": list(QUESTIONS.values()),
                             "your answer": [self.answers[k] or "(not answered)" for k in QUESTIONS],
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
    from .results import current_notebook, record, results_dir

    nb = notebook or current_notebook()
    record("data", data_name, notebook=nb)
    record("numbers", numbers, notebook=nb)
    record("four_questions", questions.answers, notebook=nb)
    record("done_alone", checklist.ticked, notebook=nb)
    record("done_alone_count", sum(checklist.ticked.values()), notebook=nb)
    return results_dir() / f"{nb}.json"
