//! Reader of the Azure Functions trace 2019 (schema: `AzureFunctionsDataset2019.md`
//! in github.com/Azure/AzurePublicDataset), turned into microVMs as in FirePlace.
//!
//! Files, one per day `NN` = `01`..`14`, told apart by base name (`.gz` allowed):
//! - `invocations_per_function_md.anon.dNN.csv`, header
//!   `HashOwner,HashApp,HashFunction,Trigger,1,...,1440`: invocations of the
//!   function in each minute of the day.
//! - `function_durations_percentiles.anon.dNN.csv`, header
//!   `HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,...`:
//!   `Average` is the day's mean execution time in ms.
//! - `app_memory_percentiles.anon.dNN.csv` (published for days 01..12), header
//!   `HashOwner,HashApp,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,...`.
//!
//! All three roles are required; columns of the duration and memory files are
//! found by header name. Day `NN` starts at minute (NN−1)×1440.
//!
//! The microVM model: a function's warm sandbox lives through idle gaps
//! shorter than a keep-alive of 10 minutes. One microVM per function per busy
//! period, a maximal run of busy minutes joined across such gaps: it arrives at
//! the period's first busy minute and departs at the end of its last busy
//! minute plus the keep-alive.
//! - CPU used per step: invocations in the step × the function's `Average` of
//!   that day (s) / step seconds: concurrent executions, one core each. A
//!   minute counts in the step holding its start.
//! - memory used: the app's `AverageAllocatedMb` (mean over the days listed,
//!   MB read as MiB) / the number of its functions with invocations; constant.
//! - request: peak CPU rounded up to whole cores (at least 1), and the memory.
//! - function-days with no duration row take the median `Average` of that
//!   day (of all days, when the day has none); apps with no memory row take
//!   the median app memory. Both are counted in provenance.
//! - a second duration row of one function-day, or a second memory row of
//!   one app in a day's file, is left out: the first row wins (counted).

mod busy;
mod fill;
mod invocations;
mod percentiles;
mod trace;

pub(crate) use busy::{BusyPeriods, KEEP_ALIVE_SECONDS};

use super::{ImportOptions, Imported};
use crate::error::{Result, TraceError};
use crate::source::{ReadReport, Source};
use crate::workload::{Provenance, ProvenanceStep, Workload};
use fill::{app_memory_gib, day_medians};
use invocations::read_invocations;
use percentiles::{read_durations, read_memory};
use trace::{FnKey, Function, Trace};

const INVOCATIONS: &str = "invocations_per_function_md.anon.d";
const DURATIONS: &str = "function_durations_percentiles.anon.d";
const MEMORY: &str = "app_memory_percentiles.anon.d";
const PATTERNS: &str = "`invocations_per_function_md.anon.dNN.csv`, `function_durations_percentiles.anon.dNN.csv` \
     or `app_memory_percentiles.anon.dNN.csv` (NN = day 01..99, `.gz` allowed)";

struct Roles {
    invocations: Vec<(u8, Source)>,
    durations: Vec<(u8, Source)>,
    memory: Vec<(u8, Source)>,
}

pub fn read(sources: Vec<Source>, opts: &ImportOptions) -> Result<Imported> {
    if opts.step_seconds == 0 {
        return Err(TraceError::Invalid("step length must be at least 1 second".into()));
    }
    let roles = split_roles(sources)?;
    let policy = opts.on_bad_row;
    let mut report = ReadReport {
        files: roles.invocations.len() + roles.durations.len() + roles.memory.len(),
        ..ReadReport::default()
    };
    let mut trace = Trace::default();
    let rows_before = report.rows;
    for (day, source) in roles.durations {
        read_durations(day, source, policy, &mut report, &mut trace)?;
    }
    let (duration_rows, rows_before) = (report.rows - rows_before, report.rows);
    for (_, source) in roles.memory {
        read_memory(source, policy, &mut report, &mut trace)?;
    }
    let memory_rows = report.rows - rows_before;
    let repeated = "repeating a function-day already read (the first row is used)";
    report.drop_rows(
        format!("duration rows {repeated}"),
        trace.duplicate_durations,
        duration_rows,
    );
    let repeated = "repeating an app already read in that day's file (the first row is used)";
    report.drop_rows(format!("memory rows {repeated}"), trace.duplicate_memory, memory_rows);
    let medians = day_medians(&trace.day_durations)?;
    for (day, source) in roles.invocations {
        trace.days.push(day);
        read_invocations(day, source, opts, &medians, &mut report, &mut trace)?;
    }
    build(trace, opts, report)
}

fn split_roles(sources: Vec<Source>) -> Result<Roles> {
    let mut roles = Roles {
        invocations: Vec::new(),
        durations: Vec::new(),
        memory: Vec::new(),
    };
    for s in sources {
        let base = s.base_name();
        let (list, day) = if let Some(day) = day_of(base, INVOCATIONS) {
            (&mut roles.invocations, day)
        } else if let Some(day) = day_of(base, DURATIONS) {
            (&mut roles.durations, day)
        } else if let Some(day) = day_of(base, MEMORY) {
            (&mut roles.memory, day)
        } else {
            let reason = format!("not a file of the azure-functions-2019 trace: expected {PATTERNS}");
            return Err(TraceError::file(s.name(), reason));
        };
        if list.iter().any(|(d, _)| *d == day) {
            return Err(TraceError::file(
                s.name(),
                format!("a second file for day {day:02} of the same kind"),
            ));
        }
        list.push((day, s));
    }
    for (list, what) in [
        (&roles.invocations, INVOCATIONS),
        (&roles.durations, DURATIONS),
        (&roles.memory, MEMORY),
    ] {
        if list.is_empty() {
            return Err(TraceError::Invalid(format!(
                "azure-functions-2019: no `{what}NN.csv` file among the inputs; expected {PATTERNS}"
            )));
        }
    }
    roles.invocations.sort_by_key(|(d, _)| *d);
    Ok(roles)
}

/// The day `NN` of a base name `<prefix>NN.csv[.gz]`.
fn day_of(base: &str, prefix: &str) -> Option<u8> {
    let rest = base.strip_prefix(prefix)?;
    let rest = rest.strip_suffix(".gz").unwrap_or(rest);
    let digits = rest.strip_suffix(".csv")?;
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u8>().ok().filter(|&d| d >= 1)
}

fn build(trace: Trace, opts: &ImportOptions, report: ReadReport) -> Result<Imported> {
    let (gib_per_app, apps_filled) = app_memory_gib(&trace)?;
    let mut functions: Vec<(FnKey, Function)> = trace
        .functions
        .into_iter()
        .filter(|(_, f)| !f.periods.is_empty())
        .collect();
    functions.sort_by(|a, b| a.0.cmp(&b.0));
    let function_count = functions.len();
    let mut vms = Vec::new();
    for ((app, _), f) in functions {
        let gib = gib_per_app.get(&app).copied().unwrap_or(0.0);
        f.periods.into_vms(opts.step_seconds, gib, &mut vms);
    }
    let step = ProvenanceStep::new("import")
        .with("format", "azure-functions-2019")
        .with("step_seconds", opts.step_seconds)
        .with("days", trace.days.clone())
        .with("model", "one microVM per function per busy period: busy minutes joined across idle gaps shorter than the keep-alive; arrival at the first busy minute, departure at the end of the last busy minute plus the keep-alive")
        .with("keep_alive_seconds", KEEP_ALIVE_SECONDS)
        .with("usage_cpu", "invocations in the step × the function's Average execution time of that day / step seconds (concurrent executions, one core each); a minute counts in the step holding its start")
        .with("usage_memory", "the app's AverageAllocatedMb (mean over the days listed, MB read as MiB) / the number of its functions with invocations, constant")
        .with("request", "peak CPU rounded up to whole cores (at least 1); memory as used")
        .with("priority", "on-demand for every microVM: the trace records none")
        .with("functions", function_count)
        .with("vms", vms.len())
        .with("function_days_filled_with_median_duration", trace.filled_durations)
        .with("apps_filled_with_median_memory", apps_filled)
        .with("duplicate_duration_rows_ignored", trace.duplicate_durations)
        .with("duplicate_memory_rows_ignored", trace.duplicate_memory)
        .with("duplicates", "a second duration row of a function-day, or memory row of an app in one file, is ignored: the first row is used")
        .with("bad_rows_skipped", report.skipped_rows);
    let workload = Workload::new(opts.step_seconds, vms, Provenance { steps: vec![step] })?;
    Ok(Imported { workload, report })
}
