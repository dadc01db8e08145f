//! `juxta generate`: realistic, varied profiles as JSON Lines.

use crate::args::GenerateArgs;
use crate::{Ctx, Exit};

pub(crate) fn run(ctx: &mut Ctx<'_, '_>, a: &GenerateArgs) -> Exit {
    let text = crate::generate::jsonl(a.seed, a.count, a.broken_every);
    let written = match &a.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display())),
        None => ctx
            .io
            .out
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot write: {e}")),
    };
    match written {
        Ok(()) => Exit::Success,
        Err(e) => ctx.fail(Exit::Error, &e),
    }
}
