//! Splits are disjoint and cover the workload: a VM in the test part of a
//! split is never in its training part (EVALUATION's "never seen in
//! training" rests on this), and a time split keeps every training arrival
//! before every test arrival.

use hearth_trace::{split_by_time, split_by_vm, Priority, Resources, Step, Usage, Vm, VmId, Workload};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// VM `k` requests `k + 1` cores: its identity survives the renumbering
/// that [`Workload::new`] does.
fn workload(arrivals: &[u32]) -> Workload {
    let vms = arrivals
        .iter()
        .enumerate()
        .map(|(k, &a)| Vm {
            tenant: None,
            vm_type: None,
            id: VmId(0),
            arrival: Step(a),
            departure: Step(a + 3),
            request: Resources::new(k as f32 + 1.0, 1.0),
            priority: Priority::OnDemand,
            usage: Usage {
                cpu: vec![k as f32; 3],
                memory: vec![0.5; 3],
            },
        })
        .collect();
    Workload::new(300, vms, Default::default()).unwrap()
}

fn tags(w: &Workload) -> Vec<u32> {
    w.vms.iter().map(|v| v.request.cpu.0 as u32).collect()
}

fn assert_partition(parts: &[Workload], whole: &Workload) {
    let mut seen = BTreeSet::new();
    for p in parts {
        for t in tags(p) {
            assert!(seen.insert(t), "VM {t} is in two parts");
        }
    }
    assert_eq!(
        seen,
        tags(whole).into_iter().collect(),
        "the parts do not cover the workload"
    );
}

#[test]
fn a_time_split_is_disjoint_and_ordered() {
    let w = workload(&[0, 0, 1, 2, 3, 5, 8, 8, 9, 12, 13, 20]);
    let train = split_by_time(&w, 0.0, 0.8).unwrap();
    let test = split_by_time(&w, 0.8, 1.0).unwrap();
    assert_partition(&[train.clone(), test.clone()], &w);
    let last_train = train.vms.iter().map(|v| v.arrival).max().unwrap();
    let first_test = test.vms.iter().map(|v| v.arrival).min().unwrap();
    assert!(last_train < first_test, "{last_train:?} vs {first_test:?}");
    assert!(test.observed_from > last_train && test.observed_from <= first_test);
    // 0.8 of the window 0..21 is 16.8: the arrival at 20 alone is tested.
    assert_eq!(tags(&test), [12]);
}

/// A cut that falls exactly on an arrival puts that VM after the cut only.
#[test]
fn a_vm_arriving_at_the_cut_is_in_the_later_part() {
    let w = workload(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // window 0..10
    let (a, b) = (
        split_by_time(&w, 0.0, 0.5).unwrap(),
        split_by_time(&w, 0.5, 1.0).unwrap(),
    );
    assert_eq!(tags(&a), [1, 2, 3, 4, 5]);
    assert_eq!(tags(&b), [6, 7, 8, 9, 10]);
}

#[test]
fn a_vm_split_is_disjoint() {
    let w = workload(&[0, 1, 1, 2, 4, 4, 4, 7, 9, 10]);
    let parts = [
        split_by_vm(&w, 0.0, 0.6).unwrap(),
        split_by_vm(&w, 0.6, 0.8).unwrap(),
        split_by_vm(&w, 0.8, 1.0).unwrap(),
    ];
    assert_partition(&parts, &w);
    assert_eq!(parts.iter().map(|p| p.vms.len()).collect::<Vec<_>>(), [6, 2, 2]);
}

#[test]
fn bad_fractions_and_empty_splits_are_errors() {
    let w = workload(&[0, 10]);
    for (a, b) in [(0.5, 0.5), (0.8, 0.2), (-0.1, 0.5), (0.2, 1.5)] {
        assert!(split_by_time(&w, a, b).is_err(), "{a}..{b}");
        assert!(split_by_vm(&w, a, b).is_err(), "{a}..{b}");
    }
    let err = split_by_time(&w, 0.2, 0.5).unwrap_err().to_string();
    assert!(err.contains("holds no VM"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any three cut points split a workload into parts that are disjoint,
    /// cover it, and (by time) follow one another.
    #[test]
    fn consecutive_splits_partition_the_workload(
        arrivals in prop::collection::vec(0u32..200, 1..60),
        mut cuts in prop::collection::vec(0.01f64..0.99, 2),
    ) {
        cuts.sort_by(f64::total_cmp);
        prop_assume!(cuts[1] - cuts[0] > 1e-6);
        let w = workload(&arrivals);
        let bounds = [0.0, cuts[0], cuts[1], 1.0];
        for split in [split_by_time, split_by_vm] {
            // An empty part is an error; the others still partition.
            let parts: Vec<Workload> = bounds.windows(2).filter_map(|b| split(&w, b[0], b[1]).ok()).collect();
            assert_partition(&parts, &w);
        }
        let by_time: Vec<Workload> = bounds.windows(2).filter_map(|b| split_by_time(&w, b[0], b[1]).ok()).collect();
        for pair in by_time.windows(2) {
            let last = pair[0].vms.iter().map(|v| v.arrival).max().unwrap();
            let first = pair[1].vms.iter().map(|v| v.arrival).min().unwrap();
            prop_assert!(last < first);
        }
    }
}
