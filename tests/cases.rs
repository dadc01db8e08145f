//! Every case in `regimes/<id>/tests/` must pass, from the regime's TOML source and through its
//! built, bundled plugin — and the two must produce the same report (a differential test) — and
//! the same profile written as JSON must give the same report as from TOML.

use std::sync::Arc;

use juxta_host::{Entry, Limits, RegimeSet, Sandbox};
use juxta_tests::{case, case_files, differences, evaluate, regime, regime_ids};

#[test]
fn every_regime_has_cases() {
    for id in regime_ids() {
        assert!(case_files(&id).len() >= 10, "regime {id} has too few cases");
    }
}

#[test]
fn cases_pass_against_the_toml_source() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for id in regime_ids() {
        let regime = regime(&id);
        for path in case_files(&id) {
            let c = case(&path);
            let Some(_) = c.expected(&regime.header.case_key) else {
                continue;
            };
            let text = std::fs::read_to_string(&path).unwrap();
            // The case's profile, evaluated exactly as `juxta compare` would read it.
            let report = evaluate(&regime, &text);
            checked += 1;
            for d in differences(&c, &regime.header.case_key, &report) {
                failures.push(format!("{id} {}: {d}", path.display()));
            }
            // Its JSON twin, numbers spelt as the TOML spells them, gives the same report.
            let json = juxta_tests::toml_to_json_text(&text, "facts");
            let from_json = juxta_tests::evaluate_json(&regime, &json);
            if serde_json::to_string(&from_json).unwrap() != serde_json::to_string(&report).unwrap()
            {
                failures.push(format!(
                    "{id} {}: the JSON twin gives another report",
                    path.display()
                ));
            }
        }
    }
    assert!(checked >= 36, "only {checked} cases were checked");
    assert!(
        failures.is_empty(),
        "{} difference(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn cases_pass_against_the_bundled_plugins_and_match_the_source() {
    let set = RegimeSet::bundled(Arc::new(Sandbox::new(Limits::default()).unwrap()));
    let mut failures = Vec::new();
    for entry in set.entries() {
        let loaded = match entry {
            Entry::Ready(r) => r,
            Entry::Failed(f) => panic!("bundled regime {} failed: {}", f.id, f.error),
        };
        let id = loaded.regime.id().to_string();
        let source = regime(&id);
        for path in case_files(&id) {
            let c = case(&path);
            let key = &loaded.regime.header.case_key;
            if c.expected(key).is_none() {
                continue;
            }
            let cmp = set.compare(&c.profile, &c.origin);
            let from_plugin = cmp.regimes.into_iter().find(|r| r.id == id).unwrap();
            for d in differences(&c, key, &from_plugin) {
                failures.push(format!("{id} (plugin) {}: {d}", path.display()));
            }
            let from_source = evaluate(&source, &std::fs::read_to_string(&path).unwrap());
            let mut plugin_json = serde_json::to_value(&from_plugin).unwrap();
            let mut source_json = serde_json::to_value(&from_source).unwrap();
            plugin_json["plugin_sha256"] = serde_json::Value::Null;
            source_json["plugin_sha256"] = serde_json::Value::Null;
            if plugin_json != source_json {
                failures.push(format!(
                    "{id} {}: the plugin and the TOML source disagree",
                    path.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_case_copies_match_the_shared_cases_when_they_are_there() {
    // The shared folder sits beside the checkout on developer machines and in CI; a lone clone
    // without it still has the copies, which the tests above run.
    let shared = juxta_tests::repo().join("../shared/cases");
    let Ok(entries) = std::fs::read_dir(&shared) else {
        return;
    };
    // Cases of one regime sit in a folder named by its id (`us-ca-sb53/`).
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let id = path.file_name().unwrap().to_string_lossy().to_string();
            assert!(
                regime_ids().contains(&id),
                "shared cases for `{id}`, which is not a regime here"
            );
            for inner in std::fs::read_dir(&path).unwrap() {
                files.push(inner.unwrap().path());
            }
        } else {
            files.push(path);
        }
    }
    let mut checked = 0;
    for path in files {
        if path.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        checked += 1;
        let name = path.file_name().unwrap();
        let original = std::fs::read(&path).unwrap();
        let mut found = false;
        for id in regime_ids() {
            if let Ok(copy) = std::fs::read(
                juxta_tests::repo()
                    .join("regimes")
                    .join(&id)
                    .join("tests")
                    .join(name),
            ) {
                assert_eq!(
                    copy,
                    original,
                    "regimes/{id}/tests/{} differs from the shared case",
                    name.to_string_lossy()
                );
                found = true;
            }
        }
        assert!(
            found,
            "shared case {} is not copied into any regime",
            name.to_string_lossy()
        );
    }
    assert!(checked >= 27, "only {checked} shared cases were found");
}
