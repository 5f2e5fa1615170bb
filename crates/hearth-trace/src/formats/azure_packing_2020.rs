//! Reader of the Azure packing trace 2020 (`AzureTracesForPacking2020.md` in
//! github.com/Azure/AzurePublicDataset): the VM requests of one Azure
//! availability zone over 14 days, published with Protean (Hadary et al.,
//! OSDI'20), and the 1% samples of it released by CoSpot (SoCC'22). Licence
//! CC-BY 4.0: cite both papers where the data is used.
//!
//! # The two forms, told apart by content
//!
//! - **SQLite** (the original; the file starts with `SQLite format 3\0`):
//!   table `vm(vmId, tenantId, vmTypeId, priority, starttime, endtime)` and
//!   table `vmType(id, vmTypeId, machineId, core, memory, hdd, ssd, nic)`,
//!   where `core`/`memory` are the fraction of machine type `machineId` that
//!   one VM of type `vmTypeId` takes. See [`sqlite`] for how sizes are made.
//! - **CoSpot CSV** (anything else; `.gz` is read transparently), header
//!   `vmId,tenantId,cores,ram,vmTypeId,starttime,endtime`, columns found by
//!   name. `cores`/`ram` are CoSpot's integer units. The column named
//!   `vmTypeId` holds only 0 and 1 and is read as Protean's `priority`, not as
//!   a VM type: in all six CoSpot samples it has exactly two values while
//!   there are ~80 flavours, 30+ flavours occur with both values (a type
//!   would fix the size), no tenant ever has both values (priority is a
//!   property of a subscription), and 11-13% of VMs have a 1, the share of
//!   low-priority VMs. Any value other than 0 or 1 is a field error.
//!
//! # How it maps to the workload
//!
//! - Times are fractional days from the trace start. The window is the
//!   trace's 14 days ([`WINDOW_DAYS`]): arrival = the step of `starttime`;
//!   a VM that started before the trace (negative `starttime`) arrives at
//!   step 0. Departure = the first step after `endtime`, at least one step
//!   after arrival. The trace's end times run past the window (to 90 days,
//!   then `inf` or NULL for VMs still alive): every VM still alive at the
//!   window's end leaves at it, so the workload spans exactly the window
//!   (beyond it no arrivals are recorded). All three kinds are counted in
//!   provenance. A `starttime` at or after the window's end, an `endtime` at
//!   or before 0 or before `starttime`, and NaN are field errors.
//! - Steps are [`ImportOptions::step_seconds`] long (300 s by default, as
//!   the other traces): step = days × 86400 / step length.
//! - Sizes: 100 core units = 1 core and 4 RAM units = 1 GiB. The common
//!   flavours are then exactly Azure's D-series: (100, 14) is 1 core
//!   3.5 GiB, (200, 28) 2 cores 7 GiB, (800, 112) 8 cores 28 GiB. Zero,
//!   negative or non-finite sizes are field errors.
//! - `priority` (CSV: the `vmTypeId` column) 1 = low priority, evictable →
//!   [`Priority::Spot`]; 0 → [`Priority::OnDemand`].
//! - `tenant`: a dense [`TenantId`] per `tenantId`, in order of first
//!   appearance in the rows. `vm_type`: a dense [`VmTypeId`] per distinct
//!   flavour (cores, GiB), in order of first appearance; the mapping is in
//!   provenance (`vm_types`). Both forms use flavours so that they agree.
//! - Usage: the trace records none, so each VM uses its request at every
//!   step (flat). The composer replaces usage from a usage trace anyway.
//! - Files read together are parts of one trace: `vmId` must be unique
//!   across them (a repeat is a field error naming the first row).
//!
//! CoSpot's machine types (`server_vm_cores_ram.json`) describe a fleet, not
//! a workload: [`read_server_types`] reads them; [`read`] refuses them.

pub mod server_types;
pub mod sqlite;

pub use server_types::{read_server_types, ServerType};

use super::rows::find_columns;
use super::rows::{check_step, each_record, parse_id};
use super::{end_step_of, step_of, ImportOptions, Imported};
use crate::error::{Result, TraceError};
use crate::source::{get, parse_field, ReadReport, Source};
use crate::units::{Resources, Step, TenantId, VmId, VmTypeId};
use crate::workload::{Priority, Provenance, ProvenanceStep, Usage, Vm, Workload};
use serde_json::json;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Cursor, Read};

/// Length of the trace's observation window in days.
pub const WINDOW_DAYS: f64 = 14.0;
/// CoSpot core units per core.
pub const CORE_UNITS_PER_CORE: f64 = 100.0;
/// CoSpot RAM units per GiB.
pub const RAM_UNITS_PER_GIB: f64 = 4.0;
const SECONDS_PER_DAY: f64 = 86_400.0;
pub(crate) const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
const CSV_COLUMNS: [&str; 7] = ["vmId", "tenantId", "cores", "ram", "vmTypeId", "starttime", "endtime"];
/// Most VM-steps one import may hold: every step costs 8 bytes of usage,
/// so this bounds memory to 2 GiB (the full zone needs a longer step).
const MAX_VM_STEPS: u64 = 1 << 28;

/// Reads CoSpot CSV files and original SQLite files (by content) as one trace.
pub fn read(sources: Vec<Source>, opts: &ImportOptions) -> Result<Imported> {
    check_step(opts)?;
    let mut report = ReadReport::default();
    let mut trace = Trace::new(opts.step_seconds);
    let mut forms = Vec::new();
    for source in sources {
        check_role(&source)?;
        report.files += 1;
        let (name, input, is_sqlite) = sniff(source)?;
        if is_sqlite {
            forms.push("sqlite");
            sqlite::read(&name, input, opts, &mut report, &mut trace)?;
        } else {
            forms.push("cospot-csv");
            read_csv(name, input, opts, &mut report, &mut trace)?;
        }
    }
    forms.sort_unstable();
    forms.dedup();
    let step = trace.provenance(&forms, &report);
    let workload = Workload::new(opts.step_seconds, trace.vms, Provenance { steps: vec![step] })?;
    Ok(Imported { workload, report })
}

fn check_role(source: &Source) -> Result<()> {
    let base = source.base_name();
    if base.ends_with(".json") || base.ends_with(".json.gz") {
        let reason = "machine types describe a fleet, not a workload: give them to the simulator with --nodes";
        return Err(TraceError::file(source.name(), reason));
    }
    Ok(())
}

/// Reads the first bytes of a source to tell SQLite from CSV; returns the
/// whole stream (those bytes put back) and whether it is SQLite.
fn sniff(source: Source) -> Result<(String, Box<dyn BufRead + Send>, bool)> {
    let name = source.name().to_string();
    let mut reader = source.into_reader();
    let mut head = Vec::with_capacity(SQLITE_MAGIC.len());
    (&mut reader)
        .take(SQLITE_MAGIC.len() as u64)
        .read_to_end(&mut head)
        .map_err(|e| TraceError::io(&name, e))?;
    let is_sqlite = head.as_slice() == SQLITE_MAGIC;
    let whole: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(1 << 16, Cursor::new(head).chain(reader)));
    Ok((name, whole, is_sqlite))
}

fn read_csv(
    name: String,
    input: Box<dyn BufRead + Send>,
    opts: &ImportOptions,
    report: &mut ReadReport,
    trace: &mut Trace,
) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let columns = find_columns(
        &mut reader,
        &name,
        CSV_COLUMNS,
        b',',
        "a CoSpot sample of the Azure packing trace",
    )?;
    let rows_before = report.rows;
    each_record(&name, &mut reader, opts.on_bad_row, report, |record, line| {
        let request = parse_csv_row(record, &columns, &name, line)?;
        trace.add(request, &name, line)
    })?;
    if report.rows == rows_before {
        return Err(TraceError::file(
            &name,
            "no VMs after the header: expected one row per VM",
        ));
    }
    Ok(())
}

fn parse_csv_row(record: &csv::StringRecord, columns: &[usize; 7], file: &str, line: u64) -> Result<Request> {
    let text = |i: usize| get(record, columns[i], file, line, CSV_COLUMNS[i]);
    let number = |i: usize| parse_field::<f64>(text(i)?, file, line, CSV_COLUMNS[i]);
    let priority = match text(4)? {
        "0" => Priority::OnDemand,
        "1" => Priority::Spot,
        other => {
            let reason = format!("{other:?} is not a priority: the CoSpot files hold 0 (high priority, on-demand) or 1 (low priority, spot) here");
            return Err(TraceError::field(file, line, "vmTypeId", reason));
        }
    };
    let end = match text(6)? {
        "" => None,
        _ => Some(number(6)?).filter(|e| *e != f64::INFINITY),
    };
    Ok(Request {
        vm_id: parse_id(record, columns[0], file, line, "vmId")?.to_string(),
        tenant: parse_id(record, columns[1], file, line, "tenantId")?.to_string(),
        core_units: (number(2)?, "cores"),
        ram_units: (number(3)?, "ram"),
        priority,
        start_days: number(5)?,
        end_days: end,
    })
}

/// One VM as the trace states it, in the trace's units; the field names
/// are the columns errors name.
pub(crate) struct Request {
    pub vm_id: String,
    pub tenant: String,
    pub core_units: (f64, &'static str),
    pub ram_units: (f64, &'static str),
    pub priority: Priority,
    pub start_days: f64,
    /// `None`: still running after the trace's 90-day cap (`inf` or NULL).
    pub end_days: Option<f64>,
}

/// A VM's place in time, in steps, and how it meets the window's edges.
struct Life {
    arrival: u32,
    departure: u32,
    started_before: bool,
    still_running: bool,
    ended_after: bool,
}

/// The VMs read so far, the identities given out and the edge counts.
pub(crate) struct Trace {
    step_seconds: u32,
    vms: Vec<Vm>,
    vm_steps: u64,
    /// Where each vmId was first read: (index into `files`, line).
    first_row: HashMap<String, (usize, u64)>,
    files: Vec<String>,
    tenants: HashMap<String, TenantId>,
    flavours: HashMap<(u32, u32), VmTypeId>,
    flavour_list: Vec<(Resources, u64)>,
    spot: u64,
    started_before: u64,
    still_running: u64,
    ended_after: u64,
    /// What a form adds to provenance (the SQLite sizing rule and counts).
    pub(crate) extra: serde_json::Map<String, serde_json::Value>,
}

impl Trace {
    fn new(step_seconds: u32) -> Self {
        Trace {
            step_seconds,
            vms: Vec::new(),
            vm_steps: 0,
            first_row: HashMap::new(),
            files: Vec::new(),
            tenants: HashMap::new(),
            flavours: HashMap::new(),
            flavour_list: Vec::new(),
            spot: 0,
            started_before: 0,
            still_running: 0,
            ended_after: 0,
            extra: serde_json::Map::new(),
        }
    }

    /// Checks one VM and adds it; on error nothing is changed.
    pub(crate) fn add(&mut self, r: Request, file: &str, line: u64) -> Result<()> {
        let request = Resources::new(
            size(r.core_units, CORE_UNITS_PER_CORE, file, line)?,
            size(r.ram_units, RAM_UNITS_PER_GIB, file, line)?,
        );
        let life = self.life(r.start_days, r.end_days, file, line)?;
        if let Some(&(first_file, first_line)) = self.first_row.get(&r.vm_id) {
            let first_file = &self.files[first_file];
            let reason = format!("VM {} listed twice (first at {first_file}:{first_line})", r.vm_id);
            return Err(TraceError::field(file, line, "vmId", reason));
        }
        let steps = u64::from(life.departure - life.arrival);
        if self.vm_steps + steps > MAX_VM_STEPS {
            let reason = format!("the VMs up to here live more than {MAX_VM_STEPS} steps in all (8 bytes of usage each): choose a longer step or a sample of the trace");
            return Err(TraceError::row(file, line, reason));
        }
        self.vm_steps += steps;
        if self.files.last().is_none_or(|f| f != file) {
            self.files.push(file.to_string());
        }
        self.first_row.insert(r.vm_id, (self.files.len() - 1, line));
        let next_tenant = TenantId(self.tenants.len() as u32);
        let tenant = *self.tenants.entry(r.tenant).or_insert(next_tenant);
        let vm_type = self.flavour(request);
        self.spot += u64::from(r.priority == Priority::Spot);
        self.started_before += u64::from(life.started_before);
        self.still_running += u64::from(life.still_running);
        self.ended_after += u64::from(life.ended_after);
        let n = steps as usize;
        self.vms.push(Vm {
            id: VmId(self.vms.len() as u32),
            arrival: Step(life.arrival),
            departure: Step(life.departure),
            request,
            priority: r.priority,
            tenant: Some(tenant),
            vm_type: Some(vm_type),
            usage: Usage {
                cpu: vec![request.cpu.0; n],
                memory: vec![request.memory.0; n],
            },
        });
        Ok(())
    }

    fn flavour(&mut self, request: Resources) -> VmTypeId {
        let key = (request.cpu.0.to_bits(), request.memory.0.to_bits());
        let next = VmTypeId(self.flavour_list.len() as u32);
        let id = *self.flavours.entry(key).or_insert(next);
        if id == next {
            self.flavour_list.push((request, 0));
        }
        self.flavour_list[id.0 as usize].1 += 1;
        id
    }

    fn life(&self, start: f64, end: Option<f64>, file: &str, line: u64) -> Result<Life> {
        if !start.is_finite() || start >= WINDOW_DAYS {
            let reason = format!("{start} is not a time in the trace's {WINDOW_DAYS}-day window (days from its start; negative = already running)");
            return Err(TraceError::field(file, line, "starttime", reason));
        }
        if let Some(end) = end {
            if end.is_nan() || end <= 0.0 || end < start {
                let reason = format!("{end} is not a time after starttime ({start}) and after the trace's start (days; `inf` = still running)");
                return Err(TraceError::field(file, line, "endtime", reason));
            }
        }
        let seconds = |days: f64| days * SECONDS_PER_DAY;
        let window_end = end_step_of(seconds(WINDOW_DAYS), self.step_seconds);
        let arrival = step_of(seconds(start.max(0.0)), self.step_seconds);
        let clipped = end.unwrap_or(WINDOW_DAYS).min(WINDOW_DAYS);
        let departure =
            end_step_of(seconds(clipped), self.step_seconds).clamp(arrival + 1, window_end.max(arrival + 1));
        Ok(Life {
            arrival,
            departure,
            started_before: start < 0.0,
            still_running: end.is_none(),
            ended_after: end.is_some_and(|e| e > WINDOW_DAYS),
        })
    }

    fn provenance(&self, forms: &[&str], report: &ReadReport) -> ProvenanceStep {
        let vm_types: Vec<serde_json::Value> = self
            .flavour_list
            .iter()
            .enumerate()
            .map(|(id, (r, vms))| json!({"vm_type": id, "cores": r.cpu.0, "memory_gib": r.memory.0, "vms": vms}))
            .collect();
        let mut step = ProvenanceStep::new("import")
            .with("format", "azure-packing-2020")
            .with("forms", json!(forms))
            .with("step_seconds", self.step_seconds)
            .with("vms", self.vms.len())
            .with("window_days", WINDOW_DAYS)
            .with("time", "starttime/endtime in days from the trace start; arrival = step of starttime (negative: step 0); departure = first step after endtime, at most the window's end, at least one step after arrival")
            .with("vms_started_before_window", self.started_before)
            .with("vms_still_running_at_end", self.still_running)
            .with("vms_ended_after_window", self.ended_after)
            .with("edges", "VMs started before the window arrive at step 0; VMs still running (`inf`/NULL) or ending after the window leave at the window's end")
            .with("request", "100 core units = 1 core, 4 RAM units = 1 GiB (CoSpot's units; (100,14) = 1 core 3.5 GiB)")
            .with("priority", "1 = low priority -> spot, 0 = high priority -> on-demand (CoSpot CSV: the column named vmTypeId)")
            .with("spot_vms", self.spot)
            .with("tenants", self.tenants.len())
            .with("tenant", "dense id per tenantId in order of first appearance")
            .with("vm_type", "dense id per flavour (cores, GiB) in order of first appearance")
            .with("vm_types", json!(vm_types))
            .with("usage", "the trace records no usage: each VM uses its request at every step (the composer replaces it)")
            .with("citation", "Hadary et al., Protean, OSDI'20; CoSpot, SoCC'22 (CC-BY 4.0)")
            .with("bad_rows_skipped", report.skipped_rows);
        for (k, v) in &self.extra {
            step = step.with(k, v.clone());
        }
        step
    }
}

/// A size in trace units as cores or GiB: positive and finite.
fn size((units, field): (f64, &str), per: f64, file: &str, line: u64) -> Result<f32> {
    let x = (units / per) as f32;
    if !(units > 0.0 && x.is_finite()) {
        let reason = format!("{units} is not a positive size in trace units");
        return Err(TraceError::field(file, line, field, reason));
    }
    Ok(x)
}
