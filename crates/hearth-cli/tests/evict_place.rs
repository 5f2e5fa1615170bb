//! `hearth evict place` as a user runs it: a model trained on one seed's
//! snapshots routes spot VMs on another seed's region; and the errors.

mod common;

use common::*;

const SMALL: [&str; 6] = ["--clusters", "2", "--nodes-per-cluster", "8", "--days", "5"];

fn with<'a>(head: &[&'a str], tail: &[&'a str]) -> Vec<&'a str> {
    head.iter().chain(SMALL.iter()).chain(tail).copied().collect()
}

#[test]
fn place_every_router_and_rule_at_equal_load() {
    let (snaps, model, json) = (tmp("s.parquet"), tmp("m.json"), tmp("place.json"));
    ok(&with(&["evict", "simulate"], &["--seed", "5", "--out", s(&snaps)]));
    ok(&[
        "evict",
        "train",
        "--snapshots",
        s(&snaps),
        "--model",
        "gbdt",
        "--out",
        s(&model),
    ]);
    let out = ok(&with(
        &["evict", "place"],
        &[
            "--seed",
            "6",
            "--node-rules",
            "best-fit,spot-shield",
            "--model",
            s(&model),
            "--json",
            s(&json),
        ],
    ));
    assert!(out.contains("evictions / 1,000 spot VM-h"), "{out}");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let outcomes = doc["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 6);
    let offered = &outcomes[0]["spot_vms_offered"];
    assert!(offered.as_u64().unwrap() > 0);
    for o in outcomes {
        assert_eq!(&o["spot_vms_offered"], offered);
        assert_eq!(o["on_demand_vms_offered"], outcomes[0]["on_demand_vms_offered"]);
    }
    let ea = outcomes.iter().find(|o| o["router"] == "eviction-aware").unwrap();
    assert!(ea["forecast_hours"].as_u64().unwrap() > 0, "{ea}");
    let trained_on = doc["model"]["trained_on"]["snapshot_file"].as_str().unwrap();
    assert!(trained_on.ends_with("s.parquet"), "{trained_on}");
    assert_eq!(doc["model"]["model"], "gbdt");
}

#[test]
fn place_errors_name_the_problem() {
    let out = hearth(&with(&["evict", "place"], &["--routers", "eviction-aware"]));
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("needs --model FILE"),
        "{}",
        text(&out.stderr)
    );
    let bad = tmp("bad-model.json");
    std::fs::write(&bad, "{\"not\": \"a model\"}").unwrap();
    let out = hearth(&with(&["evict", "place"], &["--model", s(&bad)]));
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("loading the eviction model") && err.contains("bad-model.json"),
        "{err}"
    );
    let out = hearth(&with(
        &["evict", "place"],
        &["--routers", "random", "--policy", "power-of-two"],
    ));
    assert!(
        text(&out.stderr).contains("policy power-of-two reads measured usage"),
        "{}",
        text(&out.stderr)
    );
    let out = hearth(&with(&["evict", "place"], &["--routers", "cheapest"]));
    assert!(
        text(&out.stderr).contains("unknown router \"cheapest\""),
        "{}",
        text(&out.stderr)
    );
}
