//! `hearth evict train` (without `--out`), `eval` and `run`: every named
//! model fitted on the training hours and scored on the validation or test
//! hours, overall and per utilisation bucket, with each model's skill
//! against the better naive forecast ([`crate::skill`]), as [`ModelsReport`].

use crate::dataset::{Cuts, Dataset, Level, Split};
use crate::error::{Context, Result};
use crate::eval::{fit_and_score, Evaluation, Score};
use crate::forecast_series::{forecast_series, ForecastSeries};
use crate::models::{self, ModelOptions};
use crate::skill::{skills, Skill, NAIVE};
use crate::snapshot_input::{InputSummary, Loaded};
use hearth_sim::Progress;
use serde::{Serialize, Serializer};
use serde_json::json;
use std::time::Instant;

/// How the models are fitted and scored.
pub struct StudyOptions {
    pub models: ModelOptions,
    /// Validation (`train`) or test (`eval`, `run`) hours.
    pub split: Split,
    pub seed: u64,
    /// Also the first cluster's forecast series per model (costs a prediction pass).
    pub series: bool,
    /// When the command started: `total_seconds` counts from it.
    pub started: Instant,
}

/// What the models scored, and on what: the JSON of `--json`.
pub struct ModelsReport {
    pub evaluations: Vec<Evaluation>,
    /// Each model's skill against the better naive forecast, with its 90%
    /// interval (levels where both naive models ran).
    pub skills: Vec<Skill>,
    pub series: Vec<ForecastSeries>,
    pub split: Split,
    /// Samples in the train, validation and test splits.
    pub samples: [usize; 3],
    pub cuts: Cuts,
    /// Clusters held out of training, the only ones tested; empty: none.
    pub test_clusters: Vec<usize>,
    pub scenario: InputSummary,
    pub total_seconds: f64,
}

/// Fits and scores each (model, level) of `wanted` (see [`models::expand`]) in turn.
pub fn score(
    wanted: &[(String, Level)],
    opts: &StudyOptions,
    loaded: Loaded,
    progress: &dyn Progress,
) -> Result<ModelsReport> {
    let Loaded { summary, data, .. } = loaded;
    progress.begin(wanted.len() as u64, "training and scoring");
    let mut evaluations = Vec::new();
    let mut series = Vec::new();
    for (name, level) in wanted {
        progress.message(&format!("{name} ({})", level.name()));
        let mut model = models::build(name, *level, &opts.models)?;
        let e = fit_and_score(model.as_mut(), &data, opts.split, opts.seed)
            .context_with(|| format!("model {name} at {} level", level.name()))?;
        if opts.series {
            series.extend(forecast_series(model.as_ref(), &data, opts.split, &e)?);
        }
        evaluations.push(e);
        progress.inc();
    }
    progress.finish();
    // The references join the evaluations only while skill is measured.
    let named = evaluations.len();
    evaluations.extend(naive_references(wanted, opts, &data)?);
    let skills = skills(&evaluations, data.samples(opts.split), opts.seed);
    evaluations.truncate(named);
    Ok(ModelsReport {
        skills,
        evaluations,
        series,
        split: opts.split,
        samples: [Split::Train, Split::Validation, Split::Test].map(|s| data.samples(s).len()),
        cuts: data.cuts,
        test_clusters: data.test_clusters.clone(),
        scenario: summary,
        total_seconds: opts.started.elapsed().as_secs_f64(),
    })
}

/// The naive forecasts that skill is measured against, at each level of
/// `wanted` that did not name them: they cost no fitting.
fn naive_references(wanted: &[(String, Level)], opts: &StudyOptions, data: &Dataset) -> Result<Vec<Evaluation>> {
    let mut out = Vec::new();
    let mut levels: Vec<Level> = Vec::new();
    for (_, l) in wanted {
        if !levels.contains(l) {
            levels.push(*l);
        }
    }
    for level in levels {
        for name in NAIVE {
            if !wanted.iter().any(|(n, l)| n == name && *l == level) {
                let mut model = models::build(name, level, &opts.models)?;
                out.push(fit_and_score(model.as_mut(), data, opts.split, opts.seed)?);
            }
        }
    }
    Ok(out)
}

/// As the command has always written it: through `serde_json::Value`, so
/// keys are in alphabetical order at every depth and `f32`s are widened to
/// `f64` (readers of earlier files see the same bytes).
impl Serialize for ModelsReport {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let scores = || self.evaluations.iter().flat_map(|e| &e.scores);
        let results: Vec<&Score> = scores().filter(|s| s.bucket == "all").collect();
        let by_bucket: Vec<&Score> = scores().filter(|s| s.bucket != "all").collect();
        let timings: Vec<_> = self
            .evaluations
            .iter()
            .map(|e| json!({"model": e.model, "level": e.level, "fit_seconds": e.fit_seconds, "predict_seconds": e.predict_seconds}))
            .collect();
        let [train, validation, test] = self.samples;
        json!({
            "results": results,
            "results_by_bucket": by_bucket,
            "skill": self.skills,
            "split": self.split,
            "samples": {"train": train, "validation": validation, "test": test},
            "hour_cuts": self.cuts,
            "test_clusters": self.test_clusters,
            "scenario": self.scenario,
            "model_timings": timings,
            "forecast_series": self.series,
            "total_seconds": self.total_seconds,
        })
        .serialize(s)
    }
}
