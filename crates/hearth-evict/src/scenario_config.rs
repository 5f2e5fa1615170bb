//! What a spot scenario is made of: its clusters, their size, span, step,
//! spot mix, demand range and daily rhythm ([`ScenarioConfig`]), checked
//! before anything is simulated. The choices are explained in
//! [`crate::scenario`].

use crate::error::{EvictError, Result};
use serde::Serialize;

/// Seconds in an hour: snapshots are hourly.
pub const HOUR_SECONDS: u32 = 3600;

#[derive(Clone, Debug, Serialize)]
pub struct ScenarioConfig {
    pub clusters: usize,
    pub nodes_per_cluster: usize,
    /// Days observed (snapshotted), after the warm-up.
    pub days: f64,
    /// Days simulated before the first snapshot and then dropped.
    pub warmup_days: f64,
    /// Simulation step; must divide an hour.
    pub step_seconds: u32,
    /// `None`: priorities from the trace (openb BE spot, LS/Burstable/Guaranteed
    /// on-demand). `Some(f)`: each VM is spot with probability `f`.
    pub spot_fraction: Option<f64>,
    /// Offered mean core demand over cluster cores, lowest and highest cluster.
    pub demand_range: (f64, f64),
    /// Amplitude `a` of the daily modulation of on-demand arrivals (0 = none).
    pub diurnal_amplitude: f64,
    pub seed: u64,
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        ScenarioConfig {
            clusters: 20,
            nodes_per_cluster: 600,
            days: 14.0,
            warmup_days: 1.0,
            step_seconds: 600,
            spot_fraction: None,
            demand_range: (0.35, 1.2),
            diurnal_amplitude: 0.7,
            seed: 0,
        }
    }
}

impl ScenarioConfig {
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(EvictError::Config(m.to_string()));
        if self.clusters == 0 || self.nodes_per_cluster == 0 {
            return bad("--clusters and --nodes-per-cluster must be at least 1");
        }
        if !(self.days.is_finite() && self.days * 24.0 >= 52.0) {
            return bad("--days must give at least 52 hours (a 48-hour window and 3 targets, plus a split)");
        }
        if !(self.warmup_days.is_finite() && self.warmup_days >= 0.0) {
            return bad("--warmup-days must be zero or positive");
        }
        if self.step_seconds == 0 || !HOUR_SECONDS.is_multiple_of(self.step_seconds) {
            return bad("--step-seconds must divide 3600");
        }
        if self.spot_fraction.is_some_and(|f| !(0.0..=1.0).contains(&f)) {
            return bad("--spot-fraction must lie within 0..1");
        }
        let (lo, hi) = self.demand_range;
        if !(lo > 0.0 && hi >= lo && hi.is_finite()) {
            return bad("the demand range must be positive and increasing");
        }
        if !(0.0..1.0).contains(&self.diurnal_amplitude) {
            return bad("--diurnal-amplitude must lie within 0..1");
        }
        Ok(())
    }

    pub fn steps_per_hour(&self) -> u32 {
        HOUR_SECONDS / self.step_seconds
    }

    pub fn warmup_hours(&self) -> usize {
        (self.warmup_days * 24.0).round() as usize
    }

    /// Hours snapshotted per cluster.
    pub fn hours(&self) -> usize {
        (self.days * 24.0).floor() as usize
    }
}
