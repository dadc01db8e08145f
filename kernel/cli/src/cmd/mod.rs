//! One file per command: each reads its arguments, calls the library and writes what it
//! returns. Loading, selecting and reading profiles are in [`crate::setup`].

pub mod app;
pub mod batch;
pub mod build;
pub mod compare;
pub mod explain;
pub mod generate;
pub mod lint;
pub mod regime_test;
pub mod regimes;
pub mod render;
pub mod scaffold;
pub mod schema;
