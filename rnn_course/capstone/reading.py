"""Reading a learner's own file without misreading it: the CSV's layout, its time column, and
whether a "text" file is text. Each check refuses what it cannot tell with a :class:`DataError`
naming the file, the problem and the fix, and says what it decided in a note (a string the
CSV loader keeps in ``SeriesData.notes``, which the picker shows with the data).

    frame, notes = read_csv(path)                     # ',' or ';' or tab; decimal commas → numbers
    index, notes, local_hour = parse_times(frame["date"], path)
    check_text(path, text)                            # NUL bytes or control characters → refused

Time columns are read with nothing guessed silently:

* day/month order from the **whole** column: a first number above 12 means day-first
  (31/01/2024), a second above 12 month-first (01/31/2024); when every row fits both, refused
  (or ``dayfirst=True/False`` says which);
* a numeric column is Unix time only inside a plausible range (seconds 1e9–2e9, 2001–2033;
  milliseconds 1e12–2e12), 8-digit whole numbers are YYYYMMDD dates, anything else step numbers;
* timestamps with different UTC offsets (+01:00 then +02:00: a daylight-saving change) are
  converted to UTC, the local hour kept for calendar features.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..forecast.spacing import Gap, IrregularSpacing, Spacing, spacing

__all__ = ["DataError", "read_csv", "check_values", "find_time_column", "parse_times", "one_row_per_time",
           "no_missing_values", "check_gaps", "check_text", "UNIX_SECONDS", "UNIX_MILLISECONDS"]

UNIX_SECONDS = (1e9, 2e9)  # 2001-09-09 … 2033-05-18
UNIX_MILLISECONDS = (1e12, 2e12)
_DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?(\d{1,3}(\.\d{3})+|\d*),\d+\s*$")  # 12,5  1.234,5  -,5
_DAY_MONTH = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b")
_OFFSET = re.compile(r"(?<=\d:\d\d)(?::\d\d(?:\.\d+)?)?\s*(Z|UTC|[+-]\d\d(?::?\d\d)?)\s*$")


class DataError(ValueError):
    """The data cannot be used as given; the message names the file, the problem and the fix."""


def _row(i: int) -> str:
    return f"row {i + 2} of the file"  # 0-based data row → file line (the header is line 1)


# ------------------------------------------------------------------------------- the table
def read_csv(p: Path) -> tuple[pd.DataFrame, list[str]]:
    """The CSV at ``p`` → (frame, notes): the delimiter (',', ';' or tab) read off the header line;
    in a ';'- or tab-separated file, columns of decimal-comma numbers ("12,5", "1.234,5") become floats."""
    try:
        header = p.read_bytes()[:65536].decode("utf-8-sig", errors="replace").splitlines()[0]
    except IndexError:
        raise DataError(f"{p} has no lines; give a CSV with a header line and data") from None
    sep = max(_DELIMITERS, key=header.count) if any(d in header for d in _DELIMITERS) else ","
    try:
        df = pd.read_csv(p, sep=sep, encoding="utf-8-sig", dtype=str, keep_default_na=True, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise DataError(f"{p} has no rows or columns; give a CSV with a header line and data") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as e:
        raise DataError(f"{p} is not a readable CSV ({e}); save it as comma-separated UTF-8 text") from None
    notes = [] if sep == "," else [f"columns separated by {_DELIMITERS[sep]}"]
    commas = []
    for c in df.columns if sep != "," else ():  # in a comma-separated file a quoted "1,234" is a thousands separator
        cells = df[c].dropna()
        if len(cells) and cells.str.match(_DECIMAL_COMMA).all() and not cells.str.contains(r"[/:]").any():
            df[c] = cells.str.replace(".", "", regex=False).str.replace(",", ".", regex=False).reindex(df.index)
            commas.append(str(c))
    if commas:
        notes.append(f"decimal commas read as decimal points in {commas} (12,5 → 12.5)")
    for c in df.columns:  # every other column: numbers where every cell is one
        as_number = pd.to_numeric(df[c], errors="coerce")
        if as_number.notna().sum() == df[c].notna().sum():
            df[c] = as_number
    return df, notes


def check_values(df: pd.DataFrame, columns: list, p: Path) -> None:
    """Each value column must hold numbers: a text cell is named with its row."""
    for c in columns:
        if pd.api.types.is_numeric_dtype(df[c]):
            continue
        cells = df[c].dropna()
        bad = cells[pd.to_numeric(cells, errors="coerce").isna()]
        numeric = [str(k) for k in df.columns if pd.api.types.is_numeric_dtype(df[k])]
        others = f", or choose numeric columns (here: {numeric})" if numeric else ""
        raise DataError(f"{p}: column {c!r} holds text, not numbers ({bad.iloc[0]!r} on {_row(bad.index[0])}"
                        f"{f', {len(bad)} such cells' if len(bad) > 1 else ''}); a value column needs plain "
                        f"numbers like 12.5 — fix those cells{others}")


# ------------------------------------------------------------------------------- the time column
def _numeric_times(col: pd.Series, p: Path) -> tuple[pd.Index, list[str]]:
    values = col.to_numpy(dtype=np.float64)
    lo, hi = float(values.min()), float(values.max())
    name = str(col.name)
    for unit, (a, b), words in (("s", UNIX_SECONDS, "seconds"), ("ms", UNIX_MILLISECONDS, "milliseconds")):
        if a <= lo and hi <= b:
            index = pd.DatetimeIndex(pd.to_datetime(values, unit=unit), name=name)
            return index, [f"{name!r} read as Unix time in {words} ({index[0]} … {index[-1]}, UTC)"]
    whole = np.all(values == np.round(values))
    if whole and 1e7 <= lo and hi < 3e7:
        stamps = pd.to_datetime(values.astype(np.int64).astype(str), format="%Y%m%d", errors="coerce")
        if stamps.notna().all():
            return pd.DatetimeIndex(stamps, name=name), [f"{name!r} read as YYYYMMDD dates ({int(lo)} → {stamps[0]:%Y-%m-%d})"]
    if not whole:
        i = int(np.flatnonzero(values != np.round(values))[0])
        raise DataError(f"{p}: the time column {name!r} holds {values[i]!r} ({_row(i)}), which is neither Unix "
                        f"time (seconds {UNIX_SECONDS[0]:.0e}–{UNIX_SECONDS[1]:.0e} or milliseconds "
                        f"{UNIX_MILLISECONDS[0]:.0e}–{UNIX_MILLISECONDS[1]:.0e}) nor a whole step number; "
                        "write the times as dates (2024-01-31 12:00) or as step numbers 0, 1, 2, …")
    return pd.Index(values.astype(np.int64), name=name), [
        f"{name!r} read as step numbers ({int(lo)} … {int(hi)}), not dates: its values lie outside the Unix-time "
        f"range (seconds {UNIX_SECONDS[0]:.0e}–{UNIX_SECONDS[1]:.0e}, milliseconds "
        f"{UNIX_MILLISECONDS[0]:.0e}–{UNIX_MILLISECONDS[1]:.0e}); if they are times, write them as dates"]


def _day_first(text: pd.Series, name: str, p: Path, dayfirst: bool | None) -> tuple[bool | None, str]:
    """(True (31/01/2024), False (01/31/2024) or None (no d/m/y dates), why), read off the whole column."""
    parts = text.str.extract(_DAY_MONTH).dropna()
    if parts.empty:
        return None, ""
    first, second = parts[0].astype(int), parts[1].astype(int)
    if (first > 12).any() and (second > 12).any():
        i, j = first.idxmax(), second.idxmax()
        raise DataError(f"{p}: column {name!r} mixes date orders: {text[i]!r} ({_row(i)}) is day-first, "
                        f"{text[j]!r} ({_row(j)}) month-first; write every date the same way, best as 2024-01-31")
    if (first > 12).any() or (second > 12).any():
        found = bool((first > 12).any())
        i = (first if found else second).idxmax()
        if dayfirst is not None and dayfirst != found:
            raise DataError(f"{p}: dayfirst={dayfirst} but {text[i]!r} ({_row(i)}) can only be "
                            f"{'day' if found else 'month'}-first; drop the dayfirst option")
        return found, f"{text[i]!r} ({_row(i)}) can only be {'day' if found else 'month'}-first"
    if dayfirst is not None:
        return dayfirst, f"dayfirst={dayfirst} was given"
    if (first == second).all():
        return False, "day and month are equal in every date"
    i = int((first != second).to_numpy().argmax())
    d, m, y = parts.iloc[i]
    raise DataError(f"{p}: the dates in {name!r} can be read day-first or month-first (every number is ≤ 12): "
                    f"{text[parts.index[i]]!r} is {int(d)} {_MONTHS[int(m) - 1]} {y} (day-first) or "
                    f"{int(m)} {_MONTHS[int(d) - 1]} {y} (month-first). Write the dates as year-month-day (2024-01-31), or load with "
                    "load_data('csv-series', path, dayfirst=True) (or False)")


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def parse_times(col: pd.Series, p: Path, dayfirst: bool | None = None
                ) -> tuple[pd.Index, list[str], np.ndarray | None]:
    """A time column → (index, notes, local hour or None).

    The index is a DatetimeIndex, or an integer Index of step numbers; it has the column's
    order (sorting is the caller's). ``local hour`` (float, hour + minute / 60) is given when
    mixed UTC offsets were converted to UTC, so calendar features can use the clock people lived by.
    """
    name = str(col.name)
    if col.isna().any():
        i = int(col.isna().to_numpy().argmax())
        raise DataError(f"{p}: the time column {name!r} is empty on {_row(i)}; fill in that time or remove the row")
    if pd.api.types.is_numeric_dtype(col):
        index, notes = _numeric_times(col, p)
        return index, notes, None
    text = col.astype(str).str.strip()
    order, why = _day_first(text, name, p, dayfirst)
    offsets = text.str.extract(_OFFSET)[0]
    utc = offsets.notna().all() and offsets.nunique() > 1
    if offsets.notna().any() and not offsets.notna().all():
        i, j = int(offsets.notna().to_numpy().argmax()), int(offsets.isna().to_numpy().argmax())
        raise DataError(f"{p}: some times in {name!r} carry a UTC offset ({text.iloc[i]!r}, {_row(i)}) and some do "
                        f"not ({text.iloc[j]!r}, {_row(j)}); write every time the same way, e.g. all with +01:00")
    try:
        stamps = pd.to_datetime(text, errors="coerce", format="mixed", dayfirst=bool(order), utc=utc)
    except (ValueError, OverflowError) as e:
        raise DataError(f"{p}: the times in {name!r} cannot be read ({e}); write them as 2024-01-31 12:00") from None
    if stamps.isna().any():
        i = int(stamps.isna().to_numpy().argmax())
        raise DataError(f"{p}: {text.iloc[i]!r} in column {name!r} ({_row(i)}) is not a date or time; "
                        "fix or remove that row")
    index = pd.DatetimeIndex(stamps, name=name)
    notes, local_hour = [], None
    if order is not None:
        parts = text.str.extract(_DAY_MONTH).dropna()
        wanted = parts[0 if order else 1].astype(int)
        wrong = wanted.to_numpy() != index[parts.index].day
        if wrong.any():
            i = int(parts.index[wrong.argmax()])
            raise DataError(f"{p}: {text.iloc[i]!r} ({_row(i)}) does not read as the other dates in {name!r}; "
                            "write every date the same way, best as 2024-01-31")
        notes.append(f"dates in {name!r} read {'day' if order else 'month'}-first: {why} "
                     f"({text.iloc[0]!r} is {index[0]:%-d %B %Y})")
    if utc:
        wall = pd.DatetimeIndex(pd.to_datetime(text.str.replace(_OFFSET, "", regex=True), format="mixed",
                                               dayfirst=bool(order)))
        local_hour = (wall.hour + wall.minute / 60).to_numpy(dtype=np.float64)
        notes.append(f"times in {name!r} carry different UTC offsets ({', '.join(offsets.unique()[:4])}: a "
                     "daylight-saving change?); converted to UTC, the local hour kept in column 'local_hour'")
    return index, notes, local_hour


# ------------------------------------------------------------------------------- rows and spacing
FEW_STEPS = 3  # gaps up to this long are worth interpolating; longer ones are worth cutting out
_TIME_WORDS = ("date", "time", "timestamp", "datetime", "day", "ds", "epoch", "unix", "step")


def find_time_column(df: pd.DataFrame, p: Path, time_column) -> str:
    """``time_column``, or the first column named like a time, or whose every value reads as a date."""
    if time_column is not None:
        if time_column not in df.columns:
            raise DataError(f"{p}: no column {time_column!r}; columns: {list(df.columns)}")
        return time_column
    named = [c for c in df.columns if str(c).strip().lower() in _TIME_WORDS]
    with warnings.catch_warnings():  # only finding the column here; parse_times reads it without guessing
        warnings.simplefilter("ignore")
        parsable = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])
                    and pd.to_datetime(df[c], errors="coerce", format="mixed", utc=True).notna().all()]
    candidates = named + [c for c in parsable if c not in named]
    if not candidates:
        raise DataError(f"{p}: no column holds timestamps (columns: {list(df.columns)}); add one "
                        "(e.g. 'date' with values like 2024-01-31) or pass time_column='…'")
    return candidates[0]


def one_row_per_time(index: pd.Index, p: Path) -> None:
    repeated = index.duplicated(keep=False)
    if repeated.any():
        rows = np.flatnonzero(index == index[repeated.argmax()])
        raise DataError(f"{p}: the time {index[rows[0]]} appears {len(rows)} times (rows "
                        f"{', '.join(str(r + 2) for r in rows[:5])} of the file; {int(index.duplicated().sum())} "
                        "repeated time(s) in all). Keep one row per time: remove the extra rows or average them. "
                        "(Local times repeat an hour when clocks go back: write them in UTC or with their offset, "
                        "e.g. +01:00.)")


def no_missing_values(frame: pd.DataFrame, p: Path) -> None:
    bad = frame.isna() | np.isinf(frame)
    if bad.to_numpy().any():
        rows = bad.any(axis=1).to_numpy()
        t = frame.index[rows.argmax()]
        cols = [str(c) for c in frame.columns[bad.iloc[rows.argmax()].to_numpy()]]
        raise DataError(f"{p}: no value (or an infinite one) in column(s) {cols} at {t} ({int(rows.sum())} row(s) in "
                        "all); fill those cells, or remove the rows (a gap is then reported with what to do)")


def _steps(index: pd.Index) -> Spacing:
    """The spacing of an index of step numbers (sorted, no repeats): its most common step and gaps."""
    diffs = np.diff(index.to_numpy())
    if len(diffs) == 0:
        return Spacing(None)
    step = int(pd.Series(diffs).mode().iloc[0])
    if (diffs % step).any():
        i = int(np.flatnonzero(diffs % step)[0]) + 1
        raise IrregularSpacing(f"step {index[i]} (position {i}) is off the steps of {step} the rest follows")
    return Spacing(f"{step} step number(s)", [Gap(int(i), int(diffs[i] // step - 1), index[i], index[i + 1])
                                             for i in np.flatnonzero(diffs > step)])


def _fill(frame: pd.DataFrame, grid: Spacing, gaps: list[Gap]) -> pd.DataFrame:
    """``frame`` with the rows of ``gaps`` added on the grid and interpolated linearly in time."""
    if isinstance(frame.index, pd.DatetimeIndex):
        new = [pd.date_range(g.before, g.after, freq=grid.step)[1:-1] for g in gaps]
        index = frame.index.append(new).sort_values()
    else:
        step = (gaps[0].after - gaps[0].before) // (gaps[0].missing + 1)
        index = frame.index.append([pd.Index(np.arange(g.before + step, g.after, step)) for g in gaps]).sort_values()
    method = "time" if isinstance(frame.index, pd.DatetimeIndex) else "index"
    return frame.reindex(index.rename(frame.index.name)).interpolate(method=method)


def check_gaps(frame: pd.DataFrame, p: Path, fill_gaps: int) -> tuple[pd.DataFrame, list[str]]:
    """Refuse irregular spacing and gaps (with their positions), after filling gaps of up to ``fill_gaps`` steps."""
    try:
        grid = spacing(frame.index) if isinstance(frame.index, pd.DatetimeIndex) else _steps(frame.index)
    except IrregularSpacing as e:
        raise DataError(f"{p}: the times are irregularly spaced — {e}. The forecasters need one step between "
                        "rows: resample the data to a regular step (e.g. hourly means) and load that") from None
    small = [g for g in grid.gaps if g.missing <= fill_gaps]
    large = [g for g in grid.gaps if g.missing > fill_gaps]
    if large:
        longest = max(large, key=lambda g: g.missing)
        shortest = min(g.missing for g in large)
        fill = (f", or let the loader interpolate gaps this short: load_data('csv-series', path, fill_gaps={shortest})"
                if shortest <= FEW_STEPS else "")
        holes = Spacing(grid.step, large)
        raise DataError(f"{p}: {holes.summary()}{holes.dst_hint()}. A forecaster would read the values either "
                        "side of a gap as neighbours. Add the missing rows to the file, or keep only the rows after "
                        f"the longest gap (from {longest.after} on){fill}")
    if not small:
        return frame, []
    return _fill(frame, grid, small), [f"{len(small)} gap(s) of up to {fill_gaps} step(s) filled by linear "
                                       f"interpolation ({sum(g.missing for g in small)} value(s) made up)"]


# ------------------------------------------------------------------------------- text
_ALLOWED_CONTROL = set("\t\n\r\f\v")
CONTROL_SHARE = 0.001  # more than 1 character in 1,000 being a control character: not prose


def check_text(p: Path, text: str) -> None:
    """Refuse binary data that happens to decode as UTF-8: NUL bytes anywhere, or more than
    :data:`CONTROL_SHARE` of the characters control characters (tabs and line breaks are text)."""
    bad = [i for i, ch in enumerate(text) if ch not in _ALLOWED_CONTROL and unicodedata.category(ch) == "Cc"]
    if not bad:
        return
    nul = text.find("\x00")
    if nul >= 0 or len(bad) > CONTROL_SHARE * len(text):
        first = nul if nul >= 0 else bad[0]
        raise DataError(f"{p} looks like binary data, not text: {len(bad):,} control character(s)"
                        f"{' (NUL bytes)' if nul >= 0 else ''}, the first at character {first:,}; give a plain-text "
                        "file — from a word processor, save as 'Plain text (.txt), UTF-8'")
