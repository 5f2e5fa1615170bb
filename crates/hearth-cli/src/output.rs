//! Writing results for other tools, atomically (see [`hearth::output`]), and
//! progress bars on stderr.

pub use crate::progress::progress;
pub use hearth::output::{csv_text, write_atomic, write_csv, write_json};
