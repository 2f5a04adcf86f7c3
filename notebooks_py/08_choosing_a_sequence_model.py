# notebooks/08_choosing_a_sequence_model.ipynb as text (jupytext py:percent), written by `python tools/notebooks.py pair`.
# Edit the notebook, not this file: `tools/notebooks.py tidy` rewrites it.

# %% [markdown]
# # 08 · Choosing a sequence model
#
# Before every application the article asks: *should a stronger sequence model replace the RNN?*
# It tells us to weigh **data scale, deployment cost and performance limits**. This notebook
# answers with measurements on this course's own data instead of opinions. Five families, all
# behind notebook 03's character-LM interface — `model(x: (B, T) ids, state) → (logits (B, T, V),
# state)` — so the same `Trainer`, `generate`, dashboard and `diagnose` work on every one:
#
# | family | what it is | memory of the past |
# |---|---|---|
# | **LSTM**, **GRU** | the recurrent networks of notebooks 01–07 | a hidden state, fixed size |
# | **TCN** | causal dilated convolutions (Bai, Kolter & Koltun 2018) | a fixed window: the receptive field |
# | **Transformer** | causal self-attention on `nn.TransformerEncoderLayer` | every earlier token (a KV cache that grows), or a sliding window |
# | **minGRU** | "Were RNNs All We Needed?" (Feng et al. 2024): gates from the input only | a hidden state, trainable in parallel |

# %%
# On Google Colab only: clone the course (data included) and install it on Colab's own torch.
# Anywhere else this cell does nothing (`python3 course.py lab` has installed the course).
import sys
if "google.colab" in sys.modules:
    # !test -d /content/practical-rnns || git clone --depth 1 https://github.com/practical-rnns/practical-rnns /content/practical-rnns
    # !python /content/practical-rnns/rnn_course/colab.py
    sys.path.insert(0, "/content/practical-rnns")

# %%
import math
import warnings

import matplotlib.pyplot as plt
import pandas as pd
import torch
from tqdm.auto import tqdm

import rnn_course
from rnn_course.exercises import check
from rnn_course.families.measure import (COPY_TCN_RECEPTIVE_FIELD, build_copy_model, copy_memory_batch, cost_row,
                                         file_bytes, gradient_reach, onnx_vs_eager, quantize, step_latency,
                                         token_flops, train_copy, train_for)
from rnn_course.families.model import RECURRENT, build, char_lm_data, make_lm
from rnn_course.families.views import TaskFitWidget, decision_guide, measured_on
from rnn_course.plots import log_axis
from rnn_course.results import load_benchmark
from rnn_course.shapes import diagnose

warnings.filterwarnings("ignore", category=UserWarning)  # ONNX/quantization notices, not problems
device = rnn_course.start("08_choosing_a_sequence_model")
FAMILIES = ["lstm", "gru", "tcn", "transformer", "mingru"]


# %% [markdown]
# ## Is this an RNN problem? The article's four questions
#
# Each question becomes a measurement below; the last section fills this guide in with the numbers.
#
# | question | what answers it here | section |
# |---|---|---|
# | Does the input have an order (must outputs stream)? | per-token work, latency and state memory as the context grows to 2,000 tokens | Deployment cost |
# | How long is the context? | recall accuracy against distance on a copy-memory task; gradient reaching back | Performance limits |
# | Classification or generation? | generation state size; batch latency | Deployment cost |
# | Should a stronger sequence model replace the RNN? | validation loss at **equal training time** on notebook 03's data | Quality at equal budget |
#
# ## The data
#
# Notebook 03's split: train on 32 plays; validate on the first 10,000 characters of each of three
# plays never trained on. Windows of T = 128 characters, batch 64, for every family.

# %%
# NBVAL_CHECK_OUTPUT
vocab, (x_train, y_train), (x_valid, y_valid) = char_lm_data(128)
print(f"vocabulary {len(vocab)}; train windows {tuple(x_train.shape)}; validation windows {tuple(x_valid.shape)}  (N, T)")


# %% [markdown]
# ## Batches and shapes: one interface, five families
#
# One option picks the family (`make_lm("tcn", vocab_size, ...)`; a misspelt family or option is
# refused at construction with the valid choices). The logits are always `(B, T, V)`; what differs
# is the **state** each carries from one call to the next — and `diagnose(causal=True)` checks that
# no family lets step t see a later step.

# %%
# NBVAL_CHECK_OUTPUT
def state_shape(state):
    return str(tuple(state.shape)) if torch.is_tensor(state) else f"{len(state)} × {tuple(state[-1].shape)}"

models = {}
x = x_train[:3, :10]  # (B=3, T=10)
for fam in FAMILIES:
    torch.manual_seed(0)
    models[fam], _ = build(fam, len(vocab))
    logits, state = models[fam](x)
    found = diagnose(models[fam], x[:, :7], causal=True)
    print(f"{fam:12s} {models[fam].num_parameters():>8,} params  logits {tuple(logits.shape)}  "
          f"state {state_shape(state):22s} {'causal ✓' if not found else found}")
print(f"TCN receptive field: {models['tcn'].receptive_field} characters")
try:
    make_lm("cnn", len(vocab))
except ValueError as e:
    print("ValueError:", e)

# %% [markdown]
# The LSTM's state is `(h_n, c_n)`, each `(L, B, H)`; the TCN keeps the last `(k − 1)·d` inputs of
# each layer (its last layer: `(B, C, 64)`); the Transformer's KV cache holds `(B, S, d)` per layer
# — S is every token so far, so it grows. `tests/test_model_families.py` also checks that a
# deliberately non-causal TCN, an unmasked Transformer and a right-to-left minGRU are all caught.
#
# ## The models
#
# **TCN.** Causal dilated convolutions, gated and residual: 6 layers of kernel 3 with dilations
# 1 … 32 see 1 + 2·63 = 127 characters back — the receptive field above — and nothing further.
# (The copy-memory task below trains a different, smaller TCN with kernel 8, as Bai et al. did:
# its 6 layers see 1 + 7·63 = 442 steps back.)
#
# **Transformer.** Four pre-norm `nn.TransformerEncoderLayer`s with a causal mask. Positions are
# **ALiBi**: no position table; each head penalises attention by its distance, so a model trained on
# 128-character windows runs on 2,000. `context=W` turns on a sliding window.
#
# **minGRU.** A GRU whose gates read only the input, so h_t = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ h̃_t is a
# *linear* recurrence: all T steps can be computed at once with cumulative sums in log space
# (training), or one step at a time (generation). Both paths give the same numbers:

# %%
with torch.no_grad():
    parallel, _ = models["mingru"](x_train[:4], scan="parallel")  # (B, T, V), log-space scan over T
    sequential, _ = models["mingru"](x_train[:4], scan="sequential")  # a Python loop over T
mingru_gap = (parallel - sequential).abs().max().item()
print(f"largest difference between the two paths: {mingru_gap:.1e}")

# %% [markdown]
# Is the parallel path faster? `benchmarks/mingru_speed.py` times one training step (forward +
# backward, B = 8, H = 256) against PyTorch's fused `nn.GRU` as T grows:

# %%
speed = load_benchmark("mingru_speed")
r = speed["results"]
fig, ax = plt.subplots(figsize=(6, 3))
for name, label in [("mingru_parallel", "minGRU, parallel scan"), ("mingru_sequential", "minGRU, step by step"),
                    ("nn_gru", "nn.GRU (fused)")]:
    ax.plot(r["lengths"], [s * 1e3 for s in r["seconds_per_step"][name]], "o-", label=label)
log_axis(ax, "x", r["lengths"])
log_axis(ax, "y", [20, 50, 100, 200, 500, 1000])
ax.set(xlabel="sequence length T", ylabel="CPU ms per training step", title=f"one thread, {measured_on(speed)}")
ax.legend(fontsize=8); plt.show()
sec = r["seconds_per_step"]
for i in (0, -1):
    print(f"T = {r['lengths'][i]}: nn.GRU / minGRU parallel = {sec['nn_gru'][i] / sec['mingru_parallel'][i]:.2f}×, "
          f"minGRU parallel / step-by-step = {sec['mingru_parallel'][i] / sec['mingru_sequential'][i]:.2f}×")


# %% [markdown]
# Two things show (ratios printed above). minGRU trains faster than `nn.GRU` — but not thanks to
# the scan: its gates read only x_t, so it has no recurrent matrix multiply at all and does less
# work per step. The scan itself does not pay on a CPU: stepping the *same* maths one token at a
# time is faster still, because `logcumsumexp` visits every element one after another anyway and
# costs several exponentials each. The scan's advantage — O(log T) depth instead of T dependent
# steps — needs hardware that runs thousands of elements at once: a GPU, where Feng et al. report
# large speed-ups at long T. On this laptop, don't pick minGRU for its scan.
#
# ## Train: quality at equal budget
#
# Every family gets the same budget of **CPU seconds** (the process's CPU time, so a busy shared
# machine does not penalise whoever trained while it was busy), batch 64 × 128 characters, Adam.
# The live runs are short; `benchmarks/model_choice.py` ran each family far longer, and its
# curves ship in `data/benchmarks/`. First, the dashboard works on any family — here the TCN for a
# few steps (it has learned next to nothing yet), sampling with the same `generate` as notebook 03:

# %%
from rnn_course import Trainer, TrainConfig
from rnn_course.dashboard import Dashboard
from rnn_course.language.views import sample_text
from rnn_course.language.model import lm_loss

demo = Trainer(models["tcn"], (x_train, y_train), lm_loss, val_data=(x_valid[:64], y_valid[:64]),
               config=TrainConfig(steps=6, batch_size=64, lr=2e-3, eval_every=6))
dash = Dashboard(demo, steps=6, live=lambda t: sample_text(t.model, vocab, "ROMEO:\n", 60, seed=0), title="TCN",
                 loss_label="cross-entropy (nats/character)")
dash

# %%
print(dash.run())

# %% [markdown]
# Now the equal-budget runs: fresh models, the same seed, 4 CPU seconds each (plus evaluation) — about
# half a minute in all:

# %%
LIVE_SECONDS = 4.0
live = {}
for fam in tqdm(FAMILIES, desc="equal budget"):
    rnn_course.seed_everything(0)
    models[fam], lr = build(fam, len(vocab))
    live[fam] = train_for(models[fam], (x_train, y_train), (x_valid, y_valid), seconds=LIVE_SECONDS, lr=lr,
                          batch_size=64, eval_seconds=LIVE_SECONDS / 2, eval_batches=2)
    print(f"{fam:12s} {live[fam]['steps']:3d} steps  {live[fam]['tokens_per_s']:7,.0f} tokens per CPU second  "
          f"val {live[fam]['final_val_loss']:.3f} nats/char")


# %%
bench = load_benchmark("model_choice")
colors = dict(zip(FAMILIES, plt.rcParams["axes.prop_cycle"].by_key()["color"]))
fig, ax = plt.subplots(figsize=(7, 3.8))
for fam in FAMILIES:
    long = bench["results"]["families"].get(fam)
    if long:
        ax.plot(long["seconds"], long["val_loss"], "-", color=colors[fam], label=f"{fam} (shipped run)")
    ax.plot(live[fam]["seconds"], live[fam]["val_loss"], "o", color=colors[fam], ms=7, mfc="none")
log_axis(ax, "x", [1, 2, 4, 8, 15, 30, 60, 120])
ax.set(xlabel="CPU seconds of training (one thread)", ylabel="validation nats/char",
       title="lines: benchmarks/model_choice.py · circles: this notebook")
ax.legend(fontsize=8); ax.grid(alpha=0.3); plt.show()
print(f"shipped run: {measured_on(bench)} ({bench['machine']['processor']}) — `{bench['command']}`")
shipped = {f: r["whole_valid_plays_loss"] for f, r in bench["results"]["families"].items()}
print("after", bench["results"]["seconds_budget"], "CPU s, whole validation plays:",
      ", ".join(f"{f} {v:.2f}" for f, v in sorted(shipped.items(), key=lambda kv: kv[1])))


# %% [markdown]
# **Reading the curves.** The shipped runs gave every family 120 CPU seconds on one thread (the load
# printed above says how busy the machine was; the budget is CPU time, so that slowed the run
# without changing what each model got). On the whole validation plays the **GRU** ends lowest at 1.60 nats/char,
# then the LSTM 1.67, the TCN 1.76, minGRU 1.92 and the Transformer 2.08. Speed explains much of
# it — the GRU read about 34,600 characters per CPU second, the Transformer and minGRU about
# 10,000 — but not all: compared at the same number of characters seen (the Transformer's 1.2
# million), the GRU was already at 1.83 and the Transformer at 2.11. At this scale — 4 million
# characters, minutes of CPU — the plain recurrent models win, and the live circles (a few seconds
# each) sit where the long curves begin.
#
# On a GPU the picture would shift: a Transformer's matrix multiplies over all T positions at once
# are exactly what a GPU does well, while an LSTM/GRU must still take T steps one after another, so
# tokens per second — and with them the Transformer's curve — would move left by far more than the
# RNNs'. With more data and more compute, Transformers keep improving where small RNNs flatten;
# that is the regime they were built for, not a laptop and 4 million characters.
#
# ## Evaluate: performance limits on a long-memory task
#
# The **copy-memory task** (Bai, Kolter & Koltun 2018), generated on the fly: ten symbols from
# eight, a gap of blanks, a delimiter, then the model must repeat the ten symbols. Chance is 1/8 =
# 12.5 %. Small models (the TCN with kernel 8: a 442-step receptive field), trained from scratch for
# 150 steps at a gap of 10 — five short runs, about ten CPU seconds:

# %%
x_copy, y_copy = copy_memory_batch(2, gap=5, generator=torch.Generator().manual_seed(0))
print("input ", x_copy[0].tolist()); print("target", y_copy[0].tolist())

# %%
GAPS, COPY_STEPS = [10], 150
recall, copy_models = {f: {} for f in FAMILIES}, {}
for fam in tqdm(FAMILIES, desc="copy task"):
    for gap in GAPS:
        model, lr = build_copy_model(fam)
        recall[fam][gap] = train_copy(model, gap, steps=COPY_STEPS, lr=lr)
    copy_models[fam] = model
print(pd.DataFrame(recall).T.map(lambda a: f"{a:.0%}").rename(columns=lambda g: f"distance {g + 10}"))


# %%
long_mem = load_benchmark("long_memory")
lm = long_mem["results"]
shipped_recall = {f: {int(g): a for g, a in lm["accuracy"][f].items()} for f in FAMILIES}  # family → gap → accuracy
fig, ax = plt.subplots(figsize=(6.5, 3.4))
for fam in FAMILIES:
    distances = sorted(shipped_recall[fam])
    ax.plot([g + 10 for g in distances], [shipped_recall[fam][g] for g in distances], "-", color=colors[fam],
            label=f"{fam} ({lm['steps']} steps)")
    ax.plot([g + 10 for g in GAPS], [recall[fam][g] for g in GAPS], "o", color=colors[fam], mfc="none", ms=7)
ax.axhline(1 / 8, color="grey", ls=":", label="chance")
log_axis(ax, "x", [g + 10 for g in GAPS + lm["gaps"]])
ax.set(xlabel="distance between a symbol and its recall (steps)", ylabel="accuracy",
       title="lines: benchmarks/long_memory.py · circles: this notebook")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5)); plt.show()


# %% [markdown]
# Circles: this notebook's 150 steps; lines: `benchmarks/long_memory.py`, 600 steps at gaps 20, 100
# and 400 (distances 30, 110 and 410). The TCN recalls everything within 110 steps, but at 410 —
# inside its 442-step receptive field — it stayed at chance in 600 steps: having the reach is not
# the same as learning to use it. The Transformer recalls about half the symbols at every distance,
# 400 included: attention reaches any position in one hop, so distance barely matters to it. The
# GRU falls from 35 % to 13 %, minGRU from 47 % to chance already at 110, and the LSTM never leaves
# chance. For the recurrent models, the error signal that must travel back through every step in
# between gets weaker with each step, as the next plot shows.
#
# **Why the recurrent models fail: vanishing gradients.** To learn to remember a symbol, the error at
# the recall step must reach back, through every step in between, to the step that saw it. Below is
# the size of the gradient of the last step's loss with respect to each earlier input, on sequences
# of 500 steps — longer than the copy TCN's 442-step reach — for each model at initialisation
# (dashed: the signal training starts from) and after the 150 steps just trained (solid):

# %%
x_probe, _ = copy_memory_batch(16, 480, torch.Generator().manual_seed(2))  # (B, T = 500)
fig, ax = plt.subplots(figsize=(7, 3.4))
reach = {}
for fam in FAMILIES:
    start = gradient_reach(build_copy_model(fam)[0], x_probe)  # (T,): the same seed, before training
    reach[fam] = gradient_reach(copy_models[fam], x_probe)  # (T,): after training
    back = torch.arange(len(start) - 1, -1, -1)  # steps back from the recall step
    ax.plot(back, start.clamp_min(1e-30), color=colors[fam], ls="--", lw=1)
    ax.plot(back, reach[fam].clamp_min(1e-30), color=colors[fam], label=fam)
ax.plot([], [], "k--", lw=1, label="at initialisation"); ax.plot([], [], "k-", label="after training")
ax.axvline(COPY_TCN_RECEPTIVE_FIELD, color="grey", ls=":", label=f"TCN's reach ({COPY_TCN_RECEPTIVE_FIELD})")
ax.set(yscale="log", xlabel="steps back from the recall step", ylabel="‖∂ loss / ∂ input‖ (0 drawn at 1e-30)")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5)); plt.show()
tcn_zero = (reach["tcn"].flip(0) == 0).nonzero()
print(f"TCN: gradient exactly zero from {int(tcn_zero.min())} steps back on; receptive field {COPY_TCN_RECEPTIVE_FIELD}")


# %% [markdown]
# At initialisation the recurrent curves fall exponentially with distance — each step multiplies
# the gradient by a Jacobian with norm below one — until the LSTM's and GRU's underflow to zero and
# minGRU's levels off a million times below the last step's: a symbol twenty steps back, where the
# copy task starts, sends back thousands of times less signal than the last few inputs, and that
# is what training has to learn from. Training teaches the GRU's and minGRU's gates to carry more
# (their solid curves level off after a few steps), the LSTM's still vanishes — and 150 steps did
# not get any of them far in recall. The Transformer's attention reaches every earlier token in one
# hop, so its gradient does not shrink with distance. The TCN's drops to exactly zero at its
# receptive field, 442 steps back (the dotted line): beyond it the TCN is not weak, it is blind.
#
# ## Deployment cost
#
# Per family (the models trained above at equal budget): parameters, size on disk, training tokens
# per CPU second, the latency of scoring a batch of 64 × 128, and — for generation, batch 1 — the
# time per new token (`token_us`), the memory of the state (`state_kB`) and the work per new token
# (`MFLOP`, counted by `torch.utils.flop_counter`) after 100 and 2,000 tokens of context. Times
# depend on this machine and how busy it is; bytes and operations are the same on any machine. For the
# Transformer three ways: attending to the whole context with a KV cache, with a 128-token sliding
# window (the same weights — ALiBi makes that possible), and re-reading the whole context for each
# token (no cache at all).

# %%
window = make_lm("transformer", len(vocab), **{k: v for k, v in models["transformer"].config.__dict__.items()
                                               if k not in ("vocab_size", "context")}, context=128)
window.load_state_dict(models["transformer"].state_dict())
lineup = {**models, "transformer, window 128": window}
cost = {name: cost_row(m, tokens_per_s=live[name.split(",")[0]]["tokens_per_s"])
        for name, m in tqdm(lineup.items(), desc="deployment cost")}
cost["transformer, no cache"] = {**cost["transformer"], "state_kB@100": 0.0, "state_kB@2000": 0.0}
for n in (100, 2000):
    cost["transformer, no cache"][f"token_us@{n}"] = 1e6 * step_latency(models["transformer"], n, reread=True)[0]
    cost["transformer, no cache"][f"MFLOP@{n}"] = token_flops(models["transformer"], n, reread=True) / 1e6
cost["tcn"]["receptive_field"] = models["tcn"].receptive_field
table = pd.DataFrame(cost).T
print(table.drop(columns="receptive_field").round(1).to_string())


# %%
contexts = [100, 500, 1000, 2000]
work = {name: [token_flops(m, n) / 1e6 for n in contexts] for name, m in lineup.items()}
fig, ax = plt.subplots(figsize=(6.5, 3.2))
for name, mflop in work.items():
    ax.plot(contexts, mflop, "o-", label=name, color=colors.get(name, "grey"), ls="--" if "window" in name else "-")
ax.set(xlabel="tokens of context already read", ylabel="MFLOP per new token (batch 1)", yscale="log")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5)); plt.show()


# %% [markdown]
# The recurrent models (LSTM, GRU, minGRU) do the same work per token after 2,000 characters as
# after 100, with a state of a kilobyte or two: that is streaming for free (the µs in the table say
# the same, give or take how busy the machine was). The TCN is flat too — its state is its receptive
# field — but it forgets everything older. The full-context Transformer's cache grows by d numbers
# per layer per token, and each new token attends to (and, in this simple cache, re-projects) all
# of it, so its work grows in step with the context — about 19 times more at 2,000 tokens than at
# 100; without any cache, re-reading the whole text per token is far worse still. A window caps
# both work and memory, at the price of forgetting what slid out of it.
#
# ### Quantization: int8 weights for the recurrent models
#
# `torch.ao.quantization.quantize_dynamic` stores the weights of `nn.LSTM`, `nn.GRU` and
# `nn.Linear` as int8 and quantizes activations on the fly:

# %%
from rnn_course import Trainer as _T  # only for its evaluate()

def val_loss(model):  # the first 64 validation windows: enough to see a change in the third decimal
    return _T(model, (x_train, y_train), lm_loss, batch_size=64).evaluate((x_valid[:64], y_valid[:64]))

quant = {}
for fam in ["lstm", "gru", "mingru"]:
    q = quantize(models[fam])
    quant[fam] = {"fp32 MB": file_bytes(models[fam]) / 1e6, "int8 MB": file_bytes(q) / 1e6,
                  "fp32 µs/token": cost[fam]["token_us@100"], "int8 µs/token": step_latency(q, 100)[0] * 1e6,
                  "fp32 val": val_loss(models[fam]), "int8 val": val_loss(q)}
print(pd.DataFrame(quant).T.round(4).to_string())


# %% [markdown]
# About four times smaller on disk (the embedding stays float), and the validation loss moves by
# less than a thousandth of a nat. Don't expect it to be faster at batch 1 on a CPU (compare the
# two µs columns): a step this small is dominated by overheads, and quantizing the activations on
# the fly adds some.
#
# ### ONNX Runtime
#
# One generation step of the LSTM, exported with `torch.onnx.export` and run in ONNX Runtime, next
# to the same step in eager PyTorch, on the same 200 tokens:

# %%
import tempfile
from pathlib import Path

with tempfile.TemporaryDirectory() as tmp:
    onnx_result = onnx_vs_eager(models["lstm"], Path(tmp) / "lstm_step.onnx", tokens=200)
print(f"ONNX Runtime {onnx_result['onnx_us_per_token']:.0f} µs per token, eager PyTorch "
      f"{onnx_result['eager_us_per_token']:.0f} µs; largest logit difference {onnx_result['max_abs_diff']:.1e}; "
      f"file {onnx_result['file_MB']:.1f} MB")

# %% [markdown]
# Same numbers, less overhead per call: at batch 1 most of eager PyTorch's time goes to the Python
# and dispatcher layers around small kernels, which ONNX Runtime skips.
#
# ## Which family fits your task?
#
# Describe a task; every row answers from the numbers measured above: latency at your context
# (within 10 ms a token — 100 tokens a second — by default), the TCN language model's receptive
# field (127), quality at equal time and, only if your task must copy exact tokens from far back
# (tick *exact recall*), the copy-task recall at your distance from the 600-step runs. At the
# defaults — this notebook's own task — the recurrent models and the TCN fit:

# %%
quality = {f: live[f]["final_val_loss"] for f in FAMILIES}
TaskFitWidget(cost, shipped_recall, quality)


# %% [markdown]
# ## The guide, filled in

# %%
guide = decision_guide(quality, {f: cost[f] for f in FAMILIES}, shipped_recall, models["tcn"].receptive_field)
with pd.option_context("display.max_colwidth", None):
    display(guide.style.hide(axis="index"))


# %% [markdown]
# ## Your turn
#
# Solutions: `solutions/08_choosing_a_sequence_model.md`.
#
# **1.** A TCN has kernel size 3 and five layers with dilations 1, 2, 4, 8, 16. How many steps
# back (counting the current one) can its last output see?

# %%
answer_1 = ...
check("08-receptive-field", answer_1)

# %% [markdown]
# **2.** You stream text through `nn.GRU(64, 256, batch_first=True)`, batch 1, float32. How many
# bytes does the state you carry take after 2,000 tokens?

# %%
answer_2 = ...
check("08-state-bytes", answer_2)

# %% [markdown]
# **3.** (open) Re-run the equal-budget cell with `LIVE_SECONDS = 30` and a GRU of `hidden_size=512`.
# Does more capacity pay at this budget? Then try `build("transformer", len(vocab), num_layers=2)`.
#
# ## Looking back
#
# The article asks whether a stronger sequence model should replace the RNN. On this course's
# data and hardware the measurements answer *not by default*:
#
# - **Data scale and compute.** With 4 million characters and minutes of CPU, the GRU and LSTM reach
#   the lowest validation loss at equal training time, and the Transformer the highest — also per
#   character seen. A Transformer's strengths (parallel training, direct access to any position)
#   pay on GPUs and with far more data; minGRU's parallel scan pays on GPUs, not here.
# - **Deployment cost.** The recurrent models stream at a fixed cost and a state of 1–2 kB, however
#   long the context; int8 quantization makes them about four times smaller at a loss change in the
#   fourth decimal; ONNX Runtime runs the same LSTM step two to three times faster than eager PyTorch.
#   A full-context Transformer's work per token and cache grow with the context; a window caps both
#   and forgets.
# - **Performance limits.** Exact recall over long distances is where the recurrent models fail —
#   their gradient vanishes over the gap — while a TCN can recall perfectly inside its receptive
#   field (if it learns to) and is blind outside it, and attention reaches back in one hop.
#
# So: keep the RNN for streaming, small data and small devices; reach for a TCN when the context
# you need is bounded and known; reach for a Transformer when you have the data, the hardware and
# a need for long, exact look-ups — and measure, as here, before you switch.
#
# The last cell checks the claims and records the numbers.

# %% [markdown]
# ## Quiz
#
# Five questions on this notebook's ideas. Run the next cell to see them, replace each `...` below
# with your answer — a letter such as `"b"` — and run the answer cell: every answer gets an
# explanation, the wrong ones too. Your results are kept in
# `results/08_choosing_a_sequence_model.json`.

# %%
from rnn_course.exercises import check_quiz, quiz

quiz("08")

# %%
quiz_answers = {
    "08-quiz-work-per-token":   ...,  # a letter
    "08-quiz-receptive-field":  ...,  # a letter
    "08-quiz-equal-budget":     ...,  # a letter
    "08-quiz-mingru":           ...,  # a letter
    "08-quiz-when-transformer": ...,  # a letter
}
check_quiz(quiz_answers)

# %%
for fam in RECURRENT + ("tcn",):
    if fam in cost:  # counted operations and bytes: the same on any machine, however busy
        assert cost[fam]["MFLOP@2000"] == cost[fam]["MFLOP@100"], f"{fam}: work per token should not grow with context"
        assert cost[fam]["state_kB@2000"] == cost[fam]["state_kB@100"], f"{fam}: its state should not grow with context"
assert cost["transformer"]["MFLOP@2000"] > 10 * cost["transformer"]["MFLOP@100"], "full-context attention should do more work at 2,000 tokens"
assert cost["transformer"]["state_kB@2000"] > 10 * cost["transformer"]["state_kB@100"], "the KV cache should grow with the context"
assert cost["transformer, window 128"]["state_kB@2000"] < cost["transformer"]["state_kB@2000"] / 10, "a window caps the cache"
assert cost["transformer, window 128"]["MFLOP@2000"] < cost["transformer"]["MFLOP@2000"] / 10, "a window caps the work"
for fam, q in quant.items():
    assert q["int8 MB"] < q["fp32 MB"], f"{fam}: the quantized model should be smaller on disk"
    assert math.isfinite(q["int8 val"]), f"{fam}: the quantized model's validation loss should be a number"
assert mingru_gap < 1e-4, f"minGRU's two paths should agree, differ by {mingru_gap:.1e}"
assert onnx_result["max_abs_diff"] < 1e-4, "ONNX Runtime should give the eager outputs"
assert all(r["val_loss"][-1] < math.log(len(vocab)) for r in live.values()), "every family should beat a uniform guess"
assert recall["tcn"][GAPS[0]] > 0.5, "the TCN should recall within its receptive field"
assert (reach["tcn"][-COPY_TCN_RECEPTIVE_FIELD:] > 0).all() and (reach["tcn"][:-COPY_TCN_RECEPTIVE_FIELD] == 0).all(), \
    "the TCN's gradient should reach exactly its receptive field"
for fam in FAMILIES:
    rnn_course.record(f"{fam}_valid_nats_at_{LIVE_SECONDS:g}s", live[fam]["final_val_loss"])
    rnn_course.record(f"{fam}_train_tokens_per_s", live[fam]["tokens_per_s"])
    rnn_course.record(f"{fam}_token_us_at_100", cost[fam]["token_us@100"])
    rnn_course.record(f"{fam}_token_us_at_2000", cost[fam]["token_us@2000"])
    rnn_course.record(f"{fam}_token_mflop_at_2000", cost[fam]["MFLOP@2000"])
    for gap in GAPS:
        rnn_course.record(f"{fam}_copy_accuracy_distance_{gap + 10}", recall[fam][gap])
for fam in ("transformer, window 128", "transformer, no cache"):
    rnn_course.record(f"{fam.replace(', ', '_').replace(' ', '_')}_token_us_at_2000", cost[fam]["token_us@2000"])
for fam, q in quant.items():
    rnn_course.record(f"{fam}_int8_MB", q["int8 MB"]); rnn_course.record(f"{fam}_int8_valid_nats", q["int8 val"])
rnn_course.record("onnx_us_per_token", onnx_result["onnx_us_per_token"])
rnn_course.record("eager_us_per_token", onnx_result["eager_us_per_token"])
print("✓ flat work and state per token for the recurrent models and the TCN, growing for full attention; "
      "int8 smaller; ONNX matches; every family beats a uniform guess; the TCN recalls within its reach")

