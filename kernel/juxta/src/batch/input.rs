//! Reading records: JSON Lines (a file or standard input) and Parquet, streamed in chunks.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Decimal256Type, Float32Type, Float64Type, Int8Type,
    Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use juxta_core::profile::tree::{Key, Node, Tree};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

/// One input record, not yet parsed (JSON) or already a tree (Parquet).
pub enum Raw {
    /// A line of text.
    Text(String),
    /// A Parquet row.
    Tree(Tree<'static>),
    /// A line or row that cannot be read: why.
    Unreadable(String),
}

/// A numbered input record.
pub struct Input {
    /// 1-based line or row.
    pub line: u64,
    /// The record.
    pub raw: Raw,
    /// The record's passthrough columns (one row), carried into its output unchanged.
    pub pass: Option<RecordBatch>,
}

/// A stream of records, read chunk by chunk.
pub trait Source: Send {
    /// Up to `max` more records, stopping early once they hold `max_bytes` (always at least
    /// one record); an empty vector at the end. An `Err` is fatal (the input itself cannot be
    /// read any further).
    fn next_chunk(&mut self, max: usize, max_bytes: usize) -> Result<Vec<Input>, String>;
    /// Bytes consumed so far (for progress and throughput).
    fn bytes_read(&self) -> u64;
    /// The input's columns that hold no fact and are not passed through: left out, and named
    /// once in the run's summary.
    fn ignored_columns(&self) -> Vec<String> {
        Vec::new()
    }
}

/// JSON Lines from any reader.
pub struct JsonLines<'a> {
    reader: BufReader<Box<dyn Read + Send + 'a>>,
    line: u64,
    bytes: u64,
    max_record_bytes: usize,
    origin: String,
}

impl<'a> JsonLines<'a> {
    /// Reads JSON Lines; a line longer than `max_record_bytes` becomes an error record.
    pub fn new(
        reader: Box<dyn Read + Send + 'a>,
        origin: &str,
        max_record_bytes: usize,
    ) -> JsonLines<'a> {
        JsonLines {
            reader: BufReader::with_capacity(1 << 20, reader),
            line: 0,
            bytes: 0,
            max_record_bytes,
            origin: origin.to_string(),
        }
    }

    /// The next line's bytes, reading at most `max_record_bytes` of it into memory.
    /// `Ok(None)` at the end; the flag says whether the line was cut.
    fn read_line(&mut self) -> Result<Option<(Vec<u8>, bool)>, String> {
        let mut buf = Vec::new();
        let mut too_long = false;
        let mut any = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("cannot read {}: {e}", self.origin)),
            };
            if available.is_empty() {
                return Ok(any.then_some((buf, too_long)));
            }
            any = true;
            let (chunk, done) = match memchr::memchr(b'\n', available) {
                Some(i) => (&available[..i], Some(i + 1)),
                None => (available, None),
            };
            if !too_long {
                if buf.len() + chunk.len() > self.max_record_bytes {
                    too_long = true;
                    buf.clear();
                } else {
                    buf.extend_from_slice(chunk);
                }
            }
            let consumed = done.unwrap_or(available.len());
            self.reader.consume(consumed);
            self.bytes += consumed as u64;
            if done.is_some() {
                return Ok(Some((buf, too_long)));
            }
        }
    }
}

impl Source for JsonLines<'_> {
    fn next_chunk(&mut self, max: usize, max_bytes: usize) -> Result<Vec<Input>, String> {
        let mut out = Vec::new();
        let mut held = 0usize;
        while out.len() < max && held < max_bytes {
            let Some((bytes, too_long)) = self.read_line()? else {
                break;
            };
            held += bytes.len();
            self.line += 1;
            let raw = if too_long {
                Raw::Unreadable(format!(
                    "line {}: longer than the limit of {} bytes (--max-record-bytes)",
                    self.line, self.max_record_bytes
                ))
            } else {
                let bytes = match bytes.last() {
                    Some(b'\r') => bytes[..bytes.len() - 1].to_vec(),
                    _ => bytes,
                };
                match String::from_utf8(bytes) {
                    // A byte-order mark opens the file, not the record (profiles accept one too).
                    Ok(text) if self.line == 1 && text.starts_with('\u{feff}') => {
                        Raw::Text(text['\u{feff}'.len_utf8()..].to_string())
                    }
                    Ok(text) => Raw::Text(text),
                    Err(e) => Raw::Unreadable(format!(
                        "line {}: not UTF-8 text (invalid byte at column {})",
                        self.line,
                        e.utf8_error().valid_up_to() + 1
                    )),
                }
            };
            out.push(Input {
                line: self.line,
                raw,
                pass: None,
            });
            // Hand over what we have when the next read would wait: a pipe stage answers each
            // line as soon as it arrives, a file is read in large chunks.
            if self.reader.buffer().is_empty() {
                break;
            }
        }
        Ok(out)
    }

    fn bytes_read(&self) -> u64 {
        self.bytes
    }
}

/// What to do with the columns of a columnar input (Parquet, Arrow) that hold no fact.
#[derive(Clone, Debug, Default)]
pub struct ColumnOptions {
    /// Columns carried into the output unchanged, beside the results (`--passthrough`).
    pub passthrough: Vec<String>,
    /// Refuse the input if a column is neither a fact nor passed through (`--strict-columns`);
    /// otherwise such columns are left out and named once in the summary.
    pub strict: bool,
    /// An integer column that numbers the records (the output's `line`) instead of their row
    /// in the input: a partition of a larger table (Spark's `mapInArrow`) keeps the table's
    /// numbering.
    pub line: Option<String>,
}

/// How each top-level column of a columnar input is used.
#[derive(Clone, Debug)]
enum Use {
    /// It holds facts: a `table.field` column, a struct column named for a table (with the
    /// children to read), or a top-level field such as `schema_version`.
    Facts(Option<Vec<usize>>),
    /// It holds no fact: left out.
    Ignored,
}

/// The plan for reading the columns of one input, made once from its schema.
#[derive(Clone, Debug)]
struct Plan {
    uses: Vec<Use>,
    /// The passthrough columns, in the order asked for, by index.
    passthrough: Vec<usize>,
    /// The columns (and struct children) left out, as `column` or `column.child`.
    ignored: Vec<String>,
    /// The column numbering the records, if one does.
    line: Option<usize>,
}

/// The top-level keys a profile may have besides its tables.
const TOP_LEVEL_FIELDS: &[&str] = &["schema_version"];

impl Plan {
    fn new(
        arrow: &arrow_schema::Schema,
        facts: &juxta_core::schema::Schema,
        options: &ColumnOptions,
        origin: &str,
    ) -> Result<Plan, String> {
        let names: Vec<&str> = arrow.fields().iter().map(|f| f.name().as_str()).collect();
        let mut passthrough = Vec::new();
        for wanted in &options.passthrough {
            match names.iter().position(|n| n == wanted) {
                Some(i) if !passthrough.contains(&i) => passthrough.push(i),
                Some(_) => {}
                None => {
                    let help = juxta_core::diag::did_you_mean(wanted, names.iter().copied())
                        .map(|d| format!(" (did you mean `{d}`?)"))
                        .unwrap_or_default();
                    return Err(format!(
                        "--passthrough {wanted}: {origin} has no column `{wanted}`{help}; its columns are {}",
                        names.join(", ")
                    ));
                }
            }
        }
        let line = match &options.line {
            None => None,
            Some(wanted) => match names.iter().position(|n| n == wanted) {
                Some(i) if super::pass::is_integer(arrow.field(i).data_type()) => Some(i),
                Some(i) => {
                    return Err(format!(
                        "line column `{wanted}` of {origin} is {}, not integers",
                        arrow.field(i).data_type()
                    ));
                }
                None => {
                    return Err(format!(
                        "line column `{wanted}`: {origin} has no such column; its columns are {}",
                        names.join(", ")
                    ));
                }
            },
        };
        let mut uses = Vec::with_capacity(names.len());
        let mut ignored = Vec::new();
        for (i, field) in arrow.fields().iter().enumerate() {
            let name = field.name().as_str();
            let passed = passthrough.contains(&i);
            let known = |table: usize, child: &str| facts.field_in(table, child).is_some();
            let use_ = if TOP_LEVEL_FIELDS.contains(&name) {
                Use::Facts(None)
            } else if let Some((table, child)) = name.split_once('.') {
                match facts.table_index(table) {
                    Some(t) if known(t, child) => Use::Facts(None),
                    _ => Use::Ignored,
                }
            } else if let Some(t) = facts.table_index(name) {
                match field.data_type() {
                    DataType::Struct(children) => {
                        let mut keep = Vec::new();
                        for (k, c) in children.iter().enumerate() {
                            if known(t, c.name()) {
                                keep.push(k);
                            } else if !passed {
                                ignored.push(format!("{name}.{}", c.name()));
                            }
                        }
                        Use::Facts(Some(keep))
                    }
                    // Not a table: validation says why, naming the column.
                    _ => Use::Facts(None),
                }
            } else {
                Use::Ignored
            };
            if matches!(use_, Use::Ignored) && !passed && line != Some(i) {
                ignored.push(name.to_string());
            }
            uses.push(use_);
        }
        if options.strict && !ignored.is_empty() {
            return Err(format!(
                "{origin}: {} not in the facts schema: {} (--strict-columns); carry {} with --passthrough, or leave out --strict-columns to read the facts only",
                if ignored.len() == 1 {
                    "a column is"
                } else {
                    "columns are"
                },
                column_list(&ignored, facts),
                if ignored.len() == 1 { "it" } else { "them" },
            ));
        }
        Ok(Plan {
            uses,
            passthrough,
            ignored,
            line,
        })
    }
}

/// Columns that hold no fact, listed for a message: each in backquotes, with the fact it
/// most likely meant (`` `model.training_compute_flops` (did you mean
/// `model.training_compute_flop`?) ``).
pub fn column_list(columns: &[String], facts: &juxta_core::schema::Schema) -> String {
    columns
        .iter()
        .map(|c| {
            let hint =
                juxta_core::diag::did_you_mean(c, facts.facts().iter().map(|f| f.path.as_str()))
                    .map(|d| format!(" (did you mean `{d}`?)"))
                    .unwrap_or_default();
            format!("`{c}`{hint}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows of Arrow record batches (a Parquet file, or a table handed over by Python), one
/// record each.
pub struct ArrowRows {
    batches: Box<dyn Iterator<Item = Result<RecordBatch, String>> + Send>,
    plan: Plan,
    pass_schema: Option<arrow_schema::SchemaRef>,
    pending: Option<(RecordBatch, usize)>,
    row: u64,
    bytes: u64,
    total_rows: u64,
    total_bytes: u64,
}

impl ArrowRows {
    /// Rows of `batches`, whose schema is `schema`. `origin` names the input in messages.
    pub fn new(
        schema: &arrow_schema::Schema,
        batches: Box<dyn Iterator<Item = Result<RecordBatch, String>> + Send>,
        facts: &juxta_core::schema::Schema,
        options: &ColumnOptions,
        origin: &str,
    ) -> Result<ArrowRows, String> {
        let plan = Plan::new(schema, facts, options, origin)?;
        let pass_schema = (!plan.passthrough.is_empty())
            .then(|| schema.project(&plan.passthrough).map(Arc::new))
            .transpose()
            .map_err(|e| format!("{origin}: {e}"))?;
        Ok(ArrowRows {
            batches,
            plan,
            pass_schema,
            pending: None,
            row: 0,
            bytes: 0,
            total_rows: 0,
            total_bytes: 0,
        })
    }

    /// Opens a Parquet file (any codec: uncompressed, Snappy, gzip, LZ4, Zstandard, Brotli).
    pub fn parquet(
        path: &std::path::Path,
        facts: &juxta_core::schema::Schema,
        options: &ColumnOptions,
    ) -> Result<ArrowRows, String> {
        let file =
            File::open(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| format!("`{}` is not a readable Parquet file: {e}", path.display()))?;
        let total_rows = u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
        let reader: ParquetRecordBatchReader = builder
            .with_batch_size(1024)
            .build()
            .map_err(|e| format!("`{}`: {e}", path.display()))?;
        let schema = arrow_array::RecordBatchReader::schema(&reader);
        let shown = format!("`{}`", path.display());
        let batches = reader.map(|b| b.map_err(|e| format!("cannot read the Parquet input: {e}")));
        let mut rows = ArrowRows::new(&schema, Box::new(batches), facts, options, &shown)?;
        rows.total_rows = total_rows;
        rows.total_bytes = total_bytes;
        Ok(rows)
    }

    /// The Arrow schema of the passthrough columns, in the order asked for (`None` if none).
    pub fn passthrough_schema(&self) -> Option<arrow_schema::SchemaRef> {
        self.pass_schema.clone()
    }
}

impl Source for ArrowRows {
    // Rows are bounded by what the reader decodes (a batch of 1024 rows at a time for
    // Parquet), not by a line length: `max_bytes` does not apply.
    fn next_chunk(&mut self, max: usize, _max_bytes: usize) -> Result<Vec<Input>, String> {
        let mut out = Vec::new();
        while out.len() < max {
            let (batch, start) = match self.pending.take() {
                Some(p) => p,
                None => match self.batches.next() {
                    None => break,
                    Some(Err(e)) => return Err(e),
                    Some(Ok(b)) => (b, 0),
                },
            };
            let end = (start + (max - out.len())).min(batch.num_rows());
            let pass = (!self.plan.passthrough.is_empty())
                .then(|| batch.project(&self.plan.passthrough))
                .transpose()
                .map_err(|e| format!("cannot read the passthrough columns: {e}"))?;
            for i in start..end {
                self.row += 1;
                let line = match self.plan.line {
                    None => Ok(self.row),
                    Some(c) => line_number(batch.column(c), i),
                };
                let raw = match (&line, row_tree(&batch, &self.plan, i)) {
                    (Err(e), _) => Raw::Unreadable(format!("row {} of the input: {e}", self.row)),
                    (Ok(_), Ok(tree)) => Raw::Tree(tree),
                    (Ok(n), Err(e)) => Raw::Unreadable(format!("row {n}: {e}")),
                };
                out.push(Input {
                    // Line 0 is no line: the row's own number could not be read, and the row's
                    // place in this input would pass for another row's number.
                    line: line.unwrap_or(0),
                    raw,
                    pass: pass.as_ref().map(|p| p.slice(i, 1)),
                });
            }
            if end < batch.num_rows() {
                self.pending = Some((batch, end));
            }
        }
        // Parquet is read by row group, not by byte: estimate bytes from the rows done.
        if let Some(done) = (self.total_bytes.saturating_mul(self.row)).checked_div(self.total_rows)
        {
            self.bytes = done;
        }
        Ok(out)
    }

    fn bytes_read(&self) -> u64 {
        self.bytes
    }

    fn ignored_columns(&self) -> Vec<String> {
        self.plan.ignored.clone()
    }
}

/// A record's number from the line column: a whole number from 1.
fn line_number(array: &Arc<dyn Array>, row: usize) -> Result<u64, String> {
    match cell(array, row)? {
        Some(Tree {
            node: Node::Integer(n),
            ..
        }) if n >= 1 => Ok(n.unsigned_abs()),
        Some(Tree {
            node: Node::Decimal(d),
            ..
        }) => d
            .parse()
            .map_err(|_| format!("line number {d} is out of range")),
        Some(_) => Err("the line number is below 1".into()),
        None => Err("the line number is null".into()),
    }
}

fn plain(node: Node<'static>) -> Tree<'static> {
    Tree { node, span: None }
}

fn key(name: &str) -> Key<'static> {
    Key {
        name: name.to_string().into(),
        span: None,
    }
}

/// A row as a profile tree: struct columns become tables, `table.field` column names are
/// split, nulls are absent facts.
fn row_tree(batch: &RecordBatch, plan: &Plan, row: usize) -> Result<Tree<'static>, String> {
    let mut top: Vec<(Key<'static>, Tree<'static>)> = Vec::new();
    let schema = batch.schema();
    for ((field, column), use_) in schema.fields().iter().zip(batch.columns()).zip(&plan.uses) {
        let value = match use_ {
            Use::Ignored => continue,
            Use::Facts(None) => cell(column, row),
            Use::Facts(Some(keep)) => struct_cell(column, keep, row),
        };
        let Some(value) = value.map_err(|e| format!("column `{}`: {e}", field.name()))? else {
            continue;
        };
        match field.name().split_once('.') {
            Some((table, name)) => {
                let index = match top.iter().position(|(k, _)| k.name == table) {
                    Some(i) => i,
                    None => {
                        top.push((key(table), plain(Node::Table(Vec::new()))));
                        top.len() - 1
                    }
                };
                match &mut top[index].1.node {
                    Node::Table(entries) => entries.push((key(name), value)),
                    _ => {
                        return Err(format!(
                            "column `{}` and column `{table}` both hold `{table}`",
                            field.name()
                        ));
                    }
                }
            }
            None => top.push((key(field.name()), value)),
        }
    }
    Ok(plain(Node::Table(top)))
}

fn date_text(days: i64) -> String {
    juxta_sdk::Date::from_days_since_epoch(days)
        .map(|d| d.to_string())
        .unwrap_or_else(|_| format!("day {days} since 1970"))
}

/// A struct cell of a table column, reading only the children that hold facts.
fn struct_cell(
    array: &Arc<dyn Array>,
    keep: &[usize],
    row: usize,
) -> Result<Option<Tree<'static>>, String> {
    if array.is_null(row) {
        return Ok(None);
    }
    let DataType::Struct(fields) = array.data_type() else {
        return cell(array, row);
    };
    let s = array.as_struct();
    let mut entries = Vec::new();
    for &k in keep {
        if let Some(v) =
            cell(s.column(k), row).map_err(|e| format!("field `{}`: {e}", fields[k].name()))?
        {
            entries.push((key(fields[k].name()), v));
        }
    }
    Ok(Some(plain(Node::Table(entries))))
}

/// One cell; `None` for null.
fn cell(array: &Arc<dyn Array>, row: usize) -> Result<Option<Tree<'static>>, String> {
    if array.is_null(row) {
        return Ok(None);
    }
    let node = match array.data_type() {
        DataType::Utf8 => Node::String(array.as_string::<i32>().value(row).to_string().into()),
        DataType::LargeUtf8 => Node::String(array.as_string::<i64>().value(row).to_string().into()),
        DataType::Utf8View => Node::String(array.as_string_view().value(row).to_string().into()),
        DataType::Boolean => Node::Bool(array.as_boolean().value(row)),
        DataType::Int8 => Node::Integer(i64::from(array.as_primitive::<Int8Type>().value(row))),
        DataType::Int16 => Node::Integer(i64::from(array.as_primitive::<Int16Type>().value(row))),
        DataType::Int32 => Node::Integer(i64::from(array.as_primitive::<Int32Type>().value(row))),
        DataType::Int64 => Node::Integer(array.as_primitive::<Int64Type>().value(row)),
        DataType::UInt8 => Node::Integer(i64::from(array.as_primitive::<UInt8Type>().value(row))),
        DataType::UInt16 => Node::Integer(i64::from(array.as_primitive::<UInt16Type>().value(row))),
        DataType::UInt32 => Node::Integer(i64::from(array.as_primitive::<UInt32Type>().value(row))),
        DataType::UInt64 => {
            let v = array.as_primitive::<UInt64Type>().value(row);
            i64::try_from(v)
                .map(Node::Integer)
                .unwrap_or_else(|_| Node::Decimal(v.to_string().into()))
        }
        // A single-precision float is its own shortest decimal (3e25, not the 3.0000000054977558e25
        // its widening to a double would give); a double is read as its shortest decimal too.
        DataType::Float32 => {
            let v = array.as_primitive::<Float32Type>().value(row);
            if v.is_finite() {
                Node::Decimal(format!("{v:e}").into())
            } else {
                Node::Float(f64::from(v))
            }
        }
        DataType::Float64 => Node::Float(array.as_primitive::<Float64Type>().value(row)),
        // Decimal columns are exact: the unscaled integer and the scale.
        DataType::Decimal128(_, scale) => Node::Decimal(
            format!(
                "{}e{}",
                array.as_primitive::<Decimal128Type>().value(row),
                -i32::from(*scale)
            )
            .into(),
        ),
        DataType::Decimal256(_, scale) => Node::Decimal(
            format!(
                "{}e{}",
                array.as_primitive::<Decimal256Type>().value(row),
                -i32::from(*scale)
            )
            .into(),
        ),
        DataType::Date32 => {
            Node::String(date_text(i64::from(array.as_primitive::<Date32Type>().value(row))).into())
        }
        DataType::Date64 => Node::String(
            date_text(
                array
                    .as_primitive::<Date64Type>()
                    .value(row)
                    .div_euclid(86_400_000),
            )
            .into(),
        ),
        // An instant (a `datetime` fact), to the second, as RFC 3339 in UTC. A timestamp without
        // a time zone names no instant: refused rather than guessed.
        DataType::Timestamp(unit, tz) => {
            if tz.is_none() {
                return Err(
                    "a timestamp without a time zone names no instant; write it adjusted to UTC (Spark and pandas do with a time zone set)"
                        .into(),
                );
            }
            let (value, per_second) = super::pass::timestamp(array.as_ref(), row, *unit);
            if value.rem_euclid(per_second) != 0 {
                return Err(
                    "a timestamp with a fraction of a second: deadlines in hours are counted to the second".into(),
                );
            }
            let text = juxta_core::value::instant_text_checked(value.div_euclid(per_second))
                .ok_or_else(|| {
                    format!(
                        "a timestamp outside the years {} to {}",
                        juxta_sdk::date::MIN_YEAR,
                        juxta_sdk::date::MAX_YEAR
                    )
                })?;
            Node::String(text.into())
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>().value(row);
            Node::Array(
                (0..list.len())
                    .map(|i| cell(&list, i).map(|c| c.unwrap_or(plain(Node::Null))))
                    .collect::<Result<_, _>>()?,
            )
        }
        DataType::LargeList(_) => {
            let list = array.as_list::<i64>().value(row);
            Node::Array(
                (0..list.len())
                    .map(|i| cell(&list, i).map(|c| c.unwrap_or(plain(Node::Null))))
                    .collect::<Result<_, _>>()?,
            )
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            let mut entries = Vec::new();
            for (field, column) in fields.iter().zip(s.columns()) {
                if let Some(v) =
                    cell(column, row).map_err(|e| format!("field `{}`: {e}", field.name()))?
                {
                    entries.push((key(field.name()), v));
                }
            }
            Node::Table(entries)
        }
        other => {
            return Err(format!(
                "unsupported Parquet type {other}; use strings, booleans, numbers, dates, lists and structs"
            ));
        }
    };
    Ok(Some(plain(node)))
}
