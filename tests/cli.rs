//! The commands as a user runs them: output, errors and exit codes.

use juxta_tests::juxta;

#[test]
fn compare_prints_the_regimes_side_by_side() {
    let run = juxta(&["compare", "examples/closed-frontier.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    for needle in [
        "EU AI Act — general-purpose AI models",
        "US executive order of 2 June 2026",
        "REQUIRED",
        "INVITED",
        "NOT REQUIRED",
        "GOVERNMENT",
        "✔ APPLIES · EU-OBL-55-1a",
        "✔ APPLIES · US-INV-EARLY",
        "✘ does not apply · US-GOV-AG",
        "due 2027-01-20",
        "Art. 55(1)(a)",
        "Maximum fine: EUR 360,000,000",
        "Early-access window opens at the earliest: 2026-12-21",
        "California SB 53 — Transparency in",
        "US-CA · us-ca-sb53 1.1.0",
        "New York RAISE Act",
        "US-NY · us-ny-raise 1.0.0",
        "✔ APPLIES · CA-OBL-TR",
        "Maximum civil penalty per violation: USD 1,000,000",
    ] {
        assert!(out.contains(needle), "missing `{needle}` in:\n{out}");
    }
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn undetermined_rows_name_the_facts_they_need() {
    let run = juxta(&["compare", "examples/open-weights-mid.toml"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("? UNDETERMINED · US-CLS-COVERED"));
    assert!(run.stdout.contains("needs: us.cyber_benchmark_result"));
    assert!(run.stdout.contains("open: US-OQ-THRESHOLD"));
    assert!(
        run.stdout.contains("Maximum fine: ? undetermined"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("needs: provider.worldwide_annual_turnover_eur"),
        "{}",
        run.stdout
    );
}

#[test]
fn applicable_only_hides_rows_that_do_not_apply() {
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--applicable-only",
    ]);
    assert_eq!(run.code, 0);
    assert!(!run.stdout.contains("does not apply ·"));
    assert!(run.stdout.contains("✔ APPLIES · EU-OBL-53-1a"));
}

#[test]
fn as_of_moves_the_day_the_law_is_applied() {
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--format",
        "json",
        "--as-of",
        "2026-05-01",
    ]);
    assert_eq!(run.code, 0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["as_of"], "2026-05-01");
    let us = &doc["regimes"][1];
    assert!(
        us["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "does_not_apply"),
        "the US order was not yet signed"
    );
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--as-of",
        "2026-02-30",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--as-of `2026-02-30`"),
        "{}",
        run.stderr
    );
}

#[test]
fn regime_selects_columns_and_refuses_unknown_ids() {
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--format",
        "json",
        "--regime",
        "us-ai-eo-2026",
    ]);
    assert_eq!(run.code, 0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["regimes"].as_array().unwrap().len(), 1);
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--regime",
        "eu-ai-act",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown regime `eu-ai-act`") && run.stderr.contains("eu-ai-act-gpai"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_json_profile_gives_the_same_answer_as_its_toml() {
    let toml_run = juxta(&["compare", "examples/fine-tune.toml", "--format", "json"]);
    let text =
        std::fs::read_to_string(juxta_tests::repo().join("examples/fine-tune.toml")).unwrap();
    let value: toml::Value = toml::from_str(&text).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let json_path = dir.path().join("fine-tune.json");
    std::fs::write(
        &json_path,
        serde_json::to_string(&juxta_tests::toml_to_json(&value)).unwrap(),
    )
    .unwrap();
    let json_run = juxta(&["compare", json_path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(json_run.code, 0, "{}", json_run.stderr);
    let mut a: serde_json::Value = serde_json::from_str(&toml_run.stdout).unwrap();
    let mut b: serde_json::Value = serde_json::from_str(&json_run.stdout).unwrap();
    a["profile"] = serde_json::Value::Null;
    b["profile"] = serde_json::Value::Null;
    assert_eq!(a, b);
}

#[test]
fn a_bad_profile_is_an_error_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "schema_version = \"1\"\n[evaluation]\nas_of = 2026-09-01\n[model]\ntraining_compute_flops = 3e25\n").unwrap();
    let run = juxta(&["compare", path.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("bad.toml:5:1"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("unknown field `model.training_compute_flops`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("did you mean `model.training_compute_flop`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn unreadable_inputs_are_named() {
    let run = juxta(&["compare", "examples/no-such-file.toml"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("cannot read `examples/no-such-file.toml`"),
        "{}",
        run.stderr
    );
    let run = juxta(&["compare", "examples"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("`examples` is a directory"),
        "{}",
        run.stderr
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("binary.toml");
    std::fs::write(&path, [0x73, 0x63, 0xff, 0xfe]).unwrap();
    let run = juxta(&["compare", path.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("is not UTF-8 text"), "{}", run.stderr);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(juxta(&["compare"]).code, 2);
    assert_eq!(juxta(&["frobnicate"]).code, 2);
    let help = juxta(&["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Exit codes"));
}

#[test]
fn regimes_lists_what_is_loaded() {
    let run = juxta(&["regimes", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for row in rows {
        assert_eq!(row["origin"], "bundled");
        assert!(
            row["version"] == "1.0.0" || row["version"] == "1.1.0",
            "{row}"
        );
        assert_eq!(row["sha256"].as_str().unwrap().len(), 64);
    }
    let table = juxta(&["regimes"]);
    assert!(table.stdout.contains("eu-ai-act-gpai") && table.stdout.contains("bundled"));
}

#[test]
fn regime_test_runs_cases_from_source_and_from_a_plugin() {
    let run = juxta(&["regime", "test", "regimes/eu-ai-act-gpai"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("24 passed, 0 failed"), "{}", run.stdout);
    let run = juxta(&["regime", "test", "plugins/dist/us-ai-eo-2026.wasm"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("20 passed, 0 failed"), "{}", run.stdout);
}

#[test]
fn regime_test_reports_a_failing_case_with_exit_4() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(
        juxta_tests::repo()
            .join("regimes/us-ai-eo-2026/tests/C01-closed-frontier-us-lab-eu-api.toml"),
    )
    .unwrap();
    let wrong = original.replace(
        "applies = [\"US-INV-BENCH\", \"US-INV-CLEAR\", \"US-NOB-LICENSE\", \"US-NOB-PENALTY\"]",
        "applies = [\"US-INV-BENCH\", \"US-INV-CLEAR\", \"US-NOB-LICENSE\", \"US-NOB-PENALTY\", \"US-INV-GRANT\"]",
    );
    assert_ne!(wrong, original);
    let wrong = wrong.replacen(
        "\"US-INV-GRANT\", \"US-GOV-DHS-BOD\"",
        "\"US-GOV-DHS-BOD\"",
        1,
    );
    std::fs::write(dir.path().join("C01.toml"), wrong).unwrap();
    let run = juxta(&[
        "regime",
        "test",
        "regimes/us-ai-eo-2026",
        "--cases",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 4, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("US-INV-GRANT: expected applies, got does_not_apply"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("0 passed, 1 failed"));
}

#[test]
fn regime_build_explains_what_it_needs() {
    let run = juxta(&["regime", "build", "regimes/eu-ai-act-gpai"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("has no Cargo.toml"), "{}", run.stderr);
}
