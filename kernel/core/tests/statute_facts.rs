//! The facts and time primitives real statutes need, end to end from a regime's TOML: money in
//! its own currency, counts, lists, date-times and hours, business days with holidays, and the
//! bound a `max` or `min` keeps when one operand is unknown.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use juxta_core::eval::Facts;
use juxta_core::profile::{Format, Profile, fact_from_text};
use juxta_core::regime::{Regime, Source, schema_for};
use juxta_core::report::{ComputedBound, ComputedValue, RegimeReport, Status};
use juxta_core::schema::Schema;

const REGIME: &str = r#"
[regime]
id = "st-act"
name = "Statute Test Act"
jurisdiction = "ST"
version = "0.1.0"
facts_schema = "1.3"
case_key = "st"

[namespace]
name = "st"

[namespace.facts.revenue]
type = "money"
currency = "USD"
rates = { EUR = "usd_per_eur" }
meaning = "gross revenue"

[namespace.facts.staff]
type = "integer"
min = 0
meaning = "employees"

[namespace.facts.products]
type = "string_list"
meaning = "product names"

[namespace.facts.incident_at]
type = "datetime"
meaning = "when the incident was discovered"

[parameters.usd_per_eur]
title = "USD per EUR"
type = "number"
unit = "USD per EUR"
values = [
  { from = 2026-01-01, value = 1.25, source = "rate 2025" },
  { from = 2027-01-01, value = 1.1, source = "rate 2026" },
]

[parameters.threshold_usd]
title = "Revenue threshold (strictly greater)"
type = "number"
unit = "USD"
values = [{ from = 2026-01-01, value = 500000000.0, source = "s. 1" }]

[parameters.report_hours]
title = "Report within"
type = "integer"
unit = "hours"
values = [{ from = 2026-01-01, value = 72, source = "s. 4" }]

[parameters.notice_days]
title = "Notice within"
type = "integer"
unit = "business days"
values = [{ from = 2026-01-01, value = 10, source = "s. 5" }]

[parameters.holidays]
title = "Holidays"
type = "date_list"
values = [{ from = 2026-01-01, value = [2027-01-01, 2026-12-25, 2026-12-28], source = "Holidays Act" }]

[parameters.fine_floor]
title = "Fine floor"
type = "number"
unit = "USD"
values = [{ from = 2026-01-01, value = 5000000.0, source = "s. 9" }]

[parameters.fine_ceiling]
title = "Fine ceiling"
type = "number"
unit = "USD"
values = [{ from = 2026-01-01, value = 90000000.0, source = "s. 9" }]

[blocks.BIG]
title = "Big"
condition = "st.revenue > params.threshold_usd"

[blocks.STAFFED]
title = "Fifty staff"
condition = "st.staff >= 50 && 'Atlas' in st.products"

[[rules]]
id = "ST-BIG"
kind = "classification"
title = "Big"
citation = "s. 1"
condition = "BIG"
summary = "big"

[[rules]]
id = "ST-STAFF"
kind = "obligation"
title = "Staff"
citation = "s. 2"
condition = "STAFFED"
summary = "staff"

[[rules]]
id = "ST-REPORT"
kind = "obligation"
title = "Report"
citation = "s. 4"
condition = "has(st.incident_at)"
summary = "report"
due = "report_due"

[computed.report_due]
title = "Report by"
type = "datetime"
when = "has(st.incident_at)"
value = "st.incident_at + hours(params.report_hours)"

[computed.notice_due]
title = "Notice by"
type = "date"
when = "has(st.incident_at)"
value = "business_days(st.incident_at, params.notice_days, params.holidays)"

[computed.fine_max]
title = "Maximum fine"
type = "number"
unit = "USD"
when = "true"
value = "max(st.revenue * 0.02, params.fine_floor)"

[computed.fine_capped]
title = "Capped fine"
type = "number"
unit = "USD"
when = "true"
value = "min(max(st.revenue * 0.02, params.fine_floor), params.fine_ceiling)"

[computed.fine_min]
title = "Smaller of"
type = "number"
unit = "USD"
when = "true"
value = "min(st.revenue * 0.02, params.fine_ceiling)"
"#;

fn setup() -> (Regime, Arc<Schema>) {
    let schema = Arc::new(schema_for([REGIME]).expect("the namespace is valid"));
    let regime = Regime::compile(
        &Source {
            origin: "st.toml",
            text: REGIME,
        },
        Arc::clone(&schema),
    )
    .expect("the regime compiles");
    (regime, schema)
}

fn profile(schema: &Schema, as_of: &str, st: &str) -> Result<Profile, String> {
    let text = format!("schema_version = \"1.3\"\n[evaluation]\nas_of = {as_of}\n[st]\n{st}\n");
    Profile::parse(&text, Format::Toml, "p.toml", schema).map_err(|e| e.to_string())
}

fn report(regime: &Regime, schema: &Schema, p: &Profile) -> RegimeReport {
    let facts = Facts::new(p, schema);
    let ev = regime.evaluate(&facts, None).expect("evaluates");
    RegimeReport::from_evaluation(regime, &ev, &facts, "")
}

fn status(r: &RegimeReport, id: &str) -> Status {
    r.rules
        .iter()
        .find(|f| f.id == id)
        .map(|f| f.status)
        .expect("rule")
}

#[test]
fn money_is_read_exactly_in_the_laws_currency_at_the_rate_of_the_day() {
    let (regime, schema) = setup();
    // 400,000,000 EUR × 1.25 is exactly 500,000,000 USD: not above the threshold.
    let p = profile(
        &schema,
        "2026-06-01",
        "revenue = { amount = 400000000, currency = \"EUR\" }",
    )
    .unwrap();
    assert_eq!(
        status(&report(&regime, &schema, &p), "ST-BIG"),
        Status::DoesNotApply
    );
    let p = profile(
        &schema,
        "2026-06-01",
        "revenue = { amount = 400000000.01, currency = \"EUR\" }",
    )
    .unwrap();
    assert_eq!(
        status(&report(&regime, &schema, &p), "ST-BIG"),
        Status::Applies
    );
    // In its own currency, no rate is used; JSON reads the same.
    let json = r#"{"schema_version": "1.3", "evaluation": {"as_of": "2026-06-01"},
        "st": {"revenue": {"amount": 500000000, "currency": "USD"}}}"#;
    let p = Profile::parse(json, Format::Json, "p.json", &schema).unwrap();
    assert_eq!(
        status(&report(&regime, &schema, &p), "ST-BIG"),
        Status::DoesNotApply
    );
    // Another day, another rate: 1.1 from 2027.
    let id = schema.lookup("st.revenue").unwrap();
    let p = profile(
        &schema,
        "2027-06-01",
        "revenue = { amount = 400000000.01, currency = \"EUR\" }",
    )
    .unwrap();
    let (amount, currency, conversion) = p.money(id, &schema).unwrap();
    assert_eq!(
        (amount.to_string(), currency.as_str()),
        ("400000000.01".into(), "EUR")
    );
    assert_eq!(conversion.unwrap().value.to_string(), "440000000.011");
    assert_eq!(
        status(&report(&regime, &schema, &p), "ST-BIG"),
        Status::DoesNotApply
    );
    // `--as-of` converts again at that day's rate.
    let p = p.with_as_of("2026-06-01".parse().unwrap(), &schema);
    assert_eq!(
        status(&report(&regime, &schema, &p), "ST-BIG"),
        Status::Applies
    );
}

#[test]
fn money_mistakes_are_refused_naming_the_field_and_the_way_out() {
    let (_, schema) = setup();
    let err = |st: &str| profile(&schema, "2026-06-01", st).unwrap_err();
    let e = err("revenue = { amount = 1, currency = \"eur\" }");
    assert!(
        e.contains("`eur` is not an ISO 4217 currency code") && e.contains("did you mean `EUR`?"),
        "{e}"
    );
    let e = err("revenue = { amount = 1, currency = \"GBP\" }");
    assert!(
        e.contains("no rate converts `GBP` into `USD`") && e.contains("`USD`, `EUR`"),
        "{e}"
    );
    let e = err("revenue = 500000000");
    assert!(
        e.contains("an amount with its currency") && e.contains("currency = \"USD\""),
        "{e}"
    );
    let e = err("revenue = { amount = -1, currency = \"USD\" }");
    assert!(e.contains("negative"), "{e}");
    let e = err("revenue = { currency = \"USD\" }");
    assert!(e.contains("needs `amount`"), "{e}");
    let e = err("revenue = { amount = 1, currency = \"USD\", year = 2025 }");
    assert!(e.contains("unknown key `year`"), "{e}");
    // A what-if amount is given in the rules' own currency.
    assert!(fact_from_text(&schema, "st.revenue={amount = 6e8, currency = \"USD\"}").is_ok());
    let e = fact_from_text(&schema, "st.revenue={amount = 6e8, currency = \"EUR\"}").unwrap_err();
    assert!(e.contains("given in `USD`"), "{e}");
}

#[test]
fn integers_and_string_lists_are_checked_as_written() {
    let (regime, schema) = setup();
    let p = profile(
        &schema,
        "2026-06-01",
        "staff = 50\nproducts = [\"Atlas\", \"Boreas\"]",
    )
    .unwrap();
    assert_eq!(
        status(&report(&regime, &schema, &p), "ST-STAFF"),
        Status::Applies
    );
    // A whole number written as a float is accepted; a fraction is not.
    assert!(profile(&schema, "2026-06-01", "staff = 50.0").is_ok());
    let e = profile(&schema, "2026-06-01", "staff = 50.5").unwrap_err();
    assert!(e.contains("50.5 is not a whole number"), "{e}");
    let e = profile(&schema, "2026-06-01", "staff = -1").unwrap_err();
    assert!(e.contains("below the minimum 0"), "{e}");
    let e = profile(&schema, "2026-06-01", "products = [\"a\\u0007\"]").unwrap_err();
    assert!(e.contains("control character"), "{e}");
    let many = (0..65)
        .map(|i| format!("\"p{i}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let e = profile(&schema, "2026-06-01", &format!("products = [{many}]")).unwrap_err();
    assert!(e.contains("exceeds the limit of 64"), "{e}");
    // Unknown staff: undetermined, naming the fact.
    let p = profile(&schema, "2026-06-01", "products = [\"Atlas\"]").unwrap();
    let r = report(&regime, &schema, &p);
    let f = r.rules.iter().find(|f| f.id == "ST-STAFF").unwrap();
    assert_eq!(f.status, Status::Undetermined);
    assert_eq!(f.missing_facts, ["st.staff"]);
}

#[test]
fn hours_count_from_the_instant_and_business_days_skip_weekends_and_holidays() {
    let (regime, schema) = setup();
    // Friday 18 December 2026, 16:45 at UTC+1.
    let p = profile(
        &schema,
        "2026-12-20",
        "incident_at = 2026-12-18T16:45:00+01:00",
    )
    .unwrap();
    let r = report(&regime, &schema, &p);
    let f = r.rules.iter().find(|f| f.id == "ST-REPORT").unwrap();
    assert_eq!(f.due_at.as_deref(), Some("2026-12-21T15:45:00Z"));
    assert_eq!(f.due.map(|d| d.to_string()).as_deref(), Some("2026-12-21"));
    assert_eq!(f.due_text().as_deref(), Some("2026-12-21 15:45 UTC"));
    assert!(matches!(
        r.computed.get("report_due"),
        Some(ComputedValue::Instant(t)) if t.0 == "2026-12-21T15:45:00Z"
    ));
    // 21–24 Dec (4), 25 and 28 Dec holidays, 29–31 Dec (7), 1 Jan holiday, 4–6 Jan (10).
    assert_eq!(r.computed["notice_due"], "2027-01-06");
    // The same instant written at another offset, or in TOML's space form, is the same.
    for written in [
        "2026-12-18T15:45:00Z",
        "2026-12-18 15:45:00Z",
        "\"2026-12-18T10:45:00-05:00\"",
    ] {
        let p = profile(&schema, "2026-12-20", &format!("incident_at = {written}")).unwrap();
        let r = report(&regime, &schema, &p);
        assert!(
            matches!(r.computed.get("report_due"), Some(ComputedValue::Instant(t)) if t.0 == "2026-12-21T15:45:00Z"),
            "{written}"
        );
    }
    // A date alone is refused: the law counts hours.
    let e = profile(&schema, "2026-12-20", "incident_at = 2026-12-18").unwrap_err();
    assert!(e.contains("give the time and its offset"), "{e}");
    // A local time without offset is refused too.
    let e = profile(&schema, "2026-12-20", "incident_at = 2026-12-18T16:45:00").unwrap_err();
    assert!(e.contains("RFC 3339"), "{e}");
}

#[test]
fn business_days_count_as_the_law_does() {
    use juxta_core::calendar;
    let add_business_days =
        |d, n, h: &[juxta_sdk::Date]| calendar::add_business_days(d, n, h, &mut |_| true);
    let d = |s: &str| s.parse::<juxta_sdk::Date>().unwrap();
    // Zero business days is the day itself, even a Saturday.
    assert_eq!(
        add_business_days(d("2026-12-19"), 0, &[]),
        Ok(d("2026-12-19"))
    );
    // From a Friday, one business day is the Monday.
    assert_eq!(
        add_business_days(d("2026-12-18"), 1, &[]),
        Ok(d("2026-12-21"))
    );
    // From a Saturday, five business days end on the Friday.
    assert_eq!(
        add_business_days(d("2026-12-19"), 5, &[]),
        Ok(d("2026-12-25"))
    );
    assert_eq!(
        add_business_days(d("2026-12-19"), 5, &[d("2026-12-25")]),
        Ok(d("2026-12-28"))
    );
    assert!(add_business_days(d("2026-12-19"), -1, &[]).is_err());
    assert!(add_business_days(d("2026-12-19"), 3661, &[]).is_err());
    // Before 1970 the weekday arithmetic still holds: 1969-12-31 was a Wednesday.
    assert_eq!(
        add_business_days(d("1969-12-31"), 2, &[]),
        Ok(d("1970-01-02"))
    );
    assert_eq!(
        add_business_days(d("1969-12-31"), 3, &[]),
        Ok(d("1970-01-05"))
    );
}

#[test]
fn max_and_min_keep_the_bound_that_is_certain() {
    let (regime, schema) = setup();
    let p = profile(&schema, "2026-06-01", "staff = 3").unwrap();
    let r = report(&regime, &schema, &p);
    let bound = |name: &str| r.computed_bounds.get(name).cloned();
    let at_least = |v: f64| ComputedBound {
        at_least: Some(ComputedValue::Number(v)),
        at_most: None,
    };
    let at_most = |v: f64| ComputedBound {
        at_least: None,
        at_most: Some(ComputedValue::Number(v)),
    };
    assert_eq!(bound("fine_max"), Some(at_least(5_000_000.0)));
    assert_eq!(bound("fine_min"), Some(at_most(90_000_000.0)));
    // min(at least 5e6, 9e7): at most 9e7 is certain; "at least 5e6" would need both sides.
    assert_eq!(bound("fine_capped"), Some(at_most(90_000_000.0)));
    for name in ["fine_max", "fine_min", "fine_capped"] {
        assert_eq!(r.computed_undetermined[name], ["st.revenue"], "{name}");
        assert!(!r.computed.contains_key(name));
    }
    // Known: the value, exactly, and no bound.
    let p = profile(
        &schema,
        "2026-06-01",
        "revenue = { amount = 1000000000, currency = \"USD\" }",
    )
    .unwrap();
    let r = report(&regime, &schema, &p);
    assert_eq!(r.computed["fine_max"], 20_000_000.0);
    assert_eq!(r.computed["fine_capped"], 20_000_000.0);
    assert!(r.computed_bounds.is_empty());
    // The contract writes bounds only where there are some.
    let json = serde_json::to_value(&r).unwrap();
    assert!(json.get("computed_bounds").is_none());
}

#[test]
fn holidays_must_be_a_date_list_and_a_computed_value_a_date_a_datetime_or_a_number() {
    let bad = REGIME.replace(
        "business_days(st.incident_at, params.notice_days, params.holidays)",
        "business_days(st.incident_at, params.notice_days, ['2026-12-25'])",
    );
    let schema = Arc::new(schema_for([bad.as_str()]).unwrap());
    let err = Regime::compile(
        &Source {
            origin: "st.toml",
            text: &bad,
        },
        schema,
    )
    .err();
    let Some(err) = err else {
        panic!("the regime should be refused")
    };
    let text = err.to_string();
    assert!(
        text.contains("business_days") && text.contains("date_list"),
        "{text}"
    );
}

#[test]
fn review_fixes_dates_and_instants_compare_bounds_decide_and_instants_are_checked() {
    // max of an instant and a date: a date is its midnight UTC.
    let text = REGIME.replace(
        "value = \"st.incident_at + hours(params.report_hours)\"",
        "value = \"max(st.incident_at + hours(params.report_hours), timestamp('2026-12-22T00:00:00Z'))\"",
    );
    let schema = Arc::new(schema_for([text.as_str()]).unwrap());
    let regime = Regime::compile(
        &Source {
            origin: "st.toml",
            text: &text,
        },
        Arc::clone(&schema),
    )
    .unwrap();
    let p = profile(
        &schema,
        "2026-12-20",
        "incident_at = 2026-12-18T16:45:00+01:00",
    )
    .unwrap();
    let r = report(&regime, &schema, &p);
    assert_eq!(r.computed["report_due"], "2026-12-22T00:00:00Z");
    // A fraction of a second, or a year no date may have, is refused.
    let (_, schema) = setup();
    let e = profile(
        &schema,
        "2026-12-20",
        "incident_at = 2026-12-18T16:45:00.5Z",
    )
    .unwrap_err();
    assert!(e.contains("fraction of a second"), "{e}");
    let e = profile(&schema, "2026-12-20", "incident_at = 3027-03-01T10:00:00Z").unwrap_err();
    assert!(e.contains("outside the years 1900 to 2999"), "{e}");
    assert_eq!(
        juxta_core::value::instant_text_checked(9_000_000_000_000_000),
        None
    );
}

#[test]
fn a_known_side_beyond_the_others_bound_decides_max_and_min() {
    let text = REGIME.replace(
        "value = \"min(st.revenue * 0.02, params.fine_ceiling)\"",
        "value = \"min(max(st.revenue * 0.02, params.fine_ceiling), params.fine_floor)\"",
    );
    let schema = Arc::new(schema_for([text.as_str()]).unwrap());
    let regime = Regime::compile(
        &Source {
            origin: "st.toml",
            text: &text,
        },
        Arc::clone(&schema),
    )
    .unwrap();
    let p = profile(&schema, "2026-06-01", "staff = 1").unwrap();
    let r = report(&regime, &schema, &p);
    // min(at least 9e7, 5e6) is 5e6 whatever the revenue.
    assert_eq!(r.computed["fine_min"], 5_000_000.0);
    assert!(!r.computed_undetermined.contains_key("fine_min"));
}

#[test]
fn business_days_over_a_huge_holiday_list_in_a_comprehension_is_refused_at_load() {
    let days: Vec<String> = (0..10_000)
        .map(|i| {
            juxta_sdk::Date::from_days_since_epoch(20_000 + i)
                .unwrap()
                .to_string()
        })
        .collect();
    let text = REGIME
        .replace(
            "value = [2027-01-01, 2026-12-25, 2026-12-28]",
            &format!("value = [{}]", days.join(", ")),
        )
        .replace(
            "condition = \"has(st.incident_at)\"\nsummary = \"report\"",
            "condition = \"params.holidays.exists(h, business_days(h, 3660, params.holidays) < h)\"\nsummary = \"report\"",
        );
    let schema = Arc::new(schema_for([text.as_str()]).unwrap());
    let err = Regime::compile(
        &Source {
            origin: "st.toml",
            text: &text,
        },
        schema,
    )
    .err();
    let Some(err) = err else {
        panic!("the regime should be over budget")
    };
    let text = err.to_string();
    assert!(
        text.contains("worst-case cost") && text.contains("exceeds the budget"),
        "{text}"
    );
}
