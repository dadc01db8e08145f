//! `juxta batch`: one record out per record in, in order, errors in-band, the same bytes
//! whatever the number of workers, the pipe-stage contract, Parquet both ways, atomic output.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, RecordBatch, StringArray, StructArray,
};
use arrow_schema::{DataType, Field, Schema};
use juxta_tests::{assert_contains, juxta, juxta_with_input};
use serde_json::Value;

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Checks a JSON value against the subset of JSON Schema that docs/batch-record.schema.json
/// uses (type, required, properties, additionalProperties, enum, items, $ref, minimum).
pub(crate) fn validate(value: &Value, schema: &Value, root: &Value, path: &str) -> Vec<String> {
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .trim_start_matches("#/")
            .split('/')
            .fold(root, |s, k| &s[k]),
        None => schema,
    };
    let mut errors = Vec::new();
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let number_accepts_integer = actual == "integer" && types.contains(&"number");
        if !(types.contains(&actual) || number_accepts_integer) {
            errors.push(format!("{path}: {actual} is not {types:?}"));
            return errors;
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        errors.push(format!("{path}: {value} not in {options:?}"));
    }
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
        && value.as_f64().is_some_and(|v| v < min)
    {
        errors.push(format!("{path}: below {min}"));
    }
    if let Value::Object(map) = value {
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !map.contains_key(req.as_str().unwrap_or_default()) {
                errors.push(format!("{path}: missing {req}"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, v) in map {
            match (
                props.and_then(|p| p.get(k)),
                schema.get("additionalProperties"),
            ) {
                (Some(s), _) => errors.extend(validate(v, s, root, &format!("{path}.{k}"))),
                (None, Some(Value::Bool(false))) => {
                    errors.push(format!("{path}: unexpected key {k}"))
                }
                (None, Some(s @ Value::Object(_))) => {
                    errors.extend(validate(v, s, root, &format!("{path}.{k}")))
                }
                _ => {}
            }
        }
    }
    if let (Value::Array(items), Some(s)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            errors.extend(validate(item, s, root, &format!("{path}[{i}]")));
        }
    }
    errors
}

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        Files {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_string()
    }
    fn write(&self, name: &str, text: &str) -> String {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }
    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }
}

#[test]
fn one_record_per_input_record_in_order_with_errors_in_band() {
    let f = Files::new();
    let input = f.write("in.jsonl", &juxta_cli::generate::jsonl(11, 600, Some(37)));
    let run = juxta(&["batch", &input, "-o", &f.path("out.jsonl")]);
    assert_eq!(run.code, 3, "some records failed: {}", run.stderr);
    assert!(
        run.stderr.contains("600 records (584 ok, 16 failed)"),
        "{}",
        run.stderr
    );
    let out = lines(&f.read("out.jsonl"));
    let inputs: Vec<&str> = std::fs::read_to_string(&input)
        .unwrap()
        .leak()
        .lines()
        .collect();
    assert_eq!(out.len(), 600);
    for (i, (rec, line)) in out.iter().zip(&inputs).enumerate() {
        assert_eq!(rec["line"], i as u64 + 1);
        if (i + 1) % 37 == 0 {
            let error = rec["error"].as_str().unwrap();
            assert!(error.starts_with(&format!("line {}: ", i + 1)), "{error}");
            assert!(rec["regimes"].is_null());
        } else {
            let id = serde_json::from_str::<Value>(line).unwrap()["model"]["id"].clone();
            assert_eq!(rec["id"], id);
            assert!(rec["error"].is_null(), "{}", rec["error"]);
            assert_eq!(
                rec["regimes"]["eu-ai-act-gpai"]["rules"]
                    .as_object()
                    .unwrap()
                    .len(),
                22
            );
            assert_eq!(
                rec["regimes"]["us-ai-eo-2026"]["rules"]
                    .as_object()
                    .unwrap()
                    .len(),
                14
            );
        }
    }
}

#[test]
fn records_follow_the_published_json_schema() {
    let schema: Value = serde_json::from_str(juxta::batch::RECORD_SCHEMA).unwrap();
    let printed = juxta(&["batch", "--print-json-schema"]);
    assert_eq!(
        serde_json::from_str::<Value>(&printed.stdout).unwrap(),
        schema
    );
    let input = juxta_cli::generate::jsonl(5, 300, Some(30));
    let run = juxta_with_input(&["batch", "-", "-o", "-", "-q"], input.as_bytes());
    let mut errors = Vec::new();
    for rec in lines(&run.stdout) {
        errors.extend(validate(&rec, &schema, &schema, "record"));
    }
    assert!(
        errors.is_empty(),
        "{}",
        errors[..errors.len().min(10)].join("\n")
    );
}

#[test]
fn the_output_is_byte_identical_whatever_the_number_of_workers() {
    let f = Files::new();
    let input = f.write("in.jsonl", &juxta_cli::generate::jsonl(99, 2000, Some(101)));
    let mut outputs = Vec::new();
    for jobs in ["1", "2", "4", "7"] {
        let out = f.path(&format!("out{jobs}.jsonl"));
        assert_eq!(
            juxta(&["batch", &input, "-o", &out, "--jobs", jobs, "-q"]).code,
            3
        );
        outputs.push(std::fs::read(&out).unwrap());
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn batch_agrees_with_compare() {
    let f = Files::new();
    for example in ["closed-frontier", "open-weights-mid", "fine-tune"] {
        let cmp = juxta(&[
            "compare",
            &format!("examples/{example}.toml"),
            "--format",
            "json",
        ]);
        let cmp: Value = serde_json::from_str(&cmp.stdout).unwrap();
        let text =
            std::fs::read_to_string(juxta_tests::repo().join(format!("examples/{example}.toml")))
                .unwrap();
        let json = juxta_tests::toml_to_json(&toml::from_str(&text).unwrap());
        let input = f.write(&format!("{example}.jsonl"), &format!("{json}\n"));
        let run = juxta(&["batch", &input, "-o", "-", "-q"]);
        let rec = &lines(&run.stdout)[0];
        for regime in cmp["regimes"].as_array().unwrap() {
            let id = regime["id"].as_str().unwrap();
            let from_batch = &rec["regimes"][id];
            for rule in regime["rules"].as_array().unwrap() {
                assert_eq!(
                    from_batch["rules"][rule["id"].as_str().unwrap()],
                    rule["status"],
                    "{example} {id} {}",
                    rule["id"]
                );
            }
            assert_eq!(from_batch["computed"], regime["computed"], "{example} {id}");
            assert_eq!(
                from_batch["computed_undetermined"], regime["computed_undetermined"],
                "{example} {id}"
            );
        }
    }
}

#[test]
fn as_a_pipe_stage_every_line_is_answered_before_the_input_ends() {
    let (in_reader, mut in_writer) = std::io::pipe().unwrap();
    let (out_reader, out_writer) = std::io::pipe().unwrap();
    let handle = std::thread::spawn(move || {
        let (mut input, mut out, mut err) = (in_reader, out_writer, Vec::new());
        let mut io = juxta_cli::Io {
            input: &mut input,
            out: &mut out,
            err: &mut err,
            out_is_terminal: false,
            err_is_terminal: false,
        };
        let argv = ["juxta", "batch", "-", "-o", "-", "-q"].map(std::ffi::OsString::from);
        juxta_cli::run(argv, &mut io)
    });
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(out_reader).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let profiles = juxta_cli::generate::jsonl(3, 5, None);
    for (i, line) in profiles.lines().enumerate() {
        writeln!(in_writer, "{line}").unwrap();
        in_writer.flush().unwrap();
        // The answer comes while the input is still open.
        let answer = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("no answer before the next input line");
        let rec: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(rec["line"], i as u64 + 1);
    }
    drop(in_writer);
    assert_eq!(handle.join().unwrap(), juxta_cli::Exit::Success);
    reader.join().unwrap();
}

#[test]
fn blank_unreadable_and_oversized_lines_become_error_records() {
    let good = juxta_cli::generate::jsonl(4, 1, None);
    let mut input = Vec::new();
    input.extend_from_slice(good.as_bytes());
    input.extend_from_slice(b"\n");
    input.extend_from_slice(b"{\"schema_version\": \"1\", \"x\": \"\xff\xfe\"}\n");
    input.extend_from_slice(format!("{{\"padding\": \"{}\"}}\n", "a".repeat(5000)).as_bytes());
    input.extend_from_slice(good.as_bytes());
    let run = juxta_with_input(
        &["batch", "-", "-o", "-", "--max-record-bytes", "4096"],
        &input,
    );
    let out = lines(&run.stdout);
    assert_eq!(out.len(), 5);
    assert!(out[0]["error"].is_null());
    assert!(out[1]["error"].as_str().unwrap().contains("empty line"));
    assert!(out[2]["error"].as_str().unwrap().contains("not UTF-8"));
    assert!(
        out[3]["error"]
            .as_str()
            .unwrap()
            .contains("longer than the limit of 4096 bytes")
    );
    assert!(out[4]["error"].is_null());
    assert_eq!(out[4]["line"], 5);
    assert_eq!(run.code, 3);
}

#[test]
fn the_id_field_and_as_of_can_be_chosen() {
    let input = juxta_cli::generate::jsonl(8, 3, None);
    let run = juxta_with_input(
        &[
            "batch",
            "-",
            "-o",
            "-",
            "-q",
            "--id-field",
            "provider.name",
            "--as-of",
            "2027-06-30",
        ],
        input.as_bytes(),
    );
    for (rec, line) in lines(&run.stdout).iter().zip(input.lines()) {
        let name = serde_json::from_str::<Value>(line).unwrap()["provider"]["name"].clone();
        assert_eq!(
            rec["id"],
            if name.is_null() {
                rec["line"].to_string().into()
            } else {
                name
            }
        );
        assert_eq!(rec["as_of"], "2027-06-30");
    }
    let run = juxta_with_input(
        &["batch", "-", "-o", "-", "-q", "--id-field", "no.such"],
        input.as_bytes(),
    );
    assert_eq!(
        lines(&run.stdout)[1]["id"],
        "2",
        "without the field, the id is the line number"
    );
}

#[test]
fn an_empty_input_gives_an_empty_output() {
    let f = Files::new();
    let input = f.write("empty.jsonl", "");
    let run = juxta(&["batch", &input, "-o", &f.path("out.jsonl")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(f.read("out.jsonl"), "");
}

#[test]
fn a_failed_run_leaves_the_previous_output_untouched_and_no_temporary_file() {
    let f = Files::new();
    let out = f.write("out.jsonl", "previous results\n");
    let corrupt = f.write("in.parquet", "PAR1 this is not parquet");
    let run = juxta(&["batch", &corrupt, "-o", &out]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("not a readable Parquet file"),
        "{}",
        run.stderr
    );
    assert_eq!(f.read("out.jsonl"), "previous results\n");
    let leftovers: Vec<_> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with(".juxta-batch-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn parquet_output_carries_the_same_results_as_json_lines() {
    let f = Files::new();
    let input = f.write("in.jsonl", &juxta_cli::generate::jsonl(21, 700, Some(50)));
    juxta(&["batch", &input, "-o", &f.path("out.jsonl"), "-q"]);
    let run = juxta(&["batch", &input, "-o", &f.path("out.parquet"), "-q"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let json = lines(&f.read("out.jsonl"));
    let file = std::fs::File::open(f.path("out.parquet")).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let mut row = 0;
    for batch in reader {
        let batch = batch.unwrap();
        let ids = batch
            .column_by_name("id")
            .unwrap()
            .as_string::<i32>()
            .clone();
        let errors = batch
            .column_by_name("error")
            .unwrap()
            .as_string::<i32>()
            .clone();
        let eu = batch
            .column_by_name("eu-ai-act-gpai")
            .unwrap()
            .as_struct()
            .clone();
        let rules = eu.column_by_name("rules").unwrap().as_struct().clone();
        let computed = eu.column_by_name("computed").unwrap().as_struct().clone();
        for i in 0..batch.num_rows() {
            let rec = &json[row];
            assert_eq!(ids.value(i), rec["id"].as_str().unwrap());
            assert_eq!(errors.is_null(i), rec["error"].is_null());
            if rec["error"].is_null() {
                for (rule, status) in rec["regimes"]["eu-ai-act-gpai"]["rules"]
                    .as_object()
                    .unwrap()
                {
                    assert_eq!(
                        rules
                            .column_by_name(rule)
                            .unwrap()
                            .as_string::<i32>()
                            .value(i),
                        status.as_str().unwrap()
                    );
                }
                let fine = computed
                    .column_by_name("max_fine_eur")
                    .unwrap()
                    .as_primitive::<arrow_array::types::Float64Type>();
                assert_eq!(
                    fine.is_null(i),
                    rec["regimes"]["eu-ai-act-gpai"]["computed"]["max_fine_eur"].is_null()
                );
            } else {
                assert!(eu.is_null(i));
            }
            row += 1;
        }
    }
    assert_eq!(row, 700);
    let schema = juxta(&["batch", "--print-arrow-schema"]);
    assert!(
        schema.stdout.contains("EU-OBL-53-1a") && schema.stdout.contains("Date32"),
        "{}",
        schema.stdout
    );
}

fn strings(values: &[Option<&str>]) -> ArrayRef {
    Arc::new(StringArray::from(values.to_vec()))
}

#[test]
fn parquet_input_with_flat_or_nested_columns_gives_the_json_answers() {
    let f = Files::new();
    let days = |s: &str| s.parse::<juxta_sdk::Date>().unwrap().days_since_epoch() as i32;
    let mut modalities = ListBuilder::new(StringBuilder::new());
    modalities.values().append_value("text");
    modalities.append(true);
    modalities.values().append_value("speech");
    modalities.append(true);
    let modalities: ArrayRef = Arc::new(modalities.finish());
    let compute: ArrayRef = Arc::new(Float64Array::from(vec![Some(5e25), None]));
    // Flat columns named by fact path.
    let flat = RecordBatch::try_from_iter(vec![
        ("schema_version", strings(&[Some("1"), Some("1")])),
        (
            "evaluation.as_of",
            Arc::new(Date32Array::from(vec![
                days("2026-11-22"),
                days("2026-11-22"),
            ])) as ArrayRef,
        ),
        ("model.id", strings(&[Some("p1"), Some("p2")])),
        ("model.training_compute_flop", Arc::clone(&compute)),
        ("model.output_modalities", Arc::clone(&modalities)),
        ("provider.country", strings(&[Some("US"), Some("FR")])),
        (
            "eu.placed_on_market",
            Arc::new(BooleanArray::from(vec![Some(true), None])) as ArrayRef,
        ),
        (
            "eu.placing_date",
            Arc::new(Date32Array::from(vec![Some(days("2027-01-20")), None])) as ArrayRef,
        ),
    ])
    .unwrap();
    // The same as nested structs.
    let model = StructArray::from(vec![
        (
            Arc::new(Field::new("id", DataType::Utf8, true)),
            strings(&[Some("p1"), Some("p2")]),
        ),
        (
            Arc::new(Field::new("training_compute_flop", DataType::Float64, true)),
            Arc::clone(&compute),
        ),
        (
            Arc::new(Field::new(
                "output_modalities",
                modalities.data_type().clone(),
                true,
            )),
            Arc::clone(&modalities),
        ),
    ]);
    let nested = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("schema_version", DataType::Utf8, false),
            Field::new("evaluation.as_of", DataType::Date32, false),
            Field::new("model", model.data_type().clone(), true),
            Field::new("provider.country", DataType::Utf8, true),
            Field::new("eu.placed_on_market", DataType::Boolean, true),
            Field::new("eu.placing_date", DataType::Date32, true),
        ])),
        vec![
            strings(&[Some("1"), Some("1")]),
            Arc::new(Date32Array::from(vec![
                days("2026-11-22"),
                days("2026-11-22"),
            ])),
            Arc::new(model),
            strings(&[Some("US"), Some("FR")]),
            Arc::new(BooleanArray::from(vec![Some(true), None])),
            Arc::new(Date32Array::from(vec![Some(days("2027-01-20")), None])),
        ],
    )
    .unwrap();
    let json = "{\"schema_version\":\"1\",\"evaluation\":{\"as_of\":\"2026-11-22\"},\"model\":{\"id\":\"p1\",\"training_compute_flop\":5e25,\"output_modalities\":[\"text\"]},\"provider\":{\"country\":\"US\"},\"eu\":{\"placed_on_market\":true,\"placing_date\":\"2027-01-20\"}}\n\
                {\"schema_version\":\"1\",\"evaluation\":{\"as_of\":\"2026-11-22\"},\"model\":{\"id\":\"p2\",\"output_modalities\":[\"speech\"]},\"provider\":{\"country\":\"FR\"}}\n";
    let expected =
        lines(&juxta_with_input(&["batch", "-", "-o", "-", "-q"], json.as_bytes()).stdout);
    for (name, batch) in [("flat", flat), ("nested", nested)] {
        let path = f.path(&format!("{name}.parquet"));
        let mut w = parquet::arrow::ArrowWriter::try_new(
            std::fs::File::create(&path).unwrap(),
            batch.schema(),
            None,
        )
        .unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let run = juxta(&["batch", &path, "-o", "-", "-q"]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert_eq!(lines(&run.stdout), expected, "{name}");
    }
    let statuses: BTreeMap<String, Value> =
        serde_json::from_value(expected[1]["regimes"]["eu-ai-act-gpai"]["rules"].clone()).unwrap();
    assert_eq!(
        statuses["EU-CLS-SCOPE"], "undetermined",
        "a null cell is an unknown fact"
    );
}

fn write_parquet(path: &str, batch: &RecordBatch) {
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(path).unwrap(),
        batch.schema(),
        None,
    )
    .unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
}

#[test]
fn parquet_columns_that_hold_no_fact_are_left_out_refused_or_carried() {
    let f = Files::new();
    let owner = StructArray::from(vec![
        (
            Arc::new(Field::new("id", DataType::Utf8, true)),
            strings(&[Some("p1"), Some("p2")]),
        ),
        (
            Arc::new(Field::new("owner", DataType::Utf8, true)),
            strings(&[Some("ana"), None]),
        ),
    ]);
    let with_extra = RecordBatch::try_from_iter(vec![
        ("schema_version", strings(&[Some("1"), Some("1")])),
        (
            "evaluation.as_of",
            strings(&[Some("2026-11-22"), Some("2026-11-22")]),
        ),
        ("model", Arc::new(owner) as ArrayRef),
        ("owner_team", strings(&[Some("ml"), Some("infra")])),
        (
            "row_key",
            Arc::new(arrow_array::Int32Array::from(vec![7, 9])) as ArrayRef,
        ),
    ])
    .unwrap();
    let path = f.path("extra.parquet");
    write_parquet(&path, &with_extra);
    let json = "{\"schema_version\":\"1\",\"evaluation\":{\"as_of\":\"2026-11-22\"},\"model\":{\"id\":\"p1\"}}\n\
                {\"schema_version\":\"1\",\"evaluation\":{\"as_of\":\"2026-11-22\"},\"model\":{\"id\":\"p2\"}}\n";
    let expected =
        lines(&juxta_with_input(&["batch", "-", "-o", "-", "-q"], json.as_bytes()).stdout);

    // By default: left out, the answers unchanged, and named once in the summary.
    let run = juxta(&["batch", &path, "-o", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(lines(&run.stdout), expected);
    assert_eq!(
        run.stderr
            .matches("left out: `model.owner`, `owner_team`, `row_key`")
            .count(),
        1,
        "{}",
        run.stderr
    );
    // Said even with -q: data left unread is never silent.
    let run = juxta(&["batch", &path, "-o", "-", "-q"]);
    assert_contains(&run.stderr, &["left out: `model.owner`"]);
    // A misspelt fact column is named with the fact it most likely meant; a passthrough
    // column may not shadow the output's own fields in any case (Spark resolves `ID` as `id`).
    let misspelt = RecordBatch::try_from_iter(vec![
        ("model.id", strings(&[Some("p1")])),
        ("model.training_compute_flops", strings(&[Some("1e25")])),
        ("ID", strings(&[Some("x")])),
    ])
    .unwrap();
    let other = f.path("misspelt.parquet");
    write_parquet(&other, &misspelt);
    let run = juxta(&["batch", &other, "-o", "-", "-q"]);
    assert_contains(
        &run.stderr,
        &["`model.training_compute_flops` (did you mean `model.training_compute_flop`?)"],
    );
    let run = juxta(&["batch", &other, "-o", "-", "--passthrough", "ID"]);
    assert_ne!(run.code, 0);
    assert_contains(
        &run.stderr,
        &["--passthrough ID: the output has a field `id`"],
    );

    // Refused on request, naming every column.
    let run = juxta(&["batch", &path, "-o", "-", "--strict-columns"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("`model.owner`")
            && run.stderr.contains("`owner_team`")
            && run.stderr.contains("--strict-columns")
            && run.stdout.is_empty(),
        "{}",
        run.stderr
    );

    // Carried, in JSON Lines with their JSON value and in Parquet with their own type.
    let run = juxta(&[
        "batch",
        &path,
        "-o",
        "-",
        "-q",
        "--strict-columns",
        "--passthrough",
        "row_key,owner_team",
        "--passthrough",
        "model",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = lines(&run.stdout);
    assert_eq!(got[0]["row_key"], 7);
    assert_eq!(got[1]["owner_team"], "infra");
    assert_eq!(got[0]["model"]["owner"], "ana");
    assert_eq!(got[0]["regimes"], expected[0]["regimes"]);
    let out = f.path("carried.parquet");
    let run = juxta(&["batch", &path, "-o", &out, "-q", "--passthrough", "row_key"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        std::fs::File::open(&out).unwrap(),
    )
    .unwrap();
    let metadata = reader
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .cloned()
        .unwrap();
    let keys: Vec<&str> = metadata.iter().map(|kv| kv.key.as_str()).collect();
    for key in [
        "juxta.version",
        "juxta.regimes",
        "juxta.as_of",
        "juxta.layout",
    ] {
        assert!(keys.contains(&key), "{keys:?}");
    }
    let batch = reader.build().unwrap().next().unwrap().unwrap();
    assert_eq!(
        batch.schema().field_with_name("line").unwrap().data_type(),
        &DataType::Int64
    );
    let keys = batch
        .column_by_name("row_key")
        .unwrap()
        .as_primitive::<arrow_array::types::Int32Type>();
    assert_eq!(keys.values().to_vec(), vec![7, 9]);

    // What cannot be: a missing column, a name of the output's own, JSON Lines input.
    let run = juxta(&["batch", &path, "-o", "-", "--passthrough", "owner"]);
    assert!(run.stderr.contains("no column `owner`"), "{}", run.stderr);
    let run = juxta(&["batch", &path, "-o", "-", "--passthrough", "model.id"]);
    assert!(
        run.stderr.contains("no column `model.id`"),
        "{}",
        run.stderr
    );
    let input = f.write("in.jsonl", json);
    let run = juxta(&["batch", &input, "-o", "-", "--passthrough", "owner_team"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("Parquet input"), "{}", run.stderr);
}

#[test]
fn an_extension_that_names_no_format_is_an_error_not_json_lines() {
    let f = Files::new();
    let input = f.write("in.jsonl", &juxta_cli::generate::jsonl(3, 5, None));
    let run = juxta(&["batch", &input, "-o", &f.path("results.csv")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("results.csv") && run.stderr.contains("--output-format"),
        "{}",
        run.stderr
    );
    assert!(!std::path::Path::new(&f.path("results.csv")).exists());
    // Said explicitly, any name is fine; so are the JSON Lines names and none.
    for name in ["results.ndjson", "results.json", "results"] {
        let run = juxta(&["batch", &input, "-o", &f.path(name), "-q"]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    }
    let run = juxta(&[
        "batch",
        &input,
        "-o",
        &f.path("results.txt"),
        "-q",
        "--output-format",
        "jsonl",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// Standard output that accepts `room` bytes, then fails with `kind`.
struct ClosingOutput {
    room: usize,
    kind: std::io::ErrorKind,
}

impl std::io::Write for ClosingOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(std::io::Error::from(self.kind));
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn run_into(out: &mut ClosingOutput, args: &[&str], stdin: &[u8]) -> (juxta_cli::Exit, String) {
    let mut err = Vec::new();
    let mut input = std::io::Cursor::new(stdin.to_vec());
    let argv: Vec<std::ffi::OsString> = std::iter::once("juxta")
        .chain(args.iter().copied())
        .map(Into::into)
        .collect();
    std::env::set_current_dir(juxta_tests::repo()).unwrap();
    let code = juxta_cli::run(
        argv,
        &mut juxta_cli::Io {
            input: &mut input,
            out,
            err: &mut err,
            out_is_terminal: false,
            err_is_terminal: false,
        },
    );
    (code, String::from_utf8(err).unwrap())
}

#[test]
fn a_reader_that_closes_the_pipe_stops_the_batch_quietly_and_other_write_errors_fail() {
    let input = juxta_cli::generate::jsonl(3, 2000, None);
    let mut closed = ClosingOutput {
        room: 5000,
        kind: std::io::ErrorKind::BrokenPipe,
    };
    let (code, stderr) = run_into(
        &mut closed,
        &["batch", "-", "-o", "-", "-q"],
        input.as_bytes(),
    );
    assert_eq!(code, juxta_cli::Exit::Success, "{stderr}");
    assert_eq!(stderr, "");

    let mut full = ClosingOutput {
        room: 5000,
        kind: std::io::ErrorKind::StorageFull,
    };
    let (code, stderr) = run_into(
        &mut full,
        &["batch", "-", "-o", "-", "-q"],
        input.as_bytes(),
    );
    assert_eq!(code, juxta_cli::Exit::Error);
    assert!(
        stderr.contains("cannot write the output") && stderr.contains("the output stops here"),
        "{stderr}"
    );
}

/// The fields of a long row that describe a rule: null on a record's or a regime's error row.
const RULE_FIELDS: [&str; 10] = [
    "rule",
    "kind",
    "title",
    "status",
    "state",
    "days",
    "due",
    "citation",
    "missing_facts",
    "as_of",
];

fn date(v: &Value) -> juxta_sdk::Date {
    v.as_str().unwrap().parse().unwrap()
}

#[test]
fn the_long_layout_says_what_the_wide_layout_says_rule_by_rule_in_order() {
    let f = Files::new();
    let input = f.write("in.jsonl", &juxta_cli::generate::jsonl(13, 500, Some(37)));
    let wide = juxta(&["batch", &input, "-o", &f.path("wide.jsonl"), "-q"]);
    let long = juxta(&[
        "batch",
        &input,
        "--layout",
        "long",
        "-o",
        &f.path("long.jsonl"),
        "-q",
    ]);
    assert_eq!((wide.code, long.code), (3, 3), "{}", long.stderr);
    let (wide, long) = (lines(&f.read("wide.jsonl")), lines(&f.read("long.jsonl")));

    let schema: Value = serde_json::from_str(juxta::batch::LONG_RECORD_SCHEMA).unwrap();
    let printed = juxta(&["batch", "--layout", "long", "--print-json-schema"]);
    assert_eq!(
        serde_json::from_str::<Value>(&printed.stdout).unwrap(),
        schema
    );
    let errors: Vec<String> = long
        .iter()
        .flat_map(|row| validate(row, &schema, &schema, "row"))
        .collect();
    assert!(
        errors.is_empty(),
        "{}",
        errors[..errors.len().min(10)].join("\n")
    );

    // Input order, then regime order (by id), then the regime's rule order.
    let regimes: Vec<(String, juxta_core::regime::Regime)> = juxta_tests::regime_ids()
        .into_iter()
        .map(|id| {
            let r = juxta_tests::regime(&id);
            (id, r)
        })
        .collect();
    let mut rows = long.iter();
    let mut states: BTreeMap<String, usize> = BTreeMap::new();
    for rec in &wide {
        let context = format!("line {}", rec["line"]);
        if !rec["error"].is_null() {
            let row = rows.next().unwrap();
            assert_eq!(
                (&row["id"], &row["line"], &row["error"]),
                (&rec["id"], &rec["line"], &rec["error"]),
                "{context}"
            );
            assert!(row["regime"].is_null(), "{context}");
            for field in RULE_FIELDS {
                assert!(row[field].is_null(), "{context}: {field}");
            }
            continue;
        }
        for (id, regime) in &regimes {
            let w = &rec["regimes"][id];
            assert!(w["error"].is_null(), "{context}: {id}");
            for rule in &regime.rules {
                let row = rows.next().unwrap();
                let context = format!("{context}: {id} {}", rule.id);
                assert_eq!(
                    [&row["id"], &row["line"], &row["as_of"]],
                    [&rec["id"], &rec["line"], &rec["as_of"]],
                    "{context}"
                );
                assert_eq!(
                    (&row["regime"], &row["rule"]),
                    (&id.as_str().into(), &rule.id.as_str().into()),
                    "{context}"
                );
                let status = &w["rules"][&rule.id];
                assert_eq!(&row["status"], status, "{context}");
                assert_eq!(row["kind"], rule.kind.as_str(), "{context}");
                assert_eq!(row["title"], rule.title.as_str(), "{context}");
                assert_eq!(row["citation"], rule.citation.as_str(), "{context}");
                assert_eq!(
                    row["missing_facts"],
                    w["missing_facts"]
                        .get(&rule.id)
                        .cloned()
                        .unwrap_or(Value::Array(vec![])),
                    "{context}"
                );
                assert!(row["error"].is_null(), "{context}");
                // The deadline is the rule's computed value, unless the rule does not apply.
                let due = rule
                    .due
                    .and_then(|i| w["computed"].get(&regime.computed[i].name))
                    .filter(|_| status != "does_not_apply");
                assert_eq!(row["due"], due.cloned().unwrap_or(Value::Null), "{context}");
                let duty = rule.kind == juxta_sdk::manifest::RuleKind::Obligation
                    && status != "does_not_apply";
                let (state, days) = match (duty, rule.due, due) {
                    (false, _, _) => (Value::Null, Value::Null),
                    (true, None, _) => ("no_deadline".into(), Value::Null),
                    (true, Some(_), None) => ("not_triggered".into(), Value::Null),
                    (true, Some(_), Some(due)) => {
                        let to_go =
                            date(due).days_since_epoch() - date(&rec["as_of"]).days_since_epoch();
                        match to_go {
                            d if d < 0 => ("overdue".into(), (-d).into()),
                            0 => ("due_today".into(), Value::Null),
                            d => ("due_in".into(), d.into()),
                        }
                    }
                };
                assert_eq!((&row["state"], &row["days"]), (&state, &days), "{context}");
                if let Some(s) = state.as_str() {
                    *states.entry(s.to_string()).or_default() += 1;
                }
            }
        }
    }
    assert!(rows.next().is_none(), "more rows than rules");
    for s in ["overdue", "due_in", "not_triggered", "no_deadline"] {
        assert!(
            states.get(s).is_some_and(|&n| n > 0),
            "no {s} among {states:?}"
        );
    }
}

#[test]
fn in_the_long_layout_a_failed_record_or_regime_is_one_row_with_its_error() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    std::fs::write(plugins.join("vendor.wasm"), b"not a plugin").unwrap();
    let mut input = juxta_cli::generate::jsonl(4, 2, None);
    input.push_str("{\"schema_version\": \"1\",\n");
    let run = juxta_with_input(
        &[
            "batch",
            "-",
            "-o",
            "-",
            "-q",
            "--layout",
            "long",
            "--plugins",
            plugins.to_str().unwrap(),
            "--lock",
            dir.path().join("juxta.lock").to_str().unwrap(),
        ],
        input.as_bytes(),
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    let rows = lines(&run.stdout);
    let rules: usize = juxta_tests::regime_ids()
        .iter()
        .map(|id| juxta_tests::regime(id).rules.len())
        .sum();
    // Each valid record: every bundled rule, and one row for the failed regime, in id order.
    assert_eq!(rows.len(), 2 * (rules + 1) + 1);
    for line in [1, 2] {
        let of_line: Vec<&Value> = rows.iter().filter(|r| r["line"] == line).collect();
        let failed: Vec<&&Value> = of_line.iter().filter(|r| r["regime"] == "vendor").collect();
        assert_eq!(failed.len(), 1);
        assert!(
            failed[0]["error"].as_str().unwrap().contains("not pinned"),
            "{}",
            failed[0]
        );
        assert!(failed[0]["as_of"].is_string());
        for field in &RULE_FIELDS[..9] {
            assert!(failed[0][field].is_null(), "{field}");
        }
        let order: Vec<&str> = of_line
            .iter()
            .map(|r| r["regime"].as_str().unwrap())
            .collect();
        assert!(order.is_sorted(), "{order:?}");
    }
    let last = rows.last().unwrap();
    assert_eq!(last["line"], 3);
    assert_eq!(last["id"], "3");
    assert!(last["regime"].is_null());
    assert!(
        last["error"]
            .as_str()
            .unwrap()
            .starts_with("line 3: invalid JSON")
    );
}

/// A long-layout Parquet file as the JSON rows it stands for: dates as `YYYY-MM-DD`.
fn long_parquet_rows(path: &str) -> Vec<Value> {
    let file = std::fs::File::open(path).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        for i in 0..batch.num_rows() {
            let mut row = serde_json::Map::new();
            for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
                let value = if column.is_null(i) {
                    Value::Null
                } else {
                    match field.data_type() {
                        DataType::Utf8 => column.as_string::<i32>().value(i).into(),
                        DataType::Int64 => column
                            .as_primitive::<arrow_array::types::Int64Type>()
                            .value(i)
                            .into(),
                        DataType::Date32 => juxta_sdk::Date::from_days_since_epoch(
                            column
                                .as_primitive::<arrow_array::types::Date32Type>()
                                .value(i)
                                .into(),
                        )
                        .unwrap()
                        .to_string()
                        .into(),
                        DataType::List(_) => {
                            let items = column.as_list::<i32>().value(i);
                            let items = items.as_string::<i32>();
                            (0..items.len())
                                .map(|k| Value::from(items.value(k)))
                                .collect()
                        }
                        DataType::Timestamp(arrow_schema::TimeUnit::Millisecond, Some(_)) => {
                            juxta_core::value::instant_text(
                                column
                                    .as_primitive::<arrow_array::types::TimestampMillisecondType>()
                                    .value(i)
                                    / 1000,
                            )
                            .into()
                        }
                        other => panic!("unexpected type {other} of `{}`", field.name()),
                    }
                };
                row.insert(field.name().clone(), value);
            }
            rows.push(Value::Object(row));
        }
    }
    rows
}

#[test]
fn long_parquet_has_typed_columns_and_the_long_json_lines_rows() {
    let f = Files::new();
    let input = f.write("in.jsonl", &juxta_cli::generate::jsonl(17, 300, Some(29)));
    for out in ["long.jsonl", "long.parquet"] {
        let run = juxta(&[
            "batch",
            &input,
            "--layout",
            "long",
            "-o",
            &f.path(out),
            "-q",
        ]);
        assert_eq!(run.code, 3, "{}", run.stderr);
    }
    let file = std::fs::File::open(f.path("long.parquet")).unwrap();
    let schema = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .schema()
        .clone();
    let types: Vec<(String, String, bool)> = schema
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().to_string(), f.is_nullable()))
        .collect();
    let utf8 = |n: &str| (n.to_string(), "Utf8".to_string(), true);
    assert_eq!(
        types,
        vec![
            ("id".into(), "Utf8".into(), false),
            ("line".into(), "Int64".into(), false),
            ("as_of".into(), "Date32".into(), true),
            utf8("regime"),
            utf8("rule"),
            utf8("kind"),
            utf8("title"),
            utf8("status"),
            utf8("state"),
            ("days".into(), "Int64".into(), true),
            ("due".into(), "Date32".into(), true),
            utf8("citation"),
            (
                "missing_facts".into(),
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))).to_string(),
                true
            ),
            utf8("error"),
            (
                "due_at".into(),
                DataType::Timestamp(arrow_schema::TimeUnit::Millisecond, Some("UTC".into()))
                    .to_string(),
                true
            ),
        ]
    );
    let parquet = long_parquet_rows(&f.path("long.parquet"));
    let json = lines(&f.read("long.jsonl"));
    assert_eq!(parquet.len(), json.len());
    for (p, j) in parquet.iter().zip(&json) {
        assert_eq!(p, j);
    }
    assert!(json.iter().any(|r| !r["error"].is_null()));
    assert!(json.iter().any(|r| r["due"].is_string()));
    assert!(
        json.iter()
            .any(|r| r["missing_facts"].as_array().is_some_and(|m| !m.is_empty()))
    );
    let printed = juxta(&["batch", "--layout", "long", "--print-arrow-schema"]);
    assert!(
        printed
            .stdout
            .starts_with("id: Utf8\nline: Int64\nas_of: Date32?\nregime: Utf8?\n"),
        "{}",
        printed.stdout
    );
    assert!(printed.stdout.contains("missing_facts: list<Utf8>?\n"));
}

#[test]
fn the_long_layout_is_the_same_whatever_the_number_of_workers() {
    let f = Files::new();
    let input = f.write("in.jsonl", &juxta_cli::generate::jsonl(23, 1200, Some(97)));
    let mut jsonl = Vec::new();
    let mut parquet = Vec::new();
    for jobs in ["1", "3", "8"] {
        for (ext, outputs) in [("jsonl", &mut jsonl), ("parquet", &mut parquet)] {
            let out = f.path(&format!("out{jobs}.{ext}"));
            let run = juxta(&[
                "batch", &input, "--layout", "long", "-o", &out, "--jobs", jobs, "-q",
            ]);
            assert_eq!(run.code, 3, "{}", run.stderr);
            outputs.push(out);
        }
    }
    let bytes: Vec<Vec<u8>> = jsonl.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(bytes.windows(2).all(|w| w[0] == w[1]), "JSON Lines differ");
    let rows: Vec<Vec<Value>> = parquet.iter().map(|p| long_parquet_rows(p)).collect();
    assert!(rows.windows(2).all(|w| w[0] == w[1]), "Parquet rows differ");
    assert_eq!(
        rows[0],
        lines(&String::from_utf8(bytes[0].clone()).unwrap())
    );
}
