//! What every handler shares: the fleet thread, the metrics, and the
//! eviction model if one is configured.

use crate::actor::FleetHandle;
use crate::forecaster::Forecaster;
use crate::metrics::Metrics;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub fleet: FleetHandle,
    pub metrics: Arc<Metrics>,
    pub forecast: Option<Arc<dyn Forecaster>>,
}
