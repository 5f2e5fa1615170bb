//! Model files as JSON envelopes:
//!
//! ```json
//! {"format":"hearth-fireplace-model","version":2,"checksum":"crc32:1a2b3c4d","payload":{...}}
//! ```
//!
//! The checksum covers the payload's bytes exactly as they stand in the
//! file, so any changed byte inside the payload (a weight, a threshold, a
//! feature name) is caught, independently of how floats re-serialise. Loading
//! checks, in order: JSON syntax, format tag, version, checksum, then that the
//! payload parses as this build's type. Floats are written so they read back
//! bit-identical (serde_json with `float_roundtrip` where the payload needs it).

use crate::{atomic, checksum, FileError, Kind};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::path::Path;

#[derive(Serialize)]
struct Envelope<'a> {
    format: &'a str,
    version: u32,
    checksum: String,
    payload: &'a RawValue,
}

/// Every field optional, so a foreign or old file gets the most telling error.
#[derive(Deserialize)]
struct Head {
    format: Option<String>,
    version: Option<u64>,
    checksum: Option<String>,
    payload: Option<Box<RawValue>>,
}

/// The envelope of `payload` as bytes, newline-terminated.
///
/// # Panics
/// Never for payloads whose `Serialize` cannot fail (plain data with string
/// map keys, as every hearth model is).
pub fn to_bytes<T: Serialize>(kind: &Kind, payload: &T) -> Vec<u8> {
    let raw = serde_json::value::to_raw_value(payload).expect("a model payload serialises");
    let envelope = Envelope {
        format: kind.format,
        version: kind.version,
        checksum: checksum(raw.get().as_bytes()),
        payload: &raw,
    };
    let mut bytes = serde_json::to_vec(&envelope).expect("an envelope serialises");
    bytes.push(b'\n');
    bytes
}

/// Parses bytes made by [`to_bytes`]; `path` names their origin in errors.
///
/// # Errors
/// [`FileError::Unreadable`] (not JSON, or no payload), [`FileError::Format`],
/// [`FileError::Version`], [`FileError::Checksum`], [`FileError::Payload`].
pub fn from_bytes<T: DeserializeOwned>(kind: &Kind, bytes: &[u8], path: &str) -> Result<T, FileError> {
    let unreadable = |reason: String| FileError::Unreadable {
        path: path.into(),
        expected: kind.format,
        reason,
        made_by: kind.made_by,
    };
    let head: Head = serde_json::from_slice(bytes).map_err(|e| unreadable(e.to_string()))?;
    let found = head.format.unwrap_or_else(|| "untagged".into());
    if found != kind.format {
        return Err(FileError::Format {
            path: path.into(),
            expected: kind.format,
            found,
        });
    }
    let version = head.version.unwrap_or(0);
    if version != u64::from(kind.version) {
        return Err(FileError::Version {
            path: path.into(),
            format: kind.format,
            found: u32::try_from(version).unwrap_or(u32::MAX),
            expected: kind.version,
            made_by: kind.made_by,
        });
    }
    let payload = head.payload.ok_or_else(|| unreadable("no `payload` field".into()))?;
    let stored = head.checksum.ok_or_else(|| unreadable("no `checksum` field".into()))?;
    let actual = checksum(payload.get().as_bytes());
    if actual != stored {
        return Err(FileError::Checksum {
            path: path.into(),
            stored,
            actual,
        });
    }
    serde_json::from_str(payload.get()).map_err(|cause| FileError::Payload {
        path: path.into(),
        format: kind.format,
        made_by: kind.made_by,
        cause,
    })
}

/// Writes the envelope of `payload` to `path` atomically.
///
/// # Errors
/// [`FileError::Io`] when the file cannot be written (nothing is left behind).
pub fn write<T: Serialize>(path: &Path, kind: &Kind, payload: &T) -> Result<(), FileError> {
    atomic::write_atomic(path, &to_bytes(kind, payload)).map_err(|e| FileError::io(&path.display().to_string(), e))
}

/// Reads a file written by [`write`]; see [`from_bytes`] for the checks.
pub fn read<T: DeserializeOwned>(path: &Path, kind: &Kind) -> Result<T, FileError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| FileError::io(&shown, e))?;
    from_bytes(kind, &bytes, &shown)
}
