//! Hourly node snapshots, recorded from the simulation as it runs.
//!
//! Definitions (hour `h` covers steps `h·k .. (h+1)·k`, `k` steps an hour):
//! - **State** (VM counts, cores, memory per priority; allocated cores) is
//!   taken at the end of the hour's last step: what a fleet's hourly
//!   inventory would report.
//! - **Evictions** of hour `h`: spot VMs evicted at any step of the hour
//!   (count, and their requested cores).
//! - **Spot VMs that ran** in hour `h`: distinct spot VMs resident on the node
//!   at the end of some step of the hour, plus those evicted in the hour
//!   (a VM evicted in the step it arrived was never seen at a step's end).
//! - **Eviction rate** of hour `h` = evicted / ran, 0 when no spot VM ran. A
//!   cluster's rate is the same ratio of the sums over its nodes (rates are
//!   never summed or averaged across nodes).
//!
//! A snapshot for hour `h` is known at the end of hour `h`: nothing in it
//! depends on a later step.

use hearth_sim::{Eviction, FleetView, ServerId};
use hearth_trace::{Priority, Resources, Step, VmId, Workload};
use serde::Serialize;
use std::ops::Range;

/// Columns of the raw per node-hour record, from which features are derived.
pub mod raw {
    pub const NODE_CORES: usize = 0;
    pub const NODE_MEMORY_GB: usize = 1;
    pub const SPOT_VM_COUNT: usize = 2;
    pub const ON_DEMAND_VM_COUNT: usize = 3;
    pub const SPOT_VM_CORES: usize = 4;
    pub const ON_DEMAND_VM_CORES: usize = 5;
    pub const SPOT_VM_MEMORY_GB: usize = 6;
    pub const ON_DEMAND_VM_MEMORY_GB: usize = 7;
    pub const EVICTIONS: usize = 8;
    pub const EVICTED_CORES: usize = 9;
    /// Spot VMs that ran during the hour: the rate's denominator.
    pub const SPOT_RAN: usize = 10;
    pub const WIDTH: usize = 11;
}

/// Names of the per-hour features, in the order [`features_at`] writes them.
pub const FEATURES: [&str; 18] = [
    "node_cores",
    "node_memory_gb",
    "spot_vm_count",
    "on_demand_vm_count",
    "spot_vm_cores",
    "on_demand_vm_cores",
    "spot_vm_memory_gb",
    "on_demand_vm_memory_gb",
    "evictions_h0",
    "evicted_cores_h0",
    "eviction_rate_h0",
    "evictions_h1",
    "evicted_cores_h1",
    "eviction_rate_h1",
    "evictions_h2",
    "evicted_cores_h2",
    "eviction_rate_h2",
    "utilisation",
];
/// Features per hour.
pub const F: usize = FEATURES.len();

/// Eviction rate of one raw record: evicted / ran, 0 when no spot VM ran.
pub fn rate(record: &[f32]) -> f32 {
    let ran = record[raw::SPOT_RAN];
    if ran > 0.0 {
        record[raw::EVICTIONS] / ran
    } else {
        0.0
    }
}

/// Writes the features of hour `t` of a raw series (`record(t)` gives hour
/// t's raw record) into `out`: state at `t`, evictions in `t`, `t-1`, `t-2`
/// (zero before the series starts), utilisation. Reads no hour after `t`.
pub fn features_at<'a>(record: impl Fn(usize) -> &'a [f32], t: usize, out: &mut [f32]) {
    let now = record(t);
    out[..8].copy_from_slice(&now[..8]);
    for lag in 0..3 {
        let k = 8 + 3 * lag;
        if let Some(past) = t.checked_sub(lag).map(&record) {
            out[k] = past[raw::EVICTIONS];
            out[k + 1] = past[raw::EVICTED_CORES];
            out[k + 2] = rate(past);
        } else {
            out[k..k + 3].fill(0.0);
        }
    }
    let cores = now[raw::NODE_CORES];
    let allocated = now[raw::SPOT_VM_CORES] + now[raw::ON_DEMAND_VM_CORES];
    out[17] = if cores > 0.0 { allocated / cores } else { 0.0 };
}

/// One cluster's hourly raw records, per node and summed over nodes.
#[derive(Clone, Debug)]
pub struct ClusterSnapshots {
    pub cluster: usize,
    pub nodes: usize,
    pub hours: usize,
    /// Node-major: `node_raw[(node * hours + hour) * raw::WIDTH + column]`.
    pub node_raw: Vec<f32>,
    /// `cluster_raw[hour * raw::WIDTH + column]`: sums over the nodes.
    pub cluster_raw: Vec<f32>,
}

impl ClusterSnapshots {
    pub fn node(&self, node: usize, hour: usize) -> &[f32] {
        let k = (node * self.hours + hour) * raw::WIDTH;
        &self.node_raw[k..k + raw::WIDTH]
    }

    pub fn cluster(&self, hour: usize) -> &[f32] {
        &self.cluster_raw[hour * raw::WIDTH..(hour + 1) * raw::WIDTH]
    }

    pub fn cluster_rate(&self, hour: usize) -> f32 {
        rate(self.cluster(hour))
    }

    pub fn node_rate(&self, node: usize, hour: usize) -> f32 {
        rate(self.node(node, hour))
    }

    /// Mean over `hours` of allocated cores / cluster cores.
    pub fn mean_allocation(&self, hours: Range<usize>) -> f64 {
        let n = hours.len().max(1) as f64;
        hours
            .map(|h| {
                let r = self.cluster(h);
                ((r[raw::SPOT_VM_CORES] + r[raw::ON_DEMAND_VM_CORES]) / r[raw::NODE_CORES].max(f32::MIN_POSITIVE))
                    as f64
            })
            .sum::<f64>()
            / n
    }

    /// Recomputes the cluster sums from the node records (after an edit).
    pub fn resum(&mut self) {
        self.cluster_raw.fill(0.0);
        for n in 0..self.nodes {
            for h in 0..self.hours {
                let k = (n * self.hours + h) * raw::WIDTH;
                for c in 0..raw::WIDTH {
                    self.cluster_raw[h * raw::WIDTH + c] += self.node_raw[k + c];
                }
            }
        }
    }
}

/// Builds the raw records from the simulator's per-step observer calls.
pub struct Recorder<'w> {
    workload: &'w Workload,
    hours: NodeHours,
}

impl<'w> Recorder<'w> {
    pub fn new(workload: &'w Workload, capacity: &[Resources], steps_per_hour: u32, hours: usize) -> Self {
        Recorder {
            workload,
            hours: NodeHours::new(capacity, workload.vms.len(), steps_per_hour, hours),
        }
    }

    /// Called at the end of every step.
    pub fn observe(&mut self, view: &FleetView) {
        let w = self.workload;
        self.hours.observe(view, |id| {
            let vm = &w.vms[id.0 as usize];
            (id.0 as usize, vm.priority, vm.request)
        });
    }

    /// Adds the evictions, drops the warm-up hours and sums the cluster.
    pub fn finish(mut self, cluster: usize, evictions: &[Eviction], warmup_hours: usize) -> ClusterSnapshots {
        for e in evictions {
            self.hours.evicted(e.step, e.server, e.vm.0 as usize, e.cores);
        }
        let hours = self.hours.hours;
        self.hours.snapshots(cluster, warmup_hours.min(hours)..hours)
    }
}

/// One cluster's raw node-hour records as a run fills them in, for any
/// driver: the engine's observer ([`Recorder`]) or a lockstep region of
/// live fleets, whose VM ids are not a workload's (`vm_of` maps a resident
/// to a stable key below `vms`, its priority and request).
pub struct NodeHours {
    capacity: Vec<Resources>,
    steps_per_hour: u32,
    hours: usize,
    /// Node-major raw records over all simulated hours (warm-up included).
    raw: Vec<f32>,
    /// Last hour each VM (by key) was seen resident (`u32::MAX`: never).
    last_seen: Vec<u32>,
}

impl NodeHours {
    /// Records for `capacity.len()` nodes over `hours` hours, VM keys below `vms`.
    pub fn new(capacity: &[Resources], vms: usize, steps_per_hour: u32, hours: usize) -> NodeHours {
        NodeHours {
            capacity: capacity.to_vec(),
            steps_per_hour,
            hours,
            raw: vec![0.0; capacity.len() * hours * raw::WIDTH],
            last_seen: vec![u32::MAX; vms],
        }
    }

    fn slot(&self, node: usize, hour: usize) -> usize {
        (node * self.hours + hour) * raw::WIDTH
    }

    /// Hours recorded (warm-up included).
    pub fn hours(&self) -> usize {
        self.hours
    }

    /// Called at the end of every step; `vm_of(id)` is (key, priority, request).
    pub fn observe(&mut self, view: &FleetView, vm_of: impl Fn(VmId) -> (usize, Priority, Resources)) {
        let step = view.now().0;
        let hour = (step / self.steps_per_hour) as usize;
        if hour >= self.hours {
            return;
        }
        let last_of_hour = step % self.steps_per_hour == self.steps_per_hour - 1;
        for s in view.ids() {
            let node = s.index();
            let k = self.slot(node, hour);
            let mut state = [0.0f32; 8];
            for &id in view.residents(s) {
                let (key, priority, request) = vm_of(id);
                let spot = priority == Priority::Spot;
                if spot && self.last_seen[key] != hour as u32 {
                    self.last_seen[key] = hour as u32;
                    self.raw[k + raw::SPOT_RAN] += 1.0;
                }
                let o = usize::from(!spot);
                state[raw::SPOT_VM_COUNT + o] += 1.0;
                state[raw::SPOT_VM_CORES + o] += request.cpu.0;
                state[raw::SPOT_VM_MEMORY_GB + o] += request.memory.0;
            }
            if last_of_hour {
                state[raw::NODE_CORES] = self.capacity[node].cpu.0;
                state[raw::NODE_MEMORY_GB] = self.capacity[node].memory.0;
                self.raw[k..k + 8].copy_from_slice(&state);
            }
        }
    }

    /// Counts the eviction of the VM with key `key` (`cores` requested) from
    /// `server` at `step`; an eviction after the last hour is ignored.
    pub fn evicted(&mut self, step: Step, server: ServerId, key: usize, cores: f32) {
        let hour = (step.0 / self.steps_per_hour) as usize;
        if hour >= self.hours {
            return;
        }
        let k = self.slot(server.index(), hour);
        self.raw[k + raw::EVICTIONS] += 1.0;
        self.raw[k + raw::EVICTED_CORES] += cores;
        if self.last_seen[key] != hour as u32 {
            self.raw[k + raw::SPOT_RAN] += 1.0;
        }
    }

    /// The records of `hours` (within the recorded hours), node and cluster sums.
    pub fn snapshots(&self, cluster: usize, hours: Range<usize>) -> ClusterSnapshots {
        let nodes = self.capacity.len();
        let mut node_raw = Vec::with_capacity(nodes * hours.len() * raw::WIDTH);
        for n in 0..nodes {
            if !hours.is_empty() {
                node_raw
                    .extend_from_slice(&self.raw[self.slot(n, hours.start)..self.slot(n, hours.end - 1) + raw::WIDTH]);
            }
        }
        let mut snaps = ClusterSnapshots {
            cluster,
            nodes,
            hours: hours.len(),
            node_raw,
            cluster_raw: vec![0.0; hours.len() * raw::WIDTH],
        };
        snaps.resum();
        snaps
    }
}

/// The Azure study's hourly eviction-rate bands.
pub const BANDS: [&str; 5] = ["0-5%", "5-10%", "10-15%", "15-20%", "20%+"];

pub fn band_of(rate: f32) -> usize {
    ((rate / 0.05).floor() as usize).min(4)
}

/// Cluster utilisation buckets by mean allocated cores / cluster cores:
/// low < 50%, medium 50–80%, high > 80%.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Low,
    Medium,
    High,
}

impl Bucket {
    pub const ALL: [Bucket; 3] = [Bucket::Low, Bucket::Medium, Bucket::High];

    pub fn of(mean_allocation: f64) -> Bucket {
        if mean_allocation < 0.5 {
            Bucket::Low
        } else if mean_allocation <= 0.8 {
            Bucket::Medium
        } else {
            Bucket::High
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Bucket::Low => "low",
            Bucket::Medium => "medium",
            Bucket::High => "high",
        }
    }
}

/// Share of cluster-hours in each eviction-rate band.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RateDistribution {
    pub group: String,
    pub clusters: usize,
    pub cluster_hours: usize,
    /// Cluster-hours in which no spot VM ran (their rate is 0, counted in 0-5%).
    pub hours_without_spot: usize,
    /// Share of cluster-hours per band, in [`BANDS`] order.
    pub shares: [f64; 5],
    pub mean_rate: f64,
}

/// The distribution over all clusters, then per utilisation bucket.
pub fn rate_distribution(snaps: &[&ClusterSnapshots]) -> Vec<RateDistribution> {
    let mut groups = vec![distribution("all", snaps)];
    for b in Bucket::ALL {
        let members: Vec<&ClusterSnapshots> = snaps
            .iter()
            .copied()
            .filter(|s| Bucket::of(s.mean_allocation(0..s.hours)) == b)
            .collect();
        groups.push(distribution(b.name(), &members));
    }
    groups
}

fn distribution(group: &str, snaps: &[&ClusterSnapshots]) -> RateDistribution {
    let mut d = RateDistribution {
        group: group.to_string(),
        clusters: snaps.len(),
        ..Default::default()
    };
    let mut sum = 0.0;
    for s in snaps {
        for h in 0..s.hours {
            let r = s.cluster_rate(h);
            d.cluster_hours += 1;
            d.hours_without_spot += usize::from(s.cluster(h)[raw::SPOT_RAN] == 0.0);
            d.shares[band_of(r)] += 1.0;
            sum += r as f64;
        }
    }
    if d.cluster_hours > 0 {
        let n = d.cluster_hours as f64;
        d.shares.iter_mut().for_each(|x| *x /= n);
        d.mean_rate = sum / n;
    }
    d
}
