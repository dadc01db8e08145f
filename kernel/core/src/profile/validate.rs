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
use crate::schema::{FactId, FactKind, Schema, is_currency_code};
use crate::value::Value;

/// What validating a profile found.
pub(super) struct Validated {
    /// A value or nothing (unknown) for every fact.
    pub(super) values: Vec<Option<Value>>,
    /// Every problem, in document order.
    pub(super) problems: Vec<Problem>,
    /// Money facts as given: amount and currency.
    pub(super) money: Vec<(FactId, Number, String)>,
}

/// `evaluation.as_of` as written, if it is a date, read before the rest is validated (where it
/// is not, validating the field reports why).
fn declared_as_of(tree: &Tree<'_>) -> Option<Date> {
    let Node::Table(top) = &tree.node else {
        return None;
    };
    let (_, evaluation) = top.iter().find(|(k, _)| k.name == "evaluation")?;
    let Node::Table(fields) = &evaluation.node else {
        return None;
    };
    let (_, as_of) = fields.iter().find(|(k, _)| k.name == "as_of")?;
    match &as_of.node {
        Node::Datetime(d) => d.parse().ok(),
        Node::String(d) => d.parse().ok(),
        _ => None,
    }
}

/// Checks one document against the schema, collecting every problem.
pub(super) struct Validator<'a> {
    schema: &'a Schema,
    text: &'a str,
    /// Every problem found so far, in document order.
    pub(super) problems: Vec<Problem>,
    values: Vec<Option<Value>>,
    /// Where each value was written, for problems found across fields.
    spans: Vec<Option<Range<usize>>>,
    /// The day the law is applied on, read first: money facts are converted at its rates.
    as_of: Option<Date>,
    /// Whether this checks a what-if value rather than a profile.
    what_if: bool,
    /// Money facts as given (amount and currency), before conversion.
    pub(super) money: Vec<(FactId, Number, String)>,
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
            as_of: None,
            what_if: false,
            money: Vec::new(),
        }
    }

    /// The validator of one what-if value, which has no `as_of` of its own.
    pub(super) fn what_if(mut self) -> Self {
        self.what_if = true;
        self
    }

    /// Validates a whole profile: a value or nothing for every fact, every problem found, and
    /// the money facts as given.
    pub(super) fn validate(mut self, tree: &Tree<'_>) -> Validated {
        self.as_of = declared_as_of(tree);
        self.top(tree);
        Validated {
            values: self.values,
            problems: self.problems,
            money: self.money,
        }
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

    fn top(&mut self, tree: &Tree<'_>) {
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
        // Absent presence facts are false, never unknown.
        for t in self.schema.tables() {
            if let Some(p) = t.presence {
                self.values[p].get_or_insert(Value::Bool(false));
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
                        Some(format!("keep `{core_path}` (facts schema {}) and remove `{}`", self.schema.fact(core).since, def.path)),
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
        let (Some(total), Some(modification)) = self.schema.compute_facts() else {
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

    fn schema_version(&mut self, value: &Tree<'_>) {
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

    fn unknown_top_key(&mut self, key: &Key<'_>) {
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
            Some(key.name.to_string()),
            format!("unknown key `{}`", key.name),
            help,
        );
    }

    fn table(&mut self, table: usize, value: &Tree<'_>) {
        let schema = self.schema;
        let name = &schema.tables()[table].name;
        let Node::Table(entries) = &value.node else {
            self.problem(
                value.span.clone(),
                Some(name.to_string()),
                format!("`{name}` must be a table, found {}", value.node.describe()),
                None,
            );
            return;
        };
        if let Some(presence) = self.schema.tables()[table].presence {
            self.values[presence] = Some(Value::Bool(true));
        }
        for (field_key, field_value) in entries {
            // Found by table and name, and named by the schema's own path: nothing is
            // allocated for a field that is well formed.
            let found = schema.field_in(table, &field_key.name);
            match found {
                Some((id, def)) => {
                    let FactKind::Field(ty) = def.kind else {
                        continue;
                    };
                    match self.check(&def.path, ty, field_value) {
                        Some(v) => {
                            self.values[id] = Some(v);
                            self.spans[id] = field_value.span.clone();
                        }
                        None => continue,
                    }
                }
                None => {
                    let path = format!("{name}.{}", field_key.name);
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
    }

    /// Checks one value against its type; records a problem and returns `None` if it is wrong.
    pub(super) fn check(&mut self, path: &str, ty: FactType, tree: &Tree<'_>) -> Option<Value> {
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
                let n = self.exact_number(path, ty, tree)?;
                if let Some(min) = min.and_then(Number::from_f64)
                    && n < min
                {
                    return fail(self, format!("{n} is below the minimum {min}"), None);
                }
                Some(Value::Number(n))
            }
            FactType::Integer { min } => {
                let n = self.exact_number(path, ty, tree)?;
                let Some(i) = n.to_i64() else {
                    let help = n
                        .is_integer()
                        .then(|| "the value is too large for a whole number of 64 bits".to_string());
                    return fail(self, format!("{n} is not a whole number"), help);
                };
                if let Some(min) = min
                    && i < min
                {
                    return fail(self, format!("{i} is below the minimum {min}"), None);
                }
                Some(Value::Integer(i))
            }
            FactType::Money => self.money(path, tree),
            FactType::StringList => self.string_list(path, ty, tree),
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
                    Some(Value::Text(s.to_string()))
                }
                Node::String(s) => match s.chars().enumerate().find(|(_, c)| c.is_control()) {
                    None => Some(Value::Text(s.to_string())),
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
                    Some(Value::Text(s.to_string()))
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
                    Node::Datetime(d) => d.clone(),
                    Node::String(d) => d.to_string(),
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
            FactType::DateTime => {
                let text = match &tree.node {
                    Node::Datetime(d) => d.clone(),
                    Node::String(d) => d.to_string(),
                    _ => return fail(self, expected(), None),
                };
                // TOML writes `2027-03-01 14:30:00Z` with a space; RFC 3339 takes a `T`.
                let normalised = match text.split_once(' ') {
                    Some((day, time)) => format!("{day}T{time}"),
                    None => text.clone(),
                };
                match crate::value::parse_instant(&normalised) {
                    Ok(t) => Some(Value::Instant(t)),
                    Err(e) => {
                        let help = (text.len() == 10 || !text.contains(['Z', 'z', '+']) && text.matches('-').count() <= 2)
                            .then(|| "give the time and its offset, such as 2027-03-01T14:30:00Z (UTC) or 2027-03-01T09:30:00-05:00".to_string());
                        fail(self, e, help)
                    }
                }
            }
            FactType::Enum(allowed) => match &tree.node {
                Node::String(s) if allowed.contains(&s.as_ref()) => Some(Value::Text(s.to_string())),
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
                        Node::String(s) if !allowed.contains(&s.as_ref()) => Some((
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
                        Node::String(s) if out.iter().any(|o| o == s) => {
                            Some((format!("`{s}` is listed twice"), None))
                        }
                        Node::String(s) => {
                            out.push(s.to_string());
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

impl Validator<'_> {
    /// A number exactly as written (a binary double as its shortest decimal), or a problem.
    fn exact_number(&mut self, path: &str, ty: FactType, tree: &Tree<'_>) -> Option<Number> {
        let fail = |me: &mut Self, message: String, help: Option<String>| {
            me.problem(tree.span.clone(), Some(path.to_string()), message, help);
            None
        };
        let expected = || format!("expected {}, found {}", ty.describe(), tree.node.describe());
        // Exactly the decimal value written; a binary double as its shortest decimal.
        let (n, negative_zero) = match &tree.node {
            Node::Integer(i) => (Number::from_i64(*i), false),
            Node::Decimal(text) => match Number::parse_decimal(text) {
                Ok(n) => {
                    let negative_zero = n.signum() == 0 && text.starts_with('-');
                    (n, negative_zero)
                }
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
        Some(n)
    }

    /// An amount of money, `{ amount = …, currency = "USD" }`, read in the fact's currency at
    /// the rate in force on `as_of`.
    fn money(&mut self, path: &str, tree: &Tree<'_>) -> Option<Value> {
        let ty = FactType::Money;
        let id = self.schema.lookup(path)?;
        let def = self.schema.fact(id).money.clone()?;
        let example = format!(
            "write `{{ amount = 600000000, currency = \"{}\" }}`",
            def.currency
        );
        let Node::Table(entries) = &tree.node else {
            let message = format!("expected {}, found {}", ty.describe(), tree.node.describe());
            self.problem(
                tree.span.clone(),
                Some(path.to_string()),
                message,
                Some(example),
            );
            return None;
        };
        let mut amount = None;
        let mut currency = None;
        let mut ok = true;
        for (key, value) in entries {
            match key.name.as_ref() {
                "amount" => amount = Some(value),
                "currency" => currency = Some(value),
                other => {
                    ok = false;
                    let help = did_you_mean(other, ["amount", "currency"])
                        .map(|d| format!("did you mean `{d}`?"))
                        .unwrap_or_else(|| {
                            "an amount has `amount` and `currency`, nothing else".into()
                        });
                    self.problem(
                        key.span.clone(),
                        Some(format!("{path}.{}", truncate(other))),
                        format!("unknown key `{}` in an amount of money", truncate(other)),
                        Some(help),
                    );
                }
            }
        }
        let (Some(amount), Some(currency)) = (amount, currency) else {
            let missing = if amount.is_none() {
                "amount"
            } else {
                "currency"
            };
            self.problem(
                tree.span.clone(),
                Some(path.to_string()),
                format!("an amount of money needs `{missing}`"),
                Some(example),
            );
            return None;
        };
        let amount_path = format!("{path}.amount");
        let number = self.exact_number(&amount_path, FactType::Float { min: Some(0.0) }, amount);
        if let Some(n) = &number
            && n.signum() < 0
        {
            self.problem(
                amount.span.clone(),
                Some(amount_path),
                format!("{n} is negative: an amount of money here is at least 0"),
                None,
            );
            return None;
        }
        let code = match &currency.node {
            Node::String(c) if is_currency_code(c) => Some(c.to_string()),
            Node::String(c) => {
                let upper = c.to_ascii_uppercase();
                let help = if is_currency_code(&upper) {
                    format!("did you mean `{upper}`?")
                } else {
                    "an ISO 4217 code is three upper-case letters, such as `USD`, `EUR` or `GBP`"
                        .into()
                };
                self.problem(
                    currency.span.clone(),
                    Some(format!("{path}.currency")),
                    format!("`{}` is not an ISO 4217 currency code", truncate(c)),
                    Some(help),
                );
                None
            }
            other => {
                self.problem(
                    currency.span.clone(),
                    Some(format!("{path}.currency")),
                    format!(
                        "expected an ISO 4217 currency code, found {}",
                        other.describe()
                    ),
                    None,
                );
                None
            }
        };
        let (Some(n), Some(code), true) = (number, code, ok) else {
            return None;
        };
        let day = match self.as_of {
            Some(day) => day,
            // The rules' own currency needs no rate.
            None if code == def.currency => Date::new(1970, 1, 1).ok()?,
            // A what-if value has no day of its own; in a profile, `as_of`'s problem says why.
            None => {
                if self.what_if {
                    self.problem(
                        currency.span.clone(),
                        Some(format!("{path}.currency")),
                        format!(
                            "a what-if amount is given in `{}`, the currency the rules read: other currencies are converted at the rates of the profile's own day",
                            def.currency
                        ),
                        None,
                    );
                }
                return None;
            }
        };
        match def.convert(&n, &code, day) {
            Ok(c) => {
                self.money.push((id, n, code));
                Some(Value::Number(c.value))
            }
            Err(message) => {
                self.problem(
                    currency.span.clone(),
                    Some(format!("{path}.currency")),
                    message,
                    None,
                );
                None
            }
        }
    }

    /// A list of free-text strings.
    fn string_list(&mut self, path: &str, ty: FactType, tree: &Tree<'_>) -> Option<Value> {
        let Node::Array(items) = &tree.node else {
            let message = format!("expected {}, found {}", ty.describe(), tree.node.describe());
            self.problem(tree.span.clone(), Some(path.to_string()), message, None);
            return None;
        };
        if items.len() > MAX_LIST_ITEMS {
            self.problem(
                tree.span.clone(),
                Some(path.to_string()),
                format!(
                    "list of {} items exceeds the limit of {MAX_LIST_ITEMS}",
                    items.len()
                ),
                None,
            );
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match self.check(path, FactType::String, item) {
                Some(Value::Text(s)) => out.push(s),
                _ => return None,
            }
        }
        Some(Value::List(out))
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() <= 40 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(40).collect::<String>())
    }
}
