"""Notebook 02, language modeling: its exercises, registered in the order the notebook asks them."""

from __future__ import annotations

import math

from ..language.data import Vocab, shakespeare, words
from .answers import as_number, as_shape
from .core import exercise


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
