//! The compiled form of a regime's expressions: a three-valued circuit over leaves.
//!
//! `&&`, `||`, `!`, `?:`, block references, `present()`, `open_question()` and `fallback()` are
//! evaluated natively by Kleene's logic ([`Cond`], [`ValueExpr`]); everything else is a
//! [`Leaf`]: a sub-expression with no three-valued structure, evaluated by the CEL interpreter
//! once the facts it reads are known to be present.

use cel::IdedExpr;

use crate::tri::FactSet;

/// Index of a block in the regime.
pub type BlockId = usize;
/// Index of a derived value in the regime.
pub type ValueId = usize;
/// Index of an open question in the regime.
pub type QuestionId = usize;
/// Index of a leaf in the regime.
pub type LeafId = usize;

/// A three-valued condition.
#[derive(Clone, Debug)]
pub enum Cond {
    /// `true` or `false`.
    Const(bool),
    /// All operands hold (n-ary, in source order).
    And(Vec<Cond>),
    /// Some operand holds (n-ary, in source order).
    Or(Vec<Cond>),
    /// Negation.
    Not(Box<Cond>),
    /// Kleene conditional: where the condition is undetermined, the result is still decided if
    /// both branches agree.
    If(Box<Cond>, Box<Cond>, Box<Cond>),
    /// The first operand, or the second where the first is undetermined.
    Fallback(Box<Cond>, Box<Cond>),
    /// A named block.
    Block(BlockId),
    /// An open question of the law: always undetermined.
    Question(QuestionId),
    /// Whether a table whose presence is a fact is present (a presence fact id).
    Present(usize),
    /// A boolean leaf.
    Leaf(LeafId),
}

/// A three-valued value (a date, a number, …).
#[derive(Clone, Debug)]
pub enum ValueExpr {
    /// Kleene conditional.
    If(Cond, Box<ValueExpr>, Box<ValueExpr>),
    /// The first operand, or the second where the first is undetermined.
    Fallback(Box<ValueExpr>, Box<ValueExpr>),
    /// The larger (`max`) or smaller (`min`) of two values, exactly. Where one is undetermined
    /// the result still has a certain bound: `max(x, 5e6)` is at least 5e6 whatever `x` is.
    Extreme(Extreme, Box<ValueExpr>, Box<ValueExpr>),
    /// A leaf producing the value.
    Leaf(LeafId),
}

/// Which of two values [`ValueExpr::Extreme`] takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extreme {
    /// The larger (the later date).
    Max,
    /// The smaller (the earlier date).
    Min,
}

/// A sub-expression evaluated by the CEL interpreter.
#[derive(Clone, Debug)]
pub struct Leaf {
    /// The CEL expression, with numbers made exact ([`crate::exact::rewrite`]).
    pub expr: IdedExpr,
    /// Its source text, for explanations.
    pub text: String,
    /// Facts it reads, outside `has()`.
    pub reads: FactSet,
    /// Facts it tests with `has()`.
    pub tests: FactSet,
    /// Derived values it reads.
    pub values: Vec<ValueId>,
    /// Its native form, if it has one (see [`super::native`]).
    pub native: Option<super::native::NExpr>,
    /// Its worst-case cost in steps (see [`super::budget`]), set once the regime is compiled.
    pub cost: u64,
}

impl Cond {
    /// Every block this condition refers to directly.
    pub fn blocks(&self, out: &mut Vec<BlockId>) {
        match self {
            Cond::Block(b) => out.push(*b),
            Cond::And(xs) | Cond::Or(xs) => xs.iter().for_each(|x| x.blocks(out)),
            Cond::Not(x) => x.blocks(out),
            Cond::If(c, a, b) => {
                c.blocks(out);
                a.blocks(out);
                b.blocks(out);
            }
            Cond::Fallback(a, b) => {
                a.blocks(out);
                b.blocks(out);
            }
            Cond::Const(_) | Cond::Question(_) | Cond::Present(_) | Cond::Leaf(_) => {}
        }
    }

    /// Every leaf of this condition (not through blocks).
    pub fn leaves(&self, out: &mut Vec<LeafId>) {
        match self {
            Cond::Leaf(l) => out.push(*l),
            Cond::And(xs) | Cond::Or(xs) => xs.iter().for_each(|x| x.leaves(out)),
            Cond::Not(x) => x.leaves(out),
            Cond::If(c, a, b) => {
                c.leaves(out);
                a.leaves(out);
                b.leaves(out);
            }
            Cond::Fallback(a, b) => {
                a.leaves(out);
                b.leaves(out);
            }
            Cond::Const(_) | Cond::Question(_) | Cond::Present(_) | Cond::Block(_) => {}
        }
    }
}

impl ValueExpr {
    /// Every block and leaf this value refers to directly.
    pub fn parts(&self, blocks: &mut Vec<BlockId>, leaves: &mut Vec<LeafId>) {
        match self {
            ValueExpr::If(c, a, b) => {
                c.blocks(blocks);
                c.leaves(leaves);
                a.parts(blocks, leaves);
                b.parts(blocks, leaves);
            }
            ValueExpr::Fallback(a, b) | ValueExpr::Extreme(_, a, b) => {
                a.parts(blocks, leaves);
                b.parts(blocks, leaves);
            }
            ValueExpr::Leaf(l) => leaves.push(*l),
        }
    }
}
