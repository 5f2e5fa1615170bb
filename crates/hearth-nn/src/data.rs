//! Plain row-major arrays with their shapes checked once, at construction, so the models can
//! trust them and errors name the argument that is wrong.

use crate::error::{check_finite, check_len, NnError};

/// A dense `[samples, steps, features]` array, row-major. Samples must be in time order: the
/// validation tail used for early stopping is the last samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Seq3 {
    values: Vec<f32>,
    dims: [usize; 3],
}

impl Seq3 {
    /// Checks the length against `dims` and that every value is finite.
    pub fn new(values: Vec<f32>, dims: [usize; 3]) -> Result<Self, NnError> {
        check_len("x", values.len(), dims.iter().product(), &format!("{dims:?}"))?;
        if dims[1] == 0 || dims[2] == 0 {
            return Err(NnError::Empty("x has no steps or no features"));
        }
        check_finite("x", &values)?;
        Ok(Self { values, dims })
    }

    /// `[samples, steps, features]`.
    pub fn dims(&self) -> [usize; 3] {
        self.dims
    }

    /// The row-major values.
    pub fn values(&self) -> &[f32] {
        &self.values
    }

    /// One sample's `[steps, features]` block.
    pub(crate) fn sample(&self, i: usize) -> &[f32] {
        let len = self.dims[1] * self.dims[2];
        &self.values[i * len..(i + 1) * len]
    }
}

/// Training data for [`crate::LstmRegressor`]: inputs and `[samples, horizons]` targets.
#[derive(Clone, Debug)]
pub struct SeqData {
    x: Seq3,
    y: Vec<f32>,
    horizons: usize,
}

impl SeqData {
    /// `y` is row-major `[samples, horizons]`, aligned with the samples of `x`.
    pub fn new(x: Seq3, y: Vec<f32>, horizons: usize) -> Result<Self, NnError> {
        if x.dims[0] == 0 {
            return Err(NnError::Empty("no samples"));
        }
        if horizons == 0 {
            return Err(NnError::Empty("no horizons"));
        }
        check_len(
            "y",
            y.len(),
            x.dims[0] * horizons,
            &format!("[{}, {horizons}]", x.dims[0]),
        )?;
        check_finite("y", &y)?;
        Ok(Self { x, y, horizons })
    }

    /// The inputs.
    pub fn x(&self) -> &Seq3 {
        &self.x
    }

    /// Row-major `[samples, horizons]` targets.
    pub fn y(&self) -> &[f32] {
        &self.y
    }

    /// Outputs per sample.
    pub fn horizons(&self) -> usize {
        self.horizons
    }
}

/// One cluster's node series: `[nodes, time, features]`, row-major. Training samples are windows
/// into a series (so overlapping hourly windows share memory: 600 nodes × 336 h × 16 features is
/// 13 MB, where the windows themselves would be 40 × that); a single window to predict on is a
/// series of exactly `steps` time points.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterSeries {
    values: Vec<f32>,
    dims: [usize; 3],
}

impl ClusterSeries {
    /// Checks the length against `dims = [nodes, time, features]` and finiteness.
    pub fn new(values: Vec<f32>, dims: [usize; 3]) -> Result<Self, NnError> {
        check_len("series", values.len(), dims.iter().product(), &format!("{dims:?}"))?;
        if dims.contains(&0) {
            return Err(NnError::Empty("series has no nodes, time points or features"));
        }
        check_finite("series", &values)?;
        Ok(Self { values, dims })
    }

    /// `[nodes, time, features]`.
    pub fn dims(&self) -> [usize; 3] {
        self.dims
    }

    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        self.dims[0]
    }

    /// Number of time points.
    pub fn time(&self) -> usize {
        self.dims[1]
    }

    /// The row-major values.
    pub fn values(&self) -> &[f32] {
        &self.values
    }

    /// Node `node`'s features at time points `[end - steps, end)`, row-major `[steps, features]`.
    pub(crate) fn window(&self, node: usize, end: usize, steps: usize) -> &[f32] {
        let [_, time, features] = self.dims;
        let base = (node * time + end - steps) * features;
        &self.values[base..base + steps * features]
    }
}

/// A training sample for [`crate::StTransformer`]: the window of `steps` time points of series
/// `series` ending just before `end`, the caller's per-node weights (e.g. spot VM counts) that
/// aggregate node outputs to the cluster, and the cluster's target.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterSample {
    /// Index into [`ClusterData`]'s series.
    pub series: usize,
    /// Exclusive end of the window (the prediction time): time points `[end - steps, end)`.
    pub end: usize,
    /// One non-negative weight per node; all zero means "weigh nodes equally".
    pub weights: Vec<f32>,
    /// The cluster target, one value per horizon.
    pub target: Vec<f32>,
}

/// Training data for [`crate::StTransformer`]. Samples must be in time order across clusters
/// (the validation tail for early stopping is the last samples), and share steps, features and
/// horizons.
#[derive(Clone, Debug)]
pub struct ClusterData {
    series: Vec<ClusterSeries>,
    samples: Vec<ClusterSample>,
    steps: usize,
    horizons: usize,
}

impl ClusterData {
    /// Checks that all series have the same features, every window lies inside its series,
    /// weights have one finite non-negative entry per node and targets are finite and of one
    /// length.
    pub fn new(series: Vec<ClusterSeries>, samples: Vec<ClusterSample>, steps: usize) -> Result<Self, NnError> {
        let features = series.first().ok_or(NnError::Empty("no series"))?.dims[2];
        let horizons = samples.first().ok_or(NnError::Empty("no samples"))?.target.len();
        if steps == 0 || horizons == 0 {
            return Err(NnError::Empty("no steps or no horizons"));
        }
        if let Some(s) = series.iter().find(|s| s.dims[2] != features) {
            let expected = format!("[nodes, time, {features}]");
            return Err(NnError::Shape {
                what: "series",
                expected,
                found: format!("{:?}", s.dims),
            });
        }
        for s in &samples {
            check_sample(s, &series, steps, horizons)?;
        }
        Ok(Self {
            series,
            samples,
            steps,
            horizons,
        })
    }

    /// The series.
    pub fn series(&self) -> &[ClusterSeries] {
        &self.series
    }

    /// The samples, in time order.
    pub fn samples(&self) -> &[ClusterSample] {
        &self.samples
    }

    /// Steps per window.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Features per node and step.
    pub fn features(&self) -> usize {
        self.series[0].dims[2]
    }

    /// Outputs per cluster.
    pub fn horizons(&self) -> usize {
        self.horizons
    }
}

fn check_sample(s: &ClusterSample, series: &[ClusterSeries], steps: usize, horizons: usize) -> Result<(), NnError> {
    let invalid = |reason: String| Err(NnError::Invalid { what: "sample", reason });
    let Some(se) = series.get(s.series) else {
        return invalid(format!("series {} of {}", s.series, series.len()));
    };
    if s.end < steps || s.end > se.time() {
        return invalid(format!(
            "window [{}-{steps}, {}) outside series of {} time points",
            s.end,
            s.end,
            se.time()
        ));
    }
    check_len("weights", s.weights.len(), se.nodes(), &format!("[{}]", se.nodes()))?;
    check_len("target", s.target.len(), horizons, &format!("[{horizons}]"))?;
    check_weights(&s.weights)?;
    check_finite("target", &s.target)
}

/// Weights must be finite and non-negative.
pub(crate) fn check_weights(weights: &[f32]) -> Result<(), NnError> {
    check_finite("weights", weights)?;
    match weights.iter().position(|w| *w < 0.0) {
        Some(i) => Err(NnError::Invalid {
            what: "weights",
            reason: format!("negative weight {} at {i}", weights[i]),
        }),
        None => Ok(()),
    }
}

/// Weights scaled to sum to one; all-zero weights become uniform, so a cluster without spot VMs
/// still has a defined aggregate.
pub(crate) fn normalised(weights: &[f32]) -> Vec<f32> {
    let total: f64 = weights.iter().map(|w| f64::from(*w)).sum();
    if total <= 0.0 {
        return vec![1.0 / weights.len() as f32; weights.len()];
    }
    weights.iter().map(|w| (f64::from(*w) / total) as f32).collect()
}

/// Aggregates per-node outputs (`[nodes, horizons]`, row-major, as returned by
/// [`crate::FittedSt::predict_nodes`]) to the cluster: the weighted mean per horizon with the
/// caller's weights (e.g. spot VM counts). All-zero weights weigh nodes equally.
pub fn aggregate(per_node: &[f32], horizons: usize, weights: &[f32]) -> Result<Vec<f32>, NnError> {
    if weights.is_empty() || horizons == 0 {
        return Err(NnError::Empty("aggregate needs nodes and horizons"));
    }
    let nodes = weights.len();
    check_len(
        "per_node",
        per_node.len(),
        nodes * horizons,
        &format!("[{nodes}, {horizons}]"),
    )?;
    check_weights(weights)?;
    let w = normalised(weights);
    let mut out = vec![0.0f32; horizons];
    for (row, wi) in per_node.chunks(horizons).zip(&w) {
        out.iter_mut().zip(row).for_each(|(o, v)| *o += wi * v);
    }
    Ok(out)
}
