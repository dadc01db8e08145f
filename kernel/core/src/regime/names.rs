//! What a name in an expression may refer to: the schema's facts, the regime's parameters,
//! blocks, derived values, open questions and custom functions.
//!
//! A leaf of the module graph: the checker ([`super::lower`]), native compilation
//! ([`super::native`]) and the cost estimator ([`super::budget`]) all resolve names through it.

use std::collections::HashMap;

use super::params::Parameter;
use super::types::Ty;
use crate::schema::Schema;

/// Everything a name in an expression may refer to.
pub struct Names<'a> {
    /// The facts schema.
    pub schema: &'a Schema,
    /// The id of the regime being compiled (it may read its own namespace).
    pub regime: &'a str,
    /// The facts-schema version the regime targets (it may not read newer fields).
    pub target: &'a str,
    /// Blocks by name.
    pub blocks: HashMap<String, usize>,
    /// Derived values by name, with their type.
    pub values: HashMap<String, (usize, Ty)>,
    /// Parameters by name.
    pub params: HashMap<String, &'a Parameter>,
    /// Open questions by id.
    pub questions: HashMap<String, usize>,
    /// Custom functions by name: parameter and result types.
    pub functions: HashMap<String, (Vec<Ty>, Ty)>,
}

impl Names<'_> {
    /// Whether a reason template's `{name}` names something: a fact this regime may read, a
    /// derived value, or `params.<name>`.
    pub fn placeholder_known(&self, name: &str) -> bool {
        self.schema
            .lookup(name)
            .is_some_and(|id| self.schema.visibility(id, self.regime, self.target).is_ok())
            || self.values.contains_key(name)
            || name
                .strip_prefix("params.")
                .is_some_and(|p| self.params.contains_key(p))
    }

    /// Every name an expression may start with, sorted (for "did you mean"): the tables, the
    /// blocks, the derived values and `params`.
    pub fn candidates(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .schema
            .tables()
            .iter()
            .map(|t| t.name.clone())
            .collect();
        names.extend(self.blocks.keys().cloned());
        names.extend(self.values.keys().cloned());
        names.push("params".into());
        names.sort();
        names
    }
}
