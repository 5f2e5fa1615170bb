//! Time mapping: where the replayed arrivals land, in real time (a window
//! of the trace) or time-scaled (overlaid copies stretched onto the span).

use super::options::{ComposeOptions, Overlay, SizeSource};
use super::pools::Arrival;
use crate::error::{Result, TraceError};
use crate::units::Step;
use crate::workload::{ProvenanceStep, Workload};
use rand::seq::index::sample;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

/// Time-scaled replay: `vms` arrivals (overlaid copies) over `days`.
pub(super) fn scaled(
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
    let replay = replay(pool, n, opts.overlay, source_span, rng);
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
        .with("overlay", opts.overlay.name())
        .with("copies", replay.copies)
        .with("copy_shifts_seconds", json!(replay.shifts))
        .with("lifetimes_wrapped_to_start", replay.wrapped);
    Ok((replay.arrivals, plan, step))
}

/// Real-time replay of the window `start_day .. start_day + days`.
pub(super) fn real_time(
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
    /// Lives that passed the span's end and went on from its start.
    wrapped: usize,
}

/// Overlays copies of the pool, shifted as `overlay` says, until `n`
/// arrivals, thinning the last.
fn replay(pool: &[Arrival], n: usize, overlay: Overlay, span: f64, rng: &mut ChaCha8Rng) -> Replay {
    let copies = n.div_ceil(pool.len());
    let mut arrivals = Vec::with_capacity(n);
    let mut shifts = Vec::with_capacity(copies);
    let mut wrapped = 0;
    // Arrivals replayed; a wrapped life adds a second, which does not count.
    let mut placed = 0;
    for copy in 0..copies {
        // Evenly spaced, so the copies' sum is a Riemann sum of the trace's
        // circular mean: random shifts left day-to-day swings of ±17% in
        // offered demand at 8 copies (issue 22's stationarity test).
        let shift = match overlay {
            Overlay::Circular => span * copy as f64 / copies as f64,
            Overlay::Clipped if copy == 0 => 0.0,
            Overlay::Clipped => rng.random_range(0.0..span),
        };
        shifts.push(shift);
        let wanted = (n - placed).min(pool.len());
        placed += wanted;
        let mut picked: Vec<usize> = if wanted == pool.len() {
            (0..pool.len()).collect()
        } else {
            sample(rng, pool.len(), wanted).into_vec()
        };
        picked.sort_unstable();
        for i in picked {
            let mut a = pool[i];
            a.copy = copy as u32;
            if overlay == Overlay::Clipped {
                a.at = (a.at + shift) % span;
                arrivals.push(a);
                continue;
            }
            wrapped += usize::from(shift_circularly(a, shift, span, &mut arrivals));
        }
    }
    Replay {
        arrivals,
        copies,
        shifts,
        wrapped,
    }
}

/// Shifts one arrival by `shift` on the circle of length `span`. A life that
/// passes the circle's end goes on from its start, as a second arrival at
/// time 0 (a VM already running when the replay begins), so every copy
/// offers the demand of the trace circularly shifted: clipping it at the end
/// instead left each shifted copy's long-lived VMs out of the time before
/// their shift, and demand rose over the run (issue 22). Lives are first
/// clipped at the span, as copy 0's are. Returns whether the life wrapped.
fn shift_circularly(mut a: Arrival, shift: f64, span: f64, out: &mut Vec<Arrival>) -> bool {
    a.life = a.life.min(span - a.at);
    a.at = (a.at + shift) % span;
    let overflow = a.at + a.life - span;
    if overflow <= 0.0 {
        out.push(a);
        return false;
    }
    out.push(Arrival { life: span - a.at, ..a });
    out.push(Arrival {
        at: 0.0,
        life: overflow,
        ..a
    });
    true
}

/// How replayed times map onto the composed workload's steps.
pub(super) struct Plan {
    pub(super) scale: f64,
    pub(super) step_seconds: u32,
    pub(super) end: Step,
    pub(super) sizes: SizeSource,
    /// Step 1 when VMs already running at a real-time window's start are
    /// replayed at step 0 (they were measured before it began), else 0.
    pub(super) observed_from: Step,
}
