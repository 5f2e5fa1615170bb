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
//!   for than the trace holds, whole copies of it are overlaid, copy `c` of
//!   `C` circularly shifted in time by `c/C` of the span, and the
//!   last copy is thinned uniformly at random; thinning keeps the pattern's shape.
//!   Shifting is circular for lifetimes too: a life that passes the span's
//!   end goes on from its start, as a VM already running at time 0, so every
//!   copy offers the trace's demand shifted and the total stays as flat as
//!   the trace's own (provenance: `lifetimes_wrapped_to_start`).
//!
//! Usage can be tied to identity ([`UsageKey`]): VMs that share a tenant (or a
//! tenant and VM type) draw their usage from the same source VM, each at its
//! own seeded offset, as Resource Central (SOSP'17) found a tenant's VMs to
//! behave alike. A VM living longer than its source series wraps around it.

mod options;
mod poisson;
mod pools;
mod timing;
mod usage;

pub use options::{ComposeOptions, Overlay, SizeSource, StaggerOptions, TimeMode, UsageKey};

use crate::error::{Result, TraceError};
use crate::workload::Workload;
use poisson::poisson_arrivals;
use pools::{arrival_pool, usage_pool, Bounds};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use timing::{real_time, scaled};
use usage::build_vms;

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
