"""Issue 18, the outside testers' fresh set (benchmarks/bad_inputs.py): what a learner did with an odd
input, refused by name with what to do, or read right. Each test is named after what the learner did."""

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from rnn_course import CheckpointError, TrainConfig, Trainer, load_checkpoint, save_checkpoint
from rnn_course.capstone.data import DataError, load_data
from rnn_course.forecast.data import NotFittedError, Scaler, check_series
from rnn_course.forecast.evaluation import time_split
from rnn_course.language.data import CharVocab, lm_windows, play_text, shakespeare
from rnn_course.language.model import generate
from rnn_course.language.views import next_words, sample_text
from rnn_course.shapes.tracing import trace
from rnn_course.translation.data import load_tatoeba_tsv, make_tensors
from rnn_course.translation.decoding import translate
from rnn_course.translation.grammar import Pair
from rnn_course.translation.model import Seq2Seq, Seq2SeqConfig
from rnn_course.vocab import SPECIAL_TOKENS, Vocab


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    model = nn.GRU(3, 4)
    opt = torch.optim.Adam(model.parameters())
    path = tmp_path / "m.pt"
    save_checkpoint(path, model, opt)
    return path, model, opt


@pytest.fixture(scope="module")
def translator():
    torch.manual_seed(0)
    src = Vocab([*SPECIAL_TOKENS, "the", "black", "cat", "is", "happy", "."])
    tgt = Vocab([*SPECIAL_TOKENS, "le", "chat", "noir", "est", "heureux", "."])
    return Seq2Seq(Seq2SeqConfig(len(src), len(tgt), embedding_dim=8, hidden_size=8), src, tgt).eval()


# --- checkpoints -----------------------------------------------------------------------------------
def test_saving_with_the_optimizer_before_the_model_is_refused_and_writes_nothing(saved, tmp_path):
    _, model, opt = saved
    with pytest.raises(ValueError, match=r"model must be a torch.nn.Module, got Adam \(that is the optimizer: the model"):
        save_checkpoint(tmp_path / "swapped.pt", opt, model)
    assert not (tmp_path / "swapped.pt").exists()


def test_loading_into_a_state_dict_instead_of_the_model_says_pass_the_model(saved):
    path, model, _ = saved
    with pytest.raises(ValueError, match="got OrderedDict .a state_dict: pass the model itself"):
        load_checkpoint(path, model.state_dict())


def test_saving_to_an_empty_path_asks_for_a_file_name(saved):
    _, model, _ = saved
    with pytest.raises(CheckpointError, match=r"path is empty: give a file name, e.g. save_checkpoint\('model.pt'"):
        save_checkpoint("", model)


def test_a_wrong_expected_sha256_is_blamed_on_the_hash_given_not_on_the_file(saved):
    path, model, _ = saved
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(CheckpointError, match="does not match the expected_sha256 you gave") as err:
        load_checkpoint(path, model, expected_sha256="0" * 64)
    assert "corrupted" not in str(err.value)
    assert load_checkpoint(path, model)["format"]  # the file itself is fine
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_loading_onto_cuda_without_a_gpu_names_map_location(saved):
    path, model, _ = saved
    with pytest.raises(ValueError, match=r"map_location='cuda', but PyTorch finds no CUDA GPU.*map_location='cpu'"):
        load_checkpoint(path, model, map_location="cuda")


# --- trainer data ----------------------------------------------------------------------------------
def test_numpy_arrays_as_train_data_are_refused_not_read_as_two_examples():
    model = nn.Linear(3, 1)
    x, y = np.zeros((20, 3), dtype=np.float32), np.zeros((20, 1), dtype=np.float32)
    with pytest.raises(ValueError, match=r"train_data holds NumPy arrays, not tensors: convert them first"):
        Trainer(model, (x, y), lambda m, b: m(b[0]).mean(), config=TrainConfig(batch_size=2))
    with pytest.raises(ValueError, match="train_data holds Python lists of numbers"):
        Trainer(model, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], lambda m, b: m(b).mean(), config=TrainConfig(batch_size=2))


def test_a_list_dataset_with_its_own_collate_still_trains():
    model = nn.Linear(3, 1)
    data = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    t = Trainer(model, data, lambda m, b: m(b).pow(2).mean(), collate=torch.tensor,
                config=TrainConfig(batch_size=2, steps=1))
    assert t.run().ok


# --- language ---------------------------------------------------------------------------------------
def test_shakespeare_with_a_negative_max_chars_is_refused():
    with pytest.raises(ValueError, match="max_chars must be a whole number ≥ 1"):
        shakespeare("train", max_chars=-100)


def test_a_play_name_with_a_trailing_space_lists_the_slugs_to_use():
    with pytest.raises(ValueError, match=r"no play 'Hamlet '; use one of these slugs .*hamlet"):
        play_text("Hamlet ")


def test_a_character_vocabulary_of_empty_text_is_refused():
    with pytest.raises(ValueError, match="needs the training text as a non-empty string"):
        CharVocab.build("")


def test_lm_windows_of_float_ids_is_refused():
    with pytest.raises(ValueError, match=r"ids must be integer token ids, got a torch.float32 tensor"):
        lm_windows(torch.rand(100), 10)


def test_generating_from_a_batch_of_prompts_is_refused_not_run_as_one_long_prompt(char_model):
    model, vocab = char_model
    with pytest.raises(ValueError, match=r"one prompt, a 1-D tensor \(P,\); got shape \(2, 3\)"):
        generate(model, torch.tensor([[1, 2, 3], [4, 5, 6]]), 5)
    assert generate(model, torch.tensor([[1, 2, 3]]), 5) == generate(model, torch.tensor([1, 2, 3]), 5)  # (1, P) is one


def test_sample_text_with_another_models_vocabulary_is_refused(word_model, char_model):
    with pytest.raises(ValueError, match=r"this vocabulary has \d+ tokens but the model predicts 8.*model.vocab"):
        sample_text(word_model[0], char_model[1], "ROMEO:", 5)
    with pytest.raises(ValueError, match="another model's vocabulary"):
        next_words(char_model[0], word_model[1], "the cat")


def test_a_prompt_that_is_a_number_and_a_seed_that_is_a_word_are_named(char_model, word_model):
    model, vocab = char_model
    with pytest.raises(ValueError, match="the prompt must be text .a str., got int"):
        sample_text(model, vocab, 123, 5)
    with pytest.raises(ValueError, match="seed must be a whole number ≥ 0"):
        sample_text(model, vocab, "ROMEO:", 5, seed="abc")
    with pytest.raises(ValueError, match="the prefix must be text .a str., got NoneType"):
        next_words(word_model[0], word_model[1], None)


# --- translation ------------------------------------------------------------------------------------
def test_translating_a_list_of_sentences_says_one_at_a_time(translator):
    with pytest.raises(ValueError, match=r"translate takes one sentence .a str., got a list of 2"):
        translate(translator, ["the cat is happy .", "the black cat ."])
    with pytest.raises(ValueError, match="the sentence must be text .a str., got NoneType"):
        translate(translator, None)


def test_a_nan_length_penalty_is_refused(translator):
    with pytest.raises(ValueError, match="length_penalty must be a number"):
        translate(translator, "the cat is happy .", beam=3, length_penalty=float("nan"))


def test_an_unknown_word_is_named_with_advice_to_rephrase(translator):
    with pytest.raises(ValueError, match=r"'sleeps'\. Rephrase with words it knows"):
        translate(translator, "the cat sleeps .")


def test_make_tensors_reads_plain_tuples_as_pairs(translator):
    a = make_tensors([("the cat is happy .", "le chat est heureux .")], translator.src_vocab, translator.tgt_vocab)
    b = make_tensors([Pair("the cat is happy .", "le chat est heureux .")], translator.src_vocab, translator.tgt_vocab)
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    with pytest.raises(ValueError, match=r"each pair must be a Pair or an \(English, French\) tuple"):
        make_tensors(["the cat is happy ."], translator.src_vocab, translator.tgt_vocab)


def test_make_tensors_with_max_len_zero_or_swapped_vocabularies_is_refused(translator):
    pairs = [Pair("the cat is happy .", "le chat est heureux .")]
    with pytest.raises(ValueError, match="max_len must be a whole number ≥ 1"):
        make_tensors(pairs, translator.src_vocab, translator.tgt_vocab, max_len=0)
    with pytest.raises(ValueError, match=r"the English vocabulary knows only 20% .*English first"):
        make_tensors(pairs, translator.tgt_vocab, translator.src_vocab)


def test_a_comma_separated_pairs_file_is_told_to_use_a_tab(tmp_path):
    p = tmp_path / "pairs.csv"
    p.write_text("the cat,le chat\n", encoding="utf-8")
    with pytest.raises(ValueError, match="got 1 column.*Use a tab character between the English and the French"):
        load_tatoeba_tsv(p)


# --- forecasting ------------------------------------------------------------------------------------
def hourly(n=48):
    return pd.Series(np.arange(n, dtype=float), index=pd.date_range("2024-01-01", periods=n, freq="h"))


def test_check_series_with_freq_in_words_names_the_aliases():
    with pytest.raises(ValueError, match=r"freq='hourly' is not a pandas frequency: use an alias such as '30min', 'h'"):
        check_series(hourly(), freq="hourly")


def test_time_split_with_a_word_for_a_date_asks_for_yyyy_mm_dd():
    with pytest.raises(ValueError, match=r"train_end='yesterday' is not a date pandas can read: write it as 'YYYY-MM-DD'"):
        time_split(hourly().index, "yesterday", "2024-01-02")


def test_a_scaler_used_before_fit_raises_the_course_not_fitted_error():
    with pytest.raises(NotFittedError, match=r"call scaler.fit\(train_values\)") as err:
        Scaler().transform(np.ones((5, 1)))
    assert isinstance(err.value, RuntimeError)  # what it was before


# --- capstone ---------------------------------------------------------------------------------------
def csv(tmp_path):
    t = pd.date_range("2024-01-01", periods=300, freq="h")
    p = tmp_path / "s.csv"
    p.write_text("time,value\n" + "".join(f"{s:%Y-%m-%d %H:%M},{i}\n" for i, s in enumerate(t)), encoding="utf-8")
    return p


def test_a_negative_min_chars_for_a_text_file_is_refused(tmp_path):
    (tmp_path / "t.txt").write_text("Once upon a time. " * 300, encoding="utf-8")
    with pytest.raises(DataError, match="min_chars must be a whole number ≥ 1"):
        load_data("text-file", tmp_path / "t.txt", min_chars=-5)


def test_an_unknown_loader_option_and_a_misspelt_column_say_what_to_use(tmp_path):
    with pytest.raises(DataError, match=r"no option\(s\) \['frequency'\]; use one of its options: time_column"):
        load_data("csv-series", csv(tmp_path), frequency="h")
    with pytest.raises(DataError, match=r"no column\(s\) \['Value'\]; name columns as the file's header writes them "
                                        r"\(case matters\): \['time', 'value'\]"):
        load_data("csv-series", csv(tmp_path), value_columns="Value")


# --- shapes and vocabularies ------------------------------------------------------------------------
def test_trace_without_an_example_input_or_of_a_string_says_how_to_call_it():
    with pytest.raises(ValueError, match=r"trace needs an example input .*trace\(model, x\)"):
        trace(nn.GRU(3, 8, batch_first=True))
    with pytest.raises(TypeError, match=r"trace needs the model itself .* got str"):
        trace("GRU", torch.zeros(2, 5, 3))


def test_a_vocabulary_built_from_or_encoding_a_string_is_refused_not_read_letter_by_letter():
    with pytest.raises(ValueError, match=r"Vocab.build takes a list of tokens .*split it into tokens first"):
        Vocab.build("to be or not to be")
    vocab = Vocab.build("to be or not to be".split())
    with pytest.raises(ValueError, match=r"encode takes a list of tokens, got the string 'to be'"):
        vocab.encode("to be")
    assert vocab.encode(["to", "be"]).tolist() == [vocab.stoi["to"], vocab.stoi["be"]]


def test_decoding_an_id_outside_the_vocabulary_names_the_range():
    vocab = Vocab.build(["a", "b"])
    with pytest.raises(ValueError, match=r"id 1000000 is not in this vocabulary, whose ids run from 0 to 2"):
        vocab.decode([10**6])


# --- trainer and dashboard construction ------------------------------------------------------------

def _regression():
    torch.manual_seed(0)
    return nn.Linear(3, 1), (torch.randn(16, 3), torch.randn(16, 1))


def test_a_learner_who_passes_nn_MSELoss_as_the_loss_fn_is_told_how_to_wrap_it():
    model, data = _regression()
    with pytest.raises(ValueError, match=r"loss_fn is called as loss_fn\(model, batch\); MSELoss\(\).*wrap it"):
        Trainer(model, data, nn.MSELoss(), config=TrainConfig(steps=1, batch_size=4))


def test_a_learner_who_passes_print_as_a_callback_is_told_what_a_callback_is():
    model, data = _regression()
    loss = lambda m, b: nn.functional.mse_loss(m(b[0]), b[1])  # noqa: E731
    with pytest.raises(ValueError, match=r"callbacks must be rnn_course Callback objects.*got builtin_function"):
        Trainer(model, data, loss, callbacks=[print], config=TrainConfig(steps=1, batch_size=4))


def test_float64_data_for_a_float32_model_is_refused_before_any_step_with_the_conversion():
    model, (x, y) = _regression()
    loss = lambda m, b: nn.functional.mse_loss(m(b[0]), b[1])  # noqa: E731
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match=r"torch.float64 tensors but the model's weights are torch.float32.*convert"):
        Trainer(model, (x.double(), y.double()), loss, config=TrainConfig(steps=1, batch_size=4))
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    Trainer(model, (x, y), loss, config=TrainConfig(steps=1, batch_size=4)).run()  # float32 data trains


def test_a_dashboard_given_a_string_as_live_or_a_word_as_redraw_seconds_says_what_it_takes():
    from rnn_course.dashboard import Dashboard

    model, data = _regression()
    trainer = Trainer(model, data, lambda m, b: nn.functional.mse_loss(m(b[0]), b[1]),
                      config=TrainConfig(steps=1, batch_size=4))
    with pytest.raises(ValueError, match=r"live must be a function live\(trainer\).*got str 'loss'"):
        Dashboard(trainer, live="loss")
    with pytest.raises(ValueError, match=r"redraw_seconds must be a number ≥ 0 \(try 0.5\), got 'fast'"):
        Dashboard(trainer, redraw_seconds="fast")
