"""Issue 18, text generation, next words, translation, trace and the device setting: each test is
named after what a learner did. The function a widget calls and the widget give the same message,
and the model's weights are untouched."""

import html
import warnings

import numpy as np
import pytest
import torch

from rnn_course import save_checkpoint
from rnn_course.language.data import Vocab
from rnn_course.language.model import MAX_GENERATE, generate, generate_by_rereading
from rnn_course.language.views import NextWordWidget, SamplingWidget, next_words, sample_text
from rnn_course.repro import device
from rnn_course.shapes.tracing import trace
from rnn_course.train import Trainer
from rnn_course.translation.decoding import beam_search, greedy_decode, translate
from rnn_course.translation.model import TRAINED_MAX_TOKENS, Seq2Seq, Seq2SeqConfig, checkpoint_meta, load_pretrained
from rnn_course.translation.views import translate_view
from rnn_course.vocab import SPECIAL_TOKENS


EN = ["the", "black", "cat", "is", "happy", "dog", "small", "."]


@pytest.fixture(scope="module")
def translator():
    torch.manual_seed(0)
    src = Vocab([*SPECIAL_TOKENS, *EN])
    tgt = Vocab([*SPECIAL_TOKENS, "le", "chat", "noir", "est", "heureux", "."])
    return Seq2Seq(Seq2SeqConfig(len(src), len(tgt), embedding_dim=8, hidden_size=8), src, tgt).eval()


def weights(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def unchanged(model, before):
    return all(torch.equal(v, before[k]) for k, v in model.state_dict().items())


def message_of(call) -> str:
    with pytest.raises(ValueError) as err:
        call()
    return str(err.value)


# --- generation length ------------------------------------------------------------------------------
def test_sample_text_asked_for_ten_million_characters_is_refused_at_once(char_model):
    model, vocab = char_model
    before = weights(model)
    msg = message_of(lambda: sample_text(model, vocab, "ROMEO:", 10**7))
    assert "10,000,000" in msg and f"{MAX_GENERATE:,}" in msg and "in pieces" in msg
    assert message_of(lambda: generate(model, vocab.encode("ROMEO:"), 10**7)) == msg  # one check, in generate
    widget = SamplingWidget(model, vocab, prompt="ROMEO:")
    widget.length.value = 10**7  # the widget no longer clamps it to 5,000 in silence
    assert widget.update() is None and html.escape(msg) in widget.result.value
    assert unchanged(model, before)


def test_sampling_exactly_the_maximum_is_allowed_and_one_more_is_not(char_model):
    model, vocab = char_model
    with pytest.raises(ValueError, match="100,001"):
        generate_by_rereading(model, vocab.encode("O"), MAX_GENERATE + 1)
    assert MAX_GENERATE == 100_000
    with pytest.raises(ValueError, match="length must be a whole number"):
        sample_text(model, vocab, "O", 2.5)


# --- word prompts the model cannot read -------------------------------------------------------------
def test_a_word_prompt_of_unknown_words_is_refused_by_sampling_as_by_next_words(word_model):
    model, vocab = word_model
    before = weights(model)
    msg = message_of(lambda: next_words(model, vocab, "zebra unicorn"))
    assert "none of these words" in msg and "zebra, unicorn" in msg and "<unk>" in msg
    assert message_of(lambda: sample_text(model, vocab, "zebra unicorn", 5)).replace("prompt", "prefix") == msg
    assert message_of(lambda: sample_text(model, vocab, "zebra unicorn .", 5)) == msg  # a full stop is no word
    sampler = SamplingWidget(model, vocab, prompt="zebra unicorn")
    assert sampler.update() is None and html.escape(msg) in sampler.result.value
    nexter = NextWordWidget(model, vocab, prefix="zebra unicorn")
    assert html.escape(msg) in nexter.message.value and nexter.chart.value == ""
    assert sample_text(model, vocab, "the zebra", 3).startswith("the zebra ")  # one known word is enough
    assert unchanged(model, before)


def test_a_chinese_prompt_is_told_the_model_reads_english_words(word_model):
    model, vocab = word_model
    msg = message_of(lambda: next_words(model, vocab, "你好，世界"))
    assert "punctuation alone" not in msg and "English" in msg and "你好，世界" in msg
    assert message_of(lambda: sample_text(model, vocab, "你好，世界", 5)) == msg
    widget = NextWordWidget(model, vocab, prefix="你好，世界")
    assert html.escape(msg) in widget.message.value
    sampler = SamplingWidget(model, vocab, prompt="你好，世界")
    assert sampler.update() is None and html.escape(msg) in sampler.result.value
    with pytest.raises(ValueError, match="punctuation alone"):  # punctuation only keeps its own message
        next_words(model, vocab, "?!")


# --- generate with ids the model does not have ------------------------------------------------------
@pytest.mark.parametrize("bad", [8, 99, -1])
def test_generate_with_a_token_id_beyond_the_vocabulary_names_the_id_and_the_size(word_model, bad):
    model, _ = word_model
    before = weights(model)
    for fn in (generate, generate_by_rereading):
        with pytest.raises(ValueError, match=rf"token id {bad} .*0 to 7 \(8 tokens\)"):
            fn(model, torch.tensor([1, bad]), 3)
    with pytest.raises(ValueError, match="token ids"):
        generate(model, torch.tensor([1.0, 2.0]), 3)
    assert unchanged(model, before)


# --- translation --------------------------------------------------------------------------------------
def test_translate_with_max_len_zero_is_refused_not_answered_with_nothing(translator):
    before = weights(translator)
    msg = message_of(lambda: translate(translator, "the black cat is happy .", max_len=0))
    assert "max_len must be a whole number ≥ 1" in msg and "got 0" in msg
    src = translator.src_vocab.encode(["the", "cat", "."])[None]
    assert message_of(lambda: greedy_decode(translator, src, torch.tensor([3]), max_len=0)) == msg
    assert message_of(lambda: beam_search(translator, src, torch.tensor([3]), max_len=0)) == msg
    assert "1,000" in message_of(lambda: translate(translator, "the cat .", max_len=10**9))
    assert unchanged(translator, before)


def test_a_201_token_sentence_is_translated_with_a_warning_the_widget_shows(translator):
    sentence = " ".join((EN[:-1] * 29)[:200]) + " ."  # 201 tokens; the corpus's longest has 18
    with pytest.warns(UserWarning, match=rf"201 tokens, more than 3× the longest the model trained on \({TRAINED_MAX_TOKENS}\)"):
        t = translate(translator, sentence, max_len=5)
    assert "201 tokens" in t.warning and "in sentences of up to 18 tokens" in t.warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the view shows it once, in the widget, not as a second warning
        view = translate_view(translator, sentence, heatmap=False)
    assert view.ok and html.escape(t.warning) in view.html
    short = " ".join(EN[:-1] * 7) + " ."  # 50 tokens: under 3 × 18, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert translate(translator, short, max_len=5).warning is None
        assert "⚠" not in translate_view(translator, short, heatmap=False).html


def test_the_training_length_travels_in_new_checkpoints_and_shipped_ones_fall_back(translator, tmp_path):
    translator.max_src_len = 5
    try:
        with pytest.warns(UserWarning, match=r"16 tokens.*\(5\)"):
            translate(translator, " ".join((EN[:-1] * 3)[:15]) + " .")
        meta = checkpoint_meta(translator)
        assert meta["max_src_len"] == 5
        save_checkpoint(tmp_path / "t.pt", translator, meta=meta)
        assert load_pretrained(path=tmp_path / "t.pt")[0].max_src_len == 5
        translator.max_src_len = None
        save_checkpoint(tmp_path / "old.pt", translator, meta=checkpoint_meta(translator))
        assert "max_src_len" not in checkpoint_meta(translator)
        assert load_pretrained(path=tmp_path / "old.pt")[0].max_src_len == TRAINED_MAX_TOKENS
    finally:
        translator.max_src_len = None


# --- trace ----------------------------------------------------------------------------------------------
def test_trace_given_numpy_arrays_traces_them_as_tensors_and_says_so():
    lstm = torch.nn.LSTM(3, 5, batch_first=True)
    before = weights(lstm)
    t = trace(lstm, np.random.default_rng(0).normal(size=(2, 4, 3)))  # float64, as NumPy makes them
    assert t.row("(model)").get("output").shape == (2, 4, 5)
    assert "NumPy float64 array (2, 4, 3)" in t.notes[0] and "torch.from_numpy(x).float()" in str(t)
    emb = torch.nn.Embedding(10, 4)
    t = trace(emb, np.array([[1, 2, 3]]))  # token ids
    assert t.row("(model)").get("output").shape == (1, 3, 4) and ".long()" in t.notes[0]
    h0 = np.zeros((1, 2, 5), dtype=np.float32)
    t = trace(lstm, np.ones((2, 4, 3)), (h0, h0))  # inside a tuple too
    assert len(t.notes) == 3 and t.row("(model)").get("c_0").shape == (1, 2, 5)
    with pytest.raises(ValueError, match="NumPy array of <U1.*torch tensor"):
        trace(emb, np.array([["a", "b"]]))
    assert unchanged(lstm, before)


# --- the device setting ----------------------------------------------------------------------------------
def test_a_misspelt_rnn_course_device_names_the_valid_values(monkeypatch):
    monkeypatch.setenv("RNN_COURSE_DEVICE", "gpu")
    msg = message_of(device)
    assert msg.startswith("RNN_COURSE_DEVICE='gpu' is not a device the course runs on: use 'cpu', 'cuda' or 'mps'")
    assert "unset RNN_COURSE_DEVICE" in msg
    model = torch.nn.Linear(2, 1)
    trainer_msg = message_of(lambda: Trainer(model, (torch.zeros(64, 2), torch.zeros(64, 1)),
                                             lambda m, b: ((m(b[0]) - b[1]) ** 2).mean(), device="gpu"))
    valid = "'gpu' is not a device the course runs on: use 'cpu', 'cuda' or 'mps' (a GPU by number: 'cuda:1')"
    assert valid in msg and valid in trainer_msg  # one check, one list of valid values
    if not torch.cuda.is_available():
        monkeypatch.setenv("RNN_COURSE_DEVICE", "cuda")
        assert "finds no CUDA GPU" in message_of(device)
    monkeypatch.setenv("RNN_COURSE_DEVICE", " cpu ")
    assert device() == torch.device("cpu")
