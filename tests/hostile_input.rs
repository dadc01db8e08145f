//! Hostile and malformed profiles: each gives a clear error naming the file, line and field
//! (with a caret where there is a line), exit 1, nothing on standard output, and no crash.

use juxta_tests::juxta;

const HEAD: &str = "schema_version = \"1\"\n[evaluation]\nas_of = 2026-09-01\n";

/// Runs `compare` on a file with these bytes; returns (exit code, stderr).
fn compare_bytes(name: &str, bytes: &[u8]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let run = juxta(&["compare", path.to_str().unwrap(), "--format", "json"]);
    if run.code == 1 {
        assert!(run.stdout.is_empty(), "no result on a bad profile");
    }
    (run.code, run.stderr)
}

fn rejected(name: &str, bytes: &[u8], needles: &[&str]) -> String {
    let (code, stderr) = compare_bytes(name, bytes);
    assert_eq!(code, 1, "{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "missing `{n}` in:\n{stderr}");
    }
    stderr
}

#[test]
fn malformed_toml_shows_the_line_and_a_caret() {
    let e = rejected(
        "bad.toml",
        format!("{HEAD}[model\ntraining_compute_flop = 3e25\n").as_bytes(),
        &["bad.toml:4:"],
    );
    assert!(e.contains("╭─[") && e.contains("4 │ [model"), "{e}");
}

#[test]
fn malformed_json_shows_the_line_and_a_caret() {
    let e = rejected(
        "bad.json",
        b"{\"schema_version\": \"1\",\n \"evaluation\": {\"as_of\": }\n}",
        &["bad.json:2:"],
    );
    assert!(e.contains("╭─[") && e.contains("2 │"), "{e}");
}

#[test]
fn wrong_types_are_named_with_what_was_expected() {
    rejected(
        "t.toml",
        format!("{HEAD}[model]\ntraining_compute_flop = \"a lot\"\n").as_bytes(),
        &[
            "t.toml:5:",
            "`model.training_compute_flop`",
            "expected a non-negative number, found the string `a lot`",
        ],
    );
    rejected(
        "t.toml",
        format!("{HEAD}[model]\ntraining_compute_flop = \"3e25\"\n").as_bytes(),
        &["write the number without quotes: 3e25"],
    );
    rejected(
        "t.toml",
        format!("{HEAD}[eu]\nplaced_on_market = \"yes\"\n").as_bytes(),
        &["expected a boolean, found the string `yes`"],
    );
    rejected(
        "t.toml",
        b"schema_version = \"1\"\nmodel = 3\n[evaluation]\nas_of = 2026-09-01\n",
        &["`model` must be a table, found the integer `3`"],
    );
    rejected(
        "t.json",
        b"[1, 2, 3]",
        &["a profile is a table, found an array"],
    );
}

#[test]
fn unknown_keys_get_did_you_mean() {
    rejected(
        "t.toml",
        format!("{HEAD}[provider]\ncountri = \"US\"\n").as_bytes(),
        &["t.toml:5:1", "did you mean `provider.country`?"],
    );
    rejected(
        "t.toml",
        format!("{HEAD}[provder]\ncountry = \"US\"\n").as_bytes(),
        &["unknown key `provder`", "did you mean `provider`?"],
    );
}

#[test]
fn non_finite_and_out_of_range_numbers_are_refused() {
    for (v, shown) in [
        ("nan", "`NaN` is not a finite number"),
        ("inf", "`inf` is not a finite number"),
        ("-inf", "`-inf` is not a finite number"),
        (
            "1e400",
            "`1e400` is too large: beyond the range of a double (about 1.8e308)",
        ),
        (
            "1e-400",
            "`1e-400` is too small: it underflows to zero as a double",
        ),
        ("-0.0", "`-0` is a negative zero, which is not a value"),
        ("-0", "`-0` is a negative zero, which is not a value"),
        (
            "1.00000000000000000000000000000000000000000000000000000000000001e25",
            "more than 60 significant digits",
        ),
    ] {
        rejected(
            "n.toml",
            format!("{HEAD}[model]\ntraining_compute_flop = {v}\n").as_bytes(),
            &["n.toml:5:", shown],
        );
    }
    // JSON is read exactly like TOML, with the same messages.
    for (v, shown) in [
        ("1e400", "`1e400` is too large"),
        ("1e-400", "`1e-400` is too small"),
        ("-0.0", "`-0` is a negative zero"),
        ("-0", "`-0` is a negative zero"),
    ] {
        let text = format!(
            "{{\"schema_version\": \"1\", \"evaluation\": {{\"as_of\": \"2026-09-01\"}}, \"model\": {{\"training_compute_flop\": {v}}}}}"
        );
        rejected("n.json", text.as_bytes(), &["n.json:1:", shown]);
    }
    rejected(
        "n.toml",
        format!("{HEAD}[model]\ntraining_compute_flop = -1e24\n").as_bytes(),
        &["-1e24 is below the minimum 0"],
    );
    rejected(
        "n.toml",
        format!("{HEAD}[provider]\nworldwide_annual_turnover_eur = -5\n").as_bytes(),
        &["-5 is below the minimum 0"],
    );
}

#[test]
fn a_namespace_enumeration_is_checked_like_a_core_one() {
    rejected(
        "e.toml",
        format!("{HEAD}[ny]\nsection_1426_exception = \"empire-ai\"\n").as_bytes(),
        &[
            "e.toml:5:",
            "`empire-ai` is not one of",
            "did you mean `empire_ai`?",
        ],
    );
    rejected(
        "e.toml",
        format!("{HEAD}[provider]\nhas_other_frontier_model = true\n[ca]\nhas_other_frontier_model = false\n").as_bytes(),
        &["e.toml:7:", "contradicts `provider.has_other_frontier_model` = true"],
    );
}

#[test]
fn impossible_dates_are_refused() {
    rejected(
        "d.toml",
        format!("{HEAD}[eu]\nplacing_date = 2026-02-30\n").as_bytes(),
        &["d.toml:5:"],
    );
    rejected(
        "d.json",
        b"{\"schema_version\": \"1\", \"evaluation\": {\"as_of\": \"2026-02-30\"}}",
        &["2026-02 has no day 30"],
    );
    rejected(
        "d.toml",
        format!("{HEAD}[eu]\nplacing_date = 2026-01-01T10:00:00Z\n").as_bytes(),
        &["is a date-time or time, not a date"],
    );
    rejected(
        "d.toml",
        "schema_version = \"1\"\n[evaluation]\nas_of = 0203-01-01\n".as_bytes(),
        &["year 203 is outside 1900..=2999"],
    );
}

#[test]
fn a_ten_megabyte_string_is_refused_without_echoing_it() {
    let huge = "x".repeat(10 << 20);
    let (code, stderr) = compare_bytes(
        "s.toml",
        format!("{HEAD}[provider]\nname = \"{huge}\"\n").as_bytes(),
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("string of 10485760 bytes exceeds the limit of 1024"),
        "{}",
        &stderr[..stderr.len().min(500)]
    );
    assert!(
        stderr.len() < 10_000,
        "the diagnostic must not quote the 10 MB line ({} bytes)",
        stderr.len()
    );
}

#[test]
fn a_list_of_a_million_items_is_refused() {
    let items = vec!["\"text\""; 1_000_000].join(",");
    rejected(
        "l.toml",
        format!("{HEAD}[model]\noutput_modalities = [{items}]\n").as_bytes(),
        &["list of 1000000 items exceeds the limit of 64"],
    );
    rejected(
        "l.toml",
        format!("{HEAD}[model]\noutput_modalities = [\"text\", \"text\"]\n").as_bytes(),
        &["`text` is listed twice"],
    );
    rejected(
        "l.toml",
        format!("{HEAD}[model]\noutput_modalities = [\"txt\"]\n").as_bytes(),
        &["did you mean `text`?"],
    );
}

#[test]
fn nesting_ten_thousand_deep_is_refused_before_parsing() {
    let deep = format!("{HEAD}x = {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    rejected(
        "deep.toml",
        deep.as_bytes(),
        &["nesting deeper than 64 levels"],
    );
    let deep = format!("{}{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    rejected(
        "deep.json",
        deep.as_bytes(),
        &["nesting deeper than 64 levels"],
    );
}

#[test]
fn invalid_utf8_empty_files_directories_and_oversized_files_are_named() {
    rejected(
        "u.toml",
        b"schema_version = \"1\"\n\xff\xfe\n",
        &["is not UTF-8 text (invalid byte at offset 21)"],
    );
    rejected(
        "empty.toml",
        b"",
        &["missing `schema_version`", "`evaluation.as_of` is required"],
    );
    let run = juxta(&["compare", "regimes"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("`regimes` is a directory, not a file"));
    let big = vec![b' '; (juxta_cli::MAX_PROFILE_BYTES + 1) as usize];
    rejected(
        "big.toml",
        &big,
        &["is larger than the limit of 16 MiB for a profile"],
    );
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let (code, stderr) = compare_bytes("bom.toml", format!("\u{feff}{HEAD}").as_bytes());
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn duplicate_keys_are_refused_never_silently_merged() {
    rejected("dup.json", b"{\"schema_version\": \"1\", \"evaluation\": {\"as_of\": \"2026-09-01\", \"as_of\": \"2027-01-01\"}}", &["duplicate key `as_of`"]);
    rejected(
        "dup.toml",
        format!("{HEAD}[model]\nid = \"a\"\nid = \"b\"\n").as_bytes(),
        &["dup.toml:6:"],
    );
}

#[test]
fn an_unsupported_schema_version_is_named() {
    rejected(
        "v.toml",
        b"schema_version = \"2\"\n[evaluation]\nas_of = 2026-09-01\n",
        &[
            "unsupported schema version `2`",
            "reads model-facts schema versions 1, 1.1",
        ],
    );
}
