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

use super::rows::{each_record, parse_id};
use super::{end_step_of, step_of, ImportOptions, Imported};
use crate::error::{Result, TraceError};
use crate::source::{get, parse_amount, parse_field, OnBadRow, ReadReport, Source};
use crate::units::{Resources, Step, VmId};
use crate::workload::{Priority, Provenance, ProvenanceStep, Usage, Vm, Workload};
use std::collections::{BTreeMap, HashMap};

/// How long an idle warm sandbox is kept, in seconds.
pub(crate) const KEEP_ALIVE_SECONDS: u64 = 600;
const MICROS: u64 = 1_000_000;
const MINUTES_PER_DAY: u64 = 1440;
/// Bounds on the execution time (ms, a day) and the app memory (MB, 1 PiB).
const MAX_AVERAGE_MS: f64 = 86_400_000.0;
const MAX_MB: f64 = 1e9;
const INVOCATIONS: &str = "invocations_per_function_md.anon.d";
const DURATIONS: &str = "function_durations_percentiles.anon.d";
const MEMORY: &str = "app_memory_percentiles.anon.d";
const PATTERNS: &str = "`invocations_per_function_md.anon.dNN.csv`, `function_durations_percentiles.anon.dNN.csv` \
     or `app_memory_percentiles.anon.dNN.csv` (NN = day 01..99, `.gz` allowed)";

// ---------------------------------------------------------------- busy periods

/// One busy period of a function: its end (keep-alive included) and the CPU
/// seconds executed in each step.
#[derive(Default)]
struct Period {
    end_us: u64,
    cpu_seconds: BTreeMap<u32, f64>,
}

/// The busy periods of one function, keyed by start (µs from the trace
/// start). Intervals may arrive in any order: one that overlaps or bridges
/// periods merges them.
#[derive(Default)]
pub(crate) struct BusyPeriods {
    periods: BTreeMap<u64, Period>,
}

impl BusyPeriods {
    /// Adds activity over `[start_us, end_us)` (keep-alive included) with the
    /// CPU seconds it executed per step.
    pub(crate) fn add(&mut self, start_us: u64, end_us: u64, cpu: impl IntoIterator<Item = (u32, f64)>) {
        let (mut start, mut end) = (start_us, end_us.max(start_us.saturating_add(1)));
        let mut merged = Period::default();
        while let Some((key, key_end)) = self.periods.range(..end).next_back().map(|(&k, p)| (k, p.end_us)) {
            if key_end <= start {
                break;
            }
            let Some(p) = self.periods.remove(&key) else {
                break;
            };
            start = start.min(key);
            end = end.max(key_end);
            merged = join(merged, p);
        }
        merged.end_us = end;
        for (step, seconds) in cpu {
            *merged.cpu_seconds.entry(step).or_default() += seconds;
        }
        self.periods.insert(start, merged);
    }

    /// One microVM per period, with `memory_gib` used throughout.
    pub(crate) fn into_vms(self, step_seconds: u32, memory_gib: f32, vms: &mut Vec<Vm>) {
        for (start, period) in self.periods {
            vms.push(microvm(start, period, step_seconds, memory_gib, vms.len()));
        }
    }
}

fn join(a: Period, b: Period) -> Period {
    let (mut big, small) = if a.cpu_seconds.len() >= b.cpu_seconds.len() {
        (a, b)
    } else {
        (b, a)
    };
    for (step, seconds) in small.cpu_seconds {
        *big.cpu_seconds.entry(step).or_default() += seconds;
    }
    big
}

fn microvm(start_us: u64, period: Period, step_seconds: u32, memory_gib: f32, index: usize) -> Vm {
    let arrival = step_of(start_us as f64 / MICROS as f64, step_seconds);
    let departure = end_step_of(period.end_us as f64 / MICROS as f64, step_seconds).max(arrival.saturating_add(1));
    let mut cpu = vec![0.0f32; departure.saturating_sub(arrival) as usize];
    for (&step, &seconds) in period.cpu_seconds.range(arrival..departure) {
        if let Some(x) = cpu.get_mut((step - arrival) as usize) {
            *x = (seconds / step_seconds as f64) as f32;
        }
    }
    let peak = cpu.iter().copied().fold(0.0f32, f32::max);
    let memory = vec![memory_gib; cpu.len()];
    Vm {
        tenant: None,
        vm_type: None,
        id: VmId(u32::try_from(index).unwrap_or(u32::MAX)),
        arrival: Step(arrival),
        departure: Step(departure),
        request: Resources::new(peak.ceil().max(1.0), memory_gib),
        priority: Priority::OnDemand,
        usage: Usage { cpu, memory },
    }
}

/// The median of some values (the mean of the middle two of an even count), if any.
pub(crate) fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    // The two middle values coincide when the count is odd.
    let lower = *values.get(n.checked_sub(1)? / 2)?;
    let upper = *values.get(n / 2)?;
    Some(lower / 2.0 + upper / 2.0)
}

// ---------------------------------------------------------------- reading

type FnKey = (String, String);

#[derive(Default)]
struct Function {
    /// The day's mean execution time in seconds, by day.
    durations: BTreeMap<u8, f64>,
    /// Bit `d` set: the day's invocation row was read.
    days_listed: u128,
    periods: BusyPeriods,
}

#[derive(Default)]
struct Trace {
    functions: HashMap<FnKey, Function>,
    /// Per app: sum of the days' AverageAllocatedMb, and the number of days.
    app_memory: HashMap<String, (f64, u32)>,
    day_durations: BTreeMap<u8, Vec<f64>>,
    duplicate_durations: u64,
    duplicate_memory: u64,
    filled_durations: u64,
    days: Vec<u8>,
}

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

/// The column of each named field in a header, or an error naming the first missing one.
pub(crate) fn columns<const N: usize>(
    header: &csv::StringRecord,
    names: [&str; N],
    file: &str,
    expected: &str,
) -> Result<[usize; N]> {
    let mut out = [0; N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = header.iter().position(|h| h == name).ok_or_else(|| {
            TraceError::field(
                file,
                1,
                name,
                format!("no such column in the header; expected a header like {expected}"),
            )
        })?;
    }
    Ok(out)
}

pub(crate) fn header_of(
    name: &str,
    reader: &mut csv::Reader<Box<dyn std::io::BufRead + Send>>,
) -> Result<csv::StringRecord> {
    reader.headers().cloned().map_err(|e| {
        let reason = format!("cannot read the header (truncated or corrupt file?): {e}");
        TraceError::row(name, 1, reason)
    })
}

fn read_durations(day: u8, source: Source, policy: OnBadRow, report: &mut ReadReport, trace: &mut Trace) -> Result<()> {
    let (name, mut reader) = source.csv(b',', true);
    let header = header_of(&name, &mut reader)?;
    let expected = "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,...";
    let [app, func, avg] = columns(&header, ["HashApp", "HashFunction", "Average"], &name, expected)?;
    each_record(&name, &mut reader, policy, report, |r, line| {
        let key = (
            parse_id(r, app, &name, line, "HashApp")?,
            parse_id(r, func, &name, line, "HashFunction")?,
        );
        let seconds = parse_bounded(
            get(r, avg, &name, line, "Average")?,
            MAX_AVERAGE_MS,
            &name,
            line,
            "Average",
        )? / 1000.0;
        let f = trace
            .functions
            .entry((key.0.to_string(), key.1.to_string()))
            .or_default();
        // The first row of a function-day wins, as provenance says.
        if f.durations.contains_key(&day) {
            trace.duplicate_durations += 1;
            return Ok(());
        }
        f.durations.insert(day, seconds);
        trace.day_durations.entry(day).or_default().push(seconds);
        Ok(())
    })
}

fn read_memory(source: Source, policy: OnBadRow, report: &mut ReadReport, trace: &mut Trace) -> Result<()> {
    let (name, mut reader) = source.csv(b',', true);
    let header = header_of(&name, &mut reader)?;
    let expected = "HashOwner,HashApp,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,...";
    let [app, mb] = columns(&header, ["HashApp", "AverageAllocatedMb"], &name, expected)?;
    let mut seen = std::collections::HashSet::new();
    each_record(&name, &mut reader, policy, report, |r, line| {
        let app = parse_id(r, app, &name, line, "HashApp")?;
        let mb = parse_bounded(
            get(r, mb, &name, line, "AverageAllocatedMb")?,
            MAX_MB,
            &name,
            line,
            "AverageAllocatedMb",
        )?;
        if !seen.insert(app.to_string()) {
            trace.duplicate_memory += 1;
            return Ok(());
        }
        let entry = trace.app_memory.entry(app.to_string()).or_default();
        entry.0 += mb;
        entry.1 += 1;
        Ok(())
    })
}

/// A non-negative number up to `max`: larger values are corrupt, and would
/// overflow the usage series.
fn parse_bounded(raw: &str, max: f64, file: &str, line: u64, field: &str) -> Result<f64> {
    let x = parse_amount(raw, file, line, field)?;
    if x > max {
        return Err(TraceError::field(
            file,
            line,
            field,
            format!("{x} is implausibly large; expected at most {max}"),
        ));
    }
    Ok(x)
}

struct Medians {
    by_day: BTreeMap<u8, f64>,
    all: f64,
}

fn day_medians(day_durations: &BTreeMap<u8, Vec<f64>>) -> Result<Medians> {
    let by_day: BTreeMap<u8, f64> = day_durations
        .iter()
        .filter_map(|(&d, v)| Some((d, median(v.clone())?)))
        .collect();
    let all = median(day_durations.values().flatten().copied().collect()).ok_or_else(|| {
        TraceError::Invalid("azure-functions-2019: no usable duration rows to take execution times from".into())
    })?;
    Ok(Medians { by_day, all })
}

fn read_invocations(
    day: u8,
    source: Source,
    opts: &ImportOptions,
    medians: &Medians,
    report: &mut ReadReport,
    trace: &mut Trace,
) -> Result<()> {
    let (name, mut reader) = source.csv(b',', true);
    check_invocations_header(&header_of(&name, &mut reader)?, &name)?;
    let day_offset = (day as u64 - 1) * MINUTES_PER_DAY;
    let day_median = medians.by_day.get(&day).copied().unwrap_or(medians.all);
    let mut counts = Vec::with_capacity(MINUTES_PER_DAY as usize);
    each_record(&name, &mut reader, opts.on_bad_row, report, |r, line| {
        let key = (
            parse_id(r, 1, &name, line, "HashApp")?,
            parse_id(r, 2, &name, line, "HashFunction")?,
        );
        parse_counts(r, &name, line, &mut counts)?;
        let f = trace
            .functions
            .entry((key.0.to_string(), key.1.to_string()))
            .or_default();
        if f.days_listed & (1u128 << day) != 0 {
            let reason = format!("function listed twice for day {day:02}");
            return Err(TraceError::field(&name, line, "HashFunction", reason));
        }
        f.days_listed |= 1u128 << day;
        let seconds = f.durations.get(&day).copied().unwrap_or_else(|| {
            trace.filled_durations += 1;
            day_median
        });
        add_minutes(&mut f.periods, day_offset, &counts, seconds, opts.step_seconds);
        Ok(())
    })
}

fn check_invocations_header(header: &csv::StringRecord, file: &str) -> Result<()> {
    let fixed = ["HashOwner", "HashApp", "HashFunction", "Trigger"];
    for (i, want) in fixed.iter().enumerate() {
        if header.get(i) != Some(want) {
            let reason = format!(
                "column {} of the header is {:?}; expected `{want}`",
                i + 1,
                header.get(i).unwrap_or("")
            );
            return Err(TraceError::field(file, 1, want, reason));
        }
    }
    let minutes_ok = header.len() == fixed.len() + MINUTES_PER_DAY as usize
        && header
            .iter()
            .skip(fixed.len())
            .enumerate()
            .all(|(i, h)| h.parse::<usize>().ok() == Some(i + 1));
    if !minutes_ok {
        let reason = format!(
            "the header has {} columns; expected HashOwner,HashApp,HashFunction,Trigger,1,...,1440",
            header.len()
        );
        return Err(TraceError::row(file, 1, reason));
    }
    Ok(())
}

/// Reads the 1440 minute counts of a row into `counts` (all of them, so that
/// a bad row changes nothing).
fn parse_counts(r: &csv::StringRecord, file: &str, line: u64, counts: &mut Vec<u32>) -> Result<()> {
    counts.clear();
    for minute in 1..=MINUTES_PER_DAY as usize {
        if let Some(n) = r.get(3 + minute).and_then(|raw| raw.parse::<u32>().ok()) {
            counts.push(n);
            continue;
        }
        // Naming the field costs an allocation: only on the way to an error.
        let field = minute.to_string();
        let raw = get(r, 3 + minute, file, line, &field)?;
        counts.push(parse_field::<u32>(raw, file, line, &field)?);
    }
    if r.len() > 4 + MINUTES_PER_DAY as usize {
        let reason = format!(
            "row has {} fields; expected 1444 (HashOwner,HashApp,HashFunction,Trigger,1..1440)",
            r.len()
        );
        return Err(TraceError::row(file, line, reason));
    }
    Ok(())
}

/// Adds each busy minute as activity lasting the minute plus the keep-alive.
fn add_minutes(periods: &mut BusyPeriods, day_offset: u64, counts: &[u32], seconds: f64, step_seconds: u32) {
    for (i, &n) in counts.iter().enumerate().filter(|(_, &n)| n > 0) {
        let minute = day_offset + i as u64;
        let start = minute * 60;
        let step = step_of(start as f64, step_seconds);
        let end_us = (start + 60 + KEEP_ALIVE_SECONDS) * MICROS;
        periods.add(start * MICROS, end_us, [(step, n as f64 * seconds)]);
    }
}

fn build(trace: Trace, opts: &ImportOptions, report: ReadReport) -> Result<Imported> {
    let (gib_per_app, apps_filled) = app_memory_gib(&trace)?;
    let mut functions: Vec<(FnKey, Function)> = trace
        .functions
        .into_iter()
        .filter(|(_, f)| !f.periods.periods.is_empty())
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

/// Memory used by each microVM of an app (GiB), and how many apps took the median.
fn app_memory_gib(trace: &Trace) -> Result<(HashMap<String, f32>, usize)> {
    let mut per_app: HashMap<&str, u32> = HashMap::new();
    for ((app, _), _) in trace.functions.iter().filter(|(_, f)| !f.periods.periods.is_empty()) {
        *per_app.entry(app.as_str()).or_default() += 1;
    }
    let mb: HashMap<&str, f64> = trace
        .app_memory
        .iter()
        .map(|(a, &(sum, days))| (a.as_str(), sum / days.max(1) as f64))
        .collect();
    let median_mb = median(mb.values().copied().collect());
    let mut filled = 0;
    let mut out = HashMap::new();
    for (app, n) in per_app {
        let app_mb = match (mb.get(app), median_mb) {
            (Some(&x), _) => x,
            (None, Some(m)) => {
                filled += 1;
                m
            }
            (None, None) => {
                let reason = "azure-functions-2019: no usable memory rows to take application memory from";
                return Err(TraceError::Invalid(reason.into()));
            }
        };
        out.insert(app.to_string(), (app_mb / 1024.0 / n.max(1) as f64) as f32);
    }
    Ok((out, filled))
}
