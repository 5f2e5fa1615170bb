//! The `hearth` binary end to end, as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn hearth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .output()
        .expect("the hearth binary runs")
}

fn sample(rel: &str) -> String {
    format!("{}/../../data/samples/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hearth-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn compare_on_the_embedded_sample_writes_json_and_csv() {
    let (json, csv) = (tmp("r.json"), tmp("r.csv"));
    let out = hearth(&[
        "compare",
        "--policies",
        "random,power-of-two,first-fit",
        "--admission",
        "both",
        "--json",
        json.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.contains("power-of-two") && table.contains("requests"), "{table}");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(doc["overload_limit"], 0.01);
    assert_eq!(doc["seed"], 0);
    // The default: two days of the shipped Azure zone sample, in real time.
    assert!(doc["workload"]["vms"].as_u64().unwrap() > 10_000, "{}", doc["workload"]);
    let bound = doc["lower_bound"]["servers"].as_u64().unwrap();
    assert!(bound > 0, "{}", doc["lower_bound"]);
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    for r in results {
        for key in [
            "policy",
            "servers_needed",
            "overload_rate",
            "peak_to_average",
            "utilisation",
            "rejections",
        ] {
            assert!(r.get(key).is_some(), "result lacks {key}: {r}");
        }
        assert!(r["decisions_per_second"].as_f64().unwrap() > 0.0);
        match r["servers_needed"].as_u64() {
            Some(n) => assert!(n > 0 && r["overload_rate"].as_f64().unwrap() <= 0.01),
            None => assert!(r["reason"].as_str().unwrap().contains("limit")),
        }
    }
    let csv_text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(csv_text.lines().count(), 7);
    assert!(csv_text.starts_with("policy,admission,servers_needed"));
}

#[test]
fn import_info_and_compare_a_staggered_planetlab_workload() {
    let (imported, staggered) = (tmp("pl.parquet"), tmp("pl-stagger.parquet"));
    let out = hearth(&[
        "trace",
        "import",
        "planetlab",
        &sample("planetlab"),
        "-o",
        imported.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = hearth(&["trace", "info", imported.to_str().unwrap()]);
    assert!(text(&out.stdout).contains("250"), "{}", text(&out.stdout));
    let out = hearth(&[
        "trace",
        "stagger",
        imported.to_str().unwrap(),
        "--vms",
        "2000",
        "--seed",
        "3",
        "-o",
        staggered.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = hearth(&[
        "compare",
        "--workload",
        staggered.to_str().unwrap(),
        "--policies",
        "power-of-two",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("power-of-two"));
}

#[test]
fn corrupted_input_names_file_line_and_field() {
    let bad = tmp("bad_pod_list.csv");
    let good = std::fs::read_to_string(sample("alibaba-openb-2023/openb_pod_list_default.csv")).unwrap();
    let mut lines: Vec<&str> = good.lines().take(10).collect();
    lines[4] = "openb-pod-0003,12x00,16384,1,1000,,LS,Running,0,12537496,0";
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let out = hearth(&[
        "trace",
        "import",
        "alibaba-openb",
        bad.to_str().unwrap(),
        "-o",
        tmp("x.parquet").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("bad_pod_list.csv:5") && err.contains("cpu_milli"), "{err}");
    assert!(!Path::new(&tmp("x.parquet")).exists(), "no output on failure");
    let skipped = hearth(&[
        "trace",
        "import",
        "alibaba-openb",
        bad.to_str().unwrap(),
        "--on-bad-row",
        "skip",
        "-o",
        tmp("y.parquet").to_str().unwrap(),
    ]);
    assert!(skipped.status.success(), "{}", text(&skipped.stderr));
    assert!(
        text(&skipped.stderr).contains("skipped 1 bad rows"),
        "{}",
        text(&skipped.stderr)
    );
}

#[test]
fn unknown_policy_and_bad_options_are_clear_errors() {
    let out = hearth(&["compare", "--policies", "best-fti"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("unknown policy \"best-fti\""),
        "{}",
        text(&out.stderr)
    );
    let out = hearth(&["compare", "--overload-limit", "1.5"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--overload-limit"), "{}", text(&out.stderr));
}

#[test]
fn dslab_iaas_benchmark_places_every_vm() {
    let out = hearth(&["bench", "dslab-iaas", "--vms", "5000", "--hosts", "500"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("placed 5000 / rejected 0"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn fleets_from_the_openb_node_list_and_requests_admission() {
    let out = hearth(&[
        "compare",
        "--policies",
        "best-fit",
        "--admission",
        "requests",
        "--nodes",
        "embedded",
        "--cpu-oversub",
        "1.5",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("node list embedded"),
        "{}",
        text(&out.stderr)
    );
    let nodes = sample("alibaba-openb-2023/openb_node_list_all_node.csv");
    let out = hearth(&["compare", "--policies", "best-fit", "--nodes", &nodes]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = hearth(&["compare", "--policies", "best-fit", "--nodes", "/nonexistent/nodes.csv"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("/nonexistent/nodes.csv"),
        "{}",
        text(&out.stderr)
    );
}
