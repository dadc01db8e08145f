//! `juxta app -o juxta.html`: the offline app, one self-contained HTML file. It carries the
//! app's engine (`app/dist/juxta-app.wasm`: juxta-core and juxta-render compiled to
//! WebAssembly, embedded in this binary like the bundled plugins), the bundled regimes'
//! manifests, checksums and parse caches, the report's style and the page's own script and
//! style (`app/page/`). A Content-Security-Policy allows the page's one script and one style
//! sheet by hash, WebAssembly, and nothing else: no request can leave the page.
//!
//! `juxta app --build [--check]` rebuilds the engine from the checkout exactly as
//! `juxta regime build` builds plugins (pinned profile, remapped paths, `--locked`), so the
//! committed bytes are reproducible and CI fails if they are stale.

use std::path::Path;

use base64::Engine as _;
use juxta_host::bundled::{BUNDLED, sha256_hex};
use sha2::{Digest, Sha256};

use crate::args::AppArgs;
use crate::cmd::build::{Wasm, cargo_wasm};
use crate::{Ctx, Exit, write_atomically};

/// The engine, gzipped, as committed (`juxta app --build` writes it): the page carries it
/// so and the browser inflates it (`DecompressionStream`), a quarter of the bytes.
const ENGINE: &[u8] = include_bytes!("../../../../app/dist/juxta-app.wasm.gz");
/// `app/dist/SHA256SUMS`: the module's and the gzipped file's checksums.
const ENGINE_SUMS: &str = include_str!("../../../../app/dist/SHA256SUMS");
const ENGINE_FILE: &str = "juxta-app.wasm";
const ENGINE_GZ: &str = "juxta-app.wasm.gz";
/// The page's template, script and style.
const TEMPLATE: &str = include_str!("../../../../app/page/page.html");
const SCRIPT: &str = include_str!("../../../../app/page/app.js");
const STYLE: &str = include_str!("../../../../app/page/app.css");
/// The engine's stack: compiling a regime recurses as deep as its expressions nest, within
/// the budget `juxta_core::regime::budget` sets for the compiler's thread.
const STACK_BYTES: usize = 16 << 20;

pub(crate) fn run(ctx: &mut Ctx<'_, '_>, a: &AppArgs) -> Exit {
    let result = if a.build {
        build(ctx, a.check)
    } else {
        write(ctx, a.out.as_deref().unwrap_or(Path::new("juxta.html")))
    };
    match result {
        Ok(code) => code,
        Err(message) => ctx.fail(Exit::Error, &message),
    }
}

/// The checksum `app/dist/SHA256SUMS` records for a file.
fn recorded_sha256(file: &str) -> Option<&'static str> {
    ENGINE_SUMS.lines().find_map(|line| {
        let (hash, name) = line.split_once("  ")?;
        (name == file).then_some(hash)
    })
}

/// A module gzipped the same way on every machine: best compression, no name, no time.
fn gzip(module: &[u8]) -> Result<Vec<u8>, String> {
    use std::io::Write as _;
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    gz.write_all(module)
        .and_then(|()| gz.finish())
        .map_err(|e| format!("cannot gzip the engine: {e}"))
}

fn write(ctx: &mut Ctx<'_, '_>, out: &Path) -> Result<Exit, String> {
    let page = page()?;
    if out == Path::new("-") {
        ctx.io
            .out
            .write_all(page.as_bytes())
            .map_err(|e| format!("cannot write the page: {e}"))?;
        return Ok(Exit::Success);
    }
    write_atomically(out, page.as_bytes())?;
    ctx.eprint(&format!(
        "wrote {} ({} KB): open it in a browser (double-click it, or serve it from any host); it makes no network request\n",
        out.display(),
        page.len().div_ceil(1024)
    ));
    Ok(Exit::Success)
}

/// The page: the template with the style, the data, the engine and the script in place, and a
/// policy that allows exactly that script and that style.
pub(crate) fn page() -> Result<String, String> {
    let actual = sha256_hex(ENGINE);
    match recorded_sha256(ENGINE_GZ) {
        Some(recorded) if recorded == actual => {}
        Some(recorded) => {
            return Err(format!(
                "the embedded app engine has sha256 {actual}, but app/dist/SHA256SUMS records {recorded}: rebuild with `juxta app --build`"
            ));
        }
        None => return Err(format!("app/dist/SHA256SUMS does not list {ENGINE_GZ}")),
    }
    let module_sha256 = recorded_sha256(ENGINE_FILE)
        .ok_or_else(|| format!("app/dist/SHA256SUMS does not list {ENGINE_FILE}"))?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let regimes: Vec<serde_json::Value> = BUNDLED
        .iter()
        .map(|b| {
            let sha256 = b.verified_sha256();
            serde_json::json!({
                "file": b.file,
                "manifest": b.manifest.unwrap_or(""),
                "sha256": sha256.as_ref().map_or(b.sha256, String::as_str),
                "parsed": b.parsed.map(|p| b64.encode(p)),
                "error": sha256.err(),
            })
        })
        .collect();
    let data = serde_json::json!({
        "juxta": env!("CARGO_PKG_VERSION"),
        "engine_sha256": module_sha256,
        "regimes": regimes,
    });
    // Inside a data block no `<` may start markup (`</script`, `<!--`): JSON may write it as
    // `\u003c`.
    let data = data.to_string().replace('<', "\\u003c");
    let style = format!("{}\n{STYLE}", juxta_render::html::STYLE);
    let csp = format!(
        "default-src 'none'; script-src '{}' 'wasm-unsafe-eval'; style-src '{}'; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(SCRIPT),
        csp_hash(&style)
    );
    fill(
        TEMPLATE,
        &[
            ("CSP", &csp),
            ("VERSION", env!("CARGO_PKG_VERSION")),
            ("STYLE", &style),
            ("DATA", &data),
            ("ENGINE", &b64.encode(ENGINE)),
            ("SCRIPT", SCRIPT),
        ],
    )
}

/// A Content-Security-Policy source for an inline element's exact text.
fn csp_hash(text: &str) -> String {
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

/// The template with each `@@NAME@@` replaced, in one pass (a value is never scanned for
/// markers); every marker must be known and every value used.
fn fill(template: &str, values: &[(&str, &str)]) -> Result<String, String> {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|v| v.1.len()).sum::<usize>());
    let mut used = vec![false; values.len()];
    let mut rest = template;
    while let Some(start) = rest.find("@@") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("@@")
            .ok_or_else(|| "app/page/page.html: an `@@` marker is not closed".to_string())?;
        let name = &after[..end];
        let index = values
            .iter()
            .position(|(n, _)| *n == name)
            .ok_or_else(|| format!("app/page/page.html: unknown marker `@@{name}@@`"))?;
        out.push_str(values[index].1);
        used[index] = true;
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    if let Some(i) = used.iter().position(|u| !u) {
        return Err(format!(
            "app/page/page.html: no `@@{}@@` marker",
            values[i].0
        ));
    }
    Ok(out)
}

/// Rebuilds the engine from the checkout in the current directory.
fn build(ctx: &mut Ctx<'_, '_>, check: bool) -> Result<Exit, String> {
    let manifest = Path::new("app/Cargo.toml");
    if !manifest.is_file() {
        return Err(
            "`juxta app --build` rebuilds the engine of a juxta checkout: run it at the checkout's root (app/Cargo.toml is not here)"
                .into(),
        );
    }
    let stack = format!("-Clink-arg=-zstack-size={STACK_BYTES}");
    let Wasm { module, rustc, .. } = cargo_wasm(ctx, manifest, "app-build", &[&stack])?;
    let dist = Path::new("app/dist");
    let dest = dist.join(ENGINE_GZ);
    let sha = sha256_hex(&module);
    let gz = gzip(&module)?;
    if check {
        let existing = std::fs::read(&dest).unwrap_or_default();
        if existing == gz && recorded_sha256(ENGINE_FILE) == Some(sha.as_str()) {
            let _ = writeln!(ctx.io.out, "{ENGINE_FILE}: up to date (sha256 {sha})");
            return Ok(Exit::Success);
        }
        let _ = writeln!(
            ctx.io.out,
            "{ENGINE_FILE}: DIFFERS — rebuilt {} bytes gzipped, module sha256 {sha}; {} has {} bytes, sha256 {}: run `juxta app --build` and commit app/dist",
            gz.len(),
            dest.display(),
            existing.len(),
            sha256_hex(&existing)
        );
        return Ok(Exit::ChecksFailed);
    }
    std::fs::create_dir_all(dist).map_err(|e| format!("cannot create `app/dist`: {e}"))?;
    write_atomically(&dest, &gz)?;
    write_atomically(
        &dist.join("SHA256SUMS"),
        format!("{sha}  {ENGINE_FILE}\n{}  {ENGINE_GZ}\n", sha256_hex(&gz)).as_bytes(),
    )?;
    write_atomically(
        &dist.join("BUILDINFO"),
        format!(
            "# How juxta-app.wasm was built, by `juxta app --build`. No timestamps: the same\n\
             # sources and toolchain give the same bytes.\n\n\
             rustc = \"{rustc}\"\n\
             target = \"wasm32-unknown-unknown\"\n\
             profile = \"release with opt-level=s, lto, codegen-units=1, panic=abort, strip, no debug\"\n\
             remap = \"<workspace>=/juxta, <CARGO_HOME>=/cargo\"\n\
             stack = {STACK_BYTES}\n\
             gzip = \"flate2 (miniz_oxide), best, mtime 0\"\n"
        )
        .as_bytes(),
    )?;
    let _ = writeln!(
        ctx.io.out,
        "{}: {} bytes ({} gzipped), module sha256 {sha}",
        dest.display(),
        module.len(),
        gz.len()
    );
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_filled_once_and_all_are_needed() {
        assert_eq!(
            fill("a@@X@@b@@Y@@", &[("X", "@@Y@@"), ("Y", "2")]).unwrap(),
            "a@@Y@@b2"
        );
        assert!(fill("@@X@@", &[("X", "1"), ("Y", "2")]).is_err());
        assert!(fill("@@Z@@", &[("X", "1")]).is_err());
        assert!(fill("@@X", &[("X", "1")]).is_err());
    }

    #[test]
    fn the_page_allows_its_own_script_and_style_and_nothing_else() {
        let page = page().unwrap();
        assert!(page.contains("default-src 'none'"));
        assert!(page.contains(&csp_hash(SCRIPT)));
        assert!(!page.contains("@@"));
        assert_eq!(page.matches("<script>").count(), 1);
        let data = page
            .split("<script type=\"application/json\" id=\"juxta-data\">")
            .nth(1)
            .and_then(|rest| rest.split("</script>").next())
            .unwrap();
        assert!(!data.contains('<'));
        let data: serde_json::Value = serde_json::from_str(data).unwrap();
        assert!(
            data["regimes"][0]["manifest"]
                .as_str()
                .unwrap()
                .contains("[regime]")
        );
    }

    #[test]
    fn the_page_is_the_same_bytes_every_time() {
        assert_eq!(page().unwrap(), page().unwrap());
    }

    #[test]
    fn the_embedded_engine_is_the_one_sha256sums_records() {
        assert_eq!(
            recorded_sha256(ENGINE_GZ),
            Some(sha256_hex(ENGINE).as_str())
        );
        let mut module = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(ENGINE), &mut module).unwrap();
        assert_eq!(
            recorded_sha256(ENGINE_FILE),
            Some(sha256_hex(&module).as_str())
        );
        assert_eq!(gzip(&module).unwrap(), ENGINE);
    }
}
