//! juxta's integration tests: one binary (see matklad's "Delete Cargo Integration Tests").
//!
//! - `cases`: every regime case against the TOML source and against the bundled plugin;
//! - `bundled`: the bundled plugins are the regimes' manifests, checksummed, importing nothing;
//! - `semantics`: boundaries and three-valued behaviour the inventories specify;
//! - `contract`: the JSON result contract, field for field, and golden reports;
//! - `cli`: the commands as a user runs them, with exit codes;
//! - `sandbox`: hostile plugins fail their own column and nothing else.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failure is a test failure"
)]

mod batch;
mod bundled;
mod cases;
mod cli;
mod contract;
mod differential;
mod hostile_input;
mod plugins;
mod sandbox;
mod semantics;
