//! The phase that estimates every leaf's worst-case cost and result size (see
//! [`budget`](crate::regime::budget)) and refuses what exceeds the budget, naming the item.

use super::compiler::{Compiler, Items};
use crate::regime::ir::{Cond, LeafId, ValueExpr, ValueId};
use crate::regime::names::Names;
use crate::regime::source::{Item, ItemKind, Problem, ProblemKind};

impl Compiler<'_> {
    /// Estimates every leaf's worst-case cost and result size and refuses what exceeds the
    /// budget, naming the item: a derived value's estimate, in dependency order, is what the
    /// leaves reading it see.
    pub(super) fn budget(&mut self, names: &Names<'_>, items: &Items, value_order: &[ValueId]) {
        use crate::regime::budget::{
            Estimate, Estimator, MAX_LEAF_COST, MAX_REGIME_COST, MAX_RESULT_SIZE, shown,
        };
        // Who owns each leaf, for messages.
        let mut owner: Vec<Option<Item>> = vec![None; self.leaves.len()];
        let mut mark = |ls: Vec<LeafId>, item: &Item| {
            for l in ls {
                if let Some(slot) = owner.get_mut(l)
                    && slot.is_none()
                {
                    *slot = Some(item.clone());
                }
            }
        };
        let cond_leaves = |c: &Cond| {
            let mut ls = Vec::new();
            c.leaves(&mut ls);
            ls
        };
        let value_leaves = |v: &ValueExpr| {
            let (mut bs, mut ls) = (Vec::new(), Vec::new());
            v.parts(&mut bs, &mut ls);
            ls
        };
        for b in &items.blocks {
            mark(cond_leaves(&b.cond), &Item::new(ItemKind::Block, &b.name));
            for (_, w) in &b.questions {
                if let Some(w) = w {
                    mark(cond_leaves(w), &Item::new(ItemKind::Block, &b.name));
                }
            }
        }
        for v in &items.values {
            mark(value_leaves(&v.expr), &Item::new(ItemKind::Value, &v.name));
        }
        for r in &items.rules {
            mark(cond_leaves(&r.cond), &Item::new(ItemKind::Rule, &r.id));
        }
        for c in &items.computed {
            mark(
                cond_leaves(&c.when),
                &Item::new(ItemKind::Computed, &c.name),
            );
            mark(
                value_leaves(&c.value),
                &Item::new(ItemKind::Computed, &c.name),
            );
        }

        let mut est = Estimator::new(names);
        let mut estimates: Vec<Option<Estimate>> = vec![None; self.leaves.len()];
        for &v in value_order {
            let mut worst = Estimate::default();
            for l in value_leaves(&items.values[v].expr) {
                if let Some(leaf) = self.leaves.get(l) {
                    let e = est.estimate(&leaf.expr);
                    worst.cost = worst.cost.max(e.cost);
                    worst.size = worst.size.max(e.size);
                    worst.item = worst.item.max(e.item);
                    estimates[l] = Some(e);
                }
            }
            est.values.insert(items.values[v].name.clone(), worst);
        }
        let mut total: u64 = 0;
        let mut over_budget = 0usize;
        for (l, leaf) in self.leaves.iter_mut().enumerate() {
            let e = estimates[l].unwrap_or_else(|| est.estimate(&leaf.expr));
            leaf.cost = e.cost;
            total = total.saturating_add(e.cost);
            let item = owner[l]
                .clone()
                .unwrap_or_else(|| Item::whole(ItemKind::Manifest));
            let over = |what: &str, value: u64, limit: u64| {
                Problem {
                kind: ProblemKind::Budget,
                item: item.clone(),
                span: None,
                expression: Some(leaf.text.chars().take(240).collect()),
                message: format!(
                    "worst-case {what} of {} exceeds the budget of {}",
                    shown(value),
                    shown(limit)
                ),
                help: Some(
                    "the estimate follows the schema's limits and the parameters' sizes: shorten the lists it iterates, or nest fewer comprehensions".into(),
                ),
            }
            };
            // A few are enough to see what is wrong: a chain of values over budget would
            // otherwise name every link.
            if over_budget < 8 && e.cost > MAX_LEAF_COST {
                self.problems.push(over("cost", e.cost, MAX_LEAF_COST));
            } else if over_budget < 8 && e.size > MAX_RESULT_SIZE {
                self.problems
                    .push(over("result size", e.size, MAX_RESULT_SIZE));
            }
            if e.cost > MAX_LEAF_COST || e.size > MAX_RESULT_SIZE {
                over_budget += 1;
            }
        }
        if over_budget > 8 {
            self.problems.push(Problem::new(
                Item::whole(ItemKind::Manifest),
                &format!("… and {} more expressions over the budget", over_budget - 8),
            ));
        }
        if total > MAX_REGIME_COST && self.problems.is_empty() {
            self.problems.push(Problem::new(
                Item::whole(ItemKind::Manifest),
                &format!(
                    "the regime's expressions together cost up to {} steps per profile, over the budget of {}",
                    shown(total),
                    shown(MAX_REGIME_COST)
                ),
            ));
        }
    }
}
