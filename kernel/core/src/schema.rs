//! The facts schema the kernel validates profiles against and checks rules against.
//!
//! Built from the SDK's table ([`juxta_sdk::schema`]). Each fact gets a small integer id, so
//! that sets of facts are bitsets ([`crate::tri::FactSet`]). A table whose presence is itself a
//! fact (`[derivation]`) also gets an id, for `present(derivation)`; such a pseudo-fact is never
//! absent.

use std::collections::HashMap;

use juxta_sdk::schema::{FIELDS, FactType, TABLES};

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
}

/// A facts schema: tables and facts with stable ids.
#[derive(Clone, Debug)]
pub struct Schema {
    version: String,
    tables: Vec<TableDef>,
    facts: Vec<FactDef>,
    by_path: HashMap<String, FactId>,
}

impl Schema {
    /// The shared model-facts schema, version 1.
    pub fn v1() -> Schema {
        let mut schema = Schema {
            version: juxta_sdk::schema::FACTS_SCHEMA_VERSION.to_string(),
            tables: Vec::new(),
            facts: Vec::new(),
            by_path: HashMap::new(),
        };
        for t in TABLES {
            let index = schema.tables.len();
            schema.tables.push(TableDef {
                name: t.name.to_string(),
                meaning: t.meaning.to_string(),
                presence: None,
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
            });
        }
        schema
    }

    fn push(&mut self, def: FactDef) -> FactId {
        let id = self.facts.len();
        self.by_path.insert(def.path.clone(), id);
        self.facts.push(def);
        id
    }

    /// The schema version (`"1"`).
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

    /// The index of a table by name.
    pub fn table_index(&self, name: &str) -> Option<usize> {
        self.tables.iter().position(|t| t.name == name)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_has_every_field_and_the_derivation_presence() {
        let s = Schema::v1();
        assert!(s.lookup("model.training_compute_flop").is_some());
        let d = s.lookup("derivation").unwrap();
        assert_eq!(s.fact(d).kind, FactKind::Presence);
        assert!(s.facts().len() <= FactSet::CAPACITY);
        assert_eq!(s.facts().len(), juxta_sdk::schema::FIELDS.len() + 1);
    }
}
