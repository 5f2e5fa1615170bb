//! The same command run twice, in separate processes, gives identical
//! outputs apart from timings: decisions, step loads, evictions, models.

mod common;

use common::{ok, s, tmp, without_timings, OPENB_FLEET, SMALL_EVICT, TINY_TRAIN};
use std::path::{Path, PathBuf};

/// Runs `make(i)` for i in 0 and 1, each writing the files it names.
fn twice(names: &[&str], make: impl Fn(&[PathBuf])) -> [Vec<PathBuf>; 2] {
    [0, 1].map(|i| {
        let paths: Vec<PathBuf> = names.iter().map(|n| tmp(&format!("{i}-{n}"))).collect();
        make(&paths);
        paths
    })
}

fn assert_same_json(a: &Path, b: &Path) {
    assert_eq!(
        without_timings(a),
        without_timings(b),
        "{} vs {}",
        a.display(),
        b.display()
    );
}

fn assert_same_bytes(a: &Path, b: &Path) {
    let (x, y) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    assert!(x == y, "{} and {} differ", a.display(), b.display());
}

#[test]
fn fireplace_train_compare_and_simulate_repeat_exactly() {
    let [a, b] = twice(&["m.json"], |p| {
        ok(&[&TINY_TRAIN[..], &["--seed", "2", "--out", s(&p[0])]].concat());
    });
    assert_same_json(&a[0], &b[0]);
    let model = &a[0];

    let [a, b] = twice(&["c.json"], |p| {
        let args = [
            "--policies",
            "teacher,fireplace,power-of-two",
            "--model",
            s(model),
            "--json",
            s(&p[0]),
        ];
        ok(&[&["compare"][..], &OPENB_FLEET, &args].concat());
    });
    assert_same_json(&a[0], &b[0]);

    for policy in ["teacher", "fireplace"] {
        let names = ["run.json", "loads.csv", "placements.csv", "evictions.csv"];
        let [a, b] = twice(&names, |p| {
            let run = ["simulate", "--sample", "openb", "--policy", policy, "--servers", "30"];
            let outs = ["--model", s(model), "--admission", "requests", "--json", s(&p[0])];
            let logs = [
                "--step-loads",
                s(&p[1]),
                "--placements",
                s(&p[2]),
                "--evictions",
                s(&p[3]),
            ];
            ok(&[&run[..], &outs, &logs].concat());
        });
        assert_same_json(&a[0], &b[0]);
        for i in 1..names.len() {
            assert_same_bytes(&a[i], &b[i]);
        }
        let evictions = std::fs::read_to_string(&a[3]).unwrap().lines().count();
        assert!(
            evictions > 1,
            "{policy}: the eviction log must not be empty to be compared"
        );
    }
}

#[test]
fn evict_run_repeats_exactly() {
    let [a, b] = twice(&["e.json"], |p| {
        ok(&[
            &["evict", "run"][..],
            &SMALL_EVICT,
            &["--models", "linear,gbdt", "--json", s(&p[0])],
        ]
        .concat());
    });
    assert_same_json(&a[0], &b[0]);
}
