//! Reading and validating profiles, and what-if facts.

use super::*;
use crate::number::Number;

fn parse(text: &str, format: Format) -> Result<Profile, ProfileError> {
    Profile::parse(text, format, "p.toml", &Schema::core())
}

const MINIMAL: &str = "schema_version = \"1\"\n[evaluation]\nas_of = 2026-09-01\n";

#[test]
fn command_line_facts_are_checked_like_profile_fields() {
    let schema = Schema::core();
    let (id, v) = fact_from_text(&schema, "model.training_compute_flop=2e25").unwrap();
    assert_eq!(schema.fact(id).path, "model.training_compute_flop");
    assert_eq!(v, Value::Number(Number::parse_decimal("2e25").unwrap()));
    let (_, v) = fact_from_text(&schema, "eu.commission_sr_decision=designated").unwrap();
    assert_eq!(v, Value::Text("designated".into()));
    let (_, v) = fact_from_text(&schema, "eu.placing_date=2027-03-01").unwrap();
    assert_eq!(v.to_string(), "2027-03-01");
    let (_, v) = fact_from_text(&schema, "model.output_modalities=[\"text\", \"speech\"]").unwrap();
    assert_eq!(v, Value::List(vec!["text".into(), "speech".into()]));
    let err = fact_from_text(&schema, "model.training_compute_flop=-1").unwrap_err();
    assert!(err.contains("below the minimum"), "{err}");
    let err = fact_from_text(&schema, "eu.commission_sr_decision=designatd").unwrap_err();
    assert!(err.contains("did you mean `designated`?"), "{err}");
    let err = fact_from_text(&schema, "model.training_compute_flops=1").unwrap_err();
    assert!(
        err.contains("did you mean `model.training_compute_flop`?"),
        "{err}"
    );
    assert!(fact_from_text(&schema, "model.training_compute_flop").is_err());
}

#[test]
fn a_minimal_profile_is_valid_and_everything_else_unknown() {
    let schema = Schema::core();
    let p = parse(MINIMAL, Format::Toml).unwrap();
    assert_eq!(p.as_of().to_string(), "2026-09-01");
    assert!(
        p.get(schema.lookup("model.training_compute_flop").unwrap())
            .is_none()
    );
    assert_eq!(
        p.get(schema.lookup("derivation").unwrap()),
        Some(&Value::Bool(false))
    );
}

#[test]
fn unknown_keys_get_a_suggestion_and_a_line() {
    let text = format!("{MINIMAL}[model]\ntraining_compute_flops = 3e25\n");
    let err = parse(&text, Format::Toml).unwrap_err();
    let p = &err.problems[0];
    assert_eq!(p.location.as_ref().unwrap().line, 5);
    assert_eq!(
        p.help.as_deref(),
        Some("did you mean `model.training_compute_flop`?")
    );
    assert_eq!(
        err.to_string(),
        "p.toml:5:1: `model.training_compute_flops`: unknown field `model.training_compute_flops` (did you mean `model.training_compute_flop`?)"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = format!(
        "{MINIMAL}[model]\ntraining_compute_flop = nan\n[eu]\nplacing_date = \"2026-02-30\"\ncommission_sr_decision = \"designatd\"\n"
    );
    let err = parse(&text, Format::Toml).unwrap_err();
    let messages: Vec<_> = err.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages[0].contains("not a finite number"));
    assert!(messages[1].contains("has no day 30"));
    assert_eq!(
        err.problems[2].help.as_deref(),
        Some("did you mean `designated`?")
    );
}

#[test]
fn toml_syntax_errors_carry_their_line() {
    let err = parse(
        &format!("{MINIMAL}[eu]\nplacing_date = 2026-02-30\n"),
        Format::Toml,
    )
    .unwrap_err();
    assert_eq!(
        err.problems[0].location.as_ref().map(|l| l.line),
        Some(5),
        "{err}"
    );
}

#[test]
fn json_problems_are_located_too() {
    let text = "{\"schema_version\": \"1\",\n \"evaluation\": {\"as_of\": \"2026-09-01\"},\n \"model\": {\"training_compute_flop\": -1}}";
    let err = parse(text, Format::Json).unwrap_err();
    let p = &err.problems[0];
    assert_eq!(p.location.as_ref().map(|l| l.line), Some(3));
    assert!(p.message.contains("below the minimum"));
}

#[test]
fn cumulative_compute_below_the_modification_is_a_contradiction() {
    let text = format!(
        "{MINIMAL}[model]\ntraining_compute_flop = 5e25\n[derivation]\nmodification_compute_flop = 2e26\n"
    );
    let err = parse(&text, Format::Toml).unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    let p = &err.problems[0];
    assert_eq!(p.field.as_deref(), Some("model.training_compute_flop"));
    assert_eq!(p.location.as_ref().map(|l| l.line), Some(5), "{err}");
    assert!(p.message.contains("below the modification's 2e26"), "{err}");
    // Equal is fine: a modification may be all the training there was to count.
    let text = format!(
        "{MINIMAL}[model]\ntraining_compute_flop = 2e26\n[derivation]\nmodification_compute_flop = 2e26\n"
    );
    assert!(parse(&text, Format::Toml).is_ok());
}

#[test]
fn numbers_are_read_exactly_in_every_spelling() {
    let read = |text: &str, format| {
        let p = parse(text, format).unwrap();
        let id = Schema::core()
            .lookup("model.training_compute_flop")
            .unwrap();
        p.get(id).cloned()
    };
    let want = Some(Value::Number(Number::parse_decimal("3e25").unwrap()));
    for spelling in [
        "3e25",
        "3.0e25",
        "3E+25",
        "30000000000000000000000000",
        "3_0e24",
    ] {
        let toml = format!("{MINIMAL}[model]\ntraining_compute_flop = {spelling}\n");
        assert_eq!(read(&toml, Format::Toml), want, "{spelling}");
    }
    for spelling in ["3e25", "3.0e25", "3E+25", "30000000000000000000000000"] {
        let json = format!(
            "{{\"schema_version\": \"1\", \"evaluation\": {{\"as_of\": \"2026-09-01\"}}, \"model\": {{\"training_compute_flop\": {spelling}}}}}"
        );
        assert_eq!(read(&json, Format::Json), want, "{spelling}");
    }
}

#[test]
fn a_fact_under_its_former_name_is_the_core_fact_and_two_values_contradict() {
    let ns: juxta_sdk::manifest::Namespace = toml::from_str(
        "name = \"ca\"\n[facts.has_other_frontier_model]\ntype = \"bool\"\nalias_of = \"provider.has_other_frontier_model\"\nmeaning = \"m\"\n",
    )
    .unwrap();
    let schema = Schema::with_namespaces([("us-ca-sb53", "1.2", &ns)]).unwrap();
    let core = schema.lookup("provider.has_other_frontier_model").unwrap();
    let read = |extra: &str| {
        Profile::parse(
            &format!("{MINIMAL}{extra}"),
            Format::Toml,
            "p.toml",
            &schema,
        )
    };
    let p = read("[ca]\nhas_other_frontier_model = true\n").unwrap();
    assert_eq!(p.get(core), Some(&Value::Bool(true)));
    let p = read(
        "[provider]\nhas_other_frontier_model = false\n[ca]\nhas_other_frontier_model = false\n",
    )
    .unwrap();
    assert_eq!(p.get(core), Some(&Value::Bool(false)));
    let err = read(
        "[provider]\nhas_other_frontier_model = false\n[ca]\nhas_other_frontier_model = true\n",
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("`ca.has_other_frontier_model` = true contradicts `provider.has_other_frontier_model` = false")
            && text.contains("p.toml:7:"),
        "{text}"
    );
    // `--set` under the old name sets the core fact.
    let (id, _) = fact_from_text(&schema, "ca.has_other_frontier_model=true").unwrap();
    assert_eq!(id, core);
    // An alias must name a core fact of its type.
    let bad: juxta_sdk::manifest::Namespace = toml::from_str(
        "name = \"ca\"\n[facts.x]\ntype = \"date\"\nalias_of = \"provider.has_other_frontier_model\"\nmeaning = \"m\"\n",
    )
    .unwrap();
    assert!(Schema::with_namespaces([("r", "1.2", &bad)]).is_err());
}

#[test]
fn missing_required_facts_are_named() {
    let err = parse("schema_version = \"1\"\n", Format::Toml).unwrap_err();
    assert!(
        err.to_string().contains("`evaluation.as_of` is required"),
        "{err}"
    );
    let err = parse("[evaluation]\nas_of = 2026-09-01\n", Format::Toml).unwrap_err();
    assert!(
        err.to_string().contains("missing `schema_version`"),
        "{err}"
    );
}

#[test]
fn a_test_case_is_read_through_its_facts_table() {
    let text = format!(
        "[case]\nid = \"X\"\n[facts]\n{}",
        MINIMAL.replace("[evaluation]", "[facts.evaluation]")
    );
    let p = parse(&text, Format::Toml).unwrap();
    assert_eq!(p.as_of().to_string(), "2026-09-01");
}

#[test]
fn misplaced_fields_are_pointed_to_their_table() {
    let err = parse(
        &format!("{MINIMAL}placing_date = 2026-01-01\n"),
        Format::Toml,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("did you mean `eu.placing_date`?"),
        "{err}"
    );
}
