//! The model-facts schema, version 1.3, as Rust types.
//!
//! Every field is optional except `schema_version` and `evaluation.as_of`: an absent field means
//! **unknown**, never false. Unknown keys are rejected. These types are for Rust code that builds
//! or reads profiles; the kernel validates with the richer diagnostics of its own validator,
//! driven by [`crate::schema::FIELDS`], and a test keeps both descriptions in step.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::date::Date;

/// One profile: facts about one AI model and its provider, plus the evaluation date.
///
/// Tables other than the core ones are regime-owned namespaces (`[ca]`), kept as TOML tables in
/// [`ModelFacts::namespaces`]: only the kernel, which knows the loaded regimes, can check them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelFacts {
    /// Schema version, `"1"`.
    pub schema_version: String,
    /// The evaluation itself.
    pub evaluation: Evaluation,
    /// The provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<Provider>,
    /// The model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// Present iff the model is a modification of someone else's model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derivation: Option<Derivation>,
    /// The release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<Release>,
    /// Union market facts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eu: Option<Eu>,
    /// US executive-order facts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub us: Option<Us>,
    /// The latest unreported safety incident (facts schema 1.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<Incident>,
    /// Regime-owned namespaces (`ca` → its facts), checked by the kernel against the regimes
    /// that declare them.
    #[serde(flatten, default, skip_serializing_if = "BTreeMap::is_empty")]
    pub namespaces: BTreeMap<String, toml::Table>,
}

/// `[evaluation]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    /// The date on which the law is applied. Required.
    pub as_of: Option<Date>,
}

/// `[provider]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Identifier only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// ISO 3166-1 alpha-2 country of establishment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// EUR, preceding financial year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worldwide_annual_turnover_eur: Option<f64>,
    /// Builds AI vulnerability-detection tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builds_ai_vuln_detection_tools: Option<bool>,
    /// USD, group gross revenues (with affiliates) of the preceding calendar year (since 1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_gross_revenue_usd: Option<f64>,
    /// The provider trained another model with its own compute above 10^26 operations (since
    /// 1.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_other_frontier_model: Option<bool>,
}

/// One value of `model.output_modalities`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputModality {
    /// Natural language and code.
    Text,
    /// Language as audio.
    Speech,
    /// Images from text.
    TextToImage,
    /// Video from text.
    TextToVideo,
    /// Anything else (numbers, forecasts, embeddings, proteins, …).
    Other,
}

/// `[model]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Identifier only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Cumulative training compute, FLOP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_compute_flop: Option<f64>,
    /// What the model can generate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_modalities: Option<Vec<OutputModality>>,
    /// Explicit Art. 3(63) finding, overriding the indicative criterion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub significant_generality: Option<bool>,
    /// When cumulative compute exceeded (or was known to exceed) 10^25 FLOP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sr_threshold_date: Option<Date>,
}

/// `[derivation]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Derivation {
    /// Identifier of the base model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_model_id: Option<String>,
    /// Cumulative training compute of the base model, FLOP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_training_compute_flop: Option<f64>,
    /// The base model is a GPAI model with systemic risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_is_systemic_risk: Option<bool>,
    /// Compute used for the modification, FLOP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modification_compute_flop: Option<f64>,
}

/// `[release]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// First release beyond the developer (other than to the US government).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_external_release_date: Option<Date>,
    /// Weights are public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights_public: Option<bool>,
    /// SPDX id or name; identifier only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    /// Free and open-source licence and not monetised (Art. 53(2)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence_is_free_open_source: Option<bool>,
    /// Architecture and usage information is public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture_and_usage_info_public: Option<bool>,
    /// Deployed (or planned to be) to third parties, beyond evaluation access (since 1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed: Option<bool>,
    /// Actual or planned first deployment date (since 1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_date: Option<Date>,
}

/// One value of `eu.commission_sr_decision`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommissionSrDecision {
    /// No decision.
    None,
    /// Designated under Art. 51(1)(b) / 52(4).
    Designated,
    /// Art. 52(2) arguments not yet decided.
    RebuttalPending,
    /// Art. 52(2) arguments accepted.
    RebuttalAccepted,
    /// Art. 52(2) arguments rejected.
    RebuttalRejected,
}

/// `[eu]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eu {
    /// Placed, or planned to be placed, on the Union market.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placed_on_market: Option<bool>,
    /// Actual or planned first placing date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placing_date: Option<Date>,
    /// Latest Commission position on systemic risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commission_sr_decision: Option<CommissionSrDecision>,
    /// Signed the GPAI Code of Practice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cop_signatory: Option<bool>,
}

/// One value of `us.cyber_benchmark_result`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CyberBenchmarkResult {
    /// Meets the covered-frontier-model threshold.
    MeetsCoveredThreshold,
    /// Below the threshold.
    BelowCoveredThreshold,
}

/// `[us]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Us {
    /// Outcome of the classified benchmarking process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cyber_benchmark_result: Option<CyberBenchmarkResult>,
    /// Opted into the voluntary framework.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program_participant: Option<bool>,
}

/// `[incident]` (facts schema 1.3): the latest safety incident not yet reported.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// The day the provider discovered it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovered_on: Option<Date>,
    /// It poses an imminent risk of death or serious physical injury.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imminent_risk: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{FIELDS, FactType};

    /// A profile with every field set, so that serialising it lists every path of the types.
    fn full() -> ModelFacts {
        let date = |s: &str| Some(s.parse::<Date>().unwrap());
        ModelFacts {
            schema_version: "1".into(),
            evaluation: Evaluation {
                as_of: date("2026-09-01"),
            },
            provider: Some(Provider {
                name: Some("n".into()),
                country: Some("US".into()),
                worldwide_annual_turnover_eur: Some(1.0),
                builds_ai_vuln_detection_tools: Some(false),
                annual_gross_revenue_usd: Some(1.0),
                has_other_frontier_model: Some(true),
            }),
            model: Some(Model {
                id: Some("m".into()),
                training_compute_flop: Some(1.0),
                output_modalities: Some(vec![OutputModality::Text, OutputModality::TextToImage]),
                significant_generality: Some(true),
                sr_threshold_date: date("2026-01-01"),
            }),
            derivation: Some(Derivation {
                base_model_id: Some("b".into()),
                base_training_compute_flop: Some(1.0),
                base_is_systemic_risk: Some(false),
                modification_compute_flop: Some(1.0),
            }),
            release: Some(Release {
                first_external_release_date: date("2026-01-01"),
                weights_public: Some(true),
                licence: Some("MIT".into()),
                licence_is_free_open_source: Some(true),
                architecture_and_usage_info_public: Some(true),
                deployed: Some(true),
                deployment_date: date("2026-01-02"),
            }),
            eu: Some(Eu {
                placed_on_market: Some(true),
                placing_date: date("2026-01-01"),
                commission_sr_decision: Some(CommissionSrDecision::RebuttalAccepted),
                cop_signatory: Some(true),
            }),
            us: Some(Us {
                cyber_benchmark_result: Some(CyberBenchmarkResult::MeetsCoveredThreshold),
                program_participant: Some(true),
            }),
            incident: Some(Incident {
                discovered_on: date("2026-08-28"),
                imminent_risk: Some(false),
            }),
            namespaces: BTreeMap::new(),
        }
    }

    #[test]
    fn the_types_and_the_field_table_describe_the_same_schema() {
        let json = serde_json::to_value(full()).unwrap();
        let mut from_types = Vec::new();
        for (table, value) in json.as_object().unwrap() {
            if let Some(fields) = value.as_object() {
                for key in fields.keys() {
                    from_types.push(format!("{table}.{key}"));
                }
            }
        }
        from_types.sort();
        let mut from_table: Vec<String> = FIELDS.iter().map(|f| f.path.to_string()).collect();
        from_table.sort();
        assert_eq!(from_types, from_table);
    }

    #[test]
    fn enum_spellings_match_the_field_table() {
        let json = serde_json::to_value(full()).unwrap();
        for f in FIELDS {
            let (t, k) = f.path.split_once('.').unwrap();
            let v = &json[t][k];
            match f.ty {
                FactType::Enum(allowed) => assert!(allowed.contains(&v.as_str().unwrap())),
                FactType::EnumList(allowed) => {
                    for item in v.as_array().unwrap() {
                        assert!(allowed.contains(&item.as_str().unwrap()));
                    }
                }
                _ => {}
            }
        }
    }

    #[test]
    fn a_profile_reads_from_toml() {
        let text = r#"
            schema_version = "1"
            [evaluation]
            as_of = 2026-09-01
            [model]
            training_compute_flop = 3.0e25
            output_modalities = ["text", "speech"]
        "#;
        let facts: ModelFacts = toml::from_str(text).unwrap();
        assert_eq!(facts.model.unwrap().training_compute_flop, Some(3.0e25));
    }
}
