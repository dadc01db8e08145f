//! The host's own limits around the sandbox: outputs that respect what they write to, names
//! that cannot clash, text that cannot steer the terminal, bounded reads of regular files only,
//! flags with sane ranges, and files written with the modes a user expects.

use std::path::{Path, PathBuf};

use juxta_tests::{CALL_ERR, component, juxta, juxta_with_input, plugin_wat, tiny_manifest};
use serde_json::Value;

/// A plugin whose manifest is `tiny_manifest(id, extra)` with `edit` applied.
fn plugin(id: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    component(
        &plugin_wat("1.0.0", &edit(tiny_manifest(id, "")), "", CALL_ERR, ""),
        juxta_sdk::WIT,
    )
}

/// A temporary directory with `plugins/`, and `juxta.lock` beside it.
struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        let d = Dir(tempfile::tempdir().unwrap());
        std::fs::create_dir(d.path("plugins")).unwrap();
        d
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.0.path().join(rel)
    }
    fn s(&self, rel: &str) -> String {
        self.path(rel).display().to_string()
    }
    fn plugin_args(&self) -> [String; 4] {
        [
            "--plugins".into(),
            self.s("plugins"),
            "--lock".into(),
            self.s("juxta.lock"),
        ]
    }
    /// `compare --format json` on the closed-frontier example, expecting exit `code`.
    fn compare_json(&self, code: i32) -> Value {
        let run = self.run(&[
            "compare",
            "examples/closed-frontier.toml",
            "--format",
            "json",
        ]);
        assert_eq!(run.code, code, "{}", run.stderr);
        serde_json::from_str(&run.stdout).unwrap()
    }
    fn run(&self, args: &[&str]) -> juxta_tests::Run {
        let extra = self.plugin_args();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(extra.iter().map(String::as_str));
        juxta(&all)
    }
}

/// The column `id` of a JSON comparison.
fn column<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["regimes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no column {id} in {doc}"))
}

fn no_raw_steering(text: &str, what: &str) {
    for c in text.chars() {
        assert!(
            !juxta_cli::visible::is_steering(c),
            "{what} has a raw U+{:04X}:\n{text}",
            u32::from(c)
        );
    }
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// This process's umask (Linux reports it in /proc).
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
    u32::from_str_radix(line.split_whitespace().nth(1).unwrap(), 8).unwrap()
}

fn json_line() -> String {
    let text =
        std::fs::read_to_string(juxta_tests::repo().join("examples/closed-frontier.toml")).unwrap();
    let value: toml::Value = toml::from_str(&text).unwrap();
    serde_json::to_string(&juxta_tests::toml_to_json(&value)).unwrap()
}

// ---- Outputs that respect what they write to -------------------------------------------------

#[test]
fn batch_writes_into_a_fifo_in_place_and_leaves_it_a_fifo() {
    let d = Dir::new();
    let fifo = d.path("results.fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let input = format!("{}\n{}\n", json_line(), json_line());
    let run = juxta_with_input(
        &["batch", "-", "-o", &fifo.display().to_string(), "-q"],
        input.as_bytes(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let read = reader.join().unwrap();
    assert_eq!(read.lines().count(), 2, "{read}");
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the FIFO was replaced"
    );
    let leftovers: Vec<_> = std::fs::read_dir(d.0.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".juxta-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn devices_are_written_in_place_never_renamed_over() {
    // Checked on the destination itself, never committed: a regression must not be able to
    // replace this machine's /dev/null.
    let dest = juxta_cli::fsio::Destination::open(Path::new("/dev/null"), ".juxta-test-").unwrap();
    assert!(
        matches!(dest, juxta_cli::fsio::Destination::InPlace { .. }),
        "/dev/null must be written in place"
    );
    assert!(!dest.is_atomic());
}

#[test]
fn a_symlinked_output_is_followed_and_the_target_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let d = Dir::new();
    let target = d.path("real.jsonl");
    std::fs::write(&target, "old\n").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = d.path("latest.jsonl");
    std::os::unix::fs::symlink("real.jsonl", &link).unwrap();
    let run = juxta_with_input(
        &["batch", "-", "-o", &link.display().to_string(), "-q"],
        format!("{}\n", json_line()).as_bytes(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link stays a link"
    );
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(
        text.starts_with('{') && text.lines().count() == 1,
        "the target holds the new results: {text}"
    );
    assert_eq!(mode(&target), 0o640, "an existing file keeps its mode");
    // A new file: 0644 under the umask.
    let new = d.path("new.jsonl");
    let run = juxta_with_input(
        &["batch", "-", "-o", &new.display().to_string(), "-q"],
        format!("{}\n", json_line()).as_bytes(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(mode(&new), 0o644 & !umask());
}

#[test]
fn a_byte_order_mark_on_the_first_line_opens_the_file_not_the_record() {
    let line = json_line();
    let input = format!("\u{feff}{line}\n{line}\n");
    let run = juxta_with_input(&["batch", "-", "-o", "-", "-q"], input.as_bytes());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let records: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| r["error"].is_null()), "{records:?}");
    assert_eq!(records[0]["regimes"], records[1]["regimes"]);
}

#[test]
fn a_read_only_output_is_refused_not_replaced() {
    use std::os::unix::fs::PermissionsExt;
    let d = Dir::new();
    let dest = d.path("frozen.jsonl");
    std::fs::write(&dest, "keep me\n").unwrap();
    std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o444)).unwrap();
    let run = juxta_with_input(
        &["batch", "-", "-o", &dest.display().to_string(), "-q"],
        format!("{}\n", json_line()).as_bytes(),
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("is read-only"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), "keep me\n");
}

#[test]
fn a_device_as_batch_input_is_refused() {
    let run = juxta(&["batch", "/dev/zero", "-o", "-"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("is a character device"),
        "{}",
        run.stderr
    );
}

// ---- Ids that cannot clash -------------------------------------------------------------------

#[test]
fn a_plugin_file_named_like_a_bundled_regime_cannot_shadow_it_in_batch_output() {
    let d = Dir::new();
    // Any bytes: it is refused for not being pinned, before it is even loaded.
    std::fs::write(d.path("plugins/eu-ai-act-gpai.wasm"), b"not a plugin").unwrap();
    let input = format!("{}\n", json_line());
    let extra = d.plugin_args();
    let mut args = vec!["batch", "-", "-o", "-", "-q"];
    args.extend(extra.iter().map(String::as_str));
    let run = juxta_with_input(&args, input.as_bytes());
    assert_eq!(run.code, 3, "{}", run.stderr);
    let line = run.stdout.lines().next().unwrap();
    assert_eq!(
        line.matches("\"eu-ai-act-gpai\":").count(),
        1,
        "one key per regime: {line}"
    );
    let record: Value = serde_json::from_str(line).unwrap();
    let regimes = record["regimes"].as_object().unwrap();
    assert!(regimes["eu-ai-act-gpai"]["error"].is_null());
    assert_eq!(
        regimes["eu-ai-act-gpai"]["rules"]
            .as_object()
            .unwrap()
            .len(),
        22
    );
    let impostor = regimes
        .iter()
        .find(|(k, _)| k.starts_with("plugin:") && k.ends_with("eu-ai-act-gpai.wasm"))
        .unwrap();
    assert!(
        impostor.1["error"]
            .as_str()
            .unwrap()
            .contains("is not pinned")
    );

    // Parquet: every column name unique, the real EU column intact.
    let out = d.path("out.parquet");
    let mut args = vec!["batch", "-", "-o", out.to_str().unwrap(), "-q"];
    args.extend(extra.iter().map(String::as_str));
    assert_eq!(juxta_with_input(&args, input.as_bytes()).code, 3);
    let reader =
        parquet::file::reader::SerializedFileReader::new(std::fs::File::open(&out).unwrap())
            .unwrap();
    use parquet::file::reader::FileReader;
    let schema = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .root_schema()
        .clone();
    let names: Vec<String> = schema
        .get_fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    let unique: std::collections::BTreeSet<&String> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    assert_eq!(names.iter().filter(|n| *n == "eu-ai-act-gpai").count(), 1);
}

#[test]
fn a_regime_cannot_take_a_record_field_as_its_id() {
    for id in ["error", "id", "line", "regimes"] {
        let d = Dir::new();
        std::fs::write(d.path("plugins/x.wasm"), plugin(id, |m| m)).unwrap();
        let run = d.run(&["regimes", "lock"]);
        assert_eq!(run.code, 1, "{id}: {}", run.stdout);
        assert!(
            run.stderr.contains(&format!("id `{id}` is reserved")),
            "{}",
            run.stderr
        );
    }
}

// ---- Text that cannot steer the terminal -----------------------------------------------------

/// A pinned plugin whose title, citation, summary and reasons carry escape sequences and a
/// bidi override.
fn steering_plugin(d: &Dir) {
    let bytes = plugin("steer", |m| {
        m.replace(
            "title = \"Large\"",
            "title = \"Large\\u001b[2J\\u001b]0;pwned\\u0007\"",
        )
        .replace(
            "citation = \"Test Act, s. 1\"",
            "citation = \"Test Act, s. 1 \\u202edeliated\\u009b31m\\r overwritten\"",
        )
        .replace("name = \"Test regime steer\"", "name = \"Steer\\u001b[1A\"")
    });
    std::fs::write(d.path("plugins/steer.wasm"), bytes).unwrap();
    let run = d.run(&["regimes", "lock"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn control_and_bidi_characters_from_a_plugin_are_shown_never_obeyed() {
    let d = Dir::new();
    steering_plugin(&d);
    for format in ["table", "markdown", "html", "json"] {
        let run = d.run(&[
            "compare",
            "examples/closed-frontier.toml",
            "--format",
            format,
        ]);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        no_raw_steering(&run.stdout, format);
        if format == "json" {
            // The same JSON value: the characters are escaped, not removed.
            let doc: Value = serde_json::from_str(&run.stdout).unwrap();
            let steer = column(&doc, "steer");
            assert!(
                steer["rules"][0]["citation"]
                    .as_str()
                    .unwrap()
                    .contains("\u{202e}deliated")
            );
        } else if format == "markdown" {
            // Markdown escapes the backslash and the bracket of the visible escape in turn.
            assert!(run.stdout.contains("\\\\u{1b}\\[2J"), "{}", run.stdout);
            assert!(run.stdout.contains("\\\\u{202e}deliated"), "{format}");
        } else {
            assert!(
                run.stdout.contains("\\u{1b}[2J"),
                "{format}: {}",
                run.stdout
            );
            assert!(run.stdout.contains("\\u{202e}deliated"), "{format}");
        }
    }
    for args in [
        &["regimes"][..],
        &["regimes", "--format", "markdown"],
        &["regimes", "--format", "json"],
        &["explain", "examples/closed-frontier.toml", "XX-CLS-BIG"],
        &[
            "explain",
            "examples/closed-frontier.toml",
            "XX-CLS-BIG",
            "--format",
            "json",
        ],
    ] {
        let run = d.run(args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        no_raw_steering(&run.stdout, &format!("{args:?}"));
    }
}

#[test]
fn a_plugin_file_name_with_escapes_is_shown_escaped() {
    let d = Dir::new();
    std::fs::write(d.path("plugins/evil\u{1b}[2J\u{202e}.wasm"), b"junk").unwrap();
    let run = d.run(&["regimes"]);
    assert_eq!(run.code, 3);
    no_raw_steering(&run.stdout, "regimes");
    no_raw_steering(&run.stderr, "regimes (stderr)");
    assert!(
        run.stdout.contains("evil\\u{1b}[2J\\u{202e}.wasm"),
        "{}",
        run.stdout
    );
    let run = d.run(&["compare", "examples/closed-frontier.toml"]);
    assert_eq!(run.code, 3);
    no_raw_steering(&run.stdout, "compare");
    no_raw_steering(&run.stderr, "compare (stderr)");
}

#[test]
fn diagnostics_escape_file_names_and_quoted_source() {
    let run = juxta(&["compare", "no-such-\u{1b}]0;title\u{7}.toml"]);
    assert_eq!(run.code, 1);
    no_raw_steering(&run.stderr, "stderr");
    assert!(
        run.stderr.contains("\\u{1b}]0;title\\u{7}"),
        "{}",
        run.stderr
    );
    // A TOML syntax error on a line holding an escape: the quoted line is neutralised too.
    let bad = "schema_version = \"1\"\n[model]\nid = \"a\u{1b}[2J\" = 3\n";
    let run = juxta_with_input(&["compare", "-"], bad.as_bytes());
    assert_eq!(run.code, 1);
    no_raw_steering(&run.stderr, "stderr");
    // The line is still quoted, with a same-length stand-in where the escape was.
    assert!(run.stderr.contains("id = \"a?[2J\" = 3"), "{}", run.stderr);
}

#[test]
fn rule_and_open_question_ids_are_plain_text() {
    for (edit, needle) in [
        (
            ("id = \"XX-CLS-BIG\"", "id = \"XX-\\u001b[2J\""),
            "a rule id is 1 to 64 letters",
        ),
        (
            (
                "summary = \"the model is large\"",
                "summary = \"the model is large\"\n\n[open_questions.\"Q\\u001b[2J\"]\nquestion = \"?\"",
            ),
            "an open question's id is 1 to 64 letters",
        ),
    ] {
        let d = Dir::new();
        std::fs::write(
            d.path("plugins/x.wasm"),
            plugin("uk-x", |m| m.replacen(edit.0, edit.1, 1)),
        )
        .unwrap();
        let run = d.run(&["regimes", "lock"]);
        assert_eq!(run.code, 1, "{}", run.stdout);
        assert!(run.stderr.contains(needle), "{}", run.stderr);
        no_raw_steering(&run.stderr, "stderr");
    }
}

#[test]
fn profile_strings_with_control_characters_are_refused() {
    let text =
        std::fs::read_to_string(juxta_tests::repo().join("examples/closed-frontier.toml")).unwrap();
    let name = "name = \"Northwind Intelligence Inc.\"";
    assert!(text.contains(name));
    let hostile = text.replace(name, "name = \"Acme\\u001b[2J\"");
    let run = juxta_with_input(&["compare", "-"], hostile.as_bytes());
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("provider.name")
            && run
                .stderr
                .contains("control character (U+001B) at character 5"),
        "{}",
        run.stderr
    );
    no_raw_steering(&run.stderr, "stderr");
    // The same from JSON, in batch, as an error record.
    let json = juxta_tests::toml_to_json_text(&hostile, "");
    let run = juxta_with_input(
        &["batch", "-", "-o", "-", "-q"],
        format!("{json}\n").as_bytes(),
    );
    assert_eq!(run.code, 3);
    let record: Value = serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
    assert!(
        record["error"]
            .as_str()
            .unwrap()
            .contains("control character (U+001B)"),
        "{record}"
    );
}

// ---- Bounded reads of regular files only -----------------------------------------------------

#[test]
fn a_device_as_lock_configuration_or_profile_is_refused_without_reading_it() {
    let d = Dir::new();
    std::fs::write(d.path("plugins/x.wasm"), plugin("uk-x", |m| m)).unwrap();
    let started = std::time::Instant::now();
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--plugins",
        &d.s("plugins"),
        "--lock",
        "/dev/zero",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("`/dev/zero` is not a regular file (a character device)"),
        "{}",
        run.stderr
    );
    std::fs::write(
        d.path("juxta.toml"),
        "plugins = [\"plugins\"]\nlock = \"/dev/zero\"\n",
    )
    .unwrap();
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--config",
        &d.s("juxta.toml"),
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    let run = juxta(&[
        "compare",
        "examples/closed-frontier.toml",
        "--config",
        "/dev/zero",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    let run = juxta(&["compare", "/dev/zero"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("is a character device"),
        "{}",
        run.stderr
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn an_oversized_or_special_plugin_file_is_its_own_failed_column() {
    let d = Dir::new();
    // 17 MiB, sparse: over the 16 MiB cap without writing it.
    let big = std::fs::File::create(d.path("plugins/huge.wasm")).unwrap();
    big.set_len(17 << 20).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(d.path("plugins/pipe.wasm"))
            .status()
            .unwrap()
            .success()
    );
    let doc = d.compare_json(3);
    let error = |id: &str| -> String { column(&doc, id)["error"].as_str().unwrap().to_string() };
    assert!(
        error("huge").contains("larger than the limit of 16 MiB for a plugin"),
        "{doc}"
    );
    assert!(
        error("pipe").contains("is not a regular file (a FIFO)"),
        "{doc}"
    );
    for id in [
        "eu-ai-act-gpai",
        "us-ai-eo-2026",
        "us-ca-sb53",
        "us-ny-raise",
    ] {
        let r = column(&doc, id);
        assert!(r["error"].is_null(), "{id}");
    }
    // `regimes lock` refuses to pin them, naming each.
    let run = d.run(&["regimes", "lock"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("huge.wasm") && run.stderr.contains("pipe.wasm"));
}

#[test]
fn a_bad_pin_fails_only_its_own_plugin() {
    let d = Dir::new();
    std::fs::write(d.path("plugins/a.wasm"), plugin("uk-a", |m| m)).unwrap();
    std::fs::write(d.path("plugins/b.wasm"), plugin("uk-b", |m| m)).unwrap();
    assert_eq!(d.run(&["regimes", "lock"]).code, 0);
    // Pin `a` twice by hand, and write `b`'s pin in upper case (which is fine).
    let lock = std::fs::read_to_string(d.path("juxta.lock")).unwrap();
    let blocks: Vec<&str> = lock.split("[[plugin]]").collect();
    let a_block = blocks
        .iter()
        .find(|b| b.contains("plugins/a.wasm"))
        .unwrap();
    let b_block = blocks
        .iter()
        .find(|b| b.contains("plugins/b.wasm"))
        .unwrap();
    let b_sha = b_block
        .lines()
        .find_map(|l| l.strip_prefix("sha256 = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap();
    let edited = format!(
        "{}\n[[plugin]]{a_block}",
        lock.replace(b_sha, &b_sha.to_ascii_uppercase())
    );
    std::fs::write(d.path("juxta.lock"), edited).unwrap();
    let doc = d.compare_json(3);
    let column = |id: &str| column(&doc, id);
    assert!(
        column("a")["error"]
            .as_str()
            .unwrap()
            .contains("`plugins/a.wasm` is pinned twice"),
        "{doc}"
    );
    assert!(
        column("uk-b")["error"].is_null(),
        "an upper-case pin matches"
    );
    assert!(column("eu-ai-act-gpai")["error"].is_null());
}

// ---- Flags -------------------------------------------------------------------------------------

#[test]
fn out_of_range_jobs_and_record_sizes_are_usage_errors() {
    for (flag, value) in [
        ("--jobs", "4611686018427387904"),
        ("--jobs", "18446744073709551615"),
        ("--jobs", "1000000000"),
        ("--jobs", "0"),
        ("--jobs", "257"),
        ("--max-record-bytes", "0"),
        ("--max-record-bytes", "1000000000000000000"),
    ] {
        let run = juxta(&[
            "batch",
            "examples/spark/profiles.jsonl",
            "-o",
            "-",
            flag,
            value,
        ]);
        assert_eq!(run.code, 2, "{flag} {value}: {}", run.stderr);
        assert!(
            run.stderr.contains(flag) && run.stderr.contains("out of range")
                || run.stderr.contains("not a whole number"),
            "{flag} {value}: {}",
            run.stderr
        );
    }
    let run = juxta_with_input(
        &["batch", "-", "-o", "-", "-q", "--jobs", "256"],
        format!("{}\n", json_line()).as_bytes(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

// ---- File modes --------------------------------------------------------------------------------

#[test]
fn the_lock_is_written_with_the_modes_a_user_expects() {
    use std::os::unix::fs::PermissionsExt;
    let d = Dir::new();
    std::fs::write(d.path("plugins/x.wasm"), plugin("uk-x", |m| m)).unwrap();
    assert_eq!(d.run(&["regimes", "lock"]).code, 0);
    assert_eq!(mode(&d.path("juxta.lock")), 0o644 & !umask());
    std::fs::set_permissions(d.path("juxta.lock"), std::fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(d.run(&["regimes", "lock"]).code, 0);
    assert_eq!(
        mode(&d.path("juxta.lock")),
        0o640,
        "an existing lock keeps its mode"
    );
}

#[test]
fn regime_new_keeps_the_workspace_manifest_mode_and_never_leaves_half_a_regime() {
    let d = Dir::new();
    std::fs::write(
        d.path("Cargo.toml"),
        "[workspace]\nmembers = [\n    \"sdk\",\n    \"plugins/a\",\n]\n",
    )
    .unwrap();
    let before = mode(&d.path("Cargo.toml"));
    let run = juxta(&["regime", "new", "uk-ai-bill", "--dir", &d.s("")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::read_to_string(d.path("Cargo.toml"))
            .unwrap()
            .contains("\"plugins/uk-ai-bill\"")
    );
    assert_eq!(
        mode(&d.path("Cargo.toml")),
        before,
        "Cargo.toml keeps its mode"
    );
    for f in [
        "regimes/uk-ai-bill/regime.toml",
        "plugins/uk-ai-bill/Cargo.toml",
        "plugins/uk-ai-bill/src/lib.rs",
    ] {
        assert_eq!(mode(&d.path(f)), 0o644 & !umask(), "{f}");
    }

    // `plugins` is a file: refused before anything is written.
    let e = Dir(tempfile::tempdir().unwrap());
    std::fs::write(e.path("plugins"), "a file").unwrap();
    let run = juxta(&["regime", "new", "uk-ai-bill", "--dir", &e.s("")]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("is not a directory"), "{}", run.stderr);
    assert!(
        !e.path("regimes/uk-ai-bill").exists(),
        "half a regime was left"
    );
}
