//! Values of facts, parameters and computed results, and their CEL representation.
//!
//! Facts become CEL values by the schema: dates become timestamps at midnight UTC (so they
//! compare by day), numbers are exact ([`Number`], in CEL an [`crate::exact::ExactNumber`]: 1e26
//! does not fit an int, and a double would decide a boundary on a binary image), enums are
//! checked strings.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use juxta_sdk::Date;

use crate::number::Number;

/// A fact, parameter or computed value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A boolean.
    Bool(bool),
    /// An exact number.
    Number(Number),
    /// An integer (parameters such as day counts).
    Integer(i64),
    /// A string (free text, a country code, an enum value).
    Text(String),
    /// A calendar date.
    Date(Date),
    /// A list of strings.
    List(Vec<String>),
}

impl Value {
    /// The CEL value.
    pub fn to_cel(&self) -> cel::Value {
        match self {
            Value::Bool(b) => cel::Value::Bool(*b),
            Value::Number(n) => crate::exact::to_cel(n),
            Value::Integer(i) => cel::Value::Int(*i),
            Value::Text(s) => cel::Value::String(Arc::new(s.clone())),
            Value::Date(d) => cel::Value::Timestamp(date_to_timestamp(*d)),
            Value::List(items) => cel::Value::List(Arc::new(
                items
                    .iter()
                    .map(|s| cel::Value::String(Arc::new(s.clone())))
                    .collect(),
            )),
        }
    }

    /// The value from a CEL result, if it is one of ours.
    pub fn from_cel(value: &cel::Value) -> Option<Value> {
        Some(match value {
            cel::Value::Bool(b) => Value::Bool(*b),
            cel::Value::Opaque(_) | cel::Value::Float(_) => {
                Value::Number(crate::exact::number_of(value)?)
            }
            cel::Value::Int(i) => Value::Integer(*i),
            cel::Value::UInt(u) => Value::Integer(i64::try_from(*u).ok()?),
            cel::Value::String(s) => Value::Text(s.to_string()),
            cel::Value::Timestamp(t) => Value::Date(timestamp_to_date(t)?),
            cel::Value::List(items) => Value::List(
                items
                    .iter()
                    .map(|v| match v {
                        cel::Value::String(s) => Some(s.to_string()),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?,
            ),
            _ => return None,
        })
    }

    /// The JSON representation used in reports: dates as `YYYY-MM-DD`, numbers as the nearest
    /// double of their exact value.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Number::from_f64(n.to_f64())
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Integer(i) => serde_json::Value::from(*i),
            Value::Text(s) => serde_json::Value::String(s.clone()),
            Value::Date(d) => serde_json::Value::String(d.to_string()),
            Value::List(items) => serde_json::Value::Array(
                items
                    .iter()
                    .map(|s| serde_json::Value::String(s.clone()))
                    .collect(),
            ),
        }
    }

    /// The date, if this is one.
    pub fn as_date(&self) -> Option<Date> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<Number> {
        match self {
            Value::Number(n) => Some(n.clone()),
            Value::Integer(i) => Some(Number::from_i64(*i)),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    /// Human form: large numbers in scientific notation (`3.00e25`), dates as `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => f.write_str(&format_number(n.to_f64())),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Text(s) => f.write_str(s),
            Value::Date(d) => write!(f, "{d}"),
            Value::List(items) => write!(f, "[{}]", items.join(", ")),
        }
    }
}

/// Formats a number the way the inventories write them: `3.00e25` for large magnitudes,
/// `15000000` for amounts below a billion, `0.5` for fractions.
pub fn format_number(n: f64) -> String {
    if n != 0.0 && (n.abs() >= 1e9 || n.abs() < 1e-3) {
        format!("{n:.2e}")
    } else if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

/// Midnight UTC of a date, as CEL represents dates.
pub fn date_to_timestamp(d: Date) -> DateTime<FixedOffset> {
    let naive = NaiveDate::from_ymd_opt(d.year(), u32::from(d.month()), u32::from(d.day()))
        .and_then(|n| n.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    Utc.from_utc_datetime(&naive).fixed_offset()
}

/// The UTC calendar date of a CEL timestamp, if it lies in the accepted range.
pub fn timestamp_to_date(t: &DateTime<FixedOffset>) -> Option<Date> {
    use chrono::Datelike;
    let utc = t.with_timezone(&Utc);
    Date::new(utc.year(), utc.month() as u8, utc.day() as u8).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_cel() {
        let d: Date = "2026-03-10".parse().unwrap();
        let cel = Value::Date(d).to_cel();
        assert_eq!(Value::from_cel(&cel), Some(Value::Date(d)));
    }

    #[test]
    fn numbers_print_like_the_inventories() {
        assert_eq!(format_number(3.0e25), "3.00e25");
        assert_eq!(format_number(15_000_000.0), "15000000");
        assert_eq!(format_number(0.5), "0.5");
    }
}
