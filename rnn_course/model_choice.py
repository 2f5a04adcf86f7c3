"""Notebook 08's measuring tools: equal-time training, a long-memory task, gradient reach,
deployment cost (latency, memory, size), int8 quantization, ONNX Runtime timing, and the
"which family fits my task?" logic behind the widget.

Every model here is a character LM from :func:`rnn_course.models.families.make_lm`:
``model(x: (B, T) ids, state) → (logits (B, T, V), state)``.
"""

from __future__ import annotations

import io
import statistics
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .models.families import RECURRENT, make_lm
from .language.model import lm_loss
from .repro import without_onednn
from .train import Callback, Trainer, TrainConfig

__all__ = ["FAMILY_SETTINGS", "char_lm_data", "build", "TimeBudget", "train_for", "copy_memory_batch",
           "copy_loss", "copy_accuracy", "COPY_SETTINGS", "build_copy_model", "train_copy", "gradient_reach", "state_nbytes", "file_bytes",
           "step_latency", "token_flops", "batch_latency", "cost_row", "quantize", "onnx_vs_eager", "TaskNeeds",
           "fit_families", "fit_table_html", "TaskFitWidget", "decision_guide", "COPY_TCN_RECEPTIVE_FIELD",
           "measured_on", "log_axis"]

# The equal-budget line-up: sizes a 2-core laptop trains in minutes, close to the line-up;
# learning rates are common Adam defaults per family, not tuned here (tuning would favour whichever
# family got the most trials). hidden_size is H (RNNs), channels (TCN) or d (Transformer).
FAMILY_SETTINGS = {
    "lstm": (dict(embedding_dim=64, hidden_size=256), 4e-3),
    "gru": (dict(embedding_dim=64, hidden_size=256), 4e-3),
    "tcn": (dict(hidden_size=128, num_layers=6, kernel_size=3), 2e-3),
    "transformer": (dict(hidden_size=128, num_layers=4, heads=4), 1e-3),
    "mingru": (dict(hidden_size=192, num_layers=2), 3e-3),
}


def build(family: str, vocab_size: int, **overrides) -> tuple[nn.Module, float]:
    """The line-up's model of ``family`` (with ``overrides``) and its learning rate."""
    if family not in FAMILY_SETTINGS:
        raise ValueError(f"family must be one of {', '.join(FAMILY_SETTINGS)}; got {family!r}")
    options, lr = FAMILY_SETTINGS[family]
    return make_lm(family, vocab_size, **{**options, **overrides}), lr


def char_lm_data(steps: int = 128, valid_chars: int | None = 10_000):
    """Notebook 03's split: train on the training plays; validate on the validation plays
    (the first ``valid_chars`` of each, or whole plays with None). Returns vocab, (x, y) train,
    (x, y) valid, all (N, T) windows."""
    from .language.data import CharVocab, lm_windows, play_text, plays, shakespeare

    train_text = shakespeare("train")
    vocab = CharVocab.build(train_text)
    valid = "".join(play_text(r["play"])[:valid_chars] for r in plays("valid"))
    return vocab, lm_windows(vocab.encode(train_text), steps), lm_windows(vocab.encode(valid), steps)


# --- quality at equal time -----------------------------------------------------------------


class TimeBudget(Callback):
    """Stop after ``seconds`` of training (evaluation excluded) and evaluate every
    ``eval_seconds``: a curve of validation loss against training seconds and tokens seen.

    The clock is this process's **CPU time** (``time.process_time``): on a shared machine a run
    that waits for a core is not charged for the wait, so families trained at different moments
    get the same compute. With one thread (OMP_NUM_THREADS=1) it is what an idle core would take."""

    def __init__(self, seconds: float, eval_seconds: float, eval_batches: int | None = None):
        self.seconds, self.eval_seconds, self.eval_batches = seconds, eval_seconds, eval_batches
        self.curve: list[tuple[float, int, float]] = []  # (seconds, tokens, val loss)

    def on_run_start(self, trainer):
        self.clock, self.t0, self.next_eval, self.tokens = 0.0, time.process_time(), self.eval_seconds, 0
        self.wall0 = time.perf_counter()

    def on_step(self, trainer, step, loss):
        self.clock += time.process_time() - self.t0
        x = trainer.train_data.tensors[0]
        self.tokens += trainer.config.batch_size * x.size(1)
        if self.clock >= self.next_eval or self.clock >= self.seconds:
            self.curve.append((self.clock, self.tokens, trainer.evaluate(max_batches=self.eval_batches)))
            self.next_eval += self.eval_seconds
        if self.clock >= self.seconds:
            trainer.request_stop()
            self.wall = time.perf_counter() - self.wall0
        self.t0 = time.process_time()  # evaluation does not count as training time


def train_for(model: nn.Module, train, valid, *, seconds: float, lr: float, batch_size: int = 64,
              eval_seconds: float | None = None, eval_batches: int | None = None, seed: int = 0) -> dict:
    """Train ``model`` with ``lm_loss`` for ``seconds`` of CPU time (see :class:`TimeBudget`).

    Returns curve lists (seconds, tokens, val_loss), steps, tokens/s and the final val loss."""
    budget = TimeBudget(seconds, eval_seconds or seconds / 4, eval_batches)
    trainer = Trainer(model, train, lm_loss, val_data=valid, callbacks=[budget],
                      config=TrainConfig(steps=10**7, batch_size=batch_size, lr=lr, eval_every=10**7, seed=seed))
    summary = trainer.run()
    secs, toks, vals = (list(v) for v in zip(*budget.curve))
    return {"seconds": secs, "tokens": toks, "val_loss": vals, "steps": summary.steps_this_run,
            "wall_seconds_with_evals": getattr(budget, "wall", None),
            "tokens_per_s": toks[-1] / secs[-1], "final_val_loss": vals[-1]}


# --- performance limits: copy memory (Bai, Kolter & Koltun, 2018) ----------------------------

COPY_SYMBOLS, COPY_ALPHABET = 10, 8  # recall 10 symbols drawn from 8; chance is 1/8
BLANK, DELIMITER, COPY_VOCAB = 0, 9, 10


# Small models for the copy task. The TCN uses kernel 8, as Bai et al. did for this task: 6 layers
# see 1 + 7·63 = 442 steps back (with kernel 3 it had to compose the offset from many dilated
# taps and stayed at chance for 600 steps at a gap of 20).
COPY_SETTINGS = {
    "lstm": (dict(embedding_dim=16, hidden_size=64), 3e-3),
    "gru": (dict(embedding_dim=16, hidden_size=64), 3e-3),
    "tcn": (dict(hidden_size=32, num_layers=6, kernel_size=8), 2e-3),
    "transformer": (dict(hidden_size=64, num_layers=2, heads=4), 1e-3),
    "mingru": (dict(hidden_size=64, num_layers=2), 3e-3),
}


COPY_TCN_RECEPTIVE_FIELD = 1 + (COPY_SETTINGS["tcn"][0]["kernel_size"] - 1) * (2 ** COPY_SETTINGS["tcn"][0]["num_layers"] - 1)


def build_copy_model(family: str, seed: int = 0) -> tuple[nn.Module, float]:
    """A small model of ``family`` for the copy task, and its learning rate."""
    if family not in COPY_SETTINGS:
        raise ValueError(f"family must be one of {', '.join(COPY_SETTINGS)}; got {family!r}")
    torch.manual_seed(seed)
    options, lr = COPY_SETTINGS[family]
    return make_lm(family, COPY_VOCAB, **options), lr


def copy_memory_batch(batch: int, gap: int, generator: torch.Generator | None = None):
    """The copy-memory task: x = 10 symbols (1…8), ``gap`` blanks, a delimiter, 9 blanks.

    The model must output the 10 symbols at the last 10 steps, ``gap + 10`` steps after it saw
    each. x, y: (B, T) with T = gap + 20; y is BLANK except the last 10 steps.
    """
    if not isinstance(gap, int) or gap < 0:
        raise ValueError(f"gap must be a whole number ≥ 0, got {gap!r}")
    n = COPY_SYMBOLS
    symbols = torch.randint(1, COPY_ALPHABET + 1, (batch, n), generator=generator)  # (B, 10)
    x = torch.full((batch, gap + 2 * n), BLANK, dtype=torch.long)  # (B, T)
    x[:, :n] = symbols
    x[:, n + gap] = DELIMITER
    y = torch.full_like(x, BLANK)
    y[:, -n:] = symbols
    return x, y


def copy_loss(model, batch) -> torch.Tensor:
    """Cross-entropy on the 10 recall steps only. batch: x, y (B, T)."""
    x, y = batch
    logits, _ = model(x)  # (B, T, V)
    n = COPY_SYMBOLS
    return F.cross_entropy(logits[:, -n:].reshape(-1, logits.size(-1)), y[:, -n:].reshape(-1))


@torch.no_grad()
def copy_accuracy(model, gap: int, batch: int = 256, seed: int = 1) -> float:
    """Share of the recalled symbols that are right, on fresh sequences (chance: 1/8)."""
    was = model.training
    model.eval()
    x, y = copy_memory_batch(batch, gap, torch.Generator().manual_seed(seed))
    logits, _ = model(x)
    model.train(was)
    n = COPY_SYMBOLS
    return float((logits[:, -n:].argmax(-1) == y[:, -n:]).float().mean())


def train_copy(model, gap: int, *, steps: int, batch_size: int = 32, lr: float = 3e-3, seed: int = 0) -> float:
    """Train on freshly generated copy-memory batches (never the same twice) and return the
    accuracy on new ones."""
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(steps):
        loss = copy_loss(model, copy_memory_batch(batch_size, gap, g))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    return copy_accuracy(model, gap)


def gradient_reach(model, x: torch.Tensor) -> torch.Tensor:
    """How strongly the loss at the last step reaches back: ‖∂ loss_T / ∂ e_t‖ for every input
    embedding e_t. x: (B, T) → (T,) gradient norms (summed over the batch)."""
    grads = {}

    def keep(module, inputs, output):
        output.retain_grad()
        grads["e"] = output

    handle = model.embedding.register_forward_hook(keep)
    try:
        was = model.training
        model.eval()
        logits, _ = model(x)  # (B, T, V)
        loss = F.cross_entropy(logits[:, -1], x[:, -1])
        loss.backward()
        model.train(was)
        model.zero_grad(set_to_none=True)
    finally:
        handle.remove()
    return grads["e"].grad.norm(dim=-1).sum(0)  # (B, T, E) → (T,)


# --- deployment cost -------------------------------------------------------------------------


def state_nbytes(state) -> int:
    """Bytes held by a model's generation state (tensor, tuple or list of tensors)."""
    if state is None:
        return 0
    if torch.is_tensor(state):
        return state.numel() * state.element_size()
    return sum(state_nbytes(s) for s in state)


def file_bytes(model: nn.Module) -> int:
    """Size of ``torch.save(model.state_dict())`` — what a checkpoint costs on disk."""
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    return buf.getbuffer().nbytes


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


@torch.no_grad()
def step_latency(model, context: int, *, steps: int = 16, reread: bool = False, vocab_size: int | None = None,
                 seed: int = 0) -> tuple[float, int]:
    """Seconds per generated token, batch 1, after ``context`` tokens of prompt; and the state's bytes.

    With ``reread=False`` the model carries its state (an RNN's h, a TCN's buffers, a
    Transformer's KV cache); with ``reread=True`` it re-runs over the whole text for each token
    (a Transformer without a cache)."""
    model.eval()
    V = vocab_size or model.config.vocab_size
    ids = torch.randint(0, V, (1, context), generator=torch.Generator().manual_seed(seed))
    nxt = torch.zeros(1, 1, dtype=torch.long)
    with without_onednn():
        _, state = model(ids)
        if reread:
            return _median_time(lambda: model(ids), max(3, steps // 4)), 0
        model(nxt, state)  # warm-up
        return _median_time(lambda: model(nxt, state), steps), state_nbytes(state)


def _cpu_attention_flops(query_shape, key_shape, value_shape, *args, out_shape=None, **kwargs) -> int:
    """torch's flop counter knows the GPU attention kernels, not the CPU one: count it the same way."""
    from torch.utils.flop_counter import sdpa_flop_count

    return sdpa_flop_count(query_shape, key_shape, value_shape)


@torch.no_grad()
def token_flops(model, context: int, *, reread: bool = False, vocab_size: int | None = None, seed: int = 0) -> int:
    """Floating-point operations (2 per multiply-add) in the matrix products of one new token,
    batch 1, after ``context`` tokens of prompt — carrying the state as :func:`step_latency`
    does, or with ``reread=True`` re-running the whole ``context`` (a Transformer without a cache).

    Counted by ``torch.utils.flop_counter`` from the operations that really run, so it is the
    same on every machine and under any load: flat in ``context`` for a fixed-size state, growing
    for a full-context Transformer (its new query meets S cached tokens in every layer)."""
    from torch.utils.flop_counter import FlopCounterMode

    model.eval()
    V = vocab_size or model.config.vocab_size
    ids = torch.randint(0, V, (1, context), generator=torch.Generator().manual_seed(seed))
    counter = FlopCounterMode(display=False, custom_mapping={
        torch.ops.aten._scaled_dot_product_flash_attention_for_cpu: _cpu_attention_flops})
    with without_onednn():
        if reread:
            with counter:
                model(ids)
        else:
            _, state = model(ids)
            with counter:
                model(torch.zeros(1, 1, dtype=torch.long), state)
    return counter.get_total_flops()


@torch.no_grad()
def batch_latency(model, batch: int = 64, steps: int = 128, repeats: int = 3) -> float:
    """Seconds to score a batch of (B, T) sequences at once (inference, no state carried)."""
    model.eval()
    x = torch.randint(0, model.config.vocab_size, (batch, steps), generator=torch.Generator().manual_seed(0))
    model(x)
    return _median_time(lambda: model(x), repeats)


def cost_row(model, *, tokens_per_s: float | None = None, contexts=(100, 2000), steps: int = 16) -> dict:
    """One row of the deployment table: parameters, MB on disk, training tokens/s, batch latency,
    and per-token latency (µs, wall clock: it varies with the machine and its load), state
    memory (kB) and work (MFLOP, the same everywhere) at each context length."""
    row = {"params": sum(p.numel() for p in model.parameters()), "disk_MB": file_bytes(model) / 1e6,
           "train_tokens_per_s": tokens_per_s, "batch_64x128_ms": 1e3 * batch_latency(model, repeats=1)}
    for n in contexts:
        sec, nbytes = step_latency(model, n, steps=steps)
        row[f"token_us@{n}"] = 1e6 * sec
        row[f"state_kB@{n}"] = nbytes / 1e3
        row[f"MFLOP@{n}"] = token_flops(model, n) / 1e6
    return row


def quantize(model: nn.Module) -> nn.Module:
    """Dynamic int8 quantization: weights of Linear/LSTM/GRU stored as int8, activations
    quantized on the fly. The original model is left alone."""
    import copy

    from torch.ao.quantization import quantize_dynamic

    return quantize_dynamic(copy.deepcopy(model).eval(), {nn.Linear, nn.LSTM, nn.GRU}, dtype=torch.qint8)


class _Step(nn.Module):
    """One generation step with the state flattened to tensors, for export:
    (x (1, 1), h (L, 1, H)[, c]) → (logits (1, V), h[, c])."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x, *state):
        logits, new = self.model(x, state[0] if len(state) == 1 else tuple(state))
        new = new if isinstance(new, tuple) else (new,)
        return (logits[:, -1], *new)


@torch.no_grad()
def onnx_vs_eager(model, path, *, tokens: int = 200) -> dict:
    """Export one step of a recurrent LM (RecurrentLM or MinGRULM) to ONNX, run ``tokens``
    steps in ONNX Runtime and in eager PyTorch from the same start, and compare.

    Returns microseconds per token for each, and the largest logit difference."""
    import onnxruntime as ort

    model.eval()
    step = _Step(model).eval()
    x0 = torch.zeros(1, 1, dtype=torch.long)
    _, state = model(x0)
    state = state if isinstance(state, tuple) else (state,)
    names = [f"state_in_{i}" for i in range(len(state))]
    torch.onnx.export(step, (x0, *state), str(path), input_names=["x", *names],
                      output_names=["logits", *[f"state_out_{i}" for i in range(len(state))]], dynamo=False)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    ids = torch.randint(0, model.config.vocab_size, (tokens,), generator=torch.Generator().manual_seed(0))

    def run_ort():
        s, out = [t.numpy() for t in state], []
        for i in ids:
            res = sess.run(None, {"x": i.view(1, 1).numpy(), **dict(zip(names, s))})
            out.append(res[0])
            s = res[1:]
        return out

    def run_eager():
        s, out = state, []
        with without_onednn():
            for i in ids:
                res = step(i.view(1, 1), *s)
                out.append(res[0])
                s = res[1:]
        return out

    diff = max(float((torch.from_numpy(a) - b).abs().max()) for a, b in zip(run_ort(), run_eager()))
    t_ort, t_eager = _median_time(run_ort, 3), _median_time(run_eager, 3)
    return {"onnx_us_per_token": 1e6 * t_ort / tokens, "eager_us_per_token": 1e6 * t_eager / tokens,
            "max_abs_diff": diff, "file_MB": path.stat().st_size / 1e6}


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
        for name in ("context", "data_chars"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name} must be a whole number ≥ 1, got {v!r}")
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


def log_axis(ax, which: str, ticks) -> None:
    """Put ``ax``'s ``which`` ("x" or "y") axis on a log scale labelled only at ``ticks``, in plain
    numbers: matplotlib's default labels every minor tick of a short log range, and they overlap."""
    from matplotlib.ticker import NullFormatter

    if which not in ("x", "y"):
        raise ValueError(f"which must be 'x' or 'y', got {which!r}")
    axis = ax.xaxis if which == "x" else ax.yaxis
    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    ticks = sorted(ticks)
    axis.set_ticks(ticks, [f"{t:,g}" for t in ticks])
    axis.set_minor_formatter(NullFormatter())
