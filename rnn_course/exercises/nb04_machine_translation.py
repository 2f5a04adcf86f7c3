"""Notebook 04, machine translation: its exercises, registered in the order the notebook asks them."""

from __future__ import annotations

import numpy as np
import torch

from .answers import as_shape, as_whole, call_answer, kind_of
from .core import exercise
from .quizzes import choice


@exercise("04-decoder-input", 1, (
    "the article's DecoderRNN is an nn.RNN with no embedding, time-first, fed one step at a time: "
    "what size of vector was that nn.RNN built to read?"
))
def _decoder_step_shape(answer):
    # DecoderRNN(output_size=300, hidden_size=128), 16 sentences, one step of generation
    got = as_shape(answer)
    if got == (1, 16, 300):
        return True, "(T=1, B=16, V_tgt=300): one step, 16 sentences, a one-hot vector over the 300 French words."
    if got == (16, 1, 300):
        return False, "the article's decoder is time-first: (T, B, V), so the single step comes first."
    if got in ((1, 16), (16, 1), (16,)):
        return False, "those are word ids; the article's DecoderRNN has no embedding: it reads one-hot vectors of size V_tgt."
    if got == (16, 300):
        return False, "nn.RNN would read a 2-D input as ONE unbatched sentence of 16 steps: keep the T axis, (1, B, V)."
    if got == (1, 16, 128):
        return False, "128 is the hidden size H; what the decoder reads (its input size) is the output vocabulary size."
    return False, "three axes, time-first: (T, B, F), where F is what the decoder's nn.RNN was built to read."


ATTENTION_SENTENCE = (["the", "white", "dog", "eats", "."], ["le", "chien", "blanc", "mange", "."])


@exercise("04-attention-pattern", 2, (
    "write the French under the English and draw a line from each French word to its English source."
))
def _attention_pattern(answer):
    en, fr = ATTENTION_SENTENCE
    if torch.is_tensor(answer) or isinstance(answer, np.ndarray):
        answer = answer.tolist()
    if not isinstance(answer, (list, tuple)):
        return False, (f"that is {kind_of(answer)}; give a list of {len(fr)} English positions, "
                       "one per French token, such as [0, 1, 2, 3, 4].")
    got = [as_whole(a, "each position as a whole number") for a in answer]
    if len(got) != len(fr):
        return False, f"give one English position per French token: {len(fr)} numbers for {fr}."
    if any(not 0 <= g < len(en) for g in got):
        return False, f"positions count English tokens from 0 to {len(en) - 1}: {list(enumerate(en))}."
    if got == [0, 2, 1, 3, 4]:
        return True, "chien looks at dog (2) and blanc back at white (1): the colour adjective follows the noun in French."
    if got == [0, 1, 2, 3, 4]:
        return False, "that is word-by-word order; 'blanc' is a colour adjective, and French puts it after the noun."
    return False, "match each French word to the English word it translates; 'le' ↔ 'the', 'mange' ↔ 'eats'."


@exercise("04-padding-mask", 3, (
    "compare every position 0 … max_len − 1 with every sentence's length: torch.arange and "
    "broadcasting make all B × T_src comparisons at once."
))
def _padding_mask(answer):
    lengths = torch.tensor([3, 1, 4])
    truth = torch.tensor([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 0]], dtype=torch.bool)
    got = call_answer(answer, lengths, 5, example="def padding_mask(lengths, max_len): return ...")
    if not torch.is_tensor(got):
        return False, f"your function returned {kind_of(got)}; it should return a tensor (B, T_src)."
    if tuple(got.shape) != (3, 5):
        return False, f"the mask should be (B, T_src) = (3, 5) for lengths {lengths.tolist()}; yours is {tuple(got.shape)}."
    if got.dtype != torch.bool:
        if torch.equal(got, truth.to(got.dtype)):
            return False, (f"the right positions, but as {got.dtype} 1s and 0s; the task asks for booleans. "
                           "It matters: ~ on an integer mask gives −2 and −1, not False and True, and masked_fill "
                           "wants a bool mask. A comparison such as < gives booleans directly.")
        return False, f"the mask should hold booleans (True / False); yours is a {got.dtype} tensor."
    if torch.equal(got, truth):
        return True, "True on the words, False on the padding: masked_fill(~mask, -inf) then gives padding zero weight."
    if torch.equal(got, ~truth):
        return False, "that marks the padding as True; the course's masks are True on real words (flip it)."
    return False, "position t of sentence b is a word when t < lengths[b]: compare every position with every length."


# --- the quiz (rnn_course.exercises.quizzes shows and judges it) ------------------------------
choice(
    "04-quiz-teacher-forcing",
    "With teacher forcing, what does the decoder read at output step t during training?",
    "a",
    ("the true previous French word",
     "tgt_in is the reference shifted by one, starting with <bos>: the decoder always conditions on the true "
     "past and learns to predict the next word. All steps can run in one pass."),
    ("its own prediction from step t − 1",
     "that is what it reads when it translates. The difference between the two is exposure bias."),
    ("the English word at position t",
     "the English sentence reaches the decoder through the encoder's state and attention; the decoder's own "
     "input is the French side, which is not aligned word for word with the English."),
)
choice(
    "04-quiz-exposure-bias",
    "The same model scores much worse on validation with `teacher_forcing=0.0` than with 1.0. Why?",
    "b",
    ("the validation set is harder",
     "it is the same validation set both times; only what the decoder reads changed."),
    ("it never practised recovering from its own errors, so one mistake feeds the next",
     "exposure bias: trained on the true past, it meets its own mistakes only at translation time. Mixing in "
     "its own predictions in training (teacher_forcing=0.5) narrows the gap, at a cost in speed."),
    ("a bug: the loss should not depend on teacher forcing",
     "the loss must depend on it: with teacher forcing off, every step conditions on the model's own earlier "
     "words, and errors compound."),
)
choice(
    "04-quiz-bottleneck",
    "Without attention, scores fall on the longest third of the test sentences. Why?",
    "a",
    ("the whole sentence must pass through one vector before the first French word is written",
     "without attention the decoder sees only h_n, H numbers, however long the sentence. Attention lets it read "
     "every encoder output at every step, so long sentences keep their details."),
    ("long sentences are rare in training",
     "the attention model trains on the same sentences and keeps the long ones: the loss comes from the design, "
     "not the data."),
    ("BLEU penalises long sentences",
     "BLEU's brevity penalty punishes translations that are too short, not long sentences."),
)
choice(
    "04-quiz-padding-mask",
    "Attention sets the scores of padded source positions to −∞ before the softmax. Why not to 0?",
    "c",
    ("0 would work as well: a score of 0 means no attention",
     "a score of 0 still gets a weight e⁰ / Σ, far from zero when the other scores are small: the context "
     "would mix in <pad>. Only −∞ gives exactly 0."),
    ("−∞ makes the softmax faster",
     "the cost is the same. The point is the value: softmax(−∞) is exactly 0."),
    ("after the softmax a score of −∞ becomes a weight of exactly 0, so padding never enters the context",
     "e^(−∞) = 0, and the remaining weights still sum to 1 over the real words. The mask is True on real words, "
     "from each sentence's length."),
)
choice(
    "04-quiz-structural",
    "Trained on the templates, the attention model translates nearly every random test sentence exactly, and "
    "almost none of the structural ones (sentence skeletons never seen in training, every word known). What "
    "does that show?",
    "b",
    ("the structural set has words outside the vocabulary",
     "every word of it occurs in training; only the way the sentences are built is new."),
    ("it learned the templates it saw, not how to build new sentences from their parts",
     "a random test set resembles training, so it rewards memorised templates. Trained on varied structures "
     "(with the test skeletons still held out) the same model gets most structural sentences right: test on "
     "the situations you will meet, not only on ones like training."),
    ("the structural test set leaked into training",
     "a leak would make the scores too good. Low scores on unseen structures are the opposite of a leak."),
)
