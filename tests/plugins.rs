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
    s.add("uk-frontier.wasm", &plugin_with_namespace("uk-frontier", "0.1.0"));
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
    assert!(e.contains("is not pinned") && e.contains("juxta regimes lock"), "{e}");
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
    assert!(e.contains("is pinned") && e.contains("juxta regimes lock"), "{e}");
    // A table no plugin declares is still an error naming it.
    std::fs::write(&profile, format!("{text}\n[ukk]\nin_uk = true\n")).unwrap();
    let (code, _, stderr) = compare(&s);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("ukk"), "{stderr}");
}
