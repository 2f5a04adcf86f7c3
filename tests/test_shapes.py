"""Tests for rnn_course.shapes: the shape trace and the shape doctor (diagnose).

Sizes are chosen distinct (B=3 or 4, T=5 to 7, F, H, V all different) so that axes can be
told apart by size; tiny models keep every test well under a second.
"""

import re

import pytest
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence

from rnn_course import article as ours
from rnn_course.shapes import Diagnosis, Finding, ShapeError, diagnose, format_findings, trace
from tests import article_original

B, T, F, H, V, C = 3, 5, 4, 8, 11, 2
RNN_TYPES = [nn.RNN, nn.LSTM, nn.GRU]


def _codes(findings):
    return [f.code for f in findings]


# ---------------------------------------------------------------------------------------
# Small models, correct and buggy


class Tagger(nn.Module):
    """RNN + linear head, correct for its layout; head on every step or on the last one."""

    def __init__(self, rnn_type, batch_first, last_step, bidirectional=False, dropout=0.0):
        super().__init__()
        self.batch_first, self.last_step = batch_first, last_step
        self.rnn = rnn_type(F, H, batch_first=batch_first, bidirectional=bidirectional)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(H * (2 if bidirectional else 1), C)

    def forward(self, x):  # (B, T, F) or (T, B, F)
        out, _ = self.rnn(x)  # (B, T, D·H) or (T, B, D·H)
        if self.last_step:
            out = out[:, -1] if self.batch_first else out[-1]  # (B, D·H)
        return self.head(self.drop(out))


class NextToken(nn.Module):
    """Batch-first next-token model: tokens (B, T) → logits (B, T, V)."""

    def __init__(self, bidirectional):
        super().__init__()
        self.embedding = nn.Embedding(V, F)
        self.lstm = nn.LSTM(F, H, batch_first=True, bidirectional=bidirectional)
        self.fc = nn.Linear(H * (2 if bidirectional else 1), V)

    def forward(self, tokens):
        out, _ = self.lstm(self.embedding(tokens))  # (B, T, D·H)
        return self.fc(out)  # (B, T, V)


class ViewInsteadOfTranspose(nn.Module):
    """Batch-first data into a time-first RNN, 'converted' with .view — the classic bug."""

    def __init__(self, use_transpose):
        super().__init__()
        self.use_transpose = use_transpose
        self.proj = nn.Linear(F, H)
        self.rnn = nn.GRU(H, H)  # time-first on purpose
        self.head = nn.Linear(H, C)

    def forward(self, x):  # (B, T, F)
        b, t, _ = x.shape
        h = self.proj(x)  # (B, T, H)
        h = h.transpose(0, 1) if self.use_transpose else h.view(t, b, -1)  # (T, B, H)
        out, _ = self.rnn(h)  # (T, B, H)
        return self.head(out.transpose(0, 1))  # (B, T, C)


class BatchFirstLSTMPredictor(article_original.LSTMPredictor):
    """The article's predictor with batch_first=True: lstm_out[-1] is now the last *sample*."""

    def __init__(self, input_size, hidden_size):
        super().__init__(input_size, hidden_size)
        self.lstm = nn.LSTM(input_size, hidden_size, batch_first=True)


class Seq2Seq(nn.Module):
    """The article's EncoderRNN + DecoderRNN; (src (T_src, B, F), tgt (T_tgt, B, V)) → (T_tgt, B, V)."""

    def __init__(self, buggy=False):
        super().__init__()
        self.buggy = buggy
        self.encoder = ours.EncoderRNN(F, H)
        self.decoder = ours.DecoderRNN(V, H)

    def forward(self, src, tgt):
        enc_out, hidden = self.encoder(src)  # (T_src, B, H), (1, B, H)
        if self.buggy:  # "make it batch-first" with .view, then take the last step
            t, b, h = enc_out.shape
            hidden = enc_out.view(b, t, h)[:, -1].unsqueeze(0)  # (1, B, H), samples scrambled
        logits, _ = self.decoder(tgt, hidden)  # (T_tgt, B, V)
        return logits


# ---------------------------------------------------------------------------------------
# diagnose: correct models get no findings


@pytest.mark.parametrize("rnn_type", RNN_TYPES)
@pytest.mark.parametrize("last_step", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_correct_models_have_no_findings(rnn_type, batch_first, last_step):
    torch.manual_seed(0)
    model = Tagger(rnn_type, batch_first, last_step)
    x = torch.randn(B, T, F) if batch_first else torch.randn(T, B, F)
    findings = diagnose(model, x, layout="BTF" if batch_first else "TBF", causal=not last_step)
    assert findings == []
    assert str(findings) == "✓ no layout problems found"


# ---------------------------------------------------------------------------------------
# diagnose: the bugs it must catch


@pytest.mark.parametrize("last_step", [False, True])
def test_batch_first_tensor_into_time_first_lstm_is_batch_mixing(last_step):
    torch.manual_seed(0)
    model = Tagger(nn.LSTM, batch_first=False, last_step=last_step)
    findings = diagnose(model, torch.randn(B, T, F), layout="BTF")
    assert "batch-mixing" in _codes(findings)
    mixing = next(f for f in findings if f.code == "batch-mixing")
    assert "batch_first" in mixing.message  # says what to change


def test_all_steps_mixing_is_located_in_the_rnn_with_the_fix():
    torch.manual_seed(0)
    findings = diagnose(Tagger(nn.LSTM, False, False), torch.randn(B, T, F), layout="BTF")
    mixing = next(f for f in findings if f.code == "batch-mixing")
    assert mixing.module == "rnn"
    assert "batch_first=True" in mixing.message and "transpose(0, 1)" in mixing.message


def test_article_lstm_predictor_with_batch_first_is_batch_mixing():
    torch.manual_seed(0)
    model = BatchFirstLSTMPredictor(F, H)
    x = torch.randn(B, T, F)
    assert tuple(model(x).shape) == (T, 1)  # no batch axis left: lstm_out[-1] is one sample
    findings = diagnose(model, x, layout="BTF")
    assert _codes(findings) == ["batch-mixing"]  # its LSTM does match the layout
    assert "out[:, -1]" in findings[0].message
    assert findings[0].module == "fc"  # the input of fc is where the batch axis is gone


def test_article_lstm_predictor_time_first_is_fine():
    torch.manual_seed(0)
    assert diagnose(ours.LSTMPredictor(F, H), torch.randn(T, B, F), layout="TBF") == []


def test_bidirectional_next_token_model_leaks_the_future():
    torch.manual_seed(0)
    tokens = torch.randint(0, V, (B, T))
    leaky = diagnose(NextToken(bidirectional=True), tokens, layout="BTF", causal=True)
    assert _codes(leaky) == ["future-leak"]
    assert leaky[0].module == "lstm" and "bidirectional=False" in leaky[0].message
    assert diagnose(NextToken(bidirectional=False), tokens, layout="BTF", causal=True) == []


def test_future_leak_is_only_checked_when_causal():
    torch.manual_seed(0)
    tokens = torch.randint(0, V, (B, T))
    assert diagnose(NextToken(bidirectional=True), tokens, layout="BTF") == []


def test_view_instead_of_transpose_is_batch_mixing():
    torch.manual_seed(0)
    x = torch.randn(B, T, F)
    buggy = diagnose(ViewInsteadOfTranspose(use_transpose=False), x, layout="BTF")
    assert "batch-mixing" in _codes(buggy)
    mixing = next(f for f in buggy if f.code == "batch-mixing")
    assert mixing.module == "rnn" and ".view" in mixing.message  # mixed before the RNN
    # the same model with .transpose is correct: only the (deliberate) time-first RNN is reported
    fixed = diagnose(ViewInsteadOfTranspose(use_transpose=True), x, layout="BTF")
    assert _codes(fixed) == ["layout-mismatch"]


def test_layout_mismatch_names_the_module_and_its_batch_first():
    torch.manual_seed(0)
    findings = diagnose(ViewInsteadOfTranspose(use_transpose=True), torch.randn(B, T, F),
                        layout="BTF")
    (finding,) = findings
    assert finding.code == "layout-mismatch" and finding.module == "rnn"
    assert "batch_first=False" in finding.message and "BTF" in finding.message


def test_layout_mismatch_for_time_first_rnn_declared_batch_first():
    torch.manual_seed(0)
    model = Tagger(nn.RNN, batch_first=False, last_step=False)
    assert "layout-mismatch" in _codes(diagnose(model, torch.randn(B, T, F), layout="BTF"))
    assert "layout-mismatch" not in _codes(diagnose(model, torch.randn(T, B, F), layout="TBF"))


def test_dropout_in_train_mode_gives_no_false_finding_and_modes_are_restored():
    torch.manual_seed(0)
    model = Tagger(nn.GRU, batch_first=True, last_step=False, dropout=0.5).train()
    model.rnn.eval()  # a submodule in its own mode must get it back too
    x = torch.randn(B, T, F)
    rng_before = torch.get_rng_state()
    assert diagnose(model, x, layout="BTF", causal=True) == []
    assert model.training and model.drop.training and not model.rnn.training
    assert torch.equal(torch.get_rng_state(), rng_before)


def test_modes_are_restored_when_the_forward_fails():
    model = nn.Sequential(nn.Linear(F, H), nn.Linear(H + 1, C)).train()
    with pytest.raises(RuntimeError):
        diagnose(model, torch.randn(B, T, F), layout="BTF")
    assert all(m.training for m in model.modules())
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_encoder_decoder_with_two_inputs():
    torch.manual_seed(0)
    src, tgt = torch.randn(T, B, F), torch.randn(T + 1, B, V)
    assert diagnose(Seq2Seq(), (src, tgt), layout="TBF") == []
    findings = diagnose(Seq2Seq(buggy=True), (src, tgt), layout="TBF")
    assert _codes(findings) == ["batch-mixing"]
    assert findings[0].module == "decoder"  # its hidden input is already scrambled


def test_decoder_hidden_state_batch_axis_is_dim_1_in_batch_first_layout():
    """h_0: (L·D, B, H) keeps B on dim 1 even when the data is (B, T, F)."""

    class BatchFirstDecoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.GRU(V, H, batch_first=True)
            self.fc = nn.Linear(H, V)

        def forward(self, x, hidden):  # (B, T, V), (1, B, H)
            out, hidden = self.rnn(x, hidden)
            return self.fc(out), hidden

    torch.manual_seed(0)
    x, h0 = torch.randn(B, T, V), torch.randn(1, B, H)
    assert diagnose(BatchFirstDecoder(), (x, h0), layout="BTF") == []
    # forcing the wrong axis for h_0 (dim 0, size 1) moves every sample: proof it matters
    wrong = diagnose(BatchFirstDecoder(), (x, h0), layout="BTF", batch_dims=(0, 0))
    assert "batch-mixing" in _codes(wrong)


def test_bad_arguments_raise_clear_value_errors():
    model = Tagger(nn.RNN, batch_first=True, last_step=False)
    with pytest.raises(ValueError, match="BTF"):
        diagnose(model, torch.randn(B, T, F), layout="BFT")
    with pytest.raises(ValueError, match="at least 2"):
        diagnose(model, torch.randn(1, T, F), layout="BTF")
    with pytest.raises(ValueError, match="B == T"):
        diagnose(model, torch.randn(T, T, F), layout="BTF")
    with pytest.raises(ValueError, match="2 time steps"):
        diagnose(model, torch.randn(B, 1, F), layout="BTF", causal=True)


def test_findings_print_as_a_readable_list():
    findings = Diagnosis([Finding("batch-mixing", "samples mix", module="rnn")])
    text = str(findings)
    assert text.startswith("✗ 1 layout problem found")
    assert "[batch-mixing] in 'rnn': samples mix" in text
    assert "batch-mixing" in findings._repr_html_()
    assert format_findings([]) == "✓ no layout problems found"
    assert "✓" in Diagnosis()._repr_html_()


# ---------------------------------------------------------------------------------------
# trace


def test_trace_of_seed_language_model_names_axes():
    torch.manual_seed(0)
    model = ours.RNNLanguageModel(V, F, H)
    t = trace(model, torch.randint(0, V, (T, B)))
    assert [r.name for r in t.rows] == ["(model)", "embedding", "rnn", "fc"]  # call order
    rnn = t.row("rnn")
    assert rnn.batch_first is False
    assert rnn.get("input").axes == ("T", "B", "F")
    assert rnn.get("output").axes == ("T", "B", "D·H")
    h_n = rnn.get("h_n")
    assert h_n.axes == ("L·D", "B", "H") and h_n.shape == (1, B, H)
    assert t.row("embedding").get("output").axes == ("T", "B", "E")
    assert t.row("fc").get("output").axes == ("T", "B", "V")
    assert f"h_n (L·D, B, H) = (1, {B}, {H})" in str(t)


@pytest.mark.parametrize("make, x", [
    (lambda: ours.LSTMPredictor(F, H), torch.randn(T, B, F)),
    (lambda: ours.SpeechRecognitionRNN(F, H, C), torch.randn(T, B, F)),
    (lambda: ours.EncoderRNN(F, H), torch.randn(T, B, F)),
])
def test_trace_of_seed_models_is_time_first_and_deterministic(make, x):
    torch.manual_seed(0)
    first = str(trace(make(), x))
    torch.manual_seed(1)  # other weights, same shapes: the same text
    second = str(trace(make(), x))
    assert first == second
    assert "h_n (L·D, B, H)" in first and "False" in first
    assert not re.search(r"0x[0-9a-f]+", first)  # no memory addresses
    rnn_rows = [r for r in trace(make(), x).rows if r.batch_first is not None]
    assert rnn_rows and all(r.batch_first is False for r in rnn_rows)


def test_trace_of_lstm_shows_c_n_and_bidirectional_sizes():
    lstm = nn.LSTM(F, H, num_layers=2, bidirectional=True, batch_first=True)
    t = trace(lstm, torch.randn(B, T, F))
    row = t.rows[0]
    assert row.batch_first is True
    assert row.get("output").axes == ("B", "T", "D·H") and row.get("output").shape == (B, T, 2 * H)
    assert row.get("h_n").shape == (4, B, H) and row.get("c_n").axes == ("L·D", "B", "H")
    assert f"h_n (L·D, B, H) = (4, {B}, {H})" in str(t)


def test_trace_shows_packed_sequences():
    packed = pack_padded_sequence(torch.randn(T, B, F), lengths=[5, 3, 2])
    text = str(trace(nn.GRU(F, H), packed))
    assert "PackedSequence(data=(ΣT, F) = (10, 4), batch_sizes=[3, 3, 2, 1, 1])" in text
    assert "PackedSequence(data=(ΣT, D·H) = (10, 8)" in text


def test_trace_never_guesses_letters_when_sizes_coincide():
    model = ours.RNNLanguageModel(V, F, H)
    t = trace(model, torch.randint(0, V, (B, B)))  # T == B: which axis is which?
    assert t.row("embedding").get("input").axes is None  # plain numbers
    assert t.row("rnn").get("input").axes == ("T", "B", "F")  # the RNN itself is certain
    # V == E: the logits' last axis could be either letter, so it stays a number
    same = trace(ours.RNNLanguageModel(F, F, H), torch.randint(0, F, (T, B)))
    assert same.row("embedding").get("output").axes == ("T", "B", "E")  # certain: Embedding
    assert same.row("fc").get("output").axes == ("T", "B", None)
    assert f"output (T, B, {F}) = ({T}, {B}, {F})" in str(same)


def test_trace_html_is_a_table():
    t = trace(ours.LSTMPredictor(F, H), torch.randn(T, B, F))
    page = t._repr_html_()
    assert page.startswith("<table") and "h_n (L·D, B, H)" in page and "c_n" in page


class WrongHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(F, H)
        self.fc = nn.Linear(2 * H, C)  # expects 2H, gets H

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out)


def test_shape_error_names_failing_module_and_earlier_rows():
    model = WrongHead()
    with pytest.raises(ShapeError) as caught:
        trace(model, torch.randn(T, B, F))
    err = caught.value
    assert isinstance(err, RuntimeError) and err.module == "fc"
    text = str(err)
    assert "'fc' (Linear)" in text
    assert f"input (T, B, H) = ({T}, {B}, {H})" in text  # what fc was called with
    assert "h_n (L·D, B, H)" in text  # the rnn row traced before it
    assert "mat1 and mat2" in text  # PyTorch's own message
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_trace_can_return_the_partial_trace():
    model = WrongHead()
    t = trace(model, torch.randn(T, B, F), raise_on_error=False)
    assert t.failed_module == "fc" and "mat1 and mat2" in t.error
    assert [r.name for r in t.rows] == ["(model)", "rnn", "fc"]
    assert t.rows[-1].error is not None and t.rows[1].error is None
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_shape_error_in_models_own_forward_code():
    class BadView(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.GRU(F, H)

        def forward(self, x):
            out, _ = self.rnn(x)
            return out.view(-1, 7)  # T·B·H is not a multiple of 7

    with pytest.raises(ShapeError) as caught:
        trace(BadView(), torch.randn(T, B, F))
    assert caught.value.module == "(model)"
    assert "after 'rnn' returned" in str(caught.value)
