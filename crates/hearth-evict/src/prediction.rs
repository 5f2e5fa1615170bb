//! `hearth evict predict`: a saved model forecasts every cluster of a
//! snapshot file at +1..+3 h from its last 48 hours ([`crate::forecast`]).

use crate::error::{Context, Result};
use crate::forecast::{forecast, Forecasts};
use crate::saved_model::SavedModel;
use crate::snapshot_input;
use std::path::Path;

/// The model that forecast, and its forecasts.
pub struct Prediction {
    pub saved: SavedModel,
    pub forecasts: Forecasts,
}

/// Loads the model file, reads the snapshot file and forecasts.
pub fn predict(model: &Path, snapshots: &Path) -> Result<Prediction> {
    let saved = SavedModel::load(model)?;
    let p = saved
        .predictor()
        .context_with(|| format!("loading the model in {}", model.display()))?;
    let set = snapshot_input::read(snapshots)?;
    let forecasts = forecast(p.as_ref(), &saved.interval, set)?;
    Ok(Prediction { saved, forecasts })
}
