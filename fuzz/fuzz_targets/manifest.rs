//! Any bytes as a regime manifest: compiling must never panic, and a manifest that compiles
//! must evaluate the seed profiles, by both paths, to the same statuses.
#![no_main]

mod common;

use std::sync::Arc;

use juxta_core::regime::{Regime, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(regime) = Regime::compile(
        &Source {
            origin: "fuzz",
            text,
        },
        Arc::clone(common::schema()),
    ) {
        for profile in common::profiles() {
            common::evaluate_and_compare(&regime, profile);
        }
    }
});
