"""Shapes: trace (B, T, F) through a model, and the shape doctor.

The course's first habit is *check the order of batch, time step and feature*. Two tools
help:

* :func:`trace` runs a model once and records, for every module in call order, the shapes
  that went in and came out, with axis letters where they are certain::

      #  module       type              batch_first  inputs                        outputs
      0  (model)      RNNLanguageModel               input (T, B) = (7, 4)         output (T, B, V) = (7, 4, 50)
      1    embedding  Embedding                      input (T, B) = (7, 4)         output (T, B, E) = (7, 4, 16)
      2    rnn        RNN               False        input (T, B, F) = (7, 4, 16)  output (T, B, D·H) = (7, 4, 32)
                                                                                   h_n (L·D, B, H) = (1, 4, 32)
      3    fc         Linear                         input (T, B, H) = (7, 4, 32)  output (T, B, V) = (7, 4, 50)

* :func:`diagnose` checks *behaviour*, not only shapes: it perturbs one sample and watches
  whether other samples' outputs move (``"batch-mixing"``), perturbs a late time step and
  watches whether earlier outputs move (``"future-leak"``), and compares every RNN's
  ``batch_first`` with the layout you declare (``"layout-mismatch"``).

Letters: B batch, T time steps, F input features, H hidden size, E embedding size,
V vocabulary, L layers, D directions (2 if bidirectional), P projection size,
ΣT the total number of steps in a ``PackedSequence``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import torch
import torch.nn as nn
from torch.nn.utils.rnn import PackedSequence

__all__ = [
    "LAYOUTS",
    "TensorInfo",
    "ShapeRow",
    "ShapeTrace",
    "ShapeError",
    "trace",
    "Finding",
    "Diagnosis",
    "diagnose",
    "format_findings",
]

# layout → (batch axis, time axis) of a (padded) input tensor
LAYOUTS = {"BTF": (0, 1), "TBF": (1, 0)}
_LAYOUT_WORDS = {"BTF": "(B, T, F)", "TBF": "(T, B, F)"}
ROOT = "(model)"  # how the traced model itself is named in rows


def _check_layout(layout):
    if layout not in LAYOUTS:
        raise ValueError(
            f"layout must be 'BTF' (batch-first: (B, T, F)) or 'TBF' (time-first: (T, B, F)), "
            f"got {layout!r}"
        )


def _leaves(obj, label):
    """Flatten nested tuples / lists / dicts into ``[(label, leaf)]``; ``None`` is skipped.

    A ``PackedSequence`` is a leaf (it is a tuple underneath, so it is tested first).
    """
    if obj is None:
        return []
    if isinstance(obj, (torch.Tensor, PackedSequence)):
        return [(label, obj)]
    if isinstance(obj, (tuple, list)):
        return [pair for i, item in enumerate(obj) for pair in _leaves(item, f"{label}[{i}]")]
    if isinstance(obj, dict):
        return [pair for k, item in obj.items() for pair in _leaves(item, f"{label}[{k!r}]")]
    return [(label, obj)]


# =======================================================================================
# trace


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
            lines.append(f"declared layout: {self.layout} {_LAYOUT_WORDS[self.layout]}")
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
            out.append(f"<caption>declared layout: {self.layout} {_LAYOUT_WORDS[self.layout]}</caption>")
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
    pairs = _leaves(args[0], "input") if len(args) == 1 else _leaves(tuple(args), "input")
    for key, value in kwargs.items():
        pairs += _leaves(value, key)
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
    return [_info(label, value) for label, value in _leaves(output, "output")]


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


def trace(model: nn.Module, *example_inputs, layout: str | None = None,
          raise_on_error: bool = True, **example_kwargs) -> ShapeTrace:
    """Run ``model(*example_inputs, **example_kwargs)`` once and record every module's shapes.

    Rows come in call order (a module called twice gives two rows). RNN/LSTM/GRU rows show
    how the module *reads* its tensors: ``input (T, B, F)`` or ``(B, T, F)`` by its
    ``batch_first``, ``output (T, B, D·H)``, ``h_n (L·D, B, H)``, ``c_n``. Other tensors get
    letters only where their sizes make them certain, so pick distinct example sizes
    (e.g. B=4, T=7, H=32) to see letters everywhere. ``layout`` ("BTF" or "TBF") names the
    axes of the model's first input.

    If the forward call fails (``RuntimeError``/``ValueError``/``IndexError``), a
    :class:`ShapeError` shows the rows traced so far and the failing module; with
    ``raise_on_error=False`` the partial trace comes back with ``.error`` set instead.
    Runs under ``torch.no_grad()``; the hooks are always removed.
    """
    if layout is not None:
        _check_layout(layout)
    names = {m: (n or ROOT) for n, m in model.named_modules()}
    rows: list[ShapeRow] = []
    open_rows: list[ShapeRow] = []  # calls that started and have not returned yet

    def before(module, args, kwargs):
        row = ShapeRow(
            index=len(rows), name=names[module], type=type(module).__name__,
            inputs=_input_infos(module, args, kwargs), depth=len(open_rows),
            batch_first=module.batch_first if isinstance(module, nn.RNNBase) else None,
        )
        rows.append(row)
        open_rows.append(row)

    def after(module, args, kwargs, output):
        row = open_rows.pop()
        row.outputs = _output_infos(module, output)
        row.returned = True

    handles, error = [], None
    try:
        for m in names:
            handles.append(m.register_forward_pre_hook(before, with_kwargs=True))
            handles.append(m.register_forward_hook(after, with_kwargs=True))
        with torch.no_grad():
            model(*example_inputs, **example_kwargs)
    except (RuntimeError, ValueError, IndexError) as err:
        error = err
    finally:
        for h in handles:
            h.remove()

    sizes = _known_sizes(rows, model, layout)
    for r in rows:
        if r.batch_first is not None:
            continue  # RNN rows are named already
        for info in r.inputs + r.outputs:
            if info.kind == "tensor" and info.axes is None:
                embedding_out = r.type == "Embedding" and info.label == "output"
                info.axes = _guess_axes(info, sizes, last_letter="E" if embedding_out else None)
    result = ShapeTrace(rows, layout)
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


# =======================================================================================
# diagnose


@dataclass
class Finding:
    """One problem :func:`diagnose` found: a stable ``code`` and a ``message`` to act on."""

    code: str  # "batch-mixing", "future-leak" or "layout-mismatch"
    message: str
    module: str | None = None  # where it shows first, when that is known

    def __str__(self) -> str:
        where = f" in '{self.module}'" if self.module else ""
        return f"[{self.code}]{where}: {self.message}"


def format_findings(findings) -> str:
    """"✓ no layout problems found", or one paragraph per finding."""
    if not findings:
        return "✓ no layout problems found"
    n = len(findings)
    lines = [f"✗ {n} layout problem{'s' if n > 1 else ''} found:"]
    lines += [f"- {f}" for f in findings]
    return "\n".join(lines)


class Diagnosis(list):
    """A list of :class:`Finding` that prints itself nicely in a notebook."""

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self]

    def __str__(self) -> str:
        return format_findings(self)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        if not self:
            return "<p style='color:#070'>✓ no layout problems found</p>"
        items = "".join(
            f"<li><code>{f.code}</code>"
            + (f" in <code>{html.escape(f.module)}</code>" if f.module else "")
            + f": {html.escape(f.message)}</li>"
            for f in self
        )
        return f"<p style='color:#b00'>✗ {len(self)} layout problem(s) found:</p><ul>{items}</ul>"


# -- nested inputs: a path is a tuple of indices into nested tuples/lists -----------------

def _tensor_paths(obj, path=()):
    if isinstance(obj, torch.Tensor):
        return [path]
    if isinstance(obj, (tuple, list)) and not isinstance(obj, PackedSequence):
        return [p for i, item in enumerate(obj) for p in _tensor_paths(item, path + (i,))]
    return []


def _get(obj, path):
    for i in path:
        obj = obj[i]
    return obj


def _replace(obj, path, new):
    if not path:
        return new
    items = list(obj)
    items[path[0]] = _replace(obj[path[0]], path[1:], new)
    return items if isinstance(obj, list) else tuple(items)


def _path_label(path, n_args):
    if n_args == 1:
        return "the input" + "".join(f"[{i}]" for i in path[1:])
    return "input" + "".join(f"[{i}]" for i in path)


# -- which axis is the batch (or time) axis of a tensor -------------------------------------

class _Ambiguous(ValueError):
    pass


def _batch_axis(t: torch.Tensor, B: int, layout_axis: int):
    """The axis of size B; prefers dims 0/1 (where PyTorch layouts keep B), then the layout's.

    Returns None when no axis has size B; raises when several could be it.
    """
    axes = [d for d, n in enumerate(t.shape) if n == B]
    if len(axes) <= 1:
        return axes[0] if axes else None
    front = [d for d in axes if d < 2]
    if len(front) == 1:
        return front[0]
    if layout_axis in axes:
        return layout_axis
    raise _Ambiguous(
        f"a tensor of shape {tuple(t.shape)} has several axes of size B={B}, so diagnose "
        f"cannot tell which one is the batch; use an example batch size that differs from "
        f"every other size (e.g. B=3 with T=5, H=8)"
    )


def _input_batch_axis(t: torch.Tensor, B: int):
    """Batch axis of an extra input: data (B, T, F)/(T, B, F), or a state h_0: (L·D, B, H)."""
    if t.dtype == torch.bool or t.dim() == 0:
        return None
    axes = [d for d, n in enumerate(t.shape) if n == B]
    if len(axes) <= 1:
        return axes[0] if axes else None
    if 0 in axes and 1 in axes:
        raise ValueError(
            f"an input of shape {tuple(t.shape)} has size B={B} on both dim 0 and dim 1, so "
            f"diagnose cannot tell its batch axis: pass batch_dims=(...) with one axis (or None) "
            f"per input, or use an example batch size that differs from the other sizes"
        )
    if axes[0] < 2:  # B in front (dim 0 or 1), the other size-B axes are features
        return axes[0]
    raise ValueError(
        f"an input of shape {tuple(t.shape)} has several axes of size B={B} and none of them "
        f"is dim 0 or 1: pass batch_dims=(...) with one axis (or None) per input")


def _time_axis(t: torch.Tensor, T: int, B: int, layout: str):
    try:
        b = _batch_axis(t, B, LAYOUTS[layout][0])
    except _Ambiguous:
        return None
    axes = [d for d, n in enumerate(t.shape) if n == T and d != b]
    if len(axes) == 1:
        return axes[0]
    return LAYOUTS[layout][1] if LAYOUTS[layout][1] in axes else None


# -- running the model -----------------------------------------------------------------------

def _run(model, args):
    """Outputs as [(label, tensor)], and every module's inputs/outputs in call order."""
    names = {m: (n or ROOT) for n, m in model.named_modules()}
    events = []  # (kind "in"/"out", module name, module, [tensors])

    def tensors(obj):
        return [v.detach().clone() for _, v in _leaves(obj, "") if isinstance(v, torch.Tensor)]

    def before(module, a, kw):
        events.append(("in", names[module], module, tensors((a, kw))))

    def after(module, a, kw, out):
        events.append(("out", names[module], module, tensors(out)))

    handles = []
    try:
        for m in names:
            handles.append(m.register_forward_pre_hook(before, with_kwargs=True))
            handles.append(m.register_forward_hook(after, with_kwargs=True))
        out = model(*args)
    finally:
        for h in handles:
            h.remove()
    leaves = [(label, v.detach()) for label, v in _leaves(out, "output")
              if isinstance(v, torch.Tensor)]
    return leaves, events


def _perturb(t: torch.Tensor, axis: int, index: int, gen, vocab):
    """A copy of ``t`` with one slice along ``axis`` changed clearly (tokens stay in range)."""
    t = t.clone()
    part = t.select(axis, index)  # a view into the copy
    if t.is_floating_point():
        scale = 1.0 + float(t.abs().max())
        part += torch.randn(part.shape, generator=gen, dtype=t.dtype) * scale
    else:
        n = max(2, vocab or int(t.max()) + 1)
        shift = torch.randint(1, n, part.shape, generator=gen, dtype=t.dtype)
        part.copy_((part + shift) % n)
    return t


def _tol(t: torch.Tensor) -> float:
    return 1e-5 * max(1.0, float(t.float().abs().max())) if t.numel() else 0.0


def _others_changed(a, b, axis, sample) -> bool:
    """Did any sample other than ``sample`` change between ``a`` and ``b``?"""
    keep = torch.tensor([i for i in range(a.shape[axis]) if i != sample])
    diff = (a.index_select(axis, keep).float() - b.index_select(axis, keep).float()).abs()
    return diff.numel() > 0 and float(diff.max()) > _tol(a)


def _changed(a, b) -> bool:
    return a.shape != b.shape or float((a.float() - b.float()).abs().max()) > _tol(a)


def _layout_hint(model, layout):
    """The first RNN whose batch_first contradicts the layout, and what to do about it."""
    for name, m in model.named_modules():
        if isinstance(m, nn.RNNBase) and m.batch_first != (layout == "BTF"):
            if layout == "BTF":
                text = (f"the RNN '{name}' is time-first (batch_first=False) but the input is "
                        f"(B, T, F), so it reads the batch axis as time: pass batch_first=True "
                        f"or x.transpose(0, 1)")
            else:
                text = (f"the RNN '{name}' is batch-first (batch_first=True) but the input is "
                        f"(T, B, F), so it reads the time axis as the batch: build it with "
                        f"batch_first=False or pass x.transpose(0, 1)")
            return name, text
    return None, ""


def _layout_mismatches(model, layout) -> list[Finding]:
    expected = layout == "BTF"
    found = []
    for name, m in model.named_modules():
        if isinstance(m, nn.RNNBase) and m.batch_first != expected:
            reads = "(B, T, F)" if m.batch_first else "(T, B, F)"
            found.append(Finding("layout-mismatch", (
                f"'{name}' ({type(m).__name__}) has batch_first={m.batch_first}, so it reads "
                f"{reads}, but the declared layout is {layout} {_LAYOUT_WORDS[layout]}. Build it "
                f"with batch_first={expected}, unless the model transposes before calling it "
                f"(then this is deliberate)."), module=name))
    return found


def _where_mixed(base_events, pert_events, B, sample, layout_axis):
    """The first module input or output in which other samples moved."""
    if len(base_events) != len(pert_events):
        return None
    for (kind, name, module, before), (_, _, _, after) in zip(base_events, pert_events):
        for t0, t1 in zip(before, after):
            if t0.shape != t1.shape or t0.dim() == 0:
                continue
            try:
                axis = _batch_axis(t0, B, layout_axis)
            except _Ambiguous:
                continue
            if axis is not None and _others_changed(t0, t1, axis, sample):
                return kind, name, module
    return None


def _mixing_message(where, model, layout, what):
    if where is None:
        return (f"{what} Look for .view()/.reshape() where .transpose()/.permute() was "
                f"needed, or an RNN whose batch_first does not match the data."), None
    kind, name, module = where
    if kind == "out" and isinstance(module, nn.RNNBase):
        rnn_name, hint = _layout_hint(model, layout)
        if rnn_name == name:
            return f"{what} It starts in '{name}': {hint}.", name
    if kind == "in":
        return (f"{what} The samples are already mixed in the input of '{name}' "
                f"({type(module).__name__}), so the code that builds that input mixes them — "
                f"typically .view()/.reshape() used where .transpose()/.permute() was needed, "
                f"e.g. a (B, T, H) tensor .view(T, B, H) instead of .transpose(0, 1)."), name
    if name == ROOT:
        return (f"{what} It happens in the model's own forward code: look for .view()/.reshape()"
                f" where .transpose()/.permute() was needed, or a reduction over the batch "
                f"axis."), None
    return (f"{what} It first shows in the output of '{name}' ({type(module).__name__}): "
            f"check which axis it treats as the batch."), name


def _check_batch(model, args, axes, primary, B, layout, vocab, gen) -> list[Finding]:
    """Perturb one sample at a time; every other sample's outputs must stay put."""
    layout_axis = LAYOUTS[layout][0]
    base, base_events = _run(model, args)
    again, _ = _run(model, args)
    for (label, a), (_, b) in zip(base, again):
        if _changed(a, b):
            raise ValueError(
                f"the model gives different {label} for the same input even in eval mode, so "
                f"diagnose cannot compare outputs: make forward deterministic in eval mode")
    outputs = []
    for label, t in base:
        if t.dim() == 0:
            continue
        try:
            outputs.append((label, t, _batch_axis(t, B, layout_axis)))
        except _Ambiguous as err:
            raise ValueError(f"{label}: {err}") from None
    samples = sorted({0, B // 2, B - 1})

    # 1. an output with no batch axis at all: the batch was lost (out[-1] on (B, T, H))
    for label, t, axis in outputs:
        if axis is not None:
            continue
        moved_by = []
        for s in samples:
            x = _perturb(_get(args, primary), axes[primary], s, gen, vocab)
            out, _ = _run(model, _replace(args, primary, x))
            if _changed(t, dict(out)[label]):
                moved_by.append(s)
        message = (f"{label} has shape {tuple(t.shape)}, with no axis of size B={B}: the "
                   f"batch axis was lost, so there is no answer per sample.")
        if moved_by == [B - 1]:
            message += (f" It changes only when the last sample (#{B - 1}) changes: that is "
                        f"what out[-1] does to a batch-first output (B, T, H) — it picks the "
                        f"last *sample*, not the last step. Use out[:, -1] for batch-first "
                        f"outputs (out[-1] is right only for time-first (T, B, H)).")
        else:
            rnn_name, hint = _layout_hint(model, layout)
            message += (f" Check indexing and reductions on the batch axis "
                        f"(dim {layout_axis} in {_LAYOUT_WORDS[layout]})"
                        + (f"; also, {hint}." if hint else "."))
        module = None
        for kind, name, mod, tensors in base_events:
            if any(v.dim() > 0 and B not in v.shape for v in tensors):
                module = name if name != ROOT else None
                break
        return [Finding("batch-mixing", message, module)]

    # 2. outputs with a batch axis: perturbing sample s may only move sample s
    for path, axis in axes.items():
        if axis is None:
            continue
        for s in samples:
            x = _perturb(_get(args, path), axis, s, gen, vocab)
            pert, pert_events = _run(model, _replace(args, path, x))
            for (label, t, out_axis), (_, t_p) in zip(outputs, pert):
                if out_axis is not None and _others_changed(t, t_p, out_axis, s):
                    what = (f"Changing sample {s} of {_path_label(path, len(args))} changed other "
                            f"samples' {label}: samples in a batch must not see each other.")
                    where = _where_mixed(base_events, pert_events, B, s, layout_axis)
                    message, module = _mixing_message(where, model, layout, what)
                    return [Finding("batch-mixing", message, module)]
    return []


def _check_future(model, args, primary, layout, B, T, vocab, gen) -> list[Finding]:
    """Perturb a late step t*; outputs at steps < t* must stay put."""
    time_axis = LAYOUTS[layout][1]
    base, _ = _run(model, args)
    for t_star in sorted({T - 1, T // 2}, reverse=True):
        x = _perturb(_get(args, primary), time_axis, t_star, gen, vocab)
        pert, _ = _run(model, _replace(args, primary, x))
        for (label, t), (_, t_p) in zip(base, pert):
            axis = _time_axis(t, T, B, layout) if t.dim() > 0 else None
            if axis is None or t.shape != t_p.shape:
                continue
            past = torch.arange(t_star)
            if _changed(t.index_select(axis, past), t_p.index_select(axis, past)):
                bidirectional = [n for n, m in model.named_modules()
                                 if isinstance(m, nn.RNNBase) and m.bidirectional]
                message = (f"Changing the input at step {t_star} changed {label} at earlier "
                           f"steps: a causal (next-step) model's output at step t may only "
                           f"depend on inputs up to t.")
                if bidirectional:
                    message += (f" '{bidirectional[0]}' is bidirectional: its backward direction "
                                f"reads the future. Use bidirectional=False for a next-step model.")
                    return [Finding("future-leak", message, bidirectional[0])]
                message += (" Look for a reshape that mixes time steps (.view instead of "
                            ".transpose), or attention without a causal mask.")
                return [Finding("future-leak", message)]
    return []


def diagnose(model: nn.Module, example_input, *, layout: str = "BTF", causal: bool = False,
             batch_dims=None) -> Diagnosis:
    """Check a model for the classic silent layout bugs; a correct model gets no findings.

    ``example_input`` is one tensor — (B, T, F) for ``layout="BTF"``, (T, B, F) for "TBF",
    or token ids (B, T) / (T, B) — or a tuple of model arguments (e.g. ``(src, tgt)`` or a
    decoder's ``(x, h_0)`` with ``h_0: (L·D, B, H)``). B and T come from the first tensor
    with at least two axes; pick B ≠ T (e.g. B=3, T=5) so the axes can be told apart. The
    batch axis of other tensor arguments is the axis of size B (dim 1 for a hidden state);
    ``batch_dims`` overrides it with one axis (or None) per argument.

    Findings (``Finding.code``):

    * ``"batch-mixing"`` — changing one sample moved another sample's output, or an output
      has no batch axis at all (``out[-1]`` on a batch-first output).
    * ``"future-leak"`` (only with ``causal=True``) — changing the input at a late step
      moved outputs at earlier steps (e.g. a bidirectional RNN as a next-step model).
    * ``"layout-mismatch"`` — an RNN's ``batch_first`` disagrees with ``layout``.

    The model runs in eval mode under ``torch.no_grad()`` (so dropout cannot cause false
    findings); its train/eval modes and the global random state are restored afterwards.
    """
    _check_layout(layout)
    args = tuple(example_input) if isinstance(example_input, (tuple, list)) else (example_input,)
    batch_axis, time_axis = LAYOUTS[layout]
    primary = next((i for i, a in enumerate(args)
                    if isinstance(a, torch.Tensor) and a.dim() >= 2), None)
    if primary is None:
        raise ValueError(
            f"diagnose needs a padded tensor input with batch and time axes, "
            f"{_LAYOUT_WORDS[layout]} or token ids; got {[type(a).__name__ for a in args]}")
    B, T = args[primary].shape[batch_axis], args[primary].shape[time_axis]
    if B < 2:
        raise ValueError(f"the example batch has B={B}; diagnose compares samples, so give it "
                         f"at least 2 (better 3 or more)")
    if B == T:
        raise ValueError(f"the example input has B == T == {B}, so the batch and time axes "
                         f"cannot be told apart; use different sizes, e.g. B=3 and T=5")
    if causal and T < 2:
        raise ValueError(f"causal=True needs at least 2 time steps, the example has T={T}")

    axes = {}  # tensor path → batch axis (None: not perturbed)
    for path in _tensor_paths(args):
        t = _get(args, path)
        if batch_dims is not None:
            if len(batch_dims) != len(args):
                raise ValueError(f"batch_dims needs one entry (an axis or None) per input: "
                                 f"{len(args)} inputs, {len(batch_dims)} entries")
            axes[path] = batch_dims[path[0]]
        elif path == (primary,):
            axes[path] = batch_axis
        else:
            axes[path] = _input_batch_axis(t, B)
    if axes.get((primary,)) is None:
        raise ValueError("batch_dims gives no batch axis for the first sequence input")

    embeddings = [m for m in model.modules() if isinstance(m, nn.Embedding)]
    vocab = embeddings[0].num_embeddings if embeddings else None
    findings = Diagnosis(_layout_mismatches(model, layout))
    modes = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            gen = torch.Generator().manual_seed(0)
            findings += _check_batch(model, args, axes, (primary,), B, layout, vocab, gen)
            if causal:
                findings += _check_future(model, args, (primary,), layout, B, T, vocab, gen)
    finally:
        for m, mode in modes:
            m.training = mode
    order = {"batch-mixing": 0, "future-leak": 1, "layout-mismatch": 2}
    findings.sort(key=lambda f: order.get(f.code, 3))
    return findings
