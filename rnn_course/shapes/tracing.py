"""trace: run a model once and record (B, T, F) shapes through every module.

:func:`trace` records, for every module in call order, the shapes that went in and came out,
with axis letters where they are certain::

    #  module       type              batch_first  inputs                        outputs
    0  (model)      RNNLanguageModel               input (T, B) = (7, 4)         output (T, B, V) = (7, 4, 50)
    1    embedding  Embedding                      input (T, B) = (7, 4)         output (T, B, E) = (7, 4, 16)
    2    rnn        RNN               False        input (T, B, F) = (7, 4, 16)  output (T, B, D·H) = (7, 4, 32)
                                                                                 h_n (L·D, B, H) = (1, 4, 32)
    3    fc         Linear                         input (T, B, H) = (7, 4, 32)  output (T, B, V) = (7, 4, 50)

Letters: B batch, T time steps, F input features, H hidden size, E embedding size,
V vocabulary, L layers, D directions (2 if bidirectional), P projection size,
ΣT the total number of steps in a ``PackedSequence``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import PackedSequence

from .hooks import leaves, watch
from .layout import LAYOUT_WORDS, LAYOUTS, check_layout

__all__ = ["TensorInfo", "ShapeRow", "ShapeTrace", "ShapeError", "trace"]


@dataclass
class TensorInfo:
    """One tensor (or other value) going into or out of a module.

    ``axes`` holds one letter per axis, or ``None`` where the size alone cannot say which
    axis it is; ``axes is None`` when no axis could be named. For a ``PackedSequence``,
    ``shape`` is the shape of its ``data`` (ΣT, F) and ``batch_sizes`` has one entry per step.
    """

    label: str  # "input", "h_0", "output", "h_n", "c_n", "output[1]", ...
    shape: tuple[int, ...] | None = None  # None for values that are not tensors
    axes: tuple[str | None, ...] | None = None
    kind: str = "tensor"  # "tensor", "packed", or the type name of anything else
    is_int: bool = False  # integer tensors (token ids) have no feature axis
    batch_sizes: tuple[int, ...] | None = None

    def shape_text(self) -> str:
        """``(T, B, F) = (7, 4, 16)``, ``(4, 1)`` or ``(B, 1) = (4, 1)``."""
        numbers = _tuple_text(str(n) for n in self.shape)
        if not self.axes or not any(self.axes):
            return numbers
        letters = _tuple_text(a or str(n) for a, n in zip(self.axes, self.shape))
        return f"{letters} = {numbers}"

    def __str__(self) -> str:
        if self.kind == "packed":
            sizes = list(self.batch_sizes)
            if len(sizes) > 8:
                sizes = sizes[:4] + ["…"] + sizes[-2:]
            sizes_text = "[" + ", ".join(str(n) for n in sizes) + "]"
            return f"{self.label} PackedSequence(data={self.shape_text()}, batch_sizes={sizes_text})"
        if self.kind != "tensor":
            return f"{self.label} {self.kind}"
        return f"{self.label} {self.shape_text()}"


def _tuple_text(items) -> str:
    items = list(items)
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


@dataclass
class ShapeRow:
    """One module call: what went in, what came out. ``batch_first`` is set for RNN modules."""

    index: int
    name: str  # qualified name, e.g. "encoder.rnn"; the model itself is "(model)"
    type: str
    inputs: list[TensorInfo]
    outputs: list[TensorInfo] = field(default_factory=list)
    batch_first: bool | None = None
    depth: int = 0  # how deep in the call tree: 0 for the model itself
    error: str | None = None  # set on the module whose forward raised
    returned: bool = False

    def get(self, label: str) -> TensorInfo:
        """The input or output called ``label`` (e.g. ``"h_n"``)."""
        for info in self.inputs + self.outputs:
            if info.label == label:
                return info
        raise KeyError(f"{self.name} has no input or output {label!r}")


@dataclass
class ShapeTrace:
    """The rows of one traced forward call, printable as a table (text or HTML)."""

    rows: list[ShapeRow]
    layout: str | None = None
    error: str | None = None  # "RuntimeError: ..." when the forward call failed
    failed_module: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. which NumPy inputs were converted

    def row(self, name: str) -> ShapeRow:
        """The first call of the module called ``name``."""
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(f"no module {name!r} was called; traced: {[r.name for r in self.rows]}")

    def _cells(self):
        header = ["#", "module", "type", "batch_first", "inputs", "outputs"]
        body = []
        for r in self.rows:
            if r.error is not None:
                outputs = ["✗ failed here"]
            elif not r.returned:
                outputs = ["… (did not return)"]
            else:
                outputs = [str(o) for o in r.outputs] or ["—"]
            body.append([
                [str(r.index)],
                ["  " * r.depth + r.name],
                [r.type],
                ["" if r.batch_first is None else str(r.batch_first)],
                [str(i) for i in r.inputs] or ["—"],
                outputs,
            ])
        return header, body

    def __str__(self) -> str:
        header, body = self._cells()
        widths = [
            max([len(header[c])] + [len(line) for row in body for line in row[c]])
            for c in range(len(header))
        ]
        lines = []
        if self.layout:
            lines.append(f"declared layout: {self.layout} {LAYOUT_WORDS[self.layout]}")
        lines += [f"note: {n}" for n in self.notes]
        lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
        for row in body:
            for k in range(max(len(cell) for cell in row)):
                parts = [(cell[k] if k < len(cell) else "").ljust(w) for cell, w in zip(row, widths)]
                lines.append("  ".join(parts).rstrip())
        if self.error:
            lines.append(f"✗ {self.error}  (in {self.failed_module!r})")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        header, body = self._cells()
        out = ['<table style="font-family: monospace; border-collapse: collapse">']
        if self.layout:
            out.append(f"<caption>declared layout: {self.layout} {LAYOUT_WORDS[self.layout]}</caption>")
        out += [f"<caption>note: {html.escape(n)}</caption>" for n in self.notes]
        out.append("<tr>" + "".join(f'<th style="text-align:left">{h}</th>' for h in header) + "</tr>")
        for r, row in zip(self.rows, body):
            style = ' style="background:#fdd"' if r.error is not None else ""
            cells = []
            for c, cell in enumerate(row):
                text = "<br>".join(html.escape(line) for line in cell)
                if c == 1:  # keep the indentation of nested module names
                    text = text.replace(" ", "&nbsp;")
                cells.append(f'<td style="text-align:left; vertical-align:top">{text}</td>')
            out.append(f"<tr{style}>" + "".join(cells) + "</tr>")
        out.append("</table>")
        if self.error:
            out.append(f"<p style='color:#b00'>✗ {html.escape(self.error)} "
                       f"(in {html.escape(repr(self.failed_module))})</p>")
        return "\n".join(out)


class ShapeError(RuntimeError):
    """A forward call failed; the message shows the rows traced up to the failing module.

    ``.trace`` is the partial :class:`ShapeTrace`, ``.module`` the failing module's name,
    ``.original`` the exception PyTorch raised.
    """

    def __init__(self, message, trace, module, original):
        super().__init__(message)
        self.trace, self.module, self.original = trace, module, original


def _info(label, value) -> TensorInfo:
    if isinstance(value, PackedSequence):
        return TensorInfo(label, tuple(value.data.shape), kind="packed",
                          is_int=not value.data.is_floating_point(),
                          batch_sizes=tuple(int(n) for n in value.batch_sizes))
    if isinstance(value, torch.Tensor):
        return TensorInfo(label, tuple(value.shape),
                          is_int=not (value.is_floating_point() or value.is_complex()))
    return TensorInfo(label, kind=type(value).__name__)


def _rnn_axes(rnn: nn.RNNBase, info: TensorInfo, role: str):
    """How ``rnn`` reads (or wrote) a tensor — this is certain, whatever the data meant.

    input (B, T, F) or (T, B, F) · output (B, T, D·H) or (T, B, D·H) · h: (L·D, B, H).
    """
    if info.kind not in ("tensor", "packed"):
        return None
    h = "P" if rnn.proj_size else "H"
    if role in ("input", "output"):
        feature = "F" if role == "input" else f"D·{h}"
        if info.kind == "packed":
            return ("ΣT", feature)
        if len(info.shape) == 3:
            return ("B", "T", feature) if rnn.batch_first else ("T", "B", feature)
        if len(info.shape) == 2:  # one unbatched sequence
            return ("T", feature)
        return None
    last = h if role == "h" else "H"  # c (LSTM cell state) is never projected
    if len(info.shape) == 3:
        return ("L·D", "B", last)
    if len(info.shape) == 2:
        return ("L·D", last)
    return None


def _input_infos(module, args, kwargs) -> list[TensorInfo]:
    if isinstance(module, nn.RNNBase):
        x = args[0] if args else kwargs.get("input")
        hx = args[1] if len(args) > 1 else kwargs.get("hx")
        infos = [(_info("input", x), "input")]
        if isinstance(hx, (tuple, list)):  # LSTM: (h_0, c_0)
            infos += [(_info("h_0", hx[0]), "h"), (_info("c_0", hx[1]), "c")]
        elif hx is not None:
            infos.append((_info("h_0", hx), "h"))
        for info, role in infos:
            info.axes = _rnn_axes(module, info, role)
        return [info for info, _ in infos]
    pairs = leaves(args[0], "input") if len(args) == 1 else leaves(tuple(args), "input")
    for key, value in kwargs.items():
        pairs += leaves(value, key)
    return [_info(label, value) for label, value in pairs]


def _output_infos(module, output) -> list[TensorInfo]:
    if isinstance(module, nn.RNNBase) and isinstance(output, tuple) and len(output) == 2:
        out, hx = output
        infos = [(_info("output", out), "output")]
        if isinstance(hx, tuple):  # LSTM: (h_n, c_n)
            infos += [(_info("h_n", hx[0]), "h"), (_info("c_n", hx[1]), "c")]
        else:
            infos.append((_info("h_n", hx), "h"))
        for info, role in infos:
            info.axes = _rnn_axes(module, info, role)
        return [info for info, _ in infos]
    return [_info(label, value) for label, value in leaves(output, "output")]


def _known_sizes(rows, model, layout) -> dict[str, set[int]]:
    """Which sizes belong to which letter, from the modules and from how RNNs read inputs."""
    sizes = {k: set() for k in ("B", "T", "F", "H", "D·H", "P", "E", "V")}
    for m in model.modules():
        if isinstance(m, nn.RNNBase):
            sizes["F"].add(m.input_size)
            sizes["H"].add(m.hidden_size)
            if m.proj_size:
                sizes["P"].add(m.proj_size)
            if m.bidirectional:
                sizes["D·H"].add(2 * (m.proj_size or m.hidden_size))
        elif isinstance(m, nn.Embedding):
            sizes["V"].add(m.num_embeddings)
            sizes["E"].add(m.embedding_dim)
    for r in rows:  # RNN rows say which axis they read as B and which as T
        for info in r.inputs + r.outputs:
            if r.batch_first is None or info.axes is None:
                continue
            if info.kind == "packed":
                sizes["B"].add(info.batch_sizes[0])
                sizes["T"].add(len(info.batch_sizes))
                continue
            for letter, n in zip(info.axes, info.shape):
                if letter in ("B", "T"):
                    sizes[letter].add(n)
    if layout and rows:  # the declared layout names the model's own first input
        first = next((i for i in rows[0].inputs if i.kind == "tensor" and len(i.shape) >= 2), None)
        if first is not None:
            b_axis, t_axis = LAYOUTS[layout]
            sizes["B"].add(first.shape[b_axis])
            sizes["T"].add(first.shape[t_axis])
    return sizes


def _guess_axes(info: TensorInfo, sizes, last_letter=None):
    """Letters for a tensor outside an RNN, only where the size alone makes them certain.

    A size gets a letter when exactly one letter owns it (never size 1), B and T only on
    leading axes, feature letters only on the last axis of a float tensor. Anything else
    stays a number: a plain number is better than a wrong letter.
    """
    shape = info.shape
    feature_last = not info.is_int and len(shape) >= 2
    axes = []
    for i, n in enumerate(shape):
        is_feature_axis = feature_last and i == len(shape) - 1
        if is_feature_axis and last_letter:
            axes.append(last_letter)
            continue
        owners = [k for k, v in sizes.items() if n in v] if n > 1 else []
        letter = owners[0] if len(owners) == 1 else None
        if letter in ("B", "T") and is_feature_axis:
            letter = None
        if letter not in (None, "B", "T") and not is_feature_axis:
            letter = None
        axes.append(letter)
    for letter in set(axes):  # the same letter twice is a coincidence of sizes
        if letter and axes.count(letter) > 1:
            axes = [None if a == letter else a for a in axes]
    return tuple(axes) if any(axes) else None


def _tensors_from_numpy(value, label: str, dtype: torch.dtype, notes: list[str]):
    """``value`` with every NumPy array (also inside tuples and lists) made a torch tensor, as a
    model's ``forward`` needs: floats in the model's dtype, integers as int64 (token ids)."""
    if type(value) in (tuple, list):  # not a PackedSequence or another NamedTuple
        return type(value)(_tensors_from_numpy(v, f"{label}[{i}]", dtype, notes) for i, v in enumerate(value))
    if not isinstance(value, np.ndarray):
        return value
    if value.dtype.kind not in "biuf":
        raise ValueError(f"{label} is a NumPy array of {value.dtype}: trace needs numbers (floats, or integer "
                         "token ids); give a torch tensor, e.g. torch.tensor(x, dtype=torch.float32)")
    t = torch.from_numpy(np.ascontiguousarray(value))
    t = t if value.dtype.kind == "b" else t.to(dtype if value.dtype.kind == "f" else torch.long)
    how = ".float()" if t.is_floating_point() else ".long()"
    notes.append(f"{label}: a NumPy {value.dtype} array {tuple(value.shape)}, traced as a "
                 f"{str(t.dtype).removeprefix('torch.')} tensor; the model itself needs tensors: torch.from_numpy(x){how}")
    return t


def trace(model: nn.Module, *example_inputs, layout: str | None = None,
          raise_on_error: bool = True, **example_kwargs) -> ShapeTrace:
    """Run ``model(*example_inputs, **example_kwargs)`` once and record every module's shapes.

    Rows come in call order (a module called twice gives two rows). RNN/LSTM/GRU rows show
    how the module *reads* its tensors: ``input (T, B, F)`` or ``(B, T, F)`` by its
    ``batch_first``, ``output (T, B, D·H)``, ``h_n (L·D, B, H)``, ``c_n``. Other tensors get
    letters only where their sizes make them certain, so pick distinct example sizes
    (e.g. B=4, T=7, H=32) to see letters everywhere. ``layout`` ("BTF" or "TBF") names the
    axes of the model's first input. NumPy arrays are traced as torch tensors (floats in the
    model's dtype, integers as int64 token ids), and the trace's ``notes`` say so.

    If the forward call fails (``RuntimeError``/``ValueError``/``IndexError``/``TypeError``), a
    :class:`ShapeError` shows the rows traced so far and the failing module; with
    ``raise_on_error=False`` the partial trace comes back with ``.error`` set instead.
    Runs under ``torch.no_grad()``; the hooks are always removed.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"trace needs the model itself (a torch.nn.Module) first, got {type(model).__name__} "
                        f"{model!r:.40}: call trace(model, example_input)")
    if not example_inputs and not example_kwargs:
        raise ValueError("trace needs an example input to run the model on: call trace(model, x), "
                         "e.g. x = torch.zeros(4, 7, 3) for a batch-first (B, T, F) model")
    if layout is not None:
        check_layout(layout)
    notes: list[str] = []
    dtype = next((p.dtype for p in model.parameters() if p.is_floating_point()), torch.get_default_dtype())
    example_inputs = tuple(_tensors_from_numpy(x, "input" if len(example_inputs) == 1 else f"input {i}", dtype, notes)
                           for i, x in enumerate(example_inputs))
    example_kwargs = {k: _tensors_from_numpy(v, k, dtype, notes) for k, v in example_kwargs.items()}
    rows: list[ShapeRow] = []
    open_rows: list[ShapeRow] = []  # calls that started and have not returned yet

    def before(name, module, args, kwargs):
        row = ShapeRow(
            index=len(rows), name=name, type=type(module).__name__,
            inputs=_input_infos(module, args, kwargs), depth=len(open_rows),
            batch_first=module.batch_first if isinstance(module, nn.RNNBase) else None,
        )
        rows.append(row)
        open_rows.append(row)

    def after(name, module, args, kwargs, output):
        row = open_rows.pop()
        row.outputs = _output_infos(module, output)
        row.returned = True

    error = None
    try:
        with watch(model, before, after), torch.no_grad():
            model(*example_inputs, **example_kwargs)
    except (RuntimeError, ValueError, IndexError, TypeError) as err:
        error = err

    sizes = _known_sizes(rows, model, layout)
    for r in rows:
        if r.batch_first is not None:
            continue  # RNN rows are named already
        for info in r.inputs + r.outputs:
            if info.kind == "tensor" and info.axes is None:
                embedding_out = r.type == "Embedding" and info.label == "output"
                info.axes = _guess_axes(info, sizes, last_letter="E" if embedding_out else None)
    result = ShapeTrace(rows, layout, notes=notes)
    if error is None:
        return result

    failing = open_rows[-1] if open_rows else None
    result.error = f"{type(error).__name__}: {error}"
    result.failed_module = failing.name if failing else None
    if failing is None:  # failed before the model's own forward started
        raise error
    failing.error = result.error
    if raise_on_error:
        inputs = "; ".join(str(i) for i in failing.inputs) or "no tensors"
        where = f"'{failing.name}' ({failing.type})"
        if failing is not rows[-1]:
            where += f", in its own forward code after '{rows[-1].name}' returned"
        original = str(error).strip()
        message = (
            f"shape error in {where}\n"
            f"  called with: {inputs}\n"
            f"  {type(error).__name__}: {original}\n"
            f"Shapes traced up to the failure:\n{result}"
        )
        raise ShapeError(message, result, failing.name, error) from error
    return result
