//! Columns of workload files written by other tools (pyarrow, pandas,
//! polars, Spark) brought to the store's types: integer and float widths
//! cast with range checks, string and list encodings unified. The rules are
//! listed in the docs of [`crate::store`].

use arrow_array::{Array, ArrayRef};
use arrow_cast::cast::{cast_with_options, CastOptions};
use arrow_cast::display::array_value_to_string;
use arrow_schema::{DataType, Field};
use std::sync::Arc;

/// What a store column holds, for checking a file's declared types.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Read as `UInt32`: ids, steps, tenants, VM types.
    WholeNumber,
    /// Read as `Float32`: requests.
    Number,
    /// Read as `Utf8`: the priority.
    Text,
    /// Read as a list of `Float32`: usage series.
    NumberList,
}

impl Kind {
    /// The type the store writes, as named in errors.
    pub(crate) fn written(self) -> &'static str {
        match self {
            Kind::WholeNumber => "UInt32 (any integer type is read if its values fit)",
            Kind::Number => "Float32 (any float or integer type is read)",
            Kind::Text => "Utf8 (LargeUtf8, Utf8View and dictionary strings are read too)",
            Kind::NumberList => "List<Float32> (List, LargeList or FixedSizeList of any number type is read)",
        }
    }

    /// True when a column of type `t` can be read as this kind.
    pub(crate) fn accepts(self, t: &DataType) -> bool {
        match self {
            Kind::WholeNumber => t.is_integer(),
            Kind::Number => t.is_floating() || t.is_integer(),
            Kind::Text => match t {
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
                DataType::Dictionary(_, v) => matches!(**v, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View),
                _ => false,
            },
            Kind::NumberList => match t {
                DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
                    Kind::Number.accepts(f.data_type())
                }
                _ => false,
            },
        }
    }
}

/// Checks a file's declared column type, naming what is read instead.
pub(crate) fn check_type(col: &str, kind: Kind, t: &DataType) -> Result<(), String> {
    if kind.accepts(t) {
        Ok(())
    } else {
        Err(format!("column `{col}` has type {t}, expected {}", kind.written()))
    }
}

/// `array` as the store's type for `kind`. A value that does not fit is an
/// error naming its row (`base` is the file row of the array's first element).
pub(crate) fn conform(array: &ArrayRef, col: &str, kind: Kind, base: usize) -> Result<ArrayRef, String> {
    let target = match (kind, array.data_type()) {
        (Kind::WholeNumber, _) => DataType::UInt32,
        (Kind::Number, _) => DataType::Float32,
        (Kind::Text, _) => DataType::Utf8,
        // Float32 lists of either offset width are read as they are.
        (Kind::NumberList, DataType::List(f) | DataType::LargeList(f)) if f.data_type() == &DataType::Float32 => {
            return Ok(array.clone())
        }
        (Kind::NumberList, DataType::LargeList(_)) => DataType::LargeList(item()),
        (Kind::NumberList, _) => DataType::List(item()),
    };
    if array.data_type() == &target {
        return Ok(array.clone());
    }
    let cast = cast(array, &target, col)?;
    if let Some(row) = newly_null(array.as_ref(), cast.as_ref()) {
        let value = array_value_to_string(array, row).unwrap_or_else(|_| "?".into());
        return Err(format!(
            "row {}: column `{col}`: {value} does not fit {target}",
            base + row
        ));
    }
    if kind == Kind::Number {
        check_float_range(array, cast.as_ref(), col, base)?;
    }
    Ok(cast)
}

fn item() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Float32, true))
}

/// A safe cast: a value that does not fit becomes null (checked by the caller).
fn cast(array: &ArrayRef, target: &DataType, col: &str) -> Result<ArrayRef, String> {
    let options = CastOptions {
        safe: true,
        ..CastOptions::default()
    };
    cast_with_options(array, target, &options)
        .map_err(|e| format!("column `{col}`: cannot read {} as {target}: {e}", array.data_type()))
}

/// The first row null after a cast but not before it.
fn newly_null(before: &dyn Array, after: &dyn Array) -> Option<usize> {
    if after.null_count() == before.null_count() {
        return None;
    }
    (0..after.len()).find(|&i| after.is_null(i) && before.is_valid(i))
}

/// A float cast narrows by rounding: a finite value beyond `Float32`'s range
/// comes out infinite instead of null.
fn check_float_range(before: &ArrayRef, after: &dyn Array, col: &str, base: usize) -> Result<(), String> {
    let wide = cast(before, &DataType::Float64, col)?;
    let (Some(wide), Some(narrow)) = (
        wide.as_any().downcast_ref::<arrow_array::Float64Array>(),
        after.as_any().downcast_ref::<arrow_array::Float32Array>(),
    ) else {
        return Ok(());
    };
    let bad = (0..wide.len()).find(|&i| wide.is_valid(i) && wide.value(i).is_finite() && !narrow.value(i).is_finite());
    match bad {
        Some(row) => Err(format!(
            "row {}: column `{col}`: {} does not fit Float32",
            base + row,
            wide.value(row)
        )),
        None => Ok(()),
    }
}
