"""Notebook 09, scaling out: its exercises, registered in the order the notebook asks them."""

from __future__ import annotations

import math

from .answers import as_number, as_whole
from .core import exercise
from .quizzes import choice, number


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


# --- the quiz (rnn_course.exercises.quizzes shows and judges it) ------------------------------
choice(
    "09-quiz-same-curve",
    "Two processes under DDP, same seed, same global batch, same steps as one process. What does the loss "
    "curve look like?",
    "a",
    ("the same as one process, to float rounding",
     "each rank computes on its shard, then the all-reduce averages the gradients, so every rank takes the "
     "step one process would take on the whole batch. Only the order of additions differs."),
    ("noisier: each process sees half the batch",
     "each process computes on half, but the update uses the average over both halves: the whole batch."),
    ("it falls twice as fast per step",
     "per step the update is identical. DDP changes where the arithmetic happens, not the training."),
)
number(
    "09-quiz-ring-volume",
    "In a ring all-reduce over W = 4 ranks, each rank sends how many times its gradient's size in bytes?",
    1.5, tol=0.01, what="a number, such as 0.5",
    why="2·(W−1)/W = 1.5: W−1 rounds send a 1/W piece to add it up, W−1 more pass the sums on. It stays below 2 "
        "however many ranks join.",
    mistakes={
        "(W−1)/W counts only the rounds that add up the pieces; W−1 more rounds pass the sums on.": 0.75,
        "2 is the limit for many ranks; with W = 4 each rank sends 2·(W−1)/W of the gradient.": 2.0,
        "2·(W−1) forgets that each round sends a 1/W piece, not the whole gradient.": 6.0,
        "W−1 is sending the whole gradient to every other rank, which the ring avoids.": 3.0,
    },
)
choice(
    "09-quiz-two-cores",
    "On a 2-core machine, how does 2 processes × 1 thread compare with 1 process × 2 threads?",
    "b",
    ("about twice as fast",
     "twice the speed needs twice the hardware. Both use the same two cores."),
    ("little or no faster: the same cores, plus the all-reduce and a second copy of everything",
     "the second process takes the core a second thread could have used. Data parallelism pays when each "
     "process brings its own hardware: a GPU or a machine each."),
    ("it cannot run: DDP needs a GPU",
     "DDP runs on CPUs with the gloo backend; the notebook ran it on two processes."),
)
choice(
    "09-quiz-too-big",
    "A model does not fit in one device's memory. Does DDP help?",
    "b",
    ("yes: it splits the model across the processes",
     "DDP splits the batch, not the model: every process holds a whole copy."),
    ("no: every process holds a whole copy; that needs model or pipeline parallelism",
     "data parallelism multiplies throughput, not memory. A model too big for one device must itself be split."),
    ("yes, if the global batch is made smaller",
     "a smaller batch saves activation memory, on one process as on many; DDP adds nothing to that."),
)
number(
    "09-quiz-classroom",
    "Each running learner keeps about one core busy. 30 learners on a 10-core server press Run on a cell that "
    "takes 10 s alone. About how many seconds does it take?",
    30, tol=1.5, what="a number of seconds",
    why="L learners on C cores make a cell take about L ÷ C = 3 times as long as alone: 30 s. Accepting twice as "
        "long means about two learners per core.",
    mistakes={
        "that is the time alone: only with a core per learner would it stay there.": 10,
        "3 is the slowdown factor L ÷ C; multiply it by the 10 s the cell takes alone.": 3,
        "that is 30 learners times 10 s, as if one core ran them all; 10 cores share the work.": 300,
    },
)
