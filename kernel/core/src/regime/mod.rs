//! Compiling a regime: from manifest text to checked, lowered rules.
//!
//! Every CEL expression is parsed once, here, and checked against the schema and the manifest:
//! a misspelt fact path, an unknown block or parameter, an integer–double mix, a cycle between
//! blocks are load errors that name the regime, the item and the expression, and point at the
//! TOML line. All problems are reported at once.

pub mod analysis;
pub mod budget;
mod compiled;
mod declared;
pub mod ir;
pub mod lower;
mod names;
pub mod native;
pub mod params;
pub mod reach;
mod source;
pub mod types;

pub(crate) use compiled::placeholders;
pub use compiled::{Block, Computed, DerivedValue, Function, Question, Regime, Rule};
pub use declared::{Declared, declared, schema_for};
pub use source::{Problem, RegimeError, Source};

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use cel::Env;
use juxta_sdk::manifest::{self, Manifest, ValueType};

use crate::diag::{Location, did_you_mean};
use crate::schema::Schema;
use ir::{BlockId, Cond, Leaf, ValueExpr, ValueId};
use lower::Lowerer;
use names::Names;
use params::Parameter;
use types::Ty;

/// Names the kernel reserves for itself in expressions.
const RESERVED: &[&str] = &[
    "params",
    "present",
    "open_question",
    "fallback",
    "days",
    "max",
    "min",
    "true",
    "false",
    "null",
    "in",
];

impl Regime {
    /// Compiles a manifest against a schema.
    ///
    /// Compilation runs on a thread of its own with a large stack
    /// ([`budget::COMPILE_STACK_BYTES`]): the CEL parser recurses by bracket depth, and every
    /// expression is bounded before and after parsing (see [`budget`]), so no manifest can
    /// overflow it. Where threads are not available (WebAssembly), it runs on the caller's.
    pub fn compile(source: &Source<'_>, schema: Arc<Schema>) -> Result<Regime, RegimeError> {
        #[cfg(not(target_arch = "wasm32"))]
        {
            let result = std::thread::scope(|scope| {
                std::thread::Builder::new()
                    .name("juxta-compile".into())
                    .stack_size(budget::COMPILE_STACK_BYTES)
                    .spawn_scoped(scope, || Regime::compile_here(source, Arc::clone(&schema)))
                    .map(|handle| handle.join())
            });
            match result {
                Ok(Ok(compiled)) => return compiled,
                Ok(Err(_)) => {
                    return Err(RegimeError {
                        origin: source.origin.to_string(),
                        regime: None,
                        problems: vec![(
                            Problem::new(
                                "manifest".into(),
                                "internal error: compiling the manifest panicked",
                            ),
                            None,
                        )],
                    });
                }
                // No thread to be had: compile here.
                Err(_) => {}
            }
        }
        Regime::compile_here(source, schema)
    }

    fn compile_here(source: &Source<'_>, schema: Arc<Schema>) -> Result<Regime, RegimeError> {
        let fail = |regime: Option<String>, problems: Vec<Problem>| RegimeError {
            origin: source.origin.to_string(),
            regime,
            problems: problems
                .into_iter()
                .map(|p| {
                    let loc = p.span.clone().map(|s| Location::of(source.text, s));
                    (p, loc)
                })
                .collect(),
        };
        if let Err(e) = crate::profile::tree::check_depth(source.text) {
            return Err(fail(
                None,
                vec![Problem {
                    item: "manifest".into(),
                    span: e.span,
                    expression: None,
                    message: e.message,
                    help: None,
                }],
            ));
        }
        let m: Manifest = toml::from_str(source.text).map_err(|e| {
            fail(
                None,
                vec![Problem {
                    item: "manifest".into(),
                    span: e.span(),
                    expression: None,
                    message: e.message().to_string(),
                    help: None,
                }],
            )
        })?;
        let mut problems = Vec::new();
        let id = m.regime.id.clone();
        check_header(&m.regime, &schema, &mut problems);
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
                problems.push(Problem::new(
                    "namespace".into(),
                    &format!(
                        "namespace `{}` is not part of the facts schema this regime is compiled against; build the schema with `Schema::with_namespaces` (or `regime::schema_for`)",
                        ns.name
                    ),
                ));
            }
        }

        // Parameters.
        let mut params = Vec::new();
        for (name, decl) in m.parameters.iter() {
            if !is_identifier(name) {
                problems.push(Problem::new(
                    format!("parameter {name}"),
                    "a parameter name must be an identifier (letters, digits, `_`)",
                ));
            }
            let (parameter, errs) = Parameter::compile(name, decl);
            if let Some(mut p) = parameter {
                p.index = params.len();
                params.push(p);
            }
            problems.extend(errs.into_iter().map(|(span, message)| Problem {
                item: format!("parameter {name}"),
                span,
                expression: None,
                message,
                help: None,
            }));
        }

        // Names.
        let mut names = Names {
            schema: &schema,
            regime: &m.regime.id,
            target: &m.regime.facts_schema,
            blocks: HashMap::new(),
            values: HashMap::new(),
            params: params.iter().map(|p| (p.name.clone(), p)).collect(),
            questions: HashMap::new(),
            functions: HashMap::new(),
        };
        let mut taken: HashSet<String> = schema.tables().iter().map(|t| t.name.clone()).collect();
        taken.extend(RESERVED.iter().map(|s| s.to_string()));
        for (kind, name) in m
            .blocks
            .iter()
            .map(|(n, _)| ("block", n))
            .chain(m.values.iter().map(|(n, _)| ("value", n)))
        {
            if !is_identifier(name) {
                problems.push(Problem::new(
                    format!("{kind} {name}"),
                    "a name must be an identifier (letters, digits, `_`)",
                ));
            } else if crate::exact::is_reserved(name) {
                problems.push(Problem::new(
                    format!("{kind} {name}"),
                    "names starting with `__juxta_` are the kernel's",
                ));
            } else if !taken.insert(name.to_string()) {
                problems.push(Problem::new(format!("{kind} {name}"), &format!("the name `{name}` is already taken by a table, another block or value, or the kernel")));
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
        if m.open_questions.len() > crate::tri::QuestionSet::CAPACITY {
            problems.push(Problem::new(
                "open_questions".into(),
                &format!(
                    "more than {} open questions",
                    crate::tri::QuestionSet::CAPACITY
                ),
            ));
        }
        for (i, (qid, _)) in m.open_questions.iter().enumerate() {
            if !is_item_id(qid) {
                problems.push(Problem::new(
                    format!("open question {qid}"),
                    "an open question's id is 1 to 64 letters, digits, `-`, `_` and `.`, starting with a letter or digit (such as `EU-OQ-1`)",
                ));
            }
            names.questions.insert(qid.to_string(), i);
        }
        for (name, f) in m.functions.iter() {
            if !is_identifier(name) || taken.contains(name) || crate::exact::is_reserved(name) {
                problems.push(Problem::new(
                    format!("function {name}"),
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

        let env = build_env();
        let mut leaves = Vec::new();

        // Blocks.
        let mut blocks = Vec::new();
        for (name, b) in m.blocks.iter() {
            let item = format!("block {name}");
            let mut lw = Lowerer::new(&names, &env, &item, source, &mut problems, &mut leaves);
            let cond = lw.condition(&b.condition);
            let ast = lw.last_root.take().unwrap_or_default();
            let mut questions = Vec::new();
            let mut unknown_questions = Vec::new();
            for q in &b.open_questions {
                let when = q.when.as_ref().and_then(|w| lw.condition(w));
                match names.questions.get(&q.id) {
                    Some(&qid) => questions.push((qid, when)),
                    None => {
                        let help = did_you_mean(&q.id, names.questions.keys().map(String::as_str))
                            .map(|d| format!("did you mean `{d}`?"));
                        unknown_questions.push(Problem {
                            item: item.clone(),
                            span: None,
                            expression: None,
                            message: format!("unknown open question `{}`", q.id),
                            help,
                        });
                    }
                }
            }
            problems.extend(unknown_questions);
            blocks.push(Block {
                name: name.to_string(),
                title: b.title.clone(),
                basis: b.basis.clone(),
                source: b.condition.get_ref().trim().to_string(),
                if_true: b.if_true.clone(),
                if_false: b.if_false.clone(),
                if_undetermined: b.if_undetermined.clone(),
                cond: cond.unwrap_or(Cond::Const(false)),
                ast,
                questions,
            });
        }

        // Derived values.
        let mut values = Vec::new();
        for (name, v) in m.values.iter() {
            let item = format!("value {name}");
            let mut lw = Lowerer::new(&names, &env, &item, source, &mut problems, &mut leaves);
            let expr = lw.value(&v.value, &Ty::of_value(v.ty));
            let ast = lw.last_root.take().unwrap_or_default();
            values.push(DerivedValue {
                name: name.to_string(),
                title: v.title.clone(),
                ty: v.ty,
                unit: v.unit.clone(),
                source: v.value.get_ref().trim().to_string(),
                expr: expr.unwrap_or(ValueExpr::Leaf(0)),
                ast,
            });
        }

        // Computed values (before rules, which name them as deadlines).
        let mut computed = Vec::new();
        for (name, c) in m.computed.iter() {
            let item = format!("computed {name}");
            let mut lw = Lowerer::new(&names, &env, &item, source, &mut problems, &mut leaves);
            let when = lw.condition(&c.when);
            let when_ast = lw.last_root.take().unwrap_or_default();
            let value = lw.value(&c.value, &Ty::of_value(c.ty));
            let value_ast = lw.last_root.take().unwrap_or_default();
            if !matches!(c.ty, ValueType::Date | ValueType::Number) {
                problems.push(Problem::new(
                    item.clone(),
                    "a computed value is a `date` or a `number`",
                ));
            }
            computed.push(Computed {
                name: name.to_string(),
                title: c.title.clone(),
                ty: c.ty,
                unit: c.unit.clone(),
                citation: c.citation.clone(),
                mode: c.if_condition_undetermined,
                when: when.unwrap_or(Cond::Const(false)),
                value: value.unwrap_or(ValueExpr::Leaf(0)),
                when_ast,
                value_ast,
            });
        }

        // Rules.
        let mut rules = Vec::new();
        let mut seen = HashSet::new();
        for r in &m.rules {
            let item = format!("rule {}", r.id);
            if !is_item_id(&r.id) {
                problems.push(Problem::new(
                    item.clone(),
                    "a rule id is 1 to 64 letters, digits, `-`, `_` and `.`, starting with a letter or digit (such as `EU-OBL-53-1a`)",
                ));
            }
            if !seen.insert(r.id.clone()) {
                problems.push(Problem::new(item.clone(), "duplicate rule id"));
            }
            if r.citation.trim().is_empty() {
                problems.push(Problem::new(item.clone(), "a rule must carry its citation"));
            }
            let due = match &r.due {
                None => None,
                Some(d) => match computed.iter().position(|c| &c.name == d) {
                    Some(i) => Some(i),
                    None => {
                        let help = did_you_mean(d, computed.iter().map(|c| c.name.as_str()))
                            .map(|s| format!("did you mean `{s}`?"));
                        problems.push(Problem {
                            item: item.clone(),
                            span: None,
                            expression: None,
                            message: format!("`due` names no computed value `{d}`"),
                            help,
                        });
                        None
                    }
                },
            };
            let mut lw = Lowerer::new(&names, &env, &item, source, &mut problems, &mut leaves);
            let cond = lw.condition(&r.condition);
            let ast = lw.last_root.take().unwrap_or_default();
            rules.push(Rule {
                id: r.id.clone(),
                kind: r.kind,
                title: r.title.clone(),
                citation: r.citation.clone(),
                provenance: r.provenance.clone(),
                counterparts: r.counterparts.clone(),
                summary: r.summary.clone(),
                due,
                status: r.status.clone(),
                note: r.note.clone(),
                source: r.condition.get_ref().trim().to_string(),
                cond: cond.unwrap_or(Cond::Const(false)),
                ast,
            });
        }

        // Reason templates name only things that exist.
        for b in &blocks {
            for text in [&b.if_true, &b.if_false, &b.if_undetermined]
                .into_iter()
                .flatten()
            {
                for name in placeholders(text) {
                    if !placeholder_known(&name, &schema, &names) {
                        problems.push(Problem::new(format!("block {}", b.name), &format!("reason `{text}` names `{{{name}}}`, which is no fact, value or parameter")));
                    }
                }
            }
        }

        let value_order = match dependency_order(&blocks, &values, &leaves) {
            Ok((order, deepest)) if deepest > budget::MAX_REFERENCE_DEPTH => {
                problems.push(Problem::new(
                    "manifest".into(),
                    &format!(
                        "blocks and values refer to one another {deepest} levels deep; the limit is {}",
                        budget::MAX_REFERENCE_DEPTH
                    ),
                ));
                order
            }
            Ok((order, _)) => order,
            Err(cycle) => {
                problems.push(Problem::new(
                    cycle[0].clone(),
                    &format!("circular definition: {}", cycle.join(" → ")),
                ));
                Vec::new()
            }
        };

        if problems.is_empty() {
            check_budget(
                &names,
                &mut leaves,
                &blocks,
                &values,
                &value_order,
                &rules,
                &computed,
                &mut problems,
            );
        }
        if !problems.is_empty() {
            return Err(fail(Some(id), problems));
        }
        Ok(Regime {
            header: m.regime,
            manifest: source.text.to_string(),
            params,
            blocks,
            values,
            rules,
            computed,
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
            leaves,
            value_order,
            env: Arc::new(env),
            schema,
        })
    }
}

/// Ids no regime may take: the top-level keys of batch records and columns of batch Parquet.
pub const RESERVED_IDS: &[&str] = &["id", "line", "error", "regimes"];

fn check_header(h: &manifest::Header, schema: &Schema, problems: &mut Vec<Problem>) {
    if h.id.is_empty()
        || !h
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        problems.push(Problem::new(
            "regime".into(),
            &format!(
                "id `{}` must be lower-case letters, digits and dashes",
                h.id
            ),
        ));
    }
    if RESERVED_IDS.contains(&h.id.as_str()) {
        problems.push(Problem::new(
            "regime".into(),
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
            "regime".into(),
            &format!(
                "version `{}` is not of the form MAJOR.MINOR.PATCH",
                h.version
            ),
        ));
    }
    if !Schema::understands(&h.facts_schema) {
        problems.push(Problem {
            item: "regime".into(),
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

/// A rule or open-question id: what reports use as keys and print everywhere, so it is plain
/// text that cannot steer a terminal or break a table.
fn is_item_id(s: &str) -> bool {
    s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn placeholder_known(name: &str, schema: &Schema, names: &Names<'_>) -> bool {
    schema
        .lookup(name)
        .is_some_and(|id| schema.visibility(id, names.regime, names.target).is_ok())
        || names.values.contains_key(name)
        || name
            .strip_prefix("params.")
            .is_some_and(|p| names.params.contains_key(p))
}

/// Orders derived values so that each comes after everything it depends on (through blocks
/// too); fails with the cycle if blocks and values depend on themselves.
/// Estimates every leaf's worst-case cost and result size ([`budget`]) and refuses what exceeds
/// the budget, naming the item: a derived value's estimate, in dependency order, is what the
/// leaves reading it see.
#[expect(
    clippy::too_many_arguments,
    reason = "one pass over the parts of a regime being compiled"
)]
fn check_budget(
    names: &Names<'_>,
    leaves: &mut [Leaf],
    blocks: &[Block],
    values: &[DerivedValue],
    value_order: &[ValueId],
    rules: &[Rule],
    computed: &[Computed],
    problems: &mut Vec<Problem>,
) {
    use budget::{Estimate, Estimator, MAX_LEAF_COST, MAX_REGIME_COST, MAX_RESULT_SIZE, shown};
    // Who owns each leaf, for messages.
    let mut owner: Vec<Option<String>> = vec![None; leaves.len()];
    let mut mark = |ls: Vec<ir::LeafId>, name: &str| {
        for l in ls {
            if let Some(slot) = owner.get_mut(l)
                && slot.is_none()
            {
                *slot = Some(name.to_string());
            }
        }
    };
    let cond_leaves = |c: &Cond| {
        let mut ls = Vec::new();
        c.leaves(&mut ls);
        ls
    };
    let value_leaves = |v: &ValueExpr| {
        let (mut bs, mut ls) = (Vec::new(), Vec::new());
        v.parts(&mut bs, &mut ls);
        ls
    };
    for b in blocks {
        mark(cond_leaves(&b.cond), &format!("block {}", b.name));
        for (_, w) in &b.questions {
            if let Some(w) = w {
                mark(cond_leaves(w), &format!("block {}", b.name));
            }
        }
    }
    for v in values {
        mark(value_leaves(&v.expr), &format!("value {}", v.name));
    }
    for r in rules {
        mark(cond_leaves(&r.cond), &format!("rule {}", r.id));
    }
    for c in computed {
        mark(cond_leaves(&c.when), &format!("computed {}", c.name));
        mark(value_leaves(&c.value), &format!("computed {}", c.name));
    }

    let mut est = Estimator::new(names);
    let mut estimates: Vec<Option<Estimate>> = vec![None; leaves.len()];
    for &v in value_order {
        let mut worst = Estimate::default();
        for l in value_leaves(&values[v].expr) {
            if let Some(leaf) = leaves.get(l) {
                let e = est.estimate(&leaf.expr);
                worst.cost = worst.cost.max(e.cost);
                worst.size = worst.size.max(e.size);
                worst.item = worst.item.max(e.item);
                estimates[l] = Some(e);
            }
        }
        est.values.insert(values[v].name.clone(), worst);
    }
    let mut total: u64 = 0;
    let mut over_budget = 0usize;
    for (l, leaf) in leaves.iter_mut().enumerate() {
        let e = estimates[l].unwrap_or_else(|| est.estimate(&leaf.expr));
        leaf.cost = e.cost;
        total = total.saturating_add(e.cost);
        let item = owner[l].clone().unwrap_or_else(|| "manifest".into());
        let over = |what: &str, value: u64, limit: u64| {
            Problem {
            item: item.clone(),
            span: None,
            expression: Some(leaf.text.chars().take(240).collect()),
            message: format!(
                "worst-case {what} of {} exceeds the budget of {}",
                shown(value),
                shown(limit)
            ),
            help: Some(
                "the estimate follows the schema's limits and the parameters' sizes: shorten the lists it iterates, or nest fewer comprehensions".into(),
            ),
        }
        };
        // A few are enough to see what is wrong: a chain of values over budget would
        // otherwise name every link.
        if over_budget < 8 && e.cost > MAX_LEAF_COST {
            problems.push(over("cost", e.cost, MAX_LEAF_COST));
        } else if over_budget < 8 && e.size > MAX_RESULT_SIZE {
            problems.push(over("result size", e.size, MAX_RESULT_SIZE));
        }
        if e.cost > MAX_LEAF_COST || e.size > MAX_RESULT_SIZE {
            over_budget += 1;
        }
    }
    if over_budget > 8 {
        problems.push(Problem::new(
            "manifest".into(),
            &format!("… and {} more expressions over the budget", over_budget - 8),
        ));
    }
    if total > MAX_REGIME_COST && problems.is_empty() {
        problems.push(Problem::new(
            "manifest".into(),
            &format!(
                "the regime's expressions together cost up to {} steps per profile, over the budget of {}",
                shown(total),
                shown(MAX_REGIME_COST)
            ),
        ));
    }
}

/// The derived values in an order where each comes after those it reads, and the length of the
/// longest chain of blocks and values referring to one another; a cycle as `Err`.
fn dependency_order(
    blocks: &[Block],
    values: &[DerivedValue],
    leaves: &[Leaf],
) -> Result<(Vec<ValueId>, usize), Vec<String>> {
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
    enum Node {
        Block(BlockId),
        Value(ValueId),
    }
    let deps = |n: Node| -> Vec<Node> {
        let (mut bs, mut ls) = (Vec::new(), Vec::new());
        match n {
            Node::Block(b) => {
                blocks[b].cond.blocks(&mut bs);
                blocks[b].cond.leaves(&mut ls);
                for (_, w) in &blocks[b].questions {
                    if let Some(w) = w {
                        w.blocks(&mut bs);
                        w.leaves(&mut ls);
                    }
                }
            }
            Node::Value(v) => values[v].expr.parts(&mut bs, &mut ls),
        }
        let mut out: Vec<Node> = bs.into_iter().map(Node::Block).collect();
        for l in ls {
            if let Some(leaf) = leaves.get(l) {
                out.extend(leaf.values.iter().map(|v| Node::Value(*v)));
            }
        }
        out
    };
    let name = |n: Node| match n {
        Node::Block(b) => format!("block {}", blocks[b].name),
        Node::Value(v) => format!("value {}", values[v].name),
    };
    // Depth-first, with an explicit stack: a manifest's chain of blocks may be as long as
    // its size allows, and the walk must not recurse by it. A node's depth is 1 + its
    // deepest dependency's.
    let mut state: HashMap<Node, u8> = HashMap::new(); // 1 = in progress, 2 = done
    let mut depth: HashMap<Node, usize> = HashMap::new();
    let mut order = Vec::new();
    let mut deepest = 0;
    let roots = (0..blocks.len())
        .map(Node::Block)
        .chain((0..values.len()).map(Node::Value));
    for root in roots {
        if state.get(&root) == Some(&2) {
            continue;
        }
        // (node, its dependencies, the next one to visit)
        let mut stack: Vec<(Node, Vec<Node>, usize)> = vec![(root, deps(root), 0)];
        state.insert(root, 1);
        while let Some((n, ds, next)) = stack.last_mut() {
            let n = *n;
            if let Some(&d) = ds.get(*next) {
                *next += 1;
                match state.get(&d) {
                    Some(2) => {}
                    Some(_) => {
                        let from = stack.iter().position(|(s, _, _)| *s == d).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            stack[from..].iter().map(|(s, _, _)| name(*s)).collect();
                        cycle.push(name(d));
                        return Err(cycle);
                    }
                    None => {
                        state.insert(d, 1);
                        stack.push((d, deps(d), 0));
                    }
                }
                continue;
            }
            let own = 1 + ds
                .iter()
                .filter_map(|d| depth.get(d))
                .max()
                .copied()
                .unwrap_or(0);
            deepest = deepest.max(own);
            depth.insert(n, own);
            state.insert(n, 2);
            if let Node::Value(v) = n {
                order.push(v);
            }
            stack.pop();
        }
    }
    Ok((order, deepest))
}

/// The CEL environment of every regime: the standard library plus `days`. (`max`, `min` and
/// every operator on numbers are the kernel's exact functions, see [`crate::exact`].)
fn build_env() -> Env {
    use cel::common::types::{CelDuration, CelInt, INT_TYPE};
    use cel::common::value::CowVal;
    let mut env = Env::stdlib();
    // Declaring a new function cannot collide in a fresh stdlib environment; ignore the Ok.
    let _ = env.add_overload("days", "days_int", vec![INT_TYPE], |args| {
        let n = args
            .first()
            .and_then(|a| a.downcast_ref::<CelInt>())
            .map(|n| *n.inner())
            .ok_or_else(|| cel::ExecutionError::function_error("days", "expects an integer"))?;
        let d = chrono::Duration::try_days(n)
            .ok_or_else(|| cel::ExecutionError::function_error("days", "out of range"))?;
        Ok(CowVal::owned(CelDuration::from(d)))
    });
    env
}

#[cfg(test)]
mod tests;
