"""The shape explorer: choose an RNN's settings, see every tensor's shape and the unrolled network.

    rnn_shapes(cell="lstm", batch=4, steps=6, features=3, hidden=5, layers=2,
               bidirectional=True, batch_first=True)      # rows: tensor, layout letters, shape
    ShapeExplorer()                                        # the same, driven by widgets

The shapes are not computed from formulas: a real ``nn.RNN``/``nn.LSTM``/``nn.GRU`` runs on a
zero tensor, and the table reports what came out, next to the letters that name each axis.
"""

from __future__ import annotations

import html

import torch
from torch import nn

__all__ = ["rnn_shapes", "ShapeTable", "unrolled_svg", "ShapeExplorer", "LIMITS"]

CELLS = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
# Big enough to explore, small enough that a typo (hidden=100000) cannot freeze the kernel.
LIMITS = {"batch": 256, "steps": 512, "features": 1024, "hidden": 1024, "layers": 8}


class ShapeTable(list):
    """Rows ``(tensor, letters, shape)``; prints as aligned text, shows as an HTML table."""

    def __str__(self) -> str:
        rows = [("tensor", "layout", "shape")] + [(n, letters, str(tuple(s))) for n, letters, s in self]
        w = [max(len(r[i]) for r in rows) for i in range(3)]
        return "\n".join("  ".join(c.ljust(k) for c, k in zip(r, w)).rstrip() for r in rows)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td><code>{html.escape(n)}</code></td><td>{html.escape(letters)}</td>"
            f"<td><code>{tuple(s)}</code></td></tr>" for n, letters, s in self
        )
        return f"<table><tr><th>tensor</th><th>layout</th><th>shape</th></tr>{body}</table>"


def _check(cell: str, **sizes: int) -> None:
    if cell.upper() not in CELLS:
        raise ValueError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}")
    for name, value in sizes.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= LIMITS[name]:
            raise ValueError(f"{name} must be a whole number from 1 to {LIMITS[name]}, got {value!r}")


@torch.no_grad()
def rnn_shapes(cell: str = "RNN", batch: int = 4, steps: int = 6, features: int = 3, hidden: int = 5,
               layers: int = 1, bidirectional: bool = False, batch_first: bool = True) -> ShapeTable:
    """Run one recurrent layer on zeros and report input, output, ``h_n`` and ``c_n`` shapes."""
    _check(cell, batch=batch, steps=steps, features=features, hidden=hidden, layers=layers)
    module = CELLS[cell.upper()](features, hidden, num_layers=layers, bidirectional=bidirectional,
                                 batch_first=batch_first)
    x = torch.zeros((batch, steps, features) if batch_first else (steps, batch, features))
    output, state = module(x)
    io = "(B, T, F)" if batch_first else "(T, B, F)"
    out = "(B, T, D·H)" if batch_first else "(T, B, D·H)"
    rows = ShapeTable([("input x", io, x.shape), ("output", out, output.shape)])
    if isinstance(state, tuple):  # LSTM: (h_n, c_n)
        rows += [("h_n", "(L·D, B, H)", state[0].shape), ("c_n", "(L·D, B, H)", state[1].shape)]
    else:
        rows.append(("h_n", "(L·D, B, H)", state.shape))
    return rows


def unrolled_svg(steps: int, layers: int = 1, bidirectional: bool = False, cell: str = "RNN",
                 batch_first: bool = True, max_steps: int = 6) -> str:
    """An SVG drawing of the network unrolled over time: one box per (layer, step), arrows for h.

    Inputs x_t enter at the bottom, each layer passes its outputs up, and the hidden state
    flows right (and, if bidirectional, left) along each layer. Long sequences are drawn with
    their first and last steps and a gap.
    """
    shown = list(range(steps)) if steps <= max_steps else list(range(max_steps - 1)) + [steps - 1]
    dx, dy, bw, bh = 78, 58, 50, 30
    width = 70 + dx * len(shown)
    height = 70 + dy * (layers + 1)
    state = "(h, c)" if cell.upper() == "LSTM" else "h"
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
             f"font-family='sans-serif' font-size='11'>",
             "<defs><marker id='a' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='6' markerHeight='6' "
             "orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='#555'/></marker></defs>"]
    arrow = "stroke='#555' stroke-width='1.3' marker-end='url(#a)'"
    for col, t in enumerate(shown):
        x0 = 50 + col * dx
        y_in = height - 22
        parts.append(f"<text x='{x0 + bw / 2}' y='{y_in + 14}' text-anchor='middle'>x<tspan dy='3' "
                     f"font-size='9'>{t + 1}</tspan></text>")
        if col == len(shown) - 1 and steps > max_steps:
            parts.append(f"<text x='{x0 - dx / 2 + bw / 2}' y='{height / 2}' text-anchor='middle' "
                         f"font-size='16'>…</text>")
        for layer in range(layers):
            y = height - 40 - (layer + 1) * dy
            parts.append(f"<rect x='{x0}' y='{y}' width='{bw}' height='{bh}' rx='5' fill='#deebf7' stroke='#3182bd'/>")
            parts.append(f"<text x='{x0 + bw / 2}' y='{y + 19}' text-anchor='middle'>{cell.upper()}</text>")
            below = y_in - 8 if layer == 0 else y + dy - 2 + 0
            parts.append(f"<line x1='{x0 + bw / 2}' y1='{below}' x2='{x0 + bw / 2}' y2='{y + bh + 2}' {arrow}/>")
            if col + 1 < len(shown):
                parts.append(f"<line x1='{x0 + bw}' y1='{y + 10}' x2='{x0 + dx - 2}' y2='{y + 10}' {arrow}/>")
                if bidirectional:
                    parts.append(f"<line x1='{x0 + dx}' y1='{y + 22}' x2='{x0 + bw + 2}' y2='{y + 22}' "
                                 f"stroke='#e6550d' stroke-width='1.3' marker-end='url(#a)'/>")
        top = height - 40 - layers * dy
        parts.append(f"<line x1='{x0 + bw / 2}' y1='{top}' x2='{x0 + bw / 2}' y2='{top - 18}' {arrow}/>")
        parts.append(f"<text x='{x0 + bw / 2}' y='{top - 22}' text-anchor='middle'>out<tspan dy='3' "
                     f"font-size='9'>{t + 1}</tspan></text>")
    legend = f"→ {state} carried forward in time" + (";  ← backward direction (D=2)" if bidirectional else "")
    parts.append(f"<text x='8' y='14' fill='#555'>{html.escape(legend)}</text>")
    parts.append("</svg>")
    return "".join(parts)


class ShapeExplorer:
    """Widgets for batch size, sequence length, input and hidden size, layers, direction,
    ``batch_first`` and cell type; the shape table and drawing update as they change."""

    def __init__(self, **start):
        import ipywidgets as w

        s = dict(cell="LSTM", batch=4, steps=6, features=3, hidden=5, layers=1,
                 bidirectional=False, batch_first=True)
        s.update(start)
        int_box = lambda name, desc: w.BoundedIntText(  # noqa: E731
            value=s[name], min=1, max=LIMITS[name], description=desc, layout=w.Layout(width="170px"),
            style={"description_width": "95px"})
        self.controls = {
            "cell": w.ToggleButtons(options=list(CELLS), value=s["cell"].upper(), style={"button_width": "60px"}),
            "batch": int_box("batch", "batch B"),
            "steps": int_box("steps", "steps T"),
            "features": int_box("features", "features F"),
            "hidden": int_box("hidden", "hidden H"),
            "layers": int_box("layers", "layers L"),
            "bidirectional": w.Checkbox(value=s["bidirectional"], description="bidirectional (D=2)"),
            "batch_first": w.Checkbox(value=s["batch_first"], description="batch_first"),
        }
        self.table = w.HTML()
        self.drawing = w.HTML()
        for c in self.controls.values():
            c.observe(lambda _: self.update(), names="value")
        left = w.VBox(list(self.controls.values()))
        self.widget = w.VBox([w.HBox([left, w.VBox([self.table, self.drawing])])])
        self.widget.add_class("rnn-shape-explorer")
        self.update()

    def settings(self) -> dict:
        return {k: c.value for k, c in self.controls.items()}

    def update(self) -> None:
        s = self.settings()
        try:
            self.table.value = rnn_shapes(**s)._repr_html_()
        except ValueError as e:
            self.table.value = f"<span style='color:#d62728'>{html.escape(str(e))}</span>"
            return
        self.drawing.value = unrolled_svg(s["steps"], s["layers"], s["bidirectional"], s["cell"], s["batch_first"])

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
