//! Profiles: one model's facts, read from TOML or JSON and validated against the schema before
//! any rule runs.
//!
//! Validation reports **every** problem at once, each naming the file, line and field:
//! unknown keys (with "did you mean"), wrong types, NaN or infinite numbers, impossible dates,
//! out-of-range values, oversized strings and lists. An absent field is simply unknown.

pub mod json;
pub mod tree;

use crate::diag::code_list;
use std::fmt;
use std::ops::Range;

use juxta_sdk::Date;
use juxta_sdk::schema::{FactType, MAX_LIST_ITEMS, MAX_STRING_BYTES};

use crate::diag::{Location, did_you_mean};
use crate::number::{Number, NumberError};
use crate::schema::{FactId, FactKind, Schema};
use crate::value::Value;
use tree::{Key, Node, Tree};

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
        tree: &Tree,
        text: &str,
        origin: &str,
        schema: &Schema,
    ) -> Result<Profile, ProfileError> {
        let mut v = Validator {
            schema,
            text,
            problems: Vec::new(),
            values: vec![None; schema.facts().len()],
            spans: vec![None; schema.facts().len()],
        };
        v.top(tree);
        let as_of = schema
            .lookup("evaluation.as_of")
            .and_then(|id| v.values[id].as_ref())
            .and_then(Value::as_date);
        match (v.problems.is_empty(), as_of) {
            (true, Some(as_of)) => Ok(Profile {
                origin: origin.to_string(),
                values: v.values,
                as_of,
            }),
            _ => Err(ProfileError {
                origin: origin.to_string(),
                problems: v.problems,
            }),
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
        if let Some(id) = schema.lookup("evaluation.as_of") {
            self.values[id] = Some(Value::Date(as_of));
        }
        self.as_of = as_of;
        self
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
        }
    }

    /// The same profile with one fact changed (`None`: unknown). Changing `evaluation.as_of`
    /// moves the day the law is applied, as `--as-of` does.
    pub fn with_fact(mut self, id: FactId, value: Option<Value>, schema: &Schema) -> Profile {
        match value.as_ref().and_then(Value::as_date) {
            Some(day) if schema.lookup("evaluation.as_of") == Some(id) => {
                self.with_as_of(day, schema)
            }
            _ => {
                self.set(id, value);
                self
            }
        }
    }
}

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
    let (text, parsed) = match tree::parse_toml(&as_toml) {
        Ok(parsed) => (as_toml, parsed),
        Err(_) => {
            let quoted = format!("v = {}", toml::Value::String(raw.to_string()));
            let parsed =
                tree::parse_toml(&quoted).map_err(|e| format!("`{path}`: {}", e.message))?;
            (quoted, parsed)
        }
    };
    let Node::Table(entries) = parsed.node else {
        return Err(format!("`{path}`: cannot read `{raw}`"));
    };
    let Some((_, node)) = entries.into_iter().next() else {
        return Err(format!("`{path}`: cannot read `{raw}`"));
    };
    let mut v = Validator {
        schema,
        text: &text,
        problems: Vec::new(),
        values: Vec::new(),
        spans: Vec::new(),
    };
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

/// A profile that could not be read or is not valid.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct ProfileError {
    /// Where the profile came from.
    pub origin: String,
    /// Every problem found, in document order.
    pub problems: Vec<Problem>,
}

/// One problem in a profile.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Where it is, if known.
    pub location: Option<Location>,
    /// The fact path or key, if the problem is about one.
    pub field: Option<String>,
    /// What is wrong (lower case, no trailing period).
    pub message: String,
    /// How to fix it, if we can tell.
    pub help: Option<String>,
}

impl ProfileError {
    fn single(
        origin: &str,
        text: &str,
        span: Option<Range<usize>>,
        field: Option<String>,
        message: String,
        help: Option<String>,
    ) -> ProfileError {
        ProfileError {
            origin: origin.to_string(),
            problems: vec![Problem {
                location: span.map(|s| Location::of(text, s)),
                field,
                message,
                help,
            }],
        }
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.origin)?;
            if let Some(loc) = &p.location {
                write!(f, ":{loc}")?;
            }
            write!(f, ": ")?;
            if let Some(field) = &p.field {
                write!(f, "`{field}`: ")?;
            }
            write!(f, "{}", p.message)?;
            if let Some(help) = &p.help {
                write!(f, " ({help})")?;
            }
        }
        Ok(())
    }
}

struct Validator<'a> {
    schema: &'a Schema,
    text: &'a str,
    problems: Vec<Problem>,
    values: Vec<Option<Value>>,
    /// Where each value was written, for problems found across fields.
    spans: Vec<Option<Range<usize>>>,
}

impl Validator<'_> {
    fn problem(
        &mut self,
        span: Option<Range<usize>>,
        field: Option<String>,
        message: String,
        help: Option<String>,
    ) {
        self.problems.push(Problem {
            location: span.map(|s| Location::of(self.text, s)),
            field,
            message,
            help,
        });
    }

    fn top(&mut self, tree: &Tree) {
        let Node::Table(entries) = &tree.node else {
            self.problem(
                tree.span.clone(),
                None,
                format!("a profile is a table, found {}", tree.node.describe()),
                None,
            );
            return;
        };
        let mut saw_version = false;
        for (key, value) in entries {
            if key.name == "schema_version" {
                saw_version = true;
                self.schema_version(value);
                continue;
            }
            match self.schema.table_index(&key.name) {
                Some(table) => self.table(table, value),
                None => self.unknown_top_key(key),
            }
        }
        if !saw_version {
            self.problem(
                None,
                Some("schema_version".into()),
                "missing `schema_version`".into(),
                Some(format!(
                    "add `schema_version = \"{}\"` at the top",
                    self.schema.version()
                )),
            );
        }
        self.resolve_aliases();
        self.cumulative_compute();
        for (id, def) in self.schema.facts().iter().enumerate() {
            if def.required
                && self.values[id].is_none()
                && !self
                    .problems
                    .iter()
                    .any(|p| p.field.as_deref() == Some(def.path.as_str()))
            {
                self.problem(
                    None,
                    Some(def.path.clone()),
                    format!("`{}` is required: {}", def.path, def.meaning),
                    None,
                );
            }
        }
    }

    /// A fact written under another name (`ca.has_other_frontier_model`) is the core fact it
    /// names (`provider.has_other_frontier_model`); the two with different values contradict.
    fn resolve_aliases(&mut self) {
        for (alias, def) in self.schema.facts().iter().enumerate() {
            let Some(core) = def.alias_of else {
                continue;
            };
            let Some(value) = self.values[alias].take() else {
                continue;
            };
            let span = self.spans[alias].take();
            match &self.values[core] {
                Some(existing) if *existing != value => {
                    let core_path = &self.schema.fact(core).path;
                    self.problem(
                        span,
                        Some(def.path.clone()),
                        format!(
                            "`{}` = {value} contradicts `{core_path}` = {existing}: they are one fact under two names",
                            def.path
                        ),
                        Some(format!("keep `{core_path}` (facts schema 1.2) and remove `{}`", def.path)),
                    );
                }
                Some(_) => {}
                None => {
                    self.values[core] = Some(value);
                    self.spans[core] = span;
                }
            }
        }
    }

    /// Cumulative compute counts the modification too (model-facts v1 §3): a model's own figure
    /// below its modification's is a contradiction, not a fact to evaluate.
    fn cumulative_compute(&mut self) {
        let (Some(total), Some(modification)) = (
            self.schema.lookup("model.training_compute_flop"),
            self.schema.lookup("derivation.modification_compute_flop"),
        ) else {
            return;
        };
        if let (Some(Value::Number(t)), Some(Value::Number(m))) =
            (&self.values[total], &self.values[modification])
            && t < m
        {
            let message = format!(
                "cumulative training compute {t} is below the modification's {m}: the model's own figure counts the modification too (model-facts v1 §3)"
            );
            self.problem(
                self.spans[total].clone(),
                Some("model.training_compute_flop".into()),
                message,
                Some(
                    "give the model's cumulative compute (base + modification), or leave it out to have it computed".into(),
                ),
            );
        }
    }

    fn schema_version(&mut self, value: &Tree) {
        let supported = self.schema.version();
        match &value.node {
            Node::String(s) if Schema::understands(s) => {}
            Node::String(s) => self.problem(
                value.span.clone(),
                Some("schema_version".into()),
                format!("unsupported schema version `{s}`"),
                Some(format!(
                    "this juxta reads model-facts schema versions {} (1.x versions only add optional fields)",
                    Schema::versions().join(", ")
                )),
            ),
            other => self.problem(
                value.span.clone(),
                Some("schema_version".into()),
                format!("expected a string, found {}", other.describe()),
                Some(format!("write `schema_version = \"{supported}\"`")),
            ),
        }
    }

    fn unknown_top_key(&mut self, key: &Key) {
        let tables: Vec<&str> = self
            .schema
            .tables()
            .iter()
            .map(|t| t.name.as_str())
            .chain(["schema_version"])
            .collect();
        // A field written at the top level instead of inside its table.
        let misplaced = self
            .schema
            .facts()
            .iter()
            .find(|f| f.name == key.name && f.kind != FactKind::Presence);
        let help = match (did_you_mean(&key.name, tables.iter().copied()), misplaced) {
            (Some(s), _) => Some(format!("did you mean `{s}`?")),
            (None, Some(f)) => Some(format!(
                "did you mean `{}`? fields belong inside their table",
                f.path
            )),
            (None, None) => Some(format!(
                "the tables are {} (a regime's own table, such as `ca`, exists only while that regime is loaded)",
                code_list(tables)
            )),
        };
        self.problem(
            key.span.clone(),
            Some(key.name.clone()),
            format!("unknown key `{}`", key.name),
            help,
        );
    }

    fn table(&mut self, table: usize, value: &Tree) {
        let name = self.schema.tables()[table].name.clone();
        let Node::Table(entries) = &value.node else {
            self.problem(
                value.span.clone(),
                Some(name.clone()),
                format!("`{name}` must be a table, found {}", value.node.describe()),
                None,
            );
            return;
        };
        if let Some(presence) = self.schema.tables()[table].presence {
            self.values[presence] = Some(Value::Bool(true));
        }
        for (field_key, field_value) in entries {
            let path = format!("{name}.{}", field_key.name);
            match self.schema.lookup(&path) {
                Some(id) if self.schema.fact(id).kind != FactKind::Presence => {
                    let FactKind::Field(ty) = self.schema.fact(id).kind else {
                        continue;
                    };
                    match self.check(&path, ty, field_value) {
                        Some(v) => {
                            self.values[id] = Some(v);
                            self.spans[id] = field_value.span.clone();
                        }
                        None => continue,
                    }
                }
                _ => {
                    let fields: Vec<&str> = self
                        .schema
                        .fields_of(table)
                        .map(|(_, f)| f.name.as_str())
                        .collect();
                    let other_table = self
                        .schema
                        .facts()
                        .iter()
                        .find(|f| f.name == field_key.name && f.kind != FactKind::Presence)
                        .map(|f| f.path.clone());
                    let help = match (
                        did_you_mean(&field_key.name, fields.iter().copied()),
                        other_table,
                    ) {
                        (Some(s), _) => Some(format!("did you mean `{name}.{s}`?")),
                        (None, Some(p)) => Some(format!(
                            "`{}` belongs to another table: did you mean `{p}`?",
                            field_key.name
                        )),
                        (None, None) => Some(format!("`{name}` has {}", code_list(fields))),
                    };
                    self.problem(
                        field_key.span.clone(),
                        Some(path.clone()),
                        format!("unknown field `{path}`"),
                        help,
                    );
                }
            }
        }
        // Absent presence facts are false, never unknown.
        for t in self.schema.tables() {
            if let Some(p) = t.presence {
                self.values[p].get_or_insert(Value::Bool(false));
            }
        }
    }

    /// Checks one value against its type; records a problem and returns `None` if it is wrong.
    fn check(&mut self, path: &str, ty: FactType, tree: &Tree) -> Option<Value> {
        let fail = |me: &mut Self, message: String, help: Option<String>| {
            me.problem(tree.span.clone(), Some(path.to_string()), message, help);
            None
        };
        let expected = || format!("expected {}, found {}", ty.describe(), tree.node.describe());
        if let Node::Null = tree.node {
            return fail(
                self,
                "`null` is not a value".into(),
                Some("leave the field out to say it is unknown".into()),
            );
        }
        match ty {
            FactType::Bool => match tree.node {
                Node::Bool(b) => Some(Value::Bool(b)),
                _ => fail(self, expected(), None),
            },
            FactType::Float { min } => {
                // Exactly the decimal value written; a binary double as its shortest decimal.
                let (n, negative_zero) = match &tree.node {
                    Node::Integer(i) => (Number::from_i64(*i), false),
                    Node::Decimal(text) => match Number::parse_decimal(text) {
                        Ok(n) => (n.clone(), n.signum() == 0 && text.starts_with('-')),
                        Err(e) => {
                            let help = match e {
                                NumberError::Underflow => Some("write 0 if it is zero".into()),
                                _ => None,
                            };
                            return fail(self, format!("`{}` is {e}", truncate(text)), help);
                        }
                    },
                    Node::Float(f) => match Number::from_f64(*f) {
                        Some(n) => (n, f.is_sign_negative() && *f == 0.0),
                        None => return fail(self, format!("`{f}` is not a finite number"), None),
                    },
                    Node::String(s) if Number::parse_decimal(s.trim()).is_ok() => {
                        return fail(
                            self,
                            expected(),
                            Some(format!("write the number without quotes: {}", s.trim())),
                        );
                    }
                    _ => return fail(self, expected(), None),
                };
                if negative_zero {
                    return fail(
                        self,
                        "`-0` is a negative zero, which is not a value".into(),
                        Some("write 0".into()),
                    );
                }
                if let Some(min) = min.and_then(Number::from_f64)
                    && n < min
                {
                    return fail(self, format!("{n} is below the minimum {min}"), None);
                }
                Some(Value::Number(n))
            }
            FactType::String => match &tree.node {
                Node::String(s) if s.len() > MAX_STRING_BYTES => fail(
                    self,
                    format!(
                        "string of {} bytes exceeds the limit of {MAX_STRING_BYTES}",
                        s.len()
                    ),
                    None,
                ),
                // Control characters are C0 and DEL (one byte each) and C1 (0xC2 0x80–0x9F):
                // a byte scan finds any of them before characters are decoded.
                Node::String(s)
                    if !s.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) =>
                {
                    Some(Value::Text(s.clone()))
                }
                Node::String(s) => match s.chars().enumerate().find(|(_, c)| c.is_control()) {
                    None => Some(Value::Text(s.clone())),
                    Some((at, c)) => fail(
                        self,
                        format!(
                            "the text has a control character (U+{:04X}) at character {}: a name or description is one line of printable text",
                            u32::from(c),
                            at + 1
                        ),
                        Some("remove it (control characters can steer the terminal that shows a report)".into()),
                    ),
                },
                _ => fail(self, expected(), None),
            },
            FactType::CountryCode => match &tree.node {
                Node::String(s) if s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()) => {
                    Some(Value::Text(s.clone()))
                }
                Node::String(s) if s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic()) => {
                    fail(
                        self,
                        format!("`{s}` is not an ISO 3166-1 alpha-2 code"),
                        Some(format!("did you mean `{}`?", s.to_ascii_uppercase())),
                    )
                }
                Node::String(s) => fail(
                    self,
                    format!("`{}` is not an ISO 3166-1 alpha-2 code", truncate(s)),
                    Some("use two upper-case letters, such as `US`, `FR` or `GB`".into()),
                ),
                _ => fail(self, expected(), None),
            },
            FactType::Date => {
                let text = match &tree.node {
                    Node::Datetime(d) | Node::String(d) => d.clone(),
                    _ => return fail(self, expected(), None),
                };
                if matches!(tree.node, Node::Datetime(_)) && text.len() != 10 {
                    return fail(
                        self,
                        format!("`{text}` is a date-time or time, not a date"),
                        Some("write the date alone, such as 2026-09-01".into()),
                    );
                }
                match text.parse::<Date>() {
                    Ok(d) => Some(Value::Date(d)),
                    Err(e) => fail(self, e.0, None),
                }
            }
            FactType::Enum(allowed) => match &tree.node {
                Node::String(s) if allowed.contains(&s.as_str()) => Some(Value::Text(s.clone())),
                Node::String(s) => {
                    let help = did_you_mean(s, allowed.iter().copied())
                        .map(|a| format!("did you mean `{a}`?"));
                    fail(
                        self,
                        format!("`{}` is not {}", truncate(s), ty.describe()),
                        help,
                    )
                }
                _ => fail(self, expected(), None),
            },
            FactType::EnumList(allowed) => {
                let Node::Array(items) = &tree.node else {
                    return fail(self, expected(), None);
                };
                if items.len() > MAX_LIST_ITEMS {
                    return fail(
                        self,
                        format!(
                            "list of {} items exceeds the limit of {MAX_LIST_ITEMS}",
                            items.len()
                        ),
                        None,
                    );
                }
                let mut out: Vec<String> = Vec::with_capacity(items.len());
                let mut ok = true;
                for item in items {
                    let problem = match &item.node {
                        Node::String(s) if !allowed.contains(&s.as_str()) => Some((
                            format!(
                                "`{}` is not one of {}",
                                truncate(s),
                                FactType::Enum(allowed)
                                    .describe()
                                    .trim_start_matches("one of ")
                            ),
                            did_you_mean(s, allowed.iter().copied())
                                .map(|a| format!("did you mean `{a}`?")),
                        )),
                        Node::String(s) if out.contains(s) => {
                            Some((format!("`{s}` is listed twice"), None))
                        }
                        Node::String(s) => {
                            out.push(s.clone());
                            None
                        }
                        other => Some((
                            format!("list items must be strings, found {}", other.describe()),
                            None,
                        )),
                    };
                    if let Some((message, help)) = problem {
                        ok = false;
                        self.problem(item.span.clone(), Some(path.to_string()), message, help);
                    }
                }
                ok.then_some(Value::List(out))
            }
        }
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() <= 40 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(40).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, format: Format) -> Result<Profile, ProfileError> {
        Profile::parse(text, format, "p.toml", &Schema::core())
    }

    const MINIMAL: &str = "schema_version = \"1\"\n[evaluation]\nas_of = 2026-09-01\n";

    #[test]
    fn command_line_facts_are_checked_like_profile_fields() {
        let schema = Schema::core();
        let (id, v) = fact_from_text(&schema, "model.training_compute_flop=2e25").unwrap();
        assert_eq!(schema.fact(id).path, "model.training_compute_flop");
        assert_eq!(v, Value::Number(Number::parse_decimal("2e25").unwrap()));
        let (_, v) = fact_from_text(&schema, "eu.commission_sr_decision=designated").unwrap();
        assert_eq!(v, Value::Text("designated".into()));
        let (_, v) = fact_from_text(&schema, "eu.placing_date=2027-03-01").unwrap();
        assert_eq!(v.to_string(), "2027-03-01");
        let (_, v) =
            fact_from_text(&schema, "model.output_modalities=[\"text\", \"speech\"]").unwrap();
        assert_eq!(v, Value::List(vec!["text".into(), "speech".into()]));
        let err = fact_from_text(&schema, "model.training_compute_flop=-1").unwrap_err();
        assert!(err.contains("below the minimum"), "{err}");
        let err = fact_from_text(&schema, "eu.commission_sr_decision=designatd").unwrap_err();
        assert!(err.contains("did you mean `designated`?"), "{err}");
        let err = fact_from_text(&schema, "model.training_compute_flops=1").unwrap_err();
        assert!(
            err.contains("did you mean `model.training_compute_flop`?"),
            "{err}"
        );
        assert!(fact_from_text(&schema, "model.training_compute_flop").is_err());
    }

    #[test]
    fn a_minimal_profile_is_valid_and_everything_else_unknown() {
        let schema = Schema::core();
        let p = parse(MINIMAL, Format::Toml).unwrap();
        assert_eq!(p.as_of().to_string(), "2026-09-01");
        assert!(
            p.get(schema.lookup("model.training_compute_flop").unwrap())
                .is_none()
        );
        assert_eq!(
            p.get(schema.lookup("derivation").unwrap()),
            Some(&Value::Bool(false))
        );
    }

    #[test]
    fn unknown_keys_get_a_suggestion_and_a_line() {
        let text = format!("{MINIMAL}[model]\ntraining_compute_flops = 3e25\n");
        let err = parse(&text, Format::Toml).unwrap_err();
        let p = &err.problems[0];
        assert_eq!(p.location.as_ref().unwrap().line, 5);
        assert_eq!(
            p.help.as_deref(),
            Some("did you mean `model.training_compute_flop`?")
        );
        assert_eq!(
            err.to_string(),
            "p.toml:5:1: `model.training_compute_flops`: unknown field `model.training_compute_flops` (did you mean `model.training_compute_flop`?)"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = format!(
            "{MINIMAL}[model]\ntraining_compute_flop = nan\n[eu]\nplacing_date = \"2026-02-30\"\ncommission_sr_decision = \"designatd\"\n"
        );
        let err = parse(&text, Format::Toml).unwrap_err();
        let messages: Vec<_> = err.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("not a finite number"));
        assert!(messages[1].contains("has no day 30"));
        assert_eq!(
            err.problems[2].help.as_deref(),
            Some("did you mean `designated`?")
        );
    }

    #[test]
    fn toml_syntax_errors_carry_their_line() {
        let err = parse(
            &format!("{MINIMAL}[eu]\nplacing_date = 2026-02-30\n"),
            Format::Toml,
        )
        .unwrap_err();
        assert_eq!(
            err.problems[0].location.as_ref().map(|l| l.line),
            Some(5),
            "{err}"
        );
    }

    #[test]
    fn json_problems_are_located_too() {
        let text = "{\"schema_version\": \"1\",\n \"evaluation\": {\"as_of\": \"2026-09-01\"},\n \"model\": {\"training_compute_flop\": -1}}";
        let err = parse(text, Format::Json).unwrap_err();
        let p = &err.problems[0];
        assert_eq!(p.location.as_ref().map(|l| l.line), Some(3));
        assert!(p.message.contains("below the minimum"));
    }

    #[test]
    fn cumulative_compute_below_the_modification_is_a_contradiction() {
        let text = format!(
            "{MINIMAL}[model]\ntraining_compute_flop = 5e25\n[derivation]\nmodification_compute_flop = 2e26\n"
        );
        let err = parse(&text, Format::Toml).unwrap_err();
        assert_eq!(err.problems.len(), 1, "{err}");
        let p = &err.problems[0];
        assert_eq!(p.field.as_deref(), Some("model.training_compute_flop"));
        assert_eq!(p.location.as_ref().map(|l| l.line), Some(5), "{err}");
        assert!(p.message.contains("below the modification's 2e26"), "{err}");
        // Equal is fine: a modification may be all the training there was to count.
        let text = format!(
            "{MINIMAL}[model]\ntraining_compute_flop = 2e26\n[derivation]\nmodification_compute_flop = 2e26\n"
        );
        assert!(parse(&text, Format::Toml).is_ok());
    }

    #[test]
    fn numbers_are_read_exactly_in_every_spelling() {
        let read = |text: &str, format| {
            let p = parse(text, format).unwrap();
            let id = Schema::core()
                .lookup("model.training_compute_flop")
                .unwrap();
            p.get(id).cloned()
        };
        let want = Some(Value::Number(Number::parse_decimal("3e25").unwrap()));
        for spelling in [
            "3e25",
            "3.0e25",
            "3E+25",
            "30000000000000000000000000",
            "3_0e24",
        ] {
            let toml = format!("{MINIMAL}[model]\ntraining_compute_flop = {spelling}\n");
            assert_eq!(read(&toml, Format::Toml), want, "{spelling}");
        }
        for spelling in ["3e25", "3.0e25", "3E+25", "30000000000000000000000000"] {
            let json = format!(
                "{{\"schema_version\": \"1\", \"evaluation\": {{\"as_of\": \"2026-09-01\"}}, \"model\": {{\"training_compute_flop\": {spelling}}}}}"
            );
            assert_eq!(read(&json, Format::Json), want, "{spelling}");
        }
    }

    #[test]
    fn a_fact_under_its_former_name_is_the_core_fact_and_two_values_contradict() {
        let ns: juxta_sdk::manifest::Namespace = toml::from_str(
            "name = \"ca\"\n[facts.has_other_frontier_model]\ntype = \"bool\"\nalias_of = \"provider.has_other_frontier_model\"\nmeaning = \"m\"\n",
        )
        .unwrap();
        let schema = Schema::with_namespaces([("us-ca-sb53", "1.2", &ns)]).unwrap();
        let core = schema.lookup("provider.has_other_frontier_model").unwrap();
        let read = |extra: &str| {
            Profile::parse(
                &format!("{MINIMAL}{extra}"),
                Format::Toml,
                "p.toml",
                &schema,
            )
        };
        let p = read("[ca]\nhas_other_frontier_model = true\n").unwrap();
        assert_eq!(p.get(core), Some(&Value::Bool(true)));
        let p = read("[provider]\nhas_other_frontier_model = false\n[ca]\nhas_other_frontier_model = false\n").unwrap();
        assert_eq!(p.get(core), Some(&Value::Bool(false)));
        let err = read(
            "[provider]\nhas_other_frontier_model = false\n[ca]\nhas_other_frontier_model = true\n",
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("`ca.has_other_frontier_model` = true contradicts `provider.has_other_frontier_model` = false")
                && text.contains("p.toml:7:"),
            "{text}"
        );
        // `--set` under the old name sets the core fact.
        let (id, _) = fact_from_text(&schema, "ca.has_other_frontier_model=true").unwrap();
        assert_eq!(id, core);
        // An alias must name a core fact of its type.
        let bad: juxta_sdk::manifest::Namespace = toml::from_str(
            "name = \"ca\"\n[facts.x]\ntype = \"date\"\nalias_of = \"provider.has_other_frontier_model\"\nmeaning = \"m\"\n",
        )
        .unwrap();
        assert!(Schema::with_namespaces([("r", "1.2", &bad)]).is_err());
    }

    #[test]
    fn missing_required_facts_are_named() {
        let err = parse("schema_version = \"1\"\n", Format::Toml).unwrap_err();
        assert!(
            err.to_string().contains("`evaluation.as_of` is required"),
            "{err}"
        );
        let err = parse("[evaluation]\nas_of = 2026-09-01\n", Format::Toml).unwrap_err();
        assert!(
            err.to_string().contains("missing `schema_version`"),
            "{err}"
        );
    }

    #[test]
    fn a_test_case_is_read_through_its_facts_table() {
        let text = format!(
            "[case]\nid = \"X\"\n[facts]\n{}",
            MINIMAL.replace("[evaluation]", "[facts.evaluation]")
        );
        let p = parse(&text, Format::Toml).unwrap();
        assert_eq!(p.as_of().to_string(), "2026-09-01");
    }

    #[test]
    fn misplaced_fields_are_pointed_to_their_table() {
        let err = parse(
            &format!("{MINIMAL}placing_date = 2026-01-01\n"),
            Format::Toml,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("did you mean `eu.placing_date`?"),
            "{err}"
        );
    }
}
