"""The forecasting notebooks' plots (05, 06), drawn with the course's :func:`~rnn_course.plots.figure`."""

from __future__ import annotations

import numpy as np

from ..plots import date_axis, figure, log_axis, model_colour

__all__ = ["seasonal_profiles", "price_vs_prediction", "forecast_vs_truth", "error_by_horizon"]

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def seasonal_profiles(series, unit: str = "MW"):
    """Two panels: mean by time of day (one line per weekday), and mean by day of week."""
    fig, (ax1, ax2) = figure(10, 3.2, ncols=2)
    idx = series.index
    hours = idx.hour + idx.minute / 60
    frame = series.to_frame("v").assign(hour=hours, dow=idx.day_of_week)
    by_time = frame.pivot_table(index="hour", columns="dow", values="v", aggfunc="mean")
    for dow in by_time.columns:
        ax1.plot(by_time.index, by_time[dow], lw=1.8 if dow >= 5 else 1.0,
                 ls="--" if dow >= 5 else "-", label=_DAYS[dow])
    ax1.set(xlabel="hour of day", ylabel=f"mean load ({unit})", title="daily cycle, by weekday", xticks=range(0, 25, 6))
    ax1.legend(fontsize=7, ncol=2)
    by_day = frame.groupby("dow")["v"].mean()
    ax2.bar([_DAYS[d] for d in by_day.index], by_day.to_numpy(), color=["#3182bd"] * 5 + ["#e6550d"] * 2)
    ax2.set(ylabel=f"mean load ({unit})", title="weekly cycle", ylim=(by_day.min() * 0.9, by_day.max() * 1.03))
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def price_vs_prediction(dates, truth, pred, *, zoom: int = 40, title: str = "prediction vs price"):
    """Left: the whole stretch (looks perfect). Right: the last ``zoom`` days, with yesterday's price."""
    fig, (ax1, ax2) = figure(10, 3.2, ncols=2)
    truth, pred = np.asarray(truth, dtype=float), np.asarray(pred, dtype=float)
    ax1.plot(dates, truth, color="black", lw=1, label="price")
    ax1.plot(dates, pred, color="#e6550d", lw=1, label="model")
    ax1.set(title=title, ylabel="US $")
    z = slice(len(truth) - zoom, len(truth))
    ax2.plot(dates[z], truth[z], "o-", color="black", ms=3, lw=1, label="price")
    ax2.plot(dates[z], pred[z], "o-", color="#e6550d", ms=3, lw=1, label="model")
    ax2.plot(dates[z][1:], truth[z][:-1], ":", color="#3182bd", lw=1.5, label="yesterday's price")
    ax2.set(title=f"last {zoom} days, zoomed in")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        date_axis(ax)
    fig.tight_layout()
    return fig


def forecast_vs_truth(times, truth, forecasts: dict, *, title: str = "", unit: str = "MW"):
    """One forecast window: the truth in black, every forecast in ``forecasts`` (name → values),
    each in its model's colour (:func:`model_colour`); the legend sits outside the plot."""
    fig, (ax,) = figure(7.5, 3)
    ax.plot(times, np.asarray(truth, dtype=float), color=model_colour("truth"), lw=2, label="truth")
    for name, values in forecasts.items():
        ax.plot(times, np.asarray(values, dtype=float), lw=1.3, color=model_colour(name), label=name)
    ax.set(title=title, ylabel=unit)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    date_axis(ax)
    fig.tight_layout()
    return fig


def error_by_horizon(truth, forecasts: dict, *, step_minutes: int = 30):
    """Mean absolute percentage error at each step ahead, one line per model in its colour; truth: (O, H)."""
    fig, (ax,) = figure(8, 3.2)
    truth = np.asarray(truth, dtype=float)
    hours = np.arange(1, truth.shape[1] + 1) * step_minutes / 60
    for name, pred in forecasts.items():
        err = 100 * np.mean(np.abs(truth - np.asarray(pred, dtype=float)) / np.abs(truth), axis=0)  # (H,)
        ax.plot(hours, err, lw=1.5, color=model_colour(name), label=name)
    ax.set(xlabel="hours ahead", ylabel="MAPE (%)", title="error by horizon step")
    log_axis(ax)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    fig.tight_layout()
    return fig
