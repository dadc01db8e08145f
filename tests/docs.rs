//! The regime author's reference cannot drift from the format: every field of the manifest and
//! case types, every value of their enumerations and every builtin function is in
//! `docs/regime-format.md`.

use juxta_tests::repo;

/// The names serde reads for the fields and variants of the `pub` structs and enums in `source`.
fn serde_names(source: &str) -> Vec<String> {
    let snake = |s: &str| {
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if c.is_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    };
    let mut names = Vec::new();
    let mut rename: Option<String> = None;
    let mut in_enum = false;
    let mut snake_enum = false;
    let mut pending_snake = false;
    let mut depth = 0usize;
    for line in source.lines() {
        let t = line.trim();
        if t.starts_with("#[serde(rename_all = \"snake_case\")]") {
            pending_snake = true;
        }
        if let Some(r) = t.strip_prefix("#[serde(rename = \"") {
            rename = r.split('"').next().map(str::to_string);
        }
        if t.starts_with("pub enum ") && t.ends_with('{') {
            in_enum = true;
            snake_enum = pending_snake;
            depth = 1;
            pending_snake = false;
            continue;
        }
        if t.starts_with("pub struct ") && t.ends_with('{') {
            in_enum = false;
            depth = 1;
            pending_snake = false;
            continue;
        }
        if depth == 0 {
            continue;
        }
        if t.starts_with('}') {
            depth = 0;
            continue;
        }
        if t.starts_with("//") || t.starts_with("#[") {
            continue;
        }
        if in_enum {
            let variant: String = t
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !variant.is_empty() && variant.chars().next().is_some_and(char::is_uppercase) {
                names.push(
                    rename
                        .take()
                        .unwrap_or_else(|| if snake_enum { snake(&variant) } else { variant }),
                );
            }
        } else if let Some(field) = t.strip_prefix("pub ")
            && let Some((name, _)) = field.split_once(':')
        {
            names.push(rename.take().unwrap_or_else(|| name.trim().to_string()));
        }
    }
    names
}

#[test]
fn every_manifest_field_enumeration_value_and_builtin_is_in_the_reference() {
    let doc = std::fs::read_to_string(repo().join("docs/regime-format.md")).unwrap();
    let mut missing = Vec::new();
    // The reader of the types finds at least this many names in each (a sanity check of it).
    for (file, at_least) in [("sdk/src/manifest.rs", 60), ("sdk/src/case.rs", 15)] {
        let source = std::fs::read_to_string(repo().join(file)).unwrap();
        let names = serde_names(&source);
        assert!(names.len() >= at_least, "{file}: only {names:?}");
        for name in names {
            if !doc.contains(&format!("`{name}`")) {
                missing.push(format!("{file}: `{name}`"));
            }
        }
    }
    for b in juxta_core::regime::builtins::BUILTINS {
        if !doc.contains(&format!("`{}", b.name)) {
            missing.push(format!("builtin `{}`", b.name));
        }
    }
    assert!(
        missing.is_empty(),
        "not in docs/regime-format.md:\n{}",
        missing.join("\n")
    );
}
