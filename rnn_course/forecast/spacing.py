"""The spacing of a time index, read off the data: its step, and the holes in it.

    grid = spacing(series.index)      # Spacing(step='h', gaps=[Gap(position=120, missing=29, …)])
    grid.gaps[0].describe()           # "29 missing steps between 2024-01-06 00:00:00 (position 120) and …"

:func:`spacing` infers the step as the most common distance between neighbouring timestamps,
or a calendar step when the data follow one: trading days (``"B"``: Monday–Friday, so weekends
are no gap, and up to :data:`HOLIDAY_RUN` missing weekdays in a row are holidays, not holes),
months, quarters or years (``"MS"``, ``"ME"``, …: their lengths differ). A timestamp off that
grid makes the spacing irregular (:class:`IrregularSpacing`, a ``ValueError``); grid steps with no
value are gaps. :func:`rnn_course.forecast.data.check_series` and ``make_windows`` use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["Gap", "Spacing", "IrregularSpacing", "spacing", "HOLIDAY_RUN"]

HOLIDAY_RUN = 4  # missing weekdays in a row that trading-day data may skip (9/11 closed the NYSE for 4)
_CALENDARS = ((28, 31, ("MS", "ME")), (89, 92, ("QS", "QE")), (365, 366, ("YS", "YE")))
_MAX_GRID = 100  # a grid more than this many times longer than the data is no grid: the spacing is irregular


class IrregularSpacing(ValueError):
    """Timestamps that fall off the regular grid the rest of the series follows."""


@dataclass(frozen=True)
class Gap:
    """``missing`` grid steps with no value between positions ``position`` and ``position + 1``."""

    position: int
    missing: int
    before: pd.Timestamp
    after: pd.Timestamp

    def describe(self, step: str) -> str:
        return (f"{self.missing} missing {step!r} step(s) between {self.before} (position {self.position}) "
                f"and {self.after} (position {self.position + 1})")


@dataclass(frozen=True)
class Spacing:
    """The grid a DatetimeIndex follows (``step``, None for fewer than 3 timestamps) and its gaps."""

    step: str | None
    gaps: list[Gap] = field(default_factory=list)

    def dst_hint(self) -> str:
        """A hint when an hourly series misses single hours: local clocks skip one in spring."""
        if self.step == "h" and any(g.missing == 1 for g in self.gaps):
            return (" (a missing hour is often a daylight-saving change: write local times with their UTC offset, "
                    "e.g. 2024-03-31 03:00+02:00, or in UTC)")
        return ""

    def summary(self, shown: int = 3) -> str:
        """The gaps in words: the first ``shown`` and the longest."""
        if not self.gaps:
            return f"no gaps in the {self.step!r} steps"
        longest = max(self.gaps, key=lambda g: g.missing)
        lines = "; ".join(g.describe(self.step) for g in self.gaps[:shown])
        more = f"; … {len(self.gaps) - shown} more" if len(self.gaps) > shown else ""
        tail = "" if longest in self.gaps[:shown] else f". The longest: {longest.describe(self.step)}"
        return f"{len(self.gaps)} gap(s) in the {self.step!r} steps: {lines}{more}{tail}"


def _wall_clock(index: pd.DatetimeIndex, sub_daily: bool) -> pd.DatetimeIndex:
    """Sub-daily steps are measured in UTC (a daylight-saving change is no gap); daily and longer
    steps on the local calendar (a day stays a day)."""
    if index.tz is None:
        return index
    return index.tz_convert("UTC").tz_localize(None) if sub_daily else index.tz_localize(None)


def _step_of(index: pd.DatetimeIndex) -> str:
    """The step the data follow: a calendar step, or the most common distance (as an offset alias)."""
    utc = _wall_clock(index, sub_daily=True)
    diffs = pd.Series(np.diff(utc.asi8)).value_counts()
    common = pd.Timedelta(int(diffs.index[0]), unit=utc.unit)
    local = _wall_clock(index, sub_daily=False)
    if common == pd.Timedelta("1D") and local.day_of_week.max() < 5 and (diffs.index > diffs.index[0]).any():
        return "B"
    for low, high, candidates in _CALENDARS:
        if pd.Timedelta(days=low) <= common <= pd.Timedelta(days=high):
            for alias in candidates:
                if local.isin(pd.date_range(local[0], local[-1], freq=alias)).all():
                    return alias
    if common % pd.Timedelta("1D") == pd.Timedelta(0):
        return f"{common.days}D" if common.days > 1 else "D"  # "D", not the "24h" pandas would write
    return pd.tseries.frequencies.to_offset(common).freqstr


def spacing(index: pd.DatetimeIndex) -> Spacing:
    """The step of ``index`` (sorted, no duplicates) and its gaps; raises :class:`IrregularSpacing`
    naming the first timestamp off the grid."""
    if len(index) < 3:
        return Spacing(None)
    step = _step_of(index)
    offset = pd.tseries.frequencies.to_offset(step)
    sub_daily = step not in ("B",) and isinstance(offset, pd.offsets.Tick) and pd.Timedelta(offset) < pd.Timedelta("1D")
    stamps = _wall_clock(index, sub_daily)
    span = stamps[-1] - stamps[0]
    if isinstance(offset, pd.offsets.Tick) and span / pd.Timedelta(offset) > _MAX_GRID * len(index):
        raise IrregularSpacing(f"the timestamps follow no regular step (the most common distance, {step!r}, "
                               f"would need {span / pd.Timedelta(offset):,.0f} steps for {len(index):,} values)")
    grid = pd.date_range(stamps[0], stamps[-1], freq=step)
    where = grid.get_indexer(stamps)  # (L,) grid position of each timestamp, −1 if off the grid
    if (where < 0).any():
        pos = int(np.flatnonzero(where < 0)[0])
        raise IrregularSpacing(f"{index[pos]} (position {pos}) is off the {step!r} steps that most of the series "
                               f"follows (it comes {stamps[pos] - stamps[pos - 1]} after {index[pos - 1]})")
    jumps = np.diff(where)  # (L − 1,) grid steps from each timestamp to the next
    allowed = HOLIDAY_RUN + 1 if step == "B" else 1
    gaps = [Gap(int(i), int(jumps[i] - 1), index[i], index[i + 1]) for i in np.flatnonzero(jumps > allowed)]
    return Spacing(step, gaps)
