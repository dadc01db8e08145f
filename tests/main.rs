//! juxta's integration tests: one binary (see matklad's "Delete Cargo Integration Tests").
//!
//! - `authoring`: `regime new`, `lint`, `test` (failures, coverage, JSON, JUnit), `schema`;
//! - `cases`: every regime case against the TOML source and against the bundled plugin;
//! - `bundled`: the bundled plugins are the regimes' manifests, checksummed, importing nothing;
//! - `semantics`: boundaries and three-valued behaviour the inventories specify;
//! - `contract`: the JSON result contract, field for field, and golden reports;
//! - `cli`: the commands as a user runs them, with exit codes;
//! - `batch`: `juxta batch`, JSON Lines and Parquet, ordered, atomic, errors in-band;
//! - `batch_line`: the line a worker writes straight from the evaluation is the record's bytes;
//! - `explain`: `juxta explain`, its condition tree and what changes a rule;
//! - `differential`: the native fast path and the plain CEL interpreter agree;
//! - `plugins`: third-party plugins, pinned in `juxta.lock`;
//! - `sandbox`: hostile plugins fail their own column and nothing else;
//! - `hostile_input`: hostile profiles get a clear error, never a panic;
//! - `limits`: outputs, names, terminal text, file reads, flags and modes the host keeps safe;
//! - `process`: the real executable: hash-seed independence, a batch killed mid-run;
//! - `render`: `juxta render` reproduces `compare`; the crates keep their layering;
//! - `terminal`: the table in a real pseudo-terminal at 80 and 200 columns;
//! - `exports`: state and summary in every format, CSV and iCalendar read by real parsers;
//! - `docs`: the regime-format reference names every manifest field, value and builtin;
//! - `twins`: TOML and JSON spellings of one profile give byte-identical, exact reports.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failure is a test failure"
)]

mod authoring;
mod batch;
mod batch_line;
mod bundled;
mod cases;
mod cli;
mod contract;
mod differential;
mod docs;
mod explain;
mod exports;
mod hostile_input;
mod limits;
mod plugins;
mod process;
mod render;
mod sandbox;
mod semantics;
mod terminal;
mod twins;
