//! Spatial-temporal transformer (after the Azure spot-eviction study): per cluster window
//! `[nodes, steps, features]`, attention across the nodes at each step, then across the steps of
//! each node, then a head on the last step gives one output per node and horizon. Node outputs are
//! aggregated to the cluster with the caller's weights (spot VM counts), and training fits that
//! aggregate to the cluster target.
//!
//! Cost: node attention is quadratic in nodes; 600 nodes × 48 steps × batch 8 would need >1 GB per
//! attention score tensor. So training sees at most `max_nodes` nodes per sample, a fresh seeded
//! random subset each time (its weights renormalised), and prediction splits a larger cluster into
//! `ceil(nodes / max_nodes)` strided groups (node i in group i mod g) that are attended separately,
//! so the model always sees node sets of the size it was trained on. The model has no node
//! position encoding, so it treats nodes as a set.
//!
//! Measured (release, 2 shared cores, steps 48, features 16, d_model 16, batch 8 windows), time
//! per training step: 50 nodes 261 ms (max_nodes 64) / 164 ms (max_nodes 32); 600 nodes 384 ms
//! (max_nodes 64) / 146 ms (max_nodes 32); 600 nodes without subsampling 2.5 s for a batch of
//! ONE window (0.8 GB resident). Cost grows about linearly in batch × nodes × steps (many tiny
//! batched matmuls dominate). Inference of one 600-node window: 45 ms (max_nodes 32), 83 ms (64),
//! 583 ms (all 600 at once).
//!
//! Measured (release, 2 shared cores, steps 48, features 16, d_model 16, batch 8 windows), time
//! per training step: 50 nodes 261 ms (max_nodes 64) / 164 ms (max_nodes 32); 600 nodes 384 ms
//! (max_nodes 64) / 146 ms (max_nodes 32); 600 nodes without subsampling 2.5 s for a batch of
//! ONE window (0.8 GB resident). Cost grows about linearly in batch × nodes × steps. Inference of
//! one 600-node window: 45 ms (max_nodes 32), 83 ms (64), 583 ms (all 600 at once).

mod config;
mod fit;
mod fitted;
mod net;

pub use config::StTransformer;
pub use fitted::FittedSt;
