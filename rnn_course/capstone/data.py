"""Notebook 10's data: the course's data sets and the learner's own file, through one entry point.

    data = load_data("shakespeare-genre")             # the default: passages labelled by genre
    data = load_data("csv-series", "my_meter.csv")    # any timestamp column + numeric value columns
    data = load_data("text-file", "my_novel.txt")     # plain UTF-8 text
    data = load_data("wav-folder", "clips/")          # WAV clips named by label (see load_wav_folder)
    data = load_data("tsv-pairs", "fra.txt")          # source<TAB>target sentence pairs

Each call returns one of four kinds of data, and the kind says the task:

* :class:`LabelledSequences` → classify (many-to-one): token lists or (T, F) frames, one label each;
* :class:`SeriesData` → forecast the next value of the first column (a DataFrame on a DatetimeIndex);
* :class:`TextData` → generate (a character language model);
* :class:`PairsData` → translate (sentence pairs).

Every item carries its split ("train", "valid", "test"), fixed here once, so no later step can
leak. A file the course cannot use raises :class:`DataError` (a ``ValueError``) whose message
says what is wrong and what to do; the notebook's picker shows it and keeps running. What the
CSV loader decided about a file (its date order, Unix time, delimiter, …) is in ``SeriesData.notes``
and printed with the data (see :mod:`.reading`).
"""

from __future__ import annotations

import inspect
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..forecast.data import load_msft, load_taylor
from ..language.data import _corpus_dir, plays, shakespeare, words
from ..speech.data import SpeechCorpus, load_audio, log_mel
from ..translation.data import load_tatoeba_tsv
from ..translation.corpus import make_splits
from ..validate import is_number, is_whole, one_of, whole
from .reading import (DataError, check_gaps, check_text, check_values, find_time_column, no_missing_values,
                      one_row_per_time, parse_times, read_csv)

__all__ = ["DataError", "LabelledSequences", "SeriesData", "TextData", "PairsData", "CHOICES", "OWN_FILES",
           "load_data", "shakespeare_genres", "spoken_commands", "load_wav_folder", "load_csv_series", "load_text_file",
           "load_pairs_tsv", "stratified_split"]

SPLITS = ("train", "valid", "test")
GENRES = {"comedies": "comedy", "histories": "history", "tragedies": "tragedy"}


@dataclass
class LabelledSequences:
    """Sequences with one label each. ``items[i]`` is a list of tokens (``kind="tokens"``) or a
    float32 array (T, F) of frames (``kind="frames"``); ``groups[i]`` names where it came from
    (a play, a speaker); ``split[i]`` is "train", "valid" or "test"."""

    name: str
    kind: str
    items: list
    labels: list[str]
    groups: list[str]
    split: list[str]
    task: str = "classify"
    source: str = ""  # the CHOICES key load_data was called with

    @property
    def classes(self) -> list[str]:
        return sorted(set(self.labels))

    def part(self, split: str) -> tuple[list, list[str]]:
        """(items, labels) of one split."""
        idx = [i for i, s in enumerate(self.split) if s == split]
        return [self.items[i] for i in idx], [self.labels[i] for i in idx]

    def counts(self) -> pd.DataFrame:
        """Examples per class (rows) and split (columns)."""
        table = pd.crosstab(pd.Series(self.labels, name="class"), pd.Series(self.split, name="split"))
        return table.reindex(columns=[s for s in SPLITS if s in table.columns])

    def __str__(self) -> str:
        n = Counter(self.split)
        return (f"{self.name}: {len(self.items):,} labelled sequences ({self.kind}), classes {self.classes}; "
                + ", ".join(f"{s} {n[s]:,}" for s in SPLITS))


@dataclass
class SeriesData:
    """A time series: ``frame`` on a DatetimeIndex (or, for a file that numbers its steps, an
    integer index of step numbers), float columns; the target is column 0. ``notes`` say what
    the loader decided about the file (date order, Unix time, delimiter, …); ``str()`` shows them."""

    name: str
    frame: pd.DataFrame
    bounds: tuple[int, int]  # positions where train ends and valid ends (the rest is test)
    task: str = "forecast"
    source: str = ""  # the CHOICES key load_data was called with
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        a, b = self.bounds
        f = self.frame
        return (f"{self.name}: {len(f):,} steps × {f.shape[1]} column(s) {list(f.columns)}, "
                f"{f.index[0]} … {f.index[-1]}; train {a:,}, valid {b - a:,}, test {len(f) - b:,} (split by time)"
                + "".join(f"\n  note: {n}" for n in self.notes))


@dataclass
class TextData:
    """Plain text, split by position: the first 80 % trains, the next 10 % validates, the rest tests."""

    name: str
    parts: dict[str, str]
    task: str = "generate"
    source: str = ""  # the CHOICES key load_data was called with

    def __str__(self) -> str:
        return f"{self.name}: " + ", ".join(f"{s} {len(t):,} characters" for s, t in self.parts.items())


@dataclass
class PairsData:
    """Sentence pairs (source, target) per split."""

    name: str
    parts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    task: str = "translate"
    source: str = ""  # the CHOICES key load_data was called with

    def __str__(self) -> str:
        return f"{self.name}: " + ", ".join(f"{s} {len(p):,} pairs" for s, p in self.parts.items())


def _progress(items, what: str, show: bool | None = None):
    """``items`` with a progress bar (tqdm) when ``show`` (default: more than 200 items) says the loop
    takes more than a few seconds."""
    from tqdm.auto import tqdm

    return tqdm(items, desc=what, leave=False) if (len(items) > 200 if show is None else show) else items


# ------------------------------------------------------------------------------- the course's data
_SPEAKER = re.compile(r"^[A-Z][A-Z0-9 .,'&\-]*:\s*$")


def shakespeare_genres(passage_words: int = 40, max_per_play: int | None = 400) -> LabelledSequences:
    """Passages of ``passage_words`` word tokens from every comedy, history and tragedy, labelled by
    genre, split by whole play as ``plays.csv`` says (held-out passages come from unseen plays).

    Speaker headings ("HAMLET:") are removed first, so a classifier cannot learn character names
    from them (names inside the speeches stay). ``max_per_play`` evenly thins long plays so one
    play cannot dominate (and training stays quick); None keeps every passage.
    """
    if not isinstance(passage_words, int) or passage_words < 2:
        raise ValueError(f"passage_words must be a whole number ≥ 2, got {passage_words!r}")
    items, labels, groups, split = [], [], [], []
    for row in plays():
        if row["genre"] not in GENRES:
            continue  # problem plays, Roman plays and romances are left out: their genre is disputed
        text = (_corpus_dir() / row["genre"] / f"{row['play']}.txt").read_text(encoding="utf-8")
        tokens = words("\n".join(line for line in text.splitlines() if not _SPEAKER.match(line)))
        passages = [tokens[i:i + passage_words] for i in range(0, len(tokens) - passage_words + 1, passage_words)]
        if max_per_play is not None and len(passages) > max_per_play:
            keep = np.linspace(0, len(passages) - 1, max_per_play).round().astype(int)
            passages = [passages[i] for i in keep]
        items += passages
        labels += [GENRES[row["genre"]]] * len(passages)
        groups += [row["play"]] * len(passages)
        split += [row["split"]] * len(passages)
    return LabelledSequences("Shakespeare passages by genre", "tokens", items, labels, groups, split)


COMMANDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")


def spoken_commands(n_mels: int = 40) -> LabelledSequences:
    """The one-word command clips of notebook 07's synthesized corpus (``data/speech``) → log-mel
    frames (T, F=n_mels), labelled by the word, split by **voice** as the corpus is (test voices
    are never trained on; its harder accent splits are left out)."""
    corpus = SpeechCorpus.load(splits=SPLITS)
    clips = [(s, clip) for s in SPLITS for clip in corpus[s] if clip.text in COMMANDS]
    items, labels, groups, split = [], [], [], []
    for s, clip in _progress(clips, "log-mel frames"):
        items.append(log_mel(clip.wave, n_mels=n_mels))
        labels.append(clip.text)
        groups.append(clip.speaker)
        split.append(s)
    return LabelledSequences("spoken command words", "frames", items, labels, groups, split)


def _course_text() -> TextData:
    return TextData("Shakespeare (characters)", {s: shakespeare(s, max_chars=m)
                                                 for s, m in (("train", 300_000), ("valid", 30_000), ("test", 30_000))})


def _course_pairs() -> PairsData:
    parts = make_splits(2000, 200, 200, seed=0)
    return PairsData("generated English–French pairs", {s: [(p.en, p.fr) for p in parts[s]] for s in SPLITS})


def _course_series(which: str) -> SeriesData:
    if which == "msft":
        frame = np.log(load_msft()[["close"]]).diff().dropna().rename(columns={"close": "log_return"})
        name = "Microsoft daily log returns"
    else:
        frame, name = load_taylor().to_frame(), "half-hourly electricity load"
    n = len(frame)
    return SeriesData(name, frame, (int(0.7 * n), int(0.85 * n)))


# ------------------------------------------------------------------------------- the learner's files
def _existing(path, what: str, folder: bool = False) -> Path:
    if path is None or str(path).strip() == "":
        raise DataError(f"give the path of your {what}")
    p = Path(path).expanduser()
    if not p.exists():
        raise DataError(f"{p} does not exist; check the path (relative paths start from {Path.cwd()})")
    if folder and not p.is_dir():
        raise DataError(f"{p} is a file; give the folder that holds your {what}")
    if not folder and p.is_dir():
        raise DataError(f"{p} is a folder; give the {what} itself")
    if not folder and p.stat().st_size == 0:
        raise DataError(f"{p} is empty; give a file with data in it")
    return p


def stratified_split(labels: list[str], seed: int = 0, test: float = 0.2, valid: float = 0.1) -> list[str]:
    """A split per item, class by class: each class gets at least one test and one training example.

    A class with a single example cannot be both learned and tested: that raises DataError.
    """
    by_class: dict[str, list[int]] = {}
    for i, lab in enumerate(labels):
        by_class.setdefault(lab, []).append(i)
    lonely = sorted(c for c, idx in by_class.items() if len(idx) < 2)
    if lonely:
        raise DataError(f"class(es) {lonely} have only one example; a class needs at least 2 (one to learn "
                        "from, one to test on) — add examples or remove that class")
    if len(by_class) < 2:
        raise DataError(f"only one class ({next(iter(by_class))!r}) was found; classification needs at least 2")
    split = ["train"] * len(labels)
    rng = random.Random(seed)
    for lab in sorted(by_class):
        idx = by_class[lab][:]
        rng.shuffle(idx)
        n_test = max(1, round(test * len(idx)))
        n_valid = round(valid * len(idx)) if len(idx) - n_test >= 3 else 0
        for i in idx[:n_test]:
            split[i] = "test"
        for i in idx[n_test:n_test + max(n_valid, 1 if len(idx) - n_test >= 3 else 0)]:
            split[i] = "valid"
    return split


def speaker_split(labels: list[str], speakers: list[str], seed: int = 0, test: float = 0.2,
                  valid: float = 0.1) -> list[str] | None:
    """Whole speakers to test and validation, so evaluation is on voices never trained on.

    Returns None when that is impossible (fewer than 3 speakers, or a class that would be
    missing from training or test); the caller then splits clip by clip.
    """
    people = sorted(set(speakers))
    if len(people) < 3:
        return None
    random.Random(seed).shuffle(people)
    n_test = max(1, round(test * len(people)))
    n_valid = max(1, round(valid * len(people))) if len(people) - n_test >= 3 else 0
    part = {p: "test" for p in people[:n_test]} | {p: "valid" for p in people[n_test:n_test + n_valid]}
    split = [part.get(s, "train") for s in speakers]
    for needed in ("train", "test"):
        if {lab for lab, sp in zip(labels, split) if sp == needed} != set(labels):
            return None
    return split


MAX_CLIP_SECONDS = 60.0  # one label per clip: a longer recording is several utterances (and pads every clip)


def load_wav_folder(folder, sr: int = 16000, n_mels: int = 40, seed: int = 0,
                    max_seconds: float = MAX_CLIP_SECONDS) -> LabelledSequences:
    """Labelled clips → log-mel frames (T, F=n_mels), via ``rnn_course.speech.data``.

    Two layouts, whichever the folder uses:

    * sub-folders named by label: ``yes/clip1.wav``, ``no/clip7.wav``;
    * flat, label first in the name: ``yes_alice_0.wav`` (label ``yes``, speaker ``alice``).

    With the flat layout and at least 3 speakers, whole speakers are held out for test and
    validation (:func:`speaker_split`), as real evaluation needs; otherwise clips are split
    class by class (:func:`stratified_split`: 20 % test, 10 % validation) and the same voice can
    be in training and test — the data set's name says which.

    A clip longer than ``max_seconds`` (default 60 s) is refused by name: each clip carries one
    label, and one long recording would pad every clip of its batch to its length.
    """
    root = _existing(folder, "folder of WAV clips", folder=True)
    if not is_number(max_seconds) or max_seconds <= 0:
        raise DataError(f"max_seconds must be a number of seconds > 0, e.g. 60; got {max_seconds!r}")
    nested = sorted(p for p in root.glob("*/*") if p.suffix.lower() == ".wav")
    flat = sorted(p for p in root.glob("*") if p.suffix.lower() == ".wav")
    if nested and flat:
        raise DataError(f"{root} mixes WAV files at the top ({flat[0].name}) with sub-folders "
                        f"({nested[0].parent.name}/); use one layout: label/clip.wav or label_speaker_index.wav")
    if not nested and not flat:
        raise DataError(f"no .wav files in {root}; name clips label_speaker_index.wav, or put them in one "
                        "sub-folder per label (label/clip.wav)")
    items, labels, groups = [], [], []
    for p in _progress(nested or flat, "reading clips"):
        if nested:
            label, group = p.parent.name, p.stem
        else:
            label, _, rest = p.stem.partition("_")
            if not rest:
                raise DataError(f"{p.name}: the label comes before the first '_' (e.g. yes_alice_0.wav); "
                                "rename it, or put clips in one sub-folder per label")
            group = rest.split("_")[0]
        try:
            wave = load_audio(p, sr=sr, max_seconds=None)  # the limit below is this loader's, with its own message
            if len(wave) > max_seconds * sr:
                raise DataError(f"{p.name} is {len(wave) / sr:,.1f} s long; clips may be at most {max_seconds:g} s "
                                "(one label per clip). Cut it into short clips, one word or sound each, or pass "
                                "max_seconds=… to load_data if your labels really span longer recordings")
            frames = log_mel(wave, sr=sr, n_mels=n_mels)  # (T, F)
        except DataError:
            raise
        except (ValueError, RuntimeError, OSError) as e:  # speech.AudioError is a ValueError
            raise DataError(f"{p.name}: cannot use this clip ({e}); remove it or record it again") from e
        if len(frames) < 1:
            raise DataError(f"{p.name}: the clip is too short to give a single 10 ms frame; remove it")
        items.append(np.asarray(frames, dtype=np.float32))
        labels.append(label)
        groups.append(group)
    by_speaker = None if nested else speaker_split(labels, groups, seed)
    how = "split by speaker" if by_speaker else "split clip by clip: voices may be in train and test"
    return LabelledSequences(f"WAV clips in {root.name} ({how})", "frames", items, labels, groups,
                             by_speaker or stratified_split(labels, seed))


MIN_SERIES_ROWS = 60


def load_csv_series(path, time_column: str | None = None, value_columns=None, *, dayfirst: bool | None = None,
                    fill_gaps: int = 0) -> SeriesData:
    """A CSV with one time column and numeric value columns → a clean series, split by time
    (70 % train, 15 % validation, 15 % test). The first value column is the one forecast.

    The file may be separated by commas, semicolons or tabs, and write decimals with a comma
    (12,5); the time column is ``time_column`` or the first column whose name is date/time-like
    or whose every value parses as a date, read as :func:`.reading.parse_times` says (date order
    from the whole column, ``dayfirst`` to settle it; Unix time only in a plausible range;
    mixed UTC offsets converted to UTC with a ``local_hour`` column). Value columns:
    ``value_columns`` or every numeric column. Rows are sorted by time; repeated times, empty
    cells, irregular spacing and gaps are refused with their positions, except gaps of up to
    ``fill_gaps`` missing steps, which are interpolated. What was decided is in ``data.notes``.
    """
    p = _existing(path, "CSV time series")
    try:
        whole("fill_gaps", fill_gaps, at_least=0)
        one_of("dayfirst", dayfirst, (None, True, False))
    except ValueError as e:
        raise DataError(str(e)) from None
    df, notes = read_csv(p)
    if df.empty:
        raise DataError(f"{p} has a header but no data rows")
    time_column = find_time_column(df, p, time_column)
    index, more, local_hour = parse_times(df[time_column], p, dayfirst)
    notes += more
    rest = [c for c in df.columns if c != time_column]
    if value_columns is None:
        value_columns = [c for c in rest if pd.api.types.is_numeric_dtype(df[c])]
        # a column of numbers with some text cells ("n.a.", "12 kW") was meant as values: name the cells
        check_values(df, [c for c in rest if pd.to_numeric(df[c], errors="coerce").notna().mean() > 0.5], p)
        if not value_columns:
            raise DataError(f"{p}: no numeric value column besides {time_column!r} (columns: {rest}); "
                            "values must be plain numbers like 12.5")
    else:
        value_columns = [value_columns] if isinstance(value_columns, str) else list(value_columns)
        missing = [c for c in value_columns if c not in df.columns]
        if missing:
            raise DataError(f"{p}: no column(s) {missing}; name columns as the file's header writes them "
                            f"(case matters): {list(df.columns)}")
        check_values(df, value_columns, p)
    frame = df[value_columns].astype("float64").set_index(index)
    if local_hour is not None:
        frame["local_hour"] = local_hour
    one_row_per_time(frame.index, p)
    if not frame.index.is_monotonic_increasing:
        i = int(np.argmax(frame.index[1:] < frame.index[:-1])) + 1
        notes.append(f"rows were not in time order (row {i + 2} of the file is earlier than the row above it); "
                     "sorted by time")
        frame = frame.sort_index(kind="stable")
    no_missing_values(frame, p)
    frame, more = check_gaps(frame, p, fill_gaps)
    notes += more
    if len(frame) < MIN_SERIES_ROWS:
        raise DataError(f"{p} has {len(frame)} rows; a forecast with train, validation and test parts needs at "
                        f"least {MIN_SERIES_ROWS}")
    n = len(frame)
    return SeriesData(p.name, frame, (int(0.7 * n), int(0.85 * n)), notes=notes)


def load_text_file(path, min_chars: int = 2000) -> TextData:
    """A plain UTF-8 text file, split by position: 80 % train, 10 % validation, 10 % test.
    Binary data is refused even when it decodes (NUL bytes, control characters: :func:`.reading.check_text`)."""
    p = _existing(path, "text file")
    if not is_whole(min_chars) or min_chars < 1:
        raise DataError(f"min_chars must be a whole number ≥ 1 (the default, 2000, suits a character model), got {min_chars!r}")
    try:
        text = p.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        raise DataError(f"{p} is not UTF-8 text (byte {e.start}); re-save it as UTF-8 plain text") from None
    check_text(p, text)
    if len(text.strip()) < min_chars:
        raise DataError(f"{p} has {len(text.strip()):,} characters; a character model needs at least "
                        f"{min_chars:,} to learn from and test on — give a longer text")
    a, b = int(0.8 * len(text)), int(0.9 * len(text))
    return TextData(p.name, {"train": text[:a], "valid": text[a:b], "test": text[b:]})


def load_pairs_tsv(path, seed: int = 0) -> PairsData:
    """``source<TAB>target[<TAB>anything]`` lines (a Tatoeba export works), shuffled with ``seed``
    and split 80 / 10 / 10. Reads through :func:`rnn_course.translation.data.load_tatoeba_tsv`."""
    p = _existing(path, "TSV of sentence pairs")
    try:
        pairs = [(q.en, q.fr) for q in load_tatoeba_tsv(p)]
    except ValueError as e:
        raise DataError(str(e)) from None
    if len(pairs) < 20:
        raise DataError(f"{p} has {len(pairs)} pair(s); give at least 20 (train, validation and test need some each)")
    random.Random(seed).shuffle(pairs)
    a, b = int(0.8 * len(pairs)), int(0.9 * len(pairs))
    return PairsData(p.name, {"train": pairs[:a], "valid": pairs[a:b], "test": pairs[b:]})


# ------------------------------------------------------------------------------- one entry point
CHOICES = {  # what the picker offers → (label shown, needs a path?)
    "shakespeare-genre": ("Shakespeare passages → genre (classify, default)", False),
    "spoken-commands": ("Spoken command words, synthesized voices (classify)", False),
    "shakespeare-text": ("Shakespeare as characters (generate)", False),
    "msft-returns": ("Microsoft daily returns (forecast)", False),
    "electricity-load": ("Half-hourly electricity load (forecast)", False),
    "english-french": ("Generated English–French pairs (translate)", False),
    "csv-series": ("My CSV time series (timestamp + value columns)", True),
    "text-file": ("My plain-text file", True),
    "wav-folder": ("My folder of WAV clips named by label", True),
    "tsv-pairs": ("My TSV of sentence pairs", True),
}
OWN_FILES = tuple(k for k, (_, needs) in CHOICES.items() if needs)


def load_data(choice: str = "shakespeare-genre", path=None, **options):
    """The data for ``choice`` (a key of :data:`CHOICES`); ``path`` for the learner's own files;
    ``options`` go to the loader (e.g. ``dayfirst=True`` for :func:`load_csv_series`).

    Every failure to read a learner's file is a :class:`DataError`: one the loaders foresaw, or
    any other error reading it (an ``OSError``, a parser's ``ValueError``), named with the file.
    """
    if choice not in CHOICES:
        raise DataError(f"unknown choice {choice!r}; choose one of {', '.join(CHOICES)}")
    loaders = {  # choice → (loader, its leading arguments)
        "shakespeare-genre": (shakespeare_genres, ()),
        "spoken-commands": (spoken_commands, ()),
        "shakespeare-text": (_course_text, ()),
        "msft-returns": (_course_series, ("msft",)),
        "electricity-load": (_course_series, ("taylor",)),
        "english-french": (_course_pairs, ()),
        "csv-series": (load_csv_series, (path,)),
        "text-file": (load_text_file, (path,)),
        "wav-folder": (load_wav_folder, (path,)),
        "tsv-pairs": (load_pairs_tsv, (path,)),
    }
    loader, args = loaders[choice]
    accepted = list(inspect.signature(loader).parameters)[len(args):]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise DataError(f"{choice!r} has no option(s) {unknown}; use one of its options: {', '.join(accepted) or 'none'}")
    try:
        data = loader(*args, **options)
    except DataError:
        raise
    except (OSError, ValueError) as e:
        if choice not in OWN_FILES:
            raise
        raise DataError(f"{path}: the course could not read it ({type(e).__name__}: {e}); check that it is "
                        f"{CHOICES[choice][0].removeprefix('My ')} and try again") from e
    data.source = choice
    return data
