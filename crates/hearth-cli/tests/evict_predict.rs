//! `hearth evict` with snapshot files and saved models, as a user runs it:
//! simulate --out, train --snapshots --out, predict; on simulated and on
//! hand-written snapshots; and the errors a user meets.

use std::path::PathBuf;
use std::process::{Command, Output};

fn hearth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .output()
        .expect("the hearth binary runs")
}

fn ok(args: &[&str]) -> String {
    let out = hearth(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {err}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn fails(args: &[&str]) -> String {
    let out = hearth(args);
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn tmp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("hearth-evict-predict-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).display().to_string()
}

fn handmade() -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../hearth-evict/tests/fixtures/handmade_snapshots.csv");
    p.display().to_string()
}

fn forecasts(path: &str) -> Vec<serde_json::Value> {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn simulate_train_predict_from_files() {
    let (snaps, model, json) = (tmp("s.parquet"), tmp("m.json"), tmp("f.json"));
    ok(&[
        "evict",
        "simulate",
        "--clusters",
        "2",
        "--nodes-per-cluster",
        "8",
        "--days",
        "5",
        "--out",
        &snaps,
    ]);
    let out = ok(&[
        "evict",
        "train",
        "--snapshots",
        &snaps,
        "--model",
        "gbdt",
        "--out",
        &model,
    ]);
    assert!(out.contains("saved gbdt (cluster level)"), "{out}");
    let out = ok(&[
        "evict",
        "predict",
        "--model",
        &model,
        "--snapshots",
        &snaps,
        "--json",
        &json,
    ]);
    assert!(out.contains("1970-01-06T00:00:00Z"), "{out}");
    let rows = forecasts(&json);
    assert_eq!(rows.len(), 2 * 3);
    for r in &rows {
        let (lo, rate, hi) = (
            r["lower"].as_f64().unwrap(),
            r["rate"].as_f64().unwrap(),
            r["upper"].as_f64().unwrap(),
        );
        assert!(0.0 <= lo && lo <= rate && rate <= hi && hi <= 1.0, "{r}");
    }
    assert_eq!(rows[2]["cluster"], "0");
    assert_eq!(rows[2]["horizon_h"], 3);
}

#[test]
fn the_transformer_trains_and_forecasts_on_the_hand_written_csv() {
    let (model, json) = (tmp("st.json"), tmp("st-f.json"));
    let csv = handmade();
    let budget = ["--nn-epochs", "1", "--max-st-windows", "8", "--nn-width", "8"];
    let mut args = vec![
        "evict",
        "train",
        "--snapshots",
        &csv,
        "--model",
        "st-transformer",
        "--out",
        &model,
    ];
    args.extend(budget);
    assert!(ok(&args).contains("saved st-transformer (node level)"));
    ok(&[
        "evict",
        "predict",
        "--model",
        &model,
        "--snapshots",
        &csv,
        "--json",
        &json,
    ]);
    let rows = forecasts(&json);
    assert_eq!(rows.len(), 2 * 3);
    assert_eq!(rows[0]["cluster"], "east-1");
    assert_eq!(rows[0]["as_of"], "2026-11-05T00:00:00Z");
    // eval reads the same file and reports interval coverage on the test hours.
    let out = ok(&["evict", "eval", "--snapshots", &csv, "--models", "last-rate,gbdt"]);
    assert!(out.contains("80% interval coverage"), "{out}");
}

#[test]
fn user_errors_are_clear() {
    let csv = handmade();
    let e = fails(&["evict", "run", "--snapshots", &csv, "--clusters", "3"]);
    assert!(e.contains("--clusters") && e.contains("cannot be used with"), "{e}");
    let e = fails(&["evict", "train", "--snapshots", &csv, "--out", &tmp("x.json")]);
    assert!(e.contains("--out saves one model"), "{e}");
    let e = fails(&["evict", "train", "--model", "gbdt", "--out", &tmp("x.json")]);
    assert!(e.contains("--snapshots"), "{e}");

    let bad = tmp("bad.csv");
    let text =
        std::fs::read_to_string(&csv)
            .unwrap()
            .replacen("east-1,e1-n0,1793491200,32", "east-1,e1-n0,1793491200,-32", 1);
    std::fs::write(&bad, text).unwrap();
    let e = fails(&["evict", "eval", "--snapshots", &bad]);
    assert!(e.contains("bad.csv: line 6: field `node_cores`"), "{e}");

    let model = tmp("m2.json");
    ok(&[
        "evict",
        "train",
        "--snapshots",
        &csv,
        "--model",
        "last-rate",
        "--out",
        &model,
    ]);
    std::fs::write(&model, "{\"model\": 3").unwrap();
    let e = fails(&["evict", "predict", "--model", &model, "--snapshots", &csv]);
    assert!(e.contains("m2.json"), "{e}");
}
