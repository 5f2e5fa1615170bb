"""Workloads as Arrow tables: import, read, write back, refuse bad tables."""

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import hearth

PLANETLAB = "data/samples/planetlab"


def test_import_trace_returns_the_written_workload(tmp_path):
    out = tmp_path / "pl.parquet"
    table = hearth.import_trace("planetlab", PLANETLAB, out)
    assert out.exists()
    assert table.num_rows > 0
    assert table.column_names[:3] == ["id", "arrival_step", "departure_step"]
    assert table.schema.metadata[b"hearth.step_seconds"] == b"300"
    lengths = pc.list_value_length(table["cpu_usage_cores"])
    span = pc.subtract(table["departure_step"], table["arrival_step"])
    assert pc.all(pc.equal(pc.cast(lengths, pa.uint32()), span)).as_py()
    assert hearth.read_workload(out).equals(table)


def test_write_then_read_is_identical(tmp_path):
    table = hearth.import_trace("planetlab", PLANETLAB, tmp_path / "a.parquet")
    hearth.write_workload(table, tmp_path / "b.parquet")
    again = hearth.read_workload(tmp_path / "b.parquet")
    assert again.equals(table)
    assert again.schema.metadata == table.schema.metadata


def test_a_table_from_pandas_needs_only_the_step_length(tmp_path):
    table = hearth.import_trace("planetlab", PLANETLAB, tmp_path / "a.parquet")
    # tenant and vm_type are optional; pandas would turn their nulls into float NaN
    frame = table.drop_columns(["tenant", "vm_type"]).to_pandas()
    plain = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    with pytest.raises(hearth.HearthError, match="hearth.step_seconds"):
        hearth.write_workload(plain, tmp_path / "c.parquet")
    hearth.write_workload(plain, tmp_path / "c.parquet", step_seconds=300)
    assert hearth.read_workload(tmp_path / "c.parquet").num_rows == table.num_rows


def test_bad_tables_and_files_raise_with_the_reason(tmp_path):
    table = hearth.import_trace("planetlab", PLANETLAB, tmp_path / "a.parquet")
    bad = table.set_column(3, "cpu_request_cores", pa.array([-1.0] * table.num_rows, pa.float32()))
    with pytest.raises(hearth.HearthError):
        hearth.write_workload(bad, tmp_path / "bad.parquet")
    assert not (tmp_path / "bad.parquet").exists()
    with pytest.raises(hearth.HearthError, match="nope.parquet"):
        hearth.read_workload(tmp_path / "nope.parquet")
