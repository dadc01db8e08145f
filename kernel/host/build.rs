//! Embeds every plugin listed in `plugins/dist/SHA256SUMS`: building a regime into
//! `plugins/dist` with `juxta regime build` is all it takes to bundle it.

use std::fmt::Write as _;
use std::path::PathBuf;

fn out_dir() -> PathBuf {
    PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()))
}

fn main() {
    let dist = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../plugins/dist");
    let sums = dist.join("SHA256SUMS");
    println!("cargo::rerun-if-changed={}", sums.display());
    let text = std::fs::read_to_string(&sums).unwrap_or_default();
    let mut files: Vec<String> = text
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .map(|f| f.trim_start_matches('*').to_string())
        .filter(|f| f.ends_with(".wasm") && !f.contains(['/', '\\', '"']))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    for f in &files {
        let path = dist.join(f);
        println!("cargo::rerun-if-changed={}", path.display());
        // The manifest an import-free plugin returns is a pure function of its bytes: for a
        // bundled regime, its `regime.toml` (a test and CI's `regime build --check` keep the
        // two in step). Embedding it spares compiling the plugin at every start.
        let id = f.trim_end_matches(".wasm");
        let toml = dist.join("../../regimes").join(id).join("regime.toml");
        println!("cargo::rerun-if-changed={}", toml.display());
        let manifest = if toml.is_file() {
            format!("Some(include_str!({:?}))", toml.display().to_string())
        } else {
            "None".to_string()
        };
        // That manifest already read, as JSON with every expression's span: reading 190 KB of
        // TOML was the largest part of a cold start, and reading the same manifest from JSON
        // costs a fraction of it. Made here from the very text embedded above, so it cannot be
        // stale; a manifest that does not read is embedded without it (reading it at start
        // then reports what is wrong).
        let read = std::fs::read_to_string(&toml)
            .ok()
            .and_then(|text| toml::from_str::<juxta_sdk::manifest::Manifest>(&text).ok())
            .and_then(|m| serde_json::to_string(&m).ok());
        let read = match read {
            Some(json) => {
                let dest = out_dir().join(format!("{id}.read.json"));
                match std::fs::write(&dest, json) {
                    Ok(()) => format!("Some(include_str!({:?}))", dest.display().to_string()),
                    Err(e) => {
                        println!("cargo::error=cannot write {}: {e}", dest.display());
                        "None".to_string()
                    }
                }
            }
            None => "None".to_string(),
        };
        // The trees of its expressions, parsed when the plugin was built: a text the cache
        // does not hold is parsed at start-up, so a stale cache is slow, not wrong.
        let cache = dist.join(format!("{id}.parsed"));
        println!("cargo::rerun-if-changed={}", cache.display());
        let parsed = if cache.is_file() {
            format!("Some(include_bytes!({:?}))", cache.display().to_string())
        } else {
            "None".to_string()
        };
        // The checksum of the bytes `include_bytes!` embeds, computed here once rather than at
        // every start (the file is read twice, but a change to it reruns this script; a test
        // checks the two agree).
        let sha256 = match std::fs::read(&path) {
            Ok(bytes) => {
                use sha2::Digest;
                let digest = sha2::Sha256::digest(&bytes);
                digest.iter().fold(String::new(), |mut hex, b| {
                    let _ = write!(hex, "{b:02x}");
                    hex
                })
            }
            Err(e) => {
                println!("cargo::error=cannot read {}: {e}", path.display());
                String::new()
            }
        };
        let _ = writeln!(
            out,
            "    BundledPlugin {{ file: {f:?}, bytes: include_bytes!({:?}), sha256: {sha256:?}, manifest: {manifest}, read: {read}, parsed: {parsed} }},",
            path.display().to_string()
        );
    }
    out.push(']');
    let dest = out_dir().join("bundled.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo::error=cannot write {}: {e}", dest.display());
    }
}
