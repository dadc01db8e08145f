//! Any bytes as a profile (TOML and JSON): reading and validating must never panic, and a
//! valid profile must evaluate with both bundled regimes, by both paths, to the same statuses.
#![no_main]

mod common;

use juxta_core::profile::{Format, Profile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for format in [Format::Toml, Format::Json] {
        if let Ok(profile) = Profile::parse(text, format, "fuzz", common::schema()) {
            for regime in common::regimes() {
                common::evaluate_and_compare(regime, &profile);
            }
        }
    }
});
