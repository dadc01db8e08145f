//! Exact numbers inside the CEL interpreter.
//!
//! The `cel` crate computes with IEEE doubles, which would decide legal boundaries on binary
//! images of decimal values (`3 × 1e25 > 3e25` holds in doubles). Where the kernel hands an
//! expression to the interpreter — a leaf the native evaluator does not cover, and every
//! expression of the reference evaluation — numbers are therefore [`ExactNumber`]s, an opaque
//! CEL value wrapping [`Number`], and [`rewrite`] turns each operator and each number-aware
//! function of the expression into a call of this module's functions ([`register`]): they compute
//! exactly on numbers and keep CEL's own semantics for every other operand (they hand those to
//! the crate's operators). Double literals become exact numbers too.
//!
//! `&&`, `||`, `!`, `?:`, indexing, field selection, `has()` and the comprehension macros are
//! left alone: they do not look at numbers.

use std::cmp::Ordering;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use cel::common::ast::{CallExpr, Expr, LiteralValue};
use cel::extractors::Arguments;
use cel::objects::Opaque;
use cel::{Context, ExecutionError, IdedExpr};

use crate::number::Number;

/// A number in the CEL interpreter: exact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExactNumber(pub Number);

impl Opaque for ExactNumber {
    fn runtime_type_name(&self) -> &str {
        "juxta.number"
    }
}

/// The CEL value of a number.
pub fn to_cel(n: &Number) -> cel::Value {
    cel::Value::Opaque(Arc::new(ExactNumber(n.clone())))
}

/// The number a CEL value holds, if it holds one: an exact number, an integer, or a double
/// (read as its shortest decimal).
pub fn number_of(v: &cel::Value) -> Option<Number> {
    match v {
        cel::Value::Opaque(o) => o.downcast_ref::<ExactNumber>().map(|e| e.0.clone()),
        cel::Value::Int(i) => Some(Number::from_i64(*i)),
        cel::Value::UInt(u) => i64::try_from(*u).ok().map(Number::from_i64),
        cel::Value::Float(f) => Number::from_f64(*f),
        _ => None,
    }
}

fn is_exact(v: &cel::Value) -> bool {
    matches!(v, cel::Value::Opaque(o) if o.downcast_ref::<ExactNumber>().is_some())
}

const PREFIX: &str = "__juxta_";

/// Largest string (bytes) or list (items) an expression may produce. The interpreter refuses to
/// build a larger one; the regime's budget ([`crate::regime::budget`]) refuses, at load, a leaf
/// that might.
pub const MAX_RESULT_SIZE: u64 = 1 << 20;

/// The run-time budget of the interpreter: every operator call spends a step (see
/// [`crate::regime::budget`]). The evaluator resets it before each leaf and fails the leaf when
/// it ran out, even if CEL's error absorption let a result through.
#[derive(Clone, Debug)]
pub struct Budget(Arc<AtomicU64>);

impl Budget {
    /// A budget of `steps`.
    pub fn new(steps: u64) -> Budget {
        Budget(Arc::new(AtomicU64::new(steps)))
    }

    /// Starts again with `steps`.
    pub fn reset(&self, steps: u64) {
        self.0.store(steps, AtomicOrdering::Relaxed);
    }

    /// Whether it ran out.
    pub fn spent(&self) -> bool {
        self.0.load(AtomicOrdering::Relaxed) == 0
    }

    fn spend(&self) -> Result<(), ExecutionError> {
        self.spend_n(1)
    }

    /// Spends `n` steps at once (a function whose work grows with its input).
    fn spend_n(&self, n: u64) -> Result<(), ExecutionError> {
        let left = self
            .0
            .fetch_update(AtomicOrdering::Relaxed, AtomicOrdering::Relaxed, |left| {
                left.checked_sub(n)
            });
        match left {
            Ok(_) => Ok(()),
            Err(_) => Err(ExecutionError::function_error(
                "budget",
                "the run-time budget of this expression is spent",
            )),
        }
    }

    fn wrap<F>(
        &self,
        f: F,
    ) -> impl Fn(Args) -> Result<cel::Value, ExecutionError> + Send + Sync + 'static
    where
        F: Fn(Args) -> Result<cel::Value, ExecutionError> + Send + Sync + 'static,
    {
        let budget = self.clone();
        move |args: Args| {
            budget.spend()?;
            f(args)
        }
    }
}

/// The functions [`rewrite`] calls, by the operator or function they replace.
const REPLACED: &[(&str, &str)] = &[
    ("_+_", "__juxta_add"),
    ("_-_", "__juxta_sub"),
    ("_*_", "__juxta_mul"),
    ("_/_", "__juxta_div"),
    ("_%_", "__juxta_rem"),
    ("-_", "__juxta_neg"),
    ("_<_", "__juxta_lt"),
    ("_<=_", "__juxta_le"),
    ("_>_", "__juxta_gt"),
    ("_>=_", "__juxta_ge"),
    ("_==_", "__juxta_eq"),
    ("_!=_", "__juxta_ne"),
    ("@in", "__juxta_in"),
    ("max", "__juxta_max"),
    ("min", "__juxta_min"),
    ("double", "__juxta_double"),
    ("int", "__juxta_int"),
    ("business_days", "__juxta_business_days"),
];

/// The operator or function a name of [`rewrite`]'s output replaces (`max` for `__juxta_max`);
/// any other name is itself.
pub(crate) fn replaced(name: &str) -> &str {
    REPLACED
        .iter()
        .find(|(_, ours)| *ours == name)
        .map_or(name, |(op, _)| op)
}

/// Whether a name is reserved for this module's functions.
pub fn is_reserved(name: &str) -> bool {
    name.starts_with(PREFIX)
}

/// The expression with every operator and number-aware function replaced by this module's
/// exact counterpart, and every double literal by an exact number.
pub fn rewrite(e: &IdedExpr) -> IdedExpr {
    let expr = match &e.expr {
        Expr::Literal(LiteralValue::Double(d)) => {
            let text = Number::from_f64(*d.inner())
                .and_then(|n| n.to_decimal())
                .unwrap_or_else(|| format!("{:e}", d.inner()));
            Expr::Call(CallExpr {
                func_name: "__juxta_number".into(),
                target: None,
                args: vec![IdedExpr {
                    id: e.id,
                    expr: Expr::Literal(LiteralValue::String(text.into())),
                }],
            })
        }
        Expr::Call(call) => {
            let name = match (
                &call.target,
                REPLACED.iter().find(|(op, _)| *op == call.func_name),
            ) {
                (None, Some((_, ours))) => (*ours).to_string(),
                _ => call.func_name.clone(),
            };
            Expr::Call(CallExpr {
                func_name: name,
                target: call.target.as_ref().map(|t| Box::new(rewrite(t))),
                args: call.args.iter().map(rewrite).collect(),
            })
        }
        Expr::Select(s) => {
            let mut s = s.clone();
            s.operand = Box::new(rewrite(&s.operand));
            Expr::Select(s)
        }
        Expr::List(l) => {
            let mut l = l.clone();
            l.elements = l.elements.iter().map(rewrite).collect();
            Expr::List(l)
        }
        Expr::Comprehension(c) => {
            let mut c = c.clone();
            c.iter_range = rewrite(&c.iter_range);
            c.accu_init = rewrite(&c.accu_init);
            c.loop_cond = rewrite(&c.loop_cond);
            c.loop_step = rewrite(&c.loop_step);
            c.result = rewrite(&c.result);
            Expr::Comprehension(c)
        }
        // Maps and structs are not numbers' business; their entries stay as written.
        other => other.clone(),
    };
    IdedExpr { id: e.id, expr }
}

type Args = Arguments;

fn two(name: &str, args: &Args) -> Result<(cel::Value, cel::Value), ExecutionError> {
    match args.0.as_slice() {
        [a, b] => Ok((a.clone(), b.clone())),
        _ => Err(ExecutionError::function_error(
            name,
            "expects two arguments",
        )),
    }
}

fn one(name: &str, args: &Args) -> Result<cel::Value, ExecutionError> {
    match args.0.as_slice() {
        [a] => Ok(a.clone()),
        _ => Err(ExecutionError::function_error(name, "expects one argument")),
    }
}

/// Both operands as numbers, if both are numbers and one of them is exact (an integer with an
/// integer stays CEL's integer arithmetic).
fn exact_pair(a: &cel::Value, b: &cel::Value) -> Option<(Number, Number)> {
    if !(is_exact(a) || is_exact(b)) {
        return None;
    }
    Some((number_of(a)?, number_of(b)?))
}

fn type_name(v: &cel::Value) -> String {
    match v {
        cel::Value::Opaque(o) if o.downcast_ref::<ExactNumber>().is_some() => "double".into(),
        other => format!("{:?}", other.type_of()),
    }
}

fn no_overload(op: &str, values: &[&cel::Value]) -> ExecutionError {
    ExecutionError::no_such_overload(op, values.iter().map(|v| type_name(v)).collect())
}

/// An arithmetic operator: exact on numbers (mixing an integer with a number is refused, as
/// CEL refuses `1 + 1.0`), CEL's own otherwise.
fn arithmetic(
    name: &'static str,
    op: &'static str,
    exact: fn(&Number, &Number) -> Option<Number>,
    cel_op: fn(cel::Value, cel::Value) -> Result<cel::Value, ExecutionError>,
) -> impl Fn(Args) -> Result<cel::Value, ExecutionError> + Send + Sync + 'static {
    move |args: Args| {
        let (a, b) = two(name, &args)?;
        if is_exact(&a) || is_exact(&b) {
            // CEL does not mix integers and doubles in arithmetic.
            let integer = |v: &cel::Value| matches!(v, cel::Value::Int(_) | cel::Value::UInt(_));
            if integer(&a) || integer(&b) {
                return Err(no_overload(op, &[&a, &b]));
            }
            let (x, y) = exact_pair(&a, &b).ok_or_else(|| no_overload(op, &[&a, &b]))?;
            return exact(&x, &y)
                .map(|n| to_cel(&n))
                .ok_or_else(|| ExecutionError::function_error(op, "division by zero"));
        }
        if let (Some(x), Some(y)) = (size_of(&a), size_of(&b))
            && x.saturating_add(y) > MAX_RESULT_SIZE
        {
            return Err(ExecutionError::function_error(
                op,
                format!("the result would exceed {} bytes or items", MAX_RESULT_SIZE),
            ));
        }
        cel_op(a, b)
    }
}

/// The size of a string (bytes) or a list (items), for the result-size cap.
fn size_of(v: &cel::Value) -> Option<u64> {
    match v {
        cel::Value::String(s) => Some(s.len() as u64),
        cel::Value::List(l) => Some(l.len() as u64),
        cel::Value::Bytes(b) => Some(b.len() as u64),
        _ => None,
    }
}

fn order(a: &cel::Value, b: &cel::Value) -> Option<Ordering> {
    match exact_pair(a, b) {
        Some((x, y)) => Some(x.cmp(&y)),
        None => a.partial_cmp(b),
    }
}

fn equal(a: &cel::Value, b: &cel::Value) -> bool {
    match (a, b) {
        (cel::Value::List(x), cel::Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equal(p, q))
        }
        _ => match exact_pair(a, b) {
            Some((x, y)) => x == y,
            None => a == b,
        },
    }
}

fn comparison(
    name: &'static str,
    op: &'static str,
    holds: fn(Ordering) -> bool,
) -> impl Fn(Args) -> Result<cel::Value, ExecutionError> + Send + Sync + 'static {
    move |args: Args| {
        let (a, b) = two(name, &args)?;
        order(&a, &b)
            .map(|o| cel::Value::Bool(holds(o)))
            .ok_or_else(|| no_overload(op, &[&a, &b]))
    }
}

fn extremum(
    name: &'static str,
    greater: bool,
) -> impl Fn(Args) -> Result<cel::Value, ExecutionError> + Send + Sync + 'static {
    move |args: Args| {
        let (a, b) = two(name, &args)?;
        let comparable = matches!(
            (&a, &b),
            (cel::Value::Timestamp(_), cel::Value::Timestamp(_))
        ) || (is_exact(&a) && is_exact(&b));
        match (comparable, order(&a, &b)) {
            (true, Some(o)) => Ok(if (o == Ordering::Less) == greater {
                b
            } else {
                a
            }),
            _ => Err(ExecutionError::function_error(
                if greater { "max" } else { "min" },
                "expects two dates or two doubles",
            )),
        }
    }
}

/// `business_days(d, n, holidays)`, spending a step per holiday read and per day walked.
fn business_days(budget: &Budget, args: &Args) -> Result<cel::Value, ExecutionError> {
    let fail = |m: &str| ExecutionError::function_error("business_days", m);
    let (start, n, list) = match args.0.as_slice() {
        [cel::Value::Timestamp(t), n, cel::Value::List(l)] => (t, n, l),
        _ => {
            return Err(fail(
                "expects a date, a number of business days and a list of holidays",
            ));
        }
    };
    let start = crate::calendar::timestamp_to_date(start)
        .ok_or_else(|| fail("the date is out of range"))?;
    let n = match n {
        cel::Value::Int(i) => *i,
        _ => return Err(fail("expects a whole number of business days")),
    };
    budget.spend_n(list.len() as u64)?;
    let mut holidays = Vec::with_capacity(list.len());
    for item in list.iter() {
        match item {
            cel::Value::Timestamp(t) => holidays.push(
                crate::calendar::timestamp_to_date(t)
                    .ok_or_else(|| fail("a holiday is out of range"))?,
            ),
            _ => return Err(fail("the holidays must be dates")),
        }
    }
    holidays.sort_unstable();
    let day = crate::calendar::add_business_days(start, n, &holidays, &mut |steps| {
        budget.spend_n(steps).is_ok()
    })
    .map_err(|m| fail(&m))?;
    Ok(cel::Value::Timestamp(crate::calendar::date_to_timestamp(
        day,
    )))
}

/// Registers the functions [`rewrite`] calls, each counting against `budget`.
pub fn register(ctx: &mut Context<'_, '_>, budget: &Budget) -> Result<(), String> {
    let mut failed = Vec::new();
    let mut add = |name: &str, added: bool| {
        if !added {
            failed.push(name.to_string());
        }
    };
    let walker = budget.clone();
    add(
        "__juxta_business_days",
        ctx.add_function(
            "__juxta_business_days",
            budget.wrap(move |args: Args| business_days(&walker, &args)),
        )
        .is_ok(),
    );
    add(
        "__juxta_number",
        ctx.add_function(
            "__juxta_number",
            budget.wrap(|args: Args| match one("number", &args)? {
                cel::Value::String(s) => Number::parse_decimal(&s)
                    .map(|n| to_cel(&n))
                    .map_err(|e| ExecutionError::function_error("number", e)),
                other => Err(no_overload("number", &[&other])),
            }),
        )
        .is_ok(),
    );
    add(
        "__juxta_add",
        ctx.add_function(
            "__juxta_add",
            budget.wrap(arithmetic(
                "__juxta_add",
                "_+_",
                |x, y| Some(x.add(y)),
                |a, b| a + b,
            )),
        )
        .is_ok(),
    );
    add(
        "__juxta_sub",
        ctx.add_function(
            "__juxta_sub",
            budget.wrap(arithmetic(
                "__juxta_sub",
                "_-_",
                |x, y| Some(x.sub(y)),
                |a, b| a - b,
            )),
        )
        .is_ok(),
    );
    add(
        "__juxta_mul",
        ctx.add_function(
            "__juxta_mul",
            budget.wrap(arithmetic(
                "__juxta_mul",
                "_*_",
                |x, y| Some(x.mul(y)),
                |a, b| a * b,
            )),
        )
        .is_ok(),
    );
    add(
        "__juxta_div",
        ctx.add_function(
            "__juxta_div",
            budget.wrap(arithmetic(
                "__juxta_div",
                "_/_",
                |x, y| x.div(y),
                |a, b| a / b,
            )),
        )
        .is_ok(),
    );
    add(
        "__juxta_rem",
        ctx.add_function(
            "__juxta_rem",
            budget.wrap(
                // CEL has no remainder of doubles.
                arithmetic("__juxta_rem", "_%_", |_, _| None, |a, b| a % b),
            ),
        )
        .is_ok(),
    );
    add(
        "__juxta_neg",
        ctx.add_function(
            "__juxta_neg",
            budget.wrap(|args: Args| {
                let a = one("-_", &args)?;
                if is_exact(&a) {
                    let n = number_of(&a).ok_or_else(|| no_overload("-_", &[&a]))?;
                    return Ok(to_cel(&n.neg()));
                }
                match a {
                    cel::Value::Int(i) => i
                        .checked_neg()
                        .map(cel::Value::Int)
                        .ok_or_else(|| ExecutionError::function_error("-_", "integer overflow")),
                    cel::Value::Float(f) => Ok(cel::Value::Float(-f)),
                    cel::Value::Duration(d) => Ok(cel::Value::Duration(-d)),
                    other => Err(no_overload("-_", &[&other])),
                }
            }),
        )
        .is_ok(),
    );
    add(
        "__juxta_lt",
        ctx.add_function(
            "__juxta_lt",
            budget.wrap(comparison("__juxta_lt", "_<_", |o| o == Ordering::Less)),
        )
        .is_ok(),
    );
    add(
        "__juxta_le",
        ctx.add_function(
            "__juxta_le",
            budget.wrap(comparison("__juxta_le", "_<=_", |o| o != Ordering::Greater)),
        )
        .is_ok(),
    );
    add(
        "__juxta_gt",
        ctx.add_function(
            "__juxta_gt",
            budget.wrap(comparison("__juxta_gt", "_>_", |o| o == Ordering::Greater)),
        )
        .is_ok(),
    );
    add(
        "__juxta_ge",
        ctx.add_function(
            "__juxta_ge",
            budget.wrap(comparison("__juxta_ge", "_>=_", |o| o != Ordering::Less)),
        )
        .is_ok(),
    );
    add(
        "__juxta_eq",
        ctx.add_function(
            "__juxta_eq",
            budget.wrap(|args: Args| {
                let (a, b) = two("_==_", &args)?;
                Ok(cel::Value::Bool(equal(&a, &b)))
            }),
        )
        .is_ok(),
    );
    add(
        "__juxta_ne",
        ctx.add_function(
            "__juxta_ne",
            budget.wrap(|args: Args| {
                let (a, b) = two("_!=_", &args)?;
                Ok(cel::Value::Bool(!equal(&a, &b)))
            }),
        )
        .is_ok(),
    );
    add(
        "__juxta_in",
        ctx.add_function(
            "__juxta_in",
            budget.wrap(|args: Args| {
                let (needle, haystack) = two("@in", &args)?;
                match &haystack {
                    cel::Value::List(items) => Ok(cel::Value::Bool(
                        items.iter().any(|item| equal(&needle, item)),
                    )),
                    cel::Value::Map(map) => {
                        use cel::objects::Key;
                        let key = match &needle {
                            cel::Value::Int(i) => Some(Key::Int(*i)),
                            cel::Value::UInt(u) => Some(Key::Uint(*u)),
                            cel::Value::Bool(b) => Some(Key::Bool(*b)),
                            cel::Value::String(s) => Some(Key::String(Arc::clone(s))),
                            _ => None,
                        };
                        Ok(cel::Value::Bool(
                            key.is_some_and(|k| map.map.contains_key(&k)),
                        ))
                    }
                    other => Err(no_overload("@in", &[&needle, other])),
                }
            }),
        )
        .is_ok(),
    );
    add(
        "__juxta_max",
        ctx.add_function("__juxta_max", budget.wrap(extremum("__juxta_max", true)))
            .is_ok(),
    );
    add(
        "__juxta_min",
        ctx.add_function("__juxta_min", budget.wrap(extremum("__juxta_min", false)))
            .is_ok(),
    );
    add(
        "__juxta_double",
        ctx.add_function(
            "__juxta_double",
            budget.wrap(|args: Args| {
                let a = one("double", &args)?;
                let n = match &a {
                    cel::Value::String(s) => Number::parse_decimal(s.trim())
                        .map_err(|e| ExecutionError::function_error("double", e))?,
                    other => number_of(other).ok_or_else(|| no_overload("double", &[other]))?,
                };
                Ok(to_cel(&n))
            }),
        )
        .is_ok(),
    );
    add(
        "__juxta_int",
        ctx.add_function(
            "__juxta_int",
            budget.wrap(|args: Args| {
                let a = one("int", &args)?;
                match &a {
                    cel::Value::Int(i) => Ok(cel::Value::Int(*i)),
                    cel::Value::String(s) => s
                        .trim()
                        .parse::<i64>()
                        .map(cel::Value::Int)
                        .map_err(|e| ExecutionError::function_error("int", e)),
                    cel::Value::Timestamp(t) => Ok(cel::Value::Int(t.timestamp())),
                    other => number_of(other)
                        .and_then(|n| n.trunc_to_i64())
                        .map(cel::Value::Int)
                        .ok_or_else(|| no_overload("int", &[other])),
                }
            }),
        )
        .is_ok(),
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the kernel's number functions collide with {}",
            failed.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(source: &str, vars: &[(&str, &str)]) -> Result<cel::Value, ExecutionError> {
        let env = Arc::new(cel::Env::stdlib());
        let program = env.compile(source).unwrap();
        let mut ctx = Context::with_env(Arc::clone(&env));
        register(&mut ctx, &Budget::new(1000)).unwrap();
        for (name, value) in vars {
            ctx.add_variable_from_value(
                name.to_string(),
                to_cel(&Number::parse_decimal(value).unwrap()),
            );
        }
        ctx.resolve(&rewrite(program.expression()))
    }

    #[test]
    fn the_interpreter_stops_when_its_budget_is_spent() {
        let env = Arc::new(cel::Env::stdlib());
        let program = env.compile("1 + 1 + 1 + 1 + 1 + 1 == 6").unwrap();
        let mut ctx = Context::with_env(Arc::clone(&env));
        let budget = Budget::new(3);
        register(&mut ctx, &budget).unwrap();
        let result = ctx.resolve(&rewrite(program.expression()));
        assert!(result.is_err());
        assert!(budget.spent());
        budget.reset(100);
        assert_eq!(
            ctx.resolve(&rewrite(program.expression())).unwrap(),
            cel::Value::Bool(true)
        );
        assert!(!budget.spent());
    }

    #[test]
    fn concatenation_past_the_result_cap_is_refused() {
        let env = Arc::new(cel::Env::stdlib());
        let program = env.compile("s + s").unwrap();
        let mut ctx = Context::with_env(Arc::clone(&env));
        register(&mut ctx, &Budget::new(100)).unwrap();
        ctx.add_variable_from_value("s", "x".repeat(600_000));
        let e = ctx.resolve(&rewrite(program.expression())).unwrap_err();
        assert!(e.to_string().contains("would exceed"), "{e}");
    }

    #[test]
    fn boundaries_are_decided_exactly_in_the_interpreter() {
        let vars = [("m", "1e25"), ("b", "3e25")];
        assert_eq!(eval("m * 3.0 > b", &vars).unwrap(), cel::Value::Bool(false));
        assert_eq!(eval("m * 3.0 == b", &vars).unwrap(), cel::Value::Bool(true));
        assert_eq!(eval("m * 3.0 >= b", &vars).unwrap(), cel::Value::Bool(true));
        assert_eq!(
            eval("9.9e22 + 1e21 > 1e23", &[]).unwrap(),
            cel::Value::Bool(false)
        );
        // Integers compare with numbers by value; integer arithmetic stays CEL's.
        assert_eq!(eval("m > 0", &vars).unwrap(), cel::Value::Bool(true));
        assert_eq!(eval("0 < m", &vars).unwrap(), cel::Value::Bool(true));
        assert_eq!(eval("1 + 2 == 3", &[]).unwrap(), cel::Value::Bool(true));
        assert!(eval("1 + m", &vars).is_err());
        assert_eq!(
            number_of(&eval("max(m, b) - min(m, b)", &vars).unwrap()),
            Some(Number::parse_decimal("2e25").unwrap())
        );
        assert_eq!(
            eval("m in [1e25, 2e25]", &vars).unwrap(),
            cel::Value::Bool(true)
        );
        assert_eq!(
            eval("'a' + 'b' == 'ab'", &[]).unwrap(),
            cel::Value::Bool(true)
        );
        assert_eq!(
            eval("int(b / m) == 3", &vars).unwrap(),
            cel::Value::Bool(true)
        );
        assert!(eval("m / 0.0", &vars).is_err());
    }
}
