//! What every command does first, in one place: load the regimes (bundled plus pinned plugins),
//! read and validate a profile, apply `--as-of`, keep the regimes named by `--regime`. Each step
//! prints its own diagnostics and returns the exit code to stop with.

use std::path::Path;

use juxta::{Engine, Profile, ProfileFormat};
use juxta_sdk::Date;

use crate::args::PluginArgs;
use crate::{Ctx, Exit, read_text};

/// Loads the bundled regimes and the pinned third-party plugins.
pub(crate) fn engine(ctx: &mut Ctx<'_, '_>, plugins: &PluginArgs) -> Result<Engine, Exit> {
    Engine::load(&plugins.options()).map_err(|e| ctx.fail(Exit::Error, &e.to_string()))
}

/// Keeps only the regimes named by `--regime` (all if none is named).
pub(crate) fn select(
    ctx: &mut Ctx<'_, '_>,
    engine: &mut Engine,
    ids: &[String],
) -> Result<(), Exit> {
    engine
        .select(ids)
        .map_err(|e| ctx.fail(Exit::Usage, &e.to_string()))
}

/// Parses `--as-of`; `quote_day` repeats the day given in the message.
pub(crate) fn as_of(
    ctx: &mut Ctx<'_, '_>,
    day: Option<&str>,
    quote_day: bool,
) -> Result<Option<Date>, Exit> {
    let Some(day) = day else { return Ok(None) };
    day.parse::<Date>().map(Some).map_err(|e| {
        let flag = if quote_day {
            format!("--as-of `{day}`")
        } else {
            "--as-of".to_string()
        };
        ctx.fail(Exit::Usage, &format!("{flag}: {e}"))
    })
}

/// Reads and validates a profile (TOML, or JSON by extension or `json_input`), then applies
/// `--as-of`; on failure the diagnostics are printed and the exit code returned.
pub(crate) fn profile(
    ctx: &mut Ctx<'_, '_>,
    engine: &Engine,
    path: &Path,
    json_input: bool,
    as_of: Option<&str>,
) -> Result<Profile, Exit> {
    let label = path.display().to_string();
    let text = read_text(path, ctx.io.input).map_err(|e| ctx.fail(Exit::Error, &e))?;
    let format = if json_input {
        ProfileFormat::Json
    } else {
        ProfileFormat::from_path(&label)
    };
    let profile = match engine.profile(&text, format, &label) {
        Ok(p) => p,
        Err(e) => {
            let rendered = ctx.renderer().profile_error(&e, Some(&text));
            ctx.eprint(&rendered);
            return Err(Exit::Error);
        }
    };
    Ok(match self::as_of(ctx, as_of, true)? {
        Some(day) => engine.with_as_of(profile, day),
        None => profile,
    })
}
