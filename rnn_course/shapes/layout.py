"""The two layouts of a padded batch, shared by :func:`~rnn_course.shapes.trace` and
:func:`~rnn_course.shapes.diagnose`: batch-first (B, T, F) and time-first (T, B, F)."""

from __future__ import annotations

# layout → (batch axis, time axis) of a (padded) input tensor
LAYOUTS = {"BTF": (0, 1), "TBF": (1, 0)}
LAYOUT_WORDS = {"BTF": "(B, T, F)", "TBF": "(T, B, F)"}


def check_layout(layout):
    if layout not in LAYOUTS:
        raise ValueError(
            f"layout must be 'BTF' (batch-first: (B, T, F)) or 'TBF' (time-first: (T, B, F)), "
            f"got {layout!r}"
        )
