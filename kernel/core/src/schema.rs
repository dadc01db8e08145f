//! The facts schema the kernel validates profiles against and checks rules against.
//!
//! Built from the SDK's table ([`juxta_sdk::schema`]). Each fact gets a small integer id, so
//! that sets of facts are bitsets ([`crate::tri::FactSet`]). A table whose presence is itself a
//! fact (`[derivation]`) also gets an id, for `present(derivation)`; such a pseudo-fact is never
//! absent.
//!
//! A regime may add facts under a namespace of its own (`[namespace]` in its manifest, `ca.*`):
//! [`Schema::with_namespaces`] appends them after the core facts, so core ids never move, and
//! remembers which regime owns each namespace table. Only the owner may read it
//! ([`Schema::visibility`]).

use std::collections::HashMap;
use std::sync::Arc;

use juxta_sdk::Date;
use juxta_sdk::manifest::indexmap_like::Ordered;
use juxta_sdk::manifest::{Namespace, NamespaceFactType, Parameter, ParameterType};
use juxta_sdk::schema::{FACTS_SCHEMA_VERSIONS, FIELDS, FactType, TABLES};

use crate::number::Number;
use crate::tri::FactSet;

/// Index of a fact in a [`Schema`].
pub type FactId = usize;

/// What kind of fact an id names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FactKind {
    /// A field of a table.
    Field(FactType),
    /// Whether a table is present (`derivation`).
    Presence,
}

/// One fact of the schema.
#[derive(Clone, Debug)]
pub struct FactDef {
    /// Dotted path (`model.training_compute_flop`), or the table name for a presence fact.
    pub path: String,
    /// Index of its table in [`Schema::tables`].
    pub table: usize,
    /// The field name within the table (the table name for a presence fact).
    pub name: String,
    /// Type.
    pub kind: FactKind,
    /// Whether a profile must carry it.
    pub required: bool,
    /// What it means.
    pub meaning: String,
    /// Unit or format.
    pub unit: String,
    /// What its absence means.
    pub if_absent: String,
    /// The schema version that introduced it (`"1"`, `"1.1"`); namespace facts carry their
    /// regime's target version.
    pub since: String,
    /// The core fact this is another name for (a namespace fact the core schema adopted):
    /// profiles may write it, its value is the core fact's, and no regime reads it.
    pub alias_of: Option<FactId>,
    /// For a money fact: its currency and the rates that convert other currencies into it.
    pub money: Option<Arc<MoneyDef>>,
}

/// How a money fact is read: as an exact amount in the currency the law counts in, other
/// currencies converted by the declaring regime's dated rate parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct MoneyDef {
    /// The ISO 4217 code rules read the amount in (`USD`).
    pub currency: String,
    /// One rate per other accepted currency, by currency code.
    pub rates: Vec<Rate>,
}

/// The rate of one currency into a money fact's own: a `number` parameter of the regime.
#[derive(Clone, Debug, PartialEq)]
pub struct Rate {
    /// The currency it converts (`EUR`).
    pub currency: String,
    /// The parameter that holds it.
    pub parameter: String,
    /// Its values: first day in force (`None`: since always), units of the fact's currency per
    /// unit of this one, and the source.
    pub values: Vec<(Option<Date>, Number, String)>,
}

/// An amount converted into a money fact's currency.
#[derive(Clone, Debug, PartialEq)]
pub struct Conversion {
    /// The amount in the fact's currency, exactly.
    pub value: Number,
    /// The rate used (`None` when the amount was given in the fact's currency), the parameter
    /// it comes from and its source.
    pub rate: Option<(Number, String, String)>,
}

impl MoneyDef {
    /// The currencies an amount may be given in: the fact's own, then each it has a rate for.
    pub fn currencies(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.currency.as_str())
            .chain(self.rates.iter().map(|r| r.currency.as_str()))
    }

    /// The amount in this fact's currency on `day`, or why it cannot be converted.
    pub fn convert(
        &self,
        amount: &Number,
        currency: &str,
        day: Date,
    ) -> Result<Conversion, String> {
        if currency == self.currency {
            return Ok(Conversion {
                value: amount.clone(),
                rate: None,
            });
        }
        let accepted = || {
            self.currencies()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some(rate) = self.rates.iter().find(|r| r.currency == currency) else {
            return Err(format!(
                "no rate converts `{currency}` into `{}`, the currency this amount is counted in; give it in {}",
                self.currency,
                accepted()
            ));
        };
        let index = rate
            .values
            .iter()
            .rposition(|(from, _, _)| from.is_none_or(|from| from <= day))
            .unwrap_or(0);
        let Some((_, r, source)) = rate.values.get(index) else {
            return Err(format!("parameter `{}` has no value", rate.parameter));
        };
        Ok(Conversion {
            value: amount.mul(r),
            rate: Some((r.clone(), rate.parameter.clone(), source.clone())),
        })
    }
}

/// Whether a string is an ISO 4217 alphabetic code in shape: three upper-case ASCII letters.
pub fn is_currency_code(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// One table.
#[derive(Clone, Debug)]
pub struct TableDef {
    /// Name (`model`).
    pub name: String,
    /// What it holds.
    pub meaning: String,
    /// The presence fact of this table, if its presence means something.
    pub presence: Option<FactId>,
    /// The regime that declared this table as its namespace; `None` for core tables.
    pub owner: Option<String>,
}

/// Why a namespace cannot join a schema.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SchemaError {
    /// The name is not a plain lower-case identifier.
    #[error(
        "namespace `{0}` must be lower-case letters, digits and underscores, starting with a letter"
    )]
    BadName(String),
    /// The name is a core table.
    #[error(
        "namespace `{0}` is a table of the core facts schema; choose a name of your own (such as your jurisdiction code)"
    )]
    CoreTable(String),
    /// Two regimes claim the same namespace.
    #[error("namespace `{name}` is declared by both regime `{first}` and regime `{second}`")]
    Clash {
        /// The namespace.
        name: String,
        /// The regime that declared it first.
        first: String,
        /// The other regime.
        second: String,
    },
    /// A fact name is not an identifier.
    #[error(
        "namespace fact `{namespace}.{fact}`: the name must be lower-case letters, digits and underscores"
    )]
    BadFact {
        /// The namespace.
        namespace: String,
        /// The fact name.
        fact: String,
    },
    /// `min` on a fact that is not a number, or not finite.
    #[error(
        "namespace fact `{namespace}.{fact}`: `min` must be a finite number, on a `number` fact"
    )]
    BadMin {
        /// The namespace.
        namespace: String,
        /// The fact name.
        fact: String,
    },
    /// An enumeration without values, or with values that are not identifiers.
    #[error(
        "namespace fact `{namespace}.{fact}`: an `enum` needs `values`, 1 to 64 lower-case identifiers of at most 64 bytes, and only an enum has them"
    )]
    BadEnum {
        /// The namespace.
        namespace: String,
        /// The fact name.
        fact: String,
    },
    /// `alias_of` names no core fact of the same type.
    #[error(
        "namespace fact `{namespace}.{fact}`: `alias_of = \"{target}\"` must name a core fact of the same type"
    )]
    BadAlias {
        /// The namespace.
        namespace: String,
        /// The fact name.
        fact: String,
        /// What it named.
        target: String,
    },
    /// A money fact without a currency, a currency or rate that is not an ISO 4217 code, a
    /// rate naming no `number` parameter of the regime, or `currency` on another type.
    #[error("namespace fact `{namespace}.{fact}`: {reason}")]
    BadMoney {
        /// The namespace.
        namespace: String,
        /// The fact name.
        fact: String,
        /// What is wrong.
        reason: String,
    },
    /// Too many facts for the bitsets.
    #[error("the facts schema would have {0} facts with the regimes' namespaces; at most {max} fit", max = FactSet::CAPACITY)]
    TooManyFacts(usize),
}

/// A facts schema: tables and facts with stable ids.
#[derive(Clone, Debug)]
pub struct Schema {
    version: String,
    tables: Vec<TableDef>,
    facts: Vec<FactDef>,
    by_path: HashMap<String, FactId>,
    /// The field facts of each table, by table index: what validation looks a key up in.
    by_table: Vec<Vec<FactId>>,
    /// `evaluation.as_of`, `model.training_compute_flop` and
    /// `derivation.modification_compute_flop`: read for every profile, found without hashing.
    well_known: [Option<FactId>; 3],
}

/// `a == b`, its last bytes compared first: names of one length mostly differ there
/// (`deployed`, `licensed`), and a call to `memcmp` for each is most of a profile's lookups.
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().last() == b.as_bytes().last() && a == b
}

/// The paths of [`Schema::well_known`]'s facts, in its order.
const WELL_KNOWN: [&str; 3] = [
    "evaluation.as_of",
    "model.training_compute_flop",
    "derivation.modification_compute_flop",
];

impl Schema {
    /// The shared core model-facts schema (version 1.2), without regime namespaces.
    pub fn core() -> Schema {
        let mut schema = Schema {
            version: juxta_sdk::schema::FACTS_SCHEMA_VERSION.to_string(),
            tables: Vec::new(),
            facts: Vec::new(),
            by_path: HashMap::new(),
            by_table: Vec::new(),
            well_known: [None; 3],
        };
        for t in TABLES {
            let index = schema.tables.len();
            schema.tables.push(TableDef {
                name: t.name.to_string(),
                meaning: t.meaning.to_string(),
                presence: None,
                owner: None,
            });
            if t.presence_is_a_fact {
                let id = schema.push(FactDef {
                    path: t.name.to_string(),
                    table: index,
                    name: t.name.to_string(),
                    kind: FactKind::Presence,
                    required: false,
                    meaning: format!("the [{}] table is present: {}", t.name, t.meaning),
                    unit: String::new(),
                    if_absent: "never absent: the table is there or not".to_string(),
                    since: "1".to_string(),
                    alias_of: None,
                    money: None,
                });
                schema.tables[index].presence = Some(id);
            }
        }
        for f in FIELDS {
            let Some((table, name)) = f.path.split_once('.') else {
                continue;
            };
            let Some(table_index) = schema.tables.iter().position(|t| t.name == table) else {
                continue;
            };
            schema.push(FactDef {
                path: f.path.to_string(),
                table: table_index,
                name: name.to_string(),
                kind: FactKind::Field(f.ty),
                required: f.required,
                meaning: f.meaning.to_string(),
                unit: f.unit.to_string(),
                if_absent: f.if_absent.to_string(),
                since: f.since.to_string(),
                alias_of: None,
                money: None,
            });
        }
        schema
    }

    /// The core schema plus the namespaces of some regimes, given as `(regime id, target facts
    /// schema, namespace)`. Core fact ids are those of [`Schema::core`]; namespace facts follow
    /// in the order given.
    pub fn with_namespaces<'a>(
        namespaces: impl IntoIterator<Item = (&'a str, &'a str, &'a Namespace)>,
    ) -> Result<Schema, SchemaError> {
        let mut schema = Schema::core();
        let none = Ordered(Vec::new());
        for (regime, target, ns) in namespaces {
            schema.add_namespace(regime, target, ns, &none)?;
        }
        Ok(schema)
    }

    /// Adds one regime's namespace; `params` are the regime's parameters, where the rates of
    /// its money facts are.
    pub fn add_namespace(
        &mut self,
        regime: &str,
        target: &str,
        ns: &Namespace,
        params: &Ordered<Parameter>,
    ) -> Result<(), SchemaError> {
        if !is_lower_identifier(&ns.name) {
            return Err(SchemaError::BadName(ns.name.clone()));
        }
        if let Some(t) = self.tables.iter().find(|t| t.name == ns.name) {
            return Err(match &t.owner {
                None => SchemaError::CoreTable(ns.name.clone()),
                Some(first) => SchemaError::Clash {
                    name: ns.name.clone(),
                    first: first.clone(),
                    second: regime.to_string(),
                },
            });
        }
        if self.facts.len() + ns.facts.len() > FactSet::CAPACITY {
            return Err(SchemaError::TooManyFacts(self.facts.len() + ns.facts.len()));
        }
        let mut money = Vec::with_capacity(ns.facts.len());
        for (name, f) in ns.facts.iter() {
            let bad_min = f.min.is_some_and(|m| !m.is_finite())
                || (f.min.is_some()
                    && !matches!(f.ty, NamespaceFactType::Number | NamespaceFactType::Integer))
                || (f.ty == NamespaceFactType::Integer
                    && f.min.is_some_and(|m| m.fract() != 0.0 || m.abs() > 9.0e15));
            if !is_lower_identifier(name) {
                return Err(SchemaError::BadFact {
                    namespace: ns.name.clone(),
                    fact: name.to_string(),
                });
            }
            if bad_min {
                return Err(SchemaError::BadMin {
                    namespace: ns.name.clone(),
                    fact: name.to_string(),
                });
            }
            let is_enum = f.ty == NamespaceFactType::Enum;
            let good_values = f.values.len() <= 64
                && f.values
                    .iter()
                    .all(|v| v.len() <= 64 && is_lower_identifier(v));
            if is_enum == f.values.is_empty() || !good_values {
                return Err(SchemaError::BadEnum {
                    namespace: ns.name.clone(),
                    fact: name.to_string(),
                });
            }
            money.push(
                money_def(f, params).map_err(|reason| SchemaError::BadMoney {
                    namespace: ns.name.clone(),
                    fact: name.to_string(),
                    reason,
                })?,
            );
            if let Some(target) = &f.alias_of {
                let ok = self.lookup(target).is_some_and(|id| {
                    self.tables[self.facts[id].table].owner.is_none()
                        && self.facts[id].kind == FactKind::Field(namespace_type(f))
                });
                if !ok {
                    return Err(SchemaError::BadAlias {
                        namespace: ns.name.clone(),
                        fact: name.to_string(),
                        target: target.clone(),
                    });
                }
            }
        }
        let table = self.tables.len();
        self.tables.push(TableDef {
            name: ns.name.clone(),
            meaning: if ns.title.is_empty() {
                format!("facts of regime `{regime}`")
            } else {
                ns.title.clone()
            },
            presence: None,
            owner: Some(regime.to_string()),
        });
        for ((name, f), money) in ns.facts.iter().zip(money) {
            self.push(FactDef {
                path: format!("{}.{name}", ns.name),
                table,
                name: name.to_string(),
                kind: FactKind::Field(namespace_type(f)),
                required: false,
                meaning: f.meaning.clone(),
                unit: f.unit.clone(),
                if_absent: if f.if_absent.is_empty() {
                    "unknown".to_string()
                } else {
                    f.if_absent.clone()
                },
                since: target.to_string(),
                alias_of: f.alias_of.as_deref().and_then(|t| self.lookup(t)),
                money: money.map(Arc::new),
            });
        }
        Ok(())
    }

    /// Whether a regime (by id, targeting facts schema `target`) may read a fact; the reason
    /// if not: a namespace of another regime, or a field newer than the regime's target.
    pub fn visibility(&self, id: FactId, regime: &str, target: &str) -> Result<(), String> {
        let fact = &self.facts[id];
        if let Some(core) = fact.alias_of {
            return Err(format!(
                "`{}` is another name, kept for profiles, of the core fact `{}`: read `{}`",
                fact.path, self.facts[core].path, self.facts[core].path
            ));
        }
        if let Some(owner) = &self.tables[fact.table].owner {
            if owner != regime {
                return Err(format!(
                    "`{}` belongs to the namespace of regime `{owner}`; a regime reads only the core facts and its own namespace",
                    fact.path
                ));
            }
            return Ok(());
        }
        if version_order(&fact.since) > version_order(target) {
            return Err(format!(
                "`{}` was added in facts schema {}, but this regime targets {target}; declare `facts_schema = \"{}\"`",
                fact.path, fact.since, fact.since
            ));
        }
        Ok(())
    }

    /// The schema as a JSON Schema (draft 2020-12) for profiles: every table, regime
    /// namespaces included, with types, ranges, enumerations and each fact's meaning. Editors
    /// use it to complete and check profiles; pipelines to validate records before juxta sees
    /// them. The limits juxta enforces (string length, list length) are part of it.
    pub fn json_schema(&self) -> serde_json::Value {
        use juxta_sdk::schema::{MAX_LIST_ITEMS, MAX_STRING_BYTES};
        use serde_json::{Map, Value as Json, json};
        let mut properties = Map::new();
        properties.insert(
            "schema_version".into(),
            json!({
                "description": "the model-facts schema version the profile is written for",
                "type": "string",
                "enum": FACTS_SCHEMA_VERSIONS,
            }),
        );
        for (index, table) in self.tables.iter().enumerate() {
            let mut fields = Map::new();
            let mut required = Vec::new();
            for (_, f) in self.fields_of(index) {
                let FactKind::Field(ty) = f.kind else {
                    continue;
                };
                let mut field = match ty {
                    FactType::Bool => json!({ "type": "boolean" }),
                    FactType::Float { min } => {
                        let mut v = json!({ "type": "number" });
                        if let Some(m) = min {
                            v["minimum"] = json!(m);
                        }
                        v
                    }
                    FactType::String => json!({
                        "type": "string",
                        "maxLength": MAX_STRING_BYTES,
                        "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$",
                    }),
                    FactType::Integer { min } => {
                        let mut v = json!({ "type": "integer" });
                        if let Some(m) = min {
                            v["minimum"] = json!(m);
                        }
                        v
                    }
                    FactType::Money => {
                        let currencies: Vec<&str> =
                            f.money.iter().flat_map(|m| m.currencies()).collect();
                        json!({
                            "type": "object",
                            "additionalProperties": false,
                            "required": ["amount", "currency"],
                            "properties": {
                                "amount": { "type": "number", "minimum": 0 },
                                "currency": { "type": "string", "enum": currencies },
                            },
                        })
                    }
                    FactType::StringList => json!({
                        "type": "array",
                        "items": {
                            "type": "string",
                            "maxLength": MAX_STRING_BYTES,
                            "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$",
                        },
                        "maxItems": MAX_LIST_ITEMS,
                    }),
                    FactType::CountryCode => json!({ "type": "string", "pattern": "^[A-Z]{2}$" }),
                    FactType::Date => json!({ "type": "string", "format": "date" }),
                    FactType::DateTime => json!({ "type": "string", "format": "date-time" }),
                    FactType::Enum(values) => json!({ "type": "string", "enum": values }),
                    FactType::EnumList(values) => json!({
                        "type": "array",
                        "items": { "type": "string", "enum": values },
                        "uniqueItems": true,
                        "maxItems": MAX_LIST_ITEMS,
                    }),
                };
                let unit = if f.unit.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", f.unit)
                };
                field["description"] =
                    json!(format!("{}{unit}. If absent: {}.", f.meaning, f.if_absent));
                if f.since != "1" && table.owner.is_none() {
                    field["description"] = json!(format!(
                        "{} Since schema {}.",
                        field["description"].as_str().unwrap_or_default(),
                        f.since
                    ));
                }
                if let Some(core) = f.alias_of {
                    field["description"] = json!(format!(
                        "Another name for `{}`, kept for profiles written before facts schema {}: give one or the other (both, only with the same value).",
                        self.facts[core].path, self.facts[core].since
                    ));
                    field["deprecated"] = json!(true);
                }
                if f.required {
                    required.push(f.name.clone());
                }
                fields.insert(f.name.clone(), field);
            }
            let owner = table
                .owner
                .as_ref()
                .map(|o| format!(" (declared by regime `{o}`)"))
                .unwrap_or_default();
            let mut t = json!({
                "description": format!("{}{owner}", table.meaning),
                "type": "object",
                "additionalProperties": false,
                "properties": Json::Object(fields),
            });
            if !required.is_empty() {
                t["required"] = json!(required);
            }
            properties.insert(table.name.clone(), t);
        }
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": format!("juxta model-facts profile, schema {}", self.version),
            "description": "Facts about one AI model and its provider. An absent fact means unknown, never false.",
            "type": "object",
            "additionalProperties": false,
            "required": ["schema_version", "evaluation"],
            "properties": Json::Object(properties),
        })
    }

    /// Whether this kernel understands a facts-schema version (`"1"`, `"1.1"`).
    pub fn understands(version: &str) -> bool {
        FACTS_SCHEMA_VERSIONS.contains(&version)
    }

    /// The versions this kernel understands, for messages.
    pub fn versions() -> &'static [&'static str] {
        FACTS_SCHEMA_VERSIONS
    }

    fn push(&mut self, def: FactDef) -> FactId {
        let id = self.facts.len();
        if let Some(k) = WELL_KNOWN.iter().position(|p| *p == def.path) {
            self.well_known[k] = Some(id);
        }
        self.by_path.insert(def.path.clone(), id);
        if def.kind != FactKind::Presence {
            if self.by_table.len() <= def.table {
                self.by_table.resize(def.table + 1, Vec::new());
            }
            self.by_table[def.table].push(id);
        }
        self.facts.push(def);
        id
    }

    /// The field `name` of table `table`, without building its path.
    pub fn field_in(&self, table: usize, name: &str) -> Option<(FactId, &FactDef)> {
        self.by_table
            .get(table)?
            .iter()
            .map(|&id| (id, &self.facts[id]))
            .find(|(_, f)| same_name(&f.name, name))
    }

    /// The schema version (`"1.1"`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// All tables, in document order.
    pub fn tables(&self) -> &[TableDef] {
        &self.tables
    }

    /// All facts; a fact's id is its index.
    pub fn facts(&self) -> &[FactDef] {
        &self.facts
    }

    /// The fact at `id`.
    pub fn fact(&self, id: FactId) -> &FactDef {
        &self.facts[id]
    }

    /// The id of the fact at a dotted path.
    pub fn lookup(&self, path: &str) -> Option<FactId> {
        self.by_path.get(path).copied()
    }

    /// `evaluation.as_of`, the day the law is applied on (what `lookup("evaluation.as_of")`
    /// gives, without hashing the path).
    pub fn as_of_fact(&self) -> Option<FactId> {
        self.well_known[0]
    }

    /// `model.training_compute_flop` and `derivation.modification_compute_flop`.
    pub(crate) fn compute_facts(&self) -> (Option<FactId>, Option<FactId>) {
        (self.well_known[1], self.well_known[2])
    }

    /// The index of a table by name.
    pub fn table_index(&self, name: &str) -> Option<usize> {
        self.tables.iter().position(|t| same_name(&t.name, name))
    }

    /// The field facts of a table, in document order.
    pub fn fields_of(&self, table: usize) -> impl Iterator<Item = (FactId, &FactDef)> {
        self.facts
            .iter()
            .enumerate()
            .filter(move |(_, f)| f.table == table && f.kind != FactKind::Presence)
    }

    /// The dotted paths of a set of facts, sorted.
    pub fn paths(&self, set: FactSet) -> Vec<String> {
        let mut paths: Vec<String> = set.iter().map(|id| self.facts[id].path.clone()).collect();
        paths.sort();
        paths
    }
}

fn is_lower_identifier(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Position of a version in [`FACTS_SCHEMA_VERSIONS`]; unknown versions sort last.
/// The fact type of a namespace fact (enumerations interned: see [`intern_values`]).
fn namespace_type(f: &juxta_sdk::manifest::NamespaceFact) -> FactType {
    match f.ty {
        NamespaceFactType::Bool => FactType::Bool,
        NamespaceFactType::Number => FactType::Float { min: f.min },
        // Checked whole and within ±9e15 before this is called.
        NamespaceFactType::Integer => FactType::Integer {
            min: f.min.map(|m| m as i64),
        },
        NamespaceFactType::Money => FactType::Money,
        NamespaceFactType::Date => FactType::Date,
        NamespaceFactType::Datetime => FactType::DateTime,
        NamespaceFactType::String => FactType::String,
        NamespaceFactType::StringList => FactType::StringList,
        NamespaceFactType::CountryCode => FactType::CountryCode,
        NamespaceFactType::Enum => FactType::Enum(intern_values(&f.values)),
    }
}

/// A money fact's currency and rates, checked against the regime's parameters; `None` for a
/// fact of another type (which must then have neither).
fn money_def(
    f: &juxta_sdk::manifest::NamespaceFact,
    params: &Ordered<Parameter>,
) -> Result<Option<MoneyDef>, String> {
    if f.ty != NamespaceFactType::Money {
        return if f.currency.is_some() || !f.rates.is_empty() {
            Err("`currency` and `rates` belong to a `money` fact".into())
        } else {
            Ok(None)
        };
    }
    let Some(currency) = f.currency.clone() else {
        return Err("a `money` fact needs `currency`, the ISO 4217 code the law counts the amount in (such as `currency = \"USD\"`)".into());
    };
    if !is_currency_code(&currency) {
        return Err(format!(
            "`currency = \"{currency}\"` is not an ISO 4217 code (three upper-case letters, such as `USD`)"
        ));
    }
    let mut rates = Vec::with_capacity(f.rates.len());
    for (code, parameter) in &f.rates {
        if !is_currency_code(code) || *code == currency {
            return Err(format!(
                "rate `{code}`: a rate converts another ISO 4217 currency (three upper-case letters) into `{currency}`"
            ));
        }
        let Some(decl) = params.get(parameter) else {
            return Err(format!(
                "rate `{code} = \"{parameter}\"` names no parameter of the regime: declare `[parameters.{parameter}]` with `type = \"number\"` and `unit = \"{currency} per {code}\"`"
            ));
        };
        let mut values = Vec::with_capacity(decl.values.len());
        for v in &decl.values {
            let n = match (decl.ty, v.value.get_ref()) {
                (ParameterType::Number, toml::Value::Float(x)) => Number::from_f64(*x),
                (ParameterType::Number, toml::Value::Integer(i)) => Some(Number::from_i64(*i)),
                _ => None,
            };
            match n {
                Some(n) if n.signum() > 0 => values.push((v.from, n, v.source.clone())),
                _ => {
                    return Err(format!(
                        "rate `{code}`: parameter `{parameter}` must be a `number` parameter with positive values"
                    ));
                }
            }
        }
        if values.is_empty() {
            return Err(format!(
                "rate `{code}`: parameter `{parameter}` has no value"
            ));
        }
        rates.push(Rate {
            currency: code.clone(),
            parameter: parameter.clone(),
            values,
        });
    }
    Ok(Some(MoneyDef { currency, rates }))
}

/// The values of a namespace enumeration as the `'static` list the core's enum type holds.
///
/// Each distinct list is allocated once per process and kept (interned): loading the same
/// regime again, as a long-running host does, allocates nothing, and the lists are bounded
/// (64 values of 64 bytes each, checked before this is called).
fn intern_values(values: &[String]) -> &'static [&'static str] {
    use std::sync::{Mutex, OnceLock};
    static INTERNED: OnceLock<Mutex<Vec<&'static [&'static str]>>> = OnceLock::new();
    let lists = INTERNED.get_or_init(|| Mutex::new(Vec::new()));
    let mut lists = match lists.lock() {
        Ok(l) => l,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(found) = lists
        .iter()
        .find(|l| l.len() == values.len() && l.iter().zip(values).all(|(a, b)| *a == b))
    {
        return found;
    }
    let leaked: &'static [&'static str] = Box::leak(
        values
            .iter()
            .map(|v| &*Box::leak(v.clone().into_boxed_str()))
            .collect::<Vec<&'static str>>()
            .into_boxed_slice(),
    );
    lists.push(leaked);
    leaked
}

fn version_order(v: &str) -> usize {
    FACTS_SCHEMA_VERSIONS
        .iter()
        .position(|k| *k == v)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn namespace(text: &str) -> Namespace {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn the_well_known_facts_are_the_paths_they_name() {
        let s = Schema::core();
        assert_eq!(s.as_of_fact(), s.lookup("evaluation.as_of"));
        assert_eq!(
            s.compute_facts(),
            (
                s.lookup("model.training_compute_flop"),
                s.lookup("derivation.modification_compute_flop")
            )
        );
        assert!(s.as_of_fact().is_some() && s.compute_facts().1.is_some());
    }

    #[test]
    fn namespaces_append_after_the_core_and_only_their_owner_reads_them() {
        let ns = namespace("name = \"ca\"\n[facts.in_state]\ntype = \"bool\"\nmeaning = \"m\"\n");
        let s = Schema::with_namespaces([("us-ca-sb53", "1.1", &ns)]).unwrap();
        let core = Schema::core();
        assert_eq!(
            s.lookup("model.training_compute_flop"),
            core.lookup("model.training_compute_flop")
        );
        let id = s.lookup("ca.in_state").unwrap();
        assert_eq!(id, core.facts().len());
        assert!(s.visibility(id, "us-ca-sb53", "1.1").is_ok());
        let err = s.visibility(id, "eu-ai-act-gpai", "1").unwrap_err();
        assert!(err.contains("namespace of regime `us-ca-sb53`"), "{err}");
    }

    #[test]
    fn a_1_1_field_is_refused_to_a_regime_targeting_1() {
        let s = Schema::core();
        let id = s.lookup("release.deployed").unwrap();
        let err = s.visibility(id, "x", "1").unwrap_err();
        assert!(err.contains("facts_schema = \"1.1\""), "{err}");
        assert!(s.visibility(id, "x", "1.1").is_ok());
    }

    #[test]
    fn clashing_core_and_bad_namespaces_are_refused() {
        let ca = namespace("name = \"ca\"");
        let err = Schema::with_namespaces([("a", "1.1", &ca), ("b", "1.1", &ca)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "namespace `ca` is declared by both regime `a` and regime `b`"
        );
        let model = namespace("name = \"model\"");
        assert!(matches!(
            Schema::with_namespaces([("a", "1.1", &model)]),
            Err(SchemaError::CoreTable(_))
        ));
        let bad = namespace("name = \"Ca-1\"");
        assert!(matches!(
            Schema::with_namespaces([("a", "1.1", &bad)]),
            Err(SchemaError::BadName(_))
        ));
        let min =
            namespace("name = \"ca\"\n[facts.x]\ntype = \"bool\"\nmin = 0.0\nmeaning = \"m\"\n");
        assert!(matches!(
            Schema::with_namespaces([("a", "1.1", &min)]),
            Err(SchemaError::BadMin { .. })
        ));
    }

    #[test]
    fn the_core_has_every_field_and_the_derivation_presence() {
        let s = Schema::core();
        assert!(s.lookup("model.training_compute_flop").is_some());
        let d = s.lookup("derivation").unwrap();
        assert_eq!(s.fact(d).kind, FactKind::Presence);
        assert!(s.facts().len() <= FactSet::CAPACITY);
        assert_eq!(s.facts().len(), juxta_sdk::schema::FIELDS.len() + 1);
    }
}
