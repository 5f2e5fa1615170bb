//! The fitted state of one eviction predictor, as it is saved in a model
//! file: its own module because the predictors write it and the saved model
//! and the model registry read it, and none of them should import another
//! for it.
//!
//! Fitted state per family:
//! - naive baselines: none;
//! - linear, SVR, random forest, GBDT: hearth-ml's [`Model`]s, one per
//!   horizon, as JSON (floats read back bit-identical);
//! - LSTM, spatial-temporal transformer: hearth-nn's saved bytes
//!   (`hearth_nn::Saved::to_bytes`: burnpack f32 weights plus config and
//!   scalers), base64 in the JSON.

#[cfg(feature = "nn")]
use crate::error::{EvictError, Result};
#[cfg(feature = "nn")]
use base64::Engine;
use hearth_ml::Model;
#[cfg(feature = "nn")]
use hearth_nn::Saved;
use serde::{Deserialize, Serialize};

/// The fitted state of one predictor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "kebab-case")]
pub enum Body {
    /// last-rate and window-mean: nothing is fitted.
    Naive,
    /// One hearth-ml model per horizon over the last `hours` of the window.
    Tabular { hours: usize, models: Vec<Model> },
    /// hearth-nn's saved bytes, base64 (standard alphabet, padded).
    Neural { hnn_base64: String },
}

impl Body {
    #[cfg(feature = "nn")]
    pub fn neural(saved: &Saved) -> Body {
        Body::Neural {
            hnn_base64: base64::engine::general_purpose::STANDARD.encode(saved.to_bytes()),
        }
    }

    /// The hearth-nn model inside a [`Body::Neural`].
    #[cfg(feature = "nn")]
    pub fn saved(&self) -> Result<Saved> {
        let Body::Neural { hnn_base64 } = self else {
            return Err(EvictError::Config("not a neural model".into()));
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(hnn_base64)
            .map_err(|e| EvictError::Config(format!("the neural weights are not base64: {e}")))?;
        Saved::from_bytes(&bytes).map_err(|e| EvictError::Config(e.to_string()))
    }
}
