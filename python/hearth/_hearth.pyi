"""The compiled half of hearth (crates/hearth-py): each function runs the
code of the ``hearth`` command it is named for. Arguments are that command's
arguments (``["--policies", "best-fit", "--seed", "1"]``), parsed by its own
parser; errors raise :class:`HearthError` with the command line's message.
The GIL is released while hearth runs; a panic is raised as HearthError."""

from os import PathLike
from typing import List, Optional, Tuple, Union

import numpy as np
import numpy.typing as npt
import pyarrow as pa

__version__: str

class HearthError(Exception):
    """Bad input or a failed run, with the message ``hearth`` prints after ``error:``
    (files named with line or row and field). An internal error (a bug) says so."""

def read_workload(path: Union[str, PathLike[str]], step_seconds: Optional[int] = None) -> pa.Table:
    """Reads a workload file (what ``hearth trace info`` reads) into one table.

    Columns (one row per VM, ids 0..n in arrival order): id, arrival_step,
    departure_step (uint32, steps; the VM runs arrival..departure),
    cpu_request_cores, memory_request_gib (float32), priority ("on-demand" or
    "spot"), tenant, vm_type (uint32, null where the trace has none),
    cpu_usage_cores, memory_usage_gib (list<float32>, one value per step of
    the VM's life). Schema metadata: hearth.schema_version, hearth.step_seconds
    (seconds per step), hearth.observed_from_step, hearth.provenance (JSON).

    ``step_seconds`` is needed only for a file without hearth.step_seconds.
    Raises HearthError naming the file, row and column of bad input."""

def write_workload(table: pa.Table, path: Union[str, PathLike[str]], step_seconds: Optional[int] = None) -> None:
    """Checks ``table`` as a workload (the columns of :func:`read_workload`;
    the types pandas, polars and Spark use are accepted, as on reading a
    file) and writes it as hearth's workload file, atomically. The step
    length comes from the schema metadata hearth.step_seconds, else
    ``step_seconds``. Raises HearthError naming the row and column of bad
    input ("the table" in place of a file name)."""

def run_command(args: List[str]) -> None:
    """Runs ``hearth ARGS`` as the binary does, printing what it prints."""

def compare_csv(args: List[str]) -> str:
    """``hearth compare ARGS`` without its table: the results as the text
    ``--csv`` writes (header, then one row per policy and admission mode).
    ``--json`` and ``--csv`` in ARGS are written as by the command."""

def simulate(
    args: List[str],
) -> Tuple[str, npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """``hearth simulate ARGS``: the run as JSON ({workload, admission, seed,
    metrics}), then arrays with one value per step of the workload: CPU cores
    and memory GiB used over all servers, CPU utilisation of the busiest
    server and the mean over servers holding a VM (1.0 = full)."""
