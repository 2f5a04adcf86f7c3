"""Notebook 03, text generation: its exercises, registered in the order the notebook asks them."""

from __future__ import annotations

import math

from .answers import as_number, as_shape
from .core import exercise


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
