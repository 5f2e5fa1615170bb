//! Region-level routers: which cluster an arriving spot VM tries first.
//!
//! Each router ranks every cluster; the region places the VM in the first
//! ranked cluster with a server that admits it (identically for every
//! router), so routers differ only in the order they try clusters.
//! - `random`: a seeded shuffle per VM (today's rule: a spot VM lands in
//!   whichever cluster it was submitted to).
//! - `least-utilised`: lowest allocated-cores share (spot and on-demand
//!   requests over cluster cores) at the VM's arrival; ties to the lowest index.
//! - `eviction-aware`: lowest predicted eviction rate over the VM's expected
//!   life, compared by the Azure 5%-wide rate band ([`band_of`]: about the
//!   cluster models' RMSE of 0.05-0.07, so a finer difference is noise), then
//!   least-utilised within a band. Without a forecast yet (fewer than 48
//!   hours of history) every cluster is in one band: least-utilised.
//! - `eviction-aware-spread`: the same bands, random within a band: spot VMs
//!   spread over every cluster forecast calm (as `random` does) and leave a
//!   cluster only in the hours it is forecast to evict. Random before the
//!   first forecast.

use crate::error::{EvictError, Result};
use crate::snapshot::band_of;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Router {
    Random,
    LeastUtilised,
    EvictionAware,
    EvictionAwareSpread,
}

impl Router {
    pub const ALL: [Router; 4] = [
        Router::Random,
        Router::LeastUtilised,
        Router::EvictionAware,
        Router::EvictionAwareSpread,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Router::Random => "random",
            Router::LeastUtilised => "least-utilised",
            Router::EvictionAware => "eviction-aware",
            Router::EvictionAwareSpread => "eviction-aware-spread",
        }
    }

    /// Whether the router reads forecasts (and so needs a model).
    pub fn needs_model(self) -> bool {
        matches!(self, Router::EvictionAware | Router::EvictionAwareSpread)
    }

    pub fn parse(name: &str) -> Result<Router> {
        Router::ALL.into_iter().find(|r| r.name() == name).ok_or_else(|| {
            EvictError::Config(format!(
                "unknown router {name:?}; known: random, least-utilised, eviction-aware, eviction-aware-spread"
            ))
        })
    }
}

impl fmt::Display for Router {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a router may look at when a spot VM arrives.
pub struct ClusterState<'a> {
    /// Allocated cores / cluster cores, per cluster.
    pub allocated_share: &'a [f64],
    /// Predicted eviction rate over the VM's expected life, per cluster;
    /// `None` before the first forecast.
    pub risk: Option<&'a [f32]>,
}

/// The clusters in the order `router` tries them; `rng` is used by `random` only.
pub fn rank(router: Router, state: &ClusterState, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let n = state.allocated_share.len();
    let mut order: Vec<usize> = (0..n).collect();
    let share = |c: usize| state.allocated_share[c];
    let band = |c: usize| state.risk.map_or(0, |r| band_of(r[c]));
    match router {
        Router::Random => order.shuffle(rng),
        Router::LeastUtilised => order.sort_by(|&a, &b| share(a).total_cmp(&share(b)).then(a.cmp(&b))),
        Router::EvictionAware => {
            order.sort_by(|&a, &b| {
                band(a)
                    .cmp(&band(b))
                    .then(share(a).total_cmp(&share(b)))
                    .then(a.cmp(&b))
            });
        }
        Router::EvictionAwareSpread => {
            order.shuffle(rng);
            // Stable: the shuffled order stays within a band.
            order.sort_by_key(|&c| band(c));
        }
    }
    order
}
