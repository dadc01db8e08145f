//! What a compliance lead takes away: the state of every dated duty and each regime's summary
//! in every format, a CSV a spreadsheet reads (parsed here by the `csv` crate) and a calendar a
//! calendar reads (parsed by the `ical` crate), which re-imports without duplicates.

use serde_json::Value;

use juxta_tests::juxta;

const EXAMPLES: &[&str] = &[
    "examples/closed-frontier.toml",
    "examples/fine-tune.toml",
    "examples/new-york.toml",
    "examples/open-weights-mid.toml",
];

fn contract(profile: &str, extra: &[&str]) -> Value {
    let mut args = vec!["compare", profile, "--format", "json", "--full"];
    args.extend_from_slice(extra);
    let run = juxta(&args);
    assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

fn output(profile: &str, format: &str, extra: &[&str]) -> String {
    let mut args = vec!["compare", profile, "--format", format];
    args.extend_from_slice(extra);
    let run = juxta(&args);
    assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
    run.stdout
}

/// Every finding of a comparison, with its regime.
fn findings(doc: &Value) -> Vec<(&str, &Value)> {
    doc["regimes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            let id = r["id"].as_str().unwrap();
            r["rules"].as_array().unwrap().iter().map(move |f| (id, f))
        })
        .collect()
}

#[test]
fn every_format_shows_each_regimes_summary_and_what_is_overdue() {
    // fine-tune.toml, on its as_of 2026-11-22: the EU notification was due on 2026-10-19.
    let doc = contract("examples/fine-tune.toml", &[]);
    let overdue: Vec<&str> = findings(&doc)
        .into_iter()
        .filter(|(_, f)| f["state"]["kind"] == "overdue")
        .map(|(_, f)| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(overdue, ["EU-OBL-52-1"]);
    for format in ["table", "markdown", "html"] {
        // Words as read, whatever the wrapping.
        let out = output("examples/fine-tune.toml", format, &[])
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            out.contains("11 required (1 OVERDUE: EU-OBL-52-1 since 2026-10-19)"),
            "{format}"
        );
        assert!(
            out.contains("OVERDUE since 2026-10-19 (34 days)"),
            "{format}"
        );
        assert!(out.contains("due in 85 days"), "{format}");
        // The US order is voluntary: nothing required, and the line says what decided it.
        assert!(out.contains("nothing required"), "{format}");
    }
    for profile in EXAMPLES {
        for format in ["table", "markdown", "html"] {
            let out = output(profile, format, &[]);
            assert!(
                out.contains("SUMMARY") || out.contains("Summary"),
                "{profile} {format}"
            );
        }
    }
}

#[test]
fn the_csv_has_one_row_per_rule_with_the_contract_values() {
    for profile in EXAMPLES {
        let doc = contract(profile, &[]);
        let text = output(profile, "csv", &[]);
        assert!(text.ends_with("\r\n"), "RFC 4180 lines end with CRLF");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(
            header,
            [
                "model",
                "as_of",
                "regime",
                "rule",
                "kind",
                "title",
                "status",
                "state",
                "days",
                "due",
                "citation",
                "missing_facts",
                "open_questions",
                "due_at"
            ]
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let all = findings(&doc);
        assert_eq!(rows.len(), all.len(), "{profile}");
        for (row, (regime, f)) in rows.iter().zip(&all) {
            assert_eq!(&row[2], *regime);
            assert_eq!(&row[3], f["id"].as_str().unwrap());
            assert_eq!(&row[5], f["title"].as_str().unwrap());
            assert_eq!(&row[6], f["status"].as_str().unwrap());
            assert_eq!(&row[7], f["state"]["kind"].as_str().unwrap_or(""));
            assert_eq!(&row[9], f["due"].as_str().unwrap_or(""));
            assert_eq!(&row[10], f["citation"].as_str().unwrap());
            assert_eq!(&row[13], f["due_at"].as_str().unwrap_or(""));
            let days = match f["state"]["kind"].as_str() {
                Some("overdue") => (-f["state"]["days"].as_i64().unwrap()).to_string(),
                Some("due_in") => f["state"]["days"].as_i64().unwrap().to_string(),
                Some("due_today") => "0".into(),
                _ => String::new(),
            };
            assert_eq!(&row[8], days, "{}", f["id"]);
        }
    }
}

/// The events of a calendar, as (UID, DTSTART, SUMMARY), parsed by a real iCalendar reader.
fn events(text: &str) -> Vec<(String, String, String)> {
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = parser.next().expect("one calendar").expect("it parses");
    assert!(parser.next().is_none());
    calendar
        .events
        .iter()
        .map(|e| {
            let get = |name: &str| {
                e.properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_else(|| panic!("event without {name}"))
            };
            (get("UID"), get("DTSTART"), get("SUMMARY"))
        })
        .collect()
}

#[test]
fn the_calendar_parses_has_every_dated_duty_and_reimports_by_uid() {
    for profile in EXAMPLES {
        let doc = contract(profile, &[]);
        let text = output(profile, "ics", &[]);
        let evs = events(&text);
        let mut uids: Vec<&str> = evs.iter().map(|(u, _, _)| u.as_str()).collect();
        uids.sort();
        uids.dedup();
        assert_eq!(uids.len(), evs.len(), "{profile}: UIDs are unique");
        let dated: Vec<(&str, &Value)> = findings(&doc)
            .into_iter()
            .filter(|(_, f)| f["status"] != "does_not_apply" && f["due"].is_string())
            .collect();
        for (regime, f) in &dated {
            let uid_start = format!("{regime}.{}.", f["id"].as_str().unwrap());
            let event = evs
                .iter()
                .find(|(u, _, _)| u.starts_with(&uid_start))
                .unwrap_or_else(|| panic!("{profile}: no event for {uid_start}"));
            assert_eq!(event.1, f["due"].as_str().unwrap().replace('-', ""));
            assert!(event.2.contains(f["id"].as_str().unwrap()));
            if f["state"]["kind"] == "overdue" {
                assert!(event.2.starts_with("OVERDUE"), "{}", event.2);
            }
        }
        let law: usize = doc["regimes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["effective"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(evs.len(), dated.len() + law, "{profile}");
        // The same comparison, the same bytes: importing again changes nothing.
        assert_eq!(output(profile, "ics", &[]), text);
    }
    // A deadline that moves keeps its event's UID: a calendar updates the event in place.
    let before = events(&output("examples/fine-tune.toml", "ics", &[]));
    let after = events(&output(
        "examples/fine-tune.toml",
        "ics",
        &[
            "--set",
            "eu.placing_date=2027-03-01",
            "--set",
            "release.first_external_release_date=2027-03-01",
        ],
    ));
    let find = |evs: &[(String, String, String)], id: &str| {
        evs.iter()
            .find(|(u, _, _)| u.starts_with(&format!("eu-ai-act-gpai.{id}.")))
            .cloned()
            .unwrap()
    };
    let (b, a) = (find(&before, "EU-OBL-53-1a"), find(&after, "EU-OBL-53-1a"));
    assert_eq!(a.0, b.0);
    assert_ne!(a.1, b.1, "the deadline moved");
}
