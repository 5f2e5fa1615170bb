//! The `hearth` command line: its subcommands' flags, progress and printing,
//! over the library API (the `hearth` crate) that computes. The Python
//! package (crates/hearth-py) parses its keyword arguments with these flags,
//! so both accept and refuse the same input with the same messages.

pub mod bench;
pub mod bench_fuzz;
pub mod bench_serve;
pub mod bench_serve_figures;
pub mod bench_serve_load;
pub mod bench_sizing;
pub mod compare;
pub mod evict_args;
pub mod evict_cmd;
pub mod evict_input;
pub mod evict_place;
pub mod evict_predict;
pub mod evict_print;
pub mod fireplace_cmd;
pub mod fleet_args;
pub mod forecast_args;
pub mod forecast_cmd;
pub mod memory;
pub mod progress;
pub mod report_cmd;
pub mod rl_cmd;
pub mod serve_cmd;
pub mod serve_replay;
pub mod simulate_cmd;
pub mod sweep_cmd;
pub mod table;
pub mod trace_cmd;
pub mod workload_file;

use clap::{Parser, Subcommand};

/// hearth: VM placement and fleet sizing, simulated over real public traces.
///
/// Start with `hearth compare`: it composes a workload from the real trace
/// excerpts built into this binary (Alibaba openb arrivals, Bitbrains usage),
/// and prints how many servers each placement policy needs.
#[derive(Parser, Debug)]
#[command(name = "hearth", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Servers needed by each placement policy on one workload (the main job).
    Compare(compare::CompareArgs),
    /// One policy on one fleet size, writing per-step load, placements and evictions.
    Simulate(simulate_cmd::SimulateArgs),
    /// Import, inspect, compose and stagger workloads.
    #[command(subcommand)]
    Trace(trace_cmd::TraceCmd),
    /// Train and evaluate FirePlace, the learned placement policy.
    #[command(subcommand)]
    Fireplace(fireplace_cmd::FirePlaceCmd),
    /// Benchmarks that print their figures.
    #[command(subcommand)]
    Bench(bench::BenchCmd),
    /// Usage forecasters (LSTM, TCN) for forecast placement; needs the `nn` feature.
    #[command(subcommand)]
    Forecast(forecast_cmd::ForecastCmd),
    /// Reinforcement-learning placement (PPO); needs the `nn` feature.
    #[command(subcommand)]
    Rl(rl_cmd::RlCmd),
    /// Spot eviction prediction: simulate, build datasets, train, evaluate, forecast (SkyPilot).
    #[command(subcommand)]
    Evict(evict_cmd::EvictCmd),
    /// The placement and eviction-forecast service (HTTP/JSON), and `serve replay` to drive one.
    Serve(serve_cmd::ServeArgs),
    /// One self-contained HTML page of plots from the JSON of compare, fireplace eval, evict run|predict.
    Report(report_cmd::ReportArgs),
    /// A parameter sweep on Ray (needs the Python package: pip install ./python).
    Sweep(sweep_cmd::SweepArgs),
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Compare(a) => compare::run(a),
        Command::Simulate(a) => simulate_cmd::run(a),
        Command::Trace(c) => trace_cmd::run(c),
        Command::Fireplace(c) => fireplace_cmd::run(c),
        Command::Bench(c) => bench::run(c),
        Command::Evict(c) => evict_cmd::run(c),
        Command::Serve(a) => serve_cmd::run(a),
        Command::Forecast(c) => forecast_cmd::run(c),
        Command::Rl(c) => rl_cmd::run(c),
        Command::Report(a) => report_cmd::run(a),
        Command::Sweep(a) => sweep_cmd::run(a),
    }
}
