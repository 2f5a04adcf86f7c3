"""Notebook 03, text generation: its exercises, registered in the order the notebook asks them."""

from __future__ import annotations

import math

from .answers import as_number, as_shape
from .core import exercise
from .quizzes import choice


@exercise("03-temperature", 1, (
    "divide each logit by the temperature, then take the softmax; math.exp or torch.softmax will do "
    "the arithmetic."
))
def _temperature_prob(answer):
    value = as_number(answer, "a probability between 0 and 1")
    scaled = [2 / 0.5, 1 / 0.5, 0 / 0.5]  # logits [2, 1, 0] at temperature 0.5
    truth = math.exp(scaled[0]) / sum(math.exp(v) for v in scaled)
    plain = math.exp(2) / (math.exp(2) + math.exp(1) + 1)
    if math.isclose(value, truth, abs_tol=1e-3):
        return True, f"softmax([2, 1, 0] / 0.5) gives {truth:.3f} (it was {plain:.3f} at temperature 1): cooler is greedier."
    if math.isclose(value, plain, abs_tol=1e-3):
        return False, "that is temperature 1; divide the logits by the temperature before the softmax."
    if math.isclose(value, math.exp(1) / (math.exp(1) + math.exp(0.5) + 1), abs_tol=1e-3):
        return False, "you multiplied by the temperature; divide the logits by it."
    return False, "p = exp(z₁/τ) / Σ exp(zᵢ/τ) with z = [2, 1, 0] and τ = 0.5."


@exercise("03-state-shape", 2, (
    "generating one sequence a character at a time means B = 1; the state's layout does not follow "
    "batch_first."
))
def _step_state_shape(answer):
    got = as_shape(answer)
    if got == (2, 1, 256):
        return True, "(L, B, H) = (2, 1, 256): one state per layer, for the single sequence being generated."
    if got == (1, 2, 256):
        return False, "h_n is never batch-first: (L·D, B, H), whatever batch_first says."
    if got in ((1, 1, 256), (1, 256)):
        return False, "both layers keep a state: L = 2."
    return False, "the state is (L·D, B, H): layers × directions, batch, hidden size."


# --- the quiz (rnn_course.exercises.quizzes shows and judges it) ------------------------------
choice(
    "03-quiz-drop-state",
    "Generating one character at a time, a generator throws the hidden state away after each step. What is the "
    "effect?",
    "b",
    ("none: the model has learned to predict from one character",
     "it has learned to predict from what its state carries. Reset to zero at every step, the state carries "
     "nothing but the last character."),
    ("each character depends on the previous one alone: the model has no memory",
     "the state is the model's memory. Carry h from step to step (generate_text_fixed does): each new "
     "character then costs one step and sees everything so far."),
    ("a shape error once the prompt is longer than one character",
     "that is a different flaw (the prompt looked up as one key). Dropping the state raises nothing, which is "
     "why it survives every shape fix."),
)
choice(
    "03-quiz-temperature",
    "Dividing the logits by a temperature below 1 before sampling:",
    "a",
    ("sharpens the distribution: safer, duller text",
     "dividing by a number below 1 stretches the gaps between logits, so the likely characters get likelier. "
     "Above 1 flattens it: bolder, more errors."),
    ("flattens the distribution: bolder text, more errors",
     "that is a temperature above 1: dividing by a bigger number shrinks the gaps between logits. Below 1 "
     "does the opposite."),
    ("changes which character is most likely",
     "dividing every logit by the same positive number keeps their order, so the most likely character, and "
     "greedy decoding, stay the same. Only the spread changes."),
)
choice(
    "03-quiz-greedy",
    "Why does greedy decoding fall into loops?",
    "c",
    ("the model is undertrained; a well-trained model would not loop",
     "well-trained models loop under greedy decoding too. The loop comes from always taking the most likely "
     "character, not from too little training."),
    ("the hidden state is being reset",
     "with the state reset it would not even keep a phrase going. Greedy decoding carries the state and still "
     "loops."),
    ("the likeliest continuation of a common phrase leads back to the phrase, and nothing random breaks it",
     "greedy decoding is deterministic: once it returns to a state it has seen, it repeats. Sampling, with a "
     "temperature or top-k, breaks the cycle."),
)
choice(
    "03-quiz-cost-per-char",
    "Compared with re-reading the whole text so far for every new character, carrying the hidden state makes "
    "each new character cost:",
    "a",
    ("one step, whatever the length so far",
     "the state summarises everything read, so each character is one step of the RNN. Re-reading costs a step "
     "per character so far: the longer the text, the worse."),
    ("the same: the model must see all the text either way",
     "it sees all the text either way, but the state holds it already: re-reading repeats work the state "
     "has done."),
    ("less time, but memory that grows with the text",
     "the state has a fixed size, (L·D, B, H), however long the text: that is streaming for free."),
)
choice(
    "03-quiz-hidden-unit",
    "A unit of the trained model correlates r = 0.3 with 'inside a word'. Can you say it tracks that signal?",
    "b",
    ("yes: any clear correlation means the unit tracks it",
     "even an untrained network's units follow simple signals a little (a newline moves every unit). A weak "
     "correlation may be no more than that."),
    ("only if it is strong (|r| ≥ 0.5) and clearly above the best unit of an untrained copy",
     "the untrained copy is the baseline for a claim about units: only a correlation well above what chance "
     "structure gives says the training made the unit track the signal."),
    ("no: hidden units never mean anything",
     "some do track signals we can name, such as position in the line; the notebook finds them by comparing "
     "with an untrained copy."),
)
