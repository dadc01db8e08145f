//! `--format ics`: an RFC 5545 calendar with one all-day event per dated duty, and the law's
//! own dates as separate events.
//!
//! UIDs are stable — the regime, the rule (or the law's parameter) and the model — and do not
//! contain the date, so importing the calendar again after a deadline moved updates the event
//! instead of adding a second one. `DTSTAMP` is the day the law was applied, so the same
//! comparison always gives the same bytes.

use juxta_core::report::{Comparison, DutyState, Status};
use juxta_sdk::Date;

/// Escapes TEXT (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character.
fn line(out: &mut String, content: &str) {
    let mut used = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if used + n > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
}

/// Letters, digits, `-` and `.` only: a UID part from an id.
fn uid_part(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn date(d: Date) -> String {
    d.to_string().replace('-', "")
}

fn next_day(d: Date) -> Date {
    Date::from_days_since_epoch(d.days_since_epoch() + 1).unwrap_or(d)
}

/// The calendar. `cmp` must already be made visible ([`crate::visible::value`]).
pub(crate) fn render(cmp: &Comparison) -> String {
    let model = cmp.fact_text("model.id").unwrap_or(&cmp.profile);
    let model_uid = uid_part(model);
    let stamp = format!("{}T000000Z", date(cmp.as_of));
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(
        &mut out,
        &format!("PRODID:-//juxta//juxta {}//EN", cmp.kernel.version),
    );
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(
        &mut out,
        &format!("X-WR-CALNAME:{}", text(&format!("juxta · {model}"))),
    );
    for r in cmp.regimes.iter().filter(|r| r.error.is_none()) {
        let regime_name = r.name.as_deref().unwrap_or(&r.id);
        for f in &r.rules {
            let Some(due) = f.due else { continue };
            if f.status == Status::DoesNotApply {
                continue;
            }
            let prefix = match (f.status, f.state) {
                (Status::Undetermined, _) => "MAY APPLY: ",
                (_, Some(DutyState::Overdue { .. })) => "OVERDUE: ",
                _ => "",
            };
            let mut description = format!("{}\n{}\n{}", f.citation, f.summary, regime_name);
            if let Some(state) = f.state {
                description.push_str(&format!("\nAs of {}: {}", cmp.as_of, state.label()));
            }
            if !f.missing_facts.is_empty() {
                description.push_str(&format!(
                    "\nUndetermined: it needs {}",
                    f.missing_facts.join(", ")
                ));
            }
            line(&mut out, "BEGIN:VEVENT");
            line(
                &mut out,
                &format!(
                    "UID:{}.{}.{model_uid}@juxta",
                    uid_part(&r.id),
                    uid_part(&f.id)
                ),
            );
            line(&mut out, &format!("DTSTAMP:{stamp}"));
            match &f.due_at {
                // Where the law counts hours the deadline is an instant: an event at that time
                // (with no end, it ends as it starts, RFC 5545 § 3.6.1).
                Some(at) => line(&mut out, &format!("DTSTART:{}", at.replace(['-', ':'], ""))),
                None => {
                    line(&mut out, &format!("DTSTART;VALUE=DATE:{}", date(due)));
                    line(
                        &mut out,
                        &format!("DTEND;VALUE=DATE:{}", date(next_day(due))),
                    );
                }
            }
            line(
                &mut out,
                &format!(
                    "SUMMARY:{}",
                    text(&format!("{prefix}{} ({})", f.title, f.id))
                ),
            );
            line(&mut out, &format!("DESCRIPTION:{}", text(&description)));
            line(&mut out, &format!("CATEGORIES:{}", text(&r.id)));
            line(&mut out, "TRANSP:TRANSPARENT");
            line(&mut out, "END:VEVENT");
        }
        for e in &r.effective {
            line(&mut out, "BEGIN:VEVENT");
            line(
                &mut out,
                &format!(
                    "UID:{}.law.{}.{model_uid}@juxta",
                    uid_part(&r.id),
                    uid_part(&e.parameter)
                ),
            );
            line(&mut out, &format!("DTSTAMP:{stamp}"));
            line(&mut out, &format!("DTSTART;VALUE=DATE:{}", date(e.date)));
            line(
                &mut out,
                &format!("DTEND;VALUE=DATE:{}", date(next_day(e.date))),
            );
            line(
                &mut out,
                &format!(
                    "SUMMARY:{}",
                    text(&format!("{} — {}", e.title, regime_name))
                ),
            );
            line(
                &mut out,
                &format!(
                    "DESCRIPTION:{}",
                    text(&format!(
                        "A date of the law ({}), not a deadline of this model.",
                        r.id
                    ))
                ),
            );
            line(
                &mut out,
                &format!("CATEGORIES:{}", text(&format!("{} law", r.id))),
            );
            line(&mut out, "TRANSP:TRANSPARENT");
            line(&mut out, "END:VEVENT");
        }
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_lines_fold_at_75_octets_between_characters() {
        assert_eq!(text("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
        let mut out = String::new();
        line(&mut out, &format!("SUMMARY:{}", "é".repeat(60)));
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "é".repeat(60)));
    }
}
