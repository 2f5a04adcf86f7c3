"""Notebook 00's checks: they report real problems, and pass on a healthy install."""

import pytest
from torch import nn

from rnn_course import checks
from rnn_course.paths import data_dir, project_root


@pytest.mark.parametrize("hidden", [1, 8, 64])
def test_widget_demo_text_gives_nn_rnn_parameter_count(hidden):
    n = sum(p.numel() for p in nn.RNN(4, hidden).parameters())
    assert checks.rnn_parameter_text(hidden).endswith(f"= {n} parameters")


def test_widget_demo_label_follows_the_slider():
    box = checks.widget_demo()
    slider, label = box.children
    slider.value = 20
    assert label.value == checks.rnn_parameter_text(20)


def test_data_check_finds_missing_and_corrupted_files(tmp_path):
    (tmp_path / "a.txt").write_text("hello")
    (tmp_path / "b.txt").write_text("world")
    from rnn_course import sha256_file
    (tmp_path / "SHA256SUMS").write_text(
        f"{sha256_file(tmp_path / 'a.txt')}  a.txt\n{sha256_file(tmp_path / 'b.txt')}  b.txt\n{'0' * 64}  c.txt\n"
    )
    (tmp_path / "b.txt").write_text("w0rld")
    table = checks.check_data(tmp_path)
    status = {row[0]: row[1] for row in table.rows}
    assert status["a.txt"].startswith("✓")
    assert "corrupted" in status["b.txt"] and "missing" in status["c.txt"]
    assert not table.ok


def test_missing_manifest_is_a_problem(tmp_path):
    assert not checks.check_data(tmp_path).ok


def test_shipped_data_matches_its_manifest_and_nothing_is_unlisted():
    table = checks.check_data()
    assert table.ok, str(table)
    listed = {line.split(maxsplit=1)[1].lstrip("*") for line in (data_dir() / "SHA256SUMS").read_text().splitlines()
              if line.strip() and not line.startswith("#")}
    shipped = {str(p.relative_to(data_dir())) for p in data_dir().rglob("*")
               if p.is_file() and p.name not in {"README.md", "SHA256SUMS"} and "__pycache__" not in p.parts
               and p.suffix != ".sha256"}  # a checkpoint's own checksum file travels beside it
    assert shipped == listed, f"files in data/ not in SHA256SUMS (or listed but absent): {shipped ^ listed}"


def test_widget_check_passes_in_the_course_environment():
    table = checks.widget_check()
    assert table.ok, str(table)


def test_course_map_lists_every_notebook_that_exists():
    table = checks.course_map()
    ready = {row[0] for row in table.rows if row[-1] == "ready"}
    on_disk = {p.name[:2] for p in (project_root() / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert ready == on_disk and "00" in ready


def test_smoke_training_learns():
    _, summary, before, after = checks.smoke_train(steps=100)
    assert summary.reason == "completed" and after < 0.1 * before


def test_table_renders_as_text_and_html():
    t = checks.Table(["a", "b"], [["1", "<x>"]], "T")
    assert "<x>" in str(t) and "&lt;x&gt;" in t._repr_html_()
