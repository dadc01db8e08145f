//! The small static type system of the checker: enough to catch comparisons of a date with a
//! number, integer–double arithmetic (which the CEL interpreter refuses at run time), misspelt
//! enum values and conditions that are not boolean. `Dyn` is "not known statically": it never
//! causes an error.

use std::fmt;
use std::sync::Arc;

use juxta_sdk::manifest::ValueType;
use juxta_sdk::schema::FactType;

/// A static type.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    /// Boolean.
    Bool,
    /// 64-bit integer.
    Int,
    /// Double.
    Double,
    /// String.
    String,
    /// A string from a closed set (an enum fact).
    Enum(&'static [&'static str]),
    /// Date (a timestamp at midnight UTC).
    Timestamp,
    /// Duration.
    Duration,
    /// List of elements.
    List(Arc<Ty>),
    /// Map.
    Map,
    /// `null`.
    Null,
    /// Unknown statically.
    Dyn,
}

impl Ty {
    /// The type of a fact.
    pub fn of_fact(ty: FactType) -> Ty {
        match ty {
            FactType::Bool => Ty::Bool,
            FactType::Float { .. } | FactType::Money => Ty::Double,
            FactType::Integer { .. } => Ty::Int,
            FactType::String | FactType::CountryCode => Ty::String,
            FactType::StringList => Ty::List(Arc::new(Ty::String)),
            FactType::Date | FactType::DateTime => Ty::Timestamp,
            FactType::Enum(values) => Ty::Enum(values),
            FactType::EnumList(values) => Ty::List(Arc::new(Ty::Enum(values))),
        }
    }

    /// The type of a derived or computed value.
    pub fn of_value(ty: ValueType) -> Ty {
        match ty {
            ValueType::Number => Ty::Double,
            ValueType::Date | ValueType::Datetime => Ty::Timestamp,
            ValueType::String => Ty::String,
            ValueType::Bool => Ty::Bool,
        }
    }

    /// Whether values of this type are numbers.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Double)
    }

    /// Whether values of this type are strings.
    pub fn is_string(&self) -> bool {
        matches!(self, Ty::String | Ty::Enum(_))
    }

    /// Whether two types can be compared with `<`, `==` and friends.
    pub fn comparable(&self, other: &Ty) -> bool {
        match (self, other) {
            (Ty::Dyn, _) | (_, Ty::Dyn) => true,
            (a, b) if a.is_numeric() && b.is_numeric() => true,
            (a, b) if a.is_string() && b.is_string() => true,
            (Ty::List(_), Ty::List(_)) => true,
            (a, b) => a == b,
        }
    }

    /// Whether a value of this type may stand where `want` is expected.
    pub fn fits(&self, want: &Ty) -> bool {
        match (self, want) {
            (Ty::Dyn, _) | (_, Ty::Dyn) => true,
            (Ty::Int, Ty::Double) => true,
            (a, b) if a.is_string() && b.is_string() => true,
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => f.write_str("a boolean"),
            Ty::Int => f.write_str("an integer"),
            Ty::Double => f.write_str("a double"),
            Ty::String | Ty::Enum(_) => f.write_str("a string"),
            Ty::Timestamp => f.write_str("a date"),
            Ty::Duration => f.write_str("a duration"),
            Ty::List(_) => f.write_str("a list"),
            Ty::Map => f.write_str("a map"),
            Ty::Null => f.write_str("null"),
            Ty::Dyn => f.write_str("a value"),
        }
    }
}
