//! The regime author's loop: `regime new`, `lint`, `test` (failures, coverage, JSON, JUnit),
//! `build`'s missing-target message, and `juxta schema`.

use juxta_tests::{juxta, juxta_binary, repo};
use serde_json::Value;

#[test]
fn a_new_regime_lints_clean_and_passes_its_example_case_outside_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().display().to_string();
    let run = juxta(&[
        "regime",
        "new",
        "uk-ai-bill",
        "--dir",
        &root,
        "--jurisdiction",
        "UK",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for file in [
        "regimes/uk-ai-bill/regime.toml",
        "regimes/uk-ai-bill/tests/UK01-example.toml",
        "plugins/uk-ai-bill/Cargo.toml",
        "plugins/uk-ai-bill/src/lib.rs",
    ] {
        assert!(dir.path().join(file).is_file(), "{file} was not created");
    }
    // Outside a checkout the plugin is its own workspace and depends on the published SDK.
    let cargo = std::fs::read_to_string(dir.path().join("plugins/uk-ai-bill/Cargo.toml")).unwrap();
    assert!(
        cargo.contains("[workspace]") && cargo.contains("juxta-sdk = \"0.1.0\""),
        "{cargo}"
    );
    let regime = format!("{root}/regimes/uk-ai-bill");
    let lint = juxta(&["regime", "lint", &regime, "--deny-warnings"]);
    assert_eq!(lint.code, 0, "{}{}", lint.stdout, lint.stderr);
    assert!(
        lint.stdout.contains("0 error(s), 0 warning(s)"),
        "{}",
        lint.stdout
    );
    let test = juxta(&["regime", "test", &regime]);
    assert_eq!(test.code, 0, "{}{}", test.stdout, test.stderr);
    assert!(test.stdout.contains("ok   UK01"), "{}", test.stdout);
    // It never overwrites.
    let again = juxta(&["regime", "new", "uk-ai-bill", "--dir", &root]);
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    let bad = juxta(&["regime", "new", "UK_Bill", "--dir", &root]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("lower-case letters"), "{}", bad.stderr);
}

#[test]
fn sdk_path_makes_the_plugin_depend_on_a_checkout() {
    let dir = tempfile::tempdir().unwrap();
    let sdk = repo().join("sdk").display().to_string();
    let run = juxta(&[
        "regime",
        "new",
        "ny-raise",
        "--dir",
        &dir.path().display().to_string(),
        "--sdk-path",
        &sdk,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let cargo = std::fs::read_to_string(dir.path().join("plugins/ny-raise/Cargo.toml")).unwrap();
    assert!(cargo.contains("juxta-sdk = { path = "), "{cargo}");
}

fn findings(target: &str) -> (i32, Vec<Value>) {
    let run = juxta(&["regime", "lint", target, "--format", "json"]);
    let list: Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    (run.code, list.as_array().unwrap().clone())
}

fn finding<'a>(list: &'a [Value], code: &str) -> &'a Value {
    list.iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no `{code}` finding in {list:#?}"))
}

#[test]
fn lint_finds_what_the_compiler_refuses_with_toml_lines() {
    let (code, list) = findings("tests/fixtures/misspelt-regime");
    assert_eq!(code, 4);
    let unknown = finding(&list, "unknown-fact");
    assert_eq!(unknown["line"], 30);
    assert_eq!(
        unknown["help"],
        "did you mean `model.training_compute_flop`?"
    );
    assert_eq!(finding(&list, "parameter-dates")["line"], 17);
    assert_eq!(finding(&list, "parameter-without-source")["line"], 23);
    assert_eq!(finding(&list, "duplicate-rule-id")["line"], 35);
    let citation = finding(&list, "missing-citation");
    assert_eq!(citation["item"], "rule XX-OBL-REPORT");
    assert_eq!(citation["line"], 44);
    assert!(list.iter().all(|f| f["severity"] == "error"));
}

#[test]
fn lint_finds_contradictions_unused_blocks_and_unbounded_comprehensions() {
    let (code, list) = findings("tests/fixtures/broken-regime");
    assert_eq!(code, 4, "a rule that can never apply is an error");
    let never = finding(&list, "never-applies");
    assert_eq!(never["item"], "rule XX-OBL-BOTH");
    assert_eq!(never["line"], 45);
    assert!(
        never["message"]
            .as_str()
            .unwrap()
            .contains("`LARGE` and `SMALL` contradict each other"),
        "{never}"
    );
    assert_eq!(finding(&list, "unused-block")["item"], "block FORGOTTEN");
    assert_eq!(
        finding(&list, "unbounded-comprehension")["item"],
        "rule XX-INV-TEXT"
    );
    assert_eq!(finding(&list, "missing-status")["item"], "rule XX-INV-TEXT");
    // The large model rule is fine: nothing is reported about it.
    assert!(list.iter().all(|f| f["item"] != "rule XX-CLS-LARGE"));
    // The text report points at the line with a caret.
    let text = juxta(&["regime", "lint", "tests/fixtures/broken-regime"]);
    assert!(
        text.stdout
            .contains("error[never-applies] tests/fixtures/broken-regime/regime.toml:45:1"),
        "{}",
        text.stdout
    );
}

#[test]
fn the_bundled_regimes_lint_clean() {
    for id in juxta_tests::regime_ids() {
        let run = juxta(&[
            "regime",
            "lint",
            &format!("regimes/{id}"),
            "--deny-warnings",
        ]);
        assert_eq!(run.code, 0, "{id}:\n{}", run.stdout);
    }
}

#[test]
fn a_research_note_in_a_citation_is_a_lint_warning() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo().join("regimes/eu-ai-act-gpai/regime.toml")).unwrap();
    let noted = text.replacen(
        "citation = \"Art. 2(1)(a); Art. 3(9)–(10)\"",
        "citation = \"Art. 2(1)(a) (seeds 000, 002; stored pages)\"",
        1,
    );
    assert_ne!(noted, text);
    std::fs::write(dir.path().join("regime.toml"), noted).unwrap();
    let run = juxta(&["regime", "lint", dir.path().to_str().unwrap()]);
    assert!(
        run.stdout.contains("warning[note-in-citation]")
            && run
                .stdout
                .contains("rule EU-CLS-SCOPE: the citation contains `seed`"),
        "{}",
        run.stdout
    );
}

#[test]
fn every_cell_cites_an_instrument_and_keeps_provenance_and_confirmation_apart() {
    for example in ["closed-frontier", "fine-tune"] {
        let run = juxta(&[
            "compare",
            &format!("examples/{example}.toml"),
            "--format",
            "json",
        ]);
        let doc: Value = serde_json::from_str(&run.stdout).unwrap();
        for r in doc["regimes"].as_array().unwrap() {
            for f in r["rules"].as_array().unwrap() {
                let citation = f["citation"].as_str().unwrap();
                for word in [
                    "seed",
                    "stored page",
                    "SEEDS",
                    "PAGES",
                    "CONFLICT",
                    "CONFIRMED",
                ] {
                    assert!(!citation.contains(word), "{}: {citation}", f["id"]);
                }
                assert!(f.get("confirmation").is_some() && f.get("provenance").is_some());
            }
            if r["id"] == "us-ai-eo-2026" {
                for f in r["rules"].as_array().unwrap() {
                    assert!(
                        f["citation"].as_str().unwrap().starts_with("EO 14409, \"Promoting Advanced Artificial Intelligence Innovation and Security\" (2 June 2026)"),
                        "{}",
                        f["citation"]
                    );
                    assert!(f["provenance"].is_string(), "{}", f["id"]);
                }
            }
            // Every open question a finding names is there in words.
            for f in r["rules"].as_array().unwrap() {
                for q in f["open_questions"].as_array().unwrap() {
                    let text = &r["open_questions"][q.as_str().unwrap()]["question"];
                    assert!(text.as_str().is_some_and(|t| t.len() > 20), "{q}");
                }
            }
        }
    }
}

#[test]
fn a_failing_case_shows_the_facts_the_condition_tree_and_the_citation() {
    let run = juxta(&["regime", "test", "tests/fixtures/broken-regime"]);
    assert_eq!(run.code, 4);
    let out = &run.stdout;
    for needle in [
        "ok   XX01 A large text model",
        "FAIL XX02 A small model expected to be large",
        "XX-CLS-LARGE: expected applies, got does_not_apply",
        "facts of the profile:",
        "model.training_compute_flop = 5.00e22",
        "XX-CLS-LARGE · Large · Test Act, s. 1",
        "✘ LARGE — Large model",
        "└─ ✘ model.training_compute_flop > params.large_flop",
        "model.training_compute_flop = 5.00e22 · params.large_flop = 1.00e25",
        "1 passed, 1 failed",
    ] {
        assert!(out.contains(needle), "missing `{needle}` in:\n{out}");
    }
}

#[test]
fn coverage_names_unexercised_statuses_and_blocks_never_evaluated() {
    let run = juxta(&[
        "regime",
        "test",
        "tests/fixtures/broken-regime",
        "--coverage",
    ]);
    let out = &run.stdout;
    assert!(
        out.contains("0 of 3 rules exercised in every status they can take"),
        "{out}"
    );
    // The exact search knows XX-OBL-BOTH can never apply (its blocks contradict): only the
    // undetermined status, which an unknown compute gives, is missing.
    assert!(
        out.contains("XX-OBL-BOTH: never undetermined (exercised: does_not_apply)"),
        "{out}"
    );
    assert!(out.contains("blocks never evaluated: FORGOTTEN"), "{out}");
    let json = juxta(&[
        "regime",
        "test",
        "tests/fixtures/broken-regime",
        "--coverage",
        "--format",
        "json",
    ]);
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["passed"], 1);
    assert_eq!(doc["failed"], 1);
    let both = doc["coverage"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "XX-OBL-BOTH")
        .unwrap();
    assert_eq!(both["missing"], serde_json::json!(["undetermined"]));
    let failed = &doc["cases"][1];
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["differences"][0]["rule"], "XX-CLS-LARGE");
    assert_eq!(failed["trees"][0]["tree"]["label"], "LARGE");
    assert_eq!(failed["trees"][0]["tree"]["value"], "false");
}

#[test]
fn every_bundled_regime_is_exercised_in_every_status_its_rules_can_take() {
    for id in juxta_tests::regime_ids() {
        let run = juxta(&[
            "regime",
            "test",
            &format!("regimes/{id}"),
            "--coverage",
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 0, "{id}: {}", run.stderr);
        let doc: Value = serde_json::from_str(&run.stdout).unwrap();
        let gaps: Vec<&Value> = doc["coverage"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| !r["missing"].as_array().unwrap().is_empty())
            .collect();
        assert!(gaps.is_empty(), "{id}: {gaps:#?}");
        assert_eq!(
            doc["coverage"]["blocks_never_evaluated"],
            serde_json::json!([]),
            "{id}"
        );
    }
}

#[test]
fn junit_output_is_one_testcase_per_case_with_escaped_failures() {
    let run = juxta(&[
        "regime",
        "test",
        "tests/fixtures/broken-regime",
        "--format",
        "junit",
    ]);
    assert_eq!(run.code, 4);
    let xml = &run.stdout;
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(
        xml.contains("<testsuite name=\"xx-broken\" tests=\"2\" failures=\"1\" errors=\"0\""),
        "{xml}"
    );
    assert_eq!(xml.matches("<testcase ").count(), 2);
    assert_eq!(xml.matches("<failure ").count(), 1);
    // `>` of the condition is escaped inside the failure text.
    assert!(
        xml.contains("model.training_compute_flop &gt; params.large_flop"),
        "{xml}"
    );
    assert!(xml.trim_end().ends_with("</testsuites>"));
}

#[test]
fn the_same_runner_tests_a_built_plugin() {
    let run = juxta(&["regime", "test", "plugins/dist/us-ca-sb53.wasm"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("22 passed, 0 failed"), "{}", run.stdout);
}

#[test]
fn build_names_the_rustup_command_when_the_wasm_target_is_missing() {
    // A `rustc` whose sysroot has no wasm32 target; everything else goes to the real one.
    let dir = tempfile::tempdir().unwrap();
    let sysroot = dir.path().join("sysroot");
    std::fs::create_dir_all(sysroot.join("lib/rustlib")).unwrap();
    let real = String::from_utf8(
        std::process::Command::new("rustup")
            .args(["which", "rustc"])
            .current_dir(repo())
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let fake = dir.path().join("rustc");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\nif [ \"$1\" = --print ] && [ \"$2\" = sysroot ]; then echo {}; exit 0; fi\nexec {} \"$@\"\n",
            sysroot.display(),
            real.trim()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new(juxta_binary())
        .args(["regime", "build", "plugins/us-ca-sb53", "--out"])
        .arg(dir.path().join("out"))
        .current_dir(repo())
        .env("PATH", path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the `wasm32-unknown-unknown` target is not installed")
            && stderr.contains("run `rustup target add wasm32-unknown-unknown"),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists(), "nothing is written");
}

#[test]
fn schema_prints_a_json_schema_every_case_profile_satisfies() {
    let run = juxta(&["schema"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let schema: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let props = &schema["properties"];
    assert_eq!(
        props["schema_version"]["enum"],
        serde_json::json!(["1", "1.1", "1.2", "1.3"])
    );
    assert_eq!(
        props["ca"]["properties"]["developer_in_california"]["type"],
        "boolean"
    );
    assert!(
        props["ca"]["description"]
            .as_str()
            .unwrap()
            .contains("us-ca-sb53")
    );
    assert_eq!(
        props["release"]["properties"]["deployment_date"]["format"],
        "date"
    );
    assert_eq!(
        props["model"]["properties"]["training_compute_flop"]["minimum"],
        0.0
    );
    let mut checked = 0;
    for id in juxta_tests::regime_ids() {
        for path in juxta_tests::case_files(&id) {
            let doc = juxta_tests::toml_text_to_json(&std::fs::read_to_string(&path).unwrap());
            let profile = doc["facts"].clone();
            let errors = crate::batch::validate(&profile, &schema, &schema, "$");
            assert!(errors.is_empty(), "{}: {errors:?}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 45);
    // And it refuses what juxta refuses.
    let bad = serde_json::json!({"schema_version": "1", "evaluation": {"as_of": "2026-09-01"}, "ca": {"developer_in_californa": true}});
    assert!(!crate::batch::validate(&bad, &schema, &schema, "$").is_empty());
}

#[test]
fn the_examples_are_valid_for_the_schema_too() {
    let run = juxta(&["schema"]);
    let schema: Value = serde_json::from_str(&run.stdout).unwrap();
    for example in ["closed-frontier", "open-weights-mid", "fine-tune"] {
        let text = std::fs::read_to_string(repo().join("examples").join(format!("{example}.toml")))
            .unwrap();
        let doc: toml::Value = toml::from_str(&text).unwrap();
        let errors =
            crate::batch::validate(&juxta_tests::toml_to_json(&doc), &schema, &schema, "$");
        assert!(errors.is_empty(), "{example}: {errors:?}");
    }
}

#[test]
fn lint_survives_twenty_thousand_term_chains_and_says_what_is_too_big() {
    let base = std::fs::read_to_string(repo().join("regimes/eu-ai-act-gpai/regime.toml")).unwrap();
    for (chain, needle) in [
        (
            vec!["1.0"; 20_000].join(" + "),
            "bytes exceeds the limit of 16384",
        ),
        (
            format!("model{}", ".y".repeat(20_000)),
            "bytes exceeds the limit of 16384",
        ),
        (
            format!("[1]{}", "[0]".repeat(20_000)),
            "bytes exceeds the limit of 16384",
        ),
        (
            format!("[1]{}", "[0]".repeat(1_000)),
            "tokens exceeds the limit",
        ),
        (
            format!("{}true{}", "(".repeat(100), ")".repeat(100)),
            "nested deeper than 24",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let text = base.replacen(
            "condition = \"SCOPE\"",
            &format!("condition = '''{chain}'''"),
            1,
        );
        std::fs::write(dir.path().join("regime.toml"), text).unwrap();
        let run = juxta(&["regime", "lint", dir.path().to_str().unwrap()]);
        assert_eq!(run.code, 4, "{}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains(needle),
            "missing `{needle}`:\n{}",
            run.stdout
        );
    }
}

#[test]
fn lint_lists_every_rules_cost_and_warns_near_the_budget() {
    let run = juxta(&["regime", "lint", "regimes/us-ny-raise", "--costs"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(
            "worst-case cost per profile, in evaluation steps (budget: 1.0e6 per expression, 1.0e7 per regime)"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 2 + 25, "{}", run.stdout);
    let json = juxta(&[
        "regime",
        "lint",
        "regimes/us-ny-raise",
        "--costs",
        "--format",
        "json",
    ]);
    let list: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 25);
    assert!(list[0]["cost"].as_u64().unwrap() > 0);
    // A rule over half the budget lints with a warning.
    let dir = tempfile::tempdir().unwrap();
    let items: Vec<String> = (100..500).map(|i| format!("\"s{i}\"")).collect();
    let param = format!(
        "[parameters.big]\ntitle = \"big\"\ntype = \"string_list\"\nvalues = [{{ from = 2020-01-01, value = [{}], source = \"s. 1\", status = \"CONFIRMED\" }}]\n\n[parameters.chapter_v_applies_from]",
        items.join(", ")
    );
    let text = std::fs::read_to_string(repo().join("regimes/eu-ai-act-gpai/regime.toml"))
        .unwrap()
        .replacen(
            "condition = \"SCOPE\"",
            "condition = \"params.big.exists(a, a in params.big)\"",
            1,
        )
        .replacen("[parameters.chapter_v_applies_from]", &param, 1);
    std::fs::write(dir.path().join("regime.toml"), text).unwrap();
    let run = juxta(&["regime", "lint", dir.path().to_str().unwrap()]);
    assert!(
        run.stdout.contains("warning[near-budget]"),
        "{}",
        run.stdout
    );
}

#[test]
fn lint_marks_warnings_apart_from_errors() {
    let run = juxta(&["regime", "lint", "tests/fixtures/broken-regime"]);
    assert_eq!(run.code, 4);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let warning = lines
        .iter()
        .find(|l| l.contains("warning[unused-block]"))
        .expect("a warning");
    let error = lines
        .iter()
        .find(|l| l.contains("error[never-applies]"))
        .expect("an error");
    assert!(warning.trim_start().starts_with('⚠'), "{warning}");
    assert!(error.trim_start().starts_with('×'), "{error}");
}
