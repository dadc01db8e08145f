//! What would change a rule's status: for each fact the rule depends on, the values or
//! thresholds at which its status would differ ("does not apply if
//! `model.training_compute_flop` ≤ 1.00e25").
//!
//! Found by evaluation, not by reasoning about the formula: the candidate values of a fact are
//! the thresholds its leaves compare it with (each parameter and literal, probed just below, at
//! and just above), the other values of a boolean or enumeration, and "unknown"; the rule is
//! evaluated on the profile with that one fact changed, and every change of status is reported.
//! One fact is changed at a time, so a status that needs two changes is not found.

use serde::Serialize;

use super::{Facts, FunctionHost, ValueOutcome};
use crate::profile::Profile;
use crate::regime::Regime;
use crate::regime::native::{ArithOp, Lit, NExpr};
use crate::report::Status;
use crate::schema::{FactId, FactKind, Schema};
use crate::value::Value;
use juxta_sdk::Date;
use juxta_sdk::schema::FactType;

use std::sync::Arc;

/// One way to change a rule's status by changing one fact.
#[derive(Clone, Debug, PartialEq, Serialize)]
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
#[derive(Clone, Copy, Debug, PartialEq)]
enum Threshold {
    Number(f64),
    Date(Date),
}

/// The value of a side of a comparison that does not depend on the fact: a parameter, a
/// literal, or another fact's value in the profile.
fn constant_of(e: &NExpr, regime: &Regime, profile: &Profile, fact: FactId) -> Option<Threshold> {
    let as_of = profile.as_of();
    let number = |v: &Value| match v {
        Value::Number(n) => Some(Threshold::Number(*n)),
        Value::Integer(i) => Some(Threshold::Number(*i as f64)),
        Value::Date(d) => Some(Threshold::Date(*d)),
        _ => None,
    };
    match e {
        NExpr::Param(p) => regime
            .params
            .get(*p)
            .and_then(|p| number(&p.at(as_of).value)),
        NExpr::Lit(Lit::Double(d)) => Some(Threshold::Number(*d)),
        NExpr::Lit(Lit::Int(i)) => Some(Threshold::Number(*i as f64)),
        NExpr::Fact(f) if *f != fact => profile.get(*f).and_then(number),
        NExpr::Arith(op, a, b) => match (
            constant_of(a, regime, profile, fact),
            constant_of(b, regime, profile, fact),
        ) {
            (Some(Threshold::Number(x)), Some(Threshold::Number(y))) => {
                let v = match op {
                    ArithOp::Add => x + y,
                    ArithOp::Sub => x - y,
                    ArithOp::Mul => x * y,
                    ArithOp::Div => x / y,
                    ArithOp::Rem => return None,
                };
                v.is_finite().then_some(Threshold::Number(v))
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
) -> Option<f64> {
    let number = |x: &NExpr| match constant_of(x, regime, profile, fact) {
        Some(Threshold::Number(n)) => Some(n),
        _ => None,
    };
    match e {
        NExpr::Fact(f) if *f == fact => Some(1.0),
        // A derived value stands for the fact only where it equals it on this profile (`C` is
        // the training compute when that is given, not when it is base + modification).
        NExpr::Value(v) => {
            let equal = match (values.get(*v).cloned().flatten(), profile.get(fact)) {
                (Some(ValueOutcome::Known { value, .. }), Some(f)) => value == *f,
                _ => false,
            };
            (equal && value_reads(regime, *v, fact)).then_some(1.0)
        }
        NExpr::Arith(ArithOp::Mul, a, b) => {
            match (scale_of(a, regime, profile, values, fact), number(b)) {
                (Some(k), Some(c)) => Some(k * c),
                _ => match (number(a), scale_of(b, regime, profile, values, fact)) {
                    (Some(c), Some(k)) => Some(k * c),
                    _ => None,
                },
            }
        }
        NExpr::Arith(ArithOp::Div, a, b) => {
            match (scale_of(a, regime, profile, values, fact), number(b)) {
                (Some(k), Some(c)) if c != 0.0 => Some(k / c),
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
                        Threshold::Number(n) if k != 0.0 => push(Threshold::Number(n / k)),
                        Threshold::Date(d) if k == 1.0 => push(Threshold::Date(d)),
                        _ => {}
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
        FactType::Float { .. } | FactType::Date => {}
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
            FactType::Float { min } => min,
            _ => None,
        };
        let mut sorted: Vec<Threshold> = found
            .iter()
            .copied()
            .filter(|t| match (ty, t) {
                (FactType::Float { .. }, Threshold::Number(n)) => {
                    n.is_finite() && min.is_none_or(|m| *n >= m)
                }
                (FactType::Date, Threshold::Date(_)) => true,
                _ => false,
            })
            .collect();
        sorted.sort_by(|a, b| match (a, b) {
            (Threshold::Number(x), Threshold::Number(y)) => x.total_cmp(y),
            (Threshold::Date(x), Threshold::Date(y)) => x.cmp(y),
            _ => std::cmp::Ordering::Equal,
        });
        sorted.dedup();
        for (when, s) in ranges(&pieces(&sorted, min), current, |t| {
            let value = match t {
                Threshold::Number(n) => Value::Number(n),
                Threshold::Date(d) => Value::Date(d),
            };
            evaluate(&profile.clone().with_fact(id, Some(value), schema))
        }) {
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
#[derive(Clone, Copy, Debug)]
struct Piece {
    /// Lower end (`None`: −∞).
    lo: End,
    /// Upper end (`None`: +∞).
    hi: End,
    /// A value inside it, to evaluate.
    probe: Threshold,
}

/// A threshold as people read it (`1.00e25`), or exactly when that rounding would move it
/// (`6.666666666666668e24`, a third of 2e25): a claim must hold at the value it shows.
fn shown(t: Threshold) -> String {
    match t {
        Threshold::Number(n) => {
            let short = Value::Number(n).to_string();
            if short.parse::<f64>().ok() == Some(n) {
                short
            } else {
                format!("{n:e}")
            }
        }
        Threshold::Date(d) => d.to_string(),
    }
}

/// The pieces of the line for sorted, distinct thresholds of one kind, with a probe in each.
fn pieces(sorted: &[Threshold], min: Option<f64>) -> Vec<Piece> {
    let mut out = Vec::new();
    let probe_between = |a: Threshold, b: Threshold| match (a, b) {
        (Threshold::Number(x), Threshold::Number(y)) if x > 0.0 && y > 0.0 => {
            Some(Threshold::Number((x * y).sqrt()))
        }
        (Threshold::Number(x), Threshold::Number(y)) => Some(Threshold::Number((x + y) / 2.0)),
        (Threshold::Date(x), Threshold::Date(y)) => {
            let mid = (x.days_since_epoch() + y.days_since_epoch()) / 2;
            Date::from_days_since_epoch(mid).ok().map(Threshold::Date)
        }
        _ => None,
    };
    let (Some(&first), Some(&last)) = (sorted.first(), sorted.last()) else {
        return out;
    };
    let below = match first {
        Threshold::Number(t) => {
            let p = if t > 0.0 {
                t / 10.0
            } else {
                t - 1.0 - t.abs() * 10.0
            };
            match min {
                Some(m) if p < m => (t > m).then_some(Threshold::Number((m + t) / 2.0)),
                _ => Some(Threshold::Number(p)),
            }
        }
        Threshold::Date(d) => d.add_days(-3650).ok().map(Threshold::Date),
    };
    if let Some(probe) = below {
        out.push(Piece {
            lo: None,
            hi: Some((first, false)),
            probe,
        });
    }
    for (i, &t) in sorted.iter().enumerate() {
        out.push(Piece {
            lo: Some((t, true)),
            hi: Some((t, true)),
            probe: t,
        });
        if let Some(&next) = sorted.get(i + 1)
            && let Some(probe) = probe_between(t, next)
        {
            out.push(Piece {
                lo: Some((t, false)),
                hi: Some((next, false)),
                probe,
            });
        }
    }
    let above = match last {
        Threshold::Number(t) => Some(Threshold::Number(if t > 0.0 {
            t * 10.0
        } else {
            t + 1.0 + t.abs() * 10.0
        })),
        Threshold::Date(d) => d.add_days(3650).ok().map(Threshold::Date),
    };
    if let Some(probe) = above {
        out.push(Piece {
            lo: Some((last, false)),
            hi: None,
            probe,
        });
    }
    out
}

/// A range in words: `<= 1.00e25`, `> 2026-01-01`, `> 1.00e23 and <= 1.00e25`, `= 1.00e26`.
fn range_text(lo: End, hi: End) -> String {
    match (lo, hi) {
        (Some((a, true)), Some((b, true))) if a == b => format!("= {}", shown(a)),
        (None, Some((b, incl))) => format!("{} {}", if incl { "<=" } else { "<" }, shown(b)),
        (Some((a, incl)), None) => format!("{} {}", if incl { ">=" } else { ">" }, shown(a)),
        (Some((a, ai)), Some((b, bi))) => format!(
            "{} {} and {} {}",
            if ai { ">=" } else { ">" },
            shown(a),
            if bi { "<=" } else { "<" },
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
        let Some(s) = status_at(piece.probe) else {
            continue;
        };
        match merged.last_mut() {
            Some((_, hi, last)) if *last == s => *hi = piece.hi,
            _ => merged.push((piece.lo, piece.hi, s)),
        }
    }
    merged
        .into_iter()
        .filter(|(_, _, s)| *s != current)
        .map(|(lo, hi, s)| (range_text(lo, hi), s))
        .collect()
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
    fn a_boolean_offers_its_other_value_and_unknown() {
        let c = candidates(FactType::Bool, Some(&Value::Bool(true)), &[]);
        let whens: Vec<&str> = c.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(whens, ["= false", "unknown"]);
    }

    #[test]
    fn thresholds_cut_the_line_into_ranges_named_by_their_ends() {
        let ts = [Threshold::Number(1e23), Threshold::Number(1e25)];
        let p = pieces(&ts, Some(0.0));
        // below, = 1e23, between, = 1e25, above
        assert_eq!(p.len(), 5);
        // A rule that applies strictly above 1e25, evaluated now at 3e25 (applies).
        let r = ranges(&p, Status::Applies, |t| match t {
            Threshold::Number(n) if n > 1e25 => Some(Status::Applies),
            _ => Some(Status::DoesNotApply),
        });
        assert_eq!(r, [("<= 1.00e25".to_string(), Status::DoesNotApply)]);
        // Undetermined between the two thresholds, as the EU fine-tune fallback is.
        let r = ranges(&p, Status::Applies, |t| match t {
            Threshold::Number(n) if n > 1e25 => Some(Status::Applies),
            Threshold::Number(n) if n > 1e23 => Some(Status::Undetermined),
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
