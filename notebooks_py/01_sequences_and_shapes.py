# notebooks/01_sequences_and_shapes.ipynb as text (jupytext py:percent), written by `python tools/notebooks.py pair`.
# Edit the notebook, not this file: `tools/notebooks.py tidy` rewrites it.

# %% [markdown]
# # 01 · Sequences and shapes
#
# The article's first advice: *"map how data flows at each time step"*, and *"verify the ordering
# across three dimensions: batch, time step, and feature — incorrect dimension ordering is a
# common pitfall."* This notebook does exactly that, by hand and then with PyTorch:
#
# one RNN step by hand → unrolling over time → `nn.RNN` → `batch_first` and `h_n` → LSTM and GRU →
# stacking and directions → padding and packing → the article's `lstm_out[-1]` bug, caught →
# a shape explorer → a first training run from a dashboard → exercises.
#
# Letters used everywhere: **B** batch, **T** time steps, **F** input features, **H** hidden size,
# **L** layers, **D** directions. About 45 minutes to work through; the notebook itself runs in
# <!-- time:nb -->about 8 s<!-- /time -->.

# %%
# On Google Colab only: clone the course (data included) and install it on Colab's own torch.
# Anywhere else this cell does nothing (`python3 course.py lab` has installed the course).
import sys
if "google.colab" in sys.modules:
    # !test -d /content/practical-rnns || git clone --depth 1 https://github.com/practical-rnns/practical-rnns /content/practical-rnns
    # !python /content/practical-rnns/rnn_course/colab.py
    sys.path.insert(0, "/content/practical-rnns")

# %%
import torch
from torch import nn
from IPython.display import HTML, display

import rnn_course
from rnn_course.shapes import trace, diagnose
from rnn_course.shapes import ShapeExplorer, rnn_shapes, unrolled_svg
from rnn_course.exercises import check, solution

device = rnn_course.start("01_sequences_and_shapes")

# %% [markdown]
# ## Is this an RNN problem? What a sequence looks like to one
#
# An RNN earns its place when the **order** of the inputs matters and the answer depends on what
# came **earlier**. It reads one time step at a time and carries a summary — the hidden state
# `h` — from step to step. A *batch* of sequences is a 3-D tensor; here B = 2 sequences of
# T = 4 steps, each step a vector of F = 3 features:

# %%
# NBVAL_CHECK_OUTPUT
x = torch.randn(2, 4, 3)  # (B, T, F)
B, T, F = x.shape
H = 5  # hidden size we will use
print(f"B={B} sequences, T={T} steps, F={F} features per step")

# %% [markdown]
# ## One RNN step by hand
#
# At every step the RNN mixes the new input $x_t$ with its previous state $h_{t-1}$:
#
# $$h_t = \tanh\left(W_{ih}\,x_t + b_{ih} + W_{hh}\,h_{t-1} + b_{hh}\right)$$
#
# The weights are shared by all time steps. We borrow them from a real `nn.RNN` so we can compare
# at the end (double precision, so the comparison is exact to the last decimal).

# %%
# NBVAL_CHECK_OUTPUT
rnn = nn.RNN(input_size=F, hidden_size=H, batch_first=True).double()
W_ih, W_hh = rnn.weight_ih_l0, rnn.weight_hh_l0  # (H, F), (H, H)
b_ih, b_hh = rnn.bias_ih_l0, rnn.bias_hh_l0  # (H,), (H,)
x = x.double()

h = torch.zeros(B, H, dtype=torch.double)  # h_0: (B, H)
x_1 = x[:, 0]  # step 1 of every sequence: (B, F)
h = torch.tanh(x_1 @ W_ih.T + b_ih + h @ W_hh.T + b_hh)  # (B, H)
print("W_ih", tuple(W_ih.shape), "W_hh", tuple(W_hh.shape), "x_1", tuple(x_1.shape), "→ h_1", tuple(h.shape))

# %% [markdown]
# ## Unrolling over time
#
# Repeat the step for t = 1 … T, feeding each new `h` into the next step. Drawn out, the same cell
# appears once per step — the network *unrolled*:

# %%
HTML(unrolled_svg(steps=T))


# %%
def rnn_by_hand(x, h):
    """x: (B, T, F), h: (B, H) → outputs (B, T, H), last h (B, H)."""
    outputs = []
    for x_t in x.unbind(dim=1):  # T tensors of (B, F)
        h = torch.tanh(x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh)  # (B, H)
        outputs.append(h)
    return torch.stack(outputs, dim=1), h  # stack along the time axis: (B, T, H)


with torch.no_grad():
    out_hand, h_hand = rnn_by_hand(x, torch.zeros(B, H, dtype=torch.double))
    out_torch, h_n = rnn(x)  # nn.RNN does the same loop in fused C++

gap = (out_hand - out_torch).abs().max().item()
print("by hand :", out_hand[0, -1, :3].numpy().round(12))
print("nn.RNN  :", out_torch[0, -1, :3].numpy().round(12))
print(f"largest difference over all {out_hand.numel()} numbers: {gap:.1e}")

# %% [markdown]
# `nn.RNN` returns two things: `output`, the hidden state at **every** step, and `h_n`, the
# state after the **last** step. Look at their shapes:

# %%
# NBVAL_CHECK_OUTPUT
print("output", tuple(out_torch.shape), "  (B, T, H): one h per step")
print("h_n   ", tuple(h_n.shape), "  (L·D, B, H): one final h per layer and direction")
print("h_n[0] equals output[:, -1]:", torch.equal(h_n[0], out_torch[:, -1]))

# %% [markdown]
# ## `batch_first`, and why `h_n` ignores it
#
# PyTorch's recurrent layers are **time-first** by default: they expect `(T, B, F)`. The article's
# models all use that default. `batch_first=True` switches the *input and output* to `(B, T, F)` —
# but **not** `h_n`, which stays `(L·D, B, H)`. Taking `h_n` to be batch-first because the input
# is, is one of the classic bugs. `trace` shows every tensor with its axis letters:

# %%
# NBVAL_CHECK_OUTPUT
time_first = nn.RNN(F, H).double()
trace(time_first, x.transpose(0, 1), layout="TBF")  # (B, T, F) → (T, B, F): transpose, never view

# %%
# NBVAL_CHECK_OUTPUT
trace(rnn, x, layout="BTF")

# %% [markdown]
# ## LSTM's (h, c) and the GRU
#
# An **LSTM** carries two states: the hidden state `h` and a cell state `c`, with gates deciding
# what to forget, write and output — four sets of weights where the RNN has one. A **GRU** has
# three gates and a single state. Same shapes in, same shapes out; `nn.LSTM` returns
# `output, (h_n, c_n)`:

# %%
# NBVAL_CHECK_OUTPUT
rnn_shapes("LSTM", batch=B, steps=T, features=F, hidden=H, batch_first=True)

# %%
# NBVAL_CHECK_OUTPUT
for cell in (nn.RNN, nn.LSTM, nn.GRU):
    n = sum(p.numel() for p in cell(8, 16).parameters())
    print(f"{cell.__name__:5s}(F=8, H=16): {n:5d} parameters")

# %% [markdown]
# ## Stacking layers and reading both directions
#
# `num_layers=L` stacks RNNs: layer 2 reads layer 1's outputs. `bidirectional=True` adds a second
# RNN that reads the sequence backwards (D = 2); their outputs are concatenated, so `output` has
# D·H features. `h_n` then holds L·D final states — to pick one, view it as `(L, D, B, H)`:

# %%
# NBVAL_CHECK_OUTPUT
rnn_shapes("GRU", batch=B, steps=T, features=F, hidden=H, layers=2, bidirectional=True)

# %%
gru = nn.GRU(F, H, num_layers=2, bidirectional=True, batch_first=True).double()
with torch.no_grad():
    out, h_n = gru(x)  # out: (B, T, D·H), h_n: (L·D, B, H)
h_n = h_n.view(2, 2, B, H)  # (L, D, B, H)
last_layer_forward, last_layer_backward = h_n[-1, 0], h_n[-1, 1]  # (B, H) each
# the forward direction ends at the last step; the backward one ends at the FIRST step
bidirectional_ok = (torch.equal(last_layer_forward, out[:, -1, :H])
                    and torch.equal(last_layer_backward, out[:, 0, H:]))
print("forward final state  == out[:, -1, :H]:", torch.equal(last_layer_forward, out[:, -1, :H]))
print("backward final state == out[:, 0, H:] :", torch.equal(last_layer_backward, out[:, 0, H:]))

# %% [markdown]
# The drawing for two layers and both directions (orange arrows run backwards in time):

# %%
HTML(unrolled_svg(steps=T, layers=2, bidirectional=True, cell="GRU"))

# %% [markdown]
# ## Padding and packing sequences of different lengths
#
# Real sequences differ in length: sentences, audio clips. A batch must be a rectangle, so shorter
# sequences are **padded** with zeros. But then `out[:, -1]` is the state after reading the
# padding, not after the sequence's real last step. **Packing** tells the RNN each length, so it
# stops each sequence at its own end; `h_n` is then right for every one.

# %%
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

seqs = [torch.randn(n, F) for n in (4, 2, 3)]  # three sequences: T = 4, 2, 3
lengths = torch.tensor([len(s) for s in seqs])
padded = pad_sequence(seqs, batch_first=True)  # (B=3, T_max=4, F), zeros after each end
packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)

gru1 = nn.GRU(F, H, batch_first=True)
with torch.no_grad():
    out_padded, _ = gru1(padded)  # reads the padding too
    _, h_packed = gru1(packed)  # stops at each sequence's end

naive_last = out_padded[:, -1]  # (B, H): after T_max steps, padding included
true_last = out_padded[torch.arange(3), lengths - 1]  # (B, H): at each real last step
print("lengths:", lengths.tolist())
print("|out[:, -1] − true last| per sequence:", (naive_last - true_last).abs().max(dim=1).values.numpy().round(3))
print("|h_n (packed) − true last| per sequence:", (h_packed[-1] - true_last).abs().max(dim=1).values.numpy().round(3))

# %% [markdown]
# Only the full-length sequence gets the right answer from `out[:, -1]`. With packing, `h_n` is
# right for all three (the small differences are floating point, ~1e-7). `trace` shows packed
# sequences as `ΣT` steps in total, with the batch size at each step:

# %%
# NBVAL_CHECK_OUTPUT
trace(gru1, packed, layout="BTF")

# %% [markdown]
# ## The article's `LSTMPredictor` and the `lstm_out[-1]` trap
#
# The article predicts the next value with `self.fc(lstm_out[-1])` — *"output from final time
# step"*. That is right **only because** its LSTM is time-first: `lstm_out` is `(T, B, H)` and
# `[-1]` indexes time. `diagnose` checks behaviour, not just shapes — it perturbs one sequence and
# watches whether the *others'* predictions move:

# %%
# NBVAL_CHECK_OUTPUT
from rnn_course.article import LSTMPredictor

article_model = LSTMPredictor(input_size=F, hidden_size=16)
diagnose(article_model, torch.randn(6, 4, F), layout="TBF")  # (T=6, B=4, F): as the article intends


# %% [markdown]
# Now do what many learners do next: switch the LSTM to `batch_first=True` (batch-first data is
# easier to build) and change nothing else. Every shape still "works" — and the model is wrong:

# %%
# NBVAL_CHECK_OUTPUT
class BatchFirstLSTMPredictor(LSTMPredictor):
    """The article's model with batch_first=True — and nothing else changed."""

    def __init__(self, input_size, hidden_size):
        super().__init__(input_size, hidden_size)
        self.lstm = nn.LSTM(input_size, hidden_size, batch_first=True)


broken = BatchFirstLSTMPredictor(F, 16)
findings = diagnose(broken, torch.randn(4, 6, F), layout="BTF")  # (B=4, T=6, F)
findings

# %% [markdown]
# The fix is one index: for batch-first `(B, T, H)` outputs the last step is `out[:, -1]`.
# `rnn_course.toy.SequenceRegressor` does that, and `diagnose` finds nothing. It also catches the
# other classic: a **bidirectional** layer used for next-step prediction peeks at the future
# (`causal=True` asks it to check):

# %%
# NBVAL_CHECK_OUTPUT
from rnn_course.toy import SequenceRegressor

fixed_findings = diagnose(SequenceRegressor("lstm", input_size=F, hidden_size=16), torch.randn(4, 6, F))
print(fixed_findings)

peeking = nn.LSTM(F, 8, batch_first=True, bidirectional=True)  # output at step t has seen steps > t
leak_findings = diagnose(peeking, torch.randn(4, 6, F), causal=True)
print([f.code for f in leak_findings])

# %% [markdown]
# ## The shape explorer
#
# Change any setting and watch every shape — and the unrolled drawing — follow. Try: switch
# `batch_first` off and see which shapes change and which do not; make it bidirectional with 3
# layers and predict `h_n` before you look.

# %%
ShapeExplorer(cell="LSTM", batch=4, steps=6, features=3, hidden=5)

# %% [markdown]
# ## Train: a first run from the dashboard
#
# A toy task with a known answer: read 12 numbers, output their sum. `x: (B, T=12, F=1) → y: (B, 1)`.
# The running total has to travel through the hidden state, step by step.
#
# **Honest baseline first.** The sum is a *linear* function of the inputs, so plain linear
# regression on the 12 numbers solves it exactly — a practitioner would try that first, and
# should stop there. The RNN has to *learn* to carry the total through time; this toy is for
# watching that happen, not for beating the linear model (it cannot).

# %%
from rnn_course.toy import sum_task

x_all, y_all = sum_task(n=1200, steps=12, seed=0)  # the same data the trainer below uses
x_tr, y_tr, x_va, y_va = x_all[:1000, :, 0], y_all[:1000], x_all[1000:, :, 0], y_all[1000:]
mean_mse = ((y_va - y_tr.mean()) ** 2).mean().item()  # baseline 1: always predict the average
X1 = torch.cat([x_tr, torch.ones(len(x_tr), 1)], dim=1)  # linear regression with an intercept
w = torch.linalg.lstsq(X1, y_tr).solution
linear_mse = ((torch.cat([x_va, torch.ones(len(x_va), 1)], dim=1) @ w - y_va) ** 2).mean().item()
print(f"validation MSE — predict the mean: {mean_mse:.3f}   linear regression: {linear_mse:.2e}")

# %% [markdown]
# The dashboard drives the course's trainer. The next cell shows it; the cell after trains 800
# steps from code, in <!-- time:cell=dashboard-run -->about 3 s<!-- /time --> (that is what *Run All* and the tests do). Then press **Start** to train more,
# **Pause** / **Stop** at any time, or change the learning rate and batch size first: a bad value
# shows a message and changes nothing.

# %%
from rnn_course.dashboard import Dashboard
from rnn_course.toy import sum_trainer

trainer = sum_trainer("gru", hidden_size=32, steps=800, eval_every=100)
dash = Dashboard(trainer, title="A GRU learns to add 12 numbers", steps=800, loss_label="MSE (sum units²)")
dash

# %% tags=["dashboard-run"]
summary = dash.run(800)
gru_mse = trainer.history.val_loss[-1]
print(summary)
print(f"validation MSE — GRU: {gru_mse:.4f}   (mean: {mean_mse:.3f}, linear regression: {linear_mse:.1e})")

# %% [markdown]
# The GRU gets close, but linear regression is better still, and instant: on this task the
# simpler model wins, and that is the right conclusion. RNNs earn their place when the
# relationship is *not* a fixed formula of a fixed window — next words, prices, audio — which
# is what the next notebooks are about.
#
# ## Your turn
#
# Replace each `...` and run the cell: the checker says what is right, or gives a hint. Still
# stuck? `solution("01-h_n-shape")` shows a worked answer; all of them are in `solutions/01_sequences_and_shapes.md`.
#
# **1.** What is the shape of `h_n` for `nn.GRU(8, 16, num_layers=2, bidirectional=True,
# batch_first=True)` given `x` of shape `(3, 10, 8)`? Answer as a tuple.

# %%
answer_1 = ...  # e.g. (1, 2, 3)
check("01-h_n-shape", answer_1)


# %% [markdown]
# **2.** Write `last_step(out)` returning the last time step of every sequence from a
# batch-first output `out: (B, T, H)`, as `(B, H)`.

# %%
def last_step(out):
    return ...  # your code


check("01-last-step", last_step)

# %% [markdown]
# **3.** How many parameters does `nn.LSTM(3, 5)` have? Work it out from the gates, then
# check with code.

# %%
answer_3 = ...
check("01-lstm-params", answer_3)

# %% [markdown]
# ## Looking back
#
# You can now: write one RNN step and unroll it; read `output` and `h_n` (and `c_n`) shapes for any
# layer, direction and layout; pad and pack variable-length batches and take the right last step;
# and use `trace` and `diagnose` to catch the layout bugs that shapes alone don't reveal.
#
# The last cell checks this notebook's claims.

# %% [markdown]
# ## Quiz
#
# Four questions on this notebook's ideas. Run the next cell to see them, replace each `...` below
# with your answer — a letter such as `"b"` — and run the answer cell: every answer gets an
# explanation, the wrong ones too. Your results are kept in `results/01_sequences_and_shapes.json`.

# %%
from rnn_course.exercises import check_quiz, quiz

quiz("01")

# %%
quiz_answers = {
    "01-quiz-batch-first": ...,  # a letter
    "01-quiz-last-step":   ...,  # a letter
    "01-quiz-padding":     ...,  # a letter
    "01-quiz-linear-wins": ...,  # a letter
}
check_quiz(quiz_answers)

# %%
assert gap < 1e-12, "the hand-written loop should match nn.RNN exactly"
assert bidirectional_ok
naive_err = (naive_last - true_last).abs().max(dim=1).values
assert naive_err[0] == 0 and (naive_err[1:] > 1e-3).all(), "padding should corrupt out[:, -1] for short sequences"
assert torch.allclose(h_packed[-1], true_last, atol=1e-6), "packing should give each sequence's real last state"
assert diagnose(article_model, torch.randn(6, 4, F), layout="TBF") == []
assert [f.code for f in findings] == ["batch-mixing"] and fixed_findings == []
assert "future-leak" in [f.code for f in leak_findings]
assert summary.reason == "completed" and gru_mse < 0.05 * mean_mse, "the GRU should explain ≥ 95 % of the variance (R² ≥ 0.95)"
assert linear_mse < gru_mse, "the linear baseline solves this task exactly: say so if that ever changes"
rnn_course.record("gru_val_mse", gru_mse)
rnn_course.record("mean_baseline_mse", mean_mse)
rnn_course.record("linear_baseline_mse", linear_mse)
rnn_course.record("train_seconds", summary.seconds)
print("✓ all of this notebook's claims hold")
