//! Writing records: JSON Lines and Parquet, to standard output or to a file, in either layout.
//!
//! A regular file is written as a temporary file in the destination's directory and renamed
//! over the destination only when every record is written: an interrupted or failed run never
//! leaves a truncated output file. Devices and FIFOs are written in place, symlinks are
//! followed, and a signal removes the temporary file: see [`crate::fsio`].

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{
    ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray, StructArray,
    TimestampMillisecondArray,
};
use arrow_schema::{DataType, Field, Fields, Schema, TimeUnit};
use juxta_core::value::Value;
use juxta_sdk::manifest::ValueType;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::Layout;
use super::record::{BatchRecord, Catalog, Column, LongRow};

pub use crate::fsio::Destination;

/// Why a batch run stopped before the end of its input.
#[derive(Debug, PartialEq)]
pub enum Stop {
    /// Whoever reads standard output closed it (`juxta batch … -o - | head`). Not a failure:
    /// like `cat` or `grep`, juxta stops quietly.
    OutputClosed,
    /// A failure, with the message for the user.
    Failed(String),
}

impl From<String> for Stop {
    fn from(message: String) -> Stop {
        Stop::Failed(message)
    }
}

fn write_error(e: &std::io::Error) -> Stop {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Stop::OutputClosed
    } else {
        Stop::Failed(format!("cannot write the output: {e}"))
    }
}

/// Something records are written to, in order.
pub trait Sink {
    /// Writes records (with their JSON lines pre-rendered, for JSON Lines).
    fn write(&mut self, records: &[BatchRecord], json_lines: &[u8]) -> Result<(), Stop>;
    /// Flushes and closes.
    fn finish(self: Box<Self>) -> Result<(), Stop>;
}

/// JSON Lines.
pub struct JsonLinesSink<'a> {
    out: BufWriter<Box<dyn Write + 'a>>,
}

impl<'a> JsonLinesSink<'a> {
    /// A JSON Lines sink writing to `dest`, or to `stdout` for standard output.
    pub fn new(dest: &Destination, stdout: &'a mut dyn Write) -> Result<JsonLinesSink<'a>, String> {
        Ok(JsonLinesSink {
            out: BufWriter::with_capacity(1 << 16, dest.writer(stdout)?),
        })
    }
}

impl Sink for JsonLinesSink<'_> {
    fn write(&mut self, _records: &[BatchRecord], json_lines: &[u8]) -> Result<(), Stop> {
        // Flushed after every chunk: as a pipe stage, every input line is answered promptly.
        self.out
            .write_all(json_lines)
            .and_then(|()| self.out.flush())
            .map_err(|e| write_error(&e))
    }

    fn finish(mut self: Box<Self>) -> Result<(), Stop> {
        self.out.flush().map_err(|e| write_error(&e))
    }
}

/// The column layout of one regime in Parquet.
struct RegimeLayout {
    id: String,
    rules: Vec<String>,
    computed: Vec<(String, ValueType)>,
    loaded: bool,
}

/// Parquet: in the wide layout one struct column per regime, in the long layout one row per
/// regime and rule with flat columns.
pub struct ParquetSink {
    writer: ArrowWriter<File>,
    batcher: Batcher,
}

/// Arrow record batches kept in memory (the Python package's `Engine.evaluate`).
pub struct ArrowSink {
    batcher: Batcher,
    /// The batches written so far, in input order.
    pub batches: Vec<RecordBatch>,
}

impl ArrowSink {
    /// A sink building batches with `batcher`.
    pub fn new(batcher: Batcher) -> ArrowSink {
        ArrowSink {
            batcher,
            batches: Vec::new(),
        }
    }

    /// The schema of every batch.
    pub fn schema(&self) -> Arc<Schema> {
        Arc::clone(&self.batcher.schema)
    }
}

impl Sink for ArrowSink {
    fn write(&mut self, records: &[BatchRecord], _json_lines: &[u8]) -> Result<(), Stop> {
        if !records.is_empty() {
            self.batches.push(self.batcher.batch(records)?);
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), Stop> {
        Ok(())
    }
}

/// Where a batch's results came from, written into the Parquet file's key-value metadata and
/// the Arrow schema's metadata: `juxta.version`, `juxta.regimes` (a JSON array of each regime's
/// id, version, origin and plugin sha256), `juxta.as_of` and `juxta.layout`.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// The juxta version.
    pub juxta_version: String,
    /// Each regime: id, version (empty if it failed to load), origin and sha256.
    pub regimes: Vec<RegimeProvenance>,
    /// The day the law was applied on, if one was given for the whole run.
    pub as_of: Option<juxta_sdk::Date>,
}

/// One regime of a [`Provenance`].
#[derive(Clone, Debug, serde::Serialize)]
pub struct RegimeProvenance {
    /// Regime id.
    pub id: String,
    /// Regime version (`None` if the regime failed to load).
    pub version: Option<String>,
    /// `bundled`, or the plugin file.
    pub origin: String,
    /// SHA-256 of the plugin's bytes.
    pub sha256: String,
    /// Why it failed to load, if it did.
    pub error: Option<String>,
}

impl Provenance {
    /// The key-value pairs, in a fixed order.
    pub fn metadata(&self, layout: Layout) -> Vec<(String, String)> {
        vec![
            ("juxta.version".into(), self.juxta_version.clone()),
            (
                "juxta.regimes".into(),
                serde_json::to_string(&self.regimes).unwrap_or_default(),
            ),
            (
                "juxta.as_of".into(),
                self.as_of.map_or_else(
                    || "each record's evaluation.as_of".to_string(),
                    |d| d.to_string(),
                ),
            ),
            (
                "juxta.layout".into(),
                match layout {
                    Layout::Wide => "wide",
                    Layout::Long => "long",
                }
                .into(),
            ),
        ]
    }
}

/// Turns records into Arrow record batches of one schema: the results, then the passthrough
/// columns.
pub struct Batcher {
    schema: Arc<Schema>,
    shape: Shape,
    pass: Option<arrow_schema::SchemaRef>,
}

/// What a Parquet sink needs to know of the regimes to lay out a batch.
enum Shape {
    Wide(Vec<RegimeLayout>),
    Long(Catalog),
}

fn list_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

fn layouts(columns: &[Column]) -> Vec<RegimeLayout> {
    columns
        .iter()
        .map(|c| match &c.regime {
            Ok(r) => RegimeLayout {
                id: c.id.clone(),
                rules: r.rules.iter().map(|x| x.id.clone()).collect(),
                computed: r.computed.iter().map(|x| (x.name.clone(), x.ty)).collect(),
                loaded: true,
            },
            Err(_) => RegimeLayout {
                id: c.id.clone(),
                rules: Vec::new(),
                computed: Vec::new(),
                loaded: false,
            },
        })
        .collect()
}

fn regime_fields(l: &RegimeLayout) -> Fields {
    let mut fields = vec![Field::new("error", DataType::Utf8, true)];
    if l.loaded && !l.rules.is_empty() {
        let rules: Fields = l
            .rules
            .iter()
            .map(|r| Field::new(r, DataType::Utf8, true))
            .collect();
        let lists: Fields = l
            .rules
            .iter()
            .map(|r| Field::new(r, list_type(), true))
            .collect();
        fields.push(Field::new("rules", DataType::Struct(rules), true));
        fields.push(Field::new(
            "missing_facts",
            DataType::Struct(lists.clone()),
            true,
        ));
        fields.push(Field::new("open_questions", DataType::Struct(lists), true));
    }
    if l.loaded && !l.computed.is_empty() {
        let values: Fields = l
            .computed
            .iter()
            .map(|(n, ty)| Field::new(n, computed_type(*ty), true))
            .collect();
        let lists: Fields = l
            .computed
            .iter()
            .map(|(n, _)| Field::new(n, list_type(), true))
            .collect();
        fields.push(Field::new("computed", DataType::Struct(values), true));
        fields.push(Field::new(
            "computed_undetermined",
            DataType::Struct(lists),
            true,
        ));
    }
    fields.into()
}

/// The Arrow schema of the Parquet output for these regimes in this layout.
pub fn arrow_schema(columns: &[Column], layout: Layout) -> Schema {
    match layout {
        Layout::Wide => wide_schema(columns),
        Layout::Long => long_schema(),
    }
}

fn wide_schema(columns: &[Column]) -> Schema {
    let mut fields = vec![
        Field::new("id", DataType::Utf8, false),
        // Int64, not UInt64: Spark reads an unsigned 64-bit column as decimal(20,0).
        Field::new("line", DataType::Int64, false),
        Field::new("as_of", DataType::Date32, true),
        Field::new("error", DataType::Utf8, true),
    ];
    for l in layouts(columns) {
        fields.push(Field::new(&l.id, DataType::Struct(regime_fields(&l)), true));
    }
    Schema::new(fields)
}

/// The long layout's columns, whatever the regimes: one row per record, regime and rule. Dates
/// are `date32`, `line` and `days` `int64`; every column but `id` and `line` may be null.
fn long_schema() -> Schema {
    let utf8 = |name: &str| Field::new(name, DataType::Utf8, true);
    Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("line", DataType::Int64, false),
        Field::new("as_of", DataType::Date32, true),
        utf8("regime"),
        utf8("rule"),
        utf8("kind"),
        utf8("title"),
        utf8("status"),
        utf8("state"),
        Field::new("days", DataType::Int64, true),
        Field::new("due", DataType::Date32, true),
        utf8("citation"),
        Field::new("missing_facts", list_type(), true),
        utf8("error"),
        // Added with deadlines in hours: the instant, where the law counts hours.
        Field::new(
            "due_at",
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            true,
        ),
    ])
}

/// The schema as an indented tree: `name: type`, `?` for nullable.
pub fn describe_schema(schema: &Schema) -> String {
    fn walk(fields: &Fields, depth: usize, out: &mut String) {
        for f in fields {
            let nullable = if f.is_nullable() { "?" } else { "" };
            let ty = match f.data_type() {
                DataType::Struct(_) => "struct".to_string(),
                DataType::List(item) => format!("list<{}>", item.data_type()),
                other => other.to_string(),
            };
            out.push_str(&format!(
                "{}{}: {ty}{nullable}\n",
                "  ".repeat(depth),
                f.name()
            ));
            if let DataType::Struct(children) = f.data_type() {
                walk(children, depth + 1, out);
            }
        }
    }
    let mut out = String::new();
    walk(schema.fields(), 0, &mut out);
    out
}

impl ParquetSink {
    /// A Parquet sink writing the batches of `batcher` (Snappy-compressed), with the
    /// batcher's provenance in the file's key-value metadata.
    pub fn new(dest: &Destination, batcher: Batcher) -> Result<ParquetSink, String> {
        let metadata = batcher
            .schema
            .metadata()
            .iter()
            .map(|(k, v)| parquet::file::metadata::KeyValue::new(k.clone(), v.clone()))
            .collect();
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_key_value_metadata(Some(metadata))
            .build();
        let writer = ArrowWriter::try_new(dest.file()?, Arc::clone(&batcher.schema), Some(props))
            .map_err(|e| format!("cannot write Parquet: {e}"))?;
        Ok(ParquetSink { writer, batcher })
    }
}

impl Batcher {
    /// A batcher for these regimes, in this layout, with these passthrough columns (their
    /// schema, from the input) and this provenance in the schema's metadata.
    pub fn new(
        columns: &[Column],
        layout: Layout,
        pass: Option<arrow_schema::SchemaRef>,
        provenance: &Provenance,
    ) -> Result<Batcher, String> {
        let base = arrow_schema(columns, layout);
        let mut fields: Vec<arrow_schema::FieldRef> = base.fields().iter().cloned().collect();
        if let Some(pass) = &pass {
            let regimes: Vec<&str> = columns.iter().map(|c| c.id.as_str()).collect();
            super::pass::check_names(pass.fields().iter().map(|f| f.name().as_str()), &regimes)?;
            // A passthrough cell may be null in an error row only if the column allows it:
            // every passthrough column is nullable in the output.
            fields.extend(
                pass.fields()
                    .iter()
                    .map(|f| Arc::new(f.as_ref().clone().with_nullable(true))),
            );
        }
        let metadata: std::collections::HashMap<String, String> =
            provenance.metadata(layout).into_iter().collect();
        let schema = Arc::new(Schema::new_with_metadata(fields, metadata));
        let shape = match layout {
            Layout::Wide => Shape::Wide(layouts(columns)),
            Layout::Long => Shape::Long(Catalog::new(columns)),
        };
        Ok(Batcher {
            schema,
            shape,
            pass,
        })
    }

    /// The schema of every batch.
    pub fn schema(&self) -> &Arc<Schema> {
        &self.schema
    }

    /// The passthrough columns of these records, each record's row repeated `repeat(k)` times.
    fn pass_columns(
        &self,
        records: &[BatchRecord],
        repeat: impl Fn(usize) -> usize,
    ) -> Result<Vec<ArrayRef>, String> {
        let Some(schema) = &self.pass else {
            return Ok(Vec::new());
        };
        let rows: Vec<&RecordBatch> = records.iter().filter_map(|r| r.pass.as_deref()).collect();
        if rows.len() != records.len() {
            return Err("a record lost its passthrough columns".into());
        }
        let all = arrow_select::concat::concat_batches(schema, rows)
            .map_err(|e| format!("cannot carry the passthrough columns: {e}"))?;
        let indices =
            arrow_array::UInt32Array::from_iter_values((0..records.len()).flat_map(|k| {
                std::iter::repeat_n(u32::try_from(k).unwrap_or(u32::MAX), repeat(k))
            }));
        all.columns()
            .iter()
            .map(|c| {
                arrow_select::take::take(c.as_ref(), &indices, None)
                    .map_err(|e| format!("cannot carry the passthrough columns: {e}"))
            })
            .collect()
    }

    /// The batch of these records.
    pub fn batch(&self, records: &[BatchRecord]) -> Result<RecordBatch, String> {
        let layouts = match &self.shape {
            Shape::Wide(layouts) => layouts,
            Shape::Long(catalog) => {
                let per: Vec<Vec<LongRow<'_>>> =
                    records.iter().map(|r| r.long_rows(catalog)).collect();
                let mut columns = long_columns(&per.iter().flatten().cloned().collect::<Vec<_>>());
                columns.extend(self.pass_columns(records, |k| per[k].len())?);
                return RecordBatch::try_new(Arc::clone(&self.schema), columns)
                    .map_err(|e| format!("cannot build a Parquet batch: {e}"));
            }
        };
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(
                records.iter().map(|r| r.id.as_str()),
            )),
            Arc::new(Int64Array::from_iter_values(
                records
                    .iter()
                    .map(|r| i64::try_from(r.line).unwrap_or(i64::MAX)),
            )),
            Arc::new(Date32Array::from_iter(records.iter().map(|r| {
                r.as_of
                    .and_then(|d| i32::try_from(d.days_since_epoch()).ok())
            }))),
            Arc::new(StringArray::from_iter(
                records.iter().map(|r| r.error.as_deref()),
            )),
        ];
        for (i, layout) in layouts.iter().enumerate() {
            let results: Vec<Option<&super::record::RegimeResult>> = records
                .iter()
                .map(|r| {
                    r.regimes
                        .iter()
                        .find(|(id, _)| *id == layout.id)
                        .map(|(_, x)| x)
                        .filter(|_| r.error.is_none())
                })
                .collect();
            let fields = regime_fields(layout);
            let mut arrays: Vec<ArrayRef> = vec![Arc::new(StringArray::from_iter(
                results.iter().map(|r| r.and_then(|x| x.error.as_deref())),
            ))];
            if layout.loaded && !layout.rules.is_empty() {
                let statuses: Vec<ArrayRef> = layout
                    .rules
                    .iter()
                    .enumerate()
                    .map(|(k, id)| {
                        Arc::new(StringArray::from_iter(results.iter().map(|r| {
                            r.and_then(|x| {
                                x.rules
                                    .get(k)
                                    .filter(|(rid, _)| rid == id)
                                    .map(|(_, s)| s.as_str())
                            })
                        }))) as ArrayRef
                    })
                    .collect();
                arrays.push(struct_array(&layout.rules, |_| DataType::Utf8, statuses)?);
                for which in [0, 1] {
                    let lists: Vec<ArrayRef> = layout
                        .rules
                        .iter()
                        .map(|id| {
                            list_array(results.iter().map(|r| {
                                r.map(|x| {
                                    if which == 0 {
                                        &x.missing_facts
                                    } else {
                                        &x.open_questions
                                    }
                                })
                                .and_then(|m: &BTreeMap<String, Vec<String>>| m.get(id))
                            }))
                        })
                        .collect();
                    arrays.push(struct_array(&layout.rules, |_| list_type(), lists)?);
                }
            }
            if layout.loaded && !layout.computed.is_empty() {
                let names: Vec<String> = layout.computed.iter().map(|(n, _)| n.clone()).collect();
                let values: Vec<ArrayRef> = layout
                    .computed
                    .iter()
                    .map(|(name, ty)| -> ArrayRef {
                        match ty {
                            ValueType::Date => {
                                Arc::new(Date32Array::from_iter(results.iter().map(|r| {
                                    match computed_value(*r, name) {
                                        Some(Value::Date(d)) => {
                                            i32::try_from(d.days_since_epoch()).ok()
                                        }
                                        _ => None,
                                    }
                                })))
                            }
                            ValueType::Datetime => Arc::new(
                                TimestampMillisecondArray::from_iter(results.iter().map(|r| {
                                    match computed_value(*r, name) {
                                        Some(Value::Instant(t)) => t.checked_mul(1000),
                                        _ => None,
                                    }
                                }))
                                .with_timezone("UTC"),
                            ),
                            _ => Arc::new(Float64Array::from_iter(results.iter().map(|r| {
                                computed_value(*r, name)
                                    .and_then(Value::as_number)
                                    .map(|n| n.to_f64())
                            }))),
                        }
                    })
                    .collect();
                let types: BTreeMap<&str, DataType> = layout
                    .computed
                    .iter()
                    .map(|(n, t)| (n.as_str(), computed_type(*t)))
                    .collect();
                arrays.push(struct_array(
                    &names,
                    |n| types.get(n).cloned().unwrap_or(DataType::Float64),
                    values,
                )?);
                let lists: Vec<ArrayRef> = names
                    .iter()
                    .map(|n| {
                        list_array(
                            results
                                .iter()
                                .map(|r| r.and_then(|x| x.computed_undetermined.get(n))),
                        )
                    })
                    .collect();
                arrays.push(struct_array(&names, |_| list_type(), lists)?);
            }
            let nulls = arrow_buffer::NullBuffer::from(
                results.iter().map(Option::is_some).collect::<Vec<bool>>(),
            );
            let array = StructArray::try_new(fields, arrays, Some(nulls))
                .map_err(|e| format!("cannot build column `{}`: {e}", layouts[i].id))?;
            columns.push(Arc::new(array));
        }
        columns.extend(self.pass_columns(records, |_| 1)?);
        RecordBatch::try_new(Arc::clone(&self.schema), columns)
            .map_err(|e| format!("cannot build a Parquet batch: {e}"))
    }
}

fn date32(d: juxta_sdk::Date) -> Option<i32> {
    i32::try_from(d.days_since_epoch()).ok()
}

/// The long layout's columns for these rows, in the order of [`long_schema`].
fn long_columns<'a>(rows: &[LongRow<'a>]) -> Vec<ArrayRef> {
    let text = |f: fn(&LongRow<'a>) -> Option<&'a str>| -> ArrayRef {
        Arc::new(StringArray::from_iter(rows.iter().map(f)))
    };
    vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.id))),
        Arc::new(Int64Array::from_iter_values(
            rows.iter()
                .map(|r| i64::try_from(r.line).unwrap_or(i64::MAX)),
        )),
        Arc::new(Date32Array::from_iter(
            rows.iter().map(|r| r.as_of.and_then(date32)),
        )),
        text(|r| r.regime),
        text(|r| r.rule),
        text(|r| r.kind.map(juxta_sdk::manifest::RuleKind::as_str)),
        text(|r| r.title),
        text(|r| r.status.map(juxta_core::report::Status::as_str)),
        text(|r| r.state.map(juxta_core::report::DutyState::as_str)),
        Arc::new(Int64Array::from_iter(rows.iter().map(LongRow::days))),
        Arc::new(Date32Array::from_iter(
            rows.iter().map(|r| r.due.and_then(date32)),
        )),
        text(|r| r.citation),
        list_array(rows.iter().map(|r| r.missing_facts)),
        text(|r| r.error),
        Arc::new(
            TimestampMillisecondArray::from_iter(
                rows.iter()
                    .map(|r| r.due_at.and_then(|t| t.checked_mul(1000))),
            )
            .with_timezone("UTC"),
        ),
    ]
}

fn computed_value<'a>(r: Option<&'a super::record::RegimeResult>, name: &str) -> Option<&'a Value> {
    r.and_then(|x| x.computed.get(name))
}

fn struct_array(
    names: &[String],
    ty: impl Fn(&str) -> DataType,
    arrays: Vec<ArrayRef>,
) -> Result<ArrayRef, String> {
    let fields: Fields = names.iter().map(|n| Field::new(n, ty(n), true)).collect();
    StructArray::try_new(fields, arrays, None)
        .map(|a| Arc::new(a) as ArrayRef)
        .map_err(|e| e.to_string())
}

fn list_array<'a, L: AsRef<[String]> + ?Sized + 'a>(
    rows: impl Iterator<Item = Option<&'a L>>,
) -> ArrayRef {
    // Sized to the rows first: a builder's default room (1,024 lists and strings) is ten times
    // what a batch's list of missing facts needs, and a table kept in memory (Python's
    // `evaluate`) would keep that room for every rule of every batch.
    let rows: Vec<Option<&L>> = rows.collect();
    let (items, bytes) = rows.iter().flatten().fold((0, 0), |(n, b), l| {
        let l = l.as_ref();
        (n + l.len(), b + l.iter().map(String::len).sum::<usize>())
    });
    let mut b = ListBuilder::with_capacity(StringBuilder::with_capacity(items, bytes), rows.len());
    for row in rows {
        match row {
            Some(items) => {
                for item in items.as_ref() {
                    b.values().append_value(item);
                }
                b.append(true);
            }
            None => b.append(false),
        }
    }
    Arc::new(b.finish())
}

impl Sink for ParquetSink {
    fn write(&mut self, records: &[BatchRecord], _json_lines: &[u8]) -> Result<(), Stop> {
        if records.is_empty() {
            return Ok(());
        }
        let batch = self.batcher.batch(records)?;
        self.writer
            .write(&batch)
            .map_err(|e| Stop::Failed(format!("cannot write Parquet: {e}")))
    }

    fn finish(self: Box<Self>) -> Result<(), Stop> {
        self.writer
            .close()
            .map(|_| ())
            .map_err(|e| Stop::Failed(format!("cannot write Parquet: {e}")))
    }
}

/// The Parquet type of a computed value: a day, an instant in UTC (where the law counts hours)
/// or a number.
fn computed_type(ty: ValueType) -> DataType {
    match ty {
        ValueType::Date => DataType::Date32,
        // Parquet has no timestamps in seconds: milliseconds, every one a whole second.
        ValueType::Datetime => DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
        _ => DataType::Float64,
    }
}
