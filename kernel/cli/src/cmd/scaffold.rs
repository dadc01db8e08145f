//! `juxta regime new <id>`: everything a new regime needs, ready to lint, test and build.
//!
//! It writes `regimes/<id>/regime.toml` (a commented example with a dated parameter, blocks, a
//! rule with its citation, a computed deadline and an open question), one example case in
//! `regimes/<id>/tests/`, and the plugin crate `plugins/<id>/`. Inside a juxta checkout the
//! crate joins the workspace (and the workspace's `juxta-sdk`); anywhere else it is a workspace
//! of its own that depends on the SDK by `--sdk-path` or by its published version. Nothing that
//! exists is overwritten.

use std::path::{Path, PathBuf};

use crate::args::NewArgs;
use crate::{Ctx, Exit};

/// The SDK version a plugin outside a checkout depends on: the one this juxta was built with.
const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Why an id is not acceptable, if it is not.
fn check_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "regime id `{id}`: use lower-case letters, digits and single dashes, starting with a letter (for example `uk-ai-bill`)"
        ))
    }
}

/// The rule-id prefix: the id's first segment in capitals (`uk-ai-bill` → `UK`).
fn prefix(id: &str) -> String {
    id.split('-').next().unwrap_or(id).to_ascii_uppercase()
}

/// The juxta workspace `dir` is inside, if any: a `Cargo.toml` with `[workspace]` whose members
/// include `sdk`.
fn juxta_workspace(dir: &Path) -> Option<PathBuf> {
    let start = dir.canonicalize().ok()?;
    start.ancestors().find_map(|d| {
        let text = std::fs::read_to_string(d.join("Cargo.toml")).ok()?;
        let doc: toml::Table = toml::from_str(&text).ok()?;
        let members = doc.get("workspace")?.get("members")?.as_array()?;
        members
            .iter()
            .any(|m| m.as_str() == Some("sdk"))
            .then(|| d.to_path_buf())
    })
}

fn regime_toml(id: &str, jurisdiction: &str) -> String {
    let p = prefix(id);
    format!(
        r#"# {id}: replace this paragraph with what the regime encodes and from which rule inventory.
#
# Conditions and values are CEL over the shared model-facts schema (`juxta schema` prints it):
# facts by their path (`model.training_compute_flop`), parameters as `params.<name>`, blocks
# and values by name. `&&`, `||`, `!` and `?:` combine three-valued results by Kleene's logic:
# an absent fact is unknown, never false, and a rule that needs it is "undetermined" and names
# it. Check your work with `juxta regime lint regimes/{id}` and
# `juxta regime test regimes/{id} --coverage`. Every table, key, function and type of this file:
# docs/regime-format.md in the juxta repository.

[regime]
id = "{id}"
name = "{id} (the instrument's name)"
jurisdiction = "{jurisdiction}"
version = "0.1.0"
facts_schema = "1.2"
# The key of this regime's expectations in test cases: [expected.{id}].
case_key = "{id}"
summary = "One paragraph on what the instrument is, who it binds and from when."
sources = ["Example Act 2026, ss. 1-10 (replace with the texts you encoded)"]

# ---------------------------------------------------------------------------------------------
# Parameters: every threshold, period and date of the law, with its source. A new value takes
# effect from its `from` date; on any day the latest value from on or before that day applies.
# ---------------------------------------------------------------------------------------------

[parameters.in_force_from]
title = "The Act applies from"
type = "date"
values = [{{ from = 2026-01-01, value = 2026-01-01, source = "Example Act 2026, s. 10" }}]

[parameters.compute_threshold_flop]
title = "Training compute above which the duty applies (strictly greater)"
type = "number"
unit = "FLOP"
values = [{{ from = 2026-01-01, value = 1e25, source = "Example Act 2026, s. 2(1)" }}]

[parameters.report_days]
title = "Report within this many days of the first release"
type = "integer"
unit = "days"
values = [{{ from = 2026-01-01, value = 30, source = "Example Act 2026, s. 3(1)" }}]

# ---------------------------------------------------------------------------------------------
# Blocks: named conditions that mirror the inventory. Their phrases explain every result;
# `{{path}}` placeholders show the profile's values.
# ---------------------------------------------------------------------------------------------

[blocks.INF]
title = "The Act is in force"
condition = "evaluation.as_of >= params.in_force_from"
basis = "Example Act 2026, s. 10"
if_true = "the Act applies since {{params.in_force_from}}"
if_false = "the Act applies only from {{params.in_force_from}}"

[blocks.LARGE]
title = "Trained with more than the threshold"
condition = "model.training_compute_flop > params.compute_threshold_flop"
basis = "Example Act 2026, s. 2(1) ('more than')"
if_true = "trained with {{model.training_compute_flop}} FLOP, above {{params.compute_threshold_flop}}"
if_false = "trained with {{model.training_compute_flop}} FLOP, not above {{params.compute_threshold_flop}}"
if_undetermined = "training compute unknown"

# ---------------------------------------------------------------------------------------------
# Rules, in the order reports show them. `kind` is one of classification, obligation,
# invitation, non_obligation, government_duty, penalty. Every rule has a citation.
# ---------------------------------------------------------------------------------------------

[[rules]]
id = "{p}-CLS-LARGE"
kind = "classification"
title = "Large model"
citation = "Example Act 2026, s. 2(1)"
condition = "LARGE"
summary = "the model was trained with more than 10^25 FLOP"
status = "UNCONFIRMED: replace with the inventory's confirmation status"

[[rules]]
id = "{p}-OBL-REPORT"
kind = "obligation"
title = "Report the model to the regulator"
citation = "Example Act 2026, s. 3(1)"
condition = "INF && LARGE"
summary = "report the model to the regulator within 30 days of its first release"
due = "report_due"
status = "UNCONFIRMED: replace with the inventory's confirmation status"
note = "Whether release to evaluation partners counts as a release is open ({p}-OQ-RELEASE)."

# ---------------------------------------------------------------------------------------------
# Computed dates and amounts, reported when `when` holds; undetermined, with the facts they
# lack, when it cannot be decided.
# ---------------------------------------------------------------------------------------------

[computed.report_due]
title = "Report to the regulator by"
type = "date"
when = "INF && LARGE"
value = "release.first_external_release_date + days(params.report_days)"
citation = "Example Act 2026, s. 3(1)"

# ---------------------------------------------------------------------------------------------
# Open questions of the law. A block lists those that keep it open, or a condition names one
# with `open_question("ID")`, which is always undetermined.
# ---------------------------------------------------------------------------------------------

[open_questions.{p}-OQ-RELEASE]
question = "Does making the model available to evaluation partners count as its first release?"
effect = "release.first_external_release_date is taken as given"
source = "UNCONFIRMED"

# ---------------------------------------------------------------------------------------------
# Facts of your own. The shared schema covers most needs; what is specific to this regime goes
# under a namespace of its own, read as `{ns}.<fact>` and written as `[{ns}]` in profiles:
#
# [namespace]
# name = "{ns}"
# title = "facts specific to {id}"
#
# [namespace.facts.registered_locally]
# type = "bool"            # bool, number (with an optional `min`), date, string, country_code,
#                          # enum (with `values = ["a", "b"]`)
# meaning = "the provider is registered with the regulator"
# if_absent = "unknown"
# ---------------------------------------------------------------------------------------------
"#,
        ns = p.to_ascii_lowercase(),
    )
}

fn example_case(id: &str) -> String {
    let p = prefix(id);
    format!(
        r#"# An example case: a profile under [facts] and the exact expected outcome under
# [expected.{id}]. Every rule id is listed under exactly one status. Run the cases with
# `juxta regime test regimes/{id}`.

[case]
id = "{p}01"
title = "A 3e25 FLOP model released on 2026-07-01"
scenario = "Replace with the story behind the facts and the legal basis of the expected outcome."

[facts]
schema_version = "1.2"

[facts.evaluation]
as_of = 2026-09-01

[facts.model]
id = "example-model"
training_compute_flop = 3.0e25

[facts.release]
first_external_release_date = 2026-07-01

[expected.{id}]
applies = ["{p}-CLS-LARGE", "{p}-OBL-REPORT"]
does_not_apply = []
undetermined = []

[expected.{id}.missing_facts]

[expected.{id}.open_questions]

[expected.{id}.computed]
report_due = 2026-07-31

[expected.{id}.computed_undetermined]
"#
    )
}

fn plugin_cargo_toml(id: &str, sdk: &Sdk) -> String {
    let (dependency, tail) = match sdk {
        Sdk::Workspace => (
            r#"juxta-sdk = { workspace = true, features = ["guest"] }"#.to_string(),
            "\n[lints]\nworkspace = true\n".to_string(),
        ),
        Sdk::Path(path) => (
            format!(
                "juxta-sdk = {{ path = {} }}",
                toml::Value::String(path.display().to_string())
            ),
            STANDALONE.to_string(),
        ),
        Sdk::Version => (
            format!("juxta-sdk = \"{SDK_VERSION}\""),
            STANDALONE.to_string(),
        ),
    };
    format!(
        r#"[package]
name = "juxta-plugin-{id}"
description = "The {id} regime as a juxta plugin: embeds regimes/{id}/regime.toml"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
# cdylib: the WebAssembly module `juxta regime build` turns into a component; rlib: for tests.
crate-type = ["cdylib", "rlib"]

[dependencies]
{dependency}
{tail}"#
    )
}

const STANDALONE: &str = "
# The plugin is a workspace of its own, so it builds the same wherever it sits.
[workspace]
";

fn plugin_lib_rs(id: &str) -> String {
    format!(
        r#"//! The `{id}` regime plugin. All of the law is in `regimes/{id}/regime.toml`; this crate only
//! embeds it, so that the manifest a lawyer reviews is byte for byte the one the kernel loads.
//! Custom functions, if the regime needs any, go here too (see docs/writing-a-regime.md).

juxta_sdk::regime!(include_str!("../../../regimes/{id}/regime.toml"));
"#
    )
}

enum Sdk {
    Workspace,
    Path(PathBuf),
    Version,
}

/// Adds `plugins/<id>` to the workspace members, after the last `plugins/…` member.
fn join_workspace(root: &Path, id: &str) -> Result<bool, String> {
    let path = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let member = format!("\"plugins/{id}\"");
    if text.contains(&member) {
        return Ok(false);
    }
    let Some(last) = text
        .lines()
        .rfind(|l| l.trim_start().starts_with("\"plugins/"))
    else {
        return Err(format!(
            "add `{member}` to the workspace members in `{}`",
            path.display()
        ));
    };
    let indent: String = last.chars().take_while(|c| c.is_whitespace()).collect();
    let updated = text.replacen(last, &format!("{last}\n{indent}{member},"), 1);
    crate::write_atomically(&path, updated.as_bytes())
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    Ok(true)
}

fn write_new(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}

pub(crate) fn new(ctx: &mut Ctx<'_, '_>, a: &NewArgs) -> Exit {
    match new_inner(a) {
        Ok(report) => {
            let _ = ctx.io.out.write_all(report.as_bytes());
            Exit::Success
        }
        Err(e) => ctx.fail(Exit::Error, &e),
    }
}

fn new_inner(a: &NewArgs) -> Result<String, String> {
    check_id(&a.id)?;
    if !a
        .jurisdiction
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        || a.jurisdiction.is_empty()
    {
        return Err(format!(
            "jurisdiction `{}`: use an upper-case code such as `UK` or `US-NY`",
            a.jurisdiction
        ));
    }
    std::fs::create_dir_all(&a.dir)
        .map_err(|e| format!("cannot create `{}`: {e}", a.dir.display()))?;
    let regime_dir = a.dir.join("regimes").join(&a.id);
    let plugin_dir = a.dir.join("plugins").join(&a.id);
    for parent in [a.dir.join("regimes"), a.dir.join("plugins")] {
        if parent.exists() && !parent.is_dir() {
            return Err(format!(
                "`{}` is not a directory: juxta regime new writes the regime and its plugin under `regimes/` and `plugins/`",
                parent.display()
            ));
        }
    }
    for d in [&regime_dir, &plugin_dir] {
        if d.exists() {
            return Err(format!(
                "`{}` already exists; juxta regime new never overwrites (choose another id or remove it)",
                d.display()
            ));
        }
    }
    let workspace = juxta_workspace(&a.dir);
    let sdk = match (&a.sdk_path, &workspace) {
        (Some(path), _) => {
            if !path.join("Cargo.toml").is_file() {
                return Err(format!(
                    "--sdk-path `{}` has no Cargo.toml: give the SDK crate's directory (`sdk/` of a juxta checkout)",
                    path.display()
                ));
            }
            Sdk::Path(
                path.canonicalize()
                    .map_err(|e| format!("`{}`: {e}", path.display()))?,
            )
        }
        (None, Some(_)) => Sdk::Workspace,
        (None, None) => Sdk::Version,
    };
    let written = write_new(
        &regime_dir.join("regime.toml"),
        &regime_toml(&a.id, &a.jurisdiction),
    )
    .and_then(|()| {
        write_new(
            &regime_dir
                .join("tests")
                .join(format!("{}01-example.toml", prefix(&a.id))),
            &example_case(&a.id),
        )
    })
    .and_then(|()| {
        write_new(
            &plugin_dir.join("Cargo.toml"),
            &plugin_cargo_toml(&a.id, &sdk),
        )
    })
    .and_then(|()| {
        write_new(
            &plugin_dir.join("src").join("lib.rs"),
            &plugin_lib_rs(&a.id),
        )
    });
    // Both directories were checked not to exist: what is there now is ours to remove, so a
    // failure leaves no half-made regime behind (nor the `regimes/` and `plugins/` made for it,
    // if they are empty).
    let roll_back = |e: String| -> String {
        for d in [&regime_dir, &plugin_dir] {
            let _ = std::fs::remove_dir_all(d);
            if let Some(parent) = d.parent() {
                let _ = std::fs::remove_dir(parent);
            }
        }
        e
    };
    written.map_err(roll_back)?;
    let joined = match (&sdk, &workspace) {
        (Sdk::Workspace, Some(root)) => join_workspace(root, &a.id).map_err(roll_back)?,
        _ => false,
    };
    let mut report = format!(
        "created {}/regime.toml, an example case in {}/tests/ and the plugin crate {}/\n",
        regime_dir.display(),
        regime_dir.display(),
        plugin_dir.display()
    );
    if let (true, Some(root)) = (joined, &workspace) {
        report.push_str(&format!(
            "added plugins/{} to the workspace members in {}\n",
            a.id,
            root.join("Cargo.toml").display()
        ));
    }
    if matches!(sdk, Sdk::Version) {
        report.push_str(&format!(
            "the plugin depends on juxta-sdk {SDK_VERSION} from crates.io; give --sdk-path to use a checkout's sdk/ instead\n"
        ));
    }
    let regime = regime_dir.display();
    report.push_str(&format!(
        "next:\n  juxta regime lint {regime}\n  juxta regime test {regime} --coverage\n  juxta regime build {}\n",
        plugin_dir.display()
    ));
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::{check_id, prefix};

    #[test]
    fn ids_are_checked_and_give_a_rule_prefix() {
        assert!(check_id("uk-ai-bill").is_ok());
        for bad in ["", "UK", "uk_ai", "-uk", "uk-", "uk--ai", "9uk"] {
            assert!(check_id(bad).is_err(), "{bad}");
        }
        assert_eq!(prefix("uk-ai-bill"), "UK");
    }
}
