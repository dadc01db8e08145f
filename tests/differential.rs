//! The fast path (native leaves, the Kleene circuit, memoised blocks) and the plain interpreter
//! (each rule as one CEL expression) must agree on every status and computed value: over every
//! case and over thousands of generated profiles.

use juxta_core::eval::reference::ReferenceValue;
use juxta_core::eval::{ComputedOutcome, Facts};
use juxta_core::profile::{Format, Profile};
use juxta_core::regime::Regime;
use juxta_core::schema::Schema;
use juxta_tests::{case, case_files, regime, regime_ids};

fn agree(regime: &Regime, profile: &Profile, schema: &Schema, label: &str) -> Vec<String> {
    let facts = Facts::new(profile, schema);
    let fast = regime.evaluate(&facts, None).unwrap();
    let plain = regime.evaluate_reference(&facts, None).unwrap();
    let mut diffs = Vec::new();
    for (i, rule) in regime.rules.iter().enumerate() {
        if fast.rules[i].truth != plain.rules[i] {
            diffs.push(format!(
                "{label} {}: fast {:?}, interpreter {:?}",
                rule.id, fast.rules[i].truth, plain.rules[i]
            ));
        }
    }
    for (i, c) in regime.computed.iter().enumerate() {
        let same = match (&fast.computed[i], &plain.computed[i]) {
            (ComputedOutcome::Omitted, ReferenceValue::Omitted)
            | (ComputedOutcome::Undetermined { .. }, ReferenceValue::Undetermined) => true,
            (ComputedOutcome::Value(a), ReferenceValue::Value(b)) => a == b,
            _ => false,
        };
        if !same {
            diffs.push(format!(
                "{label} computed {}: fast {:?}, interpreter {:?}",
                c.name, fast.computed[i], plain.computed[i]
            ));
        }
    }
    diffs
}

#[test]
fn fast_path_and_interpreter_agree_on_every_case() {
    let schema = juxta_tests::schema();
    let mut diffs = Vec::new();
    for id in regime_ids() {
        let r = regime(&id);
        for path in case_files(&id) {
            diffs.extend(agree(
                &r,
                &case(&path).profile,
                &schema,
                &path.display().to_string(),
            ));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn fast_path_and_interpreter_agree_on_generated_profiles() {
    let schema = juxta_tests::schema();
    let regimes: Vec<Regime> = regime_ids().iter().map(|id| regime(id)).collect();
    let text = juxta_cli::generate::jsonl(20261122, 3000, None);
    let mut diffs = Vec::new();
    let mut undetermined = 0;
    for (n, line) in text.lines().enumerate() {
        let profile = Profile::parse(line, Format::Json, "generated", &schema)
            .unwrap_or_else(|e| panic!("line {}: {e}", n + 1));
        for r in &regimes {
            diffs.extend(agree(
                r,
                &profile,
                &schema,
                &format!("line {} {}", n + 1, r.id()),
            ));
            let facts = Facts::new(&profile, &schema);
            undetermined += r
                .evaluate(&facts, None)
                .unwrap()
                .rules
                .iter()
                .filter(|o| o.truth == juxta_core::tri::Truth::Unknown)
                .count();
        }
        if diffs.len() > 20 {
            break;
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    assert!(
        undetermined > 1000,
        "the generated profiles should exercise unknown facts ({undetermined})"
    );
}
