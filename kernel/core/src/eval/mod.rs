//! Evaluating a compiled regime over a profile.
//!
//! Each named block is evaluated at most once per profile and memoised; the boolean structure
//! is folded natively by Kleene's logic ([`crate::tri::fold`]); only leaves reach the CEL
//! interpreter, and only once every fact they read is known to be present (a leaf reading an
//! absent fact is undetermined without running). Derived values are evaluated first, in
//! dependency order, and bound as CEL variables.

pub mod explain;
pub mod flip;
pub mod reference;
pub mod tree;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use cel::extractors::Arguments;
use cel::{Context, ExecutionError};
use juxta_sdk::Date;
use juxta_sdk::manifest::{IfUndetermined, ValueType};

use crate::number::Number;
use crate::profile::Profile;
use crate::profile::tree::Node;
use crate::regime::ir::{Cond, Extreme, LeafId, ValueExpr};
use crate::regime::native::{self, NEnv, NErr};
use crate::regime::{Regime, Rule};
use crate::schema::{FactKind, Schema};
use crate::tri::{FactSet, Outcome, QuestionSet, Truth, fold};
use crate::value::{Value, date_to_timestamp};

/// Where custom functions of a plugin are called: `juxta-host` implements this with its
/// sandbox. Arguments and result are JSON, as in the plugin ABI.
pub trait FunctionHost: Send + Sync {
    /// Calls the plugin's `call(name, args_json)`.
    fn call(&self, name: &str, args_json: &str) -> Result<String, String>;
}

/// A profile made ready for evaluation by any number of regimes: the set of facts present,
/// and (built on first need, by the interpreter only) its facts as CEL tables.
pub struct Facts<'p> {
    profile: &'p Profile,
    schema: &'p Schema,
    present: FactSet,
    tables: OnceLock<Vec<(String, cel::Value)>>,
}

impl<'p> Facts<'p> {
    /// Prepares a profile for evaluation.
    pub fn new(profile: &'p Profile, schema: &'p Schema) -> Facts<'p> {
        let mut present = FactSet::EMPTY;
        for id in 0..schema.facts().len() {
            if profile.get(id).is_some() {
                present.insert(id);
            }
        }
        Facts {
            profile,
            schema,
            present,
            tables: OnceLock::new(),
        }
    }

    /// The profile's facts as CEL maps, one per table (absent facts are absent keys).
    pub(crate) fn tables(&self) -> &[(String, cel::Value)] {
        self.tables.get_or_init(|| {
            let mut tables: Vec<HashMap<String, cel::Value>> =
                vec![HashMap::new(); self.schema.tables().len()];
            for (id, def) in self.schema.facts().iter().enumerate() {
                if let (Some(value), FactKind::Field(_)) = (self.profile.get(id), def.kind) {
                    tables[def.table].insert(def.name.clone(), value.to_cel());
                }
            }
            self.schema
                .tables()
                .iter()
                .zip(tables)
                .map(|(t, fields)| (t.name.clone(), cel::Value::from(fields)))
                .collect()
        })
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        self.profile
    }

    /// The facts the profile carries.
    pub fn present(&self) -> FactSet {
        self.present
    }
}

/// A value during evaluation: known, or undetermined with what it lacks.
#[derive(Clone, Debug)]
pub enum ValueOutcome {
    /// Determined.
    Known {
        /// The value.
        value: Value,
        /// Facts it rests on.
        used: FactSet,
    },
    /// Undetermined.
    Unknown {
        /// Absent facts that matter.
        missing: FactSet,
        /// Open questions that matter.
        open: QuestionSet,
        /// Facts read.
        used: FactSet,
        /// What is certain all the same (`max(x, 5e6)` is at least 5e6).
        bound: Option<Bound>,
    },
}

/// A certain bound on an undetermined value.
#[derive(Clone, Debug, PartialEq)]
pub enum Bound {
    /// The value is at least this (a date: on or after it).
    AtLeast(Value),
    /// The value is at most this (a date: on or before it).
    AtMost(Value),
}

impl Bound {
    /// The bound with its value converted (the computed value's declared type).
    fn map(self, f: impl FnOnce(Value) -> Option<Value>) -> Option<Bound> {
        Some(match self {
            Bound::AtLeast(v) => Bound::AtLeast(f(v)?),
            Bound::AtMost(v) => Bound::AtMost(f(v)?),
        })
    }

    /// The bound's value.
    pub fn value(&self) -> &Value {
        match self {
            Bound::AtLeast(v) | Bound::AtMost(v) => v,
        }
    }
}

/// What a computed value came to.
#[derive(Clone, Debug, PartialEq)]
pub enum ComputedOutcome {
    /// Not reported (its condition does not hold).
    Omitted,
    /// Determined.
    Value(Value),
    /// Undetermined, with the facts and open questions it lacks.
    Undetermined {
        /// Absent facts.
        missing: FactSet,
        /// Open questions.
        open: QuestionSet,
        /// What is certain all the same ("at least 5,000,000").
        bound: Option<Bound>,
    },
}

/// The result of evaluating one regime over one profile.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// The day the law was applied.
    pub as_of: Date,
    /// One outcome per rule, in the regime's order.
    pub rules: Vec<Outcome>,
    /// One outcome per computed value, in the regime's order.
    pub computed: Vec<ComputedOutcome>,
    pub(crate) blocks: Vec<Option<Outcome>>,
    pub(crate) leaves: Vec<Option<Outcome>>,
    pub(crate) values: Vec<Option<ValueOutcome>>,
    /// The determined derived values: kept only for their room, by
    /// [`Regime::evaluate_reusing`].
    known: Vec<Option<Value>>,
}

impl Evaluation {
    /// The deadline of a rule, if it has one, it is determined, and the rule can apply.
    pub fn due(&self, rule_index: usize, rule: &Rule) -> Option<Date> {
        if self.rules.get(rule_index)?.truth == Truth::False {
            return None;
        }
        match self.computed.get(rule.due?)? {
            ComputedOutcome::Value(Value::Instant(t)) => crate::value::instant_date(*t),
            ComputedOutcome::Value(v) => v.as_date(),
            _ => None,
        }
    }

    /// The deadline of a rule as an instant, where the law counts it in hours (a `datetime`
    /// computed value); `None` where the deadline is a day, or there is none.
    pub fn due_at(&self, rule_index: usize, rule: &Rule) -> Option<i64> {
        self.due(rule_index, rule)?;
        match self.computed.get(rule.due?)? {
            ComputedOutcome::Value(Value::Instant(t)) => Some(*t),
            _ => None,
        }
    }

    /// The memoised outcome of a block, if it was evaluated.
    pub fn block(&self, id: usize) -> Option<Outcome> {
        self.blocks.get(id).copied().flatten()
    }
}

/// A regime whose evaluation failed: a bug in the regime (a leaf that errs at run time) or a
/// custom function that failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("regime `{regime}`: {item}: {message} in `{expression}`")]
pub struct EvalError {
    /// The regime id.
    pub regime: String,
    /// The item being evaluated (`rule EU-OBL-53-1a`, `block GPAI`).
    pub item: String,
    /// The expression that failed.
    pub expression: String,
    /// What went wrong.
    pub message: String,
}

impl Regime {
    /// Evaluates every rule and computed value of this regime over `facts`.
    ///
    /// `host` serves the plugin's custom functions; without one, a call to a custom function is
    /// an evaluation error.
    pub fn evaluate(
        &self,
        facts: &Facts<'_>,
        host: Option<Arc<dyn FunctionHost>>,
    ) -> Result<Evaluation, EvalError> {
        self.evaluate_boxed(facts, host, None).map_err(|e| *e)
    }

    /// [`Regime::evaluate`], in the room of an earlier evaluation (of any regime): a batch
    /// evaluates each regime over millions of profiles, and would otherwise allocate and free
    /// the same handful of vectors for every one. The result is the same as `evaluate`'s.
    pub fn evaluate_reusing(
        &self,
        facts: &Facts<'_>,
        host: Option<Arc<dyn FunctionHost>>,
        earlier: Evaluation,
    ) -> Result<Evaluation, EvalError> {
        self.evaluate_boxed(facts, host, Some(earlier))
            .map_err(|e| *e)
    }

    /// [`Regime::evaluate`], its error boxed: every operand's result is then no larger than an
    /// outcome, which the condition tree passes up at every node.
    fn evaluate_boxed(
        &self,
        facts: &Facts<'_>,
        host: Option<Arc<dyn FunctionHost>>,
        earlier: Option<Evaluation>,
    ) -> Result<Evaluation, Failed> {
        let (mut rules, mut computed, room) = match earlier {
            Some(e) => {
                let room = Room {
                    blocks: e.blocks,
                    leaves: e.leaves,
                    values: e.values,
                    known: e.known,
                };
                (e.rules, e.computed, room)
            }
            None => (Vec::new(), Vec::new(), Room::default()),
        };
        rules.clear();
        computed.clear();
        let mut ev = Evaluator::new(self, facts, host, room);
        for &v in &self.value_order {
            ev.item = Current::Value(v);
            let outcome = ev.val(&self.values[v].expr)?;
            if let ValueOutcome::Known { value, .. } = &outcome {
                ev.known[v] = Some(value.clone());
                if let Some((ctx, _)) = ev.ctx.as_mut() {
                    ctx.add_variable_from_value(self.values[v].name.clone(), value.to_cel());
                }
            }
            ev.values[v] = Some(outcome);
        }
        rules.reserve(self.rules.len());
        for (i, r) in self.rules.iter().enumerate() {
            ev.item = Current::Rule(i);
            rules.push(ev.operand(&r.cond)?);
        }
        computed.reserve(self.computed.len());
        for (i, c) in self.computed.iter().enumerate() {
            ev.item = Current::Computed(i);
            let when = ev.operand(&c.when)?;
            let outcome = match (when.truth, c.mode) {
                (Truth::False, _) | (Truth::Unknown, IfUndetermined::Omit) => {
                    ComputedOutcome::Omitted
                }
                (Truth::True, _) => match ev.val(&c.value)? {
                    ValueOutcome::Known { value, .. } => {
                        ComputedOutcome::Value(ev.convert(value, c.ty)?)
                    }
                    ValueOutcome::Unknown {
                        missing,
                        open,
                        bound,
                        ..
                    } => ComputedOutcome::Undetermined {
                        missing,
                        open,
                        bound: bound.and_then(|b| b.map(|v| ev.convert(v, c.ty).ok())),
                    },
                },
                (Truth::Unknown, mode) => match (ev.val(&c.value)?, mode) {
                    (ValueOutcome::Known { value, .. }, IfUndetermined::ReportValue) => {
                        ComputedOutcome::Value(ev.convert(value, c.ty)?)
                    }
                    (ValueOutcome::Known { .. }, _) => ComputedOutcome::Undetermined {
                        missing: when.missing,
                        open: when.open,
                        bound: None,
                    },
                    // A bound holds of the value, which is reported only where it applies.
                    (
                        ValueOutcome::Unknown {
                            missing,
                            open,
                            bound,
                            ..
                        },
                        mode,
                    ) => ComputedOutcome::Undetermined {
                        missing: when.missing.union(missing),
                        open: when.open.union(open),
                        bound: bound
                            .filter(|_| mode == IfUndetermined::ReportValue)
                            .and_then(|b| b.map(|v| ev.convert(v, c.ty).ok())),
                    },
                },
            };
            computed.push(outcome);
        }
        Ok(Evaluation {
            as_of: facts.profile.as_of(),
            rules,
            computed,
            blocks: ev.blocks,
            leaves: ev.leaves,
            values: ev.values,
            known: ev.known,
        })
    }
}

/// The vectors an evaluator fills, from an earlier evaluation or new.
#[derive(Default)]
struct Room {
    blocks: Vec<Option<Outcome>>,
    leaves: Vec<Option<Outcome>>,
    values: Vec<Option<ValueOutcome>>,
    known: Vec<Option<Value>>,
}

/// `v` emptied and filled with `n` × `None`, in the room it has.
fn nones<T>(mut v: Vec<Option<T>>, n: usize) -> Vec<Option<T>> {
    v.clear();
    v.resize_with(n, || None);
    v
}

/// An evaluation error inside the evaluator, boxed (see [`Regime::evaluate_boxed`]).
pub(crate) type Failed = Box<EvalError>;

pub(crate) struct Evaluator<'r, 'f> {
    regime: &'r Regime,
    facts: &'f Facts<'f>,
    host: Option<Arc<dyn FunctionHost>>,
    /// Parameter values in force on the profile's `as_of`, by parameter index.
    params: Vec<&'r Value>,
    /// The CEL context, built only if a leaf needs the interpreter.
    ctx: Option<(Context<'static, 'static>, crate::exact::Budget)>,
    blocks: Vec<Option<Outcome>>,
    leaves: Vec<Option<Outcome>>,
    values: Vec<Option<ValueOutcome>>,
    /// The determined derived values, for native leaves.
    known: Vec<Option<Value>>,
    item: Current,
}

/// What is being evaluated, named only when an error needs it (nothing is formatted per rule).
#[derive(Clone, Copy, Debug)]
enum Current {
    None,
    Value(usize),
    Rule(usize),
    Computed(usize),
}

impl<'r, 'f> Evaluator<'r, 'f> {
    /// The item being evaluated, as errors name it (`rule EU-OBL-53-1a`).
    fn item_name(&self) -> String {
        let r = self.regime;
        match self.item {
            Current::None => None,
            Current::Value(i) => r.values.get(i).map(|v| format!("value {}", v.name)),
            Current::Rule(i) => r.rules.get(i).map(|x| format!("rule {}", x.id)),
            Current::Computed(i) => r.computed.get(i).map(|c| format!("computed {}", c.name)),
        }
        .unwrap_or_default()
    }

    fn new(
        regime: &'r Regime,
        facts: &'f Facts<'f>,
        host: Option<Arc<dyn FunctionHost>>,
        room: Room,
    ) -> Self {
        let as_of = facts.profile.as_of();
        Evaluator {
            regime,
            facts,
            host,
            params: regime.params.iter().map(|p| &p.at(as_of).value).collect(),
            ctx: None,
            blocks: nones(room.blocks, regime.blocks.len()),
            leaves: nones(room.leaves, regime.leaves.len()),
            values: nones(room.values, regime.values.len()),
            known: nones(room.known, regime.values.len()),
            item: Current::None,
        }
    }

    /// The CEL context (the profile's tables, the parameters, the determined derived values and
    /// the plugin's custom functions) and the interpreter's run-time budget, reset for each
    /// leaf: made when a leaf first needs the interpreter (most evaluations never do).
    fn context(&mut self) -> Result<&(Context<'static, 'static>, crate::exact::Budget), Failed> {
        if self.ctx.is_none() {
            let regime = self.regime;
            let mut ctx = Context::with_env(Arc::clone(&regime.env));
            let budget = crate::exact::Budget::new(crate::regime::budget::RUN_TIME_STEPS);
            crate::exact::register(&mut ctx, &budget).map_err(|m| self.error(0, m))?;
            for (name, table) in self.facts.tables() {
                ctx.add_variable_from_value(name.clone(), table.clone());
            }
            let params: HashMap<String, cel::Value> = regime
                .params
                .iter()
                .zip(&self.params)
                .map(|(p, v)| (p.name.clone(), v.to_cel()))
                .collect();
            ctx.add_variable_from_value("params", params);
            for (def, value) in regime.values.iter().zip(&self.known) {
                if let Some(v) = value {
                    ctx.add_variable_from_value(def.name.clone(), v.to_cel());
                }
            }
            for f in &regime.functions {
                let (name, returns, host, regime_id) = (
                    f.name.clone(),
                    f.returns,
                    self.host.clone(),
                    regime.id().to_string(),
                );
                let added = ctx.add_function(
                    &f.name,
                    move |Arguments(args): Arguments| -> Result<cel::Value, ExecutionError> {
                        call_custom(host.as_deref(), &regime_id, &name, returns, &args)
                    },
                );
                if added.is_err() {
                    return Err(Box::new(EvalError {
                        regime: regime.id().to_string(),
                        item: format!("function {}", f.name),
                        expression: f.name.clone(),
                        message: "the name collides with a built-in function".into(),
                    }));
                }
            }
            self.ctx = Some((ctx, budget));
        }
        self.ctx
            .as_ref()
            .ok_or_else(|| self.error(0, "no CEL context".into()))
    }

    fn over_budget(&self, leaf: LeafId) -> Failed {
        self.error(
            leaf,
            format!(
                "stopped after {} steps, the run-time budget of one expression (the load-time estimate was wrong: please report it)",
                crate::regime::budget::RUN_TIME_STEPS
            ),
        )
    }

    fn error(&self, leaf: LeafId, message: String) -> Failed {
        Box::new(EvalError {
            regime: self.regime.id().to_string(),
            item: self.item_name(),
            expression: self
                .regime
                .leaves
                .get(leaf)
                .map(|l| l.text.clone())
                .unwrap_or_default(),
            message,
        })
    }

    pub(crate) fn cond(&mut self, c: &'r Cond) -> Result<Outcome, Failed> {
        Ok(match c {
            Cond::Const(b) => Outcome::decided(*b, FactSet::EMPTY),
            Cond::And(xs) => fold(false, xs.iter().map(|x| self.operand(x)))?,
            Cond::Or(xs) => fold(true, xs.iter().map(|x| self.operand(x)))?,
            Cond::Not(x) => !self.cond(x)?,
            Cond::If(c, a, b) => {
                let co = self.cond(c)?;
                match co.truth {
                    Truth::True => with_used(self.cond(a)?, co.used),
                    Truth::False => with_used(self.cond(b)?, co.used),
                    Truth::Unknown => {
                        let (oa, ob) = (self.cond(a)?, self.cond(b)?);
                        let used = co.used.union(oa.used).union(ob.used);
                        if oa.truth == ob.truth && oa.truth != Truth::Unknown {
                            Outcome::decided(oa.truth == Truth::True, used)
                        } else {
                            Outcome::unknown(
                                co.missing.union(oa.missing).union(ob.missing),
                                co.open.union(oa.open).union(ob.open),
                                used,
                            )
                        }
                    }
                }
            }
            Cond::Fallback(a, b) => {
                let oa = self.cond(a)?;
                if oa.truth != Truth::Unknown {
                    oa
                } else {
                    let ob = self.cond(b)?;
                    if ob.truth != Truth::Unknown {
                        ob
                    } else {
                        Outcome::unknown(
                            oa.missing.union(ob.missing),
                            oa.open.union(ob.open),
                            oa.used.union(ob.used),
                        )
                    }
                }
            }
            Cond::Block(b) => self.block(*b)?,
            Cond::Question(q) => {
                Outcome::unknown(FactSet::EMPTY, QuestionSet::single(*q), FactSet::EMPTY)
            }
            Cond::Present(id) => Outcome::decided(
                matches!(self.facts.profile.get(*id), Some(Value::Bool(true))),
                FactSet::single(*id),
            ),
            Cond::Leaf(l) => self.cond_leaf(*l)?,
        })
    }

    /// An operand of AND or OR, or a rule's condition: a leaf or block already decided is read
    /// where it is kept (most operands, in a regime whose rules share their blocks), anything
    /// else evaluated. (Used everywhere else too, it made the recursive frame larger and the
    /// whole walk slower.)
    #[inline(always)]
    fn operand(&mut self, c: &'r Cond) -> Result<Outcome, Failed> {
        match c {
            Cond::Leaf(l) => match self.leaves[*l] {
                Some(o) => Ok(o),
                None => self.cond(c),
            },
            Cond::Block(b) => match self.blocks[*b] {
                Some(o) => Ok(o),
                None => self.cond(c),
            },
            _ => self.cond(c),
        }
    }

    fn block(&mut self, b: usize) -> Result<Outcome, Failed> {
        if let Some(o) = self.blocks[b] {
            return Ok(o);
        }
        let block = &self.regime.blocks[b];
        let mut o = self.cond(&block.cond)?;
        if o.truth == Truth::Unknown {
            for (q, when) in &block.questions {
                let applies = match when {
                    None => true,
                    Some(w) => self.cond(w)?.truth != Truth::False,
                };
                if applies {
                    o.open = o.open.union(QuestionSet::single(*q));
                }
            }
        }
        self.blocks[b] = Some(o);
        Ok(o)
    }

    fn cond_leaf(&mut self, l: LeafId) -> Result<Outcome, Failed> {
        if let Some(o) = self.leaves[l] {
            return Ok(o);
        }
        if let Some(o) = self.native_condition(l) {
            self.leaves[l] = Some(o);
            return Ok(o);
        }
        let o = match self.leaf(l)? {
            ValueOutcome::Known {
                value: Value::Bool(b),
                used,
            } => Outcome::decided(b, used),
            ValueOutcome::Known { value, .. } => {
                return Err(self.error(
                    l,
                    format!("a condition evaluated to `{value}`, not true or false"),
                ));
            }
            ValueOutcome::Unknown {
                missing,
                open,
                used,
                ..
            } => Outcome::unknown(missing, open, used),
        };
        self.leaves[l] = Some(o);
        Ok(o)
    }

    /// A boolean leaf decided natively, the common case, without building a value: what
    /// [`Evaluator::leaf`] would give, or `None` where it must say more (a derived value
    /// undetermined, a result not a boolean, an error), and then `leaf` decides it.
    fn native_condition(&self, l: LeafId) -> Option<Outcome> {
        let leaf = &self.regime.leaves[l];
        let native = leaf.native.as_ref()?;
        let present = self.facts.present;
        let mut used = leaf
            .reads
            .intersect(present)
            .union(leaf.tests.intersect(present));
        let missing = leaf.reads.minus(present);
        for &v in &leaf.values {
            match &self.values[v] {
                Some(ValueOutcome::Known { used: u, .. }) => used = used.union(*u),
                _ => return None,
            }
        }
        let undetermined = Outcome::unknown(missing, QuestionSet::EMPTY, used);
        if !missing.is_empty() && leaf.tests.is_empty() {
            return Some(undetermined);
        }
        let env = NEnv {
            profile: self.facts.profile,
            params: &self.params,
            values: &self.known,
            steps: std::cell::Cell::new(crate::regime::budget::RUN_TIME_STEPS),
        };
        match native::eval(native, &env, &mut Vec::new()) {
            Ok(native::NVal::Bool(b)) => Some(Outcome::decided(b, used)),
            Err(NErr::Missing) => Some(undetermined),
            _ => None,
        }
    }

    fn leaf(&mut self, l: LeafId) -> Result<ValueOutcome, Failed> {
        let regime = self.regime;
        let leaf = &regime.leaves[l];
        let present = self.facts.present;
        let mut used = leaf
            .reads
            .intersect(present)
            .union(leaf.tests.intersect(present));
        let mut missing = leaf.reads.minus(present);
        let mut open = QuestionSet::EMPTY;
        let mut unknown_value = false;
        for &v in &leaf.values {
            match &self.values[v] {
                Some(ValueOutcome::Known { used: u, .. }) => used = used.union(*u),
                Some(ValueOutcome::Unknown {
                    missing: m,
                    open: o,
                    used: u,
                    ..
                }) => {
                    unknown_value = true;
                    missing = missing.union(*m);
                    open = open.union(*o);
                    used = used.union(*u);
                }
                None => {
                    return Err(self.error(
                        l,
                        format!(
                            "value `{}` read before it was computed",
                            regime.values[v].name
                        ),
                    ));
                }
            }
        }
        if unknown_value || (!missing.is_empty() && leaf.tests.is_empty()) {
            return Ok(ValueOutcome::Unknown {
                missing,
                open,
                used,
                bound: None,
            });
        }
        // Native first; the interpreter for what native evaluation does not cover.
        if let Some(native) = &leaf.native {
            let env = NEnv {
                profile: self.facts.profile,
                params: &self.params,
                values: &self.known,
                steps: std::cell::Cell::new(crate::regime::budget::RUN_TIME_STEPS),
            };
            match native::eval(native, &env, &mut Vec::new()) {
                Ok(v) => {
                    if let Some(value) = v.to_value() {
                        return Ok(ValueOutcome::Known { value, used });
                    }
                }
                Err(NErr::Missing) => {
                    return Ok(ValueOutcome::Unknown {
                        missing,
                        open,
                        used,
                        bound: None,
                    });
                }
                Err(NErr::Budget) => return Err(self.over_budget(l)),
                Err(NErr::Error(_)) => {}
            }
        }
        let (ctx, budget) = self.context()?;
        budget.reset(crate::regime::budget::RUN_TIME_STEPS);
        let result = ctx.resolve(&leaf.expr);
        if budget.spent() {
            return Err(self.over_budget(l));
        }
        match result {
            Ok(value) => match Value::from_cel(&value) {
                Some(value) => Ok(ValueOutcome::Known { value, used }),
                None => Err(self.error(
                    l,
                    format!("evaluated to {value:?}, which is not a fact, date, number or string"),
                )),
            },
            // A `has()`-guarded leaf that still read an absent fact.
            Err(_) if !missing.is_empty() => Ok(ValueOutcome::Unknown {
                missing,
                open,
                used,
                bound: None,
            }),
            Err(e) => Err(self.error(l, e.to_string())),
        }
    }

    pub(crate) fn val(&mut self, v: &'r ValueExpr) -> Result<ValueOutcome, Failed> {
        Ok(match v {
            ValueExpr::Leaf(l) => self.leaf(*l)?,
            ValueExpr::If(c, a, b) => {
                let co = self.cond(c)?;
                match co.truth {
                    Truth::True => value_with_used(self.val(a)?, co.used),
                    Truth::False => value_with_used(self.val(b)?, co.used),
                    Truth::Unknown => {
                        let (va, vb) = (self.val(a)?, self.val(b)?);
                        match (&va, &vb) {
                            (
                                ValueOutcome::Known { value: x, used: ua },
                                ValueOutcome::Known { value: y, used: ub },
                            ) if x == y => ValueOutcome::Known {
                                value: x.clone(),
                                used: co.used.union(*ua).union(*ub),
                            },
                            _ => {
                                let (ma, oa, ua) = unknown_parts(&va);
                                let (mb, ob, ub) = unknown_parts(&vb);
                                ValueOutcome::Unknown {
                                    missing: co.missing.union(ma).union(mb),
                                    open: co.open.union(oa).union(ob),
                                    used: co.used.union(ua).union(ub),
                                    bound: None,
                                }
                            }
                        }
                    }
                }
            }
            ValueExpr::Fallback(a, b) => match self.val(a)? {
                known @ ValueOutcome::Known { .. } => known,
                first => match self.val(b)? {
                    known @ ValueOutcome::Known { .. } => known,
                    second => {
                        let (ma, oa, ua) = unknown_parts(&first);
                        let (mb, ob, ub) = unknown_parts(&second);
                        ValueOutcome::Unknown {
                            missing: ma.union(mb),
                            open: oa.union(ob),
                            used: ua.union(ub),
                            bound: None,
                        }
                    }
                },
            },
            ValueExpr::Extreme(x, a, b) => {
                let (va, vb) = (self.val(a)?, self.val(b)?);
                self.extreme(*x, va, vb)?
            }
        })
    }

    /// `max` or `min` of two outcomes: the value where both are known, else the bound that is
    /// certain (for `max`, at least the larger of what is known of either).
    fn extreme(
        &self,
        x: Extreme,
        a: ValueOutcome,
        b: ValueOutcome,
    ) -> Result<ValueOutcome, Failed> {
        let pick = |p: Value, q: Value| -> Result<Value, Failed> {
            let order = compare(&p, &q).ok_or_else(|| EvalError {
                regime: self.regime.id().to_string(),
                item: self.item_name(),
                expression: String::new(),
                message: format!("cannot compare `{p}` with `{q}`"),
            })?;
            let first = match x {
                Extreme::Max => order.is_ge(),
                Extreme::Min => order.is_le(),
            };
            Ok(if first { p } else { q })
        };
        // What each side says for certain in this direction: its value, or its bound.
        let certain = |o: &ValueOutcome| -> Option<Value> {
            match (o, x) {
                (ValueOutcome::Known { value, .. }, _) => Some(value.clone()),
                (
                    ValueOutcome::Unknown {
                        bound: Some(Bound::AtLeast(v)),
                        ..
                    },
                    Extreme::Max,
                )
                | (
                    ValueOutcome::Unknown {
                        bound: Some(Bound::AtMost(v)),
                        ..
                    },
                    Extreme::Min,
                ) => Some(v.clone()),
                _ => None,
            }
        };
        if let (
            ValueOutcome::Known { value: p, used: ua },
            ValueOutcome::Known { value: q, used: ub },
        ) = (&a, &b)
        {
            return Ok(ValueOutcome::Known {
                value: pick(p.clone(), q.clone())?,
                used: ua.union(*ub),
            });
        }
        // A known side beyond the other's opposite bound decides: `min(x, 3)` is 3 where `x`
        // is at least 5, whatever `x` is.
        let opposite = |o: &ValueOutcome| match (o, x) {
            (
                ValueOutcome::Unknown {
                    bound: Some(Bound::AtMost(v)),
                    ..
                },
                Extreme::Max,
            )
            | (
                ValueOutcome::Unknown {
                    bound: Some(Bound::AtLeast(v)),
                    ..
                },
                Extreme::Min,
            ) => Some(v.clone()),
            _ => None,
        };
        for (known, other) in [(&a, &b), (&b, &a)] {
            if let (ValueOutcome::Known { value, used }, Some(limit)) = (known, opposite(other))
                && pick(value.clone(), limit.clone())? == *value
            {
                let (_, _, uo) = unknown_parts(other);
                return Ok(ValueOutcome::Known {
                    value: value.clone(),
                    used: used.union(uo),
                });
            }
        }
        let bound = match (certain(&a), certain(&b)) {
            (Some(p), Some(q)) => Some(pick(p, q)?),
            (Some(p), None) | (None, Some(p)) => Some(p),
            (None, None) => None,
        };
        let (ma, oa, ua) = unknown_parts(&a);
        let (mb, ob, ub) = unknown_parts(&b);
        Ok(ValueOutcome::Unknown {
            missing: ma.union(mb),
            open: oa.union(ob),
            used: ua.union(ub),
            bound: bound.map(|v| match x {
                Extreme::Max => Bound::AtLeast(v),
                Extreme::Min => Bound::AtMost(v),
            }),
        })
    }

    fn convert(&self, value: Value, ty: ValueType) -> Result<Value, Failed> {
        match (ty, value) {
            (ValueType::Number, Value::Integer(i)) => {
                Ok(Value::Number(crate::number::Number::from_i64(i)))
            }
            // A computed date from a date-time is its UTC day; a date-time from a date, its
            // midnight UTC.
            (ValueType::Date, Value::Instant(t)) => crate::value::instant_date(t)
                .map(Value::Date)
                .ok_or_else(|| {
                    Box::new(EvalError {
                        regime: self.regime.id().to_string(),
                        item: self.item_name(),
                        expression: String::new(),
                        message: format!("the instant {t} is out of range"),
                    })
                }),
            (ValueType::Datetime, Value::Date(d)) => {
                Ok(Value::Instant(d.days_since_epoch() * 86_400))
            }
            (ValueType::Number, v @ Value::Number(_))
            | (ValueType::Date, v @ Value::Date(_))
            | (ValueType::Datetime, v @ Value::Instant(_))
            | (ValueType::String, v @ Value::Text(_))
            | (ValueType::Bool, v @ Value::Bool(_)) => Ok(v),
            (ty, v) => Err(Box::new(EvalError {
                regime: self.regime.id().to_string(),
                item: self.item_name(),
                expression: String::new(),
                message: format!("computed `{v}`, which is not a {ty:?}"),
            })),
        }
    }
}

fn with_used(o: Outcome, extra: FactSet) -> Outcome {
    Outcome {
        used: o.used.union(extra),
        ..o
    }
}

fn value_with_used(v: ValueOutcome, extra: FactSet) -> ValueOutcome {
    match v {
        ValueOutcome::Known { value, used } => ValueOutcome::Known {
            value,
            used: used.union(extra),
        },
        ValueOutcome::Unknown {
            missing,
            open,
            used,
            bound,
        } => ValueOutcome::Unknown {
            missing,
            open,
            used: used.union(extra),
            bound,
        },
    }
}

/// The order of two values of one kind (numbers exactly, integers and numbers together).
fn compare(p: &Value, q: &Value) -> Option<std::cmp::Ordering> {
    Some(match (p, q) {
        (Value::Number(a), Value::Number(b)) => a.cmp(b),
        (Value::Integer(a), Value::Integer(b)) => a.cmp(b),
        (Value::Integer(a), Value::Number(b)) => Number::from_i64(*a).cmp(b),
        (Value::Number(a), Value::Integer(b)) => a.cmp(&Number::from_i64(*b)),
        (Value::Date(a), Value::Date(b)) => a.cmp(b),
        // A date is its midnight UTC, as CEL compares them.
        (Value::Instant(a), Value::Instant(b)) => a.cmp(b),
        (Value::Date(a), Value::Instant(b)) => (a.days_since_epoch() * 86_400).cmp(b),
        (Value::Instant(a), Value::Date(b)) => a.cmp(&(b.days_since_epoch() * 86_400)),
        _ => return None,
    })
}

fn unknown_parts(v: &ValueOutcome) -> (FactSet, QuestionSet, FactSet) {
    match v {
        ValueOutcome::Known { used, .. } => (FactSet::EMPTY, QuestionSet::EMPTY, *used),
        ValueOutcome::Unknown {
            missing,
            open,
            used,
            ..
        } => (*missing, *open, *used),
    }
}

/// Calls a plugin's custom function with CEL arguments, converting through JSON both ways.
pub(crate) fn call_custom(
    host: Option<&dyn FunctionHost>,
    regime: &str,
    name: &str,
    returns: ValueType,
    args: &[cel::Value],
) -> Result<cel::Value, ExecutionError> {
    let Some(host) = host else {
        return Err(ExecutionError::function_error(
            name,
            format!(
                "custom function of regime `{regime}`: evaluate against the built plugin, not its TOML source"
            ),
        ));
    };
    let json: Vec<serde_json::Value> = args
        .iter()
        .map(|a| {
            Value::from_cel(a).map(|v| v.to_json()).ok_or_else(|| {
                ExecutionError::function_error(name, format!("cannot pass {a:?} to a plugin"))
            })
        })
        .collect::<Result<_, _>>()?;
    let args_json =
        serde_json::to_string(&json).map_err(|e| ExecutionError::function_error(name, e))?;
    let result_text = host
        .call(name, &args_json)
        .map_err(|e| ExecutionError::function_error(name, e))?;
    let result: serde_json::Value = serde_json::from_str(&result_text).map_err(|e| {
        ExecutionError::function_error(name, format!("the plugin returned invalid JSON: {e}"))
    })?;
    let wrong = || {
        ExecutionError::function_error(
            name,
            format!("the plugin returned `{result}`, not a {returns:?}"),
        )
    };
    Ok(match returns {
        // The number as the plugin wrote it, exactly.
        ValueType::Number => match crate::profile::json::parse(&result_text).map(|t| t.node) {
            Ok(Node::Integer(i)) => crate::exact::to_cel(&Number::from_i64(i)),
            Ok(Node::Decimal(d)) => {
                crate::exact::to_cel(&Number::parse_decimal(&d).map_err(|_| wrong())?)
            }
            _ => return Err(wrong()),
        },
        ValueType::Bool => cel::Value::Bool(result.as_bool().ok_or_else(wrong)?),
        ValueType::String => {
            cel::Value::String(Arc::new(result.as_str().ok_or_else(wrong)?.to_string()))
        }
        ValueType::Date => {
            let date: Date = result
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(wrong)?;
            cel::Value::Timestamp(date_to_timestamp(date))
        }
        ValueType::Datetime => {
            let t = result
                .as_str()
                .and_then(|s| crate::value::parse_instant(s).ok())
                .ok_or_else(wrong)?;
            cel::Value::Timestamp(crate::value::instant_to_timestamp(t))
        }
    })
}
