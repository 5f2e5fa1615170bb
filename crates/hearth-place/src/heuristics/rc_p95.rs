use crate::fireplace::history_features::expected_p95;
use crate::sample::sample_admissible;
use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};
use hearth_trace::{Step, VmId};
use std::collections::HashMap;

/// Resource Central's p95 rule (Cortez et al., "Resource Central:
/// understanding and predicting workloads for improved resource management
/// in large cloud platforms", SOSP'17): among `k` sampled admissible servers,
/// the one whose predicted load is the lowest share of its capacity, where
/// the predicted load (cores, GiB) sums each resident's p95 of its own
/// measured usage and the new VM's p95 as its tenant's (else type's, else
/// the fleet's) earlier VMs used it, times its request. A resident measured
/// for less than an hour counts like a new VM; with no history at all, a VM
/// counts by its request. The score is the larger of the CPU and memory
/// shares; ties: the lower current CPU share.
///
/// Each resident's p95 comes from a histogram of its usage (as a share of
/// its request, bins of 2%) that grows by the steps measured since the VM
/// was last looked at, so a decision costs O(residents), not a sort of
/// their histories.
#[derive(Debug)]
pub struct RcP95 {
    pub k: usize,
    cache: HashMap<VmId, OwnP95>,
    decisions: u64,
}

impl RcP95 {
    pub fn new(k: usize) -> RcP95 {
        RcP95 {
            k: k.max(1),
            cache: HashMap::new(),
            decisions: 0,
        }
    }
}

/// Measured steps a VM needs before its own p95 is trusted (an hour at 300 s).
const MIN_OWN_STEPS: u32 = 12;
/// Usage share bins: width 1/BINS_PER_UNIT of the request, up to 2× it.
const BINS_PER_UNIT: f32 = 50.0;
const BINS: usize = 100;
/// Decisions between prunes of departed VMs from the cache.
const PRUNE_EVERY: u64 = 4096;

/// One VM's measured usage so far, binned, and its p95 in cores and GiB.
#[derive(Debug)]
struct OwnP95 {
    arrival: Step,
    seen: u32,
    cpu: [u32; BINS],
    mem: [u32; BINS],
    p95: (f64, f64),
}

fn bin(x: f32, of: f32) -> usize {
    let share = if of > 0.0 { x / of } else { 0.0 };
    ((share.max(0.0) * BINS_PER_UNIT) as usize).min(BINS - 1)
}

/// The upper edge of the bin holding the 95th percentile, as a share.
fn p95_share(bins: &[u32; BINS], count: u32) -> f64 {
    let target = (0.95 * count as f64).ceil().max(1.0) as u32;
    let mut seen = 0;
    let b = bins.iter().position(|&c| {
        seen += c;
        seen >= target
    });
    (b.unwrap_or(BINS - 1) + 1) as f64 / BINS_PER_UNIT as f64
}

impl OwnP95 {
    fn new(arrival: Step) -> OwnP95 {
        OwnP95 {
            arrival,
            seen: 0,
            cpu: [0; BINS],
            mem: [0; BINS],
            p95: (0.0, 0.0),
        }
    }

    /// Adds the steps measured since last time; the p95 once there are enough.
    fn update(&mut self, vm: &VmView, fleet: &FleetView) -> Option<(f64, f64)> {
        let (cpu, mem) = fleet.vm_usage_history(vm.id, u32::MAX)?;
        if cpu.len() as u32 > self.seen {
            let r = vm.request;
            for (&c, &m) in cpu[self.seen as usize..].iter().zip(&mem[self.seen as usize..]) {
                self.cpu[bin(c, r.cpu.0)] += 1;
                self.mem[bin(m, r.memory.0)] += 1;
            }
            self.seen = cpu.len() as u32;
            let n = self.seen;
            self.p95 = (
                p95_share(&self.cpu, n) * r.cpu.0 as f64,
                p95_share(&self.mem, n) * r.memory.0 as f64,
            );
        }
        (self.seen >= MIN_OWN_STEPS).then_some(self.p95)
    }
}

/// A VM's p95 (cores, GiB) as RC would predict it without its own history.
fn predicted(vm: &VmView, fleet: &FleetView) -> (f64, f64) {
    let (c, m) = expected_p95(vm, fleet).unwrap_or((1.0, 1.0));
    (c * vm.request.cpu.0 as f64, m * vm.request.memory.0 as f64)
}

impl RcP95 {
    /// A resident's p95 (cores, GiB): its own once measured long enough.
    fn resident(&mut self, vm: &VmView, fleet: &FleetView) -> (f64, f64) {
        let own = self.cache.entry(vm.id).or_insert_with(|| OwnP95::new(vm.arrival));
        if own.arrival != vm.arrival {
            // A live fleet reuses the ids of VMs gone.
            *own = OwnP95::new(vm.arrival);
        }
        own.update(vm, fleet).unwrap_or_else(|| predicted(vm, fleet))
    }

    /// Drops VMs whose history stopped before now: they have left.
    fn prune(&mut self, fleet: &FleetView) {
        let now = fleet.now().0;
        self.cache.retain(|&id, own| {
            let len = fleet.vm_usage_history(id, u32::MAX).map_or(0, |h| h.0.len() as u32);
            own.arrival.0 + len >= now
        });
    }
}

impl Policy for RcP95 {
    fn name(&self) -> String {
        "rc-p95".into()
    }

    fn uses_history(&self) -> bool {
        true
    }

    fn reset(&mut self) {
        self.cache.clear();
        self.decisions = 0;
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
        self.decisions += 1;
        if self.decisions.is_multiple_of(PRUNE_EVERY) {
            self.prune(fleet);
        }
        let share = |x: f64, cap: f32| if cap > 0.0 { x / cap as f64 } else { f64::INFINITY };
        let new = predicted(vm, fleet);
        let mut best: Option<(ServerId, (f64, f64))> = None;
        for s in sample_admissible(self.k, vm, fleet, rng) {
            let (mut cpu, mut mem) = new;
            for r in fleet.residents(s).iter().filter_map(|&id| fleet.vm(id)) {
                let (c, m) = self.resident(&r, fleet);
                cpu += c;
                mem += m;
            }
            let cap = fleet.capacity(s);
            let score = (
                share(cpu, cap.cpu.0).max(share(mem, cap.memory.0)),
                share(fleet.observed(s).cpu.0 as f64, cap.cpu.0),
            );
            if best.is_none_or(|(_, b)| score.0.total_cmp(&b.0).then(score.1.total_cmp(&b.1)).is_lt()) {
                best = Some((s, score));
            }
        }
        best.map(|(s, _)| s)
    }
}
