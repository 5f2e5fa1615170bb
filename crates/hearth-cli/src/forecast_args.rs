//! `--forecast-refresh-steps`, shared by the commands that run `forecast-lstm`/`forecast-tcn`.

/// How often forecast placement forecasts a VM afresh.
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct ForecastRefreshArgs {
    /// Steps forecast-lstm and forecast-tcn reuse a VM's forecast (shifted by its age) before
    /// forecasting it afresh; 1: a fresh forecast every step. Larger is cheaper per decision and
    /// staler (EVALUATION.md, issue 8, measures both).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub forecast_refresh_steps: u32,
}
