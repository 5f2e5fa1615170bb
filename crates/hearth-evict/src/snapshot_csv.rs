//! Snapshot files as CSV, for hand-made files: a header row naming the
//! columns in any order, `#` comments, trimmed fields.

use crate::error::{EvictError, Result};
use crate::snapshot::raw;
use crate::snapshot_rows::{Assembler, Place};
use crate::snapshot_set::{all_columns, rows_of, SnapshotSet, COL_CLUSTER, COL_HOUR, COL_NODE, MEASURES};
use std::fs::File;
use std::path::Path;

pub(crate) fn read_csv(path: &Path, name: &str) -> Result<SnapshotSet> {
    let file = File::open(path).map_err(|e| EvictError::snapshot(name, "file", format!("cannot open: {e}")))?;
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(file);
    let header = reader
        .headers()
        .map_err(|e| EvictError::snapshot(name, "header", e.to_string()))?
        .clone();
    let column = |col: &str| {
        header.iter().position(|h| h == col).ok_or_else(|| {
            EvictError::snapshot(
                name,
                "header",
                format!("missing column `{col}` (needed: {})", all_columns().join(", ")),
            )
        })
    };
    let (ci, ni, hi) = (column(COL_CLUSTER)?, column(COL_NODE)?, column(COL_HOUR)?);
    let mi: Vec<usize> = MEASURES.iter().map(|(m, _)| column(m)).collect::<Result<_>>()?;
    let mut asm = Assembler::new(name);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let place = e
                    .position()
                    .map_or("file".to_string(), |p| Place::Line(p.line()).to_string());
                return Err(EvictError::snapshot(name, place, e.to_string()));
            }
        }
        let place = Place::Line(record.position().map_or(0, |p| p.line()));
        let hour = &record[hi];
        let hour_s: i64 = hour
            .parse()
            .map_err(|_| asm.field_err(place, COL_HOUR, format!("{hour:?} is not a whole number of seconds")))?;
        let mut values = [0.0f64; raw::WIDTH];
        for (k, &i) in mi.iter().enumerate() {
            let v = &record[i];
            values[k] = v
                .parse()
                .map_err(|_| asm.field_err(place, MEASURES[k].0, format!("{v:?} is not a number")))?;
        }
        let (cluster, node) = (record[ci].to_string(), record[ni].to_string());
        asm.push(place, &cluster, &node, hour_s, values)?;
    }
    asm.finish()
}

pub(crate) fn csv_bytes(set: &SnapshotSet, name: &str) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| EvictError::snapshot(name, "file", format!("writing CSV: {e}"));
    w.write_record(all_columns()).map_err(err)?;
    for (c, h, n) in rows_of(set) {
        let v = set.clusters[c].node(n, h);
        let mut rec = vec![
            set.cluster_names[c].clone(),
            set.node_names[c][n].clone(),
            set.hour_start_s(h).to_string(),
        ];
        rec.extend(v.iter().map(|x| x.to_string()));
        w.write_record(&rec).map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| EvictError::snapshot(name, "file", format!("writing CSV: {e}")))
}
