//! Calendar arithmetic the law needs beyond calendar days: business days around holidays.
//! A leaf module (dates only), used by the interpreter's `business_days` ([`crate::exact`]).

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use juxta_sdk::Date;

/// The most business days `business_days` counts: ten years of them, so that its loop is
/// bounded whatever a profile or parameter holds.
pub const MAX_BUSINESS_DAYS: i64 = 3660;

/// The day `n` business days after `start` ends: each day after `start` that is not a
/// Saturday, a Sunday or one of `holidays` (sorted) counts one; `n = 0` is `start` itself.
///
/// `spend(steps)` is told of the work as it goes (a step per day walked, and the search of each
/// in the holidays); it returns `false` when the caller's budget is spent, which stops the walk.
pub fn add_business_days(
    start: Date,
    n: i64,
    holidays: &[Date],
    spend: &mut dyn FnMut(u64) -> bool,
) -> Result<Date, String> {
    if !(0..=MAX_BUSINESS_DAYS).contains(&n) {
        return Err(format!(
            "counts 0 to {MAX_BUSINESS_DAYS} business days, not {n}"
        ));
    }
    let mut day = start.days_since_epoch();
    let mut left = n;
    let search = u64::from(usize::BITS - holidays.len().leading_zeros()) + 1;
    while left > 0 {
        if !spend(search) {
            return Err("the run-time budget of this expression is spent".into());
        }
        day += 1;
        // 1970-01-01 was a Thursday: day 2 (mod 7) is a Saturday, 3 a Sunday.
        let weekend = matches!(day.rem_euclid(7), 2 | 3);
        let date = Date::from_days_since_epoch(day)
            .map_err(|_| "the result is out of range".to_string())?;
        if !weekend && holidays.binary_search(&date).is_err() {
            left -= 1;
        }
    }
    Date::from_days_since_epoch(day).map_err(|_| "the result is out of range".into())
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
