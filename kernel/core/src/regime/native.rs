//! Native evaluation of the common leaf shapes, without the CEL interpreter.
//!
//! Most leaves of real regimes are small: a fact compared with a parameter, an enum compared
//! with a literal, a list tested with `exists` and `in`, some date arithmetic. Compiling those to
//! [`NExpr`] lets the kernel evaluate a profile without building a CEL context at all; any
//! other shape (custom functions, maps, string functions, deeper comprehensions) stays with the
//! interpreter. The semantics are CEL's (numeric comparison across int and double, checked
//! integer arithmetic, dates as midnight-UTC timestamps) except that doubles are exact
//! [`Number`]s, as in the kernel's interpreter (see [`crate::exact`]); the differential test
//! against the plain interpreter holds the two to the same answers.

use std::borrow::Cow;

use std::cmp::Ordering;

use cel::IdedExpr;
use cel::common::ast::{Expr, LiteralValue};

use super::builtins::{self, Id};
use super::names::Names;
use crate::number::Number;
use crate::profile::Profile;
use crate::schema::{FactId, FactKind};
use crate::value::Value;

/// A natively evaluated expression.
#[derive(Clone, Debug)]
pub enum NExpr {
    /// A literal.
    Lit(Lit),
    /// A fact (may be absent under a `has()` guard: then evaluation fails with `Missing`).
    Fact(FactId),
    /// `has(fact)`.
    Has(FactId),
    /// A parameter, by index, resolved at the profile's `as_of`.
    Param(usize),
    /// A derived value, by index.
    Value(usize),
    /// A comprehension variable, by depth.
    Local(usize),
    /// A list literal.
    List(Vec<NExpr>),
    /// `!`.
    Not(Box<NExpr>),
    /// `&&` with CEL's commutative error absorption.
    And(Box<NExpr>, Box<NExpr>),
    /// `||` with CEL's commutative error absorption.
    Or(Box<NExpr>, Box<NExpr>),
    /// `c ? a : b`.
    Cond(Box<NExpr>, Box<NExpr>, Box<NExpr>),
    /// A comparison.
    Cmp(CmpOp, Box<NExpr>, Box<NExpr>),
    /// Arithmetic.
    Arith(ArithOp, Box<NExpr>, Box<NExpr>),
    /// Unary minus.
    Neg(Box<NExpr>),
    /// `a in list`.
    In(Box<NExpr>, Box<NExpr>),
    /// `list.exists(v, body)` (`all` when `all` is true); the body sees the element as a local.
    Quantifier {
        /// `all` rather than `exists`.
        all: bool,
        /// The list.
        range: Box<NExpr>,
        /// The predicate.
        body: Box<NExpr>,
    },
    /// `days(n)`.
    Days(Box<NExpr>),
    /// `max(a, b)` / `min(a, b)`.
    Extremum(bool, Box<NExpr>, Box<NExpr>),
    /// `size(x)`.
    Size(Box<NExpr>),
}

/// A literal.
#[derive(Clone, Debug)]
pub enum Lit {
    /// Boolean.
    Bool(bool),
    /// Integer.
    Int(i64),
    /// A number (a double literal, read as its shortest decimal).
    Num(Number),
    /// String.
    Str(String),
    /// `null`.
    Null,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
}

/// Compiles a leaf to native form, if every part of it has one.
pub fn compile(e: &IdedExpr, names: &Names<'_>) -> Option<NExpr> {
    Compiler {
        names,
        locals: Vec::new(),
    }
    .expr(e)
}

struct Compiler<'a, 'n> {
    names: &'a Names<'n>,
    locals: Vec<String>,
}

impl Compiler<'_, '_> {
    fn expr(&mut self, e: &IdedExpr) -> Option<NExpr> {
        Some(match &e.expr {
            Expr::Literal(l) => NExpr::Lit(match l {
                LiteralValue::Boolean(b) => Lit::Bool(*b.inner()),
                LiteralValue::Int(i) => Lit::Int(*i.inner()),
                LiteralValue::Double(d) => Lit::Num(Number::from_f64(*d.inner())?),
                LiteralValue::String(s) => Lit::Str(s.inner().to_string()),
                LiteralValue::Null => Lit::Null,
                LiteralValue::UInt(_) | LiteralValue::Bytes(_) => return None,
            }),
            Expr::Ident(name) => {
                if let Some(depth) = self.locals.iter().rposition(|l| l == name) {
                    NExpr::Local(depth)
                } else {
                    NExpr::Value(self.names.values.get(name)?.0)
                }
            }
            Expr::Select(sel) => {
                let Expr::Ident(root) = &sel.operand.expr else {
                    return None;
                };
                if self.locals.contains(root) {
                    return None;
                }
                if root == "params" && !sel.test {
                    return Some(NExpr::Param(
                        self.names.params.get(&sel.field).map(|p| p.index)?,
                    ));
                }
                let id = self.names.schema.lookup(&format!("{root}.{}", sel.field))?;
                if !matches!(self.names.schema.fact(id).kind, FactKind::Field(_)) {
                    return None;
                }
                if sel.test {
                    NExpr::Has(id)
                } else {
                    NExpr::Fact(id)
                }
            }
            Expr::List(list) => NExpr::List(
                list.elements
                    .iter()
                    .map(|x| self.expr(x))
                    .collect::<Option<_>>()?,
            ),
            Expr::Call(call) => {
                let args: Vec<&IdedExpr> =
                    call.target.iter().map(|t| &**t).chain(&call.args).collect();
                let mut a =
                    || -> Option<Vec<NExpr>> { args.iter().map(|x| self.expr(x)).collect() };
                let b = |x: NExpr| Box::new(x);
                match (call.func_name.as_str(), args.len()) {
                    ("!_", 1) => NExpr::Not(b(a()?.remove(0))),
                    ("-_", 1) => NExpr::Neg(b(a()?.remove(0))),
                    (
                        "_&&_" | "_||_" | "_<_" | "_<=_" | "_>_" | "_>=_" | "_==_" | "_!=_" | "_+_"
                        | "_-_" | "_*_" | "_/_" | "_%_" | "@in",
                        2,
                    ) => {
                        let mut v = a()?;
                        let (y, x) = (b(v.remove(1)), b(v.remove(0)));
                        match call.func_name.as_str() {
                            "_&&_" => NExpr::And(x, y),
                            "_||_" => NExpr::Or(x, y),
                            "_<_" => NExpr::Cmp(CmpOp::Lt, x, y),
                            "_<=_" => NExpr::Cmp(CmpOp::Le, x, y),
                            "_>_" => NExpr::Cmp(CmpOp::Gt, x, y),
                            "_>=_" => NExpr::Cmp(CmpOp::Ge, x, y),
                            "_==_" => NExpr::Cmp(CmpOp::Eq, x, y),
                            "_!=_" => NExpr::Cmp(CmpOp::Ne, x, y),
                            "_+_" => NExpr::Arith(ArithOp::Add, x, y),
                            "_-_" => NExpr::Arith(ArithOp::Sub, x, y),
                            "_*_" => NExpr::Arith(ArithOp::Mul, x, y),
                            "_/_" => NExpr::Arith(ArithOp::Div, x, y),
                            "_%_" => NExpr::Arith(ArithOp::Rem, x, y),
                            _ => NExpr::In(x, y),
                        }
                    }
                    ("_?_:_", 3) => {
                        let mut v = a()?;
                        let (z, y, x) = (b(v.remove(2)), b(v.remove(1)), b(v.remove(0)));
                        NExpr::Cond(x, y, z)
                    }
                    (name, n) => {
                        let builtin = builtins::find(name)
                            .filter(|f| f.shape.accepts(call.target.is_some(), call.args.len()))?;
                        match (builtin.id, n) {
                            (Id::Days, 1) => NExpr::Days(b(a()?.remove(0))),
                            (Id::Size, 1) => NExpr::Size(b(a()?.remove(0))),
                            (Id::Max | Id::Min, 2) => {
                                let mut v = a()?;
                                let (y, x) = (b(v.remove(1)), b(v.remove(0)));
                                NExpr::Extremum(builtin.id == Id::Max, x, y)
                            }
                            _ => return None,
                        }
                    }
                }
            }
            Expr::Comprehension(c) => {
                // Only the expansions of `exists` and `all`: a boolean accumulator folded with
                // `||` (exists) or `&&` (all) and returned as is.
                let Expr::Literal(LiteralValue::Boolean(init)) = &c.accu_init.expr else {
                    return None;
                };
                let all = *init.inner();
                let Expr::Call(step) = &c.loop_step.expr else {
                    return None;
                };
                let expected = if all { "_&&_" } else { "_||_" };
                let accu_first = matches!(&step.args.first().map(|x| &x.expr), Some(Expr::Ident(n)) if *n == c.accu_var);
                let returns_accu = matches!(&c.result.expr, Expr::Ident(n) if *n == c.accu_var);
                if step.func_name != expected
                    || step.args.len() != 2
                    || !accu_first
                    || !returns_accu
                    || c.iter_var2.is_some()
                {
                    return None;
                }
                let range = self.expr(&c.iter_range)?;
                self.locals.push(c.iter_var.clone());
                let body = self.expr(&step.args[1]);
                self.locals.pop();
                NExpr::Quantifier {
                    all,
                    range: Box::new(range),
                    body: Box::new(body?),
                }
            }
            Expr::Map(_) | Expr::Struct(_) | Expr::Unspecified => return None,
        })
    }
}

/// A value during native evaluation, borrowing from the profile, the regime and the values.
#[derive(Clone, Debug)]
pub enum NVal<'a> {
    /// Boolean.
    Bool(bool),
    /// Integer.
    Int(i64),
    /// A number (CEL's double), exact.
    Num(Cow<'a, Number>),
    /// String.
    Str(&'a str),
    /// A date, as days since 1970-01-01.
    Date(i64),
    /// A duration, in days.
    Duration(i64),
    /// A list of strings (facts and parameters).
    Strings(&'a [String]),
    /// A list literal.
    List(Vec<NVal<'a>>),
    /// `null`.
    Null,
}

/// Why native evaluation failed.
#[derive(Clone, Debug, PartialEq)]
pub enum NErr {
    /// An absent fact was read.
    Missing,
    /// The run-time budget ([`super::budget::RUN_TIME_STEPS`]) ran out: not a case for the
    /// interpreter, a failure of the leaf.
    Budget,
    /// A run-time error, as the interpreter would raise it.
    Error(String),
}

/// What native evaluation reads.
pub struct NEnv<'a> {
    /// The profile.
    pub profile: &'a Profile,
    /// Parameter values in force, by parameter index.
    pub params: &'a [&'a Value],
    /// Derived values, by index (`None`: not determined).
    pub values: &'a [Option<Value>],
    /// Steps left ([`super::budget::RUN_TIME_STEPS`] for a leaf).
    pub steps: std::cell::Cell<u64>,
}

/// The native value of a fact, parameter or derived value. Instants and lists of dates are
/// the interpreter's: reading one fails natively, and the leaf falls back to the interpreter.
fn of_value(v: &Value) -> Result<NVal<'_>, NErr> {
    Ok(match v {
        Value::Bool(b) => NVal::Bool(*b),
        Value::Number(n) => NVal::Num(Cow::Borrowed(n)),
        Value::Integer(i) => NVal::Int(*i),
        Value::Text(s) => NVal::Str(s),
        Value::Date(d) => NVal::Date(d.days_since_epoch()),
        Value::List(items) => NVal::Strings(items),
        Value::Instant(_) | Value::Dates(_) => {
            return Err(NErr::Error("evaluated by the interpreter".into()));
        }
    })
}

impl<'a> NVal<'a> {
    /// The kernel value of a result, if it is one.
    pub fn to_value(&self) -> Option<Value> {
        Some(match self {
            NVal::Bool(b) => Value::Bool(*b),
            NVal::Int(i) => Value::Integer(*i),
            // A number whose nearest double overflows could not be reported.
            NVal::Num(n) if n.to_f64().is_finite() => Value::Number(n.clone().into_owned()),
            NVal::Str(s) => Value::Text((*s).to_string()),
            NVal::Date(d) => Value::Date(juxta_sdk::Date::from_days_since_epoch(*d).ok()?),
            NVal::Strings(items) => Value::List(items.to_vec()),
            NVal::List(items) => Value::List(
                items
                    .iter()
                    .map(|i| match i {
                        NVal::Str(s) => Some((*s).to_string()),
                        _ => None,
                    })
                    .collect::<Option<_>>()?,
            ),
            NVal::Num(_) | NVal::Duration(_) | NVal::Null => return None,
        })
    }

    fn kind(&self) -> &'static str {
        match self {
            NVal::Bool(_) => "bool",
            NVal::Int(_) => "int",
            NVal::Num(_) => "double",
            NVal::Str(_) => "string",
            NVal::Date(_) => "timestamp",
            NVal::Duration(_) => "duration",
            NVal::Strings(_) | NVal::List(_) => "list",
            NVal::Null => "null",
        }
    }

    fn items(&self) -> Option<Vec<NVal<'a>>> {
        match self {
            NVal::Strings(s) => Some(s.iter().map(|x| NVal::Str(x)).collect()),
            NVal::List(v) => Some(v.clone()),
            _ => None,
        }
    }
}

fn err<T>(message: String) -> Result<T, NErr> {
    Err(NErr::Error(message))
}

/// CEL's ordering of two values, if they are comparable.
fn compare(a: &NVal<'_>, b: &NVal<'_>) -> Option<Ordering> {
    match (a, b) {
        (NVal::Int(x), NVal::Int(y)) => Some(x.cmp(y)),
        (NVal::Num(x), NVal::Num(y)) => Some(x.as_ref().cmp(y.as_ref())),
        (NVal::Int(x), NVal::Num(y)) => Some(Number::from_i64(*x).cmp(y.as_ref())),
        (NVal::Num(x), NVal::Int(y)) => Some(x.as_ref().cmp(&Number::from_i64(*y))),
        (NVal::Str(x), NVal::Str(y)) => Some(x.cmp(y)),
        (NVal::Date(x), NVal::Date(y)) | (NVal::Duration(x), NVal::Duration(y)) => Some(x.cmp(y)),
        (NVal::Bool(x), NVal::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// CEL equality (values of different kinds are unequal, numbers compare by value).
fn equal(a: &NVal<'_>, b: &NVal<'_>) -> bool {
    match (a, b) {
        (NVal::Null, NVal::Null) => true,
        (x, y) if x.items().is_some() && y.items().is_some() => {
            let (x, y) = (x.items().unwrap_or_default(), y.items().unwrap_or_default());
            x.len() == y.len() && x.iter().zip(&y).all(|(p, q)| equal(p, q))
        }
        _ => compare(a, b) == Some(Ordering::Equal),
    }
}

/// Evaluates a native expression.
pub fn eval<'a>(
    e: &'a NExpr,
    env: &NEnv<'a>,
    locals: &mut Vec<NVal<'a>>,
) -> Result<NVal<'a>, NErr> {
    match env.steps.get().checked_sub(1) {
        Some(left) => env.steps.set(left),
        None => return Err(NErr::Budget),
    }
    Ok(match e {
        NExpr::Lit(l) => match l {
            Lit::Bool(b) => NVal::Bool(*b),
            Lit::Int(i) => NVal::Int(*i),
            Lit::Num(n) => NVal::Num(Cow::Borrowed(n)),
            Lit::Str(s) => NVal::Str(s),
            Lit::Null => NVal::Null,
        },
        NExpr::Fact(id) => of_value(env.profile.get(*id).ok_or(NErr::Missing)?)?,
        NExpr::Has(id) => NVal::Bool(env.profile.get(*id).is_some()),
        NExpr::Param(i) => of_value(
            env.params
                .get(*i)
                .ok_or_else(|| NErr::Error("no such parameter".into()))?,
        )?,
        NExpr::Value(i) => of_value(
            env.values
                .get(*i)
                .and_then(Option::as_ref)
                .ok_or(NErr::Missing)?,
        )?,
        NExpr::Local(d) => locals
            .get(*d)
            .cloned()
            .ok_or_else(|| NErr::Error("unbound variable".into()))?,
        NExpr::List(items) => NVal::List(
            items
                .iter()
                .map(|x| eval(x, env, locals))
                .collect::<Result<_, _>>()?,
        ),
        NExpr::Not(x) => match eval(x, env, locals)? {
            NVal::Bool(b) => NVal::Bool(!b),
            other => return err(format!("no such overload for '!_' on {}", other.kind())),
        },
        NExpr::And(x, y) | NExpr::Or(x, y) => {
            // CEL: the deciding value wins over an error on either side.
            let dominant = matches!(e, NExpr::Or(..));
            let left = eval(x, env, locals).and_then(|v| as_bool(&v));
            if left == Ok(dominant) {
                return Ok(NVal::Bool(dominant));
            }
            let right = as_bool(&eval(y, env, locals)?)?;
            match left {
                Ok(_) => NVal::Bool(right),
                Err(_) if right == dominant => NVal::Bool(dominant),
                Err(e) => return Err(e),
            }
        }
        NExpr::Cond(c, a, b) => {
            if as_bool(&eval(c, env, locals)?)? {
                eval(a, env, locals)?
            } else {
                eval(b, env, locals)?
            }
        }
        NExpr::Cmp(op, x, y) => {
            let (a, b) = (eval(x, env, locals)?, eval(y, env, locals)?);
            let result = match op {
                CmpOp::Eq => equal(&a, &b),
                CmpOp::Ne => !equal(&a, &b),
                _ => {
                    let Some(order) = compare(&a, &b) else {
                        return err(format!("{} can not be compared to {}", a.kind(), b.kind()));
                    };
                    match op {
                        CmpOp::Lt => order == Ordering::Less,
                        CmpOp::Le => order != Ordering::Greater,
                        CmpOp::Gt => order == Ordering::Greater,
                        _ => order != Ordering::Less,
                    }
                }
            };
            NVal::Bool(result)
        }
        NExpr::Arith(op, x, y) => arith(*op, eval(x, env, locals)?, eval(y, env, locals)?)?,
        NExpr::Neg(x) => match eval(x, env, locals)? {
            NVal::Int(i) => NVal::Int(
                i.checked_neg()
                    .ok_or_else(|| NErr::Error("overflow".into()))?,
            ),
            NVal::Num(n) => NVal::Num(Cow::Owned(n.neg())),
            other => return err(format!("no such overload for '-_' on {}", other.kind())),
        },
        NExpr::In(x, list) => {
            let needle = eval(x, env, locals)?;
            let haystack = eval(list, env, locals)?;
            let Some(items) = haystack.items() else {
                return err(format!("no such overload for '@in' on {}", haystack.kind()));
            };
            NVal::Bool(items.iter().any(|i| equal(&needle, i)))
        }
        NExpr::Quantifier { all, range, body } => {
            let list = eval(range, env, locals)?;
            let Some(items) = list.items() else {
                return err(format!("cannot iterate over {}", list.kind()));
            };
            // CEL: a deciding element wins over errors from the others.
            let mut error = None;
            for item in items {
                locals.push(item);
                let r = eval(body, env, locals).and_then(|v| as_bool(&v));
                locals.pop();
                match r {
                    Ok(b) if b != *all => return Ok(NVal::Bool(!*all)),
                    Ok(_) => {}
                    Err(e) => error = Some(e),
                }
            }
            match error {
                Some(e) => return Err(e),
                None => NVal::Bool(*all),
            }
        }
        NExpr::Days(x) => match eval(x, env, locals)? {
            NVal::Int(n) => NVal::Duration(n),
            other => return err(format!("days() expects an integer, got {}", other.kind())),
        },
        NExpr::Extremum(max, x, y) => {
            let (a, b) = (eval(x, env, locals)?, eval(y, env, locals)?);
            match (&a, &b, compare(&a, &b)) {
                (NVal::Date(_), NVal::Date(_), Some(o)) | (NVal::Num(_), NVal::Num(_), Some(o)) => {
                    if (o == Ordering::Less) == *max {
                        b
                    } else {
                        a
                    }
                }
                _ => {
                    return err(format!(
                        "max/min expects two dates or two doubles, got {} and {}",
                        a.kind(),
                        b.kind()
                    ));
                }
            }
        }
        NExpr::Size(x) => match eval(x, env, locals)? {
            NVal::Str(s) => NVal::Int(s.chars().count() as i64),
            v => NVal::Int(
                v.items()
                    .map(|i| i.len())
                    .ok_or_else(|| NErr::Error(format!("size() of {}", v.kind())))?
                    as i64,
            ),
        },
    })
}

fn as_bool(v: &NVal<'_>) -> Result<bool, NErr> {
    match v {
        NVal::Bool(b) => Ok(*b),
        other => err(format!("expected a boolean, got {}", other.kind())),
    }
}

fn arith<'a>(op: ArithOp, a: NVal<'a>, b: NVal<'a>) -> Result<NVal<'a>, NErr> {
    use ArithOp::*;
    let overflow = || NErr::Error("integer overflow".into());
    Ok(match (op, &a, &b) {
        (Add, NVal::Int(x), NVal::Int(y)) => NVal::Int(x.checked_add(*y).ok_or_else(overflow)?),
        (Sub, NVal::Int(x), NVal::Int(y)) => NVal::Int(x.checked_sub(*y).ok_or_else(overflow)?),
        (Mul, NVal::Int(x), NVal::Int(y)) => NVal::Int(x.checked_mul(*y).ok_or_else(overflow)?),
        (Div, NVal::Int(x), NVal::Int(y)) => NVal::Int(
            x.checked_div(*y)
                .ok_or_else(|| NErr::Error("division by zero".into()))?,
        ),
        (Rem, NVal::Int(x), NVal::Int(y)) => NVal::Int(
            x.checked_rem(*y)
                .ok_or_else(|| NErr::Error("remainder by zero".into()))?,
        ),
        (Add, NVal::Num(x), NVal::Num(y)) => NVal::Num(Cow::Owned(x.add(y))),
        (Sub, NVal::Num(x), NVal::Num(y)) => NVal::Num(Cow::Owned(x.sub(y))),
        (Mul, NVal::Num(x), NVal::Num(y)) => NVal::Num(Cow::Owned(x.mul(y))),
        (Div, NVal::Num(x), NVal::Num(y)) => NVal::Num(Cow::Owned(
            x.div(y)
                .ok_or_else(|| NErr::Error("division by zero".into()))?,
        )),
        (Add, NVal::Date(d), NVal::Duration(n)) | (Add, NVal::Duration(n), NVal::Date(d)) => {
            NVal::Date(d + n)
        }
        (Sub, NVal::Date(d), NVal::Duration(n)) => NVal::Date(d - n),
        (Sub, NVal::Date(x), NVal::Date(y)) => NVal::Duration(x - y),
        (Add, NVal::Duration(x), NVal::Duration(y)) => NVal::Duration(x + y),
        (Sub, NVal::Duration(x), NVal::Duration(y)) => NVal::Duration(x - y),
        _ => {
            return err(format!(
                "unsupported binary operator on {} and {}",
                a.kind(),
                b.kind()
            ));
        }
    })
}
