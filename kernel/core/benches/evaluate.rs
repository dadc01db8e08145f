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

const REGIMES: [&str; 4] = [
    "eu-ai-act-gpai",
    "us-ai-eo-2026",
    "us-ca-sb53",
    "us-ny-raise",
];

fn repo(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The example as JSON of the same shape (dates as strings).
fn to_json(toml_text: &str) -> String {
    fn convert(v: toml::Value) -> serde_json::Value {
        match v {
            toml::Value::Table(t) => t.into_iter().map(|(k, v)| (k, convert(v))).collect(),
            toml::Value::Array(a) => a.into_iter().map(convert).collect(),
            toml::Value::Datetime(d) => d.to_string().into(),
            other => serde_json::to_value(other).unwrap(),
        }
    }
    serde_json::to_string(&convert(toml::from_str(toml_text).unwrap())).unwrap()
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
    let json = to_json(&text);

    let mut g = c.benchmark_group("per_profile");
    g.bench_function("baseline_typed_parse_toml", |b| {
        b.iter(|| black_box(toml::from_str::<ModelFacts>(black_box(&text)).unwrap()))
    });
    g.bench_function("validate_profile_toml", |b| {
        b.iter(|| black_box(Profile::parse(black_box(&text), Format::Toml, "p", &schema).unwrap()))
    });
    g.bench_function("baseline_serde_json_value", |b| {
        b.iter(|| black_box(serde_json::from_str::<serde_json::Value>(black_box(&json)).unwrap()))
    });
    g.bench_function("validate_profile_json", |b| {
        b.iter(|| black_box(Profile::parse(black_box(&json), Format::Json, "p", &schema).unwrap()))
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
    // The comparison every front end shows: the contract alone, and the whole view (which also
    // finds what would change each rule, evaluating the regime again per candidate fact value).
    let columns = || {
        regimes.iter().map(|r| juxta_core::report::Column::Ready {
            regime: r,
            host: None,
            sha256: "x",
        })
    };
    g.bench_function("comparison_contract", |b| {
        b.iter(|| {
            black_box(juxta_core::report::compare(
                black_box(&profile),
                &schema,
                "p",
                columns(),
                false,
            ))
        })
    });
    g.bench_function("comparison_view_with_would_change", |b| {
        b.iter(|| {
            black_box(juxta_core::report::compare(
                black_box(&profile),
                &schema,
                "p",
                columns(),
                true,
            ))
        })
    });
    g.finish();

    // The numeric work of one profile in the bundled regimes (cumulative compute, the one-third
    // test, the three compute thresholds and the modification's, revenue, the fine cap), in IEEE
    // doubles and exactly: what exactness costs where it is spent.
    let mut g = c.benchmark_group("numbers");
    let (base, modification, revenue, turnover) = (2e25_f64, 9e24_f64, 1.35e10_f64, 1.2e10_f64);
    let thresholds = [1e23_f64, 1e25, 1e26];
    g.bench_function("baseline_double_comparisons", |b| {
        b.iter(|| {
            let (base, m) = (black_box(base), black_box(modification));
            let c = base + m;
            let mut n = u32::from(m * 3.0 > base);
            for t in thresholds {
                n += u32::from(c > t) + u32::from(m > t);
            }
            n += u32::from(black_box(revenue) > 5e8);
            black_box((n, (black_box(turnover) * 3.0 / 100.0).max(1.5e7)))
        })
    });
    use juxta_core::number::Number;
    let x = |v: f64| Number::from_f64(v).unwrap();
    let (nb, nm, nr, nt) = (x(base), x(modification), x(revenue), x(turnover));
    let nts: Vec<Number> = thresholds.iter().map(|t| x(*t)).collect();
    let (three, hundred, cap, large) = (x(3.0), x(100.0), x(1.5e7), x(5e8));
    g.bench_function("exact_comparisons", |b| {
        b.iter(|| {
            let (base, m) = (black_box(&nb), black_box(&nm));
            let c = base.add(m);
            let mut n = u32::from(m.mul(&three) > *base);
            for t in &nts {
                n += u32::from(c > *t) + u32::from(m > t);
            }
            n += u32::from(*black_box(&nr) > large);
            let fine = black_box(&nt).mul(&three).div(&hundred).unwrap();
            black_box((n, fine.max(cap.clone())))
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
