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
/// regime's column): a reader would keep one of the two and silently drop the other. Names
/// are compared without case, as Spark and DuckDB resolve columns: `ID` would shadow `id`.
pub fn check_names<'a>(
    names: impl IntoIterator<Item = &'a str>,
    regimes: &[&str],
) -> Result<(), String> {
    for name in names {
        let taken = RESERVED
            .iter()
            .chain(regimes)
            .find(|own| own.eq_ignore_ascii_case(name));
        if let Some(own) = taken {
            return Err(format!(
                "--passthrough {name}: the output has a field `{own}` of its own; rename the column first"
            ));
        }
    }
    Ok(())
}

/// The passthrough values of one record as JSON members, in column order (the names borrowed
/// from the batch's schema: this runs for every record).
pub fn json_members(pass: &RecordBatch) -> Vec<(&str, Json)> {
    pass.schema_ref()
        .fields()
        .iter()
        .zip(pass.columns())
        .map(|(f, c)| (f.name().as_str(), cell(c.as_ref(), 0)))
        .collect()
}

/// A passthrough cell as JSON. Numbers are kept as their text, so that a decimal or a 64-bit
/// integer is written with every digit it has (a `serde_json::Value` would round a decimal
/// through a float).
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The text of a JSON number, written as it is.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl serde::Serialize for Json {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Json::Null => ser.serialize_unit(),
            Json::Bool(b) => ser.serialize_bool(*b),
            Json::Number(text) => match serde_json::value::RawValue::from_string(text.clone()) {
                Ok(raw) => raw.serialize(ser),
                // Every number text here is built as JSON; were one not, it stays a string.
                Err(_) => ser.serialize_str(text),
            },
            Json::String(s) => ser.serialize_str(s),
            Json::Array(items) => {
                let mut seq = ser.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(members) => {
                let mut map = ser.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// An Arrow cell as JSON: numbers as numbers with all their digits (decimals as written, never
/// through a float); a float that is not finite as the string `NaN`, `Infinity` or
/// `-Infinity` (JSON has no such number); days as `YYYY-MM-DD`; instants as RFC 3339 with
/// the unit's fraction of a second when there is one, ending in `Z` when the column has a
/// time zone and without an offset when it has none (a wall-clock time); nulls as null. A day
/// or instant beyond the years a calendar can name (±262,000) is written as its count.
pub fn cell(array: &dyn Array, row: usize) -> Json {
    if array.is_null(row) {
        return Json::Null;
    }
    let int = |v: i128| Json::Number(v.to_string());
    match array.data_type() {
        DataType::Boolean => Json::Bool(array.as_boolean().value(row)),
        DataType::Utf8 => Json::String(array.as_string::<i32>().value(row).to_string()),
        DataType::LargeUtf8 => Json::String(array.as_string::<i64>().value(row).to_string()),
        DataType::Utf8View => Json::String(array.as_string_view().value(row).to_string()),
        DataType::Int8 => int(array.as_primitive::<Int8Type>().value(row).into()),
        DataType::Int16 => int(array.as_primitive::<Int16Type>().value(row).into()),
        DataType::Int32 => int(array.as_primitive::<Int32Type>().value(row).into()),
        DataType::Int64 => int(array.as_primitive::<Int64Type>().value(row).into()),
        DataType::UInt8 => int(array.as_primitive::<UInt8Type>().value(row).into()),
        DataType::UInt16 => int(array.as_primitive::<UInt16Type>().value(row).into()),
        DataType::UInt32 => int(array.as_primitive::<UInt32Type>().value(row).into()),
        DataType::UInt64 => int(array.as_primitive::<UInt64Type>().value(row).into()),
        DataType::Float16 => float(f64::from(array.as_primitive::<Float16Type>().value(row))),
        // A single-precision float as its own shortest decimal, as the facts are read.
        DataType::Float32 => {
            let v = array.as_primitive::<Float32Type>().value(row);
            if v.is_finite() {
                // `{v:?}` is the shortest text that reads back as `v` (`1e25`, `0.1`): JSON.
                Json::Number(format!("{v:?}"))
            } else {
                float(f64::from(v))
            }
        }
        DataType::Float64 => float(array.as_primitive::<Float64Type>().value(row)),
        DataType::Decimal128(_, scale) => Json::Number(decimal_text(
            array.as_primitive::<Decimal128Type>().value(row),
            *scale,
        )),
        DataType::Date32 => day(i64::from(array.as_primitive::<Date32Type>().value(row))),
        DataType::Date64 => day(array
            .as_primitive::<Date64Type>()
            .value(row)
            .div_euclid(86_400_000)),
        DataType::Timestamp(unit, zone) => {
            let (v, per_second) = timestamp(array, row, *unit);
            instant(v, per_second, zone.is_some())
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>().value(row);
            Json::Array((0..list.len()).map(|i| cell(list.as_ref(), i)).collect())
        }
        DataType::LargeList(_) => {
            let list = array.as_list::<i64>().value(row);
            Json::Array((0..list.len()).map(|i| cell(list.as_ref(), i)).collect())
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            Json::Object(
                fields
                    .iter()
                    .zip(s.columns())
                    .map(|(f, c)| (f.name().clone(), cell(c.as_ref(), row)))
                    .collect(),
            )
        }
        // Refused before the run by `json_writable`.
        _ => Json::Null,
    }
}

/// A decimal's unscaled value and scale as the JSON number it is: `12345` at scale 2 is
/// `123.45`, at scale -3 `12345e3`.
fn decimal_text(v: i128, scale: i8) -> String {
    if scale <= 0 {
        return if scale == 0 || v == 0 {
            v.to_string()
        } else {
            format!("{v}e{}", -i32::from(scale))
        };
    }
    let digits = v.unsigned_abs().to_string();
    let scale = usize::from(scale.unsigned_abs());
    let sign = if v < 0 { "-" } else { "" };
    if digits.len() > scale {
        let (whole, frac) = digits.split_at(digits.len() - scale);
        format!("{sign}{whole}.{frac}")
    } else {
        format!("{sign}0.{digits:0>scale$}")
    }
}

fn float(v: f64) -> Json {
    if v.is_nan() {
        Json::String("NaN".into())
    } else if v.is_infinite() {
        Json::String(if v > 0.0 { "Infinity" } else { "-Infinity" }.into())
    } else {
        // The shortest text that reads back as `v`, as serde_json writes it.
        Json::Number(format!("{v:?}"))
    }
}

fn day(days: i64) -> Json {
    let date = i32::try_from(days + 719_163)
        .ok()
        .and_then(chrono::NaiveDate::from_num_days_from_ce_opt);
    match date {
        Some(d) => Json::String(d.format("%Y-%m-%d").to_string()),
        None => Json::Number(days.to_string()),
    }
}

fn instant(count: i64, per_second: i64, zoned: bool) -> Json {
    let secs = count.div_euclid(per_second);
    let sub = count.rem_euclid(per_second);
    // `sub` < 1e9 and `per_second` divides 1e9.
    let nanos = u32::try_from(sub * (1_000_000_000 / per_second)).unwrap_or(0);
    let Some(t) = chrono::DateTime::from_timestamp(secs, nanos) else {
        return Json::Number(count.to_string());
    };
    let fraction = match (sub, per_second) {
        (0, _) | (_, 1) => "",
        (_, 1_000) => "%.3f",
        (_, 1_000_000) => "%.6f",
        _ => "%.9f",
    };
    let zone = if zoned { "Z" } else { "" };
    Json::String(
        t.naive_utc()
            .format(&format!("%Y-%m-%dT%H:%M:%S{fraction}{zone}"))
            .to_string(),
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{
        Date32Array, Decimal128Array, Float32Array, Float64Array, TimestampMillisecondArray,
        TimestampSecondArray, UInt64Array,
    };

    fn text(array: &dyn Array, row: usize) -> String {
        serde_json::to_string(&cell(array, row)).unwrap_or_default()
    }

    #[test]
    fn decimals_keep_every_digit() {
        let a = Decimal128Array::from(vec![12_345_678_901_234_567_890_i128, -5, 12345, 0])
            .with_precision_and_scale(38, 0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text(&a, 0), "12345678901234567890");
        let a = Decimal128Array::from(vec![12345_i128, -5, 7])
            .with_precision_and_scale(10, 3)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text(&a, 0), "12.345");
        assert_eq!(text(&a, 1), "-0.005");
        assert_eq!(text(&a, 2), "0.007");
        let a = Decimal128Array::from(vec![12_i128, 0])
            .with_precision_and_scale(10, -3)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text(&a, 0), "12e3");
        assert_eq!(text(&a, 1), "0");
        assert_eq!(
            text(&UInt64Array::from(vec![u64::MAX]), 0),
            "18446744073709551615"
        );
    }

    #[test]
    fn floats_are_shortest_and_never_lost() {
        assert_eq!(text(&Float32Array::from(vec![0.1_f32]), 0), "0.1");
        assert_eq!(text(&Float64Array::from(vec![3e25]), 0), "3e25");
        let a = Float64Array::from(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY]);
        assert_eq!(text(&a, 0), "\"NaN\"");
        assert_eq!(text(&a, 1), "\"Infinity\"");
        assert_eq!(text(&a, 2), "\"-Infinity\"");
    }

    #[test]
    fn days_of_any_year() {
        let a = Date32Array::from(vec![-47482, 0, 376_200, i32::MAX]);
        assert_eq!(text(&a, 0), "\"1840-01-01\"");
        assert_eq!(text(&a, 1), "\"1970-01-01\"");
        assert_eq!(text(&a, 2), "\"3000-01-01\"");
        assert_eq!(text(&a, 3), i32::MAX.to_string());
    }

    #[test]
    fn instants_keep_fractions_and_zones() {
        let zoned = TimestampMillisecondArray::from(vec![1_500, 1_000]).with_timezone("UTC");
        assert_eq!(text(&zoned, 0), "\"1970-01-01T00:00:01.500Z\"");
        assert_eq!(text(&zoned, 1), "\"1970-01-01T00:00:01Z\"");
        let wall = TimestampSecondArray::from(vec![-1]);
        assert_eq!(text(&wall, 0), "\"1969-12-31T23:59:59\"");
        let far = TimestampSecondArray::from(vec![i64::MAX]);
        assert_eq!(text(&far, 0), i64::MAX.to_string());
    }
}
