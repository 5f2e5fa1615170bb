//! The original SQLite form of the Azure packing trace 2020, as Microsoft
//! publishes it (`packing_trace_zone_a_v1.sqlite` in
//! `AzurePackingTraceV1.zip`).
//!
//! - Table `vm(vmId, tenantId, vmTypeId, priority, starttime, endtime)`:
//!   priority 0 = high, 1 = low (evictable); times in fractional days;
//!   `endtime` NULL = still alive after the trace's 90-day cap.
//! - Table `vmType(id, vmTypeId, machineId, core, memory, hdd, ssd, nic)`:
//!   the fraction of machine type `machineId` that one VM of type `vmTypeId`
//!   takes.
//!
//! # Sizes
//!
//! The file holds no machine capacities. The capacities used are CoSpot's
//! reconstruction ([`MACHINE_TYPES`], the `server_*` entries of its
//! `server_vm_cores_ram.json`, in core and RAM units). A VM type's size is
//! `core` × cores and `memory` × RAM of its `vmType` row on the first of
//! those machine types, in id order, that has a row for it. In the published
//! table every such row gives the same size (checked against CoSpot's
//! `vm_cores`/`vm_ram`: 549 rows, none differ), so the choice of machine does
//! not change a VM's size. Sizes are rounded to 1/1000 of a unit (the
//! fractions are printed to 15 digits).
//!
//! A VM type whose `vmType` rows all name machine types of unpublished
//! capacity (in the published file, 15 of 488 types) cannot be sized. Its
//! VMs are left out, as CoSpot's "relevant VM" selection does, and never
//! fail the file: the import report counts them as dropped rows and warns,
//! naming the types and machines, and provenance keeps the count
//! (`sqlite_vms_of_unsized_types`). A VM whose type has no `vmType` row at
//! all is a bad row (field `vmTypeId`), subject to `--on-bad-row`.
//!
//! # Errors
//!
//! Errors name the file with the table in brackets and the row's `rowid` as
//! the line: `trace.sqlite[vm]:17: field \`priority\`: ...`.

use super::{Request, Trace};
use crate::error::{Result, TraceError};
use crate::formats::ImportOptions;
use crate::source::ReadReport;
use crate::workload::Priority;
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};
use std::collections::HashMap;
use std::io::{BufRead, Read};
use std::path::Path;

/// CoSpot's machine types: (machineId, core units, RAM units). 100 core
/// units = 1 core, 4 RAM units = 1 GiB.
pub const MACHINE_TYPES: [(i64, f64, f64); 6] = [
    (1, 9600.0, 2250.0),
    (2, 2400.0, 768.0),
    (4, 16.0, 125.0),
    (10, 6400.0, 3072.0),
    (12, 4000.0, 2048.0),
    (16, 10400.0, 2250.0),
];
const VM_COLUMNS: [&str; 6] = ["vmId", "tenantId", "vmTypeId", "priority", "starttime", "endtime"];
const TYPE_COLUMNS: [&str; 4] = ["vmTypeId", "machineId", "core", "memory"];

/// Reads one SQLite file (`input` is its whole, decompressed stream).
pub(super) fn read(
    name: &str,
    input: Box<dyn BufRead + Send>,
    opts: &ImportOptions,
    report: &mut ReadReport,
    trace: &mut Trace,
) -> Result<()> {
    let conn = open(name, input)?;
    let types = type_sizes(&conn, name, opts, report)?;
    let table = format!("{name}[vm]");
    let rows_before = report.rows;
    let mut unsized_vms: HashMap<i64, u64> = HashMap::new();
    each_row(&conn, &table, "vm", &VM_COLUMNS, |rowid, values| {
        report.rows += 1;
        if let Some(t) = types.unsized_type(&values[2]) {
            *unsized_vms.entry(t).or_default() += 1;
            return Ok(());
        }
        let result = vm_request(values, &types.sizes, &table, rowid).and_then(|r| trace.add(r, &table, rowid));
        match result {
            Ok(()) => Ok(()),
            Err(e) => report.bad_row(opts.on_bad_row, e),
        }
    })?;
    let read = report.rows - rows_before;
    if read == 0 {
        return Err(TraceError::file(&table, "the table holds no VMs"));
    }
    let left_out: u64 = unsized_vms.values().sum();
    if left_out > 0 {
        report.drop_rows(
            "VM rows of VM types sized only on machine types of unpublished capacity",
            left_out,
            read,
        );
        report.warnings.push(types.unsized_warning(&table, &unsized_vms, read));
    }
    trace
        .extra
        .insert("sqlite_vms_of_unsized_types".into(), left_out.into());
    trace.extra.insert(
        "sqlite_sizes".into(),
        "vmType core/memory fraction × the capacity of the first CoSpot machine type (1, 2, 4, 10, 12, 16: server_vm_cores_ram.json) with a row for the type".into(),
    );
    trace
        .extra
        .insert("sqlite_vm_types_sized".into(), types.sizes.len().into());
    Ok(())
}

/// Opens a file in place when `name` is a plain SQLite file on disk;
/// otherwise (gzip, bytes in memory) loads the stream into memory.
fn open(name: &str, mut input: Box<dyn BufRead + Send>) -> Result<Connection> {
    let sqlite_err = |e: rusqlite::Error| TraceError::file(name, format!("cannot open as SQLite: {e}"));
    if is_plain_sqlite_file(Path::new(name)) {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        return Connection::open_with_flags(name, flags).map_err(sqlite_err);
    }
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes).map_err(|e| TraceError::io(name, e))?;
    let mut conn = Connection::open_in_memory().map_err(sqlite_err)?;
    let size = bytes.len();
    conn.deserialize_read_exact(rusqlite::MAIN_DB, &bytes[..], size, true)
        .map_err(sqlite_err)?;
    Ok(conn)
}

fn is_plain_sqlite_file(path: &Path) -> bool {
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == super::SQLITE_MAGIC)
}

/// Runs `SELECT rowid, <columns> FROM <table>` and calls `row` on each.
/// A missing table or column is an error naming what is expected.
fn each_row(
    conn: &Connection,
    label: &str,
    table: &str,
    columns: &[&str],
    mut row: impl FnMut(u64, &[Value]) -> Result<()>,
) -> Result<()> {
    let sql = format!("SELECT rowid, {} FROM {table}", columns.join(", "));
    let expected = || format!("expected table `{table}` with columns {}", columns.join(", "));
    let mut stmt = conn
        .prepare(&sql)
        .map_err(|e| TraceError::file(label, format!("{e}; {}", expected())))?;
    let mut rows = stmt
        .query([])
        .map_err(|e| TraceError::file(label, format!("{e}; {}", expected())))?;
    let mut values = vec![Value::Null; columns.len()];
    let mut last = 0;
    loop {
        let next = rows
            .next()
            .map_err(|e| TraceError::row(label, last, format!("cannot read the row after this one: {e}")))?;
        let Some(r) = next else { return Ok(()) };
        let rowid: i64 = r.get(0).map_err(|e| TraceError::row(label, last, e.to_string()))?;
        last = rowid.max(0) as u64;
        for (i, v) in values.iter_mut().enumerate() {
            *v = r.get(i + 1).map_err(|e| TraceError::row(label, last, e.to_string()))?;
        }
        row(last, &values)?;
    }
}

/// What the `vmType` table says of each VM type: its size in (core units,
/// RAM units) where a row names a machine type of published capacity, else
/// the machine types it names.
struct TypeSizes {
    sizes: HashMap<i64, (f64, f64)>,
    /// VM types with rows only on machine types of unpublished capacity,
    /// and those machine types.
    unpublished: HashMap<i64, Vec<i64>>,
}

impl TypeSizes {
    /// The VM type of a `vm` row's `vmTypeId`, when it cannot be sized.
    fn unsized_type(&self, v: &Value) -> Option<i64> {
        // Parsed as `vm_request` parses it; a bad value is its error to report.
        let t = integer(v, "", 0, "vmTypeId").ok()?;
        (!self.sizes.contains_key(&t) && self.unpublished.contains_key(&t)).then_some(t)
    }

    fn unsized_warning(&self, table: &str, vms: &HashMap<i64, u64>, read: u64) -> String {
        let mut types: Vec<_> = vms.iter().collect();
        types.sort();
        let listed: Vec<String> = types
            .iter()
            .map(|(t, n)| {
                let machines: Vec<String> = self.unpublished[t].iter().map(i64::to_string).collect();
                format!("type {t} ({n} VMs, machine types {})", machines.join(", "))
            })
            .collect();
        let total: u64 = vms.values().sum();
        format!(
            "{table}: {total} of {read} VMs left out: their VM types have vmType rows only on machine types whose capacity is not published, so they cannot be sized: {}",
            listed.join("; ")
        )
    }
}

/// Reads the `vmType` table: the first machine type of known capacity (in
/// [`MACHINE_TYPES`] order) sizes a VM type.
fn type_sizes(conn: &Connection, name: &str, opts: &ImportOptions, report: &mut ReadReport) -> Result<TypeSizes> {
    let table = format!("{name}[vmType]");
    let mut best: HashMap<i64, (usize, (f64, f64))> = HashMap::new();
    let mut unpublished: HashMap<i64, Vec<i64>> = HashMap::new();
    each_row(conn, &table, "vmType", &TYPE_COLUMNS, |rowid, v| {
        let result = (|| {
            let type_id = integer(&v[0], &table, rowid, "vmTypeId")?;
            let machine = integer(&v[1], &table, rowid, "machineId")?;
            let core = fraction(&v[2], &table, rowid, "core")?;
            let memory = fraction(&v[3], &table, rowid, "memory")?;
            let Some(order) = MACHINE_TYPES.iter().position(|m| m.0 == machine) else {
                let machines = unpublished.entry(type_id).or_default();
                if !machines.contains(&machine) {
                    machines.push(machine);
                }
                return Ok(());
            };
            let (_, cores, ram) = MACHINE_TYPES[order];
            let size = (round_units(core * cores), round_units(memory * ram));
            let entry = best.entry(type_id).or_insert((order, size));
            if order < entry.0 {
                *entry = (order, size);
            }
            Ok(())
        })();
        result.or_else(|e| report.bad_row(opts.on_bad_row, e))
    })?;
    let sizes: HashMap<i64, (f64, f64)> = best.into_iter().map(|(t, (_, size))| (t, size)).collect();
    unpublished.retain(|t, _| !sizes.contains_key(t));
    Ok(TypeSizes { sizes, unpublished })
}

fn round_units(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn vm_request(v: &[Value], sizes: &HashMap<i64, (f64, f64)>, table: &str, rowid: u64) -> Result<Request> {
    let type_id = integer(&v[2], table, rowid, "vmTypeId")?;
    let &(cores, ram) = sizes.get(&type_id).ok_or_else(|| {
        let reason = format!("VM type {type_id} has no row in the vmType table: it cannot be sized");
        TraceError::field(table, rowid, "vmTypeId", reason)
    })?;
    let priority = match integer(&v[3], table, rowid, "priority")? {
        0 => Priority::OnDemand,
        1 => Priority::Spot,
        p => {
            let reason = format!("{p} is not a priority: expected 0 (high, on-demand) or 1 (low, evictable: spot)");
            return Err(TraceError::field(table, rowid, "priority", reason));
        }
    };
    let end = match &v[5] {
        Value::Null => None,
        other => Some(real(other, table, rowid, "endtime")?).filter(|e| *e != f64::INFINITY),
    };
    Ok(Request {
        vm_id: identifier(&v[0], table, rowid, "vmId")?,
        tenant: identifier(&v[1], table, rowid, "tenantId")?,
        core_units: (cores, "vmTypeId"),
        ram_units: (ram, "vmTypeId"),
        priority,
        start_days: real(&v[4], table, rowid, "starttime")?,
        end_days: end,
    })
}

fn shown(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(x) => x.to_string(),
        Value::Text(t) => format!("{t:?}"),
        Value::Blob(b) => format!("a {}-byte blob", b.len()),
    }
}

fn integer(v: &Value, table: &str, rowid: u64, field: &str) -> Result<i64> {
    let x = match v {
        Value::Integer(i) => Some(*i),
        Value::Real(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Some(*x as i64),
        Value::Text(t) => t.trim().parse().ok(),
        _ => None,
    };
    x.ok_or_else(|| TraceError::field(table, rowid, field, format!("{} is not a whole number", shown(v))))
}

fn real(v: &Value, table: &str, rowid: u64, field: &str) -> Result<f64> {
    let x = match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Real(x) => Some(*x),
        Value::Text(t) => t.trim().parse::<f64>().ok(),
        _ => None,
    };
    x.ok_or_else(|| TraceError::field(table, rowid, field, format!("{} is not a number", shown(v))))
}

/// A share of a machine: in (0, 1].
fn fraction(v: &Value, table: &str, rowid: u64, field: &str) -> Result<f64> {
    let x = real(v, table, rowid, field)?;
    if !(x > 0.0 && x <= 1.0) {
        let reason = format!("{x} is not a share of a machine in (0, 1]");
        return Err(TraceError::field(table, rowid, field, reason));
    }
    Ok(x)
}

fn identifier(v: &Value, table: &str, rowid: u64, field: &str) -> Result<String> {
    match v {
        Value::Integer(i) => Ok(i.to_string()),
        Value::Text(t) if !t.trim().is_empty() => Ok(t.trim().to_string()),
        _ => Err(TraceError::field(
            table,
            rowid,
            field,
            format!("{} is not an identifier", shown(v)),
        )),
    }
}
