//! Every subcommand at a tiny size, as a user runs it, and every invalid
//! argument: a non-zero exit and a message that names the argument.

mod common;

use common::{hearth, ok, s, text, tmp, TINY_TRAIN};
use std::path::{Path, PathBuf};

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A FirePlace model trained on 400 openb VMs.
fn tiny_model(name: &str) -> PathBuf {
    let model = tmp(name);
    ok(&[&TINY_TRAIN[..], &["--out", s(&model)]].concat());
    model
}

#[test]
fn fireplace_train_then_eval() {
    let model = tiny_model("fp.json");
    let doc = json(&model);
    assert_eq!(doc["format"], "hearth-fireplace-model");
    assert_eq!(doc["payload"]["k"], 2);
    let report = tmp("fp-eval.json");
    let eval = [
        "fireplace",
        "eval",
        "--sample",
        "openb",
        "--vms",
        "400",
        "--seeds",
        "1",
        "--limits",
        "0.01",
    ];
    let args = [
        "--model",
        s(&model),
        "--policies",
        "power-of-two,fireplace",
        "--json",
        s(&report),
    ];
    let table = ok(&[&eval[..], &args].concat());
    assert!(table.contains("fireplace") && table.contains("power-of-two"), "{table}");
    let doc = json(&report);
    let text = doc.to_string();
    assert!(
        text.contains("\"fireplace\"") && text.contains("servers_needed"),
        "{text}"
    );
}

#[test]
fn fireplace_eval_refuses_a_corrupt_model() {
    let model = tiny_model("fp-corrupt.json");
    let mut bytes = std::fs::read(&model).unwrap();
    let at = bytes.iter().rposition(|b| (b'1'..=b'8').contains(b)).unwrap();
    bytes[at] += 1;
    std::fs::write(&model, bytes).unwrap();
    let out = hearth(&[
        "fireplace",
        "eval",
        "--model",
        s(&model),
        "--sample",
        "openb",
        "--vms",
        "400",
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("fp-corrupt.json") && err.contains("corrupt"), "{err}");
}

#[test]
fn evict_run_at_a_tiny_size() {
    let report = tmp("evict.json");
    let size = ["--clusters", "2", "--nodes-per-cluster", "8", "--days", "4"];
    let args = ["--models", "linear,random-forest", "--json", s(&report)];
    let table = ok(&[&["evict", "run"][..], &size, &args].concat());
    assert!(table.contains("random-forest") && table.contains("linear"), "{table}");
    let text = json(&report).to_string();
    assert!(text.contains("random-forest") && text.contains("rmse"), "{text}");
}

#[test]
fn evict_forecast_on_the_shipped_skypilot_sample() {
    let report = tmp("forecast.json");
    let table = ok(&["evict", "forecast", "--models", "linear", "--json", s(&report)]);
    assert!(table.contains("linear"), "{table}");
    assert!(json(&report).to_string().contains("linear"));
}

#[test]
fn bench_sim_and_decision_at_tiny_sizes() {
    let out = ok(&["bench", "sim", "--vms", "2000", "--days", "0.2"]);
    assert!(
        out.contains("VM-steps per second") && out.contains("rejections"),
        "{out}"
    );
    let model = tiny_model("fp-bench.json");
    let out = ok(&["bench", "decision", "--model", s(&model), "--vms", "1000", "--k", "2"]);
    assert!(out.contains("k = 2: 1000 decisions") && out.contains("p99"), "{out}");
}

#[test]
fn simulate_writes_consistent_step_loads_placements_and_evictions() {
    let (m, loads, placements, evictions) = (tmp("sim.json"), tmp("loads.csv"), tmp("p.csv"), tmp("ev.csv"));
    let run = [
        "simulate",
        "--sample",
        "openb",
        "--policy",
        "best-fit",
        "--servers",
        "30",
    ];
    let outs = ["--admission", "requests", "--json", s(&m), "--step-loads", s(&loads)];
    ok(&[
        &run[..],
        &outs,
        &["--placements", s(&placements), "--evictions", s(&evictions)],
    ]
    .concat());
    let metrics = &json(&m)["metrics"];
    let rows = |p: &Path| {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .skip(1)
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let placed = rows(&placements).iter().filter(|r| !r.ends_with(',')).count() as u64;
    // A VM evicted and placed again is placed twice; its final server is the one listed.
    assert!(placed <= metrics["placed"].as_u64().unwrap(), "{metrics}");
    assert_eq!(
        rows(&placements).len() as u64 - placed,
        metrics["rejections"].as_u64().unwrap()
    );
    assert_eq!(rows(&evictions).len() as u64, metrics["evictions"].as_u64().unwrap());
    assert!(
        metrics["evictions"].as_u64().unwrap() > 0,
        "the tiny fleet must evict: {metrics}"
    );
    let peak_cpu = rows(&loads)
        .iter()
        .map(|r| r.split(',').nth(1).unwrap().parse::<f64>().unwrap())
        .fold(0.0, f64::max);
    assert!(
        peak_cpu > 0.0 && peak_cpu <= 30.0 * 16.0 + 1e-3,
        "peak {peak_cpu} cores on 30 × 16"
    );
}

/// Each invalid argument: (arguments, text the error must contain).
const INVALID: &[(&[&str], &str)] = &[
    (&["compare", "--overload-limit", "1.5"], "--overload-limit"),
    (&["compare", "--seeds", "0"], "--seeds"),
    (&["compare", "--max-servers", "0"], "--max-servers"),
    (&["compare", "--policies", "best-fti"], "unknown policy \"best-fti\""),
    (&["compare", "--policies", "fireplace"], "needs a trained model"),
    (&["compare", "--server-cores", "0"], "--server-cores"),
    (&["compare", "--cpu-oversub", "0.5"], "--cpu-oversub"),
    (&["compare", "--overload-threshold", "0"], "--overload-threshold"),
    (&["compare", "--admission", "sometimes"], "--admission"),
    (
        &["compare", "--model", "/nonexistent/m.json", "--policies", "fireplace"],
        "/nonexistent/m.json",
    ),
    (
        &["compare", "--workload", "/nonexistent/w.parquet"],
        "/nonexistent/w.parquet",
    ),
    (&["compare", "--nodes", "azure-packing:99"], "99"),
    (&["simulate", "--policy", "best-fit", "--servers", "0"], "--servers"),
    (
        &[
            "simulate",
            "--policy",
            "best-fit",
            "--servers",
            "4",
            "--admission",
            "both",
        ],
        "one admission",
    ),
    (&["simulate", "--policy", "nope", "--servers", "4"], "unknown policy"),
    (
        &["fireplace", "eval", "--model", "/nonexistent/m.json"],
        "/nonexistent/m.json",
    ),
    (
        &["fireplace", "train", "--out", "/tmp/x.json", "--admission", "both"],
        "pick one --admission",
    ),
    (&["bench", "sim", "--vms", "0"], "--vms"),
    (
        &[
            "trace",
            "import",
            "planetlab",
            "/nonexistent/dir",
            "-o",
            "/tmp/x.parquet",
        ],
        "/nonexistent/dir",
    ),
    (
        &[
            "trace",
            "import",
            "planetlab",
            "data/samples/planetlab",
            "--step-seconds",
            "0",
            "-o",
            "/tmp/x.parquet",
        ],
        "--step-seconds",
    ),
    (
        &[
            "trace",
            "import",
            "no-such-format",
            "data/samples/planetlab",
            "-o",
            "/tmp/x.parquet",
        ],
        "no-such-format",
    ),
    (&["evict", "run", "--models", "nope"], "nope"),
];

#[test]
fn every_invalid_argument_exits_non_zero_with_a_message() {
    for (args, expected) in INVALID {
        let out = hearth(args);
        let err = text(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(err.contains(expected), "{args:?}: expected {expected:?} in {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}
