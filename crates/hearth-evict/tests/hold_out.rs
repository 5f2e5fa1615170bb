//! Held-out clusters: never in training or validation, the only ones tested.

mod common;

use common::*;
use hearth_evict::{Dataset, Split};

#[test]
fn held_out_clusters_are_tested_and_never_trained_on() {
    let snaps: Vec<_> = run_small(3).into_iter().map(|r| r.snapshots).collect();
    let all = Dataset::new(snaps.clone()).unwrap();
    let mut data = Dataset::new(snaps).unwrap();
    data.hold_out_clusters(1.0 / 3.0).unwrap();
    assert_eq!(data.test_clusters, vec![2]);
    for split in [Split::Train, Split::Validation] {
        assert!(data.samples(split).iter().all(|s| s.cluster != 2));
        assert!(!data.samples(split).is_empty());
    }
    assert!(data.samples(Split::Test).iter().all(|s| s.cluster == 2));
    let tested_before = all.samples(Split::Test).iter().filter(|s| s.cluster == 2).count();
    assert_eq!(data.samples(Split::Test).len(), tested_before, "the same test hours");
}

#[test]
fn a_hold_out_with_nothing_to_train_or_test_on_is_refused() {
    let snaps: Vec<_> = run_small(3).into_iter().map(|r| r.snapshots).collect();
    let mut data = Dataset::new(snaps).unwrap();
    assert!(data.hold_out_clusters(1.5).unwrap_err().to_string().contains("[0, 1)"));
    let e = data.hold_out_clusters(0.1).unwrap_err().to_string();
    assert!(e.contains("holds out 0"), "{e}");
    data.hold_out_clusters(0.0).unwrap();
    assert!(data.test_clusters.is_empty());
}
