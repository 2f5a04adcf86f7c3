"""rnn_course.validate: one wording for the checks every config makes."""

import math
from dataclasses import dataclass

import pytest

from rnn_course.validate import fraction, one_of, whole, whole_numbers


@dataclass
class Config:
    hidden_size: object = 8
    num_layers: object = 1
    dropout: object = 0.1


@pytest.mark.parametrize("bad", [0, -1, 2.0, "8", True, None])
def test_a_size_that_is_not_a_whole_number_is_named_with_what_was_given(bad):
    with pytest.raises(ValueError, match=rf"hidden_size must be a whole number ≥ 1, got {bad!r}"):
        whole_numbers(Config(hidden_size=bad), "hidden_size", "num_layers")


def test_whole_says_why_and_may_allow_none():
    whole("context", None, or_none=True)
    with pytest.raises(ValueError, match=r"kernel_size must be a whole number ≥ 2 \(a kernel of 1 never looks back\), got 1"):
        whole("kernel_size", 1, at_least=2, why="a kernel of 1 never looks back")


@pytest.mark.parametrize("bad", [1, 1.0, -0.1, math.nan, "0.1", False])
def test_a_dropout_rate_outside_zero_to_one_is_refused(bad):
    with pytest.raises(ValueError, match=r"dropout must be in \[0, 1\)"):
        fraction(Config(dropout=bad), "dropout")


def test_one_of_lists_the_choices():
    one_of("cell", "gru", ("rnn", "lstm", "gru"))
    with pytest.raises(ValueError, match="cell must be one of rnn, lstm, gru; got 'lstn'"):
        one_of("cell", "lstn", ("rnn", "lstm", "gru"))
