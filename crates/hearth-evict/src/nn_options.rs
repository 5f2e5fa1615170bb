//! The neural models' training budget, kept apart from [`crate::nn`] so that
//! settings and saved experiment configs read the same with or without the
//! `nn` feature.

/// Training budget of the neural models.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NnOptions {
    /// Most passes over the training samples.
    pub epochs: usize,
    /// Most cluster windows the transformer trains on.
    pub max_st_windows: usize,
    /// LSTM hidden width and transformer embedding width.
    pub width: usize,
}

impl Default for NnOptions {
    fn default() -> Self {
        NnOptions {
            epochs: 8,
            max_st_windows: 480,
            width: 32,
        }
    }
}
