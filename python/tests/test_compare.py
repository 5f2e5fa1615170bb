"""compare and simulate: the CLI's results as pandas and numpy."""

import numpy as np
import pandas as pd
import pytest

import hearth

POLICIES = ["power-of-two", "worst-fit"]  # both meet the limit on the default workload


def test_compare_has_the_columns_and_values_of_the_cli_csv(tmp_path):
    df = hearth.compare(policies=POLICIES, seeds=2)
    hearth.run("compare", "--policies", ",".join(POLICIES), "--seeds", "2", "--csv", str(tmp_path / "r.csv"))
    cli = pd.read_csv(tmp_path / "r.csv", dtype={"servers_needed_by_seed": str, "reason": str})
    assert list(df.columns) == list(cli.columns)
    assert list(df["policy"]) == POLICIES
    timing = ["decisions_per_second"]
    pd.testing.assert_frame_equal(df.drop(columns=timing), cli.drop(columns=timing))
    assert (df["servers_needed"] > 0).all()
    assert (df["overload_rate"] <= 0.01).all()


def test_compare_on_a_table_workload(tmp_path):
    table = hearth.import_trace("bitbrains", "data/samples/bitbrains-rnd", tmp_path / "bb.parquet")
    staggered = tmp_path / "s.parquet"
    hearth.run("trace", "stagger", str(tmp_path / "bb.parquet"), "--vms", "300", "--mean-lifetime-hours", "2",
               "--seed", "1", "-o", str(staggered))
    df = hearth.compare(hearth.read_workload(staggered), policies=["worst-fit"])
    assert list(df["policy"]) == ["worst-fit"]
    # An answer, or the reason there is none: never a silent gap.
    assert df["servers_needed"].iloc[0] > 0 or isinstance(df["reason"].iloc[0], str)
    assert table.num_rows > 0


def test_errors_carry_the_cli_message():
    with pytest.raises(hearth.HearthError, match="--overload-limit must be within"):
        hearth.compare(overload_limit=1.5)
    with pytest.raises(hearth.HearthError, match="best-fti"):
        hearth.compare(policies=["best-fti"])
    with pytest.raises(hearth.HearthError, match="unexpected argument"):
        hearth.compare(no_such_option=1)


def test_simulate_gives_metrics_and_per_step_arrays():
    df = hearth.compare(policies=["worst-fit"])
    n = int(df["servers_needed"].iloc[0])
    sim = hearth.simulate("worst-fit", n)
    assert sim.metrics["servers"] == n
    assert sim.metrics["overload_rate"] <= 0.01
    steps = len(sim.cpu_cores)
    assert steps > 500  # two days of 5-minute steps
    for a in (sim.memory_gib, sim.peak_cpu_utilisation, sim.mean_cpu_utilisation):
        assert a.dtype == np.float32 and len(a) == steps
    assert (sim.peak_cpu_utilisation >= sim.mean_cpu_utilisation - 1e-6).all()
    assert sim.cpu_cores.max() > 0
