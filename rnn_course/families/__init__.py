"""Choosing a sequence model (notebook 08): the families beside the RNNs, and how to measure them.

- ``model``: one ``make_lm(family, ...)`` for RNN, LSTM, GRU, minGRU, TCN and Transformer LMs,
  each in its own module (``mingru``, ``tcn``, ``transformer``), with the notebook's settings;
- ``measure``: equal-time training, the copy-memory task, gradient reach and deployment cost;
- ``views``: the "which family fits?" widget and the decision guide.
"""
