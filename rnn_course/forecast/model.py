"""Forecasting models for notebooks 05 (stock returns) and 06 (electricity load). Batch-first.

    model = ReturnLSTM(hidden_size=32)                      # x: (B, T, F) → next value: (B, 1)
    Trainer(model, (x, y), mse_loss)

    model = LoadForecaster(LoadConfig(n_features=7, horizon=48, mode="direct"))
    model(x)                        # x: (B, T, F) → the next H = 48 steps at once: (B, H)
    model(x, base=naive)            # residual: a classical forecast (B, H) + a learned correction
    Trainer(model, (x, y, naive), direct_loss)

    model = LoadForecaster(LoadConfig(n_features=7, horizon=48, mode="recursive"))
    model(x)                        # one-step-ahead prediction at every step: (B, T)
    model.forecast(x, future)       # 48 steps, each prediction fed back in: (B, H)
    Trainer(model, (x_long,), next_step_loss)

Letters: B batch, T time steps, F features per step, H hidden size (``hidden_size``), and
for forecasts the horizon (``horizon``; 48 half-hours = one day). The load models read the
target series in feature column 0; every other column must be known in advance
(calendar features, the load a week earlier) so the recursive mode can be given them for
the steps it forecasts.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..repro import without_onednn as _without_onednn
from ..validate import is_number, one_of, whole, whole_numbers

__all__ = ["ReturnLSTM", "LoadConfig", "LoadForecaster", "MODES",
           "mse_loss", "time_first_mse_loss", "direct_loss", "next_step_loss", "num_parameters"]

MODES = ("direct", "recursive")


def num_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def _check_x(x: torch.Tensor, n_features: int) -> None:
    if x.dim() != 3 or x.shape[-1] != n_features:
        raise ValueError(f"x must be (B, T, F) with F={n_features} features, got shape {tuple(x.shape)}; "
                         "a 1-D window needs x.unsqueeze(-1), a time-first batch x.transpose(0, 1)")


# --------------------------------------------------------------------------- 05: returns

class ReturnLSTM(nn.Module):
    """A window of (scaled) returns → the next one. The article's ``LSTMPredictor``, batch-first.

    x: (B, T, F) → (B, 1). The last time step is ``out[:, -1]`` — with ``batch_first=True``
    the article's ``lstm_out[-1]`` would be the last *sample* of the batch.
    """

    def __init__(self, n_features: int = 1, hidden_size: int = 32, num_layers: int = 1, dropout: float = 0.0):
        super().__init__()
        for name, v in (("n_features", n_features), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            whole(name, v)
        if not is_number(dropout) or not 0 <= dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        self.n_features = n_features
        self.lstm = nn.LSTM(n_features, hidden_size, num_layers=num_layers, batch_first=True,
                            dropout=dropout if num_layers > 1 else 0.0)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_x(x, self.n_features)
        out, _ = self.lstm(x)  # (B, T, H)
        return self.head(out[:, -1])  # last time step: (B, H) → (B, 1)


def mse_loss(model: nn.Module, batch) -> torch.Tensor:
    """Batch (x: (B, T, F), y: (B, H)) → mean squared error of model(x) against y."""
    x, y = batch
    return F.mse_loss(model(x), y)


def time_first_mse_loss(model: nn.Module, batch) -> torch.Tensor:
    """For the article's time-first ``LSTMPredictor``: batch-first windows are turned to (T, B, F)."""
    x, y = batch
    return F.mse_loss(model(x.transpose(0, 1)), y)  # (B, T, F) → (T, B, F); prediction (B, 1)


# --------------------------------------------------------------------------- 06: load

@dataclass(frozen=True)
class LoadConfig:
    n_features: int = 7  # F: the load itself (column 0) plus inputs known in advance
    hidden_size: int = 48  # H
    horizon: int = 48  # steps forecast from one origin (48 half-hours = a day)
    mode: str = "direct"  # "direct": all H steps at once; "recursive": one step, fed back H times
    num_layers: int = 1

    def check(self) -> None:
        one_of("mode", self.mode, MODES)
        whole_numbers(self, "n_features", "hidden_size", "horizon", "num_layers")


class LoadForecaster(nn.Module):
    """An LSTM over a window of load and calendar features, with one of two heads.

    * ``mode="direct"``: the last hidden state → ``Linear(H, horizon)``, every step of the
      day at once. ``forward(x, base)`` returns ``base + correction`` when given a
      classical forecast ``base`` (B, horizon) — the seasonal naive, or a hybrid's best
      classical model: the network then learns only how tomorrow differs from that guess
      (a *residual*), and starts out close to it.
    * ``mode="recursive"``: ``Linear(H, 1)`` at every step predicts the next step's load;
      :meth:`forecast` runs it ``horizon`` times, feeding each prediction back as the next
      input, so its errors can pile up along the horizon.
    """

    def __init__(self, config: LoadConfig | None = None, **kwargs):
        super().__init__()
        config = config or LoadConfig(**kwargs)
        config.check()
        self.config = c = config
        self.lstm = nn.LSTM(c.n_features, c.hidden_size, num_layers=c.num_layers, batch_first=True)
        self.head = nn.Linear(c.hidden_size, c.horizon if c.mode == "direct" else 1)

    def forward(self, x: torch.Tensor, base: torch.Tensor | None = None) -> torch.Tensor:
        """direct: (B, T, F) → (B, horizon); recursive: (B, T, F) → next-step predictions (B, T)."""
        _check_x(x, self.config.n_features)
        out, _ = self.lstm(x)  # (B, T, H)
        if self.config.mode == "recursive":
            if base is not None:
                raise ValueError("base (a residual target) is for mode='direct'; the recursive mode predicts the load")
            return self.head(out).squeeze(-1)  # (B, T, 1) → (B, T): step t predicts the load at t + 1
        pred = self.head(out[:, -1])  # (B, H) → (B, horizon)
        if base is not None:
            if base.shape != pred.shape:
                raise ValueError(f"base must be (B, horizon) = {tuple(pred.shape)}, got {tuple(base.shape)}")
            pred = base + pred  # the classical forecast plus the learned correction
        return pred

    @torch.no_grad()
    def forecast(self, x: torch.Tensor, future: torch.Tensor | None = None,
                 base: torch.Tensor | None = None) -> torch.Tensor:
        """The next ``horizon`` steps after each window: (B, horizon), in the units of column 0.

        x: (B, T, F) the window. ``future``: (B, horizon, F), the known inputs of the steps
        being forecast (column 0, the load, is ignored: the model's own predictions fill it);
        needed by the recursive mode only. ``base``: the direct mode's residual base.
        """
        c = self.config
        was_training = self.training
        self.eval()
        try:
            with _without_onednn():  # one window at a time (and one step at a time): faster without oneDNN
                if c.mode == "direct":
                    return self(x, base)
                _check_x(x, c.n_features)
                if future is None or future.shape != (x.shape[0], c.horizon, c.n_features):
                    got = None if future is None else tuple(future.shape)
                    raise ValueError(f"the recursive mode needs future: (B, horizon, F) = "
                                     f"{(x.shape[0], c.horizon, c.n_features)} known inputs, got {got}")
                preds = []
                out, state = self.lstm(x)  # read the window once: (B, T, H)
                y = self.head(out[:, -1])  # (B, 1): the first step ahead
                for h in range(c.horizon):
                    preds.append(y)
                    if h + 1 == c.horizon:
                        break
                    step = torch.cat([y, future[:, h, 1:]], dim=-1).unsqueeze(1)  # (B, 1, F)
                    out, state = self.lstm(step, state)  # (B, 1, H): the state carries the history
                    y = self.head(out[:, -1])  # (B, 1)
                return torch.cat(preds, dim=1)  # (B, horizon)
        finally:
            self.train(was_training)




def direct_loss(model: nn.Module, batch) -> torch.Tensor:
    """Batch (x, y) or (x, y, base) → MSE of the direct forecast (B, horizon) against y (B, horizon)."""
    x, y, *rest = batch
    return F.mse_loss(model(x, *rest), y)


def next_step_loss(model: nn.Module, batch) -> torch.Tensor:
    """Batch x: (B, T + 1, F) → MSE of the one-step predictions from x[:, :-1] against the load x[:, 1:, 0]."""
    x = batch[0] if isinstance(batch, (tuple, list)) else batch
    return F.mse_loss(model(x[:, :-1]), x[:, 1:, 0])  # (B, T) against (B, T)
