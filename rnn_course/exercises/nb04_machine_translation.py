"""Notebook 04, machine translation: its exercises, registered in the order the notebook asks them."""

from __future__ import annotations

import numpy as np
import torch

from .answers import as_shape, as_whole, call_answer, kind_of
from .core import exercise


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
