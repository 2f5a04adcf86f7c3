"""Notebook 08's model families: causal, shape-documented, stateful generation that matches
re-reading, minGRU's two paths agree, bad options refused at construction."""

import pytest
import torch
from torch import nn

from rnn_course.families.model import FAMILIES, family_of, make_lm
from rnn_course.language.model import generate, generate_by_rereading, lm_loss
from rnn_course.families.mingru import MinGRU, MinGRULM
from rnn_course.families.tcn import TCNLM
from rnn_course.families.transformer import CausalTransformerLM
from rnn_course.shapes import diagnose

V = 11
SMALL = {
    "rnn": dict(embedding_dim=8, hidden_size=16),
    "lstm": dict(embedding_dim=8, hidden_size=16, num_layers=2),
    "gru": dict(embedding_dim=8, hidden_size=16),
    "mingru": dict(hidden_size=16, num_layers=2),
    "tcn": dict(hidden_size=16, num_layers=3, kernel_size=2),
    "transformer": dict(hidden_size=16, num_layers=2, heads=2),
    "transformer-window": dict(hidden_size=16, num_layers=2, heads=2, context=3),
}


def small(name):
    torch.manual_seed(0)
    return make_lm(name.split("-")[0], V, **SMALL[name]).eval()


def ids(B, T, seed=0):
    return torch.randint(0, V, (B, T), generator=torch.Generator().manual_seed(seed))


def test_every_family_is_covered():
    assert {n.split("-")[0] for n in SMALL} == set(FAMILIES)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_shapes_are_as_documented(name):
    model = small(name)
    logits, state = model(ids(3, 7))
    assert logits.shape == (3, 7, V)  # (B, T, V)
    if name in ("rnn", "gru", "mingru"):
        assert state.shape == (model.config.num_layers, 3, 16)  # (L, B, H)
    elif name == "lstm":
        assert [s.shape for s in state] == [(2, 3, 16)] * 2  # (h_n, c_n): (L, B, H) each
    elif name == "tcn":  # per layer (B, C, (k − 1)·d) with d = 1, 2, 4
        assert [tuple(s.shape) for s in state] == [(3, 16, 1), (3, 16, 2), (3, 16, 4)]
    elif name == "transformer":  # KV cache (B, S, d): every token so far
        assert [tuple(s.shape) for s in state] == [(3, 7, 16)] * 2
    else:  # a window of 3 keeps the 2 tokens a new query may see besides itself
        assert [tuple(s.shape) for s in state] == [(3, 2, 16)] * 2
    assert family_of(model) == name.split("-")[0]


@pytest.mark.parametrize("name", sorted(SMALL))
def test_every_family_is_causal(name):
    assert [f.code for f in diagnose(small(name), ids(3, 9), causal=True)] == []


@pytest.mark.parametrize("name", sorted(SMALL))
def test_carrying_the_state_equals_one_pass_over_the_whole_sequence(name):
    model, x = small(name), ids(2, 12)
    with torch.no_grad():
        whole, _ = model(x)
        a, s = model(x[:, :5])
        b, s = model(x[:, 5:6], s)  # one token
        c, _ = model(x[:, 6:], s)  # the rest
    torch.testing.assert_close(torch.cat([a, b, c], 1), whole, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_generate_steps_every_family_like_rereading(name):
    model = small(name)
    prompt = ids(1, 4)[0]
    assert generate(model, prompt, 12, seed=3) == generate_by_rereading(model, prompt, 12, seed=3)


class _PeekingTCN(TCNLM):
    """Deliberately wrong: pads half on the right, so each output reads future inputs."""

    def forward(self, x, state=None):
        h = self.embedding(x).transpose(1, 2)  # (B, C, T)
        for block in self.blocks:
            left = block.pad // 2
            xp = nn.functional.pad(h, (left, block.pad - left))
            a, b = block.conv(xp).chunk(2, dim=1)
            h = h + block.out(torch.tanh(a) * torch.sigmoid(b))
        return self.head(self.norm(h.transpose(1, 2))), None


class _UnmaskedTransformer(CausalTransformerLM):
    """Deliberately wrong: ALiBi bias without the causal −inf."""

    def attention_mask(self, T, S, B):
        d = (torch.arange(S - T, S)[:, None] - torch.arange(S)[None, :]).abs().float()
        bias = -self.slopes[:, None, None] * d
        return bias.unsqueeze(0).expand(B, -1, -1, -1).reshape(B * self.config.heads, T, S)


class _ReversedMinGRU(MinGRULM):
    """Deliberately wrong: runs the recurrence right to left."""

    def forward(self, x, state=None, scan=None):
        logits, state = super().forward(x.flip(1), state, scan)
        return logits.flip(1), state


@pytest.mark.parametrize("cls,config", [
    (_PeekingTCN, SMALL["tcn"]), (_UnmaskedTransformer, SMALL["transformer"]), (_ReversedMinGRU, SMALL["mingru"]),
])
def test_a_non_causal_variant_is_caught(cls, config):
    torch.manual_seed(0)
    model = cls(**{"vocab_size": V, **config}).eval()
    assert "future-leak" in [f.code for f in diagnose(model, ids(3, 9), causal=True)]


def test_mingru_parallel_scan_equals_sequential_steps():
    torch.manual_seed(0)
    layer = MinGRU(6, 8)
    x = torch.randn(3, 50, 6)  # (B, T, F)
    h0 = torch.rand(3, 8) + 0.1  # (B, H); states are positive
    for start in (None, h0):
        out_p, last_p = layer(x, start, scan="parallel")
        out_s, last_s = layer(x, start, scan="sequential")
        assert out_p.shape == (3, 50, 8) and last_p.shape == (3, 8)
        torch.testing.assert_close(out_p, out_s, atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(last_p, out_p[:, -1])


def test_mingru_lm_paths_agree_and_gradients_match():
    model = small("mingru")
    x = ids(2, 40)
    p, hp = model(x, scan="parallel")
    s, hs = model(x, scan="sequential")
    torch.testing.assert_close(p, s, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(hp, hs, atol=1e-5, rtol=1e-5)
    gp = torch.autograd.grad(p.square().mean(), model.embedding.weight)[0]
    gs = torch.autograd.grad(model(x, scan="sequential")[0].square().mean(), model.embedding.weight)[0]
    torch.testing.assert_close(gp, gs, atol=1e-5, rtol=1e-4)


def test_tcn_receptive_field_is_where_it_goes_blind():
    model = small("tcn")  # k = 2, dilations 1, 2, 4: 1 + 1·7 = 8
    assert model.receptive_field == 8
    x = ids(1, 20)
    y = x.clone()
    y[0, 19 - 8] = (y[0, 19 - 8] + 1) % V  # just outside the field of the last output
    with torch.no_grad():
        assert torch.equal(model(x)[0][0, -1], model(y)[0][0, -1])
        y[0, 19 - 7] = (y[0, 19 - 7] + 1) % V  # just inside
        assert not torch.equal(model(x)[0][0, -1], model(y)[0][0, -1])


def test_transformer_window_limits_what_a_token_sees_and_runs_past_training_length():
    model = small("transformer-window")  # context 3 per layer, 2 layers: reach 1 + 2·(3 − 1) = 5
    x = ids(1, 12)
    for back, moves in ((5, False), (4, True)):
        y = x.clone()
        y[0, 11 - back] = (y[0, 11 - back] + 1) % V
        with torch.no_grad():
            assert torch.equal(model(x)[0][0, 11], model(y)[0][0, 11]) != moves, back
    with torch.no_grad():
        long_logits, _ = small("transformer")(ids(1, 600))  # ALiBi: no table of positions to run out of
    assert torch.isfinite(long_logits).all()


def test_every_family_trains_with_the_course_loss():
    for name in ("mingru", "tcn", "transformer"):
        model = small(name).train()
        x = ids(8, 16)
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        first = float(lm_loss(model, (x[:, :-1], x[:, 1:])).detach())
        for _ in range(30):
            loss = lm_loss(model, (x[:, :-1], x[:, 1:]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        assert float(loss.detach()) < 0.7 * first, name  # memorising 8 short sequences must be easy


@pytest.mark.parametrize("family,options,words", [
    ("cnn", {}, "lstm, gru, mingru, tcn, transformer"),
    ("tcn", {"heads": 4}, "its options are"),
    ("tcn", {"kernel_size": 1}, "kernel_size"),
    ("transformer", {"hidden_size": 30, "heads": 4}, "heads must divide"),
    ("transformer", {"context": 0}, "context"),
    ("mingru", {"scan": "fast"}, "parallel, sequential"),
    ("gru", {"cell": "lstm"}, "its options are"),
])
def test_bad_options_fail_at_construction_naming_the_choices(family, options, words):
    with pytest.raises(ValueError, match=words):
        make_lm(family, V, **options)


def test_tcn_block_matches_torchs_dilated_convolution():
    from rnn_course.families.tcn import CausalConvBlock

    torch.manual_seed(0)
    block = CausalConvBlock(5, kernel_size=3, dilation=4)
    x = torch.randn(2, 5, 11)  # (B, C, T)
    xp = nn.functional.pad(x, (block.pad, 0))  # zeros before t = 0
    a, b = block.conv(xp).chunk(2, dim=1)
    expected = x + block.out(torch.tanh(a) * torch.sigmoid(b))
    torch.testing.assert_close(block(x)[0], expected, atol=1e-5, rtol=1e-5)
