//! What-if questions: the profile with some facts set or made unknown (`--set`, `--unset`).

use std::collections::BTreeMap;

use juxta_core::profile::{Profile, fact_from_text};
use juxta_core::report::{Change, WhatIfReport};
use juxta_core::schema::{FactId, FactKind, Schema};
use juxta_core::value::Value;

use crate::Error;

/// A what-if question: facts to set and facts to make unknown.
#[derive(Clone, Debug)]
pub struct WhatIf {
    set: Vec<(FactId, String, Value)>,
    unset: Vec<(FactId, String)>,
}

impl WhatIf {
    /// Reads `path=value` assignments and paths to unset, checked exactly as the same fields
    /// in a profile. `None` when both are empty.
    pub fn parse(
        schema: &Schema,
        set: &[String],
        unset: &[String],
    ) -> Result<Option<WhatIf>, Error> {
        if set.is_empty() && unset.is_empty() {
            return Ok(None);
        }
        let mut question = WhatIf {
            set: Vec::new(),
            unset: Vec::new(),
        };
        for assignment in set {
            let (id, value) = fact_from_text(schema, assignment)
                .map_err(|e| Error::WhatIf(format!("--set {e}")))?;
            question.set.push((id, schema.fact(id).path.clone(), value));
        }
        for path in unset {
            let id = schema.lookup(path).ok_or_else(|| {
                let help = juxta_core::diag::did_you_mean(
                    path,
                    schema.facts().iter().map(|f| f.path.as_str()),
                )
                .map(|d| format!(" (did you mean `{d}`?)"))
                .unwrap_or_default();
                Error::WhatIf(format!(
                    "--unset `{path}` is not a fact of the schema{help}"
                ))
            })?;
            let def = schema.fact(id);
            if def.required || !matches!(def.kind, FactKind::Field(_)) {
                return Err(Error::WhatIf(format!(
                    "--unset `{path}`: this fact cannot be unknown"
                )));
            }
            question.unset.push((id, path.clone()));
        }
        Ok(Some(question))
    }

    /// The profile with the question's changes.
    pub fn apply(&self, profile: &Profile, schema: &Schema) -> Profile {
        let mut changed = profile.clone();
        for (id, _, value) in &self.set {
            changed = changed.with_fact(*id, Some(value.clone()), schema);
        }
        for (id, _) in &self.unset {
            changed.set(*id, None);
        }
        changed
    }

    /// The facts set, by path (a fact set twice keeps its last value).
    fn set_by_path(&self) -> BTreeMap<String, &Value> {
        self.set.iter().map(|(_, p, v)| (p.clone(), v)).collect()
    }

    /// The question in words: `model.training_compute_flop = 2e25; eu.placing_date unknown`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .set_by_path()
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        parts.extend(self.unset.iter().map(|(_, k)| format!("{k} unknown")));
        parts.join("; ")
    }

    pub(crate) fn report(&self, changes: Vec<Change>) -> WhatIfReport {
        WhatIfReport {
            set: self
                .set_by_path()
                .into_iter()
                .map(|(k, v)| (k, v.to_json()))
                .collect(),
            unset: self.unset.iter().map(|(_, p)| p.clone()).collect(),
            changes,
            text: self.describe(),
        }
    }
}
