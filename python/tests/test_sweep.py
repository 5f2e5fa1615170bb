"""hearth.sweep on a local Ray: 12 cells as tasks, resumed, a failing cell recorded."""

import os

import pytest

import importlib

import hearth

sw = importlib.import_module("hearth.sweep")  # the module; `hearth.sweep` is its function

GRID = {
    # openb arrivals time-scaled into a day on 16-core servers: hearth's first default
    "workloads": {"openb": {"sample": "openb", "server_cores": 16, "server_memory_gib": 64}},
    "policies": ["power-of-two", "best-fit"],
    "seeds": [0, 1],
    "limits": [0.01, 0.02, 0.05],
}


def files(out):
    return sorted(f for _, _, fs in os.walk(out) for f in fs if f.endswith(".parquet"))


def test_grid_cells_are_the_product():
    cells = sw.cells(GRID)
    assert len(cells) == 12
    assert len({c.id for c in cells}) == 12
    with pytest.raises(ValueError, match="policies"):
        sw.cells({"seeds": [0]})
    with pytest.raises(ValueError, match="unknown key"):
        sw.cells({**GRID, "sedes": [1]})


def test_sweep_runs_twelve_cells_then_resumes_and_records_a_failure(tmp_path):
    out = tmp_path / "results"
    df = hearth.sweep(GRID, out=out, num_cpus=2, quiet=True)
    assert df["cell"].nunique() == 12
    assert (df["status"] == "ok").all()
    assert set(df["policy"]) == {"power-of-two", "best-fit"} and set(df["workload"]) == {"openb"}
    assert (df["servers_needed"] > 0).all()
    first = files(out)
    assert len(first) == 12
    mtimes = {f: os.path.getmtime(os.path.join(r, f)) for r, _, fs in os.walk(out) for f in fs}

    # Resume: nothing to run, nothing rewritten.
    again = hearth.sweep(GRID, out=out, num_cpus=2, quiet=True)
    assert len(again) == len(df)
    assert {f: os.path.getmtime(os.path.join(r, f)) for r, _, fs in os.walk(out) for f in fs} == mtimes

    # A cell that fails (an unknown policy) is retried, recorded, and does not stop the others.
    grid = {**GRID, "policies": ["best-fit", "no-such-policy"], "limits": [0.01]}
    mixed = hearth.sweep(grid, out=out, num_cpus=2, retries=1, quiet=True)
    failed = mixed[mixed["status"] == "failed"]
    assert set(failed["policy"]) == {"no-such-policy"}
    assert (failed["attempts"] == 2).all()
    assert failed["error"].str.contains("no-such-policy").all()
    assert mixed.loc[mixed["status"] == "ok", "cell"].nunique() == 12


def test_cli_sweep_runs_the_same_code(tmp_path):
    grid = tmp_path / "grid.toml"
    grid.write_text('policies = ["best-fit"]\nseeds = [0]\n[workloads]\nopenb = { sample = "openb", '
                    'server_cores = 16, server_memory_gib = 64 }\n')
    assert sw.main([str(grid), "--out", str(tmp_path / "r"), "--num-cpus", "1"]) == 0
    assert len(files(tmp_path / "r")) == 1
