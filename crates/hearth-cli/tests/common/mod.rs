//! Running the `hearth` binary as a user does, for the CLI test files.
#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Arguments that train a FirePlace model on 400 openb VMs; add `--out FILE`.
pub const TINY_TRAIN: [&str; 8] = [
    "fireplace",
    "train",
    "--sample",
    "openb",
    "--vms",
    "400",
    "--dagger-rounds",
    "1",
];

/// The openb sample on 16-core, 64-GiB servers (hearth's first default fleet).
pub const OPENB_FLEET: [&str; 6] = ["--sample", "openb", "--server-cores", "16", "--server-memory-gib", "64"];

/// A small eviction scenario: 2 clusters of 8 nodes over 4 days, seed 5.
pub const SMALL_EVICT: [&str; 8] = [
    "--clusters",
    "2",
    "--nodes-per-cluster",
    "8",
    "--days",
    "4",
    "--seed",
    "5",
];

/// Runs `hearth` from the repository root, as the README runs it (default
/// sample paths are relative).
pub fn hearth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("the hearth binary runs")
}

/// Runs `hearth`, asserts success, returns stdout.
pub fn ok(args: &[&str]) -> String {
    let out = hearth(args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// A path in a directory of this test binary and process.
pub fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hearth-{}-{}", env!("CARGO_CRATE_NAME"), std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The JSON with every timing removed (keys naming seconds, rates per
/// second, microseconds or elapsed time).
pub fn without_timings(path: &Path) -> serde_json::Value {
    fn scrub(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                let timing = |k: &str| {
                    ["seconds", "per_second", "elapsed", "_us", "_ms"]
                        .iter()
                        .any(|t| k.contains(t))
                };
                map.retain(|k, _| !timing(k));
                map.values_mut().for_each(scrub);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(scrub),
            _ => {}
        }
    }
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    scrub(&mut v);
    v
}
