//! Naive forecasts every model must beat: the last observed rate, and the
//! mean rate over the input window. Both forecast the same value at every
//! horizon. At node level each node's own rates are used and aggregated.

use crate::body::Body;
use crate::dataset::{Dataset, Level, Sample, HORIZONS, WINDOW};
use crate::error::Result;
use crate::predictor::Predictor;
use crate::snapshot::ClusterSnapshots;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Naive {
    /// The rate of the window's last hour.
    LastRate,
    /// The mean of the window's 48 hourly rates.
    WindowMean,
}

/// A naive forecaster at a level.
pub struct Baseline {
    pub kind: Naive,
    pub level: Level,
}

impl Baseline {
    pub fn new(kind: Naive, level: Level) -> Baseline {
        Baseline { kind, level }
    }

    fn forecast(&self, rate_at: impl Fn(usize) -> f32, end: usize) -> f32 {
        match self.kind {
            Naive::LastRate => rate_at(end),
            Naive::WindowMean => (end + 1 - WINDOW..=end).map(&rate_at).sum::<f32>() / WINDOW as f32,
        }
    }

    fn node_forecast(&self, c: &ClusterSnapshots, node: usize, end: usize) -> f32 {
        self.forecast(|t| c.node_rate(node, t), end)
    }
}

impl Predictor for Baseline {
    fn name(&self) -> String {
        match self.kind {
            Naive::LastRate => "last-rate".into(),
            Naive::WindowMean => "window-mean".into(),
        }
    }

    fn level(&self) -> Level {
        self.level
    }

    fn fit(&mut self, _data: &Dataset, _seed: u64) -> Result<()> {
        Ok(())
    }

    fn to_body(&self) -> Result<Body> {
        Ok(Body::Naive)
    }

    fn predict(&self, data: &Dataset, samples: &[Sample]) -> Result<Vec<[f32; HORIZONS]>> {
        Ok(samples
            .iter()
            .map(|&s| {
                let c = &data.clusters[s.cluster];
                match self.level {
                    Level::Cluster => [self.forecast(|t| c.cluster_rate(t), s.end); HORIZONS],
                    Level::Node => {
                        let per_node: Vec<[f32; HORIZONS]> = (0..c.nodes)
                            .map(|n| [self.node_forecast(c, n, s.end); HORIZONS])
                            .collect();
                        data.aggregate(s, &per_node)
                    }
                }
            })
            .collect())
    }
}
