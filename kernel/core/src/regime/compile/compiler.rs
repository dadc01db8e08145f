//! The compiler's state, which every phase adds to, and how compilation starts (reading the
//! manifest) and ends (the regime, or every problem found).

use std::sync::Arc;

use cel::Env;
use juxta_sdk::manifest::Manifest;

use crate::diag::Location;
use crate::regime::builtins;
use crate::regime::compiled::{Block, Computed, DerivedValue, Function, Question, Regime, Rule};
use crate::regime::ir::{Leaf, ValueId};
use crate::regime::params::Parameter;
use crate::regime::parsed::Parses;
use crate::regime::source::{Item, ItemKind, Problem, ProblemKind, RegimeError, Source};
use crate::schema::Schema;

/// The manifest, if its text is a manifest at all: TOML nested no deeper than profiles may be,
/// of the manifest's shape.
pub(super) fn read(source: &Source<'_>) -> Result<Manifest, RegimeError> {
    if let Err(e) = crate::profile::tree::check_depth(source.text) {
        return Err(failure(
            source,
            None,
            vec![Problem {
                kind: ProblemKind::Compile,
                item: Item::whole(ItemKind::Manifest),
                span: e.span,
                expression: None,
                message: e.message,
                help: None,
            }],
        ));
    }
    toml::from_str(source.text).map_err(|e| {
        failure(
            source,
            None,
            vec![Problem {
                kind: ProblemKind::Compile,
                item: Item::whole(ItemKind::Manifest),
                span: e.span(),
                expression: None,
                message: e.message().to_string(),
                help: None,
            }],
        )
    })
}

/// The error of a manifest with these problems, each located in its text.
fn failure(source: &Source<'_>, regime: Option<String>, problems: Vec<Problem>) -> RegimeError {
    RegimeError {
        origin: source.origin.to_string(),
        regime,
        problems: problems
            .into_iter()
            .map(|p| {
                let loc = p.span.clone().map(|s| Location::of(source.text, s));
                (p, loc)
            })
            .collect(),
    }
}

/// The state the phases share.
pub(super) struct Compiler<'a> {
    pub(super) source: &'a Source<'a>,
    pub(super) manifest: &'a Manifest,
    pub(super) schema: &'a Schema,
    /// Every problem found so far, in the order found.
    pub(super) problems: Vec<Problem>,
    /// The CEL environment every leaf is compiled in and evaluated with.
    pub(super) env: Env,
    /// The leaves lowered so far, which the circuits of all items index.
    pub(super) leaves: Vec<Leaf>,
    /// Where the expressions' parses come from and go.
    pub(super) parses: &'a mut Parses,
}

/// The lowered items of a manifest.
pub(super) struct Items {
    pub(super) blocks: Vec<Block>,
    pub(super) values: Vec<DerivedValue>,
    pub(super) computed: Vec<Computed>,
    pub(super) rules: Vec<Rule>,
}

impl<'a> Compiler<'a> {
    pub(super) fn new(
        source: &'a Source<'a>,
        manifest: &'a Manifest,
        schema: &'a Schema,
        parses: &'a mut Parses,
    ) -> Self {
        Compiler {
            source,
            manifest,
            schema,
            problems: Vec::new(),
            env: builtins::environment(),
            leaves: Vec::new(),
            parses,
        }
    }

    /// The regime, or every problem found on the way.
    pub(super) fn finish(
        self,
        params: Vec<Parameter>,
        items: Items,
        value_order: Vec<ValueId>,
        schema: &Arc<Schema>,
    ) -> Result<Regime, RegimeError> {
        let m = self.manifest;
        if !self.problems.is_empty() {
            return Err(failure(
                self.source,
                Some(m.regime.id.clone()),
                self.problems,
            ));
        }
        Ok(Regime {
            header: m.regime.clone(),
            manifest: self.source.text.to_string(),
            params,
            blocks: items.blocks,
            values: items.values,
            rules: items.rules,
            computed: items.computed,
            questions: m
                .open_questions
                .iter()
                .map(|(qid, q)| Question {
                    id: qid.to_string(),
                    question: q.question.clone(),
                    effect: q.effect.clone(),
                    source: q.source.clone(),
                })
                .collect(),
            functions: m
                .functions
                .iter()
                .map(|(name, f)| Function {
                    name: name.to_string(),
                    params: f.params.clone(),
                    returns: f.returns,
                    doc: f.doc.clone(),
                })
                .collect(),
            leaves: self.leaves,
            value_order,
            env: Arc::new(self.env),
            schema: Arc::clone(schema),
        })
    }
}
