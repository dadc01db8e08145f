//! The phases that lower the manifest's expressions: blocks, derived values, computed values and
//! rules, in that order, each item's expressions through one [`Lowerer`]; then the reason
//! templates of blocks, which may name only what exists.

use std::collections::HashSet;

use juxta_sdk::manifest::ValueType;

use super::compiler::Compiler;
use super::declare::is_item_id;
use crate::diag::did_you_mean;
use crate::regime::compiled::{Block, Computed, DerivedValue, Rule, placeholders};
use crate::regime::ir::{Cond, ValueExpr};
use crate::regime::lower::Lowerer;
use crate::regime::names::Names;
use crate::regime::source::{Item, ItemKind, Problem, ProblemKind};
use crate::regime::types::Ty;

impl<'a> Compiler<'a> {
    /// A lowerer for the expressions of one item, adding to the problems and leaves found so far.
    fn lowerer<'s, 'n>(&'s mut self, names: &'s Names<'n>, item: &'s Item) -> Lowerer<'s, 'n> {
        Lowerer::new(
            names,
            &self.env,
            item,
            self.source,
            &mut self.problems,
            &mut self.leaves,
            self.parses,
        )
    }

    /// The blocks: their conditions, and the open questions they name (each only `when` its
    /// condition holds, if it has one).
    pub(super) fn blocks(&mut self, names: &Names<'_>) -> Vec<Block> {
        let mut blocks = Vec::new();
        for (name, b) in self.manifest.blocks.iter() {
            let item = Item::new(ItemKind::Block, name);
            let mut lw = self.lowerer(names, &item);
            let cond = lw.condition(&b.condition);
            let ast = lw.last_root.take().unwrap_or_default();
            let mut questions = Vec::new();
            let mut unknown_questions = Vec::new();
            for q in &b.open_questions {
                let when = q.when.as_ref().and_then(|w| lw.condition(w));
                match names.questions.get(&q.id) {
                    Some(&qid) => questions.push((qid, when)),
                    None => {
                        let help = did_you_mean(&q.id, names.questions.keys().map(String::as_str))
                            .map(|d| format!("did you mean `{d}`?"));
                        unknown_questions.push(Problem {
                            kind: ProblemKind::Compile,
                            item: item.clone(),
                            span: None,
                            expression: None,
                            message: format!("unknown open question `{}`", q.id),
                            help,
                        });
                    }
                }
            }
            self.problems.extend(unknown_questions);
            blocks.push(Block {
                name: name.to_string(),
                title: b.title.clone(),
                basis: b.basis.clone(),
                source: b.condition.get_ref().trim().to_string(),
                if_true: b.if_true.clone(),
                if_false: b.if_false.clone(),
                if_undetermined: b.if_undetermined.clone(),
                cond: cond.unwrap_or(Cond::Const(false)),
                ast,
                questions,
            });
        }
        blocks
    }

    /// The derived values, each an expression of its declared type.
    pub(super) fn values(&mut self, names: &Names<'_>) -> Vec<DerivedValue> {
        let mut values = Vec::new();
        for (name, v) in self.manifest.values.iter() {
            let item = Item::new(ItemKind::Value, name);
            let mut lw = self.lowerer(names, &item);
            let expr = lw.value(&v.value, &Ty::of_value(v.ty));
            let ast = lw.last_root.take().unwrap_or_default();
            values.push(DerivedValue {
                name: name.to_string(),
                title: v.title.clone(),
                ty: v.ty,
                unit: v.unit.clone(),
                source: v.value.get_ref().trim().to_string(),
                expr: expr.unwrap_or(ValueExpr::Leaf(0)),
                ast,
            });
        }
        values
    }

    /// The computed values: a condition, and a date or a number.
    pub(super) fn computed(&mut self, names: &Names<'_>) -> Vec<Computed> {
        let mut computed = Vec::new();
        for (name, c) in self.manifest.computed.iter() {
            let item = Item::new(ItemKind::Computed, name);
            let mut lw = self.lowerer(names, &item);
            let when = lw.condition(&c.when);
            let when_ast = lw.last_root.take().unwrap_or_default();
            let value = lw.value(&c.value, &Ty::of_value(c.ty));
            let value_ast = lw.last_root.take().unwrap_or_default();
            if !matches!(
                c.ty,
                ValueType::Date | ValueType::Datetime | ValueType::Number
            ) {
                self.problems.push(Problem::new(
                    item.clone(),
                    "a computed value is a `date`, a `datetime` or a `number`",
                ));
            }
            computed.push(Computed {
                name: name.to_string(),
                title: c.title.clone(),
                ty: c.ty,
                unit: c.unit.clone(),
                citation: c.citation.clone(),
                mode: c.if_condition_undetermined,
                when_source: c.when.get_ref().clone(),
                value_source: c.value.get_ref().clone(),
                when: when.unwrap_or(Cond::Const(false)),
                value: value.unwrap_or(ValueExpr::Leaf(0)),
                when_ast,
                value_ast,
            });
        }
        computed
    }

    /// The rules: a unique, plain id, a citation, a condition, and a deadline among `computed`.
    pub(super) fn rules(&mut self, names: &Names<'_>, computed: &[Computed]) -> Vec<Rule> {
        let mut rules = Vec::new();
        let mut seen = HashSet::new();
        for r in &self.manifest.rules {
            let item = Item::new(ItemKind::Rule, r.id.clone());
            if !is_item_id(&r.id) {
                self.problems.push(Problem::new(
                    item.clone(),
                    "a rule id is 1 to 64 letters, digits, `-`, `_` and `.`, starting with a letter or digit (such as `EU-OBL-53-1a`)",
                ));
            }
            if !seen.insert(r.id.clone()) {
                self.problems.push(Problem::of(
                    ProblemKind::DuplicateRuleId,
                    item.clone(),
                    "duplicate rule id",
                ));
            }
            if r.citation.trim().is_empty() {
                self.problems.push(Problem::of(
                    ProblemKind::MissingCitation,
                    item.clone(),
                    "a rule must carry its citation",
                ));
            }
            let due = match &r.due {
                None => None,
                Some(d) => match computed.iter().position(|c| &c.name == d) {
                    Some(i) => Some(i),
                    None => {
                        let help = did_you_mean(d, computed.iter().map(|c| c.name.as_str()))
                            .map(|s| format!("did you mean `{s}`?"));
                        self.problems.push(Problem {
                            kind: ProblemKind::Compile,
                            item: item.clone(),
                            span: None,
                            expression: None,
                            message: format!("`due` names no computed value `{d}`"),
                            help,
                        });
                        None
                    }
                },
            };
            let mut lw = self.lowerer(names, &item);
            let cond = lw.condition(&r.condition);
            let ast = lw.last_root.take().unwrap_or_default();
            rules.push(Rule {
                id: r.id.clone(),
                kind: r.kind,
                title: r.title.clone(),
                citation: r.citation.clone(),
                provenance: r.provenance.clone(),
                counterparts: r.counterparts.clone(),
                summary: r.summary.clone(),
                due,
                status: r.status.clone(),
                note: r.note.clone(),
                source: r.condition.get_ref().trim().to_string(),
                cond: cond.unwrap_or(Cond::Const(false)),
                ast,
            });
        }
        rules
    }

    /// The reason templates of blocks name only facts this regime may read, derived values and
    /// parameters.
    pub(super) fn reasons(&mut self, names: &Names<'_>, blocks: &[Block]) {
        for b in blocks {
            for text in [&b.if_true, &b.if_false, &b.if_undetermined]
                .into_iter()
                .flatten()
            {
                for name in placeholders(text) {
                    if !names.placeholder_known(&name) {
                        self.problems.push(Problem::new(Item::new(ItemKind::Block, b.name.clone()), &format!("reason `{text}` names `{{{name}}}`, which is no fact, value or parameter")));
                    }
                }
            }
        }
    }
}
