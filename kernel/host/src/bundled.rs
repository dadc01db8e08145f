//! The regimes bundled in the binary: the plugin builds in `plugins/dist/`, embedded with
//! `include_bytes!` and checked against `plugins/dist/SHA256SUMS` before use.
//!
//! A test asserts that each bundled plugin's manifest equals its `regimes/<id>/regime.toml`, so a
//! stale build fails `cargo test`; CI rebuilds the plugins and fails if the bytes differ.

use sha2::{Digest, Sha256};

/// One bundled plugin.
#[derive(Clone, Copy, Debug)]
pub struct BundledPlugin {
    /// File name in `plugins/dist/`.
    pub file: &'static str,
    /// The component's bytes.
    pub bytes: &'static [u8],
}

/// Every bundled plugin, in regime-id order.
pub const BUNDLED: &[BundledPlugin] = &[
    BundledPlugin {
        file: "eu-ai-act-gpai.wasm",
        bytes: include_bytes!("../../../plugins/dist/eu-ai-act-gpai.wasm"),
    },
    BundledPlugin {
        file: "us-ai-eo-2026.wasm",
        bytes: include_bytes!("../../../plugins/dist/us-ai-eo-2026.wasm"),
    },
    BundledPlugin {
        file: "us-ca-sb53.wasm",
        bytes: include_bytes!("../../../plugins/dist/us-ca-sb53.wasm"),
    },
];

/// `plugins/dist/SHA256SUMS` as built (`<hex>  <file>` per line).
pub const SHA256SUMS: &str = include_str!("../../../plugins/dist/SHA256SUMS");

/// The checksum `SHA256SUMS` records for a file.
pub fn recorded_sha256(file: &str) -> Option<&'static str> {
    SHA256SUMS.lines().find_map(|line| {
        let (hash, name) = line.split_once(char::is_whitespace)?;
        (name.trim_start_matches([' ', '*']) == file).then_some(hash)
    })
}

/// Lower-case hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl BundledPlugin {
    /// The regime id the file name announces (`eu-ai-act-gpai`).
    pub fn id(&self) -> &'static str {
        self.file.trim_end_matches(".wasm")
    }

    /// The plugin's SHA-256, if it matches `SHA256SUMS`; otherwise why not.
    pub fn verified_sha256(&self) -> Result<String, String> {
        let actual = sha256_hex(self.bytes);
        match recorded_sha256(self.file) {
            Some(recorded) if recorded == actual => Ok(actual),
            Some(recorded) => Err(format!(
                "bundled {} has sha256 {actual}, but SHA256SUMS records {recorded}: rebuild with `juxta regime build`",
                self.file
            )),
            None => Err(format!(
                "bundled {} is not listed in plugins/dist/SHA256SUMS",
                self.file
            )),
        }
    }
}
