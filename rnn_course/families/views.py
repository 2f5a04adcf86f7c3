"""Notebook 08's "which family fits my task?" logic and widget, the decision guide, and reading the
shipped benchmark results."""

from __future__ import annotations

from dataclasses import dataclass

from .measure import COPY_SYMBOLS, COPY_TCN_RECEPTIVE_FIELD
from .model import RECURRENT
from ..validate import whole_numbers

__all__ = ["TaskNeeds", "fit_families", "fit_table_html", "TaskFitWidget", "decision_guide", "measured_on"]

# --- which family fits? (the widget's logic) ---------------------------------------------------


@dataclass(frozen=True)
class TaskNeeds:
    """What a task asks of a model. The defaults are notebook 08's own task: 100 characters of
    context, streamed at up to 100 tokens a second, 4 million characters of training data."""

    context: int = 100  # tokens of history the output depends on
    latency_ms: float = 10.0  # budget per new token: 10 ms is 100 tokens a second
    data_chars: int = 4_000_000  # training data, in tokens
    streaming: bool = True  # outputs must come one step at a time as inputs arrive
    exact_recall: bool = False  # must copy exact tokens from `context` steps back (the copy task)

    def check(self) -> None:
        whole_numbers(self, "context", "data_chars")
        if not isinstance(self.latency_ms, (int, float)) or not self.latency_ms > 0:
            raise ValueError(f"latency_ms must be a number > 0, got {self.latency_ms!r}")


def _recall_verdict(needs: TaskNeeds, accuracy: dict) -> tuple[bool, str]:
    """Exact recall at ``needs.context`` steps from copy-task accuracy per gap: fails if the model
    failed (< 50 %) at any measured distance up to the context, or at the first one beyond it."""
    by_distance = sorted((int(g) + COPY_SYMBOLS, a) for g, a in accuracy.items())  # (distance, accuracy)
    beyond = [d for d, _ in by_distance if d >= needs.context][:1]
    relevant = [(d, a) for d, a in by_distance if d <= needs.context or d in beyond]
    for d, a in relevant:
        if a < 0.5:
            return False, f"copy task: recalled only {a:.0%} of symbols {d} steps back (chance 12.5 %)"
    d, a = relevant[-1] if relevant else by_distance[0]
    more = "" if beyond else f"; not measured beyond {by_distance[-1][0]} steps"
    return True, f"copy task: recalled {a:.0%} of symbols {d} steps back{more}"


def fit_families(needs: TaskNeeds, measured: dict[str, dict], recall: dict[str, dict[int, float]] | None = None,
                 quality: dict[str, float] | None = None) -> list[dict]:
    """For each measured family: does it fit ``needs``, and why — every reason quotes a number.

    A family fits when its per-token latency at the task's context is within the budget, a TCN's
    receptive field covers the context, and — only for tasks that need ``exact_recall`` — it
    recalled the copy task's symbols at that distance. Quality and data are advice, not verdicts.

    ``measured[family]``: a ``cost_row`` (``token_us@N`` per context N; a TCN's row may add
    ``receptive_field``); ``recall[family][gap]``: copy-memory accuracy; ``quality[family]``:
    validation loss at the equal budget. Returns [{family, fits, reasons}], one per family."""
    needs.check()
    best = min(quality.values()) if quality else None
    rows = []
    for fam, row in measured.items():
        reasons, fits = [], True
        contexts = sorted(int(k.split("@")[1]) for k in row if k.startswith("token_us@"))
        if not contexts:
            raise ValueError(f"measured[{fam!r}] has no 'token_us@N' entries; build it with cost_row()")
        n = min((c for c in contexts if c >= needs.context), default=contexts[-1])
        ms = row[f"token_us@{n}"] / 1e3
        ok = ms <= needs.latency_ms
        fits &= ok
        reasons.append(f"{ms:.2f} ms per token at {n} tokens of context: "
                       + ("within" if ok else "over") + f" the {needs.latency_ms:g} ms budget")
        rf = row.get("receptive_field")
        if rf is not None and needs.context > rf:
            fits = False
            reasons.append(f"this TCN sees {rf} steps back (its receptive field): blind beyond that — "
                           "each extra layer doubles the reach")
        elif rf is not None:
            reasons.append(f"sees {rf} steps back (its receptive field), enough for {needs.context}")
        if needs.exact_recall and recall and fam in recall:
            ok, why = _recall_verdict(needs, recall[fam])
            fits &= ok
            reasons.append(why)
        if needs.streaming and f"state_kB@{n}" in row and fam not in RECURRENT:
            reasons.append(f"streaming keeps {row[f'state_kB@{n}']:.0f} kB of state at {n} tokens"
                           + (" (grows with the context)" if fam == "transformer" else ""))
        if quality and fam in quality:
            gap = quality[fam] - best
            reasons.append("best validation loss at equal training time" if gap == 0 else
                           f"{gap:.2f} nats/char behind the best at equal training time"
                           + (" — with this little data, expect no better" if needs.data_chars <= 10_000_000 else ""))
        rows.append({"family": fam, "fits": bool(fits), "reasons": reasons})
    return rows


def fit_table_html(rows: list[dict]) -> str:
    """The result of :func:`fit_families` as a small HTML table (✓ fits, ✗ does not)."""
    import html

    body = "".join(
        f"<tr><td><b>{html.escape(r['family'])}</b></td><td style='color:{'#31a354' if r['fits'] else '#d62728'}'>"
        f"{'✓ fits' if r['fits'] else '✗ no'}</td><td>{'; '.join(html.escape(x) for x in r['reasons'])}</td></tr>"
        for r in rows)
    return f"<table class='rnn-task-fit'><tr><th>family</th><th></th><th>why (measured above)</th></tr>{body}</table>"


class TaskFitWidget:
    """Describe a task — context, latency budget, data, streaming — and see which families fit.

    ``update()`` is the whole callback (tests call it directly); bad input shows a message."""

    def __init__(self, measured: dict, recall: dict | None = None, quality: dict | None = None):
        import ipywidgets as w

        self.measured, self.recall, self.quality = measured, recall, quality
        d = TaskNeeds()
        self.context = w.IntText(value=d.context, description="context")
        self.latency = w.FloatText(value=d.latency_ms, description="ms / token")
        self.data = w.IntText(value=d.data_chars, description="data (tokens)")
        self.streaming = w.Checkbox(value=d.streaming, description="streaming")
        self.exact = w.Checkbox(value=d.exact_recall, description="exact recall from `context` back")
        self.out = w.HTML()
        for c in (self.context, self.latency, self.data, self.streaming, self.exact):
            c.observe(lambda _: self.update(), names="value")
        self.box = w.VBox([w.HBox([self.context, self.latency]), w.HBox([self.data, self.streaming, self.exact]),
                           self.out])
        self.update()

    def update(self) -> list[dict] | None:
        needs = TaskNeeds(self.context.value, self.latency.value, self.data.value, self.streaming.value,
                          self.exact.value)
        try:
            rows = fit_families(needs, self.measured, self.recall, self.quality)
        except ValueError as e:
            self.out.value = f"<span style='color:#d62728'>{e}</span>"
            return None
        self.out.value = fit_table_html(rows)
        return rows

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)


def decision_guide(quality: dict[str, float], cost: dict[str, dict], recall: dict[str, dict[int, float]],
                   receptive_field: int | None = None):
    """The article's four questions, each answered with numbers measured in notebook 08.

    quality: val loss per family; cost: ``cost_row`` per family; recall: copy accuracy per family
    and gap; receptive_field: the TCN language model's. Returns a pandas DataFrame (question, where it was measured, what we measured)."""
    import pandas as pd

    def per(fn):
        return ", ".join(f"{f} {fn(f)}" for f in cost)

    def reach(f):
        ok = [int(g) + COPY_SYMBOLS for g, a in recall.get(f, {}).items() if a >= 0.5]
        return f"{max(ok)}" if ok else "none"

    rows = [
        ("Does the input have an order (and must outputs stream)?", "Deployment cost",
         "MFLOP per new token at 100 → 2,000 tokens of context: "
         + per(lambda f: f"{cost[f]['MFLOP@100']:.1f}→{cost[f]['MFLOP@2000']:.1f}")),
        ("How long is the context?", "Performance limits",
         "longest copy distance recalled ≥ 50 %: " + per(reach)
         + (f"; receptive field of the TCN language model {receptive_field}, of the copy-task TCN "
            f"{COPY_TCN_RECEPTIVE_FIELD}" if receptive_field else "")),
        ("Classification or generation?", "Deployment cost",
         "generation state at 2,000 tokens (kB): " + per(lambda f: f"{cost[f]['state_kB@2000']:.0f}")),
        ("Should a stronger sequence model replace the RNN?", "Quality at equal budget",
         "validation nats/char at equal CPU time: " + ", ".join(f"{f} {v:.2f}" for f, v in quality.items())),
    ]
    return pd.DataFrame(rows, columns=["question", "measured in", "what we measured"])


# --- reading shipped benchmarks ----------------------------------------------------------------


def measured_on(bench: dict) -> str:
    """A plot caption for a shipped benchmark: when, and how busy the machine was.

    ``{"date": "2026-11-25T…", "machine": {"cpu_count": 2, "load_average_1_5_15": [17.13, …]}}``
    → ``"measured 2026-11-25 at load 17 on 2 cores"`` (load: the 1-minute load average)."""
    machine = bench.get("machine", {})
    load = machine.get("load_average_1_5_15")
    parts = [f"measured {bench['date'][:10]}" if bench.get("date") else "measured"]
    if load:
        parts.append(f"at load {load[0]:.0f}")
    if machine.get("cpu_count"):
        parts.append(f"on {machine['cpu_count']} cores")
    return " ".join(parts)
