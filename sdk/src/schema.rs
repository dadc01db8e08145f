//! The shared model-facts schema, version 1, as data.
//!
//! This table is the single description of every fact a profile may carry: the kernel validates
//! profiles against it, converts facts to CEL values by it, checks every fact path a rule reads
//! against it and prints it as a JSON Schema. The typed structs in [`crate::facts`] mirror it for
//! Rust users; a test keeps the two in step.
//!
//! Source: `law/model-facts-v1.md` (in our words: `docs/facts-schema.md`). An absent field means **unknown**.

/// The facts-schema version this SDK describes. Minor versions only add optional fields
/// (`law/model-facts-v1.md` §6), so a profile or regime written for `"1"` stays valid.
pub const FACTS_SCHEMA_VERSION: &str = "1.3";

/// Every facts-schema version this SDK understands, oldest first. A profile may declare any of
/// them; a regime declares the one it targets and may read only the fields that version has.
pub const FACTS_SCHEMA_VERSIONS: &[&str] = &["1", "1.1", "1.2", "1.3"];

/// Upper bound on the byte length of any string fact (names, identifiers, licences).
pub const MAX_STRING_BYTES: usize = 1024;

/// Upper bound on the number of items in any list fact.
pub const MAX_LIST_ITEMS: usize = 64;

/// Output modalities a model can generate (`model.output_modalities`).
pub const OUTPUT_MODALITIES: &[&str] =
    &["text", "speech", "text_to_image", "text_to_video", "other"];

/// Latest Commission position on systemic risk (`eu.commission_sr_decision`).
pub const COMMISSION_SR_DECISIONS: &[&str] = &[
    "none",
    "designated",
    "rebuttal_pending",
    "rebuttal_accepted",
    "rebuttal_rejected",
];

/// Outcome of the US classified benchmarking process (`us.cyber_benchmark_result`).
pub const CYBER_BENCHMARK_RESULTS: &[&str] =
    &["meets_covered_threshold", "below_covered_threshold"];

/// The type of a fact, which also fixes its CEL representation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FactType {
    /// `true` / `false`; CEL `bool`.
    Bool,
    /// A finite float (integers are accepted and widened); CEL `double`. Compute stays a double
    /// because 1e26 does not fit a 64-bit integer.
    Float {
        /// Smallest accepted value, if any.
        min: Option<f64>,
    },
    /// A whole number (a count); CEL `int`.
    Integer {
        /// Smallest accepted value, if any.
        min: Option<i64>,
    },
    /// An amount of money, given with its ISO 4217 currency and read by rules as an exact
    /// number in the currency its declaration names (namespace facts only: the conversion
    /// rates are the declaring regime's parameters); CEL `double`.
    Money,
    /// Free text up to [`MAX_STRING_BYTES`]; CEL `string`.
    String,
    /// A list of free-text strings, each up to [`MAX_STRING_BYTES`]; CEL `list(string)`.
    StringList,
    /// An ISO 3166-1 alpha-2 code (two upper-case ASCII letters); CEL `string`.
    CountryCode,
    /// A calendar date (`YYYY-MM-DD`, a TOML local date or a JSON string); CEL `timestamp` at
    /// midnight UTC, so dates compare by day.
    Date,
    /// A point in time with its offset (RFC 3339, `2027-03-01T14:30:00Z`); CEL `timestamp`,
    /// which compares with dates (a date is its midnight UTC).
    DateTime,
    /// One of a closed set of strings; CEL `string`.
    Enum(&'static [&'static str]),
    /// A list of distinct values from a closed set; CEL `list(string)`.
    EnumList(&'static [&'static str]),
}

impl FactType {
    /// The name used in error messages and documentation.
    pub fn describe(&self) -> String {
        match self {
            FactType::Bool => "a boolean".into(),
            FactType::Float { min: Some(m) } if *m == 0.0 => "a non-negative number".into(),
            FactType::Float { .. } => "a number".into(),
            FactType::Integer { min: Some(0) } => "a non-negative whole number".into(),
            FactType::Integer { min: Some(m) } => format!("a whole number of at least {m}"),
            FactType::Integer { min: None } => "a whole number".into(),
            FactType::Money => {
                "an amount with its currency, such as `{ amount = 600000000, currency = \"USD\" }`"
                    .into()
            }
            FactType::String => "a string".into(),
            FactType::StringList => "a list of strings".into(),
            FactType::CountryCode => "an ISO 3166-1 alpha-2 country code".into(),
            FactType::Date => "a date (YYYY-MM-DD)".into(),
            FactType::DateTime => {
                "a date-time with its offset (such as 2027-03-01T14:30:00Z)".into()
            }
            FactType::Enum(values) => format!("one of {}", quote_list(values)),
            FactType::EnumList(values) => format!("a list of {}", quote_list(values)),
        }
    }
}

fn quote_list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One fact of the schema.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// Dotted path, `table.field`.
    pub path: &'static str,
    /// Type and CEL representation.
    pub ty: FactType,
    /// Unit or format, for documentation.
    pub unit: &'static str,
    /// What the fact means, from the schema document.
    pub meaning: &'static str,
    /// What its absence means.
    pub if_absent: &'static str,
    /// Whether a profile without it is rejected.
    pub required: bool,
    /// The schema version that introduced it (`"1"`, `"1.1"` or `"1.2"`).
    pub since: &'static str,
}

/// One table of the schema.
#[derive(Clone, Copy, Debug)]
pub struct Table {
    /// Table name (`model`, `eu`, …).
    pub name: &'static str,
    /// What the table holds.
    pub meaning: &'static str,
    /// Whether the presence of the table is itself a fact (true for `[derivation]`: present iff
    /// the model is a modification of someone else's model). Rules test it with `present(table)`.
    pub presence_is_a_fact: bool,
}

/// Tables of schema version 1, in document order.
pub const TABLES: &[Table] = &[
    Table {
        name: "evaluation",
        meaning: "the evaluation itself",
        presence_is_a_fact: false,
    },
    Table {
        name: "provider",
        meaning: "the legal entity that develops or modifies the model and places it on the market",
        presence_is_a_fact: false,
    },
    Table {
        name: "model",
        meaning: "the model",
        presence_is_a_fact: false,
    },
    Table {
        name: "derivation",
        meaning: "present iff the model is a modification (fine-tune, continued pre-training, …) of \
                  a model provided by someone else; a provider's own fine-tunes are not derivations",
        presence_is_a_fact: true,
    },
    Table {
        name: "release",
        meaning: "how and when the model is released",
        presence_is_a_fact: false,
    },
    Table {
        name: "eu",
        meaning: "facts specific to the Union market",
        presence_is_a_fact: false,
    },
    Table {
        name: "us",
        meaning: "facts specific to the US executive order of 2 June 2026",
        presence_is_a_fact: false,
    },
    Table {
        name: "incident",
        meaning: "the latest safety incident pertaining to this model that is not yet reported, \
                  in the words several statutes share (facts schema 1.3); absent: no incident \
                  recorded",
        presence_is_a_fact: false,
    },
];

const NON_NEGATIVE: FactType = FactType::Float { min: Some(0.0) };

/// Fields of schema version 1, in document order (`schema_version` is checked separately).
pub const FIELDS: &[Field] = &[
    Field {
        path: "evaluation.as_of",
        ty: FactType::Date,
        unit: "ISO date",
        meaning: "the date on which the law is applied",
        if_absent: "required: the profile is rejected",
        required: true,
        since: "1",
    },
    Field {
        path: "provider.name",
        ty: FactType::String,
        unit: "",
        meaning: "identifier only",
        if_absent: "fine",
        required: false,
        since: "1",
    },
    Field {
        path: "provider.country",
        ty: FactType::CountryCode,
        unit: "ISO 3166-1 alpha-2",
        meaning: "country where the provider is established (normally its headquarters)",
        if_absent: "unknown",
        required: false,
        since: "1",
    },
    Field {
        path: "provider.worldwide_annual_turnover_eur",
        ty: NON_NEGATIVE,
        unit: "EUR, total worldwide turnover of the preceding financial year",
        meaning: "fine cap base",
        if_absent: "unknown: the fine cap is undetermined",
        required: false,
        since: "1",
    },
    Field {
        path: "provider.builds_ai_vuln_detection_tools",
        ty: FactType::Bool,
        unit: "",
        meaning: "the provider builds AI vulnerability-detection tools",
        if_absent: "unknown",
        required: false,
        since: "1",
    },
    Field {
        path: "provider.annual_gross_revenue_usd",
        ty: NON_NEGATIVE,
        unit: "USD, gross revenues of the calendar year preceding evaluation.as_of",
        meaning: "gross revenues of the provider together with its affiliates (persons it \
                  controls, is controlled by or is under common control with)",
        if_absent: "unknown",
        required: false,
        since: "1.1",
    },
    Field {
        path: "provider.has_other_frontier_model",
        ty: FactType::Bool,
        unit: "",
        meaning: "the provider has itself trained, or initiated the training of, another model \
                  with its own compute above 10^26 integer or floating-point operations (the \
                  same words in California, Bus. & Prof. Code § 22757.11(h), and New York, GBL \
                  § 1420(8): a fact about the provider, not about a state)",
        if_absent: "unknown; it matters only when this model does not itself make the provider \
                    a frontier developer",
        required: false,
        since: "1.2",
    },
    Field {
        path: "model.id",
        ty: FactType::String,
        unit: "",
        meaning: "identifier only",
        if_absent: "fine",
        required: false,
        since: "1",
    },
    Field {
        path: "model.training_compute_flop",
        ty: NON_NEGATIVE,
        unit: "FLOP (operations, not FLOP/s)",
        meaning: "cumulative compute used to train this model (pre-training, synthetic-data \
                  generation, fine-tuning/RL by the same provider); for a derivative it may be \
                  omitted, then base + modification is used if both are known",
        if_absent: "unknown",
        required: false,
        since: "1",
    },
    Field {
        path: "model.output_modalities",
        ty: FactType::EnumList(OUTPUT_MODALITIES),
        unit: "",
        meaning: "what the model can generate; `other` = anything else (numbers, embeddings, …)",
        if_absent: "unknown",
        required: false,
        since: "1",
    },
    Field {
        path: "model.significant_generality",
        ty: FactType::Bool,
        unit: "",
        meaning: "optional explicit Art. 3(63) finding; overrides the indicative criterion",
        if_absent: "the indicative criterion decides",
        required: false,
        since: "1",
    },
    Field {
        path: "model.sr_threshold_date",
        ty: FactType::Date,
        unit: "ISO date",
        meaning: "the earlier of: the day cumulative compute first exceeded 10^25 FLOP, and the \
                  day the provider knew it would",
        if_absent: "unknown: the notification deadline is undetermined",
        required: false,
        since: "1",
    },
    Field {
        path: "derivation.base_model_id",
        ty: FactType::String,
        unit: "",
        meaning: "identifier of the base model",
        if_absent: "fine",
        required: false,
        since: "1",
    },
    Field {
        path: "derivation.base_training_compute_flop",
        ty: NON_NEGATIVE,
        unit: "FLOP",
        meaning: "cumulative training compute of the base model",
        if_absent: "fallback thresholds apply",
        required: false,
        since: "1",
    },
    Field {
        path: "derivation.base_is_systemic_risk",
        ty: FactType::Bool,
        unit: "",
        meaning: "the base model is a GPAI model with systemic risk",
        if_absent: "unknown",
        required: false,
        since: "1",
    },
    Field {
        path: "derivation.modification_compute_flop",
        ty: NON_NEGATIVE,
        unit: "FLOP",
        meaning: "compute used for the modification",
        if_absent: "unknown",
        required: false,
        since: "1",
    },
    Field {
        path: "release.first_external_release_date",
        ty: FactType::Date,
        unit: "ISO date",
        meaning: "planned or actual first release beyond the developer organisation, other than \
                  to the US government: to trusted partners or the public, whichever is earlier",
        if_absent: "unknown",
        required: false,
        since: "1",
    },
    Field {
        path: "release.weights_public",
        ty: FactType::Bool,
        unit: "",
        meaning: "parameters including weights are publicly available",
        if_absent: "unknown",
        required: false,
        since: "1",
    },
    Field {
        path: "release.licence",
        ty: FactType::String,
        unit: "SPDX id or name",
        meaning: "identifier only",
        if_absent: "fine",
        required: false,
        since: "1",
    },
    Field {
        path: "release.licence_is_free_open_source",
        ty: FactType::Bool,
        unit: "",
        meaning: "the licence allows access, usage, modification and distribution and the model \
                  is not monetised (Art. 53(2), recitals 102-103)",
        if_absent: "unknown",
        required: false,
        since: "1",
    },
    Field {
        path: "release.architecture_and_usage_info_public",
        ty: FactType::Bool,
        unit: "",
        meaning: "information on model architecture and on model usage is publicly available",
        if_absent: "unknown",
        required: false,
        since: "1",
    },
    Field {
        path: "release.deployed",
        ty: FactType::Bool,
        unit: "",
        meaning: "the model is, or is planned to be, deployed: made available to a third party for \
                  use, modification, copying or combination with other software (API, app, \
                  weights download, cloud marketplace), other than access given for the primary \
                  purpose of developing or evaluating it",
        if_absent: "unknown",
        required: false,
        since: "1.1",
    },
    Field {
        path: "release.deployment_date",
        ty: FactType::Date,
        unit: "ISO date",
        meaning: "actual or planned first deployment date, in the sense of release.deployed",
        if_absent: "regimes fall back to release.first_external_release_date, else unknown",
        required: false,
        since: "1.1",
    },
    Field {
        path: "eu.placed_on_market",
        ty: FactType::Bool,
        unit: "",
        meaning: "the model is, or is planned to be, placed on the Union market",
        if_absent: "unknown",
        required: false,
        since: "1",
    },
    Field {
        path: "eu.placing_date",
        ty: FactType::Date,
        unit: "ISO date",
        meaning: "actual or planned date of first placing on the Union market",
        if_absent: "unknown",
        required: false,
        since: "1",
    },
    Field {
        path: "eu.commission_sr_decision",
        ty: FactType::Enum(COMMISSION_SR_DECISIONS),
        unit: "",
        meaning: "latest Commission position on systemic risk for this model",
        if_absent: "designation unknown; rebuttal treated as not accepted (presumption)",
        required: false,
        since: "1",
    },
    Field {
        path: "eu.cop_signatory",
        ty: FactType::Bool,
        unit: "",
        meaning: "the provider signed the GPAI Code of Practice",
        if_absent: "fine",
        required: false,
        since: "1",
    },
    Field {
        path: "us.cyber_benchmark_result",
        ty: FactType::Enum(CYBER_BENCHMARK_RESULTS),
        unit: "",
        meaning: "outcome of the classified benchmarking process for this model",
        if_absent: "unknown: covered status undetermined",
        required: false,
        since: "1",
    },
    Field {
        path: "us.program_participant",
        ty: FactType::Bool,
        unit: "",
        meaning: "the developer opted into the voluntary framework",
        if_absent: "fine",
        required: false,
        since: "1",
    },
    Field {
        path: "incident.discovered_on",
        ty: FactType::Date,
        unit: "",
        meaning: "the day the provider discovered the incident (California counts its 15 days \
                  from discovering a critical safety incident, Bus. & Prof. Code \
                  § 22757.13(c)(1)); a statute whose clock starts elsewhere keeps its own fact \
                  (New York's `ny.incident_trigger_date`)",
        if_absent: "no incident recorded: incident deadlines are not computed (an incident is \
                    an event, not a property of the model)",
        required: false,
        since: "1.3",
    },
    Field {
        path: "incident.imminent_risk",
        ty: FactType::Bool,
        unit: "",
        meaning: "the incident poses an imminent risk of death or serious physical injury \
                  (California, Bus. & Prof. Code § 22757.13(c)(2); New York uses the same words, \
                  GBL § 1422(3)(b), for the incident its own clock counts from, \
                  `ny.incident_imminent_risk`)",
        if_absent: "unknown; read only with an incident's date",
        required: false,
        since: "1.3",
    },
];

/// The EU-27 member states as ISO 3166-1 alpha-2 codes, plus `EL`, the EU's own code for Greece.
/// Used by regimes through a parameter; exported here for tools that build profiles.
pub const EU_MEMBER_STATES: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "EL", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];

/// Looks a field up by its dotted path.
pub fn field(path: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.path == path)
}

/// Looks a table up by name.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_belongs_to_a_table() {
        for f in FIELDS {
            let (table_name, _) = f.path.split_once('.').unwrap_or(("", ""));
            assert!(table(table_name).is_some(), "{} has no table", f.path);
        }
    }

    #[test]
    fn every_field_names_a_known_version() {
        for f in FIELDS {
            assert!(FACTS_SCHEMA_VERSIONS.contains(&f.since), "{}", f.path);
        }
    }

    #[test]
    fn paths_are_unique() {
        let mut paths: Vec<_> = FIELDS.iter().map(|f| f.path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), FIELDS.len());
    }
}
