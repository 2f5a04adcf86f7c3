"""Notebook 10, your own sequence task: its exercises, registered in the order the notebook asks them."""

from __future__ import annotations

import torch

from .answers import as_number, call_answer, kind_of
from .core import exercise
from .quizzes import choice


@exercise("10-majority-accuracy", 1, (
    "data.counts shows how many passages each genre has in each split; the majority class is the "
    "commonest training genre, scored on the test passages."
))
def _majority_accuracy(answer):
    # notebook 10's default data: 400 test passages per genre (comedy, history, tragedy);
    # training has 2400 comedy, 3600 history, 1600 tragedy, so "majority" always says history
    got = as_number(answer, "one number between 0 and 1")
    if abs(got - 1 / 3) < 0.005:
        return True, "1/3: the test plays give 400 passages per genre, and 'history' is right for 400 of 1,200."
    if abs(got - 3600 / 7600) < 0.005:
        return False, "that is the share of histories in the training passages; the majority class is scored on the test passages."
    if abs(got - 100 / 3) < 0.5:
        return False, "as a share between 0 and 1, please (not a percentage)."
    return False, "count the test passages per genre with data.counts(): the majority class is right only on its own genre."


@exercise("10-masked-mean", 2, (
    "only each sequence's real steps count, the first length of them: a (B, T) mask of the real steps"
    " (torch.arange against lengths, broadcast) keeps the padding out, and each sum is divided by its"
    " own length, not by T."
))
def _masked_mean(answer):
    gen = torch.Generator().manual_seed(0)
    out = torch.randn(3, 6, 4, generator=gen)  # (B=3, T=6, H=4): the padding holds values, not zeros
    lengths = torch.tensor([6, 2, 4])
    real = (torch.arange(6)[None, :] < lengths[:, None])[..., None]  # (B, T, 1): True on real steps
    truth = (out * real).sum(1) / lengths[:, None]  # (B, H)
    got = call_answer(answer, out, lengths, example="def mean_over_steps(out, lengths): return ...")
    if not torch.is_tensor(got) or tuple(got.shape) != (3, 4):
        return False, f"return a tensor (B, H) = (3, 4); yours is {kind_of(got)}."
    if not got.is_floating_point():
        return False, f"a mean has fractions: return a float tensor; yours is {got.dtype}."
    got = got.detach().to(out.dtype)
    if torch.allclose(got, truth, atol=1e-5):
        return True, "only real steps count: padding cannot move the mean, whatever it holds."
    mistakes = {
        "out.mean(1) averages the padded steps too, so padding changes the prediction; leave them out.": out.mean(1),
        ("that sums the padded steps too: dividing by the length is right only when the padding holds zeros, "
         "and here it holds other values. Leave the padded steps out of the sum."): out.sum(1) / lengths[:, None],
        "you left the padding out of the sum but divided by T, the padded length; divide by each sequence's own length.":
            (out * real).sum(1) / 6,
        "that is the sum over the real steps; divide it by each sequence's length to get the mean.": (out * real).sum(1),
        "that is the last real step of each sequence, not the mean over its real steps.": out[torch.arange(3), lengths - 1],
    }
    for message, value in mistakes.items():
        if torch.allclose(got, value, atol=1e-5):
            return False, message
    return False, ("average each sequence over its real steps only: mask the padded steps out, sum over time (dim 1), "
                   "and divide by each sequence's length.")


# --- the quiz (rnn_course.exercises.quizzes shows and judges it) ------------------------------
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
