//! The functions an expression may call besides the plugin's own and CEL's operators, one
//! descriptor each in [`BUILTINS`]: its name, the calls it answers, its argument and result
//! types, what it costs, and what it does.
//!
//! The checker, name resolution (the names no block or value may take, the functions "did you
//! mean" suggests), the lowering of conditions, native compilation and the cost estimator all
//! read this table. Adding a builtin is a line here plus its evaluation: a native form
//! ([`super::native`]) where it has one, and for a function of the kernel's own, its overload
//! in `environment()` (or, for a number-aware one, in [`crate::exact`]).
//!
//! `has()` is not here: it is a CEL macro, which the parser expands to a presence test of a
//! field, never a call.

use cel::Env;

use super::types::Ty;

/// A builtin function.
#[derive(Debug)]
pub struct Builtin {
    /// Which one it is, for the code that lowers and evaluates it.
    pub id: Id,
    /// Its name in expressions.
    pub name: &'static str,
    /// Who defines it.
    pub origin: Origin,
    /// The calls it answers to.
    pub shape: Shape,
    /// Its argument and result types.
    pub signature: Signature,
    /// What it takes, in words, as messages say it (`an integer number of days`).
    pub takes: &'static str,
    /// A call, as messages show it.
    pub usage: &'static str,
    /// Its worst-case cost beyond its arguments' (see [`super::budget`]).
    pub cost: Cost,
    /// What it does, in one line.
    pub doc: &'static str,
}

/// Which builtin a descriptor describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Id {
    /// `size`
    Size,
    /// `contains`
    Contains,
    /// `startsWith`
    StartsWith,
    /// `endsWith`
    EndsWith,
    /// `matches`
    Matches,
    /// `int`
    Int,
    /// `double`
    Double,
    /// `string`
    String,
    /// `timestamp`
    Timestamp,
    /// `duration`
    Duration,
    /// `days`
    Days,
    /// `hours`
    Hours,
    /// `business_days`
    BusinessDays,
    /// `max`
    Max,
    /// `min`
    Min,
    /// `present`
    Present,
    /// `open_question`
    OpenQuestion,
    /// `fallback`
    Fallback,
}

/// Who defines a builtin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// CEL's standard library.
    Cel,
    /// The kernel: no block, value or custom function may take its name.
    Kernel,
}

/// The calls a builtin answers to; any other call of that name is not the builtin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A function or a method, with any number of arguments (`size(x)`, `x.size()`).
    Any,
    /// A function with exactly this many arguments (`days(14)`).
    Function(usize),
    /// A method with exactly this many arguments besides its target (`s.contains("AI")`): CEL
    /// defines no function form, so `contains(s, "AI")` would fail at every evaluation.
    Method(usize),
}

impl Shape {
    /// Whether a call (a method call when `method`) with `args` arguments besides its target
    /// is of this shape.
    pub fn accepts(self, method: bool, args: usize) -> bool {
        match self {
            Shape::Any => true,
            Shape::Function(n) => !method && args == n,
            Shape::Method(n) => method && args == n,
        }
    }
}

/// A builtin's argument and result types.
#[derive(Debug)]
pub enum Signature {
    /// Any arguments; the result has this type.
    Returns(Ty),
    /// A string and a pattern, which must be a valid regular expression where it is a literal;
    /// the result is a boolean.
    Pattern,
    /// Arguments of these types; the result has the second type.
    Takes(&'static [Ty], Ty),
    /// Two arguments of the same one of these types (or not known statically); the result has
    /// that type.
    Same(&'static [Ty]),
    /// A condition of the three-valued circuit, lowered by [`super::lower`] where a condition
    /// is expected (`fallback` also where a value is), and refused anywhere else.
    Circuit,
}

/// A builtin's worst-case cost beyond its arguments' (see [`super::budget`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cost {
    /// One step; a custom function of the same name costs what the plugin's do.
    Flat,
    /// Searches its first string for the second (`contains`, `startsWith`, `endsWith`).
    Search,
    /// Compiles a regular expression, bounded by its length, and runs it in linear time.
    Pattern,
    /// Writes its argument out as text.
    Text,
    /// Returns one of its arguments.
    Either,
    /// Walks the calendar day by day, up to [`MAX_BUSINESS_DAYS`] business days, looking each
    /// day up in its third argument (`business_days`).
    Calendar,
}

/// Every builtin, in the order "did you mean" lists them.
pub static BUILTINS: &[Builtin] = &[
    Builtin {
        id: Id::Size,
        name: "size",
        origin: Origin::Cel,
        shape: Shape::Any,
        signature: Signature::Returns(Ty::Int),
        takes: "a string, a list or a map",
        usage: "size(model.output_modalities)",
        cost: Cost::Flat,
        doc: "the number of characters of a string, or of items of a list or map",
    },
    Builtin {
        id: Id::Contains,
        name: "contains",
        origin: Origin::Cel,
        shape: Shape::Method(1),
        signature: Signature::Returns(Ty::Bool),
        takes: "a string to look for",
        usage: "provider.name.contains(\"AI\")",
        cost: Cost::Search,
        doc: "whether a string contains another",
    },
    Builtin {
        id: Id::StartsWith,
        name: "startsWith",
        origin: Origin::Cel,
        shape: Shape::Method(1),
        signature: Signature::Returns(Ty::Bool),
        takes: "a prefix",
        usage: "provider.name.startsWith(\"A\")",
        cost: Cost::Search,
        doc: "whether a string starts with another",
    },
    Builtin {
        id: Id::EndsWith,
        name: "endsWith",
        origin: Origin::Cel,
        shape: Shape::Method(1),
        signature: Signature::Returns(Ty::Bool),
        takes: "a suffix",
        usage: "provider.name.endsWith(\"Inc.\")",
        cost: Cost::Search,
        doc: "whether a string ends with another",
    },
    Builtin {
        id: Id::Matches,
        name: "matches",
        origin: Origin::Cel,
        shape: Shape::Any,
        signature: Signature::Pattern,
        takes: "a regular expression",
        usage: "provider.name.matches(\"^N.*\")",
        cost: Cost::Pattern,
        doc: "whether a regular expression matches somewhere in a string",
    },
    Builtin {
        id: Id::Int,
        name: "int",
        origin: Origin::Cel,
        shape: Shape::Function(1),
        signature: Signature::Returns(Ty::Int),
        takes: "a number, a string or a date",
        usage: "int(params.period)",
        cost: Cost::Flat,
        doc: "the integer a number (truncated), a string or a date (seconds since 1970) stands for",
    },
    Builtin {
        id: Id::Double,
        name: "double",
        origin: Origin::Cel,
        shape: Shape::Function(1),
        signature: Signature::Returns(Ty::Double),
        takes: "a number or a string",
        usage: "double(params.period)",
        cost: Cost::Flat,
        doc: "the number an integer or a decimal string stands for",
    },
    Builtin {
        id: Id::String,
        name: "string",
        origin: Origin::Cel,
        shape: Shape::Function(1),
        signature: Signature::Returns(Ty::String),
        takes: "a value",
        usage: "string(params.period)",
        cost: Cost::Text,
        doc: "a value written out as text",
    },
    Builtin {
        id: Id::Timestamp,
        name: "timestamp",
        origin: Origin::Cel,
        shape: Shape::Function(1),
        signature: Signature::Returns(Ty::Timestamp),
        takes: "an RFC 3339 string",
        usage: "timestamp(\"2026-01-01T00:00:00Z\")",
        cost: Cost::Flat,
        doc: "the point in time an RFC 3339 string names",
    },
    Builtin {
        id: Id::Duration,
        name: "duration",
        origin: Origin::Cel,
        shape: Shape::Function(1),
        signature: Signature::Returns(Ty::Duration),
        takes: "a duration string",
        usage: "duration(\"24h\")",
        cost: Cost::Flat,
        doc: "the duration a string such as `24h` names",
    },
    Builtin {
        id: Id::Days,
        name: "days",
        origin: Origin::Kernel,
        shape: Shape::Function(1),
        signature: Signature::Takes(&[Ty::Int], Ty::Duration),
        takes: "an integer number of days",
        usage: "days(params.notification_period_days)",
        cost: Cost::Flat,
        doc: "a duration of that many calendar days, for date arithmetic",
    },
    Builtin {
        id: Id::Hours,
        name: "hours",
        origin: Origin::Kernel,
        shape: Shape::Function(1),
        signature: Signature::Takes(&[Ty::Int], Ty::Duration),
        takes: "an integer number of hours",
        usage: "hours(params.incident_report_hours)",
        cost: Cost::Flat,
        doc: "a duration of that many hours, for a deadline the law counts in hours from a date-time",
    },
    Builtin {
        id: Id::BusinessDays,
        name: "business_days",
        origin: Origin::Kernel,
        shape: Shape::Function(3),
        // The holidays are checked apart: a `date_list` parameter (see `lower::check`).
        signature: Signature::Takes(&[Ty::Timestamp, Ty::Int, Ty::Dyn], Ty::Timestamp),
        takes: "a date, a number of business days (0 to 3660) and a `date_list` parameter of holidays",
        usage: "business_days(rt.incident_date, params.report_business_days, params.holidays)",
        cost: Cost::Calendar,
        doc: "the day the given number of business days after a date ends: Saturdays, Sundays and the listed holidays are skipped (a date-time counts from its UTC day)",
    },
    Builtin {
        id: Id::Max,
        name: "max",
        origin: Origin::Kernel,
        shape: Shape::Function(2),
        signature: Signature::Same(&[Ty::Timestamp, Ty::Double]),
        takes: "two dates or two doubles",
        usage: "max(model.sr_threshold_date, params.chapter_v_applies_from)",
        cost: Cost::Either,
        doc: "the later of two dates, or the larger of two numbers, exactly",
    },
    Builtin {
        id: Id::Min,
        name: "min",
        origin: Origin::Kernel,
        shape: Shape::Function(2),
        signature: Signature::Same(&[Ty::Timestamp, Ty::Double]),
        takes: "two dates or two doubles",
        usage: "min(eu.placing_date, params.cutoff)",
        cost: Cost::Either,
        doc: "the earlier of two dates, or the smaller of two numbers, exactly",
    },
    Builtin {
        id: Id::Present,
        name: "present",
        origin: Origin::Kernel,
        shape: Shape::Function(1),
        signature: Signature::Circuit,
        takes: "one table",
        usage: "present(derivation)",
        cost: Cost::Flat,
        doc: "whether a table whose presence is a fact is there (never undetermined)",
    },
    Builtin {
        id: Id::OpenQuestion,
        name: "open_question",
        origin: Origin::Kernel,
        shape: Shape::Function(1),
        signature: Signature::Circuit,
        takes: "one id",
        usage: "open_question(\"US-OQ-THRESHOLD\")",
        cost: Cost::Flat,
        doc: "undetermined, naming that open question of the law",
    },
    Builtin {
        id: Id::Fallback,
        name: "fallback",
        origin: Origin::Kernel,
        shape: Shape::Function(2),
        signature: Signature::Circuit,
        takes: "two conditions",
        usage: "fallback(a, b)",
        cost: Cost::Flat,
        doc: "the first operand, or the second where the first is undetermined",
    },
];

/// The builtin of this name, if there is one.
pub fn find(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// The builtin of this name, if it is a condition of the circuit.
pub fn circuit(name: &str) -> Option<&'static Builtin> {
    find(name).filter(|b| b.is_circuit())
}

/// The builtins a leaf may call, in table order.
pub fn functions() -> impl Iterator<Item = &'static Builtin> {
    BUILTINS.iter().filter(|b| !b.is_circuit())
}

impl Builtin {
    /// Whether it is a condition of the circuit rather than a function of a leaf.
    pub fn is_circuit(&self) -> bool {
        matches!(self.signature, Signature::Circuit)
    }
}

pub use crate::calendar::MAX_BUSINESS_DAYS;

/// The CEL environment of every regime: the standard library plus `days` and `hours`.
/// (`business_days`, `max`, `min` and every operator on numbers are the kernel's own
/// functions, counted against the run-time budget: see [`crate::exact`].) (`max`, `min` and
/// every operator on numbers are the kernel's exact functions, see [`crate::exact`].)
pub(crate) fn environment() -> Env {
    use cel::common::types::{CelDuration, CelInt, INT_TYPE};
    use cel::common::value::CowVal;
    let mut env = Env::stdlib();
    // Declaring a new function cannot collide in a fresh stdlib environment; ignore the Ok.
    let _ = env.add_overload("days", "days_int", vec![INT_TYPE], |args| {
        let n = args
            .first()
            .and_then(|a| a.downcast_ref::<CelInt>())
            .map(|n| *n.inner())
            .ok_or_else(|| cel::ExecutionError::function_error("days", "expects an integer"))?;
        let d = chrono::Duration::try_days(n)
            .ok_or_else(|| cel::ExecutionError::function_error("days", "out of range"))?;
        Ok(CowVal::owned(CelDuration::from(d)))
    });
    let _ = env.add_overload("hours", "hours_int", vec![INT_TYPE], |args| {
        let n = args
            .first()
            .and_then(|a| a.downcast_ref::<CelInt>())
            .map(|n| *n.inner())
            .ok_or_else(|| cel::ExecutionError::function_error("hours", "expects an integer"))?;
        let d = chrono::Duration::try_hours(n)
            .ok_or_else(|| cel::ExecutionError::function_error("hours", "out of range"))?;
        Ok(CowVal::owned(CelDuration::from(d)))
    });
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_is_described_once() {
        for (i, b) in BUILTINS.iter().enumerate() {
            assert!(
                BUILTINS[..i]
                    .iter()
                    .all(|o| o.name != b.name && o.id != b.id),
                "{} twice",
                b.name
            );
            assert!(!b.doc.is_empty() && !b.takes.is_empty(), "{}", b.name);
            assert!(b.usage.starts_with(b.name) || b.usage.contains(&format!(".{}(", b.name)));
        }
        // The kernel's own names are reserved, so that no block, value or custom function
        // shadows them; CEL's are not.
        assert!(
            BUILTINS
                .iter()
                .all(|b| b.origin == Origin::Kernel || !b.is_circuit())
        );
    }
}
