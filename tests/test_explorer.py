"""The shape explorer reports what real nn modules produce, and refuses absurd sizes clearly."""

import pytest
import torch
from torch import nn

from rnn_course.shapes import LIMITS, ShapeExplorer, rnn_shapes, unrolled_svg


@pytest.mark.parametrize("cell", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("layers, bidirectional", [(1, False), (2, True)])
def test_shapes_match_the_documented_layouts(cell, batch_first, layers, bidirectional):
    B, T, F, H = 3, 7, 2, 5
    D = 2 if bidirectional else 1
    rows = {name: (letters, tuple(shape)) for name, letters, shape in
            rnn_shapes(cell, B, T, F, H, layers, bidirectional, batch_first)}
    lead = (B, T) if batch_first else (T, B)
    assert rows["input x"][1] == lead + (F,)
    assert rows["output"][1] == lead + (D * H,)
    assert rows["h_n"] == ("(L·D, B, H)", (layers * D, B, H))  # never batch-first
    assert ("c_n" in rows) == (cell == "LSTM")


@pytest.mark.parametrize("bad", [dict(hidden=0), dict(batch=LIMITS["batch"] + 1), dict(cell="transformer"),
                                 dict(steps=2.5)])
def test_absurd_settings_get_a_clear_error(bad):
    with pytest.raises(ValueError, match="must be"):
        rnn_shapes(**bad)


def test_widget_updates_and_shows_errors_instead_of_raising():
    ex = ShapeExplorer()
    ex.controls["cell"].value = "GRU"
    ex.controls["layers"].value = 3
    assert "(3, 4, 5)" in ex.table.value and "c_n" not in ex.table.value
    ex.controls["hidden"].max = 10**6  # a learner can't type past the box's max; force it
    ex.controls["hidden"].value = 10**6
    assert "must be a whole number" in ex.table.value


def test_drawing_has_one_box_per_layer_and_shown_step():
    svg = unrolled_svg(steps=4, layers=2)
    assert svg.count("<rect") == 8
    assert unrolled_svg(steps=100, layers=1).count("<rect") == 6  # long sequences are elided
