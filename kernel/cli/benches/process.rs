//! Whole-process benchmarks of the `juxta` binary (built by `cargo bench` in release):
//! cold `juxta compare` against the floor of starting the process at all (`juxta --version`),
//! and `juxta batch` throughput with 1 and 2 workers on a generated dataset, with peak memory
//! at growing input sizes. Figures go to BENCHMARKS.md.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark setup")]

use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const JUXTA: &str = env!("CARGO_BIN_EXE_juxta");

fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> std::process::Output {
    let out = Command::new(JUXTA).args(args).output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 3),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn cold(c: &mut Criterion) {
    let mut g = c.benchmark_group("cold_start");
    g.sample_size(30).measurement_time(Duration::from_secs(6));
    g.bench_function("baseline_juxta_version", |b| b.iter(|| run(&["--version"])));
    let profile = repo("examples/closed-frontier.toml");
    g.bench_function("juxta_compare_json", |b| {
        b.iter(|| run(&["compare", &profile, "--format", "json"]))
    });
    // The whole view: what would change each rule, for every rule of every regime.
    g.bench_function("juxta_compare_json_full", |b| {
        b.iter(|| run(&["compare", &profile, "--format", "json", "--full"]))
    });
    g.finish();
}

fn batch(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("juxta-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("profiles.jsonl");
    let output = dir.join("results.jsonl");
    let (input_s, output_s) = (input.to_str().unwrap(), output.to_str().unwrap());

    // Peak memory must not grow with the input: the pipeline holds a fixed number of chunks.
    eprintln!("\npeak memory of `juxta batch` by input size (2 workers):");
    for n in ["10000", "40000", "160000"] {
        run(&["generate", "-n", n, "--seed", "1", "-o", input_s]);
        let size = std::fs::metadata(&input).unwrap().len();
        let out = run(&["batch", input_s, "-o", output_s, "--jobs", "2"]);
        let summary = String::from_utf8_lossy(&out.stderr);
        eprintln!(
            "  {n:>7} profiles, {:>6.1} MB: {}",
            size as f64 / 1e6,
            summary.trim()
        );
    }

    let n = 20_000u64;
    run(&[
        "generate",
        "-n",
        &n.to_string(),
        "--seed",
        "2",
        "-o",
        input_s,
    ]);
    let bytes = std::fs::metadata(&input).unwrap().len();
    let mut g = c.benchmark_group("batch_20000_profiles");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Bytes(bytes));
    for jobs in ["1", "2"] {
        g.bench_function(format!("jsonl_jobs_{jobs}"), |b| {
            b.iter(|| run(&["batch", input_s, "-o", output_s, "--jobs", jobs, "-q"]))
        });
    }
    g.bench_function("parquet_out_jobs_2", |b| {
        let parquet = dir.join("results.parquet");
        let p = parquet.to_str().unwrap();
        b.iter(|| run(&["batch", input_s, "-o", p, "--jobs", "2", "-q"]))
    });
    g.finish();
    eprintln!(
        "(20000 profiles = {:.1} MB; profiles/s = 20000 / time)",
        bytes as f64 / 1e6
    );
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, cold, batch);
criterion_main!(benches);
