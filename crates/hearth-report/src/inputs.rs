//! The JSON outputs `hearth report` reads, as far as its plots need them,
//! and which command wrote a given document.
//!
//! Recognised by their keys: `compare --json` (`results` and `lower_bound`),
//! `fireplace eval --json` (`tables`), `evict run|eval --json`
//! (`results_by_bucket`), `evict predict --json` (an array of forecasts with
//! `rate`). Fields the plots do not use are ignored.

use crate::error::{ReportError, Result};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

/// One policy's sizing (a row of `compare`'s `results`).
#[derive(Debug, Deserialize)]
pub struct PolicyRow {
    pub policy: String,
    pub admission: String,
    pub servers_needed: Option<usize>,
    pub servers_needed_by_seed: Vec<Option<usize>>,
    /// Fleet sizes the search ran (absent in files from before it was recorded).
    #[serde(default)]
    pub search: Vec<Probe>,
}

#[derive(Debug, Deserialize)]
pub struct Probe {
    pub servers: usize,
    pub overload_rate: f64,
    pub rejections: u64,
    pub stopped_early: bool,
}

#[derive(Debug, Deserialize)]
pub struct LowerBound {
    pub servers: usize,
}

/// CPU utilisation per step of the chosen fleet (1.0 = full).
#[derive(Debug, Deserialize)]
pub struct StepLoad {
    pub policy: String,
    pub admission: String,
    pub servers: usize,
    pub step_seconds: u32,
    pub peak_cpu_utilisation: Vec<f64>,
    pub mean_cpu_utilisation: Vec<f64>,
}

#[derive(Debug, Deserialize)]
pub struct Compare {
    pub results: Vec<PolicyRow>,
    pub lower_bound: Option<LowerBound>,
    pub overload_limit: f64,
    #[serde(default)]
    pub chosen_fleet_load: Vec<StepLoad>,
}

#[derive(Debug, Deserialize)]
pub struct FirePlaceTable {
    pub overload_limit: f64,
    pub results: Vec<PolicyRow>,
}

#[derive(Debug, Deserialize)]
pub struct FirePlaceEval {
    pub tables: Vec<FirePlaceTable>,
}

/// One line of eviction scores: a model at a level and horizon over a group of clusters.
#[derive(Debug, Deserialize)]
pub struct Score {
    pub model: String,
    pub level: String,
    pub horizon_h: usize,
    pub bucket: String,
    pub rmse: Option<f64>,
}

/// One model's forecasts against the actual rate of one cluster's test
/// hours: written by `hearth evict run|eval --json`, read by the report.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct ForecastSeries {
    pub model: String,
    pub level: String,
    pub cluster: usize,
    pub horizon_h: usize,
    /// Hour index (from the first snapshot hour) each forecast was made at.
    pub as_of_hour: Vec<usize>,
    /// Evicted / spot VMs that ran, in the hour forecast.
    pub actual: Vec<f32>,
    pub forecast: Vec<f32>,
    /// Bounds of the 80% interval (empty when the model has none).
    pub lower: Vec<f32>,
    pub upper: Vec<f32>,
}

#[derive(Debug, Deserialize)]
pub struct EvictRun {
    pub results: Vec<Score>,
    pub results_by_bucket: Vec<Score>,
    #[serde(default)]
    pub forecast_series: Vec<ForecastSeries>,
}

/// One forecast of `evict predict --json`.
#[derive(Debug, Deserialize)]
pub struct Forecast {
    pub cluster: String,
    pub as_of: String,
    pub horizon_h: usize,
    pub rate: f64,
    pub lower: f64,
    pub upper: f64,
}

/// A document and the command that wrote it.
#[derive(Debug)]
pub enum Doc {
    Compare(Compare),
    FirePlaceEval(FirePlaceEval),
    EvictRun(EvictRun),
    EvictPredict(Vec<Forecast>),
}

impl Doc {
    /// Recognises and reads one JSON output; `name` (a file name) is used in errors.
    pub fn read(name: &str, json: Value) -> Result<Doc> {
        let has = |k: &str| json.get(k).is_some();
        if has("tables") {
            Ok(Doc::FirePlaceEval(typed(name, json)?))
        } else if has("results_by_bucket") {
            Ok(Doc::EvictRun(typed(name, json)?))
        } else if has("results") && has("lower_bound") {
            Ok(Doc::Compare(typed(name, json)?))
        } else if json
            .as_array()
            .is_some_and(|a| a.first().is_some_and(|r| r.get("rate").is_some()))
        {
            Ok(Doc::EvictPredict(typed(name, json)?))
        } else {
            Err(ReportError::Input {
                source_name: name.to_string(),
                reason: "not a JSON output hearth report knows: expected the --json of compare, fireplace eval, \
                         evict run|eval or evict predict (a non-empty forecast list)"
                    .into(),
            })
        }
    }
}

fn typed<T: DeserializeOwned>(name: &str, json: Value) -> Result<T> {
    serde_json::from_value(json).map_err(|e| ReportError::Input {
        source_name: name.to_string(),
        reason: e.to_string(),
    })
}
