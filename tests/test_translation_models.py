"""The translation models of notebook 04: shapes, padding masks, decoding, translate() and its widget."""

import pytest
import torch

from rnn_course import TrainConfig, Trainer, save_checkpoint, seed_everything
from rnn_course.translation.data import detokenize, make_tensors, tokenize
from rnn_course.translation.corpus import make_splits
from rnn_course.translation.decoding import beam_search, greedy_decode, translate
from rnn_course.translation.model import (ArticleSeq2Seq, Seq2Seq, Seq2SeqConfig, article_greedy, checkpoint_meta,
                                          corpus_scores, length_thirds, load_pretrained, seq2seq_loss)
from rnn_course.translation.views import TranslateWidget, attention_figure, translate_view
from rnn_course.vocab import SPECIAL_TOKENS, Vocab


@pytest.fixture(scope="module")
def corpus():
    splits = make_splits(600, 50, 40, seed=1)
    src = Vocab.build((tokenize(p.en, "en") for p in splits["train"]), specials=SPECIAL_TOKENS)
    tgt = Vocab.build((tokenize(p.fr, "fr") for p in splits["train"]), specials=SPECIAL_TOKENS)
    return splits, src, tgt


def small_model(corpus, attention="additive", bidirectional=True, seed=0):
    _, src, tgt = corpus
    seed_everything(seed)
    return Seq2Seq(Seq2SeqConfig(len(src), len(tgt), embedding_dim=16, hidden_size=24, attention=attention,
                                 bidirectional=bidirectional, dropout=0.0), src, tgt).eval()


@pytest.fixture(scope="module")
def trained(corpus):
    """A small fixed model, trained briefly so that its decisions are not all ties (deterministic)."""
    splits, src, tgt = corpus
    model = small_model(corpus)
    Trainer(model, make_tensors(splits["train"], src, tgt), seq2seq_loss,
            config=TrainConfig(steps=300, batch_size=32, lr=1e-2, seed=0)).run()
    return model.eval()


# ---------------------------------------------------------------------------------------- data
def test_vocab_starts_with_the_special_tokens_and_decode_stops_at_eos():
    v = Vocab.build([["le", "chat"], ["le", "chien"]], specials=SPECIAL_TOKENS)
    assert tuple(v.itos[:4]) == SPECIAL_TOKENS and v.itos[4] == "le"
    assert v.encode(["le", "zèbre"]).tolist() == [4, v.unk]
    assert v.decode([v.bos, 4, 5, v.eos, 6]) == ["le", v.itos[5]]
    with pytest.raises(ValueError, match="starts with"):
        Vocab(["le", "chat"])


def test_make_tensors_shifts_the_target_by_one_and_pads_with_zero(corpus):
    splits, src, tgt = corpus
    pairs = splits["train"][:5]
    x, lengths, y_in, y_out = make_tensors(pairs, src, tgt)
    assert x.shape[0] == y_in.shape[0] == 5 and y_in.shape == y_out.shape
    for i, p in enumerate(pairs):
        n, fr = int(lengths[i]), tgt.encode(tokenize(p.fr, "fr")).tolist()
        assert n == len(tokenize(p.en, "en")) and (x[i, n:] == 0).all() and (x[i, :n] != 0).all()
        assert y_in[i, 0] == tgt.bos and y_in[i, 1:len(fr) + 1].tolist() == fr
        assert y_out[i, :len(fr)].tolist() == fr and y_out[i, len(fr)] == tgt.eos and (y_out[i, len(fr) + 1:] == 0).all()


def test_detokenize_joins_elided_words():
    assert detokenize(["je", "n'", "aime", "pas", "l'", "arbre", "."]) == "je n'aime pas l'arbre ."


# -------------------------------------------------------------------------------------- shapes
@pytest.mark.parametrize("attention", [None, "additive", "dot"])
@pytest.mark.parametrize("bidirectional", [True, False])
def test_forward_shapes_are_batch_first(corpus, attention, bidirectional):
    splits, src, tgt = corpus
    model = small_model(corpus, attention, bidirectional)
    x, lengths, y_in, _ = make_tensors(splits["train"][:3], src, tgt)
    logits, weights = model(x, lengths, y_in)
    assert logits.shape == (3, y_in.shape[1], len(tgt))  # (B, T_tgt, V)
    if attention is None:
        assert weights is None
    else:
        assert weights.shape == (3, y_in.shape[1], x.shape[1])  # (B, T_tgt, T_src)
        assert torch.allclose(weights.sum(-1), torch.ones(3, y_in.shape[1]))


def test_a_bad_attention_option_fails_at_construction_naming_the_choices():
    with pytest.raises(ValueError, match="additive"):
        Seq2SeqConfig(10, 10, attention="bahdanau").check()


def test_article_pair_takes_one_hot_time_first_inputs(corpus):
    splits, src, tgt = corpus
    model = ArticleSeq2Seq(src, tgt, hidden_size=16)
    assert model.decoder.rnn.input_size == len(tgt)  # the decoder's input size is V_tgt
    x, lengths, y_in, _ = make_tensors(splits["train"][:4], src, tgt)
    assert model(x, lengths, y_in).shape == (4, y_in.shape[1], len(tgt))
    assert len(article_greedy(model, x, lengths, max_len=5)) == 4


# -------------------------------------------------------------------------------- padding masks
@pytest.mark.parametrize("attention", ["additive", "dot"])
def test_a_padded_source_position_gets_exactly_zero_attention(corpus, attention):
    splits, src, tgt = corpus
    model = small_model(corpus, attention)
    x, lengths, y_in, _ = make_tensors(splits["train"][:8], src, tgt)
    assert lengths.min() < x.shape[1]  # some sentences are padded
    _, weights = model(x, lengths, y_in)  # (B, T_tgt, T_src)
    for i, n in enumerate(lengths.tolist()):
        assert (weights[i, :, n:] == 0).all()
        assert (weights[i, :, :n] > 0).all()


def test_what_sits_in_the_padding_never_changes_a_translation(corpus):
    splits, src, tgt = corpus
    model = small_model(corpus)
    x, lengths, y_in, _ = make_tensors(splits["train"][:8], src, tgt)
    junk = x.clone()
    for i, n in enumerate(lengths.tolist()):
        junk[i, n:] = 5  # a real word where the padding was
    a, wa = model(x, lengths, y_in)
    b, wb = model(junk, lengths, y_in)
    assert torch.allclose(a, b, atol=1e-6) and torch.equal(wa, wb)


def test_the_loss_ignores_padded_target_positions(corpus):
    splits, src, tgt = corpus
    model = small_model(corpus)
    x, lengths, y_in, y_out = make_tensors(splits["train"][:6], src, tgt)
    pad = torch.zeros(6, 3, dtype=torch.long)
    longer = (x, lengths, torch.cat([y_in, pad], 1), torch.cat([y_out, pad], 1))
    assert torch.allclose(seq2seq_loss(model, (x, lengths, y_in, y_out)), seq2seq_loss(model, longer))


def test_step_by_step_decoding_equals_the_teacher_forced_pass(corpus):
    splits, src, tgt = corpus
    model = small_model(corpus)
    x, lengths, y_in, _ = make_tensors(splits["train"][:4], src, tgt)
    logits, weights = model(x, lengths, y_in)
    memory, h, mask = model.encode(x, lengths)
    steps = []
    for t in range(y_in.shape[1]):
        step_logits, h, _ = model.decode(y_in[:, t:t + 1], h, memory, mask)
        steps.append(step_logits)
    assert torch.allclose(torch.cat(steps, 1), logits, atol=1e-5)
    own, _ = model(x, lengths, y_in, teacher_forcing=0.0)  # feeds its own predictions instead
    assert own.shape == logits.shape and not torch.allclose(own, logits)
    with pytest.raises(ValueError, match="probability"):
        model(x, lengths, y_in, teacher_forcing=1.5)


# ------------------------------------------------------------------------------------- decoding
def test_greedy_stops_at_eos(corpus):
    splits, src, tgt = corpus
    model = small_model(corpus)
    with torch.no_grad():
        model.out.bias.fill_(0)
        model.out.bias[tgt.eos] = 100.0  # the model wants to stop at once
    x, lengths, _, _ = make_tensors(splits["test"][:5], src, tgt)
    seqs, attention, _ = greedy_decode(model, x, lengths, max_len=20)
    assert seqs == [[]] * 5 and attention.shape[1] == 1  # one step: the <eos>
    assert beam_search(model, x[:1], lengths[:1], beam=3)[0].ids == []


def test_greedy_never_emits_eos_and_gives_one_attention_row_per_step(trained, corpus):
    splits, src, tgt = corpus
    x, lengths, _, _ = make_tensors(splits["test"], src, tgt)
    seqs, attention, _ = greedy_decode(trained, x, lengths)
    assert all(tgt.eos not in s for s in seqs)
    assert attention.shape[0] == len(seqs) and attention.shape[2] == x.shape[1]
    assert max(len(s) for s in seqs) < attention.shape[1] <= 30


def one_by_one(model, pairs):
    src, tgt = model.src_vocab, model.tgt_vocab
    for p in pairs:
        x, lengths, _, _ = make_tensors([p], src, tgt)
        yield x, lengths


def test_beam_width_one_is_exactly_greedy(trained, corpus):
    splits, _, _ = corpus
    for x, lengths in one_by_one(trained, splits["test"]):
        seqs, attention, score = greedy_decode(trained, x, lengths)
        best = beam_search(trained, x, lengths, beam=1)
        assert len(best) == 1 and best[0].ids == seqs[0]
        assert best[0].logprob == pytest.approx(float(score[0]), abs=1e-5)
        assert torch.allclose(best[0].attention, attention[0, :len(seqs[0]) + 1], atol=1e-6)


@pytest.mark.parametrize("keep_greedy", [True, False])
def test_beam_search_never_scores_below_greedy(trained, corpus, keep_greedy):
    splits, _, _ = corpus
    better = 0
    for x, lengths in one_by_one(trained, splits["test"]):
        seqs, _, score = greedy_decode(trained, x, lengths)
        best = beam_search(trained, x, lengths, beam=4, keep_greedy=keep_greedy)[0]
        assert best.logprob >= float(score[0]) - 1e-5  # by the model's own log-probability
        better += best.logprob > float(score[0]) + 1e-5
    # BLEU is not what the beam maximises, so only the model's own log-probability is guaranteed;
    # on the corpus a better-scoring beam can still lose a BLEU point against the references.
    assert better > 0  # the fixed model is imperfect enough for the beam to find something better


def test_keeping_the_greedy_candidate_guarantees_beam_is_never_less_probable(corpus):
    splits, _, _ = corpus
    untrained = small_model(corpus, seed=3)  # flat distributions: where a plain beam can lose greedy's path
    for x, lengths in one_by_one(untrained, splits["test"][:15]):
        _, _, score = greedy_decode(untrained, x, lengths)
        assert beam_search(untrained, x, lengths, beam=3)[0].logprob >= float(score[0]) - 1e-5


def test_beam_search_returns_hypotheses_best_first_and_checks_its_width(trained, corpus):
    splits, _, _ = corpus
    x, lengths = next(one_by_one(trained, splits["test"]))
    hyps = beam_search(trained, x, lengths, beam=5, length_penalty=1.0)
    assert [h.score for h in hyps] == sorted((h.score for h in hyps), reverse=True)
    assert all(h.score == pytest.approx(h.logprob / (len(h.ids) + 1)) for h in hyps)
    with pytest.raises(ValueError, match="beam"):
        beam_search(trained, x, lengths, beam=0)


# -------------------------------------------------------------------------------- translate()
def test_translate_returns_tokens_text_and_an_attention_map(trained):
    t = translate(trained, "The cat is happy")  # lower-cased, " ." added
    assert t.source == ["the", "cat", "is", "happy", "."]
    assert t.text == detokenize(t.tokens)
    assert t.attention.shape == (len(t.tokens) + 1, 5)


@pytest.mark.parametrize("sentence", ["", "   ", "\t\n"])
def test_translate_refuses_empty_input_with_a_clear_message(trained, sentence):
    with pytest.raises(ValueError, match="empty"):
        translate(trained, sentence)


def test_translate_names_the_words_it_does_not_know(trained):
    with pytest.raises(ValueError, match="'giraffe'.*'skateboard'|'skateboard'.*'giraffe'"):
        translate(trained, "the giraffe eats a skateboard .")


def test_the_widget_function_translates_or_explains(trained):
    view = translate_view(trained, "the dog likes the cat .")
    assert view.ok and view.translation.text == view.message and "<img" in view.html
    empty = translate_view(trained, "")
    assert not empty.ok and "empty" in empty.message and "<img" not in empty.html
    unknown = translate_view(trained, "the zebra is happy .")
    assert not unknown.ok and "'zebra'" in unknown.message
    plain = translate_view(small_model(_corpus_of(trained), attention=None), "the dog likes the cat .")
    assert plain.ok and "no attention" in plain.html


def _corpus_of(model):
    return None, model.src_vocab, model.tgt_vocab


def test_the_widget_updates_its_output(trained):
    pytest.importorskip("ipywidgets")
    w = TranslateWidget(trained, "the cat is happy .")
    assert "<img" in w.result.value
    w.text.value = "the unicorn is happy ."
    assert "unicorn" in w.result.value and "<img" not in w.result.value


def test_attention_figure_checks_its_sizes(trained):
    t = translate(trained, "the cat is happy .")
    assert attention_figure(t.source, t.tokens, t.attention) is not None
    with pytest.raises(ValueError, match="source tokens"):
        attention_figure(t.source[:-1], t.tokens, t.attention)


# ------------------------------------------------------------------------- metrics, checkpoints
def test_corpus_scores_are_perfect_for_the_reference_and_exact_match_counts_sentences():
    refs = ["le chat noir est heureux .", "la fille mange une pomme ."]
    perfect = corpus_scores(refs, refs)
    assert perfect["bleu"] == pytest.approx(100) and perfect["chrf"] == pytest.approx(100) and perfect["exact"] == 100
    half = corpus_scores(["le noir chat est heureux .", refs[1]], refs)
    assert half["exact"] == 50 and half["bleu"] < 100


def test_length_thirds_partition_the_set_by_english_length(corpus):
    splits, _, _ = corpus
    pairs = splits["test"]
    thirds = length_thirds(pairs)
    assert sorted(sum(thirds.values(), [])) == list(range(len(pairs)))
    n = lambda i: len(tokenize(pairs[i].en, "en"))  # noqa: E731
    assert max(map(n, thirds["short"])) <= min(map(n, thirds["long"]))


def test_a_float16_checkpoint_loads_back_with_its_vocabularies(trained, tmp_path):
    model = small_model((None, trained.src_vocab, trained.tgt_vocab))
    model.load_state_dict(trained.state_dict())
    model.half()
    save_checkpoint(tmp_path / "t.pt", model, meta=checkpoint_meta(model))
    loaded, meta = load_pretrained(path=tmp_path / "t.pt")
    assert loaded.src_vocab.itos == trained.src_vocab.itos and next(loaded.parameters()).dtype == torch.float32
    a, b = translate(trained, "the dog likes the cat ."), translate(loaded, "the dog likes the cat .")
    assert a.tokens == b.tokens
