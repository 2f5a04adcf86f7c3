"""Issue 18: a learner's time series is never misread in silence. Each test is named after what the
learner did; each loader failure is a DataError (a ValueError) that says what is wrong and what to do,
and what a loader decided about a file is a note the picker shows."""

import numpy as np
import pandas as pd
import pytest

from rnn_course.capstone import views
from rnn_course.capstone.data import DataError, load_data
from rnn_course.capstone.views import DataPicker
from rnn_course.forecast.data import check_series, load_msft, make_windows, windows_at
from rnn_course.forecast.evaluation import time_split

N = 120  # rows per file: enough for a train, validation and test part


def days(n=N, start="2024-01-01"):
    return pd.date_range(start, periods=n, freq="D")


def values(n=N):
    return np.round(10 + np.sin(np.arange(n) / 5), 4)


def write(tmp_path, name, times, vals=None, header="date,load", sep=",", fmt=str):
    vals = values(len(times)) if vals is None else vals
    lines = [header.replace(",", sep)] + [f"{fmt(t)}{sep}{v}" for t, v in zip(times, vals)]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def refused(path, match, **options) -> str:
    with pytest.raises(DataError, match=match) as err:
        load_data("csv-series", path, **options)
    assert isinstance(err.value, ValueError)
    return str(err.value)


# ------------------------------------------------------------------------------ dates
def test_a_day_first_csv_is_read_day_first_or_refused_never_swapped(tmp_path):
    truth = days()  # 1 January … 29 April: from 13 January on the day alone says the order
    data = load_data("csv-series", write(tmp_path, "d.csv", truth, fmt=lambda t: f"{t:%d/%m/%Y}"))
    assert (data.frame.index == truth).all()
    assert np.allclose(data.frame["load"], values())  # not reordered
    assert any("day-first" in n for n in data.notes) and "day-first" in str(data)

    month_first = load_data("csv-series", write(tmp_path, "m.csv", truth, fmt=lambda t: f"{t:%m/%d/%Y}"))
    assert (month_first.frame.index == truth).all()

    months = pd.date_range("2019-01-01", periods=N, freq="MS")  # every day is 1: 01/02/2019 fits both orders
    message = refused(write(tmp_path, "a.csv", months, fmt=lambda t: f"{t:%d/%m/%Y}"),
                      r"day-first or month-first.*1 February 2019 \(day-first\) or 2 January 2019.*2024-01-31")
    assert "dayfirst=True" in message
    settled = load_data("csv-series", tmp_path / "a.csv", dayfirst=True)
    assert (settled.frame.index == months).all()


def test_dates_in_both_orders_in_one_column_are_refused_naming_both_rows(tmp_path):
    times = [f"{t:%d/%m/%Y}" for t in days()]
    times[100] = "01/31/2024"  # month-first among day-first dates
    refused(write(tmp_path, "mixed.csv", times), r"mixes date orders.*'31/01/2024' \(row 32.*'01/31/2024' \(row 102")


# ------------------------------------------------------------------------------ numeric time columns
@pytest.mark.parametrize("scale,unit", [(1, "seconds"), (1000, "milliseconds")])
def test_a_column_of_unix_times_is_read_as_unix_time_and_says_so(tmp_path, scale, unit):
    truth = pd.date_range("2024-01-01", periods=N, freq="h")
    stamps = (truth - pd.Timestamp("1970-01-01")) // pd.Timedelta("1s") * scale
    data = load_data("csv-series", write(tmp_path, "u.csv", stamps, header="time,load"))
    assert (data.frame.index == truth).all()
    assert any(f"Unix time in {unit}" in n for n in data.notes)


def test_a_numeric_time_column_outside_the_unix_range_is_read_as_step_numbers_and_says_so(tmp_path):
    data = load_data("csv-series", write(tmp_path, "s.csv", range(1000, 1000 + N), header="time,load"))
    assert list(data.frame.index) == list(range(1000, 1000 + N))  # not nanoseconds after 1970
    assert any("step numbers" in n and "Unix" in n for n in data.notes)
    refused(write(tmp_path, "f.csv", np.arange(N) + 0.5, header="time,load"), "neither Unix time.*nor a whole step")


def test_a_column_of_yyyymmdd_numbers_is_read_as_dates(tmp_path):
    data = load_data("csv-series", write(tmp_path, "y.csv", days(), fmt=lambda t: f"{t:%Y%m%d}"))
    assert (data.frame.index == days()).all()


# ------------------------------------------------------------------------------ time zones
def test_a_local_time_csv_across_a_daylight_saving_change_is_converted_to_utc_with_a_note(tmp_path):
    local = pd.date_range("2024-03-29", periods=N, freq="h", tz="Europe/Paris")  # +01:00, then +02:00 from 31 March
    path = write(tmp_path, "dst.csv", local, header="time,load", fmt=lambda t: t.isoformat())
    data = load_data("csv-series", path)
    assert (data.frame.index == local.tz_convert("UTC")).all()
    assert list(data.frame.columns) == ["load", "local_hour"]
    assert (data.frame["local_hour"].to_numpy() == local.hour).all()
    assert any("UTC offsets" in n and "local_hour" in n for n in data.notes)
    picker = DataPicker()
    assert picker.pick("csv-series", str(path)) is not None
    assert "converted to UTC" in picker.message and "converted to UTC" in picker.status.value


def test_times_with_and_without_a_utc_offset_in_one_column_are_refused(tmp_path):
    times = [t.isoformat() for t in pd.date_range("2024-01-01", periods=N, freq="h", tz="UTC")]
    times[50] = times[50].removesuffix("+00:00")
    refused(write(tmp_path, "tz.csv", times, header="time,load"), r"some do not .*row 52")


# ------------------------------------------------------------------------------ layout and values
def test_a_semicolon_csv_with_decimal_commas_is_read_as_numbers(tmp_path):
    path = write(tmp_path, "eu.csv", days(), sep=";", fmt=lambda t: f"{t:%Y-%m-%d}")
    path.write_text(path.read_text().replace(".", ","))  # 10,1987 — the dates have no dots
    data = load_data("csv-series", path)
    assert np.allclose(data.frame["load"], values())
    assert any("semicolons" in n for n in data.notes) and any("decimal commas" in n for n in data.notes)


def test_a_text_column_named_as_the_value_column_is_refused_naming_the_column_and_a_value(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"date": days().strftime("%Y-%m-%d"), "load": values(), "site": "north"}).to_csv(path, index=False)
    refused(path, r"column 'site' holds text, not numbers \('north' on row 2 of the file.*\['load'\]",
            value_columns=["site"])


def test_a_number_column_with_a_text_cell_is_refused_naming_the_cell(tmp_path):
    vals = values().astype(object)
    vals[7] = "n.a."
    refused(write(tmp_path, "na.csv", days(), vals, fmt=lambda t: f"{t:%Y-%m-%d}"), r"'load'.*'n\.a\.' on row 9")


def test_an_unknown_option_is_refused_naming_the_options(tmp_path):
    path = write(tmp_path, "ok.csv", days(), fmt=lambda t: f"{t:%Y-%m-%d}")
    refused(path, r"no option\(s\) \['day_first'\].*dayfirst", day_first=True)
    refused(path, "dayfirst must be one of", dayfirst="yes")


# ------------------------------------------------------------------------------ gaps, repeats, order
def test_a_csv_with_a_30_day_hole_is_refused_with_the_hole_s_position_and_what_to_do(tmp_path):
    times = days(N + 30).delete(slice(40, 70))
    message = refused(write(tmp_path, "hole.csv", times, fmt=lambda t: f"{t:%Y-%m-%d}"),
                      r"30 missing 'D' step\(s\) between 2024-02-09.*position 39")
    assert "keep only the rows after the longest gap (from 2024-03-11" in message


def test_a_short_gap_is_filled_when_the_learner_asks_with_a_note(tmp_path):
    times = days(N + 2).delete([40, 41])
    path = write(tmp_path, "gap.csv", times, fmt=lambda t: f"{t:%Y-%m-%d}")
    refused(path, r"fill_gaps=2")
    data = load_data("csv-series", path, fill_gaps=2)
    assert (data.frame.index == days(N + 2)).all()
    assert np.allclose(data.frame["load"].iloc[40:42], np.interp([41, 42], [40, 43], data.frame["load"].iloc[[39, 42]]))
    assert any("2 value(s) made up" in n for n in data.notes)


def test_a_repeated_timestamp_is_refused_naming_its_rows(tmp_path):
    times = list(days())
    times[60] = times[59]
    refused(write(tmp_path, "dup.csv", times, fmt=lambda t: f"{t:%Y-%m-%d}"), r"2024-02-29.*appears 2 times \(rows 61, 62")


def test_rows_out_of_time_order_are_sorted_with_a_note(tmp_path):
    data = load_data("csv-series", write(tmp_path, "r.csv", days()[::-1], values()[::-1], fmt=lambda t: f"{t:%Y-%m-%d}"))
    assert (data.frame.index == days()).all() and np.allclose(data.frame["load"], values())
    assert any("not in time order" in n for n in data.notes)


def test_irregularly_spaced_readings_are_refused(tmp_path):
    times = pd.date_range("2024-01-01", periods=N, freq="h").to_series()
    times.iloc[50] += pd.Timedelta("20min")
    refused(write(tmp_path, "irr.csv", times, header="time,load"), r"irregularly spaced.*01:20:00 after")


def test_daily_trading_prices_with_weekends_and_holidays_load(tmp_path):
    trading = pd.bdate_range("2024-01-01", periods=N + 2).delete([14, 35])  # two holidays
    data = load_data("csv-series", write(tmp_path, "px.csv", trading, fmt=lambda t: f"{t:%Y-%m-%d}"))
    assert len(data.frame) == N


# ------------------------------------------------------------------------------ the picker
def test_the_picker_shows_any_loader_failure_with_the_functions_message(tmp_path, monkeypatch):
    path = write(tmp_path, "hole.csv", days(N + 30).delete(slice(40, 70)), fmt=lambda t: f"{t:%Y-%m-%d}")
    message = refused(path, "missing")
    picker = DataPicker()
    assert picker.pick("csv-series", str(path)) is None
    assert picker.message == f"✗ {message}"

    def broken(*args, **kwargs):
        raise KeyError("surprise")  # a failure no loader foresaw: shown, not lost in a button callback
    monkeypatch.setattr(views, "load_data", broken)
    picker.choice.value, picker.path.value = "csv-series", str(path)
    picker.button.click()
    assert picker.message.startswith("✗") and "KeyError" in picker.message and "surprise" in picker.status.value


def test_an_os_error_reading_a_learners_file_is_a_data_error_naming_it(tmp_path, monkeypatch):
    from rnn_course.capstone import data as data_module

    def unreadable(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(data_module, "load_csv_series", unreadable)
    with pytest.raises(DataError, match=r"my\.csv: the course could not read it \(PermissionError"):
        load_data("csv-series", tmp_path / "my.csv")


# ------------------------------------------------------------------------------ forecast.data / evaluation
def hourly(n=200):
    return pd.Series(np.arange(n, dtype=float), index=pd.date_range("2024-01-01", periods=n, freq="h"))


def test_check_series_without_freq_finds_a_30_hour_hole_in_an_hourly_series():
    holed = hourly().drop(hourly().index[100:130])
    with pytest.raises(ValueError, match=r"gap: .*30 missing 'h' step\(s\) between 2024-01-05 03:00:00 \(position 99\)"
                                         r".*asfreq\('h'\)\.interpolate\(\)"):
        check_series(holed)
    odd = hourly()
    odd.index = odd.index.where(odd.index != odd.index[50], odd.index[50] + pd.Timedelta("20min"))
    with pytest.raises(ValueError, match=r"irregular.*position 50.*resample\('h'\)"):
        check_series(odd)


@pytest.mark.parametrize("index", [pd.date_range("2020-01-01", periods=40, freq="MS"),  # months differ in length
                                   pd.date_range("2020-01-31", periods=40, freq="ME"),
                                   pd.date_range("2024-03-29", periods=100, freq="h", tz="Europe/Paris"),
                                   pd.date_range("2024-03-20", periods=30, freq="D", tz="Europe/Paris")])
def test_check_series_without_freq_accepts_regular_calendars(index):
    check_series(pd.Series(1.0, index=index))


def test_check_series_accepts_trading_days_with_holidays():
    check_series(load_msft())  # weekends, single holidays, the four days after 9/11


def test_make_windows_refuses_a_series_with_a_30_hour_hole_naming_its_position():
    holed = hourly().drop(hourly().index[100:130])
    with pytest.raises(ValueError, match=r"hole in time.*position 99.*31 steps apart.*iloc\[:100\]"):
        make_windows(holed, window=24)
    with pytest.raises(ValueError, match="hole in time"):
        windows_at(holed, [150], window=24)
    x, _ = make_windows(hourly(), window=24)  # no hole: as before
    assert x.shape == (176, 24, 1)


def test_time_split_with_naive_dates_on_a_timezone_aware_series_reads_them_in_its_zone():
    aware = pd.date_range("2024-01-01", periods=100, freq="h", tz="Europe/Paris")
    split = time_split(aware, "2024-01-03", "2024-01-04")
    assert aware[split.train_end] == pd.Timestamp("2024-01-03", tz="Europe/Paris")
    with pytest.raises(ValueError, match=r"train_end=.*has a timezone \(UTC\) but the series has none.*tz_localize"):
        time_split(aware.tz_localize(None), pd.Timestamp("2024-01-03", tz="UTC"), 0.9)


def test_local_times_without_offsets_missing_the_spring_hour_are_refused_with_a_daylight_saving_hint(tmp_path):
    wall = pd.date_range("2024-03-29", periods=N, freq="h", tz="Europe/Paris").tz_localize(None)  # no 02:00 on 31 March
    refused(write(tmp_path, "wall.csv", wall, header="time,load"),
            r"1 missing 'h' step\(s\) between 2024-03-31 01:00:00.*daylight-saving.*fill_gaps=1")
