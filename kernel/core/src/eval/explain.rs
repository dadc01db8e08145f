//! Plain-language explanations of rule outcomes, built from the evaluation itself.
//!
//! Blocks carry reason phrases (`if_true`, `if_false`). An explanation collects the phrases of
//! the parts that decided the result: for "does not apply", the first conjunct that failed; for
//! "applies", every conjunct that held; for "undetermined", the undetermined parts, followed by
//! the missing facts and open questions. The walk reads only memoised outcomes: it never runs
//! the interpreter again.

use super::{Evaluation, Facts};
use crate::regime::ir::Cond;
use crate::regime::{Regime, placeholders};
use crate::tri::{FactSet, Outcome, QuestionSet, Truth, fold};
use crate::value::Value;

/// The explanation of rule `index` of `regime` in `ev`.
pub fn rule_explanation(
    regime: &Regime,
    ev: &Evaluation,
    facts: &Facts<'_>,
    index: usize,
) -> String {
    let Some(rule) = regime.rules.get(index) else {
        return String::new();
    };
    let Some(outcome) = ev.rules.get(index) else {
        return String::new();
    };
    let walker = Walker { regime, ev, facts };
    let mut reasons = Vec::new();
    walker.reasons(&rule.cond, walker.outcome(&rule.cond).truth, &mut reasons);
    let mut unique: Vec<String> = Vec::new();
    for r in reasons {
        if !unique.contains(&r) {
            unique.push(r);
        }
    }
    let joined = unique.join("; ");
    match outcome.truth {
        Truth::True if joined.is_empty() => rule.summary.clone(),
        Truth::True => format!("{joined} → {}", rule.summary),
        Truth::False if joined.is_empty() => format!(
            "does not apply — its condition `{}` does not hold",
            rule.source
        ),
        Truth::False => format!("does not apply — {joined}"),
        Truth::Unknown => {
            let mut parts = Vec::new();
            if !joined.is_empty() {
                parts.push(joined);
            }
            let missing = regime.schema().paths(outcome.missing);
            if !missing.is_empty() {
                parts.push(format!("missing: {}", missing.join(", ")));
            }
            // Each open question with its words, never a bare id.
            let open: Vec<String> = regime
                .question_ids(outcome.open)
                .into_iter()
                .map(|id| match regime.questions.iter().find(|q| q.id == id) {
                    Some(q) => format!("{id} ({})", q.question.trim_end_matches('.')),
                    None => id,
                })
                .collect();
            if !open.is_empty() {
                parts.push(format!("open question(s) of the law: {}", open.join("; ")));
            }
            format!("undetermined — {}", parts.join("; "))
        }
    }
}

/// Renders `{path}` placeholders with the profile's facts, derived values and parameters.
pub fn render(template: &str, regime: &Regime, ev: &Evaluation, facts: &Facts<'_>) -> String {
    let mut out = template.to_string();
    for name in placeholders(template) {
        let value = if let Some(p) = name.strip_prefix("params.") {
            regime
                .params
                .iter()
                .find(|x| x.name == p)
                .map(|x| x.at(ev.as_of).value.to_string())
        } else if let Some(id) = regime.schema().lookup(&name) {
            facts.profile().get(id).map(Value::to_string)
        } else if let Some(i) = regime.values.iter().position(|v| v.name == name) {
            match ev.values.get(i).cloned().flatten() {
                Some(super::ValueOutcome::Known { value, .. }) => Some(value.to_string()),
                _ => None,
            }
        } else {
            None
        };
        out = out.replace(
            &format!("{{{name}}}"),
            &value.unwrap_or_else(|| "unknown".into()),
        );
    }
    out
}

pub(super) struct Walker<'a> {
    pub(super) regime: &'a Regime,
    pub(super) ev: &'a Evaluation,
    pub(super) facts: &'a Facts<'a>,
}

impl Walker<'_> {
    /// The outcome of a node, recomputed from memoised blocks and leaves.
    pub(super) fn outcome(&self, c: &Cond) -> Outcome {
        let unknown = Outcome::unknown(FactSet::EMPTY, QuestionSet::EMPTY, FactSet::EMPTY);
        match c {
            Cond::Const(b) => Outcome::decided(*b, FactSet::EMPTY),
            Cond::And(xs) => {
                fold::<()>(false, xs.iter().map(|x| Ok(self.outcome(x)))).unwrap_or(unknown)
            }
            Cond::Or(xs) => {
                fold::<()>(true, xs.iter().map(|x| Ok(self.outcome(x)))).unwrap_or(unknown)
            }
            Cond::Not(x) => !self.outcome(x),
            Cond::If(c, a, b) => match self.outcome(c).truth {
                Truth::True => self.outcome(a),
                Truth::False => self.outcome(b),
                Truth::Unknown => {
                    let (oa, ob) = (self.outcome(a), self.outcome(b));
                    if oa.truth == ob.truth { oa } else { unknown }
                }
            },
            Cond::Fallback(a, b) => {
                let oa = self.outcome(a);
                if oa.truth != Truth::Unknown {
                    oa
                } else {
                    self.outcome(b)
                }
            }
            Cond::Block(b) => self.ev.block(*b).unwrap_or(unknown),
            Cond::Question(_) => unknown,
            Cond::Present(id) => Outcome::decided(
                matches!(self.facts.profile().get(*id), Some(Value::Bool(true))),
                FactSet::EMPTY,
            ),
            Cond::Leaf(l) => self.ev.leaves.get(*l).copied().flatten().unwrap_or(unknown),
        }
    }

    /// The phrases that decided `c`, whose outcome is `truth` (each node's outcome is found
    /// once, by its parent: recomputing it at every level made the walk quadratic in depth).
    fn reasons(&self, c: &Cond, truth: Truth, out: &mut Vec<String>) {
        match c {
            Cond::Block(b) => {
                let block = &self.regime.blocks[*b];
                let phrase = match truth {
                    Truth::True => block.if_true.as_deref(),
                    Truth::False => block.if_false.as_deref(),
                    Truth::Unknown => block.if_undetermined.as_deref(),
                };
                match phrase {
                    Some(p) => out.push(render(p, self.regime, self.ev, self.facts)),
                    None => self.reasons(&block.cond, self.outcome(&block.cond).truth, out),
                }
            }
            Cond::And(xs) | Cond::Or(xs) => {
                let dominant = if matches!(c, Cond::And(_)) {
                    Truth::False
                } else {
                    Truth::True
                };
                if truth == dominant {
                    if let Some(x) = xs.iter().find(|x| self.outcome(x).truth == dominant) {
                        self.reasons(x, dominant, out);
                    }
                } else {
                    for x in xs {
                        let t = self.outcome(x).truth;
                        if truth != Truth::Unknown || t == Truth::Unknown {
                            self.reasons(x, t, out);
                        }
                    }
                }
            }
            Cond::Not(x) => self.reasons(x, self.outcome(x).truth, out),
            Cond::If(cond, a, b) => {
                let tc = self.outcome(cond).truth;
                self.reasons(cond, tc, out);
                match tc {
                    Truth::True => self.reasons(a, self.outcome(a).truth, out),
                    Truth::False => self.reasons(b, self.outcome(b).truth, out),
                    Truth::Unknown => {
                        self.reasons(a, self.outcome(a).truth, out);
                        self.reasons(b, self.outcome(b).truth, out);
                    }
                }
            }
            Cond::Fallback(a, b) => {
                let ta = self.outcome(a).truth;
                if ta != Truth::Unknown {
                    self.reasons(a, ta, out);
                } else {
                    self.reasons(b, self.outcome(b).truth, out);
                }
            }
            Cond::Const(_) | Cond::Question(_) | Cond::Present(_) | Cond::Leaf(_) => {}
        }
    }
}
