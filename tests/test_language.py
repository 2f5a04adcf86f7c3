"""Language-model pieces: windows, vocabularies, the n-gram baseline, generation."""

import math

import pytest
import torch

from rnn_course.language.baselines import KneserNeyLM
from rnn_course.language.model import (LMConfig, RecurrentLM, generate, generate_by_rereading, lm_loss,
                                        next_token_distribution, perplexity_interval, stream_nll, compare_perplexities,
                                        ngram_nll,
                                        stream_perplexity)
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


def test_stream_nll_scores_every_token_once_and_agrees_with_stream_perplexity():
    model = tiny_lm()
    ids = torch.randint(0, 20, (101,))
    nll = stream_nll(model, ids, steps=7, streams=4)  # 100 predictions → 4 streams of 25
    assert nll.shape == (100,)
    assert math.isclose(stream_perplexity(model, ids, steps=7, streams=4), math.exp(nll.double().mean()), rel_tol=1e-9)
    with torch.no_grad():  # the first stream's losses are those of reading its piece in one go
        logits, _ = model.eval()(ids[:25].view(1, -1))
        first = torch.nn.functional.cross_entropy(logits[0], ids[1:26], reduction="none")
    assert torch.allclose(nll[:25], first, atol=1e-5)


def test_embedding_dropout_drops_whole_words_in_training_only():
    torch.manual_seed(0)
    model = RecurrentLM(LMConfig(vocab_size=50, embedding_dim=8, hidden_size=8, dropout=0.0, embedding_dropout=0.5))
    x = torch.arange(50).repeat(2, 1)  # (2, 50): every word twice, in two rows
    model.train()
    emb = model._embed(x)  # (2, 50, 8)
    dropped = (emb == 0).all(dim=-1)  # (2, 50)
    assert 5 < dropped[0].sum() < 45 and torch.equal(dropped[0], dropped[1])  # a word is dropped everywhere or nowhere
    kept = ~dropped[0]
    assert torch.allclose(emb[0, kept], 2 * model.embedding.weight[kept])  # kept rows scaled by 1/(1 − p)
    model.eval()
    assert torch.equal(model._embed(x), model.embedding(x))
    with pytest.raises(ValueError, match="embedding_dropout must be in"):
        LMConfig(vocab_size=5, embedding_dropout=1.0).check()


def test_perplexity_interval_contains_the_estimate_and_narrows_with_more_tokens():
    g = torch.Generator().manual_seed(0)
    short = torch.rand(2_000, generator=g) * 8  # per-token losses, mean ≈ 4 nats
    long = torch.rand(50_000, generator=g) * 8
    p, lo, hi = perplexity_interval(short, block=100)
    assert lo < p < hi and math.isclose(p, math.exp(short.double().mean()), rel_tol=1e-9)
    p2, lo2, hi2 = perplexity_interval(long, block=100)
    assert hi2 - lo2 < (hi - lo) / 2
    assert perplexity_interval(torch.zeros(400), block=100) == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="fewer than two blocks"):
        perplexity_interval(torch.ones(150), block=100)


def test_compare_perplexities_pairs_the_two_models_token_by_token():
    g = torch.Generator().manual_seed(1)
    hard = (torch.rand(40, generator=g) * 6).repeat_interleave(100) + torch.rand(4_000, generator=g)  # passages vary a lot …
    ngram = hard + 0.2
    lstm = hard + 0.1  # … but the LSTM is better on every token by 0.1 nats
    r = compare_perplexities(lstm, ngram, block=100)
    assert math.isclose(r["reduction"], 1 - math.exp(-0.1), abs_tol=1e-4)
    assert r["reduction_ci95"][0] > 0.09  # paired: the shared difficulty cancels, the interval is tight
    assert r["ppl_ci95"][1] > r["baseline_ppl"]  # unpaired intervals overlap widely
    with pytest.raises(ValueError, match="same tokens"):
        compare_perplexities(lstm, ngram[:-1])


def test_ngram_nll_is_the_baselines_perplexity_token_by_token(kn):
    kn, _ = kn
    ids = torch.tensor([1, 2, 3, 1, 2, 4, 0, 3])
    nll = ngram_nll(kn, ids)
    assert nll.shape == (7,)
    assert math.isclose(math.exp(nll.mean()), kn.perplexity(ids.tolist()), rel_tol=1e-9)


def test_one_vocab_reads_both_shipped_layouts():
    """The word LM's list starts with <unk>; the translation models' with <pad> <bos> <eos> <unk>."""
    from rnn_course.vocab import SPECIAL_TOKENS

    word = Vocab(["<unk>", "the", "cat"])
    pairs = Vocab([*SPECIAL_TOKENS, "le", "chat"])
    assert (word.unk, word.pad, word.eos) == (0, None, None) and word.encode(["cat", "dog"]).tolist() == [2, 0]
    assert (pairs.pad, pairs.bos, pairs.eos, pairs.unk) == (0, 1, 2, 3)
    assert pairs.decode([1, 4, 5, 2, 4]) == ["le", "chat"] and word.decode([1, 2]) == ["the", "cat"]


def test_vocab_build_takes_sentences_or_a_stream_and_counts_the_same():
    stream = ["a", "b", "a", "c"]
    assert Vocab.build(stream).itos == Vocab.build([["a", "b"], ["a", "c"]]).itos == ["<unk>", "a", "b", "c"]
    assert Vocab.build(stream, min_count=2).itos == ["<unk>", "a"]
    with pytest.raises(ValueError, match="min_count"):
        Vocab.build(stream, min_count=0)
