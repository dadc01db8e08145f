//! # juxta-app
//!
//! The engine of the offline app (`juxta app -o juxta.html`): juxta's kernel and its HTML
//! report, compiled to WebAssembly and driven by the page's script. It holds the bundled
//! regimes, compiled in the browser from the manifests and parse caches the page carries, and
//! answers JSON requests: the questionnaire, a comparison (as the result contract and as the
//! HTML report's body), one rule's explanation, an export, a profile file read into answers.
//!
//! Everything here is the same code the `juxta` command runs: `juxta-core` reads and validates
//! the profile (so the page's messages are the CLI's), compiles and evaluates the regimes, and
//! explains; `juxta-render` renders. Nothing is reimplemented for the browser, so the page's
//! answers are the CLI's by construction; the browser tests check it on every example.
//!
//! [`App`] is plain Rust, tested natively; [`handle`] is the one entry point of the page
//! (JSON in, JSON out) and `abi` (wasm32 only) the few exports that pass bytes across.
#![deny(unsafe_code)]

#[cfg(target_arch = "wasm32")]
mod abi;
mod questionnaire;

use std::sync::Arc;

use base64::Engine as _;
use juxta_core::explain::{ExplainError, explain, explain_computed};
use juxta_core::profile::{Format as ProfileFormat, Profile, ProfileError};
use juxta_core::regime::parsed::ParseCache;
use juxta_core::regime::{Declared, Regime, Source};
use juxta_core::report::{self, Column, Comparison};
use juxta_core::schema::Schema;
use juxta_render::{Format, Options};
use juxta_sdk::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

/// One bundled regime as the page carries it (written by `juxta app` from the binary's
/// bundled plugins).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct BundledRegime {
    /// The plugin's file name (`eu-ai-act-gpai.wasm`).
    pub file: String,
    /// Its manifest (`regimes/<id>/regime.toml`).
    pub manifest: String,
    /// The plugin's SHA-256, as `plugins/dist/SHA256SUMS` records it: every result names it.
    pub sha256: String,
    /// The parse cache of the manifest (`plugins/dist/<id>.parsed`), base64; absent: the CEL
    /// parser runs (slower, same result).
    #[serde(default)]
    pub parsed: Option<String>,
    /// Why the plugin cannot be used (its bytes differ from `SHA256SUMS`): it becomes a failed
    /// column, as in the command.
    #[serde(default)]
    pub error: Option<String>,
}

/// A regime of the app: compiled, or why not.
enum Loaded {
    Ready {
        regime: Box<Regime>,
        sha256: String,
    },
    Failed {
        id: String,
        sha256: String,
        error: String,
    },
}

impl Loaded {
    fn id(&self) -> &str {
        match self {
            Loaded::Ready { regime, .. } => regime.id(),
            Loaded::Failed { id, .. } => id,
        }
    }

    fn column(&self) -> Column<'_> {
        match self {
            Loaded::Ready { regime, sha256 } => Column::Ready {
                regime,
                host: None,
                sha256,
            },
            Loaded::Failed { id, sha256, error } => Column::Failed { id, sha256, error },
        }
    }
}

/// The bundled regimes, compiled, and the facts schema they share.
pub struct App {
    schema: Arc<Schema>,
    regimes: Vec<Loaded>,
}

/// What the page asks about a profile.
#[derive(Debug, Deserialize)]
struct Ask {
    /// The profile's text (the page writes TOML; an opened file may be JSON).
    profile: String,
    #[serde(default)]
    format: Option<String>,
    /// The name the results give the profile.
    #[serde(default = "default_label")]
    label: String,
    /// The day the report is made (the page's local date).
    today: String,
    /// The regimes shown (all if absent), in the app's order.
    #[serde(default)]
    regimes: Option<Vec<String>>,
}

fn default_label() -> String {
    "questionnaire".to_string()
}

/// Why a request could not be answered.
#[derive(Debug, thiserror::Error)]
enum Refusal {
    /// The request is malformed: the page's fault (`"kind": "request"`).
    #[error("{0}")]
    Request(String),
    /// The profile does not validate: the user's, with the command's messages
    /// (`"kind": "profile"`, with `problems`).
    #[error(transparent)]
    Profile(ProfileError),
    /// The engine could not do what was asked (`"kind": "failed"`): a rule no regime has, a
    /// regime that failed on the profile, a report that could not be rendered.
    #[error("{0}")]
    Failed(String),
}

impl Refusal {
    fn to_json(&self) -> Json {
        match self {
            Refusal::Request(m) => json!({ "error": m, "kind": "request" }),
            Refusal::Failed(m) => json!({ "error": m, "kind": "failed" }),
            Refusal::Profile(e) => json!({
                "kind": "profile",
                "error": e.to_string(),
                "problems": e.problems.iter().map(|p| json!({
                    "field": p.field,
                    "message": p.message,
                    "help": p.help,
                    "line": p.location.as_ref().map(|l| l.line),
                })).collect::<Vec<_>>(),
            }),
        }
    }
}

impl App {
    /// Compiles the bundled regimes against the schema of their namespaces. A regime that does
    /// not read, whose namespace clashes, or that needs custom functions (which run in the
    /// CLI's plugin sandbox, not in the browser) becomes a failed column: the others work.
    pub fn new(bundled: &[BundledRegime]) -> App {
        struct Read<'a> {
            b: &'a BundledRegime,
            origin: String,
            manifest: Result<juxta_sdk::manifest::Manifest, String>,
        }
        let mut schema = Schema::core();
        let mut read: Vec<Read<'_>> = Vec::new();
        for b in bundled {
            let origin = format!("bundled regime `{}`", b.file.trim_end_matches(".wasm"));
            let source = Source {
                origin: &origin,
                text: &b.manifest,
            };
            let manifest = Regime::read(&source).map_err(|e| e.to_string());
            let manifest = manifest.and_then(|m| {
                let d = Declared::of(&m);
                match &d.namespace {
                    Some(ns) => schema
                        .add_namespace(&d.regime, &d.target, ns, &d.parameters)
                        .map(|_| m)
                        .map_err(|e| e.to_string()),
                    None => Ok(m),
                }
            });
            read.push(Read {
                b,
                origin,
                manifest,
            });
        }
        let schema = Arc::new(schema);
        let regimes = read
            .into_iter()
            .map(|r| {
                let id = r.b.file.trim_end_matches(".wasm").to_string();
                let sha256 = r.b.sha256.clone();
                let failed = |error: String| Loaded::Failed {
                    id: id.clone(),
                    sha256: sha256.clone(),
                    error,
                };
                if let Some(error) = &r.b.error {
                    return failed(error.clone());
                }
                let manifest = match r.manifest {
                    Ok(m) => m,
                    Err(e) => return failed(e),
                };
                if !manifest.functions.is_empty() {
                    return failed(format!(
                        "regime `{id}` has custom functions, which run in the juxta command's plugin sandbox: compare this profile with `juxta compare`"
                    ));
                }
                let cache = r.b.parsed.as_deref().and_then(|b64| {
                    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
                    // The cache lives as long as the page (`ParseCache` borrows for 'static);
                    // it is made once, when the page starts.
                    ParseCache::new(Box::leak(bytes.into_boxed_slice()))
                });
                let source = Source {
                    origin: &r.origin,
                    text: &r.b.manifest,
                };
                match Regime::compile_read_here(&source, &manifest, Arc::clone(&schema), cache) {
                    Ok(regime) => Loaded::Ready {
                        regime: Box::new(regime),
                        sha256,
                    },
                    Err(e) => failed(format!("the manifest does not compile:\n{e}")),
                }
            })
            .collect();
        App { schema, regimes }
    }

    /// The regimes, ready or failed, as the page lists them.
    pub fn regimes(&self) -> Json {
        Json::Array(
            self.regimes
                .iter()
                .map(|l| match l {
                    Loaded::Ready { regime, sha256 } => json!({
                        "id": regime.id(),
                        "name": regime.header.name,
                        "jurisdiction": regime.header.jurisdiction,
                        "version": regime.header.version,
                        "namespace": self.schema.tables().iter()
                            .find(|t| t.owner.as_deref() == Some(regime.id()))
                            .map(|t| t.name.clone()),
                        "sha256": sha256,
                    }),
                    Loaded::Failed { id, sha256, error } => json!({
                        "id": id, "sha256": sha256, "error": error,
                    }),
                })
                .collect(),
        )
    }

    /// The questionnaire: every table and fact of the schema with its meaning, unit, type and
    /// allowed values.
    pub fn questionnaire(&self) -> Json {
        questionnaire::of(&self.schema)
    }

    fn profile(&self, ask: &Ask) -> Result<Profile, Refusal> {
        let format = match ask.format.as_deref() {
            None | Some("toml") => ProfileFormat::Toml,
            Some("json") => ProfileFormat::Json,
            Some(other) => {
                return Err(Refusal::Request(format!(
                    "unknown profile format `{other}` (toml or json)"
                )));
            }
        };
        Profile::parse(&ask.profile, format, &ask.label, &self.schema).map_err(Refusal::Profile)
    }

    fn columns(&self, shown: Option<&[String]>) -> Vec<Column<'_>> {
        self.regimes
            .iter()
            .filter(|l| shown.is_none_or(|ids| ids.iter().any(|id| id == l.id())))
            .map(Loaded::column)
            .collect()
    }

    fn comparison(&self, ask: &Ask, would_change: bool) -> Result<Comparison, Refusal> {
        let profile = self.profile(ask)?;
        Ok(report::compare(
            &profile,
            &self.schema,
            &ask.label,
            self.columns(ask.regimes.as_deref()),
            would_change,
        ))
    }

    /// The comparison of a profile: the result contract (what `juxta compare --format json`
    /// prints) and the HTML report's page, which the app shows live.
    fn compare(&self, ask: &Ask) -> Result<Json, Refusal> {
        let today = day(&ask.today)?;
        let cmp = self.comparison(ask, false)?;
        let html = juxta_render::render(&cmp, Format::Html, &Options::new(today))
            .map_err(|e| Refusal::Failed(e.to_string()))?;
        let contract =
            serde_json::to_value(cmp.contract()).map_err(|e| Refusal::Failed(e.to_string()))?;
        Ok(json!({ "comparison": contract, "html": html }))
    }

    /// One rule or computed value in full: the text `juxta explain` prints, and its JSON.
    fn explain(&self, ask: &Ask, rule: &str) -> Result<Json, Refusal> {
        let profile = self.profile(ask)?;
        let columns = self.columns(None);
        // As `juxta explain`: a rule of that id first, then a computed value of that name.
        let found = explain(&columns, &self.schema, &profile, rule);
        if let Err(ExplainError::UnknownRule { .. }) = &found
            && let Some(computed) = explain_computed(&columns, &self.schema, &profile, rule)
        {
            let e = computed.map_err(|e| Refusal::Failed(e.to_string()))?;
            let json = serde_json::to_value(&e).map_err(|e| Refusal::Failed(e.to_string()))?;
            let text = juxta_render::explain::computed_text(&e);
            return Ok(json!({ "text": text, "explanation": json }));
        }
        let e = found.map_err(|e| Refusal::Failed(e.to_string()))?;
        let json = serde_json::to_value(&e).map_err(|e| Refusal::Failed(e.to_string()))?;
        Ok(json!({ "text": juxta_render::explain::text(&e), "explanation": json }))
    }

    /// The report as a file: `html`, `csv`, `ics`, `markdown` or `json` (the contract), as
    /// `juxta compare --format …` writes it.
    fn export(&self, ask: &Ask, format: &str) -> Result<Json, Refusal> {
        let today = day(&ask.today)?;
        let (format, would_change) = match format {
            "html" => (Format::Html, true),
            "csv" => (Format::Csv, false),
            "ics" => (Format::Ics, false),
            "markdown" => (Format::Markdown, false),
            "json" => {
                let cmp = self.comparison(ask, false)?;
                let text = serde_json::to_string_pretty(&cmp.contract())
                    .map_err(|e| Refusal::Failed(e.to_string()))?;
                // As `--format json` prints it: control and bidi characters escaped.
                return Ok(json!({ "text": juxta_render::visible::json(text + "\n") }));
            }
            other => {
                return Err(Refusal::Request(format!(
                    "unknown export format `{other}` (html, csv, ics, markdown or json)"
                )));
            }
        };
        let cmp = self.comparison(ask, would_change)?;
        let text = juxta_render::render(&cmp, format, &Options::new(today))
            .map_err(|e| Refusal::Failed(e.to_string()))?;
        Ok(json!({ "text": text }))
    }

    /// A profile file read into the questionnaire's answers: each fact it gives, by path, as
    /// the text the questionnaire's input holds (numbers exactly as juxta reads them).
    fn read(&self, ask: &Ask) -> Result<Json, Refusal> {
        let profile = self.profile(ask)?;
        Ok(json!({ "answers": questionnaire::answers(&profile, &self.schema) }))
    }
}

fn day(text: &str) -> Result<Date, Refusal> {
    text.parse::<Date>()
        .map_err(|e| Refusal::Request(format!("`today`: {e}")))
}

/// The page's one entry point: a request (`{"op": …, …}`) to its answer, both JSON. Every
/// answer is `{"ok": …}` or `{"error": …}` (with `problems` for a profile that does not
/// validate); nothing here panics on what the page sends.
pub fn handle(app: &mut Option<App>, request: &[u8]) -> Vec<u8> {
    let answer = match answer(app, request) {
        Ok(v) => json!({ "ok": v }),
        Err(r) => r.to_json(),
    };
    serde_json::to_vec(&answer)
        .unwrap_or_else(|_| br#"{"error":"cannot write the answer"}"#.to_vec())
}

fn answer(app: &mut Option<App>, request: &[u8]) -> Result<Json, Refusal> {
    let request: Json = serde_json::from_slice(request)
        .map_err(|e| Refusal::Request(format!("the request is not JSON: {e}")))?;
    let op = request["op"]
        .as_str()
        .ok_or_else(|| Refusal::Request("the request has no `op`".into()))?;
    if op == "init" {
        let bundled: Vec<BundledRegime> = serde_json::from_value(request["regimes"].clone())
            .map_err(|e| Refusal::Request(format!("`regimes`: {e}")))?;
        let made = App::new(&bundled);
        let out = json!({
            "kernel": juxta_core::KERNEL_VERSION,
            "facts_schema": made.schema.version(),
            "regimes": made.regimes(),
            "questionnaire": made.questionnaire(),
        });
        *app = Some(made);
        return Ok(out);
    }
    let app = app
        .as_ref()
        .ok_or_else(|| Refusal::Request("`init` has not been called".into()))?;
    let ask = || -> Result<Ask, Refusal> {
        serde_json::from_value(request.clone()).map_err(|e| Refusal::Request(e.to_string()))
    };
    match op {
        "compare" => app.compare(&ask()?),
        "explain" => {
            let rule = request["rule"]
                .as_str()
                .ok_or_else(|| Refusal::Request("`explain` needs a `rule`".into()))?;
            app.explain(&ask()?, rule)
        }
        "export" => {
            let format = request["format_out"]
                .as_str()
                .ok_or_else(|| Refusal::Request("`export` needs a `format_out`".into()))?;
            app.export(&ask()?, format)
        }
        "read" => app.read(&ask()?),
        other => Err(Refusal::Request(format!("unknown op `{other}`"))),
    }
}

#[cfg(test)]
mod tests;
