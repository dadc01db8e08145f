//! Dated parameters: thresholds, dates and lists of the law, each value with its source and the
//! day from which it is in force (as OpenFisca does with `parameters/*.yaml`).

use std::sync::Arc;

use juxta_sdk::Date;
use juxta_sdk::manifest::{Parameter as ParameterDecl, ParameterType};

use super::source::ProblemKind;
use super::types::Ty;
use crate::value::Value;

/// Most items of a `string_list` parameter, and bytes of one of its strings or of a `string`
/// parameter.
pub const MAX_PARAMETER_ITEMS: usize = 10_000;
/// Longest string parameter value, in bytes.
pub const MAX_PARAMETER_STRING_BYTES: usize = juxta_sdk::schema::MAX_STRING_BYTES;

/// A message with the span it is about, if known.
pub type SpannedMessage = (Option<std::ops::Range<usize>>, ProblemKind, String);

/// A compiled parameter.
#[derive(Clone, Debug)]
pub struct Parameter {
    /// Name, read as `params.<name>`.
    pub name: String,
    /// Position in the regime's parameter list.
    pub index: usize,
    /// What it is.
    pub title: String,
    /// Unit, for display.
    pub unit: String,
    /// Type.
    pub ty: ParameterType,
    /// Values in increasing `from` order.
    pub values: Vec<DatedValue>,
}

/// One value of a parameter.
#[derive(Clone, Debug)]
pub struct DatedValue {
    /// First day in force (`None`: since always).
    pub from: Option<Date>,
    /// The value.
    pub value: Value,
    /// Its legal source.
    pub source: String,
}

impl Parameter {
    /// Checks a declaration; returns the problems found (messages without the parameter name),
    /// each with its span in the manifest.
    /// Compiles a parameter. With problems, the parameter is still returned when every value
    /// has the declared type, so that expressions reading it are checked rather than reported
    /// as naming an unknown parameter.
    pub fn compile(name: &str, decl: &ParameterDecl) -> (Option<Parameter>, Vec<SpannedMessage>) {
        let mut problems = Vec::new();
        let mut values = Vec::new();
        if decl.values.is_empty() {
            problems.push((None, ProblemKind::Compile, "has no value".to_string()));
        }
        for (i, v) in decl.values.iter().enumerate() {
            match convert(decl.ty, v.value.get_ref()) {
                Ok(value) => values.push(DatedValue {
                    from: v.from,
                    value,
                    source: v.source.clone(),
                }),
                Err((kind, e)) => problems.push((Some(v.value.span()), kind, e)),
            }
            if v.source.trim().is_empty() {
                problems.push((
                    Some(v.value.span()),
                    ProblemKind::ParameterWithoutSource,
                    "value has no `source`: every parameter value must cite its legal source"
                        .into(),
                ));
            }
            if i > 0 {
                match (decl.values[i - 1].from, v.from) {
                    (_, None) => problems.push((Some(v.value.span()), ProblemKind::ParameterDates, "only the first value may omit `from`".into())),
                    (Some(a), Some(b)) if b <= a => problems.push((
                        Some(v.value.span()),
                        ProblemKind::ParameterDates,
                        format!("value from {b} does not come after the previous one (from {a}): date ranges must not overlap"),
                    )),
                    _ => {}
                }
            }
        }
        let typed = !values.is_empty() && values.len() == decl.values.len();
        let parameter = typed.then(|| Parameter {
            name: name.to_string(),
            index: 0,
            title: decl.title.clone(),
            unit: decl.unit.clone(),
            ty: decl.ty,
            values,
        });
        (parameter, problems)
    }

    /// The value in force on `day`: the last whose `from` is on or before it, else the first.
    pub fn at(&self, day: Date) -> &DatedValue {
        let index = self
            .values
            .iter()
            .rposition(|v| v.from.is_none_or(|from| from <= day))
            .unwrap_or(0);
        &self.values[index]
    }

    /// The CEL type of the parameter.
    pub fn ty(&self) -> Ty {
        match self.ty {
            ParameterType::Number => Ty::Double,
            ParameterType::Integer => Ty::Int,
            ParameterType::Date => Ty::Timestamp,
            ParameterType::String => Ty::String,
            ParameterType::StringList => Ty::List(Arc::new(Ty::String)),
            ParameterType::DateList => Ty::List(Arc::new(Ty::Timestamp)),
            ParameterType::Bool => Ty::Bool,
        }
    }
}

fn convert(ty: ParameterType, value: &toml::Value) -> Result<Value, (ProblemKind, String)> {
    let wrong = || {
        (
            ProblemKind::Compile,
            format!("expected a value of type {ty:?}, found `{value}`"),
        )
    };
    Ok(match (ty, value) {
        // A manifest's numbers reach us as doubles: each is its shortest round-tripping decimal,
        // which is the decimal written whenever it has at most 15 significant digits.
        (ParameterType::Number, toml::Value::Float(f)) => {
            Value::Number(crate::number::Number::from_f64(*f).ok_or_else(wrong)?)
        }
        (ParameterType::Number, toml::Value::Integer(i)) => {
            Value::Number(crate::number::Number::from_i64(*i))
        }
        (ParameterType::Integer, toml::Value::Integer(i)) => Value::Integer(*i),
        (ParameterType::Bool, toml::Value::Boolean(b)) => Value::Bool(*b),
        (ParameterType::String, toml::Value::String(s)) if s.len() > MAX_PARAMETER_STRING_BYTES => {
            return Err((
                ProblemKind::Budget,
                format!(
                    "a string of {} bytes exceeds the limit of {}",
                    s.len(),
                    MAX_PARAMETER_STRING_BYTES
                ),
            ));
        }
        (ParameterType::String, toml::Value::String(s)) => Value::Text(s.clone()),
        (ParameterType::StringList, toml::Value::Array(items))
            if items.len() > MAX_PARAMETER_ITEMS
                || items.iter().any(|i| {
                    i.as_str()
                        .is_some_and(|s| s.len() > MAX_PARAMETER_STRING_BYTES)
                }) =>
        {
            return Err((
                ProblemKind::Compile,
                format!(
                    "a list of at most {} strings of at most {} bytes each is accepted",
                    MAX_PARAMETER_ITEMS, MAX_PARAMETER_STRING_BYTES
                ),
            ));
        }
        (ParameterType::Date, toml::Value::Datetime(d)) => {
            Value::Date(d.to_string().parse::<Date>().map_err(|e| {
                (
                    ProblemKind::Compile,
                    format!("{e}: a parameter date is a local date such as 2025-08-02"),
                )
            })?)
        }
        (ParameterType::DateList, toml::Value::Array(items))
            if items.len() > MAX_PARAMETER_ITEMS =>
        {
            return Err((
                ProblemKind::Compile,
                format!("a list of at most {MAX_PARAMETER_ITEMS} dates is accepted"),
            ));
        }
        (ParameterType::DateList, toml::Value::Array(items)) => {
            let mut days = Vec::with_capacity(items.len());
            for item in items {
                let toml::Value::Datetime(d) = item else {
                    return Err((
                        ProblemKind::Compile,
                        format!("expected a list of dates, found `{item}`"),
                    ));
                };
                days.push(d.to_string().parse::<Date>().map_err(|e| {
                    (
                        ProblemKind::Compile,
                        format!(
                            "{e}: the items of a `date_list` are local dates such as 2027-01-01"
                        ),
                    )
                })?);
            }
            days.sort();
            days.dedup();
            Value::Dates(days)
        }
        (ParameterType::StringList, toml::Value::Array(items)) => Value::List(
            items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(wrong)?,
        ),
        _ => return Err(wrong()),
    })
}
