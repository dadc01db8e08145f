//! Values of facts, parameters and computed results, and their CEL representation.
//!
//! Facts become CEL values by the schema: dates become timestamps at midnight UTC (so they
//! compare by day), numbers are exact ([`Number`], in CEL an [`crate::exact::ExactNumber`]: 1e26
//! does not fit an int, and a double would decide a boundary on a binary image), enums are
//! checked strings.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
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
    /// A point in time, in seconds since 1970-01-01T00:00:00Z: where the law counts hours
    /// (`datetime` facts and computed values).
    Instant(i64),
    /// A list of strings.
    List(Vec<String>),
    /// A list of dates (a `date_list` parameter: public holidays).
    Dates(Vec<Date>),
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
            Value::Instant(t) => cel::Value::Timestamp(instant_to_timestamp(*t)),
            Value::List(items) => cel::Value::List(Arc::new(
                items
                    .iter()
                    .map(|s| cel::Value::String(Arc::new(s.clone())))
                    .collect(),
            )),
            Value::Dates(days) => cel::Value::List(Arc::new(
                days.iter()
                    .map(|d| cel::Value::Timestamp(date_to_timestamp(*d)))
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
            // Midnight UTC is a date, as dates are represented; any other time is an instant.
            cel::Value::Timestamp(t) if t.timestamp() % 86_400 == 0 => {
                Value::Date(timestamp_to_date(t)?)
            }
            cel::Value::Timestamp(t) => Value::Instant(t.timestamp()),
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
            Value::Instant(_) => serde_json::Value::String(self.to_string()),
            Value::List(items) => serde_json::Value::Array(
                items
                    .iter()
                    .map(|s| serde_json::Value::String(s.clone()))
                    .collect(),
            ),
            Value::Dates(days) => serde_json::Value::Array(
                days.iter()
                    .map(|d| serde_json::Value::String(d.to_string()))
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
            Value::Instant(t) => f.write_str(&instant_text(*t)),
            Value::List(items) => write!(f, "[{}]", items.join(", ")),
            Value::Dates(days) => {
                let days: Vec<String> = days.iter().map(Date::to_string).collect();
                write!(f, "[{}]", days.join(", "))
            }
        }
    }
}

/// An instant as RFC 3339 in UTC, to the second: `2027-03-04T14:30:00Z`.
pub fn instant_text(t: i64) -> String {
    instant_to_timestamp(t)
        .with_timezone(&Utc)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// An instant as a CEL timestamp (UTC).
pub fn instant_to_timestamp(t: i64) -> DateTime<FixedOffset> {
    Utc.timestamp_opt(t, 0)
        .single()
        .unwrap_or_default()
        .fixed_offset()
}

/// Reads an RFC 3339 date-time with its offset (`2027-03-01T14:30:00Z`,
/// `2027-03-01T09:30:00-05:00`) as an instant: in UTC within the years dates may have
/// ([`juxta_sdk::date::MIN_YEAR`] to [`juxta_sdk::date::MAX_YEAR`]), to the whole second (a
/// fraction is refused, never dropped).
pub fn parse_instant(text: &str) -> Result<i64, String> {
    use juxta_sdk::date::{MAX_YEAR, MIN_YEAR};
    let t = DateTime::parse_from_rfc3339(text).map_err(|e| {
        format!("`{text}` is not an RFC 3339 date-time with its offset ({e}), such as 2027-03-01T14:30:00Z")
    })?;
    let utc = t.with_timezone(&Utc);
    use chrono::Datelike;
    if !(MIN_YEAR..=MAX_YEAR).contains(&utc.year()) {
        return Err(format!(
            "`{text}` is outside the years {MIN_YEAR} to {MAX_YEAR} (in UTC)"
        ));
    }
    if t.timestamp_subsec_nanos() != 0 {
        return Err(format!(
            "`{text}` has a fraction of a second: deadlines in hours are counted to the second; give whole seconds"
        ));
    }
    Ok(t.timestamp())
}

/// An instant as RFC 3339 text, if it lies within the years dates may have: how a binary
/// timestamp (a Parquet cell) is read, so that an out-of-range one is refused, never wrapped.
pub fn instant_text_checked(t: i64) -> Option<String> {
    let utc = DateTime::<Utc>::from_timestamp(t, 0)?;
    let text = utc.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    parse_instant(&text).ok().map(|_| text)
}

/// The UTC calendar date of an instant.
pub fn instant_date(t: i64) -> Option<Date> {
    timestamp_to_date(&instant_to_timestamp(t))
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

pub use crate::calendar::{date_to_timestamp, timestamp_to_date};

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
