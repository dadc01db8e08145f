//! `juxta compare PROFILE`: one profile, every regime, side by side.

use juxta::{Detail, WhatIf};
use juxta_render::Options;

use crate::args::{CompareArgs, Format};
use crate::{Ctx, Exit, setup};

pub(crate) fn run(ctx: &mut Ctx<'_, '_>, a: &CompareArgs) -> Exit {
    if a.full && a.format != Format::Json {
        return ctx.fail(
            Exit::Usage,
            "--full saves the whole view as JSON: use it with --format json (the other formats show what they show)",
        );
    }
    let mut engine = match setup::engine(ctx, &a.plugins) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let profile = match setup::profile(ctx, &engine, &a.profile, a.json_input, a.as_of.as_deref()) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Err(code) = setup::select(ctx, &mut engine, &a.regimes) {
        return code;
    }
    // What would change each rule is shown only by the HTML report and saved by `--full`.
    let detail = match a.format {
        Format::Html => Detail::Full,
        Format::Json if a.full => Detail::Full,
        _ => Detail::Standard,
    };
    let cmp = match WhatIf::parse(engine.schema(), &a.set, &a.unset) {
        Ok(Some(question)) => engine.what_if(&profile, &question, detail),
        Ok(None) => engine.compare(&profile, detail),
        Err(e) => return ctx.fail(Exit::Usage, &e.to_string()),
    };
    let output = match render(
        ctx,
        &cmp,
        a.format,
        a.applicable_only,
        a.full,
        profile.as_of(),
    ) {
        Ok(text) => text,
        Err(code) => return code,
    };
    if ctx.io.out.write_all(output.as_bytes()).is_err() {
        return Exit::Error;
    }
    report_failures(ctx, &cmp)
}

/// A comparison in one of `compare`'s formats (shared with `juxta render`).
pub(crate) fn render(
    ctx: &mut Ctx<'_, '_>,
    cmp: &juxta::Comparison,
    format: Format,
    applicable_only: bool,
    full: bool,
    fallback_today: juxta_sdk::Date,
) -> Result<String, Exit> {
    let format = match format {
        Format::Json => {
            let shown = if full { cmp.clone() } else { cmp.contract() };
            return serde_json::to_string_pretty(&shown)
                .map(|j| crate::visible::json(j + "\n"))
                .map_err(|e| ctx.fail(Exit::Error, &format!("cannot write JSON: {e}")));
        }
        Format::Table => juxta_render::Format::Table,
        Format::Markdown => juxta_render::Format::Markdown,
        Format::Html => juxta_render::Format::Html,
        Format::Csv => juxta_render::Format::Csv,
        Format::Ics => juxta_render::Format::Ics,
    };
    let mut options = Options::new(today(fallback_today));
    options.applicable_only = applicable_only;
    options.color = ctx.color_out;
    options.width = table_width(ctx.io.out_is_terminal);
    juxta_render::render(cmp, format, &options).map_err(|e| ctx.fail(Exit::Error, &e.to_string()))
}

/// After the output: exit 3 naming every regime that failed, if any did.
pub(crate) fn report_failures(ctx: &mut Ctx<'_, '_>, cmp: &juxta::Comparison) -> Exit {
    if !cmp.any_failed() {
        return Exit::Success;
    }
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
    Exit::RegimeFailed
}

/// The width to draw the table in: the terminal's own when standard output is one (shells do
/// not export `COLUMNS`), else `COLUMNS` if set, else `None` (the table's natural width, for
/// files and pipes). Never less than 40 columns.
fn table_width(out_is_terminal: bool) -> Option<u16> {
    let terminal = out_is_terminal
        .then(|| terminal_size::terminal_size_of(std::io::stdout()))
        .flatten()
        .map(|(terminal_size::Width(w), _)| w);
    let columns = || {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse::<u16>().ok())
    };
    terminal.or_else(columns).map(|w| w.max(40))
}

/// The day the program runs (UTC), for the report's "today" mark; `fallback` if the clock
/// is unusable.
fn today(fallback: juxta_sdk::Date) -> juxta_sdk::Date {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs() / 86_400).ok())
        .and_then(|days| juxta_sdk::Date::from_days_since_epoch(days).ok())
        .unwrap_or(fallback)
}
