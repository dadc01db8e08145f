//! The wide layout's JSON line written straight from the evaluation (`batch::line`) is the same
//! bytes as the record built and serialised (`BatchRecord::to_json_line`): over generated
//! profiles, broken lines, Parquet-shaped trees, a failed column and a statute with money,
//! instants, open questions and the bounds of `max` and `min`.

use std::sync::Arc;

use juxta::batch::input::{Input, Raw};
use juxta::batch::line::Fragments;
use juxta::batch::record::{Column, Evaluator};
use juxta_core::regime::{Regime, Source, schema_for};

const STATUTE: &str = r#"
[regime]
id = "st-act"
name = "Statute \"Test\" Act"
jurisdiction = "ST"
version = "0.1.0"
facts_schema = "1.3"
case_key = "st"

[namespace]
name = "st"

[namespace.facts.revenue]
type = "money"
currency = "USD"
rates = { EUR = "usd_per_eur" }
meaning = "gross revenue"

[namespace.facts.kind]
type = "enum"
values = ["general_purpose", "narrow"]
meaning = "what the model is"

[namespace.facts.incident_at]
type = "datetime"
meaning = "when the incident was discovered"

[parameters.usd_per_eur]
title = "USD per EUR"
type = "number"
unit = "USD per EUR"
values = [{ from = 2026-01-01, value = 1.25, source = "rate" }]

[parameters.floor]
title = "Fine floor"
type = "number"
unit = "USD"
values = [{ from = 2026-01-01, value = 5000000.0, source = "s. 9" }]

[parameters.ceiling]
title = "Fine ceiling"
type = "number"
unit = "USD"
values = [{ from = 2026-01-01, value = 90000000.0, source = "s. 9" }]

[blocks.GPAI]
title = "General-purpose"
condition = "st.kind == 'general_purpose'"
open_questions = [{ id = "z-scope", if = "true" }, { id = "a.scope", if = "true" }]

[[rules]]
id = "ST-Z"
kind = "classification"
title = "Scope"
citation = "s. 1"
condition = "GPAI"
summary = "scope"

[[rules]]
id = "ST-A"
kind = "obligation"
title = "Report"
citation = "s. 4"
condition = "has(st.incident_at) || GPAI"
summary = "report"
due = "report_due"

[computed.report_due]
title = "Report by"
type = "datetime"
when = "has(st.incident_at)"
value = "st.incident_at + hours(72)"

[computed.a_fine]
title = "Maximum fine"
type = "number"
unit = "USD"
when = "true"
value = "max(st.revenue * 0.02, params.floor)"

[computed.m_fine]
title = "Smaller of"
type = "number"
unit = "USD"
when = "true"
value = "min(st.revenue * 0.02, params.ceiling)"

[open_questions.z-scope]
question = "Last in id order, first declared?"

[open_questions."a.scope"]
question = "First in id order?"
"#;

fn columns() -> (Arc<juxta_core::schema::Schema>, Vec<Column>) {
    let mut texts: Vec<(String, String)> = std::fs::read_dir(juxta_tests::repo().join("regimes"))
        .unwrap()
        .map(|e| e.unwrap().path().join("regime.toml"))
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    texts.push(("st.toml".into(), STATUTE.into()));
    texts.sort();
    let schema = Arc::new(schema_for(texts.iter().map(|(_, t)| t.as_str())).unwrap());
    let mut columns: Vec<Column> = texts
        .iter()
        .map(|(origin, text)| {
            let regime = Regime::compile(&Source { origin, text }, Arc::clone(&schema))
                .unwrap_or_else(|e| panic!("{origin}: {e}"));
            Column {
                id: regime.id().to_string(),
                regime: Ok(Arc::new(regime)),
                host: None,
            }
        })
        .collect();
    columns.push(Column {
        id: "plugin:broken.wasm".into(),
        regime: Err("the plugin \"broken\" failed:\ncannot load\u{7}".into()),
        host: None,
    });
    (schema, columns)
}

/// Writes `input`'s line straight from the evaluation, reusing the room of the evaluations in
/// `spare` (as a worker does), and checks it is the bytes of the record built afresh.
fn same_bytes(
    ev: &Evaluator<'_>,
    fragments: &Fragments,
    spare: &mut [Option<juxta_core::eval::Evaluation>],
    input: &Input,
) -> String {
    let record = ev.record(input);
    let mut expected = Vec::new();
    record.to_json_line(&mut expected);
    expected.push(b'\n');
    let mut written = b"before".to_vec();
    let failed = ev.write_json_line(input, fragments, spare, &mut written);
    assert_eq!(
        String::from_utf8_lossy(&written[6..]),
        String::from_utf8_lossy(&expected),
        "line {}",
        input.line
    );
    assert_eq!(failed, record.failed(), "line {}", input.line);
    String::from_utf8(expected).unwrap()
}

#[test]
fn the_direct_line_is_the_records_bytes() {
    let (schema, columns) = columns();
    let fragments = Fragments::new(
        &schema,
        columns
            .iter()
            .map(|c| (c.id.as_str(), c.regime.as_deref().ok())),
    );
    let mut seen = String::new();
    // One worker's spare evaluations for the whole corpus: every line reuses the last's room.
    let mut spare: Vec<_> = columns.iter().map(|_| None).collect();
    let id_field = vec!["model".to_string(), "id".to_string()];
    for as_of in [None, Some("2027-06-01".parse::<juxta_sdk::Date>().unwrap())] {
        let ev = Evaluator {
            schema: &schema,
            columns: &columns,
            id_field: &id_field,
            as_of,
        };
        let generated = juxta_cli::generate::jsonl(5, 2000, Some(9));
        let statute = [
            r#"{"schema_version":"1.3","evaluation":{"as_of":"2027-02-01"},"model":{"id":"m7"},"st":{"kind":"general_purpose","revenue":{"amount":1000000000,"currency":"USD"},"incident_at":"2027-03-01T09:30:00-05:00"}}"#,
            r#"{"schema_version":"1.3","evaluation":{"as_of":"2027-02-01"},"model":{"id":"q\"uote\\d"},"st":{"kind":"narrow"}}"#,
            r#"{"schema_version":"1.3","evaluation":{"as_of":"2027-02-01"},"st":{"revenue":{"amount":1,"currency":"USD"}}}"#,
            r#"{"schema_version":"1.3","evaluation":{"as_of":"2027-02-01"},"st":{"kind":"general-purpose"}}"#,
            r#"{"schema_version":"1.3","evaluation":{"as_of":"2027-02-01"}}"#,
            r#"{"schema_version":"1.3","model":{"id":7}}"#,
            "",
            "   ",
            "{\"schema_version\":\"1.3\",\"evaluation\":{\"as_of\":\"2027-02-01\"},\"model\":{\"id\":\"é\u{2028}\"}}",
            "[1,2]",
        ];
        let lines = generated.lines().chain(statute);
        for (i, text) in lines.enumerate() {
            let input = Input {
                line: i as u64 + 1,
                raw: Raw::Text(text.to_string()),
                pass: None,
            };
            seen += &same_bytes(&ev, &fragments, &mut spare, &input);
        }
        seen += &same_bytes(
            &ev,
            &fragments,
            &mut spare,
            &Input {
                line: 3,
                raw: Raw::Unreadable("row 3: cannot read `compute`".into()),
                pass: None,
            },
        );
        for (line, json) in [
            (4, r#"{"schema_version":"1.3","model":{"id":1.5}}"#),
            (
                5,
                r#"{"schema_version":"1.3","evaluation":{"as_of":"2027-02-01"}}"#,
            ),
        ] {
            let tree = juxta_core::profile::tree::parse_json(json).unwrap();
            seen += &same_bytes(
                &ev,
                &fragments,
                &mut spare,
                &Input {
                    line,
                    raw: Raw::Tree(tree),
                    pass: None,
                },
            );
        }
    }
    // The corpus reaches every part of a line.
    for part in [
        r#""open_questions":{"ST-A":["a.scope","z-scope"],"ST-Z":["a.scope","z-scope"]}"#,
        r#""report_due":"2027-03-04T14:30:00Z""#,
        r#""computed_bounds":{"a_fine":{"at_least":5000000.0},"m_fine":{"at_most":90000000.0}}"#,
        r#""missing_facts":{"#,
        r#""regimes":null"#,
        r#""id":"5","line":5,"as_of":"2027-02-01","error":null"#,
        r#""id":"q\"uote\\d""#,
        r#""plugin:broken.wasm":{"error":"the plugin \"broken\" failed:\ncannot load\u0007""#,
        "invalid JSON",
        "empty line",
    ] {
        assert!(seen.contains(part), "no line has {part}");
    }
}
