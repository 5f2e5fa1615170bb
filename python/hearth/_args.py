"""Keyword arguments to `hearth` command-line arguments.

Every option of a command is a keyword argument of the function named for
it: ``overload_limit=0.02`` is ``--overload-limit 0.02``, ``True`` is a bare
flag, ``None`` and ``False`` leave the option out, a list or tuple is joined
with commas (``policies=["best-fit", "power-of-two"]``), a path is its text.
The command's own parser checks them, so errors read as on the command line.
"""

from __future__ import annotations

import os
from typing import Any, List


def flags(**options: Any) -> List[str]:
    """``--name value`` pairs, in the order given."""
    out: List[str] = []
    for name, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        if value is True:
            out.append(flag)
        elif isinstance(value, (list, tuple)):
            out += [flag, ",".join(str(v) for v in value)]
        else:
            out += [flag, os.fspath(value) if isinstance(value, os.PathLike) else str(value)]
    return out
