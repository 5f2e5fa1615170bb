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
