//! The flag of every command that reads a workload file, including those
//! written by other tools (pandas, polars, Spark) that lack hearth's metadata.

use anyhow::Result;
use clap::Args;
use hearth::samples::DefaultWorkload;
use hearth::workload::WorkloadInput;
use hearth_trace::Workload;
use std::path::{Path, PathBuf};

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
        hearth::workload::read_file(path, self.step_seconds)
    }

    /// The file at `path` when given, else the default workload `d`.
    pub fn input(&self, path: Option<&PathBuf>, d: DefaultWorkload) -> WorkloadInput {
        match path {
            Some(path) => self.file(path),
            None => WorkloadInput::Samples(d),
        }
    }

    /// The workload file at `path`, read with these options.
    pub fn file(&self, path: &Path) -> WorkloadInput {
        WorkloadInput::File {
            path: path.to_path_buf(),
            step_seconds: self.step_seconds,
        }
    }
}
