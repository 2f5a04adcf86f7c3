"""Shapes: the course's first habit is *check the order of batch, time step and feature*.

Three tools help, one module each:

* :func:`trace` (``tracing.py``) runs a model once and records, for every module in call
  order, the shapes that went in and came out, with axis letters where they are certain.
* :func:`diagnose` (``doctor.py``) checks *behaviour*, not only shapes: samples that see each
  other (``"batch-mixing"``), outputs that see the future (``"future-leak"``), and RNNs whose
  ``batch_first`` disagrees with the declared layout (``"layout-mismatch"``).
* :class:`ShapeExplorer` (``explorer.py``) lets a learner choose an RNN's settings and see
  every tensor's shape and the unrolled network.

``hooks.py`` holds the one forward-hook helper trace and diagnose both watch a model with;
``layout.py`` the two layouts, (B, T, F) and (T, B, F); ``probe.py`` what diagnose reads off
its example input.
"""

from .doctor import Diagnosis, Finding, diagnose, format_findings
from .explorer import LIMITS, ShapeExplorer, ShapeTable, rnn_shapes, unrolled_svg
from .layout import LAYOUTS
from .tracing import ShapeError, ShapeRow, ShapeTrace, TensorInfo, trace

__all__ = [
    "LAYOUTS",
    "TensorInfo",
    "ShapeRow",
    "ShapeTrace",
    "ShapeError",
    "trace",
    "Finding",
    "Diagnosis",
    "diagnose",
    "format_findings",
    "rnn_shapes",
    "ShapeTable",
    "unrolled_svg",
    "ShapeExplorer",
    "LIMITS",
]
