//! PlanetLab VM CPU utilisation, as shipped with the CloudSim simulator
//! (Cloudslab/cloudsim, `modules/cloudsim-examples/src/main/resources/workload/planetlab`),
//! March–April 2011.
//!
//! # The format as published
//!
//! One folder per day (`20110303/`, ...), one file per VM in it, named after
//! the PlanetLab node and slice (names may contain spaces). Each file holds
//! one integer per line: the VM's CPU utilisation in percent of its capacity,
//! sampled every 300 s; 288 lines make the day. Nothing else is recorded: no
//! VM size, no memory, no arrival or departure.
//!
//! # How it maps to the workload
//!
//! - Every file is one VM, also when several day folders are read: each
//!   VM-day is its own VM, arriving at step 0 and departing after its last
//!   line (`departure` = number of lines). Steps are the trace's 300 s.
//! - The request is [`ImportOptions::unsized_vm`], since PlanetLab records no
//!   size; CPU usage is `percent / 100 × request cores`.
//! - Memory usage is 0 at every step: PlanetLab records no memory, and
//!   inventing some would pass a guess off as data.
//! - Priority is on-demand (the trace has no notion of priority).
//! - A line that is not a whole percentage in `0..=100` is a bad row (field
//!   `cpu_percent`). PlanetLab writes whole numbers only: a value with a
//!   fraction, such as `0.35`, is most likely a 0–1 share written where a
//!   percentage belongs, and is refused rather than read as 0.35 %. Under [`OnBadRow::Skip`] its step keeps the previous
//!   good value (the first good value for leading bad lines) so that the day
//!   stays aligned in time; the number of steps filled so is recorded. Blank
//!   lines at the end of a file are ignored; blank lines before a value are
//!   bad rows. An empty file is an error.

use super::rows::read_failure;
use super::{ImportOptions, Imported};
use crate::error::{Result, TraceError};
use crate::source::{parse_field, OnBadRow, ReadReport, Source};
use crate::units::{Step, VmId};
use crate::workload::{Priority, Provenance, ProvenanceStep, Usage, Vm, Workload};
use std::io::BufRead;

/// The trace's sampling period.
const STEP_SECONDS: u32 = 300;
const FIELD: &str = "cpu_percent";

pub fn read(sources: Vec<Source>, opts: &ImportOptions) -> Result<Imported> {
    let cores = opts.unsized_vm.cpu.0;
    let mut report = ReadReport::default();
    let mut vms = Vec::with_capacity(sources.len());
    let (mut filled, mut dropped) = (0u64, 0u64);
    for source in sources {
        report.files += 1;
        let Some(day) = read_day(source, opts.on_bad_row, &mut report)? else {
            dropped += 1;
            continue;
        };
        filled += day.filled;
        vms.push(vm_of(day.percent, cores, opts));
    }
    let step = ProvenanceStep::new("import")
        .with("format", "planetlab")
        .with("step_seconds", STEP_SECONDS)
        .with("vms", vms.len())
        .with(
            "request",
            format!(
                "{} cores, {} GiB for every VM: PlanetLab records no VM size, so every VM gets the size given for unsized VMs",
                cores, opts.unsized_vm.memory.0
            ),
        )
        .with("cpu_usage", "percent of capacity / 100 × request cores")
        .with("memory_usage", "0 at every step: PlanetLab records no memory")
        .with(
            "lifetime",
            "each file is one VM-day, arriving at step 0 and living one step per line",
        )
        .with("priority", "on-demand for every VM: PlanetLab records no priority")
        .with("steps_filled_for_bad_lines", filled)
        .with("vms_dropped_without_valid_lines", dropped);
    let workload = Workload::new(STEP_SECONDS, vms, Provenance { steps: vec![step] })?;
    Ok(Imported { workload, report })
}

fn vm_of(percent: Vec<f32>, cores: f32, opts: &ImportOptions) -> Vm {
    let cpu: Vec<f32> = percent.iter().map(|p| p / 100.0 * cores).collect();
    let memory = vec![0.0; cpu.len()];
    Vm {
        tenant: None,
        vm_type: None,
        id: VmId(0),
        arrival: Step(0),
        // `read_day` bounds the number of lines to fit a step index.
        departure: Step(cpu.len() as u32),
        request: opts.unsized_vm,
        priority: Priority::OnDemand,
        usage: Usage { cpu, memory },
    }
}

/// One file's percentages, and how many of them were filled in for bad lines.
struct Day {
    percent: Vec<f32>,
    filled: u64,
}

/// Reads one VM-day; `None` when every line was bad and skipped.
fn read_day(source: Source, policy: OnBadRow, report: &mut ReadReport) -> Result<Option<Day>> {
    let name = source.name().to_string();
    let mut reader = source.into_reader();
    let mut values: Vec<Option<f32>> = Vec::with_capacity(288);
    let mut blank_lines: Vec<u64> = Vec::new();
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| read_failure(&name, line + 1, e))?;
        if n == 0 {
            break;
        }
        line += 1;
        let text = std::str::from_utf8(&buf).map(str::trim);
        if text.is_ok_and(str::is_empty) {
            blank_lines.push(line);
            continue;
        }
        for blank in blank_lines.drain(..) {
            report.rows += 1;
            let err = TraceError::field(
                &name,
                blank,
                FIELD,
                "empty line; expected a CPU utilisation percentage 0..=100",
            );
            report.bad_row(policy, err)?;
            values.push(None);
        }
        report.rows += 1;
        match text
            .map_err(|_| not_text(&name, line))
            .and_then(|t| parse_percent(t, &name, line))
        {
            Ok(p) => values.push(Some(p)),
            Err(err) => {
                report.bad_row(policy, err)?;
                values.push(None);
            }
        }
    }
    finish_day(&name, values)
}

fn finish_day(name: &str, values: Vec<Option<f32>>) -> Result<Option<Day>> {
    if values.is_empty() {
        return Err(TraceError::file(
            name,
            "no CPU samples: expected one utilisation percentage per line",
        ));
    }
    if u32::try_from(values.len()).is_err() {
        return Err(TraceError::file(name, "more lines than a step index can count"));
    }
    let Some(first) = values.iter().flatten().next().copied() else {
        return Ok(None);
    };
    let mut held = first;
    let mut filled = 0u64;
    let percent = values
        .into_iter()
        .map(|v| {
            filled += u64::from(v.is_none());
            held = v.unwrap_or(held);
            held
        })
        .collect();
    Ok(Some(Day { percent, filled }))
}

fn parse_percent(text: &str, file: &str, line: u64) -> Result<f32> {
    let p: f64 = parse_field(text, file, line, FIELD)?;
    if !(0.0..=100.0).contains(&p) {
        return Err(TraceError::field(
            file,
            line,
            FIELD,
            format!("{p} is not a CPU utilisation percentage in 0..=100"),
        ));
    }
    if p.fract() != 0.0 {
        let reason =
            format!("{p} is not a whole percentage: PlanetLab writes whole numbers 0..=100 (is it a 0-1 share?)");
        return Err(TraceError::field(file, line, FIELD, reason));
    }
    Ok(p as f32)
}

fn not_text(file: &str, line: u64) -> TraceError {
    TraceError::field(
        file,
        line,
        FIELD,
        "not UTF-8 text; expected a CPU utilisation percentage 0..=100",
    )
}
