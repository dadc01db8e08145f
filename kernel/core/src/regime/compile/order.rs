//! The phase that orders derived values so that each is evaluated after everything it reads,
//! through blocks too, and refuses blocks and values that refer to themselves or to one another
//! too deeply.

use std::collections::HashMap;

use super::compiler::Compiler;
use crate::regime::budget;
use crate::regime::compiled::{Block, DerivedValue};
use crate::regime::ir::{BlockId, Leaf, ValueId};
use crate::regime::source::{Item, ItemKind, Problem};

impl Compiler<'_> {
    /// Orders derived values so that each comes after everything it depends on (through blocks
    /// too); refuses blocks and values that depend on themselves (the order is then empty) or
    /// refer to one another deeper than the budget allows.
    pub(super) fn value_order(
        &mut self,
        blocks: &[Block],
        values: &[DerivedValue],
    ) -> Vec<ValueId> {
        match dependency_order(blocks, values, &self.leaves) {
            Ok((order, deepest)) if deepest > budget::MAX_REFERENCE_DEPTH => {
                self.problems.push(Problem::new(
                    Item::whole(ItemKind::Manifest),
                    &format!(
                        "blocks and values refer to one another {deepest} levels deep; the limit is {}",
                        budget::MAX_REFERENCE_DEPTH
                    ),
                ));
                order
            }
            Ok((order, _)) => order,
            Err(cycle) => {
                self.problems.push(Problem::new(
                    cycle[0].clone(),
                    &format!(
                        "circular definition: {}",
                        cycle
                            .iter()
                            .map(Item::to_string)
                            .collect::<Vec<_>>()
                            .join(" → ")
                    ),
                ));
                Vec::new()
            }
        }
    }
}

/// The derived values in an order where each comes after those it reads, and the length of the
/// longest chain of blocks and values referring to one another; a cycle as `Err`.
fn dependency_order(
    blocks: &[Block],
    values: &[DerivedValue],
    leaves: &[Leaf],
) -> Result<(Vec<ValueId>, usize), Vec<Item>> {
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
        Node::Block(b) => Item::new(ItemKind::Block, blocks[b].name.clone()),
        Node::Value(v) => Item::new(ItemKind::Value, values[v].name.clone()),
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
                        let mut cycle: Vec<Item> =
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
