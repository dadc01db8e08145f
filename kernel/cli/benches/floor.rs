//! `juxta batch` against its floor (BENCHMARKS.md, "Close to the floor"): the same 200,000
//! generated profiles through `juxta batch` and through `json_floor` (the example beside this
//! crate: read each line, parse it with serde_json, write a record of the same size, in order,
//! with the same number of workers), at 1 and 2 jobs, in one run.
//!
//! `JUXTA_FLOOR_PROFILES` changes the count. `JUXTA_ALLOCATORS="glibc=PATH mimalloc=PATH …"`
//! adds the same batch run by other builds of the binary (`scripts/allocators.sh` builds them),
//! so that allocators are compared in the same run.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark setup")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const JUXTA: &str = env!("CARGO_BIN_EXE_juxta");

/// The floor program, built beside the benchmark by `cargo bench` (`--example json_floor`).
fn floor_binary() -> PathBuf {
    let exe = Path::new(JUXTA);
    let floor = exe.parent().unwrap().join("examples").join("json_floor");
    assert!(
        floor.is_file(),
        "build the floor first: cargo build --release -p juxta-cli --example json_floor"
    );
    floor
}

fn run(program: &Path, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{} {args:?}: {}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn floor(c: &mut Criterion) {
    let n: u64 = std::env::var("JUXTA_FLOOR_PROFILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let dir = std::env::temp_dir().join(format!("juxta-floor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("profiles.jsonl");
    let output = dir.join("results.jsonl");
    let (input_s, output_s) = (input.to_str().unwrap(), output.to_str().unwrap());
    run(
        Path::new(JUXTA),
        &[
            "generate",
            "-n",
            &n.to_string(),
            "--seed",
            "2",
            "-o",
            input_s,
        ],
    );
    // The floor writes records of the size juxta's are, on average.
    run(
        Path::new(JUXTA),
        &["batch", input_s, "-o", output_s, "--jobs", "2", "-q"],
    );
    let record_bytes = std::fs::metadata(&output).unwrap().len() / n;
    let record_bytes = (record_bytes.saturating_sub(1)).to_string();
    let bytes = std::fs::metadata(&input).unwrap().len();
    eprintln!(
        "\n{n} profiles, {:.1} MB in; output records of {record_bytes} bytes and a newline",
        bytes as f64 / 1e6
    );

    let floor = floor_binary();
    let others: Vec<(String, PathBuf)> = std::env::var("JUXTA_ALLOCATORS")
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), PathBuf::from(v)))
        .collect();
    let mut g = c.benchmark_group(format!("batch_vs_floor_{n}"));
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.throughput(Throughput::Elements(n));
    for jobs in ["1", "2"] {
        g.bench_function(format!("floor_jobs_{jobs}"), |b| {
            b.iter(|| run(&floor, &[input_s, output_s, &record_bytes, jobs]))
        });
        g.bench_function(format!("juxta_batch_jobs_{jobs}"), |b| {
            b.iter(|| {
                run(
                    Path::new(JUXTA),
                    &["batch", input_s, "-o", output_s, "--jobs", jobs, "-q"],
                )
            })
        });
        for (name, exe) in &others {
            g.bench_function(format!("juxta_batch_{name}_jobs_{jobs}"), |b| {
                b.iter(|| {
                    run(
                        exe,
                        &["batch", input_s, "-o", output_s, "--jobs", jobs, "-q"],
                    )
                })
            });
        }
    }
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, floor);
criterion_main!(benches);
