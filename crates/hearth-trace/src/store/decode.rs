//! Decoding a record batch into VMs: each column conformed to the store's
//! type, nulls and out-of-range values named by row.

use super::schema::{COL_ARRIVAL, COL_CPU_REQUEST, COL_CPU_USAGE, COL_DEPARTURE, COL_ID};
use super::schema::{COL_MEMORY_REQUEST, COL_MEMORY_USAGE, COL_PRIORITY, COL_TENANT, COL_VM_TYPE};
use crate::external::{conform, Kind};
use crate::units::{Cores, Gib, Resources, Step, TenantId, VmId, VmTypeId};
use crate::workload::{Priority, Usage, Vm};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, UInt32Type};
use arrow_array::{Array, ArrayRef, GenericListArray, OffsetSizeTrait, RecordBatch};
use std::collections::HashMap;

/// The store's columns, each with what it holds.
const KINDS: [(&str, Kind); 10] = [
    (COL_ID, Kind::WholeNumber),
    (COL_ARRIVAL, Kind::WholeNumber),
    (COL_DEPARTURE, Kind::WholeNumber),
    (COL_CPU_REQUEST, Kind::Number),
    (COL_MEMORY_REQUEST, Kind::Number),
    (COL_PRIORITY, Kind::Text),
    (COL_TENANT, Kind::WholeNumber),
    (COL_VM_TYPE, Kind::WholeNumber),
    (COL_CPU_USAGE, Kind::NumberList),
    (COL_MEMORY_USAGE, Kind::NumberList),
];

pub(super) fn kind_of(col: &str) -> Kind {
    KINDS.iter().find(|(c, _)| *c == col).map_or(Kind::Number, |(_, k)| *k)
}

/// A column of a batch in the store's type (see [`conform`]).
fn column(batch: &RecordBatch, col: &str, base: usize) -> std::result::Result<ArrayRef, String> {
    let array = batch
        .column_by_name(col)
        .ok_or_else(|| format!("not a hearth workload: column `{col}` is missing"))?;
    conform(array, col, kind_of(col), base)
}

/// The row index (in the file) of the first null of `array`, if any.
fn first_null(array: &dyn Array, base: usize) -> Option<usize> {
    if array.null_count() == 0 {
        return None;
    }
    (0..array.len()).find(|&i| array.is_null(i)).map(|i| base + i)
}

fn no_nulls(array: &dyn Array, col: &str, base: usize) -> std::result::Result<(), String> {
    match first_null(array, base) {
        Some(row) => Err(format!("row {row}: column `{col}` is null")),
        None => Ok(()),
    }
}

/// A usage list column as (offsets, values), whichever offset width it has.
fn usage_lists<'a>(
    array: &'a ArrayRef,
    col: &str,
    base: usize,
) -> std::result::Result<(Vec<usize>, &'a [f32]), String> {
    fn split<'a, O: OffsetSizeTrait>(
        list: &'a GenericListArray<O>,
        col: &str,
        base: usize,
    ) -> std::result::Result<(Vec<usize>, &'a [f32]), String> {
        no_nulls(list, col, base)?;
        let values = list
            .values()
            .as_primitive_opt::<Float32Type>()
            .ok_or_else(|| format!("column `{col}` does not hold Float32 values"))?;
        let offsets: Vec<usize> = list.value_offsets().iter().map(|o| o.as_usize()).collect();
        if values.null_count() > 0 {
            for row in 0..list.len() {
                if (offsets[row]..offsets[row + 1]).any(|j| values.is_null(j)) {
                    return Err(format!("row {}: column `{col}` holds a null element", base + row));
                }
            }
        }
        // Slice to the part of the values the offsets cover.
        let (lo, hi) = (offsets[0], offsets[list.len()]);
        let vals = values
            .values()
            .get(lo..hi)
            .ok_or_else(|| format!("column `{col}`: list offsets run past the values"))?;
        let offsets: Vec<usize> = offsets.iter().map(|o| o - lo).collect();
        // A float64 beyond Float32's range narrows to infinity: name its row.
        if let Some(j) = vals.iter().position(|x| x.is_infinite()) {
            let row = offsets.partition_point(|&o| o <= j).saturating_sub(1);
            return Err(format!(
                "row {}: column `{col}` holds a value that is infinite or does not fit Float32",
                base + row
            ));
        }
        Ok((offsets, vals))
    }
    if let Some(l) = array.as_list_opt::<i32>() {
        split(l, col, base)
    } else if let Some(l) = array.as_list_opt::<i64>() {
        split(l, col, base)
    } else {
        Err(format!(
            "column `{col}` has type {}, expected List<Float32>",
            array.data_type()
        ))
    }
}

pub(super) fn decode_batch(batch: &RecordBatch, base: usize, out: &mut Vec<Vm>) -> std::result::Result<(), String> {
    let columns: HashMap<&str, ArrayRef> = KINDS
        .iter()
        .filter(|(col, _)| batch.column_by_name(col).is_some())
        .map(|(col, _)| Ok((*col, column(batch, col, base)?)))
        .collect::<std::result::Result<_, String>>()?;
    let get = |col: &str| {
        columns
            .get(col)
            .ok_or_else(|| format!("not a hearth workload: column `{col}` is missing"))
    };
    let u32_col = |col: &str| -> std::result::Result<_, String> {
        let a = get(col)?;
        no_nulls(a.as_ref(), col, base)?;
        a.as_primitive_opt::<UInt32Type>()
            .ok_or_else(|| format!("column `{col}` has type {}, expected UInt32", a.data_type()))
    };
    let f32_col = |col: &str| -> std::result::Result<_, String> {
        let a = get(col)?;
        no_nulls(a.as_ref(), col, base)?;
        a.as_primitive_opt::<Float32Type>()
            .ok_or_else(|| format!("column `{col}` has type {}, expected Float32", a.data_type()))
    };
    let id = u32_col(COL_ID)?;
    let arrival = u32_col(COL_ARRIVAL)?;
    let departure = u32_col(COL_DEPARTURE)?;
    let cpu_req = f32_col(COL_CPU_REQUEST)?;
    let mem_req = f32_col(COL_MEMORY_REQUEST)?;
    let prio_array = get(COL_PRIORITY)?;
    no_nulls(prio_array.as_ref(), COL_PRIORITY, base)?;
    let priorities: Vec<Priority> = match prio_array.as_string_opt::<i32>() {
        Some(s) => parse_priorities(s.iter(), base)?,
        None => {
            return Err(format!(
                "column `{COL_PRIORITY}` has type {}, expected Utf8",
                prio_array.data_type()
            ))
        }
    };
    let optional_u32 = |col: &str| -> std::result::Result<Option<_>, String> {
        match columns.get(col) {
            None => Ok(None),
            Some(a) => a
                .as_primitive_opt::<UInt32Type>()
                .map(Some)
                .ok_or_else(|| format!("column `{col}` has type {}, expected UInt32", a.data_type())),
        }
    };
    let tenant = optional_u32(COL_TENANT)?;
    let vm_type = optional_u32(COL_VM_TYPE)?;
    let (cpu_off, cpu_vals) = usage_lists(get(COL_CPU_USAGE)?, COL_CPU_USAGE, base)?;
    let (mem_off, mem_vals) = usage_lists(get(COL_MEMORY_USAGE)?, COL_MEMORY_USAGE, base)?;

    out.reserve(batch.num_rows());
    for i in 0..batch.num_rows() {
        out.push(Vm {
            tenant: tenant.and_then(|a| a.is_valid(i).then(|| TenantId(a.value(i)))),
            vm_type: vm_type.and_then(|a| a.is_valid(i).then(|| VmTypeId(a.value(i)))),
            id: VmId(id.value(i)),
            arrival: Step(arrival.value(i)),
            departure: Step(departure.value(i)),
            request: Resources {
                cpu: Cores(cpu_req.value(i)),
                memory: Gib(mem_req.value(i)),
            },
            priority: priorities[i],
            usage: Usage {
                cpu: cpu_vals[cpu_off[i]..cpu_off[i + 1]].to_vec(),
                memory: mem_vals[mem_off[i]..mem_off[i + 1]].to_vec(),
            },
        });
    }
    Ok(())
}

fn parse_priorities<'a>(
    values: impl Iterator<Item = Option<&'a str>>,
    base: usize,
) -> std::result::Result<Vec<Priority>, String> {
    values
        .enumerate()
        .map(|(i, raw)| {
            let raw = raw.ok_or_else(|| format!("row {}: column `{COL_PRIORITY}` is null", base + i))?;
            Priority::parse(raw).ok_or_else(|| {
                format!(
                    "row {}: column `{COL_PRIORITY}`: {raw:?} is neither \"on-demand\" nor \"spot\"",
                    base + i
                )
            })
        })
        .collect()
}
