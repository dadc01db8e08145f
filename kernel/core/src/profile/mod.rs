//! Profiles: one model's facts, read from TOML or JSON and validated against the schema before
//! any rule runs.
//!
//! Validation reports **every** problem at once, each naming the file, line and field:
//! unknown keys (with "did you mean"), wrong types, NaN or infinite numbers, impossible dates,
//! out-of-range values, oversized strings and lists. An absent field is simply unknown.
//!
//! - `tree.rs` and `json.rs`: reading TOML and JSON into one spanned tree;
//! - `error.rs`: what is wrong with a profile, where;
//! - `validate.rs`: checking a tree against the schema, field by field;
//! - `what_if.rs`: one fact as written on a command line (`--set path=value`);
//! - this file: [`Profile`], the validated facts.

pub mod json;
mod node;
pub mod tree;

mod error;
mod validate;
mod what_if;

pub use error::{Problem, ProfileError};
pub use what_if::fact_from_text;

use juxta_sdk::Date;

use crate::number::Number;
use crate::schema::{Conversion, FactId, Schema};
use crate::value::Value;
use tree::{Node, Tree};
use validate::Validator;

/// The serialisation of a profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// TOML (the native form).
    Toml,
    /// JSON with the same shape.
    Json,
}

impl Format {
    /// The format a file name suggests: `.json` and `.jsonl` are JSON, anything else TOML.
    pub fn from_path(path: &str) -> Format {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".json") || lower.ends_with(".jsonl") {
            Format::Json
        } else {
            Format::Toml
        }
    }
}

/// A validated profile: a value or nothing (unknown) for every fact of the schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    origin: String,
    values: Vec<Option<Value>>,
    as_of: Date,
    /// Money facts as given (amount, currency); `values` holds them converted.
    money: Vec<(FactId, Number, String)>,
}

impl Profile {
    /// Reads and validates a profile: a bare profile (tables at the top level), or a test case
    /// whose profile sits under `[facts]`.
    ///
    /// `origin` names the input in diagnostics (a path, `<stdin>`, `line 12`).
    pub fn parse(
        text: &str,
        format: Format,
        origin: &str,
        schema: &Schema,
    ) -> Result<Profile, ProfileError> {
        let tree = match format {
            Format::Toml => tree::parse_toml(text),
            Format::Json => tree::parse_json(text),
        }
        .map_err(|e| ProfileError::single(origin, text, e.span, None, e.message, None))?;
        if let Node::Table(top) = &tree.node {
            let is_case = !top.iter().any(|(k, _)| k.name == "schema_version");
            if let Some((_, facts)) = top
                .iter()
                .find(|(k, v)| is_case && k.name == "facts" && matches!(v.node, Node::Table(_)))
            {
                return Profile::from_tree(facts, text, origin, schema);
            }
        }
        Profile::from_tree(&tree, text, origin, schema)
    }

    /// Validates an already parsed tree; `text` is the document its spans point into (empty
    /// for a tree without spans, such as a Parquet row).
    pub fn from_tree(
        tree: &Tree<'_>,
        text: &str,
        origin: impl Into<String>,
        schema: &Schema,
    ) -> Result<Profile, ProfileError> {
        let origin = origin.into();
        let validate::Validated {
            values,
            problems,
            money,
        } = Validator::new(schema, text).validate(tree);
        let as_of = schema
            .as_of_fact()
            .and_then(|id| values[id].as_ref())
            .and_then(Value::as_date);
        match (problems.is_empty(), as_of) {
            (true, Some(as_of)) => Ok(Profile {
                origin,
                values,
                as_of,
                money,
            }),
            _ => Err(ProfileError { origin, problems }),
        }
    }

    /// Where the profile came from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The date on which the law is applied.
    pub fn as_of(&self) -> Date {
        self.as_of
    }

    /// The same profile applied on another day (`--as-of`).
    pub fn with_as_of(mut self, as_of: Date, schema: &Schema) -> Profile {
        if let Some(id) = schema.as_of_fact() {
            self.values[id] = Some(Value::Date(as_of));
        }
        self.as_of = as_of;
        // Money is read at the rates in force on the new day; an amount with no rate then is
        // unknown, never converted at another day's rate.
        for (id, amount, currency) in &self.money {
            let converted = schema
                .fact(*id)
                .money
                .as_ref()
                .and_then(|m| m.convert(amount, currency, as_of).ok());
            self.values[*id] = converted.map(|c| Value::Number(c.value));
        }
        self
    }

    /// A money fact as the profile gives it (amount and currency), and how it was converted
    /// into the currency its rules read; `None` for any other fact.
    pub fn money(
        &self,
        id: FactId,
        schema: &Schema,
    ) -> Option<(Number, String, Option<Conversion>)> {
        let (_, amount, currency) = self.money.iter().find(|(m, _, _)| *m == id)?;
        let conversion = schema
            .fact(id)
            .money
            .as_ref()
            .and_then(|m| m.convert(amount, currency, self.as_of).ok());
        Some((amount.clone(), currency.clone(), conversion))
    }

    /// The value of a fact, or `None` if it is unknown.
    pub fn get(&self, id: FactId) -> Option<&Value> {
        self.values.get(id).and_then(Option::as_ref)
    }

    /// Sets a fact, for what-if questions and tests. The value must suit the schema; the caller
    /// is responsible for that.
    pub fn set(&mut self, id: FactId, value: Option<Value>) {
        if let Some(slot) = self.values.get_mut(id) {
            *slot = value;
            // A money fact set anew is given in its own currency.
            self.money.retain(|(m, _, _)| *m != id);
        }
    }

    /// The same profile with one fact changed (`None`: unknown). Changing `evaluation.as_of`
    /// moves the day the law is applied, as `--as-of` does.
    pub fn with_fact(mut self, id: FactId, value: Option<Value>, schema: &Schema) -> Profile {
        match value.as_ref().and_then(Value::as_date) {
            Some(day) if schema.as_of_fact() == Some(id) => self.with_as_of(day, schema),
            _ => {
                self.set(id, value);
                self
            }
        }
    }
}

#[cfg(test)]
mod tests;
