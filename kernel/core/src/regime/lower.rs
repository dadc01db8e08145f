//! Lowering and static checking: from a CEL expression in the manifest to the circuit of
//! [`super::ir`], rejecting at load what would fail or mislead at evaluation.
//!
//! The cel crate has no type checker; this module is ours. It resolves every name (facts by
//! schema path, `params.<name>`, blocks, values, functions), infers simple types, checks enum
//! spellings against the schema, and bounds the cost of what the interpreter will run
//! (expression size, comprehension nesting). Each problem names the manifest item and points
//! at the sub-expression, with a "did you mean" where one is close.

use crate::diag::code_list;
use std::ops::Range;
use std::sync::Arc;

use cel::common::ast::{EntryExpr, Expr, LiteralValue};
use cel::{Env, IdedExpr};
use juxta_sdk::manifest::ParameterType;

use super::ir::{Cond, Leaf, LeafId, ValueExpr};
use super::source::{Problem, Source};
use super::types::Ty;
use crate::diag::did_you_mean;
use crate::schema::FactKind;
use crate::tri::FactSet;
use crate::value::Value;

pub use super::budget::{MAX_COMPREHENSION_DEPTH, MAX_EXPRESSION_NODES};
pub use super::names::Names;

/// The CEL functions a leaf may call, besides the plugin's own and the operators.
const BUILTIN_FUNCTIONS: &[&str] = &[
    "size",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "int",
    "double",
    "string",
    "timestamp",
    "duration",
    "days",
    "max",
    "min",
];

/// The kernel's condition functions, valid only where a condition is expected.
const CIRCUIT_FUNCTIONS: &[&str] = &["present", "open_question", "fallback"];

/// Lowers one manifest expression. Problems go to `problems`; the result is `None` when the
/// expression could not be lowered at all.
pub struct Lowerer<'a, 'n> {
    names: &'a Names<'n>,
    env: &'a Env,
    item: &'a str,
    source: &'a Source<'a>,
    problems: &'a mut Vec<Problem>,
    leaves: &'a mut Vec<Leaf>,
    // Per expression:
    expr_text: String,
    char_to_byte: Vec<usize>,
    info: Option<cel::common::ast::SourceInfo>,
    base: Option<usize>,
    /// The parsed form of the last expression, kept for the reference evaluator.
    pub last_root: Option<IdedExpr>,
}

impl<'a, 'n> Lowerer<'a, 'n> {
    /// A lowerer for the expressions of one manifest item (`rule EU-OBL-53-1a`).
    pub fn new(
        names: &'a Names<'n>,
        env: &'a Env,
        item: &'a str,
        source: &'a Source<'a>,
        problems: &'a mut Vec<Problem>,
        leaves: &'a mut Vec<Leaf>,
    ) -> Self {
        Lowerer {
            names,
            env,
            item,
            source,
            problems,
            leaves,
            expr_text: String::new(),
            char_to_byte: Vec::new(),
            info: None,
            base: None,
            last_root: None,
        }
    }

    fn parse(&mut self, expr: &juxta_sdk::manifest::Expr) -> Option<IdedExpr> {
        let text = expr.get_ref().clone();
        self.expr_text = text.clone();
        self.char_to_byte = text
            .char_indices()
            .map(|(b, _)| b)
            .chain([text.len()])
            .collect();
        let base = self.source.content_start(expr.span());
        self.base = base;
        if let Err(message) = super::budget::precheck(&text) {
            self.report(None, message, None);
            return None;
        }
        match self.env.compile(&text) {
            Ok(program) => {
                let root = program.expression().clone();
                let depth = super::budget::depth(&root);
                if depth > super::budget::MAX_EXPRESSION_DEPTH {
                    self.report(
                        None,
                        format!(
                            "expression nested {depth} levels deep exceeds the limit of {}",
                            super::budget::MAX_EXPRESSION_DEPTH
                        ),
                        Some("name the parts as blocks".into()),
                    );
                    return None;
                }
                self.last_root = Some(root.clone());
                let nodes = count_nodes(&root);
                self.info = None;
                // Keep the offsets: the program owns them, so copy what we need.
                let mut info = cel::common::ast::SourceInfo::default();
                collect_offsets(&root, program.source_info(), &mut info);
                self.info = Some(info);
                if nodes > MAX_EXPRESSION_NODES {
                    self.report(None, format!("expression of {nodes} nodes exceeds the limit of {MAX_EXPRESSION_NODES}"), None);
                    return None;
                }
                Some(root)
            }
            Err(errors) => {
                for e in errors.errors {
                    // Positions are 1-based line and column within the expression.
                    let (line, col) = (e.pos.0.max(1) as usize, e.pos.1.max(1) as usize);
                    let byte = text
                        .split_inclusive('\n')
                        .take(line - 1)
                        .map(str::len)
                        .sum::<usize>()
                        + text.split_inclusive('\n').nth(line - 1).map_or(0, |l| {
                            l.char_indices().nth(col - 1).map_or(l.len(), |(b, _)| b)
                        });
                    let msg = e.msg.trim_start_matches("Syntax error: ").to_string();
                    self.problems.push(Problem {
                        item: self.item.to_string(),
                        span: base.map(|b| b + byte..b + byte + 1),
                        expression: Some(text.clone()),
                        message: format!("syntax error: {msg}"),
                        help: None,
                    });
                }
                None
            }
        }
    }

    /// Lowers a condition.
    pub fn condition(&mut self, expr: &juxta_sdk::manifest::Expr) -> Option<Cond> {
        let root = self.parse(expr)?;
        let before = self.problems.len();
        let cond = self.cond(&root);
        (self.problems.len() == before).then_some(cond)
    }

    /// Lowers a value of type `want`.
    pub fn value(&mut self, expr: &juxta_sdk::manifest::Expr, want: &Ty) -> Option<ValueExpr> {
        let root = self.parse(expr)?;
        let before = self.problems.len();
        let value = self.val(&root, want);
        (self.problems.len() == before).then_some(value)
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
                    ("fallback", [a, b]) => {
                        Cond::Fallback(Box::new(self.cond(a)), Box::new(self.cond(b)))
                    }
                    ("fallback", _) => {
                        self.bad(e, "`fallback` takes two conditions: `fallback(a, b)`")
                    }
                    ("present", [arg]) => self.present(e, arg),
                    ("present", _) => {
                        self.bad(e, "`present` takes one table: `present(derivation)`")
                    }
                    ("open_question", [arg]) => self.question(e, arg),
                    ("open_question", _) => self.bad(
                        e,
                        "`open_question` takes one id: `open_question(\"US-OQ-THRESHOLD\")`",
                    ),
                    _ => self.leaf_cond(e),
                }
            }
            _ => self.leaf_cond(e),
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
            self.report(
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
            match (call.func_name.as_str(), call.args.as_slice()) {
                ("_?_:_", [c, a, b]) => {
                    return ValueExpr::If(
                        self.cond(c),
                        Box::new(self.val(a, want)),
                        Box::new(self.val(b, want)),
                    );
                }
                ("fallback", [a, b]) => {
                    return ValueExpr::Fallback(
                        Box::new(self.val(a, want)),
                        Box::new(self.val(b, want)),
                    );
                }
                _ => {}
            }
        }
        // A leaf id of 0 on error is never evaluated: the regime fails to load.
        ValueExpr::Leaf(self.leaf(e, want).unwrap_or(0))
    }

    fn bad(&mut self, e: &IdedExpr, message: &str) -> Cond {
        self.report(Some(e), message.to_string(), None);
        Cond::Const(false)
    }

    /// Checks a leaf and records it.
    fn leaf(&mut self, e: &IdedExpr, want: &Ty) -> Option<LeafId> {
        let mut scan = Scan::default();
        let ty = self.check(e, &mut scan, &[], 0);
        if !ty.fits(want) {
            let message = if *want == Ty::Bool {
                format!("a condition must be true or false, but this is {ty}")
            } else {
                format!("expected {want}, but this is {ty}")
            };
            self.report(Some(e), message, None);
        }
        let id = self.leaves.len();
        self.leaves.push(Leaf {
            // The interpreter computes on exact numbers (see `crate::exact`).
            expr: crate::exact::rewrite(e),
            text: self.text_of(e),
            reads: scan.reads,
            tests: scan.tests,
            values: scan.values,
            native: super::native::compile(e, self.names),
            cost: 0,
        });
        Some(id)
    }

    fn check(&mut self, e: &IdedExpr, scan: &mut Scan, scope: &[(String, Ty)], depth: usize) -> Ty {
        match &e.expr {
            Expr::Literal(lit) => match lit {
                LiteralValue::Boolean(_) => Ty::Bool,
                LiteralValue::Int(_) | LiteralValue::UInt(_) => Ty::Int,
                LiteralValue::Double(_) => Ty::Double,
                LiteralValue::String(_) => Ty::String,
                LiteralValue::Null => Ty::Null,
                LiteralValue::Bytes(_) => Ty::Dyn,
            },
            Expr::Ident(name) => self.ident(e, name, scan, scope),
            Expr::Select(select) => {
                if let Some(segments) = select.operand.expr_segments() {
                    return self.select(e, &segments, &select.field, select.test, scan, scope);
                }
                let operand = self.check(&select.operand, scan, scope, depth);
                if select.test {
                    return Ty::Bool;
                }
                match operand {
                    Ty::Map | Ty::Dyn => Ty::Dyn,
                    other => {
                        self.report(
                            Some(e),
                            format!("{other} has no field `{}`", select.field),
                            None,
                        );
                        Ty::Dyn
                    }
                }
            }
            Expr::Call(call) => self.call(e, call, scan, scope, depth),
            Expr::Comprehension(c) => {
                if depth >= MAX_COMPREHENSION_DEPTH {
                    self.report(Some(e), format!("comprehensions nested deeper than {MAX_COMPREHENSION_DEPTH} levels: the cost of evaluating them grows with the product of the list sizes"), None);
                    return Ty::Dyn;
                }
                let range = self.check(&c.iter_range, scan, scope, depth);
                let elem = match &range {
                    Ty::List(elem) => (**elem).clone(),
                    Ty::Map | Ty::Dyn => Ty::Dyn,
                    other => {
                        self.report(
                            Some(&c.iter_range),
                            format!("cannot iterate over {other}"),
                            None,
                        );
                        Ty::Dyn
                    }
                };
                let accu = self.check(&c.accu_init, scan, scope, depth);
                let mut inner: Vec<(String, Ty)> = scope.to_vec();
                inner.push((c.iter_var.clone(), elem));
                if let Some(v2) = &c.iter_var2 {
                    inner.push((v2.clone(), Ty::Dyn));
                }
                inner.push((c.accu_var.clone(), accu));
                self.check(&c.loop_cond, scan, &inner, depth + 1);
                self.check(&c.loop_step, scan, &inner, depth + 1);
                self.check(&c.result, scan, &inner, depth + 1)
            }
            Expr::List(list) => {
                let mut elem: Option<Ty> = None;
                for item in &list.elements {
                    let t = self.check(item, scan, scope, depth);
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
                        self.check(&m.key, scan, scope, depth);
                        self.check(&m.value, scan, scope, depth);
                    }
                }
                Ty::Map
            }
            Expr::Struct(_) => {
                self.report(
                    Some(e),
                    "message construction is not supported: regimes have no message types".into(),
                    None,
                );
                Ty::Dyn
            }
            Expr::Unspecified => Ty::Dyn,
        }
    }

    fn ident(&mut self, e: &IdedExpr, name: &str, scan: &mut Scan, scope: &[(String, Ty)]) -> Ty {
        if let Some((_, ty)) = scope.iter().rev().find(|(n, _)| n == name) {
            return ty.clone();
        }
        if let Some((id, ty)) = self.names.values.get(name) {
            if !scan.values.contains(id) {
                scan.values.push(*id);
            }
            return ty.clone();
        }
        let schema = self.names.schema;
        let message = if schema.table_index(name).is_some() {
            format!(
                "`{name}` is a table: read one of its fields, such as `{name}.{}`",
                schema
                    .fields_of(schema.table_index(name).unwrap_or(0))
                    .next()
                    .map_or("field", |(_, f)| f.name.as_str())
            )
        } else if name == "params" {
            "read a parameter as `params.<name>`".to_string()
        } else if self.names.blocks.contains_key(name) {
            format!(
                "block `{name}` is a condition: combine it with `&&`, `||`, `!` or `?:`, not inside a comparison or a computation"
            )
        } else {
            let candidates = self.name_candidates();
            let help = did_you_mean(name, candidates.iter().map(String::as_str))
                .map(|d| format!("did you mean `{d}`?"));
            self.report(Some(e), format!("unknown name `{name}`"), help);
            return Ty::Dyn;
        };
        self.report(Some(e), message, None);
        Ty::Dyn
    }

    fn name_candidates(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .names
            .schema
            .tables()
            .iter()
            .map(|t| t.name.clone())
            .collect();
        names.extend(self.names.blocks.keys().cloned());
        names.extend(self.names.values.keys().cloned());
        names.push("params".into());
        names.sort();
        names
    }

    fn select(
        &mut self,
        e: &IdedExpr,
        segments: &[String],
        field: &str,
        test: bool,
        scan: &mut Scan,
        scope: &[(String, Ty)],
    ) -> Ty {
        let schema = self.names.schema;
        let root = segments[0].as_str();
        if scope.iter().any(|(n, _)| n == root) {
            return if test { Ty::Bool } else { Ty::Dyn };
        }
        if root == "params" && segments.len() == 1 {
            if test {
                self.report(
                    Some(e),
                    "`has()` on a parameter: parameters always have a value".into(),
                    None,
                );
                return Ty::Bool;
            }
            return match self.names.params.get(field) {
                Some(p) => p.ty(),
                None => {
                    let help = did_you_mean(field, self.names.params.keys().map(String::as_str))
                        .map(|d| format!("did you mean `params.{d}`?"));
                    self.report(
                        Some(e),
                        format!("unknown parameter `params.{field}`"),
                        help.or_else(|| Some("declare it under [parameters]".into())),
                    );
                    Ty::Dyn
                }
            };
        }
        if let Some(table) = schema.table_index(root) {
            if segments.len() > 1 {
                let path = segments.join(".");
                let message = match schema.lookup(&path) {
                    Some(_) => format!("`{path}` is a single value; it has no field `{field}`"),
                    None => format!("unknown fact `{path}`"),
                };
                self.report(Some(e), message, None);
                return Ty::Dyn;
            }
            let path = format!("{root}.{field}");
            return match schema.lookup(&path) {
                Some(id) => {
                    if let Err(message) =
                        schema.visibility(id, self.names.regime, self.names.target)
                    {
                        self.report(Some(e), message, None);
                        return Ty::Dyn;
                    }
                    let FactKind::Field(fact_ty) = schema.fact(id).kind else {
                        self.report(Some(e), format!("`{path}` is not a field"), None);
                        return Ty::Dyn;
                    };
                    if test {
                        scan.tests.insert(id);
                        Ty::Bool
                    } else {
                        scan.reads.insert(id);
                        Ty::of_fact(fact_ty)
                    }
                }
                None => {
                    let fields: Vec<&str> = schema
                        .fields_of(table)
                        .map(|(_, f)| f.name.as_str())
                        .collect();
                    let help = did_you_mean(field, fields.iter().copied())
                        .map(|d| format!("did you mean `{root}.{d}`?"));
                    self.report(
                        Some(e),
                        format!("unknown fact `{path}`"),
                        help.or_else(|| Some(format!("`{root}` has {}", code_list(fields)))),
                    );
                    Ty::Dyn
                }
            };
        }
        if self.names.values.contains_key(root) || self.names.blocks.contains_key(root) {
            self.report(Some(e), format!("`{root}` has no field `{field}`"), None);
            return Ty::Dyn;
        }
        let candidates = self.name_candidates();
        let help = did_you_mean(root, candidates.iter().map(String::as_str))
            .map(|d| format!("did you mean `{d}`?"));
        self.report(Some(e), format!("unknown name `{root}`"), help);
        Ty::Dyn
    }

    fn call(
        &mut self,
        e: &IdedExpr,
        call: &cel::common::ast::CallExpr,
        scan: &mut Scan,
        scope: &[(String, Ty)],
        depth: usize,
    ) -> Ty {
        let name = call.func_name.as_str();
        let target = call
            .target
            .as_ref()
            .map(|t| self.check(t, scan, scope, depth));
        let args: Vec<Ty> = call
            .args
            .iter()
            .map(|a| self.check(a, scan, scope, depth))
            .collect();
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Ty::Dyn);
        match (name, target.is_some(), args.len()) {
            ("_&&_" | "_||_", false, 2) | ("!_", false, 1) | ("@not_strictly_false", false, 1) => {
                for (i, t) in args.iter().enumerate() {
                    if !t.fits(&Ty::Bool) {
                        self.report(
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
                    self.report(
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
                    self.report(Some(e), format!("compares {a} with {b}"), None);
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
                            self.report(
                                Some(e),
                                format!("looks for {} in a list of {}", arg(0), elem),
                                None,
                            );
                        }
                        self.check_enum_literal(&arg(0), &call.args[1]);
                        self.check_enum_literal(&elem, &call.args[0]);
                    }
                    Ty::Map | Ty::Dyn => {}
                    other => self.report(
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
            ("size", _, _) => Ty::Int,
            ("matches", _, _) => {
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
                    self.report(
                        Some(p),
                        format!("`{}` is not a valid regular expression: {first}", s.inner()),
                        None,
                    );
                }
                Ty::Bool
            }
            ("contains" | "startsWith" | "endsWith", _, _) => Ty::Bool,
            ("int", false, 1) => Ty::Int,
            ("double", false, 1) => Ty::Double,
            ("string", false, 1) => Ty::String,
            ("timestamp", false, 1) => Ty::Timestamp,
            ("duration", false, 1) => Ty::Duration,
            ("days", false, 1) => {
                if !arg(0).fits(&Ty::Int) || arg(0) == Ty::Double {
                    self.report(
                        Some(e),
                        format!("`days` takes an integer number of days, found {}", arg(0)),
                        None,
                    );
                }
                Ty::Duration
            }
            ("max" | "min", false, 2) => {
                let (a, b) = (arg(0), arg(1));
                let ok = (a == Ty::Timestamp || a == Ty::Double || a == Ty::Dyn)
                    && (a == b || a == Ty::Dyn || b == Ty::Dyn);
                if !ok {
                    self.report(
                        Some(e),
                        format!("`{name}` takes two dates or two doubles, found {a} and {b}"),
                        None,
                    );
                }
                if a == Ty::Dyn { b } else { a }
            }
            _ if CIRCUIT_FUNCTIONS.contains(&name) => {
                self.report(Some(e), format!("`{name}(…)` is a condition of its own: use it directly under `&&`, `||`, `!` or `?:`, not inside a comparison or a computation"), None);
                Ty::Dyn
            }
            _ if target.is_none() && self.names.functions.contains_key(name) => {
                let (params, ret) = self.names.functions[name].clone();
                if params.len() != args.len() {
                    self.report(
                        Some(e),
                        format!(
                            "`{name}` takes {} argument(s), found {}",
                            params.len(),
                            args.len()
                        ),
                        None,
                    );
                } else {
                    for (i, (want, got)) in params.iter().zip(&args).enumerate() {
                        if !got.fits(want) {
                            self.report(
                                Some(&call.args[i]),
                                format!(
                                    "argument {} of `{name}` must be {want}, found {got}",
                                    i + 1
                                ),
                                None,
                            );
                        }
                    }
                }
                ret
            }
            _ => {
                let mut known: Vec<&str> = BUILTIN_FUNCTIONS.to_vec();
                known.extend(self.names.functions.keys().map(String::as_str));
                let shown = name.trim_matches('_');
                let help = did_you_mean(shown, known.iter().copied())
                    .map(|d| format!("did you mean `{d}`?"));
                let help =
                    help.or_else(|| Some(format!("functions available: {}", known.join(", "))));
                self.report(
                    Some(e),
                    format!(
                        "unknown function `{shown}` with {} argument(s)",
                        args.len() + usize::from(target.is_some())
                    ),
                    help,
                );
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
            (_, Double, Double) => Double,
            ("_+_", Timestamp, Duration)
            | ("_+_", Duration, Timestamp)
            | ("_-_", Timestamp, Duration) => Timestamp,
            ("_-_", Timestamp, Timestamp) | ("_+_" | "_-_", Duration, Duration) => Duration,
            ("_+_", String | Enum(_), String | Enum(_)) => String,
            ("_+_", List(x), List(_)) => List(x.clone()),
            (_, Int, Double) | (_, Double, Int) => {
                self.report(
                    Some(e),
                    format!(
                        "`{symbol}` mixes an integer and a double, which CEL refuses at run time"
                    ),
                    Some("write integer literals as doubles, such as `3.0` instead of `3`".into()),
                );
                Dyn
            }
            _ => {
                self.report(
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
                self.report(
                    Some(at),
                    format!("`{s}` is not a possible value here"),
                    help,
                );
            }
        }
    }

    fn report(&mut self, at: Option<&IdedExpr>, message: String, help: Option<String>) {
        let span = at.and_then(|e| self.span_of(e));
        // A whole expression is shown only up to a few hundred characters: a hostile one can
        // be megabytes long.
        if at.is_none() && self.expr_text.chars().count() > 240 {
            let head: String = self.expr_text.chars().take(240).collect();
            self.problems.push(Problem {
                item: self.item.to_string(),
                span,
                expression: Some(format!("{head}…")),
                message,
                help,
            });
            return;
        }
        self.problems.push(Problem {
            item: self.item.to_string(),
            span,
            expression: Some(at.map_or_else(|| self.expr_text.clone(), |e| self.text_of(e))),
            message,
            help,
        });
    }

    /// Byte span in the manifest of a sub-expression.
    fn span_of(&self, e: &IdedExpr) -> Option<Range<usize>> {
        let (start, stop) = self.char_range(e)?;
        let base = self.base?;
        let start_b = *self.char_to_byte.get(start)?;
        let stop_b = *self
            .char_to_byte
            .get(stop + 1)
            .or(self.char_to_byte.last())?;
        Some(base + start_b..base + stop_b)
    }

    /// The source text of a sub-expression (its tokens' hull, with brackets re-balanced).
    fn text_of(&self, e: &IdedExpr) -> String {
        let Some((start, stop)) = self.char_range(e) else {
            return self.expr_text.clone();
        };
        let chars: Vec<char> = self.expr_text.chars().collect();
        // CEL records the `has(…)` macro's expansion from its `(`: take the name back.
        let start = if chars.get(start) == Some(&'(')
            && start >= 3
            && chars[start - 3..start].iter().collect::<String>() == "has"
        {
            start - 3
        } else {
            start
        };
        let mut end = (stop + 1).min(chars.len());
        let mut balance: i32 = chars[start..end]
            .iter()
            .map(|c| match c {
                '(' | '[' | '{' => 1,
                ')' | ']' | '}' => -1,
                _ => 0,
            })
            .sum();
        while balance > 0 && end < chars.len() {
            match chars[end] {
                '(' | '[' | '{' => balance += 1,
                ')' | ']' | '}' => balance -= 1,
                _ => {}
            }
            end += 1;
        }
        chars[start..end]
            .iter()
            .collect::<String>()
            .trim()
            .to_string()
    }

    /// The characters a sub-expression spans: the hull of its tokens' offsets, extended over a
    /// trailing field name (CEL records the `.` of `a.b`, not the `b`).
    fn char_range(&self, e: &IdedExpr) -> Option<(usize, usize)> {
        let info = self.info.as_ref()?;
        let mut range: Option<(u32, u32)> = None;
        visit_ids(e, &mut |id| {
            if let Some((s, t)) = info.offset_for(id) {
                range = Some(match range {
                    None => (s, t),
                    Some((a, b)) => (a.min(s), b.max(t)),
                });
            }
        });
        let (start, mut stop) = range.map(|(s, t)| (s as usize, t as usize))?;
        let chars: Vec<char> = self.expr_text.chars().collect();
        while chars
            .get(stop + 1)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
            && chars
                .get(stop)
                .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        {
            stop += 1;
        }
        Some((start, stop))
    }
}

/// What a leaf reads.
#[derive(Default)]
struct Scan {
    reads: FactSet,
    tests: FactSet,
    values: Vec<usize>,
}

trait Segments {
    fn expr_segments(&self) -> Option<Vec<String>>;
}

impl Segments for IdedExpr {
    /// `a.b.c` as `["a", "b", "c"]`, if this expression is such a name.
    fn expr_segments(&self) -> Option<Vec<String>> {
        let mut out = Vec::new();
        let mut e = self;
        loop {
            match &e.expr {
                Expr::Ident(name) => {
                    out.push(name.clone());
                    out.reverse();
                    return Some(out);
                }
                Expr::Select(s) if !s.test => {
                    out.push(s.field.clone());
                    e = &s.operand;
                }
                _ => return None,
            }
        }
    }
}

fn visit_ids(e: &IdedExpr, f: &mut impl FnMut(u64)) {
    f(e.id);
    match &e.expr {
        Expr::Call(c) => {
            if let Some(t) = &c.target {
                visit_ids(t, f);
            }
            c.args.iter().for_each(|a| visit_ids(a, f));
        }
        Expr::Select(s) => visit_ids(&s.operand, f),
        Expr::Comprehension(c) => {
            visit_ids(&c.iter_range, f);
            visit_ids(&c.accu_init, f);
            visit_ids(&c.loop_cond, f);
            visit_ids(&c.loop_step, f);
            visit_ids(&c.result, f);
        }
        Expr::List(l) => l.elements.iter().for_each(|x| visit_ids(x, f)),
        Expr::Map(m) => {
            for entry in &m.entries {
                if let EntryExpr::MapEntry(me) = &entry.expr {
                    visit_ids(&me.key, f);
                    visit_ids(&me.value, f);
                }
            }
        }
        Expr::Struct(s) => {
            for entry in &s.entries {
                if let EntryExpr::StructField(sf) = &entry.expr {
                    visit_ids(&sf.value, f);
                }
            }
        }
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

fn count_nodes(e: &IdedExpr) -> usize {
    let mut n = 0;
    visit_ids(e, &mut |_| n += 1);
    n
}

fn collect_offsets(
    e: &IdedExpr,
    from: &cel::common::ast::SourceInfo,
    to: &mut cel::common::ast::SourceInfo,
) {
    visit_ids(e, &mut |id| {
        if let Some((s, t)) = from.offset_for(id) {
            to.add_offset(id, s, t);
        }
    });
}
