//! The burn-backed policies (`forecast-lstm`, `forecast-tcn`, `rl`): their model files and
//! deciders. Without the `nn` feature the names are known but refused with how to enable them.

use anyhow::{Context, Result};
use hearth_sim::Decider;
use std::io::Read;
use std::path::Path;

/// Magic of hearth-nn's model files (see `hearth_nn::NN_FILE`).
const NN_MAGIC: &[u8] = b"HEARTHNN";

/// Whether the file is a hearth-nn model (a usage forecaster or a PPO policy) rather than a
/// FirePlace model.
pub fn is_nn_file(path: &Path) -> Result<bool> {
    let mut head = [0u8; 8];
    let mut f = std::fs::File::open(path).with_context(|| format!("opening model file {}", path.display()))?;
    let n = f
        .read(&mut head)
        .with_context(|| format!("reading {}", path.display()))?;
    Ok(head[..n] == *NN_MAGIC)
}

#[cfg(feature = "nn")]
pub use enabled::NnModels;

#[cfg(not(feature = "nn"))]
pub use disabled::NnModels;

#[cfg(feature = "nn")]
mod enabled {
    use super::*;
    use anyhow::bail;
    use hearth_nn::Saved;
    use hearth_nnpolicy::rl::{PpoModel, PpoPolicy};
    use hearth_nnpolicy::{Architecture, ForecastPlacement, UsageForecaster};
    use std::sync::Arc;

    /// Model files read once; each decider builds its own network from them (cheap, and
    /// burn's modules need not be shared across the sizing threads).
    #[derive(Clone, Default)]
    pub struct NnModels {
        lstm: Option<Arc<(Saved, String)>>,
        tcn: Option<Arc<(Saved, String)>>,
        ppo: Option<Arc<(Saved, String)>>,
        /// Steps a VM's forecast is reused (shifted) before it is made afresh; 0 (unset) means 1.
        forecast_refresh_steps: u32,
    }

    impl NnModels {
        /// Sets how many steps forecast placement reuses a VM's forecast (at least 1).
        pub fn set_forecast_refresh(&mut self, steps: u32) {
            self.forecast_refresh_steps = steps;
        }

        /// Reads a hearth-nn file and files it under the policy that uses it.
        pub fn add(&mut self, path: &Path) -> Result<()> {
            let shown = path.display().to_string();
            let saved = Saved::read(path)?;
            let slot = match saved.kind()?.as_str() {
                hearth_nnpolicy::rl::model::KIND => {
                    PpoModel::from_saved(&saved, &shown)?;
                    &mut self.ppo
                }
                _ => match UsageForecaster::from_saved(&saved, &shown)?.architecture() {
                    Architecture::Lstm => &mut self.lstm,
                    Architecture::Tcn => &mut self.tcn,
                },
            };
            if slot.is_some() {
                bail!("{shown}: a second model for the same policy; give one per policy");
            }
            *slot = Some(Arc::new((saved, shown)));
            Ok(())
        }

        /// The decider of `forecast-lstm`, `forecast-tcn` or `rl`.
        pub fn decider(&self, name: &str) -> Result<Decider> {
            let (slot, how) = match name {
                "forecast-lstm" => (&self.lstm, "hearth forecast train --model lstm --out lstm.hnn"),
                "forecast-tcn" => (&self.tcn, "hearth forecast train --model tcn --out tcn.hnn"),
                _ => (&self.ppo, "hearth rl train --out rl.hnn"),
            };
            let (saved, shown) = slot
                .as_deref()
                .with_context(|| format!("policy {name} needs a trained model: run `{how}`, then pass --model FILE"))?;
            if name == "rl" {
                let model = PpoModel::from_saved(saved, shown)?;
                return Ok(Decider::Online(Box::new(PpoPolicy::greedy(&model))));
            }
            let model = Arc::new(UsageForecaster::from_saved(saved, shown)?);
            Ok(Decider::Online(Box::new(ForecastPlacement::new(
                2,
                model,
                self.forecast_refresh_steps.max(1),
            ))))
        }
    }
}

#[cfg(not(feature = "nn"))]
mod disabled {
    use super::*;

    const ENABLE: &str =
        "hearth was built without the `nn` feature: rebuild with `cargo build --release --features nn`";

    /// Placeholder without the `nn` feature: every neural model or policy is refused.
    #[derive(Clone, Default)]
    pub struct NnModels;

    impl NnModels {
        /// Nothing to set: the forecast policies are refused without the feature.
        pub fn set_forecast_refresh(&mut self, _steps: u32) {}

        pub fn add(&mut self, path: &Path) -> Result<()> {
            anyhow::bail!("{}: a neural model; {ENABLE}", path.display())
        }

        pub fn decider(&self, name: &str) -> Result<Decider> {
            anyhow::bail!("policy {name} is a neural policy; {ENABLE}")
        }
    }
}
