//! `hearth sweep grid.toml`: a parameter sweep on Ray, run by the Python
//! package's `hearth.sweep` (python/hearth/sweep.py documents the grid).
//!
//! The sweep lives in Python because Ray has no Rust client: its tasks,
//! scheduling, retries and cluster joining are Python APIs. This command
//! runs `python -m hearth.sweep` so both entry points share one code path;
//! each cell there runs this crate's `compare` through the bindings.

use anyhow::{bail, Context, Result};
use clap::Args;
use std::path::PathBuf;
use std::process::Command;

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// Grid file (TOML): policies, seeds, limits, [workloads], [fleets].
    pub grid: PathBuf,
    /// Parquet dataset directory, partitioned by workload and policy; finished cells are skipped.
    #[arg(long, default_value = "results/")]
    pub out: PathBuf,
    /// Ray cluster to join (e.g. ray://head:10001); default RAY_ADDRESS, else a local Ray.
    #[arg(long)]
    pub address: Option<String>,
    /// Retries of a failed cell before it is recorded as failed.
    #[arg(long, default_value_t = 1)]
    pub retries: u32,
    /// CPUs of a local Ray (default: all).
    #[arg(long)]
    pub num_cpus: Option<usize>,
}

/// The interpreter: `HEARTH_PYTHON`, else `python3` on the PATH.
fn python() -> String {
    std::env::var("HEARTH_PYTHON").unwrap_or_else(|_| "python3".into())
}

pub fn run(args: SweepArgs) -> Result<()> {
    let py = python();
    let probe = Command::new(&py)
        .args(["-c", "import hearth.sweep, ray"])
        .output()
        .with_context(|| format!("running {py} (set HEARTH_PYTHON to choose the interpreter)"))?;
    if !probe.status.success() {
        bail!(
            "hearth sweep needs the Python package and Ray in {py}: `pip install ./python ray` \
             (or set HEARTH_PYTHON to a venv's python): {}",
            String::from_utf8_lossy(&probe.stderr).trim()
        );
    }
    let mut cmd = Command::new(&py);
    cmd.args(["-m", "hearth.sweep"])
        .arg(&args.grid)
        .arg("--out")
        .arg(&args.out)
        .args(["--retries", &args.retries.to_string()]);
    if let Some(a) = &args.address {
        cmd.args(["--address", a]);
    }
    if let Some(n) = args.num_cpus {
        cmd.args(["--num-cpus", &n.to_string()]);
    }
    let status = cmd.status().with_context(|| format!("running {py} -m hearth.sweep"))?;
    if !status.success() {
        bail!("the sweep did not finish cleanly ({status}); see the messages above");
    }
    Ok(())
}
