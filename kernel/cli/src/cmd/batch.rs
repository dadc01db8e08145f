//! `juxta batch INPUT -o OUTPUT`: many profiles in, one result record per profile out (or,
//! with `--layout long`, one per profile, regime and rule).
//!
//! Opens the input and the output, shows progress, and hands the rest to
//! [`juxta::Engine::batch`] (JSON Lines or Parquet, streamed with bounded memory, evaluated in
//! parallel, written in input order, errors in-band, the output committed atomically).

use std::time::Instant;

use juxta::batch::input::{ArrowRows, ColumnOptions, JsonLines, Source};
use juxta::batch::output::{self, Destination, JsonLinesSink, ParquetSink, Sink};
use juxta::batch::{BatchOptions, Layout, RecordFormat};

use crate::args::BatchArgs;
use crate::{Ctx, Exit, setup};

/// Peak resident memory of this process, in bytes (Linux), for the summary.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

pub(crate) fn run(ctx: &mut Ctx<'_, '_>, a: &BatchArgs) -> Exit {
    let layout = Layout::from(a.layout);
    if a.print_json_schema {
        let _ = ctx.io.out.write_all(layout.json_schema().as_bytes());
        return Exit::Success;
    }
    let as_of = match setup::as_of(ctx, a.as_of.as_deref(), false) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let mut engine = match setup::engine(ctx, &a.plugins) {
        Ok(e) => e,
        Err(code) => return code,
    };
    if let Err(code) = setup::select(ctx, &mut engine, &a.regimes) {
        return code;
    }
    if let Err(e) = engine.check_columns() {
        return ctx.fail(Exit::Error, &e);
    }
    if a.print_arrow_schema {
        let schema = output::describe_schema(&output::arrow_schema(&engine.columns(), layout));
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
    let formats = a
        .input_format
        .map_or_else(|| RecordFormat::of(input_path), |f| Ok(f.into()))
        .and_then(|i| {
            a.output_format
                .map_or_else(|| RecordFormat::of(output_path), |f| Ok(f.into()))
                .map(|o| (i, o))
        });
    let (in_format, out_format) = match formats {
        Ok(f) => f,
        Err(e) => return ctx.fail(Exit::Usage, &e),
    };
    if !a.passthrough.is_empty() && in_format == RecordFormat::Jsonl {
        return ctx.fail(
            Exit::Usage,
            "--passthrough carries columns of a Parquet input; a JSON Lines record is a profile, and its id is in every output record already (--id-field)",
        );
    }
    let columns = ColumnOptions {
        passthrough: a.passthrough.clone(),
        strict: a.strict_columns,
        line: None,
    };
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
    let mut pass = None;
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
            (RecordFormat::Parquet, false) => {
                match ArrowRows::parquet(input_path, engine.schema(), &columns) {
                    Ok(p) => {
                        let size = std::fs::metadata(input_path).map(|m| m.len()).ok();
                        pass = p.passthrough_schema();
                        (Box::new(p), size)
                    }
                    Err(e) => return fail(Exit::Error, &e),
                }
            }
        };
    if let Some(pass) = &pass {
        let regimes: Vec<&str> = engine.regimes().entries().iter().map(|e| e.id()).collect();
        let names = pass.fields().iter().map(|f| f.name().as_str());
        if let Err(e) = juxta::batch::pass::check_names(names, &regimes) {
            return fail(Exit::Usage, &e);
        }
        if out_format == RecordFormat::Jsonl
            && let Some(f) = pass
                .fields()
                .iter()
                .find(|f| !juxta::batch::pass::json_writable(f.data_type()))
        {
            return fail(
                Exit::Usage,
                &format!(
                    "--passthrough {}: a {} column has no JSON form; write Parquet (-o FILE.parquet) to carry it",
                    f.name(),
                    f.data_type()
                ),
            );
        }
    }
    let dest = match Destination::open(output_path, ".juxta-batch-") {
        Ok(d) => d,
        Err(e) => return fail(Exit::Error, &e),
    };
    let mut sink: Box<dyn Sink + '_> = match out_format {
        RecordFormat::Jsonl => match JsonLinesSink::new(&dest, out) {
            Ok(s) => Box::new(s),
            Err(e) => return fail(Exit::Error, &e),
        },
        RecordFormat::Parquet => match engine
            .batcher(layout, pass.clone(), as_of)
            .and_then(|b| ParquetSink::new(&dest, b))
        {
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
    let mut report = |records: u64, bytes: u64| {
        if let Some(bar) = &progress {
            bar.set_position(bytes);
            bar.set_message(format!("{records} records"));
        }
    };
    let options = BatchOptions {
        jobs,
        id_field,
        as_of,
        json_output: out_format == RecordFormat::Jsonl,
        layout,
    };
    let result = engine.batch(source, sink.as_mut(), &options, &mut report);
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
    // Data left unread is said even with -q: a misspelt fact column would otherwise pass for
    // an unknown fact in every record.
    if !stats.ignored_columns.is_empty() {
        let n = stats.ignored_columns.len();
        let note = format!(
            "juxta batch: {} not in the facts schema, left out: {} (carry {} with --passthrough; refuse with --strict-columns)\n",
            if n == 1 { "1 column" } else { "columns" },
            juxta::batch::input::column_list(&stats.ignored_columns, engine.schema()),
            if n == 1 { "it" } else { "them" },
        );
        let _ = err.write_all(note.as_bytes());
    }
    if stats.failed > 0 {
        Exit::RegimeFailed
    } else {
        Exit::Success
    }
}
