//! Input plumbing shared by every reader: opening files (gzip detected by its
//! magic bytes, not its name), the bad-row policy, and field parsing that
//! reports `file:line: field`.

use crate::error::{Result, TraceError};
use flate2::read::MultiGzDecoder;
use serde::Serialize;
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::str::FromStr;

/// A named byte stream. The name is what error messages show.
pub struct Source {
    name: String,
    reader: Box<dyn BufRead + Send>,
}

impl Source {
    /// Opens a file, decompressing it on the fly when it starts with the gzip magic.
    pub fn open(path: &Path) -> Result<Source> {
        let name = path.display().to_string();
        let file = File::open(path).map_err(|e| TraceError::io(&name, e))?;
        Source::from_reader(name, BufReader::with_capacity(1 << 16, file))
    }

    /// Wraps bytes already in memory (embedded samples, tests, fuzzing).
    pub fn from_bytes(name: impl Into<String>, bytes: impl AsRef<[u8]> + Send + 'static) -> Result<Source> {
        Source::from_reader(name.into(), Cursor::new(bytes))
    }

    fn from_reader(name: String, mut reader: impl BufRead + Send + 'static) -> Result<Source> {
        let head = reader.fill_buf().map_err(|e| TraceError::io(&name, e))?;
        let gzipped = head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b;
        let reader: Box<dyn BufRead + Send> = if gzipped {
            Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(reader)))
        } else {
            Box::new(reader)
        };
        Ok(Source { name, reader })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file name without directories, for matching a file's role.
    pub fn base_name(&self) -> &str {
        self.name.rsplit(['/', '\\']).next().unwrap_or(&self.name)
    }

    pub fn into_reader(self) -> Box<dyn BufRead + Send> {
        self.reader
    }

    /// Reads everything (decompressed) into a string, failing on invalid UTF-8.
    pub fn read_to_string(self) -> Result<String> {
        let name = self.name;
        let mut text = String::new();
        let mut reader = self.reader;
        reader.read_to_string(&mut text).map_err(|e| TraceError::io(&name, e))?;
        Ok(text)
    }

    /// A CSV reader over this source. Line numbers in errors are 1-based file lines.
    pub fn csv(self, delimiter: u8, has_headers: bool) -> (String, csv::Reader<Box<dyn BufRead + Send>>) {
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(has_headers)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(self.reader);
        (self.name, reader)
    }
}

/// What to do with a row that cannot be used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnBadRow {
    /// Stop at the first bad row with an error naming it.
    #[default]
    Fail,
    /// Skip bad rows, count them and keep the first few errors for the report.
    Skip,
}

/// Counts of what a reader read and skipped.
#[derive(Debug, Default, Serialize)]
pub struct ReadReport {
    pub files: usize,
    pub rows: u64,
    pub skipped_rows: u64,
    /// The first few skipped rows' errors, as messages.
    pub skipped_examples: Vec<String>,
    /// Valid rows a reader read but did not use, by kind of row.
    pub dropped: Vec<Dropped>,
    /// Losses large enough to question the workload (see
    /// [`ReadReport::loss_warnings`]); filled by [`crate::import`].
    pub warnings: Vec<String>,
}

/// Valid rows of one kind that a reader's rules left out (readings of VMs
/// missing from the VM table, duplicates, ...).
#[derive(Clone, Debug, Serialize)]
pub struct Dropped {
    /// The kind of row and why they were left out, e.g. `CPU reading rows of
    /// VMs not in the vmtable`.
    pub what: String,
    /// Rows left out.
    pub rows: u64,
    /// Rows of that kind read.
    pub of: u64,
}

const EXAMPLES_KEPT: usize = 5;

/// An import that leaves out more than this share of what it read (bad rows
/// skipped, or valid rows of one kind dropped) is warned about.
pub const MOST_DROPPED: f64 = 0.5;

impl ReadReport {
    /// Records `rows` of `of` rows of one kind read but not used.
    pub fn drop_rows(&mut self, what: impl Into<String>, rows: u64, of: u64) {
        if rows > 0 {
            self.dropped.push(Dropped {
                what: what.into(),
                rows,
                of,
            });
        }
    }

    /// One message per loss of more than [`MOST_DROPPED`] of what was read:
    /// of all rows as bad rows skipped, or of the rows of one kind dropped.
    pub fn loss_warnings(&self, format: &str) -> Vec<String> {
        let most = |part: u64, whole: u64| whole > 0 && part as f64 > MOST_DROPPED * whole as f64;
        let mut out = Vec::new();
        if most(self.skipped_rows, self.rows) {
            out.push(format!(
                "{format}: {} of {} rows read were skipped as bad rows; the workload rests on the rest",
                self.skipped_rows, self.rows
            ));
        }
        for d in self.dropped.iter().filter(|d| most(d.rows, d.of)) {
            out.push(format!(
                "{format}: {} of {} {} were left out; the workload rests on the rest",
                d.rows, d.of, d.what
            ));
        }
        out
    }

    /// Applies the bad-row policy to one error: returns it under `Fail`,
    /// counts and remembers it under `Skip`.
    pub fn bad_row(&mut self, policy: OnBadRow, err: TraceError) -> Result<()> {
        match policy {
            OnBadRow::Fail => Err(err),
            OnBadRow::Skip => {
                self.skipped_rows += 1;
                if self.skipped_examples.len() < EXAMPLES_KEPT {
                    self.skipped_examples.push(err.to_string());
                }
                Ok(())
            }
        }
    }

    pub fn merge(&mut self, other: ReadReport) {
        self.files += other.files;
        self.rows += other.rows;
        self.skipped_rows += other.skipped_rows;
        self.dropped.extend(other.dropped);
        self.warnings.extend(other.warnings);
        for e in other.skipped_examples {
            if self.skipped_examples.len() < EXAMPLES_KEPT {
                self.skipped_examples.push(e);
            }
        }
    }
}

/// Parses one field, naming file, line and field on failure.
pub fn parse_field<T: FromStr>(raw: &str, file: &str, line: u64, field: &str) -> Result<T> {
    let raw = raw.trim();
    raw.parse::<T>().map_err(|_| {
        let shown = if raw.is_empty() {
            "an empty value".to_string()
        } else {
            format!("{raw:?}")
        };
        TraceError::field(
            file,
            line,
            field,
            format!("cannot parse {shown} as {}", short_type::<T>()),
        )
    })
}

/// Parses a finite, non-negative number.
pub fn parse_amount(raw: &str, file: &str, line: u64, field: &str) -> Result<f64> {
    let x: f64 = parse_field(raw, file, line, field)?;
    if !x.is_finite() || x < 0.0 {
        return Err(TraceError::field(
            file,
            line,
            field,
            format!("{x} is not a finite non-negative number"),
        ));
    }
    Ok(x)
}

fn short_type<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    match name {
        "f32" | "f64" => "a number",
        "u8" | "u16" | "u32" | "u64" | "usize" => "a non-negative whole number",
        "i8" | "i16" | "i32" | "i64" => "a whole number",
        _ => name.rsplit("::").next().unwrap_or(name),
    }
}

/// The `index`th field of a CSV record, or an error naming the missing field.
pub fn get<'r>(record: &'r csv::StringRecord, index: usize, file: &str, line: u64, field: &str) -> Result<&'r str> {
    record.get(index).ok_or_else(|| {
        TraceError::row(
            file,
            line,
            format!(
                "row has {} fields; field `{field}` (column {}) is missing",
                record.len(),
                index + 1
            ),
        )
    })
}

/// The 1-based line at which a CSV record starts.
pub fn line_of(record: &csv::StringRecord) -> u64 {
    record.position().map(|p| p.line()).unwrap_or(0)
}

/// Turns a CSV reader error into a row error with its line.
pub fn csv_error(file: &str, err: csv::Error) -> TraceError {
    let line = err.position().map(|p| p.line()).unwrap_or(0);
    match err.kind() {
        csv::ErrorKind::Io(_) => TraceError::file(file, err.to_string()),
        _ => TraceError::row(file, line, err.to_string()),
    }
}
