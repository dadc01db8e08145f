//! `juxta compare` and `juxta regimes`.

use comfy_table::{ContentArrangement, Table, presets};
use juxta_core::profile::{Format as InputFormat, Profile};
use juxta_host::Entry;
use juxta_sdk::Date;

use crate::args::{CompareArgs, Format, RegimesArgs};
use crate::table::{ComputedTitles, Style, change_value, open_questions_text, render, tally};
use crate::{Ctx, Exit, read_text};

/// `COLUMNS` if set; otherwise wide enough for every regime's column to keep its name on one
/// line and its dates unbroken (58 columns each beside the 22-column section labels), and at
/// least 140.
fn table_width(regimes: usize) -> u16 {
    let wanted = 22 + 58 * regimes;
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w: &u16| *w >= 60)
        .unwrap_or_else(|| u16::try_from(wanted.max(140)).unwrap_or(u16::MAX))
}

/// Reads and validates a profile (TOML, or JSON by extension or `json_input`), applying
/// `--as-of`; on failure the diagnostics are printed and the exit code returned.
pub(crate) fn load_profile(
    ctx: &mut Ctx<'_, '_>,
    path: &std::path::Path,
    json_input: bool,
    as_of: Option<&str>,
    schema: &juxta_core::schema::Schema,
) -> Result<Profile, Exit> {
    let label = path.display().to_string();
    let text = match read_text(path, ctx.io.input) {
        Ok(t) => t,
        Err(e) => return Err(ctx.fail(Exit::Error, &e)),
    };
    let format = if json_input {
        InputFormat::Json
    } else {
        InputFormat::from_path(&label)
    };
    let mut profile = match Profile::parse(&text, format, &label, schema) {
        Ok(p) => p,
        Err(e) => {
            let rendered = ctx.renderer().profile_error(&e, Some(&text));
            ctx.eprint(&rendered);
            return Err(Exit::Error);
        }
    };
    if let Some(day) = as_of {
        match day.parse::<Date>() {
            Ok(d) => profile = profile.with_as_of(d, schema),
            Err(e) => return Err(ctx.fail(Exit::Usage, &format!("--as-of `{day}`: {e}"))),
        }
    }
    Ok(profile)
}

pub(crate) fn compare(ctx: &mut Ctx<'_, '_>, a: &CompareArgs) -> Exit {
    let label = a.profile.display().to_string();
    let mut set = match crate::plugins::load(&a.plugins) {
        Ok(s) => s,
        Err(e) => return ctx.fail(Exit::Error, &e),
    };
    let schema = std::sync::Arc::clone(set.schema());
    let profile = match load_profile(ctx, &a.profile, a.json_input, a.as_of.as_deref(), &schema) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Err(e) = crate::select_regimes(&mut set, &a.regimes) {
        return ctx.fail(Exit::Usage, &e);
    }
    let what_if = match what_if(&profile, &schema, &a.set, &a.unset) {
        Ok(w) => w,
        Err(e) => return ctx.fail(Exit::Usage, &e),
    };
    let (cmp, changes) = match &what_if {
        Some(w) => {
            let before = set.compare(&profile, &label);
            let after = set.compare(&w.profile, &label);
            let changes = juxta_core::report::changes(&before, &after);
            (after, Some(changes))
        }
        None => (set.compare(&profile, &label), None),
    };
    let profile = what_if.as_ref().map_or(&profile, |w| &w.profile);
    let output = match a.format {
        Format::Json => {
            // The contract object as serialised (its field order kept), then, for a what-if
            // question only, a `what_if` member after it.
            let json = match (&what_if, &changes) {
                (Some(w), Some(changes)) => {
                    let set: serde_json::Map<String, serde_json::Value> = w
                        .set
                        .iter()
                        .map(|(k, v)| (k.clone(), v.to_json()))
                        .collect();
                    #[derive(serde::Serialize)]
                    struct WithWhatIf<'a> {
                        #[serde(flatten)]
                        comparison: &'a juxta_core::report::Comparison,
                        what_if: serde_json::Value,
                    }
                    serde_json::to_string_pretty(&WithWhatIf {
                        comparison: &cmp,
                        what_if: serde_json::json!({
                            "set": set,
                            "unset": w.unset,
                            "changes": changes,
                        }),
                    })
                }
                _ => serde_json::to_string_pretty(&cmp),
            };
            match json {
                Ok(j) => crate::visible::json(j + "\n"),
                Err(e) => return ctx.fail(Exit::Error, &format!("cannot write JSON: {e}")),
            }
        }
        Format::Table | Format::Markdown | Format::Html => {
            // Every string a plugin wrote (titles, citations, reasons, errors) with its control
            // and bidi characters shown, not obeyed, before any renderer sees it.
            let cmp = match crate::visible::value(&cmp) {
                Ok(c) => c,
                Err(e) => return ctx.fail(Exit::Error, &e),
            };
            let key = |path: &str| {
                schema
                    .lookup(path)
                    .and_then(|id| profile.get(id))
                    .map(|v| crate::visible::escape(&v.to_string()).into_owned())
            };
            let model = key("model.id").unwrap_or_else(|| "(model id not given)".into());
            let provider = match (key("provider.name"), key("provider.country")) {
                (Some(n), Some(c)) => format!(" · {n} ({c})"),
                (Some(n), None) => format!(" · {n}"),
                (None, Some(c)) => format!(" · provider in {c}"),
                (None, None) => String::new(),
            };
            let mut heading = vec![format!(
                "model {model}{provider} · law applied as of {}",
                profile.as_of()
            )];
            if let Some(w) = &what_if {
                heading.push(
                    crate::visible::escape(&format!("what if: {}", w.describe())).into_owned(),
                );
            }
            let titles = ComputedTitles::of(&set);
            if a.format == Format::Html {
                let facts: Vec<(String, String)> = KEY_FACTS
                    .iter()
                    .filter_map(|p| key(p).map(|v| (p.to_string(), v)))
                    .collect();
                let flips = flips_of(&set, profile, &schema);
                match crate::html::render(
                    &cmp,
                    &set,
                    &titles,
                    facts,
                    what_if
                        .as_ref()
                        .map(|w| crate::visible::escape(&w.describe()).into_owned()),
                    changes.as_deref(),
                    &flips,
                    today(profile.as_of()),
                ) {
                    Ok(page) => page,
                    Err(e) => return ctx.fail(Exit::Error, &e),
                }
            } else if a.format == Format::Markdown {
                crate::markdown::render(
                    &cmp,
                    &titles,
                    &heading,
                    a.applicable_only,
                    changes.as_deref(),
                )
            } else {
                let style = Style {
                    color: ctx.color_out,
                    width: table_width(cmp.regimes.len()),
                    applicable_only: a.applicable_only,
                };
                let label = crate::visible::escape(&label);
                let mut text = format!(
                    "juxta · {label}\n{}\n{}\n✔ applies   ✘ does not apply   ? undetermined: the facts it needs are listed\n{}\n{}",
                    heading.join("\n"),
                    render(&cmp, &titles, &style),
                    tally(&cmp),
                    open_questions_text(&cmp)
                );
                if let Some(changes) = &changes {
                    text.push_str(&crate::visible::escape(&changes_text(changes)));
                }
                text
            }
        }
    };
    if ctx.io.out.write_all(output.as_bytes()).is_err() {
        return Exit::Error;
    }
    if cmp.regimes.iter().any(|r| r.error.is_some()) {
        let failed: Vec<String> = cmp
            .regimes
            .iter()
            .filter_map(|r| r.error.as_ref().map(|e| format!("{}: {e}", r.id)))
            .collect();
        let message = format!(
            "{} regime(s) failed; the others are reported:\n{}",
            failed.len(),
            failed.join("\n")
        );
        let rendered = ctx.renderer().plain(&message);
        ctx.eprint(&rendered);
        return Exit::RegimeFailed;
    }
    Exit::Success
}

/// What would change each rule of every loaded regime (for the HTML report's rows).
fn flips_of(
    set: &juxta_host::RegimeSet,
    profile: &Profile,
    schema: &juxta_core::schema::Schema,
) -> crate::html::Flips {
    let mut out = crate::html::Flips::new();
    for entry in set.entries() {
        let juxta_host::Entry::Ready(loaded) = entry else {
            continue;
        };
        let regime = &loaded.regime;
        let host = (!regime.functions.is_empty()).then(|| loaded.functions());
        for (i, rule) in regime.rules.iter().enumerate() {
            let lines = juxta_core::eval::flip::flips(regime, profile, schema, host.clone(), i)
                .iter()
                .map(juxta_core::eval::flip::describe)
                .collect();
            out.insert((regime.id().to_string(), rule.id.clone()), lines);
        }
    }
    out
}

/// The facts an HTML report's header shows, when the profile gives them.
const KEY_FACTS: &[&str] = &[
    "model.id",
    "provider.name",
    "provider.country",
    "model.training_compute_flop",
    "model.output_modalities",
    "release.first_external_release_date",
    "release.deployment_date",
    "release.weights_public",
    "eu.placed_on_market",
    "eu.placing_date",
    "us.cyber_benchmark_result",
];

/// The day the program runs (UTC), for the report's "today" mark; `fallback` if the clock
/// is unusable.
fn today(fallback: Date) -> Date {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs() / 86_400).ok())
        .and_then(|days| Date::from_days_since_epoch(days).ok())
        .unwrap_or(fallback)
}

/// A what-if question: the profile with some facts set or removed.
struct WhatIf {
    profile: Profile,
    set: std::collections::BTreeMap<String, juxta_core::value::Value>,
    unset: Vec<String>,
}

impl WhatIf {
    fn describe(&self) -> String {
        let mut parts: Vec<String> = self.set.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        parts.extend(self.unset.iter().map(|k| format!("{k} unknown")));
        parts.join("; ")
    }
}

/// Applies `--set` and `--unset`; `None` when there are none.
fn what_if(
    profile: &Profile,
    schema: &juxta_core::schema::Schema,
    set: &[String],
    unset: &[String],
) -> Result<Option<WhatIf>, String> {
    if set.is_empty() && unset.is_empty() {
        return Ok(None);
    }
    let mut changed = profile.clone();
    let mut shown = std::collections::BTreeMap::new();
    for assignment in set {
        let (id, value) = juxta_core::profile::fact_from_text(schema, assignment)
            .map_err(|e| format!("--set {e}"))?;
        shown.insert(schema.fact(id).path.clone(), value.clone());
        changed = changed.with_fact(id, Some(value), schema);
    }
    for path in unset {
        let id = schema.lookup(path).ok_or_else(|| {
            let help = juxta_core::diag::did_you_mean(
                path,
                schema.facts().iter().map(|f| f.path.as_str()),
            )
            .map(|d| format!(" (did you mean `{d}`?)"))
            .unwrap_or_default();
            format!("--unset `{path}` is not a fact of the schema{help}")
        })?;
        let def = schema.fact(id);
        if def.required || !matches!(def.kind, juxta_core::schema::FactKind::Field(_)) {
            return Err(format!("--unset `{path}`: this fact cannot be unknown"));
        }
        changed.set(id, None);
    }
    Ok(Some(WhatIf {
        profile: changed,
        set: shown,
        unset: unset.to_vec(),
    }))
}

/// The changes of a what-if question, for the terminal.
fn changes_text(changes: &[juxta_core::report::Change]) -> String {
    if changes.is_empty() {
        return "\nwhat changed against the profile as written: nothing\n".into();
    }
    let mut out = String::from("\nwhat changed against the profile as written:\n");
    for c in changes {
        out.push_str(&format!(
            "  {:<16} {:<32} {} → {}\n",
            c.regime,
            c.item,
            change_value(&c.from),
            change_value(&c.to)
        ));
    }
    out
}

/// `juxta schema`: the JSON Schema of a profile for the loaded regimes.
pub(crate) fn schema(ctx: &mut Ctx<'_, '_>, a: &crate::args::SchemaArgs) -> Exit {
    let set = match crate::plugins::load(&a.plugins) {
        Ok(s) => s,
        Err(e) => return ctx.fail(Exit::Error, &e),
    };
    let doc = set.schema().json_schema();
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    if ctx
        .io
        .out
        .write_all(crate::visible::json(format!("{text}\n")).as_bytes())
        .is_err()
    {
        return Exit::Error;
    }
    Exit::Success
}

pub(crate) fn lock(ctx: &mut Ctx<'_, '_>, a: &RegimesArgs) -> Exit {
    match crate::plugins::write_lock(&a.plugins) {
        Ok((path, pins)) => {
            let mut text = format!("{}: pinned {} plugin(s)\n", path.display(), pins.len());
            for p in &pins {
                text.push_str(&format!(
                    "  {} {} {}  {}\n",
                    p.regime, p.regime_version, p.sha256, p.file
                ));
            }
            let _ = ctx
                .io
                .out
                .write_all(crate::visible::escape(&text).as_bytes());
            Exit::Success
        }
        Err(e) => ctx.fail(Exit::Error, &e),
    }
}

pub(crate) fn regimes(ctx: &mut Ctx<'_, '_>, a: &RegimesArgs) -> Exit {
    let set = match crate::plugins::load(&a.plugins) {
        Ok(s) => s,
        Err(e) => return ctx.fail(Exit::Error, &e),
    };
    let rows: Vec<serde_json::Value> = set
        .entries()
        .iter()
        .map(|e| match e {
            Entry::Ready(r) => serde_json::json!({
                "id": r.regime.id(),
                "name": r.regime.header.name,
                "version": r.regime.header.version,
                "jurisdiction": r.regime.header.jurisdiction,
                "facts_schema": r.regime.header.facts_schema,
                "rules": r.regime.rules.len(),
                "origin": r.origin.to_string(),
                "sha256": r.sha256,
                "error": null,
            }),
            Entry::Failed(f) => serde_json::json!({
                "id": f.id, "name": null, "version": null, "jurisdiction": null, "facts_schema": null,
                "rules": 0, "origin": f.origin.to_string(), "sha256": f.sha256, "error": f.error,
            }),
        })
        .collect();
    // Names, origins and errors come from plugins and file names: shown, never obeyed, and
    // escaped before any table is sized, so the borders stay aligned.
    let shown_rows: Vec<serde_json::Value> = match crate::visible::value(&rows) {
        Ok(r) => r,
        Err(e) => return ctx.fail(Exit::Error, &e),
    };
    let output = match a.format {
        Format::Json => serde_json::to_string_pretty(&rows)
            .map(|j| crate::visible::json(j + "\n"))
            .unwrap_or_default(),
        Format::Html => {
            return ctx.fail(
                Exit::Usage,
                "`juxta regimes` prints a table, JSON or Markdown; HTML is for `juxta compare`",
            );
        }
        Format::Markdown => {
            let mut t = String::from(
                "| id | version | jurisdiction | rules | origin | sha256 | status |\n|---|---|---|---|---|---|---|\n",
            );
            for r in &shown_rows {
                let cell = |k: &str| match &r[k] {
                    serde_json::Value::String(s) => crate::markdown::escape(s),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                };
                let status = if r["error"].is_null() { "ok" } else { "failed" };
                t.push_str(&format!(
                    "| {} | {} | {} | {} | {} | `{}` | {status} |\n",
                    cell("id"),
                    cell("version"),
                    cell("jurisdiction"),
                    cell("rules"),
                    cell("origin"),
                    cell("sha256")
                ));
            }
            t
        }
        Format::Table => {
            let mut t = Table::new();
            t.load_preset(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled);
            t.set_header(vec![
                "id",
                "version",
                "jurisdiction",
                "rules",
                "origin",
                "sha256",
                "status",
            ]);
            for r in &shown_rows {
                let s = |k: &str| r[k].as_str().unwrap_or("—").to_string();
                let status = r["error"]
                    .as_str()
                    .map_or("ok".to_string(), |e| format!("FAILED: {e}"));
                t.add_row(vec![
                    s("id"),
                    s("version"),
                    s("jurisdiction"),
                    r["rules"].to_string(),
                    s("origin"),
                    s("sha256"),
                    status,
                ]);
            }
            format!("{t}\n")
        }
    };
    if ctx.io.out.write_all(output.as_bytes()).is_err() {
        return Exit::Error;
    }
    if rows.iter().any(|r| !r["error"].is_null()) {
        Exit::RegimeFailed
    } else {
        Exit::Success
    }
}
