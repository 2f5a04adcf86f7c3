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
