//! What would change a rule's status: for each fact the rule depends on, the values or
//! thresholds at which its status would differ ("does not apply if
//! `model.training_compute_flop` ≤ 1.00e25").
//!
//! Found by evaluation, not by reasoning about the formula: the candidate values of a fact are
//! the thresholds its leaves compare it with (each parameter and literal, probed just below, at
//! and just above), the other values of a boolean or enumeration, and "unknown"; the rule is
//! evaluated on the profile with that one fact changed, and every change of status is reported.
//! One fact is changed at a time, so a status that needs two changes is not found.

use serde::{Deserialize, Serialize};

use super::{Facts, FunctionHost, ValueOutcome};
use crate::number::Number;
use crate::profile::Profile;
use crate::regime::Regime;
use crate::regime::native::{ArithOp, Lit, NExpr};
use crate::schema::{FactId, FactKind, Schema};
use crate::status::Status;
use crate::value::Value;
use juxta_sdk::Date;
use juxta_sdk::schema::FactType;

use std::sync::Arc;

/// One way to change a rule's status by changing one fact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flip {
    /// The fact (`model.training_compute_flop`), or a table whose presence is a fact
    /// (`[derivation]`).
    pub fact: String,
    /// Its value now, or `None` if the profile leaves it out.
    pub now: Option<String>,
    /// The condition on the fact: an operator and value or a range (`<= 1.00e25`,
    /// `> 1.00e23 and <= 1.00e25`, `= false`), `unknown`, or `present` / `absent` for a table.
    pub when: String,
    /// The status the rule would then have.
    pub status: Status,
}

/// A threshold the rule compares a fact with.
#[derive(Clone, Debug, PartialEq)]
enum Threshold {
    Number(Number),
    Date(Date),
}

/// The value of a side of a comparison that does not depend on the fact: a parameter, a
/// literal, or another fact's value in the profile.
fn constant_of(e: &NExpr, regime: &Regime, profile: &Profile, fact: FactId) -> Option<Threshold> {
    let as_of = profile.as_of();
    let number = |v: &Value| match v {
        Value::Number(n) => Some(Threshold::Number(n.clone())),
        Value::Integer(i) => Some(Threshold::Number(Number::from_i64(*i))),
        Value::Date(d) => Some(Threshold::Date(*d)),
        _ => None,
    };
    match e {
        NExpr::Param(p) => regime
            .params
            .get(*p)
            .and_then(|p| number(&p.at(as_of).value)),
        NExpr::Lit(Lit::Num(n)) => Some(Threshold::Number(n.clone())),
        NExpr::Lit(Lit::Int(i)) => Some(Threshold::Number(Number::from_i64(*i))),
        NExpr::Fact(f) if *f != fact => profile.get(*f).and_then(number),
        NExpr::Arith(op, a, b) => match (
            constant_of(a, regime, profile, fact),
            constant_of(b, regime, profile, fact),
        ) {
            (Some(Threshold::Number(x)), Some(Threshold::Number(y))) => {
                let v = match op {
                    ArithOp::Add => x.add(&y),
                    ArithOp::Sub => x.sub(&y),
                    ArithOp::Mul => x.mul(&y),
                    ArithOp::Div => x.div(&y)?,
                    ArithOp::Rem => return None,
                };
                Some(Threshold::Number(v))
            }
            _ => None,
        },
        _ => None,
    }
}

/// How a side of a comparison depends on the fact: `Some(k)` when it is `k × fact` (the fact
/// itself, or a derived value read as the fact, scaled by a constant: a literal, a parameter).
fn scale_of(
    e: &NExpr,
    regime: &Regime,
    profile: &Profile,
    values: &[Option<ValueOutcome>],
    fact: FactId,
) -> Option<Number> {
    let number = |x: &NExpr| match constant_of(x, regime, profile, fact) {
        Some(Threshold::Number(n)) => Some(n),
        _ => None,
    };
    let one = || Number::from_i64(1);
    match e {
        NExpr::Fact(f) if *f == fact => Some(one()),
        // A derived value stands for the fact only where it equals it on this profile (`C` is
        // the training compute when that is given, not when it is base + modification).
        NExpr::Value(v) => {
            let equal = match (values.get(*v).cloned().flatten(), profile.get(fact)) {
                (Some(ValueOutcome::Known { value, .. }), Some(f)) => value == *f,
                _ => false,
            };
            (equal && value_reads(regime, *v, fact)).then(one)
        }
        NExpr::Arith(ArithOp::Mul, a, b) => {
            match (scale_of(a, regime, profile, values, fact), number(b)) {
                (Some(k), Some(c)) => Some(k.mul(&c)),
                _ => match (number(a), scale_of(b, regime, profile, values, fact)) {
                    (Some(c), Some(k)) => Some(k.mul(&c)),
                    _ => None,
                },
            }
        }
        NExpr::Arith(ArithOp::Div, a, b) => {
            match (scale_of(a, regime, profile, values, fact), number(b)) {
                (Some(k), Some(c)) => k.div(&c),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether derived value `v` reads `fact` (directly or through other values).
fn value_reads(regime: &Regime, v: usize, fact: FactId) -> bool {
    let mut r = crate::regime::reach::Reach::default();
    regime.reach_value_of(v, &mut r);
    r.facts.contains(fact)
}

/// The thresholds a fact is compared with in a leaf: `fact op t`, `k × fact op t` (as
/// `t / k`), derived values of the fact, with `t` a parameter, a literal or another fact.
fn thresholds(
    e: &NExpr,
    regime: &Regime,
    profile: &Profile,
    values: &[Option<ValueOutcome>],
    fact: FactId,
    out: &mut Vec<Threshold>,
) {
    let mut push = |t: Threshold| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    match e {
        NExpr::Cmp(_, a, b) => {
            for (x, y) in [(a, b), (b, a)] {
                if let (Some(k), Some(t)) = (
                    scale_of(x, regime, profile, values, fact),
                    constant_of(y, regime, profile, fact),
                ) {
                    match t {
                        Threshold::Number(n) => {
                            if let Some(v) = n.div(&k) {
                                push(Threshold::Number(v));
                            }
                        }
                        Threshold::Date(d) if k == Number::from_i64(1) => push(Threshold::Date(d)),
                        Threshold::Date(_) => {}
                    }
                }
            }
        }
        NExpr::Not(a) => thresholds(a, regime, profile, values, fact, out),
        NExpr::And(a, b) | NExpr::Or(a, b) => {
            thresholds(a, regime, profile, values, fact, out);
            thresholds(b, regime, profile, values, fact, out);
        }
        NExpr::Cond(a, b, c) => {
            thresholds(a, regime, profile, values, fact, out);
            thresholds(b, regime, profile, values, fact, out);
            thresholds(c, regime, profile, values, fact, out);
        }
        _ => {}
    }
}

/// String-list parameters a rule reads (for `country in params.eu_member_states`).
fn string_lists(regime: &Regime, leaves: &[usize], as_of: Date) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for &l in leaves {
        for name in super::tree::param_names(&regime.leaves[l].text) {
            if let Some(Value::List(items)) = regime
                .params
                .iter()
                .find(|p| p.name == name)
                .map(|p| &p.at(as_of).value)
                && !out.contains(items)
            {
                out.push(items.clone());
            }
        }
    }
    out
}

fn candidates(
    ty: FactType,
    now: Option<&Value>,
    lists: &[Vec<String>],
) -> Vec<(String, Option<Value>)> {
    let mut out: Vec<(String, Option<Value>)> = Vec::new();
    match ty {
        FactType::Bool => {
            for b in [true, false] {
                out.push((format!("= {b}"), Some(Value::Bool(b))));
            }
        }
        // Ordered quantities are probed segment by segment (`segments`).
        FactType::Float { .. } | FactType::Money | FactType::Date => {}
        // Instants are not probed: a deadline in hours moves with its trigger, not a threshold.
        FactType::DateTime => {}
        // Counts and free-text lists have no values worth proposing.
        FactType::Integer { .. } | FactType::StringList => {}
        FactType::Enum(values) => {
            for v in values {
                out.push((format!("= {v}"), Some(Value::Text((*v).to_string()))));
            }
        }
        FactType::EnumList(values) => {
            for v in values {
                out.push((
                    format!("= [{v}]"),
                    Some(Value::List(vec![(*v).to_string()])),
                ));
            }
        }
        FactType::String | FactType::CountryCode => {
            for list in lists {
                if let Some(member) = list.first() {
                    out.push((format!("in {member}, …"), Some(Value::Text(member.clone()))));
                }
                if let Some(outside) = ["US", "GB", "CN", "JP", "ZZ"]
                    .iter()
                    .find(|c| !list.iter().any(|m| m == *c))
                {
                    out.push((
                        format!("not in the list (e.g. {outside})"),
                        Some(Value::Text((*outside).to_string())),
                    ));
                }
            }
        }
    }
    // The value it has now is not a change.
    out.retain(|(_, v)| v.as_ref() != now);
    if now.is_some() {
        out.push(("unknown".into(), None));
    }
    out
}

/// Every single-fact change that gives rule `index` another status than it has on `profile`.
pub fn flips(
    regime: &Regime,
    profile: &Profile,
    schema: &Schema,
    host: Option<Arc<dyn FunctionHost>>,
    index: usize,
) -> Vec<Flip> {
    let Some(reach) = regime.rule_reach(index) else {
        return Vec::new();
    };
    let evaluate = |p: &Profile| -> Option<Status> {
        let facts = Facts::new(p, schema);
        let ev = regime.evaluate(&facts, host.clone()).ok()?;
        ev.rules.get(index).map(|o| Status::from_truth(o.truth))
    };
    // The profile as it is: the status to compare with, and the derived values thresholds are
    // checked against.
    let (current, values) = {
        let facts = Facts::new(profile, schema);
        let Ok(ev) = regime.evaluate(&facts, host.clone()) else {
            return Vec::new();
        };
        let Some(o) = ev.rules.get(index) else {
            return Vec::new();
        };
        (Status::from_truth(o.truth), ev.values)
    };
    let as_of = profile.as_of();
    let lists = string_lists(regime, &reach.leaves, as_of);
    let as_of_id = schema.lookup("evaluation.as_of");
    // What each leaf depends on, once (not once per fact).
    let leaf_facts: Vec<_> = reach.leaves.iter().map(|&l| regime.leaf_facts(l)).collect();
    let mut out = Vec::new();
    for id in reach.facts.iter() {
        let def = schema.fact(id);
        let FactKind::Field(ty) = def.kind else {
            // A table whose presence is a fact (`[derivation]`): add it, or take it away.
            let present = matches!(profile.get(id), Some(Value::Bool(true)));
            let (when, value) = if present {
                ("absent", false)
            } else {
                ("present", true)
            };
            let changed = profile
                .clone()
                .with_fact(id, Some(Value::Bool(value)), schema);
            if let Some(s) = evaluate(&changed)
                && s != current
            {
                out.push(Flip {
                    fact: format!("[{}]", def.path),
                    now: Some(if present { "present" } else { "absent" }.into()),
                    when: when.into(),
                    status: s,
                });
            }
            continue;
        };
        let mut found = Vec::new();
        for (&l, facts) in reach.leaves.iter().zip(&leaf_facts) {
            if facts.contains(id)
                && let Some(native) = &regime.leaves[l].native
            {
                thresholds(native, regime, profile, &values, id, &mut found);
            }
        }
        let now = profile.get(id);
        let is_as_of = Some(id) == as_of_id;
        let min = match ty {
            FactType::Float { min } => min.and_then(Number::from_f64),
            FactType::Money => Some(Number::ZERO),
            _ => None,
        };
        let mut sorted: Vec<Threshold> = found
            .into_iter()
            .filter(|t| match (ty, t) {
                (FactType::Float { .. } | FactType::Money, Threshold::Number(n)) => {
                    n.to_f64().is_finite() && min.as_ref().is_none_or(|m| n >= m)
                }
                (FactType::Date, Threshold::Date(_)) => true,
                _ => false,
            })
            .collect();
        sorted.sort_by(|a, b| match (a, b) {
            (Threshold::Number(x), Threshold::Number(y)) => x.cmp(y),
            (Threshold::Date(x), Threshold::Date(y)) => x.cmp(y),
            _ => std::cmp::Ordering::Equal,
        });
        sorted.dedup();
        for (when, s) in ranges(&pieces(&sorted, min.as_ref()), current, |t| {
            let value = match t {
                Threshold::Number(n) => Value::Number(n),
                Threshold::Date(d) => Value::Date(d),
            };
            evaluate(&profile.clone().with_fact(id, Some(value), schema))
        }) {
            // Applying the law on a day already past cannot change what the lab must do now:
            // only the days ahead (the law taking effect, a deadline arriving) are shown.
            if is_as_of && entirely_before(&when, as_of) {
                continue;
            }
            out.push(Flip {
                fact: def.path.clone(),
                now: now.map(Value::to_string),
                when,
                status: s,
            });
        }
        let mut seen: Vec<(String, Status)> = Vec::new();
        for (when, value) in candidates(ty, now, &lists) {
            if is_as_of && value.is_none() {
                continue; // required: never unknown
            }
            let changed = profile.clone().with_fact(id, value, schema);
            let Some(s) = evaluate(&changed) else {
                continue;
            };
            if s != current && !seen.contains(&(when.clone(), s)) {
                seen.push((when.clone(), s));
                out.push(Flip {
                    fact: def.path.clone(),
                    now: now.map(Value::to_string),
                    when,
                    status: s,
                });
            }
        }
    }
    out
}

/// An end of a range: its value and whether it is included; `None` for an infinite end.
type End = Option<(Threshold, bool)>;

/// One piece of the line cut by the thresholds: an open segment between two thresholds (or
/// beyond the last), or a threshold itself.
#[derive(Clone, Debug)]
struct Piece {
    /// Lower end (`None`: −∞).
    lo: End,
    /// Upper end (`None`: +∞).
    hi: End,
    /// A value inside it, to evaluate.
    probe: Threshold,
}

/// A threshold as people read it (`1.00e25`), or exactly when that rounding would move it
/// (`2e25/3`, a third of 2e25): a claim must hold at the value it shows.
fn shown(t: &Threshold) -> String {
    match t {
        Threshold::Number(n) => {
            let short = Value::Number(n.clone()).to_string();
            if Number::parse_decimal(&short).ok().as_ref() == Some(n) {
                short
            } else if let Some(exact) = n.to_decimal() {
                exact
            } else {
                format!("{n} (about {short})")
            }
        }
        Threshold::Date(d) => d.to_string(),
    }
}

/// A number strictly between `x < y`: their geometric mean where both are positive (thresholds
/// of compute span orders of magnitude), else their midpoint.
fn between(x: &Number, y: &Number) -> Number {
    if x.signum() > 0 {
        let mean = Number::from_f64((x.to_f64() * y.to_f64()).sqrt());
        if let Some(m) = mean.filter(|m| m > x && m < y) {
            return m;
        }
    }
    x.add(y).mul(&half())
}

fn half() -> Number {
    Number::from_i64(1)
        .div(&Number::from_i64(2))
        .unwrap_or(Number::ZERO)
}

/// The pieces of the line for sorted, distinct thresholds of one kind, with a probe in each.
fn pieces(sorted: &[Threshold], min: Option<&Number>) -> Vec<Piece> {
    let mut out = Vec::new();
    let ten = Number::from_i64(10);
    let one = Number::from_i64(1);
    let probe_between = |a: &Threshold, b: &Threshold| match (a, b) {
        (Threshold::Number(x), Threshold::Number(y)) => Some(Threshold::Number(between(x, y))),
        (Threshold::Date(x), Threshold::Date(y)) => {
            let mid = (x.days_since_epoch() + y.days_since_epoch()) / 2;
            Date::from_days_since_epoch(mid).ok().map(Threshold::Date)
        }
        _ => None,
    };
    let (Some(first), Some(last)) = (sorted.first(), sorted.last()) else {
        return out;
    };
    let below = match first {
        Threshold::Number(t) => {
            let p = if t.signum() > 0 {
                t.div(&ten).unwrap_or(Number::ZERO)
            } else {
                // t − 1 − 10·|t|
                let abs = if t.signum() < 0 { t.neg() } else { t.clone() };
                t.sub(&one).sub(&abs.mul(&ten))
            };
            match min {
                Some(m) if p < *m => (t > m).then(|| Threshold::Number(m.add(t).mul(&half()))),
                _ => Some(Threshold::Number(p)),
            }
        }
        Threshold::Date(d) => d.add_days(-3650).ok().map(Threshold::Date),
    };
    if let Some(probe) = below {
        out.push(Piece {
            lo: None,
            hi: Some((first.clone(), false)),
            probe,
        });
    }
    for (i, t) in sorted.iter().enumerate() {
        out.push(Piece {
            lo: Some((t.clone(), true)),
            hi: Some((t.clone(), true)),
            probe: t.clone(),
        });
        if let Some(next) = sorted.get(i + 1)
            && let Some(probe) = probe_between(t, next)
        {
            out.push(Piece {
                lo: Some((t.clone(), false)),
                hi: Some((next.clone(), false)),
                probe,
            });
        }
    }
    let above = match last {
        Threshold::Number(t) => Some(Threshold::Number(if t.signum() > 0 {
            t.mul(&ten)
        } else {
            let abs = if t.signum() < 0 { t.neg() } else { t.clone() };
            t.add(&one).add(&abs.mul(&ten))
        })),
        Threshold::Date(d) => d.add_days(3650).ok().map(Threshold::Date),
    };
    if let Some(probe) = above {
        out.push(Piece {
            lo: Some((last.clone(), false)),
            hi: None,
            probe,
        });
    }
    out
}

/// A range in words: `<= 1.00e25`, `> 2026-01-01`, `> 1.00e23 and <= 1.00e25`, `= 1.00e26`.
fn range_text(lo: &End, hi: &End) -> String {
    match (lo, hi) {
        (Some((a, true)), Some((b, true))) if a == b => format!("= {}", shown(a)),
        (None, Some((b, incl))) => format!("{} {}", if *incl { "<=" } else { "<" }, shown(b)),
        (Some((a, incl)), None) => format!("{} {}", if *incl { ">=" } else { ">" }, shown(a)),
        (Some((a, ai)), Some((b, bi))) => format!(
            "{} {} and {} {}",
            if *ai { ">=" } else { ">" },
            shown(a),
            if *bi { "<=" } else { "<" },
            shown(b)
        ),
        (None, None) => "any value".into(),
    }
}

/// Evaluates each piece and merges neighbours with the same status into ranges; returns the
/// ranges whose status differs from `current`.
fn ranges(
    pieces: &[Piece],
    current: Status,
    mut status_at: impl FnMut(Threshold) -> Option<Status>,
) -> Vec<(String, Status)> {
    let mut merged: Vec<(End, End, Status)> = Vec::new();
    for piece in pieces {
        let Some(s) = status_at(piece.probe.clone()) else {
            continue;
        };
        match merged.last_mut() {
            Some((_, hi, last)) if *last == s => *hi = piece.hi.clone(),
            _ => merged.push((piece.lo.clone(), piece.hi.clone(), s)),
        }
    }
    merged
        .into_iter()
        .filter(|(_, _, s)| *s != current)
        .map(|(lo, hi, s)| (range_text(&lo, &hi), s))
        .collect()
}

/// Whether a range of days written as `< 2025-08-02`, `> 2025-01-01 and <= 2026-01-01` or
/// `= 2025-08-02` lies wholly before `day`: its last date is before it, and it is bounded above.
fn entirely_before(when: &str, day: Date) -> bool {
    if when.starts_with('>') && !when.contains(" and ") {
        return false;
    }
    when.split(|c: char| c.is_whitespace())
        .filter_map(|w| w.parse::<Date>().ok())
        .next_back()
        .is_some_and(|last| last <= day)
}

/// Flips in plain words, one line each: "does not apply if `fact` ≤ 1.00e25 (now 3.00e25)".
pub fn describe(f: &Flip) -> String {
    let verb = match f.status {
        Status::Applies => "applies",
        Status::DoesNotApply => "does not apply",
        Status::Undetermined => "undetermined",
    };
    let now = f
        .now
        .as_ref()
        .map(|n| format!(" (now {n})"))
        .unwrap_or_else(|| " (now unknown)".into());
    let when = match f.when.as_str() {
        "unknown" => "is unknown".to_string(),
        "present" | "absent" => format!("is {}", f.when),
        other => other.to_string(),
    };
    format!("{verb} if {} {when}{now}", f.fact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_of_days_wholly_in_the_past_are_told_apart_from_those_ahead() {
        let day: Date = "2026-11-22".parse().unwrap();
        assert!(entirely_before("< 2025-08-02", day));
        assert!(entirely_before("> 2025-01-01 and <= 2026-01-01", day));
        assert!(entirely_before("= 2025-08-02", day));
        assert!(!entirely_before(">= 2027-01-01", day));
        assert!(!entirely_before("> 2026-01-01 and <= 2027-01-01", day));
        assert!(!entirely_before("unknown", day));
    }

    #[test]
    fn a_boolean_offers_its_other_value_and_unknown() {
        let c = candidates(FactType::Bool, Some(&Value::Bool(true)), &[]);
        let whens: Vec<&str> = c.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(whens, ["= false", "unknown"]);
    }

    #[test]
    fn thresholds_cut_the_line_into_ranges_named_by_their_ends() {
        let n = |s: &str| Number::parse_decimal(s).unwrap();
        let ts = [Threshold::Number(n("1e23")), Threshold::Number(n("1e25"))];
        let p = pieces(&ts, Some(&Number::ZERO));
        // below, = 1e23, between, = 1e25, above
        assert_eq!(p.len(), 5);
        // A rule that applies strictly above 1e25, evaluated now at 3e25 (applies).
        let r = ranges(&p, Status::Applies, |t| match t {
            Threshold::Number(x) if x > n("1e25") => Some(Status::Applies),
            _ => Some(Status::DoesNotApply),
        });
        assert_eq!(r, [("<= 1.00e25".to_string(), Status::DoesNotApply)]);
        // Undetermined between the two thresholds, as the EU fine-tune fallback is.
        let r = ranges(&p, Status::Applies, |t| match t {
            Threshold::Number(x) if x > n("1e25") => Some(Status::Applies),
            Threshold::Number(x) if x > n("1e23") => Some(Status::Undetermined),
            _ => Some(Status::DoesNotApply),
        });
        assert_eq!(
            r,
            [
                ("<= 1.00e23".to_string(), Status::DoesNotApply),
                ("> 1.00e23 and <= 1.00e25".to_string(), Status::Undetermined),
            ]
        );
    }
}
