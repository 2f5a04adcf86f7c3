"""The shape doctor: :func:`diagnose` checks what a model *does* with the batch and time axes.

It perturbs one sample and watches whether other samples' outputs move (``"batch-mixing"``),
perturbs a late time step and watches whether earlier outputs move (``"future-leak"``), and
compares every RNN's ``batch_first`` with the layout you declare (``"layout-mismatch"``).
A correct model gets no findings.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import torch
import torch.nn as nn

from .hooks import ROOT
from .layout import LAYOUT_WORDS, check_layout
from .probe import (Ambiguous, Example, changed, get, others_changed, path_label, perturb,
                    replace, run)

__all__ = ["Finding", "Diagnosis", "diagnose", "format_findings"]


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



# -- where a problem starts, and what to say about it -------------------------------------


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
                f"{reads}, but the declared layout is {layout} {LAYOUT_WORDS[layout]}. Build it "
                f"with batch_first={expected}, unless the model transposes before calling it "
                f"(then this is deliberate)."), module=name))
    return found


def _where_mixed(ex: Example, base_events, pert_events, sample):
    """The first module input or output in which other samples moved."""
    if len(base_events) != len(pert_events):
        return None
    for (kind, name, module, before), (_, _, _, after) in zip(base_events, pert_events):
        for t0, t1 in zip(before, after):
            if t0.shape != t1.shape or t0.dim() == 0:
                continue
            try:
                axis = ex.batch_axis_of(t0)
            except Ambiguous:
                continue
            if axis is not None and others_changed(t0, t1, axis, sample):
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


# -- the checks ------------------------------------------------------------------------------


def _check_batch(model, args, ex: Example, gen) -> list[Finding]:
    """Perturb one sample at a time; every other sample's outputs must stay put."""
    B = ex.B
    base, base_events = run(model, args)
    again, _ = run(model, args)
    for (label, a), (_, b) in zip(base, again):
        if changed(a, b):
            raise ValueError(
                f"the model gives different {label} for the same input even in eval mode, so "
                f"diagnose cannot compare outputs: make forward deterministic in eval mode")
    outputs = []
    for label, t in base:
        if t.dim() == 0:
            continue
        try:
            outputs.append((label, t, ex.batch_axis_of(t)))
        except Ambiguous as err:
            raise ValueError(f"{label}: {err}") from None
    samples = sorted({0, B // 2, B - 1})

    # 1. an output with no batch axis at all: the batch was lost (out[-1] on (B, T, H))
    for label, t, axis in outputs:
        if axis is not None:
            continue
        moved_by = []
        for s in samples:
            x = perturb(get(args, ex.primary), ex.input_batch_axes[ex.primary], s, gen, ex.vocab)
            out, _ = run(model, replace(args, ex.primary, x))
            if changed(t, dict(out)[label]):
                moved_by.append(s)
        message = (f"{label} has shape {tuple(t.shape)}, with no axis of size B={B}: the "
                   f"batch axis was lost, so there is no answer per sample.")
        if moved_by == [B - 1]:
            message += (f" It changes only when the last sample (#{B - 1}) changes: that is "
                        f"what out[-1] does to a batch-first output (B, T, H) — it picks the "
                        f"last *sample*, not the last step. Use out[:, -1] for batch-first "
                        f"outputs (out[-1] is right only for time-first (T, B, H)).")
        else:
            rnn_name, hint = _layout_hint(model, ex.layout)
            message += (f" Check indexing and reductions on the batch axis "
                        f"(dim {ex.batch_axis} in {ex.words})"
                        + (f"; also, {hint}." if hint else "."))
        module = None
        for kind, name, mod, tensors in base_events:
            if any(v.dim() > 0 and B not in v.shape for v in tensors):
                module = name if name != ROOT else None
                break
        return [Finding("batch-mixing", message, module)]

    # 2. outputs with a batch axis: perturbing sample s may only move sample s
    for path, axis in ex.input_batch_axes.items():
        if axis is None:
            continue
        for s in samples:
            x = perturb(get(args, path), axis, s, gen, ex.vocab)
            pert, pert_events = run(model, replace(args, path, x))
            for (label, t, out_axis), (_, t_p) in zip(outputs, pert):
                if out_axis is not None and others_changed(t, t_p, out_axis, s):
                    what = (f"Changing sample {s} of {path_label(path, len(args))} changed other "
                            f"samples' {label}: samples in a batch must not see each other.")
                    where = _where_mixed(ex, base_events, pert_events, s)
                    message, module = _mixing_message(where, model, ex.layout, what)
                    return [Finding("batch-mixing", message, module)]
    return []


def _check_future(model, args, ex: Example, gen) -> list[Finding]:
    """Perturb a late step t*; outputs at steps < t* must stay put."""
    base, _ = run(model, args)
    for t_star in sorted({ex.T - 1, ex.T // 2}, reverse=True):
        x = perturb(get(args, ex.primary), ex.time_axis, t_star, gen, ex.vocab)
        pert, _ = run(model, replace(args, ex.primary, x))
        for (label, t), (_, t_p) in zip(base, pert):
            axis = ex.time_axis_of(t) if t.dim() > 0 else None
            if axis is None or t.shape != t_p.shape:
                continue
            past = torch.arange(t_star)
            if changed(t.index_select(axis, past), t_p.index_select(axis, past)):
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
    check_layout(layout)
    args = tuple(example_input) if isinstance(example_input, (tuple, list)) else (example_input,)
    ex = Example.decode(model, args, layout, batch_dims, causal)
    findings = Diagnosis(_layout_mismatches(model, layout))
    modes = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            gen = torch.Generator().manual_seed(0)
            findings += _check_batch(model, args, ex, gen)
            if causal:
                findings += _check_future(model, args, ex, gen)
    finally:
        for m, mode in modes:
            m.training = mode
    order = {"batch-mixing": 0, "future-leak": 1, "layout-mismatch": 2}
    findings.sort(key=lambda f: order.get(f.code, 3))
    return findings
