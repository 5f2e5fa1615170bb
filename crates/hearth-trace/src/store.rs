//! The canonical workload on disk: one Parquet file.
//!
//! # Format (schema version 2)
//!
//! One row per VM, in the workload's order (sorted by arrival step, ids
//! `0..n`). All columns but `tenant` and `vm_type` are required (non-nullable):
//!
//! | column               | type            | meaning                                                    |
//! | -------------------- | --------------- | ---------------------------------------------------------- |
//! | `id`                 | `UInt32`        | VM id, equal to the row index                              |
//! | `arrival_step`       | `UInt32`        | first step the VM runs                                     |
//! | `departure_step`     | `UInt32`        | first step the VM is gone (it runs `arrival..departure`)   |
//! | `cpu_request_cores`  | `Float32`       | requested CPU, cores                                       |
//! | `memory_request_gib` | `Float32`       | requested memory, GiB                                      |
//! | `priority`           | `Utf8`          | `"on-demand"` or `"spot"`                                  |
//! | `tenant`             | `UInt32`, nullable | the VM's tenant ([`crate::TenantId`]); null where the trace has none |
//! | `vm_type`            | `UInt32`, nullable | the VM's type ([`crate::VmTypeId`]); null where the trace has none |
//! | `cpu_usage_cores`    | `List<Float32>` | CPU cores used at each step of the VM's life (index 0 = arrival step) |
//! | `memory_usage_gib`   | `List<Float32>` | memory GiB used at each step of the VM's life              |
//!
//! Both usage lists have exactly `departure_step - arrival_step` elements.
//! The list item field is named `item` and is non-nullable.
//!
//! Key-value metadata of the Parquet file (all values are strings):
//!
//! | key                       | value                                                       |
//! | ------------------------- | ----------------------------------------------------------- |
//! | `hearth.schema_version`   | `"2"` (version 1, which had no `tenant` and `vm_type` columns, is still read) |
//! | `hearth.step_seconds`     | length of one step in seconds, a positive integer           |
//! | `hearth.observed_from_step` | first step of the observation window ([`Workload::observed_from`](crate::Workload::observed_from)) |
//! | `hearth.provenance`       | the [`Provenance`](crate::Provenance) as JSON: a list of steps, each an object with `action` and its details |
//!
//! Files are ZSTD-compressed and written in row groups of
//! [`ROWS_PER_GROUP`] VMs, so writing holds at most one group's columns in
//! memory beside the workload itself; reading streams record batches.
//!
//! # What is accepted on reading
//!
//! Reading accepts what pyarrow, pandas, polars or Spark write with their
//! default settings for the columns above, not only the exact types written:
//!
//! - any standard Parquet codec (Snappy, gzip, LZ4, Brotli, ZSTD, none);
//! - for `id`, `arrival_step`, `departure_step`, `tenant`, `vm_type`: any
//!   integer type (pandas' `int64`, Spark's `int`); a value outside
//!   `0..=4294967295` is an error naming its row and column;
//! - for the requests: any float or integer type (pandas' `float64`); a
//!   value beyond `Float32`'s range is an error naming its row and column;
//! - for `priority`: `Utf8`, `LargeUtf8` (pandas' `large_string`),
//!   `Utf8View` (polars) or dictionary-encoded strings (pandas categoricals);
//! - for the usage lists: `List`, `LargeList` or `FixedSizeList` of any float
//!   or integer type, with any item field name (`item`, Spark's `element`);
//! - columns and list items declared nullable, as long as they hold no null
//!   (`tenant` and `vm_type` may hold nulls);
//! - missing metadata keys: no `hearth.schema_version` reads the file as the
//!   current schema (the columns must fit it); no `hearth.observed_from_step`
//!   takes the first arrival; no `hearth.provenance` gives a provenance of one
//!   step, `read-external`, naming the file. No `hearth.step_seconds` is an
//!   error unless the reader is given the step length
//!   ([`ReadOptions::step_seconds`], `--step-seconds` on the command line);
//!   the error names the key and an example value to add.
//!
//! Extra columns and extra metadata keys (pandas' `pandas`, Arrow's
//! `ARROW:schema`) are ignored on reading.
//!
//! Writing is atomic: the file is written to a temporary file
//! (`.<name>.tmp-<pid>-<n>`) in the target's directory, flushed, fsynced and
//! renamed over the target. A failed write removes the temporary file and
//! leaves the target as it was.

mod decode;
mod metadata;
mod read;
mod schema;
mod write;

pub use metadata::ReadOptions;
pub use read::{read_workload, read_workload_with};
pub use schema::{
    schema, KEY_OBSERVED_FROM, KEY_PROVENANCE, KEY_SCHEMA_VERSION, KEY_STEP_SECONDS, ROWS_PER_GROUP, SCHEMA_VERSION,
    SUPPORTED_SCHEMA_VERSIONS,
};
pub use write::{record_batches, write_workload};
