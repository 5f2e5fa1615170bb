//! The snapshot file: round trips, the gap rule on the hand-made sample,
//! errors that name file, place and field, and a fuzz test of the readers.

mod common;

use common::run_small;
use hearth_evict::snapshot::raw;
use hearth_evict::snapshot_file::{self, SnapshotSet, MEASURES};
use hearth_evict::{Dataset, HORIZONS};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hearth-evict-snapfile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn handmade() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/handmade_snapshots.csv")
}

fn assert_same(a: &SnapshotSet, b: &SnapshotSet) {
    assert_eq!(a.first_hour_s, b.first_hour_s);
    assert_eq!(a.hours, b.hours);
    assert_eq!(a.cluster_names, b.cluster_names);
    assert_eq!(a.node_names, b.node_names);
    assert_eq!(a.gaps, b.gaps);
    for (x, y) in a.clusters.iter().zip(&b.clusters) {
        assert_eq!(x.node_raw, y.node_raw);
        assert_eq!(x.cluster_raw, y.cluster_raw);
    }
}

#[test]
fn simulated_snapshots_round_trip_through_parquet_and_csv() {
    let set = SnapshotSet::from_simulation(run_small(3).into_iter().map(|r| r.snapshots).collect()).unwrap();
    assert!(set
        .clusters
        .iter()
        .any(|c| (0..c.hours).any(|h| c.cluster(h)[raw::EVICTIONS] > 0.0)));
    for name in ["s.parquet", "s.csv"] {
        let path = tmp(name);
        snapshot_file::write(&path, &set).unwrap();
        assert_same(&set, &snapshot_file::read(&path).unwrap());
    }
}

#[test]
fn the_handmade_sample_follows_the_gap_rule() {
    let set = snapshot_file::read(&handmade()).unwrap();
    assert_eq!(set.cluster_names, ["east-1", "east-2"]);
    assert_eq!(set.hours, 96);
    assert_eq!(set.first_hour_s, 1_793_491_200);
    let (e1, e2) = (&set.clusters[0], &set.clusters[1]);
    // e2-n3 appears at hour 30: zero before, present after.
    let n3 = set.node_names[1].iter().position(|n| n == "e2-n3").unwrap();
    assert_eq!(e2.node(n3, 29)[raw::NODE_CORES], 0.0);
    assert_eq!(e2.node(n3, 30)[raw::NODE_CORES], 32.0);
    // e1-n2 leaves after hour 79: the cluster loses its cores.
    assert_eq!(e1.cluster(79)[raw::NODE_CORES], 96.0);
    assert_eq!(e1.cluster(80)[raw::NODE_CORES], 64.0);
    // east-2 has no rows in hour 60: state carried from hour 59, no events.
    assert_eq!(set.gaps[1].iter().filter(|&&g| g).count(), 1);
    assert!(set.gaps[1][60] && !set.gaps[0][60]);
    assert_eq!(e2.cluster(60)[..8], e2.cluster(59)[..8]);
    assert_eq!(e2.cluster(60)[8..], [0.0; 3]);
    assert_eq!(set.last_present_hour(1), Some(95));
    // No sample has a target in the gap.
    let data = Dataset::with_gaps(set.clusters.clone(), &set.gaps, 0.7, 0.1).unwrap();
    let all = [
        hearth_evict::Split::Train,
        hearth_evict::Split::Validation,
        hearth_evict::Split::Test,
    ];
    for split in all {
        for s in data.samples(split) {
            assert!(s.cluster == 0 || !(s.end + 1..=s.end + HORIZONS).contains(&60), "{s:?}");
        }
    }
    let with_gap = Dataset::new(set.clusters).unwrap();
    let count = |d: &Dataset| all.iter().map(|&s| d.samples(s).len()).sum::<usize>();
    assert_eq!(count(&with_gap) - count(&data), HORIZONS);
}

const HEADER: &str = "cluster,node,hour_start_utc_s,node_cores,node_memory_gib,spot_vm_count,on_demand_vm_count,\
spot_vm_cores,on_demand_vm_cores,spot_vm_memory_gib,on_demand_vm_memory_gib,evicted_vm_count,evicted_vm_cores,spot_vm_ran_count";
const GOOD: &str = "c,n0,0,32,128,2,1,8,4,32,16,1,4,3";

fn csv_error(rows: &[&str]) -> String {
    let path = tmp("bad.csv");
    let text = format!("# a comment\n{HEADER}\n{}\n", rows.join("\n"));
    std::fs::write(&path, text).unwrap();
    snapshot_file::read(&path).unwrap_err().to_string()
}

#[test]
fn bad_csv_input_names_file_line_and_field() {
    let cases: [(&[&str], &str, &str); 9] = [
        (
            &[GOOD, "c,n0,3601,32,128,2,1,8,4,32,16,1,4,3"],
            "line 4: field `hour_start_utc_s`",
            "not an hour start",
        ),
        (
            &[GOOD, "c,n1,0,32,128,x,1,8,4,32,16,1,4,3"],
            "line 4: field `spot_vm_count`",
            "not a number",
        ),
        (
            &["c,n0,0,32,128,2.5,1,8,4,32,16,1,4,3"],
            "line 3: field `spot_vm_count`",
            "not a whole number",
        ),
        (
            &["c,n0,0,-32,128,2,1,8,4,32,16,1,4,3"],
            "line 3: field `node_cores`",
            "non-negative",
        ),
        (
            &["c,n0,0,NaN,128,2,1,8,4,32,16,1,4,3"],
            "line 3: field `node_cores`",
            "finite",
        ),
        (
            &["c,n0,0,32,128,2,1,8,4,32,16,5,4,3"],
            "line 3: field `evicted_vm_count`",
            "only 3 spot VMs ran",
        ),
        (
            &[GOOD, GOOD],
            "line 4",
            "duplicate row for cluster \"c\", node \"n0\", hour 0: first at line 3",
        ),
        (
            &[",n0,0,32,128,2,1,8,4,32,16,1,4,3"],
            "line 3: field `cluster`",
            "empty",
        ),
        (&["c,n0,0,32"], "line 3", "fields"),
    ];
    for (rows, place, reason) in cases {
        let e = csv_error(rows);
        assert!(e.contains("bad.csv") && e.contains(place) && e.contains(reason), "{e}");
    }
    let path = tmp("header.csv");
    std::fs::write(&path, "cluster,node,hour_start_utc_s\nc,n,0\n").unwrap();
    let e = snapshot_file::read(&path).unwrap_err().to_string();
    assert!(e.contains("header") && e.contains("missing column `node_cores`"), "{e}");
    std::fs::write(&path, format!("{HEADER}\n")).unwrap();
    assert!(snapshot_file::read(&path).unwrap_err().to_string().contains("no rows"));
    std::fs::write(
        &path,
        format!("{HEADER}\n{GOOD}\nc,n0,3600000000000,32,128,2,1,8,4,32,16,1,4,3\n"),
    )
    .unwrap();
    assert!(snapshot_file::read(&path)
        .unwrap_err()
        .to_string()
        .contains("node-hours"));
}

/// A Parquet file with the schema's columns but `spot_vm_count` as given.
fn parquet_with(path: &Path, spot_counts: arrow_array::ArrayRef, rows_per_group: usize) {
    use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let n = spot_counts.len();
    let mut cols: Vec<(&str, ArrayRef)> = vec![
        ("cluster", Arc::new(StringArray::from(vec!["c"; n]))),
        (
            "node",
            Arc::new(StringArray::from((0..n).map(|i| format!("n{i}")).collect::<Vec<_>>())),
        ),
        ("hour_start_utc_s", Arc::new(Int64Array::from(vec![7200i64; n]))),
    ];
    for (m, _) in MEASURES {
        let col: ArrayRef = if m == "spot_vm_count" {
            spot_counts.clone()
        } else {
            Arc::new(Float64Array::from(vec![1.0; n]))
        };
        cols.push((m, col));
    }
    let batch = RecordBatch::try_from_iter(cols).unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(rows_per_group))
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn parquet_from_other_tools_is_read_and_bad_values_name_row_group_row_and_field() {
    use arrow_array::{Float64Array, Int32Array, StringArray};
    use std::sync::Arc;
    let path = tmp("other.parquet");
    parquet_with(&path, Arc::new(Int32Array::from(vec![1, 0, 1])), 2);
    let set = snapshot_file::read(&path).unwrap();
    assert_eq!((set.hours, set.first_hour_s, set.clusters[0].nodes), (1, 7200, 3));
    assert_eq!(set.clusters[0].cluster(0)[raw::SPOT_VM_COUNT], 2.0);

    parquet_with(&path, Arc::new(Float64Array::from(vec![Some(1.0), Some(2.0), None])), 2);
    let e = snapshot_file::read(&path).unwrap_err().to_string();
    assert!(
        e.contains("other.parquet: row group 1, row 0: field `spot_vm_count`: is null"),
        "{e}"
    );
    parquet_with(&path, Arc::new(Float64Array::from(vec![1.0, 2.0, 2.5])), 2);
    let e = snapshot_file::read(&path).unwrap_err().to_string();
    assert!(
        e.contains("row group 1, row 0: field `spot_vm_count`: 2.5 is not a whole number"),
        "{e}"
    );
    parquet_with(&path, Arc::new(StringArray::from(vec!["1", "2", "3"])), 2);
    let e = snapshot_file::read(&path).unwrap_err().to_string();
    assert!(
        e.contains("schema") && e.contains("`spot_vm_count` has type Utf8"),
        "{e}"
    );
}

fn valid_parquet_bytes() -> Vec<u8> {
    let path = tmp("fuzz-seed.parquet");
    let set = snapshot_file::read(&handmade()).unwrap();
    snapshot_file::write(&path, &set).unwrap();
    std::fs::read(&path).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Corrupted Parquet bytes give an error or a set, never a panic.
    #[test]
    fn corrupted_parquet_never_panics(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8), cut in any::<prop::sample::Index>()) {
        let mut bytes = valid_parquet_bytes();
        for (at, b) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= b;
        }
        if cut.index(4) == 0 {
            bytes.truncate(cut.index(bytes.len()));
        }
        let path = tmp("fuzz.parquet");
        std::fs::write(&path, &bytes).unwrap();
        if let Err(e) = snapshot_file::read(&path) {
            prop_assert!(e.to_string().contains("fuzz.parquet"));
        }
    }

    /// Random CSV rows give an error naming the file, or a set whose rates are in [0, 1].
    #[test]
    fn random_csv_never_panics(rows in prop::collection::vec(prop::collection::vec("[-0-9a-z.,\"]{0,6}", 14), 1..6)) {
        let path = tmp("fuzz.csv");
        let body: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
        std::fs::write(&path, format!("{HEADER}\n{}\n", body.join("\n"))).unwrap();
        match snapshot_file::read(&path) {
            Err(e) => prop_assert!(e.to_string().contains("fuzz.csv")),
            Ok(set) => for c in &set.clusters {
                for h in 0..c.hours {
                    prop_assert!((0.0..=1.0).contains(&c.cluster_rate(h)));
                }
            },
        }
    }
}
