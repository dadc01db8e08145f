//! Type checking of a leaf: every sub-expression gets a [`Ty`], and what CEL would refuse or
//! get wrong at run time is refused now (comparing a date with a number, integer–double
//! arithmetic, a misspelt enum value, an unknown function, comprehensions nested too deep),
//! each problem pointing at its sub-expression.

use std::sync::Arc;

use cel::IdedExpr;
use cel::common::ast::{CallExpr, EntryExpr, Expr, LiteralValue};
use juxta_sdk::manifest::ParameterType;

use super::resolve::{self, Scan, Segments, Unresolved};
use super::spans::Reporter;
use crate::diag::{code_list, did_you_mean};
use crate::regime::budget::MAX_COMPREHENSION_DEPTH;
use crate::regime::builtins::{self, Builtin, Signature};
use crate::regime::names::Names;
use crate::regime::source::ProblemKind;
use crate::regime::types::Ty;
use crate::value::Value;

/// Checks one leaf, reporting through `out`, and records what it reads.
pub(super) struct Checker<'c, 'a, 'n> {
    names: &'c Names<'n>,
    out: &'c mut Reporter<'a>,
    /// What the leaf reads.
    pub(super) scan: Scan,
}

impl<'c, 'a, 'n> Checker<'c, 'a, 'n> {
    /// A checker for one leaf of the expression `out` is reading.
    pub(super) fn new(names: &'c Names<'n>, out: &'c mut Reporter<'a>) -> Self {
        Checker {
            names,
            out,
            scan: Scan::default(),
        }
    }

    /// The type of a resolved name, or `Dyn` (or what the resolver says) with its problem.
    fn resolved(&mut self, e: &IdedExpr, resolved: Result<Ty, Unresolved>) -> Ty {
        match resolved {
            Ok(ty) => ty,
            Err(u) => {
                self.out.report_kind(u.kind, Some(e), u.message, u.help);
                u.ty
            }
        }
    }

    /// The type of a sub-expression; `scope` holds the comprehension variables around it,
    /// innermost last, and `depth` counts those comprehensions.
    pub(super) fn check(&mut self, e: &IdedExpr, scope: &[(String, Ty)], depth: usize) -> Ty {
        match &e.expr {
            Expr::Literal(lit) => match lit {
                LiteralValue::Boolean(_) => Ty::Bool,
                LiteralValue::Int(_) | LiteralValue::UInt(_) => Ty::Int,
                LiteralValue::Double(_) => Ty::Double,
                LiteralValue::String(_) => Ty::String,
                LiteralValue::Null => Ty::Null,
                LiteralValue::Bytes(_) => Ty::Dyn,
            },
            Expr::Ident(name) => {
                let resolved = resolve::ident(self.names, name, &mut self.scan, scope);
                self.resolved(e, resolved)
            }
            Expr::Select(select) => {
                if let Some(segments) = select.operand.expr_segments() {
                    let resolved = resolve::select(
                        self.names,
                        &segments,
                        &select.field,
                        select.test,
                        &mut self.scan,
                        scope,
                    );
                    return self.resolved(e, resolved);
                }
                let operand = self.check(&select.operand, scope, depth);
                if select.test {
                    return Ty::Bool;
                }
                match operand {
                    Ty::Map | Ty::Dyn => Ty::Dyn,
                    other => {
                        self.out.report(
                            Some(e),
                            format!("{other} has no field `{}`", select.field),
                            None,
                        );
                        Ty::Dyn
                    }
                }
            }
            Expr::Call(call) => self.call(e, call, scope, depth),
            Expr::Comprehension(c) => {
                if depth >= MAX_COMPREHENSION_DEPTH {
                    self.out.report_kind(ProblemKind::Budget, Some(e), format!("comprehensions nested deeper than {MAX_COMPREHENSION_DEPTH} levels: the cost of evaluating them grows with the product of the list sizes"), None);
                    return Ty::Dyn;
                }
                let range = self.check(&c.iter_range, scope, depth);
                let elem = match &range {
                    Ty::List(elem) => (**elem).clone(),
                    Ty::Map | Ty::Dyn => Ty::Dyn,
                    other => {
                        self.out.report(
                            Some(&c.iter_range),
                            format!("cannot iterate over {other}"),
                            None,
                        );
                        Ty::Dyn
                    }
                };
                let accu = self.check(&c.accu_init, scope, depth);
                let mut inner: Vec<(String, Ty)> = scope.to_vec();
                inner.push((c.iter_var.clone(), elem));
                if let Some(v2) = &c.iter_var2 {
                    inner.push((v2.clone(), Ty::Dyn));
                }
                inner.push((c.accu_var.clone(), accu));
                self.check(&c.loop_cond, &inner, depth + 1);
                self.check(&c.loop_step, &inner, depth + 1);
                self.check(&c.result, &inner, depth + 1)
            }
            Expr::List(list) => {
                let mut elem: Option<Ty> = None;
                for item in &list.elements {
                    let t = self.check(item, scope, depth);
                    elem = Some(match elem {
                        None => t,
                        Some(prev) if prev == t => prev,
                        Some(_) => Ty::Dyn,
                    });
                }
                Ty::List(Arc::new(elem.unwrap_or(Ty::Dyn)))
            }
            Expr::Map(map) => {
                for entry in &map.entries {
                    if let EntryExpr::MapEntry(m) = &entry.expr {
                        self.check(&m.key, scope, depth);
                        self.check(&m.value, scope, depth);
                    }
                }
                Ty::Map
            }
            Expr::Struct(_) => {
                self.out.report(
                    Some(e),
                    "message construction is not supported: regimes have no message types".into(),
                    None,
                );
                Ty::Dyn
            }
            Expr::Unspecified => Ty::Dyn,
        }
    }

    fn call(&mut self, e: &IdedExpr, call: &CallExpr, scope: &[(String, Ty)], depth: usize) -> Ty {
        let name = call.func_name.as_str();
        let target = call.target.as_ref().map(|t| self.check(t, scope, depth));
        let args: Vec<Ty> = call
            .args
            .iter()
            .map(|a| self.check(a, scope, depth))
            .collect();
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Ty::Dyn);
        match (name, target.is_some(), args.len()) {
            ("_&&_" | "_||_", false, 2) | ("!_", false, 1) | ("@not_strictly_false", false, 1) => {
                for (i, t) in args.iter().enumerate() {
                    if !t.fits(&Ty::Bool) {
                        self.out.report(
                            Some(&call.args[i]),
                            format!("expected a condition, found {t}"),
                            None,
                        );
                    }
                }
                Ty::Bool
            }
            ("_?_:_", false, 3) => {
                if !arg(0).fits(&Ty::Bool) {
                    self.out.report(
                        Some(&call.args[0]),
                        format!(
                            "the condition of `?:` must be true or false, but this is {}",
                            arg(0)
                        ),
                        None,
                    );
                }
                if arg(1).fits(&arg(2)) {
                    arg(1)
                } else {
                    Ty::Dyn
                }
            }
            ("_<_" | "_<=_" | "_>_" | "_>=_" | "_==_" | "_!=_", false, 2) => {
                let (a, b) = (arg(0), arg(1));
                if !a.comparable(&b) {
                    self.out
                        .report(Some(e), format!("compares {a} with {b}"), None);
                }
                if matches!(name, "_==_" | "_!=_") {
                    self.check_enum_literal(&a, &call.args[1]);
                    self.check_enum_literal(&b, &call.args[0]);
                }
                Ty::Bool
            }
            ("@in", false, 2) => {
                match arg(1) {
                    Ty::List(elem) => {
                        if !arg(0).comparable(&elem) {
                            self.out.report(
                                Some(e),
                                format!("looks for {} in a list of {}", arg(0), elem),
                                None,
                            );
                        }
                        self.check_enum_literal(&arg(0), &call.args[1]);
                        self.check_enum_literal(&elem, &call.args[0]);
                    }
                    Ty::Map | Ty::Dyn => {}
                    other => self.out.report(
                        Some(&call.args[1]),
                        format!("`in` needs a list, found {other}"),
                        None,
                    ),
                }
                Ty::Bool
            }
            ("_+_" | "_-_" | "_*_" | "_/_" | "_%_", false, 2) => {
                self.arithmetic(e, name, &arg(0), &arg(1))
            }
            ("-_", false, 1) => arg(0),
            ("_[_]", false, 2) => match arg(0) {
                Ty::List(elem) => (*elem).clone(),
                _ => Ty::Dyn,
            },
            _ => self.function(e, call, &args),
        }
    }

    /// A call of a builtin, of a custom function of the plugin, or of nothing known.
    fn function(&mut self, e: &IdedExpr, call: &CallExpr, args: &[Ty]) -> Ty {
        let name = call.func_name.as_str();
        let method = call.target.is_some();
        if let Some(b) = builtins::find(name)
            && (b.is_circuit() || b.shape.accepts(method, args.len()))
        {
            return self.builtin(e, call, b, args);
        }
        if let Some(b) = builtins::find(name)
            && let builtins::Shape::Method(n) = b.shape
        {
            self.out.report(
                Some(e),
                format!(
                    "`{name}` is called on its string with {n} argument(s): `{}`",
                    b.usage
                ),
                None,
            );
            return Ty::Bool;
        }
        if !method && let Some((params, ret)) = self.names.functions.get(name).cloned() {
            if params.len() != args.len() {
                self.out.report(
                    Some(e),
                    format!(
                        "`{name}` takes {} argument(s), found {}",
                        params.len(),
                        args.len()
                    ),
                    None,
                );
            } else {
                for (i, (want, got)) in params.iter().zip(args).enumerate() {
                    if !got.fits(want) {
                        self.out.report(
                            Some(&call.args[i]),
                            format!("argument {} of `{name}` must be {want}, found {got}", i + 1),
                            None,
                        );
                    }
                }
            }
            return ret;
        }
        let mut known: Vec<&str> = builtins::functions().map(|b| b.name).collect();
        known.extend(self.names.functions.keys().map(String::as_str));
        let shown = name.trim_matches('_');
        let help =
            did_you_mean(shown, known.iter().copied()).map(|d| format!("did you mean `{d}`?"));
        let help = help.or_else(|| Some(format!("functions available: {}", known.join(", "))));
        self.out.report(
            Some(e),
            format!(
                "unknown function `{shown}` with {} argument(s)",
                args.len() + usize::from(method)
            ),
            help,
        );
        Ty::Dyn
    }

    /// A call of a builtin, checked against its signature.
    fn builtin(&mut self, e: &IdedExpr, call: &CallExpr, b: &Builtin, args: &[Ty]) -> Ty {
        // Numbers are exact: CEL's `string()` has no overload for them, so it would fail at
        // every evaluation.
        if b.id == builtins::Id::String && args.contains(&Ty::Double) {
            self.out.report(
                Some(e),
                "`string()` of a number is not supported: numbers are exact, not CEL doubles"
                    .into(),
                Some("compare the number itself, or use a parameter's text".into()),
            );
            return Ty::String;
        }
        let found = || {
            args.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" and ")
        };
        match &b.signature {
            Signature::Returns(ty) => ty.clone(),
            Signature::Pattern => {
                // A constant pattern that does not compile would fail every evaluation: refuse
                // it now. (The `regex` crate matches in linear time, so a valid pattern cannot
                // explode.)
                let pattern = match (call.target.is_some(), call.args.as_slice()) {
                    (true, [p]) | (false, [_, p]) => Some(p),
                    _ => None,
                };
                if let Some(p) = pattern
                    && let Expr::Literal(LiteralValue::String(s)) = &p.expr
                    && let Err(err) = regex::Regex::new(s.inner())
                {
                    let first = err.to_string();
                    let first = first.lines().last().unwrap_or_default().trim().to_string();
                    self.out.report(
                        Some(p),
                        format!("`{}` is not a valid regular expression: {first}", s.inner()),
                        None,
                    );
                }
                Ty::Bool
            }
            Signature::Takes(want, result) => {
                // `business_days` counts around a list of dates: the holidays parameter.
                let holidays_ok = b.id != builtins::Id::BusinessDays
                    || matches!(args.get(2), Some(Ty::List(t)) if **t == Ty::Timestamp || **t == Ty::Dyn)
                    || args.get(2) == Some(&Ty::Dyn);
                if want.iter().zip(args).any(|(want, got)| !got.fits(want)) || !holidays_ok {
                    let message = format!("`{}` takes {}, found {}", b.name, b.takes, found());
                    let help = (!holidays_ok).then(|| {
                        "declare the holidays as a parameter of `type = \"date_list\"` (an empty list for none) and pass `params.<name>`".to_string()
                    });
                    self.out.report(Some(e), message, help);
                }
                result.clone()
            }
            Signature::Same(types) => {
                let arg = |i: usize| args.get(i).cloned().unwrap_or(Ty::Dyn);
                let (x, y) = (arg(0), arg(1));
                let ok = (types.contains(&x) || x == Ty::Dyn)
                    && (x == y || x == Ty::Dyn || y == Ty::Dyn);
                if !ok {
                    let message = format!("`{}` takes {}, found {}", b.name, b.takes, found());
                    self.out.report(Some(e), message, None);
                }
                if x == Ty::Dyn { y } else { x }
            }
            Signature::Circuit => {
                self.out.report(Some(e), format!("`{}(…)` is a condition of its own: use it directly under `&&`, `||`, `!` or `?:`, not inside a comparison or a computation", b.name), None);
                Ty::Dyn
            }
        }
    }

    fn arithmetic(&mut self, e: &IdedExpr, op: &str, a: &Ty, b: &Ty) -> Ty {
        use Ty::*;
        let symbol = op.trim_matches('_');
        match (op, a, b) {
            (_, Dyn, _) | (_, _, Dyn) => Dyn,
            (_, Int, Int) => Int,
            ("_%_", Double, Double) => {
                // Numbers are exact rationals; a remainder is defined for integers only.
                self.out.report(
                    Some(e),
                    "`%` takes integers; a number (a double in CEL) has no remainder here".into(),
                    Some("convert with `int(…)` first".into()),
                );
                Dyn
            }
            (_, Double, Double) => Double,
            ("_+_", Timestamp, Duration)
            | ("_+_", Duration, Timestamp)
            | ("_-_", Timestamp, Duration) => Timestamp,
            ("_-_", Timestamp, Timestamp) | ("_+_" | "_-_", Duration, Duration) => Duration,
            ("_+_", String | Enum(_), String | Enum(_)) => String,
            ("_+_", List(x), List(_)) => List(x.clone()),
            (_, Int, Double) | (_, Double, Int) => {
                self.out.report(
                    Some(e),
                    format!(
                        "`{symbol}` mixes an integer and a double, which CEL refuses at run time"
                    ),
                    Some("write integer literals as doubles, such as `3.0` instead of `3`".into()),
                );
                Dyn
            }
            _ => {
                self.out.report(
                    Some(e),
                    format!("`{symbol}` does not apply to {a} and {b}"),
                    None,
                );
                Dyn
            }
        }
    }

    /// Checks string literals (or a list parameter's values) against an enum's spellings.
    fn check_enum_literal(&mut self, ty: &Ty, other: &IdedExpr) {
        let allowed = match ty {
            Ty::Enum(values) => *values,
            _ => return,
        };
        let mut literals: Vec<(String, &IdedExpr)> = Vec::new();
        match &other.expr {
            Expr::Literal(LiteralValue::String(s)) => literals.push((s.inner().to_string(), other)),
            Expr::List(list) => {
                for item in &list.elements {
                    if let Expr::Literal(LiteralValue::String(s)) = &item.expr {
                        literals.push((s.inner().to_string(), item));
                    }
                }
            }
            Expr::Select(sel)
                if !sel.test
                    && sel.operand.expr_segments().as_deref()
                        == Some(&["params".to_string()][..]) =>
            {
                if let Some(p) = self.names.params.get(&sel.field)
                    && p.ty == ParameterType::StringList
                {
                    for v in &p.values {
                        if let Value::List(items) = &v.value {
                            literals.extend(items.iter().map(|s| (s.clone(), other)));
                        }
                    }
                }
            }
            _ => {}
        }
        for (s, at) in literals {
            if !allowed.contains(&s.as_str()) {
                let help = did_you_mean(&s, allowed.iter().copied())
                    .map(|d| format!("did you mean `{d}`?"));
                let help = help.or_else(|| Some(format!("the values are {}", code_list(allowed))));
                self.out.report(
                    Some(at),
                    format!("`{s}` is not a possible value here"),
                    help,
                );
            }
        }
    }
}
