//! The batch pipeline: one reader, N workers, one writer, bounded memory, input order kept.
//!
//! The reader cuts the input into chunks (at most [`CHUNK`] records, fewer when the input
//! pauses) and numbers them; workers evaluate chunks in parallel, each with its own plugin
//! instances; the writer (the calling thread) writes chunks strictly in input order. A fixed
//! number of credits bounds how many chunks are in flight, so memory does not grow with the
//! input, and the output is byte-identical whatever the number of workers.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread;

use super::input::{Input, Source};
use super::output::{Sink, Stop};
use super::record::BatchRecord;

/// Records per chunk, at most.
pub const CHUNK: usize = 256;

/// Input bytes per chunk: a chunk closes once it holds this much, so chunks of large records
/// hold few of them. With at most `2 × jobs + 2` chunks in flight, input held in memory is at
/// most `(2 × jobs + 2) × (CHUNK_BYTES + --max-record-bytes)`, whatever the record size: 30 MiB
/// at two jobs and the default 4 MiB records, where 256-record chunks of such records would
/// hold 6 GiB.
pub const CHUNK_BYTES: usize = 1 << 20;

/// What a run did.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Records written.
    pub records: u64,
    /// Records (or their regimes) that failed, in-band.
    pub failed: u64,
    /// Input bytes read.
    pub bytes: u64,
    /// The input's columns that hold no fact and were not passed through, left out
    /// ([`super::input::Source::ignored_columns`]).
    pub ignored_columns: Vec<String>,
}

/// What a worker made of one input.
pub enum Emit {
    /// A record, for the sink (or for [`Render`] to write).
    Record(BatchRecord),
    /// The record's JSON line, already written into the chunk's bytes; whether it failed.
    Written {
        /// Whether the record, or one of its regimes, failed.
        failed: bool,
    },
}

/// One worker's evaluation: given an input and the chunk's JSON bytes, which it may write the
/// record's line into itself ([`Emit::Written`]).
pub type Work<'a> = Box<dyn FnMut(&Input, &mut Vec<u8>) -> Emit + Send + 'a>;

/// Per-worker state: how to evaluate (built once per worker thread).
pub type WorkerFactory<'a> = dyn Fn() -> Work<'a> + Sync + 'a;

/// How a worker renders a record as JSON lines, each with its newline (both layouts write the
/// records' text in the workers, so the writer only copies bytes).
pub type Render<'a> = dyn Fn(&BatchRecord, &mut Vec<u8>) + Sync + 'a;

/// A chunk done: its sequence number, its records (when the sink needs them), its JSON lines,
/// how many records it holds and how many failed.
struct Done {
    seq: u64,
    records: Vec<BatchRecord>,
    json: Vec<u8>,
    count: u64,
    failed: u64,
}

/// Runs the pipeline; `render`, if given, turns each record into the sink's JSON lines;
/// `progress` is told the records and bytes done after each chunk.
pub fn run(
    mut source: Box<dyn Source + '_>,
    jobs: usize,
    worker: &WorkerFactory<'_>,
    sink: &mut dyn Sink,
    render: Option<&Render<'_>>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Stats, Stop> {
    let jobs = jobs.max(1);
    let window = 2 * jobs + 2;
    let (credit_tx, credit_rx) = sync_channel::<()>(window);
    for _ in 0..window {
        let _ = credit_tx.send(());
    }
    let (job_tx, job_rx) = channel::<(u64, Vec<Input>)>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, done_rx) = channel::<Done>();
    let bytes = AtomicU64::new(0);
    let fatal: Mutex<Option<String>> = Mutex::new(None);

    let stats = thread::scope(|scope| -> Result<Stats, Stop> {
        let (bytes, fatal) = (&bytes, &fatal);
        scope.spawn(move || {
            let mut seq = 0u64;
            while credit_rx.recv().is_ok() {
                match source.next_chunk(CHUNK, CHUNK_BYTES) {
                    Ok(chunk) if chunk.is_empty() => break,
                    Ok(chunk) => {
                        bytes.store(source.bytes_read(), Ordering::Relaxed);
                        if job_tx.send((seq, chunk)).is_err() {
                            break;
                        }
                        seq += 1;
                    }
                    Err(e) => {
                        if let Ok(mut f) = fatal.lock() {
                            *f = Some(e);
                        }
                        break;
                    }
                }
            }
            bytes.store(source.bytes_read(), Ordering::Relaxed);
        });
        for _ in 0..jobs {
            let (job_rx, done_tx) = (Arc::clone(&job_rx), done_tx.clone());
            scope.spawn(move || {
                let mut evaluate = worker();
                // The chunk's JSON is sized from the last one's: no buffer grows and copies
                // itself record after record.
                let mut expect = 0usize;
                loop {
                    let next = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => break,
                    };
                    let Ok((seq, chunk)) = next else { break };
                    let mut done = Done {
                        seq,
                        records: Vec::new(),
                        json: Vec::with_capacity(expect),
                        count: 0,
                        failed: 0,
                    };
                    for input in &chunk {
                        let mark = done.json.len();
                        // A record that panics the evaluator fails alone.
                        let emit = catch_unwind(AssertUnwindSafe(|| {
                            evaluate(input, &mut done.json)
                        }))
                        .unwrap_or_else(|panic| {
                            done.json.truncate(mark);
                            let why = panic
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                                .unwrap_or_default();
                            Emit::Record(BatchRecord {
                                id: input.line.to_string(),
                                line: input.line,
                                as_of: None,
                                error: Some(format!(
                                    "line {}: internal error while evaluating this record: {why}",
                                    input.line
                                )),
                                regimes: Vec::new(),
                                pass: input.pass.clone().map(Box::new),
                            })
                        });
                        done.count += 1;
                        match emit {
                            Emit::Written { failed } => done.failed += u64::from(failed),
                            Emit::Record(record) => {
                                done.failed += u64::from(record.failed());
                                // Rendered records are freed here, by the thread that made them.
                                match render {
                                    Some(render) => render(&record, &mut done.json),
                                    None => done.records.push(record),
                                }
                            }
                        }
                    }
                    drop(chunk);
                    expect = done.json.len() + done.json.len() / 8;
                    if done_tx.send(done).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        // The writer owns the credits and the results: if it stops early (a write failed),
        // dropping them releases the reader and the workers.
        write_in_order(done_rx, credit_tx, sink, bytes, progress)
    })?;
    if let Ok(Some(e)) = fatal.lock().map(|mut f| f.take()) {
        return Err(Stop::Failed(e));
    }
    Ok(stats)
}

fn write_in_order(
    done_rx: Receiver<Done>,
    credits: std::sync::mpsc::SyncSender<()>,
    sink: &mut dyn Sink,
    bytes: &AtomicU64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Stats, Stop> {
    let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
    let mut next = 0u64;
    let mut stats = Stats::default();
    for done in done_rx.iter() {
        pending.insert(done.seq, done);
        while let Some(done) = pending.remove(&next) {
            sink.write(&done.records, &done.json)?;
            stats.records += done.count;
            stats.failed += done.failed;
            next += 1;
            let _ = credits.send(());
            progress(stats.records, bytes.load(Ordering::Relaxed));
        }
    }
    if !pending.is_empty() {
        return Err(Stop::Failed(format!(
            "internal error: {} chunk(s) were evaluated but chunk {next} never arrived",
            pending.len()
        )));
    }
    stats.bytes = bytes.load(Ordering::Relaxed);
    Ok(stats)
}
