"""A 100-cell sweep on a local Ray against the same cells run one after
another through the CLI (BENCHMARKS.md, "Sweeps on Ray").

    python python/benchmarks/sweep_vs_cli.py --hearth target/debug/hearth --cpus 2

Cells: 5 policies × 5 seeds × 4 overload limits of `hearth compare` on the
given workload options. Prints the wall times, the CLI's seconds per cell,
the sweep's overhead per cell in CPU-seconds ((cpus × sweep wall − CLI
total) / cells, Ray's start-up included and also given apart), and cells
per hour for a cluster of N nodes of C cores from these figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time

import hearth
import importlib

# The module: `hearth.sweep`, the package attribute, is its function.
sw = importlib.import_module("hearth.sweep")

GRID = {
    "policies": ["power-of-two", "best-fit", "worst-fit", "first-fit", "random"],
    "seeds": [0, 1, 2, 3, 4],
    "limits": [0.01, 0.02, 0.03, 0.05],
    "workloads": {"openb": {"sample": "openb", "server_cores": 16, "server_memory_gib": 64}},
}


def cli_args(cell: sw.Cell, csv: str) -> list:
    from hearth._args import flags

    return ["compare", *flags(policies=[cell.policy], seed=cell.seed, overload_limit=cell.limit, csv=csv,
                              **cell.options)]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--hearth", required=True, help="the hearth binary (same profile as the Python extension)")
    p.add_argument("--cpus", type=int, default=2)
    a = p.parse_args()
    cells = sw.cells(GRID)
    assert len(cells) == 100
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        for i, c in enumerate(cells):
            subprocess.run([a.hearth, *cli_args(c, os.path.join(d, f"{i}.csv"))], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seq = time.perf_counter() - t0

        import ray

        t0 = time.perf_counter()
        ray.init(num_cpus=a.cpus, log_to_driver=False, include_dashboard=False,
                 object_store_memory=200 * 1024 * 1024)
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        df = hearth.sweep(GRID, out=os.path.join(d, "results"), quiet=True)
        swept = time.perf_counter() - t1
        ray.shutdown()
    assert df["cell"].nunique() == 100 and (df["status"] == "ok").all()
    in_task = df.drop_duplicates("cell")["seconds"].sum()
    n = len(cells)
    print(f"cells: {n}; CLI one after another: {seq:.1f} s ({seq / n:.2f} s per cell)")
    print(f"sweep on a local Ray with {a.cpus} CPUs: {swept:.1f} s after ray.init ({startup:.1f} s)")
    print(f"time inside the tasks (hearth.compare): {in_task:.1f} s ({in_task / n:.2f} s per cell)")
    overhead = (a.cpus * (swept + startup) - seq) / n
    print(f"overhead per cell vs the CLI: {overhead:+.2f} CPU-s with start-up, "
          f"{(a.cpus * swept - seq) / n:+.2f} CPU-s without")
    per_cell = seq / n + max(overhead, 0.0)
    for nodes, cores in [(100, 2), (100, 16)]:
        print(f"{nodes} nodes × {cores} cores: {nodes * cores * 3600 / per_cell:,.0f} cells/hour "
              f"(at {per_cell:.2f} CPU-s per cell)")


if __name__ == "__main__":
    main()
