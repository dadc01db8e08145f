//! Third-party plugins: loaded from directories, pinned by sha256 in a lock file, refused when
//! unpinned, changed, or claiming a regime id twice.

use juxta_tests::{CALL_ERR, component, juxta, plugin_wat, tiny_manifest};
use serde_json::Value;

fn plugin(id: &str, version: &str) -> Vec<u8> {
    let manifest =
        tiny_manifest(id, "").replace("version = \"0.1.0\"", &format!("version = \"{version}\""));
    component(
        &plugin_wat("1.0.0", &manifest, "", CALL_ERR, ""),
        juxta_sdk::WIT,
    )
}

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let s = Setup {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir(s.plugins()).unwrap();
        s
    }
    fn plugins(&self) -> String {
        self.dir
            .path()
            .join("plugins")
            .to_str()
            .unwrap()
            .to_string()
    }
    fn lock(&self) -> String {
        self.dir
            .path()
            .join("juxta.lock")
            .to_str()
            .unwrap()
            .to_string()
    }
    /// `juxta regimes lock` on the plugin directory.
    fn pin(&self) -> juxta_tests::Run {
        juxta(&[
            "regimes",
            "lock",
            "--plugins",
            &self.plugins(),
            "--lock",
            &self.lock(),
        ])
    }
    fn add(&self, file: &str, bytes: &[u8]) {
        std::fs::write(self.dir.path().join("plugins").join(file), bytes).unwrap();
    }
    fn compare(&self) -> (i32, Value, String) {
        let run = juxta(&[
            "compare",
            "examples/closed-frontier.toml",
            "--format",
            "json",
            "--plugins",
            &self.plugins(),
            "--lock",
            &self.lock(),
        ]);
        (
            run.code,
            serde_json::from_str(&run.stdout).unwrap_or(Value::Null),
            run.stderr,
        )
    }
}

fn regime<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["regimes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no regime {id} in {doc}"))
}

/// The column of a refused plugin file whose name would clash: `plugin:<its path>`, never a
/// regime id.
fn refused<'a>(doc: &'a Value, file: &str) -> &'a Value {
    doc["regimes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["id"].as_str().is_some_and(|id| {
                id.starts_with("plugin:") && id.ends_with(&format!("plugins/{file}"))
            })
        })
        .unwrap_or_else(|| panic!("no refused column for {file} in {doc}"))
}

#[test]
fn an_unpinned_plugin_is_refused_and_the_bundled_regimes_still_come_out() {
    let s = Setup::new();
    s.add("uk-frontier.wasm", &plugin("uk-frontier", "0.1.0"));
    let (code, doc, stderr) = s.compare();
    assert_eq!(code, 3, "{stderr}");
    // Clashing with nothing, the refused column keeps the plugin's name.
    let e = regime(&doc, "uk-frontier")["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        e.contains("is not pinned: there is no lock file") && e.contains("juxta regimes lock"),
        "{e}"
    );
    assert_eq!(
        regime(&doc, "eu-ai-act-gpai")["rules"]
            .as_array()
            .unwrap()
            .len(),
        22
    );
}

#[test]
fn a_pinned_plugin_loads_and_is_listed_with_its_origin() {
    let s = Setup::new();
    s.add("uk-frontier.wasm", &plugin("uk-frontier", "0.3.0"));
    let run = s.pin();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("pinned 1 plugin(s)") && run.stdout.contains("uk-frontier 0.3.0"),
        "{}",
        run.stdout
    );
    let lock = std::fs::read_to_string(s.lock()).unwrap();
    assert!(
        lock.contains("file = \"plugins/uk-frontier.wasm\"")
            && lock.contains("regime = \"uk-frontier\""),
        "{lock}"
    );
    let (code, doc, stderr) = s.compare();
    assert_eq!(code, 0, "{stderr}");
    let uk = regime(&doc, "uk-frontier");
    assert!(uk["error"].is_null());
    assert_eq!(uk["rules"][0]["status"], "applies");
    let listed = juxta(&[
        "regimes",
        "--format",
        "json",
        "--plugins",
        &s.plugins(),
        "--lock",
        &s.lock(),
    ]);
    let rows: Value = serde_json::from_str(&listed.stdout).unwrap();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "uk-frontier")
        .unwrap();
    assert!(
        row["origin"]
            .as_str()
            .unwrap()
            .ends_with("plugins/uk-frontier.wasm")
    );
}

#[test]
fn a_plugin_whose_bytes_changed_since_pinning_is_refused() {
    let s = Setup::new();
    s.add("uk-frontier.wasm", &plugin("uk-frontier", "0.1.0"));
    assert_eq!(s.pin().code, 0);
    s.add("uk-frontier.wasm", &plugin("uk-frontier", "0.1.1"));
    let (code, doc, _) = s.compare();
    assert_eq!(code, 3);
    let e = regime(&doc, "uk-frontier")["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        e.contains("is pinned; refusing it (the plugin changed since it was pinned; review it, then run `juxta regimes lock`)"),
        "{e}"
    );
}

#[test]
fn two_plugins_claiming_one_regime_are_refused_naming_both_origins() {
    let s = Setup::new();
    s.add("a.wasm", &plugin("uk-frontier", "0.1.0"));
    s.add("b.wasm", &plugin("uk-frontier", "0.2.0"));
    let run = s.pin();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("two plugins claim regime `uk-frontier`: plugins/a.wasm and plugins/b.wasm"),
        "{}",
        run.stderr
    );
    assert!(
        !std::path::Path::new(&s.lock()).exists(),
        "nothing is pinned when a plugin is refused"
    );
    // Pinned by hand anyway: the second is refused at load, naming both.
    let sha = |f: &str| {
        juxta_host::bundled::sha256_hex(
            &std::fs::read(s.dir.path().join("plugins").join(f)).unwrap(),
        )
    };
    std::fs::write(
        s.lock(),
        format!(
            "version = 1\n[[plugin]]\nfile = \"plugins/a.wasm\"\nsha256 = \"{}\"\nregime = \"uk-frontier\"\nregime_version = \"0.1.0\"\n[[plugin]]\nfile = \"plugins/b.wasm\"\nsha256 = \"{}\"\nregime = \"uk-frontier\"\nregime_version = \"0.2.0\"\n",
            sha("a.wasm"),
            sha("b.wasm")
        ),
    )
    .unwrap();
    let (code, doc, _) = s.compare();
    assert_eq!(code, 3);
    // The first keeps the id; the second is a column of its own, named by its file, so no
    // two columns (or record keys) share a name.
    assert!(regime(&doc, "uk-frontier")["error"].is_null());
    let e = refused(&doc, "b.wasm")["error"].as_str().unwrap();
    assert!(
        e.contains("claimed twice: by") && e.contains("a.wasm") && e.contains("b.wasm"),
        "{e}"
    );
    let ids: Vec<&str> = doc["regimes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    let unique: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
}

#[test]
fn a_plugin_cannot_be_pinned_under_a_bundled_regime_id() {
    let s = Setup::new();
    s.add("fake-eu.wasm", &plugin("eu-ai-act-gpai", "9.9.9"));
    let run = s.pin();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("two plugins claim regime `eu-ai-act-gpai`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_broken_plugin_is_not_pinned() {
    let s = Setup::new();
    s.add("good.wasm", &plugin("good", "0.1.0"));
    s.add("broken.wasm", b"\0asm\x01\0\0\0");
    let run = s.pin();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("nothing pinned") && run.stderr.contains("core WebAssembly module"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_configuration_file_names_plugin_directories_and_the_lock() {
    let s = Setup::new();
    s.add("uk-frontier.wasm", &plugin("uk-frontier", "0.1.0"));
    let config = s.dir.path().join("juxta.toml");
    std::fs::write(&config, "plugins = [\"plugins\"]\nlock = \"pins.lock\"\n").unwrap();
    let config = config.to_str().unwrap();
    let run = juxta(&["regimes", "lock", "--config", config]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(s.dir.path().join("pins.lock").exists());
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--format",
        "json",
        "--config",
        config,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(regime(&doc, "uk-frontier")["error"].is_null());
    std::fs::write(s.dir.path().join("juxta.toml"), "plugin = [\"plugins\"]\n").unwrap();
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--config",
        config,
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("unknown field `plugin`"),
        "{}",
        run.stderr
    );
}

#[test]
fn batch_uses_third_party_plugins_too() {
    let s = Setup::new();
    s.add("uk-frontier.wasm", &plugin("uk-frontier", "0.1.0"));
    s.pin();
    let input = juxta_cli::generate::jsonl(1, 3, None);
    let run = juxta_tests::juxta_with_input(
        &[
            "batch",
            "-",
            "-o",
            "-",
            "-q",
            "--plugins",
            &s.plugins(),
            "--lock",
            &s.lock(),
        ],
        input.as_bytes(),
    );
    let first: Value = serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
    assert!(
        first["regimes"]["uk-frontier"]["rules"]["XX-CLS-BIG"].is_string(),
        "{first}"
    );
}

/// A plugin declaring the namespace `uk`, with a bool fact.
fn plugin_with_namespace(id: &str, version: &str) -> Vec<u8> {
    let manifest = tiny_manifest(
        id,
        "\n[namespace]\nname = \"uk\"\n\n[namespace.facts.in_uk]\ntype = \"bool\"\nmeaning = \"available in the UK\"\n",
    )
    .replace("version = \"0.1.0\"", &format!("version = \"{version}\""));
    component(
        &plugin_wat("1.0.0", &manifest, "", CALL_ERR, ""),
        juxta_sdk::WIT,
    )
}

#[test]
fn a_refused_plugins_namespace_still_validates_and_only_its_column_fails() {
    let s = Setup::new();
    s.add(
        "uk-frontier.wasm",
        &plugin_with_namespace("uk-frontier", "0.1.0"),
    );
    let profile = s.dir.path().join("uk.toml");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/closed-frontier.toml"
    ))
    .unwrap();
    std::fs::write(&profile, format!("{text}\n[uk]\nin_uk = true\n")).unwrap();
    let compare = |s: &Setup| {
        let run = juxta(&[
            "compare",
            profile.to_str().unwrap(),
            "--format",
            "json",
            "--plugins",
            &s.plugins(),
            "--lock",
            &s.lock(),
        ]);
        let doc: Value = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
        (run.code, doc, run.stderr)
    };
    // Unpinned: the profile's [uk] table is recognised, the column fails with the fix.
    let (code, doc, stderr) = compare(&s);
    assert_eq!(code, 3, "{stderr}");
    let e = regime(&doc, "uk-frontier")["error"].as_str().unwrap();
    assert!(
        e.contains("is not pinned") && e.contains("juxta regimes lock"),
        "{e}"
    );
    assert!(regime(&doc, "eu-ai-act-gpai")["error"].is_null());
    // Pinned: it loads and reads its namespace.
    assert_eq!(s.pin().code, 0);
    let (code, doc, stderr) = compare(&s);
    assert_eq!(code, 0, "{stderr}");
    assert!(regime(&doc, "uk-frontier")["error"].is_null(), "{doc}");
    // Rebuilt without pinning again: refused as changed, the profile still validates.
    s.add(
        "uk-frontier.wasm",
        &plugin_with_namespace("uk-frontier", "0.1.1"),
    );
    let (code, doc, stderr) = compare(&s);
    assert_eq!(code, 3, "{stderr}");
    let e = regime(&doc, "uk-frontier")["error"].as_str().unwrap();
    assert!(
        e.contains("is pinned") && e.contains("juxta regimes lock"),
        "{e}"
    );
    // A table no plugin declares is still an error naming it.
    std::fs::write(&profile, format!("{text}\n[ukk]\nin_uk = true\n")).unwrap();
    let (code, _, stderr) = compare(&s);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("ukk"), "{stderr}");
}

/// A plugin whose namespace has a money fact and a date-time, with an hours deadline.
fn statute_plugin() -> Vec<u8> {
    let extra = r#"
[namespace]
name = "ms"

[namespace.facts.revenue]
type = "money"
currency = "USD"
rates = { EUR = "usd_per_eur" }
meaning = "gross revenue"

[namespace.facts.incident_at]
type = "datetime"
meaning = "when the incident was discovered"

[parameters.usd_per_eur]
title = "USD per EUR"
type = "number"
values = [{ value = 1.25, source = "rate" }]

[parameters.threshold]
title = "Threshold"
type = "number"
values = [{ value = 500000000.0, source = "s. 2" }]

[parameters.report_hours]
title = "Report within"
type = "integer"
values = [{ value = 72, source = "s. 3" }]

[blocks.REVENUE]
title = "Revenue above the threshold"
condition = "ms.revenue > params.threshold"

[[rules]]
id = "XX-OBL-REPORT"
kind = "obligation"
title = "Report"
citation = "Test Act, s. 3"
condition = "REVENUE && has(ms.incident_at)"
summary = "report within 72 hours"
due = "report_due"

[computed.report_due]
title = "Report by"
type = "datetime"
when = "has(ms.incident_at)"
value = "ms.incident_at + hours(params.report_hours)"
"#;
    component(
        &plugin_wat("1.0.0", &tiny_manifest("ms-act", extra), "", CALL_ERR, ""),
        juxta_sdk::WIT,
    )
}

#[test]
fn money_and_date_times_read_the_same_from_parquet_as_from_json() {
    use arrow_array::{
        ArrayRef, Date32Array, Float64Array, RecordBatch, StringArray, StructArray,
        TimestampMicrosecondArray,
    };
    use arrow_schema::{DataType, Field, TimeUnit};
    use std::sync::Arc;
    let s = Setup::new();
    s.add("ms-act.wasm", &statute_plugin());
    assert_eq!(s.pin().code, 0);
    let json = "{\"schema_version\":\"1.3\",\"evaluation\":{\"as_of\":\"2026-12-20\"},\"ms\":{\"revenue\":{\"amount\":400000000.01,\"currency\":\"EUR\"},\"incident_at\":\"2026-12-18T16:45:00+01:00\"}}\n\
                {\"schema_version\":\"1.3\",\"evaluation\":{\"as_of\":\"2026-12-20\"},\"ms\":{\"revenue\":{\"amount\":400000000,\"currency\":\"EUR\"}}}\n";
    let args = |input: &str, output: &str| -> Vec<String> {
        [
            "batch",
            input,
            "-o",
            output,
            "-q",
            "--regime",
            "ms-act",
            "--plugins",
            &s.plugins(),
            "--lock",
            &s.lock(),
        ]
        .iter()
        .map(|x| x.to_string())
        .collect()
    };
    let from_json = {
        let a = args("-", "-");
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        juxta_tests::juxta_with_input(&a, json.as_bytes())
    };
    assert_eq!(from_json.code, 0, "{}", from_json.stderr);
    let first: Value = serde_json::from_str(from_json.stdout.lines().next().unwrap()).unwrap();
    let ms = &first["regimes"]["ms-act"];
    assert_eq!(ms["rules"]["XX-OBL-REPORT"], "applies", "{first}");
    assert_eq!(
        ms["computed"]["report_due"], "2026-12-21T15:45:00Z",
        "{first}"
    );

    let day = "2026-12-20"
        .parse::<juxta_sdk::Date>()
        .unwrap()
        .days_since_epoch() as i32;
    let revenue = StructArray::from(vec![
        (
            Arc::new(Field::new("amount", DataType::Float64, true)),
            Arc::new(Float64Array::from(vec![400000000.01, 400000000.0])) as ArrayRef,
        ),
        (
            Arc::new(Field::new("currency", DataType::Utf8, true)),
            Arc::new(StringArray::from(vec!["EUR", "EUR"])) as ArrayRef,
        ),
    ]);
    // 2026-12-18T15:45:00Z in microseconds.
    let at = 1_797_608_700_000_000_i64;
    let incident: ArrayRef =
        Arc::new(TimestampMicrosecondArray::from(vec![Some(at), None]).with_timezone("UTC"));
    let batch = RecordBatch::try_from_iter(vec![
        (
            "schema_version",
            Arc::new(StringArray::from(vec!["1.3", "1.3"])) as ArrayRef,
        ),
        (
            "evaluation.as_of",
            Arc::new(Date32Array::from(vec![day, day])) as ArrayRef,
        ),
        ("ms.revenue", Arc::new(revenue) as ArrayRef),
        ("ms.incident_at", incident),
    ])
    .unwrap();
    let path = s.dir.path().join("in.parquet");
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        batch.schema(),
        None,
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let a = args(path.to_str().unwrap(), "-");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let from_parquet = juxta(&a);
    assert_eq!(from_parquet.code, 0, "{}", from_parquet.stderr);
    assert_eq!(from_parquet.stdout, from_json.stdout);

    // A timestamp without a time zone names no instant: that record fails alone.
    let naive: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![Some(at), None]));
    let batch = RecordBatch::try_new(
        Arc::new(arrow_schema::Schema::new(vec![
            Field::new("schema_version", DataType::Utf8, false),
            Field::new("evaluation.as_of", DataType::Date32, false),
            Field::new(
                "ms.incident_at",
                DataType::Timestamp(TimeUnit::Microsecond, None),
                true,
            ),
        ])),
        vec![
            Arc::new(StringArray::from(vec!["1.3", "1.3"])),
            Arc::new(Date32Array::from(vec![day, day])),
            naive,
        ],
    )
    .unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        batch.schema(),
        None,
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let a = args(path.to_str().unwrap(), "-");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let run = juxta(&a);
    let records: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{}", run.stderr);
    let error = records[0]["error"].as_str().unwrap_or_default();
    assert!(error.contains("without a time zone"), "{error}");
    assert!(records[1]["error"].is_null(), "{}", records[1]);
}

#[test]
fn a_refused_plugin_cannot_feed_core_facts_through_an_alias() {
    let s = Setup::new();
    let manifest = tiny_manifest(
        "uk-frontier",
        "\n[namespace]\nname = \"uk\"\n\n[namespace.facts.other]\ntype = \"bool\"\nalias_of = \"provider.has_other_frontier_model\"\nmeaning = \"m\"\n\n[namespace.facts.in_uk]\ntype = \"bool\"\nmeaning = \"m\"\n",
    );
    s.add(
        "uk-frontier.wasm",
        &component(
            &plugin_wat("1.0.0", &manifest, "", CALL_ERR, ""),
            juxta_sdk::WIT,
        ),
    );
    let profile = s.dir.path().join("uk.toml");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/closed-frontier.toml"
    ))
    .unwrap();
    let run = |extra: &str| {
        std::fs::write(&profile, format!("{text}\n[uk]\n{extra}\n")).unwrap();
        juxta(&[
            "compare",
            profile.to_str().unwrap(),
            "--format",
            "json",
            "--plugins",
            &s.plugins(),
            "--lock",
            &s.lock(),
        ])
    };
    // Its own fact is recognised; the alias of a core fact is not.
    assert_eq!(run("in_uk = true").code, 3);
    let aliased = run("other = true");
    assert_eq!(aliased.code, 1, "{}", aliased.stdout);
    assert!(aliased.stderr.contains("uk.other"), "{}", aliased.stderr);
}
