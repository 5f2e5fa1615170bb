//! `hearth evict train --out` and `hearth evict predict`: a trained eviction
//! forecaster saved to a file, and forecasts from it on recent snapshots
//! (hearth-evict's [`train_save`] and [`prediction`] compute them).

use crate::evict_args::TrainArgs;
use crate::evict_input;
use crate::evict_print::{print_forecasts, print_scores};
use anyhow::{Context, Result};
use clap::Args;
use hearth::output::write_json;
use hearth_evict::prediction;
use hearth_evict::snapshot_input::Loaded;
use hearth_evict::train_save;
use hearth_evict::Split;
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

pub fn train_and_save(args: &TrainArgs, out: &Path) -> Result<()> {
    let (name, level) = train_save::pick_one(&args.models.models, args.level.as_deref())?;
    let input = &args.models.input;
    let snapshots = input.snapshots.as_deref().context("--out needs --snapshots")?;
    let Loaded { first_hour_s, data, .. } = evict_input::load(input)?;
    let (settings, seed) = (args.models.options(), input.scenario.seed);
    let (model, eval) = train_save::fit(&name, level, &settings, &data, seed)?;
    print_scores(&[eval], Split::Validation);
    let source = train_save::Source {
        snapshots,
        first_hour_s,
        seed,
        settings,
    };
    let saved = train_save::capture(model.as_ref(), &data, &source)?;
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
    let p = prediction::predict(&args.model, &args.snapshots)?;
    print_forecasts(&p.saved, &p.forecasts);
    if let Some(path) = &args.json {
        write_json(path, &p.forecasts.rows)?;
    }
    Ok(())
}
