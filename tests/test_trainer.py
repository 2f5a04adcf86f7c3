"""The headless trainer: it trains, it is repeatable, and it protects the learner's weights."""

import threading
import time

import pytest
import torch
from torch import nn

from rnn_course import Callback, TrainConfig, Trainer


def regression_data(n=256, t=6, f=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, t, f, generator=g)  # (B, T, F)
    y = x.sum(dim=(1, 2)).unsqueeze(1) / 4  # (B, 1)
    return x, y


class TinyGRU(nn.Module):
    def __init__(self, f=3, h=16):
        super().__init__()
        self.rnn = nn.GRU(f, h, batch_first=True)
        self.head = nn.Linear(h, 1)

    def forward(self, x):  # (B, T, F) → (B, 1)
        out, _ = self.rnn(x)  # (B, T, H)
        return self.head(out[:, -1])  # last time step


def mse(model, batch):
    x, y = batch
    return nn.functional.mse_loss(model(x), y)


def make(**kw):
    torch.manual_seed(0)
    x, y = regression_data()
    xv, yv = regression_data(64, seed=1)
    cfg = dict(steps=60, batch_size=16, lr=1e-2, eval_every=20)
    cfg.update(kw)
    return Trainer(TinyGRU(), (x, y), mse, val_data=(xv, yv), **cfg)


def params(model):
    return [p.detach().clone() for p in model.parameters()]


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b))


def test_training_lowers_the_validation_loss_and_records_history():
    tr = make()
    first = tr.evaluate()
    summary = tr.run()
    assert summary.reason == "completed" and summary.step == 60
    assert tr.history.train_step == list(range(1, 61))
    assert tr.history.val_step == [20, 40, 60]
    assert tr.history.val_loss[-1] < 0.5 * first


def test_same_seed_gives_identical_runs():
    a, b = make(), make()
    a.run()
    b.run()
    assert a.history.train_loss == b.history.train_loss
    assert same(params(a.model), params(b.model))


def test_run_continues_from_where_it_stopped():
    tr = make()
    tr.run(30)
    tr.run(30)
    assert tr.step == 60 and tr.history.train_step[-1] == 60


def test_nan_loss_restores_last_good_weights_and_says_why():
    tr = make(eval_every=10)
    tr.run(20)
    good = params(tr.model)
    calls = {"n": 0}

    def poisoned(model, batch):
        calls["n"] += 1
        loss = mse(model, batch)
        return loss * float("nan") if calls["n"] > 5 else loss

    tr.loss_fn = poisoned
    summary = tr.run(20)
    assert summary.reason == "diverged" and not summary.ok
    assert "nan" in summary.message.lower() and "lr=" in summary.message
    assert same(params(tr.model), good)  # the snapshot from the start of this run
    assert all(torch.isfinite(p).all() for p in tr.model.parameters())


def test_exploding_learning_rate_is_caught_and_weights_stay_finite():
    tr = make(lr=5.0, optimizer="sgd", clip_grad=None, steps=200)
    before = params(tr.model)
    summary = tr.run()
    assert summary.reason == "diverged"
    assert "smaller learning rate" in summary.message and "clip_grad" in summary.message
    assert all(torch.isfinite(p).all() for p in tr.model.parameters())
    assert tr.step < 50  # caught early, not after 200 steps of garbage
    assert same(params(tr.model), before)  # it blew up before the first snapshot at step 20


def test_noisy_single_batch_spike_is_not_called_divergence():
    tr = make(steps=40)
    calls = {"n": 0}

    def spiky(model, batch):
        calls["n"] += 1
        loss = mse(model, batch)
        return loss * 50 if calls["n"] == 30 else loss

    tr.loss_fn = spiky
    assert tr.run().reason == "completed"


def test_stop_from_another_thread_ends_within_one_step():
    tr = make(steps=100_000)
    stop_at = {}

    class StopAt(Callback):
        def on_step(self, trainer, step, loss):
            if step == 25:
                stop_at["step"] = step
                threading.Thread(target=trainer.request_stop).start()
                time.sleep(0.05)  # the stop lands while this step is still being handled

    tr.callbacks.append(StopAt())
    summary = tr.run()
    assert summary.reason == "stopped"
    assert stop_at["step"] <= tr.step <= stop_at["step"] + 1
    # model and optimizer agree: one more step runs fine and changes the weights
    before = params(tr.model)
    assert tr.run(1).reason == "completed"
    assert not same(params(tr.model), before)


def test_stop_while_paused_ends_the_run():
    tr = make(steps=100_000)
    runner = threading.Thread(target=lambda: setattr(tr, "result", tr.run()))
    runner.start()
    while tr.step < 3:
        time.sleep(0.001)
    tr.pause()
    time.sleep(0.1)
    held = tr.step
    time.sleep(0.1)
    assert tr.step == held and tr.is_training and tr.paused
    tr.request_stop()
    runner.join(timeout=5)
    assert not runner.is_alive() and tr.result.reason == "stopped"


def test_pause_then_resume_continues_from_the_same_step():
    tr = make(steps=100_000)
    runner = threading.Thread(target=lambda: setattr(tr, "result", tr.run()))
    runner.start()
    while tr.step < 10:
        time.sleep(0.001)
    tr.pause()
    time.sleep(0.1)
    held = tr.step
    time.sleep(0.2)
    assert tr.step == held  # nothing happens while paused
    tr.resume()
    while tr.step < held + 5:
        time.sleep(0.001)
    tr.request_stop()
    runner.join(timeout=5)
    assert tr.history.train_step == list(range(1, tr.step + 1))  # no step lost or repeated


def test_keyboard_interrupt_keeps_the_trained_weights():
    tr = make(steps=1000)

    class Interrupt(Callback):
        def on_step(self, trainer, step, loss):
            if step == 15:
                raise KeyboardInterrupt

    tr.callbacks.append(Interrupt())
    summary = tr.run()
    assert summary.reason == "interrupted" and tr.step == 15
    assert "Run again" in summary.message
    trained = params(tr.model)
    assert all(torch.isfinite(p).all() for p in trained)


@pytest.mark.parametrize(
    "kw, fragment",
    [
        (dict(lr=0), "lr"),
        (dict(lr=-1e-3), "lr"),
        (dict(lr=float("nan")), "lr"),
        (dict(steps=0), "steps"),
        (dict(batch_size=0), "batch_size"),
        (dict(batch_size=10_000), "larger than the training data"),
        (dict(eval_every=0), "eval_every"),
        (dict(clip_grad=0), "clip_grad"),
        (dict(optimizer="adamm"), "adam, adamw, sgd"),
        (dict(divergence_factor=1), "divergence_factor"),
        (dict(learning_rate=1e-3), "unknown setting"),
    ],
)
def test_bad_arguments_give_clear_errors(kw, fragment):
    with pytest.raises(ValueError, match=fragment):
        make(**kw)


def test_bad_data_gives_clear_errors():
    x, y = regression_data()
    with pytest.raises(ValueError, match="first \\(batch\\) axis"):
        Trainer(TinyGRU(), (x, y[:10]), mse)
    with pytest.raises(ValueError, match="empty"):
        Trainer(TinyGRU(), (x[:0], y[:0]), mse)
    with pytest.raises(ValueError, match="tuple of tensors"):
        Trainer(TinyGRU(), 42, mse)


def test_configure_checks_everything_before_changing_anything():
    tr = make()
    tr.run(10)
    before, cfg = params(tr.model), tr.config
    with pytest.raises(ValueError, match="lr"):
        tr.configure(lr=-1, batch_size=8)
    assert tr.config == cfg and same(params(tr.model), before)
    tr.configure(lr=1e-3)
    assert tr.optimizer.param_groups[0]["lr"] == 1e-3


def test_zero_step_run_is_refused():
    with pytest.raises(ValueError, match="steps"):
        make().run(0)


def test_dataset_input_with_collate():
    x, y = regression_data()
    ds = torch.utils.data.TensorDataset(x, y)
    torch.manual_seed(0)
    tr = Trainer(TinyGRU(), ds, mse, val_data=ds, steps=20, batch_size=8, eval_every=10)
    assert tr.run().reason == "completed" and len(tr.history.val_loss) == 2


def test_wobbling_far_below_the_starting_loss_is_not_divergence():
    """Found in the browser: continuing a converged run, the loss wobbled from 0.006 to 0.04 (6× its
    best, but 1,000× below where training began) and was wrongly stopped as diverging."""
    tr = make(steps=120)
    schedule = iter([100.0] * 5 + [100.0 * 0.8 ** i for i in range(1, 40)] + [6.0] * 80)

    def scripted(model, batch):
        return mse(model, batch) * 0 + next(schedule) if model.training else mse(model, batch)

    tr.loss_fn = scripted
    assert tr.run().reason == "completed"


def test_a_second_run_that_explodes_is_still_caught():
    tr = make(steps=40)
    tr.run()
    tr.configure(lr=5.0, optimizer="sgd", clip_grad=None)
    assert tr.run(200).reason == "diverged"


def test_progress_state_resumes_a_run_exactly():
    """Model + optimizer + progress_state is everything a resume needs: same losses as one long run."""
    def make():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
        x = torch.randn(64, 4)
        y = x.sum(1, keepdim=True)
        return Trainer(model, (x, y), lambda m, b: ((m(b[0]) - b[1]) ** 2).mean(), batch_size=8, steps=10,
                       eval_every=1000)

    whole = make()
    whole.run(20)
    first = make()
    first.run(10)
    state = {"model": first.model.state_dict(), "opt": first.optimizer.state_dict(),
             "progress": first.progress_state()}
    second = make()
    second.model.load_state_dict(state["model"])
    second.optimizer.load_state_dict(state["opt"])
    second.load_progress_state(state["progress"])
    second.run(10)
    assert second.step == 20
    assert second.history.train_loss == whole.history.train_loss


def test_evaluate_builds_no_autograd_graph():
    seen = []

    def loss_fn(model, batch):
        out = ((model(batch[0]) - batch[1]) ** 2).mean()
        if not model.training:
            seen.append(out.requires_grad)
        return out

    x = torch.randn(16, 3)
    trainer = Trainer(nn.Linear(3, 1), (x, x.sum(1, keepdim=True)), loss_fn, val_data=(x, x[:, :1]), batch_size=4)
    trainer.evaluate()
    assert seen and not any(seen)


def test_cosine_schedule_can_follow_another_clock():
    """A subclass of CosineLR changes only how progress is measured (the speech benchmark uses CPU time)."""
    from rnn_course.train import CosineLR

    class Halfway(CosineLR):
        def progress(self, trainer, step):
            return 0.5

    model = nn.Linear(1, 1)
    x = torch.randn(8, 1)
    trainer = Trainer(model, (x, x), lambda m, b: ((m(b[0]) - b[1]) ** 2).mean(),
                      config=TrainConfig(steps=1, batch_size=8, lr=1.0), callbacks=[Halfway(lr=1.0, steps=100, floor=0.0, log=False)])
    trainer.run()
    assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(0.5)


# --- a learner's bad loss_fn, val_data or device (issue 18): a clear message, the weights untouched -------


def per_example_mse(model, batch):
    x, y = batch
    return ((model(x) - y) ** 2).mean(dim=1)  # (B,): one loss per example


def mse_as_float(model, batch):
    return mse(model, batch).item()


def mse_without_grad(model, batch):
    with torch.no_grad():
        return mse(model, batch)


def detached_mse(model, batch):
    return mse(model, batch).detach()


def forgot_return(model, batch):
    mse(model, batch)


@pytest.mark.parametrize("loss_fn, says", [
    (per_example_mse, r"loss_fn 'per_example_mse' returned a tensor of shape \(16,\).*one number.*\.mean\(\)"),
    (mse_as_float, r"loss_fn 'mse_as_float' returned a Python float.*not loss\.item\(\)"),
    (mse_without_grad, r"loss_fn 'mse_without_grad' returned a loss autograd cannot follow.*no_grad"),
    (detached_mse, r"loss_fn 'detached_mse' returned a loss autograd cannot follow.*detach"),
    (forgot_return, r"loss_fn 'forgot_return' returned None \(is a return missing\?\)"),
])
def test_a_loss_fn_that_returns_no_trainable_scalar_is_named_and_the_weights_are_kept(loss_fn, says):
    torch.manual_seed(0)
    x, y = regression_data()
    model = TinyGRU()
    before = params(model)
    tr = Trainer(model, (x, y), loss_fn, steps=5, batch_size=16)
    with pytest.raises(ValueError, match=says):
        tr.run()
    assert same(params(model), before) and tr.step == 0 and not tr.is_training


def test_a_per_example_loss_fn_with_validation_data_is_refused_when_the_trainer_is_made():
    x, y = regression_data()
    xv, yv = regression_data(64, seed=1)
    with pytest.raises(ValueError, match=r"loss_fn 'per_example_mse' returned a tensor of shape \(16,\)"):
        Trainer(TinyGRU(), (x, y), per_example_mse, val_data=(xv, yv), batch_size=16)


def test_val_data_with_the_wrong_feature_size_is_refused_before_training():
    x, y = regression_data()
    xv, yv = regression_data(64, f=4, seed=1)  # 4 features where the model takes 3
    model = TinyGRU()
    before = params(model)
    with pytest.raises(ValueError, match=r"val_data does not fit the model.*\(16, 6, 4\).*train_data.*\(16, 6, 3\)"):
        Trainer(model, (x, y), mse, val_data=(xv, yv), batch_size=16)
    assert same(params(model), before)


def test_val_data_with_a_tensor_missing_is_refused_with_both_counts():
    x, y = regression_data()
    xv, _ = regression_data(64, seed=1)
    with pytest.raises(ValueError, match=r"val_data has 1 tensor\(s\) but train_data has 2.*\(x_val, y_val\)"):
        Trainer(TinyGRU(), (x, y), mse, val_data=xv)


def test_a_loss_fn_that_fails_on_every_batch_is_blamed_not_the_val_data():
    x, y = regression_data()
    xv, yv = regression_data(64, seed=1)

    def broken(model, batch):
        return model(batch)  # the tuple, not x

    with pytest.raises(ValueError, match=r"loss_fn 'broken' fails on train_data too"):
        Trainer(TinyGRU(), (x, y), broken, val_data=(xv, yv), batch_size=16)


def test_checking_val_data_draws_no_random_numbers_and_keeps_the_mode():
    """The check runs the model once; what follows must be what it was without it."""
    class Noisy(TinyGRU):
        def forward(self, x):
            return super().forward(x + torch.randn_like(x))  # draws from the global stream, even in eval

    x, y = regression_data()
    model = Noisy()
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    Trainer(model, (x, y), mse, val_data=regression_data(64, seed=1), batch_size=16)
    assert torch.equal(torch.rand(3), expected) and model.training


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_asking_for_cuda_without_a_gpu_says_so_and_leaves_the_model_on_the_cpu():
    x, y = regression_data()
    model = TinyGRU()
    before = params(model)
    with pytest.raises(ValueError, match=r"device='cuda'.*no CUDA GPU.*device='cpu'"):
        Trainer(model, (x, y), mse, device="cuda")
    assert same(params(model), before) and next(model.parameters()).device.type == "cpu"


@pytest.mark.skipif(torch.backends.mps.is_available(), reason="this machine has an Apple GPU")
def test_asking_for_mps_without_an_apple_gpu_says_so():
    x, y = regression_data()
    with pytest.raises(ValueError, match=r"device='mps'.*no Apple GPU"):
        Trainer(TinyGRU(), (x, y), mse, device="mps")


def test_a_device_name_that_is_not_a_device_lists_the_ones_that_are():
    x, y = regression_data()
    with pytest.raises(ValueError, match=r"device='gpu' is not a device.*'cpu', 'cuda'"):
        Trainer(TinyGRU(), (x, y), mse, device="gpu")
    with pytest.raises(ValueError, match=r"device='meta'.*'cpu', 'cuda' or 'mps'"):
        Trainer(TinyGRU(), (x, y), mse, device="meta")  # would leave the model without weights


def _drifting_trainer(restore_best):
    """Training data pulls the weight to +2, validation data wants -2: validation worsens as it trains."""
    torch.manual_seed(0)
    model = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(model.weight)
    x = torch.linspace(-1, 1, 64)[:, None]
    loss = lambda m, b: ((m(b[0]) - b[1]) ** 2).mean()  # noqa: E731
    return Trainer(model, (x, 2 * x), loss, val_data=(x, -2 * x),
                   config=TrainConfig(steps=40, batch_size=16, lr=0.05, eval_every=10, restore_best=restore_best))


def test_more_training_that_worsens_validation_leaves_the_best_validated_weights_with_restore_best():
    trainer = _drifting_trainer(restore_best=True)
    summary = trainer.run()
    assert summary.restored_step == 0 and trainer.model.weight.item() == 0.0  # the start was best
    assert "keeps the weights of step 0" in summary.message and trainer.step == 40
    best = trainer.evaluate()
    again = trainer.run(20)  # pressing Start again cannot make it worse either
    assert again.restored_step == 0 and trainer.evaluate() == best


def test_without_restore_best_the_last_weights_stay():
    trainer = _drifting_trainer(restore_best=False)
    summary = trainer.run()
    assert summary.restored_step is None and trainer.model.weight.item() > 1.0


def test_restore_best_keeps_the_last_weights_when_they_are_the_best():
    torch.manual_seed(0)
    model = nn.Linear(1, 1, bias=False)
    x = torch.linspace(-1, 1, 64)[:, None]
    trainer = Trainer(model, (x, 2 * x), lambda m, b: ((m(b[0]) - b[1]) ** 2).mean(), val_data=(x, 2 * x),
                      config=TrainConfig(steps=30, batch_size=16, lr=0.05, eval_every=10, restore_best=True))
    assert trainer.run().restored_step is None


def test_the_dashboard_turns_restore_best_on_unless_told_not_to():
    from rnn_course.dashboard import Dashboard

    assert Dashboard(_drifting_trainer(restore_best=False)).trainer.config.restore_best is True
    assert Dashboard(_drifting_trainer(restore_best=True), restore_best=False).trainer.config.restore_best is False


def test_training_hands_freed_memory_back_every_few_steps_and_at_the_end(monkeypatch):
    """glibc keeps freed tensors' memory scattered through the heap; the Trainer trims it every
    RELEASE_EVERY steps and when a run ends (notebook 07's kernel: 1,060 → 751 MB peak, with the
    front end's own change)."""
    import rnn_course.train as train_module

    calls = []
    monkeypatch.setattr(train_module, "release_freed_memory", lambda: calls.append(1) or True)
    tr = make(steps=25)
    tr.run()
    assert len(calls) == 25 // train_module.RELEASE_EVERY + 1


def test_releasing_freed_memory_works_on_this_linux_and_gives_back_a_freed_heap():
    """Many small blocks (below glibc's mmap threshold, so they live in the heap), all freed but
    one in the middle: glibc gives back the top half itself, and the 94 MB below the kept block only
    when trimmed."""
    import ctypes
    import sys

    import psutil

    from rnn_course.cost import release_freed_memory

    if not sys.platform.startswith("linux"):
        assert release_freed_memory() is False
        return
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    blocks = [libc.malloc(64 * 1024) for _ in range(3_000)]  # 190 MB in 64 KB blocks
    for b in blocks:
        ctypes.memset(b, 1, 64 * 1024)  # touch them: resident
    keep = blocks[len(blocks) // 2]
    for b in blocks:
        if b != keep:
            libc.free(b)
    before = psutil.Process().memory_info().rss
    assert release_freed_memory() is True
    after = psutil.Process().memory_info().rss
    libc.free(keep)
    assert before - after > 75 * 2**20  # of the 94 MB freed below the kept block
