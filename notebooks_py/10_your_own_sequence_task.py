# notebooks/10_your_own_sequence_task.ipynb as text (jupytext py:percent), written by `python tools/notebooks.py pair`.
# Edit the notebook, not this file: `tools/notebooks.py tidy` rewrites it.

# %% [markdown]
# # 10 · Your own sequence task
#
# The article ends by asking you to *"re-express the material using your own example"*, to *"execute a
# full workflow on a small example — and then identify which steps you can now perform
# independently"*. This notebook is that workflow, one short cell per step, on data **you** choose:
# a data set of the course or your own file. Its first question — is the output a classification or a
# generation? — gets a task no earlier notebook did: **sequence classification**, one label for a
# whole sequence (many-to-one).
#
# The default, so the notebook runs unattended: *which kind of play does a passage come from —
# comedy, history or tragedy?* Forty words of Shakespeare, from plays the model has never read.
#
# About 40 minutes with the default data; the notebook runs in <!-- time:nb -->about 20 s<!-- /time -->.

# %%
# On Google Colab only: clone the course (data included) and install it on Colab's own torch.
# Anywhere else this cell does nothing (`python3 course.py lab` has installed the course).
import sys
if "google.colab" in sys.modules:
    # !test -d /content/practical-rnns || git clone --depth 1 https://github.com/practical-rnns/practical-rnns /content/practical-rnns
    # !python /content/practical-rnns/rnn_course/colab.py
    sys.path.insert(0, "/content/practical-rnns")

# %%
import pandas as pd

import rnn_course
from rnn_course.capstone.plan import findings, plan_for, quality_problems, run_numbers, verdict
from rnn_course.capstone.views import Checklist, DataPicker, FourQuestions, save_run
from rnn_course.cost import cost_card
from rnn_course.dashboard import Dashboard
from rnn_course.exercises import check, solution
from rnn_course.shapes import diagnose, trace

device = rnn_course.start("10_your_own_sequence_task")

# %% [markdown]
# ## Pick the data
#
# The picker offers the course's data sets and four kinds of file of your own. Each goes through the
# same loaders the applications use, and the kind of data decides the task:
#
# | you pick | task | the RNN | the baseline tried first |
# |---|---|---|---|
# | Shakespeare passages (default), spoken command words (notebook 07), a **folder of WAV clips** | classify (many-to-one) | `SequenceClassifier` (GRU, packed) | majority class; bag-of-words / bag-of-frames logistic regression |
# | a **CSV time series**, Microsoft returns, electricity load | forecast the next value | `ReturnLSTM` (notebook 05) | persistence; seasonal naive; training mean |
# | a **plain-text file**, Shakespeare characters | generate (character LM) | `RecurrentLM` (notebook 03) | Kneser–Ney n-gram |
# | a **TSV of sentence pairs**, generated English–French | translate | `Seq2Seq` with attention (notebook 04) | word by word |
#
# Your files: a CSV needs one timestamp column (any name) and numeric value columns — the first is
# forecast; a text file must be UTF-8; WAV clips are named `label_speaker_index.wav` (e.g.
# `yes_ana_3.wav`) or sit in one folder per label (`yes/clip3.wav`); a TSV holds `source<TAB>target`
# per line. To use yours: choose it, type its path, press **Load**, then run the cells below again
# (*Run ▸ Run Selected Cell and All Below* from the next cell). Each of them asks the loaded data what
# to do, so the task, the model, the baseline and the verdict all follow your data; nothing from an
# earlier run is reused. Training has a budget of 300 steps, with its progress on screen; press
# **Start** in the dashboard to train longer. A file the course cannot use shows what is wrong and
# what to do, here, and the data loaded before stays.

# %%
picker = DataPicker()
picker

# %%
# NBVAL_CHECK_OUTPUT
data = picker.load()  # what the picker holds: the default (Shakespeare passages by genre) or what you loaded
plan = plan_for(data)  # the task this kind of data asks for, a fresh model and its trainer
task, model = plan.task, plan.model
print(plan)

# %% [markdown]
# The picker's **Load** button does the same as `picker.pick(choice, path)`. A bad file, for example
# an empty CSV, gives a message instead of a traceback. Shown here on a picker of its own, so yours
# above keeps its data and its message:

# %%
# NBVAL_CHECK_OUTPUT
import tempfile, pathlib
empty = pathlib.Path(tempfile.mkdtemp()) / "empty.csv"
empty.write_text("")
demo = DataPicker()  # a second picker, for this demonstration only
print(demo.pick("csv-series", str(empty)) is None)
print(demo.message.replace(str(empty.parent), "…"))
print("the cells below still use:", data.name)

# %% [markdown]
# ## Is this an RNN problem? The four questions
#
# Answer them **before** training: type in the boxes (they start empty; the grey text only says what
# an answer talks about). Your answers are kept — run the cell again, or the whole notebook, and they
# come back — and shown at the end beside what the run found. For the default data, think of forty
# words from a play and the genre of the play.

# %%
questions = FourQuestions()  # your answers so far come back; new boxes start empty
questions

# %% [markdown]
# ## The data: look first
#
# How much data each split holds (for the default: examples per class and split), a picture, and a few
# raw examples. The split was fixed when the data were loaded: for the default, by **whole play** from
# `plays.csv` — the test passages come from *Much Ado About Nothing*, *Richard III* and *Hamlet*,
# which nothing is trained on. Speaker names ("HAMLET:") are removed, so a model cannot learn the cast
# list.

# %%
# NBVAL_CHECK_OUTPUT
print(task.describe())

# %%
task.plot()
print("\n".join(task.examples()))  # raw data, before any tensor

# %% [markdown]
# ## Batches and shapes
#
# For the default data, passages become padded batches: token ids `x: (B, T)` (the embedding adds the feature axis F), the
# real lengths `(B,)`, and one label per passage `(B,)`. The classifier **packs** the batch
# (`pack_padded_sequence`), so the GRU never reads a padded step; then it averages its outputs over
# each passage's real steps and maps that to 3 scores. The shape panel traces one small batch
# (B = 3) through the model; `diagnose` checks before any training that samples in a batch do not
# see each other.
#
# Other data give other tensors (windows `x: (B, T, F)` for a series, character ids `(B, T)` for
# text, source and target ids for pairs); the first line of each row below names them.

# %%
# NBVAL_CHECK_OUTPUT
print(task.shapes())
print(diagnose(model, task.example(), **task.diagnose_options))
trace(model, *task.example())

# %% [markdown]
# ## Baseline first
#
# What a practitioner tries before any RNN (the table in *Pick the data* lists them for every task). For classification: always answering the commonest
# training class (**majority**), and **logistic regression on a bag of words** — word counts, order
# thrown away (for audio, a bag of frames: each mel band's mean and spread over the clip). Accuracy
# counts right answers; **macro-F1** averages the F1 score of each class, so a model that ignores a
# class cannot hide it. Both on the held-out test split.

# %%
base = task.baselines()
pd.DataFrame(base).T.round(3)

# %% [markdown]
# ## Train the RNN
#
# For the default data: a one-layer GRU of 64 units over 64-dimensional word embeddings, with the
# loss weighted so each genre counts the same (there are more histories than tragedies in training).
# The next cell trains the plan's budget, 300 steps, with its progress on screen; press **Start** to
# train longer.

# %%
dash = Dashboard(plan.trainer, steps=plan.steps, title=f"{type(model).__name__} on {data.name}",
                 loss_label=plan.task.loss_label, redraw_seconds=2.0)
dash

# %%
summary = dash.run()
print(summary)

# %% [markdown]
# ## Evaluate: RNN against the baselines, on held-out data

# %%
rnn = task.evaluate(model)
print(pd.DataFrame({**base, "RNN": rnn}).T.round(3))
print()
result = verdict(task, base, rnn)  # a difference inside the noise band is a tie
print(result)

# %% [markdown]
# Read the verdict as it is. It compares the RNN with the best baseline and counts a difference no
# larger than the noise band — two standard errors of the metric on this test set — as a tie; a tie
# ships the simpler model. With the default data a bag of words is a strong baseline although it
# knows nothing about order — *king*, *lord* and *England* say "history", *love* and *sir* say
# "comedy", wherever they stand. When we ran this notebook (300 steps), the GRU and the bag of words
# ended about a point of accuracy apart (0.52 and 0.51), well inside the noise band of 1,200 test
# passages (±0.03). Both are far above the majority class (0.33), so both learned something real about
# genre; neither has shown it is better. The honest conclusion: at this budget, word order adds
# little to what the words alone say, and the bag of words (smaller, faster, explainable) is the one
# to ship. Longer training (press **Start**), a bidirectional GRU (`plan = plan_for(data,
# bidirectional=True)`) or longer passages are the first things to try; keep the same held-out plays
# when you do.
#
# ## Deployment cost
#
# What serving the model would cost: parameters, size on disk, and the time to classify one
# passage (batch 1, on this CPU). The bag-of-words model costs a vocabulary and a 3 × V weight
# matrix, and microseconds.

# %%
one = tuple(a[:1] for a in task.example())  # the model's inputs for one sequence (B = 1)
card = cost_card(model, one)
card

# %% [markdown]
# ## Your answers, beside what the run found

# %%
found = findings(task, base, rnn)
print(questions.note() or "Your answers, beside what the run found:")
with pd.option_context("display.max_colwidth", None):
    display(questions.report(found))

# %% [markdown]
# ## What you can now do alone
#
# Tick each step you did **without help** — looking back at an earlier notebook counts as help. The
# next cell saves your ticks, your four answers and this run's numbers to
# `results/10_your_own_sequence_task.json`, so an instructor can collect a room's answers.
# (Tick first, then run it again.)

# %%
checklist = Checklist()
checklist

# %%
numbers = {**run_numbers(base, rnn), **{f"cost_{k}": v for k, v in card.numbers.items()}}
path = save_run(checklist, questions, numbers, data_name=data.name)
print(f"saved to {path.name}: {sum(checklist.ticked.values())} of {len(checklist.steps)} steps done alone")

# %% [markdown]
# ## Your turn
#
# Replace each `...` and run the cell: the checker says what is right, or gives a hint. Still
# stuck? `solution("10-majority-accuracy")` shows a worked answer; all of them are in `solutions/10_your_own_sequence_task.md`.
#
# **1.** With the default data, what accuracy does the majority-class baseline reach on the test
# passages? Work it out from `data.counts()` before looking at the table above; answer as a number
# between 0 and 1.

# %%
answer_1 = ...
check("10-majority-accuracy", answer_1)


# %% [markdown]
# **2.** The classifier averages the GRU's outputs over **real** steps only. Write
# `mean_over_steps(out, lengths)`: `out` is `(B, T, H)` (zeros, or anything, past each length),
# `lengths` is `(B,)`; return the mean over each sequence's first `lengths[b]` steps, `(B, H)`.

# %%
def mean_over_steps(out, lengths):
    return ...

check("10-masked-mean", mean_over_steps)

# %% [markdown]
# **3.** (No checker — it is yours.) Pick your own file in the picker at the top — a CSV from a
# meter or a sensor, a text you like, clips you recorded — and run the notebook again. Which
# baseline did the RNN beat, and by how much? Would you deploy it?
#
# ## Looking back
#
# You chose data, answered the four questions, split it so the test was truly unseen, looked before
# modelling, shaped (B, T, F) batches and checked the model with `diagnose`, tried the practitioner's
# baseline first, trained the RNN with the dashboard, compared them honestly on held-out data, and
# priced deployment. The default task shows the course's last lesson plainly: whether an RNN wins
# is an empirical question, and a bag of words is a serious opponent for whole-sequence labels.
#
# The last cell records the numbers and checks the run: training completed, every number is finite
# and, for the default data, both models beat the majority class clearly.

# %% [markdown]
# ## Quiz
#
# Five questions on this notebook's ideas. Run the next cell to see them, replace each `...` below
# with your answer — a letter such as `"b"` — and run the answer cell: every answer gets an
# explanation, the wrong ones too. Your results are kept in `results/10_your_own_sequence_task.json`.

# %%
from rnn_course.exercises import check_quiz, quiz

quiz("10")

# %%
quiz_answers = {
    "10-quiz-output-shape":  ...,  # a letter
    "10-quiz-near-majority": ...,  # a letter
    "10-quiz-tie":           ...,  # a letter
    "10-quiz-macro-f1":      ...,  # a letter
    "10-quiz-split":         ...,  # a letter
}
check_quiz(quiz_answers)

# %%
for key, value in numbers.items():
    rnn_course.record(key, value)
problems = quality_problems(plan, summary, numbers)
assert not problems, "; ".join(problems)
print("✓ " + ", ".join(f"{k} {v:.3f}" for k, v in numbers.items() if not k.startswith("cost_")))
