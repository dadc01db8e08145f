//! Lowering and static checking: from a CEL expression in the manifest to the circuit of
//! [`super::ir`], rejecting at load what would fail or mislead at evaluation.
//!
//! The cel crate has no type checker; this module is ours. It resolves every name (facts by
//! schema path, `params.<name>`, blocks, values, functions), infers simple types, checks enum
//! spellings against the schema, and bounds the cost of what the interpreter will run
//! (expression size, comprehension nesting). Each problem names the manifest item and points
//! at the sub-expression, with a "did you mean" where one is close.
//!
//! This file lowers the three-valued structure (`&&`, `||`, `!`, `?:`, block names,
//! `present()`, `open_question()`, `fallback()`) and hands every other sub-expression, a leaf,
//! to the checker. The rest, each depending only on those after it:
//!
//! - `check.rs`: type checking of a leaf;
//! - `resolve.rs`: what a name or a dotted path refers to, and what the leaf reads;
//! - `spans.rs`: source mapping (a sub-expression's span in the manifest and its text), and
//!   the item's problems, located by it.

mod check;
mod resolve;
mod spans;

use cel::common::ast::{Expr, LiteralValue};
use cel::{Env, IdedExpr};

use super::budget;
use super::builtins::{self, Builtin, Id};
use super::ir::{Cond, Extreme, Leaf, LeafId, ValueExpr};
use super::parsed::{Parsed, Parses};
use super::source::{Item, Problem, ProblemKind, Source};
use super::types::Ty;
use crate::diag::did_you_mean;
use check::Checker;
use spans::{ExprSource, Reporter, count_nodes};

pub use super::budget::{MAX_COMPREHENSION_DEPTH, MAX_EXPRESSION_NODES};
pub use super::names::Names;

/// Lowers one manifest expression. Problems go to `problems`; the result is `None` when the
/// expression could not be lowered at all.
pub struct Lowerer<'a, 'n> {
    names: &'a Names<'n>,
    env: &'a Env,
    source: &'a Source<'a>,
    leaves: &'a mut Vec<Leaf>,
    /// Where parses come from and go.
    parses: &'a mut Parses,
    /// The item's problems, located in the expression being read.
    out: Reporter<'a>,
    /// The parsed form of the last expression, kept for the reference evaluator.
    pub last_root: Option<IdedExpr>,
}

impl<'a, 'n> Lowerer<'a, 'n> {
    /// A lowerer for the expressions of one manifest item (`rule EU-OBL-53-1a`).
    pub fn new(
        names: &'a Names<'n>,
        env: &'a Env,
        item: &'a Item,
        source: &'a Source<'a>,
        problems: &'a mut Vec<Problem>,
        leaves: &'a mut Vec<Leaf>,
        parses: &'a mut Parses,
    ) -> Self {
        Lowerer {
            names,
            env,
            source,
            leaves,
            parses,
            out: Reporter::new(item, problems),
            last_root: None,
        }
    }

    /// Parses an expression within the budget's bounds, and makes it the one problems are
    /// located in; `None` (with the problems reported) if it is not a bounded CEL expression.
    fn parse(&mut self, expr: &juxta_sdk::manifest::Expr) -> Option<IdedExpr> {
        let text = expr.get_ref().clone();
        let base = self.source.content_start(expr.span());
        self.out.expr = ExprSource::new(text.clone(), base);
        if let Err(message) = budget::precheck(&text) {
            self.out
                .report_kind(ProblemKind::Budget, None, message, None);
            return None;
        }
        let found = self.parses.cache.as_ref().and_then(|c| c.get(&text));
        let parsed = match found {
            Some(p) => Ok(p),
            None => self
                .env
                .compile(&text)
                .map(|program| Parsed::of(program.expression(), program.source_info())),
        };
        if let (Ok(p), Some(record)) = (&parsed, &mut self.parses.record) {
            record.push((text.clone(), p.clone()));
        }
        match parsed {
            Ok(parsed) => {
                let depth = budget::depth(&parsed.root);
                if depth > budget::MAX_EXPRESSION_DEPTH {
                    self.out.report_kind(
                        ProblemKind::Budget,
                        None,
                        format!(
                            "expression nested {depth} levels deep exceeds the limit of {}",
                            budget::MAX_EXPRESSION_DEPTH
                        ),
                        Some("name the parts as blocks".into()),
                    );
                    return None;
                }
                let nodes = count_nodes(&parsed.root);
                self.out.expr.set_offsets(&parsed);
                let root = parsed.root;
                self.last_root = Some(root.clone());
                if nodes > MAX_EXPRESSION_NODES {
                    self.out.report_kind(ProblemKind::Budget, None, format!("expression of {nodes} nodes exceeds the limit of {MAX_EXPRESSION_NODES}"), None);
                    return None;
                }
                Some(root)
            }
            Err(errors) => {
                for e in errors.errors {
                    // Positions are 1-based line and column within the expression.
                    let (line, col) = (e.pos.0.max(1) as usize, e.pos.1.max(1) as usize);
                    let msg = e.msg.trim_start_matches("Syntax error: ");
                    self.out.syntax_error(line, col, msg);
                }
                None
            }
        }
    }

    /// Lowers a condition.
    pub fn condition(&mut self, expr: &juxta_sdk::manifest::Expr) -> Option<Cond> {
        let root = self.parse(expr)?;
        let before = self.out.count();
        let cond = self.cond(&root);
        (self.out.count() == before).then_some(cond)
    }

    /// Lowers a value of type `want`.
    pub fn value(&mut self, expr: &juxta_sdk::manifest::Expr, want: &Ty) -> Option<ValueExpr> {
        let root = self.parse(expr)?;
        let before = self.out.count();
        let value = self.val(&root, want);
        (self.out.count() == before).then_some(value)
    }

    fn cond(&mut self, e: &IdedExpr) -> Cond {
        match &e.expr {
            Expr::Literal(LiteralValue::Boolean(b)) => Cond::Const(*b.inner()),
            Expr::Ident(name) if self.names.blocks.contains_key(name) => {
                Cond::Block(self.names.blocks[name])
            }
            Expr::Call(call) if call.target.is_none() => {
                match (call.func_name.as_str(), call.args.as_slice()) {
                    ("_&&_", [a, b]) => Cond::And(self.flatten("_&&_", a, b)),
                    ("_||_", [a, b]) => Cond::Or(self.flatten("_||_", a, b)),
                    ("!_", [a]) => Cond::Not(Box::new(self.cond(a))),
                    ("_?_:_", [c, a, b]) => Cond::If(
                        Box::new(self.cond(c)),
                        Box::new(self.cond(a)),
                        Box::new(self.cond(b)),
                    ),
                    (name, args) => match builtins::circuit(name) {
                        Some(b) => self.circuit(e, b, args),
                        None => self.leaf_cond(e),
                    },
                }
            }
            _ => self.leaf_cond(e),
        }
    }

    /// A condition of the circuit's own: `fallback(a, b)`, `present(table)`,
    /// `open_question("ID")`.
    fn circuit(&mut self, e: &IdedExpr, b: &Builtin, args: &[IdedExpr]) -> Cond {
        match (b.id, args) {
            (Id::Fallback, [x, y]) => {
                Cond::Fallback(Box::new(self.cond(x)), Box::new(self.cond(y)))
            }
            (Id::Present, [table]) => self.present(e, table),
            (Id::OpenQuestion, [id]) => self.question(e, id),
            _ => self.bad(e, &format!("`{}` takes {}: `{}`", b.name, b.takes, b.usage)),
        }
    }

    fn leaf_cond(&mut self, e: &IdedExpr) -> Cond {
        match self.leaf(e, &Ty::Bool) {
            Some(id) => Cond::Leaf(id),
            None => Cond::Const(false),
        }
    }

    fn flatten(&mut self, op: &str, a: &IdedExpr, b: &IdedExpr) -> Vec<Cond> {
        let mut out = Vec::new();
        for x in [a, b] {
            match &x.expr {
                Expr::Call(c) if c.target.is_none() && c.func_name == op && c.args.len() == 2 => {
                    out.extend(self.flatten(op, &c.args[0], &c.args[1]));
                }
                _ => out.push(self.cond(x)),
            }
        }
        out
    }

    fn present(&mut self, e: &IdedExpr, arg: &IdedExpr) -> Cond {
        let schema = self.names.schema;
        if let Expr::Ident(name) = &arg.expr
            && let Some(t) = schema.table_index(name)
        {
            return match schema.tables()[t].presence {
                Some(id) => Cond::Present(id),
                None => self.bad(
                    e,
                    &format!(
                        "the presence of `[{name}]` is not a fact: its fields are read one by one"
                    ),
                ),
            };
        }
        let tables: Vec<&str> = schema
            .tables()
            .iter()
            .filter(|t| t.presence.is_some())
            .map(|t| t.name.as_str())
            .collect();
        self.bad(
            e,
            &format!(
                "`present` takes a table whose presence is a fact: {}",
                tables.join(", ")
            ),
        )
    }

    fn question(&mut self, e: &IdedExpr, arg: &IdedExpr) -> Cond {
        if let Expr::Literal(LiteralValue::String(s)) = &arg.expr {
            if let Some(q) = self.names.questions.get(s.inner()) {
                return Cond::Question(*q);
            }
            let help = did_you_mean(s.inner(), self.names.questions.keys().map(String::as_str))
                .map(|d| format!("did you mean `{d}`?"));
            self.out.report(
                Some(arg),
                format!("unknown open question `{}`", s.inner()),
                help.or_else(|| Some("declare it under [open_questions]".into())),
            );
            return Cond::Const(false);
        }
        self.bad(e, "`open_question` takes a string literal id")
    }

    fn val(&mut self, e: &IdedExpr, want: &Ty) -> ValueExpr {
        if let Expr::Call(call) = &e.expr
            && call.target.is_none()
        {
            let fallback = builtins::find(&call.func_name).is_some_and(|f| f.id == Id::Fallback);
            match (call.func_name.as_str(), call.args.as_slice()) {
                ("_?_:_", [c, a, b]) => {
                    return ValueExpr::If(
                        self.cond(c),
                        Box::new(self.val(a, want)),
                        Box::new(self.val(b, want)),
                    );
                }
                (_, [a, b]) if fallback => {
                    return ValueExpr::Fallback(
                        Box::new(self.val(a, want)),
                        Box::new(self.val(b, want)),
                    );
                }
                // `max` and `min` of a value are folded natively, so that an undetermined
                // operand still leaves the bound the other sets ("at least 5,000,000").
                // Only a number or a date: anything else is a leaf, whose checker says why.
                (_, [a, b])
                    if !self.names.functions.contains_key(&call.func_name)
                        && matches!(want, Ty::Double | Ty::Timestamp) =>
                {
                    let extreme = match builtins::find(&call.func_name).map(|f| f.id) {
                        Some(Id::Max) => Some(Extreme::Max),
                        Some(Id::Min) => Some(Extreme::Min),
                        _ => None,
                    };
                    if let Some(x) = extreme {
                        return ValueExpr::Extreme(
                            x,
                            Box::new(self.val(a, want)),
                            Box::new(self.val(b, want)),
                        );
                    }
                }
                _ => {}
            }
        }
        // A leaf id of 0 on error is never evaluated: the regime fails to load.
        ValueExpr::Leaf(self.leaf(e, want).unwrap_or(0))
    }

    fn bad(&mut self, e: &IdedExpr, message: &str) -> Cond {
        self.out.report(Some(e), message.to_string(), None);
        Cond::Const(false)
    }

    /// Checks a leaf and records it.
    fn leaf(&mut self, e: &IdedExpr, want: &Ty) -> Option<LeafId> {
        let mut checker = Checker::new(self.names, &mut self.out);
        let ty = checker.check(e, &[], 0);
        let scan = checker.scan;
        if !ty.fits(want) {
            let message = if *want == Ty::Bool {
                format!("a condition must be true or false, but this is {ty}")
            } else {
                format!("expected {want}, but this is {ty}")
            };
            self.out.report(Some(e), message, None);
        }
        let id = self.leaves.len();
        self.leaves.push(Leaf {
            // The interpreter computes on exact numbers (see `crate::exact`).
            expr: crate::exact::rewrite(e),
            text: self.out.expr.text_of(e),
            reads: scan.reads,
            tests: scan.tests,
            values: scan.values,
            native: super::native::compile(e, self.names),
            cost: 0,
        });
        Some(id)
    }
}
