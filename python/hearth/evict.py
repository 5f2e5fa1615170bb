"""Spot eviction prediction on hourly node snapshots: ``hearth evict train|predict``.

Snapshots are a path (Parquet, or CSV when the name ends in .csv) or a pyarrow
Table with the snapshot schema of the README ("Eviction snapshots and
models"): cluster, node, hour_start_utc_s, node_cores, ... spot_vm_ran_count.
A Table is written to Parquet and read by hearth's reader, so a bad row is
reported as for a file, by row group and row.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Union

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import run
from ._args import flags

Snapshots = Union[str, "os.PathLike[str]", pa.Table]


@contextmanager
def _snapshot_path(snapshots: Snapshots, keep_as: "str | None" = None) -> Iterator[str]:
    if not isinstance(snapshots, pa.Table):
        yield os.fspath(snapshots)
        return
    if keep_as is not None:  # kept: the saved model names the file and its SHA-256
        pq.write_table(snapshots, keep_as)
        yield keep_as
        return
    with tempfile.TemporaryDirectory(prefix="hearth-") as d:
        path = os.path.join(d, "snapshots.parquet")
        pq.write_table(snapshots, path)
        yield path


def train(snapshots: Snapshots, model: str, out: "os.PathLike[str] | str", **options: Any) -> Dict[str, Any]:
    """Fits one model (``linear``, ``svr``, ``random-forest``, ``gbdt``,
    ``last-rate``, ``window-mean``; ``lstm`` and ``st-transformer`` when built
    with the ``nn`` feature) on the first 70% of the hours, calibrates its 80%
    interval on the next 10% and saves it to ``out``. A Table is kept beside
    the model as ``<out>.snapshots.parquet``, the file its provenance names.
    Returns the saved model file's contents."""
    keep = os.fspath(out) + ".snapshots.parquet"
    with _snapshot_path(snapshots, keep_as=keep) as path:
        run("evict", "train", *flags(snapshots=path, model=model, out=out, **options))
    with open(out, encoding="utf-8") as f:
        return json.load(f)


def predict(model: "os.PathLike[str] | str", snapshots: Snapshots) -> pd.DataFrame:
    """Each cluster's eviction rate +1, +2, +3 h after its last snapshot hour:
    columns cluster, as_of (UTC), horizon_h, rate, lower, upper (the 80% interval),
    rates as evicted / spot VMs that ran."""
    with tempfile.TemporaryDirectory(prefix="hearth-") as d, _snapshot_path(snapshots) as path:
        out = os.path.join(d, "forecast.json")
        run("evict", "predict", *flags(model=model, snapshots=path, json=out))
        with open(out, encoding="utf-8") as f:
            rows = json.load(f)
    return pd.DataFrame(rows, columns=["cluster", "as_of", "horizon_h", "rate", "lower", "upper"])
