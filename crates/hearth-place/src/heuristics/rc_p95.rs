use super::shares::of_capacity;
use crate::fireplace::history_features::expected_p95;
use crate::sample::sample_admissible;
use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};
use hearth_trace::{Step, VmId};

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
/// was last looked at, with the bin holding the p95 moved along as samples
/// arrive, so a decision costs O(residents), not a sort of their histories.
#[derive(Debug)]
pub struct RcP95 {
    pub k: usize,
    /// By VM id (dense in the simulator; a live fleet reuses ids, told
    /// apart by arrival); departed VMs are dropped now and then.
    cache: Vec<Option<Box<OwnP95>>>,
    decisions: u64,
}

impl RcP95 {
    pub fn new(k: usize) -> RcP95 {
        RcP95 {
            k: k.max(1),
            cache: Vec::new(),
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

/// A streaming 95th percentile over fixed bins: the bin holding it moves
/// as samples arrive (amortised O(1) each), so reading it costs nothing.
#[derive(Debug)]
struct BinnedP95 {
    bins: [u32; BINS],
    count: u32,
    /// The first bin whose cumulative count reaches 95% of `count`, and the
    /// samples in the bins below it.
    at: usize,
    below: u32,
}

impl BinnedP95 {
    fn new() -> BinnedP95 {
        BinnedP95 {
            bins: [0; BINS],
            count: 0,
            at: 0,
            below: 0,
        }
    }

    fn add(&mut self, x: f32, of: f32) {
        let share = if of > 0.0 { x / of } else { 0.0 };
        let b = ((share.max(0.0) * BINS_PER_UNIT) as usize).min(BINS - 1);
        self.bins[b] += 1;
        self.count += 1;
        if b < self.at {
            self.below += 1;
        }
        // ceil(0.95 · count), in integers so that it is exact.
        let target = (95 * self.count as u64).div_ceil(100) as u32;
        while self.below + self.bins[self.at] < target {
            self.below += self.bins[self.at];
            self.at += 1;
        }
        while self.at > 0 && self.below >= target {
            self.at -= 1;
            self.below -= self.bins[self.at];
        }
    }

    /// The p95 as a share of the request: the upper edge of its bin.
    fn share(&self) -> f64 {
        (self.at + 1) as f64 / BINS_PER_UNIT as f64
    }
}

/// One VM's measured usage so far, binned.
#[derive(Debug)]
struct OwnP95 {
    arrival: Step,
    seen: u32,
    cpu: BinnedP95,
    mem: BinnedP95,
}

impl OwnP95 {
    fn new(arrival: Step) -> OwnP95 {
        OwnP95 {
            arrival,
            seen: 0,
            cpu: BinnedP95::new(),
            mem: BinnedP95::new(),
        }
    }

    /// Adds the steps measured since last time; the p95 (cores, GiB) once
    /// there are enough.
    fn update(&mut self, vm: &VmView, fleet: &FleetView) -> Option<(f64, f64)> {
        let (cpu, mem) = fleet.vm_usage_history(vm.id, u32::MAX)?;
        let r = vm.request;
        let from = (self.seen as usize).min(cpu.len());
        for (&c, &m) in cpu[from..].iter().zip(&mem[from..]) {
            self.cpu.add(c, r.cpu.0);
            self.mem.add(m, r.memory.0);
        }
        self.seen = self.seen.max(cpu.len() as u32);
        (self.seen >= MIN_OWN_STEPS).then(|| (self.cpu.share() * r.cpu.0 as f64, self.mem.share() * r.memory.0 as f64))
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
        let i = vm.id.0 as usize;
        if self.cache.len() <= i {
            self.cache.resize_with(i + 1, || None);
        }
        let slot = &mut self.cache[i];
        // A live fleet reuses the ids of VMs gone: a new arrival starts afresh.
        if slot.as_ref().is_none_or(|own| own.arrival != vm.arrival) {
            *slot = Some(Box::new(OwnP95::new(vm.arrival)));
        }
        let own = slot.as_mut().expect("filled above");
        own.update(vm, fleet).unwrap_or_else(|| predicted(vm, fleet))
    }

    /// Drops VMs whose history stopped before now: they have left.
    fn prune(&mut self, fleet: &FleetView) {
        let now = fleet.now().0;
        for (id, slot) in self.cache.iter_mut().enumerate() {
            let Some(own) = slot else { continue };
            let len = fleet
                .vm_usage_history(VmId(id as u32), u32::MAX)
                .map_or(0, |h| h.0.len() as u32);
            if own.arrival.0 + len < now {
                *slot = None;
            }
        }
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
                of_capacity(cpu, cap.cpu.0).max(of_capacity(mem, cap.memory.0)),
                of_capacity(fleet.observed(s).cpu.0 as f64, cap.cpu.0),
            );
            if best.is_none_or(|(_, b)| score.0.total_cmp(&b.0).then(score.1.total_cmp(&b.1)).is_lt()) {
                best = Some((s, score));
            }
        }
        best.map(|(s, _)| s)
    }
}

#[cfg(test)]
mod tests {
    use super::BinnedP95;

    /// After every sample the tracked bin is the one a scan from scratch finds.
    #[test]
    fn streaming_p95_matches_a_scan() {
        let mut p = BinnedP95::new();
        let mut x: u64 = 7;
        for i in 0..3000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let v = ((x >> 33) % 1000) as f32 / 400.0;
            // Phases of low usage move the percentile down as well as up.
            p.add(if (i / 200) % 2 == 0 { v * 0.1 } else { v }, 1.0);
            let target = (95 * p.count as u64).div_ceil(100) as u32;
            let mut seen = 0;
            let scan = p.bins.iter().position(|&c| {
                seen += c;
                seen >= target
            });
            assert_eq!(Some(p.at), scan, "after {} samples", i + 1);
        }
    }

    /// 19 samples at 10% of the request and one at 100%: the p95 is the
    /// 19th, in the bin [0.10, 0.12).
    #[test]
    fn p95_is_the_upper_edge_of_its_bin() {
        let mut p = BinnedP95::new();
        for _ in 0..19 {
            p.add(0.1, 1.0);
        }
        p.add(1.0, 1.0);
        assert!((p.share() - 0.12).abs() < 1e-9, "{}", p.share());
        p.add(4.0, 2.0);
        assert!((p.share() - 1.02).abs() < 1e-9, "{}", p.share());
    }
}
