//! Static checks over compiled conditions, for `juxta regime lint`: conditions that can never
//! hold (a contradiction among their blocks) and comprehensions over lists the schema does not
//! bound.
//!
//! "Can never hold" is decided by enumeration. The atoms of a condition (its leaves, with blocks
//! inlined, and `present()` tests) are given every combination of true and false, under two
//! constraints that make the search exact for the shapes regimes use: a leaf reading a fact
//! that a `has()` atom says is absent is undetermined, and comparisons of one fact or derived
//! value with constants must admit a common value (`C > 1e26` and `C <= 1e25` cannot both
//! hold). Open questions are always undetermined. The condition can hold if some combination
//! makes it true, on some date where the parameters change value. Conditions with more than
//! [`MAX_ATOMS`] atoms are not analysed (never reported).

use std::collections::{BTreeSet, HashMap};

use cel::IdedExpr;
use cel::common::ast::Expr;
use juxta_sdk::Date;

use super::compiled::Regime;
use super::ir::{Cond, LeafId};
use super::native::{CmpOp, Lit, NExpr};
use super::source::{Item, ItemKind};
use crate::number::Number;
use crate::tri::Truth;
use crate::value::Value;

/// Conditions with more atoms than this are not analysed (2^n combinations).
pub const MAX_ATOMS: usize = 16;

/// What a comparison atom constrains.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Subject {
    Fact(usize),
    Value(usize),
}

#[derive(Clone, Debug)]
enum Bound {
    Param(usize),
    Const(Number),
}

#[derive(Clone, Debug)]
enum Atom {
    /// A leaf, by its first id among leaves with the same text.
    Leaf {
        text: String,
        reads: Vec<usize>,
        values: Vec<usize>,
        has: Option<usize>,
        cmp: Option<(Subject, CmpOp, Bound)>,
    },
    /// A `present(table)` test (one atom per presence fact).
    Present,
    /// Whether an optional fact that no `has()` atom tests is in the profile (status analysis
    /// only): absent, every leaf reading it is undetermined.
    FactPresent(usize),
    /// Whether a derived value that may be undetermined is known (status analysis only).
    ValueKnown(usize),
}

/// Rules with more atoms than this, absence atoms included, get no status analysis.
pub const MAX_STATUS_ATOMS: usize = 20;

/// The result of asking whether a condition can ever hold.
#[derive(Clone, Debug, PartialEq)]
pub enum Satisfiable {
    /// Some facts make it true.
    Yes,
    /// No facts make it true; the named parts contradict each other (block names or leaf
    /// texts), or the whole condition when no smaller part does.
    Never(Vec<String>),
    /// Too many atoms to decide.
    Unknown,
}

struct Space<'r> {
    regime: &'r Regime,
    atoms: Vec<Atom>,
    /// The atom of each leaf and presence fact met, found once while collecting: evaluation
    /// runs for every assignment and must not search.
    leaf_atom: HashMap<LeafId, usize>,
    present_atom: HashMap<usize, usize>,
    dates: Vec<Date>,
}

fn truth(b: bool) -> Truth {
    if b { Truth::True } else { Truth::False }
}

fn number(v: &Value) -> Option<Number> {
    match v {
        Value::Number(n) => Some(n.clone()),
        Value::Integer(i) => Some(Number::from_i64(*i)),
        Value::Date(d) => Some(Number::from_i64(d.days_since_epoch())),
        _ => None,
    }
}

fn bound_of(e: &NExpr) -> Option<Bound> {
    match e {
        NExpr::Param(p) => Some(Bound::Param(*p)),
        NExpr::Lit(Lit::Num(n)) => Some(Bound::Const(n.clone())),
        NExpr::Lit(Lit::Int(i)) => Some(Bound::Const(Number::from_i64(*i))),
        _ => None,
    }
}

fn subject_of(e: &NExpr) -> Option<Subject> {
    match e {
        NExpr::Fact(f) => Some(Subject::Fact(*f)),
        NExpr::Value(v) => Some(Subject::Value(*v)),
        _ => None,
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

fn negate(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Ge => CmpOp::Lt,
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
    }
}

/// Whether constraints `x op k` on one subject admit a common value (exactly: the constants
/// are exact numbers, dates as day numbers).
fn feasible(constraints: &[(CmpOp, Number)]) -> bool {
    // (value, strict) lower and upper bounds; `None` is unbounded.
    let mut lo: Option<(&Number, bool)> = None;
    let mut hi: Option<(&Number, bool)> = None;
    let mut equal: Option<&Number> = None;
    let mut not_equal = Vec::new();
    for (op, k) in constraints {
        match op {
            CmpOp::Gt if lo.is_none_or(|(l, strict)| k > l || (k == l && !strict)) => {
                lo = Some((k, true))
            }
            CmpOp::Ge if lo.is_none_or(|(l, _)| k > l) => lo = Some((k, false)),
            CmpOp::Lt if hi.is_none_or(|(h, strict)| k < h || (k == h && !strict)) => {
                hi = Some((k, true))
            }
            CmpOp::Le if hi.is_none_or(|(h, _)| k < h) => hi = Some((k, false)),
            CmpOp::Eq => {
                if equal.is_some_and(|e| e != k) {
                    return false;
                }
                equal = Some(k);
            }
            CmpOp::Ne => not_equal.push(k),
            _ => {}
        }
    }
    if let Some(e) = equal {
        let above = lo.is_none_or(|(l, strict)| e > l || (e == l && !strict));
        let below = hi.is_none_or(|(h, strict)| e < h || (e == h && !strict));
        return above && below && !not_equal.contains(&e);
    }
    // Any non-empty interval of reals avoids finitely many excluded points, unless it is a
    // single point.
    match (lo, hi) {
        (Some((l, ls)), Some((h, hs))) => {
            l < h || (l == h && !ls && !hs && !not_equal.contains(&l))
        }
        _ => true,
    }
}

impl<'r> Space<'r> {
    fn new(regime: &'r Regime) -> Space<'r> {
        let mut dates: BTreeSet<Date> = BTreeSet::new();
        for p in &regime.params {
            for v in &p.values {
                if let Some(d) = v.from {
                    dates.insert(d);
                }
            }
        }
        let mut dates: Vec<Date> = dates.into_iter().collect();
        if dates.is_empty() {
            // No parameter changes value: any day will do.
            dates.extend(Date::new(2000, 1, 1).ok());
        }
        Space {
            regime,
            atoms: Vec::new(),
            leaf_atom: HashMap::new(),
            present_atom: HashMap::new(),
            dates,
        }
    }

    /// The atom of a leaf: leaves with the same text are one atom.
    fn atom_of_leaf(&mut self, l: LeafId) -> usize {
        if let Some(&i) = self.leaf_atom.get(&l) {
            return i;
        }
        let leaf = &self.regime.leaves[l];
        if let Some(i) = self
            .atoms
            .iter()
            .position(|a| matches!(a, Atom::Leaf { text, .. } if *text == leaf.text))
        {
            self.leaf_atom.insert(l, i);
            return i;
        }
        let (has, cmp) = match &leaf.native {
            Some(NExpr::Has(f)) => (Some(*f), None),
            Some(NExpr::Cmp(op, a, b)) => {
                let cmp = match (subject_of(a), bound_of(b), subject_of(b), bound_of(a)) {
                    (Some(s), Some(k), _, _) => Some((s, *op, k)),
                    (_, _, Some(s), Some(k)) => Some((s, flip(*op), k)),
                    _ => None,
                };
                (None, cmp)
            }
            _ => (None, None),
        };
        self.atoms.push(Atom::Leaf {
            text: leaf.text.clone(),
            reads: leaf.reads.iter().collect(),
            values: leaf.values.clone(),
            has,
            cmp,
        });
        self.leaf_atom.insert(l, self.atoms.len() - 1);
        self.atoms.len() - 1
    }

    fn atom_of_present(&mut self, id: usize) -> usize {
        if let Some(&i) = self.present_atom.get(&id) {
            return i;
        }
        self.atoms.push(Atom::Present);
        self.present_atom.insert(id, self.atoms.len() - 1);
        self.atoms.len() - 1
    }

    /// Registers the atoms of a condition, blocks inlined.
    fn collect(&mut self, c: &Cond, depth: usize) {
        if depth > 64 {
            return;
        }
        match c {
            Cond::And(xs) | Cond::Or(xs) => xs.iter().for_each(|x| self.collect(x, depth + 1)),
            Cond::Not(x) => self.collect(x, depth + 1),
            Cond::If(a, b, d) => {
                self.collect(a, depth + 1);
                self.collect(b, depth + 1);
                self.collect(d, depth + 1);
            }
            Cond::Fallback(a, b) => {
                self.collect(a, depth + 1);
                self.collect(b, depth + 1);
            }
            Cond::Block(b) => {
                if let Some(block) = self.regime.blocks.get(*b) {
                    self.collect(&block.cond, depth + 1);
                }
            }
            Cond::Leaf(l) => {
                self.atom_of_leaf(*l);
            }
            Cond::Present(id) => {
                self.atom_of_present(*id);
            }
            Cond::Const(_) | Cond::Question(_) => {}
        }
    }

    /// The value of every atom under `bits`, or `None` if the assignment is impossible.
    fn values(&self, bits: u32, date: Date) -> Option<Vec<Truth>> {
        let bit = |i: usize| bits & (1 << i) != 0;
        let absent: Vec<usize> = self
            .atoms
            .iter()
            .enumerate()
            .filter_map(|(i, a)| match a {
                Atom::Leaf { has: Some(f), .. } | Atom::FactPresent(f) if !bit(i) => Some(*f),
                _ => None,
            })
            .collect();
        let unknown_values: Vec<usize> = self
            .atoms
            .iter()
            .enumerate()
            .filter_map(|(i, a)| match a {
                Atom::ValueKnown(v) if !bit(i) => Some(*v),
                _ => None,
            })
            .collect();
        let mut out = Vec::with_capacity(self.atoms.len());
        let mut groups: Vec<(Subject, Vec<(CmpOp, Number)>)> = Vec::new();
        for (i, a) in self.atoms.iter().enumerate() {
            let t = match a {
                Atom::Present | Atom::FactPresent(_) | Atom::ValueKnown(_) => truth(bit(i)),
                Atom::Leaf { has: Some(_), .. } => truth(bit(i)),
                Atom::Leaf {
                    reads, values, cmp, ..
                } => {
                    if reads.iter().any(|f| absent.contains(f))
                        || values.iter().any(|v| unknown_values.contains(v))
                    {
                        Truth::Unknown
                    } else {
                        if let Some((s, op, k)) = cmp {
                            let k = match k {
                                Bound::Const(c) => Some(c.clone()),
                                Bound::Param(p) => self
                                    .regime
                                    .params
                                    .get(*p)
                                    .and_then(|p| number(&p.at(date).value)),
                            };
                            if let Some(k) = k {
                                let op = if bit(i) { *op } else { negate(*op) };
                                match groups.iter_mut().find(|(g, _)| g == s) {
                                    Some((_, list)) => list.push((op, k)),
                                    None => groups.push((*s, vec![(op, k)])),
                                }
                            }
                        }
                        truth(bit(i))
                    }
                }
            };
            out.push(t);
        }
        groups.iter().all(|(_, list)| feasible(list)).then_some(out)
    }

    fn eval(&self, c: &Cond, v: &[Truth], depth: usize) -> Truth {
        if depth > 64 {
            return Truth::Unknown;
        }
        match c {
            Cond::Const(b) => truth(*b),
            Cond::And(xs) => {
                let mut acc = Truth::True;
                for x in xs {
                    match self.eval(x, v, depth + 1) {
                        Truth::False => return Truth::False,
                        Truth::Unknown => acc = Truth::Unknown,
                        Truth::True => {}
                    }
                }
                acc
            }
            Cond::Or(xs) => {
                let mut acc = Truth::False;
                for x in xs {
                    match self.eval(x, v, depth + 1) {
                        Truth::True => return Truth::True,
                        Truth::Unknown => acc = Truth::Unknown,
                        Truth::False => {}
                    }
                }
                acc
            }
            Cond::Not(x) => match self.eval(x, v, depth + 1) {
                Truth::True => Truth::False,
                Truth::False => Truth::True,
                Truth::Unknown => Truth::Unknown,
            },
            Cond::If(c, a, b) => match self.eval(c, v, depth + 1) {
                Truth::True => self.eval(a, v, depth + 1),
                Truth::False => self.eval(b, v, depth + 1),
                Truth::Unknown => {
                    let (x, y) = (self.eval(a, v, depth + 1), self.eval(b, v, depth + 1));
                    if x == y { x } else { Truth::Unknown }
                }
            },
            Cond::Fallback(a, b) => match self.eval(a, v, depth + 1) {
                Truth::Unknown => self.eval(b, v, depth + 1),
                t => t,
            },
            Cond::Block(b) => self
                .regime
                .blocks
                .get(*b)
                .map_or(Truth::Unknown, |block| self.eval(&block.cond, v, depth + 1)),
            Cond::Question(_) => Truth::Unknown,
            Cond::Present(id) => self.present_atom.get(id).map_or(Truth::Unknown, |&i| v[i]),
            Cond::Leaf(l) => self.leaf_atom.get(l).map_or(Truth::Unknown, |&i| v[i]),
        }
    }

    /// Adds the atoms that let the search leave facts out: one per optional fact read that no
    /// `has()` atom tests, one per derived value that may be undetermined.
    fn add_absence_atoms(&mut self) {
        let schema = self.regime.schema();
        let tested: Vec<usize> = self
            .atoms
            .iter()
            .filter_map(|a| match a {
                Atom::Leaf { has: Some(f), .. } => Some(*f),
                _ => None,
            })
            .collect();
        let mut facts: Vec<usize> = Vec::new();
        let mut values: Vec<usize> = Vec::new();
        for a in &self.atoms {
            if let Atom::Leaf {
                reads, values: vs, ..
            } = a
            {
                facts.extend(reads.iter().copied());
                values.extend(vs.iter().copied());
            }
        }
        facts.sort_unstable();
        facts.dedup();
        values.sort_unstable();
        values.dedup();
        for f in facts {
            if !tested.contains(&f) && !schema.fact(f).required {
                self.atoms.push(Atom::FactPresent(f));
            }
        }
        for v in values {
            let mut r = super::reach::Reach::default();
            self.regime.reach_value_of(v, &mut r);
            if r.can_be_undetermined(self.regime) {
                self.atoms.push(Atom::ValueKnown(v));
            }
        }
    }

    /// Whether some assignment on some date makes every condition true at once.
    fn can_all_hold(&self, conds: &[&Cond]) -> bool {
        let n = self.atoms.len();
        self.dates.iter().any(|&date| {
            (0..(1u32 << n)).any(|bits| {
                self.values(bits, date)
                    .is_some_and(|v| conds.iter().all(|c| self.eval(c, &v, 0) == Truth::True))
            })
        })
    }
}

/// The conjuncts of a condition, through blocks whose condition is itself a conjunction.
fn conjuncts<'c>(regime: &'c Regime, c: &'c Cond, out: &mut Vec<&'c Cond>, depth: usize) {
    match c {
        Cond::And(xs) if depth < 16 => xs.iter().for_each(|x| conjuncts(regime, x, out, depth + 1)),
        Cond::Block(b) if depth < 16 => match regime.blocks.get(*b).map(|bl| &bl.cond) {
            Some(inner @ Cond::And(_)) => conjuncts(regime, inner, out, depth + 1),
            _ => out.push(c),
        },
        _ => out.push(c),
    }
}

fn label(regime: &Regime, c: &Cond) -> String {
    match c {
        Cond::Block(b) => regime
            .blocks
            .get(*b)
            .map(|b| b.name.clone())
            .unwrap_or_default(),
        Cond::Leaf(l) => regime.leaves[*l].text.clone(),
        Cond::Not(x) => format!("!{}", label(regime, x)),
        Cond::Question(q) => regime
            .questions
            .get(*q)
            .map(|q| format!("open_question(\"{}\")", q.id))
            .unwrap_or_default(),
        Cond::Const(b) => b.to_string(),
        _ => "(…)".into(),
    }
}

/// The statuses a rule can take: `[applies, does not apply, undetermined]`.
pub type Reachable = [bool; 3];

impl Regime {
    /// The statuses rule `index` can take over every profile and day, found by the same exact
    /// search as [`Regime::rule_satisfiable`] with facts also allowed to be absent: `None` when
    /// the rule has too many atoms to search, or calls a custom function.
    pub fn rule_statuses(&self, index: usize) -> Option<Reachable> {
        let rule = self.rules.get(index)?;
        let reach = self.rule_reach(index)?;
        if reach.calls {
            return None;
        }
        let mut space = Space::new(self);
        space.collect(&rule.cond, 0);
        space.add_absence_atoms();
        let n = space.atoms.len();
        if n > MAX_STATUS_ATOMS {
            return None;
        }
        let mut seen = [false; 3];
        for &date in &space.dates {
            for bits in 0..(1u32 << n) {
                if let Some(v) = space.values(bits, date) {
                    let slot = match space.eval(&rule.cond, &v, 0) {
                        Truth::True => 0,
                        Truth::False => 1,
                        Truth::Unknown => 2,
                    };
                    seen[slot] = true;
                    if seen == [true; 3] {
                        return Some(seen);
                    }
                }
            }
        }
        Some(seen)
    }

    /// Whether rule `index`'s condition can ever hold, and if not, what contradicts.
    pub fn rule_satisfiable(&self, index: usize) -> Satisfiable {
        let Some(rule) = self.rules.get(index) else {
            return Satisfiable::Unknown;
        };
        let mut space = Space::new(self);
        space.collect(&rule.cond, 0);
        if space.atoms.len() > MAX_ATOMS {
            return Satisfiable::Unknown;
        }
        if space.can_all_hold(&[&rule.cond]) {
            return Satisfiable::Yes;
        }
        let mut parts = Vec::new();
        conjuncts(self, &rule.cond, &mut parts, 0);
        for (i, a) in parts.iter().enumerate() {
            if !space.can_all_hold(&[a]) {
                return Satisfiable::Never(vec![label(self, a)]);
            }
            for b in &parts[i + 1..] {
                if !space.can_all_hold(&[a, b]) {
                    return Satisfiable::Never(vec![label(self, a), label(self, b)]);
                }
            }
        }
        Satisfiable::Never(vec![rule.source.clone()])
    }

    /// Comprehensions over a list whose length the schema does not bound (not a fact, a
    /// parameter or a list literal), as `(item, expression text)`.
    pub fn unbounded_comprehensions(&self) -> Vec<(Item, String)> {
        let mut out = Vec::new();
        let owners = self.leaf_owners();
        for (l, leaf) in self.leaves.iter().enumerate() {
            let mut ranges = Vec::new();
            unbounded_ranges(&leaf.expr, &mut ranges, 0);
            for _ in ranges {
                out.push((
                    owners
                        .get(l)
                        .cloned()
                        .flatten()
                        .unwrap_or_else(|| Item::whole(ItemKind::Manifest)),
                    leaf.text.clone(),
                ));
            }
        }
        out
    }

    /// The item (`block X`, `rule Y`, `value Z`, `computed W`) each leaf belongs to.
    fn leaf_owners(&self) -> Vec<Option<Item>> {
        let mut owners: Vec<Option<Item>> = vec![None; self.leaves.len()];
        let mut mark = |c: &Cond, name: Item| {
            let mut leaves = Vec::new();
            c.leaves(&mut leaves);
            for l in leaves {
                if let Some(o) = owners.get_mut(l)
                    && o.is_none()
                {
                    *o = Some(name.clone());
                }
            }
        };
        for b in &self.blocks {
            mark(&b.cond, Item::new(ItemKind::Block, &b.name));
        }
        for r in &self.rules {
            mark(&r.cond, Item::new(ItemKind::Rule, &r.id));
        }
        for c in &self.computed {
            mark(&c.when, Item::new(ItemKind::Computed, &c.name));
        }
        owners
    }
}

/// Collects comprehension ranges that are not a selection of a fact or parameter, an
/// identifier (a comprehension variable of an enclosing, bounded comprehension) or a list
/// literal.
fn unbounded_ranges(e: &IdedExpr, out: &mut Vec<()>, depth: usize) {
    if depth > 64 {
        return;
    }
    match &e.expr {
        Expr::Comprehension(c) => {
            let bounded = matches!(
                &c.iter_range.expr,
                Expr::Select(_) | Expr::List(_) | Expr::Ident(_)
            );
            if !bounded {
                out.push(());
            }
            unbounded_ranges(&c.iter_range, out, depth + 1);
            unbounded_ranges(&c.loop_step, out, depth + 1);
            unbounded_ranges(&c.loop_cond, out, depth + 1);
        }
        Expr::Call(call) => {
            if let Some(t) = &call.target {
                unbounded_ranges(t, out, depth + 1);
            }
            for a in &call.args {
                unbounded_ranges(a, out, depth + 1);
            }
        }
        Expr::Select(s) => unbounded_ranges(&s.operand, out, depth + 1),
        Expr::List(l) => l
            .elements
            .iter()
            .for_each(|x| unbounded_ranges(x, out, depth + 1)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{CmpOp, feasible};
    use crate::number::Number;

    fn c(list: &[(CmpOp, f64)]) -> Vec<(CmpOp, Number)> {
        list.iter()
            .map(|(op, k)| (*op, Number::from_f64(*k).unwrap()))
            .collect()
    }

    fn feasible_f(list: &[(CmpOp, f64)]) -> bool {
        feasible(&c(list))
    }

    #[test]
    fn comparison_constraints_are_intersected() {
        assert!(feasible_f(&[(CmpOp::Gt, 1e26), (CmpOp::Le, 2e26)]));
        assert!(!feasible_f(&[(CmpOp::Gt, 1e26), (CmpOp::Le, 1e25)]));
        assert!(!feasible_f(&[(CmpOp::Gt, 1e26), (CmpOp::Le, 1e26)]));
        assert!(feasible_f(&[(CmpOp::Ge, 1e26), (CmpOp::Le, 1e26)]));
        assert!(!feasible_f(&[
            (CmpOp::Ge, 5.0),
            (CmpOp::Le, 5.0),
            (CmpOp::Ne, 5.0)
        ]));
        assert!(!feasible_f(&[(CmpOp::Eq, 1.0), (CmpOp::Eq, 2.0)]));
        assert!(feasible_f(&[(CmpOp::Eq, 1.0), (CmpOp::Ge, 1.0)]));
    }
}
