//! `juxta compare` and `juxta regimes`.

use comfy_table::{ContentArrangement, Table, presets};
use juxta_core::profile::{Format as InputFormat, Profile};
use juxta_host::Entry;
use juxta_sdk::Date;

use crate::args::{CompareArgs, Format, RegimesArgs};
use crate::table::{ComputedTitles, Style, render, tally};
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
    let cmp = set.compare(&profile, &label);
    let output = match a.format {
        Format::Json => match serde_json::to_string_pretty(&cmp) {
            Ok(j) => j + "\n",
            Err(e) => return ctx.fail(Exit::Error, &format!("cannot write JSON: {e}")),
        },
        Format::Table => {
            let key = |path: &str| {
                schema
                    .lookup(path)
                    .and_then(|id| profile.get(id))
                    .map(|v| v.to_string())
            };
            let mut head = format!("juxta · {label}\n");
            let model = key("model.id").unwrap_or_else(|| "(model id not given)".into());
            let provider = match (key("provider.name"), key("provider.country")) {
                (Some(n), Some(c)) => format!(" · {n} ({c})"),
                (Some(n), None) => format!(" · {n}"),
                (None, Some(c)) => format!(" · provider in {c}"),
                (None, None) => String::new(),
            };
            head.push_str(&format!(
                "model {model}{provider} · law applied as of {}\n",
                profile.as_of()
            ));
            let style = Style {
                color: ctx.color_out,
                width: table_width(cmp.regimes.len()),
                applicable_only: a.applicable_only,
            };
            format!(
                "{head}{}\n✔ applies   ✘ does not apply   ? undetermined: the facts it needs are listed\n{}\n",
                render(&cmp, &ComputedTitles::of(&set), &style),
                tally(&cmp)
            )
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
        .write_all(format!("{text}\n").as_bytes())
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
            let _ = ctx.io.out.write_all(text.as_bytes());
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
    let output = match a.format {
        Format::Json => serde_json::to_string_pretty(&rows)
            .map(|j| j + "\n")
            .unwrap_or_default(),
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
            for r in &rows {
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
