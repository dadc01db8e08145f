//! One output record per input record, and how a worker makes it.
//!
//! The record carries the input's id and line, the day the law was applied, and per regime the
//! status of every rule, the missing facts and open questions of undetermined rules, and the
//! computed values; or the error that stopped the record or the regime. The JSON form is
//! documented by `docs/batch-record.schema.json`; the Parquet form by `juxta batch
//! --print-arrow-schema`.

use std::collections::BTreeMap;
use std::sync::Arc;

use juxta_core::eval::{ComputedOutcome, Facts, FunctionHost};
use juxta_core::profile::tree::{Node, Tree};
use juxta_core::profile::{Profile, ProfileError};
use juxta_core::regime::Regime;
use juxta_core::report::{Status, question_ids};
use juxta_core::schema::Schema;
use juxta_core::value::Value;
use juxta_sdk::Date;
use serde::ser::{SerializeMap, Serializer};

/// A regime as a worker sees it: compiled and with its own plugin instance, or failed.
#[derive(Clone)]
pub struct Column {
    /// Regime id.
    pub id: String,
    /// The compiled regime, or why the regime cannot be used.
    pub regime: Result<Arc<Regime>, String>,
    /// This worker's handle on the plugin's custom functions, if it has any.
    pub host: Option<Arc<dyn FunctionHost>>,
}

/// The result of one regime for one record.
#[derive(Clone, Debug, PartialEq)]
pub struct RegimeResult {
    /// Why the regime failed for this record, if it did.
    pub error: Option<String>,
    /// One status per rule, in the regime's order (empty if the regime failed).
    pub rules: Vec<(String, Status)>,
    /// Undetermined rules → the facts they need (only non-empty lists).
    pub missing_facts: BTreeMap<String, Vec<String>>,
    /// Undetermined rules → the open questions involved (only non-empty lists).
    pub open_questions: BTreeMap<String, Vec<String>>,
    /// Determined computed values.
    pub computed: BTreeMap<String, Value>,
    /// Undetermined computed values → the facts they lack.
    pub computed_undetermined: BTreeMap<String, Vec<String>>,
}

/// One output record.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchRecord {
    /// The value of the id field, or the line number if the record has none.
    pub id: String,
    /// 1-based line (JSON Lines) or row (Parquet) of the input.
    pub line: u64,
    /// The day the law was applied, if the record was valid.
    pub as_of: Option<Date>,
    /// Why the record could not be evaluated, if it could not.
    pub error: Option<String>,
    /// Per regime id, in id order (empty for an error record).
    pub regimes: Vec<(String, RegimeResult)>,
}

impl BatchRecord {
    /// Whether the record, or one of its regimes, failed.
    pub fn failed(&self) -> bool {
        self.error.is_some() || self.regimes.iter().any(|(_, r)| r.error.is_some())
    }

    /// The record as one line of JSON (without the newline).
    pub fn to_json_line(&self, out: &mut Vec<u8>) {
        let mut ser = serde_json::Serializer::new(out);
        // Writing into a Vec cannot fail, and every value here is serialisable.
        let _ = self.serialize_into(&mut ser);
    }

    fn serialize_into<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(Some(5))?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("line", &self.line)?;
        m.serialize_entry("as_of", &self.as_of.map(|d| d.to_string()))?;
        m.serialize_entry("error", &self.error)?;
        if self.error.is_some() {
            m.serialize_entry("regimes", &Option::<()>::None)?;
        } else {
            m.serialize_entry("regimes", &Regimes(&self.regimes))?;
        }
        m.end()
    }
}

struct Regimes<'a>(&'a [(String, RegimeResult)]);

impl serde::Serialize for Regimes<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(Some(self.0.len()))?;
        for (id, r) in self.0 {
            m.serialize_entry(id, &Result_(r))?;
        }
        m.end()
    }
}

struct Result_<'a>(&'a RegimeResult);

impl serde::Serialize for Result_<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut m = ser.serialize_map(Some(6))?;
        m.serialize_entry("error", &r.error)?;
        m.serialize_entry("rules", &Statuses(&r.rules))?;
        m.serialize_entry("missing_facts", &r.missing_facts)?;
        m.serialize_entry("open_questions", &r.open_questions)?;
        let computed: BTreeMap<&String, serde_json::Value> =
            r.computed.iter().map(|(k, v)| (k, v.to_json())).collect();
        m.serialize_entry("computed", &computed)?;
        m.serialize_entry("computed_undetermined", &r.computed_undetermined)?;
        m.end()
    }
}

struct Statuses<'a>(&'a [(String, Status)]);

impl serde::Serialize for Statuses<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(Some(self.0.len()))?;
        for (id, status) in self.0 {
            m.serialize_entry(id, status.as_str())?;
        }
        m.end()
    }
}

/// What a worker needs to turn input into records.
pub struct Evaluator<'a> {
    /// The facts schema.
    pub schema: &'a Schema,
    /// The regimes, in id order, with this worker's plugin instances.
    pub columns: &'a [Column],
    /// The dotted path of the id field (`model.id`).
    pub id_field: &'a [String],
    /// `--as-of`, if given.
    pub as_of: Option<Date>,
}

impl Evaluator<'_> {
    /// The record for a JSON line (or the error record it earns).
    pub fn json_line(&self, line: u64, text: &str) -> BatchRecord {
        if text.trim().is_empty() {
            return self.error_record(
                line,
                None,
                "empty line: a record is one JSON object per line".into(),
            );
        }
        let tree = match juxta_core::profile::tree::parse_json(text) {
            Ok(t) => t,
            Err(e) => {
                let column = e
                    .span
                    .map(|s| {
                        format!(
                            " at column {}",
                            text[..s.start.min(text.len())].chars().count() + 1
                        )
                    })
                    .unwrap_or_default();
                return self.error_record(
                    line,
                    None,
                    format!("line {line}: invalid JSON{column}: {}", e.message),
                );
            }
        };
        self.tree(line, &tree, text)
    }

    /// The record for a parsed tree (a JSON line, or a Parquet row with `text` empty).
    pub fn tree(&self, line: u64, tree: &Tree, text: &str) -> BatchRecord {
        let id = find_id(tree, self.id_field);
        let origin = format!("line {line}");
        let mut profile = match Profile::from_tree(tree, text, &origin, self.schema) {
            Ok(p) => p,
            Err(e) => return self.error_record(line, id, describe(line, &e)),
        };
        if let Some(day) = self.as_of {
            profile = profile.with_as_of(day, self.schema);
        }
        let facts = Facts::new(&profile, self.schema);
        let regimes = self
            .columns
            .iter()
            .map(|c| (c.id.clone(), evaluate(c, &facts, self.schema)))
            .collect();
        BatchRecord {
            id: id.unwrap_or_else(|| line.to_string()),
            line,
            as_of: Some(profile.as_of()),
            error: None,
            regimes,
        }
    }

    /// A record for input that could not be evaluated.
    pub fn error_record(&self, line: u64, id: Option<String>, error: String) -> BatchRecord {
        BatchRecord {
            id: id.unwrap_or_else(|| line.to_string()),
            line,
            as_of: None,
            error: Some(error),
            regimes: Vec::new(),
        }
    }
}

/// A profile's problems on one line: `line 12: `field`: message (help), column 45; …`.
fn describe(line: u64, e: &ProfileError) -> String {
    let problems: Vec<String> = e
        .problems
        .iter()
        .map(|p| {
            let field = p
                .field
                .as_ref()
                .map(|f| format!("`{f}`: "))
                .unwrap_or_default();
            let help = p
                .help
                .as_ref()
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            let column = p
                .location
                .as_ref()
                .map(|l| format!(" at column {}", l.column))
                .unwrap_or_default();
            format!("{field}{}{help}{column}", p.message)
        })
        .collect();
    format!("line {line}: {}", problems.join("; "))
}

/// The id field's value, if the record has it as a string or number.
fn find_id(tree: &Tree, path: &[String]) -> Option<String> {
    let mut node = &tree.node;
    for step in path {
        let Node::Table(entries) = node else {
            return None;
        };
        node = &entries.iter().find(|(k, _)| &k.name == step)?.1.node;
    }
    match node {
        Node::String(s) => Some(s.clone()),
        Node::Integer(i) => Some(i.to_string()),
        Node::Float(f) if f.is_finite() => Some(f.to_string()),
        _ => None,
    }
}

fn evaluate(column: &Column, facts: &Facts<'_>, schema: &Schema) -> RegimeResult {
    let mut result = RegimeResult {
        error: None,
        rules: Vec::new(),
        missing_facts: BTreeMap::new(),
        open_questions: BTreeMap::new(),
        computed: BTreeMap::new(),
        computed_undetermined: BTreeMap::new(),
    };
    let regime = match &column.regime {
        Ok(r) => r,
        Err(e) => {
            result.error = Some(e.clone());
            return result;
        }
    };
    let ev = match regime.evaluate(facts, column.host.clone()) {
        Ok(ev) => ev,
        Err(e) => {
            result.error = Some(e.to_string());
            return result;
        }
    };
    for (rule, o) in regime.rules.iter().zip(&ev.rules) {
        let status = Status::from_truth(o.truth);
        if status == Status::Undetermined {
            let missing = schema.paths(o.missing);
            if !missing.is_empty() {
                result.missing_facts.insert(rule.id.clone(), missing);
            }
            let open = question_ids(regime, o.open);
            if !open.is_empty() {
                result.open_questions.insert(rule.id.clone(), open);
            }
        }
        result.rules.push((rule.id.clone(), status));
    }
    for (c, outcome) in regime.computed.iter().zip(&ev.computed) {
        match outcome {
            ComputedOutcome::Omitted => {}
            ComputedOutcome::Value(v) => {
                result.computed.insert(c.name.clone(), v.clone());
            }
            ComputedOutcome::Undetermined { missing, .. } => {
                result
                    .computed_undetermined
                    .insert(c.name.clone(), schema.paths(*missing));
            }
        }
    }
    result
}
