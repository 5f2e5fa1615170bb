//! `hearth`: decide where cloud VMs should run, learned and measured by
//! simulation over real public traces.

mod bench;
mod bench_fuzz;
mod bench_serve;
mod bench_sizing;
mod compare;
mod evict_cmd;
mod evict_input;
mod evict_predict;
mod fireplace_cmd;
mod fleet_args;
mod forecast_cmd;
mod output;
mod policies;
mod policies_nn;
mod rl_cmd;
mod samples;
mod samples_azure;
mod serve_cmd;
mod serve_forecast;
mod serve_replay;
mod simulate_cmd;
mod trace_cmd;
mod workload_file;

use clap::{Parser, Subcommand};

/// hearth: VM placement and fleet sizing, simulated over real public traces.
///
/// Start with `hearth compare`: it composes a workload from the real trace
/// excerpts built into this binary (Alibaba openb arrivals, Bitbrains usage),
/// and prints how many servers each placement policy needs.
#[derive(Parser, Debug)]
#[command(name = "hearth", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
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
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Compare(a) => compare::run(a),
        Command::Simulate(a) => simulate_cmd::run(a),
        Command::Trace(c) => trace_cmd::run(c),
        Command::Fireplace(c) => fireplace_cmd::run(c),
        Command::Bench(c) => bench::run(c),
        Command::Evict(c) => evict_cmd::run(c),
        Command::Serve(a) => serve_cmd::run(a),
        Command::Forecast(c) => forecast_cmd::run(c),
        Command::Rl(c) => rl_cmd::run(c),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
