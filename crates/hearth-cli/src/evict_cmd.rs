//! `hearth evict`: spot eviction prediction. Every subcommand either rebuilds
//! the scenario from its arguments (it is deterministic) or reads hourly node
//! snapshots from a file (`--snapshots`, the schema of
//! [`hearth_evict::snapshot_file`]); `simulate --out` writes that file, so
//! simulated and real snapshots are interchangeable. hearth-evict computes
//! every subcommand; this module dispatches and writes the result files.

use crate::evict_args::{InputArgs, ModelArgs, NnArgs, ScenarioArgs, TrainArgs};
use crate::evict_input;
use crate::evict_print::{note_left_out, print_scenario, print_scores, print_skills, print_zones};
use crate::progress::Bars;
use anyhow::Result;
use clap::Subcommand;
use hearth::output::{write_csv, write_json};
use hearth_evict::export::{self, Table};
use hearth_evict::model_study::{self, StudyOptions};
use hearth_evict::models;
use hearth_evict::skypilot_study::{self, FAMILIES};
use hearth_evict::snapshot_file;
use hearth_evict::Split;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Subcommand, Debug)]
pub enum EvictCmd {
    /// Simulate the clusters and report the hourly eviction-rate distribution.
    Simulate {
        #[command(flatten)]
        scenario: ScenarioArgs,
        /// Write the hourly node snapshots here (Parquet, or CSV when the name ends in .csv).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write the cluster-hour series (rate, allocation, counts) as CSV here.
        #[arg(long)]
        csv: Option<PathBuf>,
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Write the cluster-level dataset: one flattened 48-hour window per row, with split and targets.
    Dataset {
        #[command(flatten)]
        input: InputArgs,
        #[arg(long)]
        out: PathBuf,
    },
    /// Fit the models on the training hours and score them on the validation hours;
    /// with --out, fit one model, calibrate its 80% interval on the validation hours and save it.
    Train(TrainArgs),
    /// Fit the models on the training hours and score them on the held-out test hours, per bucket.
    Eval(ModelArgs),
    /// The real-data check: forecast spot instances lost 1-3 hours ahead on SkyPilot traces.
    Forecast {
        /// Trace files or directories (default: the shipped samples).
        #[arg(default_value = "data/samples/skypilot-spot")]
        paths: Vec<PathBuf>,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Learned models besides the naive baselines, comma-separated, or `all` / `none`.
        #[arg(long, value_delimiter = ',', default_value = "all")]
        models: Vec<String>,
        #[command(flatten)]
        nn: NnArgs,
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// The whole pipeline: simulate, build datasets, train every model, evaluate on the test hours.
    Run(ModelArgs),
    /// Forecast each cluster's eviction rate at +1..+3 h from its last 48 hours, with a saved model.
    Predict(crate::evict_predict::PredictArgs),
    /// Run the clusters as one region and route spot VMs across them (random, least-utilised,
    /// eviction-aware with a saved model): evictions per 1,000 spot VM-hours, share evicted, on-demand rejections.
    Place(crate::evict_place::PlaceArgs),
}

pub fn run(cmd: EvictCmd) -> Result<()> {
    match cmd {
        EvictCmd::Simulate {
            scenario,
            out,
            csv,
            json,
        } => simulate(&scenario, out.as_deref(), csv.as_deref(), json.as_deref()),
        EvictCmd::Dataset { input, out } => {
            let loaded = evict_input::load(&input)?;
            let table = export::windows(&loaded.data);
            write_table(&out, &table)?;
            eprintln!("wrote {} windows to {}", table.rows.len(), out.display());
            Ok(())
        }
        EvictCmd::Train(args) => match &args.out {
            Some(out) => crate::evict_predict::train_and_save(&args, out),
            None => models_cmd(&args.models, Split::Validation),
        },
        EvictCmd::Eval(args) | EvictCmd::Run(args) => models_cmd(&args, Split::Test),
        EvictCmd::Predict(args) => crate::evict_predict::predict(&args),
        EvictCmd::Place(args) => crate::evict_place::place(&args),
        EvictCmd::Forecast {
            paths,
            seed,
            models,
            nn,
            json,
        } => forecast(&paths, seed, &models, &nn, json.as_deref()),
    }
}

fn simulate(scenario: &ScenarioArgs, out: Option<&Path>, csv: Option<&Path>, json: Option<&Path>) -> Result<()> {
    let (sim, set) = evict_input::simulate(scenario)?;
    print_scenario(&sim);
    if let Some(path) = out {
        snapshot_file::write(path, &set)?;
        let nodes: usize = set.clusters.iter().map(|c| c.nodes).sum();
        eprintln!(
            "wrote {} clusters, {nodes} nodes, {} hours of snapshots to {}",
            set.clusters.len(),
            set.hours,
            path.display()
        );
    }
    if let Some(path) = csv {
        write_table(path, &export::cluster_hours(set.clusters)?)?;
    }
    if let Some(path) = json {
        write_json(path, &sim)?;
    }
    Ok(())
}

fn write_table(path: &Path, table: &Table) -> Result<()> {
    let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
    write_csv(path, &header, &table.rows)
}

fn models_cmd(args: &ModelArgs, split: Split) -> Result<()> {
    let started = Instant::now();
    let wanted = models::expand(&args.models)?;
    note_left_out(&args.models, &models::MODELS.map(|(m, _)| m));
    let loaded = evict_input::load(&args.input)?;
    let opts = StudyOptions {
        models: args.options(),
        split,
        seed: args.input.scenario.seed,
        series: args.json.is_some(),
        started,
    };
    let report = model_study::score(&wanted, &opts, loaded, &Bars::default())?;
    print_scores(&report.evaluations, split);
    print_skills(&report.skills);
    if let Some(path) = &args.json {
        write_json(path, &report)?;
    }
    Ok(())
}

fn forecast(paths: &[PathBuf], seed: u64, names: &[String], nn: &NnArgs, json: Option<&Path>) -> Result<()> {
    let learners = skypilot_study::learners(names, &nn.options())?;
    note_left_out(names, &FAMILIES);
    skypilot_study::check_names(names)?;
    let report = skypilot_study::forecast(paths, seed, &learners)?;
    print_zones(&report);
    if let Some(path) = json {
        write_json(path, &report)?;
    }
    Ok(())
}
