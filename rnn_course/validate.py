"""The checks every config's ``check()`` makes, with one wording for each: a learner's bad setting
gets a ``ValueError`` that names it, says what it must be and shows what was given.

    whole_numbers(self, "vocab_size", "hidden_size", "num_layers")   # each an int ≥ 1 (not a bool)
    whole("kernel_size", 1, at_least=2, why="a kernel of 1 never looks back")
    fraction(self, "dropout")                                         # a number in [0, 1)
    one_of("cell", "lstn", CELLS)
"""

from __future__ import annotations

import math

__all__ = ["is_whole", "is_number", "whole", "whole_numbers", "fraction", "one_of"]


def is_whole(value) -> bool:
    """An int that is not a bool (``True`` is an int in Python, never a size)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value) -> bool:
    """A finite int or float that is not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def whole(name: str, value, *, at_least: int = 1, why: str = "", or_none: bool = False) -> None:
    """Raise unless ``value`` is a whole number ≥ ``at_least`` (or None, with ``or_none``)."""
    if or_none and value is None:
        return
    if not is_whole(value) or value < at_least:
        what = f"a whole number ≥ {at_least}" + (f" ({why})" if why else "") + (" or None" if or_none else "")
        raise ValueError(f"{name} must be {what}, got {value!r}")


def whole_numbers(config, *names: str, at_least: int = 1) -> None:
    """:func:`whole` for each named attribute of ``config``."""
    for name in names:
        whole(name, getattr(config, name), at_least=at_least)


def fraction(config, *names: str) -> None:
    """Each named attribute of ``config`` must be a number in [0, 1) (a dropout rate, say)."""
    for name in names:
        v = getattr(config, name)
        if not is_number(v) or not 0 <= v < 1:
            raise ValueError(f"{name} must be in [0, 1), got {v!r}")


def one_of(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(str, choices))}; got {value!r}")
