//! Evaluates (or validates) profiles many times, for instruction counts under
//! `valgrind --tool=callgrind`, which are repeatable on a noisy machine where times are not:
//!
//! ```sh
//! cargo build --release -p juxta-core --example evaluate_many
//! valgrind --tool=callgrind target/release/examples/evaluate_many evaluate 1000 examples/*.toml
//! ```
//!
//! `evaluate N FILES…` validates each profile once and evaluates the bundled regimes N times;
//! `validate N FILES…` reads and validates each profile N times. BENCHMARKS.md reports the
//! counts per profile. `REGIMES_DIR` points at another `regimes/` folder (to compare two kernels
//! on the same regimes).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a measuring harness"
)]

use std::hint::black_box;
use std::sync::Arc;

use juxta_core::eval::Facts;
use juxta_core::profile::{Format, Profile};
use juxta_core::regime::{Regime, Source, schema_for};

const REGIMES: [&str; 4] = [
    "eu-ai-act-gpai",
    "us-ai-eo-2026",
    "us-ca-sb53",
    "us-ny-raise",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, n, files) = match args.as_slice() {
        [mode, n, files @ ..] if !files.is_empty() => {
            (mode.as_str(), n.parse::<usize>().unwrap(), files)
        }
        _ => {
            eprintln!("usage: evaluate_many evaluate|validate N PROFILE…");
            std::process::exit(2);
        }
    };
    let dir = std::env::var("REGIMES_DIR")
        .unwrap_or_else(|_| format!("{}/../../regimes", env!("CARGO_MANIFEST_DIR")));
    let texts: Vec<String> = REGIMES
        .iter()
        .map(|id| std::fs::read_to_string(format!("{dir}/{id}/regime.toml")).unwrap())
        .collect();
    let schema = Arc::new(schema_for(texts.iter().map(String::as_str)).unwrap());
    let regimes: Vec<Regime> = texts
        .iter()
        .map(|text| {
            Regime::compile(
                &Source {
                    origin: "bundled",
                    text,
                },
                Arc::clone(&schema),
            )
            .unwrap()
        })
        .collect();
    let inputs: Vec<(String, Format)> = files
        .iter()
        .map(|f| (std::fs::read_to_string(f).unwrap(), Format::from_path(f)))
        .collect();
    match mode {
        "validate" => {
            for _ in 0..n {
                for (text, format) in &inputs {
                    black_box(Profile::parse(black_box(text), *format, "p", &schema).unwrap());
                }
            }
        }
        _ => {
            let profiles: Vec<Profile> = inputs
                .iter()
                .map(|(t, f)| Profile::parse(t, *f, "p", &schema).unwrap())
                .collect();
            for _ in 0..n {
                for p in &profiles {
                    let facts = Facts::new(black_box(p), &schema);
                    for r in &regimes {
                        black_box(r.evaluate(&facts, None).unwrap());
                    }
                }
            }
        }
    }
}
