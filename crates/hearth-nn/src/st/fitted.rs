//! A trained transformer: prediction per node, per cluster and in batches,
//! and saving and loading.

use super::config::StTransformer;
use super::net::{stack, Group, StNet};
use crate::data::{aggregate, check_weights, ClusterSeries};
use crate::error::NnError;
use crate::persist::{self, Saved};
use crate::scaler::Standardizer;
use crate::train::TrainReport;
use burn::module::Module;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

/// Shapes, scalers and report saved as JSON beside the weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct StMeta {
    pub(super) config: StTransformer,
    pub(super) steps: usize,
    pub(super) features: usize,
    pub(super) horizons: usize,
    pub(super) x_scaler: Standardizer,
    pub(super) y_scaler: Standardizer,
    pub(super) report: TrainReport,
}

/// A trained [`StTransformer`].
#[derive(Debug)]
pub struct FittedSt {
    pub(super) net: StNet,
    pub(super) meta: StMeta,
}

/// Groups per inference batch: bounds memory.
const PREDICT_GROUPS: usize = 32;

impl FittedSt {
    /// Per-node predictions `[nodes, horizons]` (row-major, target units) for the window of
    /// `series` ending just before `end`. Aggregate with [`aggregate`] or use
    /// [`FittedSt::predict_cluster`].
    pub fn predict_nodes(&self, series: &ClusterSeries, end: usize) -> Result<Vec<f32>, NnError> {
        Ok(self.predict_batch(&[(series, end)])?.remove(0))
    }

    /// The cluster prediction `[horizons]`: node predictions averaged with `weights`.
    pub fn predict_cluster(&self, series: &ClusterSeries, end: usize, weights: &[f32]) -> Result<Vec<f32>, NnError> {
        check_weights(weights)?;
        aggregate(&self.predict_nodes(series, end)?, self.meta.horizons, weights)
    }

    /// [`FittedSt::predict_nodes`] for many windows at once (padded and masked into shared
    /// batches, which is faster than one by one and gives the same results).
    pub fn predict_batch(&self, windows: &[(&ClusterSeries, usize)]) -> Result<Vec<Vec<f32>>, NnError> {
        let mut groups = Vec::new();
        for (gi, (series, end)) in windows.iter().enumerate() {
            self.check_window(series, *end)?;
            let g = series.nodes().div_ceil(self.meta.config.max_nodes);
            groups.extend((0..g).map(|k| {
                (
                    gi,
                    Group {
                        series,
                        end: *end,
                        nodes: (k..series.nodes()).step_by(g).collect(),
                    },
                )
            }));
        }
        let mut out: Vec<Vec<f32>> = windows
            .iter()
            .map(|(s, _)| vec![0f32; s.nodes() * self.meta.horizons])
            .collect();
        for chunk in groups.chunks(PREDICT_GROUPS) {
            self.predict_groups(chunk, &mut out)?;
        }
        out.iter_mut().for_each(|o| self.meta.y_scaler.invert(o));
        Ok(out)
    }

    fn predict_groups(&self, chunk: &[(usize, Group)], out: &mut [Vec<f32>]) -> Result<(), NnError> {
        let groups: Vec<Group> = chunk
            .iter()
            .map(|(_, g)| Group {
                nodes: g.nodes.clone(),
                ..*g
            })
            .collect();
        let (x, pad) = stack(&groups, self.meta.steps, &self.meta.x_scaler, &Device::flex());
        let n = pad.dims()[1];
        let y = persist::to_vec(self.net.forward(x, pad).into_data())?;
        let h = self.meta.horizons;
        for (gi, (wi, g)) in chunk.iter().enumerate() {
            for (slot, node) in g.nodes.iter().enumerate() {
                let at = (gi * n + slot) * h;
                out[*wi][node * h..(node + 1) * h].copy_from_slice(&y[at..at + h]);
            }
        }
        Ok(())
    }

    fn check_window(&self, series: &ClusterSeries, end: usize) -> Result<(), NnError> {
        let (steps, features) = (self.meta.steps, self.meta.features);
        if series.dims()[2] != features {
            let expected = format!("[nodes, time, {features}]");
            return Err(NnError::Shape {
                what: "series",
                expected,
                found: format!("{:?}", series.dims()),
            });
        }
        if end < steps || end > series.time() {
            let reason = format!(
                "window of {steps} steps ending at {end} outside {} time points",
                series.time()
            );
            return Err(NnError::Invalid { what: "end", reason });
        }
        Ok(())
    }

    /// Outputs per node or cluster.
    pub fn horizons(&self) -> usize {
        self.meta.horizons
    }

    /// Steps per window the model was trained on.
    pub fn steps(&self) -> usize {
        self.meta.steps
    }

    /// How training went.
    pub fn report(&self) -> &TrainReport {
        &self.meta.report
    }

    /// Weights (burnpack, full f32 precision) plus config and scalers as JSON.
    pub fn to_saved(&self) -> Result<Saved, NnError> {
        Saved::new("st-transformer", &self.meta, self.net.clone())
    }

    /// Rebuilds a model from [`FittedSt::to_saved`]'s output.
    pub fn from_saved(saved: &Saved) -> Result<Self, NnError> {
        let meta: StMeta = saved.meta("st-transformer")?;
        let net = StNet::new(&meta.config, meta.features, meta.horizons, &Device::flex()).valid();
        Ok(Self {
            net: saved.load_weights(net)?,
            meta,
        })
    }

    /// Atomic write of [`FittedSt::to_saved`] to `path`.
    pub fn save(&self, path: &std::path::Path) -> Result<(), NnError> {
        self.to_saved()?.write(path)
    }

    /// Reads a file written by [`FittedSt::save`].
    pub fn load(path: &std::path::Path) -> Result<Self, NnError> {
        Self::from_saved(&Saved::read(path)?)
    }
}
