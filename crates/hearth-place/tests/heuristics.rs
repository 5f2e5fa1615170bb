//! Each heuristic on a hand-built fleet whose answer is known: best-fit takes
//! the tightest admissible server, worst-fit the loosest, dot-product the best
//! alignment, power-of-k the least observed CPU among its k, round-robin
//! cycles.

use hearth_place::{heuristic, FleetView, Policy, ServerId, SimRng, VmView};
use hearth_sim::{run, Admission, Decider, Fleet, RunMetrics, SimConfig};
use hearth_trace::{Priority, Resources, Step, Vm, Workload};

fn vm(arrival: u32, life: u32, request: (f32, f32), used: (f32, f32)) -> Vm {
    let (request, used) = (Resources::new(request.0, request.1), Resources::new(used.0, used.1));
    Vm::steady(Step(arrival), life, request, used, Priority::OnDemand)
}

/// Places VM `i` on `script[i]` while the script lasts, then asks `inner`.
struct Scripted {
    script: Vec<ServerId>,
    inner: Box<dyn Policy>,
}

impl Policy for Scripted {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
        match self.script.get(vm.id.0 as usize) {
            Some(&s) => Some(s),
            None => self.inner.place(vm, fleet, rng),
        }
    }
}

/// Five 16-core, 64-GiB servers, measured at step 2 as using (cores, GiB):
/// s0 (12, 8), s1 (4, 44), s2 (8, 16), s3 (13, 60), s4 (15, 10). A VM
/// requesting 2 cores and 2 GiB arrives at step 2. After placing it, the
/// headroom (CPU + memory fractions) is s0 0.969, s1 0.906, s2 1.094,
/// s3 0.094; s4 does not admit it (15 + 2 > 16). Alignment of the request
/// shares (0.125, 0.031) with the free shares: s0 0.059, s1 0.104, s2 0.086,
/// s3 0.025.
fn hand_fleet_choice(policy: &str, seed: u64) -> Option<ServerId> {
    hand_fleet_choice_of(policy, seed, (2.0, 2.0))
}

/// As [`hand_fleet_choice`], for a VM requesting `request` (cores, GiB).
fn hand_fleet_choice_of(policy: &str, seed: u64, request: (f32, f32)) -> Option<ServerId> {
    hand_fleet_choice_with(policy, seed, request, Priority::OnDemand)
}

/// As [`hand_fleet_choice_of`], for a VM of the given priority: a spot VM
/// the policy declines is rejected, where an on-demand one would be placed
/// by the engine's eviction path.
fn hand_fleet_choice_with(policy: &str, seed: u64, request: (f32, f32), priority: Priority) -> Option<ServerId> {
    let loads = [(12.0, 8.0), (4.0, 44.0), (8.0, 16.0), (13.0, 60.0), (15.0, 10.0)];
    let mut vms: Vec<Vm> = loads.iter().map(|&(c, m)| vm(0, 5, (0.1, 0.1), (c, m))).collect();
    vms.push(Vm {
        priority,
        ..vm(2, 2, request, (1.0, 1.0))
    });
    let w = Workload::new(300, vms, Default::default()).unwrap();
    let fleet = Fleet {
        capacities: vec![Resources::new(16.0, 64.0); 5],
    };
    let config = SimConfig {
        seed,
        ..SimConfig::default()
    };
    let policy = Scripted {
        script: (0..5).map(ServerId).collect(),
        inner: heuristic(policy).unwrap(),
    };
    run(&w, &fleet, &config, &mut Decider::Online(Box::new(policy)))
        .unwrap()
        .assignment[5]
}

#[test]
fn best_fit_takes_the_tightest_admissible_server() {
    assert_eq!(hand_fleet_choice("best-fit", 0), Some(ServerId(3)));
}

#[test]
fn worst_fit_takes_the_loosest_server() {
    assert_eq!(hand_fleet_choice("worst-fit", 0), Some(ServerId(2)));
}

#[test]
fn dot_product_takes_the_best_alignment() {
    assert_eq!(hand_fleet_choice("dot-product", 0), Some(ServerId(1)));
}

#[test]
fn first_fit_takes_the_lowest_admissible_id() {
    assert_eq!(hand_fleet_choice("first-fit", 0), Some(ServerId(0)));
}

/// With k at least the admissible servers, every one is a candidate: the
/// least observed CPU share wins. With k = 2 the most loaded admissible
/// server (s3) loses to any other candidate, and s1 (the least loaded) wins
/// whenever it is drawn, about half the time (3 of the 6 pairs hold it).
#[test]
fn power_of_k_takes_the_least_observed_load_among_its_candidates() {
    assert_eq!(hand_fleet_choice("power-of-5", 0), Some(ServerId(1)));
    let mut s1 = 0;
    for seed in 0..200 {
        let c = hand_fleet_choice("power-of-two", seed).unwrap();
        assert!(c != ServerId(3) && c != ServerId(4), "seed {seed}: {c:?}");
        s1 += usize::from(c == ServerId(1));
    }
    assert!((70..=130).contains(&s1), "s1 chosen {s1} times of 200");
}

/// Unmeasured placements count: ten 1-core VMs arriving together on four
/// empty servers, under power-of-4 (every server a candidate), go to the
/// least loaded in turn: 3, 3, 2, 2.
#[test]
fn power_of_k_counts_vms_placed_this_step() {
    let vms: Vec<Vm> = (0..10).map(|_| vm(1, 3, (1.0, 1.0), (1.0, 1.0))).collect();
    let w = Workload::new(300, vms, Default::default()).unwrap();
    let fleet = Fleet {
        capacities: vec![Resources::new(16.0, 64.0); 4],
    };
    let m = run(
        &w,
        &fleet,
        &SimConfig::default(),
        &mut Decider::Online(heuristic("power-of-4").unwrap()),
    )
    .unwrap();
    let mut per = per_server(&m, 4);
    per.sort_unstable();
    assert_eq!(per, [2, 2, 3, 3]);
}

fn per_server(m: &RunMetrics, n: usize) -> Vec<usize> {
    let mut per = vec![0; n];
    for s in m.assignment.iter().flatten() {
        per[s.index()] += 1;
    }
    per
}

/// Round-robin cycles through the servers, skipping one that does not admit
/// the VM, and starts again from the first on the next run.
#[test]
fn round_robin_cycles_and_skips_inadmissible_servers() {
    let vms: Vec<Vm> = (0..8).map(|i| vm(i, 20, (2.0, 1.0), (0.1, 0.1))).collect();
    let w = Workload::new(300, vms, Default::default()).unwrap();
    let fleet = Fleet {
        capacities: vec![
            Resources::new(16.0, 64.0),
            Resources::new(1.0, 64.0),
            Resources::new(16.0, 64.0),
            Resources::new(16.0, 64.0),
        ],
    };
    let config = SimConfig {
        admission: Admission::Requests {
            cpu_oversub: 1.0,
            memory_oversub: 1.0,
        },
        ..SimConfig::default()
    };
    let mut policy = Decider::Online(heuristic("round-robin").unwrap());
    for _ in 0..2 {
        let m = run(&w, &fleet, &config, &mut policy).unwrap();
        let hosts: Vec<u32> = m.assignment.iter().map(|s| s.unwrap().0).collect();
        assert_eq!(hosts, [0, 2, 3, 0, 2, 3, 0, 2]);
    }
}

// The heuristics of dslab-iaas, on the same hand fleet. Shares of the
// 16-core, 64-GiB limit before placement: s0 (0.75, 0.125), s1 (0.25,
// 0.6875), s2 (0.5, 0.25), s3 (0.8125, 0.9375); the (2, 2) request is
// (0.125, 0.03125). Mean load shares over all five servers (the weights):
// CPU 52/80 = 0.65, memory 138/320 = 0.43125.

/// Cosine of (load + request) with the diagonal: s0 0.820, s1 0.954,
/// s2 0.935, s3 0.99986.
#[test]
fn cosine_similarity_takes_the_load_most_along_the_capacity() {
    assert_eq!(hand_fleet_choice("cosine-similarity", 0), Some(ServerId(3)));
}

/// |cpu − memory| before minus after: s0 0.625 → 0.71875 (−0.09375), s1
/// 0.4375 → 0.34375 (+0.09375), s2 −0.09375, s3 0.125 → 0.03125 (+0.09375):
/// the memory-heavy servers gain, s1 and s3 equally (exact in binary), and
/// the tie goes to the lowest id.
#[test]
fn delta_perp_distance_offsets_the_servers_imbalance() {
    assert_eq!(hand_fleet_choice("delta-perp-distance", 0), Some(ServerId(1)));
}

/// Weighted squared headroom after placement: s0 0.317, s1 0.288,
/// s2 0.314, s3 0.003.
#[test]
fn norm_diff_takes_the_smallest_weighted_headroom() {
    assert_eq!(hand_fleet_choice("norm-diff", 0), Some(ServerId(3)));
}

/// A (2, 16) request, shares (0.125, 0.25), admitted by s0, s1, s2: the
/// unweighted alignment ties s0 and s2 at exactly 0.25 (s1 0.172) and
/// dot-product takes s0; weighted by the mean loads, s2 leads (0.1215
/// against s0's 0.1146): CPU is the scarcer resource and s2 has more of it.
#[test]
fn weighted_dot_product_weighs_the_scarcer_resource() {
    assert_eq!(hand_fleet_choice_of("dot-product", 0, (2.0, 16.0)), Some(ServerId(0)));
    assert_eq!(
        hand_fleet_choice_of("weighted-dot-product", 0, (2.0, 16.0)),
        Some(ServerId(2))
    );
    assert_eq!(hand_fleet_choice("weighted-dot-product", 0), Some(ServerId(1)));
}

/// CPU share after placement: s0 0.875, s1 0.375, s2 0.625, s3 0.9375. At
/// the default 0.8 the fullest below it is s2 (best-fit takes s3); at 0.95,
/// s3; at 0.3 no server stays below and the policy declines: a spot VM is
/// rejected, an on-demand one placed by the engine's eviction path where no
/// eviction is needed (s0, the lowest id).
#[test]
fn best_fit_threshold_takes_the_fullest_server_below_the_threshold() {
    assert_eq!(hand_fleet_choice("best-fit-threshold", 0), Some(ServerId(2)));
    assert_eq!(hand_fleet_choice("best-fit-threshold-0.95", 0), Some(ServerId(3)));
    let spot = |p| hand_fleet_choice_with(p, 0, (2.0, 2.0), Priority::Spot);
    assert_eq!(spot("best-fit-threshold-0.3"), None);
    assert_eq!(spot("best-fit-threshold"), Some(ServerId(2)));
    assert_eq!(hand_fleet_choice("best-fit-threshold-0.3", 0), Some(ServerId(0)));
    assert!(heuristic("best-fit-threshold-0").is_none());
    assert!(heuristic("best-fit-threshold-x").is_none());
    assert_eq!(heuristic("best-fit-threshold").unwrap().name(), "best-fit-threshold");
    assert_eq!(
        heuristic("best-fit-threshold-0.95").unwrap().name(),
        "best-fit-threshold-0.95"
    );
}
