//! Reading workload files, including those written by other tools (pandas,
//! polars, Spark) that lack hearth's metadata.

use anyhow::{Context, Result};
use clap::Args;
use hearth_trace::{read_workload_with, ReadOptions, Workload};
use std::path::Path;

/// Options of every command that reads a workload file.
#[derive(Args, Clone, Debug, Default)]
pub struct WorkloadFileArgs {
    /// Step length in seconds of a workload file without `hearth.step_seconds` metadata
    /// (written by pandas, polars or Spark); a file that has the key must agree.
    #[arg(long = "step-seconds", value_name = "SECONDS")]
    pub step_seconds: Option<u32>,
}

impl WorkloadFileArgs {
    /// Reads the workload file at `path`.
    pub fn read(&self, path: &Path) -> Result<Workload> {
        let opts = ReadOptions {
            step_seconds: self.step_seconds,
        };
        read_workload_with(path, &opts).with_context(|| format!("reading workload {}", path.display()))
    }
}
