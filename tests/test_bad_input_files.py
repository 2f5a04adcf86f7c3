"""Issue 18: a learner's text file or folder of clips that the course cannot use is refused by name,
with what to do, before anything trains on it."""

import numpy as np
import pytest
import soundfile as sf

from rnn_course.capstone.data import DataError, load_data

SR = 16000


def tone(seconds, freq=440.0):
    t = np.arange(int(seconds * SR)) / SR
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_a_file_of_nul_bytes_is_refused_as_binary_not_read_as_text(tmp_path):
    path = tmp_path / "zeros.txt"
    path.write_bytes(b"\x00" * 8192)  # valid UTF-8, and 8,192 characters: long enough to "train" on
    with pytest.raises(DataError, match=r"zeros\.txt looks like binary data.*NUL.*Plain text") as err:
        load_data("text-file", path)
    assert isinstance(err.value, ValueError)


def test_control_characters_in_a_text_are_refused_but_tabs_and_page_breaks_are_text(tmp_path):
    prose = "Once upon a time,\tthere was a king.\n\f" * 200
    (tmp_path / "ok.txt").write_text(prose, encoding="utf-8")
    assert len(load_data("text-file", tmp_path / "ok.txt").parts["train"]) > 0
    (tmp_path / "bin.txt").write_text("".join(chr(1 + c % 8) + "ab" for c in range(3000)), encoding="utf-8")  # no NUL
    with pytest.raises(DataError, match=r"bin\.txt looks like binary data, not text: 3,000 control character\(s\), the first"):
        load_data("text-file", tmp_path / "bin.txt")


def write_clips(folder, long_seconds=None):
    folder.mkdir()
    for label, freq in (("low", 300.0), ("high", 2500.0)):
        for i in range(3):
            sf.write(folder / f"{label}_s{i}_{i}.wav", tone(0.3, freq), SR)
    if long_seconds:
        sf.write(folder / "low_s9_9.wav", tone(long_seconds, 300.0), SR)
    return folder


def test_a_clip_over_a_minute_in_a_wav_folder_is_refused_naming_the_file_and_the_limit(tmp_path):
    folder = write_clips(tmp_path / "clips", long_seconds=61)  # one long recording would pad every clip to it
    with pytest.raises(DataError, match=r"low_s9_9\.wav is 61\.0 s long; clips may be at most 60 s.*Cut it"):
        load_data("wav-folder", folder)
    data = load_data("wav-folder", folder, max_seconds=120)  # the limit is stated, and can be raised
    assert max(len(x) for x in data.items) > 6000  # (T, F): 10 ms frames
    with pytest.raises(DataError, match="max_seconds must be a number of seconds > 0"):
        load_data("wav-folder", folder, max_seconds=0)
