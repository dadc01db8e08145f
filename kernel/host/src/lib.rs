//! # juxta-host
//!
//! The plugin host: a wasmtime sandbox in which regime plugins run with no capabilities at all
//! ([`sandbox`]), the regimes bundled in the binary ([`bundled`]), and the set of loaded regimes
//! that evaluates a profile side by side ([`regimes`]).
//!
//! Plugins receive no capability: no WASI, no host imports. A plugin that traps, loops, runs
//! out of memory or returns garbage fails its own column; the others still come out.
#![forbid(unsafe_code)]

pub mod bundled;
pub mod files;
pub mod lock;
pub mod policy;
pub mod regimes;
pub mod sandbox;

pub use regimes::{Entry, LoadedRegime, Origin, PluginSource, RegimeSet};
pub use sandbox::{Limits, Phase, PluginError, Sandbox};
