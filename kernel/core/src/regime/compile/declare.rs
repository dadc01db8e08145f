//! The phases that declare what expressions may refer to: the header, the namespace, the
//! parameters, and the names of blocks, derived values, open questions and custom functions.

use std::collections::{HashMap, HashSet};

use super::compiler::Compiler;
use crate::regime::builtins::{self, Origin};
use crate::regime::declared::RESERVED_IDS;
use crate::regime::names::Names;
use crate::regime::params::Parameter;
use crate::regime::source::{Item, ItemKind, Problem, ProblemKind};
use crate::regime::types::Ty;
use crate::schema::Schema;

/// Names the kernel reserves for itself in expressions, besides its own builtins.
const RESERVED: &[&str] = &["params", "true", "false", "null", "in"];

impl<'a> Compiler<'a> {
    /// The header: an id reports and batch records can key on, a semantic version, a facts
    /// schema this kernel reads.
    pub(super) fn header(&mut self) {
        let (h, schema, problems) = (&self.manifest.regime, self.schema, &mut self.problems);
        if h.id.is_empty()
            || !h
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            problems.push(Problem::new(
                Item::whole(ItemKind::Regime),
                &format!(
                    "id `{}` must be lower-case letters, digits and dashes",
                    h.id
                ),
            ));
        }
        if RESERVED_IDS.contains(&h.id.as_str()) {
            problems.push(Problem::new(
                Item::whole(ItemKind::Regime),
                &format!(
                    "id `{}` is reserved: batch records and Parquet files use it for their own columns ({})",
                    h.id,
                    RESERVED_IDS.join(", ")
                ),
            ));
        }
        let semver = h.version.split('.').count() == 3
            && h.version
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !semver {
            problems.push(Problem::new(
                Item::whole(ItemKind::Regime),
                &format!(
                    "version `{}` is not of the form MAJOR.MINOR.PATCH",
                    h.version
                ),
            ));
        }
        if !Schema::understands(&h.facts_schema) {
            problems.push(Problem {
                kind: ProblemKind::Compile,
                item: Item::whole(ItemKind::Regime),
                span: None,
                expression: None,
                message: format!("targets facts schema `{}`", h.facts_schema),
                help: Some(format!(
                    "this kernel provides facts schema {} (and reads regimes targeting {})",
                    schema.version(),
                    Schema::versions().join(", ")
                )),
            });
        }
    }

    /// The namespace: the schema compiled against must hold exactly the facts it declares, as
    /// this regime's own.
    pub(super) fn namespace(&mut self) {
        let (m, schema) = (self.manifest, self.schema);
        let id = &m.regime.id;
        if let Some(ns) = &m.namespace {
            let table = schema
                .tables()
                .iter()
                .position(|t| t.name == ns.name && t.owner.as_deref() == Some(id.as_str()));
            // The schema must hold exactly the facts this manifest declares.
            let owned = table.is_some_and(|t| {
                schema.fields_of(t).count() == ns.facts.len()
                    && ns
                        .facts
                        .iter()
                        .all(|(f, _)| schema.lookup(&format!("{}.{f}", ns.name)).is_some())
            });
            if !owned {
                self.problems.push(Problem::new(
                    Item::whole(ItemKind::Namespace),
                    &format!(
                        "namespace `{}` is not part of the facts schema this regime is compiled against; build the schema with `Schema::with_namespaces` (or `regime::schema_for`)",
                        ns.name
                    ),
                ));
            }
        }
    }

    /// The dated parameters, each at its index; a parameter whose values do not all have its
    /// type is left out, so that expressions reading it are reported as reading nothing.
    pub(super) fn parameters(&mut self) -> Vec<Parameter> {
        let mut params = Vec::new();
        for (name, decl) in self.manifest.parameters.iter() {
            if !is_identifier(name) {
                self.problems.push(Problem::new(
                    Item::new(ItemKind::Parameter, name),
                    "a parameter name must be an identifier (letters, digits, `_`)",
                ));
            }
            let (parameter, errs) = Parameter::compile(name, decl);
            if let Some(mut p) = parameter {
                p.index = params.len();
                params.push(p);
            }
            self.problems
                .extend(errs.into_iter().map(|(span, kind, message)| Problem {
                    kind,
                    item: Item::new(ItemKind::Parameter, name),
                    span,
                    expression: None,
                    message,
                    help: None,
                }));
        }
        params
    }

    /// Everything a name in an expression may refer to: the schema's facts, these parameters,
    /// and the manifest's blocks, derived values, open questions and custom functions.
    pub(super) fn names<'p>(&mut self, params: &'p [Parameter]) -> Names<'p>
    where
        'a: 'p,
    {
        let m = self.manifest;
        let mut names = Names {
            schema: self.schema,
            regime: &m.regime.id,
            target: &m.regime.facts_schema,
            blocks: HashMap::new(),
            values: HashMap::new(),
            params: params.iter().map(|p| (p.name.clone(), p)).collect(),
            questions: HashMap::new(),
            functions: HashMap::new(),
        };
        let taken = self.blocks_and_values(&mut names);
        self.open_questions(&mut names);
        self.functions(&mut names, &taken);
        names
    }

    /// The names of blocks and derived values, each an identifier no table, other block or
    /// value, or the kernel has taken; returns every name taken.
    fn blocks_and_values(&mut self, names: &mut Names<'_>) -> HashSet<String> {
        let m = self.manifest;
        let mut taken: HashSet<String> = self
            .schema
            .tables()
            .iter()
            .map(|t| t.name.clone())
            .collect();
        taken.extend(RESERVED.iter().map(|s| s.to_string()));
        taken.extend(
            builtins::BUILTINS
                .iter()
                .filter(|b| b.origin == Origin::Kernel)
                .map(|b| b.name.to_string()),
        );
        for (kind, name) in m
            .blocks
            .iter()
            .map(|(n, _)| (ItemKind::Block, n))
            .chain(m.values.iter().map(|(n, _)| (ItemKind::Value, n)))
        {
            if !is_identifier(name) {
                self.problems.push(Problem::new(
                    Item::new(kind, name),
                    "a name must be an identifier (letters, digits, `_`)",
                ));
            } else if crate::exact::is_reserved(name) {
                self.problems.push(Problem::new(
                    Item::new(kind, name),
                    "names starting with `__juxta_` are the kernel's",
                ));
            } else if !taken.insert(name.to_string()) {
                self.problems.push(Problem::new(Item::new(kind, name), &format!("the name `{name}` is already taken by a table, another block or value, or the kernel")));
            }
        }
        for (i, (name, _)) in m.blocks.iter().enumerate() {
            names.blocks.insert(name.to_string(), i);
        }
        for (i, (name, v)) in m.values.iter().enumerate() {
            names
                .values
                .insert(name.to_string(), (i, Ty::of_value(v.ty)));
        }
        taken
    }

    /// The ids of open questions: as many as a question set holds, each plain text.
    fn open_questions(&mut self, names: &mut Names<'_>) {
        let m = self.manifest;
        if m.open_questions.len() > crate::tri::QuestionSet::CAPACITY {
            self.problems.push(Problem::new(
                Item::whole(ItemKind::OpenQuestions),
                &format!(
                    "more than {} open questions",
                    crate::tri::QuestionSet::CAPACITY
                ),
            ));
        }
        for (i, (qid, _)) in m.open_questions.iter().enumerate() {
            if !is_item_id(qid) {
                self.problems.push(Problem::new(
                    Item::new(ItemKind::OpenQuestion, qid),
                    "an open question's id is 1 to 64 letters, digits, `-`, `_` and `.`, starting with a letter or digit (such as `EU-OQ-1`)",
                ));
            }
            names.questions.insert(qid.to_string(), i);
        }
    }

    /// The custom functions the plugin exports, with their types; a name must be free.
    fn functions(&mut self, names: &mut Names<'_>, taken: &HashSet<String>) {
        for (name, f) in self.manifest.functions.iter() {
            if !is_identifier(name) || taken.contains(name) || crate::exact::is_reserved(name) {
                self.problems.push(Problem::new(
                    Item::new(ItemKind::Function, name),
                    "a function name must be an identifier not used by anything else",
                ));
            }
            names.functions.insert(
                name.to_string(),
                (
                    f.params.iter().map(|t| Ty::of_value(*t)).collect(),
                    Ty::of_value(f.returns),
                ),
            );
        }
    }
}

/// A rule or open-question id: what reports use as keys and print everywhere, so it is plain
/// text that cannot steer a terminal or break a table.
pub(super) fn is_item_id(s: &str) -> bool {
    s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

pub(super) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
