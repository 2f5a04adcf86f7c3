# notebooks/04_machine_translation.ipynb as text (jupytext py:percent), written by `python tools/notebooks.py pair`.
# Edit the notebook, not this file: `tools/notebooks.py tidy` rewrites it.

# %% [markdown]
# # 04 · Machine translation: encoder, decoder, attention
#
# The article's second application: *"RNNs are used in encoder–decoder architectures for machine
# translation: the encoder reads the sentence in the source language, the decoder writes it in the
# target language."* Here we translate English into French — first with the article's own
# `EncoderRNN` / `DecoderRNN`, then with the encoder–decoder practitioners actually use
# (embeddings, GRUs, padding masks, teacher forcing), then with **attention**, which lets the
# decoder look back at every English word, and **beam search**, which keeps several translations
# in play. Every model is scored with BLEU, chrF and exact match against a word-by-word
# dictionary, on held-out sentences.
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
import time

import matplotlib.pyplot as plt
import torch

import rnn_course
from rnn_course import Trainer, TrainConfig
from rnn_course.translation.baselines import word_by_word
from rnn_course.translation.data import detokenize, make_tensors, tokenize
from rnn_course.translation.decoding import beam_search, translate, translate_pairs
from rnn_course.translation.corpus import make_splits
from rnn_course.translation.model import (ArticleSeq2Seq, Seq2Seq, Seq2SeqConfig, article_loss, corpus_scores,
                                          length_thirds, load_pretrained, seq2seq_loss)
from rnn_course.vocab import SPECIAL_TOKENS, Vocab
from rnn_course.shapes import trace
from rnn_course.exercises import check, solution

device = rnn_course.start("04_machine_translation")

# %% [markdown]
# ## Is this an RNN problem?
#
# The article's four questions, for translation:
#
# - **Is the input ordered?** Yes, and so is the output: *the dog sees the cat* is not *the cat
#   sees the dog*.
# - **How long is the context?** The whole sentence. French puts most adjectives *after* the noun
#   (*the black cat* → *le chat noir*), splits a negation around the verb (*does not like* →
#   *n'aime pas*) and makes adjectives agree with a noun that may come later in English. No
#   fixed window of words is enough.
# - **Classification or generation?** Generation, of a sequence whose **length differs** from the
#   input's — which is why there are two networks: one reads, one writes.
# - **Simpler or stronger?** The simpler tool is a **dictionary, word by word**: no reordering, no
#   agreement. It is our baseline. The stronger tool is a Transformer (notebook 08), which is
#   attention without the recurrence.
#
# ## The data: English → French with real grammar
#
# No parallel corpus can be downloaded in class, so `rnn_course.translation` writes one (`grammar` renders a sentence, `corpus` draws them): correct
# French with agreement, reordering, elision (*l'arbre*), contractions (*au*, *des*), conjugation
# and negation. We use the same corpus as the pretrained models loaded below (their settings travel
# inside the checkpoint). The French keeps the English meaning where a word's place changes it:
# *a big man* is *un homme grand* (*un grand homme* is a great man), and *old* never describes a
# boy or a girl (*un vieux garçon* is a bachelor). Three test sets: **test** is random, like
# training; **compositional** uses adjective–noun pairs that never occur together in training
# (*the black cat*, *the old tree*), though each word does — can a model combine words it knows?
# **structural** uses sentence *skeletons* that never occur in training — three subjects, two
# predicates, two prepositional phrases, two clauses joined by *and* — built from the same words:
# can it combine structures it knows?

# %%
# NBVAL_CHECK_OUTPUT
pretrained, meta = load_pretrained("translation")  # checksum checked, weights_only=True
plain_pretrained, plain_meta = load_pretrained("translation_plain")
splits = make_splits(**meta["splits"])  # the corpus the pretrained models learned from
for name, pairs in splits.items():
    print(f"{name:13s} {len(pairs):6,} pairs")
print()
for p in splits["train"][:6]:
    print(f"{p.en:48s} → {p.fr}")

# %%
# NBVAL_CHECK_OUTPUT
for p in splits["compositional"][:3]:
    print(f"{p.en:48s} → {p.fr}   (held out: {' '.join(p.features['held_out'])})")
print()
for p in splits["structural"][:3]:
    print(f"{p.en}\n    → {p.fr}   (skeleton: {p.features['structure']})")
sentence = "the white dog does not like the small cats ."
print("\nword by word:", word_by_word(sentence))
print("French:      ", "le chien blanc n'aime pas les petits chats .")

# %% [markdown]
# ## Tokens and vocabularies
#
# `tokenize` lower-cases and splits off punctuation; in French it also splits after an apostrophe,
# so *l'arbre* is `l'` + `arbre` and an attention map can show `l'` looking at *the*. Each language
# gets its own vocabulary, built from the training sentences; ids 0–3 are the special tokens
# `<pad>` (filler after a short sentence), `<bos>` (start writing), `<eos>` (stop) and `<unk>`.

# %%
# NBVAL_CHECK_OUTPUT
src_vocab = Vocab.build((tokenize(p.en, "en") for p in splits["train"]), specials=SPECIAL_TOKENS)
tgt_vocab = Vocab.build((tokenize(p.fr, "fr") for p in splits["train"]), specials=SPECIAL_TOKENS)
assert src_vocab.itos == pretrained.src_vocab.itos and tgt_vocab.itos == pretrained.tgt_vocab.itos
print(f"English V_src = {len(src_vocab)}, French V_tgt = {len(tgt_vocab)}; special tokens: {tgt_vocab.itos[:4]}")
print(tokenize("Je n'aime pas l'arbre.", "fr"))

# %% [markdown]
# ## Batches and shapes
#
# Sentences have different lengths, so a batch is padded with `<pad>` (id 0) to its longest
# sentence, and `src_len` remembers the true lengths. The decoder is trained with **teacher
# forcing**: at every step it reads the *true* previous French word (`tgt_in`, starting with
# `<bos>`) and must predict the next one (`tgt_out`, ending with `<eos>`) — the same sentence
# shifted by one.

# %%
# NBVAL_CHECK_OUTPUT
src, src_len, tgt_in, tgt_out = make_tensors(splits["train"][:4], src_vocab, tgt_vocab)
print(f"src     {tuple(src.shape)}  (B, T_src)   src_len {src_len.tolist()}")
print(f"tgt_in  {tuple(tgt_in.shape)}  (B, T_tgt)   tgt_out {tuple(tgt_out.shape)}")
print("src[0]    ", src_vocab.decode(src[0], strip=False))
print("tgt_in[0] ", tgt_vocab.decode(tgt_in[0], strip=False))
print("tgt_out[0]", tgt_vocab.decode(tgt_out[0], strip=False))

# %% [markdown]
# ## The model: the article's encoder and decoder first
#
# The article's `EncoderRNN(input_size, hidden_size)` and `DecoderRNN(output_size, hidden_size)`
# are two `nn.RNN`s, **time-first**. Neither has an embedding: the encoder reads a vector of size
# `input_size` per word — one-hot over the English vocabulary — and the decoder's input size *is*
# its output size, the French vocabulary: it reads the previous word as a **one-hot vector of
# size V_tgt**. The only thing the encoder hands over is its last hidden state `h_n: (1, B, H)`,
# which becomes the decoder's first. `ArticleSeq2Seq` wraps the two classes, unchanged, to accept
# our batch-first ids:

# %%
# NBVAL_CHECK_OUTPUT
article = ArticleSeq2Seq(src_vocab, tgt_vocab, hidden_size=128)
trace(article, src, src_len, tgt_in)  # one-hot, time-first inside: (T_src, B, V_src), (T_tgt, B, V_tgt)

# %% [markdown]
# Generating, the decoder goes **one step at a time**: at step t its input is the one-hot vector
# of the word it wrote at step t − 1, shaped `(T=1, B, V_tgt)`, and its hidden state carries
# everything else:

# %%
# NBVAL_CHECK_OUTPUT
one_hot = torch.nn.functional.one_hot
_, h = article.encoder(one_hot(src.t(), len(src_vocab)).float())  # h_n: (1, B, H)
step_input = one_hot(tgt_in[:, 0], len(tgt_vocab)).float().unsqueeze(0)  # <bos> for everyone: (1, B, V_tgt)
logits, h = article.decoder(step_input, h)
print(f"decoder input at one step {tuple(step_input.shape)}, hidden {tuple(h.shape)}, logits {tuple(logits.shape)}")

# %% [markdown]
# Train it briefly on 4,000 pairs (<!-- time:cell=article-training -->about 5 s<!-- /time -->) — it learns something, but not French:

# %% tags=["article-training"]
from rnn_course.train import ProgressBar

train_small = make_tensors(splits["train"][:4000], src_vocab, tgt_vocab)  # the in-notebook budget
valid = make_tensors(splits["valid"], src_vocab, tgt_vocab)
article_trainer = Trainer(article, train_small, article_loss, val_data=valid,
                          config=TrainConfig(steps=300, batch_size=64, lr=5e-3, eval_every=100),
                          callbacks=[ProgressBar("the article's encoder–decoder")])
print(article_trainer.run())
print("validation loss:", [round(v, 2) for v in article_trainer.history.val_loss])
for p in splits["test"][:3]:
    print(f"{p.en:40s} → {translate_pairs(article, [p])[0]}")


# %% [markdown]
# Where it fails: the decoder picks up the most common French words and the sentence frame, not
# the sentence in front of it. Three reasons, each fixed below: one-hot inputs give every word an
# unrelated vector (no **embedding** to share what *cat* and *dog* have in common); nothing is
# packed, so the encoder's last state has also read the `<pad>` steps after a short sentence; and
# the whole sentence must squeeze through **one vector** `h_n`.
#
# ## The improved encoder–decoder
#
# `Seq2Seq` is batch-first `(B, T)`, with embeddings, a **bidirectional GRU** encoder (packed, so
# padding is never read), a GRU decoder, and optionally **attention**: at every output step the
# decoder scores every encoder output, turns the scores into weights that sum to 1 and reads their
# weighted sum. Padded source positions are **masked**: their score is −∞, so their weight is
# exactly 0. Without attention (`attention=None`) it is still the one-vector design, just better
# built.

# %%
# NBVAL_CHECK_OUTPUT
def new_model(attention):
    rnn_course.seed_everything(0)
    return Seq2Seq(Seq2SeqConfig(len(src_vocab), len(tgt_vocab), embedding_dim=64, hidden_size=128,
                                 attention=attention), src_vocab, tgt_vocab)

model, plain = new_model("additive"), new_model(None)
print(f"attention model {model.num_parameters():,} parameters; plain model {plain.num_parameters():,}")
trace(model, src, src_len, tgt_in)

# %%
# NBVAL_CHECK_OUTPUT
logits, weights = model(src, src_len, tgt_in)
print(f"logits {tuple(logits.shape)} (B, T_tgt, V_tgt); attention {tuple(weights.shape)} (B, T_tgt, T_src)")
for i, n in enumerate(src_len.tolist()):
    print(f"sentence {i}: {n} words, attention on its padding = {weights[i, :, n:].sum().item():.1f}")

# %% [markdown]
# ## Train
#
# The dashboard drives the course's trainer. The next cell trains the attention model for 200
# steps (<!-- time:cell=dashboard-run -->about 20 s<!-- /time -->) on the same 4,000 pairs; the live slot shows how it translates a
# sentence with a colour adjective and a negation as it learns. Press **Start** afterwards to
# train longer.

# %%
from rnn_course.dashboard import Dashboard

PROBE = "the white dog does not eat the red apple ."

def sample(trainer):
    return f"{PROBE} → {translate(trainer.model, PROBE).text}"

config = TrainConfig(steps=200, batch_size=64, lr=3e-3, eval_every=50)
trainer = Trainer(model, train_small, seq2seq_loss, val_data=valid, config=config)
dash = Dashboard(trainer, steps=200, live=sample, title="GRU encoder–decoder with attention",
                 loss_label="cross-entropy (nats/French token)")
dash

# %% tags=["dashboard-run"]
summary = dash.run()
print(summary)
print(sample(trainer))

# %% [markdown]
# The plain encoder–decoder, same data, same budget (<!-- time:cell=plain-training -->about 10 s<!-- /time -->):

# %% tags=["plain-training"]
plain_trainer = Trainer(plain, train_small, seq2seq_loss, val_data=valid, config=config,
                        callbacks=[ProgressBar("plain encoder–decoder")])
plain_summary = plain_trainer.run()
print(plain_summary)
print(f"validation loss after 200 steps: plain {plain_trainer.history.val_loss[-1]:.3f}, "
      f"attention {trainer.history.val_loss[-1]:.3f}")
print(f"{PROBE} → {translate(plain, PROBE).text}")

# %% [markdown]
# ### Teacher forcing, and what happens without it
#
# In training, the decoder always reads the *true* previous word. When it translates, it reads its
# *own* previous word — and one mistake feeds the next. `seq2seq_loss(..., teacher_forcing=0.0)`
# scores the same validation sentences with the decoder reading its own predictions:

# %%
model.eval()
with torch.no_grad():
    forced = seq2seq_loss(model, valid).item()
    free = seq2seq_loss(model, valid, teacher_forcing=0.0).item()
model.train()
print(f"validation loss, reading the true previous words : {forced:.3f}")
print(f"validation loss, reading its own previous words  : {free:.3f}")

# %% [markdown]
# The gap is **exposure bias**: the model never practised recovering from its own errors. Training
# with `teacher_forcing=0.5` (`loss_fn=lambda m, b: seq2seq_loss(m, b, teacher_forcing=0.5)`) mixes
# in its own predictions; it must then run step by step, so it is slower. Training with none at all
# from scratch is slower still to start: early on, its own predictions are noise, and it learns
# from a garbled past.
#
# ## Evaluate: BLEU, chrF and exact match against a dictionary
#
# Translation is **greedy**: at each step the most probable word, until `<eos>`. Three metrics,
# from `sacrebleu` and by hand: **BLEU** (shared 1–4-word sequences with the reference, 0–100),
# **chrF** (shared character sequences: kinder to a nearly right agreement) and **exact match**
# (the whole sentence right). Besides our short runs, the course ships two checkpoints made by
# `scripts/train_translation.py`: the attention model and the plain one, trained identically on the
# 15,000 training pairs for 4,000 steps each.

# %%
from tqdm.auto import tqdm

systems = {
    "word by word": lambda pairs: [word_by_word(p.en) for p in pairs],
    "article (300 steps)": lambda pairs: translate_pairs(article, pairs),
    "plain (200 steps)": lambda pairs: translate_pairs(plain, pairs),
    "attention (200 steps)": lambda pairs: translate_pairs(model, pairs),
    "plain, pretrained": lambda pairs: translate_pairs(plain_pretrained, pairs),
    "attention, pretrained": lambda pairs: translate_pairs(pretrained, pairs),
}
refs = {s: [p.fr for p in splits[s]] for s in ("test", "compositional", "structural")}
jobs = [(name, s) for name in systems for s in refs]
hyps = {(name, s): systems[name](splits[s]) for name, s in tqdm(jobs, desc="translating the test sets")}
results = {(name, s): corpus_scores(h, refs[s]) for (name, s), h in hyps.items()}


LABELS = {"test": "random test"}


def score_table(results, names, sets):
    print(f"{'':24s}" + "".join(f"{LABELS.get(s, s):>18s}" for s in sets))
    print(f"{'':24s}" + "  BLEU  chrF exact" * len(sets))
    for name in names:
        print(f"{name:24s}" + "".join(f"{results[name, s]['bleu']:6.1f}{results[name, s]['chrf']:6.1f}"
                                       f"{results[name, s]['exact']:6.1f}" for s in sets))


score_table(results, systems, list(refs))

# %% [markdown]
# Read the table column by column. On the **random** test set the dictionary gets many words right
# and almost no sentence (no reordering, no agreement). The article's model and the short plain run
# do not even reach it: the honest result of a few seconds of training without attention. With
# attention, 200 steps pass it by far, and the pretrained attention model is perfect or nearly so.
# The **compositional** column costs it a point or less (the plain model far more): unseen
# adjective–noun pairs, each word known. The **structural** column is another story: on sentence
# skeletons they never saw, both pretrained models get almost no sentence exactly right, and their
# BLEU falls to the dictionary's neighbourhood — the plain model's below it. So a near-perfect score
# on the random split mostly says that this task is closed (a fixed lexicon, a deterministic grammar,
# a few templates), not that the model can translate a sentence it has not seen the like of. The next
# sections look at both findings: the one-vector bottleneck, then the structural gap.
#
# ## The bottleneck of one context vector
#
# Without attention, every English sentence must fit into one vector of H = 128 numbers before the
# first French word is written. Split the random test set into thirds by English length:

# %%
thirds = length_thirds(splits["test"])
by_length = {name: {third: corpus_scores([hyps[name, "test"][i] for i in idx],
                                         [refs["test"][i] for i in idx])["bleu"]
                    for third, idx in thirds.items()} for name in systems}
lengths = {t: sorted({len(tokenize(splits["test"][i].en, "en")) for i in idx}) for t, idx in thirds.items()}
print(f"{'BLEU by English length':24s}" + "".join(f"{t} ({v[0]}–{v[-1]} tokens)".rjust(22) for t, v in lengths.items()))
for name in systems:
    print(f"{name:24s}" + "".join(f"{by_length[name][t]:22.1f}" for t in thirds))

fig, ax = plt.subplots(figsize=(7, 3))
for k, name in enumerate(["word by word", "plain, pretrained", "attention, pretrained"]):
    ax.bar([x + 0.27 * k for x in range(3)], list(by_length[name].values()), width=0.27, label=name)
ax.set_xticks([0.27, 1.27, 2.27], [f"{t} third" for t in thirds])
ax.set_ylabel("BLEU (random test)"); ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1)); ax.set_ylim(0, 100)
plt.show()

# %% [markdown]
# ## New structures: memorised templates or composition?
#
# Every training sentence of the pretrained models follows one of a few **templates**: one clause,
# one or two subjects, one predicate, at most one prepositional phrase. `p.features["structure"]`
# names a sentence's skeleton (*1 noun verb +1 prep*: a noun subject, a verb with its object, one
# prepositional phrase). On the random test set almost every sentence even has a sequence of parts
# of speech seen in training, so a near-perfect score there may only mean that the model fills in
# templates it has memorised. The **structural** test set asks for skeletons it never saw, made of
# words and adjective–noun pairs it did see:

# %%
from collections import Counter

from rnn_course.translation.grammar import CONSTRUCTIONS, constructions, pos_tags

train_tags = {tuple(pos_tags(p.en)) for p in splits["train"]}
for s in refs:
    seen = sum(tuple(pos_tags(p.en)) in train_tags for p in splits[s])
    print(f"{s:13s}: {seen:4d} of {len(splits[s]):,} sentences have a part-of-speech sequence seen in training")
print("commonest skeletons of the structural set:", Counter(p.features["structure"] for p in splits["structural"]).most_common(3))
print()
for text in ["the dog is hungry and the cat is thirsty .", "the girl likes the cat and watches the dog ."]:
    print(f"{text:46s} → {translate(pretrained, text).text}")

# %% [markdown]
# Look at the two translations: the model writes a French sentence of a shape it knows and drops the
# rest (*le chien a le chat*). It has memorised templates; it has not learned that a clause can
# follow *and*, or one verb phrase another. Every word of those sentences is in its vocabulary.
#
# **One thing that narrows the gap: more varied structures in training.** `translation_varied.pt` is
# the same attention model with the same recipe (15,000 pairs, 4,000 steps), trained on a corpus in
# which some sentences have three subjects, two predicates, two prepositional phrases or two clauses
# (`make_splits(..., **VARIED)`). The structural test set's skeletons are held out of its training
# too — the same skeletons for both corpora, picked by a hash of each skeleton — so it has seen each
# construction, but never in these combinations: it trained on *pronoun verb×2* (*she likes the cat
# and watches the dog*), never on *1 noun verb×2* (*the girl likes …*). Same test sentences, same
# scores:

# %%
varied_pretrained, varied_meta = load_pretrained("translation_varied")
varied_splits = make_splits(**varied_meta["splits"])  # same seed and sizes, VARIED structure options
assert [p.en for p in varied_splits["structural"]] == [p.en for p in splits["structural"]]  # the same test set
for s in ("test", "structural"):
    hyps["attention, varied corpus", s] = translate_pairs(varied_pretrained, varied_splits[s])
    results["attention, varied corpus", s] = corpus_scores(hyps["attention, varied corpus", s],
                                                           [p.fr for p in varied_splits[s]])
score_table(results, ["word by word", "plain, pretrained", "attention, pretrained", "attention, varied corpus"],
            ["test", "structural"])
print("(the random test of 'varied corpus' is its own corpus's, with the new constructions in it)")

by_construction = {}
for name in ("attention, pretrained", "attention, varied corpus"):
    for c in CONSTRUCTIONS:
        idx = [i for i, p in enumerate(splits["structural"]) if c in constructions(p.features)]
        by_construction[name, c] = corpus_scores([hyps[name, "structural"][i] for i in idx],
                                                 [refs["structural"][i] for i in idx])["exact"]
fig, ax = plt.subplots(figsize=(7, 2.8))
for k, name in enumerate(["attention, pretrained", "attention, varied corpus"]):
    ax.bar([x + 0.4 * k for x in range(len(CONSTRUCTIONS))], [by_construction[name, c] for c in CONSTRUCTIONS],
           width=0.4, label="trained on templates" if k == 0 else "trained on varied structures")
ax.set_xticks([x + 0.2 for x in range(len(CONSTRUCTIONS))], CONSTRUCTIONS)
ax.set_ylabel("exact match, %\n(structural test)"); ax.set_ylim(0, 100); ax.legend(fontsize=8)
plt.show()
for text in ["the dog is hungry and the cat is thirsty .", "the girl likes the cat and watches the dog ."]:
    print(f"{text:46s} → {translate(varied_pretrained, text).text}")

# %% [markdown]
# The gap all but closes: trained on varied structures, the same network translates held-out
# skeletons as well as random sentences. It never saw *1 noun verb×2*, but it saw a noun subject,
# and a second verb phrase after a pronoun, and it recombines them — composition, within what it has
# seen pieces of. Two cautions keep this honest. The template model's failure is not a lack of
# capacity but of evidence: nothing in its data says that *and* can join clauses. And the varied
# model is tested on new combinations of constructions it knows, not on a construction it never met
# (a relative clause, a question): for those, only data that contains them helps. The same lesson
# holds for real corpora — a test set drawn from the training distribution measures memory as much
# as skill; hold out what you want to know about.

# %% [markdown]
# ## What attention looks at
#
# Each row is one French word as it is written; each column an English word; dark cells are where
# the decoder looked. Watch the **adjective–noun swap** (*chien* looks at *dog*, then *blanc* back
# at *white*) and the **split negation** (*n'* and *pas* both look at *not*, on either side of the
# verb):

# %%
from rnn_course.translation.views import attention_figure

fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
for ax, sentence in zip(axes, ["the white dog eats the red apple .", "the small girls do not like the black horse ."]):
    t = translate(pretrained, sentence)
    attention_figure(t.source, t.tokens, t.attention, ax=ax, title=t.text)
plt.show()


# %% [markdown]
# ## Beam search against greedy
#
# Greedy commits to one word at each step. **Beam search** keeps the `beam` most probable partial
# translations and extends them all; with width 1 it is exactly greedy. Its scores here are the
# model's log-probabilities, not normalised by length (`length_penalty=0`; the corpus's lengths are
# set by the source). On the 200-step attention model, which still makes mistakes:

# %%
def compare(m, pairs, beam=4):
    greedy_txt, beam_txt, gains = [], [], []
    for p in tqdm(pairs, desc="greedy and beam search"):
        x, n, _, _ = make_tensors([p], m.src_vocab, m.tgt_vocab)
        g, b = beam_search(m, x, n, beam=1)[0], beam_search(m, x, n, beam=beam)[0]
        greedy_txt.append(detokenize(m.tgt_vocab.decode(g.ids)))
        beam_txt.append(detokenize(m.tgt_vocab.decode(b.ids)))
        gains.append(b.logprob - g.logprob)
    return greedy_txt, beam_txt, gains

beam_results = {}
for s in ("test", "compositional"):
    pairs = splits[s][:200]
    g_txt, b_txt, gains = compare(model, pairs)
    r = [p.fr for p in pairs]
    beam_results[s] = (corpus_scores(g_txt, r)["bleu"], corpus_scores(b_txt, r)["bleu"], gains)
    print(f"{s:13s}: BLEU greedy {beam_results[s][0]:.1f}, beam 4 {beam_results[s][1]:.1f}; "
          f"beam more probable on {sum(g > 1e-6 for g in gains)} of {len(gains)} sentences, "
          f"less probable on {sum(g < -1e-6 for g in gains)}")

# %% [markdown]
# ## Translate your own sentence
#
# Type an English sentence using the corpus's words. The widget shows the pretrained model's
# translation and its attention map; an empty box or a word it has never seen gets a message
# naming the problem. Its logic is a plain function, `translate_view`, tested without a browser.

# %%
from rnn_course.translation.views import TranslateWidget, translate_view

TranslateWidget(pretrained, "the old man does not like the new car .")

# %%
for text in ["the happy boys eat the green apples .", "", "the giraffe reads a newspaper ."]:
    print(f"{text!r:40} → {translate_view(pretrained, text, heatmap=False).message}")

# %% [markdown]
# ## Deployment cost
#
# Parameters, size on disk (float16 weights), and time per sentence on one CPU core: greedy
# decoding costs one decoder step per output word; beam search costs about `beam` times that.

# %%
from rnn_course.paths import data_dir

ckpt = data_dir() / "checkpoints" / "translation.pt"
threads = torch.get_num_threads()
torch.set_num_threads(1)
timings = {}
for beam in (1, 4):
    translate(pretrained, PROBE, beam=beam)  # warm-up
    t0 = time.perf_counter()
    for _ in range(10):
        translate(pretrained, PROBE, beam=beam)
    timings[beam] = (time.perf_counter() - t0) / 10
torch.set_num_threads(threads)
print(f"parameters: {pretrained.num_parameters():,}   checkpoint: {ckpt.stat().st_size / 1e6:.2f} MB (float16)")
print(f"latency for a 10-word sentence: greedy {timings[1] * 1e3:.1f} ms, beam 4 {timings[4] * 1e3:.1f} ms (batch 1, one core)")
print(f"pretraining took {meta['train_cpu_seconds'] / 60:.1f} CPU-minutes ({meta['recipe']['steps']} steps)")

# %% [markdown]
# ## Your turn
#
# Replace each `...` and run the cell: the checker says what is right, or gives a hint. Still
# stuck? `solution("04-decoder-input")` shows a worked answer; all of them are in `solutions/04_machine_translation.md`.
#
# **1.** The article's `DecoderRNN(output_size=300, hidden_size=128)` translates 16 sentences at
# once, one word per step. What is the shape of its input at step t? Answer as a tuple.

# %%
answer_1 = ...
check("04-decoder-input", answer_1)

# %% [markdown]
# **2.** A well-trained attention model translates *the white dog eats .* as *le chien blanc
# mange .*. For each French token, which English position (0 = *the*, …, 4 = *.*) gets the most
# attention? Answer as a list of five numbers; then check yourself on a longer sentence with
# `translate(pretrained, "the white dog eats the red apple .")` and `attention_figure`. (Try the
# short one too: every *eat* in the corpus has an object, so the model invents one.)

# %%
answer_2 = ...
check("04-attention-pattern", answer_2)


# %% [markdown]
# **3.** Write `padding_mask(lengths, max_len)`: a `(B, T_src)` boolean tensor, True on real words
# and False on padding — the mask that keeps attention off `<pad>`.

# %%
def padding_mask(lengths, max_len):
    ...

check("04-padding-mask", padding_mask)

# %% [markdown]
# ## Looking back
#
# You fed the article's encoder–decoder its one-hot, time-first inputs, saw it learn the frame of a
# French sentence and not the sentence, built a batch-first GRU encoder–decoder with masks and
# teacher forcing, watched a single context vector lose the long sentences, and attention keep them
# — with heatmaps that show the reordering French needs. The last two test sets are the reminder:
# a model that is near-perfect on sentences shaped like its training data can stumble on new
# combinations of words it knows, and fail outright on sentence shapes it never saw. A model trained
# on templates memorises templates; more varied structures in training teach it pieces it can
# recombine — measured on skeletons held out of both corpora.
#
# The last cell checks the notebook's claims and records its numbers.

# %% [markdown]
# ## Quiz
#
# Five questions on this notebook's ideas. Run the next cell to see them, replace each `...` below
# with your answer — a letter such as `"b"` — and run the answer cell: every answer gets an
# explanation, the wrong ones too. Your results are kept in `results/04_machine_translation.json`.

# %%
from rnn_course.exercises import check_quiz, quiz

quiz("04")

# %%
quiz_answers = {
    "04-quiz-teacher-forcing": ...,  # a letter
    "04-quiz-exposure-bias":   ...,  # a letter
    "04-quiz-bottleneck":      ...,  # a letter
    "04-quiz-padding-mask":    ...,  # a letter
    "04-quiz-structural":      ...,  # a letter
}
check_quiz(quiz_answers)

# %%
MARGIN = 20  # BLEU points over the word-by-word dictionary
wbw = results["word by word", "test"]["bleu"]
assert summary.reason == "completed" and plain_summary.reason == "completed"
assert by_length["attention, pretrained"]["long"] > by_length["plain, pretrained"]["long"], "attention must win on long sentences"
assert by_length["attention (200 steps)"]["long"] > by_length["plain (200 steps)"]["long"]
for name in ("plain, pretrained", "attention, pretrained"):
    assert results[name, "test"]["bleu"] >= wbw + MARGIN, f"{name} must beat word by word by {MARGIN} BLEU"
assert results["attention, pretrained", "test"]["bleu"] >= 90
assert all(g >= -1e-5 for s in beam_results for g in beam_results[s][2]), "beam search must never be less probable"
templates, varied = results["attention, pretrained", "structural"], results["attention, varied corpus", "structural"]
assert templates["exact"] < results["attention, pretrained", "test"]["exact"], "unseen skeletons must cost exact matches"
assert varied["exact"] > templates["exact"] and varied["bleu"] > templates["bleu"], "varied training must narrow the gap"
for (name, s), r in results.items():
    key = name.replace(",", "").replace("(", "").replace(")", "").replace(" ", "_")
    for metric, value in r.items():
        rnn_course.record(f"{key}_{s}_{metric}", value)
for name in systems:
    rnn_course.record(f"{name.replace(',', '').replace('(', '').replace(')', '').replace(' ', '_')}_test_long_bleu",
                      by_length[name]["long"])
for (name, c), value in by_construction.items():
    rnn_course.record(f"{name.replace(',', '').replace(' ', '_')}_structural_exact_{c.replace(' ', '_')}", value)
for s, (g, b, _) in beam_results.items():
    rnn_course.record(f"beam4_vs_greedy_{s}_bleu_gain", b - g)
rnn_course.record("quick_train_seconds", summary.seconds + plain_summary.seconds)
print(f"✓ attention {by_length['attention, pretrained']['long']:.1f} > plain "
      f"{by_length['plain, pretrained']['long']:.1f} BLEU on the longest third; both ≥ word by word "
      f"({wbw:.1f}) + {MARGIN}; pretrained attention BLEU {results['attention, pretrained', 'test']['bleu']:.1f} ≥ 90 "
      f"on the random split")
print(f"✓ structural split: exact match {templates['exact']:.1f} % trained on templates "
      f"(random split {results['attention, pretrained', 'test']['exact']:.1f} %), {varied['exact']:.1f} % trained on "
      f"varied structures; BLEU {templates['bleu']:.1f} → {varied['bleu']:.1f}")
