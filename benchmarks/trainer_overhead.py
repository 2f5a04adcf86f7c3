#!/usr/bin/env python3
"""How much does rnn_course.Trainer cost over a bare PyTorch loop?

Same model (a 1-layer GRU, 128 units, the course's typical size), same data, same number of
steps, same optimizer. Runs alternate (bare, trainer, bare, trainer, …) in one process so
that machine noise hits both alike; the last line prints the median ratio trainer / bare.
No validation inside the timed loop for either (eval_every larger than the run).

    python benchmarks/trainer_overhead.py [--steps 200] [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from rnn_course import TrainConfig, Trainer, seed_everything

B, T, F, H = 32, 64, 16, 128


class GRURegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(F, H, batch_first=True)
        self.head = nn.Linear(H, 1)

    def forward(self, x):  # (B, T, F)
        out, _ = self.rnn(x)  # (B, T, H)
        return self.head(out)  # (B, T, 1)


def data(n=2048):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, T, F, generator=g)
    y = x.cumsum(dim=1).mean(dim=2, keepdim=True)  # (N, T, 1)
    return x, y


def loss_fn(model, batch):
    x, y = batch
    return nn.functional.mse_loss(model(x), y)


def bare(x, y, steps):
    """The loop a learner writes by hand: shuffle, slice, forward, backward, clip, step."""
    seed_everything(0)
    model = GRURegressor()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(0)
    order, pos = torch.randperm(len(x), generator=g), 0
    t0 = time.perf_counter()
    for _ in range(steps):
        if pos + B > len(order):
            order, pos = torch.randperm(len(x), generator=g), 0
        idx = order[pos:pos + B]
        pos += B
        loss = loss_fn(model, (x[idx], y[idx]))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss.item()  # the loop logs its loss, as the trainer does
    return time.perf_counter() - t0


def with_trainer(x, y, steps):
    seed_everything(0)
    trainer = Trainer(GRURegressor(), (x, y), loss_fn,
                      config=TrainConfig(steps=steps, batch_size=B, lr=1e-3, clip_grad=1.0, eval_every=10**9))
    t0 = time.perf_counter()
    trainer.run()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    x, y = data()
    bare(x, y, 20), with_trainer(x, y, 20)  # warm-up: allocator, oneDNN kernels
    ratios = []
    for i in range(args.repeats):
        tb = bare(x, y, args.steps)
        tt = with_trainer(x, y, args.steps)
        ratios.append(tt / tb)
        print(f"run {i + 1}: bare {tb:.2f} s, trainer {tt:.2f} s, ratio {tt / tb:.3f}")
    print(f"threads={torch.get_num_threads()} model=GRU(H={H}) B={B} T={T} steps={args.steps}")
    print(f"trainer/bare median ratio: {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
