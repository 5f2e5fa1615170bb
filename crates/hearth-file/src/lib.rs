//! hearth-file: how hearth writes files that must survive a crash and be
//! trusted when read back.
//!
//! - [`atomic`]: a reader never sees a half-written file.
//! - [`json`]: model files as JSON envelopes with a format tag, a version and
//!   a CRC-32 of the payload (FirePlace and hearth-ml models).
//! - [`sealed`]: the same guarantees for binary files (hearth-nn's `.hnn`).
//!
//! Every load error names the file and says what to do about it.

pub mod atomic;
mod error;
pub mod json;
pub mod sealed;

pub use error::FileError;

/// What a model file holds, and how a user makes a new one: the tag written
/// into every file of that kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    /// Format tag, e.g. `"hearth-fireplace-model"`.
    pub format: &'static str,
    /// The version this build writes and reads.
    pub version: u32,
    /// The command that makes a file of this kind, shown in errors
    /// (e.g. `"hearth fireplace train"`).
    pub made_by: &'static str,
}

/// `crc32:xxxxxxxx` of `bytes` (CRC-32/ISO-HDLC, as zlib and PNG).
pub fn checksum(bytes: &[u8]) -> String {
    format!("crc32:{:08x}", crc32fast::hash(bytes))
}
