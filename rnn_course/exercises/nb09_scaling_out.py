"""Notebook 09, scaling out: its exercises, registered in the order the notebook asks them."""

from __future__ import annotations

import math

from .answers import as_number, as_whole
from .core import exercise


@exercise("09-shard-size", 1, (
    "every process is a rank: W = nodes × processes per node, and each rank takes B / W."
))
def _shard_per_process(answer):
    # global batch 96, torchrun --nnodes=2 --nproc-per-node=4: W = 8 processes
    got = as_whole(answer, "a whole number of sequences")
    if got == 12:
        return True, "W = 2 nodes × 4 processes = 8 ranks, so each takes 96 / 8 = 12 sequences a step."
    if got == 48:
        return False, "you divided by the machines only; every process is a rank: W = nodes × processes per node."
    if got == 24:
        return False, "you divided by the processes of one machine; the other machine's 4 processes share the batch too."
    if got == 96:
        return False, "96 is the global batch, what all ranks see together; each rank sees only its shard."
    return False, "divide the global batch by the world size W = nodes × processes per node."


@exercise("09-allreduce-ms", 2, (
    "ring all-reduce: each rank sends 2·(W−1)/W × the gradient bytes; bytes × 8 = bits."
))
def _allreduce_ms(answer):
    # 25 million float32 parameters, 4 ranks, ring all-reduce, 10 Gb/s links
    got = as_number(answer, "a number of milliseconds")
    nbytes = 25e6 * 4
    truth = 2 * 3 / 4 * nbytes * 8 / 10e9 * 1e3  # 120 ms
    if math.isclose(got, truth, rel_tol=0.02):
        return True, (f"2·(W−1)/W × 100 MB × 8 bits / 10 Gb/s = {truth:.0f} ms a step — longer than many GPU steps, "
                      "which is why multi-node training wants InfiniBand or bigger batches.")
    if math.isclose(got, nbytes * 8 / 10e9 * 1e3, rel_tol=0.02):
        return False, "a ring all-reduce sends 2·(W−1)/W of the gradients from every rank, not the gradients once."
    if math.isclose(got, truth / 8, rel_tol=0.02):
        return False, "10 Gb/s is 10 billion bits a second, not bytes: multiply the bytes by 8."
    if math.isclose(got, truth / 4, rel_tol=0.02):
        return False, "a float32 parameter is 4 bytes: 25 million of them are 100 MB."
    return False, "time = 2·(W−1)/W × gradient bytes × 8 / link bits per second (then × 1000 for ms)."


@exercise("09-lost-steps", 3, (
    "the job goes back to the newest snapshot: the last multiple of 50 not after step 437."
))
def _lost_steps(answer):
    # snapshots every 50 steps; the worker is killed after finishing step 437
    got = as_whole(answer, "a whole number of steps")
    if got == 37:
        return True, "the newest snapshot is from step 400, so steps 401–437 are done again: 37 steps, plus the restart."
    if got == 13:
        return False, "the restart goes back to the last snapshot written (step 400), not forward to the next one."
    if got in (437, 0):
        return False, "a restart loads the newest snapshot, so only the steps since then are lost."
    if got == 50:
        return False, "at most 50 steps can be lost; here the snapshot at 400 was written and 401–437 followed."
    return False, "find the newest multiple of 50 at or before step 437; the steps after it are done again."
