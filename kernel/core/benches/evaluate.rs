//! Per-profile evaluation of the bundled regimes (EU, US, California), against the floor of
//! parsing the same profile into the typed schema (`juxta_sdk::facts::ModelFacts`), measured in
//! the same run.
//! Figures go to BENCHMARKS.md.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark setup")]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use juxta_core::eval::Facts;
use juxta_core::profile::{Format, Profile};
use juxta_core::regime::{Regime, Source, schema_for};
use juxta_core::report::RegimeReport;
use juxta_core::schema::Schema;
use juxta_sdk::facts::ModelFacts;

const REGIMES: [&str; 3] = ["eu-ai-act-gpai", "us-ai-eo-2026", "us-ca-sb53"];

fn repo(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn bench(c: &mut Criterion) {
    let texts: Vec<String> = REGIMES
        .iter()
        .map(|id| repo(&format!("regimes/{id}/regime.toml")))
        .collect();
    let schema: Arc<Schema> = Arc::new(schema_for(texts.iter().map(String::as_str)).unwrap());
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
    let text = repo("examples/closed-frontier.toml");
    let profile = Profile::parse(&text, Format::Toml, "p", &schema).unwrap();

    let mut g = c.benchmark_group("per_profile");
    g.bench_function("baseline_typed_parse_toml", |b| {
        b.iter(|| black_box(toml::from_str::<ModelFacts>(black_box(&text)).unwrap()))
    });
    g.bench_function("validate_profile_toml", |b| {
        b.iter(|| black_box(Profile::parse(black_box(&text), Format::Toml, "p", &schema).unwrap()))
    });
    g.bench_function("evaluate_all_regimes", |b| {
        b.iter(|| {
            let facts = Facts::new(black_box(&profile), &schema);
            for r in &regimes {
                black_box(r.evaluate(&facts, None).unwrap());
            }
        })
    });
    g.bench_function("plain_interpreter_all_regimes", |b| {
        b.iter(|| {
            let facts = Facts::new(black_box(&profile), &schema);
            for r in &regimes {
                black_box(r.evaluate_reference(&facts, None).unwrap());
            }
        })
    });
    g.bench_function("evaluate_and_report_all_regimes", |b| {
        b.iter(|| {
            let facts = Facts::new(black_box(&profile), &schema);
            for r in &regimes {
                let ev = r.evaluate(&facts, None).unwrap();
                black_box(RegimeReport::from_evaluation(r, &ev, &facts, "x"));
            }
        })
    });
    g.finish();
    c.bench_function("compile_all_regimes", |b| {
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
