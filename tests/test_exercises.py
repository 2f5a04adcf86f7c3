"""Each checker accepts the right answer, rejects the usual wrong one with a pointed message
(and any answer of the wrong kind with feedback, never a traceback), answers an unanswered
exercise with a nudge, and leaves the worked answer to solution()."""

import math
import re

import numpy as np
import pytest
import torch
from torch import nn

from rnn_course.exercises import EXERCISES, check, core, solution
from rnn_course.exercises.core import KEYED_HEADING, Exercise
from rnn_course.families.tcn import TCNConfig
from rnn_course.forecast.data import Scaler, load_msft
from rnn_course.paths import project_root
from rnn_course.scaling.views import allreduce_seconds


def true_hn_shape():
    gru = nn.GRU(8, 16, num_layers=2, bidirectional=True, batch_first=True)
    return tuple(gru(torch.zeros(3, 10, 8))[1].shape)


CORRECT = {
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
    "07-ctc-decode": "one",
    "07-output-frames": 63,
    "07-snr-db": lambda clean, noisy: 10 * math.log10(float((clean ** 2).mean()) / float(((noisy - clean) ** 2).mean())),
    "08-receptive-field": TCNConfig(vocab_size=2, kernel_size=3, num_layers=5).receptive_field,
    "08-state-bytes": nn.GRU(64, 256, batch_first=True)(torch.zeros(1, 2000, 64))[1].numel() * 4,
    "09-shard-size": 96 // (2 * 4),  # torchrun --nnodes=2 --nproc-per-node=4: W = 8
    "09-allreduce-ms": allreduce_seconds(25e6 * 4, 4, 10e9) * 1e3,
    "09-lost-steps": 437 - 400,
    "10-majority-accuracy": 400 / 1200,  # 400 test passages per genre; majority = history
    "10-masked-mean": lambda out, lengths: ((out * (torch.arange(out.shape[1])[None, :] < lengths[:, None])[..., None]).sum(1)
                                            / lengths[:, None]),
}
WRONG = {
    "01-h_n-shape": ((3, 4, 16), "never batch-first"),
    "01-last-step": (lambda out: out[-1], "last sample"),
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
    "06-daily-profile": (lambda load: load.groupby(load.index.hour).mean(), "mean per hour"),
    "07-ctc-decode": ("oonnee", "repeats"),
    "07-output-frames": (251, "halve"),
    "07-snr-db": (lambda clean, noisy: 10 * math.log10(float(abs(clean).mean()) / float(abs(noisy - clean).mean())),
                  "amplitude|got"),
    "08-receptive-field": (11, "dilations double"),
    "08-state-bytes": (2000 * 256 * 4, "KV cache"),
    "09-shard-size": (96 // 2, "machines only"),
    "09-allreduce-ms": (25e6 * 4 * 8 / 10e9 * 1e3, "2·\\(W−1\\)/W"),
    "09-lost-steps": (450 - 437, "last snapshot written"),
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


@pytest.mark.parametrize("name", sorted(name for name, answer in CORRECT.items() if callable(answer)))
@pytest.mark.parametrize("stub", [lambda *args: ..., lambda *args: None])  # `return ...`, or a body of `...`
def test_a_function_exercise_left_as_its_stub_gets_the_nudge(name, stub):
    fb = check(name, stub)
    assert fb.status == "unanswered" and EXERCISES[name].nudge in fb.message


def test_a_crashing_learner_function_is_feedback_not_a_traceback():
    fb = check("01-last-step", lambda out: out[:, 99])
    assert fb.status == "wrong" and "IndexError" in fb.message


def test_unknown_exercise_names_the_valid_ones():
    with pytest.raises(ValueError, match="01-h_n-shape"):
        check("01-nope", 1)


# --- any answer of the wrong kind is feedback, never a traceback ---------------------------------

JUNK = {
    "None": None,
    "text": "200",
    "a fraction": 1.5,
    "a random tensor of a wrong shape": torch.randn(7, 2),
    "an empty list": [],
    "NaN": float("nan"),
    "a tensor with grad": torch.randn(3, requires_grad=True),
    "True": True,
    "a dict": {"answer": 1},
    "a function returning text": lambda *args: "200",
    "a function returning NaN": lambda *args: float("nan"),
    "a function returning a wrong-shaped tensor with grad": lambda *args: torch.randn(7, 2, requires_grad=True),
    "a function returning an int tensor": lambda *args: torch.zeros(3, 4, dtype=torch.long),
    "a function returning a NaN tensor": lambda *args: torch.full((3, 4), float("nan")),
    "a function returning an empty list": lambda *args: [],
    "a function that raises": lambda *args: 1 / 0,
}


@pytest.mark.parametrize("junk", sorted(JUNK))
@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_every_checker_turns_junk_into_its_own_feedback(name, junk):
    fb = check(name, JUNK[junk])  # must not raise
    assert not fb.ok and fb.status in ("wrong", "unanswered") and fb.message
    assert "could not be checked" not in fb.message, "the checker itself should name what is wrong, not the guard"


def test_the_shared_guard_turns_a_checker_crash_into_feedback(monkeypatch):
    def crashing_judge(answer):
        raise RuntimeError("The size of tensor a (3) must match the size of tensor b (6)")

    monkeypatch.setitem(EXERCISES, "01-h_n-shape", Exercise(1, "a nudge.", crashing_judge))
    fb = check("01-h_n-shape", (4, 3, 16))
    assert fb.status == "wrong" and "could not be checked" in fb.message and "RuntimeError" in fb.message


def test_masked_mean_summing_the_padding_gets_feedback_not_a_crash():
    # notebook 10's exercise 2: this plausible answer crashed the checker with a RuntimeError
    fb = check("10-masked-mean", lambda out, lengths: out.sum(dim=1) / lengths[:, None])
    assert fb.status == "wrong" and "padding" in fb.message and "zeros" in fb.message


@pytest.mark.parametrize("wrong, explanation", [
    (lambda out, lengths: ((out * (torch.arange(6)[None, :] < lengths[:, None])[..., None]).sum(1) / 6), "divided by T"),
    (lambda out, lengths: (out * (torch.arange(6)[None, :] < lengths[:, None])[..., None]).sum(1), "sum over the real"),
    (lambda out, lengths: out[torch.arange(3), lengths - 1], "last real step"),
    (lambda out, lengths: (out.sum(1) / lengths[:, None]).long(), "float tensor"),
])
def test_masked_mean_names_what_a_wrong_mean_is(wrong, explanation):
    fb = check("10-masked-mean", wrong)
    assert fb.status == "wrong" and explanation in fb.message


# --- diagnoses say only what is true -------------------------------------------------------------


def msft_returns():
    return np.log(load_msft()["close"]).diff().dropna()


def test_up_share_over_the_whole_history_is_not_called_the_down_share():
    r = msft_returns().to_numpy()
    whole_history = float(np.mean(r > 0))  # 0.4610: 2.8e-4 from the test years' down share
    fb = check("05-up-share", whole_history)
    assert fb.status == "wrong" and "whole history" in fb.message and "down" not in fb.message


@pytest.mark.parametrize("slip, explanation", [
    ("whole history, days that moved", "whole history"),
    ("test days, counting no-change days", "no change"),
    ("test days, share down", "down days"),
    ("before the test, days that moved", "before the test"),
])
def test_up_share_names_the_slip_it_matches(slip, explanation):
    r = msft_returns()
    test = r[r.index >= "2015-11-10"].to_numpy()
    moved = test[test != 0]
    before = r[r.index < "2015-11-10"].to_numpy()
    value = {
        "whole history, days that moved": np.mean(r.to_numpy()[r.to_numpy() != 0] > 0),
        "test days, counting no-change days": np.mean(test > 0),
        "test days, share down": np.mean(moved < 0),
        "before the test, days that moved": np.mean(before[before != 0] > 0),
    }[slip]
    fb = check("05-up-share", float(value))
    assert fb.status == "wrong" and explanation in fb.message and "more than one" not in fb.message


def test_up_share_that_fits_two_slips_names_both():
    fb = check("05-up-share", 0.461)  # rounded: the whole history's up share, or the test years' down share
    assert fb.status == "wrong" and "whole history" in fb.message and "down days" in fb.message


# --- the task's type is part of the answer -------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.long, torch.int32, torch.float32])
def test_padding_mask_must_be_boolean(dtype):
    fb = check("04-padding-mask", lambda lengths, max_len: (torch.arange(max_len)[None, :] < lengths[:, None]).to(dtype))
    assert fb.status == "wrong" and "booleans" in fb.message


NUMBER_LIKE = sorted(name for name, answer in CORRECT.items() if not callable(answer) and not isinstance(answer, str))


@pytest.mark.parametrize("name", NUMBER_LIKE)
def test_a_right_answer_written_as_text_is_not_accepted(name):
    fb = check(name, str(CORRECT[name]))  # "200", "(4, 3, 16)", "[0, 2, 1, 3, 4]", …
    assert fb.status == "wrong" and "text" in fb.message


@pytest.mark.parametrize("answer", [200, 200.0, np.int64(200), torch.tensor(200)])
def test_a_whole_number_may_come_as_any_number_type(answer):
    assert check("01-lstm-params", answer).ok


@pytest.mark.parametrize("name, answer", [
    ("01-lstm-params", 200.5), ("01-lstm-params", True), ("08-receptive-field", 63.4), ("06-naive-position", 3054.5),
    ("01-h_n-shape", (4.5, 3, 16)), ("04-attention-pattern", [0, 2.2, 1, 3, 4]), ("07-output-frames", "63"),
])
def test_a_fraction_or_a_bool_is_not_a_whole_number(name, answer):
    assert check(name, answer).status == "wrong"


def test_a_last_step_with_values_cast_to_integers_is_not_accepted():
    assert check("01-last-step", lambda out: out[:, -1].long()).status == "wrong"


@pytest.mark.parametrize("name, answer, explanation", [
    ("06-daily-profile", lambda load: load.groupby(load.index.day_of_week).mean(), "day of the week"),
    ("06-daily-profile", lambda load: load.groupby(load.index.time).sum(), "totals"),
    ("01-h_n-shape", (3, 10, 16), "time axis"),
    ("07-output-frames", 126, "first stride-2"),
    ("05-fit-scaler", lambda prices, train_end: Scaler().fit(prices[train_end:]), "test part only"),
])
def test_other_wrong_answers_are_named_for_what_they_are(name, answer, explanation):
    fb = check(name, answer)
    assert fb.status == "wrong" and explanation in fb.message


# --- hints in two steps: a nudge, then the worked answer on request ------------------------------

SOLUTIONS = project_root() / "notebooks" / "solutions"

CALL_OR_INDEX = re.compile(r"[\w\])]\([^)]|\w\[")  # f(x), a[i]: code; f() or a bare name is fine


def solution_code(name):
    return "\n".join(re.findall(r"```python\n(.*?)```", solution(name).markdown, flags=re.S))


def answer_literals(answer):
    if isinstance(answer, (tuple, list)):
        return [str(tuple(answer)) if isinstance(answer, tuple) else str(list(answer))]
    if isinstance(answer, float) and not answer.is_integer():
        return [f"{answer:.2f}", f"{answer:.3f}"]
    if isinstance(answer, (int, float)):
        return [str(int(answer)), f"{int(answer):,}"]
    return []


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_the_nudge_holds_no_code_or_answer_that_solves_it(name):
    nudge = EXERCISES[name].nudge
    assert not CALL_OR_INDEX.search(nudge), f"the nudge should point, not solve: {nudge!r}"
    squeezed = re.sub(r"\s", "", nudge)
    for line in solution_code(name).splitlines():
        expression = re.split(r"\breturn\b|(?<![=<>!])=(?!=)", line.split("#")[0])[-1]
        expression = re.sub(r"\s", "", expression)
        assert len(expression) < 4 or expression not in squeezed, f"the nudge gives the solution's {expression!r}"
    for literal in answer_literals(CORRECT[name]):
        assert not re.search(rf"(?<![\d.]){re.escape(literal)}(?!\d)", nudge), f"the nudge gives the answer {literal}"


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_an_unanswered_exercise_gets_the_nudge_and_the_way_to_the_solution(name):
    message = check(name, ...).message
    assert EXERCISES[name].nudge in message and f'solution("{name}")' in message


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_solution_shows_the_worked_answer_with_code(name):
    sol = solution(name)
    assert sol.markdown.startswith(f"## {EXERCISES[name].number}. ") and solution_code(name)
    assert sol.markdown.splitlines()[0].endswith(f"`{name}`")
    assert sol._repr_markdown_() == sol.markdown


def test_every_exercise_key_heads_one_worked_answer_in_its_notebooks_file_and_no_other_key_does():
    headed = [(key, path.name) for path in sorted(SOLUTIONS.glob("*.md"))
              for key in KEYED_HEADING.findall(path.read_text())]
    keys = [key for key, _ in headed]
    assert sorted(keys) == sorted(EXERCISES), (
        f"registered but no heading: {sorted(set(EXERCISES) - set(keys))}; "
        f"a heading but not registered: {sorted(set(keys) - set(EXERCISES))}; "
        f"headed twice: {sorted({k for k in keys if keys.count(k) > 1})}")
    assert all(file.startswith(key[:2] + "_") for key, file in headed)


def test_solution_finds_its_section_by_the_key_in_the_heading_not_by_number(tmp_path, monkeypatch):
    folder = tmp_path / "notebooks" / "solutions"
    folder.mkdir(parents=True)
    (folder / "01_sequences_and_shapes.md").write_text(
        "# Solutions\n\n## 1. An open question\n\nanything\n\n"
        "## 1. h_n · `01-h_n-shape`\n\n(4, 3, 16)\n")
    monkeypatch.setattr(core, "project_root", lambda: tmp_path)
    assert solution("01-h_n-shape").markdown.startswith("## 1. h_n · `01-h_n-shape`\n\n(4, 3, 16)")
    assert "See exercise 2" in solution("01-last-step").markdown  # no heading names it


def test_exercises_are_registered_in_notebook_order():
    assert list(EXERCISES) == sorted(EXERCISES, key=lambda key: (key[:2], EXERCISES[key].number))


def test_a_key_registered_twice_is_refused(monkeypatch):
    monkeypatch.setattr(core, "EXERCISES", dict(EXERCISES))
    with pytest.raises(ValueError, match="registered twice"):
        core.exercise("01-h_n-shape", 1, "a nudge.")(lambda answer: (True, ""))


NEEDS_THE_NOTEBOOK = {"10-majority-accuracy"}  # its solution reads `data` from the notebook's picker


@pytest.mark.parametrize("name", sorted(set(EXERCISES) - NEEDS_THE_NOTEBOOK))
def test_the_worked_answer_passes_its_own_checker(name):
    first_block = re.search(r"```python\n(.*?)```", solution(name).markdown, flags=re.S).group(1)
    namespace = {"torch": torch, "np": np, "math": math, "nn": nn, "Scaler": Scaler, "returns": msft_returns()}
    exec(first_block, namespace)
    defined = re.search(r"^def (\w+)", first_block, flags=re.M)
    answer = namespace[defined.group(1)] if defined else namespace[f"answer_{EXERCISES[name].number}"]
    assert check(name, answer).ok


def test_solution_of_an_unknown_exercise_names_the_valid_ones():
    with pytest.raises(ValueError, match="01-h_n-shape"):
        solution("01-nope")


# --- feedback is plain text: no Markdown markers when printed ------------------------------------

MARKDOWN = re.compile(r"\*\*|`|(?<![\w*])\*\S[^*\n]*?\S\*(?![\w*])|(?<!\w)_[A-Za-z][^_\n]*_(?!\w)")


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_no_message_shows_raw_markdown(name):
    answers = [CORRECT[name], WRONG[name][0], ..., *JUNK.values()]
    for answer in answers:
        printed = str(check(name, answer))
        assert not MARKDOWN.search(printed), printed
