//! What reading the three tables gathers before any microVM is made: per
//! function its durations and busy periods, per app its memory, and the
//! counts that provenance reports.

use super::busy::BusyPeriods;
use std::collections::{BTreeMap, HashMap};

pub(super) type FnKey = (String, String);

#[derive(Default)]
pub(super) struct Function {
    /// The day's mean execution time in seconds, by day.
    pub(super) durations: BTreeMap<u8, f64>,
    /// Bit `d` set: the day's invocation row was read.
    pub(super) days_listed: u128,
    pub(super) periods: BusyPeriods,
}

#[derive(Default)]
pub(super) struct Trace {
    pub(super) functions: HashMap<FnKey, Function>,
    /// Per app: sum of the days' AverageAllocatedMb, and the number of days.
    pub(super) app_memory: HashMap<String, (f64, u32)>,
    pub(super) day_durations: BTreeMap<u8, Vec<f64>>,
    pub(super) duplicate_durations: u64,
    pub(super) duplicate_memory: u64,
    pub(super) filled_durations: u64,
    pub(super) days: Vec<u8>,
}
