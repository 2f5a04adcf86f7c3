"""Notebook 08's measuring tools: equal-time training, the copy-memory task, gradient reach,
deployment cost (latency, FLOPs, memory, size), int8 quantization and ONNX Runtime timing.

Every model here is a character LM from :func:`rnn_course.families.model.make_lm`:
``model(x: (B, T) ids, state) → (logits (B, T, V), state)``.
"""

from __future__ import annotations

import io
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

from ..language.model import lm_loss
from ..repro import without_onednn
from ..train import Callback, Trainer, TrainConfig

from .model import make_lm

__all__ = ["TimeBudget", "train_for", "copy_memory_batch", "copy_loss", "copy_accuracy", "COPY_SETTINGS",
           "COPY_TCN_RECEPTIVE_FIELD", "build_copy_model", "train_copy", "gradient_reach", "state_nbytes",
           "file_bytes", "step_latency", "token_flops", "batch_latency", "cost_row", "quantize", "onnx_vs_eager"]

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
