//! `juxta explain PROFILE RULE-ID`: one rule, for one profile, in full.
//!
//! The rule's citation, kind, status and text; its explanation; its condition as a tree of
//! named blocks and leaves, each marked true / false / unknown with the values it read; for an
//! undetermined rule, the facts that would decide it and the open questions that keep it open;
//! and what would change it: for each fact it depends on, the value or threshold at which its
//! status would differ.

use crate::args::{ExplainArgs, ExplainFormat};
use crate::{Ctx, Exit, setup};

pub(crate) fn run(ctx: &mut Ctx<'_, '_>, a: &ExplainArgs) -> Exit {
    let mut engine = match setup::engine(ctx, &a.plugins) {
        Ok(e) => e,
        Err(code) => return code,
    };
    if let Err(code) = setup::select(ctx, &mut engine, &a.regimes) {
        return code;
    }
    let profile = match setup::profile(ctx, &engine, &a.profile, a.json_input, a.as_of.as_deref()) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let explanation = match engine.explain(&profile, &a.rule) {
        Ok(e) => e,
        // Not a rule: a computed value (a deadline, a cap) of that name, as a derivation.
        Err(juxta::Error::Explain(juxta::ExplainError::UnknownRule { .. }))
            if engine.has_computed(&a.rule) =>
        {
            return computed(ctx, &engine, &profile, a);
        }
        Err(e @ juxta::Error::Explain(juxta::ExplainError::RegimeFailed { .. })) => {
            return ctx.fail(Exit::RegimeFailed, &e.to_string());
        }
        Err(e) => return ctx.fail(Exit::Usage, &e.to_string()),
    };
    // Titles, citations, reasons and notes come from plugins: shown, never obeyed.
    let output = match a.format {
        // Keys in alphabetical order, as the JSON form has always been written.
        ExplainFormat::Json => match serde_json::to_value(&explanation)
            .and_then(|v| serde_json::to_string_pretty(&v))
        {
            Ok(t) => crate::visible::json(t + "\n"),
            Err(e) => return ctx.fail(Exit::Error, &format!("cannot write JSON: {e}")),
        },
        ExplainFormat::Text => juxta_render::explain::text(&explanation),
    };
    if ctx.io.out.write_all(output.as_bytes()).is_err() {
        return Exit::Error;
    }
    Exit::Success
}

fn computed(
    ctx: &mut Ctx<'_, '_>,
    engine: &juxta::Engine,
    profile: &juxta_core::profile::Profile,
    a: &ExplainArgs,
) -> Exit {
    let explanation = match engine.explain_computed(profile, &a.rule) {
        Ok(e) => e,
        Err(e @ juxta::Error::Explain(juxta::ExplainError::RegimeFailed { .. })) => {
            return ctx.fail(Exit::RegimeFailed, &e.to_string());
        }
        Err(e) => return ctx.fail(Exit::Usage, &e.to_string()),
    };
    let output = match a.format {
        ExplainFormat::Json => match serde_json::to_value(&explanation)
            .and_then(|v| serde_json::to_string_pretty(&v))
        {
            Ok(t) => crate::visible::json(t + "\n"),
            Err(e) => return ctx.fail(Exit::Error, &format!("cannot write JSON: {e}")),
        },
        ExplainFormat::Text => juxta_render::explain::computed_text(&explanation),
    };
    if ctx.io.out.write_all(output.as_bytes()).is_err() {
        return Exit::Error;
    }
    Exit::Success
}
