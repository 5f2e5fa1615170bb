"""FirePlace, the learned placement policy: ``hearth fireplace train|eval``.

Options are keyword arguments named as the command's (``vms=400``,
``dagger_rounds=1``, ``sample="openb"``; see ``hearth fireplace train --help``).
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Dict

import pandas as pd

from . import Workload, run, workload_path
from ._args import flags


def train(out: "os.PathLike[str] | str", workload: Workload = None, **options: Any) -> Dict[str, Any]:
    """Trains a model by imitating the hindsight teacher and saves it to ``out``
    (the file ``hearth compare --model`` and :func:`evaluate` take). Returns the
    saved model file's contents (format, payload, provenance with the training report)."""
    with workload_path(workload, options.get("step_seconds")) as path:
        run("fireplace", "train", *flags(workload=path, out=out, **options))
    with open(out, encoding="utf-8") as f:
        return json.load(f)


def evaluate(model: "os.PathLike[str] | str", workload: Workload = None, **options: Any) -> pd.DataFrame:
    """Servers needed by FirePlace, the heuristics and the teacher on held-out
    data, at each overload limit: one row per (overload_limit, policy,
    admission), the columns of ``hearth compare --csv`` plus ``overload_limit``
    (``servers_needed_by_seed`` is a list here)."""
    with tempfile.TemporaryDirectory(prefix="hearth-") as d, workload_path(workload) as path:
        report = os.path.join(d, "eval.json")
        run("fireplace", "eval", *flags(model=model, workload=path, json=report, **options))
        with open(report, encoding="utf-8") as f:
            doc = json.load(f)
    rows = [dict(r, overload_limit=t["overload_limit"]) for t in doc["tables"] for r in t["results"]]
    columns = [
        "overload_limit", "policy", "admission", "servers_needed", "overload_rate", "vm_overload_rate",
        "peak_to_average", "utilisation", "rejections", "evictions", "decisions_per_second",
        "servers_needed_by_seed", "reason",
    ]
    return pd.DataFrame(rows, columns=columns)
