//! Validation: a parsed tree checked against the schema, table by table and field by field,
//! every problem reported with its location and, where one is close, a "did you mean". A value
//! that does not suit its field is left out, so that one mistake is reported once.

use std::ops::Range;

use juxta_sdk::Date;
use juxta_sdk::schema::{FactType, MAX_LIST_ITEMS, MAX_STRING_BYTES};

use super::error::Problem;
use super::tree::{Key, Node, Tree};
use crate::diag::{Location, code_list, did_you_mean};
use crate::number::{Number, NumberError};
use crate::schema::{FactKind, Schema};
use crate::value::Value;

/// Checks one document against the schema, collecting every problem.
pub(super) struct Validator<'a> {
    schema: &'a Schema,
    text: &'a str,
    /// Every problem found so far, in document order.
    pub(super) problems: Vec<Problem>,
    values: Vec<Option<Value>>,
    /// Where each value was written, for problems found across fields.
    spans: Vec<Option<Range<usize>>>,
}

impl<'a> Validator<'a> {
    /// A validator for a document of this text (empty for one without spans), with no fact
    /// known yet.
    pub(super) fn new(schema: &'a Schema, text: &'a str) -> Self {
        Validator {
            schema,
            text,
            problems: Vec::new(),
            values: vec![None; schema.facts().len()],
            spans: vec![None; schema.facts().len()],
        }
    }

    /// Validates a whole profile: a value or nothing for every fact, and every problem found.
    pub(super) fn validate(mut self, tree: &Tree) -> (Vec<Option<Value>>, Vec<Problem>) {
        self.top(tree);
        (self.values, self.problems)
    }

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
    pub(super) fn check(&mut self, path: &str, ty: FactType, tree: &Tree) -> Option<Value> {
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
