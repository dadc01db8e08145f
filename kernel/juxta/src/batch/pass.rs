//! Passthrough columns (`--passthrough`): a user's own columns, carried from a columnar input
//! into every output record of the row unchanged — in Parquet and Arrow with their own type, in
//! JSON Lines as the JSON value of the cell.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Float16Type, Float32Type, Float64Type, Int8Type,
    Int16Type, Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use serde_json::Value;

/// The names a passthrough column may not take: the fields of an output record in either
/// layout, besides the regime ids (checked by the caller).
pub const RESERVED: &[&str] = &[
    "id",
    "line",
    "as_of",
    "error",
    "regimes",
    "regime",
    "rule",
    "kind",
    "title",
    "status",
    "state",
    "days",
    "due",
    "due_at",
    "citation",
    "missing_facts",
];

/// Checks that passthrough columns take no name of the output's own (a record field or a
/// regime's column): a reader would keep one of the two and silently drop the other.
pub fn check_names<'a>(
    names: impl IntoIterator<Item = &'a str>,
    regimes: &[&str],
) -> Result<(), String> {
    for name in names {
        if RESERVED.contains(&name) || regimes.contains(&name) {
            return Err(format!(
                "--passthrough {name}: the output has a field `{name}` of its own; rename the column first"
            ));
        }
    }
    Ok(())
}

/// The passthrough values of one record as JSON members, in column order.
pub fn json_members(pass: &RecordBatch) -> Vec<(String, Value)> {
    let schema = pass.schema();
    schema
        .fields()
        .iter()
        .zip(pass.columns())
        .map(|(f, c)| (f.name().clone(), cell(c.as_ref(), 0)))
        .collect()
}

/// An Arrow cell as JSON: numbers as numbers (exact decimals and 64-bit integers as written),
/// days as `YYYY-MM-DD`, instants as RFC 3339 in UTC, nulls as null; a type JSON has no form
/// for as the cell's display text.
pub fn cell(array: &dyn Array, row: usize) -> Value {
    if array.is_null(row) {
        return Value::Null;
    }
    let number = |text: String| {
        serde_json::from_str::<serde_json::Number>(&text)
            .map(Value::Number)
            .unwrap_or(Value::String(text))
    };
    match array.data_type() {
        DataType::Boolean => Value::Bool(array.as_boolean().value(row)),
        DataType::Utf8 => Value::String(array.as_string::<i32>().value(row).to_string()),
        DataType::LargeUtf8 => Value::String(array.as_string::<i64>().value(row).to_string()),
        DataType::Utf8View => Value::String(array.as_string_view().value(row).to_string()),
        DataType::Int8 => Value::from(array.as_primitive::<Int8Type>().value(row)),
        DataType::Int16 => Value::from(array.as_primitive::<Int16Type>().value(row)),
        DataType::Int32 => Value::from(array.as_primitive::<Int32Type>().value(row)),
        DataType::Int64 => Value::from(array.as_primitive::<Int64Type>().value(row)),
        DataType::UInt8 => Value::from(array.as_primitive::<UInt8Type>().value(row)),
        DataType::UInt16 => Value::from(array.as_primitive::<UInt16Type>().value(row)),
        DataType::UInt32 => Value::from(array.as_primitive::<UInt32Type>().value(row)),
        DataType::UInt64 => Value::from(array.as_primitive::<UInt64Type>().value(row)),
        DataType::Float16 => float(f64::from(array.as_primitive::<Float16Type>().value(row))),
        // A single-precision float as its own shortest decimal, as the facts are read.
        DataType::Float32 => {
            let v = array.as_primitive::<Float32Type>().value(row);
            if v.is_finite() {
                number(v.to_string())
            } else {
                Value::Null
            }
        }
        DataType::Float64 => float(array.as_primitive::<Float64Type>().value(row)),
        DataType::Decimal128(_, scale) => {
            let v = array.as_primitive::<Decimal128Type>().value(row);
            number(format!("{v}e{}", -i32::from(*scale)))
        }
        DataType::Date32 => day(i64::from(array.as_primitive::<Date32Type>().value(row))),
        DataType::Date64 => day(array
            .as_primitive::<Date64Type>()
            .value(row)
            .div_euclid(86_400_000)),
        DataType::Timestamp(unit, _) => {
            let (v, per_second) = timestamp(array, row, *unit);
            match juxta_core::value::instant_text_checked(v.div_euclid(per_second)) {
                Some(t) if v.rem_euclid(per_second) == 0 => Value::String(t),
                // A fraction of a second, or beyond the years juxta names: the count itself.
                _ => Value::from(v),
            }
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>().value(row);
            Value::Array((0..list.len()).map(|i| cell(list.as_ref(), i)).collect())
        }
        DataType::LargeList(_) => {
            let list = array.as_list::<i64>().value(row);
            Value::Array((0..list.len()).map(|i| cell(list.as_ref(), i)).collect())
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            Value::Object(
                fields
                    .iter()
                    .zip(s.columns())
                    .map(|(f, c)| (f.name().clone(), cell(c.as_ref(), row)))
                    .collect(),
            )
        }
        // Refused before the run by `json_writable`.
        _ => Value::Null,
    }
}

/// Whether a column of this type can be written as JSON by [`cell`].
pub fn json_writable(ty: &DataType) -> bool {
    match ty {
        DataType::List(f) | DataType::LargeList(f) => json_writable(f.data_type()),
        DataType::Struct(fields) => fields.iter().all(|f| json_writable(f.data_type())),
        ty if is_integer(ty) => true,
        DataType::Boolean
        | DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(..)
        | DataType::Date32
        | DataType::Date64
        | DataType::Timestamp(..)
        | DataType::Null => true,
        _ => false,
    }
}

fn float(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

fn day(days: i64) -> Value {
    juxta_sdk::Date::from_days_since_epoch(days)
        .map_or(Value::Null, |d| Value::String(d.to_string()))
}

/// Whether a column of this type holds whole numbers.
pub(super) fn is_integer(ty: &DataType) -> bool {
    matches!(
        ty,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
    )
}

/// A timestamp cell as its count and the counts per second of its unit.
pub(super) fn timestamp(array: &dyn Array, row: usize, unit: TimeUnit) -> (i64, i64) {
    match unit {
        TimeUnit::Second => (array.as_primitive::<TimestampSecondType>().value(row), 1),
        TimeUnit::Millisecond => (
            array.as_primitive::<TimestampMillisecondType>().value(row),
            1_000,
        ),
        TimeUnit::Microsecond => (
            array.as_primitive::<TimestampMicrosecondType>().value(row),
            1_000_000,
        ),
        TimeUnit::Nanosecond => (
            array.as_primitive::<TimestampNanosecondType>().value(row),
            1_000_000_000,
        ),
    }
}
