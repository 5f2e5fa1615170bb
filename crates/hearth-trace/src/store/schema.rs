//! The workload file's Arrow schema, column names and metadata keys: the
//! format that the docs of [`crate::store`] describe.

use arrow_schema::{DataType, Field, FieldRef, Schema, SchemaRef};
use std::sync::Arc;

/// The schema version this code writes.
pub const SCHEMA_VERSION: &str = "2";
/// The schema versions this code reads.
pub const SUPPORTED_SCHEMA_VERSIONS: &[&str] = &["1", "2"];

pub const KEY_SCHEMA_VERSION: &str = "hearth.schema_version";
pub const KEY_STEP_SECONDS: &str = "hearth.step_seconds";
pub const KEY_OBSERVED_FROM: &str = "hearth.observed_from_step";
pub const KEY_PROVENANCE: &str = "hearth.provenance";

/// VMs per row group and per record batch, written and read.
pub const ROWS_PER_GROUP: usize = 16_384;

pub(super) const COL_ID: &str = "id";
pub(super) const COL_ARRIVAL: &str = "arrival_step";
pub(super) const COL_DEPARTURE: &str = "departure_step";
pub(super) const COL_CPU_REQUEST: &str = "cpu_request_cores";
pub(super) const COL_MEMORY_REQUEST: &str = "memory_request_gib";
pub(super) const COL_PRIORITY: &str = "priority";
pub(super) const COL_TENANT: &str = "tenant";
pub(super) const COL_VM_TYPE: &str = "vm_type";
pub(super) const COL_CPU_USAGE: &str = "cpu_usage_cores";
pub(super) const COL_MEMORY_USAGE: &str = "memory_usage_gib";

pub(super) const COLUMNS: [&str; 8] = [
    COL_ID,
    COL_ARRIVAL,
    COL_DEPARTURE,
    COL_CPU_REQUEST,
    COL_MEMORY_REQUEST,
    COL_PRIORITY,
    COL_CPU_USAGE,
    COL_MEMORY_USAGE,
];

pub(super) fn item_field() -> FieldRef {
    Arc::new(Field::new("item", DataType::Float32, false))
}

/// The Arrow schema of a workload file (without metadata).
pub fn schema() -> SchemaRef {
    let list = DataType::List(item_field());
    Arc::new(Schema::new(vec![
        Field::new(COL_ID, DataType::UInt32, false),
        Field::new(COL_ARRIVAL, DataType::UInt32, false),
        Field::new(COL_DEPARTURE, DataType::UInt32, false),
        Field::new(COL_CPU_REQUEST, DataType::Float32, false),
        Field::new(COL_MEMORY_REQUEST, DataType::Float32, false),
        Field::new(COL_PRIORITY, DataType::Utf8, false),
        Field::new(COL_TENANT, DataType::UInt32, true),
        Field::new(COL_VM_TYPE, DataType::UInt32, true),
        Field::new(COL_CPU_USAGE, list.clone(), false),
        Field::new(COL_MEMORY_USAGE, list, false),
    ]))
}
