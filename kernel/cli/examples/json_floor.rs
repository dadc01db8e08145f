//! The floor `juxta batch` is measured against (BENCHMARKS.md, issue 17): read JSON Lines,
//! parse each line with `serde_json` into a `Value`, and write one record of a given size per
//! line, in input order, with 1 or more workers. Everything `batch` must do besides deciding the
//! law: no validation, no evaluation, no result to build.
//!
//! `json_floor INPUT OUTPUT RECORD_BYTES JOBS`
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark tool")]

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

// The same allocator as `juxta` built with the same features, so that the ratio measures the
// work and not the allocator.
#[cfg(all(feature = "mimalloc", not(feature = "jemalloc")))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const CHUNK: usize = 256;

fn record(line: usize, text: &str, bytes: usize, out: &mut Vec<u8>) {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => serde_json::Value::String(e.to_string()),
    };
    // A record of the given size: the parsed value written back, padded.
    let start = out.len();
    out.extend_from_slice(format!("{{\"line\":{line},\"value\":").as_bytes());
    serde_json::to_writer(&mut *out, &value).unwrap();
    out.extend_from_slice(b",\"pad\":\"");
    let written = out.len() - start + 3;
    out.extend(std::iter::repeat_n(b'x', bytes.saturating_sub(written)));
    out.extend_from_slice(b"\"}\n");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output, bytes, jobs] = args.as_slice() else {
        eprintln!("usage: json_floor INPUT OUTPUT RECORD_BYTES JOBS");
        std::process::exit(2);
    };
    let bytes: usize = bytes.parse().unwrap();
    let jobs: usize = jobs.parse::<usize>().unwrap().max(1);
    // As `batch` reads and writes: a 1 MiB read buffer, chunks of 256 lines, at most
    // 2 × jobs + 2 chunks in flight each way, written in input order.
    let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(input).unwrap());
    let mut writer = BufWriter::with_capacity(1 << 16, std::fs::File::create(output).unwrap());
    let (job_tx, job_rx) = sync_channel::<(usize, Vec<(usize, String)>)>(2 * jobs + 2);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, done_rx) = sync_channel::<(usize, Vec<u8>)>(2 * jobs + 2);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let (job_rx, done_tx) = (Arc::clone(&job_rx), done_tx.clone());
            scope.spawn(move || {
                loop {
                    let next = job_rx.lock().unwrap().recv();
                    let Ok((n, lines)) = next else { break };
                    let mut out = Vec::with_capacity(lines.len() * (bytes + 1));
                    for (line, text) in &lines {
                        record(*line, text, bytes, &mut out);
                    }
                    if done_tx.send((n, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        scope.spawn(move || {
            let mut chunk = Vec::with_capacity(CHUNK);
            let mut n = 0;
            for (i, line) in reader.lines().enumerate() {
                chunk.push((i + 1, line.unwrap()));
                if chunk.len() == CHUNK {
                    job_tx.send((n, std::mem::take(&mut chunk))).unwrap();
                    n += 1;
                }
            }
            if !chunk.is_empty() {
                job_tx.send((n, chunk)).unwrap();
            }
        });
        // In input order.
        let mut pending = std::collections::BTreeMap::new();
        let mut next = 0;
        for (n, out) in done_rx {
            pending.insert(n, out);
            while let Some(out) = pending.remove(&next) {
                writer.write_all(&out).unwrap();
                writer.flush().unwrap();
                next += 1;
            }
        }
    });
    writer.flush().unwrap();
}
