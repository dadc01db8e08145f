//! Regime test cases: loading them and comparing a regime's report with what they expect.
//!
//! The comparison takes a [`RegimeReport`], not a regime, so the same case checks a regime
//! compiled from its TOML source and the same regime loaded from its built plugin.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use juxta_sdk::case::{CaseFile, Expected};

use crate::profile::tree::{Node, parse_toml};
use crate::profile::{Profile, ProfileError};
use crate::report::{RegimeReport, Status};
use crate::schema::Schema;

/// A case file with its validated profile.
#[derive(Clone, Debug)]
pub struct Case {
    /// Where it came from.
    pub origin: String,
    /// The file's content.
    pub file: CaseFile,
    /// The profile under `[facts]`.
    pub profile: Profile,
}

/// A case file that could not be loaded.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CaseError {
    /// The file is not a valid case.
    #[error("{origin}: {message}")]
    Format {
        /// Where.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// Its profile is invalid.
    #[error(transparent)]
    Profile(#[from] ProfileError),
}

impl Case {
    /// Reads a case file (TOML).
    pub fn parse(text: &str, origin: &str, schema: &Schema) -> Result<Case, CaseError> {
        let file: CaseFile = toml::from_str(text).map_err(|e| CaseError::Format {
            origin: origin.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let tree = parse_toml(text).map_err(|e| CaseError::Format {
            origin: origin.to_string(),
            message: e.message,
        })?;
        let Node::Table(top) = &tree.node else {
            return Err(CaseError::Format {
                origin: origin.to_string(),
                message: "a case file is a table".into(),
            });
        };
        let facts = top
            .iter()
            .find(|(k, _)| k.name == "facts")
            .map(|(_, v)| v)
            .ok_or_else(|| CaseError::Format {
                origin: origin.to_string(),
                message: "missing [facts]".into(),
            })?;
        let profile = Profile::from_tree(facts, text, origin, schema)?;
        Ok(Case {
            origin: origin.to_string(),
            file,
            profile,
        })
    }

    /// The expectations for the regime with this case key, if the case has any.
    pub fn expected(&self, case_key: &str) -> Option<&Expected> {
        self.file.expected.get(case_key)
    }
}

/// One way a report differs from a case's expectations.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// The rule it concerns, if it concerns one.
    pub rule: Option<String>,
    /// What differs, in one line (starting with the rule id when there is one).
    pub message: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Compares a report with a case's expectations. Returns one entry per difference; empty when
/// the report is exactly as expected.
pub fn compare(expected: &Expected, report: &RegimeReport) -> Vec<Difference> {
    let mut diffs = Vec::new();
    let general = |message: String| Difference {
        rule: None,
        message,
    };
    let about = |rule: &str, message: String| Difference {
        rule: Some(rule.to_string()),
        message,
    };
    if let Some(e) = &report.error {
        diffs.push(general(format!("the regime failed: {e}")));
        return diffs;
    }
    let mut want: BTreeMap<&str, Status> = BTreeMap::new();
    for (list, status) in [
        (&expected.applies, Status::Applies),
        (&expected.does_not_apply, Status::DoesNotApply),
        (&expected.undetermined, Status::Undetermined),
    ] {
        for id in list {
            if let Some(prev) = want.insert(id.as_str(), status) {
                diffs.push(general(format!(
                    "the case lists {id} twice ({} and {})",
                    prev.as_str(),
                    status.as_str()
                )));
            }
        }
    }
    let actual_ids: BTreeSet<&str> = report.rules.iter().map(|r| r.id.as_str()).collect();
    for id in want.keys() {
        if !actual_ids.contains(id) {
            diffs.push(general(format!(
                "the case expects rule {id}, which the regime does not have"
            )));
        }
    }
    for rule in &report.rules {
        let Some(status) = want.get(rule.id.as_str()) else {
            diffs.push(about(
                &rule.id,
                format!(
                    "{}: the case gives no expected status (it is {})",
                    rule.id,
                    rule.status.as_str()
                ),
            ));
            continue;
        };
        if *status != rule.status {
            let why = if rule.status == Status::Undetermined {
                format!(
                    "; missing {:?}, open questions {:?}",
                    rule.missing_facts, rule.open_questions
                )
            } else {
                String::new()
            };
            diffs.push(about(
                &rule.id,
                format!(
                    "{}: expected {}, got {} — {}{why}",
                    rule.id,
                    status.as_str(),
                    rule.status.as_str(),
                    rule.explanation
                ),
            ));
            continue;
        }
        let missing = sorted(expected.missing_facts.get(&rule.id));
        if missing != rule.missing_facts {
            diffs.push(about(
                &rule.id,
                format!(
                    "{}: expected missing facts {missing:?}, got {:?}",
                    rule.id, rule.missing_facts
                ),
            ));
        }
        let open = sorted(expected.open_questions.get(&rule.id));
        if open != rule.open_questions {
            diffs.push(about(
                &rule.id,
                format!(
                    "{}: expected open questions {open:?}, got {:?}",
                    rule.id, rule.open_questions
                ),
            ));
        }
    }
    let want_computed: BTreeSet<&String> = expected.computed.keys().collect();
    let got_computed: BTreeSet<&String> = report.computed.keys().collect();
    if want_computed != got_computed {
        diffs.push(general(format!(
            "expected computed values {want_computed:?}, got {got_computed:?}"
        )));
    }
    for (name, want) in &expected.computed {
        let Some(got) = report.computed.get(name).map(|v| v.to_json()) else {
            continue;
        };
        let same = match want {
            toml::Value::Datetime(d) => got.as_str() == Some(d.to_string().as_str()),
            toml::Value::Float(f) => got.as_f64() == Some(*f),
            toml::Value::Integer(i) => got.as_f64() == Some(*i as f64),
            other => got.as_str() == other.as_str(),
        };
        if !same {
            diffs.push(general(format!(
                "computed {name}: expected {want}, got {got}"
            )));
        }
    }
    let want_und: BTreeMap<&String, Vec<String>> = expected
        .computed_undetermined
        .iter()
        .map(|(k, v)| (k, sorted(Some(v))))
        .collect();
    let got_und: BTreeMap<&String, Vec<String>> = report
        .computed_undetermined
        .iter()
        .map(|(k, v)| (k, v.clone()))
        .collect();
    if want_und != got_und {
        diffs.push(general(format!(
            "expected undetermined computed values {want_und:?}, got {got_und:?}"
        )));
    }
    if let Some(bounds) = &expected.computed_bounds {
        let shown = |b: &crate::report::ComputedBound| {
            let mut t = serde_json::Map::new();
            if let Some(v) = &b.at_least {
                t.insert("at_least".into(), v.to_json());
            }
            if let Some(v) = &b.at_most {
                t.insert("at_most".into(), v.to_json());
            }
            serde_json::Value::Object(t)
        };
        let want: BTreeMap<&String, serde_json::Value> = bounds
            .iter()
            .map(|(k, t)| {
                let v = t
                    .iter()
                    .map(|(side, v)| {
                        let j = match v {
                            toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
                            toml::Value::Integer(i) => serde_json::json!(*i as f64),
                            other => serde_json::to_value(other).unwrap_or_default(),
                        };
                        (side.clone(), j)
                    })
                    .collect();
                (k, serde_json::Value::Object(v))
            })
            .collect();
        let got: BTreeMap<&String, serde_json::Value> = report
            .computed_bounds
            .iter()
            .map(|(k, b)| (k, shown(b)))
            .collect();
        if want != got {
            let text = |m: &BTreeMap<&String, serde_json::Value>| {
                serde_json::to_string(m).unwrap_or_default()
            };
            diffs.push(general(format!(
                "expected bounds of undetermined computed values {}, got {}",
                text(&want),
                text(&got)
            )));
        }
    }
    diffs
}

fn sorted(list: Option<&Vec<String>>) -> Vec<String> {
    let mut v = list.cloned().unwrap_or_default();
    v.sort();
    v
}
