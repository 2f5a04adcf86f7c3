"""End-of-notebook quizzes: every question accepts its right answer, rejects each listed wrong one
with that choice's own explanation, reads sloppy answers sensibly or says what is wrong with them,
and records the outcomes where the learner and a board can read them."""

import json
import re

import numpy as np
import pytest
import torch

from rnn_course.exercises import EXERCISES, QUESTIONS, check_quiz, quiz
from rnn_course.exercises import quizzes as quiz_module
from rnn_course.exercises.core import KEYED_HEADING
from rnn_course.paths import project_root
from rnn_course.results import read_results

NOTEBOOKS = [f"{n:02d}" for n in range(1, 11)]
CHOICE = sorted(key for key, q in QUESTIONS.items() if q.options)
NUMBER = sorted(key for key, q in QUESTIONS.items() if not q.options)
WRONG_CHOICES = [(key, letter) for key in CHOICE for letter in QUESTIONS[key].letters if letter != QUESTIONS[key].right]
MISTAKES = [(key, message) for key in NUMBER for message in QUESTIONS[key].mistakes]
MARKDOWN = re.compile(r"\*\*|`|(?<![\w*])\*\S[^*\n]*?\S\*(?![\w*])|(?<!\w)_[A-Za-z][^_\n]*_(?!\w)")


@pytest.fixture(autouse=True)
def results_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_COURSE_RESULTS", str(tmp_path))
    return tmp_path


def right_answer(key):
    q = QUESTIONS[key]
    return q.right if q.options else q.number


def one(key, answer):
    (feedback,) = check_quiz({key: answer}).items
    return feedback


# --- every notebook has a quiz ------------------------------------------------------------------


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_every_notebook_has_three_to_five_questions(nb):
    assert 3 <= len(quiz(nb).questions) <= 5


def test_quiz_keys_are_their_own_and_in_notebook_order():
    assert not set(QUESTIONS) & set(EXERCISES)
    assert all(re.fullmatch(r"\d\d-quiz-[\w-]+", key) for key in QUESTIONS)
    assert list(QUESTIONS) == sorted(QUESTIONS, key=lambda key: key[:2])
    assert {key[:2] for key in QUESTIONS} == set(NOTEBOOKS)


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_the_right_letter_is_not_always_the_same_within_a_notebook(nb):
    letters = [q.right for q in quiz(nb).questions if q.options]
    assert len(set(letters)) > 1, f"notebook {nb}: every right answer is ({letters[0]})"


def test_a_quiz_for_an_unknown_notebook_names_the_ones_there_are():
    with pytest.raises(ValueError, match="01, 02"):
        quiz("11")


# --- right answers pass, every wrong one gets its own explanation --------------------------------


@pytest.mark.parametrize("key", sorted(QUESTIONS))
def test_the_right_answer_passes_with_why(key):
    fb = one(key, right_answer(key))
    assert fb.ok and fb.status == "correct"
    assert QUESTIONS[key].explanation() in fb.message


@pytest.mark.parametrize("key, letter", WRONG_CHOICES)
def test_every_wrong_choice_is_rejected_with_its_own_explanation(key, letter):
    q = QUESTIONS[key]
    fb = one(key, letter)
    assert fb.status == "wrong"
    assert q.options[q.letters.index(letter)][1] in fb.message
    assert q.explanation() not in fb.message, "a wrong choice's feedback must not give the right answer away"


@pytest.mark.parametrize("key, message", MISTAKES)
def test_every_usual_wrong_number_is_named_for_what_it_is(key, message):
    fb = one(key, QUESTIONS[key].mistakes[message])
    assert fb.status == "wrong" and message in fb.message


@pytest.mark.parametrize("key", NUMBER)
def test_a_number_that_is_no_usual_slip_is_still_feedback(key):
    fb = one(key, 123456.0)
    assert fb.status == "wrong" and "none of the usual slips" in fb.message


@pytest.mark.parametrize("key", sorted(QUESTIONS))
def test_feedback_is_plain_text(key):
    q = QUESTIONS[key]
    answers = [right_answer(key), *(q.letters if q.options else q.mistakes.values()), ..., "zz", [1]]
    for answer in answers:
        printed = str(one(key, answer))
        assert not MARKDOWN.search(printed), printed


def test_every_question_and_choice_is_explained():
    for q in QUESTIONS.values():
        assert q.explanation()
        assert all(len(why) > 20 for _, why in q.options) and all(len(m) > 20 for m in q.mistakes)


def test_a_question_that_could_not_be_answered_is_refused_at_registration(monkeypatch):
    monkeypatch.setattr(quiz_module, "QUESTIONS", {})
    with pytest.raises(ValueError, match="right letter"):
        quiz_module.choice("01-quiz-x", "?", "d", ("one", "why one"), ("two", "why two"))
    with pytest.raises(ValueError, match="every choice explained"):
        quiz_module.choice("01-quiz-x", "?", "a", ("one", "why one"), ("two", ""))
    with pytest.raises(ValueError, match="mistakes away from the answer"):
        quiz_module.number("01-quiz-y", "?", 3, tol=1, what="a number", why="because", mistakes={"slip": 3.5})


# --- sloppy answers are read sensibly, or get a clear message --------------------------------------

LETTER_KEY = "05-quiz-lagged-copy"  # right answer (b) of a, b, c


@pytest.mark.parametrize("written", ["b", "B", "B ", " b", "b)", "(b)", "b.", "[b]", "(B) "])
def test_a_letter_may_be_written_loosely(written):
    assert QUESTIONS[LETTER_KEY].right == "b"
    assert one(LETTER_KEY, written).ok


@pytest.mark.parametrize("answer, says", [
    (2, "is a number"), ("2", "is a number"), (2.0, "is a number"),
    ("a, b", "more than one"), ("ab", "more than one"), ("b or c", "more than one"),
    ("d", "not one of the choices"), ("persistence", "not one of the choices"), ("", "not one of the choices"),
    (True, "one letter"), (["b"], "one letter"), (torch.tensor(1), "one letter"),
])
def test_a_malformed_letter_gets_a_clear_message(answer, says):
    fb = one(LETTER_KEY, answer)
    assert fb.status == "wrong" and says in fb.message


@pytest.mark.parametrize("blank", [..., None])
def test_an_unanswered_question_is_not_an_error(blank):
    fb = one(LETTER_KEY, blank)
    assert fb.status == "unanswered" and "a, b or c" in fb.message
    fb = one("09-quiz-ring-volume", blank)
    assert fb.status == "unanswered" and "a number" in fb.message


@pytest.mark.parametrize("answer", [1.5, np.float32(1.5), torch.tensor(1.5), 3 / 2])
def test_a_number_may_come_as_any_number_type(answer):
    assert one("09-quiz-ring-volume", answer).ok


def test_a_whole_number_answer_may_be_an_int_or_a_float():
    assert one("09-quiz-classroom", 30).ok and one("09-quiz-classroom", 30.0).ok


@pytest.mark.parametrize("answer, says", [("1.5", "text"), (float("nan"), "NaN"), ("b", "text"), (True, "bool")])
def test_a_malformed_number_gets_a_clear_message(answer, says):
    fb = one("09-quiz-ring-volume", answer)
    assert fb.status == "wrong" and says in fb.message


def test_an_unknown_key_names_the_notebooks_keys():
    with pytest.raises(ValueError, match="05-quiz-lagged-copy"):
        check_quiz({"05-quiz-nope": "a"})


def test_answers_must_come_as_a_dict():
    with pytest.raises(TypeError, match="dict"):
        check_quiz("b")


# --- outcomes are recorded for the learner and the board ------------------------------------------


def test_answered_questions_are_recorded_and_unanswered_ones_are_not(results_in_tmp):
    result = check_quiz({"05-quiz-lagged-copy": "b", "05-quiz-returns": "c", "05-quiz-drift": ...})
    assert read_results("05_stock_prices")["quiz"] == {"05-quiz-lagged-copy": True, "05-quiz-returns": False}
    assert result.passed == 1 and "1 of 3 right (2 answered)" in str(result)
    assert str(results_in_tmp / "05_stock_prices.json") in str(result), "say where the outcomes went"


def test_a_later_answer_updates_its_question_and_keeps_the_others(results_in_tmp):
    (results_in_tmp / "05_stock_prices.json").write_text(json.dumps({"lstm_rmse_ratio": 0.99}))
    check_quiz({"05-quiz-lagged-copy": "b", "05-quiz-returns": "c"})
    check_quiz({"05-quiz-returns": "a"})
    saved = read_results("05_stock_prices")
    assert saved["quiz"] == {"05-quiz-lagged-copy": True, "05-quiz-returns": True}
    assert saved["lstm_rmse_ratio"] == 0.99, "the notebook's own numbers must survive"


def test_a_quiz_left_unanswered_writes_nothing(results_in_tmp):
    feedback = check_quiz({key: ... for key in QUESTIONS if key.startswith("03-")})
    assert all(f.status == "unanswered" for f in feedback.items)
    assert not list(results_in_tmp.iterdir())


def test_answers_from_two_notebooks_go_to_each_notebooks_file():
    check_quiz({"01-quiz-last-step": "c", "09-quiz-ring-volume": 0.75})
    assert read_results("01_sequences_and_shapes")["quiz"] == {"01-quiz-last-step": True}
    assert read_results("09_scaling_out")["quiz"] == {"09-quiz-ring-volume": False}


def test_a_results_file_that_cannot_be_written_still_gives_the_feedback(monkeypatch):
    def refuse(*args):
        raise PermissionError("read-only folder")

    monkeypatch.setattr(quiz_module, "record_outcomes", refuse)
    result = check_quiz({"05-quiz-lagged-copy": "b"})
    assert result.items[0].ok and "could not be saved" in str(result) and "read-only" in str(result)


# --- shown in the notebook, answered in the solutions ------------------------------------------------


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_the_quiz_shows_every_question_choice_and_key(nb):
    q = quiz(nb)
    shown, printed = q._repr_markdown_(), str(q)
    for question in q.questions:
        assert question.key in shown and question.key in printed
        for option, _ in question.options:
            assert option in shown
    assert "`" not in printed
    assert "check_quiz(quiz_answers)" in q.template() and q.template().count("...") == len(q.questions)


SOLUTIONS = project_root() / "notebooks" / "solutions"


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_the_solutions_file_ends_with_the_quizs_answers(nb):
    (path,) = SOLUTIONS.glob(f"{nb}_*.md")
    text = path.read_text()
    assert text.endswith("\n\n" + quiz(nb).solutions_markdown()), (
        f"{path.name}'s Quiz section is missing or stale: run\n"
        "python -c 'from rnn_course.exercises.quizzes import write_solutions; write_solutions()'")
    assert not set(KEYED_HEADING.findall(text)) & set(QUESTIONS), "a quiz key in a heading would pose as an exercise"


# --- the notebooks' quiz cells --------------------------------------------------------------------

# Every notebook 01–10 ends with its quiz.
WITH_QUIZ_CELLS = NOTEBOOKS


def quiz_cells(nb):
    (path,) = (project_root() / "notebooks").glob(f"{nb}_*.ipynb")
    cells = json.loads(path.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells]
    shown = [i for i, s in enumerate(sources) if f'quiz("{nb}")' in s and cells[i]["cell_type"] == "code"]
    return cells, sources, shown


@pytest.mark.parametrize("nb", WITH_QUIZ_CELLS)
def test_the_notebook_ends_with_its_quiz_before_the_closing_cell(nb):
    cells, sources, shown = quiz_cells(nb)
    assert len(shown) == 1, f"notebook {nb} should show its quiz once"
    i = shown[0]
    assert cells[i - 1]["cell_type"] == "markdown" and sources[i - 1].startswith("## Quiz")
    assert sources[i + 1] == quiz(nb).template(), "the answer cell should hold every key of the quiz, unanswered"
    assert i + 2 == len(cells) - 1, "the closing assertion cell stays last, right after the quiz"


@pytest.mark.parametrize("nb", WITH_QUIZ_CELLS)
def test_the_notebooks_quiz_cells_run_unanswered_without_error_or_record(nb, results_in_tmp):
    _, sources, (i,) = quiz_cells(nb)
    namespace = {}
    exec(sources[i], namespace)
    exec(sources[i + 1].replace("check_quiz(quiz_answers)", "result = check_quiz(quiz_answers)"), namespace)
    assert all(f.status == "unanswered" for f in namespace["result"].items)
    assert not list(results_in_tmp.iterdir())
