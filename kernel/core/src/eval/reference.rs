//! The reference evaluation: each rule as **one** CEL expression run by the plain interpreter.
//!
//! juxta never answers with this path. It exists to hold the fast path (native leaves, the
//! native Kleene circuit, memoised blocks) to the interpreter's own semantics: a differential
//! test runs both over every case and thousands of generated profiles, and the benchmarks use it
//! as the "plain interpreter" baseline.
//!
//! How a rule becomes one expression, starting from each item's *parsed source* (not from the
//! compiled circuit): block names are replaced by the blocks' expressions; `present(t)` by a
//! bound boolean; `open_question(..)` by an unbound name (an error, which CEL's `&&` and `||`
//! absorb exactly as Kleene's logic absorbs an undetermined operand); `fallback(a, b)` by the
//! value of `a`, or of `b`, evaluated first; and `c ? a : b` in condition position by
//! `(c && a) || (!c && b) || (a && b)`, which is Kleene's conditional in CEL's own connectives.
//! An error is "undetermined". Numbers are exact, as everywhere in the kernel: the expression is
//! rewritten by [`crate::exact::rewrite`] before the interpreter runs it.

use std::collections::HashMap;
use std::sync::Arc;

use cel::common::ast::{CallExpr, Expr, LiteralValue};
use cel::extractors::Arguments;
use cel::{Context, ExecutionError, IdedExpr};
use juxta_sdk::manifest::IfUndetermined;

use super::{EvalError, Facts, FunctionHost, call_custom};
use crate::regime::Regime;
use crate::tri::Truth;
use crate::value::Value;

/// What the reference evaluation says: statuses and computed values, without reasons.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// One status per rule.
    pub rules: Vec<Truth>,
    /// One outcome per computed value.
    pub computed: Vec<ReferenceValue>,
}

/// A computed value per the reference evaluation.
#[derive(Clone, Debug, PartialEq)]
pub enum ReferenceValue {
    /// Not reported.
    Omitted,
    /// Determined.
    Value(Value),
    /// Undetermined.
    Undetermined,
}

const UNDETERMINED: &str = "__juxta_undetermined";

impl Regime {
    /// Evaluates with the plain interpreter (see the module documentation).
    pub fn evaluate_reference(
        &self,
        facts: &Facts<'_>,
        host: Option<Arc<dyn FunctionHost>>,
    ) -> Result<Reference, EvalError> {
        let mut r = Ref {
            regime: self,
            ctx: Context::with_env(Arc::clone(&self.env)),
        };
        // The reference is a test oracle: a generous budget, never reset.
        let budget = crate::exact::Budget::new(u64::MAX);
        crate::exact::register(&mut r.ctx, &budget).map_err(|message| EvalError {
            regime: self.id().to_string(),
            item: "reference".into(),
            expression: String::new(),
            message,
        })?;
        for (name, table) in facts.tables() {
            r.ctx.add_variable_from_value(name.clone(), table.clone());
        }
        let as_of = facts.profile().as_of();
        let params: HashMap<String, cel::Value> = self
            .params
            .iter()
            .map(|p| (p.name.clone(), p.at(as_of).value.to_cel()))
            .collect();
        r.ctx.add_variable_from_value("params", params);
        for t in self.schema().tables() {
            if let Some(id) = t.presence {
                let present = matches!(facts.profile().get(id), Some(Value::Bool(true)));
                r.ctx
                    .add_variable_from_value(presence_var(&t.name), present);
            }
        }
        for f in &self.functions {
            let (name, returns, host, id) = (
                f.name.clone(),
                f.returns,
                host.clone(),
                self.id().to_string(),
            );
            let _ = r.ctx.add_function(
                &f.name,
                move |Arguments(args): Arguments| -> Result<cel::Value, ExecutionError> {
                    call_custom(host.as_deref(), &id, &name, returns, &args)
                },
            );
        }
        for &v in &self.value_order {
            if let Some(value) = r.value(&self.values[v].ast) {
                r.ctx
                    .add_variable_from_value(self.values[v].name.clone(), value);
            }
        }
        let rules = self.rules.iter().map(|rule| r.truth(&rule.ast)).collect();
        let computed = self
            .computed
            .iter()
            .map(|c| {
                let when = r.truth(&c.when_ast);
                let value = || {
                    r.value(&c.value_ast)
                        .and_then(|v| Value::from_cel(&v))
                        .map(|v| match v {
                            Value::Integer(i) => Value::Number(crate::number::Number::from_i64(i)),
                            other => other,
                        })
                };
                match (when, c.mode) {
                    (Truth::False, _) | (Truth::Unknown, IfUndetermined::Omit) => {
                        ReferenceValue::Omitted
                    }
                    (Truth::True, _) | (Truth::Unknown, IfUndetermined::ReportValue) => {
                        value().map_or(ReferenceValue::Undetermined, ReferenceValue::Value)
                    }
                    (Truth::Unknown, IfUndetermined::Undetermined) => ReferenceValue::Undetermined,
                }
            })
            .collect();
        Ok(Reference { rules, computed })
    }
}

fn presence_var(table: &str) -> String {
    format!("__juxta_present_{table}")
}

struct Ref<'r> {
    regime: &'r Regime,
    ctx: Context<'static, 'static>,
}

fn node(expr: Expr) -> IdedExpr {
    IdedExpr { id: 0, expr }
}

fn call(name: &str, args: Vec<IdedExpr>) -> IdedExpr {
    node(Expr::Call(CallExpr {
        func_name: name.to_string(),
        target: None,
        args,
    }))
}

fn literal(b: bool) -> IdedExpr {
    node(Expr::Literal(LiteralValue::Boolean(b.into())))
}

impl Ref<'_> {
    /// The status of a condition.
    fn truth(&self, e: &IdedExpr) -> Truth {
        let expanded = crate::exact::rewrite(&self.expand(e));
        match self.ctx.resolve(&expanded) {
            Ok(cel::Value::Bool(b)) => Truth::from_bool(b),
            _ => Truth::Unknown,
        }
    }

    /// A value, if determined: `?:` and `fallback` at the top are Kleene's, the rest is CEL.
    fn value(&self, e: &IdedExpr) -> Option<cel::Value> {
        if let Expr::Call(c) = &e.expr
            && c.target.is_none()
        {
            match (c.func_name.as_str(), c.args.as_slice()) {
                ("_?_:_", [cond, a, b]) => {
                    return match self.truth(cond) {
                        Truth::True => self.value(a),
                        Truth::False => self.value(b),
                        Truth::Unknown => {
                            let (x, y) = (self.value(a)?, self.value(b)?);
                            (x == y).then_some(x)
                        }
                    };
                }
                ("fallback", [a, b]) => return self.value(a).or_else(|| self.value(b)),
                _ => {}
            }
        }
        self.ctx.resolve(&crate::exact::rewrite(e)).ok()
    }

    /// A condition as one CEL expression (see the module documentation).
    fn expand(&self, e: &IdedExpr) -> IdedExpr {
        match &e.expr {
            Expr::Ident(name) => match self.regime.blocks.iter().find(|b| &b.name == name) {
                Some(block) => self.expand(&block.ast),
                None => e.clone(),
            },
            Expr::Call(c) if c.target.is_none() => {
                match (c.func_name.as_str(), c.args.as_slice()) {
                    ("_&&_" | "_||_", [a, b]) => {
                        call(&c.func_name, vec![self.expand(a), self.expand(b)])
                    }
                    ("!_", [a]) => call("!_", vec![self.expand(a)]),
                    ("_?_:_", [cond, a, b]) => {
                        let (x, y, z) = (self.expand(cond), self.expand(a), self.expand(b));
                        let left = call("_&&_", vec![x.clone(), y.clone()]);
                        let middle = call("_&&_", vec![call("!_", vec![x]), z.clone()]);
                        let right = call("_&&_", vec![y, z]);
                        call("_||_", vec![call("_||_", vec![left, middle]), right])
                    }
                    ("present", [arg]) => match &arg.expr {
                        Expr::Ident(table) => node(Expr::Ident(presence_var(table))),
                        _ => node(Expr::Ident(UNDETERMINED.into())),
                    },
                    ("open_question", _) => node(Expr::Ident(UNDETERMINED.into())),
                    ("fallback", [a, b]) => match self.truth(a) {
                        Truth::Unknown => match self.truth(b) {
                            Truth::Unknown => node(Expr::Ident(UNDETERMINED.into())),
                            t => literal(t == Truth::True),
                        },
                        t => literal(t == Truth::True),
                    },
                    _ => e.clone(),
                }
            }
            _ => e.clone(),
        }
    }
}
