//! `juxta render RESULT.json`: a saved result in a format for people, exactly as `compare`
//! printed it, with no regime loaded and nothing evaluated.

use crate::args::RenderArgs;
use crate::{Ctx, Exit, read_text};

pub(crate) fn run(ctx: &mut Ctx<'_, '_>, a: &RenderArgs) -> Exit {
    let text = match read_text(&a.result, ctx.io.input) {
        Ok(t) => t,
        Err(e) => return ctx.fail(Exit::Error, &e),
    };
    let cmp: juxta::Comparison = match serde_json::from_str(&text) {
        Ok(c) => c,
        Err(e) => {
            // serde's message ends with the position, and may quote the offending input: keep
            // the position once and at most a line of the rest.
            let full = e.to_string();
            let what = full
                .rsplit_once(" at line ")
                .map_or(full.as_str(), |(head, _)| head);
            let mut shown: String = what.chars().take(160).collect();
            if what.chars().count() > 160 {
                shown.push('…');
            }
            return ctx.fail(
                Exit::Error,
                &format!(
                    "`{}` line {}, column {}: not a juxta result (`juxta compare --format json --full` writes one): {shown}",
                    a.result.display(),
                    e.line(),
                    e.column()
                ),
            );
        }
    };
    if !cmp.has_view() && a.format != crate::args::Format::Json {
        let note = format!(
            "`{}` was saved without `--full`: the titles of computed values, the law's effective dates, what would change each rule and the profile's facts are not in it, so they are left out; save results with `juxta compare --format json --full` to render them exactly as `compare` shows them",
            a.result.display()
        );
        ctx.eprint(&crate::visible::escape(&format!("warning: {note}\n")));
    }
    let output = match crate::cmd::compare::render(
        ctx,
        &cmp,
        a.format,
        a.applicable_only,
        true,
        cmp.as_of,
    ) {
        Ok(text) => text,
        Err(code) => return code,
    };
    if ctx.io.out.write_all(output.as_bytes()).is_err() {
        return Exit::Error;
    }
    crate::cmd::compare::report_failures(ctx, &cmp)
}
