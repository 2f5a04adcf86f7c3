# notebooks/05_stock_prices.ipynb as text (jupytext py:percent), written by `python tools/notebooks.py pair`.
# Edit the notebook, not this file: `tools/notebooks.py tidy` rewrites it.

# %% [markdown]
# # 05 · Stock prices: can an LSTM predict tomorrow?
#
# The article's fourth application: *"LSTM networks are commonly used to predict stock prices based
# on historical data."* Forecasting is where tutorials most often mislead: a plot where the
# prediction hugs the price, a scaler that has seen the future, no baseline. This notebook builds
# the article's `LSTMPredictor` on 32 years of real Microsoft prices, shows three traps live, and
# then evaluates honestly — walk-forward over the last two years, against the forecasts a
# practitioner tries first.
#
# About 45 minutes to work through; the notebook runs in <!-- time:nb -->about 10 s<!-- /time -->.

# %%
# On Google Colab only: clone the course (data included) and install it on Colab's own torch.
# Anywhere else this cell does nothing (`python3 course.py lab` has installed the course).
import sys
if "google.colab" in sys.modules:
    # !test -d /content/practical-rnns || git clone --depth 1 https://github.com/practical-rnns/practical-rnns /content/practical-rnns
    # !python /content/practical-rnns/rnn_course/colab.py
    sys.path.insert(0, "/content/practical-rnns")

# %%
import time

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import torch
from torch import nn

import rnn_course
from rnn_course import Trainer, TrainConfig
from rnn_course.forecast.data import Scaler, load_msft, make_windows, windows_at
from rnn_course.forecast.evaluation import diebold_mariano, direction_accuracy, rmse, time_split
from rnn_course.article import LSTMPredictor
from rnn_course.forecast.model import ReturnLSTM, mse_loss, time_first_mse_loss, num_parameters
from rnn_course.forecast.views import price_vs_prediction
from rnn_course.plots import date_axis, figure, log_axis, model_colour
from rnn_course.shapes import trace, diagnose
from rnn_course.exercises import check, solution

device = rnn_course.start("05_stock_prices")

# %% [markdown]
# ## Is this an RNN problem?
#
# The article's four questions, for "tomorrow's price from the last few weeks of prices":
#
# - **Is the input ordered?** Yes — a price series is nothing but order.
# - **How long is the context?** Unknown; we give the model 20 trading days (four weeks).
# - **Classification or regression?** Regression: one number, tomorrow's price (or return). The
#   direction (up or down) is a classification we can score too.
# - **Simpler or stronger?** The simplest forecast of all is **persistence**: *tomorrow's price =
#   today's*. For a liquid share it is very hard to beat.
#
# **What theory predicts before any training.** The efficient-market argument: if yesterday's
# prices said anything reliable about tomorrow's, traders would trade on it until the pattern
# was gone. So prices should move like a random walk, and daily **returns** should be close to
# unpredictable from past prices alone. If that holds, the best an LSTM can do is learn to predict
# the average return — a small constant called the **drift** — which is almost persistence's
# zero. Let us see whether it does any better.
#
# ## The data
#
# Daily Microsoft share prices (adjusted for splits and dividends), March 1986 – November 2017,
# shipped in `data/timeseries/` (see `data/README.md`).

# %%
# NBVAL_CHECK_OUTPUT
prices = load_msft()
close = prices["close"]
print(f"{len(close):,} trading days, {close.index[0]:%Y-%m-%d} … {close.index[-1]:%Y-%m-%d}")
print(prices.tail(3))

# %%
returns = np.log(close).diff()  # log return r_t = log(p_t / p_{t-1}); the first day has none (NaN)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3))
ax1.plot(close.index, close); ax1.set(title="closing price (log scale)", ylabel="US $"); log_axis(ax1)
ax2.plot(returns.index, returns, lw=0.4); ax2.set(title="daily log return", ylim=(-0.2, 0.2))
date_axis(ax1); date_axis(ax2)
fig.tight_layout()

# %% [markdown]
# Prices climb by a factor of a thousand and never come back to the same level; returns hover
# around zero with calm and stormy spells. Keep both pictures in mind — they are trap 3.
#
# Metrics and windowing refuse missing values with a message rather than a silent NaN:

# %%
# NBVAL_CHECK_OUTPUT
try:
    make_windows(returns, window=20)
except ValueError as e:
    print("ValueError:", e)
returns = returns.dropna()  # the fix: drop the first day, which has no return

# %% [markdown]
# **Split by time, never shuffled.** Training data ends in November 2014; the next year is for
# validation (choosing settings), and the **last two years** are the test, touched only once.

# %%
# NBVAL_CHECK_OUTPUT
split = time_split(returns, "2014-11-10", "2015-11-10")
print(split)

# %% [markdown]
# ## Batches and shapes
#
# Returns are standardised with the **training** mean and standard deviation only, then cut into
# windows: `x` holds T = 20 returns, `y` the return of the next day. `make_windows` returns
# batch-first tensors, `x: (N, T, F)` and `y: (N, 1)`.

# %%
# NBVAL_CHECK_OUTPUT
T = 20
r = returns.to_numpy()
scaler = Scaler().fit(r[split.train])
z = scaler.transform(r)  # (L,) standardised returns
x_train, y_train = make_windows(z[split.train], window=T, horizon=1)
valid_origins = list(range(split.train_end, split.valid_end))
x_valid, y_valid = windows_at(z, valid_origins, T), torch.tensor(z[valid_origins, None], dtype=torch.float32)
print(f"train mean {scaler.mean:+.5f}, std {scaler.std:.5f} (log return per day)")
print("x_train", tuple(x_train.shape), "(N, T, F)    y_train", tuple(y_train.shape), "(N, 1)")
print("x_valid", tuple(x_valid.shape), "              y_valid", tuple(y_valid.shape))

# %% [markdown]
# ## The model: the article's version first
#
# The article's `LSTMPredictor` is **time-first**: it reads `(T, B, F)` and predicts from
# `lstm_out[-1]`, the last *time step*. Our windows are batch-first, so it needs
# `x.transpose(0, 1)`:

# %%
# NBVAL_CHECK_OUTPUT
article = LSTMPredictor(input_size=1, hidden_size=32)
trace(article, x_train[:4].transpose(0, 1), layout="TBF")  # (T=20, B=4, F=1)


# %% [markdown]
# Now the tempting fix: switch the LSTM to `batch_first=True` and leave `forward` alone.
# Nothing crashes — but `lstm_out[-1]` is now the last **sample** of the batch, `(T, H)`, and every
# prediction depends on one sample. `diagnose` perturbs one sample and watches the others:

# %%
# NBVAL_CHECK_OUTPUT
class BatchFirstPredictor(LSTMPredictor):
    """The article's model with batch_first=True and its forward unchanged: the silent bug."""
    def __init__(self, input_size, hidden_size):
        super().__init__(input_size, hidden_size)
        self.lstm = nn.LSTM(input_size, hidden_size, batch_first=True)

diagnose(BatchFirstPredictor(1, 32), x_train[:4], layout="BTF")

# %% [markdown]
# The course's `ReturnLSTM` is the same model written batch-first, taking `out[:, -1]`:

# %%
# NBVAL_CHECK_OUTPUT
model = ReturnLSTM(n_features=1, hidden_size=32)
print(f"{num_parameters(model):,} parameters;", diagnose(model, x_train[:4]))
trace(model, x_train[:4])

# %% [markdown]
# ## Three traps, shown live
#
# Most stock-prediction tutorials predict the **price** with the article's model, scale it with a
# scaler fitted on **all** the data, and show a plot. We do exactly that — twice, once with the
# scaler fitted honestly on the training years only, once fitted on everything — with the article's
# `LSTMPredictor`, 20-day windows of scaled prices, 300 steps.

# %%
p = close.to_numpy()
price_split = time_split(close, "2014-11-10", "2015-11-10")  # the same dates, on the price series
valid_days = np.arange(price_split.train_end, price_split.valid_end)
test_days = np.arange(price_split.valid_end, len(p))

def price_pipeline(price_scaler):
    """The usual tutorial: LSTM on scaled prices. Returns its price forecasts for valid and test days."""
    zp = price_scaler.transform(p)
    xp, yp = make_windows(zp[price_split.train], window=T, horizon=1)
    net = LSTMPredictor(1, 32)
    Trainer(net, (xp, yp), time_first_mse_loss, config=TrainConfig(steps=300, batch_size=64, lr=3e-3)).run()
    with torch.no_grad():
        f = lambda days: price_scaler.inverse_transform(net(windows_at(zp, days, T).transpose(0, 1))[:, 0].numpy())
        return f(valid_days), f(test_days)

t0 = time.perf_counter()
honest_valid, honest_test = price_pipeline(Scaler().fit(p[price_split.train]))  # training years only
leaky_valid, leaky_test = price_pipeline(Scaler().fit(p))  # all data, test years included
print(f"two price models trained in {time.perf_counter() - t0:.1f} s")

# %% [markdown]
# ### Trap 1: the good-looking prediction is yesterday's price
#
# On the validation year the honest price model's curve sits on top of the price — on a plot
# spanning years, that looks like success. Zoom in, and it is the price **shifted to the right**:
# it follows the dotted line, yesterday's price, a step behind the truth. Its error is *smaller*
# against the price one or two days **earlier** than against the price it claims to predict — it
# is a lagged copy — and over the whole validation year it is worse than simply using today's price
# (persistence):

# %%
persist_valid = p[valid_days - 1]  # tomorrow = today
shown = slice(0, 200)  # November 2014 – August 2015; the autumn, above the training range, is trap 3
display(price_vs_prediction(close.index[valid_days][shown], p[valid_days][shown], honest_valid[shown],
                            title="LSTM on prices, validation year"))
for lag in (0, 1, 2, 3):
    print(f"RMSE against the price {lag} day(s) earlier: {rmse(p[valid_days - lag], honest_valid):.3f} $")
print(f"persistence RMSE {rmse(p[valid_days], persist_valid):.3f} $,  price LSTM RMSE {rmse(p[valid_days], honest_valid):.3f} $")

# %% [markdown]
# ### Trap 2: a scaler fitted on all data leaks the future
#
# The leaky scaler's mean and standard deviation include the test years, when the price went
# from 47 to 85 dollars — far above anything in training (at most 45). That tells the model,
# through the scale alone, *where future prices will be*, and its test error drops. The better
# number is the dishonest one: no real forecaster knows next year's price range.

# %%
persist_test = p[test_days - 1]
honest_rmse = rmse(p[test_days], honest_test)
leaky_rmse = rmse(p[test_days], leaky_test)
print(f"test RMSE, scaler fitted on training years only (honest): {honest_rmse:6.2f} $")
print(f"test RMSE, scaler fitted on all data (leaky)           : {leaky_rmse:6.2f} $")
print(f"test RMSE, persistence                                 : {rmse(p[test_days], persist_test):6.2f} $")

# %% [markdown]
# ### Trap 3: predicting prices instead of returns
#
# Both price models fail on the test years, leak or no leak: an LSTM's hidden state is bounded, so
# it cannot follow a price to levels it never saw — the predictions fall further below the price
# as it climbs. Prices are **non-stationary**: the test years' prices lie above everything the
# model trained on. Returns stay centred near zero, inside the range training covered — though
# their spread changes (right): the test years were calmer than the training years, which include
# 1987, 2000 and 2008, so a model of returns meets familiar values, only fewer large ones. That is
# why the rest of the notebook predicts returns, and turns them back into prices only to score them.

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3))
ax1.plot(close.index[test_days], p[test_days], "k", lw=1, label="price")
ax1.plot(close.index[test_days], honest_test, lw=1, label="price LSTM (honest)")
ax1.plot(close.index[test_days], leaky_test, lw=1, label="price LSTM (leaky)")
ax1.axhline(p[price_split.train].max(), ls=":", c="gray", label="highest training price")
ax1.set(title="test years: prices above the training range", ylabel="US $"); ax1.legend(fontsize=8); date_axis(ax1)
bins = np.linspace(-0.08, 0.08, 60)
ax2.hist(r[split.train], bins, density=True, alpha=0.5, label="training returns")
ax2.hist(r[split.test], bins, density=True, alpha=0.5, label="test returns")
ax2.set(title=f"returns: same centre, calmer test years\n(std {r[split.test].std():.1%} test, {r[split.train].std():.1%} training)"); ax2.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# ## Train: returns, honestly
#
# `ReturnLSTM` learns the next day's standardised return from the last 20. The dashboard's live
# slot shows its validation error as a ratio to persistence (which predicts a return of 0): below
# 1.00 would mean it beats persistence on the validation year. Press **Start** to train longer.

# %%
from rnn_course.dashboard import Dashboard

def versus_persistence(trainer):
    with torch.no_grad():
        pred = trainer.model(x_valid)
    ratio = rmse(y_valid, pred) / rmse(y_valid, torch.zeros_like(y_valid))
    return f"validation RMSE / persistence RMSE = {ratio:.4f}"

trainer = Trainer(model, (x_train, y_train), mse_loss, val_data=(x_valid, y_valid),
                  config=TrainConfig(steps=300, batch_size=64, lr=1e-3, eval_every=50))
dash = Dashboard(trainer, steps=300, live=versus_persistence, title="ReturnLSTM on MSFT log returns",
                 loss_label="MSE (standardised returns)", redraw_seconds=2.0)
dash

# %%
summary = dash.run()
print(summary)
print(versus_persistence(trainer))

# %% [markdown]
# ## Evaluate: walk-forward over the last two years
#
# A model used for two years would be refitted as new data arrive. **Walk-forward** evaluation
# does the same: the test years are cut into four blocks of about six months; before each block
# the model trains 100 more steps on *all returns up to that block*, then forecasts each day of
# the block from the 20 days before it. No forecast ever uses a return from its own day or later.
#
# The baselines, on exactly the same days:
# - **persistence** — tomorrow's price = today's, a return of 0;
# - **drift** — today's price grown by the average daily return of the training years.

# %%
test_origins = np.arange(split.valid_end, len(r))  # every test day is a forecast origin
t0 = time.perf_counter()
forecasts = []
for k, block in enumerate(np.array_split(test_origins, 4)):
    if k > 0:  # refit on everything before this block
        x_past, y_past = make_windows(z[:block[0]], window=T, horizon=1)
        Trainer(model, (x_past, y_past), mse_loss, config=TrainConfig(steps=100, batch_size=64, lr=1e-3)).run()
    model.eval()
    with torch.no_grad():
        forecasts.append(model(windows_at(z, block.tolist(), T))[:, 0].numpy())
walk_seconds = time.perf_counter() - t0
rnn_returns = scaler.inverse_transform(np.concatenate(forecasts))  # back to log returns
print(f"walk-forward with 3 refits: {walk_seconds:.1f} s")

# %%
true_returns = r[test_origins]
yesterday = close.shift(1).dropna().to_numpy()[test_origins]  # p_{t-1} for each test day
today = p[1:][test_origins]  # p_t
assert np.allclose(np.log(today / yesterday), true_returns)

candidates = {
    "LSTM": rnn_returns,
    "persistence": np.zeros_like(true_returns),
    "drift": np.full_like(true_returns, r[split.train].mean()),
}
rows = {}
for name, f in candidates.items():
    rows[name] = {
        "RMSE return": rmse(true_returns, f),
        "vs persistence": rmse(true_returns, f) / rmse(true_returns, candidates["persistence"]),
        "vs drift": rmse(true_returns, f) / rmse(true_returns, candidates["drift"]),
        "RMSE price $": rmse(today, yesterday * np.exp(f)),
        "direction": direction_accuracy(f, true_returns),
    }
table = pd.DataFrame(rows).T
up_share = float(np.mean(true_returns[true_returns != 0] > 0))
print(table.round(5))
print(f"\nshare of up days in the test years: {up_share:.1%} — what 'always up' scores on direction")

# %% [markdown]
# Persistence scores 0 on direction because it never predicts a move (`direction_accuracy`
# counts a predicted return of 0 as wrong); drift always predicts *up*, so its direction accuracy
# is exactly the share of up days.
#
# **Is the LSTM's difference from persistence real?** The Diebold–Mariano test compares two
# forecasts' squared errors day by day; a negative statistic favours the LSTM, and a p-value above
# 0.05 means the difference is within what luck produces.

# %%
dm_stat, dm_p = diebold_mariano(true_returns - rnn_returns, true_returns - candidates["persistence"])
dm_drift_stat, dm_drift_p = diebold_mariano(true_returns - rnn_returns, true_returns - candidates["drift"])
ratio, drift_ratio = rows["LSTM"]["vs persistence"], rows["LSTM"]["vs drift"]
print(f"LSTM / persistence RMSE = {ratio:.4f};  Diebold–Mariano statistic {dm_stat:+.2f}, p = {dm_p:.2f}")
print(f"LSTM / drift RMSE       = {drift_ratio:.4f};  Diebold–Mariano statistic {dm_drift_stat:+.2f}, p = {dm_drift_p:.2f}")
print(f"drift / persistence RMSE = {rows['drift']['vs persistence']:.4f}")

# %% [markdown]
# **What did the LSTM learn?** Put its forecasts beside the two baselines. Drift forecasts the
# training years' average daily return every day; persistence forecasts zero.

# %%
drift_return = candidates["drift"][0]
fig, (ax,) = figure(9, 3)
days = close.index[1:][test_origins]
ax.plot(days, 100 * true_returns, color="0.8", lw=0.6, label="actual return")
ax.plot(days, 100 * rnn_returns, color=model_colour("LSTM"), lw=1.2, label="LSTM forecast")
ax.axhline(100 * drift_return, color=model_colour("drift"), ls="--", label=f"drift {100 * drift_return:+.3f} %")
ax.axhline(0, color=model_colour("persistence"), ls=":", label="persistence 0 %")
ax.set(ylim=(-1, 1), ylabel="daily log return, %", title="test years: the LSTM forecasts about the drift, every day")
date_axis(ax)
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
display(fig)
print(f"LSTM forecasts: mean {100 * rnn_returns.mean():+.3f} %, spread (std) {100 * rnn_returns.std():.3f} %; "
      f"actual returns: std {100 * true_returns.std():.2f} %")

# %% [markdown]
# **What the numbers say.** The strongest simple forecast here is **drift**, and it is the one to
# beat: the LSTM's error is within a fraction of a percent of drift's (and of persistence's) — in
# returns and in dollars — and the Diebold–Mariano test cannot tell them apart. Its direction
# accuracy is no better than always guessing *up*. **The RNN does not beat drift here.**
#
# *Why it converges to the drift.* Trained with squared error, a model learns the conditional
# mean of tomorrow's return given the last 20. If past returns carry (almost) no information about
# the next one — the efficient-market argument — that conditional mean is just the plain mean
# return of the training years: the drift. So the LSTM's best move is to output a nearly constant
# small positive number, and the plot shows it doing exactly that: its forecasts hug the drift line
# with a spread more than ten times smaller than the returns'. An honest notebook says so; a notebook
# that shows a lovely price plot (trap 1), a leaked scaler (trap 2) or a price-level model (trap 3)
# hides it.
#
# If you want to push: more inputs (volume, other assets, news), other targets (volatility, which
# *is* predictable), longer training in the dashboard. Whatever you try, keep the walk-forward
# protocol and the persistence baseline.
#
# ## Deployment cost
#
# Tiny by any standard — one forecast a day needs no GPU. Latency is for one 20-day window
# (batch 1, CPU):

# %%
import io

buffer = io.BytesIO()
torch.save(model.state_dict(), buffer)
one = windows_at(z, [len(z)], T)  # the last 20 days: (B=1, T=20, F=1) → tomorrow
with torch.no_grad():
    model(one)  # warm-up
    t0 = time.perf_counter()
    for _ in range(100):
        model(one)
    latency_ms = (time.perf_counter() - t0) / 100 * 1e3
print(f"parameters: {num_parameters(model):,}   state_dict: {buffer.tell() / 1e3:.1f} kB (float32)")
print(f"latency: {latency_ms:.2f} ms per forecast (batch 1, T=20)")

# %% [markdown]
# ## Your turn
#
# Replace each `...` and run the cell: the checker says what is right, or gives a hint. Still
# stuck? `solution("05-up-share")` shows a worked answer; all of them are in `solutions/05_stock_prices.md`.
#
# **1.** The honest baseline for direction accuracy is "always up". What share of the **test**
# days (from 2015-11-10 on, leaving out days with no price change) closed higher than the day
# before? Compute it from `returns` and answer as a number between 0 and 1.

# %%
answer_1 = ...
check("05-up-share", answer_1)


# %% [markdown]
# **2.** Write `fit_scaler(prices, train_end)` that returns an `Scaler` fitted **without leaking**:
# `prices` is a 1-D NumPy array, `train_end` the position where the training part ends.

# %%
def fit_scaler(prices, train_end):
    return ...

check("05-fit-scaler", fit_scaler)

# %% [markdown]
# ## Looking back
#
# You asked whether a stock price is an RNN problem and what theory predicts; traced the
# article's time-first model and caught its batch-first variant mixing samples; fell into three
# traps on purpose — a prediction that is yesterday's price, a scaler that saw the future, a
# model of prices instead of returns — and evaluated returns walk-forward against persistence,
# drift and "always up", with a significance test. The RNN did not win, and now you can show why.
#
# The last cell checks the notebook's claims and records its numbers.

# %% [markdown]
# ## Quiz
#
# Five questions on this notebook's ideas. Run the next cell to see them, replace each `...` below
# with your answer — a letter such as `"b"` — and run the answer cell: every answer gets an
# explanation, the wrong ones too. Your results are kept in `results/05_stock_prices.json`.

# %%
from rnn_course.exercises import check_quiz, quiz

quiz("05")

# %%
quiz_answers = {
    "05-quiz-lagged-copy":  ...,  # a letter
    "05-quiz-leaky-scaler": ...,  # a letter
    "05-quiz-returns":      ...,  # a letter
    "05-quiz-drift":        ...,  # a letter
    "05-quiz-walk-forward": ...,  # a letter
}
check_quiz(quiz_answers)

# %%
assert summary.reason == "completed"
assert leaky_rmse < honest_rmse, "the leaky pipeline (scaler fitted on all data) should score better than the honest one"
assert len(test_origins) == len(rnn_returns) == split.sizes()["test"]
assert dm_drift_p > 0.05, f"the verdict says the LSTM and drift cannot be told apart, but Diebold–Mariano p = {dm_drift_p:.3f}"
keys = {"RMSE return": "rmse_return", "vs persistence": "rmse_ratio", "vs drift": "rmse_ratio_drift",
        "RMSE price $": "rmse_price_usd", "direction": "direction_accuracy"}
for name, row in rows.items():  # every model's and baseline's metrics
    for metric, value in row.items():
        rnn_course.record(f"{name.lower()}_{keys[metric]}", value)
rnn_course.record("lstm_vs_persistence_rmse_ratio", ratio)
rnn_course.record("lstm_vs_drift_rmse_ratio", drift_ratio)
rnn_course.record("diebold_mariano_drift_stat", dm_drift_stat)
rnn_course.record("diebold_mariano_drift_p", dm_drift_p)
rnn_course.record("diebold_mariano_stat", dm_stat)
rnn_course.record("diebold_mariano_p", dm_p)
rnn_course.record("up_share_test", up_share)
rnn_course.record("price_model_test_rmse_honest", honest_rmse)
rnn_course.record("price_model_test_rmse_leaky", leaky_rmse)
rnn_course.record("latency_ms", latency_ms)
print(f"✓ leaky {leaky_rmse:.2f} $ < honest {honest_rmse:.2f} $;  LSTM/persistence {ratio:.4f}, LSTM/drift {drift_ratio:.4f} "
      f"(Diebold–Mariano p = {dm_drift_p:.2f}: a tie)")
