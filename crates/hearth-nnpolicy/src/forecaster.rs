//! Usage forecasters: hearth-nn's LSTM or TCN fitted on [`crate::window`] windows, so one model
//! forecasts every VM's CPU and memory utilisation for the next [`HORIZON`] steps from its last
//! [`HISTORY`] measured steps.

use std::path::Path;

use hearth_nn::{FittedLstm, FittedTcn, LstmRegressor, Saved, Seq3, SeqData, TcnRegressor, TrainConfig, TrainReport};
use hearth_trace::Workload;
use serde::{Deserialize, Serialize};

use crate::error::PolicyError;
use crate::window::{windows, Windows, HISTORY, HORIZON, INPUT_FEATURES, OUTPUTS};

/// Which network forecasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Architecture {
    /// hearth-nn's LSTM regressor.
    Lstm,
    /// hearth-nn's temporal convolutional network (dilated causal convolutions).
    Tcn,
}

impl Architecture {
    /// The placement policy's name for a forecaster of this kind.
    pub fn policy_name(self) -> &'static str {
        match self {
            Architecture::Lstm => "forecast-lstm",
            Architecture::Tcn => "forecast-tcn",
        }
    }
}

/// What to train: the network, its width and the optimisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastConfig {
    /// The network.
    pub architecture: Architecture,
    /// LSTM hidden width, or TCN channels.
    pub width: usize,
    /// Optimisation (epochs, batch, learning rate, validation tail, patience).
    pub train: TrainConfig,
    /// Training windows kept at most (an even stride over every VM's life).
    pub max_windows: usize,
}

/// A fitted forecaster.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per policy, never in a collection
pub enum UsageForecaster {
    /// An LSTM.
    Lstm(FittedLstm),
    /// A TCN.
    Tcn(FittedTcn),
}

impl UsageForecaster {
    /// Fits on windows of the training workload's VMs; the same seed gives the same model.
    ///
    /// # Errors
    /// [`PolicyError::NoWindows`] when no VM lives more than [`HORIZON`] steps; network errors.
    pub fn train(cfg: &ForecastConfig, w: &Workload, seed: u64) -> Result<(Self, usize), PolicyError> {
        let win = windows(w, cfg.max_windows);
        if win.is_empty() {
            return Err(PolicyError::NoWindows(format!(
                "no VM of the training workload lives more than {HORIZON} steps"
            )));
        }
        let data = seq_data(&win)?;
        let model = match cfg.architecture {
            Architecture::Lstm => {
                let r = LstmRegressor {
                    hidden: cfg.width,
                    train: cfg.train.clone(),
                };
                UsageForecaster::Lstm(r.fit(&data, seed)?)
            }
            Architecture::Tcn => {
                let r = TcnRegressor {
                    channels: cfg.width,
                    train: cfg.train.clone(),
                    ..TcnRegressor::default()
                };
                UsageForecaster::Tcn(r.fit(&data, seed)?)
            }
        };
        Ok((model, win.len()))
    }

    /// The network.
    pub fn architecture(&self) -> Architecture {
        match self {
            UsageForecaster::Lstm(_) => Architecture::Lstm,
            UsageForecaster::Tcn(_) => Architecture::Tcn,
        }
    }

    /// How training went.
    pub fn report(&self) -> &TrainReport {
        match self {
            UsageForecaster::Lstm(m) => m.report(),
            UsageForecaster::Tcn(m) => m.report(),
        }
    }

    /// Forecasts windows (row-major `[n, HISTORY, INPUT_FEATURES]`, see [`crate::window`]):
    /// row-major `[n, OUTPUTS]` utilisation, clamped at 0.
    pub fn predict(&self, x: Vec<f32>) -> Result<Vec<f32>, PolicyError> {
        let n = x.len() / (HISTORY * INPUT_FEATURES);
        if n == 0 {
            return Ok(Vec::new());
        }
        let x = Seq3::new(x, [n, HISTORY, INPUT_FEATURES])?;
        let mut y = match self {
            UsageForecaster::Lstm(m) => m.predict(&x)?,
            UsageForecaster::Tcn(m) => m.predict(&x)?,
        };
        y.iter_mut().for_each(|v| *v = v.max(0.0));
        Ok(y)
    }

    /// Writes the model atomically in hearth-nn's checksummed, versioned file format.
    pub fn save(&self, path: &Path) -> Result<(), PolicyError> {
        let saved = match self {
            UsageForecaster::Lstm(m) => m.to_saved()?,
            UsageForecaster::Tcn(m) => m.to_saved()?,
        };
        Ok(saved.write(path)?)
    }

    /// Reads a file written by [`UsageForecaster::save`], checking that it is a usage forecaster
    /// of this build's window shapes.
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        Self::from_saved(&Saved::read(path)?, &path.display().to_string())
    }

    /// As [`UsageForecaster::load`], from a file already read; `path` names it in errors.
    pub fn from_saved(saved: &Saved, path: &str) -> Result<Self, PolicyError> {
        let kind = saved.kind()?;
        let model = match kind.as_str() {
            "lstm" => UsageForecaster::Lstm(FittedLstm::from_saved(saved)?),
            "tcn" => UsageForecaster::Tcn(FittedTcn::from_saved(saved)?),
            _ => return Err(wrong_kind(path, &kind)),
        };
        let horizons = match &model {
            UsageForecaster::Lstm(m) => m.horizons(),
            UsageForecaster::Tcn(m) => m.horizons(),
        };
        // An eviction model is an LSTM too: its shapes tell it apart.
        if horizons != OUTPUTS || model.predict(vec![0.0; HISTORY * INPUT_FEATURES]).is_err() {
            return Err(wrong_kind(path, &format!("{kind} (not a usage forecaster)")));
        }
        Ok(model)
    }
}

fn wrong_kind(path: &str, found: &str) -> PolicyError {
    PolicyError::WrongKind {
        path: path.to_string(),
        found: found.to_string(),
        expected: format!("usage forecaster (`hearth forecast train`: {HISTORY} steps in, {HORIZON} out)"),
    }
}

/// The windows as hearth-nn training data.
pub fn seq_data(win: &Windows) -> Result<SeqData, PolicyError> {
    let x = Seq3::new(win.x.clone(), [win.len(), HISTORY, INPUT_FEATURES])?;
    Ok(SeqData::new(x, win.y.clone(), OUTPUTS)?)
}
