//! `juxta explain PROFILE RULE`: the rule, its condition tree, and what would change it.

use juxta_tests::{assert_contains, juxta, juxta_with_input, repo, toml_to_json};
use serde_json::Value;

#[test]
fn explain_shows_citation_status_tree_and_what_flips_it() {
    let run = juxta(&[
        "explain",
        "examples/closed-frontier.toml",
        "CA-OBL-TR-LARGE",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert_contains(
        out,
        &[
            "CA-OBL-TR-LARGE · Transparency report: catastrophic-risk assessment summaries",
            "us-ca-sb53 1.1.0",
            "obligation · Bus. & Prof. Code § 22757.12(c)(2)",
            "✔ APPLIES (law applied as of 2026-11-22) · due 2027-01-20",
            "Condition (✔ true, ✘ false, ? unknown):",
            "✔ B_TR && LR",
            "└─ ✔ LR — Group revenues above USD 500 M in the preceding calendar year",
            "provider.annual_gross_revenue_usd = 1.35e10",
            "does not apply if provider.annual_gross_revenue_usd <= 500000000 (now 1.35e10)",
            "does not apply if model.training_compute_flop <= 1.00e26 (now 1.50e26)",
            "does not apply if release.deployed = false (now true)",
            "undetermined if release.deployed is unknown (now true)",
        ],
    );
    // Applying the law on a day already past (before the Act took effect) cannot change what
    // the lab must do: such changes are left out (issue 14).
    assert!(
        !out.contains("evaluation.as_of < 2026-01-01"),
        "a flip into the past is shown:\n{out}"
    );
}

#[test]
fn an_undetermined_rule_names_the_facts_and_questions_that_would_decide_it() {
    let run = juxta(&[
        "explain",
        "examples/open-weights-mid.toml",
        "US-CLS-COVERED",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(out.contains("? UNDETERMINED"), "{out}");
    assert!(
        out.contains("Facts that would decide it: us.cyber_benchmark_result"),
        "{out}"
    );
    // The open question in words, not only its id.
    assert!(
        out.contains("Open questions of the law:\n  US-OQ-THRESHOLD: Where will the 'covered frontier model' threshold land?"),
        "{out}"
    );
    assert!(
        out.contains(
            "applies if us.cyber_benchmark_result = meets_covered_threshold (now unknown)"
        ),
        "{out}"
    );
}

#[test]
fn thresholds_follow_the_formula_not_just_the_parameters() {
    // The EU one-third test compares modification × 3 with the base compute: the threshold for
    // each side is computed from the other, exactly (2e25 / 3 and 9e24 × 3).
    let run = juxta(&["explain", "examples/fine-tune.toml", "EU-CLS-PROVIDER"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(
        out.contains(
            "does not apply if derivation.modification_compute_flop <= 2e25/3 (about 6.67e24) (now 9.00e24)"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "does not apply if derivation.base_training_compute_flop >= 2.70e25 (now 2.00e25)"
        ),
        "{out}"
    );
}

fn rule_ids(doc: &Value) -> Vec<(String, String)> {
    doc["regimes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| {
                    (
                        x["id"].as_str().unwrap().to_string(),
                        x["kind"].as_str().unwrap().to_string(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The status of `rule` when the profile (as JSON) has `fact` set to `value` (`None`: removed).
fn status_with(profile: &Value, fact: &str, value: Option<Value>, rule: &str) -> Value {
    let mut p = profile.clone();
    let (table, field) = fact.split_once('.').unwrap();
    match value {
        Some(v) => {
            if p.get(table).is_none() {
                p[table] = serde_json::json!({});
            }
            p[table][field] = v;
        }
        None => {
            p[table].as_object_mut().unwrap().remove(field);
        }
    }
    let text = serde_json::to_string(&p).unwrap();
    let run = juxta_with_input(
        &["compare", "-", "--json-input", "--format", "json"],
        text.as_bytes(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    doc["regimes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["rules"].as_array().unwrap().iter())
        .find(|x| x["id"] == rule)
        .unwrap()["status"]
        .clone()
}

/// A value written in a flip (`false`, `1.00e26`, `2026-01-01`, `meets_covered_threshold`, `[text]`)
/// as JSON for a profile field whose current JSON value is `like`.
fn parse_value(text: &str, op: &str) -> Option<Value> {
    use juxta_core::number::Number;
    if let Ok(b) = text.parse::<bool>() {
        return Some(Value::Bool(b));
    }
    // An exact fraction (`2e25/3 (about 6.67e24)`) cannot be written in a profile: a claim
    // `<= p/q` is checked at the largest double not above it, `>= p/q` at the smallest not
    // below it (each written as its shortest decimal, which is what juxta reads).
    if let Some((p, rest)) = text.split_once('/') {
        let q = rest.split(' ').next().unwrap();
        let n = |s: &str| Number::parse_decimal(s).unwrap();
        let exact = n(p).div(&n(q)).unwrap();
        let mut x = exact.to_f64();
        match op {
            "<=" => {
                while Number::from_f64(x).unwrap() > exact {
                    x = x.next_down();
                }
            }
            ">=" => {
                while Number::from_f64(x).unwrap() < exact {
                    x = x.next_up();
                }
            }
            _ => return None,
        }
        return Some(serde_json::json!(x));
    }
    if let Ok(n) = text.parse::<f64>() {
        return Some(serde_json::json!(n));
    }
    if let Some(list) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        return Some(serde_json::json!(list.split(", ").collect::<Vec<_>>()));
    }
    Some(Value::String(text.to_string()))
}

#[test]
fn every_rule_of_every_regime_is_explained_and_what_changes_it_is_true() {
    let mut verified = 0;
    let mut with_changes = 0;
    for example in ["closed-frontier", "open-weights-mid", "fine-tune"] {
        let path = format!("examples/{example}.toml");
        let toml_doc: toml::Value =
            toml::from_str(&std::fs::read_to_string(repo().join(&path)).unwrap()).unwrap();
        let profile = toml_to_json(&toml_doc);
        let cmp = juxta(&["compare", &path, "--format", "json"]);
        let doc: Value = serde_json::from_str(&cmp.stdout).unwrap();
        let rules = rule_ids(&doc);
        assert_eq!(rules.len(), 90, "four regimes, 90 rules");
        for (id, kind) in rules {
            let run = juxta(&["explain", &path, &id, "--format", "json"]);
            assert_eq!(run.code, 0, "{example} {id}: {}", run.stderr);
            let e: Value = serde_json::from_str(&run.stdout).unwrap();
            assert_eq!(e["rule"]["id"], id.as_str());
            assert!(e["tree"].is_object(), "{example} {id}: no tree");
            let changes = e["what_changes_it"].as_array().unwrap();
            if kind == "government_duty" {
                assert!(changes.is_empty(), "{example} {id}: {changes:?}");
            }
            if !changes.is_empty() {
                with_changes += 1;
            }
            let mut checked_here = 0;
            for c in changes {
                assert_ne!(c["status"], e["rule"]["status"], "{example} {id}: {c}");
                if checked_here == 2 {
                    continue; // two claims per rule keep the test quick
                }
                let fact = c["fact"].as_str().unwrap();
                let when = c["when"].as_str().unwrap();
                if fact == "evaluation.as_of" || fact.starts_with('[') {
                    continue;
                }
                // Check the claim on the profile itself: unknown, a value, an inclusive bound.
                let value = match when.split_once(' ') {
                    None if when == "unknown" => None,
                    Some((op @ ("=" | "<=" | ">="), v)) if !v.contains(" and ") => {
                        match parse_value(v, op) {
                            Some(v) => Some(v),
                            None => continue,
                        }
                    }
                    _ => continue,
                };
                let got = status_with(&profile, fact, value, &id);
                assert_eq!(got, c["status"], "{example} {id}: {fact} {when}");
                verified += 1;
                checked_here += 1;
            }
        }
    }
    assert!(verified > 200, "only {verified} claims checked");
    assert!(
        with_changes > 150,
        "only {with_changes} explanations name a change"
    );
}

#[test]
fn an_unknown_rule_gets_a_did_you_mean() {
    let run = juxta(&["explain", "examples/closed-frontier.toml", "EU-OBL-53-1x"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("no loaded regime has a rule or computed value `EU-OBL-53-1x`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `EU-OBL-53-1a`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn what_if_shows_the_changed_profile_and_what_moved() {
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--set",
        "model.training_compute_flop=8e25",
        "--set",
        "eu.placing_date=2027-03-01",
        "--unset",
        "ca.developer_in_california",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert_contains(
        out,
        &[
            "what if: eu.placing_date = 2027-03-01; model.training_compute_flop = 8.00e25; ca.developer_in_california unknown",
            "what changed against the profile as written:",
            "eu-ai-act-gpai   compliance_due                   2027-01-20 → 2027-03-01",
            "us-ca-sb53       CA-CLS-FRONTIER-MODEL            applies → does not apply",
            "us-ca-sb53       CA-OBL-WB-NOTICE                 applies → undetermined",
            "us-ca-sb53       transparency_report_due          2027-01-20 → (none)",
        ],
    );
    // The table is the changed profile's.
    assert!(out.contains("✘ does not apply · CA-OBL-TR"), "{out}");
}

#[test]
fn what_if_in_json_keeps_the_contract_and_adds_the_changes() {
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--format",
        "json",
        "--set",
        "us.cyber_benchmark_result=below_covered_threshold",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["as_of", "kernel", "profile", "regimes", "what_if"]);
    assert_eq!(
        doc["what_if"]["set"]["us.cyber_benchmark_result"],
        "below_covered_threshold"
    );
    let changes = doc["what_if"]["changes"].as_array().unwrap();
    let covered = changes
        .iter()
        .find(|c| c["item"] == "US-CLS-COVERED")
        .unwrap();
    assert_eq!(covered["from"], "applies");
    assert_eq!(covered["to"], "does_not_apply");
    assert!(
        changes.iter().all(|c| c["regime"] == "us-ai-eo-2026"),
        "{changes:?}"
    );
    // Without --set, the contract is untouched.
    let plain = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--format",
        "json",
    ]);
    let doc: Value = serde_json::from_str(&plain.stdout).unwrap();
    assert!(doc.get("what_if").is_none());
}

#[test]
fn what_if_values_are_checked_like_profile_fields() {
    for (arg, needle) in [
        (
            "model.training_compute_flops=1e25",
            "did you mean `model.training_compute_flop`?",
        ),
        ("model.training_compute_flop=-5", "below the minimum"),
        (
            "eu.commission_sr_decision=designatd",
            "did you mean `designated`?",
        ),
        ("eu.placing_date=2027-02-30", "has no day 30"),
        ("model.training_compute_flop", "write `path=value`"),
    ] {
        let run = juxta(&["compare", "examples/closed-frontier.toml", "--set", arg]);
        assert_eq!(run.code, 2, "{arg}");
        assert!(run.stderr.contains(needle), "{arg}: {}", run.stderr);
    }
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--unset",
        "evaluation.as_of",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot be unknown"), "{}", run.stderr);
}

#[test]
fn markdown_is_one_table_with_every_regime_and_escapes_what_profiles_say() {
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--format",
        "markdown",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = &run.stdout;
    assert!(
        md.starts_with("## juxta · examples/closed-frontier.toml"),
        "{md}"
    );
    let header = md.lines().find(|l| l.starts_with("| |")).unwrap();
    for name in [
        "EU AI Act",
        "US executive order",
        "California SB 53",
        "New York RAISE Act",
    ] {
        assert!(header.contains(name), "{header}");
    }
    assert!(md.contains("|---|---|---|---|---|"), "{md}");
    assert!(md.contains("✔ APPLIES · EU-OBL-55-1a<br>"), "{md}");
    assert!(md.contains("| **DATES & AMOUNTS** |"), "{md}");
    // Every table row has one cell per regime plus the label.
    for row in md.lines().filter(|l| l.starts_with("| **")) {
        assert_eq!(row.matches(" |").count(), 5, "{row}");
    }

    let hostile = "schema_version = \"1.1\"\n[evaluation]\nas_of = 2026-09-01\n[provider]\nname = \"<script>alert(1)</script> | *Evil* [x](javascript:y)\"\n[model]\nid = \"m|<b>\"\n";
    let run = juxta_with_input(
        &["compare", "-", "--format", "markdown"],
        hostile.as_bytes(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = &run.stdout;
    assert!(!md.contains("<script>") && !md.contains("<b>"), "{md}");
    assert!(
        md.contains("&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*Evil\\* \\[x\\](javascript:y)"),
        "{md}"
    );
}

#[test]
fn markdown_what_if_lists_the_changes() {
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--format",
        "markdown",
        "--set",
        "eu.placed_on_market=false",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = &run.stdout;
    assert!(
        md.contains("what if: eu.placed\\_on\\_market = false"),
        "{md}"
    );
    assert!(
        md.contains("### What changed against the profile as written"),
        "{md}"
    );
    assert!(
        md.contains(
            "| eu-ai-act-gpai | EU-OBL-53-1a — Technical documentation | applies | does not apply |"
        ),
        "{md}"
    );
}

/// Every `data-<attr>="…"` value in an HTML text.
fn attribute_values(html: &str, attr: &str) -> Vec<String> {
    let needle = format!("{attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest.find('"').map(|end| rest[..end].to_string())
        })
        .collect()
}

#[test]
fn the_html_report_is_one_self_contained_page_with_every_rule_and_a_timeline() {
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--format",
        "html",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = &run.stdout;
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Self-contained: no script, nothing loaded from anywhere.
    assert!(!html.contains("<script"), "no scripts");
    assert!(
        !html.contains("src=") && !html.contains("<link"),
        "no external resources"
    );
    assert_eq!(
        attribute_values(html, "href"),
        Vec::<String>::new(),
        "no links out"
    );
    let table = &html[html
        .find("<table class=\"regimes\" id=\"regimes\">")
        .unwrap()..];
    assert_eq!(
        attribute_values(table, "data-regime")
            .into_iter()
            .take(3)
            .collect::<Vec<_>>(),
        ["eu-ai-act-gpai", "us-ai-eo-2026", "us-ca-sb53"]
    );
    let cmp = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--format",
        "json",
    ]);
    let doc: Value = serde_json::from_str(&cmp.stdout).unwrap();
    let rules = attribute_values(html, "data-rule");
    for (id, _) in rule_ids(&doc) {
        assert!(rules.contains(&id), "{id} missing from the report");
    }
    // Each row's expandable part says what would change it, as `juxta explain` does.
    assert!(
        html.contains(
            "does not apply if provider.annual_gross_revenue_usd &#60;= 500000000 (now 1.35e10)"
        ),
        "no 'what would change it' in the rows"
    );
    // Statuses are told by words and edge styles, not colour alone.
    assert!(html.contains("✔ Applies") && html.contains("✘ Does not apply"));
    // The timeline: a marker for every computed date of every regime that asks something of
    // the model (a duty or an offer applies), none for the others (issue 14); today and as_of.
    let svg = &html[html.find("<svg id=\"timeline\"").unwrap()..html.find("</svg>").unwrap()];
    assert!(svg.contains("marker-line today") && svg.contains("marker-line as-of"));
    let dates = attribute_values(svg, "data-date");
    let mut marked = 0;
    for r in doc["regimes"].as_array().unwrap() {
        let applies = r["rules"].as_array().unwrap().iter().any(|f| {
            f["status"] == "applies" && (f["kind"] == "obligation" || f["kind"] == "invitation")
        });
        for (name, value) in r["computed"].as_object().unwrap() {
            if let Some(d) = value.as_str()
                && applies
            {
                marked += 1;
                assert!(
                    dates.contains(&d.to_string()),
                    "{} {name} {d} not on the timeline",
                    r["id"]
                );
            }
        }
    }
    // No deadline marker belongs to a regime that asks nothing of the model.
    let applying: Vec<&str> = doc["regimes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["rules"].as_array().unwrap().iter().any(|f| {
                f["status"] == "applies" && (f["kind"] == "obligation" || f["kind"] == "invitation")
            })
        })
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for piece in svg.split("<g class=\"marker deadline").skip(1) {
        let regime = attribute_values(piece, "data-regime");
        let regime = regime.first().map(String::as_str).unwrap_or_default();
        assert!(
            applying.contains(&regime),
            "a deadline of {regime} is marked"
        );
    }
    assert!(marked > 0);
    assert!(
        svg.contains("<circle class=\"deadline\"") && svg.contains("<rect class=\"effective\"")
    );
}

#[test]
fn hostile_strings_in_a_profile_come_out_escaped_in_html() {
    let hostile = "schema_version = \"1.1\"\n[evaluation]\nas_of = 2026-09-01\n[provider]\nname = \"<script>alert('x')</script>\"\ncountry = \"US\"\n[model]\nid = \"\\\"><img src=x onerror=alert(1)>\"\n";
    let run = juxta_with_input(&["compare", "-", "--format", "html"], hostile.as_bytes());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = &run.stdout;
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(
        html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
        "{html}"
    );
}

#[test]
fn where_new_york_and_california_differ_is_shown_beside_the_rule() {
    let line = "CA-OBL-INCIDENT-15D (Report critical safety incidents to OES within 15 days): California: 15 days from discovering the incident, to the Office of Emergency Services — there ✔ APPLIES, due 2027-03-11";
    let run = juxta(&["explain", "examples/new-york.toml", "NY-OBL-INCIDENT-72H"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_contains(
        &run.stdout,
        &[
            "due 2027-02-27",
            "Elsewhere (the same duty or status in the other regimes):",
            line,
        ],
    );
    let json = juxta(&[
        "explain",
        "examples/new-york.toml",
        "NY-OBL-INCIDENT-72H",
        "--format",
        "json",
    ]);
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        doc["rule"]["counterparts"][0]["rule"],
        "CA-OBL-INCIDENT-15D"
    );
    assert!(doc["elsewhere"][0].as_str().unwrap().ends_with(line));
    // The HTML report says it in the row, from the comparison alone.
    let html = juxta(&["compare", "examples/new-york.toml", "--format", "html"]);
    assert!(
        html.stdout.contains(line),
        "no counterpart line in the page"
    );
    // Only regimes in the comparison are counterparts worth showing.
    let alone = juxta(&[
        "compare",
        "examples/new-york.toml",
        "--regime",
        "us-ny-raise",
        "--format",
        "html",
    ]);
    assert!(!alone.stdout.contains("CA-OBL-INCIDENT-15D"));
}
