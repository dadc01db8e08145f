//! A compiled regime and its items: what compilation produces and evaluation reads.

use std::fmt;
use std::sync::Arc;

use cel::{Env, IdedExpr};
use juxta_sdk::manifest::{self, IfUndetermined, RuleKind, ValueType};

use super::ir::{Cond, Leaf, QuestionId, ValueExpr, ValueId};
use super::params::Parameter;
use crate::schema::Schema;
use crate::tri::QuestionSet;

/// A compiled regime.
pub struct Regime {
    /// Identity.
    pub header: manifest::Header,
    /// The manifest text it was compiled from.
    pub manifest: String,
    /// Dated parameters.
    pub params: Vec<Parameter>,
    /// Named conditions.
    pub blocks: Vec<Block>,
    /// Values derived from facts, in manifest order.
    pub values: Vec<DerivedValue>,
    /// Rules, in report order.
    pub rules: Vec<Rule>,
    /// Computed dates and amounts.
    pub computed: Vec<Computed>,
    /// Open questions.
    pub questions: Vec<Question>,
    /// Custom functions the plugin exports.
    pub functions: Vec<Function>,
    pub(crate) leaves: Vec<Leaf>,
    pub(crate) value_order: Vec<ValueId>,
    pub(crate) env: Arc<Env>,
    pub(crate) schema: Arc<Schema>,
}

impl fmt::Debug for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Regime")
            .field("id", &self.header.id)
            .field("version", &self.header.version)
            .field("rules", &self.rules.len())
            .field("blocks", &self.blocks.len())
            .field("leaves", &self.leaves.len())
            .finish_non_exhaustive()
    }
}

/// A compiled block.
#[derive(Clone, Debug)]
pub struct Block {
    /// Name.
    pub name: String,
    /// Meaning.
    pub title: String,
    /// Legal basis.
    pub basis: String,
    /// The condition's source.
    pub source: String,
    /// Reason when it holds.
    pub if_true: Option<String>,
    /// Reason when it does not.
    pub if_false: Option<String>,
    /// Reason when it is undetermined.
    pub if_undetermined: Option<String>,
    pub(crate) cond: Cond,
    pub(crate) questions: Vec<(QuestionId, Option<Cond>)>,
    pub(crate) ast: IdedExpr,
}

/// A compiled derived value.
#[derive(Clone, Debug)]
pub struct DerivedValue {
    /// Name.
    pub name: String,
    /// Meaning.
    pub title: String,
    /// Type.
    pub ty: ValueType,
    /// Unit.
    pub unit: String,
    /// The expression's source.
    pub source: String,
    pub(crate) expr: ValueExpr,
    pub(crate) ast: IdedExpr,
}

/// A compiled rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Inventory id.
    pub id: String,
    /// Kind.
    pub kind: RuleKind,
    /// Title.
    pub title: String,
    /// Citation.
    pub citation: String,
    /// Where the legal basis is known from, if not from the instrument itself.
    pub provenance: Option<String>,
    /// The same duty or status in other regimes, and how it differs there.
    pub counterparts: Vec<juxta_sdk::manifest::Counterpart>,
    /// Plain words.
    pub summary: String,
    /// Index of the computed value that is its deadline.
    pub due: Option<usize>,
    /// Confirmation status.
    pub status: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// The condition's source.
    pub source: String,
    pub(crate) cond: Cond,
    pub(crate) ast: IdedExpr,
}

/// A compiled computed value.
#[derive(Clone, Debug)]
pub struct Computed {
    /// Name.
    pub name: String,
    /// Meaning.
    pub title: String,
    /// Type.
    pub ty: ValueType,
    /// Unit.
    pub unit: String,
    /// Legal basis.
    pub citation: String,
    /// What is reported while `when` is undetermined.
    pub mode: IfUndetermined,
    /// `when` as written (CEL).
    pub when_source: String,
    /// The formula as written (CEL).
    pub value_source: String,
    pub(crate) when: Cond,
    pub(crate) value: ValueExpr,
    pub(crate) when_ast: IdedExpr,
    pub(crate) value_ast: IdedExpr,
}

/// An open question of the law.
#[derive(Clone, Debug)]
pub struct Question {
    /// Id (`US-OQ-THRESHOLD`).
    pub id: String,
    /// The question.
    pub question: String,
    /// How the encoding deals with it.
    pub effect: String,
    /// Where it comes from.
    pub source: String,
}

/// A custom function of the plugin.
#[derive(Clone, Debug)]
pub struct Function {
    /// Name.
    pub name: String,
    /// Parameter types.
    pub params: Vec<ValueType>,
    /// Result type.
    pub returns: ValueType,
    /// What it computes.
    pub doc: String,
}

impl Regime {
    /// The regime id.
    pub fn id(&self) -> &str {
        &self.header.id
    }

    /// The schema the regime was compiled against.
    pub fn schema(&self) -> &Arc<Schema> {
        &self.schema
    }

    /// The source of every leaf that only the CEL interpreter can evaluate (custom functions,
    /// string functions, maps, …). The bundled regimes have none, so evaluating them never
    /// builds a CEL context.
    pub fn interpreted_leaves(&self) -> Vec<&str> {
        self.leaves
            .iter()
            .filter(|l| l.native.is_none())
            .map(|l| l.text.as_str())
            .collect()
    }

    /// The worst-case cost of evaluating the whole regime for one profile.
    pub fn total_cost(&self) -> u64 {
        self.leaves
            .iter()
            .fold(0u64, |acc, l| acc.saturating_add(l.cost))
    }

    /// A rule by id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The ids of a set of this regime's open questions, sorted: how reports, explanations and
    /// condition trees list them.
    pub(crate) fn question_ids(&self, set: QuestionSet) -> Vec<String> {
        let mut ids: Vec<String> = set
            .iter()
            .filter_map(|q| self.questions.get(q))
            .map(|q| q.id.clone())
            .collect();
        ids.sort();
        ids
    }
}

/// The `{name}` placeholders of a reason template.
pub(crate) fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + len].to_string());
        rest = &rest[start + len + 1..];
    }
    out
}
