//! The wide layout's JSON line, written straight from the evaluation.
//!
//! Deciding the law is a small part of a batch: most of a record's time went to building its
//! [`BatchRecord`](super::record::BatchRecord) (a `String` per rule id, maps, values through
//! `serde_json::Value`), serialising it and freeing it. Here a worker writes the line itself:
//! every key is escaped once per batch ([`Fragments`]), statuses are static strings, the maps
//! keyed by rule or value come out in key order from orders sorted once, and nothing is
//! allocated per rule. The bytes are exactly those of `BatchRecord::to_json_line` (a test
//! compares the two over generated profiles, errors included); the Parquet sink and the long
//! layout still build records.

use juxta_core::eval::{Bound, ComputedOutcome, Evaluation};
use juxta_core::regime::Regime;
use juxta_core::report::Status;
use juxta_core::schema::Schema;
use juxta_core::tri::{FactSet, QuestionSet, Truth};
use juxta_core::value::Value;
use juxta_sdk::Date;

/// What is written the same way for every record of a batch: keys escaped, orders sorted.
#[derive(Debug)]
pub struct Fragments {
    /// Per column: `"id":`.
    keys: Vec<Vec<u8>>,
    /// Per column: the loaded regime's fragments (`None` for a failed one).
    regimes: Vec<Option<RegimeFragments>>,
    /// Per fact id: its path as a JSON string.
    fact_paths: Vec<Vec<u8>>,
    /// Per fact id: its place among the paths in byte order (the order `Schema::paths` sorts in).
    fact_rank: Vec<u16>,
    /// Fact ids by rank.
    by_rank: Vec<usize>,
}

#[derive(Debug)]
struct RegimeFragments {
    /// Per rule, in the regime's order: `"id":`.
    rule_keys: Vec<Vec<u8>>,
    /// Per rule, in the regime's order, its whole entry in `rules` for each truth (applies,
    /// does not apply, undetermined), with the comma before it unless it is the first.
    rule_entries: Vec<[Vec<u8>; 3]>,
    /// Rule indices in the byte order of their ids (the order of a map keyed by id).
    rules_by_id: Vec<usize>,
    /// Per rule: its place in `rules_by_id`.
    rule_rank: Vec<u16>,
    /// Per computed value: `"name":`.
    computed_keys: Vec<Vec<u8>>,
    /// Computed indices in the byte order of their names.
    computed_by_name: Vec<usize>,
    /// Per open question: its id as a JSON string.
    questions: Vec<Vec<u8>>,
    /// Per open question: its place among the ids in byte order.
    question_rank: Vec<u16>,
    /// Question indices by rank.
    questions_by_rank: Vec<usize>,
}

/// `text` as a JSON string, escaped as `serde_json` escapes it.
fn json_string(text: &str, out: &mut Vec<u8>) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

fn key(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 3);
    json_string(text, &mut out);
    out.push(b':');
    out
}

/// Each index's place in `order`.
fn ranks(order: &[usize]) -> Vec<u16> {
    let mut rank = vec![0u16; order.len()];
    for (place, &i) in order.iter().enumerate() {
        if let Some(r) = rank.get_mut(i) {
            *r = u16::try_from(place).unwrap_or(u16::MAX);
        }
    }
    rank
}

/// `["…", …]`: the members of a set (`ids`, at most 128) in rank order, from their JSON strings.
fn sorted_strings(
    ids: impl Iterator<Item = usize>,
    rank: &[u16],
    by_rank: &[usize],
    strings: &[Vec<u8>],
    out: &mut Vec<u8>,
) {
    // Ranks sorted on the stack: nothing allocated.
    let mut ranks = [0u16; FactSet::CAPACITY];
    let mut n = 0;
    for id in ids {
        if let (Some(&r), Some(slot)) = (rank.get(id), ranks.get_mut(n)) {
            *slot = r;
            n += 1;
        }
    }
    let ranks = &mut ranks[..n];
    ranks.sort_unstable();
    out.push(b'[');
    for (k, &r) in ranks.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        if let Some(s) = by_rank.get(usize::from(r)).and_then(|&id| strings.get(id)) {
            out.extend_from_slice(s);
        }
    }
    out.push(b']');
}

fn sorted_by<'a>(n: usize, name: impl Fn(usize) -> &'a str) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| name(a).cmp(name(b)));
    order
}

impl RegimeFragments {
    /// Rule indices in id order: those whose ranks are in `ranks`, or every rule.
    fn candidates(&self, ranks: Option<u128>) -> impl Iterator<Item = usize> + '_ {
        let (mut bits, every) = match ranks {
            Some(bits) => (bits, &[][..]),
            None => (0, &self.rules_by_id[..]),
        };
        let ranked = std::iter::from_fn(move || {
            if bits == 0 {
                return None;
            }
            let r = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            Some(r)
        })
        .filter_map(|r| self.rules_by_id.get(r).copied());
        ranked.chain(every.iter().copied())
    }

    /// Whether `set` names a question the regime declares (what `question_ids` would list).
    fn declares_any(&self, set: QuestionSet) -> bool {
        set.iter().any(|q| q < self.questions.len())
    }

    fn new(regime: &Regime) -> RegimeFragments {
        let rules = &regime.rules;
        let computed = &regime.computed;
        let questions = &regime.questions;
        let questions_by_rank = sorted_by(questions.len(), |i| &questions[i].id);
        let rules_by_id = sorted_by(rules.len(), |i| &rules[i].id);
        let rule_rank = ranks(&rules_by_id);
        RegimeFragments {
            rule_keys: rules.iter().map(|r| key(&r.id)).collect(),
            rule_entries: rules
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    [Truth::True, Truth::False, Truth::Unknown].map(|t| {
                        let mut out = Vec::new();
                        if i > 0 {
                            out.push(b',');
                        }
                        out.extend_from_slice(&key(&r.id));
                        json_string(Status::from_truth(t).as_str(), &mut out);
                        out
                    })
                })
                .collect(),
            rules_by_id,
            rule_rank,
            computed_keys: computed.iter().map(|c| key(&c.name)).collect(),
            computed_by_name: sorted_by(computed.len(), |i| &computed[i].name),
            questions: questions
                .iter()
                .map(|q| {
                    let mut out = Vec::new();
                    json_string(&q.id, &mut out);
                    out
                })
                .collect(),
            question_rank: ranks(&questions_by_rank),
            questions_by_rank,
        }
    }
}

impl Fragments {
    /// The fragments of these columns (each its id and, if it loaded, its regime) over this
    /// schema.
    pub fn new<'a>(
        schema: &Schema,
        columns: impl IntoIterator<Item = (&'a str, Option<&'a Regime>)>,
    ) -> Fragments {
        let facts = schema.facts();
        let by_rank = sorted_by(facts.len(), |i| &facts[i].path);
        let fact_rank = ranks(&by_rank);
        let (keys, regimes) = columns
            .into_iter()
            .map(|(id, regime)| (key(id), regime.map(RegimeFragments::new)))
            .unzip();
        Fragments {
            keys,
            regimes,
            fact_paths: facts
                .iter()
                .map(|f| {
                    let mut out = Vec::new();
                    json_string(&f.path, &mut out);
                    out
                })
                .collect(),
            fact_rank,
            by_rank,
        }
    }

    /// `["path", …]`: the facts of `set` in path order.
    fn paths(&self, set: FactSet, out: &mut Vec<u8>) {
        sorted_strings(
            set.iter(),
            &self.fact_rank,
            &self.by_rank,
            &self.fact_paths,
            out,
        );
    }
}

/// Writes the start of a record: `{"id":…,"line":…,"as_of":…,"error":null,"regimes":{`.
pub(crate) fn begin(id: &str, line: u64, as_of: Date, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"id\":");
    json_string(id, out);
    out.extend_from_slice(b",\"line\":");
    write_u64(line, out);
    out.extend_from_slice(b",\"as_of\":\"");
    write_date(as_of, out);
    out.extend_from_slice(b"\",\"error\":null,\"regimes\":{");
}

/// Writes the end of a record begun with [`begin`], and its newline.
pub(crate) fn end(out: &mut Vec<u8>) {
    out.extend_from_slice(b"}}\n");
}

/// A whole number in decimal, as `Display` writes it (without the formatting machinery, which
/// costs more than the rest of a record's header).
fn write_u64(v: u64, out: &mut Vec<u8>) {
    out.extend_from_slice(decimal(v, &mut [0; 20]));
}

/// The decimal digits of `v`, written at the end of `digits`.
pub(crate) fn decimal(v: u64, digits: &mut [u8; 20]) -> &[u8] {
    let mut at = digits.len();
    let mut rest = v;
    loop {
        at -= 1;
        // `rest % 10` is a digit: the cast is exact.
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    &digits[at..]
}

/// A whole number in decimal, as `Display` writes it.
fn write_i64(v: i64, out: &mut Vec<u8>) {
    if v < 0 {
        out.push(b'-');
    }
    write_u64(v.unsigned_abs(), out);
}

/// A day as `YYYY-MM-DD`: the bytes `Date`'s `Display` writes, for every year a date can have
/// (four digits: 1900 to 2999), without the formatting machinery.
fn write_date(d: Date, out: &mut Vec<u8>) {
    let Ok(year) = u16::try_from(d.year()) else {
        return write_display(d, out);
    };
    if year > 9999 {
        return write_display(d, out);
    }
    let digit = |v: u16| b'0' + (v % 10) as u8;
    let (month, day) = (u16::from(d.month()), u16::from(d.day()));
    out.extend_from_slice(&[
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(month / 10),
        digit(month),
        b'-',
        digit(day / 10),
        digit(day),
    ]);
}

fn write_display(v: impl std::fmt::Display, out: &mut Vec<u8>) {
    use std::io::Write;
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{v}");
}

/// What one regime gave for one record.
pub(crate) enum Part<'a> {
    /// The regime failed (not loaded, or its evaluation failed).
    Failed(&'a str),
    /// Its evaluation.
    Evaluated(&'a Evaluation),
}

impl Fragments {
    /// Writes column `position`'s entry, preceded by a comma unless it is the first; returns
    /// whether the entry is a failure (the regime's, or fragments that do not fit the column).
    pub(crate) fn regime(&self, position: usize, part: Part<'_>, out: &mut Vec<u8>) -> bool {
        if position > 0 {
            out.push(b',');
        }
        let Some(key) = self.keys.get(position) else {
            // Fragments built from other columns: a key all the same, and the failure said.
            let _ = std::io::Write::write_fmt(out, format_args!("\"column {position}\":"));
            failed("internal error: the regime has no output layout", out);
            return true;
        };
        out.extend_from_slice(key);
        let (ev, frags) = match part {
            Part::Evaluated(ev) => match self.regimes.get(position) {
                Some(Some(frags)) => (ev, frags),
                _ => {
                    failed("internal error: the regime has no output layout", out);
                    return true;
                }
            },
            Part::Failed(error) => {
                failed(error, out);
                return true;
            }
        };
        out.extend_from_slice(b"{\"error\":null,\"rules\":{");
        // The ranks (places in id order) of the undetermined rules, the only ones with
        // missing facts or open questions: most rules of a record are determined.
        let mut undetermined = Some(0u128);
        for (k, (outcome, entries)) in ev.rules.iter().zip(&frags.rule_entries).enumerate() {
            let entry = match outcome.truth {
                Truth::True => &entries[0],
                Truth::False => &entries[1],
                Truth::Unknown => {
                    match (frags.rule_rank.get(k), &mut undetermined) {
                        (Some(&r), Some(bits)) if r < 128 => *bits |= 1 << r,
                        // More than 128 rules: every rule is looked at.
                        _ => undetermined = None,
                    }
                    &entries[2]
                }
            };
            out.extend_from_slice(entry);
        }
        out.extend_from_slice(b"},\"missing_facts\":{");
        let mut first = true;
        for i in frags.candidates(undetermined) {
            let Some(o) = ev.rules.get(i) else { continue };
            if o.truth != Truth::Unknown || o.missing.is_empty() {
                continue;
            }
            entry(&mut first, frags.rule_keys.get(i), out);
            self.paths(o.missing, out);
        }
        out.extend_from_slice(b"},\"open_questions\":{");
        let mut first = true;
        for i in frags.candidates(undetermined) {
            let Some(o) = ev.rules.get(i) else { continue };
            if Status::from_truth(o.truth) != Status::Undetermined || !frags.declares_any(o.open) {
                continue;
            }
            entry(&mut first, frags.rule_keys.get(i), out);
            questions(frags, o.open, out);
        }
        out.extend_from_slice(b"},\"computed\":{");
        let mut first = true;
        for &i in &frags.computed_by_name {
            if let Some(ComputedOutcome::Value(v)) = ev.computed.get(i) {
                entry(&mut first, frags.computed_keys.get(i), out);
                value(v, out);
            }
        }
        out.extend_from_slice(b"},\"computed_undetermined\":{");
        let mut first = true;
        let mut bounds = false;
        for &i in &frags.computed_by_name {
            if let Some(ComputedOutcome::Undetermined { missing, bound, .. }) = ev.computed.get(i) {
                entry(&mut first, frags.computed_keys.get(i), out);
                self.paths(*missing, out);
                bounds |= bound.is_some();
            }
        }
        out.push(b'}');
        if bounds {
            out.extend_from_slice(b",\"computed_bounds\":{");
            let mut first = true;
            for &i in &frags.computed_by_name {
                if let Some(ComputedOutcome::Undetermined { bound: Some(b), .. }) =
                    ev.computed.get(i)
                {
                    entry(&mut first, frags.computed_keys.get(i), out);
                    let (side, v) = match b {
                        Bound::AtLeast(v) => (&b"{\"at_least\":"[..], v),
                        Bound::AtMost(v) => (&b"{\"at_most\":"[..], v),
                    };
                    out.extend_from_slice(side);
                    value(v, out);
                    out.push(b'}');
                }
            }
            out.push(b'}');
        }
        out.push(b'}');
        false
    }
}

/// A failed regime's entry: its error, and every map empty.
fn failed(error: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"error\":");
    json_string(error, out);
    out.extend_from_slice(
        b",\"rules\":{},\"missing_facts\":{},\"open_questions\":{},\"computed\":{},\"computed_undetermined\":{}}",
    );
}

/// A map entry's key, preceded by a comma unless it is the first.
fn entry(first: &mut bool, key: Option<&Vec<u8>>, out: &mut Vec<u8>) {
    if !*first {
        out.push(b',');
    }
    *first = false;
    if let Some(key) = key {
        out.extend_from_slice(key);
    }
}

/// `["id", …]`: the questions of `set`, in id order.
fn questions(frags: &RegimeFragments, set: QuestionSet, out: &mut Vec<u8>) {
    sorted_strings(
        set.iter(),
        &frags.question_rank,
        &frags.questions_by_rank,
        &frags.questions,
        out,
    );
}

/// A computed value as `Value::to_json` gives it, serialised.
fn value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Integer(i) => write_i64(*i, out),
        Value::Date(d) => {
            out.push(b'"');
            write_date(*d, out);
            out.push(b'"');
        }
        Value::Text(s) => json_string(s, out),
        other => {
            let _ = serde_json::to_writer(&mut *out, &other.to_json());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        for v in [
            0,
            1,
            9,
            10,
            99,
            100,
            4145,
            1_000_000,
            u64::MAX - 1,
            u64::MAX,
        ] {
            assert_eq!(written(|o| write_u64(v, o)), v.to_string());
        }
        for v in [0, -1, 7, -10, 123_456, i64::MIN, i64::MIN + 1, i64::MAX] {
            assert_eq!(written(|o| write_i64(v, o)), v.to_string());
        }
    }

    #[test]
    fn every_day_is_written_as_display_writes_it() {
        let first = Date::new(juxta_sdk::date::MIN_YEAR, 1, 1).unwrap();
        let last = Date::new(juxta_sdk::date::MAX_YEAR, 12, 31).unwrap();
        for days in first.days_since_epoch()..=last.days_since_epoch() {
            let d = Date::from_days_since_epoch(days).unwrap();
            assert_eq!(written(|o| write_date(d, o)), d.to_string());
        }
    }
}
