"""Extract the course's two real time series from the `pmdarima` package.

    python3 -m venv /tmp/pmd && /tmp/pmd/bin/pip install pmdarima==2.1.1
    /tmp/pmd/bin/python scripts/extract_timeseries.py

pmdarima (MIT licence, https://pypi.org/project/pmdarima/) is needed only here, in a scratch
environment: the course reads the CSVs this script writes and never imports pmdarima.

    data/timeseries/msft.csv          pmdarima.datasets.load_msft(): daily Microsoft prices,
                                      1986-03-13 .. 2017-11-10, one row per trading day
                                      columns: date (ISO, YYYY-MM-DD), open, high, low, close, volume
    data/timeseries/taylor_load.csv   pmdarima.datasets.load_taylor(): half-hourly electricity
                                      demand in England and Wales (Taylor 2003), in megawatts
                                      columns: timestamp (ISO, YYYY-MM-DDTHH:MM), load_mw

What the script changes, and why:
  * msft: the column names are lower-cased, and the package's ``OpenInt`` column is dropped:
    it is 0 on every row (open interest belongs to futures and options, not shares; the
    script checks that it is all zero, so nothing is lost). Prices and volumes are written
    exactly as the package has them (adjusted for splits: the 1986 close is $0.075).
  * taylor: the package ships 4,032 bare numbers. Its docstring (and R's forecast::taylor,
    where the data comes from) says they run "from Monday, 5 June, 2000 to Sunday, 27 August,
    2000", in megawatts: 12 weeks x 7 days x 48 half-hours = 4,032, so the timestamps are
    2000-06-05T00:00 + 30 min x i. The script CHECKS that this lines up with the calendar --
    Saturdays and Sundays clearly lower than every weekday, in every one of the 12 weeks, and
    the night-time minimum of the average day in the small hours -- and fails loudly if not.
    The timestamps are naive: the source does not say whether they are UK clock time (BST)
    or GMT; no clock change falls inside the period, so the step is 30 minutes either way.

Everything is checked before anything is written; re-running gives byte-identical files.
After a rebuild, update data/SHA256SUMS (the script prints the lines).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import sys
from pathlib import Path

PACKAGE, VERSION = "pmdarima", "2.1.1"
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "timeseries"

MSFT_COLUMNS = ["Date", "Open", "High", "Low", "Close", "Volume", "OpenInt"]
MSFT_ROWS, MSFT_FIRST, MSFT_LAST = 7983, "1986-03-13", "2017-11-10"
MSFT_ZERO_VOLUME = ["2010-04-26"]  # an error in the source data, kept as is (see data/README.md)

TAYLOR_START, TAYLOR_END, TAYLOR_STEP, TAYLOR_POINTS = "2000-06-05 00:00", "2000-08-27 23:30", "30min", 4032
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKEND_DROP = 0.10  # each weekend day's mean load is at least 10 % below the lowest weekday mean


class ExtractError(SystemExit):
    pass


def _require_pmdarima():
    try:
        version = importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise ExtractError(f"{PACKAGE} is not installed here. In a scratch environment: "
                           f"`python3 -m venv /tmp/pmd && /tmp/pmd/bin/pip install {PACKAGE}=={VERSION}`, "
                           f"then run this script with /tmp/pmd/bin/python.") from None
    if version != VERSION:
        raise ExtractError(f"found {PACKAGE} {version}, need {VERSION} (the files are checksummed): "
                           f"`pip install {PACKAGE}=={VERSION}`.")
    import pmdarima.datasets
    return pmdarima.datasets


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise ExtractError(f"check failed: {what}")


def msft_csv(datasets) -> tuple[str, dict]:
    import pandas as pd

    raw = datasets.load_msft()
    _check(list(raw.columns) == MSFT_COLUMNS, f"load_msft() columns are {list(raw.columns)}, expected {MSFT_COLUMNS}")
    _check(len(raw) == MSFT_ROWS, f"load_msft() has {len(raw)} rows, expected {MSFT_ROWS}")
    _check(bool((raw["OpenInt"] == 0).all()), "OpenInt is not all zero: keep the column instead of dropping it")
    _check(not raw.isna().any().any(), "load_msft() has missing values")

    df = raw.drop(columns="OpenInt").rename(columns=str.lower)
    dates = pd.to_datetime(df["date"], format="%Y-%m-%d")
    _check(dates.is_monotonic_increasing and not dates.duplicated().any(), "dates are not strictly increasing")
    _check(bool((dates.dt.day_of_week < 5).all()), "a trading day falls on a weekend")
    _check((df["date"].iloc[0], df["date"].iloc[-1]) == (MSFT_FIRST, MSFT_LAST),
           f"dates run {df['date'].iloc[0]} .. {df['date'].iloc[-1]}, expected {MSFT_FIRST} .. {MSFT_LAST}")
    lo, hi = df["low"], df["high"]
    _check(bool(((lo <= df["open"]) & (df["open"] <= hi) & (lo <= df["close"]) & (df["close"] <= hi)).all()),
           "some open/close lies outside that day's low..high")
    _check(bool((lo > 0).all()), "a non-positive price")
    _check(bool((df["volume"] >= 0).all()), "a negative volume")
    zero_volume = df.loc[df["volume"] == 0, "date"].tolist()
    _check(zero_volume == MSFT_ZERO_VOLUME, f"days with volume 0: {zero_volume}, expected {MSFT_ZERO_VOLUME}")
    gap = dates.diff().dt.days.max()
    _check(gap <= 7, f"a gap of {gap} days between trading days")

    text = df.to_csv(index=False, lineterminator="\n")
    # prices are written with Python's shortest round-trip repr: check they read back exactly
    back = pd.read_csv(io.StringIO(text))
    _check(back.equals(df), "msft.csv does not read back to the same numbers")
    info = {"rows": len(df), "first": MSFT_FIRST, "last": MSFT_LAST, "largest gap (days)": int(gap),
            "zero-volume days": zero_volume}
    return text, info


def taylor_csv(datasets) -> tuple[str, dict]:
    import numpy as np
    import pandas as pd

    values = np.asarray(datasets.load_taylor(), dtype=float)
    _check(values.shape == (TAYLOR_POINTS,), f"load_taylor() has shape {values.shape}, expected ({TAYLOR_POINTS},)")
    _check(bool(np.isfinite(values).all()), "load_taylor() has missing values")
    _check(bool((values == np.round(values)).all()), "load_taylor() values are not whole megawatts")
    index = pd.date_range(TAYLOR_START, periods=len(values), freq=TAYLOR_STEP)
    _check(index[0].day_name() == "Monday", f"{TAYLOR_START} is a {index[0].day_name()}, not a Monday")
    _check(index[-1] == pd.Timestamp(TAYLOR_END) and index[-1].day_name() == "Sunday",
           f"the last point falls on {index[-1]} ({index[-1].day_name()}), expected Sunday {TAYLOR_END}")
    load = pd.Series(values, index=index, name="load_mw")

    # Does the weekly pattern line up with the calendar?
    by_day = load.groupby(index.day_of_week).mean()  # 0 = Monday
    weekday_min = by_day.loc[0:4].min()
    weekend = by_day.loc[5:6]
    drop = 1 - weekend.max() / weekday_min
    daily = load.resample("D").mean()
    lowest_two = [sorted(week.nsmallest(2).index.day_of_week) for _, week in daily.groupby(np.arange(len(daily)) // 7)]
    profile = load.groupby(index.hour * 60 + index.minute).mean()  # minutes after midnight -> mean load
    night_min = int(profile.idxmin())
    print("weekday check (mean load, MW):")
    print("  " + "  ".join(f"{WEEKDAYS[d]} {by_day[d]:,.0f}" for d in range(7)))
    print(f"  weekend days are {drop:.1%} below the lowest weekday (needed: at least {WEEKEND_DROP:.0%})")
    print(f"  weeks whose two lowest days are Saturday and Sunday: "
          f"{sum(d == [5, 6] for d in lowest_two)} of {len(lowest_two)}")
    print(f"  the average day is lowest at {night_min // 60:02d}:{night_min % 60:02d} "
          f"({profile.min():,.0f} MW) and highest at {int(profile.idxmax()) // 60:02d}:{int(profile.idxmax()) % 60:02d} "
          f"({profile.max():,.0f} MW)")
    _check(drop >= WEEKEND_DROP, f"weekend load is only {drop:.1%} below weekdays: the timestamps may be shifted "
                                  "by some days -- check the documented start date")
    _check(all(d == [5, 6] for d in lowest_two), f"not every week is lowest on Saturday and Sunday: {lowest_two}")
    _check(2 * 60 <= night_min < 7 * 60, f"the average day is lowest at minute {night_min} after midnight, "
                                          "not in the small hours: the time of day may be shifted")

    text = "timestamp,load_mw\n" + "".join(
        f"{t:%Y-%m-%dT%H:%M},{int(v)}\n" for t, v in zip(index, values))
    info = {"rows": len(values), "first": f"{index[0]:%Y-%m-%dT%H:%M}", "last": f"{index[-1]:%Y-%m-%dT%H:%M}",
            "weekday means (MW)": {WEEKDAYS[d]: round(float(by_day[d])) for d in range(7)},
            "weekend drop": round(float(drop), 4), "night minimum": f"{night_min // 60:02d}:{night_min % 60:02d}"}
    return text, info


def main() -> None:
    datasets = _require_pmdarima()
    files = {"msft.csv": msft_csv(datasets), "taylor_load.csv": taylor_csv(datasets)}
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"\nwritten to {OUT.relative_to(ROOT)}/:")
    sums = []
    for name, (text, info) in files.items():
        data = text.encode("utf-8")
        (OUT / name).write_bytes(data)
        print(f"  {name}: {len(data):,} bytes, {info['rows']:,} rows, {info['first']} .. {info['last']}")
        sums.append(f"{hashlib.sha256(data).hexdigest()}  timeseries/{name}")
    print("\nlines for data/SHA256SUMS:")
    print("\n".join(sums))


if __name__ == "__main__":
    try:
        main()
    except ExtractError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
