//! Per-profile evaluation of both bundled regimes, against the floor of parsing the same
//! profile into the typed schema (`juxta_sdk::facts::ModelFacts`), measured in the same run.
//! Figures go to BENCHMARKS.md.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark setup")]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use juxta_core::eval::Facts;
use juxta_core::profile::{Format, Profile};
use juxta_core::regime::{Regime, Source};
use juxta_core::report::RegimeReport;
use juxta_core::schema::Schema;
use juxta_sdk::facts::ModelFacts;

fn repo(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn bench(c: &mut Criterion) {
    let schema = Arc::new(Schema::core());
    let regimes: Vec<Regime> = ["eu-ai-act-gpai", "us-ai-eo-2026"]
        .iter()
        .map(|id| {
            let text = repo(&format!("regimes/{id}/regime.toml"));
            Regime::compile(
                &Source {
                    origin: id,
                    text: &text,
                },
                Arc::clone(&schema),
            )
            .unwrap()
        })
        .collect();
    let text = repo("examples/closed-frontier.toml");
    let profile = Profile::parse(&text, Format::Toml, "p", &schema).unwrap();

    let mut g = c.benchmark_group("per_profile");
    g.bench_function("baseline_typed_parse_toml", |b| {
        b.iter(|| black_box(toml::from_str::<ModelFacts>(black_box(&text)).unwrap()))
    });
    g.bench_function("validate_profile_toml", |b| {
        b.iter(|| black_box(Profile::parse(black_box(&text), Format::Toml, "p", &schema).unwrap()))
    });
    g.bench_function("evaluate_both_regimes", |b| {
        b.iter(|| {
            let facts = Facts::new(black_box(&profile), &schema);
            for r in &regimes {
                black_box(r.evaluate(&facts, None).unwrap());
            }
        })
    });
    g.bench_function("plain_interpreter_both_regimes", |b| {
        b.iter(|| {
            let facts = Facts::new(black_box(&profile), &schema);
            for r in &regimes {
                black_box(r.evaluate_reference(&facts, None).unwrap());
            }
        })
    });
    g.bench_function("evaluate_and_report_both_regimes", |b| {
        b.iter(|| {
            let facts = Facts::new(black_box(&profile), &schema);
            for r in &regimes {
                let ev = r.evaluate(&facts, None).unwrap();
                black_box(RegimeReport::from_evaluation(r, &ev, &facts, "x"));
            }
        })
    });
    g.finish();
    c.bench_function("compile_both_regimes", |b| {
        let texts: Vec<String> = ["eu-ai-act-gpai", "us-ai-eo-2026"]
            .iter()
            .map(|id| repo(&format!("regimes/{id}/regime.toml")))
            .collect();
        b.iter(|| {
            for t in &texts {
                black_box(
                    Regime::compile(
                        &Source {
                            origin: "x",
                            text: t,
                        },
                        Arc::clone(&schema),
                    )
                    .unwrap(),
                );
            }
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(40).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
