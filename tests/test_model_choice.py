"""Notebook 08's measuring tools: the copy task, gradient reach, state memory and latency,
quantization, ONNX export, time budgets, and the task-fit widget's logic."""

import pytest
import torch
from torch import nn

from rnn_course.model_choice import (COPY_ALPHABET, DELIMITER, TaskFitWidget, TaskNeeds, copy_accuracy,
                                     copy_memory_batch, file_bytes, fit_families, gradient_reach, onnx_vs_eager,
                                     quantize, state_nbytes, step_latency, train_for)
from rnn_course.models.families import make_lm

V = 10


def test_copy_memory_batch_layout():
    x, y = copy_memory_batch(4, gap=7, generator=torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (4, 27)  # (B, T) with T = gap + 20
    assert torch.equal(y[:, -10:], x[:, :10])  # recall the first ten symbols at the last ten steps
    assert ((x[:, :10] >= 1) & (x[:, :10] <= COPY_ALPHABET)).all()
    assert (x[:, 17] == DELIMITER).all() and (x[:, 10:17] == 0).all() and (x[:, 18:] == 0).all()
    assert (y[:, :-10] == 0).all()
    with pytest.raises(ValueError, match="gap"):
        copy_memory_batch(2, gap=-1)


class _Oracle(nn.Module):
    """Reads the answer off its input: what a perfect memory would output."""

    def __init__(self, cheat: bool):
        super().__init__()
        self.cheat, self.w = cheat, nn.Parameter(torch.zeros(1))

    def forward(self, x, state=None):
        logits = torch.zeros(*x.shape, V)
        if self.cheat:
            logits[:, -10:] = nn.functional.one_hot(x[:, :10], V).float()
        else:
            logits[..., 1] = 1.0  # always says symbol 1
        return logits, None


def test_copy_accuracy_is_one_for_perfect_recall_and_chance_for_a_constant():
    assert copy_accuracy(_Oracle(True), gap=5) == 1.0
    assert abs(copy_accuracy(_Oracle(False), gap=5, batch=2000) - 1 / COPY_ALPHABET) < 0.02


def test_gradient_reach_is_zero_beyond_a_tcns_receptive_field_and_not_for_a_gru():
    torch.manual_seed(0)
    x = torch.randint(0, V, (2, 30))
    tcn = make_lm("tcn", V, hidden_size=8, num_layers=3, kernel_size=2)  # receptive field 8
    reach = gradient_reach(tcn, x)
    assert reach.shape == (30,)
    assert (reach[: 30 - 8] == 0).all() and (reach[30 - 8:] > 0).all()
    gru = make_lm("gru", V, embedding_dim=8, hidden_size=8)
    assert (gradient_reach(gru, x) > 0).all()


def test_state_memory_is_flat_for_recurrent_models_and_grows_for_a_full_context_transformer():
    torch.manual_seed(0)
    gru = make_lm("gru", V, embedding_dim=8, hidden_size=16, num_layers=2)
    assert state_nbytes(gru(torch.zeros(1, 5, dtype=torch.long))[1]) == 2 * 16 * 4  # (L, B, H) float32
    tr = make_lm("transformer", V, hidden_size=16, num_layers=2, heads=2)
    win = make_lm("transformer", V, hidden_size=16, num_layers=2, heads=2, context=8)
    for model, grows in ((gru, False), (tr, True), (win, False)):
        _, small = step_latency(model, 20, steps=2)
        _, large = step_latency(model, 60, steps=2)
        assert (large > small) == grows
    assert step_latency(tr, 60, steps=2)[1] == 2 * 60 * 16 * 4  # L layers × S tokens × d × 4 bytes


def test_quantize_shrinks_the_file_and_leaves_the_original_alone():
    torch.manual_seed(0)
    model = make_lm("lstm", V, embedding_dim=32, hidden_size=128)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    q = quantize(model)
    assert file_bytes(q) < 0.5 * file_bytes(model)  # int8 weights: about a quarter of float32
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    x = torch.randint(0, V, (2, 6))
    with torch.no_grad():
        assert q(x)[0].shape == model(x)[0].shape == (2, 6, V)


@pytest.mark.parametrize("family", ["gru", "lstm"])
def test_onnx_export_matches_eager(tmp_path, family):
    torch.manual_seed(0)
    model = make_lm(family, V, embedding_dim=8, hidden_size=16)
    res = onnx_vs_eager(model, tmp_path / "step.onnx", tokens=20)
    assert res["max_abs_diff"] < 1e-5
    assert res["onnx_us_per_token"] > 0 and res["eager_us_per_token"] > 0


def test_train_for_stops_at_the_budget_and_returns_a_curve():
    torch.manual_seed(0)
    x = torch.randint(0, V, (64, 17))
    model = make_lm("gru", V, embedding_dim=8, hidden_size=16)
    run = train_for(model, (x[:, :-1], x[:, 1:]), (x[:8, :-1], x[:8, 1:]), seconds=0.3, lr=1e-2,
                    batch_size=16, eval_seconds=0.1)
    assert run["seconds"][-1] >= 0.3 and len(run["seconds"]) >= 2
    assert run["seconds"] == sorted(run["seconds"]) and run["tokens"] == sorted(run["tokens"])
    assert run["tokens"][-1] == run["steps"] * 16 * 16


MEASURED = {
    "gru": {"token_us@100": 200.0, "token_us@2000": 210.0, "state_kB@2000": 1.0},
    "tcn": {"token_us@100": 300.0, "token_us@2000": 300.0, "receptive_field": 127, "state_kB@2000": 50.0},
    "transformer": {"token_us@100": 400.0, "token_us@2000": 3000.0, "state_kB@2000": 4000.0},
}
RECALL = {"gru": {20: 0.4, 100: 0.12}, "tcn": {20: 1.0, 100: 0.9}, "transformer": {20: 0.98, 100: 0.6}}
QUALITY = {"gru": 1.7, "tcn": 1.8, "transformer": 2.2}


def fits(rows):
    return {r["family"]: r["fits"] for r in rows}


def test_fit_families_weighs_latency_memory_and_receptive_field():
    short = fit_families(TaskNeeds(10, 1.0, 1_000_000, True), MEASURED, RECALL, QUALITY)
    assert fits(short) == {"gru": True, "tcn": True, "transformer": True}
    long = fit_families(TaskNeeds(1000, 1.0, 1_000_000, True), MEASURED, RECALL, QUALITY)
    assert fits(long) == {"gru": False, "tcn": False, "transformer": False}  # too slow, blind, forgets
    reasons = {r["family"]: " ".join(r["reasons"]) for r in long}
    assert "receptive field is 127" in reasons["tcn"] and "3.00 ms" in reasons["transformer"]
    assert "copy task" in reasons["gru"]
    relaxed = fit_families(TaskNeeds(100, 5.0, 1_000_000, False), MEASURED, RECALL, QUALITY)
    assert fits(relaxed) == {"gru": False, "tcn": True, "transformer": True}
    assert "best validation loss" in " ".join(relaxed[0]["reasons"])


def test_task_widget_shows_a_message_for_bad_input_and_a_table_for_good():
    w = TaskFitWidget(MEASURED, RECALL, QUALITY)
    w.context.value = 0  # observe() calls update()
    assert "context must be" in w.out.value and w.update() is None
    w.context.value = 50
    rows = w.update()
    assert [r["family"] for r in rows] == list(MEASURED) and "rnn-task-fit" in w.out.value
    with pytest.raises(ValueError, match="token_us"):
        fit_families(TaskNeeds(10, 1.0, 10, False), {"gru": {}})
