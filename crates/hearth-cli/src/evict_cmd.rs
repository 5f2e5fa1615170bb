//! `hearth evict`: spot eviction prediction. Every subcommand either rebuilds
//! the scenario from its arguments (it is deterministic) or reads hourly node
//! snapshots from a file (`--snapshots`, the schema of
//! [`hearth_evict::snapshot_file`]); `simulate --out` writes that file, so
//! simulated and real snapshots are interchangeable.

use crate::evict_input::{self, InputArgs, Loaded};
use crate::evict_series::forecast_series;
use crate::output::{progress, write_csv, write_json};
use hearth::policies::{decider, PolicyContext};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use hearth_evict::eval::{fit_and_score, Evaluation, Score};
use hearth_evict::models::{self, ModelOptions};
use hearth_evict::nn_options::NnOptions;
use hearth_evict::predictor::Learner;
use hearth_evict::scenario::{self, ClusterSummary, ScenarioConfig};
use hearth_evict::scenario_zone::{self, ZoneDemand};
use hearth_evict::skypilot::ZONE_FEATURES;
use hearth_evict::snapshot::{rate_distribution, RateDistribution, BANDS, FEATURES};
use hearth_evict::snapshot_file::{self, SnapshotSet};
use hearth_evict::{Dataset, Split, HORIZONS, WINDOW};
use hearth_trace::formats::skypilot;
use hearth_trace::{ImportOptions, Resources, Source, Workload};
use serde::Serialize;
use serde_json::json;
use std::path::PathBuf;
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

#[derive(Args, Debug, Clone)]
pub struct ScenarioArgs {
    #[arg(long, default_value_t = 20)]
    pub clusters: usize,
    #[arg(long, default_value_t = 600)]
    pub nodes_per_cluster: usize,
    /// Days snapshotted (after the warm-up).
    #[arg(long, default_value_t = 14.0)]
    pub days: f64,
    #[arg(long, default_value_t = 1.0)]
    pub warmup_days: f64,
    /// Simulation step in seconds (must divide 3600).
    #[arg(long, default_value_t = 600)]
    pub step_seconds: u32,
    /// Make each VM spot with this probability (default: openb BE pods are spot, the rest on-demand).
    #[arg(long)]
    pub spot_fraction: Option<f64>,
    /// Offered core demand / cluster cores of the least loaded cluster.
    #[arg(long, default_value_t = 0.35)]
    pub demand_min: f64,
    /// ... and of the most loaded one.
    #[arg(long, default_value_t = 1.2)]
    pub demand_max: f64,
    /// Amplitude of the daily modulation of on-demand arrivals (0 = none).
    #[arg(long, default_value_t = 0.7)]
    pub diurnal_amplitude: f64,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Placement policy inside each cluster.
    #[arg(long, default_value = "best-fit")]
    pub policy: String,
    /// Clusters simulated at once (each holds one cluster's state in memory).
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// openb pod list (default: the embedded sample).
    #[arg(long)]
    pub pods: Option<PathBuf>,
    /// openb node list (default: the embedded sample).
    #[arg(long)]
    pub nodes: Option<PathBuf>,
    /// Build one cluster from each Azure packing 2020 sample file (real arrivals, lifetimes and
    /// spot priorities, replayed over the trace's 14 days) instead of openb pods.
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub zone: Vec<PathBuf>,
    /// Zone clusters: the fewest nodes whose cores and memory reach this × the peak on-demand demand.
    #[arg(long, default_value_t = 1.15)]
    pub zone_headroom: f64,
}

#[derive(Args, Debug, Clone)]
pub struct ModelArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Models, comma-separated, or `all`.
    #[arg(long, alias = "model", value_delimiter = ',', default_value = "all")]
    pub models: Vec<String>,
    /// Most (sample, node) rows a node-level tabular model trains on.
    #[arg(long, default_value_t = 5_000)]
    pub max_node_train_rows: usize,
    #[command(flatten)]
    pub nn: NnArgs,
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// Training budget of the LSTM and the spatial-temporal transformer.
#[derive(Args, Debug, Clone)]
pub struct NnArgs {
    /// Most training epochs (early stopping on the last 20% of the training windows).
    #[arg(long, default_value_t = NnOptions::default().epochs)]
    pub nn_epochs: usize,
    /// Most cluster windows the transformer trains on (strided hours).
    #[arg(long, default_value_t = NnOptions::default().max_st_windows)]
    pub max_st_windows: usize,
    /// LSTM hidden width; the transformer's embedding is half of it.
    #[arg(long, default_value_t = NnOptions::default().width)]
    pub nn_width: usize,
}

/// `hearth evict train`: score on the validation hours, or fit and save one model.
#[derive(Args, Debug, Clone)]
pub struct TrainArgs {
    #[command(flatten)]
    pub models: ModelArgs,
    /// Level of the model to save: `cluster` (the default where the model has it) or `node`.
    #[arg(long)]
    pub level: Option<String>,
    /// Save the one fitted model here (versioned, checksummed JSON, written atomically; needs --snapshots).
    #[arg(long, requires = "snapshots")]
    pub out: Option<PathBuf>,
}

impl ModelArgs {
    pub fn options(&self) -> ModelOptions {
        ModelOptions {
            max_node_train_rows: self.max_node_train_rows,
            nn: self.nn.options(),
        }
    }
}

impl NnArgs {
    fn options(&self) -> NnOptions {
        NnOptions {
            epochs: self.nn_epochs,
            max_st_windows: self.max_st_windows,
            width: self.nn_width,
        }
    }
}

impl ScenarioArgs {
    pub(crate) fn config(&self) -> ScenarioConfig {
        ScenarioConfig {
            clusters: self.clusters,
            nodes_per_cluster: self.nodes_per_cluster,
            days: self.days,
            warmup_days: self.warmup_days,
            step_seconds: self.step_seconds,
            spot_fraction: self.spot_fraction,
            demand_range: (self.demand_min, self.demand_max),
            diurnal_amplitude: self.diurnal_amplitude,
            seed: self.seed,
        }
    }

    pub(crate) fn inputs(&self) -> Result<(Workload, Vec<Resources>)> {
        let opts = ImportOptions::default();
        let arrivals = match &self.pods {
            None => hearth::samples::openb_arrivals(&opts)?,
            Some(p) => {
                hearth_trace::import_paths(hearth_trace::Format::AlibabaOpenb, std::slice::from_ref(p), &opts)
                    .with_context(|| format!("reading the openb pod list {}", p.display()))?
                    .workload
            }
        };
        let nodes = match &self.nodes {
            None => hearth::samples::openb_nodes(&opts)?,
            Some(p) => {
                let source = Source::open(p).with_context(|| format!("opening {}", p.display()))?;
                hearth_trace::formats::alibaba_openb::read_nodes(source, &opts)?
            }
        };
        Ok((arrivals, nodes))
    }
}

/// What simulating the scenario gave.
#[derive(Serialize)]
pub struct Simulated {
    config: ScenarioConfig,
    clusters: Vec<ClusterSummary>,
    eviction_rate_bands: Vec<RateDistribution>,
    seconds: f64,
}

/// Simulates the scenario: its summary and its snapshots.
pub fn simulate(args: &ScenarioArgs) -> Result<(Simulated, SnapshotSet)> {
    let started = Instant::now();
    let mut config = args.config();
    config.validate()?;
    decider(&args.policy, &PolicyContext::default())?;
    let make = || decider(&args.policy, &PolicyContext::default()).expect("checked above");
    let (runs, names) = if args.zone.is_empty() {
        let (arrivals, nodes) = args.inputs()?;
        let bar = progress(config.clusters as u64, "simulating clusters");
        let runs = scenario::simulate(&config, &arrivals, &nodes, &make, args.threads, &|_| bar.inc(1))
            .context("simulating the eviction scenario")?;
        bar.finish_and_clear();
        (runs, None)
    } else {
        let zones = read_zones(&args.zone, config.step_seconds)?;
        let types: Vec<Resources> = hearth::samples_azure::azure_server_types()?
            .iter()
            .map(|t| t.capacity)
            .collect();
        config.clusters = zones.len();
        config.days = scenario_zone::zone_hours(&config) as f64 / 24.0;
        let bar = progress(zones.len() as u64, "simulating zone clusters");
        let runs = scenario_zone::simulate_zones(
            &config,
            &zones,
            &types,
            args.zone_headroom,
            &make,
            args.threads,
            &|_| bar.inc(1),
        )
        .context("simulating the zone clusters")?;
        bar.finish_and_clear();
        (runs, Some(zones.into_iter().map(|z| z.name).collect::<Vec<_>>()))
    };
    let clusters = runs.iter().map(|r| r.summary.clone()).collect();
    let snaps: Vec<_> = runs.into_iter().map(|r| r.snapshots).collect();
    let bands = rate_distribution(&snaps.iter().collect::<Vec<_>>());
    let mut set = SnapshotSet::from_simulation(snaps)?;
    if let Some(names) = names {
        set.cluster_names = names;
    }
    let sim = Simulated {
        config,
        clusters,
        eviction_rate_bands: bands,
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok((sim, set))
}

/// Each Azure packing sample file as one zone's demand, read at the scenario's step.
pub(crate) fn read_zones(paths: &[PathBuf], step_seconds: u32) -> Result<Vec<ZoneDemand>> {
    let opts = ImportOptions {
        step_seconds,
        ..ImportOptions::default()
    };
    paths
        .iter()
        .map(|p| {
            let source = Source::open(p).with_context(|| format!("opening {}", p.display()))?;
            let workload = hearth_trace::import(hearth_trace::Format::AzurePacking2020, vec![source], &opts)
                .with_context(|| format!("reading the Azure packing sample {}", p.display()))?
                .workload;
            let parent = p
                .parent()
                .and_then(|d| d.file_name())
                .map(|d| d.to_string_lossy() + "/");
            let stem = p
                .file_stem()
                .map_or_else(|| p.display().to_string(), |s| s.to_string_lossy().into_owned());
            Ok(ZoneDemand {
                name: format!("{}{stem}", parent.unwrap_or_default()),
                workload,
            })
        })
        .collect()
}

pub fn run(cmd: EvictCmd) -> Result<()> {
    match cmd {
        EvictCmd::Simulate {
            scenario,
            out,
            csv,
            json,
        } => {
            let (sim, set) = simulate(&scenario)?;
            print_scenario(&sim);
            if let Some(path) = out {
                snapshot_file::write(&path, &set)?;
                let nodes: usize = set.clusters.iter().map(|c| c.nodes).sum();
                eprintln!(
                    "wrote {} clusters, {nodes} nodes, {} hours of snapshots to {}",
                    set.clusters.len(),
                    set.hours,
                    path.display()
                );
            }
            if let Some(path) = csv {
                let data = Dataset::new(set.clusters).context("building the window datasets")?;
                write_cluster_hours(&path, &data)?;
            }
            if let Some(path) = json {
                write_json(&path, &sim)?;
            }
            Ok(())
        }
        EvictCmd::Dataset { input, out } => {
            let loaded = evict_input::load(&input)?;
            write_dataset(&out, &loaded.data)
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
        } => forecast(&paths, seed, &zone_learners(&models, &nn)?, json),
    }
}

fn models_cmd(args: &ModelArgs, split: Split) -> Result<()> {
    let started = Instant::now();
    let wanted = models::expand(&args.models)?;
    note_left_out(&args.models, &models::MODELS.map(|(m, _)| m));
    let Loaded { summary, data, .. } = evict_input::load(&args.input)?;
    let opts = args.options();
    let bar = progress(wanted.len() as u64, "training and scoring");
    let mut evals = Vec::new();
    let mut series = Vec::new();
    for (name, level) in &wanted {
        bar.set_message(format!("{name} ({})", level.name()));
        let mut model = models::build(name, *level, &opts)?;
        let e = fit_and_score(model.as_mut(), &data, split, args.input.scenario.seed)
            .with_context(|| format!("model {name} at {} level", level.name()))?;
        if args.json.is_some() {
            series.extend(forecast_series(model.as_ref(), &data, split, &e)?);
        }
        evals.push(e);
        bar.inc(1);
    }
    bar.finish_and_clear();
    print_scores(&evals, split);
    if let Some(path) = &args.json {
        let results: Vec<&Score> = evals
            .iter()
            .flat_map(|e| &e.scores)
            .filter(|s| s.bucket == "all")
            .collect();
        let by_bucket: Vec<&Score> = evals
            .iter()
            .flat_map(|e| &e.scores)
            .filter(|s| s.bucket != "all")
            .collect();
        let timings: Vec<_> = evals
            .iter()
            .map(|e| json!({"model": e.model, "level": e.level, "fit_seconds": e.fit_seconds, "predict_seconds": e.predict_seconds}))
            .collect();
        let doc = json!({
            "results": results,
            "results_by_bucket": by_bucket,
            "split": split,
            "samples": {"train": data.samples(Split::Train).len(), "validation": data.samples(Split::Validation).len(), "test": data.samples(Split::Test).len()},
            "hour_cuts": data.cuts,
            "scenario": summary,
            "model_timings": timings,
            "forecast_series": series,
            "total_seconds": started.elapsed().as_secs_f64(),
        });
        write_json(path, &doc)?;
    }
    Ok(())
}

pub fn table(header: Vec<String>) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header(header);
    t
}

pub fn print_scenario(sim: &Simulated) {
    let mut t = table(
        [
            "cluster",
            "nodes",
            "cores",
            "demand",
            "allocated",
            "VMs",
            "spot VMs",
            "evictions",
            "rejected",
        ]
        .map(String::from)
        .to_vec(),
    );
    for c in &sim.clusters {
        t.add_row(vec![
            c.cluster.to_string(),
            c.nodes.to_string(),
            format!("{:.0}", c.cores),
            format!("{:.0}%", c.demand_ratio * 100.0),
            format!("{:.0}%", c.mean_allocation * 100.0),
            c.vms.to_string(),
            c.spot_vms.to_string(),
            c.evictions.to_string(),
            c.rejections.to_string(),
        ]);
    }
    println!("{t}");
    print_bands(&sim.eviction_rate_bands);
    println!("simulated in {:.1} s", sim.seconds);
}

/// The share of cluster-hours per eviction-rate band, overall and per utilisation bucket.
pub fn print_bands(bands: &[RateDistribution]) {
    let mut header = vec!["clusters".to_string(), "cluster-hours".into()];
    header.extend(BANDS.iter().map(|b| b.to_string()));
    header.push("mean rate".into());
    let mut t = table(header);
    for d in bands {
        let mut row = vec![format!("{} ({})", d.group, d.clusters), d.cluster_hours.to_string()];
        row.extend(d.shares.iter().map(|s| format!("{:.1}%", s * 100.0)));
        row.push(format!("{:.2}%", d.mean_rate * 100.0));
        t.add_row(row);
    }
    println!("hourly cluster eviction rate (evicted / spot VMs that ran), share of cluster-hours:\n{t}");
}

pub fn print_scores(evals: &[Evaluation], split: Split) {
    let mut header = vec!["model".to_string(), "level".into(), "bucket".into()];
    for k in 1..=HORIZONS {
        header.push(format!("RMSE +{k}h"));
        header.push(format!("MAE +{k}h"));
    }
    header.push("fit s".into());
    let intervals = evals.iter().any(|e| e.interval.is_some());
    if intervals {
        header.push("80% interval coverage +1/+2/+3h".into());
    }
    let mut t = table(header);
    for e in evals {
        for bucket in ["all", "low", "medium", "high"] {
            let s: Vec<&Score> = e.scores.iter().filter(|s| s.bucket == bucket).collect();
            if s.is_empty() {
                continue;
            }
            let mut row = vec![e.model.clone(), e.level.clone(), format!("{bucket} ({})", s[0].samples)];
            for x in &s {
                row.push(format!("{:.4}", x.rmse));
                row.push(format!("{:.4}", x.mae));
            }
            row.push(format!("{:.1}", e.fit_seconds));
            if intervals {
                let c: Vec<String> = s
                    .iter()
                    .map(|x| x.coverage.map_or("-".into(), |c| format!("{:.0}%", c * 100.0)))
                    .collect();
                row.push(c.join(" / "));
            }
            t.add_row(row);
        }
    }
    println!("{split:?} hours, cluster eviction rate:\n{t}");
}

fn write_cluster_hours(path: &std::path::Path, data: &Dataset) -> Result<()> {
    use hearth_evict::snapshot::raw;
    let mut rows = Vec::new();
    for (c, s) in data.clusters.iter().enumerate() {
        for h in 0..s.hours {
            let r = s.cluster(h);
            let alloc = (r[raw::SPOT_VM_CORES] + r[raw::ON_DEMAND_VM_CORES]) / r[raw::NODE_CORES].max(1.0);
            rows.push(vec![
                c.to_string(),
                h.to_string(),
                data.buckets[c].name().to_string(),
                s.cluster_rate(h).to_string(),
                alloc.to_string(),
                r[raw::SPOT_VM_COUNT].to_string(),
                r[raw::ON_DEMAND_VM_COUNT].to_string(),
                r[raw::SPOT_RAN].to_string(),
                r[raw::EVICTIONS].to_string(),
            ]);
        }
    }
    let header = [
        "cluster",
        "hour",
        "bucket",
        "eviction_rate",
        "allocated",
        "spot_vm_count",
        "on_demand_vm_count",
        "spot_vms_ran",
        "evictions",
    ];
    write_csv(path, &header, &rows)
}

fn write_dataset(path: &std::path::Path, data: &Dataset) -> Result<()> {
    let mut header = vec![
        "split".to_string(),
        "cluster".into(),
        "end_hour".into(),
        "bucket".into(),
    ];
    for lag in (0..WINDOW).rev() {
        header.extend(FEATURES.iter().map(|f| format!("{f}_t-{lag}")));
    }
    header.extend((1..=HORIZONS).map(|k| format!("target_rate_h{k}")));
    let mut rows = Vec::new();
    let mut buf = vec![0.0f32; data.row_width()];
    for split in [Split::Train, Split::Validation, Split::Test] {
        for &s in data.samples(split) {
            data.cluster_window(s, &mut buf);
            let mut row = vec![
                format!("{split:?}").to_lowercase(),
                s.cluster.to_string(),
                s.end.to_string(),
                data.buckets[s.cluster].name().to_string(),
            ];
            row.extend(buf.iter().map(|v| v.to_string()));
            row.extend(data.targets(s).iter().map(|v| v.to_string()));
            rows.push(row);
        }
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    write_csv(path, &header, &rows)?;
    eprintln!("wrote {} windows to {}", rows.len(), path.display());
    Ok(())
}

/// The learned families the SkyPilot check runs: hearth-ml's tabular models
/// on the flattened 48-hour rows and the LSTM on the same rows read as windows.
fn zone_learners(names: &[String], nn: &NnArgs) -> Result<Vec<Box<dyn Learner>>> {
    const FAMILIES: [&str; 5] = ["linear", "svr", "random-forest", "gbdt", "lstm"];
    let cols = WINDOW * ZONE_FEATURES.len();
    let mut out: Vec<Box<dyn Learner>> = Vec::new();
    for name in FAMILIES {
        let named = names.iter().any(|n| n == name);
        if !named && !names.iter().any(|n| n == "all") {
            continue;
        }
        if models::left_out_of_all().contains(&name) {
            if named {
                return Err(hearth_evict::EvictError::NeedsNn { model: name.into() }.into());
            }
            continue;
        }
        out.push(models::learner(name, cols, &nn.options())?);
    }
    note_left_out(names, &FAMILIES);
    if let Some(bad) = names
        .iter()
        .find(|n| !["all", "none"].contains(&n.as_str()) && !FAMILIES.contains(&n.as_str()))
    {
        bail!("unknown model {bad:?}; known: all, none, {}", FAMILIES.join(", "));
    }
    Ok(out)
}

/// Says which models `all` left out of this build, so none goes missing unannounced.
fn note_left_out(names: &[String], offered: &[&str]) {
    let left_out: Vec<&str> = models::left_out_of_all()
        .iter()
        .copied()
        .filter(|m| offered.contains(m))
        .collect();
    if names.iter().any(|n| n == "all") && !left_out.is_empty() {
        eprintln!(
            "note: `all` leaves out {} in this build; rebuild with `--features nn` to run them",
            left_out.join(" and ")
        );
    }
}

fn forecast(paths: &[PathBuf], seed: u64, learners: &[Box<dyn Learner>], json: Option<PathBuf>) -> Result<()> {
    let learners: Vec<&dyn Learner> = learners.iter().map(|l| l.as_ref()).collect();
    let files = hearth_trace::formats::expand_paths(paths)
        .with_context(|| "listing the SkyPilot traces (run from the repository root, or give their paths)")?;
    let files: Vec<_> = files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    if files.is_empty() {
        bail!("no SkyPilot trace (*.json) under {paths:?}");
    }
    let mut reports = Vec::new();
    let mut skipped = Vec::new();
    for f in &files {
        let trace = skypilot::read(Source::open(f)?).with_context(|| format!("reading {}", f.display()))?;
        match hearth_evict::skypilot::forecast_zone(&trace, &learners, seed)? {
            Some(r) => reports.push(r),
            None => skipped.push(f.display().to_string()),
        }
    }
    let mut header = vec![
        "zone".to_string(),
        "hours".into(),
        "lost/h (test)".into(),
        "model".into(),
    ];
    header.extend((1..=HORIZONS).flat_map(|k| [format!("RMSE +{k}h"), format!("MAE +{k}h")]));
    let mut t = table(header);
    for r in &reports {
        let models: Vec<&str> = r.scores.iter().step_by(HORIZONS).map(|s| s.model.as_str()).collect();
        for (i, m) in models.iter().enumerate() {
            let mut row = vec![
                r.zone.clone(),
                r.hours.to_string(),
                format!("{:.3}", r.test_mean_lost),
                m.to_string(),
            ];
            for s in &r.scores[i * HORIZONS..(i + 1) * HORIZONS] {
                row.push(format!("{:.3}", s.rmse));
                row.push(format!("{:.3}", s.mae));
            }
            t.add_row(row);
        }
    }
    println!("{t}");
    if !skipped.is_empty() {
        println!(
            "too short for a 48-hour window and a time split: {}",
            skipped.join(", ")
        );
    }
    if let Some(path) = json {
        write_json(&path, &json!({"zones": reports, "skipped_too_short": skipped}))?;
    }
    Ok(())
}
