"""Each checker accepts the right answer, rejects the usual wrong one with a pointed message,
and answers an unanswered exercise with a hint."""

import math
import re

import pytest
import torch
from torch import nn

from rnn_course.exercises import EXERCISES, check
from rnn_course.series import Scaler


def true_hn_shape():
    gru = nn.GRU(8, 16, num_layers=2, bidirectional=True, batch_first=True)
    return tuple(gru(torch.zeros(3, 10, 8))[1].shape)


CORRECT = {
    "09-shard-size": 96 // (2 * 4),  # torchrun --nnodes=2 --nproc-per-node=4: W = 8
    "09-allreduce-ms": __import__("rnn_course.scaling", fromlist=["x"]).allreduce_seconds(25e6 * 4, 4, 10e9) * 1e3,
    "09-lost-steps": 437 - 400,
    "07-ctc-decode": "one",
    "07-output-frames": 63,
    "07-snr-db": lambda clean, noisy: 10 * math.log10(float((clean ** 2).mean()) / float(((noisy - clean) ** 2).mean())),
    "08-receptive-field": __import__("rnn_course.models.tcn", fromlist=["TCNConfig"]).TCNConfig(
        vocab_size=2, kernel_size=3, num_layers=5).receptive_field,
    "08-state-bytes": nn.GRU(64, 256, batch_first=True)(torch.zeros(1, 2000, 64))[1].numel() * 4,
    "01-h_n-shape": true_hn_shape(),
    "01-last-step": lambda out: out[:, -1],
    "01-lstm-params": sum(p.numel() for p in nn.LSTM(3, 5).parameters()),
    "02-perplexity": 2 ** 1.75,  # exp(mean(-log [1/2, 1/4, 1/8, 1/2])) = 2^((1+2+3+1)/4)
    "02-logits-shape": (16, 20, 10_000),
    "02-unk-share": 0.0761,  # 1 − 0.9239, measured once by hand on the shipped corpus
    "03-temperature": torch.softmax(torch.tensor([2.0, 1.0, 0.0]) / 0.5, 0)[0].item(),
    "03-state-shape": tuple(nn.GRU(32, 256, num_layers=2, batch_first=True)(torch.zeros(1, 1, 32))[1].shape),
    "04-decoder-input": (1, 16, 300),  # (T=1, B, V_tgt): DecoderRNN(300, 128).rnn.input_size == 300
    "04-attention-pattern": [0, 2, 1, 3, 4],  # le→the, chien→dog, blanc→white, mange→eats, .→.
    "04-padding-mask": lambda lengths, max_len: torch.arange(max_len)[None, :] < lengths[:, None],
    "05-up-share": 0.5392,  # 268 of the 497 test days that moved, counted once by hand
    "05-fit-scaler": lambda prices, train_end: Scaler().fit(prices[:train_end]),
    "06-naive-position": 3360 + 30 - 7 * 48,
    "06-daily-profile": lambda load: load.groupby(load.index.time).mean(),
    "10-majority-accuracy": 400 / 1200,  # 400 test passages per genre; majority = history
    "10-masked-mean": lambda out, lengths: ((out * (torch.arange(out.shape[1])[None, :] < lengths[:, None])[..., None]).sum(1)
                                            / lengths[:, None]),
}
WRONG = {
    "09-shard-size": (96 // 2, "machines only"),
    "09-allreduce-ms": (25e6 * 4 * 8 / 10e9 * 1e3, "2·\\(W−1\\)/W"),
    "09-lost-steps": (450 - 437, "last snapshot written"),
    "07-ctc-decode": ("oonnee", "repeats"),
    "07-output-frames": (251, "halve"),
    "07-snr-db": (lambda clean, noisy: 10 * math.log10(float(abs(clean).mean()) / float(abs(noisy - clean).mean())),
                  "amplitude|got"),
    "08-receptive-field": (11, "dilations double"),
    "08-state-bytes": (2000 * 256 * 4, "KV cache"),
    "01-h_n-shape": ((3, 4, 16), "never batch-first"),
    "01-last-step": (lambda out: out[-1], "last \\*sample\\*"),
    "01-lstm-params": (sum(p.numel() for p in nn.RNN(3, 5).parameters()), "four"),
    "02-perplexity": (1.75 * math.log(2), "exp of it"),
    "02-logits-shape": ((20, 16, 10_000), "time-first"),
    "02-unk-share": (0.9239, "knows"),
    "03-temperature": (torch.softmax(torch.tensor([2.0, 1.0, 0.0]), 0)[0].item(), "temperature 1"),
    "03-state-shape": ((1, 2, 256), "never batch-first"),
    "04-decoder-input": ((1, 16), "one-hot"),
    "04-attention-pattern": ([0, 1, 2, 3, 4], "word-by-word"),
    "04-padding-mask": (lambda lengths, max_len: torch.arange(max_len)[None, :] >= lengths[:, None], "flip"),
    "05-up-share": (1 - 0.5392, "down"),
    "05-fit-scaler": (lambda prices, train_end: Scaler().fit(prices), "saw all the prices"),
    "06-naive-position": (3360 + 30 - 48, "daily"),
    "06-daily-profile": (lambda load: load.groupby(load.index.hour).mean(), "grouped by hour"),
    "10-majority-accuracy": (3600 / 7600, "training passages"),
    "10-masked-mean": (lambda out, lengths: out.mean(1), "padded steps too"),
}


def test_every_exercise_has_a_correct_and_a_wrong_case():
    assert set(CORRECT) == set(EXERCISES) == set(WRONG)


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_checker_accepts_the_correct_answer(name):
    fb = check(name, CORRECT[name])
    assert fb.ok and fb.status == "correct"


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_checker_rejects_the_typical_mistake_with_feedback(name):
    answer, explanation = WRONG[name]
    fb = check(name, answer)
    assert not fb.ok and fb.status == "wrong"
    assert re.search(explanation, fb.message)


@pytest.mark.parametrize("name", sorted(EXERCISES))
@pytest.mark.parametrize("blank", [..., None])
def test_unanswered_exercise_gives_a_hint(name, blank):
    fb = check(name, blank)
    assert fb.status == "unanswered" and "Hint" in fb.message


def test_a_function_still_returning_ellipsis_is_unanswered():
    def last_step(out):
        return ...

    assert check("01-last-step", last_step).status == "unanswered"


def test_a_crashing_learner_function_is_feedback_not_a_traceback():
    fb = check("01-last-step", lambda out: out[:, 99])
    assert fb.status == "wrong" and "IndexError" in fb.message


def test_unknown_exercise_names_the_valid_ones():
    with pytest.raises(ValueError, match="01-h_n-shape"):
        check("01-nope", 1)
