//! What-if questions: one fact as written on a command line (`--set path=value`), checked
//! exactly as the same field in a profile, with the same messages.

use super::tree::{self, Node};
use super::validate::Validator;
use crate::diag::did_you_mean;
use crate::schema::{FactId, FactKind, Schema};
use crate::value::Value;

/// Reads one fact as written on a command line, `path=value` (`--set
/// model.training_compute_flop=2e25`), checked exactly as the same field in a profile. The
/// value is read as TOML (numbers, booleans, dates, `["text", "speech"]`, quoted strings), or
/// as a bare string when it is not TOML (`eu.commission_sr_decision=designated`).
pub fn fact_from_text(schema: &Schema, assignment: &str) -> Result<(FactId, Value), String> {
    let Some((path, raw)) = assignment.split_once('=') else {
        return Err(format!(
            "`{assignment}`: write `path=value`, such as `model.training_compute_flop=2e25`"
        ));
    };
    let (path, raw) = (path.trim(), raw.trim());
    let Some(id) = schema.lookup(path) else {
        let help = did_you_mean(path, schema.facts().iter().map(|f| f.path.as_str()))
            .map(|d| format!(" (did you mean `{d}`?)"))
            .unwrap_or_default();
        return Err(format!("`{path}` is not a fact of the schema{help}"));
    };
    let FactKind::Field(ty) = schema.fact(id).kind else {
        return Err(format!(
            "`{path}` is the presence of a table: add or remove the `[{path}]` table in the profile instead"
        ));
    };
    // Another name of a core fact sets the core fact.
    let id = schema.fact(id).alias_of.unwrap_or(id);
    let as_toml = format!("v = {raw}");
    let quoted;
    let (text, parsed) = match tree::parse_toml(&as_toml) {
        Ok(parsed) => (as_toml.as_str(), parsed),
        Err(_) => {
            quoted = format!("v = {}", toml::Value::String(raw.to_string()));
            let parsed =
                tree::parse_toml(&quoted).map_err(|e| format!("`{path}`: {}", e.message))?;
            (quoted.as_str(), parsed)
        }
    };
    let Node::Table(entries) = parsed.node else {
        return Err(format!("`{path}`: cannot read `{raw}`"));
    };
    let Some((_, node)) = entries.into_iter().next() else {
        return Err(format!("`{path}`: cannot read `{raw}`"));
    };
    let mut v = Validator::new(schema, text).what_if();
    match v.check(path, ty, &node) {
        Some(value) => Ok((id, value)),
        None => Err(v
            .problems
            .first()
            .map(|p| match &p.help {
                Some(h) => format!("`{path}`: {} ({h})", p.message),
                None => format!("`{path}`: {}", p.message),
            })
            .unwrap_or_else(|| format!("`{path}`: `{raw}` is not {}", ty.describe()))),
    }
}
