//! The `nn` cargo feature: a build without burn says which feature a neural
//! model needs, and `all` announces what it leaves out; a build with it runs
//! them. CI runs this file both ways (README's test command).

mod common;
use common::{hearth, ok, s, text, tmp};
use hearth_evict::models::HAS_NN;

fn handmade() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../hearth-evict/tests/fixtures/handmade_snapshots.csv"
    )
    .to_string()
}

#[test]
fn a_neural_model_needs_the_nn_feature_or_runs() {
    let out = tmp("lstm.json");
    let snapshots = handmade();
    let args = [
        "evict",
        "train",
        "--snapshots",
        &snapshots,
        "--model",
        "lstm",
        "--nn-epochs",
        "1",
        "--out",
        s(&out),
    ];
    let run = hearth(&args);
    if HAS_NN {
        assert!(run.status.success(), "{}", text(&run.stderr));
        assert!(out.exists());
    } else {
        assert!(!run.status.success());
        let err = text(&run.stderr);
        assert!(err.contains("lstm") && err.contains("--features nn"), "{err}");
        assert!(!out.exists());
    }
}

#[test]
fn all_says_what_this_build_leaves_out() {
    let snapshots = handmade();
    let run = hearth(&[
        "evict",
        "train",
        "--snapshots",
        &snapshots,
        "--models",
        "all",
        "--nn-epochs",
        "1",
    ]);
    let err = text(&run.stderr);
    assert!(run.status.success(), "{err}");
    assert_eq!(err.contains("leaves out lstm and st-transformer"), !HAS_NN, "{err}");
    let table = text(&run.stdout);
    assert!(table.contains("gbdt"), "{table}");
    assert_eq!(table.contains("lstm"), HAS_NN, "{table}");
}

#[test]
fn placement_never_needs_it() {
    let table = ok(&[
        "simulate",
        "--sample",
        "openb",
        "--policy",
        "best-fit",
        "--servers",
        "30",
    ]);
    assert!(table.contains("overload"), "{table}");
}

#[test]
fn forecast_refresh_is_an_option_recorded_with_the_run() {
    let refused = hearth(&[
        "simulate",
        "--policy",
        "power-of-two",
        "--servers",
        "3",
        "--forecast-refresh-steps",
        "0",
    ]);
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("--forecast-refresh-steps"));
    if !HAS_NN {
        return;
    }
    let planetlab = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/samples/planetlab");
    let (imported, workload, model, json) = (
        tmp("refresh-pl.parquet"),
        tmp("refresh-w.parquet"),
        tmp("refresh-tcn.hnn"),
        tmp("refresh.json"),
    );
    ok(&["trace", "import", "planetlab", planetlab, "-o", s(&imported)]);
    ok(&[
        "trace",
        "stagger",
        s(&imported),
        "--vms",
        "300",
        "--seed",
        "1",
        "-o",
        s(&workload),
    ]);
    let tiny = ["--epochs", "1", "--width", "4", "--max-windows", "200"];
    let mut train = vec!["forecast", "train", "--model", "tcn", "--workload", s(&workload)];
    train.extend(tiny);
    train.extend(["--out", s(&model)]);
    ok(&train);
    ok(&[
        "simulate",
        "--workload",
        s(&workload),
        "--policy",
        "forecast-tcn",
        "--model",
        s(&model),
        "--servers",
        "40",
        "--forecast-refresh-steps",
        "6",
        "--json",
        s(&json),
    ]);
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(doc["forecast_refresh_steps"], 6, "{doc}");
    assert_eq!(doc["metrics"]["policy"], "forecast-tcn", "{doc}");
}
