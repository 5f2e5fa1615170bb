//! `hearth evict forecast`: the real-data check. Every SkyPilot trace under
//! the given paths forecast 1-3 hours ahead by the naive baselines and the
//! named learned families ([`crate::skypilot`] fits and scores one zone).

use crate::dataset::WINDOW;
use crate::error::{Context, EvictError, Result};
use crate::models;
use crate::nn_options::NnOptions;
use crate::predictor::Learner;
use crate::skypilot::{forecast_zone, ZoneReport, ZONE_FEATURES};
use hearth_trace::formats::skypilot;
use hearth_trace::Source;
use serde::{Serialize, Serializer};
use serde_json::json;
use std::path::PathBuf;

/// The learned families the check runs: hearth-ml's tabular models on the
/// flattened 48-hour rows and the LSTM on the same rows read as windows.
pub const FAMILIES: [&str; 5] = ["linear", "svr", "random-forest", "gbdt", "lstm"];

/// The learners `names` asks for (`all`, `none`, or families), in
/// [`FAMILIES`] order; a neural one named in a build without it is
/// [`EvictError::NeedsNn`], and `all` leaves it out (see
/// [`models::left_out_of`]). Unknown names are [`check_names`]'s.
pub fn learners(names: &[String], nn: &NnOptions) -> Result<Vec<Box<dyn Learner>>> {
    let cols = WINDOW * ZONE_FEATURES.len();
    let mut out: Vec<Box<dyn Learner>> = Vec::new();
    for name in FAMILIES {
        let named = names.iter().any(|n| n == name);
        if !named && !names.iter().any(|n| n == "all") {
            continue;
        }
        if models::left_out_of_all().contains(&name) {
            if named {
                return Err(EvictError::NeedsNn { model: name.into() });
            }
            continue;
        }
        out.push(models::learner(name, cols, nn)?);
    }
    Ok(out)
}

/// Refuses a name that is neither `all`, `none` nor a family.
pub fn check_names(names: &[String]) -> Result<()> {
    match names
        .iter()
        .find(|n| !["all", "none"].contains(&n.as_str()) && !FAMILIES.contains(&n.as_str()))
    {
        Some(bad) => Err(EvictError::Options(format!(
            "unknown model {bad:?}; known: all, none, {}",
            FAMILIES.join(", ")
        ))),
        None => Ok(()),
    }
}

/// Every zone's scores, and the traces too short to split: the JSON of `--json`.
pub struct SkypilotReport {
    pub zones: Vec<ZoneReport>,
    pub skipped_too_short: Vec<String>,
}

/// Forecasts every `*.json` trace under `paths` (files or directories).
pub fn forecast(paths: &[PathBuf], seed: u64, learners: &[Box<dyn Learner>]) -> Result<SkypilotReport> {
    let learners: Vec<&dyn Learner> = learners.iter().map(|l| l.as_ref()).collect();
    let files = hearth_trace::formats::expand_paths(paths)
        .context_with(|| "listing the SkyPilot traces (run from the repository root, or give their paths)".into())?;
    let files: Vec<_> = files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    if files.is_empty() {
        return Err(EvictError::Options(format!(
            "no SkyPilot trace (*.json) under {paths:?}"
        )));
    }
    let mut report = SkypilotReport {
        zones: Vec::new(),
        skipped_too_short: Vec::new(),
    };
    for f in &files {
        let trace = skypilot::read(Source::open(f)?).context_with(|| format!("reading {}", f.display()))?;
        match forecast_zone(&trace, &learners, seed)? {
            Some(r) => report.zones.push(r),
            None => report.skipped_too_short.push(f.display().to_string()),
        }
    }
    Ok(report)
}

/// As the command has always written it: through `serde_json::Value` (keys
/// in alphabetical order at every depth).
impl Serialize for SkypilotReport {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        json!({"zones": self.zones, "skipped_too_short": self.skipped_too_short}).serialize(s)
    }
}
