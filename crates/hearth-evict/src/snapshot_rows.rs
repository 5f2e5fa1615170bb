//! Rows of a snapshot file as they are read (CSV or Parquet alike): each
//! checked against the schema, then assembled into a [`SnapshotSet`] with the
//! rule for missing hours (see [`crate::snapshot_file`]).

use crate::error::{EvictError, Result};
use crate::snapshot::{raw, ClusterSnapshots};
use crate::snapshot_set::{
    SnapshotSet, COL_CLUSTER, COL_HOUR, COL_NODE, HOUR_S, MAX_NODE_HOURS, MEASURES, STATE_MEASURES,
};
use std::collections::HashMap;
use std::fmt;

/// Where a row is in its file.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Place {
    Line(u64),
    Group { group: usize, row: usize },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(l) => write!(f, "line {l}"),
            Place::Group { group, row } => write!(f, "row group {group}, row {row}"),
        }
    }
}

struct Row {
    cluster: u32,
    node: u32,
    hour_s: i64,
    values: [f32; raw::WIDTH],
    place: Place,
}

/// Checks rows as they are read and assembles them into a [`SnapshotSet`].
pub(crate) struct Assembler<'a> {
    pub(crate) file: &'a str,
    cluster_index: HashMap<String, u32>,
    cluster_names: Vec<String>,
    node_index: Vec<HashMap<String, u32>>,
    node_names: Vec<Vec<String>>,
    rows: Vec<Row>,
}

impl<'a> Assembler<'a> {
    pub(crate) fn new(file: &'a str) -> Self {
        Assembler {
            file,
            cluster_index: HashMap::new(),
            cluster_names: Vec::new(),
            node_index: Vec::new(),
            node_names: Vec::new(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn field_err(&self, place: Place, field: &str, reason: impl fmt::Display) -> EvictError {
        EvictError::snapshot(self.file, format!("{place}: field `{field}`"), reason.to_string())
    }

    pub(crate) fn push(
        &mut self,
        place: Place,
        cluster: &str,
        node: &str,
        hour_s: i64,
        values: [f64; raw::WIDTH],
    ) -> Result<()> {
        if cluster.is_empty() {
            return Err(self.field_err(place, COL_CLUSTER, "is empty"));
        }
        if node.is_empty() {
            return Err(self.field_err(place, COL_NODE, "is empty"));
        }
        if hour_s.rem_euclid(HOUR_S) != 0 {
            return Err(self.field_err(
                place,
                COL_HOUR,
                format!("{hour_s} is not an hour start (a multiple of 3600 s)"),
            ));
        }
        let mut out = [0.0f32; raw::WIDTH];
        for (k, (&v, &(field, count))) in values.iter().zip(&MEASURES).enumerate() {
            if !v.is_finite() || v < 0.0 || v > f32::MAX as f64 {
                return Err(self.field_err(place, field, format!("{v} is not a finite non-negative number")));
            }
            if count && v.fract() != 0.0 {
                return Err(self.field_err(place, field, format!("{v} is not a whole number")));
            }
            out[k] = v as f32;
        }
        if out[raw::EVICTIONS] > out[raw::SPOT_RAN] {
            return Err(self.field_err(
                place,
                MEASURES[raw::EVICTIONS].0,
                format!(
                    "{} evicted but only {} spot VMs ran (`spot_vm_ran_count` counts evicted VMs too)",
                    out[raw::EVICTIONS],
                    out[raw::SPOT_RAN]
                ),
            ));
        }
        let c = self.intern_cluster(cluster);
        let n = self.intern_node(c, node);
        self.rows.push(Row {
            cluster: c,
            node: n,
            hour_s,
            values: out,
            place,
        });
        Ok(())
    }

    fn intern_cluster(&mut self, name: &str) -> u32 {
        if let Some(&c) = self.cluster_index.get(name) {
            return c;
        }
        let c = self.cluster_names.len() as u32;
        self.cluster_index.insert(name.to_string(), c);
        self.cluster_names.push(name.to_string());
        self.node_index.push(HashMap::new());
        self.node_names.push(Vec::new());
        c
    }

    fn intern_node(&mut self, c: u32, name: &str) -> u32 {
        let c = c as usize;
        if let Some(&n) = self.node_index[c].get(name) {
            return n;
        }
        let n = self.node_names[c].len() as u32;
        self.node_index[c].insert(name.to_string(), n);
        self.node_names[c].push(name.to_string());
        n
    }

    pub(crate) fn finish(self) -> Result<SnapshotSet> {
        let (first, hours) = self.span()?;
        let (raws, present) = self.lay_out(first, hours)?;
        let clusters = raws
            .into_iter()
            .enumerate()
            .map(|(c, mut node_raw)| {
                let nodes = self.node_names[c].len();
                carry_over_gaps(&mut node_raw, nodes, hours, &present[c]);
                let mut s = ClusterSnapshots {
                    cluster: c,
                    nodes,
                    hours,
                    node_raw,
                    cluster_raw: vec![0.0; hours * raw::WIDTH],
                };
                s.resum();
                s
            })
            .collect();
        Ok(SnapshotSet {
            first_hour_s: first,
            hours,
            clusters,
            cluster_names: self.cluster_names,
            node_names: self.node_names,
            gaps: present
                .into_iter()
                .map(|p| p.into_iter().map(|x| !x).collect())
                .collect(),
        })
    }

    /// The file's first hour and how many hours it spans; errors when it has
    /// no rows, or more node-hours than [`MAX_NODE_HOURS`] (checked before
    /// anything that size is allocated).
    fn span(&self) -> Result<(i64, usize)> {
        let file_err = |reason: String| EvictError::snapshot(self.file, "file", reason);
        let (Some(first), Some(last)) = (
            self.rows.iter().map(|r| r.hour_s).min(),
            self.rows.iter().map(|r| r.hour_s).max(),
        ) else {
            return Err(file_err("no rows".into()));
        };
        let nodes: usize = self.node_names.iter().map(Vec::len).sum();
        let hours = usize::try_from((last as i128 - first as i128) / HOUR_S as i128 + 1).unwrap_or(usize::MAX);
        if hours.saturating_mul(nodes) > MAX_NODE_HOURS {
            return Err(file_err(format!(
                "{nodes} nodes over {hours} hours ({first} s to {last} s) exceed {MAX_NODE_HOURS} node-hours"
            )));
        }
        Ok((first, hours))
    }

    /// Each cluster's node-hour records (zero where a node has no row) and
    /// which of its hours have rows; a second row for a node-hour is an error
    /// naming both places.
    fn lay_out(&self, first: i64, hours: usize) -> Result<Laid> {
        let mut raws: Vec<Vec<f32>> = self
            .node_names
            .iter()
            .map(|n| vec![0.0; n.len() * hours * raw::WIDTH])
            .collect();
        let mut filled: Vec<Vec<u32>> = self.node_names.iter().map(|n| vec![0; n.len() * hours]).collect();
        let mut present = vec![vec![false; hours]; self.cluster_names.len()];
        for (i, r) in self.rows.iter().enumerate() {
            let (c, n, h) = (
                r.cluster as usize,
                r.node as usize,
                ((r.hour_s - first) / HOUR_S) as usize,
            );
            let slot = n * hours + h;
            if let Some(earlier) = filled[c][slot].checked_sub(1) {
                return Err(EvictError::snapshot(
                    self.file,
                    r.place.to_string(),
                    format!(
                        "duplicate row for cluster {:?}, node {:?}, hour {}: first at {}",
                        self.cluster_names[c], self.node_names[c][n], r.hour_s, self.rows[earlier as usize].place
                    ),
                ));
            }
            filled[c][slot] = i as u32 + 1;
            raws[c][slot * raw::WIDTH..(slot + 1) * raw::WIDTH].copy_from_slice(&r.values);
            present[c][h] = true;
        }
        Ok((raws, present))
    }
}

/// Per cluster, its nodes' records over the file's hours (node-major, as
/// [`ClusterSnapshots::node_raw`]), and whether each hour has rows.
type Laid = (Vec<Vec<f32>>, Vec<Vec<bool>>);

/// The gap rule: a cluster-hour without rows keeps each node's state of the
/// previous hour, with no events.
fn carry_over_gaps(node_raw: &mut [f32], nodes: usize, hours: usize, present: &[bool]) {
    let gaps = present.iter().enumerate().skip(1).filter(|(_, &p)| !p).map(|(h, _)| h);
    for h in gaps {
        for n in 0..nodes {
            let (prev, now) = ((n * hours + h - 1) * raw::WIDTH, (n * hours + h) * raw::WIDTH);
            node_raw.copy_within(prev..prev + STATE_MEASURES, now);
        }
    }
}
