//! One output record per input record, and how a worker makes it.
//!
//! The record carries the input's id and line, the day the law was applied, and per regime the
//! status of every rule, the missing facts and open questions of undetermined rules, and the
//! computed values; or the error that stopped the record or the regime. The JSON form is
//! documented by `docs/batch-record.schema.json`; the Parquet form by `juxta batch
//! --print-arrow-schema`.
//!
//! The long layout cuts the same record into one [`LongRow`] per regime and rule, adding what
//! a rule is (from the [`Catalog`]) and where a duty stands on `as_of` (`DutyState`, from the
//! core); `docs/batch-long-record.schema.json` documents its JSON form.

use std::collections::BTreeMap;
use std::sync::Arc;

use juxta_core::eval::{ComputedOutcome, Evaluation, Facts, FunctionHost};
use juxta_core::profile::tree::{Node, Tree};
use juxta_core::profile::{Profile, ProfileError};
use juxta_core::regime::Regime;
use juxta_core::report::{DutyState, Status, question_ids};
use juxta_core::schema::Schema;
use juxta_core::value::Value;
use juxta_sdk::Date;
use juxta_sdk::manifest::RuleKind;
use serde::ser::{SerializeMap, Serializer};

use super::input::{Input, Raw};
use super::line::{self, Fragments, Part};

/// Writes a record's JSON line and its newline; returns whether it failed.
fn write_record(record: &BatchRecord, out: &mut Vec<u8>) -> bool {
    record.to_json_line(out);
    out.push(b'\n');
    record.failed()
}

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
    /// Rules with a determined deadline that do not fail to apply → the deadline (as `due` in
    /// the JSON contract). Not part of the wide layout's output.
    pub due: BTreeMap<String, Date>,
    /// Of those, the rules whose law counts the deadline in hours → the instant (seconds since
    /// 1970 UTC).
    pub due_at: BTreeMap<String, i64>,
    /// Determined computed values.
    pub computed: BTreeMap<String, Value>,
    /// Undetermined computed values → the facts they lack.
    pub computed_undetermined: BTreeMap<String, Vec<String>>,
    /// Undetermined computed values → what is certain of them all the same (written only when
    /// there is one).
    pub computed_bounds: BTreeMap<String, juxta_core::eval::Bound>,
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
    /// The input row's passthrough columns (`--passthrough`), one row, if any were asked for.
    pub pass: Option<Box<arrow_array::RecordBatch>>,
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
        let mut m = ser.serialize_map(None)?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("line", &self.line)?;
        m.serialize_entry("as_of", &self.as_of.map(|d| d.to_string()))?;
        m.serialize_entry("error", &self.error)?;
        if self.error.is_some() {
            m.serialize_entry("regimes", &Option::<()>::None)?;
        } else {
            m.serialize_entry("regimes", &Regimes(&self.regimes))?;
        }
        if let Some(pass) = &self.pass {
            for (name, value) in super::pass::json_members(pass) {
                m.serialize_entry(name, &value)?;
            }
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
        if !r.computed_bounds.is_empty() {
            let bounds: BTreeMap<&String, serde_json::Value> = r
                .computed_bounds
                .iter()
                .map(|(k, b)| {
                    let v = match b {
                        juxta_core::eval::Bound::AtLeast(v) => {
                            serde_json::json!({ "at_least": v.to_json() })
                        }
                        juxta_core::eval::Bound::AtMost(v) => {
                            serde_json::json!({ "at_most": v.to_json() })
                        }
                    };
                    (k, v)
                })
                .collect();
            m.serialize_entry("computed_bounds", &bounds)?;
        }
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
        match self.parse_line(line, text) {
            Ok(tree) => self.tree(line, &tree, text),
            Err(record) => record,
        }
    }

    /// A JSON line's tree, or the error record it earns.
    fn parse_line<'t>(&self, line: u64, text: &'t str) -> Result<Tree<'t>, BatchRecord> {
        if text.trim().is_empty() {
            return Err(self.error_record(
                line,
                None,
                "empty line: a record is one JSON object per line".into(),
            ));
        }
        juxta_core::profile::tree::parse_json(text).map_err(|e| {
            let column = e
                .span
                .map(|s| {
                    format!(
                        " at column {}",
                        text.get(..s.start.min(text.len()))
                            .map_or(0, |t| t.chars().count())
                            + 1
                    )
                })
                .unwrap_or_default();
            self.error_record(
                line,
                None,
                format!("line {line}: invalid JSON{column}: {}", e.message),
            )
        })
    }

    /// The record for a parsed tree (a JSON line, or a Parquet row with `text` empty).
    pub fn tree(&self, line: u64, tree: &Tree<'_>, text: &str) -> BatchRecord {
        let (id, profile) = match self.profile(line, tree, text) {
            Ok(p) => p,
            Err(record) => return record,
        };
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
            pass: None,
        }
    }

    /// The record's id and validated profile, or the error record it earns.
    fn profile(
        &self,
        line: u64,
        tree: &Tree<'_>,
        text: &str,
    ) -> Result<(Option<String>, Profile), BatchRecord> {
        let id = find_id(tree, self.id_field);
        // `line 12`, without the formatting machinery: this is every record's.
        let mut buffer = [0; 20];
        let digits = line::decimal(line, &mut buffer);
        let mut origin = String::with_capacity(5 + digits.len());
        origin.push_str("line ");
        origin.extend(digits.iter().map(|&d| char::from(d)));
        let mut profile = match Profile::from_tree(tree, text, origin, self.schema) {
            Ok(p) => p,
            Err(e) => return Err(self.error_record(line, id, describe(line, &e))),
        };
        if let Some(day) = self.as_of {
            profile = profile.with_as_of(day, self.schema);
        }
        Ok((id, profile))
    }

    /// Writes the wide layout's JSON line for an input (and its newline) straight from the
    /// evaluation, without building a [`BatchRecord`]: the bytes of
    /// `self.record(input).to_json_line()`. Returns whether the record or one of its regimes
    /// failed.
    ///
    /// `spare` keeps each column's last evaluation, whose room the next record's reuses (a
    /// worker's own, one slot per column; empty slots are filled as records go).
    pub fn write_json_line(
        &self,
        input: &Input,
        fragments: &Fragments,
        spare: &mut [Option<Evaluation>],
        out: &mut Vec<u8>,
    ) -> bool {
        let parsed;
        let (tree, text) = match &input.raw {
            Raw::Text(text) => match self.parse_line(input.line, text) {
                Ok(tree) => {
                    parsed = tree;
                    (&parsed, text.as_str())
                }
                Err(record) => return write_record(&record, out),
            },
            Raw::Tree(tree) => (tree, ""),
            Raw::Unreadable(why) => {
                return write_record(&self.error_record(input.line, None, why.clone()), out);
            }
        };
        let (id, profile) = match self.profile(input.line, tree, text) {
            Ok(p) => p,
            Err(record) => return write_record(&record, out),
        };
        let facts = Facts::new(&profile, self.schema);
        match &id {
            Some(id) => line::begin(id, input.line, profile.as_of(), out),
            None => line::begin(&input.line.to_string(), input.line, profile.as_of(), out),
        }
        let mut failed = false;
        for (position, column) in self.columns.iter().enumerate() {
            failed |= match &column.regime {
                Err(e) => fragments.regime(position, Part::Failed(e), out),
                Ok(regime) => {
                    let host = column.host.clone();
                    let earlier = spare.get_mut(position).and_then(Option::take);
                    let result = match earlier {
                        Some(earlier) => regime.evaluate_reusing(&facts, host, earlier),
                        None => regime.evaluate(&facts, host),
                    };
                    match result {
                        Ok(ev) => {
                            let failed = fragments.regime(position, Part::Evaluated(&ev), out);
                            if let Some(slot) = spare.get_mut(position) {
                                *slot = Some(ev);
                            }
                            failed
                        }
                        Err(e) => fragments.regime(position, Part::Failed(&e.to_string()), out),
                    }
                }
            };
        }
        line::end(out);
        failed
    }

    /// The record for an input: a JSON line, a Parquet row, or input that could not be read.
    pub fn record(&self, input: &Input) -> BatchRecord {
        let mut record = match &input.raw {
            Raw::Text(text) => self.json_line(input.line, text),
            Raw::Tree(tree) => self.tree(input.line, tree, ""),
            Raw::Unreadable(why) => self.error_record(input.line, None, why.clone()),
        };
        record.pass = input.pass.clone().map(Box::new);
        record
    }

    /// A record for input that could not be evaluated.
    pub fn error_record(&self, line: u64, id: Option<String>, error: String) -> BatchRecord {
        BatchRecord {
            id: id.unwrap_or_else(|| line.to_string()),
            line,
            as_of: None,
            error: Some(error),
            regimes: Vec::new(),
            pass: None,
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
fn find_id(tree: &Tree<'_>, path: &[String]) -> Option<String> {
    let mut node = &tree.node;
    for step in path {
        let Node::Table(entries) = node else {
            return None;
        };
        node = &entries.iter().find(|(k, _)| &k.name == step)?.1.node;
    }
    match node {
        Node::String(s) => Some(s.to_string()),
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
        due: BTreeMap::new(),
        due_at: BTreeMap::new(),
        computed: BTreeMap::new(),
        computed_undetermined: BTreeMap::new(),
        computed_bounds: BTreeMap::new(),
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
    for (i, (rule, o)) in regime.rules.iter().zip(&ev.rules).enumerate() {
        let status = Status::from_truth(o.truth);
        if let Some(at) = ev.due_at(i, rule) {
            result.due_at.insert(rule.id.clone(), at);
        }
        if let Some(due) = ev.due(i, rule) {
            result.due.insert(rule.id.clone(), due);
        }
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
            ComputedOutcome::Undetermined { missing, bound, .. } => {
                result
                    .computed_undetermined
                    .insert(c.name.clone(), schema.paths(*missing));
                if let Some(b) = bound {
                    result.computed_bounds.insert(c.name.clone(), b.clone());
                }
            }
        }
    }
    result
}

/// What the long layout says about a rule whatever the record: what it is, its legal basis and
/// whether the law gives it a deadline at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// Rule id.
    pub id: String,
    /// Classification, obligation, …
    pub kind: RuleKind,
    /// Title.
    pub title: String,
    /// Citation.
    pub citation: String,
    /// Whether the rule has a deadline (a computed value), determined or not.
    pub has_deadline: bool,
}

/// The rules of every column, in column order: what the long layout adds to each record's
/// statuses. Built once per batch from the compiled regimes; a failed regime has no rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    regimes: Vec<(String, Vec<RuleInfo>)>,
}

impl Catalog {
    /// The rules of these columns.
    pub fn new(columns: &[Column]) -> Catalog {
        let regimes = columns
            .iter()
            .map(|c| {
                let rules = match &c.regime {
                    Ok(r) => r
                        .rules
                        .iter()
                        .map(|rule| RuleInfo {
                            id: rule.id.clone(),
                            kind: rule.kind,
                            title: rule.title.clone(),
                            citation: rule.citation.clone(),
                            has_deadline: rule.due.is_some(),
                        })
                        .collect(),
                    Err(_) => Vec::new(),
                };
                (c.id.clone(), rules)
            })
            .collect();
        Catalog { regimes }
    }

    /// The rules of regime `id`, which is at `position` in a record built from the same columns.
    fn rules(&self, position: usize, id: &str) -> &[RuleInfo] {
        match self.regimes.get(position) {
            Some((rid, rules)) if rid == id => rules,
            _ => self
                .regimes
                .iter()
                .find(|(rid, _)| rid == id)
                .map_or(&[], |(_, rules)| rules.as_slice()),
        }
    }
}

/// One record of the long layout: one rule of one regime for one input record, or the error of
/// an input record (`regime` is `None`) or of a regime for it (the rule's fields are `None`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LongRow<'a> {
    /// The input record's id, as in the wide layout.
    pub id: &'a str,
    /// 1-based line or row of the input.
    pub line: u64,
    /// The day the law was applied, if the record was valid.
    pub as_of: Option<Date>,
    /// Regime id.
    pub regime: Option<&'a str>,
    /// Rule id.
    pub rule: Option<&'a str>,
    /// What the rule is.
    pub kind: Option<RuleKind>,
    /// The rule's title.
    pub title: Option<&'a str>,
    /// The rule's status.
    pub status: Option<Status>,
    /// For an obligation that applies or is undetermined: where it stands on `as_of`.
    pub state: Option<DutyState>,
    /// The deadline, if the rule has one, it is determined and the rule can apply.
    pub due: Option<Date>,
    /// Where the law counts the deadline in hours: the instant (seconds since 1970 UTC).
    pub due_at: Option<i64>,
    /// The rule's citation.
    pub citation: Option<&'a str>,
    /// The facts an undetermined rule needs (empty for a determined rule).
    pub missing_facts: Option<&'a [String]>,
    /// Why the record or the regime failed.
    pub error: Option<&'a str>,
}

impl LongRow<'_> {
    /// Days since the deadline (overdue) or to go (due in): always positive; `None` in any
    /// other state, due today included.
    pub fn days(&self) -> Option<i64> {
        match self.state? {
            DutyState::Overdue { days, .. } | DutyState::DueIn { days } => Some(days),
            _ => None,
        }
    }

    fn serialize_into<S: Serializer>(
        &self,
        ser: S,
        pass: &[(&str, super::pass::Json)],
    ) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(None)?;
        m.serialize_entry("id", self.id)?;
        m.serialize_entry("line", &self.line)?;
        m.serialize_entry("as_of", &self.as_of.map(|d| d.to_string()))?;
        m.serialize_entry("regime", &self.regime)?;
        m.serialize_entry("rule", &self.rule)?;
        m.serialize_entry("kind", &self.kind.map(RuleKind::as_str))?;
        m.serialize_entry("title", &self.title)?;
        m.serialize_entry("status", &self.status.map(Status::as_str))?;
        m.serialize_entry("state", &self.state.map(DutyState::as_str))?;
        m.serialize_entry("days", &self.days())?;
        m.serialize_entry("due", &self.due.map(|d| d.to_string()))?;
        m.serialize_entry("due_at", &self.due_at.map(juxta_core::value::instant_text))?;
        m.serialize_entry("citation", &self.citation)?;
        m.serialize_entry("missing_facts", &self.missing_facts)?;
        m.serialize_entry("error", &self.error)?;
        for (name, value) in pass {
            m.serialize_entry(name, value)?;
        }
        m.end()
    }
}

impl BatchRecord {
    /// The record in the long layout: one row per regime and rule, in the regime's rule order;
    /// one row for a failed regime; a single row for a record that failed.
    pub fn long_rows<'a>(&'a self, catalog: &'a Catalog) -> Vec<LongRow<'a>> {
        let base = LongRow {
            id: &self.id,
            line: self.line,
            as_of: self.as_of,
            regime: None,
            rule: None,
            kind: None,
            title: None,
            status: None,
            state: None,
            due: None,
            due_at: None,
            citation: None,
            missing_facts: None,
            error: None,
        };
        if let Some(error) = &self.error {
            return vec![LongRow {
                error: Some(error),
                ..base
            }];
        }
        let mut rows = Vec::new();
        for (position, (regime, result)) in self.regimes.iter().enumerate() {
            if let Some(error) = &result.error {
                rows.push(LongRow {
                    regime: Some(regime),
                    error: Some(error),
                    ..base
                });
                continue;
            }
            let infos = catalog.rules(position, regime);
            for (k, (rule, status)) in result.rules.iter().enumerate() {
                let info = infos
                    .get(k)
                    .filter(|i| i.id == *rule)
                    .or_else(|| infos.iter().find(|i| i.id == *rule));
                let due = result.due.get(rule).copied();
                let state = match (info, self.as_of) {
                    (Some(i), Some(day)) => {
                        DutyState::of_rule(i.kind, *status, i.has_deadline, due, day)
                    }
                    _ => None,
                };
                rows.push(LongRow {
                    regime: Some(regime),
                    rule: Some(rule),
                    kind: info.map(|i| i.kind),
                    title: info.map(|i| i.title.as_str()),
                    status: Some(*status),
                    state,
                    due,
                    due_at: result.due_at.get(rule).copied(),
                    citation: info.map(|i| i.citation.as_str()),
                    missing_facts: Some(result.missing_facts.get(rule).map_or(&[], Vec::as_slice)),
                    ..base
                });
            }
        }
        rows
    }

    /// The record as JSON lines of the long layout, each with its newline.
    pub fn to_long_json_lines(&self, catalog: &Catalog, out: &mut Vec<u8>) {
        let pass = self
            .pass
            .as_deref()
            .map(super::pass::json_members)
            .unwrap_or_default();
        for row in self.long_rows(catalog) {
            let mut ser = serde_json::Serializer::new(&mut *out);
            // Writing into a Vec cannot fail, and every value here is serialisable.
            let _ = row.serialize_into(&mut ser, &pass);
            out.push(b'\n');
        }
    }
}
