//! The static checker: what it refuses at load, and how it says so.

use std::sync::Arc;

use super::{Regime, RegimeError, Source};
use crate::schema::Schema;

const HEADER: &str = r#"[regime]
id = "test"
name = "Test"
jurisdiction = "XX"
version = "0.1.0"
facts_schema = "1"
case_key = "xx"

[parameters.big]
title = "Big"
type = "number"
values = [{ value = 1e24, source = "Test Act, s. 1" }]

[parameters.days]
title = "Days"
type = "integer"
values = [{ value = 14, source = "Test Act, s. 2" }]
"#;

fn compile(body: &str) -> Result<Regime, RegimeError> {
    let text = format!("{HEADER}{body}");
    Regime::compile(
        &Source {
            origin: "test.toml",
            text: &text,
        },
        Arc::new(Schema::core()),
    )
}

fn rule(condition: &str) -> String {
    format!(
        "[[rules]]\nid = \"XX-1\"\nkind = \"obligation\"\ntitle = \"t\"\ncitation = \"s. 3\"\nsummary = \"s\"\ncondition = '{condition}'\n"
    )
}

fn error(body: &str) -> String {
    match compile(body) {
        Ok(_) => panic!("expected a load error for:\n{body}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_valid_regime_compiles() {
    let r = compile(&rule(
        "model.training_compute_flop > params.big && eu.placed_on_market",
    ))
    .unwrap();
    assert_eq!(r.rules.len(), 1);
}

#[test]
fn an_unknown_fact_names_regime_rule_path_line_and_a_suggestion() {
    let e = error(&rule("model.training_compute_flops > params.big"));
    assert!(e.contains("test.toml:"), "{e}");
    assert!(
        e.contains("regime `test`: rule XX-1: unknown fact `model.training_compute_flops`"),
        "{e}"
    );
    assert!(
        e.contains("did you mean `model.training_compute_flop`?"),
        "{e}"
    );
    // The position is the expression's, inside the TOML file.
    let err = compile(&rule("model.training_compute_flops > params.big")).unwrap_err();
    let (_, loc) = &err.problems[0];
    assert_eq!(
        loc.as_ref().map(|l| l.line),
        Some(HEADER.lines().count() + 7)
    );
}

#[test]
fn unknown_names_blocks_and_parameters_are_load_errors() {
    assert!(error(&rule("BIGG")).contains("unknown name `BIGG`"));
    let e = error(&rule("model.training_compute_flop > params.bigg"));
    assert!(
        e.contains("unknown parameter `params.bigg`") && e.contains("did you mean `params.big`?"),
        "{e}"
    );
    let e = error(&rule("modle.id == \"x\""));
    assert!(e.contains("did you mean `model`?"), "{e}");
}

#[test]
fn mixing_integers_and_doubles_is_refused_before_it_fails_at_run_time() {
    let e = error(&rule("3 * model.training_compute_flop > params.big"));
    assert!(
        e.contains("mixes an integer and a double") && e.contains("`3.0` instead of `3`"),
        "{e}"
    );
}

#[test]
fn comparing_a_date_with_a_number_is_refused() {
    assert!(error(&rule("eu.placing_date > params.big")).contains("compares a date with a double"));
}

#[test]
fn misspelt_enum_values_are_refused() {
    let e = error(&rule(
        "us.cyber_benchmark_result == \"meets_covered_treshold\"",
    ));
    assert!(
        e.contains("not a possible value") && e.contains("did you mean `meets_covered_threshold`?"),
        "{e}"
    );
    let e = error(&rule("model.output_modalities.exists(m, m in [\"txt\"])"));
    assert!(e.contains("`txt` is not a possible value"), "{e}");
}

#[test]
fn conditions_must_be_boolean() {
    assert!(
        error(&rule("model.training_compute_flop")).contains("a condition must be true or false")
    );
}

#[test]
fn blocks_are_conditions_not_values() {
    let body = format!(
        "[blocks.B]\ntitle = \"b\"\ncondition = \"eu.placed_on_market\"\n{}",
        rule("B == true")
    );
    assert!(error(&body).contains("block `B` is a condition"));
}

#[test]
fn circular_blocks_are_refused() {
    let body = format!(
        "[blocks.A]\ntitle = \"a\"\ncondition = \"B\"\n[blocks.B]\ntitle = \"b\"\ncondition = \"A\"\n{}",
        rule("A")
    );
    assert!(error(&body).contains("circular definition: block A → block B → block A"));
}

#[test]
fn duplicate_rules_and_missing_citations_are_refused() {
    let body = format!("{}{}", rule("true"), rule("false"));
    assert!(error(&body).contains("duplicate rule id"));
    assert!(
        error(&rule("true").replace("citation = \"s. 3\"", "citation = \"\""))
            .contains("must carry its citation")
    );
}

#[test]
fn parameters_need_sources_and_ordered_dates() {
    let body = "[parameters.x]\ntitle = \"x\"\ntype = \"number\"\nvalues = [{ value = 1.0 }]\n";
    assert!(error(body).contains("every parameter value must cite its legal source"));
    let body = "[parameters.x]\ntitle = \"x\"\ntype = \"number\"\nvalues = [{ from = 2026-01-01, value = 1.0, source = \"a\" }, { from = 2025-01-01, value = 2.0, source = \"b\" }]\n";
    assert!(error(body).contains("must not overlap"));
    let body = "[parameters.x]\ntitle = \"x\"\ntype = \"date\"\nvalues = [{ value = 1.0, source = \"a\" }]\n";
    assert!(error(body).contains("expected a value of type Date"));
}

#[test]
fn syntax_errors_point_into_the_toml_file() {
    let err = compile(&rule("eu.placed_on_market &&")).unwrap_err();
    let (p, loc) = &err.problems[0];
    assert!(p.message.starts_with("syntax error"), "{}", p.message);
    assert_eq!(
        loc.as_ref().map(|l| l.line),
        Some(HEADER.lines().count() + 7)
    );
}

#[test]
fn nested_comprehensions_are_bounded() {
    let deep = "model.output_modalities.exists(a, model.output_modalities.exists(b, model.output_modalities.exists(c, a == b && b == c)))";
    assert!(error(&rule(deep)).contains("comprehensions nested deeper than 2"));
}

#[test]
fn the_facts_schema_version_must_match() {
    let text = HEADER.replace("facts_schema = \"1\"", "facts_schema = \"2\"");
    let err = Regime::compile(
        &Source {
            origin: "t",
            text: &text,
        },
        Arc::new(Schema::core()),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("targets facts schema `2`"),
        "{err}"
    );
}

#[test]
fn reason_placeholders_must_name_something() {
    let body = format!(
        "[blocks.B]\ntitle = \"b\"\ncondition = \"eu.placed_on_market\"\nif_true = \"placed on {{eu.placing_dat}}\"\n{}",
        rule("B")
    );
    assert!(error(&body).contains("names `{eu.placing_dat}`"));
}

#[test]
fn open_questions_must_be_declared() {
    let e = error(&rule("open_question(\"XX-OQ-1\")"));
    assert!(e.contains("unknown open question `XX-OQ-1`"), "{e}");
}

const NAMESPACE: &str =
    "[namespace]\nname = \"xx\"\n[namespace.facts.in_state]\ntype = \"bool\"\nmeaning = \"m\"\n";

fn compile_with_namespace(text: &str) -> Result<Regime, RegimeError> {
    let schema = super::schema_for([text]).unwrap();
    Regime::compile(
        &Source {
            origin: "test.toml",
            text,
        },
        Arc::new(schema),
    )
}

#[test]
fn a_regime_reads_its_own_namespace() {
    let text = format!("{HEADER}{NAMESPACE}{}", rule("xx.in_state"));
    let r = compile_with_namespace(&text).unwrap();
    assert_eq!(r.rules.len(), 1);
}

#[test]
fn a_regime_cannot_read_another_regimes_namespace() {
    let other = format!(
        "{}{NAMESPACE}",
        HEADER.replace("id = \"test\"", "id = \"other\"")
    );
    let mine = format!("{HEADER}{}", rule("xx.in_state"));
    let schema = Arc::new(super::schema_for([other.as_str(), mine.as_str()]).unwrap());
    let err = Regime::compile(
        &Source {
            origin: "test.toml",
            text: &mine,
        },
        schema,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("belongs to the namespace of regime `other`"),
        "{err}"
    );
}

#[test]
fn a_declared_namespace_missing_from_the_schema_is_refused() {
    let text = format!("{HEADER}{NAMESPACE}{}", rule("eu.placed_on_market"));
    let err = Regime::compile(
        &Source {
            origin: "test.toml",
            text: &text,
        },
        Arc::new(Schema::core()),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("namespace `xx` is not part of the facts schema"),
        "{err}"
    );
}

#[test]
fn a_1_1_field_needs_a_regime_targeting_1_1() {
    let err = error(&rule("release.deployed"));
    assert!(err.contains("declare `facts_schema = \"1.1\"`"), "{err}");
    let text = format!(
        "{}{}",
        HEADER.replace("facts_schema = \"1\"", "facts_schema = \"1.1\""),
        rule("release.deployed")
    );
    assert!(compile_with_namespace(&text).is_ok());
}

#[test]
fn a_constant_pattern_that_does_not_compile_is_refused_at_load() {
    let e = error(&rule("provider.name.matches(\"(\")"));
    assert!(e.contains("`(` is not a valid regular expression"), "{e}");
    assert!(compile(&rule("provider.name.matches(\"^N.*\")")).is_ok());
}

#[test]
fn native_evaluation_stops_at_its_step_budget() {
    use crate::regime::native::{NEnv, NErr, eval};
    let r = compile(&rule(
        "model.output_modalities.exists(m, m == \"text\" || m == \"speech\")",
    ))
    .unwrap();
    let schema = Schema::core();
    let profile = crate::profile::Profile::parse(
        "schema_version = \"1\"\n[evaluation]\nas_of = 2026-09-01\n[model]\noutput_modalities = [\"other\", \"text_to_image\", \"text\"]\n",
        crate::profile::Format::Toml,
        "p",
        &schema,
    )
    .unwrap();
    let native = r.leaves[0].native.as_ref().unwrap();
    let env = |steps| NEnv {
        profile: &profile,
        params: &[],
        values: &[],
        steps: std::cell::Cell::new(steps),
    };
    assert_eq!(
        eval(native, &env(1000), &mut Vec::new()).map(|v| format!("{v:?}")),
        Ok("Bool(true)".into())
    );
    assert_eq!(
        eval(native, &env(5), &mut Vec::new()).err(),
        Some(NErr::Budget)
    );
}

/// Expressions CEL would accept but that fail at every evaluation with exact numbers are
/// refused when the regime loads, where `juxta regime lint` shows them, never left to fail
/// each profile's column.
#[test]
fn calls_that_would_fail_at_every_evaluation_are_refused_at_load() {
    let e = error(&rule("contains(provider.name, \"AI\")"));
    assert!(e.contains("`contains` is called on its string"), "{e}");
    assert!(e.contains("provider.name.contains(\"AI\")"), "{e}");
    let e = error(&rule("model.training_compute_flop % 2.0 == 0.0"));
    assert!(e.contains("`%` takes integers"), "{e}");
    let e = error(&rule("string(model.training_compute_flop) == \"1e25\""));
    assert!(e.contains("`string()` of a number is not supported"), "{e}");
    // The method forms and integer remainders still compile.
    assert!(
        compile(&rule(
            "provider.name.contains(\"AI\") && provider.name.startsWith(\"N\")"
        ))
        .is_ok()
    );
    assert!(compile(&rule("params.days % 7 == 0")).is_ok());
}
