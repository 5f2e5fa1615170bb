//! An instance's first run, resolved from its events: arrival, departure,
//! request and priority, and the counts of what was left out on the way.

use super::events::{Ev, Inst};
use super::fields::{Key, AFTER_END, GOOGLE_MACHINE};
use crate::formats::{end_step_of, step_of};
use crate::units::Resources;
use crate::workload::Priority;

/// Priorities below this are free tier or best-effort batch: spot.
pub const SPOT_BELOW_PRIORITY: i64 = 116;
const SCHEDULE: u8 = 3;

/// A scheduled instance while its usage windows are streamed in.
pub(super) struct Run {
    pub(super) key: Key,
    pub(super) arrival: u32,
    pub(super) departure: u32,
    pub(super) request: Resources,
    pub(super) priority: Priority,
    pub(super) cpu: Vec<f32>,
    pub(super) memory: Vec<f32>,
    pub(super) weight: Vec<f32>,
}

/// Instances and usage rows left out or changed, counted for provenance.
#[derive(Default)]
pub(super) struct Counts {
    pub(super) never_scheduled: u64,
    pub(super) alloc_instances: u64,
    pub(super) still_running: u64,
    pub(super) later_runs: u64,
    pub(super) no_request: u64,
    pub(super) lengthened: u64,
    pub(super) usage_unknown: u64,
    pub(super) usage_outside: u64,
    pub(super) usage_no_average: u64,
    pub(super) steps_without_usage: u64,
}

fn is_end(kind: u8) -> bool {
    (4..=8).contains(&kind)
}

/// Turns an instance's events into its first run, or counts why it has none.
pub(super) fn resolve(key: Key, inst: Inst, last_time: u64, step_s: u32, counts: &mut Counts) -> Option<Run> {
    if inst.alloc {
        counts.alloc_instances += 1;
        return None;
    }
    let mut events = inst.events;
    events.sort_by_key(|e| e.time);
    let Some(s) = events.iter().position(|e| e.kind == SCHEDULE && e.time != AFTER_END) else {
        counts.never_scheduled += 1;
        return None;
    };
    let (before, after) = events.split_at(s + 1);
    let sched = before.last()?;
    let end_at = after.iter().position(|e| is_end(e.kind));
    let end = match end_at.and_then(|i| after.get(i)) {
        Some(e) if e.time != AFTER_END => e.time,
        _ => {
            counts.still_running += 1;
            last_time
        }
    };
    if let Some(i) = end_at {
        let later = after.get(i + 1..).unwrap_or_default();
        counts.later_runs += later.iter().any(|e| e.kind == SCHEDULE) as u64;
    }
    let request = request_at(&events, sched.time, counts);
    let arrival = step_of(sched.time as f64 / 1e6, step_s);
    let mut departure = end_step_of(end as f64 / 1e6, step_s);
    if departure <= arrival {
        counts.lengthened += 1;
        departure = arrival.saturating_add(1);
    }
    let priority = if sched.priority < SPOT_BELOW_PRIORITY {
        Priority::Spot
    } else {
        Priority::OnDemand
    };
    let life = departure.saturating_sub(arrival) as usize;
    Some(Run {
        key,
        arrival,
        departure,
        request,
        priority,
        cpu: vec![0.0; life],
        memory: vec![0.0; life],
        weight: vec![0.0; life],
    })
}

/// The last requested CPU and memory at or before `time`, in cores and GiB.
fn request_at(events: &[Ev], time: u64, counts: &mut Counts) -> Resources {
    let upto = || events.iter().take_while(|e| e.time <= time);
    let cpus = upto().filter_map(|e| e.cpus).last();
    let memory = upto().filter_map(|e| e.memory).last();
    if cpus.is_none() || memory.is_none() {
        counts.no_request += 1;
    }
    Resources::new(
        cpus.unwrap_or(0.0) * GOOGLE_MACHINE.0,
        memory.unwrap_or(0.0) * GOOGLE_MACHINE.1,
    )
}
