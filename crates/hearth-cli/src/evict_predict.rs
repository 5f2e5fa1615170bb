//! `hearth evict train --out` and `hearth evict predict`: a trained eviction
//! forecaster saved to a file, and forecasts from it on recent snapshots.

use crate::evict_cmd::{print_scores, table, TrainArgs};
use crate::evict_input::{self, Loaded};
use crate::output::write_json;
use anyhow::{bail, Context, Result};
use clap::Args;
use hearth_evict::eval::{calibrate, fit_and_score};
use hearth_evict::forecast::forecast;
use hearth_evict::models;
use hearth_evict::saved_model::{SavedModel, TrainedOn};
use hearth_evict::snapshot_file::{file_sha256, HOUR_S};
use hearth_evict::{Level, Split, HORIZONS};
use std::path::{Path, PathBuf};

#[derive(Args, Debug, Clone)]
pub struct PredictArgs {
    /// A model saved by `hearth evict train --out`.
    #[arg(long)]
    pub model: PathBuf,
    /// Recent hourly node snapshots (Parquet, or CSV when the name ends in .csv); at least 48 hours.
    #[arg(long)]
    pub snapshots: PathBuf,
    /// Write the forecasts here: a JSON array of {cluster, as_of, horizon_h, rate, lower, upper}.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// The one (model, level) `train --out` fits: `--level` picks among the
/// model's levels; without it, cluster where the model has it, else its only level.
fn pick_one(names: &[String], level: Option<&str>) -> Result<(String, Level)> {
    let mut wanted = models::expand(names)?;
    match level {
        Some("cluster") => wanted.retain(|(_, l)| *l == Level::Cluster),
        Some("node") => wanted.retain(|(_, l)| *l == Level::Node),
        Some(other) => bail!("unknown level {other:?}; known: cluster, node"),
        None => {
            let names: Vec<String> = wanted.iter().map(|(n, _)| n.clone()).collect();
            wanted.retain(|(n, l)| *l == Level::Cluster || names.iter().filter(|m| *m == n).count() == 1);
        }
    }
    match wanted.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("no model of {names:?} runs at level {level:?}"),
        _ => bail!("--out saves one model: name it with --model (and --level cluster|node)"),
    }
}

pub fn train_and_save(args: &TrainArgs, out: &Path) -> Result<()> {
    let (name, level) = pick_one(&args.models.models, args.level.as_deref())?;
    let input = &args.models.input;
    let snapshots = input.snapshots.as_deref().context("--out needs --snapshots")?;
    let Loaded { first_hour_s, data, .. } = evict_input::load(input)?;
    let (opts, seed) = (args.models.options(), input.scenario.seed);
    let mut model = models::build(&name, level, &opts)?;
    let eval = fit_and_score(model.as_mut(), &data, Split::Validation, seed)
        .with_context(|| format!("model {name} at {} level", level.name()))?;
    print_scores(&[eval], Split::Validation);
    let interval = calibrate(model.as_ref(), &data).context("calibrating the 80% interval")?;
    let hour = |h: usize| first_hour_s + h as i64 * HOUR_S;
    let trained_on = TrainedOn {
        snapshot_file: snapshots.display().to_string(),
        snapshot_sha256: file_sha256(snapshots)?,
        first_hour_utc_s: first_hour_s,
        train_until_utc_s: hour(data.cuts.train),
        validation_until_utc_s: hour(data.cuts.validation),
        clusters: data.clusters.len(),
        train_samples: data.samples(Split::Train).len(),
        validation_samples: data.samples(Split::Validation).len(),
        seed,
        settings: opts,
        hearth_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let saved = SavedModel::capture(model.as_ref(), trained_on, interval)?;
    saved.save(out)?;
    let w: Vec<String> = saved.interval.half_width.iter().map(|w| format!("±{w:.4}")).collect();
    println!(
        "saved {name} ({} level) to {}; 80% interval half-widths +1/+2/+3h: {} ({} validation samples)",
        level.name(),
        out.display(),
        w.join(" / "),
        saved.interval.calibration_samples
    );
    Ok(())
}

pub fn predict(args: &PredictArgs) -> Result<()> {
    let saved = SavedModel::load(&args.model)?;
    let p = saved
        .predictor()
        .with_context(|| format!("loading the model in {}", args.model.display()))?;
    let set = evict_input::read(&args.snapshots)?;
    let f = forecast(p.as_ref(), &saved.interval, set)?;
    let mut header = vec!["cluster".to_string(), "as of (UTC)".into()];
    header.extend((1..=HORIZONS).map(|k| format!("+{k}h rate [80% interval]")));
    let mut t = table(header);
    for rows in f.rows.chunks(HORIZONS) {
        let mut row = vec![rows[0].cluster.clone(), rows[0].as_of.clone()];
        row.extend(
            rows.iter()
                .map(|r| format!("{:.4} [{:.4}, {:.4}]", r.rate, r.lower, r.upper)),
        );
        t.add_row(row);
    }
    println!(
        "{} ({} level) forecasts of the spot eviction rate (evicted / spot VMs that ran):\n{t}",
        saved.model,
        saved.level.name()
    );
    if !f.too_short.is_empty() {
        println!("not forecast, fewer than 48 hours: {}", f.too_short.join(", "));
    }
    if let Some(path) = &args.json {
        write_json(path, &f.rows)?;
    }
    Ok(())
}
