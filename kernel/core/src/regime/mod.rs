//! Compiling a regime: from manifest text to checked, lowered rules.
//!
//! Every CEL expression is parsed once, here, and checked against the schema and the manifest:
//! a misspelt fact path, an unknown block or parameter, an integer–double mix, a cycle between
//! blocks are load errors that name the regime, the item and the expression, and point at the
//! TOML line. All problems are reported at once.
//!
//! The modules, each depending only on those listed before it:
//!
//! - [`types`]: the checker's small type system;
//! - [`builtins`]: the table of builtin functions, and the CEL environment;
//! - `source`: the text compiled, and the problems found in it;
//! - `declared`: what a manifest declares before it is compiled, the schema for a set of
//!   manifests, the ids no regime may take;
//! - [`params`]: dated parameters;
//! - `names`: what a name in an expression may refer to;
//! - [`native`]: native evaluation of the common leaf shapes;
//! - [`ir`]: the compiled circuit;
//! - [`budget`]: the host's budget for CEL: limits, depth, the cost estimator;
//! - `compiled`: the compiled [`Regime`] and its items;
//! - [`lower`]: from a CEL expression to the circuit, checking it on the way;
//! - `compile`: the compiler, phase by phase;
//! - [`reach`]: what a rule may read, name and evaluate;
//! - [`analysis`]: the lint's exact searches.

pub mod analysis;
pub mod budget;
pub mod builtins;
mod compile;
mod compiled;
mod declared;
pub mod ir;
pub mod lower;
mod names;
pub mod native;
pub mod params;
pub mod parsed;
pub mod reach;
mod source;
pub mod types;

pub(crate) use compiled::placeholders;
pub use compiled::{Block, Computed, DerivedValue, Function, Question, Regime, Rule};
pub use declared::{Declared, RESERVED_IDS, declared, schema_for};
pub use source::{Item, ItemKind, Problem, ProblemKind, RegimeError, Source};

#[cfg(test)]
mod tests;
