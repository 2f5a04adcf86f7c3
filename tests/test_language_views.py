"""Next-word predictions, sampling and hidden-state views: right answers and clear messages."""

import json
import math

import pytest
import torch

from rnn_course import save_checkpoint
from rnn_course.language.views import (HiddenStateViewer, NextWordWidget, SamplingWidget, float_state, hidden_state_html,
                                 int8_state, load_pretrained, next_words, readable_features, sample_text, save_int8,
                                 unit_correlations)
from rnn_course.language.model import LMConfig, RecurrentLM, lm_loss
from rnn_course.paths import data_dir
from rnn_course.language.data import Vocab


def test_next_words_are_the_models_top_k(word_model):
    model, vocab = word_model
    result = next_words(model, vocab, "the cat sat on the", k=3)
    logits, _ = model(vocab.encode("the cat sat on the".split()).view(1, -1))
    probs = torch.softmax(logits[0, -1], -1)
    assert result.words == vocab.decode(torch.topk(probs, 3).indices)
    assert math.isclose(result.probs[0], probs.max().item(), rel_tol=1e-6)
    assert result.probs == sorted(result.probs, reverse=True)


@pytest.mark.parametrize("prefix, message", [("", "empty"), ("   ", "empty"), ("?!", "punctuation alone"),
                                             ("zebra unicorn", "none of these words")])
def test_next_words_explains_unusable_input(word_model, prefix, message):
    model, vocab = word_model
    with pytest.raises(ValueError, match=message):
        next_words(model, vocab, prefix)


def test_unknown_words_are_read_as_unk_and_named(word_model):
    model, vocab = word_model
    result = next_words(model, vocab, "the zebra sat", k=2)
    assert any("zebra" in n for n in result.notes)


def test_next_word_widget_shows_messages_instead_of_raising(word_model):
    widget = NextWordWidget(*word_model)
    widget.text.value = ""
    assert "empty" in widget.message.value
    widget.text.value = "the cat"
    assert widget.update() is not None and widget.message.value == ""


def test_next_word_bars_are_a_picture_for_every_prefix_and_k(word_model):
    """Found in a browser: on a fresh kernel the widget showed "<Figure size 400x272 with 1 Axes>"."""
    widget = NextWordWidget(*word_model)
    for prefix, k in [("the cat sat on the", 10), ("the mat", 3), ("cat", 1)]:
        widget.text.value, widget.k.value = prefix, k
        assert widget.chart.value.startswith("<img src='data:image/png;base64,")
    widget.text.value = ""
    assert widget.chart.value == ""  # a message instead, no stale bars


def test_sampling_continues_the_prompt_and_checks_settings(char_model):
    model, vocab = char_model
    text = sample_text(model, vocab, "ROMEO:", 50, temperature=0.8, top_k=5, seed=1)
    assert text.startswith("ROMEO:") and len(text) == 56
    assert text == sample_text(model, vocab, "ROMEO:", 50, temperature=0.8, top_k=5, seed=1)
    for kw, word in [(dict(temperature=0), "temperature"), (dict(top_k=0), "top_k"),
                     (dict(top_k=len(vocab) + 1), "top_k")]:
        with pytest.raises(ValueError, match=word):
            sample_text(model, vocab, "ROMEO:", 10, **kw)
    with pytest.raises(ValueError, match="'Z'"):
        sample_text(model, vocab, "ZZZ", 10)
    with pytest.raises(ValueError, match="empty"):
        sample_text(model, vocab, "", 10)


def test_greedy_decoding_is_deterministic_whatever_the_seed(char_model):
    model, vocab = char_model
    a = sample_text(model, vocab, "O", 30, strategy="greedy", seed=1)
    assert a == sample_text(model, vocab, "O", 30, strategy="greedy", seed=2)


def test_sampling_widget_reports_bad_settings(char_model):
    w = SamplingWidget(*char_model, prompt="O", length=20)
    w.temperature.value = -1
    assert w.update() is None and "temperature" in w.result.value
    w.temperature.value = 1.0
    assert w.update().startswith("O")


def test_hidden_state_view_colours_every_character(char_model):
    model, vocab = char_model
    viewer = HiddenStateViewer(model, vocab, "O, she doth", unit=3)
    assert viewer.view.value.count("<span") == len("O, she doth")
    with pytest.raises(ValueError, match="unit"):
        hidden_state_html("ab", torch.zeros(2, 4), 4)


def test_readable_features_and_correlations():
    text = "ROMEO:\nO she\n"
    f = readable_features(text)
    assert f["position in line"].tolist()[:8] == [0, 1, 2, 3, 4, 5, 6, 0]
    assert f["in speaker name"].tolist()[:7] == [1.0] * 7 and f["in speaker name"][8] == 0
    acts = torch.stack([f["position in line"], -f["position in line"], torch.ones(len(text))], dim=1)
    r = unit_correlations(acts, f["position in line"])
    assert math.isclose(r[0].item(), 1.0, rel_tol=1e-6) and math.isclose(r[1].item(), -1.0, rel_tol=1e-6)


def test_load_pretrained_rebuilds_model_and_vocab(tmp_path, char_model):
    model, vocab = char_model
    path = tmp_path / "char_lm.pt"
    save_checkpoint(path, model, meta={"config": model.describe(), "itos": vocab.itos})
    loaded, meta = load_pretrained("char", path)
    assert loaded.vocab.itos == vocab.itos  # the vocabulary travels with the model
    x = vocab.encode("ROMEO").view(1, -1)
    assert torch.equal(loaded(x)[0], model(x)[0])
    with pytest.raises(ValueError, match="word' or 'char"):
        load_pretrained("pixel")


def test_int8_storage_keeps_tied_weights_once_and_loads_as_float32(tmp_path):
    torch.manual_seed(0)
    vocab = Vocab(["<unk>"] + [f"w{i}" for i in range(299)])
    model = RecurrentLM(LMConfig(vocab_size=300, embedding_dim=64, hidden_size=64, num_layers=2, tie_weights=True))
    stored = int8_state(model)
    assert stored["aliases"] == {"head.weight": "embedding.weight"} and "head.weight" not in stored["tensors"]
    assert stored["tensors"]["embedding.weight"].dtype == torch.int8
    path = tmp_path / "word_lm.pt"
    save_int8(path, model, meta={"config": model.describe(), "itos": vocab.itos})
    loaded, _ = load_pretrained("word", path)
    assert loaded.vocab.itos == vocab.itos  # the vocabulary travels with the model
    assert loaded.head.weight is loaded.embedding.weight and loaded.embedding.weight.dtype == torch.float32
    for name, p in model.state_dict().items():  # each weight within half a quantisation step of the original
        step = p.abs().amax(dim=1, keepdim=True) / 127 if p.dim() == 2 else p.abs().max() / 1000
        assert ((loaded.state_dict()[name] - p).abs() <= step / 2 + 1e-6).all(), name
    assert path.stat().st_size < 0.4 * 4 * model.num_parameters()  # a float32 file would be ≥ 4 bytes a weight


def test_per_row_scales_keep_small_rows_that_one_scale_would_zero():
    weight = torch.cat([torch.full((1, 8), 100.0), torch.full((3, 8), 0.3)])  # (4, 8): one loud row
    layer = torch.nn.Linear(8, 4)
    with torch.no_grad():
        layer.weight.copy_(weight)
    back = float_state(int8_state(layer))["weight"]
    assert torch.allclose(back, weight, rtol=1e-2)  # one scale for the matrix (100/127) would round 0.3 to 0


def test_int8_storage_changes_a_trained_models_loss_by_under_0_002_nats():
    torch.manual_seed(0)
    model = RecurrentLM(LMConfig(vocab_size=40, embedding_dim=32, hidden_size=32, dropout=0.0, tie_weights=True))
    ids = (torch.arange(2800) % 37 + (torch.arange(2800) % 3 == 0)).view(70, 40)  # (B, T+1): a learnable pattern
    x, y = ids[:, :-1], ids[:, 1:]
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(60):
        opt.zero_grad()
        lm_loss(model, (x, y)).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        before = lm_loss(model, (x, y)).item()
        model.load_state_dict(float_state(int8_state(model)))
        after = lm_loss(model, (x, y)).item()
    assert before < 2.0 and abs(after - before) < 0.002


def test_shipped_word_model_is_int8_under_15_mb_and_its_quantisation_cost_is_recorded():
    path = data_dir() / "checkpoints" / "word_lm.pt"
    assert path.stat().st_size <= 15e6
    model, meta = load_pretrained("word")
    vocab = model.vocab
    assert all(p.dtype == torch.float32 for p in model.parameters()) and len(vocab) == model.config.vocab_size
    record = json.loads((data_dir() / "benchmarks" / "word_lm.json").read_text())
    assert record["step"] == meta["best_step"] and record["config"] == meta["config"]
    assert abs(record["int8_minus_float32_nats"]) < 0.002  # measured by scripts/train_lm.py on the whole validation set
    stored = int8_state(model)  # the loaded weights are exactly on the int8 grid the file holds
    assert torch.allclose(float_state(stored)["embedding.weight"], model.embedding.weight, atol=1e-6)
