//! Helpers for juxta's integration tests: the repository's paths, the CLI run in-process, and
//! tiny hostile plugins built from WebAssembly text.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failure is a test failure"
)]

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

use juxta_core::cases::{Case, compare};
use juxta_core::eval::Facts;
use juxta_core::profile::{Format, Profile};
use juxta_core::regime::{Regime, Source};
use juxta_core::report::RegimeReport;
use juxta_core::schema::Schema;

/// The repository's root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The facts schema of every regime in `regimes/`: the core plus their namespaces, in id
/// order (the order `RegimeSet::bundled` loads them in).
pub fn schema() -> Arc<Schema> {
    static SCHEMA: std::sync::OnceLock<Arc<Schema>> = std::sync::OnceLock::new();
    Arc::clone(SCHEMA.get_or_init(|| {
        let texts: Vec<String> = regime_ids()
            .iter()
            .map(|id| {
                std::fs::read_to_string(repo().join("regimes").join(id).join("regime.toml"))
                    .unwrap()
            })
            .collect();
        Arc::new(
            juxta_core::regime::schema_for(texts.iter().map(String::as_str))
                .unwrap_or_else(|e| panic!("{e}")),
        )
    }))
}

/// The ids of the regimes in `regimes/`.
pub fn regime_ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(repo().join("regimes"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    ids.sort();
    ids
}

/// A regime compiled from its TOML source.
pub fn regime(id: &str) -> Regime {
    let path = repo().join("regimes").join(id).join("regime.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let origin = path.display().to_string();
    Regime::compile(
        &Source {
            origin: &origin,
            text: &text,
        },
        schema(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The case files of a regime, sorted.
pub fn case_files(id: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("regimes").join(id).join("tests"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// A case file, loaded.
pub fn case(path: &std::path::Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    Case::parse(&text, &path.display().to_string(), &schema()).unwrap_or_else(|e| panic!("{e}"))
}

/// Evaluates a profile (TOML text) with a regime compiled from source.
pub fn evaluate(regime: &Regime, profile_toml: &str) -> RegimeReport {
    let schema = schema();
    let profile = Profile::parse(profile_toml, Format::Toml, "test", &schema)
        .unwrap_or_else(|e| panic!("{e}"));
    let facts = Facts::new(&profile, &schema);
    let ev = regime
        .evaluate(&facts, None)
        .unwrap_or_else(|e| panic!("{e}"));
    RegimeReport::from_evaluation(regime, &ev, &facts, "source")
}

/// Differences between a report and a case's expectations for the report's regime.
pub fn differences(case: &Case, case_key: &str, report: &RegimeReport) -> Vec<String> {
    match case.expected(case_key) {
        Some(expected) => compare(expected, report)
            .into_iter()
            .map(|d| d.to_string())
            .collect(),
        None => vec![format!("{} has no [expected.{case_key}]", case.origin)],
    }
}

/// Asserts that `text` contains every needle, showing the text when one is missing.
pub fn assert_contains(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "missing `{needle}` in:\n{text}");
    }
}

/// What a CLI run produced.
#[derive(Debug)]
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `juxta` in-process with these arguments, from the repository root.
pub fn juxta(args: &[&str]) -> Run {
    juxta_with_input(args, b"")
}

/// Runs `juxta` in-process with these arguments and standard input.
pub fn juxta_with_input(args: &[&str], stdin: &[u8]) -> Run {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut input = std::io::Cursor::new(stdin.to_vec());
    let argv: Vec<OsString> = std::iter::once("juxta")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect();
    let code = {
        let mut io = juxta_cli::Io {
            input: &mut input,
            out: &mut out,
            err: &mut err,
            out_is_terminal: false,
            err_is_terminal: false,
        };
        let cwd = std::env::current_dir().unwrap();
        if cwd != repo() {
            std::env::set_current_dir(repo()).unwrap();
        }
        juxta_cli::run(argv, &mut io)
    };
    Run {
        code: code as i32,
        stdout: String::from_utf8(out).unwrap(),
        stderr: String::from_utf8(err).unwrap(),
    }
}

/// The plugin WIT with a different package version or extra world items, for fixtures.
pub fn wit(version: &str, extra_world_items: &str) -> String {
    juxta_sdk::WIT
        .replace(
            "package juxta:regime@1.0.0;",
            &format!("package juxta:regime@{version};"),
        )
        .replace(
            "world regime {\n  export plugin;\n}",
            &format!("world regime {{\n  export plugin;\n  {extra_world_items}\n}}"),
        )
}

/// Builds a component from a core module in WebAssembly text and a WIT world, the way
/// `juxta regime build` encodes a compiled plugin.
pub fn component(core_wat: &str, wit_text: &str) -> Vec<u8> {
    let mut module = wat::parse_str(core_wat).unwrap();
    let mut resolve = wit_parser::Resolve::default();
    let package = resolve.push_str("fixture.wit", wit_text).unwrap();
    let world = resolve.select_world(&[package], Some("regime")).unwrap();
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .unwrap();
    wit_component::ComponentEncoder::default()
        .module(&module)
        .unwrap()
        .validate(true)
        .encode()
        .unwrap()
}

/// `bytes` as a WAT string literal.
pub fn wat_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// A core module implementing the plugin ABI (version `abi`) whose `manifest()` returns
/// `manifest`, with the given function bodies spliced in: `manifest_body` runs before the
/// manifest is returned, `call_body` is the whole of `call` (it must leave a result pointer).
pub fn plugin_wat(
    abi: &str,
    manifest: &str,
    manifest_body: &str,
    call_body: &str,
    extra: &str,
) -> String {
    let len = manifest.len();
    let pages = (4096 + len) / 65536 + 2;
    // Imports must come before every definition.
    let (imports, rest): (Vec<&str>, Vec<&str>) = extra
        .lines()
        .partition(|l| l.trim_start().starts_with("(import"));
    let (imports, extra) = (imports.join("\n"), rest.join("\n"));
    format!(
        r#"(module
  {imports}
  (memory (export "memory") {pages})
  (global $heap (mut i32) (i32.const {heap}))
  (func $realloc (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (i32.add (local.get 3) (i32.const 8))))
    (local.get $p))
  (data (i32.const 4096) "{data}")
  (data (i32.const 1024) "no such function")
  {extra}
  (func (export "juxta:regime/plugin@{abi}#manifest") (result i32)
    {manifest_body}
    (i32.store (i32.const 16) (i32.const 4096))
    (i32.store (i32.const 20) (i32.const {len}))
    (i32.const 16))
  (func (export "juxta:regime/plugin@{abi}#call") (param i32 i32 i32 i32) (result i32)
    {call_body})
)"#,
        heap = 4096 + len + 64,
        data = wat_string(manifest.as_bytes()),
    )
}

/// The `call` body that answers every call with an error.
pub const CALL_ERR: &str = "(i32.store8 (i32.const 32) (i32.const 1)) (i32.store (i32.const 36) (i32.const 1024)) (i32.store (i32.const 40) (i32.const 16)) (i32.const 32)";

/// A small valid regime manifest with id `id`.
pub fn tiny_manifest(id: &str, extra: &str) -> String {
    format!(
        r#"[regime]
id = "{id}"
name = "Test regime {id}"
jurisdiction = "XX"
version = "0.1.0"
facts_schema = "1"
case_key = "xx"

[blocks.BIG]
title = "Large model"
condition = "model.training_compute_flop > 1e24"

[[rules]]
id = "XX-CLS-BIG"
kind = "classification"
title = "Large"
citation = "Test Act, s. 1"
condition = "BIG"
summary = "the model is large"
{extra}"#
    )
}

/// A TOML document as JSON: dates become `YYYY-MM-DD` strings, as in a JSON profile.
pub fn toml_to_json(v: &toml::Value) -> serde_json::Value {
    match v {
        toml::Value::Table(t) => t
            .iter()
            .map(|(k, v)| (k.clone(), toml_to_json(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        toml::Value::Array(a) => a.iter().map(toml_to_json).collect::<Vec<_>>().into(),
        toml::Value::Datetime(d) => d.to_string().into(),
        other => serde_json::to_value(other).unwrap(),
    }
}

/// A TOML document as JSON, read by juxta's own reader: numbers keep their exact value (a
/// `toml::Value` cannot hold `30000000000000000000000000`), written as their nearest double.
pub fn toml_text_to_json(text: &str) -> serde_json::Value {
    use juxta_core::profile::tree::{Node, Tree, parse_toml};
    fn convert(t: &Tree<'_>) -> serde_json::Value {
        match &t.node {
            Node::Table(entries) => entries
                .iter()
                .map(|(k, v)| (k.name.to_string(), convert(v)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
            Node::Array(items) => items.iter().map(convert).collect::<Vec<_>>().into(),
            Node::String(s) => s.to_string().into(),
            Node::Datetime(s) => s.clone().into(),
            Node::Integer(i) => (*i).into(),
            Node::Decimal(d) => serde_json::json!(
                juxta_core::number::Number::parse_decimal(d)
                    .unwrap()
                    .to_f64()
            ),
            Node::Float(f) => serde_json::json!(f),
            Node::Bool(b) => (*b).into(),
            Node::Null => serde_json::Value::Null,
        }
    }
    convert(&parse_toml(text).unwrap())
}

/// A TOML document's table `key` (or the whole document when `key` is empty) as JSON text of
/// the same shape, every number spelt exactly as the TOML wrote it: the JSON twin of a profile.
pub fn toml_to_json_text(text: &str, key: &str) -> String {
    use juxta_core::profile::tree::{Node, Tree, parse_toml};
    fn write(t: &Tree<'_>, out: &mut String) {
        match &t.node {
            Node::Table(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(&k.name).unwrap());
                    out.push(':');
                    write(v, out);
                }
                out.push('}');
            }
            Node::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(v, out);
                }
                out.push(']');
            }
            Node::String(s) => out.push_str(&serde_json::to_string(s).unwrap()),
            Node::Datetime(s) => out.push_str(&serde_json::to_string(s).unwrap()),
            Node::Integer(i) => out.push_str(&i.to_string()),
            Node::Decimal(d) => out.push_str(d),
            Node::Float(f) => out.push_str(&f.to_string()),
            Node::Bool(b) => out.push_str(&b.to_string()),
            Node::Null => out.push_str("null"),
        }
    }
    let tree = parse_toml(text).unwrap();
    let mut out = String::new();
    match (&tree.node, key) {
        (Node::Table(entries), k) if !k.is_empty() => {
            let (_, facts) = entries.iter().find(|(name, _)| name.name == k).unwrap();
            write(facts, &mut out);
        }
        _ => write(&tree, &mut out),
    }
    out
}

/// Evaluates a profile given as JSON text with a regime compiled from source.
pub fn evaluate_json(regime: &Regime, profile_json: &str) -> RegimeReport {
    let schema = schema();
    let profile = Profile::parse(profile_json, Format::Json, "test", &schema)
        .unwrap_or_else(|e| panic!("{e}\n{profile_json}"));
    let facts = Facts::new(&profile, &schema);
    let ev = regime
        .evaluate(&facts, None)
        .unwrap_or_else(|e| panic!("{e}"));
    RegimeReport::from_evaluation(regime, &ev, &facts, "source")
}

/// The real `juxta` executable, built once per test run by the same cargo and profile as the
/// tests, for what only a separate process shows: a different hash seed, a signal.
pub fn juxta_binary() -> PathBuf {
    static BINARY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BINARY
        .get_or_init(|| {
            // target/<profile>/deps/<test binary>
            let exe = std::env::current_exe().unwrap();
            let profile_dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut build = std::process::Command::new(cargo);
            build.current_dir(repo()).args([
                "build",
                "--quiet",
                "-p",
                "juxta-cli",
                "--bin",
                "juxta",
            ]);
            if profile_dir.file_name().is_some_and(|n| n == "release") {
                build.arg("--release");
            }
            let status = build.status().unwrap();
            assert!(status.success(), "building the juxta binary failed");
            profile_dir.join(format!("juxta{}", std::env::consts::EXE_SUFFIX))
        })
        .clone()
}
