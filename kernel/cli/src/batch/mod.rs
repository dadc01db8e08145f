//! `juxta batch INPUT -o OUTPUT`: many profiles in, one result record per profile out.
//!
//! JSON Lines or Parquet in and out (by extension, or `--input-format`/`--output-format`),
//! streamed with bounded memory, evaluated in parallel, written in input order, errors
//! in-band, the output file committed atomically. See [`pipeline`] for the threading.

pub mod input;
pub mod output;
pub mod pipeline;
pub mod record;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use clap::ValueEnum;
use juxta_host::Entry;
use juxta_sdk::Date;

use crate::args::BatchArgs;
use crate::{Ctx, Exit};
use input::{JsonLines, ParquetRows, Source};
use output::{Destination, JsonLinesSink, ParquetSink, Sink};
use record::{Column, Evaluator};

/// A record format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RecordFormat {
    /// JSON Lines: one JSON object per line.
    Jsonl,
    /// Apache Parquet.
    Parquet,
}

impl RecordFormat {
    /// The format a path suggests: `.parquet`/`.pq` is Parquet, anything else (and `-`) JSON Lines.
    pub fn of(path: &Path) -> RecordFormat {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("parquet" | "pq") => RecordFormat::Parquet,
            _ => RecordFormat::Jsonl,
        }
    }
}

/// The JSON Schema of a JSON Lines output record.
pub const RECORD_SCHEMA: &str = include_str!("../../../../docs/batch-record.schema.json");

/// Peak resident memory of this process, in bytes (Linux), for the summary.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Checks that no two columns share a name, and that none takes a record's own key: a JSON
/// reader keeps one of two equal keys and drops the other, and Parquet cannot hold both. The
/// host names refused plugins `plugin:<file>` and refuses reserved regime ids, so this holds;
/// it is checked here too because a lost column is silent data loss.
fn unique_columns<'a>(ids: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for id in ids {
        if juxta_core::regime::RESERVED_IDS.contains(&id) || id == "as_of" {
            return Err(format!(
                "regime `{id}`: the name is a record field of its own; nothing was written"
            ));
        }
        if !seen.insert(id) {
            return Err(format!(
                "two columns are named `{id}`; nothing was written (remove one of the plugins)"
            ));
        }
    }
    Ok(())
}

pub(crate) fn batch(ctx: &mut Ctx<'_, '_>, a: &BatchArgs) -> Exit {
    if a.print_json_schema {
        let _ = ctx.io.out.write_all(RECORD_SCHEMA.as_bytes());
        return Exit::Success;
    }
    let as_of = match a.as_of.as_deref().map(str::parse::<Date>) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => return ctx.fail(Exit::Usage, &format!("--as-of: {e}")),
    };
    let mut set = match crate::plugins::load(&a.plugins) {
        Ok(s) => s,
        Err(e) => return ctx.fail(Exit::Error, &e),
    };
    if let Err(e) = crate::select_regimes(&mut set, &a.regimes) {
        return ctx.fail(Exit::Usage, &e);
    }
    let schema = Arc::clone(set.schema());
    // One set of columns per worker: the compiled regimes are shared, plugin instances are not.
    let columns_for_worker = || -> Vec<Column> {
        set.entries()
            .iter()
            .map(|e| match e {
                Entry::Ready(r) => Column {
                    id: r.regime.id().to_string(),
                    regime: Ok(Arc::clone(&r.regime)),
                    host: (!r.regime.functions.is_empty()).then(|| r.functions()),
                },
                Entry::Failed(f) => Column {
                    id: f.id.clone(),
                    regime: Err(f.error.clone()),
                    host: None,
                },
            })
            .collect()
    };
    if let Err(e) = unique_columns(set.entries().iter().map(Entry::id)) {
        return ctx.fail(Exit::Error, &e);
    }
    if a.print_arrow_schema {
        let schema = output::describe_schema(&output::arrow_schema(&columns_for_worker()));
        let _ = ctx.io.out.write_all(schema.as_bytes());
        return Exit::Success;
    }
    let Some(input_path) = a.input.as_ref() else {
        return ctx.fail(
            Exit::Usage,
            "give an INPUT (a file, or `-` for standard input)",
        );
    };
    let Some(output_path) = a.output.as_ref() else {
        return ctx.fail(
            Exit::Usage,
            "give an output with -o FILE (or `-o -` for standard output)",
        );
    };
    let in_format = a
        .input_format
        .unwrap_or_else(|| RecordFormat::of(input_path));
    let out_format = a
        .output_format
        .unwrap_or_else(|| RecordFormat::of(output_path));
    let id_field: Vec<String> = a.id_field.split('.').map(str::to_string).collect();
    let jobs = a
        .jobs
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .min(crate::args::MAX_JOBS)
        })
        .max(1);

    // From here on the streams are borrowed separately: input by the reader, output by the
    // sink, error for messages.
    let renderer = ctx.renderer();
    let err_is_terminal = ctx.io.err_is_terminal;
    let crate::Io {
        input, out, err, ..
    } = &mut *ctx.io;
    let (input, out, err): (
        &mut (dyn std::io::Read + Send),
        &mut dyn std::io::Write,
        &mut dyn std::io::Write,
    ) = (&mut **input, &mut **out, &mut **err);
    let mut fail = |code: Exit, message: &str| -> Exit {
        let _ = err.write_all(renderer.plain(message).as_bytes());
        code
    };
    let (source, total_bytes): (Box<dyn Source + '_>, Option<u64>) =
        match (in_format, input_path.as_os_str() == "-") {
            (RecordFormat::Jsonl, true) => (
                Box::new(JsonLines::new(
                    Box::new(input),
                    "standard input",
                    a.max_record_bytes,
                )),
                None,
            ),
            (RecordFormat::Jsonl, false) => {
                if input_path.is_dir() {
                    return fail(
                        Exit::Error,
                        &format!("`{}` is a directory, not a file", input_path.display()),
                    );
                }
                // `/dev/zero` would never end and `/dev/urandom` would fill the disk with
                // error records; a pipe (`<(…)`) ends when its writer does.
                if let Err(e) = crate::refuse_devices(input_path) {
                    return fail(Exit::Error, &e);
                }
                match std::fs::File::open(input_path) {
                    Ok(f) => {
                        let size = f.metadata().map(|m| m.len()).ok();
                        (
                            Box::new(JsonLines::new(
                                Box::new(f),
                                &format!("`{}`", input_path.display()),
                                a.max_record_bytes,
                            )),
                            size,
                        )
                    }
                    Err(e) => {
                        return fail(
                            Exit::Error,
                            &format!("cannot read `{}`: {e}", input_path.display()),
                        );
                    }
                }
            }
            (RecordFormat::Parquet, true) => {
                return fail(
                    Exit::Usage,
                    "Parquet cannot be read from standard input: give a file",
                );
            }
            (RecordFormat::Parquet, false) => match ParquetRows::open(input_path) {
                Ok(p) => {
                    let size = std::fs::metadata(input_path).map(|m| m.len()).ok();
                    (Box::new(p), size)
                }
                Err(e) => return fail(Exit::Error, &e),
            },
        };
    let dest = match Destination::open(output_path, ".juxta-batch-") {
        Ok(d) => d,
        Err(e) => return fail(Exit::Error, &e),
    };
    let mut sink: Box<dyn Sink + '_> = match out_format {
        RecordFormat::Jsonl => match JsonLinesSink::new(&dest, out) {
            Ok(s) => Box::new(s),
            Err(e) => return fail(Exit::Error, &e),
        },
        RecordFormat::Parquet => match ParquetSink::new(&dest, &columns_for_worker()) {
            Ok(s) => Box::new(s),
            Err(e) => return fail(Exit::Error, &e),
        },
    };

    let progress = (err_is_terminal && !a.quiet).then(|| {
        let bar = match total_bytes {
            Some(n) => indicatif::ProgressBar::new(n).with_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {bytes}/{total_bytes} {wide_bar} {msg} ({eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            ),
            None => indicatif::ProgressBar::new_spinner(),
        };
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar
    });
    let started = Instant::now();
    let worker = || -> Box<dyn FnMut(&input::Input) -> record::BatchRecord + Send + '_> {
        let columns = columns_for_worker();
        let (schema, id_field) = (&schema, &id_field);
        Box::new(move |inp: &input::Input| {
            let ev = Evaluator {
                schema,
                columns: &columns,
                id_field,
                as_of,
            };
            pipeline::evaluate_input(&ev, inp)
        })
    };
    let mut report = |records: u64, bytes: u64| {
        if let Some(bar) = &progress {
            bar.set_position(bytes);
            bar.set_message(format!("{records} records"));
        }
    };
    let result = pipeline::run(
        source,
        jobs,
        &worker,
        sink.as_mut(),
        out_format == RecordFormat::Jsonl,
        &mut report,
    );
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    let stats = match result.and_then(|s| sink.finish().map(|()| s)) {
        Ok(s) => s,
        // `| head` has what it asked for.
        Err(output::Stop::OutputClosed) => return Exit::Success,
        // The temporary file is dropped, and with it every byte written: no partial output.
        Err(output::Stop::Failed(e)) if dest.is_atomic() => {
            return fail(Exit::Error, &format!("{e}; no output was written"));
        }
        Err(output::Stop::Failed(e)) => {
            return fail(Exit::Error, &format!("{e}; the output stops here"));
        }
    };
    if let Err(e) = dest.commit() {
        return fail(Exit::Error, &e);
    }
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    if !a.quiet {
        let peak = peak_rss()
            .map(|b| format!(", peak memory {:.0} MB", b as f64 / 1e6))
            .unwrap_or_default();
        let summary = format!(
            "juxta batch: {} records ({} ok, {} failed) in {secs:.2} s: {:.0} records/s, {:.1} MB/s; {jobs} job(s){peak}\n",
            stats.records,
            stats.records - stats.failed,
            stats.failed,
            stats.records as f64 / secs,
            stats.bytes as f64 / 1e6 / secs,
        );
        let _ = err.write_all(summary.as_bytes());
    }
    if stats.failed > 0 {
        Exit::RegimeFailed
    } else {
        Exit::Success
    }
}
