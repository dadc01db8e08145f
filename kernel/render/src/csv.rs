//! `--format csv`: one row per rule, RFC 4180 (CRLF line ends, fields quoted where needed), the
//! shape GRC tools import and spreadsheets open.
//!
//! A text field that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`,
//! a tab or a carriage return) is prefixed with `'`, so that a title from a plugin or a profile
//! cannot run as a formula when the file is opened.

use juxta_core::report::Comparison;

const HEADER: &[&str] = &[
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
    "due_at",
];

/// One field, quoted when it holds a comma, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// A text field from a plugin or a profile: never a formula.
fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        field(&format!("'{value}"))
    } else {
        field(value)
    }
}

/// The comparison as CSV. `cmp` must already be made visible ([`crate::visible::value`]).
pub(crate) fn render(cmp: &Comparison, applicable_only: bool) -> String {
    let model = cmp.fact_text("model.id").unwrap_or_default();
    let mut out = HEADER.join(",");
    out.push_str("\r\n");
    for r in &cmp.regimes {
        if let Some(e) = &r.error {
            let row = [
                text(model),
                cmp.as_of.to_string(),
                text(&r.id),
                String::new(),
                String::new(),
                text(&format!("this regime failed: {e}")),
                "failed".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ];
            out.push_str(&row.join(","));
            out.push_str("\r\n");
            continue;
        }
        for f in &r.rules {
            if applicable_only && f.status == juxta_core::report::Status::DoesNotApply {
                continue;
            }
            let days = match f.state {
                Some(juxta_core::report::DutyState::Overdue { days, .. }) => (-days).to_string(),
                Some(juxta_core::report::DutyState::DueIn { days }) => days.to_string(),
                Some(juxta_core::report::DutyState::DueToday) => "0".into(),
                _ => String::new(),
            };
            let row = [
                text(model),
                cmp.as_of.to_string(),
                text(&r.id),
                text(&f.id),
                f.kind.as_str().to_string(),
                text(&f.title),
                f.status.as_str().to_string(),
                f.state.map(|s| s.as_str().to_string()).unwrap_or_default(),
                days,
                f.due.map(|d| d.to_string()).unwrap_or_default(),
                text(&f.citation),
                text(&f.missing_facts.join("; ")),
                text(&f.open_questions.join("; ")),
                f.due_at.clone().unwrap_or_default(),
            ];
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_as_rfc_4180_says_and_formulas_are_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
    }
}
