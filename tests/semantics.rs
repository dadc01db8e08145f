//! What the inventories specify beyond the shared cases: strict thresholds, date boundaries,
//! Kleene's logic deciding despite missing facts, presumptions, fallbacks and open questions.

use juxta_core::report::{RegimeReport, Status};
use juxta_tests::{evaluate, regime};
use toml::Value;

/// A GPAI model by a US lab placed on the Union market, with every fact known.
fn base() -> toml::Table {
    r#"
schema_version = "1"
[evaluation]
as_of = 2026-09-01
[provider]
country = "US"
worldwide_annual_turnover_eur = 1000000000.0
builds_ai_vuln_detection_tools = false
[model]
training_compute_flop = 5.0e24
output_modalities = ["text"]
sr_threshold_date = 2026-01-05
[release]
first_external_release_date = 2026-03-02
weights_public = false
licence_is_free_open_source = false
architecture_and_usage_info_public = false
[eu]
placed_on_market = true
placing_date = 2026-03-02
commission_sr_decision = "none"
[us]
"#
    .parse()
    .unwrap()
}

fn date(s: &str) -> Value {
    Value::Datetime(s.parse().unwrap())
}

/// `base()` with fields set (`Some`) or removed (`None`), as TOML text.
fn profile(changes: &[(&str, Option<Value>)]) -> String {
    let mut doc = base();
    for (path, value) in changes {
        let parts: Vec<&str> = path.split('.').collect();
        let mut table = &mut doc;
        for part in &parts[..parts.len() - 1] {
            table = table
                .entry(part.to_string())
                .or_insert_with(|| Value::Table(Default::default()))
                .as_table_mut()
                .unwrap();
        }
        match value {
            Some(v) => {
                table.insert(parts[parts.len() - 1].to_string(), v.clone());
            }
            None => {
                table.remove(parts[parts.len() - 1]);
            }
        }
    }
    toml::to_string(&doc).unwrap()
}

fn eu(changes: &[(&str, Option<Value>)]) -> RegimeReport {
    evaluate(&regime("eu-ai-act-gpai"), &profile(changes))
}

fn us(changes: &[(&str, Option<Value>)]) -> RegimeReport {
    evaluate(&regime("us-ai-eo-2026"), &profile(changes))
}

fn status(r: &RegimeReport, id: &str) -> Status {
    r.rules
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no rule {id}"))
        .status
}

fn missing(r: &RegimeReport, id: &str) -> Vec<String> {
    r.rules
        .iter()
        .find(|f| f.id == id)
        .unwrap()
        .missing_facts
        .clone()
}

fn open(r: &RegimeReport, id: &str) -> Vec<String> {
    r.rules
        .iter()
        .find(|f| f.id == id)
        .unwrap()
        .open_questions
        .clone()
}

fn num(x: f64) -> Option<Value> {
    Some(Value::Float(x))
}

use Status::{Applies as A, DoesNotApply as N, Undetermined as U};

#[test]
fn the_gpai_criterion_is_strictly_greater_than_1e23() {
    assert_eq!(
        status(
            &eu(&[("model.training_compute_flop", num(1e23))]),
            "EU-CLS-GPAI"
        ),
        N
    );
    assert_eq!(
        status(
            &eu(&[("model.training_compute_flop", num(1.000_000_1e23))]),
            "EU-CLS-GPAI"
        ),
        A
    );
}

#[test]
fn the_systemic_risk_presumption_is_strictly_greater_than_1e25() {
    let at = eu(&[("model.training_compute_flop", num(1e25))]);
    assert_eq!(status(&at, "EU-CLS-SR"), N);
    assert_eq!(status(&at, "EU-OBL-52-1"), N);
    assert!(!at.computed.contains_key("notification_due"));
    let above = eu(&[("model.training_compute_flop", num(1.000_000_1e25))]);
    assert_eq!(status(&above, "EU-CLS-SR"), A);
    assert_eq!(status(&above, "EU-OBL-55-1a"), A);
}

#[test]
fn a_modification_of_exactly_one_third_does_not_make_a_provider() {
    let deriv = |m: f64| {
        eu(&[
            ("model.training_compute_flop", None),
            ("derivation.base_training_compute_flop", num(3e24)),
            ("derivation.modification_compute_flop", num(m)),
        ])
    };
    assert_eq!(status(&deriv(1e24), "EU-CLS-PROVIDER"), N);
    assert_eq!(status(&deriv(1e24), "EU-OBL-53-1c"), N);
    assert_eq!(status(&deriv(1.000_000_1e24), "EU-CLS-PROVIDER"), A);
    // The derivative's compute is base + modification.
    assert_eq!(
        deriv(1.000_000_1e24)
            .rules
            .iter()
            .find(|f| f.id == "EU-CLS-GPAI")
            .unwrap()
            .facts_used
            .len(),
        3
    );
}

#[test]
fn an_unknown_base_compute_falls_back_to_the_guidelines_substitutes() {
    let deriv = |m: f64, sr: Option<bool>| {
        let mut changes = vec![
            ("model.training_compute_flop", num(2e25)),
            ("derivation.modification_compute_flop", num(m)),
            (
                "derivation.base_model_id",
                Some(Value::String("base".into())),
            ),
        ];
        if let Some(sr) = sr {
            changes.push(("derivation.base_is_systemic_risk", Some(Value::Boolean(sr))));
        }
        eu(&changes)
    };
    // Systemic-risk original: one third of 1e25.
    assert_eq!(status(&deriv(4e24, Some(true)), "EU-CLS-PROVIDER"), A);
    assert_eq!(status(&deriv(3e24, Some(true)), "EU-CLS-PROVIDER"), N);
    // Other GPAI original: one third of 1e23.
    assert_eq!(status(&deriv(4e22, Some(false)), "EU-CLS-PROVIDER"), A);
    // Both unknown: decided where both substitutes agree, else undetermined on both base facts.
    assert_eq!(status(&deriv(4e24, None), "EU-CLS-PROVIDER"), A);
    assert_eq!(status(&deriv(3e22, None), "EU-CLS-PROVIDER"), N);
    let open_case = deriv(1e24, None);
    assert_eq!(status(&open_case, "EU-CLS-PROVIDER"), U);
    assert_eq!(
        missing(&open_case, "EU-CLS-PROVIDER"),
        [
            "derivation.base_is_systemic_risk",
            "derivation.base_training_compute_flop"
        ]
    );
}

#[test]
fn placed_on_2025_08_01_is_legacy_and_on_2025_08_02_is_not() {
    let legacy = eu(&[("eu.placing_date", Some(date("2025-08-01")))]);
    assert_eq!(status(&legacy, "EU-CLS-LEGACY"), A);
    assert_eq!(legacy.computed["compliance_due"], "2027-08-02");
    let current = eu(&[("eu.placing_date", Some(date("2025-08-02")))]);
    assert_eq!(status(&current, "EU-CLS-LEGACY"), N);
    assert_eq!(current.computed["compliance_due"], "2025-08-02");
}

#[test]
fn fines_apply_from_2026_08_02() {
    assert_eq!(
        status(
            &eu(&[("evaluation.as_of", Some(date("2026-08-01")))]),
            "EU-PEN-101"
        ),
        N
    );
    assert_eq!(
        status(
            &eu(&[("evaluation.as_of", Some(date("2026-08-02")))]),
            "EU-PEN-101"
        ),
        A
    );
    let r = eu(&[]);
    assert_eq!(r.computed["max_fine_eur"], 30_000_000.0);
    assert_eq!(r.computed["fine_power_from"], "2026-08-02");
}

#[test]
fn chapter_v_obligations_start_on_2025_08_02_and_classifications_are_timeless() {
    let before = eu(&[("evaluation.as_of", Some(date("2025-08-01")))]);
    assert_eq!(status(&before, "EU-OBL-53-1c"), N);
    assert_eq!(status(&before, "EU-CLS-GPAI"), A);
    assert_eq!(
        status(
            &eu(&[("evaluation.as_of", Some(date("2025-08-02")))]),
            "EU-OBL-53-1c"
        ),
        A
    );
}

#[test]
fn an_absent_decision_keeps_the_presumption_but_leaves_designation_open() {
    let big = eu(&[
        ("model.training_compute_flop", num(3e25)),
        ("eu.commission_sr_decision", None),
    ]);
    assert_eq!(status(&big, "EU-CLS-SR"), A);
    let small = eu(&[("eu.commission_sr_decision", None)]);
    assert_eq!(status(&small, "EU-CLS-SR"), U);
    assert_eq!(missing(&small, "EU-CLS-SR"), ["eu.commission_sr_decision"]);
    let pending = eu(&[
        ("model.training_compute_flop", num(3e25)),
        (
            "eu.commission_sr_decision",
            Some(Value::String("rebuttal_pending".into())),
        ),
    ]);
    assert_eq!(
        status(&pending, "EU-CLS-SR"),
        A,
        "a pending rebuttal keeps the presumption (U-EU-7)"
    );
    let designated = eu(&[(
        "eu.commission_sr_decision",
        Some(Value::String("designated".into())),
    )]);
    assert_eq!(status(&designated, "EU-OBL-55-1b"), A);
}

#[test]
fn a_false_conjunct_decides_whatever_is_missing() {
    let r = eu(&[
        ("eu.placed_on_market", Some(Value::Boolean(false))),
        ("release.licence_is_free_open_source", None),
        ("model.training_compute_flop", None),
    ]);
    for f in r.rules.iter().filter(|f| f.kind == "obligation") {
        assert_eq!(f.status, N, "{}", f.id);
        assert!(f.missing_facts.is_empty());
    }
}

#[test]
fn a_true_disjunct_decides_whatever_is_missing() {
    // Systemic risk makes the open-source exemption unavailable although the licence is unknown.
    let r = eu(&[
        ("model.training_compute_flop", num(3e25)),
        ("release.licence_is_free_open_source", None),
    ]);
    assert_eq!(status(&r, "EU-OBL-53-1a"), A);
    assert_eq!(status(&r, "EU-CLS-FOSS"), N);
}

#[test]
fn a_missing_placing_date_leaves_the_deadlines_open() {
    let r = eu(&[
        ("eu.placing_date", None),
        ("model.training_compute_flop", num(3e25)),
    ]);
    assert_eq!(
        r.computed_undetermined["compliance_due"],
        ["eu.placing_date"]
    );
    assert_eq!(
        r.computed_undetermined["notification_due"],
        ["eu.placing_date"]
    );
    assert_eq!(status(&r, "EU-CLS-LEGACY"), U);
    let r = eu(&[
        ("eu.placing_date", None),
        ("model.training_compute_flop", num(3e25)),
        ("model.sr_threshold_date", None),
    ]);
    assert_eq!(
        r.computed_undetermined["notification_due"],
        ["eu.placing_date", "model.sr_threshold_date"]
    );
}

#[test]
fn a_threshold_met_before_chapter_v_is_notified_two_weeks_after_it_applies() {
    let r = eu(&[
        ("model.training_compute_flop", num(3e25)),
        ("model.sr_threshold_date", Some(date("2025-05-01"))),
        ("eu.placing_date", Some(date("2025-09-01"))),
    ]);
    assert_eq!(r.computed["notification_due"], "2025-08-16");
}

#[test]
fn greece_is_in_the_union_under_either_code() {
    for code in ["GR", "EL"] {
        assert_eq!(
            status(
                &eu(&[("provider.country", Some(Value::String(code.into())))]),
                "EU-OBL-54"
            ),
            N,
            "{code}"
        );
    }
    assert_eq!(
        status(
            &eu(&[("provider.country", Some(Value::String("NO".into())))]),
            "EU-OBL-54"
        ),
        A,
        "EEA states are third countries (U-EU-9)"
    );
}

#[test]
fn an_explicit_generality_finding_overrides_the_indicative_criterion() {
    let r = eu(&[
        ("model.training_compute_flop", num(1e22)),
        ("model.significant_generality", Some(Value::Boolean(true))),
    ]);
    assert_eq!(status(&r, "EU-CLS-GPAI"), A);
    let r = eu(&[("model.significant_generality", Some(Value::Boolean(false)))]);
    assert_eq!(status(&r, "EU-CLS-GPAI"), N);
    let r = eu(&[("model.training_compute_flop", None)]);
    assert_eq!(missing(&r, "EU-CLS-GPAI"), ["model.training_compute_flop"]);
    let r = eu(&[
        ("model.training_compute_flop", None),
        ("model.significant_generality", Some(Value::Boolean(true))),
    ]);
    assert_eq!(
        status(&r, "EU-CLS-GPAI"),
        A,
        "the finding decides without compute"
    );
}

#[test]
fn the_us_order_applies_from_2026_06_02() {
    let before = us(&[("evaluation.as_of", Some(date("2026-06-01")))]);
    assert!(before.rules.iter().all(|f| f.status == N));
    let on = us(&[("evaluation.as_of", Some(date("2026-06-02")))]);
    assert_eq!(status(&on, "US-NOB-LICENSE"), A);
    assert_eq!(
        status(&on, "US-GOV-AG"),
        N,
        "government duties never fall on the lab"
    );
}

#[test]
fn early_access_needs_a_release_strictly_after_as_of() {
    let covered = Some(Value::String("meets_covered_threshold".into()));
    let on_day = us(&[
        ("us.cyber_benchmark_result", covered.clone()),
        (
            "release.first_external_release_date",
            Some(date("2026-09-01")),
        ),
    ]);
    assert_eq!(status(&on_day, "US-INV-EARLY"), N);
    let later = us(&[
        ("us.cyber_benchmark_result", covered.clone()),
        (
            "release.first_external_release_date",
            Some(date("2026-09-02")),
        ),
    ]);
    assert_eq!(status(&later, "US-INV-EARLY"), A);
    assert_eq!(later.computed["early_access_window_opens"], "2026-08-03");
    let unknown = us(&[
        ("us.cyber_benchmark_result", covered),
        ("release.first_external_release_date", None),
    ]);
    assert_eq!(status(&unknown, "US-INV-EARLY"), U);
    assert_eq!(
        missing(&unknown, "US-INV-EARLY"),
        ["release.first_external_release_date"]
    );
    assert_eq!(
        unknown.computed_undetermined["early_access_window_opens"],
        ["release.first_external_release_date"]
    );
}

#[test]
fn a_derivative_with_its_own_benchmark_result_is_addressed() {
    let r = us(&[
        ("derivation.base_model_id", Some(Value::String("b".into()))),
        (
            "us.cyber_benchmark_result",
            Some(Value::String("meets_covered_threshold".into())),
        ),
        (
            "release.first_external_release_date",
            Some(date("2026-12-01")),
        ),
    ]);
    assert_eq!(status(&r, "US-INV-BENCH"), A);
    assert_eq!(status(&r, "US-CLS-COVERED"), A);
    assert_eq!(status(&r, "US-INV-EARLY"), A);
    let r = us(&[("derivation.base_model_id", Some(Value::String("b".into())))]);
    assert_eq!(status(&r, "US-INV-BENCH"), U);
    assert!(
        missing(&r, "US-INV-BENCH").is_empty(),
        "an open question, not a missing fact"
    );
    assert_eq!(open(&r, "US-INV-BENCH"), ["US-OQ-DERIVATIVES"]);
}

#[test]
fn us_invitations_ignore_the_provider_country() {
    let r = us(&[("provider.country", Some(Value::String("FR".into())))]);
    assert_eq!(status(&r, "US-INV-CLEAR"), A);
    assert_eq!(status(&r, "US-INV-BENCH"), A);
}

#[test]
fn an_unknown_grant_eligibility_is_undetermined() {
    let r = us(&[("provider.builds_ai_vuln_detection_tools", None)]);
    assert_eq!(status(&r, "US-INV-GRANT"), U);
    assert_eq!(
        missing(&r, "US-INV-GRANT"),
        ["provider.builds_ai_vuln_detection_tools"]
    );
}

#[test]
fn covered_status_is_never_inferred_from_compute() {
    let r = us(&[("model.training_compute_flop", num(9e26))]);
    assert_eq!(status(&r, "US-CLS-COVERED"), U);
    assert_eq!(open(&r, "US-CLS-COVERED"), ["US-OQ-THRESHOLD"]);
}
