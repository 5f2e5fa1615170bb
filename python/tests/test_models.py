"""FirePlace and eviction models: train, save, evaluate, predict."""

import json

import pandas as pd
import pyarrow as pa

import hearth

SNAPSHOTS = "crates/hearth-evict/tests/fixtures/handmade_snapshots.csv"


def test_fireplace_train_then_evaluate(tmp_path):
    model = tmp_path / "fp.json"
    saved = hearth.fireplace.train(model, sample="openb", vms=400, dagger_rounds=1)
    assert saved["format"] == "hearth-fireplace-model"
    df = hearth.fireplace.evaluate(model, sample="openb", vms=400, seeds=1, limits=[0.01])
    assert "fireplace" in set(df["policy"])
    assert (df["overload_limit"] == 0.01).all()


def test_evict_train_on_a_table_then_predict(tmp_path):
    frame = pd.read_csv(SNAPSHOTS, comment="#")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    out = tmp_path / "m.json"
    saved = hearth.evict.train(table, "linear", out)
    assert "linear" in json.dumps(saved)
    assert (tmp_path / "m.json.snapshots.parquet").exists()
    f = hearth.evict.predict(out, table)
    assert list(f.columns) == ["cluster", "as_of", "horizon_h", "rate", "lower", "upper"]
    assert sorted(set(f["horizon_h"])) == [1, 2, 3]
    assert ((f["lower"] <= f["rate"]) & (f["rate"] <= f["upper"])).all()
    assert f["cluster"].nunique() == frame["cluster"].nunique()
