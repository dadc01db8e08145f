//! Compiling a manifest into a [`Regime`], phase by phase.
//!
//! A `Compiler` holds the manifest, the schema, the problems found so far and the leaves lowered
//! so far; [`Regime::compile`] runs its phases in the order in which the manifest's items may
//! refer to one another: names are declared before any expression is lowered, computed values
//! are lowered before the rules that name them as deadlines, and costs are estimated once the
//! evaluation order of derived values is known. No phase stops at a problem, so every problem
//! of a manifest is reported at once.
//!
//! - `compiler.rs`: the state the phases share; reading the manifest, and the regime at the end;
//! - `declare.rs`: the header, the namespace, the parameters, and the names an expression may use;
//! - `items.rs`: the expressions of blocks, derived values, computed values and rules, lowered,
//!   and the reason templates of blocks;
//! - `order.rs`: the order in which derived values are evaluated, cycles, reference depth;
//! - `cost.rs`: every leaf's worst-case cost, against the budget.

mod compiler;
mod cost;
mod declare;
mod items;
mod order;

use std::sync::Arc;

use juxta_sdk::manifest::Manifest;

use super::compiled::Regime;
use super::parsed::{ParseCache, Parses};
use super::source::{RegimeError, Source};
use crate::schema::Schema;
use compiler::{Compiler, Items, read};

impl Regime {
    /// Compiles a manifest against a schema.
    ///
    /// Compilation runs on a thread of its own with a large stack
    /// ([`budget::COMPILE_STACK_BYTES`](crate::regime::budget::COMPILE_STACK_BYTES)): the CEL
    /// parser recurses by bracket depth, and every expression is bounded before and after
    /// parsing (see [`budget`](crate::regime::budget)), so no manifest can overflow it. Where
    /// threads are not available (WebAssembly), it runs on the caller's.
    pub fn compile(source: &Source<'_>, schema: Arc<Schema>) -> Result<Regime, RegimeError> {
        Regime::compile_with(source, schema, &mut Parses::default())
    }

    /// Reads a manifest's text: compiling's first phase, for a caller that needs what the
    /// manifest declares ([`super::Declared::of`]) before it can compile it. The text is then
    /// parsed once: [`Regime::compile_read_here`] compiles what this returns.
    pub fn read(source: &Source<'_>) -> Result<Manifest, RegimeError> {
        read(source)
    }

    /// Compiles a manifest already read from `source` by [`Regime::read`], taking the trees
    /// of its expressions from `cache` where it holds them; the same as [`Regime::compile`] of
    /// the text, but on the caller's thread, which must have a stack of at least
    /// [`COMPILE_STACK_BYTES`](crate::regime::budget::COMPILE_STACK_BYTES): for a caller that
    /// compiles regimes on threads of its own (the host, one per regime), so that each
    /// compilation does not start yet another thread (each costs a cold start its stack, its
    /// allocator cache and their page faults).
    pub fn compile_read_here(
        source: &Source<'_>,
        manifest: &Manifest,
        schema: Arc<Schema>,
        cache: Option<ParseCache>,
    ) -> Result<Regime, RegimeError> {
        let mut parses = Parses::using(cache);
        compile_here(source, Some(manifest), schema, &mut parses)
    }

    /// The parse cache of a manifest ([`super::parsed`]): every expression compiling it parses,
    /// with its tree. Parsing does not depend on the schema, but the manifest is compiled
    /// against it, so that every expression is reached; a manifest that does not compile has
    /// no cache.
    pub fn parse_cache(source: &Source<'_>, schema: Arc<Schema>) -> Result<Vec<u8>, RegimeError> {
        let mut parses = Parses {
            cache: None,
            record: Some(Vec::new()),
        };
        Regime::compile_with(source, schema, &mut parses)?;
        let record = parses.record.unwrap_or_default();
        Ok(super::parsed::encode(
            record.iter().map(|(text, parsed)| (text.as_str(), parsed)),
        ))
    }

    fn compile_with(
        source: &Source<'_>,
        schema: Arc<Schema>,
        parses: &mut Parses,
    ) -> Result<Regime, RegimeError> {
        #[cfg(not(target_arch = "wasm32"))]
        {
            let result = std::thread::scope(|scope| {
                std::thread::Builder::new()
                    .name("juxta-compile".into())
                    .stack_size(super::budget::COMPILE_STACK_BYTES)
                    .spawn_scoped(scope, || {
                        compile_here(source, None, Arc::clone(&schema), &mut *parses)
                    })
                    .map(|handle| handle.join())
            });
            match result {
                Ok(Ok(compiled)) => return compiled,
                Ok(Err(_)) => {
                    return Err(RegimeError {
                        origin: source.origin.to_string(),
                        regime: None,
                        problems: vec![(
                            super::source::Problem::new(
                                super::source::Item::whole(super::source::ItemKind::Manifest),
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
        compile_here(source, None, schema, parses)
    }
}

/// Runs the phases, in order, on the caller's thread.
fn compile_here(
    source: &Source<'_>,
    manifest: Option<&Manifest>,
    schema: Arc<Schema>,
    parses: &mut Parses,
) -> Result<Regime, RegimeError> {
    let owned;
    let manifest = match manifest {
        Some(m) => m,
        None => {
            owned = read(source)?;
            &owned
        }
    };
    let mut c = Compiler::new(source, manifest, &schema, parses);
    c.header();
    c.namespace();
    let params = c.parameters();
    let names = c.names(&params);
    let blocks = c.blocks(&names);
    let values = c.values(&names);
    // Before the rules, which name them as deadlines.
    let computed = c.computed(&names);
    let rules = c.rules(&names, &computed);
    let items = Items {
        blocks,
        values,
        computed,
        rules,
    };
    c.reasons(&names, &items.blocks);
    let value_order = c.value_order(&items.blocks, &items.values);
    if c.problems.is_empty() {
        c.budget(&names, &items, &value_order);
    }
    c.finish(params, items, value_order, &schema)
}
