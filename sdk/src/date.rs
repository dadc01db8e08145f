//! A calendar date without a time zone, the only kind of date the schema and manifests use.
//!
//! Deliberately tiny (no chrono) so that the SDK stays cheap to build for `wasm32`. Reads a TOML
//! local date (`2026-09-01`) or a string in the same format (JSON has no date type); writes
//! `YYYY-MM-DD`.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Earliest year a date may have; older dates in a profile are taken as typing mistakes.
pub const MIN_YEAR: i32 = 1900;
/// Latest year a date may have.
pub const MAX_YEAR: i32 = 2999;

/// A valid Gregorian calendar date between [`MIN_YEAR`] and [`MAX_YEAR`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Why a text is not a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateError(pub String);

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DateError {}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl Date {
    /// A date from its parts, if it exists in the calendar and lies in the accepted range.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, DateError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(DateError(format!(
                "year {year} is outside {MIN_YEAR}..={MAX_YEAR}"
            )));
        }
        if !(1..=12).contains(&month) {
            return Err(DateError(format!("month {month} does not exist")));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError(format!("{year:04}-{month:02} has no day {day}")));
        }
        Ok(Date { year, month, day })
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before). Howard Hinnant's `days_from_civil`.
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01, if it lies in the accepted range.
    pub fn from_days_since_epoch(days: i64) -> Result<Date, DateError> {
        let z = days + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        let year =
            i32::try_from(year).map_err(|_| DateError(format!("year {year} out of range")))?;
        // `month` is 1..=12 and `day` 1..=31 by construction.
        Date::new(year, month as u8, day as u8)
    }

    /// This date moved by `days` calendar days (negative moves back).
    pub fn add_days(self, days: i64) -> Result<Date, DateError> {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DateError;

    /// Parses exactly `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Date, DateError> {
        let bytes = s.as_bytes();
        let well_formed = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !well_formed {
            return Err(DateError(format!(
                "`{s}` is not a date of the form YYYY-MM-DD"
            )));
        }
        let num = |r: std::ops::Range<usize>| -> u32 {
            s[r].bytes()
                .fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
        };
        // Four digits fit an i32, two digits fit a u8.
        Date::new(num(0..4) as i32, num(5..7) as u8, num(8..10) as u8)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The field name under which the `toml` crate hands a datetime to a visitor.
const TOML_DATETIME_FIELD: &str = "$__toml_private_datetime";

struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = Date;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date (YYYY-MM-DD)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
        v.parse().map_err(|e: DateError| E::custom(e.0))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Date, A::Error> {
        let key: Option<String> = map.next_key()?;
        if key.as_deref() != Some(TOML_DATETIME_FIELD) {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        }
        let text: String = map.next_value()?;
        if text.len() != 10 {
            return Err(de::Error::custom(format!(
                "`{text}` is a date-time; a date (YYYY-MM-DD) without time or offset is expected"
            )));
        }
        text.parse().map_err(|e: DateError| de::Error::custom(e.0))
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        deserializer.deserialize_any(DateVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let d: Date = "2026-09-01".parse().unwrap();
        assert_eq!(d.to_string(), "2026-09-01");
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!("2026-02-29".parse::<Date>().is_err());
        assert!("2024-02-29".parse::<Date>().is_ok());
        assert!("2026-13-01".parse::<Date>().is_err());
        assert!("2026-1-01".parse::<Date>().is_err());
        assert!("0001-01-01".parse::<Date>().is_err());
    }

    #[test]
    fn day_arithmetic_crosses_months_and_years() {
        let d: Date = "2025-11-03".parse().unwrap();
        assert_eq!(d.add_days(14).unwrap().to_string(), "2025-11-17");
        let d: Date = "2026-12-01".parse().unwrap();
        assert_eq!(d.add_days(-30).unwrap().to_string(), "2026-11-01");
        let d: Date = "2024-12-25".parse().unwrap();
        assert_eq!(d.add_days(10).unwrap().to_string(), "2025-01-04");
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
    }

    #[test]
    fn reads_toml_dates_and_json_strings() {
        #[derive(Deserialize)]
        struct T {
            d: Date,
        }
        let t: T = toml::from_str("d = 2026-09-01").unwrap();
        assert_eq!(t.d.to_string(), "2026-09-01");
        let t: T = serde_json::from_str(r#"{"d": "2026-09-01"}"#).unwrap();
        assert_eq!(t.d.to_string(), "2026-09-01");
        let err = toml::from_str::<T>("d = 2026-09-01T10:00:00Z")
            .err()
            .unwrap();
        assert!(err.to_string().contains("date-time"), "{err}");
    }
}
