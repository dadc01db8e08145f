//! The host's budget for the CEL a plugin hands over.
//!
//! The WebAssembly sandbox bounds what a plugin's code may do, but its manifest's expressions
//! are parsed, checked and evaluated by the host, outside fuel, deadline and memory cap. So the
//! host bounds them itself, in three lines, as Kubernetes bounds the CEL of admission policies:
//!
//! 1. **Before parsing** ([`precheck`]): an expression's length, its tokens and its bracket
//!    nesting, so that no parser recursion and no allocation grows with a hostile input.
//!    Compilation runs on a thread with a known, large stack ([`COMPILE_STACK_BYTES`]); after
//!    parsing, an expression deeper than [`MAX_EXPRESSION_DEPTH`] is refused, so every later
//!    recursive pass (checking, lowering, evaluating, explaining) is bounded too, and blocks and
//!    values may refer to one another at most [`MAX_REFERENCE_DEPTH`] deep.
//! 2. **At load** ([`Estimator`]): a worst-case cost and result size for every leaf, from the
//!    schema's limits (a string fact is at most [`MAX_STRING_BYTES`], a list fact at most
//!    [`MAX_LIST_ITEMS`] items), the parameters' actual sizes and the derived values' own
//!    estimates; a leaf over [`MAX_LEAF_COST`] or [`MAX_RESULT_SIZE`], or a regime whose leaves
//!    together exceed [`MAX_REGIME_COST`] per profile, is refused as that regime's failed column,
//!    naming the item and the cost. The cost unit is one step of evaluation: a node evaluated,
//!    or a byte or item copied, compared or searched.
//! 3. **At run time**: the native evaluator counts its steps and the interpreter its operator
//!    calls, each stopping a leaf at [`RUN_TIME_STEPS`], and no string or list may grow past
//!    [`MAX_RESULT_SIZE`]: should the estimate ever be wrong, the leaf fails with a clear error
//!    instead of running on.
//!
//! The bundled regimes' most expensive leaf costs a few hundred steps: the budget is four
//! orders of magnitude above anything a statute needs, and far below what would hang a batch.

use std::collections::HashMap;

use cel::IdedExpr;
use cel::common::ast::{EntryExpr, Expr, LiteralValue};
use juxta_sdk::schema::{FactType, MAX_LIST_ITEMS, MAX_STRING_BYTES};

use super::builtins::{self, Cost};
use super::names::Names;
use crate::schema::FactKind;
use crate::value::Value;

/// Longest expression accepted, in bytes of source.
pub const MAX_EXPRESSION_BYTES: usize = 16 * 1024;
/// Largest expression accepted, in AST nodes.
pub const MAX_EXPRESSION_NODES: usize = 500;
/// Deepest nesting of comprehensions (`exists`, `all`, `map`, `filter`) accepted.
pub const MAX_COMPREHENSION_DEPTH: usize = 2;
/// Most tokens (names, literals, operators, brackets) in one expression: twice the node limit.
pub const MAX_EXPRESSION_TOKENS: usize = 2 * MAX_EXPRESSION_NODES;
/// Deepest bracket nesting accepted in the source.
pub const MAX_EXPRESSION_NESTING: usize = 24;
/// Deepest expression tree accepted after parsing.
pub const MAX_EXPRESSION_DEPTH: usize = 64;
/// Deepest chain of blocks and values referring to one another.
pub const MAX_REFERENCE_DEPTH: usize = 64;
/// The stack compilation runs on: the CEL parser recurses by bracket depth and, in an
/// unoptimised build, takes over 150 KiB of stack a level.
pub const COMPILE_STACK_BYTES: usize = 64 << 20;
/// Worst-case cost of one leaf.
pub const MAX_LEAF_COST: u64 = 1_000_000;
/// Worst-case cost of all of a regime's leaves, evaluated once each for one profile.
pub const MAX_REGIME_COST: u64 = 10_000_000;
// The largest string or list an expression may produce is enforced at run time by the exact
// interpreter, which owns it; the estimator holds every leaf to it too.
pub use crate::exact::MAX_RESULT_SIZE;
/// Steps one leaf may take at run time before it is stopped.
pub const RUN_TIME_STEPS: u64 = 10 * MAX_LEAF_COST;
// The limits on parameter values live with the parameters, which are compiled before any name
// can be resolved; they are part of the budget all the same.
pub use super::params::{MAX_PARAMETER_ITEMS, MAX_PARAMETER_STRING_BYTES};

/// Checks an expression's source before it is parsed: length, tokens, bracket nesting.
pub fn precheck(text: &str) -> Result<(), String> {
    if text.len() > MAX_EXPRESSION_BYTES {
        return Err(format!(
            "expression of {} bytes exceeds the limit of {MAX_EXPRESSION_BYTES}",
            text.len()
        ));
    }
    let b = text.as_bytes();
    let (mut i, mut tokens, mut depth, mut deepest) = (0, 0usize, 0usize, 0usize);
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'"' | b'\'' => {
                // A string literal (triple-quoted or not), escapes skipped: one token.
                let triple = b.get(i..i + 3) == Some(&[c, c, c][..]);
                i += if triple { 3 } else { 1 };
                loop {
                    match b.get(i) {
                        None => break,
                        Some(b'\\') => i += 2,
                        Some(&q)
                            if q == c && (!triple || b.get(i..i + 3) == Some(&[c, c, c][..])) =>
                        {
                            i += if triple { 3 } else { 1 };
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
                tokens += 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 => {
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric()
                        || b[i] == b'_'
                        || b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)
                        || b[i] >= 0x80)
                {
                    i += 1;
                }
                tokens += 1;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
                tokens += 1;
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                tokens += 1;
                i += 1;
            }
            _ => {
                tokens += 1;
                i += 1;
            }
        }
        if deepest > MAX_EXPRESSION_NESTING {
            return Err(format!(
                "brackets nested deeper than {MAX_EXPRESSION_NESTING} levels"
            ));
        }
        if tokens > MAX_EXPRESSION_TOKENS {
            return Err(format!(
                "expression of more than {MAX_EXPRESSION_TOKENS} tokens exceeds the limit"
            ));
        }
    }
    Ok(())
}

/// The depth of an expression tree, counted without recursion.
pub fn depth(e: &IdedExpr) -> usize {
    let mut deepest = 0;
    let mut stack: Vec<(&IdedExpr, usize)> = vec![(e, 1)];
    while let Some((e, d)) = stack.pop() {
        deepest = deepest.max(d);
        children(e, &mut |c| stack.push((c, d + 1)));
    }
    deepest
}

fn children<'e>(e: &'e IdedExpr, f: &mut impl FnMut(&'e IdedExpr)) {
    match &e.expr {
        Expr::Call(c) => {
            if let Some(t) = &c.target {
                f(t);
            }
            c.args.iter().for_each(&mut *f);
        }
        Expr::Select(s) => f(&s.operand),
        Expr::Comprehension(c) => {
            f(&c.iter_range);
            f(&c.accu_init);
            f(&c.loop_cond);
            f(&c.loop_step);
            f(&c.result);
        }
        Expr::List(l) => l.elements.iter().for_each(&mut *f),
        Expr::Map(m) => {
            for entry in &m.entries {
                if let EntryExpr::MapEntry(me) = &entry.expr {
                    f(&me.key);
                    f(&me.value);
                }
            }
        }
        Expr::Struct(s) => {
            for entry in &s.entries {
                if let EntryExpr::StructField(sf) = &entry.expr {
                    f(&sf.value);
                }
            }
        }
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

/// A worst-case estimate: the cost of evaluating an expression, and the size of its result
/// (bytes of a string, items of a list, 1 for anything else) and of each item of a list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Estimate {
    /// Steps.
    pub cost: u64,
    /// Bytes of a string, items of a list or map; 1 otherwise.
    pub size: u64,
    /// The size of each item of a list (bytes of a string item).
    pub item: u64,
}

impl Estimate {
    fn scalar(cost: u64) -> Estimate {
        Estimate {
            cost,
            size: 1,
            item: 1,
        }
    }
}

/// Estimates leaves: the names of the regime, and the estimates of the derived values so far.
pub struct Estimator<'a, 'n> {
    names: &'a Names<'n>,
    /// Derived values by name.
    pub values: HashMap<String, Estimate>,
}

impl<'a, 'n> Estimator<'a, 'n> {
    /// An estimator for the regime whose names these are.
    pub fn new(names: &'a Names<'n>) -> Self {
        Estimator {
            names,
            values: HashMap::new(),
        }
    }

    /// The worst case of one expression (an estimate saturates instead of overflowing).
    pub fn estimate(&self, e: &IdedExpr) -> Estimate {
        self.est(e, &mut Vec::new(), 0)
    }

    fn est(&self, e: &IdedExpr, scope: &mut Vec<(String, Estimate)>, depth: usize) -> Estimate {
        // Depth is bounded by MAX_EXPRESSION_DEPTH before this runs; this is a second guard.
        if depth > 2 * MAX_EXPRESSION_DEPTH {
            return Estimate {
                cost: u64::MAX,
                size: u64::MAX,
                item: u64::MAX,
            };
        }
        let sub = |me: &Self, x: &IdedExpr, scope: &mut Vec<(String, Estimate)>| {
            me.est(x, scope, depth + 1)
        };
        match &e.expr {
            Expr::Literal(LiteralValue::String(s)) => Estimate {
                cost: 1,
                size: s.inner().len() as u64,
                item: 1,
            },
            Expr::Literal(LiteralValue::Bytes(b)) => Estimate {
                cost: 1,
                size: b.inner().len() as u64,
                item: 1,
            },
            Expr::Literal(_) => Estimate::scalar(1),
            Expr::Ident(name) => {
                if let Some((_, est)) = scope.iter().rev().find(|(n, _)| n == name) {
                    return Estimate { cost: 1, ..*est };
                }
                match self.values.get(name) {
                    Some(v) => Estimate { cost: 1, ..*v },
                    // A table as a map: as many entries as it has fields.
                    None => match self.names.schema.table_index(name) {
                        Some(t) => Estimate {
                            cost: 1,
                            size: self.names.schema.fields_of(t).count() as u64,
                            item: MAX_STRING_BYTES as u64,
                        },
                        None => Estimate::scalar(1),
                    },
                }
            }
            Expr::Select(s) => {
                if let Expr::Ident(root) = &s.operand.expr
                    && !scope.iter().any(|(n, _)| n == root)
                {
                    if root == "params" {
                        return self.parameter(&s.field);
                    }
                    if let Some(id) = self.names.schema.lookup(&format!("{root}.{}", s.field)) {
                        return fact_size(self.names.schema.fact(id).kind);
                    }
                }
                let operand = sub(self, &s.operand, scope);
                Estimate {
                    cost: operand.cost.saturating_add(1),
                    size: operand.item,
                    item: 1,
                }
            }
            Expr::List(l) => {
                let mut cost = 1u64;
                let mut item = 1u64;
                for x in &l.elements {
                    let ex = sub(self, x, scope);
                    cost = cost.saturating_add(ex.cost);
                    item = item.max(ex.size);
                }
                Estimate {
                    cost,
                    size: l.elements.len() as u64,
                    item,
                }
            }
            Expr::Map(m) => {
                let mut cost = 1u64;
                for entry in &m.entries {
                    if let EntryExpr::MapEntry(me) = &entry.expr {
                        cost = cost
                            .saturating_add(sub(self, &me.key, scope).cost)
                            .saturating_add(sub(self, &me.value, scope).cost);
                    }
                }
                Estimate {
                    cost,
                    size: m.entries.len() as u64,
                    item: MAX_RESULT_SIZE,
                }
            }
            Expr::Struct(_) | Expr::Unspecified => Estimate::scalar(1),
            Expr::Call(c) => {
                let args: Vec<Estimate> = c
                    .target
                    .iter()
                    .map(|t| &**t)
                    .chain(&c.args)
                    .map(|a| sub(self, a, scope))
                    .collect();
                let cost = args.iter().fold(1u64, |acc, a| acc.saturating_add(a.cost));
                let (a, b) = (
                    args.first().copied().unwrap_or_default(),
                    args.get(1).copied().unwrap_or_default(),
                );
                let name = c.func_name.as_str();
                // Leaves are estimated as the interpreter runs them, with `max` as `__juxta_max`.
                let builtin = builtins::find(crate::exact::replaced(name)).map(|b| b.cost);
                match (name, builtin) {
                    // Concatenation copies both sides.
                    ("_+_" | "__juxta_add", _) => Estimate {
                        cost: cost.saturating_add(a.size).saturating_add(b.size),
                        size: a.size.saturating_add(b.size),
                        item: a.item.max(b.item),
                    },
                    // Comparing or searching strings and lists walks them.
                    (
                        "_==_" | "_!=_" | "__juxta_eq" | "__juxta_ne" | "_<_" | "_<=_" | "_>_"
                        | "_>=_" | "__juxta_lt" | "__juxta_le" | "__juxta_gt" | "__juxta_ge",
                        _,
                    ) => Estimate::scalar(cost.saturating_add(a.size.min(b.size))),
                    ("@in" | "__juxta_in", _) => {
                        Estimate::scalar(cost.saturating_add(b.size.saturating_mul(b.item.max(1))))
                    }
                    (_, Some(Cost::Search)) => {
                        Estimate::scalar(cost.saturating_add(a.size.saturating_mul(b.size.max(1))))
                    }
                    // A regular expression is compiled (bounded by its length) and run in linear
                    // time by the `regex` crate.
                    (_, Some(Cost::Pattern)) => Estimate::scalar(
                        cost.saturating_add(a.size)
                            .saturating_add(b.size.saturating_mul(64)),
                    ),
                    (_, Some(Cost::Text)) => Estimate {
                        cost: cost.saturating_add(64),
                        size: a.size.max(64),
                        item: 1,
                    },
                    ("_?_:_", _) => {
                        let z = args.get(2).copied().unwrap_or_default();
                        Estimate {
                            cost,
                            size: b.size.max(z.size),
                            item: b.item.max(z.item),
                        }
                    }
                    ("_[_]", _) => Estimate {
                        cost,
                        size: a.item,
                        item: 1,
                    },
                    // Reads every holiday, then walks the calendar: each weekday holiday
                    // lengthens the walk, and each day is searched among the holidays.
                    (_, Some(Cost::Calendar)) => {
                        let holidays = args.get(2).map_or(1, |h| h.size.max(1));
                        let days = (super::builtins::MAX_BUSINESS_DAYS as u64)
                            .saturating_add(holidays)
                            .saturating_mul(7)
                            / 5
                            + 2;
                        let search = u64::from(64 - holidays.leading_zeros()) + 1;
                        Estimate::scalar(
                            cost.saturating_add(holidays)
                                .saturating_add(days.saturating_mul(search)),
                        )
                    }
                    (_, Some(Cost::Either)) => Estimate {
                        cost,
                        size: a.size.max(b.size),
                        item: 1,
                    },
                    // A plugin's function runs in the sandbox, with fuel; its result (a number,
                    // boolean, date or string) is at most the sandbox's result cap.
                    _ if self.names.functions.contains_key(name) => Estimate {
                        cost: cost.saturating_add(1_000),
                        size: 1 << 20,
                        item: 1,
                    },
                    _ => Estimate::scalar(cost),
                }
            }
            Expr::Comprehension(c) => {
                let range = sub(self, &c.iter_range, scope);
                let init = sub(self, &c.accu_init, scope);
                scope.push((
                    c.iter_var.clone(),
                    Estimate {
                        cost: 1,
                        size: range.item,
                        item: 1,
                    },
                ));
                if let Some(v2) = &c.iter_var2 {
                    scope.push((v2.clone(), Estimate::scalar(1)));
                }
                // The accumulator of `map` and `filter` grows to the range's size.
                let list_result = matches!(&c.accu_init.expr, Expr::List(_));
                let accu = if list_result {
                    Estimate {
                        cost: 1,
                        size: range.size,
                        item: range.item.max(init.item),
                    }
                } else {
                    init
                };
                scope.push((c.accu_var.clone(), accu));
                let cond = sub(self, &c.loop_cond, scope);
                let step = sub(self, &c.loop_step, scope);
                let result = sub(self, &c.result, scope);
                scope.pop();
                if c.iter_var2.is_some() {
                    scope.pop();
                }
                scope.pop();
                let per_item = cond.cost.saturating_add(step.cost);
                Estimate {
                    cost: range
                        .cost
                        .saturating_add(init.cost)
                        .saturating_add(range.size.saturating_mul(per_item))
                        .saturating_add(result.cost),
                    size: if list_result { range.size } else { result.size },
                    item: if list_result {
                        step.item.max(range.item)
                    } else {
                        result.item
                    },
                }
            }
        }
    }

    /// A parameter's actual size: its longest string or longest list over its dated values.
    fn parameter(&self, name: &str) -> Estimate {
        let Some(p) = self.names.params.get(name) else {
            return Estimate::scalar(1);
        };
        let mut est = Estimate::scalar(1);
        for v in &p.values {
            match &v.value {
                Value::Text(s) => est.size = est.size.max(s.len() as u64),
                Value::List(items) => {
                    est.size = est.size.max(items.len() as u64);
                    let longest = items.iter().map(String::len).max().unwrap_or(1);
                    est.item = est.item.max(longest as u64);
                }
                Value::Dates(days) => est.size = est.size.max(days.len() as u64),
                _ => {}
            }
        }
        est
    }
}

/// The largest value a fact of this kind can hold, by the schema's limits.
fn fact_size(kind: FactKind) -> Estimate {
    match kind {
        FactKind::Field(FactType::String) => Estimate {
            cost: 1,
            size: MAX_STRING_BYTES as u64,
            item: 1,
        },
        FactKind::Field(FactType::StringList) => Estimate {
            cost: 1,
            size: MAX_LIST_ITEMS as u64,
            item: MAX_STRING_BYTES as u64,
        },
        FactKind::Field(FactType::EnumList(values)) => Estimate {
            cost: 1,
            size: MAX_LIST_ITEMS as u64,
            item: values.iter().map(|v| v.len()).max().unwrap_or(1) as u64,
        },
        FactKind::Field(FactType::Enum(values)) => Estimate {
            cost: 1,
            size: values.iter().map(|v| v.len()).max().unwrap_or(1) as u64,
            item: 1,
        },
        _ => Estimate::scalar(1),
    }
}

/// A number for people: `2.5e9`, `120000`.
pub fn shown(n: u64) -> String {
    if n == u64::MAX {
        "more than 1.8e19".into()
    } else if n >= 1_000_000 {
        format!("{:.1e}", n as f64)
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_is_bounded_before_parsing() {
        assert!(precheck("a + b").is_ok());
        assert!(
            precheck(&vec!["a"; 2000].join(" + "))
                .unwrap_err()
                .contains("tokens")
        );
        assert!(
            precheck(&format!("{}a{}", "(".repeat(30), ")".repeat(30)))
                .unwrap_err()
                .contains("nested deeper than 24")
        );
        assert!(precheck(&"x".repeat(20_000)).unwrap_err().contains("bytes"));
        // Brackets and operators inside string literals are text, not structure.
        assert!(precheck(&format!("s == '{}'", "((((+".repeat(100))).is_ok());
        assert!(precheck("m.matches(\"\\\\d+(\")").is_ok());
    }
}
