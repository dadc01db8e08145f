//! The JSON result contract of docs/contract.md, field for field, and golden reports of the
//! examples (insta): a change to a regime shows up as a readable diff of these files.

use juxta_tests::juxta;
use serde_json::Value;

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

fn is_date(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 10 && s.parse::<juxta_sdk::Date>().is_ok())
}

#[test]
fn compare_json_has_exactly_the_contract_fields() {
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(keys(&doc), ["as_of", "kernel", "profile", "regimes"]);
    assert_eq!(doc["profile"], "examples/closed-frontier.toml");
    assert!(is_date(&doc["as_of"]));
    assert_eq!(keys(&doc["kernel"]), ["facts_schema", "version"]);
    assert_eq!(doc["kernel"]["facts_schema"], "1.3");
    let regimes = doc["regimes"].as_array().unwrap();
    let ids: Vec<&str> = regimes.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "eu-ai-act-gpai",
            "us-ai-eo-2026",
            "us-ca-sb53",
            "us-ny-raise"
        ]
    );
    for (r, jurisdiction) in regimes.iter().zip(["EU", "US", "US-CA", "US-NY"]) {
        assert_eq!(
            keys(r),
            [
                "computed",
                "computed_undetermined",
                "error",
                "id",
                "jurisdiction",
                "name",
                "open_questions",
                "plugin_sha256",
                "rules",
                "version"
            ]
        );
        assert_eq!(r["jurisdiction"], jurisdiction);
        assert!(r["error"].is_null());
        assert_eq!(r["plugin_sha256"].as_str().unwrap().len(), 64);
        for (name, value) in r["computed"].as_object().unwrap() {
            assert!(
                is_date(value) || value.is_f64(),
                "computed {name} = {value}"
            );
        }
        for missing in r["computed_undetermined"].as_object().unwrap().values() {
            assert!(missing.is_array());
        }
        for rule in r["rules"].as_array().unwrap() {
            assert_eq!(
                keys(rule),
                [
                    "citation",
                    "confirmation",
                    "counterparts",
                    "due",
                    "explanation",
                    "facts_used",
                    "id",
                    "kind",
                    "missing_facts",
                    "open_questions",
                    "provenance",
                    "state",
                    "status",
                    "title"
                ]
            );
            let kind = rule["kind"].as_str().unwrap();
            // The state of a duty (added in revision 3): for obligations that apply or may
            // apply, and consistent with the due date and `as_of`.
            let duty = kind == "obligation" && rule["status"] != "does_not_apply";
            assert_eq!(rule["state"].is_null(), !duty, "{}", rule["id"]);
            if duty {
                let state = &rule["state"];
                let as_of: juxta_sdk::Date = doc["as_of"].as_str().unwrap().parse().unwrap();
                let due: Option<juxta_sdk::Date> = rule["due"].as_str().map(|d| d.parse().unwrap());
                match (state["kind"].as_str().unwrap(), due) {
                    ("overdue", Some(d)) => {
                        assert!(d < as_of);
                        assert_eq!(state["since"], rule["due"]);
                        assert_eq!(
                            state["days"].as_i64().unwrap(),
                            as_of.days_since_epoch() - d.days_since_epoch()
                        );
                    }
                    ("due_today", Some(d)) => assert_eq!(d, as_of),
                    ("due_in", Some(d)) => assert_eq!(
                        state["days"].as_i64().unwrap(),
                        d.days_since_epoch() - as_of.days_since_epoch()
                    ),
                    ("not_triggered" | "no_deadline", None) => {}
                    (other, due) => panic!("{}: state {other} with due {due:?}", rule["id"]),
                }
            }
            assert!(
                [
                    "classification",
                    "obligation",
                    "invitation",
                    "non_obligation",
                    "government_duty",
                    "penalty"
                ]
                .contains(&kind)
            );
            let status = rule["status"].as_str().unwrap();
            assert!(["applies", "does_not_apply", "undetermined"].contains(&status));
            assert!(rule["due"].is_null() || is_date(&rule["due"]));
            assert!(rule["facts_used"].is_object());
            assert!(!rule["citation"].as_str().unwrap().is_empty());
            if status != "undetermined" {
                assert_eq!(rule["missing_facts"], Value::Array(vec![]));
                assert_eq!(rule["open_questions"], Value::Array(vec![]));
            }
        }
    }
    let counts: Vec<usize> = regimes
        .iter()
        .map(|r| r["rules"].as_array().unwrap().len())
        .collect();
    assert_eq!(
        counts,
        [22, 14, 29, 25],
        "every inventory rule id is reported"
    );
}

#[test]
fn rule_ids_kinds_and_open_questions_are_those_of_the_inventories() {
    let run = juxta(&["compare", "examples/fine-tune.toml", "--format", "json"]);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let kind_of = |regime: usize, id: &str| -> String {
        doc["regimes"][regime]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["kind"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for (id, kind) in [
        ("EU-CLS-SCOPE", "classification"),
        ("EU-OBL-52-1", "obligation"),
        ("EU-INV-52-2", "invitation"),
        ("EU-INV-COP-SS", "invitation"),
        ("EU-PEN-101", "penalty"),
    ] {
        assert_eq!(kind_of(0, id), kind, "{id}");
    }
    for (id, kind) in [
        ("US-CLS-COVERED", "classification"),
        ("US-INV-EARLY", "invitation"),
        ("US-NOB-PENALTY", "non_obligation"),
        ("US-GOV-NSA-BENCH", "government_duty"),
    ] {
        assert_eq!(kind_of(1, id), kind, "{id}");
    }
    let covered = doc["regimes"][1]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "US-CLS-COVERED")
        .unwrap();
    assert_eq!(
        covered["open_questions"],
        serde_json::json!(["US-OQ-DERIVATIVES", "US-OQ-THRESHOLD"])
    );
}

#[test]
fn golden_reports_of_the_examples() {
    for example in [
        "closed-frontier",
        "open-weights-mid",
        "fine-tune",
        "new-york",
    ] {
        let run = juxta(&[
            "compare",
            &format!("examples/{example}.toml"),
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        // Pin exactly the bytes users see.
        insta::assert_snapshot!(example, run.stdout);
    }
}
