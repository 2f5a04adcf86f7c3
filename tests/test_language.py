"""Language-model pieces: windows, vocabularies, the n-gram baseline, generation."""

import math

import pytest
import torch

from rnn_course.language.baselines import KneserNeyLM
from rnn_course.language.model import (LMConfig, RecurrentLM, generate, generate_by_rereading, lm_loss,
                                        next_token_distribution, stream_perplexity)
from rnn_course.language.data import CharVocab, Vocab, lm_windows, words


def test_windows_target_is_the_next_token():
    ids = torch.arange(100)
    x, y = lm_windows(ids, steps=7)
    assert x.shape == y.shape == (14, 7)  # (W, T)
    assert torch.equal(y, x + 1)
    assert x[1, 0] == 7  # no overlap by default
    x2, _ = lm_windows(ids, steps=7, stride=3)
    assert x2[1, 0] == 3


@pytest.mark.parametrize("bad", [dict(steps=0), dict(steps=200), dict(stride=0)])
def test_windows_refuse_bad_sizes(bad):
    with pytest.raises(ValueError):
        lm_windows(torch.arange(100), **({"steps": 5} | bad))


def test_word_tokens_and_vocab_with_unk():
    toks = words("Ne'er was a story of more woe, than this of Juliet and her Romeo. O Romeo!")
    assert "ne'er" in toks and "," in toks and "romeo" in toks
    vocab = Vocab.build(toks, max_size=5)
    assert len(vocab) == 5 and vocab.itos[0] == "<unk>"
    assert vocab.itos[1] == "of" or vocab.itos[1] == "romeo"  # most frequent first
    ids = vocab.encode(["romeo", "zebra"])
    assert ids[1] == 0 and vocab.decode(ids) == ["romeo", "<unk>"]
    with pytest.raises(ValueError, match="max_size"):
        Vocab.build(toks, max_size=1)


def test_char_vocab_names_unknown_characters():
    v = CharVocab.build("abc ")
    assert v.decode(v.encode("cab a")) == "cab a"
    with pytest.raises(ValueError, match="'Z'"):
        v.encode("aZ")


@pytest.fixture(scope="module")
def kn():
    g = torch.Generator().manual_seed(0)
    ids = torch.multinomial(torch.tensor([8.0, 4, 2, 1, 1, 0.5, 0.5, 0.2]), 3000, replacement=True, generator=g)
    return KneserNeyLM(order=3).fit(ids.tolist(), vocab_size=9), ids.tolist()  # id 8 never seen


@pytest.mark.parametrize("context", [(), (0,), (0, 1), (7, 7), (8, 8), (3, 8)])
def test_kneser_ney_probabilities_sum_to_one(kn, context):
    model, _ = kn
    total = sum(model.prob(w, context) for w in range(9))
    assert math.isclose(total, 1.0, rel_tol=1e-9)
    assert model.prob(8, context) > 0  # unseen word: small but not zero


def test_kneser_ney_prefers_frequent_words_and_beats_uniform(kn):
    model, ids = kn
    assert model.prob(0, (1, 2)) > model.prob(7, (1, 2))
    assert model.perplexity(ids[:500]) < 9  # uniform over 9 ids would be 9


def tiny_lm(**kw):
    torch.manual_seed(0)
    return RecurrentLM(LMConfig(vocab_size=20, embedding_dim=16, hidden_size=16, **kw))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_model_shapes_and_state(cell):
    model = tiny_lm(cell=cell, num_layers=2)
    logits, state = model(torch.randint(0, 20, (3, 7)))
    assert logits.shape == (3, 7, 20)
    h = state[0] if cell == "lstm" else state
    assert h.shape == (2, 3, 16)  # (L, B, H)


def test_bad_model_config_is_refused_at_construction():
    with pytest.raises(ValueError, match="embedding_dim .* must equal hidden_size"):
        RecurrentLM(LMConfig(vocab_size=10, embedding_dim=8, hidden_size=16, tie_weights=True))
    with pytest.raises(ValueError, match="rnn, lstm, gru"):
        RecurrentLM(LMConfig(vocab_size=10, cell="transformer"))


def test_tied_weights_are_one_tensor():
    model = tiny_lm(tie_weights=True)
    assert model.head.weight is model.embedding.weight
    untied = tiny_lm()
    assert model.num_parameters() == untied.num_parameters() - 20 * 16


@pytest.mark.parametrize("strategy, kw", [("greedy", {}), ("sample", dict(temperature=0.7, top_k=5))])
def test_stateful_generation_equals_rereading_the_whole_prefix(strategy, kw):
    model = tiny_lm(cell="lstm", num_layers=2)
    prompt = torch.tensor([1, 2, 3, 4])
    fast = generate(model, prompt, 40, strategy=strategy, seed=3, **kw)
    slow = generate_by_rereading(model, prompt, 40, strategy=strategy, seed=3, **kw)
    assert fast == slow and len(fast) == 40


@pytest.mark.parametrize("kw, word", [(dict(temperature=0), "temperature"), (dict(temperature=-1), "temperature"),
                                      (dict(top_k=0), "top_k"), (dict(top_k=21), "top_k"),
                                      (dict(strategy="beam"), "strategy")])
def test_bad_sampling_settings_give_clear_errors(kw, word):
    with pytest.raises(ValueError, match=word):
        generate(tiny_lm(), torch.tensor([1]), 5, **kw)


def test_empty_prompt_is_refused():
    with pytest.raises(ValueError, match="empty"):
        generate(tiny_lm(), torch.tensor([], dtype=torch.long), 5)


def test_top_k_keeps_only_k_tokens():
    p = next_token_distribution(torch.tensor([3.0, 2.0, 1.0, 0.0]), temperature=1.0, top_k=2)
    assert (p > 0).sum() == 2 and math.isclose(p.sum().item(), 1.0, rel_tol=1e-6)


def test_stream_perplexity_matches_plain_cross_entropy_for_one_chunk():
    model = tiny_lm()
    ids = torch.randint(0, 20, (65,))
    ppl = stream_perplexity(model, ids, steps=64, streams=1)
    with torch.no_grad():
        model.eval()
        loss = lm_loss(model, (ids[:-1].view(1, -1), ids[1:].view(1, -1)))
    assert math.isclose(ppl, math.exp(loss.item()), rel_tol=1e-5)
