//! The regime manifest: what a plugin's `manifest()` returns, and what `regimes/<id>/regime.toml`
//! holds.
//!
//! A regime is data a lawyer can review: dated **parameters** with their source, named
//! **blocks** (conditions that mirror the inventory: `GPAI`, `SR`, `BASE`), **values** derived
//! from facts (cumulative compute), **rules** (each with its kind, citation and condition),
//! **computed** values (deadlines, fine caps) and the **open questions** of the law.
//!
//! Conditions and values are CEL expressions. Inside them:
//! - facts are read by their schema path (`model.training_compute_flop`), parameters as
//!   `params.<name>`, blocks and values by name (`GPAI`, `C`);
//! - `&&`, `||`, `!` and `?:` combine three-valued results by Kleene's strong logic;
//! - `present(derivation)` tests whether a table whose presence is a fact is there;
//! - `open_question("US-OQ-DERIVATIVES")` is undetermined, naming that open question;
//! - `fallback(a, b)` is `a`, or `b` where `a` cannot be determined;
//! - `days(n)` is a duration of `n` calendar days, for date arithmetic.
//!
//! The kernel compiles every expression once when it loads the regime and checks every name
//! against the schema and the manifest; see `juxta-core`.

use serde::{Deserialize, Serialize};
use serde_spanned::Spanned;

use crate::date::Date;

/// A CEL expression with its position in the manifest text.
pub type Expr = Spanned<String>;

/// Serialising a [`Spanned`] value *with* its span, in the shape `serde_spanned` reads back from
/// any self-describing format (its three private field names). `serde_spanned`'s own `Serialize`
/// writes the value alone; a manifest written with this one reads back equal, spans included,
/// from JSON (the host embeds the bundled manifests read this way, so that starting juxta does
/// not parse their TOML).
mod with_span {
    use serde::Serialize;
    use serde::ser::{SerializeStruct, Serializer};
    use serde_spanned::Spanned;

    /// A spanned value as `serde_spanned` reads it.
    pub fn serialize<T: Serialize, S: Serializer>(v: &Spanned<T>, s: S) -> Result<S::Ok, S::Error> {
        let span = v.span();
        let mut st = s.serialize_struct("$__serde_spanned_private_Spanned", 3)?;
        st.serialize_field("$__serde_spanned_private_start", &span.start)?;
        st.serialize_field("$__serde_spanned_private_end", &span.end)?;
        st.serialize_field("$__serde_spanned_private_value", v.get_ref())?;
        st.end()
    }

    /// An optional spanned value.
    pub fn option<T: Serialize, S: Serializer>(
        v: &Option<Spanned<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        struct With<'a, T>(&'a Spanned<T>);
        impl<T: Serialize> Serialize for With<'_, T> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serialize(self.0, s)
            }
        }
        match v {
            Some(v) => s.serialize_some(&With(v)),
            None => s.serialize_none(),
        }
    }
}

/// A whole manifest.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Who and what.
    pub regime: Header,
    /// Dated parameters: thresholds, dates, lists.
    #[serde(default)]
    pub parameters: indexmap_like::Ordered<Parameter>,
    /// Named conditions.
    #[serde(default)]
    pub blocks: indexmap_like::Ordered<Block>,
    /// Values derived from facts.
    #[serde(default)]
    pub values: indexmap_like::Ordered<Value>,
    /// The rules, in the order they are reported.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Computed dates and amounts.
    #[serde(default)]
    pub computed: indexmap_like::Ordered<Computed>,
    /// Open questions of the law, by id.
    #[serde(default)]
    pub open_questions: indexmap_like::Ordered<OpenQuestion>,
    /// Custom functions the plugin exports through `call`.
    #[serde(default)]
    pub functions: indexmap_like::Ordered<Function>,
    /// Facts this regime adds to the schema, under its own namespace (`ca.*`).
    #[serde(default)]
    pub namespace: Option<Namespace>,
}

/// `[namespace]`: facts a regime adds to the shared schema, under a table of its own.
///
/// In `regime.toml`:
/// ```toml
/// [namespace]
/// name = "ca"
/// title = "facts specific to California's TFAIA"
///
/// [namespace.facts.developer_in_california]
/// type = "bool"
/// meaning = "the provider has offices or employees in California"
/// if_absent = "unknown"
/// ```
/// Profiles then carry `[ca]` with `developer_in_california = true`; rules read
/// `ca.developer_in_california`. Only the declaring regime may read its namespace.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Namespace {
    /// The table name in profiles and the root in expressions: lower-case letters, digits and
    /// underscores, not a core table.
    pub name: String,
    /// What the table holds.
    #[serde(default)]
    pub title: String,
    /// The facts, in the order an author wrote them.
    #[serde(default)]
    pub facts: indexmap_like::Ordered<NamespaceFact>,
}

/// One fact of a regime's namespace. An absent fact means unknown, as in the core schema.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NamespaceFact {
    /// `bool`, `number`, `integer`, `money`, `date`, `datetime`, `string`, `string_list`,
    /// `country_code` or `enum`.
    #[serde(rename = "type")]
    pub ty: NamespaceFactType,
    /// Smallest accepted value (numbers and integers only; for an integer, a whole number).
    #[serde(default)]
    pub min: Option<f64>,
    /// The ISO 4217 code of the currency the law counts this amount in (money only): rules
    /// read the amount in it.
    #[serde(default)]
    pub currency: Option<String>,
    /// The other currencies a profile may give this amount in (money only), each naming a
    /// `number` parameter of the regime: how many units of `currency` one unit of it is
    /// worth, dated and sourced like any parameter (`{ EUR = "usd_per_eur" }`). The rate in
    /// force on `evaluation.as_of` converts the amount, exactly.
    #[serde(default)]
    pub rates: std::collections::BTreeMap<String, String>,
    /// The accepted values (enumerations only): lower-case identifiers.
    #[serde(default)]
    pub values: Vec<String>,
    /// A core fact this one is another name for: a fact the regime once declared and the core
    /// schema later adopted (`ca.has_other_frontier_model`, now
    /// `provider.has_other_frontier_model`). A profile may still write it; its value is the core
    /// fact's, and giving both with different values is an error. Regimes read the core fact.
    #[serde(default)]
    pub alias_of: Option<String>,
    /// Unit or format, for documentation.
    #[serde(default)]
    pub unit: String,
    /// What the fact means.
    pub meaning: String,
    /// What its absence means.
    #[serde(default)]
    pub if_absent: String,
}

/// The type of a namespace fact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NamespaceFactType {
    /// `true` / `false`.
    Bool,
    /// A finite number.
    Number,
    /// A whole number (a count: employees, incidents, days); CEL `int`.
    Integer,
    /// An amount of money with its ISO 4217 currency (`{ amount = 6e8, currency = "EUR" }`),
    /// read by rules in the fact's `currency`.
    Money,
    /// A calendar date.
    Date,
    /// A point in time with its offset (`2027-03-01T14:30:00Z`), where the law counts hours.
    Datetime,
    /// Free text up to [`crate::schema::MAX_STRING_BYTES`].
    String,
    /// A list of free-text strings (names, product lines), at most
    /// [`crate::schema::MAX_LIST_ITEMS`].
    StringList,
    /// An ISO 3166-1 alpha-2 code.
    CountryCode,
    /// One of the fact's `values`.
    Enum,
}

/// `[regime]`: identity of the regime.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Stable id, lower-case with dashes (`eu-ai-act-gpai`).
    pub id: String,
    /// Human name.
    pub name: String,
    /// Jurisdiction code (`EU`, `US`, `US-CA`).
    pub jurisdiction: String,
    /// Semantic version of the regime encoding.
    pub version: String,
    /// The model-facts schema version the regime targets (`"1"`).
    pub facts_schema: String,
    /// The key of this regime in test-case files (`[expected.eu]`).
    pub case_key: String,
    /// One paragraph on what the regime is.
    #[serde(default)]
    pub summary: String,
    /// The legal instruments and sources the encoding rests on.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A dated parameter: its values over time, each with its source.
///
/// In `regime.toml`:
/// ```toml
/// [parameters.sr_presumption_flop]
/// title = "Systemic-risk presumption threshold (strictly greater)"
/// type = "number"
/// unit = "FLOP"
/// values = [{ from = 2024-08-01, value = 1e25, source = "Art. 51(2)" }]
/// ```
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// What the parameter is.
    pub title: String,
    /// `number`, `integer`, `date`, `string`, `string_list`, `date_list` or `bool`.
    #[serde(rename = "type")]
    pub ty: ParameterType,
    /// Unit, for display.
    #[serde(default)]
    pub unit: String,
    /// Values in force from their `from` date, in increasing date order.
    pub values: Vec<ParameterValue>,
}

/// The type of a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParameterType {
    /// A float (CEL `double`).
    Number,
    /// An integer (CEL `int`), such as a number of days.
    Integer,
    /// A date (CEL `timestamp`).
    Date,
    /// A string.
    String,
    /// A list of strings.
    StringList,
    /// A list of dates (public holidays, for `business_days`).
    DateList,
    /// A boolean.
    Bool,
}

/// One value of a parameter.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterValue {
    /// First day this value is in force. The first value also applies before its `from` date:
    /// whether the law applies at all on a date is the job of explicit blocks, not parameters.
    #[serde(default)]
    pub from: Option<Date>,
    /// The value, of the parameter's type.
    #[serde(serialize_with = "with_span::serialize")]
    pub value: Spanned<toml::Value>,
    /// The legal source of the value.
    #[serde(default)]
    pub source: String,
    /// Confirmation status (`CONFIRMED`, `SECONDARY-SINGLE`, …).
    #[serde(default)]
    pub status: Option<String>,
}

/// A named condition.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Block {
    /// What the block means.
    pub title: String,
    /// The condition.
    #[serde(serialize_with = "with_span::serialize")]
    pub condition: Expr,
    /// Legal basis.
    #[serde(default)]
    pub basis: String,
    /// A reason phrase shown when the block holds (`{path}` placeholders allowed).
    #[serde(default)]
    pub if_true: Option<String>,
    /// A reason phrase shown when the block does not hold.
    #[serde(default)]
    pub if_false: Option<String>,
    /// A reason phrase shown when the block is undetermined.
    #[serde(default)]
    pub if_undetermined: Option<String>,
    /// Open questions named when the block is undetermined (each, if its `if` holds).
    #[serde(default)]
    pub open_questions: Vec<OpenQuestionRef>,
}

/// An open question attached to a block.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OpenQuestionRef {
    /// The open question's id.
    pub id: String,
    /// Only when this condition holds (or is undetermined).
    #[serde(default, rename = "if", serialize_with = "with_span::option")]
    pub when: Option<Expr>,
}

/// A value derived from facts, readable by name in other expressions.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Value {
    /// What the value is.
    pub title: String,
    /// `number`, `date`, `string` or `bool`.
    #[serde(rename = "type")]
    pub ty: ValueType,
    /// The expression.
    #[serde(serialize_with = "with_span::serialize")]
    pub value: Expr,
    /// Unit, for display.
    #[serde(default)]
    pub unit: String,
    /// Legal basis.
    #[serde(default)]
    pub basis: String,
}

/// The type of a derived or computed value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// A float.
    Number,
    /// A date.
    Date,
    /// A point in time (a deadline the law counts in hours), shown in UTC.
    Datetime,
    /// A string.
    String,
    /// A boolean.
    Bool,
}

/// What a rule is, for the reader: what it requires of the lab and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// A legal status of the model or the provider.
    Classification,
    /// A mandatory duty of the provider.
    Obligation,
    /// A voluntary offer.
    Invitation,
    /// An explicit statement that something is not required.
    NonObligation,
    /// A duty of government, never of the lab.
    GovernmentDuty,
    /// Exposure to a penalty.
    Penalty,
}

impl RuleKind {
    /// The spelling used in JSON and manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Classification => "classification",
            RuleKind::Obligation => "obligation",
            RuleKind::Invitation => "invitation",
            RuleKind::NonObligation => "non_obligation",
            RuleKind::GovernmentDuty => "government_duty",
            RuleKind::Penalty => "penalty",
        }
    }

    /// The kind spelt so (`obligation`), if there is one.
    pub fn parse(text: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Every kind, in the order reports group them.
    pub const ALL: [RuleKind; 6] = [
        RuleKind::Obligation,
        RuleKind::Invitation,
        RuleKind::NonObligation,
        RuleKind::GovernmentDuty,
        RuleKind::Penalty,
        RuleKind::Classification,
    ];
}

/// A kind equals its spelling in JSON and manifests (`"obligation"`).
impl PartialEq<&str> for RuleKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One rule.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The inventory id (`EU-OBL-53-1a`).
    pub id: String,
    /// The kind.
    pub kind: RuleKind,
    /// Short title.
    pub title: String,
    /// Legal citation: the instrument and its provision, as a lawyer would cite it (never where
    /// the encoder read it: that is `provenance`).
    pub citation: String,
    /// Where the legal basis is known from, when that is not the instrument itself (news
    /// reports of an order whose text is unpublished, secondary commentary).
    #[serde(default)]
    pub provenance: Option<String>,
    /// The same duty or status in other regimes, and how it differs there (California's
    /// 15-day incident report beside New York's 72 hours): shown beside the rule when both
    /// regimes are compared.
    #[serde(default)]
    pub counterparts: Vec<Counterpart>,
    /// When the rule applies.
    #[serde(serialize_with = "with_span::serialize")]
    pub condition: Expr,
    /// The duty, offer or status in plain words.
    pub summary: String,
    /// The computed value that is this rule's deadline, if any.
    #[serde(default)]
    pub due: Option<String>,
    /// Confirmation status of the legal basis.
    #[serde(default)]
    pub status: Option<String>,
    /// A note for the reader (limits of the encoding, uncertainties).
    #[serde(default)]
    pub note: Option<String>,
}

/// A rule of another regime that says the same thing differently.
#[derive(Clone, Debug, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Counterpart {
    /// The other regime's id (`us-ca-sb53`).
    pub regime: String,
    /// The rule there (`CA-OBL-INCIDENT-15D`); none when the other regime has nothing like it
    /// (then `difference` says so).
    #[serde(default)]
    pub rule: Option<String>,
    /// How it differs, in a few words (`15 days from discovery, to Cal OES`).
    pub difference: String,
}

/// A computed date or amount.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Computed {
    /// What it is.
    pub title: String,
    /// `date` or `number`.
    #[serde(rename = "type")]
    pub ty: ValueType,
    /// When the value is reported.
    #[serde(serialize_with = "with_span::serialize")]
    pub when: Expr,
    /// The formula.
    #[serde(serialize_with = "with_span::serialize")]
    pub value: Expr,
    /// Unit, for display.
    #[serde(default)]
    pub unit: String,
    /// Legal basis.
    #[serde(default)]
    pub citation: String,
    /// What is reported while `when` is undetermined.
    #[serde(default)]
    pub if_condition_undetermined: IfUndetermined,
}

/// What a computed value reports while its `when` condition is undetermined.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IfUndetermined {
    /// The value is undetermined, with the facts the condition and formula lack.
    #[default]
    Undetermined,
    /// The value is omitted (for constants of the law, such as the date fines become possible).
    Omit,
    /// The value is computed anyway, where the formula can be (for dates that matter while the
    /// rule they belong to is open, such as an early-access window).
    ReportValue,
}

/// An open question of the law.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OpenQuestion {
    /// The question.
    pub question: String,
    /// How the encoding deals with it.
    #[serde(default)]
    pub effect: String,
    /// Where it comes from.
    #[serde(default)]
    pub source: String,
}

/// A custom function the plugin exports through `call`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Function {
    /// Parameter types, in order.
    pub params: Vec<ValueType>,
    /// Result type.
    pub returns: ValueType,
    /// What it computes.
    #[serde(default)]
    pub doc: String,
}

/// An insertion-ordered string map, so that blocks and values keep the order an author wrote.
pub mod indexmap_like {
    use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
    use serde::ser::{Serialize, SerializeMap, Serializer};
    use std::fmt;
    use std::marker::PhantomData;

    /// Entries in the order they were written.
    #[derive(Clone, Debug)]
    pub struct Ordered<T>(pub Vec<(String, T)>);

    impl<T> Default for Ordered<T> {
        fn default() -> Self {
            Ordered(Vec::new())
        }
    }

    impl<T> Ordered<T> {
        /// Looks an entry up by name.
        pub fn get(&self, name: &str) -> Option<&T> {
            self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
        }

        /// Iterates in written order.
        pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
            self.0.iter().map(|(k, v)| (k.as_str(), v))
        }

        /// Number of entries.
        pub fn len(&self) -> usize {
            self.0.len()
        }

        /// Whether there are none.
        pub fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
    }

    impl<T: Serialize> Serialize for Ordered<T> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(self.0.len()))?;
            for (k, v) in &self.0 {
                map.serialize_entry(k, v)?;
            }
            map.end()
        }
    }

    impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct V<T>(PhantomData<T>);
            impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
                type Value = Ordered<T>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a table")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered<T>, A::Error> {
                    let mut out = Vec::new();
                    while let Some((k, v)) = map.next_entry::<String, T>()? {
                        out.push((k, v));
                    }
                    Ok(Ordered(out))
                }
            }
            deserializer.deserialize_map(V(PhantomData))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_manifest_reads() {
        let text = r#"
            [regime]
            id = "x"
            name = "X"
            jurisdiction = "XX"
            version = "0.1.0"
            facts_schema = "1"
            case_key = "x"

            [blocks.B]
            title = "b"
            condition = "model.training_compute_flop > 1e23"

            [[rules]]
            id = "X-1"
            kind = "obligation"
            title = "t"
            citation = "Art. 1"
            condition = "B"
            summary = "do it"
        "#;
        let m: Manifest = toml::from_str(text).unwrap();
        assert_eq!(m.rules[0].kind, RuleKind::Obligation);
        let span = m.blocks.get("B").unwrap().condition.span();
        assert_eq!(
            &text[span.start + 1..span.end - 1],
            "model.training_compute_flop > 1e23"
        );
    }

    #[test]
    fn a_manifest_written_as_json_reads_back_equal_spans_included() {
        let text = r#"
            [regime]
            id = "x"
            name = "X"
            jurisdiction = "XX"
            version = "0.1.0"
            facts_schema = "1"
            case_key = "x"

            [parameters.threshold]
            type = "number"
            title = "t"
            values = [
              { value = 1e25, source = "Art. 51(2)" },
              { from = 2027-01-01, value = 0.1, source = "Art. 51(3)", status = "CONFIRMED" },
            ]

            [parameters.dates]
            type = "date_list"
            title = "d"
            values = [{ value = [2025-08-02, 2027-08-02], source = "Art. 113" }]

            [blocks.B]
            title = "b"
            condition = 'model.training_compute_flop > params.threshold'
            open_questions = [{ id = "Q", if = "B" }, { id = "Q" }]

            [values.v]
            title = "v"
            type = "number"
            value = """model.training_compute_flop"""

            [computed.due]
            title = "due"
            type = "date"
            citation = "Art. 1"
            when = "B"
            value = "timestamp('2026-01-01T00:00:00Z')"

            [[rules]]
            id = "X-1"
            kind = "obligation"
            title = "t"
            citation = "Art. 1"
            condition = "B"
            summary = "do it"

            [open_questions.Q]
            question = "q?"
        "#;
        let read: Manifest = toml::from_str(text).unwrap();
        let json = serde_json::to_string(&read).unwrap();
        let back: Manifest = serde_json::from_str(&json).unwrap();
        assert_eq!(format!("{back:?}"), format!("{read:?}"));
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        let span = back.blocks.get("B").unwrap().condition.span();
        assert_eq!(
            &text[span],
            "'model.training_compute_flop > params.threshold'"
        );
    }

    #[test]
    fn a_misspelt_key_is_refused_with_its_line() {
        let text = "[regime]\nid = \"x\"\nname = \"X\"\njurisdiction = \"X\"\nversion = \"1\"\n\
                    facts_schema = \"1\"\ncase_key = \"x\"\nsumary = \"typo\"\n";
        let err = toml::from_str::<Manifest>(text).unwrap_err().to_string();
        assert!(err.contains("sumary") && err.contains("line 8"), "{err}");
    }
}
