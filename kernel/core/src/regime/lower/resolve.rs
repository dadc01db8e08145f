//! Name resolution: what a name or a dotted path in a leaf refers to (a comprehension variable,
//! a derived value, a parameter, a fact of the schema), recorded in the leaf's [`Scan`], or why
//! it refers to nothing usable, with a "did you mean" where one is close.

use cel::IdedExpr;
use cel::common::ast::Expr;

use crate::diag::{code_list, did_you_mean};
use crate::regime::ir::ValueId;
use crate::regime::names::Names;
use crate::regime::source::ProblemKind;
use crate::regime::types::Ty;
use crate::schema::FactKind;
use crate::tri::FactSet;

/// What a leaf reads.
#[derive(Default)]
pub(super) struct Scan {
    /// Facts read, outside `has()`.
    pub(super) reads: FactSet,
    /// Facts tested with `has()`.
    pub(super) tests: FactSet,
    /// Derived values read.
    pub(super) values: Vec<ValueId>,
}

/// A name that refers to nothing usable there: what to report at it, and the type checking
/// carries on with.
pub(super) struct Unresolved {
    pub(super) kind: ProblemKind,
    pub(super) message: String,
    pub(super) help: Option<String>,
    pub(super) ty: Ty,
}

fn unresolved(message: String, help: Option<String>) -> Unresolved {
    Unresolved {
        kind: ProblemKind::Compile,
        message,
        help,
        ty: Ty::Dyn,
    }
}

/// The type of a bare name: a comprehension variable of `scope` (innermost last) or a derived
/// value, which the leaf then reads.
pub(super) fn ident(
    names: &Names<'_>,
    name: &str,
    scan: &mut Scan,
    scope: &[(String, Ty)],
) -> Result<Ty, Unresolved> {
    if let Some((_, ty)) = scope.iter().rev().find(|(n, _)| n == name) {
        return Ok(ty.clone());
    }
    if let Some((id, ty)) = names.values.get(name) {
        if !scan.values.contains(id) {
            scan.values.push(*id);
        }
        return Ok(ty.clone());
    }
    let schema = names.schema;
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
    } else if names.blocks.contains_key(name) {
        format!(
            "block `{name}` is a condition: combine it with `&&`, `||`, `!` or `?:`, not inside a comparison or a computation"
        )
    } else {
        let candidates = names.candidates();
        let help = did_you_mean(name, candidates.iter().map(String::as_str))
            .map(|d| format!("did you mean `{d}`?"));
        return Err(unresolved(format!("unknown name `{name}`"), help));
    };
    Err(unresolved(message, None))
}

/// The type of `segments.field` (`field` tested for presence when `test`): a parameter, or a
/// fact this regime may read, which the leaf then reads or tests. A field of a comprehension
/// variable is not known statically.
pub(super) fn select(
    names: &Names<'_>,
    segments: &[String],
    field: &str,
    test: bool,
    scan: &mut Scan,
    scope: &[(String, Ty)],
) -> Result<Ty, Unresolved> {
    let schema = names.schema;
    let root = segments[0].as_str();
    if scope.iter().any(|(n, _)| n == root) {
        return Ok(if test { Ty::Bool } else { Ty::Dyn });
    }
    if root == "params" && segments.len() == 1 {
        if test {
            return Err(Unresolved {
                kind: ProblemKind::Compile,
                message: "`has()` on a parameter: parameters always have a value".into(),
                help: None,
                ty: Ty::Bool,
            });
        }
        return match names.params.get(field) {
            Some(p) => Ok(p.ty()),
            None => {
                let help = did_you_mean(field, names.params.keys().map(String::as_str))
                    .map(|d| format!("did you mean `params.{d}`?"));
                Err(unresolved(
                    format!("unknown parameter `params.{field}`"),
                    help.or_else(|| Some("declare it under [parameters]".into())),
                ))
            }
        };
    }
    if let Some(table) = schema.table_index(root) {
        if segments.len() > 1 {
            let path = segments.join(".");
            let message = match schema.lookup(&path) {
                Some(_) => format!("`{path}` is a single value; it has no field `{field}`"),
                None => {
                    return Err(Unresolved {
                        kind: ProblemKind::UnknownFact,
                        ..unresolved(format!("unknown fact `{path}`"), None)
                    });
                }
            };
            return Err(unresolved(message, None));
        }
        let path = format!("{root}.{field}");
        return match schema.lookup(&path) {
            Some(id) => {
                if let Err(message) = schema.visibility(id, names.regime, names.target) {
                    return Err(unresolved(message, None));
                }
                let FactKind::Field(fact_ty) = schema.fact(id).kind else {
                    return Err(unresolved(format!("`{path}` is not a field"), None));
                };
                if test {
                    scan.tests.insert(id);
                    Ok(Ty::Bool)
                } else {
                    scan.reads.insert(id);
                    Ok(Ty::of_fact(fact_ty))
                }
            }
            None => {
                let fields: Vec<&str> = schema
                    .fields_of(table)
                    .map(|(_, f)| f.name.as_str())
                    .collect();
                let help = did_you_mean(field, fields.iter().copied())
                    .map(|d| format!("did you mean `{root}.{d}`?"));
                Err(Unresolved {
                    kind: ProblemKind::UnknownFact,
                    ..unresolved(
                        format!("unknown fact `{path}`"),
                        help.or_else(|| Some(format!("`{root}` has {}", code_list(fields)))),
                    )
                })
            }
        };
    }
    if names.values.contains_key(root) || names.blocks.contains_key(root) {
        return Err(unresolved(format!("`{root}` has no field `{field}`"), None));
    }
    let candidates = names.candidates();
    let help = did_you_mean(root, candidates.iter().map(String::as_str))
        .map(|d| format!("did you mean `{d}`?"));
    Err(unresolved(format!("unknown name `{root}`"), help))
}

/// `a.b.c` as `["a", "b", "c"]`, if an expression is such a name.
pub(super) trait Segments {
    /// The segments, if this expression is a dotted name.
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
