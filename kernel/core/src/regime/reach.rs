//! What a rule or computed value can depend on, found statically through blocks, derived values
//! and leaves: the facts it may read, the open questions it may raise and the blocks it may
//! evaluate. `juxta regime test --coverage` and `juxta regime lint` use it.

use super::compiled::Regime;
use super::ir::{BlockId, Cond, LeafId, ValueExpr, ValueId};
use crate::tri::{FactSet, QuestionSet};

/// Everything a condition may depend on.
#[derive(Clone, Debug, Default)]
pub struct Reach {
    /// Facts read or tested (`has()`, `present()`).
    pub facts: FactSet,
    /// Open questions it may name.
    pub questions: QuestionSet,
    /// Blocks it may evaluate, in first-visit order.
    pub blocks: Vec<BlockId>,
    /// Whether a custom function may be called (its result is not known statically).
    pub calls: bool,
    /// Leaves it may evaluate, through blocks and derived values, in first-visit order.
    pub leaves: Vec<LeafId>,
}

impl Reach {
    /// Whether the result can be undetermined: it reads a fact a profile may leave out, or it
    /// may name an open question, or it calls a custom function.
    pub fn can_be_undetermined(&self, regime: &Regime) -> bool {
        let schema = regime.schema();
        !self.questions.is_empty()
            || self.calls
            || self.facts.iter().any(|id| {
                let f = schema.fact(id);
                !f.required && f.kind != crate::schema::FactKind::Presence
            })
    }

    /// Whether the result is a constant: it reads no fact and names no open question.
    pub fn is_constant(&self) -> bool {
        self.facts.is_empty() && self.questions.is_empty() && !self.calls
    }
}

impl Regime {
    /// The worst-case cost, in steps ([`super::budget`]), of evaluating rule `index` for one profile:
    /// every leaf it can reach, blocks and derived values included.
    pub fn rule_cost(&self, index: usize) -> u64 {
        let Some(reach) = self.rule_reach(index) else {
            return 0;
        };
        // The reach holds each leaf once, those of derived values included.
        reach
            .leaves
            .iter()
            .filter_map(|l| self.leaves.get(*l))
            .fold(0u64, |acc, l| acc.saturating_add(l.cost))
    }

    /// What rule `index` may depend on.
    pub fn rule_reach(&self, index: usize) -> Option<Reach> {
        let rule = self.rules.get(index)?;
        let mut r = Reach::default();
        let mut seen_values = Vec::new();
        self.reach_cond(&rule.cond, &mut r, &mut seen_values);
        Some(r)
    }

    /// Adds what derived value `v` depends on to `r`.
    pub fn reach_value_of(&self, v: ValueId, r: &mut Reach) {
        let mut seen_values = vec![v];
        if let Some(def) = self.values.get(v) {
            self.reach_value(&def.expr, r, &mut seen_values);
        }
    }

    /// The facts a leaf depends on, through the derived values it reads.
    pub fn leaf_facts(&self, l: LeafId) -> crate::tri::FactSet {
        let mut r = Reach::default();
        let mut seen_values = Vec::new();
        self.reach_leaf(l, &mut r, &mut seen_values);
        r.facts
    }

    /// Every block some rule or computed value may evaluate.
    pub fn reachable_blocks(&self) -> Vec<BlockId> {
        let mut r = Reach::default();
        let mut seen_values = Vec::new();
        for rule in &self.rules {
            self.reach_cond(&rule.cond, &mut r, &mut seen_values);
        }
        for c in &self.computed {
            self.reach_cond(&c.when, &mut r, &mut seen_values);
            self.reach_value(&c.value, &mut r, &mut seen_values);
        }
        r.blocks
    }

    fn reach_cond(&self, c: &Cond, r: &mut Reach, seen_values: &mut Vec<ValueId>) {
        match c {
            Cond::Const(_) => {}
            Cond::And(xs) | Cond::Or(xs) => {
                for x in xs {
                    self.reach_cond(x, r, seen_values);
                }
            }
            Cond::Not(x) => self.reach_cond(x, r, seen_values),
            Cond::If(a, b, d) => {
                self.reach_cond(a, r, seen_values);
                self.reach_cond(b, r, seen_values);
                self.reach_cond(d, r, seen_values);
            }
            Cond::Fallback(a, b) => {
                self.reach_cond(a, r, seen_values);
                self.reach_cond(b, r, seen_values);
            }
            Cond::Block(b) => {
                if r.blocks.contains(b) {
                    return;
                }
                r.blocks.push(*b);
                let Some(block) = self.blocks.get(*b) else {
                    return;
                };
                self.reach_cond(&block.cond, r, seen_values);
                for (q, when) in &block.questions {
                    r.questions = r.questions.union(QuestionSet::single(*q));
                    if let Some(w) = when {
                        self.reach_cond(w, r, seen_values);
                    }
                }
            }
            Cond::Question(q) => r.questions = r.questions.union(QuestionSet::single(*q)),
            Cond::Present(id) => r.facts.insert(*id),
            Cond::Leaf(l) => self.reach_leaf(*l, r, seen_values),
        }
    }

    fn reach_value(&self, v: &ValueExpr, r: &mut Reach, seen_values: &mut Vec<ValueId>) {
        match v {
            ValueExpr::If(c, a, b) => {
                self.reach_cond(c, r, seen_values);
                self.reach_value(a, r, seen_values);
                self.reach_value(b, r, seen_values);
            }
            ValueExpr::Fallback(a, b) | ValueExpr::Extreme(_, a, b) => {
                self.reach_value(a, r, seen_values);
                self.reach_value(b, r, seen_values);
            }
            ValueExpr::Leaf(l) => self.reach_leaf(*l, r, seen_values),
        }
    }

    fn reach_leaf(&self, l: LeafId, r: &mut Reach, seen_values: &mut Vec<ValueId>) {
        let Some(leaf) = self.leaves.get(l) else {
            return;
        };
        if !r.leaves.contains(&l) {
            r.leaves.push(l);
        }
        r.facts = r.facts.union(leaf.reads).union(leaf.tests);
        if !self.functions.is_empty()
            && self
                .functions
                .iter()
                .any(|f| leaf.text.contains(&format!("{}(", f.name)))
        {
            r.calls = true;
        }
        for v in &leaf.values {
            if seen_values.contains(v) {
                continue;
            }
            seen_values.push(*v);
            if let Some(def) = self.values.get(*v) {
                self.reach_value(&def.expr, r, seen_values);
            }
        }
    }
}
