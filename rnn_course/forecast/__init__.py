"""Forecasting: stock returns (notebook 05) and electricity load (notebook 06).

- ``data``: the shipped series, windows (N, T, F), scaling and calendar features;
- ``evaluation``: splits by time, walk-forward origins, metrics and the Diebold–Mariano test;
- ``baselines``: persistence, drift, seasonal naive, exponential smoothing, a seasonal
  autoregression on week-over-week differences and a lag regression with calendar features;
- ``model``: the LSTM forecasters and their losses;
- ``views``: the notebooks' plots.
"""
