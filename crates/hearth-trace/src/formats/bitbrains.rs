//! Reader stub: to be replaced by the real reader.

use super::{ImportOptions, Imported};
use crate::error::{Result, TraceError};
use crate::source::Source;

pub fn read(_sources: Vec<Source>, _opts: &ImportOptions) -> Result<Imported> {
    Err(TraceError::Invalid("reader not written yet".into()))
}
