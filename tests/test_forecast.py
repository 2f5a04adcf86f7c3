"""rnn_course.forecast.model (05, 06) and rnn_course.forecast.views: shapes, decoding, residuals, figures."""

import numpy as np
import pandas as pd
import pytest
import torch

from rnn_course.forecast.model import (LoadConfig, LoadForecaster, ReturnLSTM, direct_loss, mse_loss,
                                        next_step_loss, num_parameters, time_first_mse_loss)
from rnn_course.article import LSTMPredictor
from rnn_course.shapes import diagnose


def test_return_lstm_maps_a_batch_first_window_to_one_value_per_sample():
    model = ReturnLSTM(n_features=2, hidden_size=8)
    out = model(torch.randn(5, 20, 2))  # (B, T, F)
    assert out.shape == (5, 1)
    assert mse_loss(model, (torch.randn(5, 20, 2), torch.randn(5, 1))).dim() == 0


def test_return_lstm_keeps_samples_apart_where_the_article_model_would_not():
    assert diagnose(ReturnLSTM(hidden_size=8), torch.randn(4, 10, 1), layout="BTF") == []


def test_return_lstm_rejects_a_window_without_a_feature_axis_with_a_hint():
    with pytest.raises(ValueError, match="unsqueeze"):
        ReturnLSTM()(torch.randn(4, 20))


def test_time_first_loss_feeds_the_article_model_time_first():
    torch.manual_seed(0)
    model, x, y = LSTMPredictor(1, 4), torch.randn(3, 6, 1), torch.randn(3, 1)
    expected = torch.nn.functional.mse_loss(model(x.transpose(0, 1)), y)
    assert torch.equal(time_first_mse_loss(model, (x, y)), expected)


def test_direct_forecaster_predicts_every_step_of_the_horizon_at_once():
    model = LoadForecaster(LoadConfig(n_features=3, hidden_size=8, horizon=6))
    assert model(torch.randn(4, 10, 3)).shape == (4, 6)  # (B, horizon)


def test_residual_forecast_is_the_base_plus_the_learned_correction():
    torch.manual_seed(0)
    model = LoadForecaster(LoadConfig(n_features=3, hidden_size=8, horizon=6))
    x, base = torch.randn(4, 10, 3), torch.randn(4, 6)
    correction = model(x)
    assert torch.allclose(model(x, base), base + correction)
    y = base + correction.detach()  # a perfect residual forecast has zero loss
    assert direct_loss(model, (x, y, base)).item() < 1e-12
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.zero_()
    assert torch.equal(model.forecast(x, base=base), base)  # a zero correction is the seasonal naive


def test_residual_base_of_the_wrong_shape_is_refused():
    model = LoadForecaster(LoadConfig(n_features=3, hidden_size=8, horizon=6))
    with pytest.raises(ValueError, match="base must be"):
        model(torch.randn(4, 10, 3), torch.randn(4, 5))


def test_recursive_forecaster_predicts_the_next_step_at_every_step():
    model = LoadForecaster(LoadConfig(n_features=3, hidden_size=8, horizon=6, mode="recursive"))
    assert model(torch.randn(4, 10, 3)).shape == (4, 10)  # (B, T)
    x = torch.randn(4, 11, 3)
    expected = torch.nn.functional.mse_loss(model(x[:, :-1]), x[:, 1:, 0])
    assert torch.allclose(next_step_loss(model, x), expected)
    assert torch.allclose(next_step_loss(model, (x,)), expected)


def test_recursive_decoding_equals_rereading_the_window_with_its_own_predictions():
    torch.manual_seed(0)
    model = LoadForecaster(LoadConfig(n_features=3, hidden_size=8, horizon=5, mode="recursive")).eval()
    x, future = torch.randn(2, 7, 3), torch.randn(2, 5, 3)
    fast = model.forecast(x, future)  # (B, horizon), state carried between steps
    assert fast.shape == (2, 5)
    seq = x
    with torch.no_grad():
        for h in range(5):
            nxt = model(seq)[:, -1]  # re-read everything, take the last one-step prediction
            assert torch.allclose(nxt, fast[:, h], atol=1e-5)
            step = torch.cat([nxt[:, None], future[:, h, 1:]], dim=-1)[:, None]  # (B, 1, F)
            seq = torch.cat([seq, step], dim=1)


def test_recursive_forecast_ignores_the_unknown_future_load():
    torch.manual_seed(0)
    model = LoadForecaster(LoadConfig(n_features=3, hidden_size=8, horizon=4, mode="recursive"))
    x, future = torch.randn(2, 7, 3), torch.randn(2, 4, 3)
    peeked = future.clone()
    peeked[:, :, 0] = 100.0  # the true future load must not change anything
    assert torch.equal(model.forecast(x, future), model.forecast(x, peeked))


def test_recursive_forecast_needs_the_future_known_inputs():
    model = LoadForecaster(LoadConfig(n_features=3, hidden_size=8, horizon=4, mode="recursive"))
    with pytest.raises(ValueError, match="future"):
        model.forecast(torch.randn(2, 7, 3))


def test_direct_and_recursive_agree_when_they_share_weights_and_the_horizon_is_one():
    torch.manual_seed(0)
    direct = LoadForecaster(LoadConfig(n_features=3, hidden_size=8, horizon=1))
    recursive = LoadForecaster(LoadConfig(n_features=3, hidden_size=8, horizon=1, mode="recursive"))
    recursive.load_state_dict(direct.state_dict())  # Linear(H, 1) in both
    x = torch.randn(3, 9, 3)
    assert torch.allclose(direct.forecast(x), recursive.forecast(x, torch.zeros(3, 1, 3)))


def test_forecast_keeps_the_training_mode():
    model = LoadForecaster(LoadConfig(n_features=3, hidden_size=8, horizon=4))
    model.train()
    model.forecast(torch.randn(2, 5, 3))
    assert model.training


def test_a_bad_mode_fails_at_construction_naming_the_choices():
    with pytest.raises(ValueError, match="direct, recursive"):
        LoadForecaster(LoadConfig(mode="seq2seq"))
    with pytest.raises(ValueError, match="hidden_size"):
        LoadForecaster(hidden_size=0)


def test_num_parameters_counts_lstm_and_head():
    model = LoadForecaster(LoadConfig(n_features=7, hidden_size=48, horizon=48))
    assert num_parameters(model) == 4 * 48 * (7 + 48 + 2) + 48 * 48 + 48


# --------------------------------------------------------------------------- plots

@pytest.fixture
def week():
    idx = pd.date_range("2000-06-05", periods=7 * 48, freq="30min")
    return pd.Series(np.arange(len(idx), dtype=float) % 48 + 100, index=idx)


def test_plots_return_figures(week):
    from matplotlib.figure import Figure

    from rnn_course.forecast import views

    truth = np.full((3, 48), 100.0)
    figs = [
        views.seasonal_profiles(week),
        views.price_vs_prediction(week.index[:60], week.to_numpy()[:60], week.to_numpy()[:60] + 1, zoom=20),
        views.forecast_vs_truth(week.index[:48], truth[0], {"model": truth[0] + 1}),
        views.error_by_horizon(truth, {"model": truth + 1, "other": truth * 1.1}),
    ]
    assert all(isinstance(f, Figure) for f in figs)


def test_error_by_horizon_plots_the_mape_of_each_step():
    from rnn_course.forecast.views import error_by_horizon

    truth = np.full((2, 4), 100.0)
    pred = truth + np.array([1.0, 2.0, 3.0, 4.0])  # 1 %, 2 %, 3 %, 4 %
    line = error_by_horizon(truth, {"m": pred}).axes[0].lines[0]
    assert np.allclose(line.get_ydata(), [1, 2, 3, 4])
