use hearth_evict::scenario::*;
use hearth_evict::snapshot::*;
use hearth_trace::{import_paths, Format, ImportOptions};
use std::path::PathBuf;

fn sample(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/samples/alibaba-openb-2023").join(p)
}

#[test]
#[ignore]
fn smoke() {
    let opts = ImportOptions::default();
    let arrivals = import_paths(Format::AlibabaOpenb, &[sample("openb_pod_list_default.csv")], &opts).unwrap().workload;
    let nodes = hearth_trace::formats::alibaba_openb::read_nodes(hearth_trace::Source::open(&sample("openb_node_list_all_node.csv")).unwrap(), &opts).unwrap();
    let n: usize = std::env::var("NODES").map(|s| s.parse().unwrap()).unwrap_or(50);
    let c: usize = std::env::var("CLUSTERS").map(|s| s.parse().unwrap()).unwrap_or(4);
    let frac: Option<f64> = std::env::var("SPOT").ok().map(|s| s.parse().unwrap());
    let config = ScenarioConfig { clusters: c, nodes_per_cluster: n, spot_fraction: frac, ..Default::default() };
    let runs = simulate(&config, &arrivals, &nodes, &|| hearth_sim::Decider::Online(hearth_place::heuristic("best-fit").unwrap()), 2, &|s| eprintln!("{s:?}")).unwrap();
    let snaps: Vec<&ClusterSnapshots> = runs.iter().map(|r| &r.snapshots).collect();
    for d in rate_distribution(&snaps) { eprintln!("{d:?}"); }
}
