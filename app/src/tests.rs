//! The app's answers equal the façade's (what `juxta compare` prints) on every example and
//! every shared case, and bad requests are answered, never a panic.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::{Value as Json, json};

use super::{App, BundledRegime, handle};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The bundled regimes as `juxta app` hands them to the page.
fn bundled() -> Vec<BundledRegime> {
    let dist = repo().join("plugins/dist");
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    sums.lines()
        .map(|line| {
            let (sha256, file) = line.split_once("  ").unwrap();
            let id = file.trim_end_matches(".wasm");
            BundledRegime {
                file: file.to_string(),
                manifest: std::fs::read_to_string(
                    repo().join("regimes").join(id).join("regime.toml"),
                )
                .unwrap(),
                sha256: sha256.to_string(),
                parsed: Some(
                    base64::engine::general_purpose::STANDARD
                        .encode(std::fs::read(dist.join(format!("{id}.parsed"))).unwrap()),
                ),
                error: None,
            }
        })
        .collect()
}

fn started() -> Option<App> {
    let mut app = None;
    let init = json!({ "op": "init", "regimes": bundled() });
    let answer: Json =
        serde_json::from_slice(&handle(&mut app, init.to_string().as_bytes())).unwrap();
    assert!(answer.get("ok").is_some(), "{answer}");
    for r in answer["ok"]["regimes"].as_array().unwrap() {
        assert!(r.get("error").is_none(), "{r}");
    }
    app
}

fn call(app: &mut Option<App>, request: Json) -> Json {
    serde_json::from_slice(&handle(app, request.to_string().as_bytes())).unwrap()
}

/// Every profile a test can compare: the examples and the shared cases.
fn profiles() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(repo().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    for regime in std::fs::read_dir(repo().join("regimes")).unwrap() {
        let tests = regime.unwrap().path().join("tests");
        if let Ok(dir) = std::fs::read_dir(tests) {
            out.extend(
                dir.map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|x| x == "toml")),
            );
        }
    }
    out.sort();
    out
}

#[test]
fn the_app_compares_every_profile_as_the_cli_does() {
    let mut app = started();
    let engine = juxta::Engine::bundled().unwrap();
    let today = "2026-12-01";
    let mut compared = 0;
    for path in profiles() {
        let text = std::fs::read_to_string(&path).unwrap();
        let label = path.display().to_string();
        let answer = call(
            &mut app,
            json!({ "op": "compare", "profile": text, "label": label, "today": today }),
        );
        match engine.profile(&text, juxta::ProfileFormat::Toml, &label) {
            Ok(profile) => {
                let expected = serde_json::to_value(
                    engine.compare(&profile, juxta::Detail::Standard).contract(),
                )
                .unwrap();
                assert_eq!(answer["ok"]["comparison"], expected, "{label}");
                let html = answer["ok"]["html"].as_str().unwrap();
                assert!(html.contains("<table class=\"regimes\""), "{label}");
                compared += 1;
            }
            Err(e) => assert_eq!(answer["error"], json!(e.to_string()), "{label}"),
        }
    }
    assert!(compared > 40, "only {compared} profiles compared");
}

#[test]
fn explanations_and_exports_are_the_cli_s() {
    let mut app = started();
    let engine = juxta::Engine::bundled().unwrap();
    let path = repo().join("examples/fine-tune.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let profile = engine
        .profile(&text, juxta::ProfileFormat::Toml, "fine-tune.toml")
        .unwrap();
    let ask = |op: &str| json!({ "op": op, "profile": text, "label": "fine-tune.toml", "today": "2026-12-01" });
    let mut explain = ask("explain");
    explain["rule"] = json!("EU-CLS-PROVIDER");
    let answer = call(&mut app, explain);
    let expected = engine.explain(&profile, "EU-CLS-PROVIDER").unwrap();
    assert_eq!(
        answer["ok"]["text"],
        json!(juxta::render::explain::text(&expected))
    );
    let mut unknown = ask("explain");
    unknown["rule"] = json!("EU-CLS-PROVIDR");
    let answer = call(&mut app, unknown);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("did you mean `EU-CLS-PROVIDER`"),
        "{answer}"
    );
    for (format, theirs) in [
        ("csv", juxta::render::Format::Csv),
        ("ics", juxta::render::Format::Ics),
        ("markdown", juxta::render::Format::Markdown),
    ] {
        let mut export = ask("export");
        export["format_out"] = json!(format);
        let answer = call(&mut app, export);
        let cmp = engine.compare(&profile, juxta::Detail::Standard);
        let options = juxta::render::Options::new("2026-12-01".parse().unwrap());
        let expected = juxta::render::render(&cmp, theirs, &options).unwrap();
        assert_eq!(answer["ok"]["text"], json!(expected), "{format}");
    }
    let mut export = ask("export");
    export["format_out"] = json!("html");
    let answer = call(&mut app, export);
    let cmp = engine.compare(&profile, juxta::Detail::Full);
    let options = juxta::render::Options::new("2026-12-01".parse().unwrap());
    let expected = juxta::render::render(&cmp, juxta::render::Format::Html, &options).unwrap();
    assert_eq!(answer["ok"]["text"], json!(expected));
}

#[test]
fn a_profile_file_reads_back_into_answers_exactly() {
    let mut app = started();
    let text = std::fs::read_to_string(repo().join("examples/fine-tune.toml")).unwrap();
    let answer = call(
        &mut app,
        json!({ "op": "read", "profile": text, "today": "2026-12-01" }),
    );
    let answers = &answer["ok"]["answers"];
    assert_eq!(answers["derivation"], json!(true));
    assert_eq!(
        answers["derivation.modification_compute_flop"],
        json!("9e24")
    );
    assert_eq!(answers["model.output_modalities"], json!(["text"]));
    assert_eq!(answers["evaluation.as_of"], json!("2026-11-22"));
    assert_eq!(
        answers["provider.worldwide_annual_turnover_eur"],
        json!("260000000")
    );
    assert_eq!(answers["release.weights_public"], json!(false));
}

#[test]
fn invalid_profiles_get_the_cli_s_messages_with_their_fields() {
    let mut app = started();
    let text = "schema_version = \"1.2\"\n[evaluation]\nas_of = 2026-12-01\n[model]\ntraining_compute_flop = \"lots\"\n";
    let answer = call(
        &mut app,
        json!({ "op": "compare", "profile": text, "label": "q", "today": "2026-12-01" }),
    );
    let engine = juxta::Engine::bundled().unwrap();
    let expected = engine
        .profile(text, juxta::ProfileFormat::Toml, "q")
        .unwrap_err();
    assert_eq!(answer["error"], json!(expected.to_string()));
    assert_eq!(
        answer["problems"][0]["field"],
        json!("model.training_compute_flop")
    );
}

#[test]
fn bad_requests_are_answered_not_panicked_on() {
    let mut app = None;
    for request in [
        &b"not json"[..],
        br#"{"op":"compare"}"#,
        br#"{"op":42}"#,
        br#"{"op":"init","regimes":"no"}"#,
    ] {
        let answer: Json = serde_json::from_slice(&handle(&mut app, request)).unwrap();
        assert!(answer["error"].is_string(), "{answer}");
    }
    let mut app = started();
    for request in [
        json!({ "op": "compare", "profile": "x", "today": "yesterday" }),
        json!({ "op": "export", "profile": "x", "today": "2026-12-01", "format_out": "pdf" }),
        json!({ "op": "frobnicate" }),
    ] {
        let answer = call(&mut app, request);
        assert!(answer["error"].is_string(), "{answer}");
    }
}

#[test]
fn a_manifest_that_does_not_compile_fails_its_column_alone() {
    let mut regimes = bundled();
    regimes[0]
        .manifest
        .push_str("\n[[rules]]\nid = \"BROKEN\"\n");
    let made = App::new(&regimes);
    let listed = made.regimes();
    assert!(listed[0]["error"].is_string(), "{listed}");
    for r in listed.as_array().unwrap().iter().skip(1) {
        assert!(r.get("error").is_none(), "{r}");
    }
}

#[test]
fn the_questionnaire_is_the_schema() {
    let app = started().unwrap();
    let q = app.questionnaire();
    let tables = q["tables"].as_array().unwrap();
    let model = tables.iter().find(|t| t["name"] == "model").unwrap();
    let compute = model["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "model.training_compute_flop")
        .unwrap();
    assert_eq!(compute["type"], "number");
    assert!(compute["unit"].as_str().unwrap().starts_with("FLOP"));
    let derivation = tables.iter().find(|t| t["name"] == "derivation").unwrap();
    assert_eq!(derivation["presence"]["path"], "derivation");
    // A regime's namespace is its own table; the core's tables have no owner.
    let ca = tables.iter().find(|t| t["name"] == "ca").unwrap();
    assert_eq!(ca["owner"], "us-ca-sb53");
    assert!(model["owner"].is_null());
}

#[test]
fn a_plugin_the_binary_refused_is_a_failed_column_in_every_comparison() {
    let mut regimes = bundled();
    regimes[1].error = Some("bundled us-ai-eo-2026.wasm has sha256 …".into());
    let mut app = Some(App::new(&regimes));
    let text = std::fs::read_to_string(repo().join("examples/fine-tune.toml")).unwrap();
    let answer = call(
        &mut app,
        json!({ "op": "compare", "profile": text, "today": "2026-12-01" }),
    );
    let columns = answer["ok"]["comparison"]["regimes"].as_array().unwrap();
    assert_eq!(columns.len(), 4);
    assert!(
        columns[1]["error"].as_str().unwrap().contains("sha256"),
        "{}",
        columns[1]
    );
    assert!(
        answer["ok"]["html"]
            .as_str()
            .unwrap()
            .contains("this regime failed")
    );
}

#[test]
fn explain_takes_a_rule_before_a_computed_value_as_juxta_explain_does() {
    let mut app = started();
    let text = std::fs::read_to_string(repo().join("examples/fine-tune.toml")).unwrap();
    let ask = |rule: &str| json!({ "op": "explain", "profile": text, "today": "2026-12-01", "rule": rule });
    let rule = call(&mut app, ask("EU-OBL-53-1a"));
    assert_eq!(
        rule["ok"]["explanation"]["rule"]["id"], "EU-OBL-53-1a",
        "{rule}"
    );
    let engine = juxta::Engine::bundled().unwrap();
    let name = engine
        .regimes()
        .entries()
        .iter()
        .find_map(|e| match e {
            juxta::Entry::Ready(r) => r.regime.computed.first().map(|c| c.name.clone()),
            juxta::Entry::Failed(_) => None,
        })
        .unwrap();
    let computed = call(&mut app, ask(&name));
    assert_eq!(
        computed["ok"]["explanation"]["name"],
        json!(name),
        "{computed}"
    );
}
