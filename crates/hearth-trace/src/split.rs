//! Splits for honest evaluation: by time (train on earlier days, test on
//! later ones) and by VM (train on some usage series, test on others).
//! Never shuffled across the boundary.

use crate::error::{Result, TraceError};
use crate::units::Step;
use crate::workload::{ProvenanceStep, Workload};

fn check(from: f64, to: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&from) || !(0.0..=1.0).contains(&to) || from >= to {
        return Err(TraceError::Invalid(format!(
            "a split needs 0 ≤ from < to ≤ 1, got {from}..{to}"
        )));
    }
    Ok(())
}

/// The VMs arriving within the fraction `from..to` of the observation
/// window (from `observed_from` to the last arrival). The slice's
/// `observed_from` is its own start, so a replay starts there.
pub fn split_by_time(w: &Workload, from: f64, to: f64) -> Result<Workload> {
    check(from, to)?;
    let start = w.observed_from.0 as f64;
    let last = w.vms.iter().map(|v| v.arrival.0).max().unwrap_or(0) as f64 + 1.0;
    let (lo, hi) = (start + from * (last - start), start + to * (last - start));
    let vms = w
        .vms
        .iter()
        .filter(|v| (lo..hi).contains(&(v.arrival.0.max(w.observed_from.0) as f64)))
        .cloned();
    let mut out = Workload::new(w.step_seconds, vms.collect(), w.provenance.clone())?;
    out.observed_from = Step(lo.ceil() as u32);
    out.record(
        ProvenanceStep::new("split-by-time")
            .with("from", from)
            .with("to", to)
            .with("vms", out.vms.len()),
    );
    if out.vms.is_empty() {
        return Err(TraceError::Invalid(format!("the time split {from}..{to} holds no VM")));
    }
    Ok(out)
}

/// The VMs at positions `from..to` (as fractions of the count) in the
/// workload's order: for usage traces, a split by usage series.
pub fn split_by_vm(w: &Workload, from: f64, to: f64) -> Result<Workload> {
    check(from, to)?;
    let n = w.vms.len() as f64;
    let (lo, hi) = ((from * n).round() as usize, (to * n).round() as usize);
    let mut out = Workload::new(w.step_seconds, w.vms[lo..hi].to_vec(), w.provenance.clone())?;
    out.observed_from = w.observed_from;
    out.record(
        ProvenanceStep::new("split-by-vm")
            .with("from", from)
            .with("to", to)
            .with("vms", out.vms.len()),
    );
    if out.vms.is_empty() {
        return Err(TraceError::Invalid(format!("the VM split {from}..{to} holds no VM")));
    }
    Ok(out)
}
