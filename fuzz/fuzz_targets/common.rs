//! What the fuzz targets share: the bundled regimes and a few profiles, compiled once.
//! Each target uses part of it.
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use juxta_core::eval::Facts;
use juxta_core::profile::{Format, Profile};
use juxta_core::regime::{Regime, Source};
use juxta_core::schema::Schema;

const REGIMES: [&str; 4] = [
    include_str!("../../regimes/eu-ai-act-gpai/regime.toml"),
    include_str!("../../regimes/us-ai-eo-2026/regime.toml"),
    include_str!("../../regimes/us-ca-sb53/regime.toml"),
    include_str!("../../regimes/us-ny-raise/regime.toml"),
];

/// The core schema plus the bundled regimes' namespaces (`ca`).
pub fn schema() -> &'static Arc<Schema> {
    static S: OnceLock<Arc<Schema>> = OnceLock::new();
    S.get_or_init(|| {
        Arc::new(juxta_core::regime::schema_for(REGIMES).expect("bundled namespaces fit"))
    })
}

pub fn regimes() -> &'static [Regime] {
    static R: OnceLock<Vec<Regime>> = OnceLock::new();
    R.get_or_init(|| {
        REGIMES
            .iter()
            .map(|text| {
                Regime::compile(
                    &Source {
                        origin: "bundled",
                        text,
                    },
                    Arc::clone(schema()),
                )
                .expect("bundled regimes compile")
            })
            .collect()
    })
}

pub fn profiles() -> &'static [Profile] {
    static P: OnceLock<Vec<Profile>> = OnceLock::new();
    P.get_or_init(|| {
        [
            include_str!("../../examples/closed-frontier.toml"),
            include_str!("../../examples/open-weights-mid.toml"),
            include_str!("../../examples/fine-tune.toml"),
            "schema_version = \"1\"\n[evaluation]\nas_of = 2026-09-01\n",
        ]
        .iter()
        .map(|t| {
            Profile::parse(t, Format::Toml, "seed", schema()).expect("seed profiles are valid")
        })
        .collect()
    })
}

/// Evaluates a profile with a regime by both paths; they must agree on every status.
pub fn evaluate_and_compare(regime: &Regime, profile: &Profile) {
    let facts = Facts::new(profile, schema());
    let fast = regime.evaluate(&facts, None);
    let reference = regime.evaluate_reference(&facts, None);
    if let (Ok(fast), Ok(reference)) = (fast, reference) {
        for (i, rule) in regime.rules.iter().enumerate() {
            assert_eq!(
                fast.rules[i].truth,
                reference.rules[i],
                "rule {} of {}: fast path and interpreter disagree",
                rule.id,
                regime.id()
            );
        }
    }
}
