//! `hearth forecast`: train the LSTM and TCN usage forecasters (`--features nn`) and measure them
//! on unseen VMs against the naive forecasts.

use crate::fireplace_cmd::SampleArgs;
use crate::workload_file::WorkloadFileArgs;
use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum ForecastCmd {
    /// Train a usage forecaster (50 steps in, 20 out, CPU and memory per VM) on the training part
    /// of the workloads, then report MAE and RMSE on unseen VMs beside the naive forecasts.
    Train(TrainArgs),
    /// MAE and RMSE of a trained forecaster and the naive forecasts on unseen VMs.
    Eval(EvalArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ArchArg {
    Lstm,
    Tcn,
}

/// Where training and test windows come from.
#[derive(Args, Debug)]
pub struct DataArgs {
    /// Workload file: VMs are split 80/20 by id, training on the first part and testing on the
    /// rest. Default: the training part of the shipped samples, tested on their test part
    /// (other days, other usage VMs).
    #[arg(long)]
    pub workload: Option<PathBuf>,
    #[command(flatten)]
    pub workload_file: WorkloadFileArgs,
    #[command(flatten)]
    pub sample: SampleArgs,
    /// Windows kept at most from each part (an even stride over every VM's life).
    #[arg(long, default_value_t = 20_000)]
    pub max_windows: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    #[arg(long = "model", value_enum)]
    pub architecture: ArchArg,
    #[command(flatten)]
    pub data: DataArgs,
    /// LSTM hidden width or TCN channels.
    #[arg(long, default_value_t = 32)]
    pub width: usize,
    #[arg(long, default_value_t = 20)]
    pub epochs: usize,
    #[arg(long, default_value_t = 64)]
    pub batch_size: usize,
    #[arg(long, default_value_t = 1e-3)]
    pub learning_rate: f64,
    #[arg(long)]
    pub out: PathBuf,
    /// Write the accuracy table and training report as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    #[arg(long)]
    pub model: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    #[arg(long)]
    pub json: Option<PathBuf>,
}

#[cfg(not(feature = "nn"))]
pub fn run(_: ForecastCmd) -> Result<()> {
    anyhow::bail!("`hearth forecast` needs hearth built with the `nn` feature: `cargo build --release --features nn`")
}

#[cfg(feature = "nn")]
pub use enabled::run;

#[cfg(feature = "nn")]
mod enabled {
    use super::*;
    use anyhow::Context;
    use hearth::output::write_json;
    use hearth::samples::Part;
    use hearth_nnpolicy::accuracy::{evaluate, Accuracy};
    use hearth_nnpolicy::window::windows;
    use hearth_nnpolicy::{Architecture, ForecastConfig, UsageForecaster};
    use hearth_trace::{split_by_vm, Workload};
    use serde_json::json;

    pub fn run(cmd: ForecastCmd) -> Result<()> {
        match cmd {
            ForecastCmd::Train(a) => train(a),
            ForecastCmd::Eval(a) => eval(a),
        }
    }

    /// (training workload, test workload, description).
    fn parts(d: &DataArgs) -> Result<(Workload, Workload, String)> {
        match &d.workload {
            Some(p) => {
                let w = d.workload_file.read(p)?;
                let desc = format!("{}: VMs 0-80% train, 80-100% test", p.display());
                Ok((split_by_vm(&w, 0.0, 0.8)?, split_by_vm(&w, 0.8, 1.0)?, desc))
            }
            None => {
                let train = d.sample.workload(d.seed).build_part(Part::Train)?;
                let test_part = d.sample.workload(d.seed + 2);
                let test = test_part.build_part(Part::Test)?;
                let desc = format!(
                    "{}; train on the {}, test on the {}",
                    test_part.describe(),
                    Part::Train.describe(test_part.arrivals),
                    Part::Test.describe(test_part.arrivals)
                );
                Ok((train, test, desc))
            }
        }
    }

    fn train(a: TrainArgs) -> Result<()> {
        let (train_w, test_w, desc) = parts(&a.data)?;
        let architecture = match a.architecture {
            ArchArg::Lstm => Architecture::Lstm,
            ArchArg::Tcn => Architecture::Tcn,
        };
        let cfg = ForecastConfig {
            architecture,
            width: a.width,
            train: hearth_nn::TrainConfig {
                epochs: a.epochs,
                batch_size: a.batch_size,
                learning_rate: a.learning_rate,
                ..hearth_nn::TrainConfig::default()
            },
            max_windows: a.data.max_windows,
        };
        eprintln!("{desc}");
        eprintln!("training {} on {} VMs", architecture.policy_name(), train_w.vms.len());
        let (model, n) = UsageForecaster::train(&cfg, &train_w, a.data.seed).context("training the forecaster")?;
        let r = model.report();
        println!(
            "trained on {n} windows: {} epochs (best {}), {} steps, {:.1} s; validation loss {:?}",
            r.epochs_run,
            r.best_epoch,
            r.steps,
            r.seconds,
            r.valid_loss.get(r.best_epoch)
        );
        model.save(&a.out)?;
        eprintln!("wrote {}", a.out.display());
        let table = report(&model, &test_w, a.data.max_windows)?;
        if let Some(p) = &a.json {
            let doc = json!({"data": desc, "config": cfg, "training_windows": n, "training": r, "accuracy": table});
            write_json(p, &doc)?;
        }
        Ok(())
    }

    fn eval(a: EvalArgs) -> Result<()> {
        let model = UsageForecaster::load(&a.model)?;
        let (_, test_w, desc) = parts(&a.data)?;
        eprintln!("{desc}");
        let table = report(&model, &test_w, a.data.max_windows)?;
        if let Some(p) = &a.json {
            write_json(
                p,
                &json!({"data": desc, "model": a.model.display().to_string(), "accuracy": table}),
            )?;
        }
        Ok(())
    }

    /// Prints and returns the accuracy of the model and the naive forecasts on the test VMs.
    fn report(model: &UsageForecaster, test: &Workload, max_windows: usize) -> Result<Vec<Accuracy>> {
        let win = windows(test, max_windows);
        anyhow::ensure!(!win.is_empty(), "no test VM lives more than 20 steps");
        let name = model.architecture().policy_name();
        let table = evaluate(Some((name, model)), &win)?;
        println!(
            "{} windows of {} unseen VMs (utilisation, fraction of request):",
            win.len(),
            test.vms.len()
        );
        let mut t = crate::table::table(vec!["forecaster", "CPU MAE", "CPU RMSE", "memory MAE", "memory RMSE"]);
        for r in &table {
            t.add_row(vec![
                r.forecaster.clone(),
                format!("{:.4}", r.cpu_mae),
                format!("{:.4}", r.cpu_rmse),
                format!("{:.4}", r.memory_mae),
                format!("{:.4}", r.memory_rmse),
            ]);
        }
        println!("{t}");
        Ok(table)
    }
}
