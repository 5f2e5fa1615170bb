//! The instance events table: each instance's events, kept until all are
//! read (export shards are unordered).

use super::fields::{column, parse_key, parse_micros, parse_optional, Key, AFTER_END};
use crate::error::{Result, TraceError};
use crate::formats::rows::each_record;
use crate::source::{csv_error, get, parse_field, OnBadRow, ReadReport, Source};
use std::collections::HashMap;

/// One instance event, as much as the workload needs of it.
pub(super) struct Ev {
    pub(super) time: u64,
    pub(super) kind: u8,
    pub(super) priority: i64,
    pub(super) cpus: Option<f32>,
    pub(super) memory: Option<f32>,
}

#[derive(Default)]
pub(super) struct Inst {
    pub(super) events: Vec<Ev>,
    pub(super) alloc: bool,
}

struct EventCols {
    time: usize,
    kind: usize,
    collection: usize,
    index: usize,
    priority: usize,
    cpus: usize,
    memory: usize,
    collection_type: Option<usize>,
}

fn event_cols(headers: &csv::StringRecord, file: &str) -> Result<EventCols> {
    Ok(EventCols {
        time: column(headers, "time", file)?,
        kind: column(headers, "type", file)?,
        collection: column(headers, "collection_id", file)?,
        index: column(headers, "instance_index", file)?,
        priority: column(headers, "priority", file)?,
        cpus: column(headers, "resource_request.cpus", file)?,
        memory: column(headers, "resource_request.memory", file)?,
        collection_type: column(headers, "collection_type", file).ok(),
    })
}

pub(super) fn read_events(
    source: Source,
    policy: OnBadRow,
    report: &mut ReadReport,
    insts: &mut HashMap<Key, Inst>,
    last_time: &mut u64,
) -> Result<()> {
    let (name, mut reader) = source.csv(b',', true);
    let headers = reader.headers().map_err(|e| csv_error(&name, e))?.clone();
    let cols = event_cols(&headers, &name)?;
    each_record(&name, &mut reader, policy, report, |record, line| {
        let (key, ev, alloc) = parse_event(record, &cols, &name, line)?;
        if ev.time != AFTER_END {
            *last_time = (*last_time).max(ev.time);
        }
        let inst = insts.entry(key).or_default();
        inst.alloc |= alloc;
        inst.events.push(ev);
        Ok(())
    })
}

fn parse_event(record: &csv::StringRecord, c: &EventCols, file: &str, line: u64) -> Result<(Key, Ev, bool)> {
    let time = parse_micros(get(record, c.time, file, line, "time")?, file, line, "time", true)?;
    let kind: u8 = parse_field(get(record, c.kind, file, line, "type")?, file, line, "type")?;
    if kind > 10 {
        let reason = format!("{kind} is not an event type: expected 0 (SUBMIT) to 10 (UPDATE_RUNNING)");
        return Err(TraceError::field(file, line, "type", reason));
    }
    let key = parse_key(record, c.collection, c.index, file, line)?;
    let priority = parse_field(get(record, c.priority, file, line, "priority")?, file, line, "priority")?;
    let cpus = parse_optional(record, c.cpus, file, line, "resource_request.cpus")?;
    let memory = parse_optional(record, c.memory, file, line, "resource_request.memory")?;
    let alloc = match c.collection_type {
        None => false,
        Some(i) => match get(record, i, file, line, "collection_type")? {
            "" | "0" => false,
            "1" => true,
            other => {
                let reason = format!("{other:?} is not a collection type: expected 0 (job) or 1 (alloc set)");
                return Err(TraceError::field(file, line, "collection_type", reason));
            }
        },
    };
    let ev = Ev {
        time,
        kind,
        priority,
        cpus,
        memory,
    };
    Ok((key, ev, alloc))
}
