//! # juxta-sdk
//!
//! Everything a regime author needs, and everything the kernel shares with plugins:
//!
//! - [`schema`]: the shared model-facts schema (version 1) as data, and [`facts`] as Rust types;
//! - [`manifest`]: the format of `regime.toml`, which a plugin returns from `manifest()`;
//! - [`case`]: the format of regime test cases (`regimes/<id>/tests/*.toml`);
//! - [`WIT`]: the WIT world `juxta:regime@1.0.0` plugins implement;
//! - with the `guest` feature, [`regime!`], which turns a `regime.toml` and optional Rust
//!   functions into a WebAssembly component that imports nothing.
//!
//! A regime author normally writes only `regime.toml`, its cases, and a one-line plugin crate:
//! `juxta_sdk::regime!(include_str!("../../../regimes/my-regime/regime.toml"));` (see [`regime!`]).
#![cfg_attr(not(feature = "guest"), forbid(unsafe_code))]

// The generated guest bindings name this crate by its external path.
#[cfg(feature = "guest")]
extern crate self as juxta_sdk;

pub mod case;
pub mod date;
pub mod facts;
pub mod manifest;
pub mod schema;

#[cfg(feature = "guest")]
pub mod guest;

pub use date::Date;

/// JSON values for custom functions (`serde_json`), so that a plugin crate needs no dependency
/// besides this SDK.
#[cfg(feature = "guest")]
pub use serde_json as json;

/// The WIT world every regime plugin implements.
pub const WIT: &str = include_str!("../wit/regime.wit");

/// The WIT package plugins export, without version.
pub const WIT_PACKAGE: &str = "juxta:regime";

/// The interface a plugin exports, without version.
pub const WIT_INTERFACE: &str = "juxta:regime/plugin";

/// The ABI version this SDK builds and the kernel supports. A kernel loads any plugin with the
/// same major version.
pub const ABI_VERSION: (u64, u64, u64) = (1, 0, 0);
