"""Notebook 02, language modeling: its exercises, registered in the order the notebook asks them."""

from __future__ import annotations

import math

from ..language.data import Vocab, shakespeare, words
from .answers import as_number, as_shape
from .core import exercise
from .quizzes import choice


PPL_PROBS = (0.5, 0.25, 0.125, 0.5)  # the probabilities exercise 02-perplexity gives


@exercise("02-perplexity", 1, (
    "perplexity is the exponential of the mean negative log-probability; math.log and math.exp will "
    "do."
))
def _perplexity(answer):
    value = as_number(answer, "one number")
    nll = [-math.log(p) for p in PPL_PROBS]
    truth = math.exp(sum(nll) / len(nll))  # = 2 ** 1.75 ≈ 3.364
    if math.isclose(value, truth, rel_tol=1e-3):
        return True, f"exp(mean(−log p)) = {truth:.3f}: as uncertain as a fair choice among {truth:.1f} words."
    if math.isclose(value, sum(nll) / len(nll), rel_tol=1e-3):
        return False, "that is the mean negative log-likelihood (the loss); perplexity is exp of it."
    if math.isclose(value, 1 / (sum(PPL_PROBS) / len(PPL_PROBS)), rel_tol=1e-3):
        return False, "that is 1 / (mean probability); perplexity averages log-probabilities, then exponentiates."
    return False, "perplexity = exp(mean over tokens of −log p(token))."


@exercise("02-logits-shape", 2, (
    "RecurrentLM is batch-first, and predicts a distribution over V words at every step."
))
def _logits_shape(answer):
    got = as_shape(answer)
    if got == (16, 20, 10_000):
        return True, "(B, T, V): one score per vocabulary word at every position of every window."
    if got == (20, 16, 10_000):
        return False, "that is time-first (T, B, V), the article's layout; RecurrentLM is batch-first."
    if got == (16, 10_000):
        return False, "a language model predicts at every step, not only the last: keep the T axis."
    return False, "the logits have three axes: batch, time, vocabulary."


@exercise("02-unk-share", 3, (
    "build a 5,000-word Vocab from the training words (Vocab.build); its coverage method says which "
    "share of the test words it knows."
))
def _unk_share(answer):
    value = as_number(answer, "a share between 0 and 1, such as 0.05")
    if value > 1:
        return False, "give a share between 0 and 1, not a percentage or a count."
    vocab = Vocab.build(words(shakespeare("train")), max_size=5_000)
    truth = 1 - vocab.coverage(words(shakespeare("test")))
    if math.isclose(value, truth, abs_tol=5e-4):
        return True, f"{truth:.1%} of test tokens become <unk> with 5,000 words (it is lower with 10,000)."
    if math.isclose(value, 1 - truth, abs_tol=5e-4):
        return False, "that is the share the vocabulary knows; the question asks for the <unk> share, the rest."
    return False, "build the vocabulary from the training words only (5,000 of them), then measure the test words it misses."


# --- the quiz (rnn_course.exercises.quizzes shows and judges it) ------------------------------
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
