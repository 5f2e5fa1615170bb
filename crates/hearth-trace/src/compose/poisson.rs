//! Arrivals for a usage-only trace: a Poisson process at a constant rate
//! over the span, exponentially distributed lifetimes, a seeded spot share.

use super::options::StaggerOptions;
use crate::error::Result;
use crate::units::{Resources, Step};
use crate::workload::{Priority, ProvenanceStep, Usage, Vm, Workload};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub(super) fn poisson_arrivals(opts: &StaggerOptions, step_seconds: u32, rng: &mut ChaCha8Rng) -> Result<Workload> {
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
