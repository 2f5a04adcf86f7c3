"""Fixtures shared by several test modules."""

import pytest
import torch

from rnn_course.language.data import CharVocab, Vocab
from rnn_course.language.model import LMConfig, RecurrentLM


@pytest.fixture(autouse=True)
def _results_out_of_the_project(monkeypatch, tmp_path_factory):
    """What the checkers and record() write during tests goes to a temporary folder, never into the
    project's results/ (which the room board reads as a learner's own progress)."""
    monkeypatch.setenv("RNN_COURSE_RESULTS", str(tmp_path_factory.mktemp("results")))


@pytest.fixture(scope="module")
def word_model():
    """A tiny untrained word LM and its 8-word vocabulary: (model, vocab)."""
    torch.manual_seed(0)
    vocab = Vocab(["<unk>", "the", "cat", "sat", "on", "mat", ".", ","])
    return RecurrentLM(LMConfig(vocab_size=len(vocab), embedding_dim=8, hidden_size=8)).eval(), vocab


@pytest.fixture(scope="module")
def char_model():
    """A tiny untrained character GRU LM and its vocabulary: (model, vocab)."""
    torch.manual_seed(0)
    vocab = CharVocab.build("ROMEO:\nO, she doth teach the torches to burn bright!")
    return RecurrentLM(LMConfig(vocab_size=len(vocab), embedding_dim=8, hidden_size=12, cell="gru")).eval(), vocab
