//! Many profiles in, one result record per profile out (or, in the long layout, one per profile
//! and rule): the batch engine.
//!
//! JSON Lines or Parquet in and out, streamed with bounded memory, evaluated in parallel,
//! written in input order, errors in-band ([`pipeline`] has the threading). Front ends open the
//! input and the output ([`input`], [`output`], [`crate::fsio`]) and call [`crate::Engine::batch`].

pub mod input;
pub mod line;
pub mod output;
pub mod pass;
pub mod pipeline;
pub mod record;

use std::path::Path;

pub use pipeline::Stats;

/// A record format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordFormat {
    /// JSON Lines: one JSON object per line.
    Jsonl,
    /// Apache Parquet.
    Parquet,
}

impl RecordFormat {
    /// The format a path names: `.parquet`/`.pq` is Parquet; `.jsonl`, `.ndjson`, `.json`,
    /// `.jsonlines`, no extension, `-`, pipes and devices are JSON Lines. Any other extension
    /// of a file names a format juxta does not read or write (`results.csv`): an error, not
    /// JSON Lines under a wrong name; `--input-format`/`--output-format` say what is meant.
    pub fn of(path: &Path) -> Result<RecordFormat, String> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("parquet" | "pq") => Ok(RecordFormat::Parquet),
            None | Some("jsonl" | "ndjson" | "json" | "jsonlines" | "ldjson") => {
                Ok(RecordFormat::Jsonl)
            }
            // A pipe or a device (`/dev/stdout`, a FIFO) is named as its maker likes.
            Some(_) if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) => {
                Ok(RecordFormat::Jsonl)
            }
            Some(other) => Err(format!(
                "`{}`: `.{other}` is not a format juxta batch reads or writes; name the file .jsonl or .parquet, or say which with --input-format/--output-format",
                path.display()
            )),
        }
    }
}

/// The JSON Schema of a JSON Lines output record (the wide layout).
pub const RECORD_SCHEMA: &str = include_str!("../../../../docs/batch-record.schema.json");

/// The JSON Schema of a JSON Lines output record in the long layout.
pub const LONG_RECORD_SCHEMA: &str = include_str!("../../../../docs/batch-long-record.schema.json");

/// How results are laid out: what one output record is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// One record per input record, with every regime's statuses, missing facts and computed
    /// values nested in it ([`record::BatchRecord`]).
    #[default]
    Wide,
    /// One record per input record, regime and rule ([`record::LongRow`]): the rule's kind,
    /// status, deadline and where the duty stands on `as_of`, flat, so that a question about
    /// deadlines is one `WHERE`. An input record that fails is one row with its error, a regime
    /// that fails for it one row with the regime's error.
    Long,
}

impl Layout {
    /// The JSON Schema of a JSON Lines output record in this layout.
    pub fn json_schema(self) -> &'static str {
        match self {
            Layout::Wide => RECORD_SCHEMA,
            Layout::Long => LONG_RECORD_SCHEMA,
        }
    }
}

/// How to evaluate a batch.
#[derive(Clone, Debug)]
pub struct BatchOptions {
    /// Worker threads (at least one).
    pub jobs: usize,
    /// The dotted path of the field that identifies a record in the output (`model.id`).
    pub id_field: Vec<String>,
    /// The day to apply the law on, overriding each record's own.
    pub as_of: Option<juxta_sdk::Date>,
    /// Whether the output is JSON Lines (workers then write each record's line themselves).
    pub json_output: bool,
    /// What one output record is.
    pub layout: Layout,
}

/// Checks that no two columns share a name, and that none takes a record's own key: a JSON
/// reader keeps one of two equal keys and drops the other, and Parquet cannot hold both. The
/// host names refused plugins `plugin:<file>` and refuses reserved regime ids, so this holds;
/// it is checked here too because a lost column is silent data loss.
pub(crate) fn unique_columns<'a>(ids: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
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
