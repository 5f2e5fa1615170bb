//! Readers of public trace formats. Each module reads one publisher's format
//! as published (column order, units, compression) into a [`Workload`].

pub mod alibaba_2018;
pub mod alibaba_openb;
pub mod azure_functions_2019;
pub mod azure_functions_2021;
pub mod azure_packing_2020;
pub mod azure_vm;
pub mod bitbrains;
pub mod google_2019;
pub mod huawei;
pub mod planetlab;
mod rows;
mod separator;
pub mod skypilot;

use crate::error::{Result, TraceError};
use crate::source::{OnBadRow, ReadReport, Source};
use crate::units::Resources;
use crate::workload::Workload;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The trace formats that `import` turns into a workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Planetlab,
    Bitbrains,
    AlibabaOpenb,
    AzureVm,
    AzureFunctions2019,
    AzureFunctions2021,
    Google2019,
    Alibaba2018,
    Huawei,
    AzurePacking2020,
}

impl Format {
    pub const ALL: [Format; 10] = [
        Format::Planetlab,
        Format::Bitbrains,
        Format::AlibabaOpenb,
        Format::AzureVm,
        Format::AzureFunctions2019,
        Format::AzureFunctions2021,
        Format::Google2019,
        Format::Alibaba2018,
        Format::Huawei,
        Format::AzurePacking2020,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Planetlab => "planetlab",
            Format::Bitbrains => "bitbrains",
            Format::AlibabaOpenb => "alibaba-openb",
            Format::AzureVm => "azure-vm",
            Format::AzureFunctions2019 => "azure-functions-2019",
            Format::AzureFunctions2021 => "azure-functions-2021",
            Format::Google2019 => "google-2019",
            Format::Alibaba2018 => "alibaba-2018",
            Format::Huawei => "huawei",
            Format::AzurePacking2020 => "azure-packing-2020",
        }
    }
}

impl FromStr for Format {
    type Err = TraceError;
    fn from_str(s: &str) -> Result<Format> {
        Format::ALL.iter().copied().find(|f| f.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            TraceError::Invalid(format!(
                "unknown trace format {s:?}; known formats: {}",
                names.join(", ")
            ))
        })
    }
}

/// Options every reader honours.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub on_bad_row: OnBadRow,
    /// Step length of the workload produced from event traces (openb, Azure,
    /// Google, Alibaba, Huawei). Usage traces keep their own sampling period.
    pub step_seconds: u32,
    /// Request given to each VM of a trace that records no VM size
    /// (PlanetLab): its CPU usage is read as a percentage of this.
    pub unsized_vm: Resources,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            on_bad_row: OnBadRow::Fail,
            step_seconds: 300,
            unsized_vm: Resources::new(1.0, 1.0),
        }
    }
}

/// A workload read from a trace, with the counts of what was read and skipped.
#[derive(Debug)]
pub struct Imported {
    pub workload: Workload,
    pub report: ReadReport,
}

/// Reads already opened sources in the given format. An import that leaves
/// out most of some kind of row it read is not refused, but its report
/// carries warnings (`report.warnings`, see [`ReadReport::loss_warnings`]).
pub fn import(format: Format, sources: Vec<Source>, opts: &ImportOptions) -> Result<Imported> {
    let mut imported = read_format(format, sources, opts)?;
    let losses = imported.report.loss_warnings(format.name());
    imported.report.warnings.extend(losses);
    if let Some(step) = imported.workload.provenance.steps.last_mut() {
        if !imported.report.warnings.is_empty() {
            step.details.insert("warnings".into(), json!(imported.report.warnings));
        }
    }
    Ok(imported)
}

fn read_format(format: Format, sources: Vec<Source>, opts: &ImportOptions) -> Result<Imported> {
    if sources.is_empty() {
        return Err(TraceError::Invalid(format!(
            "no input files given for format {}",
            format.name()
        )));
    }
    match format {
        Format::Planetlab => planetlab::read(sources, opts),
        Format::Bitbrains => bitbrains::read(sources, opts),
        Format::AlibabaOpenb => alibaba_openb::read(sources, opts),
        Format::AzureVm => azure_vm::read(sources, opts),
        Format::AzureFunctions2019 => azure_functions_2019::read(sources, opts),
        Format::AzureFunctions2021 => azure_functions_2021::read(sources, opts),
        Format::Google2019 => google_2019::read(sources, opts),
        Format::Alibaba2018 => alibaba_2018::read(sources, opts),
        Format::Huawei => huawei::read(sources, opts),
        Format::AzurePacking2020 => azure_packing_2020::read(sources, opts),
    }
}

/// Opens the given files (directories are expanded to the files in them,
/// sorted by name) and reads them; the paths are recorded in provenance.
pub fn import_paths(format: Format, paths: &[PathBuf], opts: &ImportOptions) -> Result<Imported> {
    let files = expand_paths(paths)?;
    let sources = files.iter().map(|p| Source::open(p)).collect::<Result<Vec<_>>>()?;
    let mut imported = import(format, sources, opts)?;
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    if let Some(step) = imported.workload.provenance.steps.last_mut() {
        step.details.insert("paths".into(), json!(shown));
        step.details.insert("files".into(), json!(files.len()));
        step.details
            .insert("skipped_rows".into(), json!(imported.report.skipped_rows));
    }
    Ok(imported)
}

/// Expands directories into their non-hidden files, sorted by name, recursively.
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        expand_one(p, &mut out)?;
    }
    Ok(out)
}

fn expand_one(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| TraceError::io(&name, e))?;
    if !meta.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| TraceError::io(&name, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    entries.sort();
    for e in entries {
        expand_one(&e, out)?;
    }
    Ok(())
}

/// Rounds a time in seconds down to the step that contains it.
pub(crate) fn step_of(seconds: f64, step_seconds: u32) -> u32 {
    (seconds / step_seconds as f64)
        .floor()
        .clamp(0.0, u32::MAX as f64 - 1.0) as u32
}

/// The first step at which something that ended at `seconds` is gone: a VM
/// alive for any part of a step is counted in that step.
pub(crate) fn end_step_of(seconds: f64, step_seconds: u32) -> u32 {
    (seconds / step_seconds as f64).ceil().clamp(0.0, u32::MAX as f64 - 1.0) as u32
}
