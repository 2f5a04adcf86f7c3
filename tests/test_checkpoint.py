"""Checkpoints round-trip exactly and refuse, clearly, anything damaged or foreign."""

import pickle

import pytest
import torch
from torch import nn

from rnn_course import CheckpointError, load_checkpoint, save_checkpoint


def model(h=8):
    torch.manual_seed(0)
    return nn.LSTM(3, h, batch_first=True)


def saved(tmp_path):
    m = model()
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    m(torch.randn(2, 4, 3))[0].sum().backward()
    opt.step()
    path = tmp_path / "lstm.pt"
    save_checkpoint(path, m, opt, step=7, meta={"hidden": 8})
    return path, m, opt


def test_round_trip_is_exact(tmp_path):
    path, m, opt = saved(tmp_path)
    torch.manual_seed(1)
    m2 = nn.LSTM(3, 8, batch_first=True)
    opt2 = torch.optim.Adam(m2.parameters(), lr=1e-3)
    payload = load_checkpoint(path, m2, opt2)
    assert payload["step"] == 7 and payload["meta"] == {"hidden": 8}
    for a, b in zip(m.state_dict().values(), m2.state_dict().values()):
        assert torch.equal(a, b)
    s1, s2 = opt.state_dict()["state"], opt2.state_dict()["state"]
    assert all(torch.equal(s1[k]["exp_avg"], s2[k]["exp_avg"]) for k in s1)


def test_corrupted_checkpoint_gives_a_clear_error(tmp_path):
    path, _, _ = saved(tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="corrupted"):
        load_checkpoint(path, model())


def test_truncated_checkpoint_gives_a_clear_error(tmp_path):
    path, _, _ = saved(tmp_path)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="corrupted, truncated"):
        load_checkpoint(path, model())


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_tampered_pickle_with_matching_hash_is_not_executed(tmp_path):
    """Someone replaces the file AND its hash with a pickle that runs code: weights_only stops it."""
    path = tmp_path / "evil.pt"

    class Evil:
        def __reduce__(self):
            return (exec, ("import pathlib; pathlib.Path('PWNED').write_text('x')",))

    path.write_bytes(pickle.dumps(Evil()))
    from rnn_course import sha256_file
    (tmp_path / "evil.pt.sha256").write_text(f"{sha256_file(path)}  evil.pt\n")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(path, model())
    assert not (tmp_path / "PWNED").exists() and not __import__("pathlib").Path("PWNED").exists()


def test_missing_checkpoint_or_checksum_is_explained(tmp_path):
    with pytest.raises(CheckpointError, match="No checkpoint"):
        load_checkpoint(tmp_path / "nope.pt", model())
    path, _, _ = saved(tmp_path)
    (tmp_path / "lstm.pt.sha256").unlink()
    with pytest.raises(CheckpointError, match="no checksum file"):
        load_checkpoint(path, model())


def test_wrong_model_says_which_sizes_were_saved(tmp_path):
    path, _, _ = saved(tmp_path)
    with pytest.raises(CheckpointError, match="different model.*hidden"):
        load_checkpoint(path, model(h=16))


def test_expected_hash_overrides_the_sidecar(tmp_path):
    path, _, _ = saved(tmp_path)
    with pytest.raises(CheckpointError, match="does not match"):
        load_checkpoint(path, model(), expected_sha256="0" * 64)


def test_meta_with_library_objects_is_made_plain_so_it_loads_with_weights_only(tmp_path):
    """torch.__version__ is a str subclass that weights_only refuses; save must store plain str."""
    m = model()
    save_checkpoint(tmp_path / "m.pt", m, meta={"torch": torch.__version__, "sizes": (3, 8)})
    meta = load_checkpoint(tmp_path / "m.pt", model())["meta"]
    assert meta == {"torch": str(torch.__version__), "sizes": [3, 8]} and type(meta["torch"]) is str
    with pytest.raises(ValueError, match="meta"):
        save_checkpoint(tmp_path / "bad.pt", m, meta={"f": lambda: 1})


# --- bad input from a learner (issue 18): refused before anything changes, with what to do -------


def params(m):
    return [p.detach().clone() for p in m.parameters()]


def same(a, b):
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b))


def test_loading_an_lstm_checkpoint_into_a_gru_changes_nothing_and_names_the_first_mismatch(tmp_path):
    path, _, _ = saved(tmp_path)  # nn.LSTM(3, 8): weight_ih_l0 is (32, 3)
    gru = nn.GRU(3, 8, batch_first=True)  # the same names, (24, 3)
    before = params(gru)
    with pytest.raises(CheckpointError, match=r"weight_ih_l0 is \(32, 3\) in the checkpoint but \(24, 3\) in the "
                                              r"model.*nothing was loaded"):
        load_checkpoint(path, gru)
    assert same(params(gru), before)


@pytest.mark.parametrize("other", [nn.LSTM(2, 8, batch_first=True), nn.LSTM(3, 16, batch_first=True),
                                   nn.LSTM(3, 8, num_layers=2, batch_first=True)],
                         ids=["input_size 3 into 2", "hidden 8 into 16", "one layer into two"])
def test_loading_a_checkpoint_into_a_model_of_other_sizes_changes_nothing(tmp_path, other):
    path, _, _ = saved(tmp_path)
    before = params(other)
    with pytest.raises(CheckpointError, match="different model"):
        load_checkpoint(path, other)
    assert same(params(other), before)


def test_loading_into_a_model_with_extra_layers_names_the_missing_tensors(tmp_path):
    path, _, _ = saved(tmp_path)
    deeper = nn.LSTM(3, 8, num_layers=2, batch_first=True)
    with pytest.raises(CheckpointError, match=r"missing from the checkpoint: weight_ih_l1, weight_hh_l1"):
        load_checkpoint(path, deeper)
    m = nn.Sequential(nn.Linear(3, 8))
    with pytest.raises(CheckpointError, match=r"not in the model: weight_ih_l0"):
        load_checkpoint(path, m)


def test_loading_an_adam_checkpoint_with_an_sgd_optimizer_changes_nothing(tmp_path):
    path, _, _ = saved(tmp_path)
    m = model()
    sgd = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    before, opt_before = params(m), sgd.state_dict()
    with pytest.raises(CheckpointError, match=r"holds Adam optimizer state; this optimizer is SGD.*torch\.optim\.Adam"):
        load_checkpoint(path, m, sgd)
    assert same(params(m), before) and sgd.state_dict() == opt_before
    m(torch.randn(2, 4, 3))[0].sum().backward()
    sgd.step()  # the optimizer still works (it was a KeyError: 'momentum' here)


def test_an_adam_checkpoint_that_records_no_class_is_still_refused_by_sgd(tmp_path):
    """Checkpoints saved before the class was recorded: the settings SGD needs are missing from it."""
    path, m, opt = saved(tmp_path)
    payload = torch.load(path, weights_only=True)
    del payload["optimizer_class"]
    old = tmp_path / "old.pt"
    torch.save(payload, old)
    from rnn_course import sha256_file
    (tmp_path / "old.pt.sha256").write_text(f"{sha256_file(old)}  old.pt\n")
    m2 = model()
    sgd = torch.optim.SGD(m2.parameters(), lr=0.1, momentum=0.9)
    with pytest.raises(CheckpointError, match="momentum"):
        load_checkpoint(old, m2, sgd)
    assert same(params(m2), params(model()))
    load_checkpoint(old, m2, torch.optim.Adam(m2.parameters()))  # the right kind still loads


def test_loading_optimizer_state_of_other_shapes_changes_neither_model_nor_optimizer(tmp_path):
    path, _, _ = saved(tmp_path)
    payload = torch.load(path, weights_only=True)
    payload["optimizer"]["state"][0]["exp_avg"] = torch.zeros(5, 5)
    torch.save(payload, path)
    from rnn_course import sha256_file
    (tmp_path / "lstm.pt.sha256").write_text(f"{sha256_file(path)}  lstm.pt\n")
    m = model(h=8)
    torch.manual_seed(3)
    m.weight_hh_l0.data.normal_()  # weights that differ from the checkpoint's
    before = params(m)
    with pytest.raises(CheckpointError, match=r"exp_avg of weight_ih_l0 is \(5, 5\).*\(32, 3\)"):
        load_checkpoint(path, m, torch.optim.Adam(m.parameters()))
    assert same(params(m), before)


def test_asking_for_optimizer_state_a_checkpoint_lacks_leaves_the_model_alone(tmp_path):
    m = model()
    save_checkpoint(tmp_path / "w.pt", m)  # weights only
    other = nn.LSTM(3, 8, batch_first=True)
    before = params(other)
    with pytest.raises(CheckpointError, match="no optimizer state"):
        load_checkpoint(tmp_path / "w.pt", other, torch.optim.Adam(other.parameters()))
    assert same(params(other), before)


@pytest.mark.parametrize("text", ["", "\n", "not a hash  lstm.pt\n", "abc123  lstm.pt\n"],
                         ids=["empty", "blank line", "words", "too short"])
def test_an_empty_or_malformed_checksum_file_is_not_called_a_corrupted_checkpoint(tmp_path, text):
    path, _, _ = saved(tmp_path)
    (tmp_path / "lstm.pt.sha256").write_text(text)
    with pytest.raises(CheckpointError) as e:
        load_checkpoint(path, model())
    msg = str(e.value)
    assert "lstm.pt.sha256" in msg and "holds no SHA-256" in msg and "expected_sha256" in msg
    assert "corrupted" not in msg and "delete it" not in msg


def test_an_expected_hash_that_is_not_a_hash_is_named_not_called_corruption(tmp_path):
    path, _, _ = saved(tmp_path)
    with pytest.raises(CheckpointError, match=r"expected_sha256='abc' is not a SHA-256"):
        load_checkpoint(path, model(), expected_sha256="abc")


def test_saving_where_a_file_blocks_the_folder_says_which_file(tmp_path):
    (tmp_path / "runs").write_text("notes")  # a file where the folder should be
    with pytest.raises(CheckpointError, match=r"runs is a file, not a folder.*another folder"):
        save_checkpoint(tmp_path / "runs" / "day1" / "model.pt", model())
    assert (tmp_path / "runs").read_text() == "notes"
    (tmp_path / "model.pt").mkdir()
    with pytest.raises(CheckpointError, match=r"model.pt is a folder.*file name"):
        save_checkpoint(tmp_path / "model.pt", model())


@pytest.mark.parametrize("name", ["char_lm", "word_lm"])
def test_the_shipped_checkpoints_which_record_no_optimizer_class_still_load(name):
    from rnn_course.paths import data_dir

    payload = load_checkpoint(data_dir() / "checkpoints" / f"{name}.pt")
    assert "optimizer_class" not in payload and payload["optimizer"] is None and payload["model"]
