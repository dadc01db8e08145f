//! `juxta schema`: the JSON Schema of a profile for the loaded regimes.

use crate::args::SchemaArgs;
use crate::{Ctx, Exit, setup};

pub(crate) fn run(ctx: &mut Ctx<'_, '_>, a: &SchemaArgs) -> Exit {
    let engine = match setup::engine(ctx, &a.plugins) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let doc = engine.schema().json_schema();
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
