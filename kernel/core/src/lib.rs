//! # juxta-core
//!
//! The evaluation kernel: it turns a regime manifest into compiled, statically checked rules and
//! evaluates them over a validated profile by Kleene's three-valued logic.
//!
//! - [`schema`]: the facts schema with stable fact ids;
//! - [`profile`]: reading and validating profiles (TOML, JSON);
//! - [`regime`]: compiling a manifest (CEL parse, static check, lowering to a circuit);
//! - [`eval`]: evaluating a compiled regime over a profile;
//! - [`number`]: exact numbers, so that legal thresholds are decided on decimal values;
//! - [`report`]: the JSON result contract;
//! - [`cases`]: regime test cases.
//!
//! This crate never depends on wasmtime and never touches the file system or the network:
//! callers hand it text and get values back. Custom functions of plugins are reached through the
//! [`eval::FunctionHost`] trait, which `juxta-host` implements with its sandbox.
#![forbid(unsafe_code)]

pub mod calendar;
pub mod cases;
pub mod diag;
pub mod eval;
pub mod exact;
pub mod explain;
pub mod explanation;
pub mod lint;
pub mod number;
pub mod profile;
pub mod regime;
pub mod report;
pub mod schema;
pub mod status;
pub mod tri;
pub mod value;

/// The kernel's version, reported in every result.
pub const KERNEL_VERSION: &str = env!("CARGO_PKG_VERSION");
