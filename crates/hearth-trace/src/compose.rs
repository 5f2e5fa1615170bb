//! The composer: builds a realistic workload from two traces. The arrival
//! trace gives when VMs arrive, how long they live and their priority; the
//! usage trace gives what they use, step by step. No public trace has both
//! (DESIGN.md, "The workload"), so hearth composes them, seeded and recorded.
//!
//! Arrivals are replayed in one of two ways ([`TimeMode`]):
//!
//! - **Real time**, for traces with real lifetimes (Azure's packing trace): a
//!   window of the trace (`start_day`, `days`) is replayed as it happened.
//!   VMs already running at the window's start arrive at step 0 with the
//!   rest of their life, and the window's own arrivals follow from step 1:
//!   the workload's `observed_from` is step 1, which tells the simulator that
//!   the VMs of step 0 were running (and measured) before observation began.
//!   Lives running past the window's end are clipped there.
//! - **Time-scaled**, for sparse traces (openb): the arrival trace's
//!   observation window is stretched or squeezed onto the requested span,
//!   lifetimes by the same factor, so the shape of the arrival pattern and the
//!   ratio of lifetime to inter-arrival time are kept. When more VMs are asked
//!   for than the trace holds, whole copies of it are overlaid, each circularly
//!   shifted in time by a seeded offset (the first copy unshifted), and the
//!   last copy is thinned uniformly at random; thinning keeps the pattern's shape.
//!
//! Usage can be tied to identity ([`UsageKey`]): VMs that share a tenant (or a
//! tenant and VM type) draw their usage from the same source VM, each at its
//! own seeded offset, as Resource Central (SOSP'17) found a tenant's VMs to
//! behave alike. A VM living longer than its source series wraps around it.

use crate::error::{Result, TraceError};
use crate::units::{Resources, Step, TenantId, VmTypeId};
use crate::workload::{Priority, ProvenanceStep, Usage, Vm, Workload};
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use std::collections::HashMap;

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

/// How arrivals are replayed in time (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum TimeMode {
    /// As they happened, from `start_day` (days after the trace's
    /// observation start) for `ComposeOptions::days` (default: to the end).
    Real { start_day: f64 },
    /// Stretched or squeezed onto `ComposeOptions::days`, with
    /// `ComposeOptions::vms` VMs.
    #[default]
    Scaled,
}

/// Which VMs share a usage source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UsageKey {
    /// Every VM draws its own source VM.
    Vm,
    /// VMs of one tenant share a source VM (VMs without a tenant draw their own).
    #[default]
    Tenant,
    /// VMs of one tenant and one VM type share a source VM.
    TenantType,
}

impl UsageKey {
    pub fn name(self) -> &'static str {
        match self {
            UsageKey::Vm => "vm",
            UsageKey::Tenant => "tenant",
            UsageKey::TenantType => "tenant-type",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct ComposeOptions {
    pub time: TimeMode,
    /// VMs to compose (time-scaled only); default: as many as the arrival
    /// trace holds (within bounds).
    pub vms: Option<usize>,
    /// Span in days: of the window replayed (real time; default to the
    /// trace's end) or over which VMs arrive (time-scaled; default the trace's own).
    pub days: Option<f64>,
    pub usage_by: UsageKey,
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
    tenant: Option<TenantId>,
    vm_type: Option<VmTypeId>,
    /// Which overlaid copy of the trace it comes from (0 in real time):
    /// copies are other tenants' VMs as far as usage keys go.
    copy: u32,
}

/// A usage VM's series as fractions of its own request.
struct UsageShape {
    cpu: Vec<f32>,
    memory: Vec<f32>,
    request: Resources,
}

/// Composes a workload from an arrival trace and a usage trace.
///
/// Errors: no VM of either trace within the size bounds, a non-positive
/// `days` or `vms`, or a real-time window outside the trace.
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
    if let Some(d) = opts.days.filter(|d| !(d.is_finite() && *d > 0.0)) {
        return Err(TraceError::Invalid(format!(
            "--days must be a positive number, got {d}"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let (timed, plan, step) = match opts.time {
        TimeMode::Scaled => scaled(arrivals, &pool, usage.step_seconds, opts, &mut rng)?,
        TimeMode::Real { start_day } => real_time(&pool, usage.step_seconds, start_day, opts)?,
    };
    let built = build_vms(&timed, &shapes, &plan, opts.usage_by, &mut rng);
    let step = step
        .with("seed", opts.seed)
        .with("vms", built.vms.len())
        .with("sizes", opts.sizes.name())
        .with("usage_by", opts.usage_by.name())
        .with("usage_sources_shared_by_key", built.keyed)
        .with("vms_without_usage_key", built.unkeyed)
        .with("usage_series_wrapped", built.wrapped)
        .with("max_vm_cores", json!(opts.max_vm_cores))
        .with("max_vm_memory_gib", json!(opts.max_vm_memory_gib))
        .with("arrival_vms_left_out_by_bounds", arrivals_left_out)
        .with("usage_vms_left_out_by_bounds", usage_left_out)
        .with("lifetimes_clipped_at_span_end", built.clipped)
        .with("arrivals", json!(arrivals.provenance))
        .with("usage", json!(usage.provenance));
    let mut w = Workload::new(usage.step_seconds, built.vms, Default::default())?;
    w.observed_from = plan.observed_from;
    w.record(step);
    Ok(w)
}

/// Time-scaled replay: `vms` arrivals (overlaid copies) over `days`.
fn scaled(
    arrivals: &Workload,
    pool: &[Arrival],
    step_seconds: u32,
    opts: &ComposeOptions,
    rng: &mut ChaCha8Rng,
) -> Result<(Vec<Arrival>, Plan, ProvenanceStep)> {
    let source_span = source_span_seconds(arrivals);
    let target_span = opts.days.map_or(source_span, |d| d * 86_400.0);
    let n = opts.vms.unwrap_or(pool.len());
    if n == 0 {
        return Err(TraceError::Invalid("--vms must be at least 1".into()));
    }
    let replay = replay(pool, n, source_span, rng);
    let plan = Plan {
        scale: target_span / source_span,
        step_seconds,
        end: Step(((target_span / step_seconds as f64).ceil() as u32).max(1)),
        sizes: opts.sizes,
        observed_from: Step(0),
    };
    let step = ProvenanceStep::new("compose")
        .with("time", "scaled")
        .with("span_days", target_span / 86_400.0)
        .with("time_scale", plan.scale)
        .with("copies", replay.copies)
        .with("copy_shifts_seconds", json!(replay.shifts));
    Ok((replay.arrivals, plan, step))
}

/// Real-time replay of the window `start_day .. start_day + days`.
fn real_time(
    pool: &[Arrival],
    step_seconds: u32,
    start_day: f64,
    opts: &ComposeOptions,
) -> Result<(Vec<Arrival>, Plan, ProvenanceStep)> {
    let trace_end = pool.iter().map(|a| a.at + a.life).fold(0.0, f64::max);
    let start = start_day * 86_400.0;
    if !(start_day.is_finite() && start_day >= 0.0 && start < trace_end) {
        return Err(TraceError::Invalid(format!(
            "--start-day {start_day} is outside the arrival trace, which spans {:.2} days",
            trace_end / 86_400.0
        )));
    }
    let span = opts.days.map_or(trace_end - start, |d| d * 86_400.0);
    let end = start + span;
    let mut already_running = 0usize;
    let timed: Vec<Arrival> = pool
        .iter()
        .filter(|a| a.at < end && a.at + a.life > start)
        .map(|a| {
            let mut a = *a;
            // At the trace's own start, its first step holds the VMs that
            // started before the trace (readers put them there; Azure's
            // packing sample 0 has 7,023) and cannot be told from the few
            // that arrived in its first step: all count as already running.
            if a.at < start || (start == 0.0 && a.at == 0.0) {
                already_running += 1;
                a.life -= start - a.at;
                a.at = 0.0;
            } else {
                // One step later, so that step 0 holds only the VMs already
                // running: the observation window starts at step 1.
                a.at = a.at - start + step_seconds as f64;
            }
            a
        })
        .collect();
    if timed.is_empty() {
        return Err(TraceError::Invalid(format!(
            "no VM of the arrival trace runs between day {start_day} and day {}",
            end / 86_400.0
        )));
    }
    let plan = Plan {
        scale: 1.0,
        step_seconds,
        end: Step(((span / step_seconds as f64).ceil() as u32).max(1) + 1),
        sizes: opts.sizes,
        observed_from: Step(u32::from(already_running > 0)),
    };
    let step = ProvenanceStep::new("compose")
        .with("time", "real")
        .with("start_day", start_day)
        .with("span_days", span / 86_400.0)
        .with("vms_running_at_window_start", already_running);
    Ok((timed, plan, step))
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
            tenant: vm.tenant,
            vm_type: vm.vm_type,
            copy: 0,
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
            a.copy = copy as u32;
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
    /// Step 1 when VMs already running at a real-time window's start are
    /// replayed at step 0 (they were measured before it began), else 0.
    observed_from: Step,
}

struct Built {
    vms: Vec<Vm>,
    clipped: usize,
    wrapped: usize,
    /// Distinct usage keys, each of which drew one source VM.
    keyed: usize,
    /// VMs that drew their own source for lack of the key (no tenant).
    unkeyed: usize,
}

/// The usage key of an arrival under `by`, or `None` (draw alone).
fn usage_key(a: &Arrival, by: UsageKey) -> Option<(u32, TenantId, Option<VmTypeId>)> {
    match by {
        UsageKey::Vm => None,
        UsageKey::Tenant => a.tenant.map(|t| (a.copy, t, None)),
        UsageKey::TenantType => a.tenant.map(|t| (a.copy, t, a.vm_type)),
    }
}

/// Turns replayed arrivals into VMs with usage. Source VMs are drawn in
/// arrival order, once per key, so a workload without keys draws exactly as
/// `UsageKey::Vm` does.
fn build_vms(arrivals: &[Arrival], shapes: &[UsageShape], plan: &Plan, by: UsageKey, rng: &mut ChaCha8Rng) -> Built {
    let step = plan.step_seconds as f64;
    let mut sources: HashMap<(u32, TenantId, Option<VmTypeId>), usize> = HashMap::new();
    let mut out = Built {
        vms: Vec::with_capacity(arrivals.len()),
        clipped: 0,
        wrapped: 0,
        keyed: 0,
        unkeyed: 0,
    };
    for (i, a) in arrivals.iter().enumerate() {
        let at = a.at * plan.scale;
        let arrival = ((at / step).floor() as u32).min(plan.end.0 - 1);
        let natural = ((at + a.life * plan.scale) / step).ceil() as u32;
        let departure = natural.min(plan.end.0).max(arrival + 1);
        out.clipped += usize::from(natural > plan.end.0);
        let source = match usage_key(a, by) {
            Some(key) => *sources.entry(key).or_insert_with(|| rng.random_range(0..shapes.len())),
            None => {
                out.unkeyed += usize::from(by != UsageKey::Vm);
                rng.random_range(0..shapes.len())
            }
        };
        let shape = &shapes[source];
        let request = match plan.sizes {
            SizeSource::Usage => shape.request,
            SizeSource::Arrivals => a.request,
        };
        out.wrapped += usize::from((departure - arrival) as usize > shape.cpu.len());
        let usage = usage_from(shape, request, departure - arrival, rng);
        out.vms.push(Vm {
            id: crate::units::VmId(i as u32),
            arrival: Step(arrival),
            departure: Step(departure),
            request,
            priority: a.priority,
            tenant: a.tenant,
            vm_type: a.vm_type,
            usage,
        });
    }
    out.keyed = sources.len();
    out
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
        ..Default::default()
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
                tenant: None,
                vm_type: None,
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
