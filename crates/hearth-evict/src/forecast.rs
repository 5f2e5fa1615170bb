//! The product path: a saved model forecasts each cluster's spot eviction
//! rate at +1, +2 and +3 hours from the cluster's last 48 hours of snapshots,
//! with the model's calibrated 80% interval.
//!
//! A cluster's forecast is made at the end of its last hour that has rows in
//! the file (see the gap rule of [`crate::snapshot_file`]); a cluster with
//! fewer than 48 hours up to then is reported as too short, not dropped
//! silently. Rates are clipped to [0, 1] (a linear model can stray out).

use crate::dataset::{Dataset, Sample, WINDOW};
use crate::error::Result;
use crate::interval::Conformal;
use crate::predictor::Predictor;
use crate::snapshot_file::SnapshotSet;
use serde::Serialize;

/// One cluster's forecast at one horizon.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Forecast {
    pub cluster: String,
    /// When the forecast is made: the end of the last hour it reads, ISO 8601 UTC.
    pub as_of: String,
    /// Hours after `as_of`: the forecast is for the hour `[as_of + h - 1, as_of + h)`.
    pub horizon_h: usize,
    /// Evicted spot VMs / spot VMs that run in that hour.
    pub rate: f32,
    /// 80% interval.
    pub lower: f32,
    pub upper: f32,
}

/// Forecasts of every cluster long enough to forecast.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Forecasts {
    pub rows: Vec<Forecast>,
    /// Clusters with fewer than 48 hours up to their last hour with rows.
    pub too_short: Vec<String>,
}

/// Forecasts each cluster of `set` with a fitted predictor and its interval.
pub fn forecast(p: &dyn Predictor, interval: &Conformal, set: SnapshotSet) -> Result<Forecasts> {
    let mut out = Forecasts::default();
    let mut samples = Vec::new();
    for c in 0..set.clusters.len() {
        match set.last_present_hour(c) {
            Some(end) if end + 1 >= WINDOW => samples.push(Sample { cluster: c, end }),
            _ => out.too_short.push(set.cluster_names[c].clone()),
        }
    }
    let as_of: Vec<String> = samples.iter().map(|s| iso_utc(set.hour_start_s(s.end + 1))).collect();
    let names = set.cluster_names;
    let data = Dataset::for_forecast(set.clusters)?;
    let preds = p.predict(&data, &samples)?;
    for ((s, pred), as_of) in samples.iter().zip(&preds).zip(as_of) {
        for (k, &rate) in pred.iter().enumerate() {
            let (lower, upper) = interval.bounds(k, rate);
            out.rows.push(Forecast {
                cluster: names[s.cluster].clone(),
                as_of: as_of.clone(),
                horizon_h: k + 1,
                rate: rate.clamp(0.0, 1.0),
                lower,
                upper,
            });
        }
    }
    Ok(out)
}

/// Seconds since 1970-01-01 UTC as `YYYY-MM-DDTHH:MM:SSZ` (proleptic
/// Gregorian; Hinnant's days-to-civil algorithm).
pub fn iso_utc(seconds: i64) -> String {
    let (days, secs) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}
