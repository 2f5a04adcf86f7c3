"""Exercise checkers for every notebook: feedback, never a traceback.

    answer = ...                 # the learner replaces ... with their answer
    check("01-h_n-shape", answer)
    solution("01-h_n-shape")     # the worked answer, only when the learner asks for it

Hints come in two steps. ``check`` answers an unanswered exercise (``...`` or ``None``) with a
nudge — what to look at, which function, never the code that solves it — so notebooks still run
top to bottom; ``solution`` shows the worked answer from ``notebooks/solutions/``, the section
whose heading names the exercise's key. A wrong answer gets feedback on what it actually is: each
checker computes the usual wrong answers and says which one the learner's matches. An answer of
the wrong kind (text, a list, NaN, a tensor of the wrong shape or dtype) and a learner's function
that crashes get feedback too (``answers.py``); one guard in ``check`` turns anything else a
checker did not foresee into feedback as well.

``core.py`` holds the registry, ``check`` and ``solution``; each notebook's checkers live in
their own module, ``nb01_sequences_and_shapes.py`` … ``nb10_your_own_sequence_task.py``, and
register themselves, in notebook order, when this package is imported.

Feedback is plain text (no Markdown), shown as it prints; a solution is Markdown, rendered.

Each notebook also ends with a short quiz (``quizzes.py``): ``quiz("05")`` shows its concept
questions, ``check_quiz({...})`` explains every answer and records the outcomes.
"""

from . import (  # noqa: F401  (importing a notebook's module registers its exercises)
    nb01_sequences_and_shapes,
    nb02_language_modeling,
    nb03_text_generation,
    nb04_machine_translation,
    nb05_stock_prices,
    nb06_electricity_load,
    nb07_speech_recognition,
    nb08_choosing_a_sequence_model,
    nb09_scaling_out,
    nb10_your_own_sequence_task,
)
from .core import EXERCISES, Feedback, Solution, check, solution
from .quizzes import QUESTIONS, check_quiz, quiz

__all__ = ["check", "solution", "quiz", "check_quiz", "Feedback", "Solution", "EXERCISES", "QUESTIONS"]
