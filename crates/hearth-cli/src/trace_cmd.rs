//! `hearth trace`: import public traces, inspect, compose and stagger workloads.

use crate::progress::progress;
use crate::workload_file::WorkloadFileArgs;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use hearth_trace::{
    compose, import_paths, stagger, summarize, write_workload, ComposeOptions, Format, ImportOptions, OnBadRow,
    Overlay, SizeSource, StaggerOptions, TimeMode, UsageKey,
};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum TraceCmd {
    /// Read a public trace in its publisher's format into a workload file.
    Import(ImportArgs),
    /// Print a workload's size, span, step, size and lifetime distributions and provenance.
    Info {
        workload: PathBuf,
        /// Print JSON instead of the report.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        file: WorkloadFileArgs,
    },
    /// Compose a workload: arrivals, lifetimes and priorities from one trace, usage from another.
    Compose(ComposeArgs),
    /// Give a usage-only trace (PlanetLab, Bitbrains) seeded Poisson arrivals and exponential lifetimes.
    Stagger(StaggerArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum BadRowArg {
    /// Stop at the first bad row with an error naming file, line and field.
    Fail,
    /// Skip bad rows; their count and the first few errors are reported.
    Skip,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Trace format: planetlab, bitbrains, alibaba-openb, azure-vm, azure-functions-2019,
    /// azure-functions-2021, google-2019, alibaba-2018, huawei, azure-packing-2020.
    pub format: String,
    /// Files or directories (read recursively, sorted); `.gz` is read transparently.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output workload file (Parquet).
    #[arg(short, long)]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t = BadRowArg::Fail)]
    pub on_bad_row: BadRowArg,
    /// Step length in seconds for event traces.
    #[arg(long, default_value_t = 300)]
    pub step_seconds: u32,
}

#[derive(Args, Debug)]
pub struct ComposeArgs {
    /// Workload whose arrival pattern, lifetimes and priorities are replayed.
    #[arg(long)]
    pub arrivals: PathBuf,
    /// Workload whose usage series are given to the VMs.
    #[arg(long)]
    pub usage: PathBuf,
    /// How arrivals are replayed: `real` (as they happened; for traces with
    /// real lifetimes such as azure-packing-2020) or `scaled` (the trace's
    /// window stretched onto --days with --vms VMs; for sparse traces such as
    /// openb). Default: scaled when --vms is given, else real.
    #[arg(long, value_enum)]
    pub time: Option<TimeArg>,
    /// Real time: the first day of the window replayed (days after the
    /// trace's observation start).
    #[arg(long)]
    pub start_day: Option<f64>,
    /// VMs to compose (time-scaled; default: the arrival trace's count).
    #[arg(long)]
    pub vms: Option<usize>,
    /// Days: of the window replayed (real time; default: to the trace's end),
    /// or over which VMs arrive (time-scaled; default: the trace's span).
    #[arg(long)]
    pub days: Option<f64>,
    /// Which VMs share a usage source: each VM its own (`vm`), a tenant's
    /// VMs (`tenant`; VMs without a tenant draw alone), or a tenant's VMs of
    /// one type (`tenant-type`). Each VM takes its own offset in the source.
    #[arg(long, value_enum, default_value_t = UsageByArg::Tenant)]
    pub usage_by: UsageByArg,
    /// Draw usage only from this part of the usage trace's VMs, as fractions of their count in
    /// file order (`0.5:1` is the second half): to test on usage VMs that training never saw.
    #[arg(long, value_name = "FROM:TO", default_value = "0:1")]
    pub usage_vms: String,
    /// Where requested sizes come from.
    #[arg(long, value_enum, default_value_t = SizesArg::Usage)]
    pub sizes: SizesArg,
    /// Time-scaled only: how copies of the arrival trace are overlaid when --vms asks for more
    /// than it holds. `circular`: evenly shifted, lives wrapping past the span's end, so offered
    /// demand stays flat; `clipped`: random shifts, lives clipped (earlier figures).
    #[arg(long, value_enum, default_value_t = OverlayArg::Circular)]
    pub overlay: OverlayArg,
    #[command(flatten)]
    pub bounds: BoundsArgs,
    #[command(flatten)]
    pub workload_file: WorkloadFileArgs,
    #[arg(long)]
    pub seed: u64,
    #[arg(short, long)]
    pub out: PathBuf,
}

/// VM-size bounds: larger VMs are left out of the pool they come from,
/// and counted in provenance.
#[derive(Args, Debug)]
pub struct BoundsArgs {
    #[arg(long)]
    pub max_vm_cores: Option<f32>,
    #[arg(long)]
    pub max_vm_memory_gib: Option<f32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TimeArg {
    Real,
    Scaled,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum UsageByArg {
    Vm,
    Tenant,
    TenantType,
}

impl From<UsageByArg> for UsageKey {
    fn from(a: UsageByArg) -> UsageKey {
        match a {
            UsageByArg::Vm => UsageKey::Vm,
            UsageByArg::Tenant => UsageKey::Tenant,
            UsageByArg::TenantType => UsageKey::TenantType,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OverlayArg {
    Circular,
    Clipped,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SizesArg {
    Usage,
    Arrivals,
}

#[derive(Args, Debug)]
pub struct StaggerArgs {
    /// A usage-only workload (imported PlanetLab or Bitbrains).
    pub usage: PathBuf,
    #[arg(long)]
    pub vms: usize,
    #[arg(long, default_value_t = 1.0)]
    pub days: f64,
    #[arg(long, default_value_t = 2.0)]
    pub mean_lifetime_hours: f64,
    /// Fraction of VMs that are spot.
    #[arg(long, default_value_t = 0.0)]
    pub spot_fraction: f64,
    #[command(flatten)]
    pub bounds: BoundsArgs,
    #[command(flatten)]
    pub workload_file: WorkloadFileArgs,
    #[arg(long)]
    pub seed: u64,
    #[arg(short, long)]
    pub out: PathBuf,
}

pub fn run(cmd: TraceCmd) -> Result<()> {
    match cmd {
        TraceCmd::Import(a) => import(a),
        TraceCmd::Info { workload, json, file } => {
            let w = file.read(&workload)?;
            let s = summarize(&w);
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                println!("{s}");
            }
            Ok(())
        }
        TraceCmd::Compose(a) => compose_cmd(a),
        TraceCmd::Stagger(a) => stagger_cmd(a),
    }
}

fn import(a: ImportArgs) -> Result<()> {
    let format: Format = a.format.parse()?;
    let opts = ImportOptions {
        on_bad_row: match a.on_bad_row {
            BadRowArg::Fail => OnBadRow::Fail,
            BadRowArg::Skip => OnBadRow::Skip,
        },
        step_seconds: a.step_seconds,
        ..Default::default()
    };
    if a.step_seconds == 0 {
        bail!("--step-seconds must be at least 1");
    }
    let bar = progress(0, "reading");
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let imported = import_paths(format, &a.paths, &opts);
    bar.finish_and_clear();
    let imported = imported.with_context(|| format!("importing {} trace", format.name()))?;
    let r = &imported.report;
    eprintln!(
        "read {} rows from {} files; skipped {} bad rows",
        r.rows, r.files, r.skipped_rows
    );
    for e in &r.skipped_examples {
        eprintln!("  skipped: {e}");
    }
    for w in &r.warnings {
        eprintln!("warning: {w}");
    }
    save(&a.out, &imported.workload)?;
    Ok(())
}

/// Writes the workload (atomically) and says so on stderr.
fn save(path: &std::path::Path, w: &hearth_trace::Workload) -> Result<()> {
    write_workload(path, w).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {} VMs to {}", w.vms.len(), path.display());
    Ok(())
}

fn compose_cmd(a: ComposeArgs) -> Result<()> {
    let arrivals = a.workload_file.read(&a.arrivals)?;
    let usage = a.workload_file.read(&a.usage)?;
    let (from, to) = a
        .usage_vms
        .split_once(':')
        .and_then(|(f, t)| Some((f.trim().parse::<f64>().ok()?, t.trim().parse::<f64>().ok()?)))
        .with_context(|| {
            format!(
                "--usage-vms {:?}: expected FROM:TO fractions such as 0.5:1",
                a.usage_vms
            )
        })?;
    let usage = if (from, to) == (0.0, 1.0) {
        usage
    } else {
        hearth_trace::split_by_vm(&usage, from, to).context("--usage-vms")?
    };
    let time = match (a.time, a.vms.is_some()) {
        (Some(TimeArg::Real), true) => {
            bail!("--vms applies to --time scaled only; a real-time window has the trace's VMs")
        }
        (Some(TimeArg::Scaled), _) | (None, true) if a.start_day.is_some() => {
            bail!("--start-day applies to --time real only")
        }
        (Some(TimeArg::Scaled), _) | (None, true) => TimeMode::Scaled,
        (Some(TimeArg::Real), false) | (None, false) => TimeMode::Real {
            start_day: a.start_day.unwrap_or(0.0),
        },
    };
    let opts = ComposeOptions {
        time,
        usage_by: a.usage_by.into(),
        vms: a.vms,
        overlay: match a.overlay {
            OverlayArg::Circular => Overlay::Circular,
            OverlayArg::Clipped => Overlay::Clipped,
        },
        days: a.days,
        sizes: match a.sizes {
            SizesArg::Usage => SizeSource::Usage,
            SizesArg::Arrivals => SizeSource::Arrivals,
        },
        max_vm_cores: a.bounds.max_vm_cores,
        max_vm_memory_gib: a.bounds.max_vm_memory_gib,
        seed: a.seed,
    };
    let w = compose(&arrivals, &usage, &opts)?;
    save(&a.out, &w)?;
    Ok(())
}

fn stagger_cmd(a: StaggerArgs) -> Result<()> {
    let usage = a.workload_file.read(&a.usage)?;
    let opts = StaggerOptions {
        vms: a.vms,
        days: a.days,
        mean_lifetime_hours: a.mean_lifetime_hours,
        spot_fraction: a.spot_fraction,
        max_vm_cores: a.bounds.max_vm_cores,
        max_vm_memory_gib: a.bounds.max_vm_memory_gib,
        seed: a.seed,
    };
    let w = stagger(&usage, &opts)?;
    save(&a.out, &w)?;
    Ok(())
}
