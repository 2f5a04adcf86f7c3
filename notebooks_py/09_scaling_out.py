# notebooks/09_scaling_out.ipynb as text (jupytext py:percent), written by `python tools/notebooks.py pair`.
# Edit the notebook, not this file: `tools/notebooks.py tidy` rewrites it.

# %% [markdown]
# # 09 · Scaling out: one training on several processes, several machines, and a classroom on one server
#
# Learners outgrow one laptop in two ways. Their **training** needs more than one machine — more
# cores, more GPUs, more hours than one computer has. Or their **instructor** needs one server for
# a room of thirty. This notebook shows both on the engines people really use: PyTorch's
# `torchrun` with `DistributedDataParallel` (DDP), and JupyterHub.
#
# We take notebook 03's character language model, train it on one process, then on two processes
# started by `torchrun`, and check that the two give **the same loss curve**. Then we measure what
# the second process buys on this machine (on two shared cores: little), work out what changes on
# a GPU node or across machines, kill a worker and resume, and size a classroom from measurements.
#
# About 60 minutes to work through; the notebook runs in <!-- time:nb -->about 15 s<!-- /time -->.

# %%
# On Google Colab only: clone the course (data included) and install it on Colab's own torch.
# Anywhere else this cell does nothing (`python3 course.py lab` has installed the course).
import sys
if "google.colab" in sys.modules:
    # !test -d /content/practical-rnns || git clone --depth 1 https://github.com/practical-rnns/practical-rnns /content/practical-rnns
    # !python /content/practical-rnns/rnn_course/colab.py
    sys.path.insert(0, "/content/practical-rnns")

# %%
import tempfile
from dataclasses import replace

import matplotlib.pyplot as plt
import pandas as pd
import torch

import rnn_course
from rnn_course.scaling import distributed as D
from rnn_course.exercises import check, solution
from rnn_course.results import load_benchmark
from rnn_course.scaling.job import CharLMRun, train_char_lm
from rnn_course.scaling.launch import run_args, run_torchrun, torchrun_command
from rnn_course.scaling.views import LINKS, allreduce_seconds, classroom_sizing, draw_data_parallel

device = rnn_course.start("09_scaling_out")

# %% [markdown]
# ## Is this a scaling problem?
#
# The same four questions as for every model, asked of the hardware:
#
# - **What is the limit?** If one process trains too slowly, more processes help only if each
#   brings its own cores or GPU. If the model does not *fit* on one device, data parallelism does
#   not help at all (each process holds a whole copy); that needs model or pipeline parallelism.
# - **How big is a step?** Each step, every process must send its gradients to the others. Small
#   gradients and long computation scale well; big gradients on a slow network do not.
# - **What must not change?** The result. With the same seed, the same global batch and the same
#   number of steps, two processes must give the same curve as one — otherwise we are not scaling
#   the training, we are changing it.
# - **Would something simpler do?** A bigger batch on one process, more threads, or a shorter
#   sequence are often cheaper than a second machine. We measure, then decide.
#
# ## Data parallelism in a picture
#
# Every process (a *rank*) holds the same model. The global batch of B sequences is cut into W
# shards, one per rank. Each rank runs forward and backward on its shard alone; then an
# **all-reduce** averages the gradients so that every rank receives the same average and takes the
# same optimizer step. The replicas never drift apart.

# %%
draw_data_parallel(world_size=2)
plt.show()

# %% [markdown]
# ## Batches and shapes: one global batch, W shards
#
# Every rank draws the **same** global batch of indices (the Trainer's shuffling generator has the
# same seed everywhere) and keeps its own contiguous shard. A (B, T) batch becomes (B/W, T) per
# rank, and the shards together are exactly the batch one process would have taken. A global
# batch that W does not divide is refused before any process waits for another:

# %%
# NBVAL_CHECK_OUTPUT
x = torch.arange(8 * 4).view(8, 4)  # (B=8, T=4): row i holds 4i … 4i+3
batch = [5, 0, 7, 2, 6, 1, 3, 4]  # the global batch every rank draws
for rank in range(2):
    shard = D.ShardedBatches((x,), D.DistEnv(rank=rank, world_size=2)).collate(batch)  # (B/W, T)
    print(f"rank {rank}: shard {tuple(shard.shape)}, rows {(shard[:, 0] // 4).tolist()}")
try:
    D.shard_size(33, 2)
except ValueError as e:
    print("ValueError:", e)

# %% [markdown]
# Two more things keep the ranks in step. DDP averages the gradients during `backward`, so the
# mean of W shard means is the mean over the whole batch. And the loss the Trainer *sees* is
# averaged over the ranks too (one all-reduce of a single number): the Trainer's divergence guard
# then takes the same decision on every rank at the same step. A guard that fired on one rank
# only would leave the other waiting forever for a gradient that never comes.
#
# ## The model: notebook 03's character GRU, smaller
#
# The same `RecurrentLM` over Shakespeare's characters, sized to train in seconds: 32-dimensional
# embeddings, a GRU of 128 units, windows of T = 64 characters, a global batch of 32, 60 steps.
# Dropout is off: each rank would draw its own dropout masks, and the curves would agree only on
# average.

# %%
# NBVAL_CHECK_OUTPUT
run = CharLMRun(steps=60, global_batch=32, seq_len=64, embedding_dim=32, hidden_size=128)
print(run)

# %% [markdown]
# ## Train: one process, then two under torchrun
#
# First the reference, here in the notebook's own process (world size 1):

# %%
one = train_char_lm(run, D.DistEnv())

# %% [markdown]
# Now the same job under `torchrun`. The command it runs (on 127.0.0.1, two processes, a c10d
# rendezvous on a free port) is the one you would type in a terminal:

# %%
cmd = torchrun_command(run_args(run), nproc=2, endpoint="127.0.0.1:29400")
print("torchrun " + " ".join(cmd[3:]).replace(str(rnn_course.paths.project_root()) + "/", ""))

# %%
two = run_torchrun(run, nproc=2)  # starts torchrun, waits, and stops every process it started
print("\n".join(line for line in two["log"].splitlines() if line.startswith(("world size", "Trained"))))

# %%
diff = max(abs(a - b) for a, b in zip(one["train_loss"], two["train_loss"]))
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.plot(one["train_step"], one["train_loss"], lw=5, alpha=0.35, label="1 process")
ax.plot(two["train_step"], two["train_loss"], "k--", lw=1, label="2 processes (DDP, torchrun)")
ax.plot(one["val_step"], one["val_loss"], "o", ms=9, alpha=0.4, label="validation, 1 process")
ax.plot(two["val_step"], two["val_loss"], "kx", label="validation, 2 processes")
ax.set(xlabel="step", ylabel="loss (nats per character)", title=f"largest difference {diff:.1e} nats")
ax.legend()
plt.show()
print(f"largest train-loss difference over {len(one['train_loss'])} steps: {diff:.1e} nats; "
      f"replicas identical at the end: {two['replicas_identical']}")

# %% [markdown]
# The curves lie on top of each other: the differences are float32 rounding (the two runs add the
# same numbers in a different order), around 10⁻⁶ nats. `tests/test_distributed.py` checks this
# to 10⁻⁴, and also that two `torchrun` agents started with `--nnodes=2` (two "machines" on
# 127.0.0.1) form one job and give the same curve.
#
# ## Evaluate: what did the second process buy?
#
# Here, this run's own timing (median time of a training step, evaluations left out):

# %%
live_ratio = two["samples_per_second"] / one["samples_per_second"]
print(f"1 process:   {1e3 * one['step_seconds_median']:.1f} ms a step (torch threads: {one['torch_threads']})")
print(f"2 processes: {1e3 * two['step_seconds_median']:.1f} ms a step (torch threads each: {two['torch_threads']})")
print(f"throughput ratio, 2 processes / 1: {live_ratio:.2f}")

# %% [markdown]
# One short run on a shared machine is noisy. `benchmarks/ddp.py` measures notebook 03's full-size
# GRU (256 units, T = 128) three ways, alternating and keeping the best of each, and stores the
# result with the machine and its load. The fair comparison is **2 processes × 1 thread against
# 1 process × 2 threads**: both use the same two cores.

# %%
bench = load_benchmark("ddp")
b = bench["results"]
table = pd.DataFrame({name: {"processes": s["processes"], "threads each": s["threads_per_process"],
                              "ms per step": round(1e3 * s["step_seconds_median"], 1),
                              "sequences per second": round(s["sequences_per_second"]),
                              "CPU ms per step (all processes)": round(1e3 * s["cpu_seconds_per_step"], 1)}
                       for name, s in b["setups"].items()}).T
print(f"{bench['date'][:10]}, {bench['machine']['cpu_count']} cores, load average {bench['machine'].get('load_average_1_5_15')}")
print(f"largest loss difference 1 vs 2 processes: {b['max_train_loss_difference']:.1e} nats")
print(f"throughput 2 processes / 1 process with 2 threads: {b['throughput_ratio_2proc_vs_1proc_2threads']:.2f} "
      f"(with 1 thread: {b['throughput_ratio_2proc_vs_1proc_1thread']:.2f})")
print(f"CPU time per step, 2 processes together / 1 process: {b['cpu_overhead_2proc_vs_1proc']:.2f}× "
      f"→ on an idle machine, a core each, 2 processes would do {b['idle_estimate_ratio_2proc_vs_1proc_1thread']:.2f}× "
      "the work of 1 process on 1 core")
spin = b["setups"]["1 process × 2 threads"]["cpu_seconds_per_step"] / b["setups"]["1 process × 1 thread"]["cpu_seconds_per_step"]
print(f"1 process × 2 threads burned {spin:.1f}× the CPU time of 1 thread for the same step")
table

# %% [markdown]
# On two cores there is nothing to gain in principle: the second process takes the second core
# that the single process could have used as a second thread, and pays for the all-reduce and a
# second copy of everything on top. So on an idle 2-core machine, expect 2 processes × 1 thread to
# be little or no faster than 1 process × 2 threads (measured on an idle machine: 1.07×).
#
# What the table shows also depends on how busy the machine was. A load average above 2 (the
# number of runnable tasks, over 1, 5 and 15 minutes) means other work was competing for the two
# cores. Then two threads that must meet at every matrix product wait whenever the scheduler takes
# one of them away — and keep burning CPU while they wait (they spin), which the CPU-time column
# shows when it is far above the one-thread figure. Two processes simply get a bigger share of a
# crowded machine than one: a ratio above 1 measured that way is a measurement of the crowd, not
# of DDP.
#
# The **CPU time** per step hardly depends on the crowd: it counts the work, not the waiting. The
# two processes together spend more CPU per step than one process (each runs a half-batch less
# efficiently, and they add the all-reduce and its bookkeeping), so with a core each they would do
# somewhat less than twice the work of one process on one core — and one process could have used
# the second core with a second thread. Data parallelism really pays when **each process brings
# its own hardware** — a GPU each, or a machine each.
#
# ## Deployment cost: the all-reduce arithmetic
#
# Every step, each rank sends its gradients and receives the average. A ring all-reduce over W
# ranks makes each rank send (and receive) 2·(W−1)/W of the gradient bytes: W−1 rounds that add up
# pieces, W−1 that pass the sums on. The time is that volume divided by the link speed:

# %%
grad_bytes = b["gradient_bytes_per_step"]
compute = b["setups"]["1 process × 1 thread"]["cpu_seconds_per_step"]  # the work of one step on one core
models = {f"this GRU ({b['parameters']:,} parameters)": grad_bytes, "a 100-million-parameter model": 100e6 * 4}
rows = []
for model, nbytes in models.items():
    for link, bps in LINKS.items():
        rows.append({"gradients": model, "MB": nbytes / 1e6, "link": link,
                     "W=2 (ms)": 1e3 * allreduce_seconds(nbytes, 2, bps),
                     "W=16 (ms)": 1e3 * allreduce_seconds(nbytes, 16, bps)})
print(f"compute per step, measured by the benchmark (CPU time of one process on one core): {1e3 * compute:.0f} ms")
pd.DataFrame(rows).round(3)

# %% [markdown]
# Read it in two directions:
#
# - **This GRU on CPUs**: a fraction of a millisecond of communication against tens of
#   milliseconds of computation, even over 10 Gb/s Ethernet. Adding machines would scale almost
#   perfectly — if each brought its own cores.
# - **On GPUs the computation shrinks and the gradients do not.** A GPU might do this step 10–100×
#   faster (an order of magnitude, not a measurement), while the gradient bytes stay the same. For a
#   100-million-parameter model, 10 Gb/s Ethernet needs about a third of a second a step for two
#   ranks (320 ms in the table; 600 ms for sixteen) — longer than the GPU's whole step — whereas
#   NVLink inside a node needs about a millisecond. That is why
#   multi-GPU training lives on NVLink inside a node and InfiniBand between nodes, and why DDP
#   overlaps the all-reduce with the backward pass, bucket by bucket.
#
# ## A killed worker
#
# `torchrun --max-restarts=N` watches its processes. When one dies, it stops the others and starts
# them all again; the script loads its newest **snapshot** (model, optimizer, step, every rank's
# RNG state and the position in the shuffled data), written atomically by rank 0 every few steps.
# So a killed worker costs the steps since the last snapshot plus a restart. Here the job "dies"
# after step 30 with a snapshot at step 20, and comes back:

# %%
with tempfile.TemporaryDirectory(prefix="snapshots_") as snapshots:  # removed afterwards
    died = train_char_lm(replace(run, steps=30, snapshot_dir=snapshots, snapshot_every=20), D.DistEnv())
    back = train_char_lm(replace(run, snapshot_dir=snapshots, snapshot_every=20), D.DistEnv())
redone = 30 - back["resumed_from"]
startup = two["wall_s"] - two["seconds"]
print(f"resumed from step {back['resumed_from']}: {redone} steps done again "
      f"(≈ {redone * one['step_seconds_median']:.2f} s) plus a restart (≈ {startup:.0f} s to start torchrun and its processes here)")
print("same curve as the run that never died:", back["train_loss"] == one["train_loss"])

# %% [markdown]
# `tests/test_distributed.py` does it for real: it kills one of two `torchrun` workers by its PID
# in the middle of a run; `torchrun` restarts both, they resume from the last snapshot, and the
# job ends with the same final loss as an uninterrupted run. Snapshot more often and you redo
# fewer steps, but pay for writing more files; every 5–30 minutes of work is common on clusters.
#
# The same command runs on real clusters: `deploy/slurm/train_ddp.sbatch` (SLURM, one `torchrun`
# per node) and `deploy/kubernetes/pytorchjob.yaml` (Kubeflow Training Operator) — documented
# there, not run here. On two machines by hand, run on both (node0 is the first machine):
#
#     torchrun --nnodes=2 --nproc-per-node=1 --rdzv-backend=c10d --rdzv-endpoint=node0:29400 \
#         --rdzv-id=charlm --max-restarts=3 scripts/train_ddp.py --snapshot-dir snapshots/charlm
#
# ## The classroom: learners per server
#
# The other way to outgrow a laptop. `deploy/jupyterhub/` runs the course on JupyterHub for a room
# on one server; `benchmarks/classroom.py` logs simulated learners in through the real login page,
# starts their servers and runs a training notebook in every kernel at once, and
# `benchmarks/notebook_costs.py` runs each notebook alone. Their shipped results:

# %%
room = load_benchmark("classroom")
costs = load_benchmark("notebook_costs")
r = room["results"]
sizing = classroom_sizing(room, costs, rooms=(10, 20, 30, 40), slowdown=2.0)
print(f"{sizing['served']}/{sizing['learners']} learners served, {sizing['failures']} failures, on {r['cpu_count']} cores "
      f"(load average before: {r['load_before']})")
print(f"notebook alone {r['alone_s']:.1f} s; all {r['learners']} at once {r['wall_s']:.1f} s "
      f"({r['wall_s'] / r['alone_s']:.1f}× slower)")
print(f"peak memory per learner {r['peak_rss_mb_per_learner']:.0f} MB "
      f"(kernel {r['kernel_rss_mb']:.0f} MB, server {r['server_rss_mb']:.0f} MB)")
per_notebook = pd.DataFrame(costs["results"]["notebooks"]).T[["seconds", "peak_rss_mb"]]
per_notebook

# %% [markdown]
# From these, a first sizing rule. If everyone runs a training cell at the same moment and may
# wait at most twice as long as alone, how many cores and how much memory does a room need?
# (Cores: the CPU time one learner's kernel used in the full room against alone — CPU time hardly
# depends on how busy the machine was. A one-thread kernel that trains keeps a whole core busy, so
# we never count less than one core per running learner. Memory per learner: the server plus the
# heaviest notebook's kernel.)

# %%
print(f"each running learner keeps {sizing['cores_per_running_learner_measured']:.2f} cores busy "
      f"(measured by {sizing['basis']}, "
      f"counted as {sizing['cores_per_running_learner']:.2f}) → "
      f"{sizing['learners_per_core']:.1f} learners per core at 2× slowdown; "
      f"{sizing['memory_mb_per_learner']:.0f} MB per learner (heaviest notebook: {sizing['heaviest_notebook']})")
print(f"the measured room itself: {r['learners'] / r['cpu_count']:.0f} learners per core, its training cell "
      f"{r['wall_s']:.0f} s instead of {r['alone_s']:.0f} s alone ({r['wall_s'] / r['alone_s']:.1f}× slower)")
pd.DataFrame(sizing["rows"]).set_index("learners")

# %% [markdown]
# **Learners per core is the slowdown you accept.** Each running learner keeps about one core
# busy, so a room of L learners on C cores makes a cell take about L ÷ C times as long as alone.
# The rule above accepts twice as long: about two learners per core. The measured room packed five
# per core, and its training cell took several times as long (printed above) — still under a
# minute, which is why the README's rule of thumb allows about five learners per core for training
# cells of 5–10 CPU-seconds. Whole notebooks cost more than one cell (the per-notebook table
# above), so for a wait of a minute or two a room running whole notebooks together fits fewer
# learners per core: two or three.
#
# Learners do not all press Run in the same second, so a real room needs fewer cores than the
# table says; memory, though, is held for as long as a kernel lives — which is why the hub culls
# idle servers. One thread per kernel (`OMP_NUM_THREADS=1`) is essential: with torch's default of
# one thread per core, every kernel fights every other for all the cores.
#
# ## Your turn
#
# Solutions: `solutions/09_scaling_out.md`.
#
# **1.** `torchrun --nnodes=2 --nproc-per-node=4 scripts/train_ddp.py --global-batch 96`: how many
# sequences does each process train on per step?

# %%
answer_1 = ...
check("09-shard-size", answer_1)

# %% [markdown]
# **2.** A model of 25 million float32 parameters trains on 4 ranks connected by 10 Gb/s Ethernet.
# How many milliseconds does the ring all-reduce of its gradients take per step (nominal speed,
# no overlap)? `allreduce_seconds` is there to check your arithmetic, after you have done it.

# %%
answer_2 = ...
check("09-allreduce-ms", answer_2)

# %% [markdown]
# **3.** A job writes a snapshot every 50 steps. A worker is killed just after finishing step 437;
# `torchrun` restarts the job. How many steps are trained a second time?

# %%
answer_3 = ...
check("09-lost-steps", answer_3)

# %% [markdown]
# ## Looking back
#
# Data parallelism does not change the training — one process and two give the same curve to
# float rounding — it changes where the arithmetic happens. On two shared cores it buys nothing;
# with a GPU or a machine per process it scales as long as the all-reduce stays small against the
# computation, and the arithmetic says when it stops. A killed worker costs the steps since the
# last snapshot and a restart, nothing more. And a classroom is sized by memory per learner and
# cores per running learner, both measured. The last cell checks the numbers and records them.

# %% [markdown]
# ## Quiz
#
# Five questions on this notebook's ideas. Run the next cell to see them, replace each `...` below
# with your answer — a letter such as `"b"`, or a number where one is asked — and run the answer cell:
# every answer gets an explanation, the wrong ones too. Your results are kept in
# `results/09_scaling_out.json`.

# %%
from rnn_course.exercises import check_quiz, quiz

quiz("09")

# %%
quiz_answers = {
    "09-quiz-same-curve":  ...,  # a letter
    "09-quiz-ring-volume": ...,  # a number
    "09-quiz-two-cores":   ...,  # a letter
    "09-quiz-too-big":     ...,  # a letter
    "09-quiz-classroom":   ...,  # a number
}
check_quiz(quiz_answers)

# %%
assert diff < 1e-4, f"1 and 2 processes should agree to float rounding, got a difference of {diff:.2e} nats"
assert two["world_size"] == 2 and two["replicas_identical"], "both ranks must end with the same weights"
assert back["resumed_from"] == 20 and back["train_loss"] == one["train_loss"], "resuming must reproduce the curve"
assert b["max_train_loss_difference"] < 1e-4, "the shipped benchmark's 1- and 2-process curves must agree"
assert sizing["served"] == sizing["learners"] and sizing["failures"] == 0, "the measured classroom must serve every learner"
rnn_course.record("ddp_max_loss_difference", diff)
rnn_course.record("ddp_throughput_ratio_live", live_ratio)
rnn_course.record("ddp_throughput_ratio_benchmark", b["throughput_ratio_2proc_vs_1proc_2threads"])
rnn_course.record("classroom_learners_served", sizing["served"])
rnn_course.record("classroom_failures", sizing["failures"])
rnn_course.record("classroom_slowdown", r["wall_s"] / r["alone_s"])
rnn_course.record("classroom_mb_per_learner", sizing["memory_mb_per_learner"])
rnn_course.record("classroom_learners_per_core", sizing["learners_per_core"])
print(f"✓ 1 vs 2 processes differ by {diff:.1e} nats; resumed run identical; "
      f"classroom {sizing['served']}/{sizing['learners']} served, {sizing['learners_per_core']:.1f} learners per core")
