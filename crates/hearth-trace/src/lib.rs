//! hearth-trace: the workload model of hearth, readers of public cloud trace
//! formats, the composer that builds realistic workloads from several traces,
//! and the Parquet store.

pub mod compose;
pub mod error;
mod external;
pub mod formats;
pub mod info;
pub mod source;
pub mod split;
pub mod store;
pub mod units;
pub mod workload;

pub use compose::{compose, stagger, ComposeOptions, Overlay, SizeSource, StaggerOptions, TimeMode, UsageKey};
pub use error::{Result, TraceError};
pub use formats::{import, import_paths, Format, ImportOptions, Imported};
pub use info::{summarize, Summary};
pub use source::{Dropped, OnBadRow, ReadReport, Source};
pub use split::{split_by_time, split_by_vm};
pub use store::{read_workload, read_workload_with, record_batches, write_workload, ReadOptions};
pub use units::{Cores, Gib, Resources, Step, TenantId, VmId, VmTypeId};
pub use workload::{Priority, Provenance, ProvenanceStep, Usage, Vm, Workload};
