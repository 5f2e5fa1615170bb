"""hearth: VM placement and fleet sizing simulated over real cloud traces,
FirePlace (learned placement) and spot eviction prediction, from Python.

Each function runs the code of the ``hearth`` command it is named for, on
the same defaults: ``hearth.compare()`` is ``hearth compare``. Options are
keyword arguments named as the command's options (``overload_limit=0.02``
for ``--overload-limit 0.02``; see ``hearth <command> --help``). Errors are
raised as :class:`HearthError` with the command line's message.

Workloads are pyarrow Tables with the columns and metadata of hearth's
workload file; results are pandas DataFrames and numpy arrays.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Any, Dict, Iterator, Optional, Sequence, Union
from contextlib import contextmanager
import io
import json

import numpy as np
import pandas as pd
import pyarrow as pa

from . import _hearth
from ._args import flags
from ._hearth import HearthError, __version__, read_workload, write_workload

PathLike = Union[str, "os.PathLike[str]"]
Workload = Union[PathLike, pa.Table, None]

__all__ = [
    "HearthError",
    "Simulation",
    "compare",
    "compose",
    "evict",
    "fireplace",
    "import_trace",
    "read_workload",
    "run",
    "simulate",
    "sweep",
    "write_workload",
]


def run(*args: str) -> None:
    """Runs a ``hearth`` command line as the binary does (its output included):
    ``hearth.run("trace", "info", "w.parquet")``."""
    _hearth.run_command([os.fspath(a) for a in args])


@contextmanager
def workload_path(workload: Workload, step_seconds: Optional[int] = None) -> Iterator[Optional[str]]:
    """A path for ``workload``: itself when a path, a temporary workload file
    for a Table (removed afterwards), ``None`` for the default workload."""
    if workload is None or not isinstance(workload, pa.Table):
        yield None if workload is None else os.fspath(workload)
        return
    with tempfile.TemporaryDirectory(prefix="hearth-") as d:
        path = os.path.join(d, "workload.parquet")
        write_workload(workload, path, step_seconds)
        yield path


def import_trace(format: str, paths: Union[PathLike, Sequence[PathLike]], out: PathLike, **options: Any) -> pa.Table:
    """``hearth trace import FORMAT PATHS -o OUT``: reads a public trace in its
    publisher's format, writes the workload file ``out`` and returns it as a Table."""
    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    run("trace", "import", format, *map(os.fspath, paths), "-o", os.fspath(out), *flags(**options))
    return read_workload(os.fspath(out))


def compose(out: PathLike, **options: Any) -> pa.Table:
    """``hearth trace compose ... -o OUT``: arrivals from one workload file,
    usage from another (``arrivals=``, ``usage=``, ``vms=``, ``days=``, ``seed=`` ...);
    writes ``out`` and returns it as a Table."""
    run("trace", "compose", *flags(**options), "-o", os.fspath(out))
    return read_workload(os.fspath(out))


def compare(workload: Workload = None, **options: Any) -> pd.DataFrame:
    """``hearth compare``: servers needed by each policy. One row per (policy,
    admission), the columns of ``hearth compare --csv``: policy, admission,
    servers_needed (NaN: no fleet size meets the limit), overload_rate,
    vm_overload_rate, peak_to_average, utilisation (fractions), rejections,
    evictions, decisions_per_second, servers_needed_by_seed (space-separated),
    reason. ``workload``: a workload file or Table; default the shipped sample."""
    with workload_path(workload, options.get("step_seconds")) as path:
        csv = _hearth.compare_csv(flags(workload=path, **options))
    return pd.read_csv(io.StringIO(csv), dtype={"servers_needed_by_seed": str, "reason": str})


@dataclass
class Simulation:
    """One policy on one fleet size.

    ``metrics``: the run's metrics (as ``hearth simulate --json`` writes them).
    Per step, numpy float32 arrays of the workload's length in steps:
    ``cpu_cores`` and ``memory_gib`` used over all servers,
    ``peak_cpu_utilisation`` (busiest server) and ``mean_cpu_utilisation``
    (mean of servers holding a VM), 1.0 = full.
    """

    metrics: Dict[str, Any]
    cpu_cores: np.ndarray
    memory_gib: np.ndarray
    peak_cpu_utilisation: np.ndarray
    mean_cpu_utilisation: np.ndarray


def simulate(policy: str, servers: int, workload: Workload = None, seed: int = 0, **options: Any) -> Simulation:
    """``hearth simulate --policy POLICY --servers N``: one run, with its per-step load."""
    with workload_path(workload, options.get("step_seconds")) as path:
        doc, cpu, mem, peak, mean = _hearth.simulate(
            flags(policy=policy, servers=servers, workload=path, seed=seed, **options)
        )
    return Simulation(json.loads(doc)["metrics"], cpu, mem, peak, mean)


from . import evict, fireplace  # noqa: E402  (they use run and workload_path above)
from .sweep import sweep  # noqa: E402
