# notebooks/03_text_generation.ipynb as text (jupytext py:percent), written by `python tools/notebooks.py pair`.
# Edit the notebook, not this file: `tools/notebooks.py tidy` rewrites it.

# %% [markdown]
# # 03 · Text generation, one character at a time
#
# The article's third application: *"given the seed 'Once upon a time', the model might generate an
# entire story."* A language model generates by predicting the next token, picking one, feeding it
# back, and repeating. Here the tokens are **characters**: 63 symbols instead of 10,000 words,
# and the model must learn spelling, words and the shape of a play from scratch.
#
# We start with the article's `generate_text`, which looks right and is not, then train a
# character model from the dashboard, explore sampling, and look inside the hidden state.
#
# Losses here are in **nats per character** (notebook 02's were per word): the average of −ln p, where p is the probability the
# model gave the character that really came next (PyTorch's `cross_entropy`, which uses the natural
# log; in bits it would be log₂). Guessing uniformly among 63 characters scores ln 63 ≈ 4.14 nats;
# a model always sure and always right would score 0. Notebook 02's perplexity is e raised to this number.
#
# About 60 minutes to work through; the notebook runs in <!-- time:nb -->about 40 s<!-- /time -->.

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

import torch

import rnn_course
from rnn_course import Trainer, TrainConfig
from rnn_course.exercises import check, solution
from rnn_course.shapes import diagnose, trace
from rnn_course.language.data import CharVocab, lm_windows, play_text, plays, shakespeare

device = rnn_course.start("03_text_generation")

# %% [markdown]
# ## Is this an RNN problem?
#
# - **Ordered?** Entirely: the same letters in another order are another word.
# - **Context?** Long. A character model needs dozens of characters to finish a word and hundreds to
#   keep a speech going; the hidden state has to carry it.
# - **Output?** Generation: a sequence as long as we ask for, built from one classification per step.
# - **Simpler or stronger?** A character n-gram spells well locally and forgets everything beyond a
#   few letters; Transformers (notebook 08) generate better text when they can afford it.
#
# ## The data: the same plays, as characters
#
# Training text: 32 plays. Validation: **whole plays the model never reads** — *Twelfth Night*,
# *Macbeth* and *Richard II*. (Held-out lines from the training plays would be easier, by about
# 0.2 nats per character.)

# %%
# NBVAL_CHECK_OUTPUT
train_text = shakespeare("train")
vocab = CharVocab.build(train_text)
print(f"{len(train_text):,} training characters; vocabulary of {len(vocab)} characters:")
print(repr("".join(vocab.itos)))
print("validation plays:", ", ".join(r["title"] for r in plays("valid")))

# %%
print(play_text("macbeth")[:300])

# %% [markdown]
# ## The article's `generate_text`, as written
#
# First, a model: the article's `RNNLanguageModel` (time-first), trained for <!-- time:cell=article-training -->about 3 s<!-- /time --> on
# characters so it has learned *something*.

# %% tags=["article-training"]
from rnn_course.article import RNNLanguageModel, generate_text, generate_text_fixed
from rnn_course.language.model import seed_lm_loss
from rnn_course.train import ProgressBar

T = 128
train_ids = vocab.encode(train_text)
x_train, y_train = lm_windows(train_ids, T)  # (N, T) windows, targets shifted by one
article_lm = RNNLanguageModel(len(vocab), embedding_dim=32, hidden_dim=128)
Trainer(article_lm, (x_train, y_train), seed_lm_loss, steps=150, batch_size=32, lr=5e-3,
        callbacks=[ProgressBar("the article's model")]).run()
c2i, i2c = vocab.stoi, dict(enumerate(vocab.itos))

# %% [markdown]
# **Flaw 1 — the prompt is one key.** `word_to_index[start_text]` looks the whole prompt up as a
# single token. Any prompt longer than one token fails:

# %%
# NBVAL_CHECK_OUTPUT
try:
    generate_text(article_lm, "ROMEO", 20, word_to_index=c2i, index_to_word=i2c)
except KeyError as e:
    print("KeyError:", e)

# %% [markdown]
# **Flaw 2 — no batch or time axis, and no memory.** `torch.tensor([index])` has shape `(1,)`.
# `nn.RNN` accepts it only as an *unbatched* sequence of length 1, and — since the model throws its
# hidden state away — every step starts from zero. The next character depends on the previous
# character alone: (the article joins tokens with spaces, built for words)

# %%
print(generate_text(article_lm, "R", 40, word_to_index=c2i, index_to_word=i2c))

# %% [markdown]
# **Flaw 3 — `max` over the wrong axis, once the axes are right.** Give the input its proper
# `(T, B)` shape and the output is `(T, B, V)`: `dim=1` is now the *batch* axis. Fix that too and
# take the argmax over the vocabulary — the shapes are all right, and the text is no better,
# because the state still restarts at every step:

# %%
x = torch.tensor([[c2i["R"]]])  # (T=1, B=1)
with torch.no_grad():
    print("output:", tuple(article_lm(x).shape), "→ dim=1 has size", article_lm(x).shape[1], "(the batch)")
    text = "R"
    for _ in range(40):  # shapes fixed, state still dropped
        text += i2c[int(article_lm(x)[-1, 0].argmax())]
        x = torch.tensor([[c2i[text[-1]]]])
print(repr(text))

# %% [markdown]
# **The fix — carry the hidden state.** `generate_text_fixed` reads the whole prompt once, keeps
# `h: (L·D, B, H)` from step to step, and picks from the vocabulary axis. Each new character costs
# one step, whatever the length so far:

# %%
print(generate_text_fixed(article_lm, "ROMEO:\n", 200, c2i, i2c, tokenize=list, sep="", temperature=0.8,
                          generator=torch.Generator().manual_seed(0)))

# %% [markdown]
# Still rough — 150 steps of a small plain RNN — but it now writes speeches with names and line
# breaks, because it remembers where it is. (`tests/test_language.py` checks that stateful
# generation gives exactly the tokens of re-reading the whole text at every step.)
#
# ## The improved model
#
# `RecurrentLM` again, now over characters: batch-first `(B, T)`, a GRU, and a state it returns,
# so `generate` steps one character at a time.

# %%
# NBVAL_CHECK_OUTPUT
from rnn_course.language.model import LMConfig, RecurrentLM, lm_loss, stream_perplexity

model = RecurrentLM(LMConfig(vocab_size=len(vocab), embedding_dim=32, hidden_size=256, cell="gru", dropout=0.0))
print(f"{model.num_parameters():,} parameters")
print(diagnose(model, x_train[:4, :10], causal=True))
trace(model, x_train[:4], layout="BTF")

# %% [markdown]
# ## Train, watching samples improve
#
# Validation is a fixed block of the three validation plays (the first 10,000 characters of each).
# The live slot prints a sample after every validation pass. The next cell trains for
# <!-- time:cell=dashboard-run -->about 30 s<!-- /time -->; press **Start** to go on.

# %%
from rnn_course.dashboard import Dashboard
from rnn_course.language.views import sample_text

valid_block = "".join(play_text(r["play"])[:10_000] for r in plays("valid"))
x_valid, y_valid = lm_windows(vocab.encode(valid_block), T)

def sample(trainer):
    return sample_text(trainer.model, vocab, "ROMEO:\n", 160, temperature=0.8, seed=0)

trainer = Trainer(model, (x_train, y_train), lm_loss, val_data=(x_valid, y_valid),
                  config=TrainConfig(steps=200, batch_size=32, lr=4e-3, eval_every=50))
dash = Dashboard(trainer, steps=200, live=sample, title="Character-level GRU",
                 loss_label="cross-entropy (nats/character)")
dash

# %% tags=["dashboard-run"]
summary = dash.run()
quick_nats = stream_perplexity(model, vocab.encode(valid_block), steps=T, streams=8)
import math; quick_nats = math.log(quick_nats)
print(summary)
print(f"validation loss: {quick_nats:.3f} nats per character")
print(sample(trainer))

# %% [markdown]
# ## Longer training: the pretrained model
#
# `scripts/train_lm.py char` trained a 2-layer GRU of 384 units for 4,000 steps on one CPU thread.
# Its file is checked against its SHA-256 and loaded with `weights_only=True`:

# %%
from rnn_course.language.views import load_pretrained

big, meta = load_pretrained("char")  # (model, meta), like every application's load_pretrained
big_vocab = big.vocab  # the vocabulary it was trained with travels with it
assert big_vocab.itos == vocab.itos
big_nats = math.log(stream_perplexity(big, vocab.encode(valid_block), steps=T, streams=8))
print(f"{big.num_parameters():,} parameters, {meta['steps']} steps, {meta['train_seconds'] / 60:.0f} min of training")
print(f"validation loss on the same block: {big_nats:.3f} nats per character (ours: {quick_nats:.3f})")
print(f"whole validation plays, measured by the script: {meta['valid_nats']:.3f}")

# %% [markdown]
# ## Sampling: greedy, temperature, top-k
#
# At each step the model gives a probability for every character. **Greedy** decoding takes the
# most likely one — and falls into loops, because the most likely continuation of a common phrase
# leads back to the phrase. **Sampling** draws from the distribution; dividing the logits by a
# **temperature** below 1 sharpens it (safer, duller), above 1 flattens it (bolder, more errors);
# **top-k** samples only among the k most likely characters.

# %%
greedy = sample_text(big, vocab, "KING:\n", 300, strategy="greedy")
print(greedy)

# %%
from collections import Counter

def repeated_share(text, n=20):
    """Share of n-character chunks that occur more than once: a simple measure of looping."""
    chunks = [text[i:i + n] for i in range(len(text) - n)]
    counts = Counter(chunks)
    return sum(c for c in counts.values() if c > 1) / len(chunks)

samples = {f"T={t}": sample_text(big, vocab, "KING:\n", 300, temperature=t, seed=1) for t in (0.5, 1.0, 1.5)}
print(f"greedy: {repeated_share(greedy):.0%} of 20-character chunks repeat")
for name, text in samples.items():
    print(f"{name}: {repeated_share(text):.0%} repeat")
print()
print(samples["T=0.5"])

# %% [markdown]
# Try it yourself — a bad setting (temperature ≤ 0, top-k of 0 or above the vocabulary size, a
# character the model does not know) shows a message:

# %%
from rnn_course.language.views import SamplingWidget

SamplingWidget(big, vocab, prompt="MACBETH:\n", length=300)

# %% [markdown]
# ## Inside the hidden state
#
# Each of the 384 units of the last layer is a number per character. Most are hard to read, but some
# track something we can name. We correlate every unit with three signals — position in the line,
# being inside a speaker's `NAME:` line, being inside a word — on text the model never trained on.
# Careful: even an **untrained** network's units follow simple signals a little (a newline moves
# every unit). So we only claim a unit tracks a signal when its correlation is strong (|r| ≥ 0.5)
# **and** clearly above the best unit of an untrained copy of the same network:

# %%
from rnn_course.language.views import HiddenStateViewer, readable_features, unit_correlations
from rnn_course.language.model import hidden_activations

passage = play_text("macbeth")[2_000:3_500]
acts = hidden_activations(big, vocab.encode(passage))  # (T, H)
untrained = RecurrentLM(LMConfig(**meta["config"]))  # same shape, random weights
acts_random = hidden_activations(untrained, vocab.encode(passage))
strong = {}
for name, signal in readable_features(passage).items():
    r, r0 = unit_correlations(acts, signal), unit_correlations(acts_random, signal).abs().max().item()
    unit = int(r.abs().argmax())
    tracked = abs(r[unit]) >= 0.5 and abs(r[unit]) > r0 + 0.15
    strong[name] = (unit, float(r[unit]), tracked)
    print(f"{name:17s} best unit {unit:3d}  r = {r[unit]:+.2f}  (untrained: {r0:.2f})  → "
          + ("tracks it" if tracked else "no clear evidence"))

# %%
best_unit = max(strong.values(), key=lambda u: (u[2], abs(u[1])))[0]
HiddenStateViewer(big, vocab, passage[:600], unit=best_unit)  # red: positive, blue: negative

# %% [markdown]
# ## Deployment cost
#
# Generation is where the hidden state pays: with it, each character costs one step. Re-reading the
# whole text for every new character (what you must do if the state is dropped and you still want
# context) costs a step per character *so far*.

# %%
from rnn_course.language.model import generate, generate_by_rereading

prompt = vocab.encode("KING:\n")
t0 = time.perf_counter(); generate(big, prompt, 500, seed=0); t_state = time.perf_counter() - t0
t0 = time.perf_counter(); generate_by_rereading(big, prompt, 100, seed=0); t_reread = time.perf_counter() - t0
ckpt = rnn_course.paths.data_dir() / "checkpoints" / "char_lm.pt"
print(f"parameters {big.num_parameters():,}; file {ckpt.stat().st_size / 1e6:.1f} MB (float16)")
print(f"with the state: {500 / t_state:,.0f} characters per second (batch 1, CPU)")
print(f"re-reading:     {100 / t_reread:,.0f} characters per second for the first 100 — and slower with every one")

# %% [markdown]
# ## Your turn
#
# Replace each `...` and run the cell: the checker says what is right, or gives a hint. Still
# stuck? `solution("03-temperature")` shows a worked answer; all of them are in `solutions/03_text_generation.md`.
#
# **1.** A model's logits for three characters are `[2, 1, 0]`. At temperature 0.5, what is the
# probability of the first character?

# %%
answer_1 = ...
check("03-temperature", answer_1)

# %% [markdown]
# **2.** You generate with a 2-layer `nn.GRU(32, 256, num_layers=2, batch_first=True)`, one
# character at a time for one sequence. What is the shape of the state you carry between steps?

# %%
answer_2 = ...
check("03-state-shape", answer_2)

# %% [markdown]
# ## Looking back
#
# The article's generator fails in three ways, and the last — dropping the hidden state — survives
# every shape fix: only carrying the state gives the model a memory, at one step per character.
# <!-- time:cell=dashboard-run -->About 30 s<!-- /time --> of training gets a small GRU to readable-looking nonsense; longer training
# gets closer to verse. The last cell checks the numbers and records them.

# %% [markdown]
# ## Quiz
#
# Five questions on this notebook's ideas. Run the next cell to see them, replace each `...` below
# with your answer — a letter such as `"b"` — and run the answer cell: every answer gets an
# explanation, the wrong ones too. Your results are kept in `results/03_text_generation.json`.

# %%
from rnn_course.exercises import check_quiz, quiz

quiz("03")

# %%
quiz_answers = {
    "03-quiz-drop-state":    ...,  # a letter
    "03-quiz-temperature":   ...,  # a letter
    "03-quiz-greedy":        ...,  # a letter
    "03-quiz-cost-per-char": ...,  # a letter
    "03-quiz-hidden-unit":   ...,  # a letter
}
check_quiz(quiz_answers)

# %%
assert quick_nats <= 1.9, f"a minute of training should reach 1.9 nats/char on unseen plays, got {quick_nats:.3f}"
assert big_nats <= 1.50, f"the pretrained model should reach 1.50 nats/char on unseen plays, got {big_nats:.3f}"
assert repeated_share(greedy) > repeated_share(samples["T=1.0"]), "greedy decoding should repeat itself more"
rnn_course.record("quick_valid_nats_per_char", quick_nats)
rnn_course.record("pretrained_valid_nats_per_char", big_nats)
rnn_course.record("quick_train_seconds", summary.seconds)
rnn_course.record("generation_chars_per_second", 500 / t_state)
print(f"✓ quick model {quick_nats:.3f} ≤ 1.9 and pretrained {big_nats:.3f} ≤ 1.50 nats/char on unseen plays")
