//! `hearth rl train`: PPO over sampled candidates (`--features nn`), trained in the simulator on
//! the training part of the workloads with FirePlace's objective; writes the learning curve.

use crate::fireplace_cmd::SampleArgs;
use crate::fleet_args::FleetArgs;
use crate::workload_file::WorkloadFileArgs;
use anyhow::Result;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum RlCmd {
    /// Train a PPO placement policy; `hearth compare --policies rl --model FILE` runs it.
    Train(TrainArgs),
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Training workload; default: the training part of the shipped samples (`--sample openb
    /// --vms 2000` for a small one).
    #[arg(long)]
    pub workload: Option<PathBuf>,
    #[command(flatten)]
    pub workload_file: WorkloadFileArgs,
    #[command(flatten)]
    pub sample: SampleArgs,
    /// Fleet size of the episodes; default: the servers the hindsight teacher needs on the
    /// training workload (the regime FirePlace trains in).
    #[arg(long)]
    pub servers: Option<usize>,
    /// Candidates per decision.
    #[arg(long, default_value_t = 2)]
    pub k: usize,
    /// Episodes (one PPO update each).
    #[arg(long, default_value_t = 20)]
    pub iterations: usize,
    /// Passes over each episode's decisions.
    #[arg(long, default_value_t = 4)]
    pub epochs: usize,
    #[arg(long, default_value_t = 64)]
    pub hidden: usize,
    #[arg(long, default_value_t = 3e-4)]
    pub learning_rate: f64,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub fleet: FleetArgs,
    #[arg(long)]
    pub out: PathBuf,
    /// Learning curve CSV, one row per iteration.
    #[arg(long)]
    pub curve: Option<PathBuf>,
}

#[cfg(not(feature = "nn"))]
pub fn run(_: RlCmd) -> Result<()> {
    anyhow::bail!("`hearth rl` needs hearth built with the `nn` feature: `cargo build --release --features nn`")
}

#[cfg(feature = "nn")]
pub fn run(cmd: RlCmd) -> Result<()> {
    match cmd {
        RlCmd::Train(a) => enabled::train(a),
    }
}

#[cfg(feature = "nn")]
mod enabled {
    use super::*;
    use hearth::fireplace::{one_admission, teacher_fleet};
    use hearth::output::write_csv;
    use hearth::samples::Part;
    use hearth_nnpolicy::rl::{train as ppo_train, CurvePoint, PpoConfig};
    use hearth_place::{Objective, Teacher};
    use hearth_trace::split_by_time;

    const CURVE_HEADER: [&str; 12] = [
        "iteration",
        "decisions",
        "episode_return",
        "peak_to_average",
        "overload_rate",
        "rejections",
        "inadmissible",
        "policy_loss",
        "value_loss",
        "entropy",
        "approx_kl",
        "seconds",
    ];

    fn row(p: &CurvePoint) -> Vec<String> {
        vec![
            p.iteration.to_string(),
            p.decisions.to_string(),
            format!("{:.4}", p.episode_return),
            format!("{:.4}", p.peak_to_average),
            format!("{:.6}", p.overload_rate),
            p.rejections.to_string(),
            p.inadmissible.to_string(),
            format!("{:.5}", p.policy_loss),
            format!("{:.5}", p.value_loss),
            format!("{:.4}", p.entropy),
            format!("{:.5}", p.approx_kl),
            format!("{:.1}", p.seconds),
        ]
    }

    pub fn train(a: TrainArgs) -> Result<()> {
        let (w, source) = match &a.workload {
            Some(p) => (
                split_by_time(&a.workload_file.read(p)?, 0.0, 0.8)?,
                p.display().to_string(),
            ),
            None => {
                let d = a.sample.workload(a.seed);
                (
                    d.build_part(Part::Train)?,
                    format!("{} ({})", d.describe(), Part::Train.describe(d.arrivals)),
                )
            }
        };
        let fleet = a.fleet.options();
        let spec = fleet.spec()?;
        let sim = fleet.config(one_admission(&fleet)?, a.seed)?;
        let servers = match a.servers {
            Some(n) => n,
            None => {
                let teacher = Teacher::new(Some(a.k), Objective::Overload, a.fleet.overload_threshold);
                teacher_fleet(&w, &spec, &sim, &teacher)?
            }
        };
        eprintln!("training PPO on {source}: {} VMs, {servers} servers", w.vms.len());
        let cfg = PpoConfig {
            k: a.k,
            hidden: a.hidden,
            iterations: a.iterations,
            epochs: a.epochs,
            learning_rate: a.learning_rate,
            ..PpoConfig::default()
        };
        println!("{}", CURVE_HEADER.join(","));
        let (mut model, curve) = ppo_train(&cfg, &w, &spec.build(servers), &sim, |p| {
            println!("{}", row(p).join(","))
        })?;
        model.meta.provenance["training_workload"] = serde_json::json!(source);
        model.meta.provenance["servers"] = serde_json::json!(servers);
        model.save(&a.out)?;
        eprintln!("wrote {}", a.out.display());
        if let Some(p) = &a.curve {
            write_csv(p, &CURVE_HEADER, &curve.iter().map(row).collect::<Vec<_>>())?;
            eprintln!("wrote {}", p.display());
        }
        Ok(())
    }
}
