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

The questions live here, in notebook order; :func:`write_solutions` rewrites the ``## Quiz`` section
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


# --- the questions, in notebook order --------------------------------------------------------------

# 01 · Sequences and shapes
choice(
    "01-quiz-batch-first",
    "You switch an `nn.LSTM` from the default layout to `batch_first=True`. Which tensors change layout?",
    "b",
    ("the input, the output, h_n and c_n",
     "that is the classic bug: taking h_n to be batch-first because the input is. The states stay (L·D, B, H) "
     "whatever batch_first says; read them as layer·direction first."),
    ("the input and the output only; h_n and c_n stay (L·D, B, H)",
     "batch_first switches the input to (B, T, F) and the output to (B, T, H); the final states keep one row "
     "per layer and direction, so h_n[-1] is the last layer's state for every sequence."),
    ("none: batch_first only makes the layer faster",
     "it changes what the axes mean, not the speed: the same tensor read with the wrong setting mixes the "
     "batch and time axes, silently."),
)
choice(
    "01-quiz-last-step",
    "A batch-first LSTM returns `out: (B, T, H)`. The article's predictor uses `out[-1]`. What does that pick?",
    "c",
    ("the last time step of every sequence, (B, H)",
     "that would be out[:, -1]. On a batch-first output the first index is the batch axis, so out[-1] is a "
     "sequence, not a step."),
    ("an IndexError, since the first axis is the batch",
     "nothing crashes, which is why the bug is silent: out[-1] is a valid index on any axis. diagnose finds it "
     "by behaviour, not by shape."),
    ("the last sequence of the batch, all its steps, (T, H)",
     "indexing the first axis of (B, T, H) picks a sample. Every prediction then depends on that one sample: "
     "diagnose reports batch-mixing. For the last step write out[:, -1]."),
)
choice(
    "01-quiz-padding",
    "A batch is padded to T_max = 4 steps and holds a sequence whose real length is 2. Without packing, what is "
    "`out[:, -1]` for that sequence?",
    "b",
    ("its state after its real last step",
     "the RNN does not know where the sequence ends: without packing it keeps reading the padding, so the last "
     "position is two steps past the real end. Pack the batch, or take out[torch.arange(B), lengths - 1]."),
    ("its state after reading two steps of padding as well",
     "the RNN reads the zeros like any input, and they change the state. Packing tells it each length, so "
     "h_n is each sequence's real last state; or index the real last step with the lengths."),
    ("zeros, because the padding is zeros",
     "zero inputs do not give a zero state: the biases and the carried state still pass through tanh, so the "
     "state keeps moving. Only packing (or indexing the real last step) gives the right one."),
)
choice(
    "01-quiz-linear-wins",
    "On the toy task (output the sum of 12 numbers), linear regression beats the trained GRU. What do you conclude?",
    "a",
    ("the simpler model wins here, and that is the right conclusion",
     "the sum is a fixed linear formula of a fixed window, which linear regression solves exactly. An RNN earns "
     "its place when the answer is not such a formula: next words, prices, audio."),
    ("the GRU was trained too briefly; train it until it wins",
     "more training brings the GRU closer, but it cannot beat an exact solution. When a practitioner's first "
     "model solves the task, stop there."),
    ("RNNs cannot learn sums",
     "the GRU explains over 95 % of the variance: it did learn to carry a running total through its state. It "
     "is just not the best tool for a linear task."),
    ("the linear model must be leaking the answer",
     "nothing leaks: it is fitted on training sequences and scored on held-out ones. The task simply is linear, "
     "which is why it is the baseline to try first."),
)

# 02 · Language modeling
choice(
    "02-quiz-vocabulary",
    "Model A reaches perplexity 120 with a 5,000-word vocabulary, model B 150 with 10,000 words, on the same "
    "test plays. Which is the better language model?",
    "c",
    ("A: lower perplexity is better",
     "lower is better only on the same vocabulary. A smaller vocabulary lumps more rare words into <unk>, an "
     "easy prediction, which lowers perplexity without any better model."),
    ("B: it knows twice as many words",
     "a bigger vocabulary does not make the model better either; it makes its task harder. The two numbers "
     "measure different tasks."),
    ("neither number says: score both on the same vocabulary",
     "perplexities are only comparable on the same vocabulary, because every word mapped to <unk> becomes "
     "an easier prediction. Compare the models (and the n-gram baseline) on one vocabulary, as the notebook does."),
)
choice(
    "02-quiz-whole-plays",
    "Why are the validation and test sets whole plays, and not lines shuffled out of the training plays?",
    "b",
    ("whole plays are quicker to score",
     "the cost is the same per token. The split is about what the score measures, not speed."),
    ("held-out lines share names, phrases and plots with the plays trained on, so they flatter the model",
     "a line from a play the model has read is partly remembered. Whole unseen plays measure what the model "
     "does on new text, which is what a language model is for."),
    ("an RNN cannot be scored on shuffled lines",
     "it can: any text can be scored. Shuffled lines would give a number, just an optimistic one."),
)
choice(
    "02-quiz-perplexity",
    "What does a perplexity of 150 mean?",
    "a",
    ("the model is as unsure as if it chose uniformly among 150 words",
     "perplexity is exp(mean −ln P(real next word)): a uniform choice among 150 words scores exactly 150. "
     "Lower is better."),
    ("it gives the right word probability 1/150 every time",
     "that is one way to score 150, not what it means: perplexity averages −ln P over the text, so some words "
     "get high probability and others very little."),
    ("150 of the test words were not in the vocabulary",
     "out-of-vocabulary words become <unk>; perplexity is about how sure the model is of each next word, not "
     "a count of anything."),
    ("the model's top 150 words always include the right one",
     "perplexity is not a top-k hit rate: it is e raised to the average negative log-probability of the real "
     "next word."),
)
choice(
    "02-quiz-time-first",
    "You feed `(B, T)` batches to the article's time-first `RNNLanguageModel` and forget `x.t()`. What happens?",
    "b",
    ("a shape error on the first batch",
     "nothing crashes: a (B, T) tensor is a perfectly valid (T, B) tensor to the model. That is why the bug is "
     "silent, and why diagnose checks behaviour."),
    ("it trains, reading each column of the batch (one position across windows) as a sequence",
     "the first axis is read as time, so the model learns from the wrong neighbours; diagnose perturbs one "
     "sample and sees the others move. Transpose, or use a batch-first model."),
    ("nothing: an embedding does not care about the order",
     "the embedding does not, but the RNN after it carries its state along the first axis: with the axes "
     "swapped it reads across windows, not along them."),
)
choice(
    "02-quiz-short-run",
    "After about 30 s of training the RNN loses to the Kneser–Ney trigram. What is the honest reading?",
    "c",
    ("RNN language models are worse than n-grams",
     "the shipped checkpoint, trained longer, beats the same trigram on the same test block and vocabulary. "
     "A short run is a statement about the budget, not the model family."),
    ("the evaluation must be wrong, since RNNs are the stronger model",
     "the evaluation is the same for both: held-out plays, one vocabulary. A strong baseline winning is a "
     "result to report, not a bug to hunt."),
    ("a smoothed n-gram is a strong baseline on under a million words; the RNN needs more training to pass it",
     "counting is cheap and the short run has seen each word a fraction of a time. The shipped model, larger "
     "and trained far longer, beats the same trigram; RNNs pull ahead as data and training grow."),
)

# 03 · Text generation
choice(
    "03-quiz-drop-state",
    "Generating one character at a time, a generator throws the hidden state away after each step. What is the "
    "effect?",
    "b",
    ("none: the model has learned to predict from one character",
     "it has learned to predict from what its state carries. Reset to zero at every step, the state carries "
     "nothing but the last character."),
    ("each character depends on the previous one alone: the model has no memory",
     "the state is the model's memory. Carry h from step to step (generate_text_fixed does): each new "
     "character then costs one step and sees everything so far."),
    ("a shape error once the prompt is longer than one character",
     "that is a different flaw (the prompt looked up as one key). Dropping the state raises nothing, which is "
     "why it survives every shape fix."),
)
choice(
    "03-quiz-temperature",
    "Dividing the logits by a temperature below 1 before sampling:",
    "a",
    ("sharpens the distribution: safer, duller text",
     "dividing by a number below 1 stretches the gaps between logits, so the likely characters get likelier. "
     "Above 1 flattens it: bolder, more errors."),
    ("flattens the distribution: bolder text, more errors",
     "that is a temperature above 1: dividing by a bigger number shrinks the gaps between logits. Below 1 "
     "does the opposite."),
    ("changes which character is most likely",
     "dividing every logit by the same positive number keeps their order, so the most likely character, and "
     "greedy decoding, stay the same. Only the spread changes."),
)
choice(
    "03-quiz-greedy",
    "Why does greedy decoding fall into loops?",
    "c",
    ("the model is undertrained; a well-trained model would not loop",
     "well-trained models loop under greedy decoding too. The loop comes from always taking the most likely "
     "character, not from too little training."),
    ("the hidden state is being reset",
     "with the state reset it would not even keep a phrase going. Greedy decoding carries the state and still "
     "loops."),
    ("the likeliest continuation of a common phrase leads back to the phrase, and nothing random breaks it",
     "greedy decoding is deterministic: once it returns to a state it has seen, it repeats. Sampling, with a "
     "temperature or top-k, breaks the cycle."),
)
choice(
    "03-quiz-cost-per-char",
    "Compared with re-reading the whole text so far for every new character, carrying the hidden state makes "
    "each new character cost:",
    "a",
    ("one step, whatever the length so far",
     "the state summarises everything read, so each character is one step of the RNN. Re-reading costs a step "
     "per character so far: the longer the text, the worse."),
    ("the same: the model must see all the text either way",
     "it sees all the text either way, but the state holds it already: re-reading repeats work the state "
     "has done."),
    ("less time, but memory that grows with the text",
     "the state has a fixed size, (L·D, B, H), however long the text: that is streaming for free."),
)
choice(
    "03-quiz-hidden-unit",
    "A unit of the trained model correlates r = 0.3 with 'inside a word'. Can you say it tracks that signal?",
    "b",
    ("yes: any clear correlation means the unit tracks it",
     "even an untrained network's units follow simple signals a little (a newline moves every unit). A weak "
     "correlation may be no more than that."),
    ("only if it is strong (|r| ≥ 0.5) and clearly above the best unit of an untrained copy",
     "the untrained copy is the baseline for a claim about units: only a correlation well above what chance "
     "structure gives says the training made the unit track the signal."),
    ("no: hidden units never mean anything",
     "some do track signals we can name, such as position in the line; the notebook finds them by comparing "
     "with an untrained copy."),
)

# 04 · Machine translation
choice(
    "04-quiz-teacher-forcing",
    "With teacher forcing, what does the decoder read at output step t during training?",
    "a",
    ("the true previous French word",
     "tgt_in is the reference shifted by one, starting with <bos>: the decoder always conditions on the true "
     "past and learns to predict the next word. All steps can run in one pass."),
    ("its own prediction from step t − 1",
     "that is what it reads when it translates. The difference between the two is exposure bias."),
    ("the English word at position t",
     "the English sentence reaches the decoder through the encoder's state and attention; the decoder's own "
     "input is the French side, which is not aligned word for word with the English."),
)
choice(
    "04-quiz-exposure-bias",
    "The same model scores much worse on validation with `teacher_forcing=0.0` than with 1.0. Why?",
    "b",
    ("the validation set is harder",
     "it is the same validation set both times; only what the decoder reads changed."),
    ("it never practised recovering from its own errors, so one mistake feeds the next",
     "exposure bias: trained on the true past, it meets its own mistakes only at translation time. Mixing in "
     "its own predictions in training (teacher_forcing=0.5) narrows the gap, at a cost in speed."),
    ("a bug: the loss should not depend on teacher forcing",
     "the loss must depend on it: with teacher forcing off, every step conditions on the model's own earlier "
     "words, and errors compound."),
)
choice(
    "04-quiz-bottleneck",
    "Without attention, scores fall on the longest third of the test sentences. Why?",
    "a",
    ("the whole sentence must pass through one vector before the first French word is written",
     "without attention the decoder sees only h_n, H numbers, however long the sentence. Attention lets it read "
     "every encoder output at every step, so long sentences keep their details."),
    ("long sentences are rare in training",
     "the attention model trains on the same sentences and keeps the long ones: the loss comes from the design, "
     "not the data."),
    ("BLEU penalises long sentences",
     "BLEU's brevity penalty punishes translations that are too short, not long sentences."),
)
choice(
    "04-quiz-padding-mask",
    "Attention sets the scores of padded source positions to −∞ before the softmax. Why not to 0?",
    "c",
    ("0 would work as well: a score of 0 means no attention",
     "a score of 0 still gets a weight e⁰ / Σ, far from zero when the other scores are small: the context "
     "would mix in <pad>. Only −∞ gives exactly 0."),
    ("−∞ makes the softmax faster",
     "the cost is the same. The point is the value: softmax(−∞) is exactly 0."),
    ("after the softmax a score of −∞ becomes a weight of exactly 0, so padding never enters the context",
     "e^(−∞) = 0, and the remaining weights still sum to 1 over the real words. The mask is True on real words, "
     "from each sentence's length."),
)
choice(
    "04-quiz-compositional",
    "A model near-perfect on the random test set scores lower on the compositional one (adjective–noun pairs "
    "never seen together, each word known). What does that show?",
    "b",
    ("the compositional set has words outside the vocabulary",
     "every word of it occurs in training; only the pairs are new."),
    ("a model can fit sentences like its training data and still stumble on new combinations of known words",
     "a random test set resembles training; a compositional one asks whether the model combines what it "
     "knows. Test on the situations you will meet, not only on ones like training."),
    ("the test set leaked into training",
     "a leak would make the scores too good. Lower scores on unseen combinations are the opposite of a leak."),
)

# 05 · Stock prices
choice(
    "05-quiz-lagged-copy",
    "On a plot spanning years, a price model's prediction hugs the price. Zoomed in, its error is smaller "
    "against the price a day earlier than against the price it predicts. What has it learned?",
    "b",
    ("to forecast well: the curves overlap",
     "on a plot spanning years any lagged copy overlaps the price. Compare with persistence on the same days; "
     "the plot hides a one-day shift."),
    ("to copy yesterday's price, a step behind the truth",
     "its best match is the past, not the future: it is persistence with extra steps, and no better. Always "
     "score against persistence before believing a price plot."),
    ("the future, through a leak",
     "a leak would make it closest to the day it predicts. Being closest to the day before says it follows "
     "the past."),
)
choice(
    "05-quiz-leaky-scaler",
    "A scaler fitted on all the prices gives a lower test error than one fitted on the training years. Which "
    "error do you report?",
    "c",
    ("the lower one: it is the better model",
     "the lower error comes from the leak: the scaler's mean and spread carry the test years' price range into "
     "training. No real forecaster knows next year's range."),
    ("the average of the two",
     "averaging an honest number with a leaked one is still leaked. Fit every statistic on the past only."),
    ("the one with the scaler fitted on the training years only",
     "the scaler is part of the model: fitted on the future, it tells the model where future prices will be. "
     "Fit it on the past, then transform everything with it."),
)
choice(
    "05-quiz-returns",
    "Why does the notebook model returns rather than prices?",
    "a",
    ("prices drift to levels never seen in training; returns stay in the range training covered",
     "prices are non-stationary and an LSTM's output is bounded by what it saw, so it falls behind a climbing "
     "price. Returns stay centred near zero; turn them back into prices only to score."),
    ("returns are easier to predict",
     "they are almost unpredictable (the efficient-market argument). The reason is range, not ease: a model "
     "of returns meets familiar values."),
    ("returns are fewer numbers",
     "there is one return per day, as many as prices less one. The reason is what the values look like."),
)
choice(
    "05-quiz-drift",
    "Trained with squared error, the return LSTM outputs a nearly constant small positive number. Why?",
    "b",
    ("it is undertrained: longer training will beat drift",
     "training cannot create information the inputs lack. If past returns say almost nothing about tomorrow's, "
     "more steps converge to the same constant."),
    ("squared error learns the mean of tomorrow's return given the inputs; with no information that is the "
     "average return",
     "the conditional mean, when past returns carry (almost) nothing, is the training years' mean return: the "
     "drift. The LSTM found it, which is why it ties with drift and does not beat it."),
    ("a bug: a model that outputs a constant has stopped learning",
     "a constant is the right answer to an unpredictable target under squared error. The test that it learned "
     "something real is beating drift walk-forward, which it does not."),
)
choice(
    "05-quiz-walk-forward",
    "Why evaluate walk-forward (refit before each block, forecast only from the past) and not with shuffled "
    "k-fold cross-validation?",
    "c",
    ("shuffled k-fold gives more test data",
     "it gives every day a turn in the test, but trains on days after the ones it tests: look-ahead."),
    ("walk-forward is faster",
     "it refits several times, so it is slower. It is chosen for honesty, not speed."),
    ("it uses the model as it would be used: trained on everything before the day it forecasts, nothing after",
     "shuffled folds put future days in training for past test days, and the score flatters the model. "
     "Walk-forward never lets a forecast see its own day or later."),
)

# 06 · Electricity load
choice(
    "06-quiz-origin",
    "A day-ahead forecast is made at origin o (midnight). Which data may it use?",
    "a",
    ("load[:o], and calendar facts about tomorrow",
     "everything before the origin, and what is known in advance (time of day, day of week, last week's load). "
     "Every model is refitted at each origin on that data only."),
    ("load[:o + 48], to fit the daily cycle",
     "load[o:o + 48] is the day being forecast: using it is look-ahead, and the score would mean nothing."),
    ("the whole series, as long as it only fits a scaler",
     "a scaler fitted on the future leaks its level (notebook 05's trap 2). Fit every statistic on the data "
     "before the origin."),
)
choice(
    "06-quiz-validation-week",
    "How many recent half-hours the lag regression reads is chosen on:",
    "b",
    ("the test weeks: pick the setting with the lowest test MAPE",
     "then the test score is the best of several tries on the same days, which flatters the model. The test "
     "weeks only score; settings are chosen before them."),
    ("the validation week",
     "the validation week chooses every setting, the test weeks score once. That keeps the test score an "
     "honest estimate of the next weeks."),
    ("the training error: more lags until it stops falling",
     "training error keeps falling as inputs are added, because more inputs fit more noise. Only held-out "
     "data says when more lags stop helping."),
)
choice(
    "06-quiz-last-week",
    "Why does 'same half-hour last week' beat 'same half-hour yesterday'?",
    "c",
    ("older data is more reliable",
     "age has nothing to do with it: the week-old copy matches the calendar."),
    ("yesterday is too close to tomorrow to help",
     "close is usually good. Yesterday is the wrong kind of day whenever tomorrow's weekday differs, as on "
     "Saturday and Monday."),
    ("it gets both cycles right: the time of day and weekday against weekend",
     "a Monday looks like last Monday, not like Sunday. Copying yesterday gets every weekend and every Monday "
     "wrong."),
)
choice(
    "06-quiz-recursive",
    "Why can a recursive model's error grow along the 48-step horizon while a direct model's need not?",
    "a",
    ("it feeds its own predictions back as inputs, so its errors compound",
     "each of the 48 steps reads the previous prediction as if it were a measured load; a mistake early in "
     "the day shifts everything after it. A direct model emits all 48 at once from measured inputs."),
    ("it has fewer parameters",
     "its head is smaller, but that does not make errors grow with the horizon: feeding predictions back does."),
    ("it sees less of the past",
     "it reads the same window; the difference is what it reads while forecasting, its own predictions."),
)
choice(
    "06-quiz-data-scale",
    "With nine weeks of training data, the linear models beat the LSTMs. Why?",
    "b",
    ("LSTMs cannot model daily and weekly cycles",
     "they can (the residual LSTM starts from last week's load); they lack examples, not the capacity."),
    ("nine weeks hold nine Mondays: a network needs many examples of each situation, a linear model few",
     "the classical models are fitted in closed form by least squares; an LSTM learns by gradient descent from "
     "the same little data. With years of data and weather inputs, RNNs have room to win."),
    ("MAPE is unfair to neural networks",
     "every model is scored on the same origins with the same metric; the ranking is the data talking."),
)

# 07 · Speech recognition
choice(
    "07-quiz-why-ctc",
    "Why can't the article's per-frame classifier be trained with plain cross-entropy from these transcripts?",
    "a",
    ("cross-entropy needs a label for every frame, and a transcript does not say which frames are which letter",
     "CTC removes the need: it sums the probability of every frame labelling that reads as the transcript, "
     "so the model learns the alignment by itself."),
    ("the RNN is too small",
     "size is not the problem: no model can be trained on per-frame labels nobody has."),
    ("audio is not a sequence",
     "it is: a (T, F) sequence of log-mel frames. The problem is that the output is a shorter sequence with "
     "no alignment given."),
)
choice(
    "07-quiz-blank",
    "CTC reads a transcript by merging repeats, then dropping blanks. Why is there a blank between the two e "
    "runs in `__tthh_rr_eee_ee__` → `three`?",
    "c",
    ("it marks the end of a syllable",
     "CTC knows no syllables; the blank only means 'no new character at this frame'."),
    ("it is silence in the audio",
     "blanks fill most frames, speech included: CTC models fire a character in a short spike and say blank "
     "in between."),
    ("without it the two e runs would merge into one e",
     "repeats merge first, so a double letter needs a blank between its runs. The blank is how CTC spells "
     "'ee'."),
)
choice(
    "07-quiz-streaming",
    "For live captions, which model: the bidirectional GRU or the unidirectional one?",
    "b",
    ("the bidirectional one: it is more accurate",
     "its backward GRU starts at the end of the clip, so it can say nothing until the speaker stops: its "
     "latency grows with the utterance."),
    ("the unidirectional one: fixed small latency, at a cost in accuracy",
     "it can emit each frame's output as soon as the audio has arrived (plus the convolutions' look-ahead). "
     "It pays by deciding about a sound before hearing what follows."),
    ("either: both transcribe a second of audio in milliseconds",
     "speed is not latency. Both are faster than real time, but the bidirectional one cannot start until the "
     "utterance ends."),
)
choice(
    "07-quiz-new-voices",
    "Noise in training made the model robust to noise, yet voices unlike any in training still break it. "
    "What would help?",
    "b",
    ("more noise in training",
     "white noise is not a new voice: noise augmentation did not help on the unfamiliar voices."),
    ("more voices, or augmentation that changes the voice (speed and pitch)",
     "a model only knows the voices it was trained on. Real systems train on thousands of speakers."),
    ("a bigger GRU",
     "capacity does not supply voices the model never heard; more data of the right kind does."),
)
choice(
    "07-quiz-held-out-voices",
    "Why are whole voices held out for validation and test, rather than random clips?",
    "a",
    ("a random clip's voice is also in training, so the score would measure memory of voices",
     "the question is how the model does on a speaker it has never heard, so the test speakers must not speak "
     "in training."),
    ("random clips would make the test set too small",
     "the size can be the same either way; the split decides what the score measures."),
    ("CTC requires it",
     "CTC trains on any split; the split is about honest evaluation."),
)

# 08 · Choosing a sequence model
choice(
    "08-quiz-work-per-token",
    "Generating, how does the work per new token at 2,000 tokens of context compare with at 100, for a GRU and "
    "for a full-context Transformer with a KV cache?",
    "c",
    ("both grow with the context",
     "the GRU's state has a fixed size: it does the same work per token at any context."),
    ("both stay flat",
     "the Transformer's cache grows by a row per token, and each new token attends to all of it."),
    ("the GRU's stays flat; the Transformer's grows with the context",
     "a recurrent state summarises the past in a fixed size, so streaming costs the same forever; attention "
     "reads every earlier token. A sliding window caps the Transformer's work, and forgets."),
)
choice(
    "08-quiz-receptive-field",
    "A TCN's receptive field is 127 characters. What can its output use of the character 200 steps back?",
    "b",
    ("a faint memory, as in an RNN",
     "an RNN's memory fades; a TCN's stops. Its gradient from 200 steps back is exactly zero."),
    ("nothing at all: beyond its receptive field it is blind",
     "the convolutions reach exactly (k − 1)·Σd + 1 steps back. Choose a TCN when the context you need is "
     "bounded and known."),
    ("everything, through its dilations",
     "dilations widen the reach, to exactly the receptive field and no further."),
)
choice(
    "08-quiz-equal-budget",
    "Why compare the families at equal CPU time rather than at an equal number of training steps?",
    "a",
    ("a step costs different amounts in different families; what you have is time",
     "at equal steps an expensive family would get more compute. Equal CPU time asks which model is best for "
     "the budget you actually have."),
    ("steps cannot be counted for a Transformer",
     "they can; the Trainer counts them for every family. They just cost different amounts."),
    ("CPU time is more precise than steps",
     "steps are exact. CPU time is chosen because it is the budget, and because a busy machine does not "
     "change it."),
)
choice(
    "08-quiz-mingru",
    "minGRU trains faster than `nn.GRU` on this CPU. Why?",
    "b",
    ("its parallel scan",
     "the notebook measured the scan slower than stepping the same maths one token at a time on a CPU. The scan "
     "pays on GPUs."),
    ("its gates read only the input, so there is no recurrent matrix multiply",
     "without h_{t−1} in the gates each step does far less work. That, not the scan, is the speed-up here."),
    ("it has fewer layers",
     "the comparison is at the same size, B = 8 and H = 256; the difference is the work per step."),
)
choice(
    "08-quiz-when-transformer",
    "When would you reach for a Transformer instead of the recurrent models?",
    "c",
    ("always: it is the stronger model",
     "on this data and CPU it ended with the highest validation loss at equal time, and even per character "
     "seen. Stronger depends on data and hardware."),
    ("to stream on a small device",
     "its cache and its work per token grow with the context; a recurrent model streams at a fixed cost."),
    ("with the data, a GPU, and a need for long exact look-ups",
     "attention reaches any position in one hop and trains in parallel on a GPU. On a laptop with a few "
     "million characters the GRU won; measure before you switch."),
)

# 09 · Scaling out
choice(
    "09-quiz-same-curve",
    "Two processes under DDP, same seed, same global batch, same steps as one process. What does the loss "
    "curve look like?",
    "a",
    ("the same as one process, to float rounding",
     "each rank computes on its shard, then the all-reduce averages the gradients, so every rank takes the "
     "step one process would take on the whole batch. Only the order of additions differs."),
    ("noisier: each process sees half the batch",
     "each process computes on half, but the update uses the average over both halves: the whole batch."),
    ("it falls twice as fast per step",
     "per step the update is identical. DDP changes where the arithmetic happens, not the training."),
)
number(
    "09-quiz-ring-volume",
    "In a ring all-reduce over W = 4 ranks, each rank sends how many times its gradient's size in bytes?",
    1.5, tol=0.01, what="a number, such as 0.5",
    why="2·(W−1)/W = 1.5: W−1 rounds send a 1/W piece to add it up, W−1 more pass the sums on. It stays below 2 "
        "however many ranks join.",
    mistakes={
        "(W−1)/W counts only the rounds that add up the pieces; W−1 more rounds pass the sums on.": 0.75,
        "2 is the limit for many ranks; with W = 4 each rank sends 2·(W−1)/W of the gradient.": 2.0,
        "2·(W−1) forgets that each round sends a 1/W piece, not the whole gradient.": 6.0,
        "W−1 is sending the whole gradient to every other rank, which the ring avoids.": 3.0,
    },
)
choice(
    "09-quiz-two-cores",
    "On a 2-core machine, how does 2 processes × 1 thread compare with 1 process × 2 threads?",
    "b",
    ("about twice as fast",
     "twice the speed needs twice the hardware. Both use the same two cores."),
    ("little or no faster: the same cores, plus the all-reduce and a second copy of everything",
     "the second process takes the core a second thread could have used. Data parallelism pays when each "
     "process brings its own hardware: a GPU or a machine each."),
    ("it cannot run: DDP needs a GPU",
     "DDP runs on CPUs with the gloo backend; the notebook ran it on two processes."),
)
choice(
    "09-quiz-too-big",
    "A model does not fit in one device's memory. Does DDP help?",
    "b",
    ("yes: it splits the model across the processes",
     "DDP splits the batch, not the model: every process holds a whole copy."),
    ("no: every process holds a whole copy; that needs model or pipeline parallelism",
     "data parallelism multiplies throughput, not memory. A model too big for one device must itself be split."),
    ("yes, if the global batch is made smaller",
     "a smaller batch saves activation memory, on one process as on many; DDP adds nothing to that."),
)
number(
    "09-quiz-classroom",
    "Each running learner keeps about one core busy. 30 learners on a 10-core server press Run on a cell that "
    "takes 10 s alone. About how many seconds does it take?",
    30, tol=1.5, what="a number of seconds",
    why="L learners on C cores make a cell take about L ÷ C = 3 times as long as alone: 30 s. Accepting twice as "
        "long means about two learners per core.",
    mistakes={
        "that is the time alone: only with a core per learner would it stay there.": 10,
        "3 is the slowdown factor L ÷ C; multiply it by the 10 s the cell takes alone.": 3,
        "that is 30 learners times 10 s, as if one core ran them all; 10 cores share the work.": 300,
    },
)

# 10 · Your own sequence task
choice(
    "10-quiz-output-shape",
    "The classifier reads B padded passages and gives one label per passage. What shape are its scores for the "
    "3 genres?",
    "b",
    ("(B, T, 3): a score at every step",
     "that is many-to-many, a label per step. A passage gets one label: the outputs are averaged over its real "
     "steps first."),
    ("(B, 3): one row of scores per passage",
     "many-to-one: the GRU's outputs are averaged over each passage's real steps, then mapped to 3 scores."),
    ("(1, B, 3), like h_n",
     "h_n has a layer·direction axis; the classifier's scores do not."),
)
choice(
    "10-quiz-near-majority",
    "Three genres, 400 test passages each. A model scores 0.35 accuracy. Is that a result?",
    "c",
    ("yes: better than guessing",
     "the bar is the majority class, 1/3 here, and 0.35 is within its noise: two standard errors on 1,200 "
     "passages are about 0.027."),
    ("no: accuracy below 0.5 means the model learned the opposite",
     "with three balanced classes chance is 1/3, not 0.5; 0.5 is the bar for two classes."),
    ("not yet: it is within the noise band of the majority class",
     "a difference no larger than two standard errors of the metric, sqrt(p(1 − p)/n), is a tie. Compare with "
     "the baseline on the same held-out test set."),
)
choice(
    "10-quiz-tie",
    "The GRU and the bag-of-words model end a point of accuracy apart, inside the noise band. Which do you ship?",
    "a",
    ("the bag of words: smaller, faster, explainable",
     "a tie ships the simpler model. The GRU must beat it by more than the noise before its cost is worth "
     "paying."),
    ("the GRU: it scored higher",
     "a point inside the noise band is luck on this test set; run it again with another split and the order "
     "may flip."),
    ("neither: both failed",
     "both are far above the majority class: both learned something real about genre. Neither is better."),
)
choice(
    "10-quiz-macro-f1",
    "A model never predicts 'tragedy'. Which number shows it plainly?",
    "b",
    ("accuracy",
     "accuracy counts right answers overall: ignoring one class costs only its share, and can hide behind "
     "the others."),
    ("macro-F1",
     "it averages the F1 of each class, and tragedy's F1 is 0, so the average can reach 2/3 at most. That is "
     "why the notebook reports it beside accuracy."),
    ("the training loss",
     "the training loss mixes all classes and says nothing about the test split."),
)
choice(
    "10-quiz-split",
    "Why do the default test passages come from whole plays nothing is trained on, with the speaker names "
    "removed?",
    "a",
    ("so the model must recognise the genre, not the play or its cast",
     "passages from a training play share its characters' names and plot words; a model could name the play "
     "and look up its genre. Unseen plays test what the task is about."),
    ("to make the test set smaller",
     "the size is not the point; what the test passages share with training is."),
    ("names confuse the tokenizer",
     "names tokenize like any word. They are removed because they give the answer away."),
)


def write_solutions() -> None:
    """Rewrite the ``## Quiz`` section at the end of every notebooks/solutions/NN_*.md."""
    for prefix in sorted({key[:2] for key in QUESTIONS}):
        path = next((project_root() / "notebooks" / "solutions").glob(f"{prefix}_*.md"))
        text = path.read_text()
        head = text.split("\n## Quiz\n")[0].rstrip() + "\n\n"
        path.write_text(head + quiz(prefix).solutions_markdown())
        print(f"wrote the quiz section of {path.name}")
