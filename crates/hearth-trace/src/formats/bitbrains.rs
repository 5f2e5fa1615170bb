//! Bitbrains GWA-T-12 (TU Delft Grid Workloads Archive): business-critical
//! VMs of a managed hosting provider, 2013 ("fastStorage" and "Rnd" sets).
//!
//! # The format as published
//!
//! One file per VM (`<n>.csv`, often gzipped), fields separated by `;`
//! followed by a TAB, with a header line naming the columns:
//!
//! | column | meaning |
//! | --- | --- |
//! | `Timestamp [ms]` | sample time, in Unix **seconds** despite the name |
//! | `CPU cores` | virtual cores provisioned |
//! | `CPU capacity provisioned [MHZ]` | cores × clock |
//! | `CPU usage [MHZ]` | CPU used, averaged over the sample period |
//! | `CPU usage [%]` | the same as a percentage (not read) |
//! | `Memory capacity provisioned [KB]` | memory provisioned |
//! | `Memory usage [KB]` | memory actively used |
//! | disk and network throughput | not read |
//!
//! One row every 300 s; the Rnd set covers about a month (≈ 8,260 rows).
//! Columns are found by header name (case-insensitive), not position.
//!
//! # How it maps to the workload
//!
//! - One VM per file; on-demand (the trace records no priority).
//! - Step = the trace's sampling period, 300 s. Rows are consecutive steps;
//!   timestamps must not decrease. Rows that repeat the previous row's
//!   timestamp (real months have runs of two or three while a VM is switched
//!   off, with 0 cores) describe the same period and are merged into one
//!   sample: each value is the largest of the merged rows', so no load the
//!   period saw is lost and the order of the rows does not matter (the
//!   merged rows are counted). A gap longer than 1.5 steps means missing
//!   samples: the missing `round(gap / 300) − 1` steps repeat the previous
//!   row so that time stays aligned (the count is recorded). A gap over 7
//!   days is taken for a corrupt timestamp (a row error). Under
//!   [`OnBadRow::Skip`] a skipped row becomes such a gap and is filled alike.
//! - Arrival = `round((first timestamp − earliest first timestamp of all
//!   files) / 300)`; departure = arrival + number of steps.
//! - CPU used (cores) = `CPU usage [MHZ]` / `CPU capacity provisioned [MHZ]`
//!   × `CPU cores`; memory used (GiB) = `Memory usage [KB]` / 1024² (KB read
//!   as KiB). A row with 0 MHz provisioned but some use is a field error; one
//!   that uses nothing counts as 0. CPU use above the capacity provisioned
//!   is kept as measured up to [`MAX_OVER_PROVISIONED`] times it (real
//!   months reach 126 %: VMs burst); more is a field error. Memory use is
//!   kept as measured whatever was provisioned: real months hold rows using
//!   up to 512 times the memory provisioned in that row, and rows using
//!   memory with none provisioned (provisioning is misreported, not use).
//! - Request = the largest `CPU cores` and `Memory capacity provisioned [KB]`
//!   / 1024² seen over the VM's rows: provisioning drifts slightly in some
//!   VMs, and the request must cover every step. VMs whose request changed
//!   are counted.
//! - VMs never provisioned (0 cores and 0 memory in every row, a dozen of
//!   the Rnd set) are dropped and counted: they carry no usage to learn from.

use super::rows::{find_columns, read_failure};
use super::{ImportOptions, Imported};
use crate::error::{Result, TraceError};
use crate::source::{csv_error, get, line_of, parse_amount, OnBadRow, ReadReport, Source};
use crate::units::{Resources, Step, VmId};
use crate::workload::{Priority, Provenance, ProvenanceStep, Usage, Vm, Workload};
use csv::StringRecord;

/// The trace's sampling period.
const STEP_SECONDS: u32 = 300;
const STEP: f64 = STEP_SECONDS as f64;
/// Longest gap between rows filled in; longer ones are corrupt timestamps.
const MAX_GAP_SECONDS: f64 = 7.0 * 86_400.0;
const KIB_PER_GIB: f64 = 1024.0 * 1024.0;
/// Largest CPU use read as measured, as a multiple of the capacity provisioned.
pub const MAX_OVER_PROVISIONED: f64 = 2.0;

const TIMESTAMP: &str = "Timestamp [ms]";
const CORES: &str = "CPU cores";
const CPU_CAPACITY: &str = "CPU capacity provisioned [MHZ]";
const CPU_USAGE: &str = "CPU usage [MHZ]";
const MEMORY_CAPACITY: &str = "Memory capacity provisioned [KB]";
const MEMORY_USAGE: &str = "Memory usage [KB]";
const COLUMNS: [&str; 6] = [TIMESTAMP, CORES, CPU_CAPACITY, CPU_USAGE, MEMORY_CAPACITY, MEMORY_USAGE];

pub fn read(sources: Vec<Source>, opts: &ImportOptions) -> Result<Imported> {
    let mut report = ReadReport::default();
    let mut series = Vec::with_capacity(sources.len());
    let mut counts = Counts::default();
    for source in sources {
        report.files += 1;
        match read_file(source, opts.on_bad_row, &mut report)? {
            None => counts.no_rows += 1,
            Some(s) if s.request == Resources::default() => {
                counts.unprovisioned += 1;
                counts.unprovisioned_rows += s.rows;
            }
            Some(s) => {
                counts.filled += s.filled;
                counts.merged += s.merged;
                counts.resized += u64::from(s.resized);
                series.push(s);
            }
        }
    }
    let epoch = series.iter().map(|s| s.first_timestamp).fold(f64::INFINITY, f64::min);
    let vms = series
        .into_iter()
        .map(|s| vm_of(s, epoch))
        .collect::<Result<Vec<_>>>()?;
    let step = provenance(&counts, vms.len(), epoch);
    let workload = Workload::new(STEP_SECONDS, vms, Provenance { steps: vec![step] })?;
    Ok(Imported { workload, report })
}

#[derive(Default)]
struct Counts {
    filled: u64,
    merged: u64,
    resized: u64,
    unprovisioned: u64,
    unprovisioned_rows: u64,
    no_rows: u64,
}

fn provenance(counts: &Counts, vms: usize, epoch: f64) -> ProvenanceStep {
    ProvenanceStep::new("import")
        .with("format", "bitbrains")
        .with("step_seconds", STEP_SECONDS)
        .with("vms", vms)
        .with(
            "timestamps",
            "Unix seconds (the column is named [ms] but holds seconds)",
        )
        .with("epoch_unix_seconds", if epoch.is_finite() { epoch } else { 0.0 })
        .with(
            "arrival",
            "round((first timestamp - earliest first timestamp of all files) / 300 s)",
        )
        .with(
            "cpu_usage",
            "CPU usage [MHZ] / CPU capacity provisioned [MHZ] x CPU cores",
        )
        .with("memory_usage", "Memory usage [KB] / 1024^2 (KB read as KiB) = GiB")
        .with(
            "request",
            "largest CPU cores and Memory capacity provisioned [KB] / 1024^2 over the VM's rows",
        )
        .with("vms_with_changing_request", counts.resized)
        .with("priority", "on-demand for every VM: Bitbrains records no priority")
        .with("steps_filled", counts.filled)
        .with(
            "gap_filling",
            "a gap over 1.5 steps repeats the previous row for round(gap/300)-1 steps",
        )
        .with("rows_merged_same_timestamp", counts.merged)
        .with(
            "same_timestamp",
            "rows repeating the previous row's timestamp are merged into one sample: each value the largest of the merged rows'",
        )
        .with("vms_dropped_unprovisioned", counts.unprovisioned)
        .with("vms_dropped_without_valid_rows", counts.no_rows)
}

/// One file's usage series before it is placed in time.
struct Series {
    name: String,
    first_timestamp: f64,
    request: Resources,
    resized: bool,
    filled: u64,
    merged: u64,
    /// Rows read into the series.
    rows: u64,
    usage: Usage,
}

fn vm_of(s: Series, epoch: f64) -> Result<Vm> {
    let offset = ((s.first_timestamp - epoch) / STEP).round();
    let steps = s.usage.cpu.len();
    let departure = u32::try_from(steps).ok().and_then(|n| {
        let arrival = (offset < f64::from(u32::MAX)).then_some(offset as u32)?;
        Some((arrival, arrival.checked_add(n)?))
    });
    let Some((arrival, departure)) = departure else {
        let reason = format!(
            "starts {offset} steps after the earliest file and lives {steps} steps: too far apart to count in steps"
        );
        return Err(TraceError::file(&s.name, reason));
    };
    Ok(Vm {
        tenant: None,
        vm_type: None,
        id: VmId(0),
        arrival: Step(arrival),
        departure: Step(departure),
        request: s.request,
        priority: Priority::OnDemand,
        usage: s.usage,
    })
}

fn read_file(source: Source, policy: OnBadRow, report: &mut ReadReport) -> Result<Option<Series>> {
    let (name, mut reader) = source.csv(b';', true);
    let columns = find_columns(&mut reader, &name, COLUMNS, b';', "a Bitbrains GWA-T-12 VM file")?;
    let mut record = StringRecord::new();
    let mut series: Option<Builder> = None;
    let rows_before = report.rows;
    while let Some(row) = next_record(&mut reader, &mut record, &name)? {
        report.rows += 1;
        let line = line_of(&record);
        let pushed =
            row.and_then(|()| parse_row(&record, &columns, &name, line))
                .and_then(|sample| match &mut series {
                    Some(b) => b.push(sample, &name, line),
                    None => {
                        series = Some(Builder::new(sample));
                        Ok(())
                    }
                });
        if let Err(err) = pushed {
            report.bad_row(policy, err)?;
        }
    }
    if report.rows == rows_before {
        return Err(TraceError::file(
            &name,
            "no data rows after the header: expected one row per 300 s sample",
        ));
    }
    Ok(series.map(|b| b.finish(name)))
}

/// One row's values, converted to cores and GiB.
struct Sample {
    timestamp: f64,
    request: Resources,
    used: Resources,
}

fn parse_row(record: &StringRecord, columns: &[usize; 6], name: &str, line: u64) -> Result<Sample> {
    let field = |i: usize| parse_amount(get(record, columns[i], name, line, COLUMNS[i])?, name, line, COLUMNS[i]);
    let timestamp = field(0)?;
    let (cores, capacity, used) = (field(1)?, field(2)?, field(3)?);
    let (memory, memory_used) = (field(4)?, field(5)?);
    let cpu_used = if capacity > 0.0 {
        if used > capacity * MAX_OVER_PROVISIONED {
            let reason = format!(
                "{used} MHz used is over {MAX_OVER_PROVISIONED} times the {capacity} MHz provisioned; expected use in MHz, at most a burst over capacity"
            );
            return Err(TraceError::field(name, line, CPU_USAGE, reason));
        }
        used / capacity * cores
    } else if used == 0.0 {
        0.0
    } else {
        let reason = format!("0 MHz provisioned but {used} MHz used: cannot express the use in cores");
        return Err(TraceError::field(name, line, CPU_CAPACITY, reason));
    };
    let f32_of = |x: f64, i: usize| {
        let y = x as f32;
        y.is_finite()
            .then_some(y)
            .ok_or_else(|| TraceError::field(name, line, COLUMNS[i], format!("{x} is too large")))
    };
    Ok(Sample {
        timestamp,
        request: Resources::new(f32_of(cores, 1)?, f32_of(memory / KIB_PER_GIB, 4)?),
        used: Resources::new(f32_of(cpu_used, 3)?, f32_of(memory_used / KIB_PER_GIB, 5)?),
    })
}

/// A VM's series as its rows come in.
struct Builder {
    first_timestamp: f64,
    last_timestamp: f64,
    first_request: Resources,
    request: Resources,
    filled: u64,
    merged: u64,
    rows: u64,
    usage: Usage,
}

impl Builder {
    fn new(s: Sample) -> Builder {
        Builder {
            first_timestamp: s.timestamp,
            last_timestamp: s.timestamp,
            first_request: s.request,
            request: s.request,
            filled: 0,
            merged: 0,
            rows: 1,
            usage: Usage {
                cpu: vec![s.used.cpu.0],
                memory: vec![s.used.memory.0],
            },
        }
    }

    fn push(&mut self, s: Sample, name: &str, line: u64) -> Result<()> {
        let gap = s.timestamp - self.last_timestamp;
        let bad_time = |why: &str| {
            let reason = format!("{} is {why} the previous row's {}", s.timestamp, self.last_timestamp);
            Err(TraceError::field(name, line, TIMESTAMP, reason))
        };
        if gap < 0.0 {
            return bad_time("before (rows must be in time order):");
        }
        self.rows += 1;
        self.request.cpu.0 = self.request.cpu.0.max(s.request.cpu.0);
        self.request.memory.0 = self.request.memory.0.max(s.request.memory.0);
        if gap == 0.0 {
            self.merged += 1;
            let keep_max = |series: &mut Vec<f32>, x: f32| {
                if let Some(last) = series.last_mut() {
                    *last = last.max(x);
                }
            };
            keep_max(&mut self.usage.cpu, s.used.cpu.0);
            keep_max(&mut self.usage.memory, s.used.memory.0);
            return Ok(());
        }
        if gap > MAX_GAP_SECONDS {
            return bad_time("taken as corrupt: a gap of over 7 days after");
        }
        // At most 2016 (7 days of 300 s steps) by the check above.
        let missing = ((gap / STEP).round() as usize).saturating_sub(1);
        self.filled += missing as u64;
        let (cpu, memory) = (self.usage.cpu.last().copied(), self.usage.memory.last().copied());
        self.usage.cpu.extend(std::iter::repeat_n(cpu.unwrap_or(0.0), missing));
        self.usage
            .memory
            .extend(std::iter::repeat_n(memory.unwrap_or(0.0), missing));
        self.usage.cpu.push(s.used.cpu.0);
        self.usage.memory.push(s.used.memory.0);
        self.last_timestamp = s.timestamp;
        Ok(())
    }

    fn finish(self, name: String) -> Series {
        Series {
            name,
            first_timestamp: self.first_timestamp,
            resized: self.request != self.first_request,
            request: self.request,
            filled: self.filled,
            merged: self.merged,
            rows: self.rows,
            usage: self.usage,
        }
    }
}

/// Reads the next record: `None` at the end, `Some(Err)` for a malformed row
/// (a bad row), and `Err` when the file cannot be read further (fatal).
pub(super) fn next_record<R: std::io::Read>(
    reader: &mut csv::Reader<R>,
    record: &mut StringRecord,
    name: &str,
) -> Result<Option<Result<()>>> {
    match reader.read_record(record) {
        Ok(true) => Ok(Some(Ok(()))),
        Ok(false) => Ok(None),
        Err(err) if err.is_io_error() => Err(read_failure(name, reader.position().line(), err.into())),
        Err(err) => Ok(Some(Err(csv_error(name, err)))),
    }
}
