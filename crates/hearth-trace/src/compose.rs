//! The composer: builds a realistic workload from two traces. The arrival
//! trace gives when VMs arrive, how long they live and their priority; the
//! usage trace gives what they use, step by step. No public trace has both
//! (DESIGN.md, "The workload"), so hearth composes them, seeded and recorded.
//!
//! Arrivals are replayed time-scaled: the arrival trace's observation window
//! is stretched or squeezed onto the requested span, lifetimes by the same
//! factor, so the shape of the arrival pattern and the ratio of lifetime to
//! inter-arrival time are kept. When more VMs are asked for than the trace
//! holds, whole copies of it are overlaid, each circularly shifted in time by
//! a seeded offset (the first copy unshifted), and the last copy is thinned
//! uniformly at random; thinning keeps the pattern's shape.

use crate::error::{Result, TraceError};
use crate::units::{Resources, Step};
use crate::workload::{Priority, ProvenanceStep, Usage, Vm, Workload};
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

/// Where the composed VMs' requested sizes come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SizeSource {
    /// The usage trace's VM: the usage series is then that VM's own, exactly.
    #[default]
    Usage,
    /// The arrival trace's VM: usage is the usage VM's fraction of its own
    /// request times this request.
    Arrivals,
}

impl SizeSource {
    pub fn name(self) -> &'static str {
        match self {
            SizeSource::Usage => "usage",
            SizeSource::Arrivals => "arrivals",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct ComposeOptions {
    /// VMs to compose; default: as many as the arrival trace holds (within bounds).
    pub vms: Option<usize>,
    /// Span over which they arrive, in days; default: the arrival trace's own.
    pub days: Option<f64>,
    pub sizes: SizeSource,
    /// VMs whose request exceeds these bounds are left out of the pool they come from.
    pub max_vm_cores: Option<f32>,
    pub max_vm_memory_gib: Option<f32>,
    pub seed: u64,
}

/// One arrival to replay: relative time and lifetime in seconds.
#[derive(Clone, Copy)]
struct Arrival {
    at: f64,
    life: f64,
    request: Resources,
    priority: Priority,
}

/// A usage VM's series as fractions of its own request.
struct UsageShape {
    cpu: Vec<f32>,
    memory: Vec<f32>,
    request: Resources,
}

/// Composes a workload from an arrival trace and a usage trace.
pub fn compose(arrivals: &Workload, usage: &Workload, opts: &ComposeOptions) -> Result<Workload> {
    let bounds = Bounds::from(opts);
    let (pool, arrivals_left_out) = arrival_pool(arrivals, opts.sizes, &bounds);
    let (shapes, usage_left_out) = usage_pool(usage, opts.sizes, &bounds);
    if pool.is_empty() {
        return Err(TraceError::Invalid(format!(
            "no VM of the arrival trace fits the size bounds ({}); raise --max-vm-cores / --max-vm-memory-gib",
            bounds.describe()
        )));
    }
    if shapes.is_empty() {
        return Err(TraceError::Invalid(format!(
            "no VM of the usage trace fits the size bounds ({}); raise the bounds or use --sizes arrivals",
            bounds.describe()
        )));
    }
    let source_span = source_span_seconds(arrivals);
    let target_span = match opts.days {
        Some(d) if !(d.is_finite() && d > 0.0) => {
            return Err(TraceError::Invalid(format!(
                "--days must be a positive number, got {d}"
            )))
        }
        Some(d) => d * 86_400.0,
        None => source_span,
    };
    let n = opts.vms.unwrap_or(pool.len());
    if n == 0 {
        return Err(TraceError::Invalid("--vms must be at least 1".into()));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let replay = replay(&pool, n, source_span, &mut rng);
    let plan = Plan {
        scale: target_span / source_span,
        step_seconds: usage.step_seconds,
        end: Step(((target_span / usage.step_seconds as f64).ceil() as u32).max(1)),
        sizes: opts.sizes,
    };
    let (vms, clipped) = build_vms(&replay.arrivals, &shapes, &plan, &mut rng);
    let step = ProvenanceStep::new("compose")
        .with("seed", opts.seed)
        .with("vms", n)
        .with("span_days", target_span / 86_400.0)
        .with("time_scale", plan.scale)
        .with("copies", replay.copies)
        .with("copy_shifts_seconds", json!(replay.shifts))
        .with("sizes", opts.sizes.name())
        .with("max_vm_cores", json!(opts.max_vm_cores))
        .with("max_vm_memory_gib", json!(opts.max_vm_memory_gib))
        .with("arrival_vms_left_out_by_bounds", arrivals_left_out)
        .with("usage_vms_left_out_by_bounds", usage_left_out)
        .with("lifetimes_clipped_at_span_end", clipped)
        .with("arrivals", json!(arrivals.provenance))
        .with("usage", json!(usage.provenance));
    let mut w = Workload::new(usage.step_seconds, vms, Default::default())?;
    w.observed_from = Step(0);
    w.record(step);
    Ok(w)
}

struct Bounds {
    cores: Option<f32>,
    memory: Option<f32>,
}

impl Bounds {
    fn from(opts: &ComposeOptions) -> Bounds {
        Bounds {
            cores: opts.max_vm_cores,
            memory: opts.max_vm_memory_gib,
        }
    }

    fn admits(&self, r: &Resources) -> bool {
        self.cores.is_none_or(|c| r.cpu.0 <= c) && self.memory.is_none_or(|m| r.memory.0 <= m)
    }

    fn describe(&self) -> String {
        let show = |x: Option<f32>| x.map(|v| v.to_string()).unwrap_or_else(|| "none".into());
        format!("cores {}, memory GiB {}", show(self.cores), show(self.memory))
    }
}

/// The arrivals to replay, relative to the trace's observation start. VMs
/// that were already running then arrive at its start with the rest of their life.
fn arrival_pool(w: &Workload, sizes: SizeSource, bounds: &Bounds) -> (Vec<Arrival>, usize) {
    let step = w.step_seconds as f64;
    let start = w.observed_from.0;
    let mut left_out = 0;
    let mut pool = Vec::with_capacity(w.vms.len());
    for vm in &w.vms {
        if vm.departure.0 <= start {
            continue;
        }
        if sizes == SizeSource::Arrivals && !bounds.admits(&vm.request) {
            left_out += 1;
            continue;
        }
        let arrival = vm.arrival.0.max(start);
        pool.push(Arrival {
            at: (arrival - start) as f64 * step,
            life: (vm.departure.0 - arrival) as f64 * step,
            request: vm.request,
            priority: vm.priority,
        });
    }
    (pool, left_out)
}

fn usage_pool(w: &Workload, sizes: SizeSource, bounds: &Bounds) -> (Vec<UsageShape>, usize) {
    let mut left_out = 0;
    let mut shapes = Vec::with_capacity(w.vms.len());
    for vm in &w.vms {
        if sizes == SizeSource::Usage && !bounds.admits(&vm.request) {
            left_out += 1;
            continue;
        }
        let frac =
            |xs: &[f32], of: f32| -> Vec<f32> { xs.iter().map(|&x| if of > 0.0 { x / of } else { 0.0 }).collect() };
        shapes.push(UsageShape {
            cpu: frac(&vm.usage.cpu, vm.request.cpu.0),
            memory: frac(&vm.usage.memory, vm.request.memory.0),
            request: vm.request,
        });
    }
    (shapes, left_out)
}

/// Length of the arrival trace's observation window in seconds: from its
/// start to one step past its last arrival.
fn source_span_seconds(w: &Workload) -> f64 {
    let last = w.vms.iter().map(|vm| vm.arrival.0).max().unwrap_or(0);
    (last.saturating_sub(w.observed_from.0) + 1) as f64 * w.step_seconds as f64
}

struct Replay {
    arrivals: Vec<Arrival>,
    copies: usize,
    shifts: Vec<f64>,
}

/// Overlays shifted copies of the pool until `n` arrivals, thinning the last.
fn replay(pool: &[Arrival], n: usize, span: f64, rng: &mut ChaCha8Rng) -> Replay {
    let copies = n.div_ceil(pool.len());
    let mut arrivals = Vec::with_capacity(n);
    let mut shifts = Vec::with_capacity(copies);
    for copy in 0..copies {
        let shift = if copy == 0 { 0.0 } else { rng.random_range(0.0..span) };
        shifts.push(shift);
        let wanted = (n - arrivals.len()).min(pool.len());
        let mut picked: Vec<usize> = if wanted == pool.len() {
            (0..pool.len()).collect()
        } else {
            sample(rng, pool.len(), wanted).into_vec()
        };
        picked.sort_unstable();
        for i in picked {
            let mut a = pool[i];
            a.at = (a.at + shift) % span;
            arrivals.push(a);
        }
    }
    Replay {
        arrivals,
        copies,
        shifts,
    }
}

struct Plan {
    scale: f64,
    step_seconds: u32,
    end: Step,
    sizes: SizeSource,
}

/// Turns replayed arrivals into VMs with usage; returns them and how many
/// lifetimes were clipped at the end of the span.
fn build_vms(arrivals: &[Arrival], shapes: &[UsageShape], plan: &Plan, rng: &mut ChaCha8Rng) -> (Vec<Vm>, usize) {
    let step = plan.step_seconds as f64;
    let mut clipped = 0;
    let mut vms = Vec::with_capacity(arrivals.len());
    for (i, a) in arrivals.iter().enumerate() {
        let at = a.at * plan.scale;
        let arrival = ((at / step).floor() as u32).min(plan.end.0 - 1);
        let natural = ((at + a.life * plan.scale) / step).ceil() as u32;
        let departure = natural.min(plan.end.0).max(arrival + 1);
        clipped += usize::from(natural > plan.end.0);
        let shape = &shapes[rng.random_range(0..shapes.len())];
        let request = match plan.sizes {
            SizeSource::Usage => shape.request,
            SizeSource::Arrivals => a.request,
        };
        let usage = usage_from(shape, request, departure - arrival, rng);
        vms.push(Vm {
            id: crate::units::VmId(i as u32),
            arrival: Step(arrival),
            departure: Step(departure),
            request,
            priority: a.priority,
            usage,
        });
    }
    (vms, clipped)
}

/// A `life`-step window of the shape at a seeded offset, scaled to `request`.
/// Lives longer than the series wrap around to its start.
fn usage_from(shape: &UsageShape, request: Resources, life: u32, rng: &mut ChaCha8Rng) -> Usage {
    let len = shape.cpu.len();
    let life = life as usize;
    let offset = if life < len {
        rng.random_range(0..=len - life)
    } else {
        0
    };
    let window = |frac: &[f32], of: f32| -> Vec<f32> { (0..life).map(|i| frac[(offset + i) % len] * of).collect() };
    Usage {
        cpu: window(&shape.cpu, request.cpu.0),
        memory: window(&shape.memory, request.memory.0),
    }
}

/// Options for giving a usage-only trace (PlanetLab, Bitbrains) arrivals and
/// lifetimes of its own: a Poisson arrival process at a constant rate over
/// the span, exponentially distributed lifetimes, all on-demand.
#[derive(Clone, Debug)]
pub struct StaggerOptions {
    pub vms: usize,
    pub days: f64,
    pub mean_lifetime_hours: f64,
    pub spot_fraction: f64,
    pub max_vm_cores: Option<f32>,
    pub max_vm_memory_gib: Option<f32>,
    pub seed: u64,
}

/// Staggers a usage-only trace: synthesises arrivals, then composes them
/// with the trace's own usage and sizes.
pub fn stagger(usage: &Workload, opts: &StaggerOptions) -> Result<Workload> {
    if !(opts.days > 0.0 && opts.mean_lifetime_hours > 0.0 && (0.0..=1.0).contains(&opts.spot_fraction)) {
        return Err(TraceError::Invalid(
            "--days and --mean-lifetime-hours must be positive and --spot-fraction within 0..1".into(),
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x5747_4147);
    let arrivals = poisson_arrivals(opts, usage.step_seconds, &mut rng)?;
    let compose_opts = ComposeOptions {
        vms: Some(opts.vms),
        days: Some(opts.days),
        sizes: SizeSource::Usage,
        max_vm_cores: opts.max_vm_cores,
        max_vm_memory_gib: opts.max_vm_memory_gib,
        seed: opts.seed,
    };
    let mut w = compose(&arrivals, usage, &compose_opts)?;
    if let Some(step) = w.provenance.steps.last_mut() {
        step.action = "stagger".into();
    }
    Ok(w)
}

fn poisson_arrivals(opts: &StaggerOptions, step_seconds: u32, rng: &mut ChaCha8Rng) -> Result<Workload> {
    let span_steps = ((opts.days * 86_400.0) / step_seconds as f64).ceil().max(1.0) as u32;
    let mean_life_steps = opts.mean_lifetime_hours * 3600.0 / step_seconds as f64;
    let vms = (0..opts.vms)
        .map(|i| {
            let arrival = rng.random_range(0..span_steps);
            let u: f64 = rng.random_range(f64::EPSILON..1.0);
            let life = (-u.ln() * mean_life_steps).ceil().clamp(1.0, 1e9) as u32;
            let priority = if rng.random_bool(opts.spot_fraction) {
                Priority::Spot
            } else {
                Priority::OnDemand
            };
            Vm {
                id: crate::units::VmId(i as u32),
                arrival: Step(arrival),
                departure: Step(arrival.saturating_add(life)),
                request: Resources::default(),
                priority,
                usage: Usage {
                    cpu: vec![0.0; life as usize],
                    memory: vec![0.0; life as usize],
                },
            }
        })
        .collect();
    let step = ProvenanceStep::new("poisson-arrivals")
        .with("vms", opts.vms)
        .with("days", opts.days)
        .with("mean_lifetime_hours", opts.mean_lifetime_hours)
        .with("spot_fraction", opts.spot_fraction);
    let mut w = Workload::new(step_seconds, vms, Default::default())?;
    w.observed_from = Step(0);
    w.record(step);
    Ok(w)
}
