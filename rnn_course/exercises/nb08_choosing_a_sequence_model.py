"""Notebook 08, choosing a sequence model: its exercises, registered in the order the notebook asks them."""

from __future__ import annotations

from .answers import as_whole
from .core import exercise
from .quizzes import choice


@exercise("08-receptive-field", 1, (
    "each layer with kernel k and dilation d sees (k − 1)·d more steps back; count the current step "
    "too."
))
def _receptive_field(answer):
    # TCN: kernel_size 3, 5 layers with dilations 1, 2, 4, 8, 16
    got = as_whole(answer, "a whole number of steps")
    if got == 63:
        return True, "1 + (3 − 1)·(1 + 2 + 4 + 8 + 16) = 63: each layer adds (k − 1)·d steps of history."
    if got == 62:
        return False, "count the current step too: the output at t reads t itself plus 62 steps back."
    if got in (11, 10):
        return False, "with dilation d a kernel of 3 spans 2·d steps, not 2: the dilations double layer by layer."
    return False, "receptive field = 1 + (k − 1) · Σ dilations, with dilations 1, 2, 4, 8, 16."


@exercise("08-state-bytes", 2, (
    "a GRU carries h: (L, B, H) from token to token, whatever the context length; a float32 takes 4 "
    "bytes."
))
def _state_bytes(answer):
    # nn.GRU(64, 256, batch_first=True), float32, batch 1, after 2,000 tokens of context
    got = as_whole(answer, "a whole number of bytes")
    if got == 1024:
        return True, "h: (L, B, H) = (1, 1, 256) float32 = 1,024 bytes — the same at 20 tokens or 20,000."
    if got == 2000 * 256 * 4:
        return False, "the GRU keeps one state, not one per token: that growth is a Transformer's KV cache."
    if got == 256:
        return False, "that is the number of values; each float32 takes 4 bytes."
    return False, "the state is h: (L, B, H); multiply the sizes and 4 bytes per float32."


# --- the quiz (rnn_course.exercises.quizzes shows and judges it) ------------------------------
choice(
    "08-quiz-work-per-token",
    "Generating, how does the work per new token at 2,000 tokens of context compare with at 100, for a GRU and "
    "for a full-context Transformer with a KV cache?",
    "c",
    ("both grow with the context",
     "the GRU's state has a fixed size: it does the same work per token at any context."),
    ("both stay flat",
     "the Transformer's cache grows by a row per token, and each new token attends to all of it."),
    ("the GRU's stays flat; the Transformer's grows with the context",
     "a recurrent state summarises the past in a fixed size, so streaming costs the same forever; attention "
     "reads every earlier token. A sliding window caps the Transformer's work, and forgets."),
)
choice(
    "08-quiz-receptive-field",
    "A TCN's receptive field is 127 characters. What can its output use of the character 200 steps back?",
    "b",
    ("a faint memory, as in an RNN",
     "an RNN's memory fades; a TCN's stops. Its gradient from 200 steps back is exactly zero."),
    ("nothing at all: beyond its receptive field it is blind",
     "the convolutions reach exactly (k − 1)·Σd + 1 steps back. Choose a TCN when the context you need is "
     "bounded and known."),
    ("everything, through its dilations",
     "dilations widen the reach, to exactly the receptive field and no further."),
)
choice(
    "08-quiz-equal-budget",
    "Why compare the families at equal CPU time rather than at an equal number of training steps?",
    "a",
    ("a step costs different amounts in different families; what you have is time",
     "at equal steps an expensive family would get more compute. Equal CPU time asks which model is best for "
     "the budget you actually have."),
    ("steps cannot be counted for a Transformer",
     "they can; the Trainer counts them for every family. They just cost different amounts."),
    ("CPU time is more precise than steps",
     "steps are exact. CPU time is chosen because it is the budget, and because a busy machine does not "
     "change it."),
)
choice(
    "08-quiz-mingru",
    "minGRU trains faster than `nn.GRU` on this CPU. Why?",
    "b",
    ("its parallel scan",
     "the notebook measured the scan slower than stepping the same maths one token at a time on a CPU. The scan "
     "pays on GPUs."),
    ("its gates read only the input, so there is no recurrent matrix multiply",
     "without h_{t−1} in the gates each step does far less work. That, not the scan, is the speed-up here."),
    ("it has fewer layers",
     "the comparison is at the same size, B = 8 and H = 256; the difference is the work per step."),
)
choice(
    "08-quiz-when-transformer",
    "When would you reach for a Transformer instead of the recurrent models?",
    "c",
    ("always: it is the stronger model",
     "on this data and CPU it ended with the highest validation loss at equal time, and even per character "
     "seen. Stronger depends on data and hardware."),
    ("to stream on a small device",
     "its cache and its work per token grow with the context; a recurrent model streams at a fixed cost."),
    ("with the data, a GPU, and a need for long exact look-ups",
     "attention reaches any position in one hop and trains in parallel on a GPU. On a laptop with a few "
     "million characters the GRU won; measure before you switch."),
)
