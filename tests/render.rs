//! `juxta render`: a result saved with `compare --format json --full` renders exactly as
//! `compare` shows it, with no regime evaluated; and the crates keep their layering (no renderer
//! reaches the plugin host).

use juxta_tests::{juxta, juxta_with_input};

const EXAMPLES: &[&str] = &[
    "examples/closed-frontier.toml",
    "examples/fine-tune.toml",
    "examples/new-york.toml",
    "examples/open-weights-mid.toml",
];

/// `compare` with `extra` flags, and `render` of the same comparison saved as JSON, in `format`.
fn both(profile: &str, format: &str, extra: &[&str]) -> (String, String) {
    let mut args = vec!["compare", profile, "--format", format];
    args.extend_from_slice(extra);
    let direct = juxta(&args);
    assert!(direct.code == 0 || direct.code == 3, "{}", direct.stderr);
    let mut save = vec!["compare", profile, "--format", "json", "--full"];
    save.extend(extra.iter().filter(|a| **a != "--applicable-only"));
    let saved = juxta(&save);
    assert_eq!(saved.code, direct.code, "{}", saved.stderr);
    let mut render = vec!["render", "-", "--format", format];
    if extra.contains(&"--applicable-only") {
        render.push("--applicable-only");
    }
    let rendered = juxta_with_input(&render, saved.stdout.as_bytes());
    assert_eq!(rendered.code, direct.code, "{}", rendered.stderr);
    assert_eq!(rendered.stderr, direct.stderr);
    (direct.stdout, rendered.stdout)
}

#[test]
fn render_reproduces_compare_byte_for_byte_in_every_format() {
    for profile in EXAMPLES {
        for format in ["table", "markdown", "html"] {
            let (direct, rendered) = both(profile, format, &[]);
            assert!(
                direct == rendered,
                "{profile} as {format}: `render` differs from `compare`"
            );
        }
    }
}

#[test]
fn render_reproduces_what_if_questions_and_applicable_only() {
    let what_if = [
        "--set",
        "model.training_compute_flop=2e25",
        "--unset",
        "eu.placing_date",
    ];
    for format in ["table", "markdown", "html"] {
        let (direct, rendered) = both("examples/closed-frontier.toml", format, &what_if);
        assert!(direct.to_lowercase().contains("what if"), "{direct}");
        assert!(direct == rendered, "what-if as {format} differs");
        let (direct, rendered) = both("examples/fine-tune.toml", format, &["--applicable-only"]);
        assert!(direct == rendered, "--applicable-only as {format} differs");
    }
}

#[test]
fn a_full_result_renders_back_to_itself_and_the_contract_is_its_subset() {
    let full = juxta(&[
        "compare",
        "examples/fine-tune.toml",
        "--format",
        "json",
        "--full",
    ]);
    assert_eq!(full.code, 0, "{}", full.stderr);
    let again = juxta_with_input(&["render", "-", "--format", "json"], full.stdout.as_bytes());
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.stdout, full.stdout);
    // Removing the view from the full result gives exactly the contract.
    let contract = juxta(&["compare", "examples/fine-tune.toml", "--format", "json"]);
    let mut doc: serde_json::Value = serde_json::from_str(&full.stdout).unwrap();
    doc.as_object_mut().unwrap().remove("facts");
    for r in doc["regimes"].as_array_mut().unwrap() {
        let r = r.as_object_mut().unwrap();
        r.remove("computed_info");
        r.remove("effective");
        for f in r["rules"].as_array_mut().unwrap() {
            f.as_object_mut().unwrap().remove("would_change");
            f.as_object_mut().unwrap().remove("summary");
        }
    }
    let contract: serde_json::Value = serde_json::from_str(&contract.stdout).unwrap();
    assert_eq!(doc, contract);
}

#[test]
fn a_contract_only_result_renders_what_it_has_and_says_what_is_missing() {
    let plain = juxta(&["compare", "examples/fine-tune.toml", "--format", "json"]);
    let run = juxta_with_input(
        &["render", "-", "--format", "table"],
        plain.stdout.as_bytes(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("saved without `--full`"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("EU-CLS-GPAI"), "{}", run.stdout);
}

#[test]
fn a_file_that_is_not_a_result_is_refused_with_its_position() {
    let run = juxta_with_input(&["render", "-"], b"{\"profile\": 3}");
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("line 1, column") && run.stderr.contains("not a juxta result"),
        "{}",
        run.stderr
    );
}

/// Which of our crates each crate may depend on (ARCHITECTURE.md): the layers never reach up,
/// and no renderer reaches the plugin host.
#[test]
fn crates_depend_only_on_the_layers_below_them() {
    let allowed: &[(&str, &[&str])] = &[
        ("sdk", &[]),
        ("kernel/core", &["juxta-sdk"]),
        ("kernel/host", &["juxta-sdk", "juxta-core"]),
        ("kernel/render", &["juxta-sdk", "juxta-core"]),
        // The offline app's engine runs in a browser: no plugin host, no wasmtime.
        ("app", &["juxta-sdk", "juxta-core", "juxta-render"]),
        (
            "kernel/juxta",
            &["juxta-sdk", "juxta-core", "juxta-host", "juxta-render"],
        ),
        (
            "kernel/cli",
            &[
                "juxta-sdk",
                "juxta-core",
                "juxta-host",
                "juxta-render",
                "juxta",
            ],
        ),
    ];
    for (dir, may) in allowed {
        let path = juxta_tests::repo().join(dir).join("Cargo.toml");
        let manifest: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
        let deps = manifest
            .get("dependencies")
            .and_then(|d| d.as_table())
            .cloned()
            .unwrap_or_default();
        for name in deps.keys() {
            if name == "juxta" || name.starts_with("juxta-") {
                assert!(
                    may.contains(&name.as_str()),
                    "{dir} depends on {name}, which its layer may not use"
                );
            }
        }
    }
}

/// A saved result is input like any other: a crafted one renders (or is refused) quickly and
/// without a panic.
#[test]
fn hostile_results_render_or_are_refused_cleanly() {
    let full = juxta(&[
        "compare",
        "examples/fine-tune.toml",
        "--format",
        "json",
        "--full",
    ]);
    let mut doc: serde_json::Value = serde_json::from_str(&full.stdout).unwrap();
    // A title of 64 KiB without a space: the table's layout is quadratic in its longest word.
    let word = "W".repeat(64 << 10);
    doc["regimes"][0]["rules"][0]["title"] = serde_json::Value::String(word.clone());
    // A computed number too large for a double is `null` in the contract.
    doc["regimes"][0]["computed"]["max_fine_eur"] = serde_json::Value::Null;
    let text = serde_json::to_string(&doc).unwrap();
    for format in ["table", "markdown", "html"] {
        let run = juxta_with_input(&["render", "-", "--format", format], text.as_bytes());
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        let shown = run.stdout.chars().filter(|c| *c == 'W').count();
        assert!(
            shown >= word.len(),
            "{format}: the long title lost characters"
        );
    }
    // Not a result: the position once, and the offending input not echoed at length.
    let junk = format!("{{\"profile\": [\"{}\"]}}", "x".repeat(1 << 20));
    let run = juxta_with_input(&["render", "-"], junk.as_bytes());
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.len() < 2000,
        "{} bytes of error",
        run.stderr.len()
    );
    assert!(run.stderr.contains("line 1, column"), "{}", run.stderr);
}

#[test]
fn full_goes_with_json_only() {
    let run = juxta(&["compare", "examples/fine-tune.toml", "--full"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--format json"), "{}", run.stderr);
}

#[test]
fn what_if_members_keep_the_order_the_contract_always_printed() {
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--format",
        "json",
        "--set",
        "model.training_compute_flop=2e25",
    ]);
    let at = |key: &str| run.stdout.find(&format!("\"{key}\":")).unwrap();
    let what_if = at("what_if");
    let tail = &run.stdout[what_if..];
    let pos = |key: &str| tail.find(&format!("\"{key}\":")).unwrap();
    assert!(
        pos("changes") < pos("set") && pos("set") < pos("unset"),
        "{tail}"
    );
    assert!(
        !tail.contains("\"text\":"),
        "the question's text is view, not contract"
    );
}
