//! `juxta regime build`: a plugin crate → a WebAssembly component, byte-for-byte reproducibly.
//!
//! Reproducible means: the same bytes from the same sources with the pinned toolchain on any
//! machine. Paths are remapped (`--remap-path-prefix`) so the checkout's location does not leak
//! into the binary; the release profile is pinned through environment overrides (size-optimised,
//! LTO, one codegen unit, `panic = "abort"`, stripped) so that the crate's own profile settings
//! cannot vary it; `Cargo.lock` is honoured with `--locked`; the build runs in its own target
//! directory. The core module is encoded as a component with `wit-component`, then loaded in the
//! sandbox and its manifest compiled, so a broken plugin never reaches `plugins/dist`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use juxta_host::bundled::sha256_hex;
use juxta_host::{Limits, Origin, RegimeSet, Sandbox};

use crate::args::BuildArgs;
use crate::{Ctx, Exit, write_atomically};

const TARGET: &str = "wasm32-unknown-unknown";

/// Profile settings every plugin is built with, whatever its crate says.
const PROFILE: &[(&str, &str)] = &[
    ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "s"),
    ("CARGO_PROFILE_RELEASE_LTO", "true"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1"),
    ("CARGO_PROFILE_RELEASE_PANIC", "abort"),
    ("CARGO_PROFILE_RELEASE_STRIP", "true"),
    ("CARGO_PROFILE_RELEASE_DEBUG", "false"),
    ("CARGO_PROFILE_RELEASE_INCREMENTAL", "false"),
    ("CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS", "false"),
    ("CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS", "false"),
];

pub(crate) fn build(ctx: &mut Ctx<'_, '_>, a: &BuildArgs) -> Exit {
    match build_inner(ctx, a) {
        Ok(code) => code,
        Err(message) => ctx.fail(Exit::Error, &message),
    }
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// A crate built for wasm32 by [`cargo_wasm`].
pub(crate) struct Wasm {
    pub(crate) krate: Crate,
    /// `rustc -V`.
    pub(crate) rustc: String,
    /// The core module.
    pub(crate) module: Vec<u8>,
    /// Where cargo wrote it.
    pub(crate) path: PathBuf,
}

pub(crate) struct Crate {
    pub(crate) name: String,
    pub(crate) workspace_root: PathBuf,
}

fn metadata(manifest: &Path) -> Result<Crate, String> {
    let output = Command::new(cargo())
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--manifest-path",
        ])
        .arg(manifest)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo metadata` failed for `{}`:\n{}",
            manifest.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let meta: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cannot read cargo metadata: {e}"))?;
    let canonical = manifest
        .canonicalize()
        .map_err(|e| format!("`{}`: {e}", manifest.display()))?;
    let package = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| {
            p["manifest_path"].as_str().map(PathBuf::from).as_deref() == Some(canonical.as_path())
        })
        .ok_or_else(|| format!("`{}` is not the manifest of a package", manifest.display()))?;
    let is_cdylib = package["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|t| {
            t["crate_types"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k == "cdylib")
        });
    if !is_cdylib {
        return Err(format!(
            "`{}` does not build a `cdylib`: add `[lib] crate-type = [\"cdylib\"]` to its Cargo.toml",
            manifest.display()
        ));
    }
    Ok(Crate {
        name: package["name"].as_str().unwrap_or_default().to_string(),
        workspace_root: PathBuf::from(meta["workspace_root"].as_str().unwrap_or(".")),
    })
}

fn rustc_line(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("rustc")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`rustc {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Builds the `cdylib` of the crate at `manifest` for wasm32, reproducibly (the pinned
/// profile, remapped paths, `--locked`, its own target directory `target/<target_subdir>`),
/// with `extra_rustflags` after the remapping; returns the crate, the `rustc -V` line and the
/// core module's bytes. Shared by `juxta regime build` and `juxta app --build`.
pub(crate) fn cargo_wasm(
    ctx: &mut Ctx<'_, '_>,
    manifest: &Path,
    target_subdir: &str,
    extra_rustflags: &[&str],
) -> Result<Wasm, String> {
    let dir = manifest.parent().unwrap_or(Path::new("."));
    let krate = metadata(manifest)?;
    let version = rustc_line(dir, &["-V"])?;
    let sysroot = rustc_line(dir, &["--print", "sysroot"])?;
    if !Path::new(&sysroot)
        .join("lib/rustlib")
        .join(TARGET)
        .exists()
    {
        let toolchain = Path::new(&sysroot)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let toolchain = toolchain.split('-').next().unwrap_or("").to_string();
        return Err(format!(
            "the `{TARGET}` target is not installed for {version}: run `rustup target add {TARGET} --toolchain {toolchain}`"
        ));
    }
    let cargo_home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|_| std::env::var("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|_| PathBuf::from("/nonexistent"));
    let root = &krate.workspace_root;
    let rustflags = [
        format!("--remap-path-prefix={}=/juxta", root.display()),
        format!("--remap-path-prefix={}=/cargo", cargo_home.display()),
    ]
    .into_iter()
    .chain(extra_rustflags.iter().map(|f| f.to_string()))
    .collect::<Vec<_>>()
    .join("\x1f");
    let target_dir = root.join("target").join(target_subdir);
    let mut cmd = Command::new(cargo());
    cmd.args([
        "build",
        "--lib",
        "--release",
        "--target",
        TARGET,
        "--message-format=json-render-diagnostics",
        "--manifest-path",
    ])
    .arg(manifest)
    .arg("--target-dir")
    .arg(&target_dir)
    .env("CARGO_ENCODED_RUSTFLAGS", &rustflags)
    .env_remove("RUSTFLAGS")
    .env("SOURCE_DATE_EPOCH", "0")
    .stdout(Stdio::piped())
    .stderr(Stdio::inherit());
    if root.join("Cargo.lock").exists() {
        cmd.arg("--locked");
    }
    for (k, v) in PROFILE {
        cmd.env(k, v);
    }
    ctx.eprint(&format!(
        "building {} for {TARGET} with {version}\n",
        krate.name
    ));
    let output = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo failed to build `{}` (see the compiler output above)",
            krate.name
        ));
    }
    let wasm_path = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| {
            m["reason"] == "compiler-artifact"
                && m["target"]["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|x| x == "cdylib"))
        })
        .filter_map(|m| {
            m["filenames"].as_array().and_then(|f| {
                f.iter()
                    .filter_map(|x| x.as_str())
                    .find(|x| x.ends_with(".wasm"))
                    .map(PathBuf::from)
            })
        })
        .next_back()
        .ok_or_else(|| format!("cargo built `{}` but reported no .wasm file", krate.name))?;
    let module = std::fs::read(&wasm_path)
        .map_err(|e| format!("cannot read `{}`: {e}", wasm_path.display()))?;
    Ok(Wasm {
        krate,
        rustc: version,
        module,
        path: wasm_path,
    })
}

fn build_inner(ctx: &mut Ctx<'_, '_>, a: &BuildArgs) -> Result<Exit, String> {
    let manifest = a.plugin.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(format!(
            "`{}` has no Cargo.toml: give the directory of a plugin crate",
            a.plugin.display()
        ));
    }
    let Wasm {
        krate,
        rustc: version,
        module,
        path: wasm_path,
    } = cargo_wasm(ctx, &manifest, "plugin-build", &[])?;
    let component = wit_component::ComponentEncoder::default()
        .module(&module)
        .and_then(|enc| enc.validate(true).encode())
        .map_err(|e| format!("cannot encode `{}` as a component: {e:#}\n(does the crate call `juxta_sdk::regime!`?)", krate.name))?;

    // Load the result exactly as juxta will, so that a broken plugin never reaches dist.
    let sandbox = Sandbox::new(Limits::default()).map_err(|e| e.to_string())?;
    let (id, regime_version, parsed) = match RegimeSet::load_one(
        Arc::new(sandbox),
        &krate.name,
        Origin::File(wasm_path.display().to_string()),
        &component,
    ) {
        Ok((r, schema)) => {
            // The trees of its expressions, which the binary embeds if the regime is bundled
            // (`juxta_core::regime::parsed`): a pure function of the manifest's text.
            let source = juxta_core::regime::Source {
                origin: &krate.name,
                text: &r.regime.manifest,
            };
            let parsed = juxta_core::regime::Regime::parse_cache(&source, schema)
                .map_err(|e| format!("the built plugin's manifest does not compile:\n{e}"))?;
            (
                r.regime.id().to_string(),
                r.regime.header.version.clone(),
                parsed,
            )
        }
        Err(f) => return Err(format!("the built plugin does not load:\n{}", f.error)),
    };
    let file = format!("{id}.wasm");
    let sha = sha256_hex(&component);
    let dest = a.out.join(&file);
    let parsed_dest = a.out.join(format!("{id}.parsed"));
    if a.check {
        let existing = std::fs::read(&dest).unwrap_or_default();
        let existing_parsed = std::fs::read(&parsed_dest).unwrap_or_default();
        if existing == component && existing_parsed == parsed {
            let _ = writeln!(ctx.io.out, "{file}: up to date (sha256 {sha})");
            return Ok(Exit::Success);
        }
        if existing == component {
            let _ = writeln!(
                ctx.io.out,
                "{}: DIFFERS — the parse cache of the manifest is stale or missing",
                parsed_dest.display()
            );
            return Ok(Exit::ChecksFailed);
        }
        let _ = writeln!(
            ctx.io.out,
            "{file}: DIFFERS — rebuilt {} bytes, sha256 {sha}; {} has {} bytes, sha256 {}",
            component.len(),
            dest.display(),
            existing.len(),
            sha256_hex(&existing)
        );
        return Ok(Exit::ChecksFailed);
    }
    std::fs::create_dir_all(&a.out)
        .map_err(|e| format!("cannot create `{}`: {e}", a.out.display()))?;
    write_atomically(&dest, &component)?;
    write_atomically(&parsed_dest, &parsed)?;
    update_sums(&a.out.join("SHA256SUMS"), &file, &sha)?;
    update_buildinfo(
        &a.out.join("BUILDINFO"),
        &file,
        &regime_version,
        &version,
        &krate.name,
    )?;
    let _ = writeln!(
        ctx.io.out,
        "{}: {} bytes, sha256 {sha}",
        dest.display(),
        component.len()
    );
    // A third-party plugin rebuilt under a lock: say whether the lock still pins it.
    if let Some(status) =
        juxta_host::policy::pin_status(&juxta_host::policy::PluginOptions::default(), &dest, &sha)
    {
        let _ = writeln!(ctx.io.out, "{}: {status}", dest.display());
    }
    Ok(Exit::Success)
}

fn update_sums(path: &Path, file: &str, sha: &str) -> Result<(), String> {
    let mut sums: BTreeMap<String, String> = std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            l.split_once("  ")
                .map(|(h, f)| (f.to_string(), h.to_string()))
        })
        .collect();
    sums.insert(file.to_string(), sha.to_string());
    let text: String = sums.iter().map(|(f, h)| format!("{h}  {f}\n")).collect();
    write_atomically(path, text.as_bytes())
}

fn update_buildinfo(
    path: &Path,
    file: &str,
    regime_version: &str,
    rustc: &str,
    krate: &str,
) -> Result<(), String> {
    let mut doc: toml::Table = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or_default();
    let mut entry = toml::Table::new();
    entry.insert("crate".into(), krate.into());
    entry.insert("regime_version".into(), regime_version.into());
    entry.insert("rustc".into(), rustc.into());
    entry.insert("target".into(), TARGET.into());
    entry.insert(
        "profile".into(),
        "release with opt-level=s, lto, codegen-units=1, panic=abort, strip, no debug".into(),
    );
    entry.insert(
        "remap".into(),
        "<workspace>=/juxta, <CARGO_HOME>=/cargo".into(),
    );
    entry.insert(
        "encoder".into(),
        format!("juxta {} (wit-component)", env!("CARGO_PKG_VERSION")).into(),
    );
    doc.insert(file.to_string(), toml::Value::Table(entry));
    let text = format!(
        "# How the plugins in this directory were built, by `juxta regime build`. No timestamps:\n\
         # the same sources and toolchain give the same bytes.\n\n{}",
        toml::to_string(&doc).map_err(|e| e.to_string())?
    );
    write_atomically(path, text.as_bytes())
}
