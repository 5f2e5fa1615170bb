//! Golden outputs: the JSON of `compare`, `simulate` and `evict run` at small
//! sizes, timings aside, byte for byte as checked in under `tests/golden/`.
//! They guard refactors that must keep behaviour (the move of the commands'
//! logic into library crates was made under this test). A change that means
//! to change results regenerates them with `HEARTH_BLESS=1 cargo test -p
//! hearth-cli --test golden` and says why in its commit.

mod common;

use common::{ok, s, tmp, without_timings, OPENB_FLEET, SMALL_EVICT};
use std::path::PathBuf;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden")).join(name)
}

/// Runs `args` with `--json OUT` and compares OUT, scrubbed of timings and
/// pretty-printed, with the golden file `name`.
fn check(name: &str, args: &[&str]) {
    let out = tmp(name);
    ok(&[args, &["--json", s(&out)]].concat());
    compare_with_golden(name, &out);
}

/// Compares the JSON file `out`, scrubbed of timings and pretty-printed,
/// with the golden file `name` (or writes it, with `HEARTH_BLESS`).
fn compare_with_golden(name: &str, out: &std::path::Path) {
    let mut got = serde_json::to_string_pretty(&without_timings(out)).unwrap();
    got.push('\n');
    let path = golden(name);
    if std::env::var_os("HEARTH_BLESS").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with HEARTH_BLESS=1 to create it", path.display()));
    if got != want {
        let line = got.lines().zip(want.lines()).position(|(g, w)| g != w);
        panic!(
            "{name}: output differs from {} (first at line {}); got:\n{got}",
            path.display(),
            line.map_or("end".into(), |l| (l + 1).to_string())
        );
    }
}

#[test]
fn compare_is_unchanged() {
    let policies = ["--policies", "power-of-two,best-fit,worst-fit,teacher", "--seeds", "2"];
    check(
        "compare.json",
        &[&["compare"][..], &OPENB_FLEET, &policies, &["--admission", "both"]].concat(),
    );
}

#[test]
fn simulate_is_unchanged() {
    let run = [
        "simulate",
        "--policy",
        "best-fit",
        "--servers",
        "30",
        "--admission",
        "requests",
    ];
    let names = ["loads.csv", "placements.csv", "evictions.csv"];
    let files = names.map(|n| tmp(&format!("simulate-{n}")));
    let logs = [
        "--step-loads",
        s(&files[0]),
        "--placements",
        s(&files[1]),
        "--evictions",
        s(&files[2]),
    ];
    check("simulate.json", &[&run[..], &OPENB_FLEET, &logs].concat());
    // The CSV files are large: their line counts and FNV-1a hashes stand for them.
    let digests: serde_json::Map<String, serde_json::Value> = (names.iter().zip(&files))
        .map(|(n, f)| {
            let bytes = std::fs::read(f).unwrap();
            let lines = bytes.iter().filter(|&&b| b == b'\n').count();
            (
                n.to_string(),
                serde_json::json!({"lines": lines, "fnv1a64": format!("{:016x}", fnv1a64(&bytes))}),
            )
        })
        .collect();
    let digests_path = tmp("simulate_files.json");
    std::fs::write(&digests_path, serde_json::to_vec(&digests).unwrap()).unwrap();
    compare_with_golden("simulate_files.json", &digests_path);
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

#[test]
fn evict_run_is_unchanged() {
    let models = ["--models", "linear,random-forest,gbdt"];
    check(
        "evict_run.json",
        &[&["evict", "run"][..], &SMALL_EVICT, &models].concat(),
    );
}
