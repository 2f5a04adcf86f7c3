"""What scaling out costs (notebook 09): the arithmetic of an all-reduce, a picture of
data-parallel training, and sizing a classroom from the measured benchmarks."""

from __future__ import annotations

import math



__all__ = ["LINKS", "allreduce_seconds", "allreduce_table", "draw_data_parallel", "classroom_sizing"]


# Nominal one-direction link speeds, in bits per second. Real all-reduces reach perhaps 70–90 %.
LINKS = {
    "10 Gb/s Ethernet": 10e9,
    "100 Gb/s InfiniBand (EDR)": 100e9,
    "NVLink 3 (A100, 300 GB/s each way)": 300e9 * 8,
}


def allreduce_seconds(nbytes: float, world_size: int, bits_per_second: float, latency_s: float = 0.0) -> float:
    """Time of a ring all-reduce of ``nbytes`` over ``world_size`` ranks on links of the given speed.

    Each rank sends (and receives) 2·(W−1)/W of the data: W−1 steps that add up pieces
    (reduce-scatter), W−1 that pass the sums on (all-gather); each step also pays ``latency_s``.
    """
    if world_size < 1 or nbytes < 0 or bits_per_second <= 0:
        raise ValueError("need world_size ≥ 1, nbytes ≥ 0 and a positive link speed")
    if world_size == 1:
        return 0.0
    return 2 * (world_size - 1) / world_size * nbytes * 8 / bits_per_second + 2 * (world_size - 1) * latency_s


def allreduce_table(nbytes: float, compute_seconds: float, world_size: int = 2) -> list[dict]:
    """One row per link in :data:`LINKS`: all-reduce time, and its share of a step whose
    computation takes ``compute_seconds`` (without overlap: DDP overlaps the two, so this is the
    worst case)."""
    rows = []
    for name, bps in LINKS.items():
        t = allreduce_seconds(nbytes, world_size, bps)
        rows.append({"link": name, "allreduce_ms": 1e3 * t, "share_of_step": t / (t + compute_seconds)})
    return rows


def draw_data_parallel(world_size: int = 2, ax=None):
    """Data parallelism as a picture: one global batch cut into shards, one replica per process,
    gradients averaged by an all-reduce, the same update everywhere."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.6))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 6.2)
    ax.axis("off")
    colours = plt.get_cmap("tab10").colors

    def box(x, y, w, h, text, colour, alpha=0.25):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05", fc=colour, ec=colour, alpha=alpha))
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=9)

    def arrow(x0, y0, x1, y1):
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=12, color="0.3"))

    W = world_size
    ax.text(0.1, 5.8, f"global batch (B, T) → {W} shards of (B/{W}, T)", fontsize=10, weight="bold")
    width = 9.6 / W
    for r in range(W):
        x = 0.2 + r * width
        c = colours[r % 10]
        box(x, 4.8, width - 0.4, 0.6, f"shard {r}: rows {r}·B/{W} … {r + 1}·B/{W}−1", c)
        arrow(x + (width - 0.4) / 2, 4.75, x + (width - 0.4) / 2, 4.25)
        box(x, 3.1, width - 0.4, 1.1, f"process {r} (rank {r})\nthe same model replica\nforward + backward → g{r}", c)
        arrow(x + (width - 0.4) / 2, 3.05, x + (width - 0.4) / 2, 2.45)
        box(x, 0.2, width - 0.4, 0.7, f"optimizer step with ḡ\n(identical weights on rank {r})", c)
        arrow(x + (width - 0.4) / 2, 1.65, x + (width - 0.4) / 2, 0.95)
    box(0.2, 1.7, 9.2, 0.7, "all-reduce:  ḡ = (" + " + ".join(f"g{r}" for r in range(W)) + f") / {W}"
        "   — every process receives the same average", "0.5", alpha=0.2)
    return ax


# --- sizing a classroom from the measured benchmarks ---------------------------------------------


def classroom_sizing(classroom: dict, costs: dict | None = None, *, rooms=(10, 20, 30, 40),
                     slowdown: float = 2.0) -> dict:
    """A sizing rule from ``data/benchmarks/classroom.json`` (and ``notebook_costs.json``).

    Each running learner keeps ``c`` cores busy: the CPU seconds one learner's kernel used in the
    crowded room over the CPU seconds it used alone (``kernel_cpu_s / alone_cpu_s``; CPU time
    hardly depends on how busy the machine is), or, for an older file without CPU times, the
    wall-clock estimate ``wall_s · C / (N · alone_s)``. A one-thread kernel running a training
    cell keeps a whole core busy, so ``c`` is never counted below 1. If everyone runs a cell at
    the same moment and may wait at most ``slowdown`` × as long as alone, a room of L learners
    needs ``c · L / slowdown`` cores. Memory per learner is the measured server + kernel peak,
    or — with ``costs`` — the server plus the heaviest notebook's kernel peak, if larger. These
    are extrapolations from one measurement on one machine: a first estimate, not a guarantee.
    """
    r = classroom["results"]
    n, cores = r["learners"], r["cpu_count"]
    if r.get("kernel_cpu_s") and r.get("alone_cpu_s"):
        measured, basis = r["kernel_cpu_s"] / r["alone_cpu_s"], "CPU time"
    else:
        measured, basis = r["wall_s"] * cores / (n * r["alone_s"]), "wall time"
    c = max(measured, 1.0)
    per_learner_mb = r["peak_rss_mb_per_learner"]
    heaviest = None
    if costs:
        runs = {k: v for k, v in costs["results"]["notebooks"].items() if v.get("ok") and v.get("peak_rss_mb")}
        if runs:
            heaviest = max(runs, key=lambda k: runs[k]["peak_rss_mb"])
            per_learner_mb = max(per_learner_mb, r["server_rss_mb"] + runs[heaviest]["peak_rss_mb"])
    fixed_mb = (r.get("hub_rss_mb") or 0) + (r.get("proxy_rss_mb") or 0)
    rows = [{"learners": L, "cores": math.ceil(c * L / slowdown),
             "memory_gb": round((L * per_learner_mb + fixed_mb) / 1024, 1)} for L in rooms]
    failures = r["failures"] if isinstance(r["failures"], int) else len(r["failures"])
    return {"learners": n, "served": r["served"], "failures": failures,
            "cores_per_running_learner_measured": measured, "basis": basis, "cores_per_running_learner": c,
            "learners_per_core": slowdown / c, "memory_mb_per_learner": per_learner_mb,
            "heaviest_notebook": heaviest, "hub_and_proxy_mb": fixed_mb, "slowdown": slowdown, "rows": rows}
