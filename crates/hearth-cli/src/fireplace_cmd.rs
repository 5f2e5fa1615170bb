//! `hearth fireplace`: train FirePlace by hindsight imitation and evaluate
//! it on held-out data ([`hearth::fireplace`], [`hearth::fireplace_eval`]).

use crate::fleet_args::FleetArgs;
use crate::progress::Bars;
use crate::workload_file::WorkloadFileArgs;
use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use hearth::compare::PolicyResult;
use hearth::fireplace::{self, SampleOptions, TrainOptions};
use hearth::fireplace_eval::{self, EvalOptions, LimitResults, OneFewer};
use hearth::output::write_json;
use hearth::samples::{DefaultWorkload, SampleArrivals, SampleUsage};
use hearth_place::fireplace::Family;
use hearth_place::Objective;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum FirePlaceCmd {
    /// Train a FirePlace model by imitating the hindsight teacher (with DAgger rounds).
    Train(TrainArgs),
    /// Servers needed by FirePlace, the heuristics, the forecast baselines and the teacher on held-out data.
    Eval(EvalArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FamilyArg {
    Tree,
    Forest,
    Gbdt,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ObjectiveArg {
    /// Server-steps of overload added (ties: peak): aligned with the overload limit.
    Overload,
    /// FirePlace's normalised future peak (L2 of CPU and memory).
    Peak,
}

/// The default workloads composed from the shipped samples.
#[derive(Args, Debug)]
pub struct SampleArgs {
    /// Arrival trace of the default workloads: the Azure zone sample in real time, or openb
    /// time-scaled (then --vms VMs per workload).
    #[arg(long, value_enum, default_value_t = SampleArrivals::Azure)]
    pub sample: SampleArrivals,
    /// Usage trace of the default workloads.
    #[arg(long, value_enum, default_value_t = SampleUsage::Bitbrains)]
    pub sample_usage: SampleUsage,
    /// VMs of each default openb workload.
    #[arg(long, default_value_t = 20_000)]
    pub vms: usize,
    /// Which VMs share a usage source (see `hearth trace compose --help`).
    #[arg(long, value_enum, default_value_t = crate::trace_cmd::UsageByArg::Tenant)]
    pub usage_by: crate::trace_cmd::UsageByArg,
}

impl SampleArgs {
    pub fn options(&self) -> SampleOptions {
        SampleOptions {
            sample: self.sample,
            sample_usage: self.sample_usage,
            vms: self.vms,
            usage_by: self.usage_by.into(),
        }
    }

    pub fn workload(&self, seed: u64) -> DefaultWorkload {
        self.options().workload(seed)
    }
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Training workload; its last 20% of arrivals are held out for validation. Default: the
    /// training and validation parts of the shipped samples.
    #[arg(long)]
    pub workload: Option<PathBuf>,
    #[command(flatten)]
    pub workload_file: WorkloadFileArgs,
    #[command(flatten)]
    pub sample: SampleArgs,
    #[arg(long = "model", value_enum, default_value_t = FamilyArg::Tree)]
    pub family: FamilyArg,
    /// Candidates sampled per decision.
    #[arg(long, default_value_t = 2)]
    pub k: usize,
    #[arg(long, default_value_t = 2)]
    pub dagger_rounds: usize,
    /// Extra copies, in training rollouts, of the decisions where the candidates differ in the
    /// teacher's objective (one would overload, the other not); ties on it are the vast majority.
    #[arg(long, default_value_t = 0)]
    pub critical_copies: usize,
    #[arg(long, value_enum, default_value_t = ObjectiveArg::Overload)]
    pub teacher: ObjectiveArg,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub fleet: FleetArgs,
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The FirePlace model; repeat the flag to add the neural policies' models (`nn` feature).
    #[arg(long, required = true)]
    pub model: Vec<PathBuf>,
    /// Evaluate on the validation part of the samples instead of the test part: for choosing
    /// training settings without looking at the test data.
    #[arg(long)]
    pub validation: bool,
    /// Evaluation workload; default: the test part of the shipped samples (days and VMs training never saw).
    #[arg(long)]
    pub workload: Option<PathBuf>,
    #[command(flatten)]
    pub workload_file: WorkloadFileArgs,
    #[command(flatten)]
    pub sample: SampleArgs,
    /// Largest VM of the default test workload, cores (larger VMs are left out of the pools;
    /// default 8).
    #[arg(long)]
    pub max_vm_cores: Option<f32>,
    /// Largest VM of the default test workload, GiB (default 64 for Azure, 32 for openb).
    #[arg(long)]
    pub max_vm_memory_gib: Option<f32>,
    #[arg(long, value_delimiter = ',', default_value = "0.005,0.01,0.02")]
    pub limits: Vec<f64>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, default_value_t = 3)]
    pub seeds: u64,
    /// Policies, comma-separated; default: the heuristics, the forecast baselines, FirePlace and the teachers.
    #[arg(long, value_delimiter = ',')]
    pub policies: Option<Vec<String>>,
    #[command(flatten)]
    pub fleet: FleetArgs,
    #[command(flatten)]
    pub forecast: crate::forecast_args::ForecastRefreshArgs,
    #[arg(long)]
    pub json: Option<PathBuf>,
}

pub fn run(cmd: FirePlaceCmd) -> Result<()> {
    match cmd {
        FirePlaceCmd::Train(a) => train_cmd(a),
        FirePlaceCmd::Eval(a) => eval_cmd(a),
    }
}

impl TrainArgs {
    /// The library's options for these flags.
    pub fn options(&self) -> TrainOptions {
        TrainOptions {
            workload: self.workload.as_ref().map(|p| self.workload_file.file(p)),
            sample: self.sample.options(),
            family: match self.family {
                FamilyArg::Tree => Family::Tree,
                FamilyArg::Forest => Family::Forest,
                FamilyArg::Gbdt => Family::Gbdt,
            },
            k: self.k,
            dagger_rounds: self.dagger_rounds,
            critical_copies: self.critical_copies,
            objective: match self.teacher {
                ObjectiveArg::Overload => Objective::Overload,
                ObjectiveArg::Peak => Objective::NormalisedPeak,
            },
            seed: self.seed,
            fleet: self.fleet.options(),
        }
    }
}

fn train_cmd(a: TrainArgs) -> Result<()> {
    let fireplace::Trained { model, report } = fireplace::train_model(&a.options(), &Bars::default())?;
    for (depth, acc) in &report.depth_search {
        println!("depth {depth:>2}: validation imitation accuracy {:.1}%", acc * 100.0);
    }
    for r in &report.rounds {
        println!(
            "round {} ({}): {} decisions, validation imitation accuracy {:.1}%",
            r.round,
            if r.round == 0 { "teacher rollouts" } else { "DAgger" },
            r.training_decisions,
            r.validation_accuracy * 100.0
        );
    }
    println!(
        "power-of-two's rule on the same validation decisions: {:.1}%",
        report.power_of_two_accuracy * 100.0
    );
    model.save(&a.out)?;
    eprintln!(
        "wrote {} ({} model, depth {})",
        a.out.display(),
        model.chooser.params.name(),
        report.depth
    );
    Ok(())
}

impl EvalArgs {
    /// The library's options for these flags.
    pub fn options(&self) -> EvalOptions {
        EvalOptions {
            models: self.model.clone(),
            validation: self.validation,
            workload: self.workload.as_ref().map(|p| self.workload_file.file(p)),
            sample: self.sample.options(),
            max_vm_cores: self.max_vm_cores,
            max_vm_memory_gib: self.max_vm_memory_gib,
            limits: self.limits.clone(),
            seed: self.seed,
            seeds: self.seeds,
            policies: self.policies.clone().unwrap_or_else(fireplace_eval::eval_policies),
            fleet: self.fleet.options(),
            forecast_refresh_steps: self.forecast.forecast_refresh_steps,
        }
    }
}

fn eval_cmd(a: EvalArgs) -> Result<()> {
    let opts = a.options();
    let print = &mut |t: &LimitResults| print_eval(t.overload_limit, &t.results, &t.one_fewer);
    let evaluated = fireplace_eval::evaluate(&opts, &Bars::default(), print)?;
    println!(
        "fluid lower bound: {} servers; {}",
        evaluated.bound.servers,
        crate::compare::packing_note(&evaluated.packing)
    );
    if let Some(path) = &a.json {
        write_json(path, &evaluated.to_json(&opts))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn print_eval(limit: f64, results: &[PolicyResult], fewer: &[Option<OneFewer>]) {
    let p2c = results
        .iter()
        .find(|r| r.policy == "power-of-two")
        .and_then(|r| r.servers_needed);
    let mut t = crate::table::table(vec![
        "policy",
        "servers needed (median)",
        "by seed",
        "vs power-of-two",
        "overload %",
        "peak/avg",
        "one server fewer: rejections, overload %",
    ]);
    for (r, f) in results.iter().zip(fewer) {
        let by_seed: Vec<String> = r
            .servers_needed_by_seed
            .iter()
            .map(|x| x.map_or("none".into(), |n| n.to_string()))
            .collect();
        let vs = match (r.servers_needed, p2c) {
            (Some(n), Some(p)) => format!("{:+.1}%", (n as f64 / p as f64 - 1.0) * 100.0),
            _ => "-".into(),
        };
        t.add_row(vec![
            r.policy.clone(),
            r.servers_needed.map_or("none".into(), |n| n.to_string()),
            by_seed.join(" "),
            vs,
            format!("{:.2}", r.overload_rate * 100.0),
            format!("{:.2}", r.peak_to_average),
            f.as_ref().map_or("-".into(), |f| {
                format!("{}, {:.2}", f.rejections, f.overload_rate * 100.0)
            }),
        ]);
    }
    println!("overload limit {}%", limit * 100.0);
    println!("{t}");
}
