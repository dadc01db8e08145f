//! `juxta regimes`: the loaded regimes; `juxta regimes lock`: pin the third-party plugins.

use comfy_table::{ContentArrangement, Table, presets};
use juxta_host::Entry;

use crate::args::{Format, RegimesArgs};
use crate::{Ctx, Exit, setup, write_atomically};

pub(crate) fn lock(ctx: &mut Ctx<'_, '_>, a: &RegimesArgs) -> Exit {
    let new = match juxta_host::policy::pin(&a.plugins.options()) {
        Ok(new) => new,
        Err(e) => return ctx.fail(Exit::Error, &e.to_string()),
    };
    if let Err(e) = write_atomically(&new.path, new.lock.to_text().as_bytes()) {
        return ctx.fail(Exit::Error, &e);
    }
    let pins = &new.lock.plugins;
    let mut text = format!("{}: pinned {} plugin(s)\n", new.path.display(), pins.len());
    for p in pins {
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

pub(crate) fn list(ctx: &mut Ctx<'_, '_>, a: &RegimesArgs) -> Exit {
    let engine = match setup::engine(ctx, &a.plugins) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let set = engine.regimes();
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
        Format::Html | Format::Csv | Format::Ics => {
            return ctx.fail(
                Exit::Usage,
                "`juxta regimes` prints a table, JSON or Markdown; HTML, CSV and calendars are for `juxta compare`",
            );
        }
        Format::Markdown => {
            let mut t = String::from(
                "| id | version | jurisdiction | rules | origin | sha256 | status |\n|---|---|---|---|---|---|---|\n",
            );
            for r in &shown_rows {
                let cell = |k: &str| match &r[k] {
                    serde_json::Value::String(s) => juxta_render::markdown::escape(s),
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
