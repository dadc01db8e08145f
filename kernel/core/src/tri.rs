//! Kleene's strong three-valued logic, with the facts and open questions behind each result.
//!
//! Every condition evaluates to an [`Outcome`]: a [`Truth`] plus three small bitsets — the facts
//! that were read to reach it (`used`), and, when it is undetermined, the absent facts and open
//! questions that still matter (`missing`, `open`). The sets are bitsets over the schema's fact
//! ids and the regime's open-question ids, so combining outcomes allocates nothing.

use std::fmt;

/// The status of a condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Truth {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Cannot be decided from the facts given, or the law is unsettled.
    Unknown,
}

impl Truth {
    /// From a boolean.
    pub fn from_bool(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }
}

impl std::ops::Not for Truth {
    type Output = Truth;

    /// Negation (`NOT U = U`).
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// The positions of the set bits, lowest first.
fn ones(mut bits: u128) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if bits == 0 {
            return None;
        }
        let id = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        Some(id)
    })
}

/// A set of fact ids (at most [`FactSet::CAPACITY`] facts in a schema).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FactSet(u128);

impl FactSet {
    /// How many facts a schema may have.
    pub const CAPACITY: usize = 128;

    /// The empty set.
    pub const EMPTY: FactSet = FactSet(0);

    /// The set of one fact.
    pub fn single(id: usize) -> FactSet {
        debug_assert!(id < Self::CAPACITY);
        FactSet(1u128 << id)
    }

    /// Adds a fact.
    pub fn insert(&mut self, id: usize) {
        self.0 |= 1u128 << id;
    }

    /// Whether the set holds `id`.
    pub fn contains(self, id: usize) -> bool {
        self.0 & (1u128 << id) != 0
    }

    /// Union.
    pub fn union(self, other: FactSet) -> FactSet {
        FactSet(self.0 | other.0)
    }

    /// Intersection.
    pub fn intersect(self, other: FactSet) -> FactSet {
        FactSet(self.0 & other.0)
    }

    /// Difference.
    pub fn minus(self, other: FactSet) -> FactSet {
        FactSet(self.0 & !other.0)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The ids, in increasing order.
    pub fn iter(self) -> impl Iterator<Item = usize> {
        ones(self.0)
    }
}

impl fmt::Debug for FactSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// A set of a regime's open-question ids (at most 64 per regime).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct QuestionSet(u64);

impl QuestionSet {
    /// How many open questions a regime may declare.
    pub const CAPACITY: usize = 64;

    /// The empty set.
    pub const EMPTY: QuestionSet = QuestionSet(0);

    /// The set of one question.
    pub fn single(id: usize) -> QuestionSet {
        debug_assert!(id < Self::CAPACITY);
        QuestionSet(1u64 << id)
    }

    /// Union.
    pub fn union(self, other: QuestionSet) -> QuestionSet {
        QuestionSet(self.0 | other.0)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The ids, in increasing order.
    pub fn iter(self) -> impl Iterator<Item = usize> {
        ones(u128::from(self.0))
    }
}

impl fmt::Debug for QuestionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// The result of a condition, with what it rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The status.
    pub truth: Truth,
    /// Present facts read to reach this result (the facts behind the cell).
    pub used: FactSet,
    /// When undetermined: the absent facts that still matter.
    pub missing: FactSet,
    /// When undetermined: the open questions of the law that still matter.
    pub open: QuestionSet,
}

impl Outcome {
    /// A decided result resting on `used`.
    pub fn decided(value: bool, used: FactSet) -> Outcome {
        Outcome {
            truth: Truth::from_bool(value),
            used,
            missing: FactSet::EMPTY,
            open: QuestionSet::EMPTY,
        }
    }

    /// An undetermined result.
    pub fn unknown(missing: FactSet, open: QuestionSet, used: FactSet) -> Outcome {
        Outcome {
            truth: Truth::Unknown,
            used,
            missing,
            open,
        }
    }
}

impl std::ops::Not for Outcome {
    type Output = Outcome;

    /// Negation: the reasons stay the same.
    fn not(self) -> Outcome {
        Outcome {
            truth: !self.truth,
            ..self
        }
    }
}

/// Folds the operands of an n-ary AND or OR, in order, by Kleene's strong logic.
///
/// `dominant` is the value that decides alone (`false` for AND, `true` for OR). The first
/// dominant operand decides and the rest are not evaluated. Otherwise, any undetermined operand
/// makes the result undetermined, with the union of the undetermined operands' missing facts
/// and open questions: those, and only those, are the facts that still matter.
#[inline(always)]
pub fn fold<E>(
    dominant: bool,
    operands: impl IntoIterator<Item = Result<Outcome, E>>,
) -> Result<Outcome, E> {
    let mut used = FactSet::EMPTY;
    let mut missing = FactSet::EMPTY;
    let mut open = QuestionSet::EMPTY;
    let mut unknown = false;
    for operand in operands {
        let o = operand?;
        match o.truth {
            Truth::Unknown => {
                unknown = true;
                missing = missing.union(o.missing);
                open = open.union(o.open);
                used = used.union(o.used);
            }
            t if t == Truth::from_bool(dominant) => return Ok(Outcome::decided(dominant, o.used)),
            _ => used = used.union(o.used),
        }
    }
    Ok(if unknown {
        Outcome::unknown(missing, open, used)
    } else {
        Outcome::decided(!dominant, used)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Result<Outcome, ()> {
        Ok(Outcome::decided(true, FactSet::single(0)))
    }
    fn f() -> Result<Outcome, ()> {
        Ok(Outcome::decided(false, FactSet::single(1)))
    }
    fn u(fact: usize) -> Result<Outcome, ()> {
        Ok(Outcome::unknown(
            FactSet::single(fact),
            QuestionSet::EMPTY,
            FactSet::EMPTY,
        ))
    }

    #[test]
    fn kleene_and_table() {
        assert_eq!(fold(false, [t(), t()]).unwrap().truth, Truth::True);
        assert_eq!(fold(false, [t(), u(5)]).unwrap().truth, Truth::Unknown);
        assert_eq!(fold(false, [f(), u(5)]).unwrap().truth, Truth::False);
        assert_eq!(fold(false, [u(5), f()]).unwrap().truth, Truth::False);
        assert_eq!(fold(false, [u(5), u(6)]).unwrap().truth, Truth::Unknown);
        assert_eq!(fold(false, [f(), f()]).unwrap().truth, Truth::False);
    }

    #[test]
    fn kleene_or_table() {
        assert_eq!(fold(true, [t(), t()]).unwrap().truth, Truth::True);
        assert_eq!(fold(true, [u(5), t()]).unwrap().truth, Truth::True);
        assert_eq!(fold(true, [f(), u(5)]).unwrap().truth, Truth::Unknown);
        assert_eq!(fold(true, [u(5), u(6)]).unwrap().truth, Truth::Unknown);
        assert_eq!(fold(true, [f(), f()]).unwrap().truth, Truth::False);
    }

    #[test]
    fn only_relevant_unknowns_are_missing() {
        let o = fold(false, [u(5), f(), u(6)]).unwrap();
        assert!(
            o.missing.is_empty(),
            "a false conjunct decides: nothing is missing"
        );
        let o = fold(false, [u(5), t(), u(6)]).unwrap();
        assert_eq!(o.missing.iter().collect::<Vec<_>>(), vec![5, 6]);
    }

    #[test]
    fn sets_iterate_in_order() {
        let mut s = FactSet::EMPTY;
        for i in [100, 3, 64, 0] {
            s.insert(i);
        }
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![0, 3, 64, 100]);
    }
}
