"""Parameter sweeps on Ray: every cell of a grid (workload × policy × seed ×
fleet × overload limit) is one Ray task running ``hearth compare`` for one
policy and seed.

Results go to a Parquet dataset partitioned Hive-style by workload and
policy (``out/workload=W/policy=P/<cell>.parquet``), one file per cell,
written by the driver as each cell finishes (atomically: a temporary file
renamed), so a sweep that dies keeps every finished cell and a rerun skips
them. A cell whose task fails is retried (``retries`` times), then recorded
as ``<cell>.failed.parquet`` with ``status = "failed"`` and the error; it does
not stop the sweep, and a rerun tries it again.

The grid (a dict, or a TOML file for ``hearth sweep``)::

    policies = ["power-of-two", "best-fit"]   # required
    seeds = [0, 1]                           # default [0]
    limits = [0.01, 0.02]                    # overload limits, default [0.01]
    [workloads]                              # default {default = {}}: the shipped sample
    azure = {}                               # compare options: {} is the default workload,
    openb = { sample = "openb" }             # a file: { workload = "w.parquet" }
    [fleets]                                 # default {default = {}}
    m2 = { server_cores = 24, server_memory_gib = 192 }

Where it runs: ``address=None`` joins the cluster named by ``RAY_ADDRESS``
when set, else starts a local Ray; ``address="ray://head:10001"`` or
``"auto"`` joins an existing cluster.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

GRID_KEYS = {"policies", "seeds", "limits", "workloads", "fleets"}
# The columns of `hearth compare --csv`, which each cell's rows carry.
RESULT_COLUMNS = [
    "policy", "admission", "servers_needed", "overload_rate", "vm_overload_rate", "peak_to_average",
    "utilisation", "rejections", "evictions", "decisions_per_second", "servers_needed_by_seed", "reason",
]
FLOAT_COLUMNS = [
    "servers_needed", "overload_rate", "vm_overload_rate", "peak_to_average", "utilisation",
    "rejections", "evictions", "decisions_per_second",
]


@dataclass(frozen=True)
class Cell:
    workload: str
    policy: str
    seed: int
    fleet: str
    limit: float
    options: Mapping[str, Any]

    @property
    def id(self) -> str:
        key = json.dumps([self.workload, self.policy, self.seed, self.fleet, self.limit, dict(self.options)], sort_keys=True)
        return hashlib.sha256(key.encode()).hexdigest()[:16]


def load_grid(grid: Union[Mapping[str, Any], str, "os.PathLike[str]"]) -> Dict[str, Any]:
    """The grid as a dict: itself, or read from a TOML file."""
    if isinstance(grid, Mapping):
        return dict(grid)
    try:
        import tomllib  # Python 3.11+
    except ModuleNotFoundError:  # pragma: no cover
        import tomli as tomllib  # type: ignore[no-redef]
    with open(grid, "rb") as f:
        return tomllib.load(f)


def cells(grid: Mapping[str, Any]) -> List[Cell]:
    """Every cell, in grid order. Raises ValueError naming a bad key or value."""
    unknown = set(grid) - GRID_KEYS
    if unknown:
        raise ValueError(f"grid: unknown key(s) {sorted(unknown)}; known: {sorted(GRID_KEYS)}")
    policies = grid.get("policies")
    if not policies or not all(isinstance(p, str) for p in policies):
        raise ValueError("grid: `policies` must be a non-empty list of policy names")
    seeds = grid.get("seeds", [0])
    limits = grid.get("limits", [0.01])
    workloads = grid.get("workloads", {"default": {}})
    fleets = grid.get("fleets", {"default": {}})
    for name, table in [("workloads", workloads), ("fleets", fleets)]:
        if not isinstance(table, Mapping) or not table or not all(isinstance(v, Mapping) for v in table.values()):
            raise ValueError(f"grid: `{name}` must be a table of named option tables, e.g. {{default = {{}}}}")
    out = []
    for w, w_opts in workloads.items():
        for f, f_opts in fleets.items():
            for limit in limits:
                for policy in policies:
                    for seed in seeds:
                        options = {**w_opts, **f_opts}
                        out.append(Cell(w, policy, int(seed), f, float(limit), options))
    return out


def run_cell(cell: Cell) -> pd.DataFrame:
    """One cell: ``hearth compare`` for its policy and seed; one row per admission mode."""
    import hearth

    started = time.perf_counter()
    df = hearth.compare(policies=[cell.policy], seed=cell.seed, overload_limit=cell.limit, **cell.options)
    df["seconds"] = time.perf_counter() - started
    return df


def _with_cell(df: pd.DataFrame, cell: Cell, status: str, error: str = "", attempts: int = 1) -> pa.Table:
    df = df.copy()
    df.insert(0, "cell", cell.id)
    df["workload"], df["fleet"], df["seed"], df["overload_limit"] = cell.workload, cell.fleet, cell.seed, cell.limit
    df["status"], df["error"], df["attempts"] = status, error, attempts
    return pa.Table.from_pandas(df, preserve_index=False)


def _dir(out: str, cell: Cell) -> str:
    return os.path.join(out, f"workload={cell.workload}", f"policy={cell.policy}")


def _write(table: pa.Table, path: str) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    pq.write_table(table.drop_columns([c for c in ("workload", "policy") if c in table.column_names]), tmp)
    os.replace(tmp, path)


def done(out: str, cell: Cell) -> bool:
    return os.path.exists(os.path.join(_dir(out, cell), f"{cell.id}.parquet"))


def sweep(
    grid: Union[Mapping[str, Any], str, "os.PathLike[str]"],
    out: Union[str, "os.PathLike[str]"] = "results/",
    address: Optional[str] = None,
    retries: int = 1,
    num_cpus: Optional[int] = None,
    quiet: bool = False,
) -> pd.DataFrame:
    """Runs the grid's missing cells as Ray tasks and returns the whole dataset
    (finished and failed cells, with ``status``, ``error``, ``attempts``, ``seconds``).
    ``num_cpus`` caps a local Ray (default: all cores); each task takes one CPU."""
    import ray

    out = os.fspath(out)
    todo = [c for c in cells(load_grid(grid)) if not done(out, c)]
    log = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr))
    log(f"sweep: {len(todo)} cells to run in {out}")
    if todo:
        _run_on_ray(ray, todo, out, address, retries, num_cpus, log)
    return read(out)


def _run_on_ray(ray: Any, todo: List[Cell], out: str, address: Optional[str], retries: int,
                num_cpus: Optional[int], log: Any) -> None:
    started_here = not ray.is_initialized()
    if started_here:
        address = address or os.environ.get("RAY_ADDRESS")
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=num_cpus, log_to_driver=False, include_dashboard=False,
                     object_store_memory=200 * 1024 * 1024)
    try:
        task = ray.remote(num_cpus=1, max_retries=retries, retry_exceptions=True)(run_cell)
        pending = {task.remote(c): c for c in todo}
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            cell = pending.pop(ready[0])
            os.makedirs(_dir(out, cell), exist_ok=True)
            failed = os.path.join(_dir(out, cell), f"{cell.id}.failed.parquet")
            try:
                table = _with_cell(ray.get(ready[0]), cell, "ok")
                _write(table, os.path.join(_dir(out, cell), f"{cell.id}.parquet"))
                if os.path.exists(failed):
                    os.remove(failed)
                log(f"sweep: {cell.workload} {cell.policy} seed {cell.seed} {cell.fleet} limit {cell.limit}: done")
            except Exception as e:  # the task failed retries + 1 times: record it, go on
                error = _message(e)
                _write(_with_cell(_failed_row(cell), cell, "failed", error, retries + 1), failed)
                log(f"sweep: {cell.workload} {cell.policy} seed {cell.seed}: FAILED after {retries + 1} attempts: {error}")
    finally:
        if started_here:
            ray.shutdown()


def _failed_row(cell: Cell) -> pd.DataFrame:
    """A row with every result column empty, so the dataset's columns stay the same."""
    row = {c: None for c in RESULT_COLUMNS}
    row.update(policy=cell.policy, seconds=float("nan"))
    return pd.DataFrame([row]).astype({c: "float64" for c in FLOAT_COLUMNS})


def _message(e: BaseException) -> str:
    cause = getattr(e, "cause", None)  # ray.exceptions.RayTaskError keeps the task's exception
    if cause is not None:
        return f"{type(cause).__name__}: {cause}"
    return "".join(traceback.format_exception_only(type(e), e)).strip()


def read(out: Union[str, "os.PathLike[str]"]) -> pd.DataFrame:
    """The sweep's dataset as one DataFrame (empty when nothing ran), with
    the partition columns ``workload`` and ``policy`` from the directory names."""
    tables = []
    for root, _, files in sorted(os.walk(os.fspath(out))):
        for name in sorted(f for f in files if f.endswith(".parquet")):
            t = pq.read_table(os.path.join(root, name))
            for part in reversed(os.path.relpath(root, out).split(os.sep)):
                key, _, value = part.partition("=")
                if value:
                    t = t.add_column(0, key, pa.array([value] * len(t), pa.string()))
            tables.append(t)
    if not tables:
        return pd.DataFrame()
    df = pa.concat_tables(tables, promote_options="permissive").to_pandas()
    for c in FLOAT_COLUMNS:
        df[c] = df[c].astype("float64")
    return df


def main(argv: Optional[Iterable[str]] = None) -> int:
    """``python -m hearth.sweep GRID [--out DIR] [--address ADDR] [--retries N]``
    (what ``hearth sweep`` runs)."""
    import argparse

    p = argparse.ArgumentParser(prog="hearth sweep", description=__doc__.split("\n\n")[0])
    p.add_argument("grid", help="grid file (TOML)")
    p.add_argument("--out", default="results/", help="Parquet dataset directory (default results/)")
    p.add_argument("--address", default=None, help="Ray cluster to join (default: RAY_ADDRESS, else a local Ray)")
    p.add_argument("--retries", type=int, default=1, help="retries of a failed cell (default 1)")
    p.add_argument("--num-cpus", type=int, default=None, help="CPUs of a local Ray (default: all)")
    a = p.parse_args(list(argv) if argv is not None else None)
    try:
        df = sweep(a.grid, out=a.out, address=a.address, retries=a.retries, num_cpus=a.num_cpus)
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    ok = int((df.get("status") == "ok").sum()) if len(df) else 0
    failed = df.loc[df["status"] == "failed", "cell"].nunique() if len(df) else 0
    print(f"{df['cell'].nunique() if len(df) else 0} cells in {a.out}: {failed} failed; {ok} result rows")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
