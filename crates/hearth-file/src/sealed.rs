//! Binary files with the guarantees of [`crate::json`]:
//!
//! ```text
//! <magic><version as ASCII decimal>\n   e.g. "HEARTHNN2\n"
//! body length, u64 little-endian
//! body
//! CRC-32 of the body, u32 little-endian
//! ```
//!
//! The readable header lets `head -c 16 file` say what a file is, and lets a
//! file of an older version be reported as such rather than as garbage.

use crate::{atomic, checksum, FileError, Kind};
use std::path::Path;

/// Longest version field read before the header is judged foreign.
const MAX_VERSION_DIGITS: usize = 10;

/// `body` framed as above, with `kind.format` as the magic.
pub fn seal(kind: &Kind, body: &[u8]) -> Vec<u8> {
    let header = format!("{}{}\n", kind.format, kind.version);
    let mut out = Vec::with_capacity(header.len() + 12 + body.len());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out
}

/// The body of bytes made by [`seal`]; `path` names their origin in errors.
///
/// # Errors
/// [`FileError::Format`] (other magic), [`FileError::Version`],
/// [`FileError::Truncated`] (shorter or longer than the header says),
/// [`FileError::Checksum`].
pub fn unseal<'a>(kind: &Kind, bytes: &'a [u8], path: &str) -> Result<&'a [u8], FileError> {
    let rest = bytes
        .strip_prefix(kind.format.as_bytes())
        .ok_or_else(|| FileError::Format {
            path: path.into(),
            expected: kind.format,
            found: String::from_utf8_lossy(&bytes[..bytes.len().min(kind.format.len())]).into_owned(),
        })?;
    let (version, rest) = version(kind, rest, path)?;
    if version != kind.version {
        return Err(FileError::Version {
            path: path.into(),
            format: kind.format,
            found: version,
            expected: kind.version,
            made_by: kind.made_by,
        });
    }
    let truncated = |reason: String| FileError::Truncated {
        path: path.into(),
        reason,
    };
    let (len, rest) = rest
        .split_at_checked(8)
        .ok_or_else(|| truncated("no body length".into()))?;
    let len = u64::from_le_bytes(len.try_into().expect("8 bytes"));
    let body_len = usize::try_from(len).ok().filter(|&n| n <= rest.len().saturating_sub(4));
    let body_len = body_len.ok_or_else(|| truncated(format!("header says {len} body bytes, {} follow", rest.len())))?;
    let (body, trailer) = rest.split_at(body_len);
    if trailer.len() != 4 {
        return Err(truncated(format!(
            "{} bytes after the body, expected a 4-byte checksum",
            trailer.len()
        )));
    }
    let stored = u32::from_le_bytes(trailer.try_into().expect("4 bytes"));
    let actual = crc32fast::hash(body);
    if stored != actual {
        return Err(FileError::Checksum {
            path: path.into(),
            stored: format!("crc32:{stored:08x}"),
            actual: checksum(body),
        });
    }
    Ok(body)
}

fn version<'a>(kind: &Kind, rest: &'a [u8], path: &str) -> Result<(u32, &'a [u8]), FileError> {
    let newline = rest.iter().take(MAX_VERSION_DIGITS + 1).position(|&b| b == b'\n');
    let parsed = newline.and_then(|n| {
        std::str::from_utf8(&rest[..n])
            .ok()?
            .parse::<u32>()
            .ok()
            .map(|v| (v, n))
    });
    let (v, n) = parsed.ok_or_else(|| FileError::Unreadable {
        path: path.into(),
        expected: kind.format,
        reason: "no version line after the magic".into(),
        made_by: kind.made_by,
    })?;
    Ok((v, &rest[n + 1..]))
}

/// Seals `body` and writes it to `path` atomically.
pub fn write(path: &Path, kind: &Kind, body: &[u8]) -> Result<(), FileError> {
    atomic::write_atomic(path, &seal(kind, body)).map_err(|e| FileError::io(&path.display().to_string(), e))
}

/// Reads and unseals a file written by [`write`].
pub fn read(path: &Path, kind: &Kind) -> Result<Vec<u8>, FileError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| FileError::io(&shown, e))?;
    unseal(kind, &bytes, &shown).map(<[u8]>::to_vec)
}
