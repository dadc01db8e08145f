//! The whole report for a terminal (`juxta compare`'s default): heading, summary, the
//! side-by-side table drawn by comfy-table, legend, tallies and open questions, wrapped to the
//! terminal's width. Behind the `terminal` feature: comfy-table's crossterm does not build for
//! the browser, and the offline app does without it. What the table says of each rule is in
//! [`crate::table`], shared with the other formats.

use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};
use juxta_core::report::{Change, Comparison, Finding, RegimeReport, Status};
use juxta_sdk::manifest::RuleKind;

use crate::table::{
    cell_text, change_value, computed_text, error_text, heading, kind_of, open_questions_text,
    section, tally,
};

/// How to draw the table.
pub struct Style {
    /// Use colour.
    pub color: bool,
    /// Total width in columns.
    pub width: u16,
    /// Leave out rows that do not apply.
    pub applicable_only: bool,
    /// The day the report is made, where it differs from the day the law was applied.
    pub today: Option<juxta_sdk::Date>,
}

fn styled(text: String, status: Option<Status>, color: bool) -> Cell {
    let cell = Cell::new(unbroken(&text));
    if !color {
        return cell;
    }
    match status {
        Some(Status::Applies) => cell.fg(Color::Green),
        Some(Status::Undetermined) => cell.fg(Color::Yellow),
        Some(Status::DoesNotApply) => cell.add_attribute(Attribute::Dim),
        None => cell,
    }
}

/// Below this many columns per regime, the regimes are drawn one under the other.
const NARROWEST_COLUMN: usize = 44;

/// The whole terminal report: heading, summary, table, legend, tallies, open questions and, for
/// a what-if question, what changed; no line wider than `style.width`. `cmp` must already be
/// made visible ([`crate::visible::value`]).
pub(crate) fn report(cmp: &Comparison, style: &Style) -> String {
    let width = usize::from(style.width);
    // A line that fits is kept as it is (its alignment matters); a longer one is wrapped,
    // continuation lines indented under it.
    let lines = |text: &str| -> String {
        text.lines()
            .map(|l| {
                if l.chars().count() <= width {
                    format!("{l}\n")
                } else {
                    let lead: String = l.chars().take_while(|c| *c == ' ').collect();
                    let rest = width.saturating_sub(lead.len());
                    format!("{lead}{}", wrap(l.trim_start(), rest, &format!("{lead}  ")))
                }
            })
            .collect::<String>()
    };
    let columns = cmp.regimes.len().max(1);
    let table = if width.saturating_sub(22) / columns < NARROWEST_COLUMN && columns > 1 {
        // Too narrow for the regimes side by side: one table per regime, one under the other.
        cmp.regimes
            .iter()
            .map(|r| {
                let one = Comparison {
                    regimes: vec![r.clone()],
                    ..cmp.clone()
                };
                render(&one, style)
            })
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        render(cmp, style)
    };
    let mut text = format!(
        "{}{}\n{}{}\n{}{}{}",
        lines(&format!("juxta · {}", cmp.profile)),
        lines(&heading(cmp).join("\n")),
        summary_text(cmp, style.width, style.today),
        table,
        lines("✔ applies   ✘ does not apply   ? undetermined: the facts it needs are listed"),
        lines(&tally(cmp)),
        lines(&open_questions_text(cmp))
    );
    if let Some(w) = &cmp.what_if {
        text.push_str(&lines(&changes_text(&w.changes)));
    }
    text
}

/// Each regime's summary, one paragraph each, wrapped to `width`.
fn summary_text(cmp: &Comparison, width: u16, today: Option<juxta_sdk::Date>) -> String {
    let mut out = String::from("SUMMARY\n");
    for r in &cmp.regimes {
        out.push_str(&wrap(
            &format!("• {}", crate::summary::line(r, today)),
            usize::from(width),
            "  ",
        ));
    }
    out
}

/// `text` wrapped at spaces to lines of at most `width` characters, continuation lines indented
/// by `indent`; a word longer than a line is cut.
pub(crate) fn wrap(text: &str, width: usize, indent: &str) -> String {
    let indent_len = indent.chars().count();
    let width = width.max(indent_len + 10);
    let mut out = String::new();
    let mut line = String::new();
    let mut len = 0;
    // Whether `line` holds a word yet (then a space goes before the next one).
    let mut has_word = false;
    for word in text.split_whitespace() {
        let mut rest: Vec<char> = word.chars().collect();
        while !rest.is_empty() {
            let gap = usize::from(has_word);
            if len + gap + rest.len() <= width {
                if has_word {
                    line.push(' ');
                }
                len += gap + rest.len();
                line.extend(rest.drain(..));
                has_word = true;
            } else if has_word {
                out.push_str(&line);
                out.push('\n');
                line = indent.to_string();
                len = indent_len;
                has_word = false;
            } else {
                // A word longer than a whole line: cut it.
                let room = width - len;
                line.extend(rest.drain(..room));
                out.push_str(&line);
                out.push('\n');
                line = indent.to_string();
                len = indent_len;
            }
        }
    }
    if has_word {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The changes of a what-if question, for the terminal.
fn changes_text(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "\nwhat changed against the profile as written: nothing\n".into();
    }
    let mut out = String::from("\nwhat changed against the profile as written:\n");
    for c in changes {
        let title = if c.title.is_empty() {
            String::new()
        } else {
            format!(" ({})", c.title)
        };
        out.push_str(&format!(
            "  {:<16} {:<32} {} → {}{title}\n",
            c.regime,
            c.item,
            change_value(&c.from),
            change_value(&c.to)
        ));
    }
    out
}

/// Longest run of characters without a space that a cell keeps whole.
const LONGEST_WORD: usize = 100;

/// `text` with every word longer than [`LONGEST_WORD`] characters broken into lines of that
/// length: the table's layout takes time quadratic in the longest word, and a title from a
/// plugin or a saved result may be megabytes without a space. Words that fit are untouched.
fn unbroken(text: &str) -> std::borrow::Cow<'_, str> {
    let too_long = text
        .split(|c: char| c.is_whitespace())
        .any(|w| w.chars().nth(LONGEST_WORD).is_some());
    if !too_long {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / LONGEST_WORD);
    let mut run = 0;
    for c in text.chars() {
        if c.is_whitespace() {
            run = 0;
        } else if run == LONGEST_WORD {
            out.push('\n');
            run = 0;
        }
        if !c.is_whitespace() {
            run += 1;
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

/// The table of a comparison.
pub(crate) fn render(cmp: &Comparison, style: &Style) -> String {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(style.width);
    let mut header = vec![Cell::new("")];
    for r in &cmp.regimes {
        let name = r.name.clone().unwrap_or_else(|| r.id.clone());
        let sub = match (&r.jurisdiction, &r.version) {
            (Some(j), Some(v)) => format!("{j} · {} {v}", r.id),
            _ => r.id.clone(),
        };
        let cell = Cell::new(unbroken(&format!("{name}\n{sub}")));
        header.push(if style.color {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        });
    }
    table.set_header(header);

    fn shown(r: &RegimeReport, kind: RuleKind, applicable_only: bool) -> Vec<&Finding> {
        r.rules
            .iter()
            .filter(|f| kind_of(f) == Some(kind))
            .filter(|f| !applicable_only || f.status != Status::DoesNotApply)
            .collect()
    }
    if cmp.regimes.iter().any(|r| r.error.is_some()) {
        let mut row = vec![styled("ERROR".into(), None, false)];
        for r in &cmp.regimes {
            let cell = Cell::new(unbroken(&error_text(r)));
            row.push(if style.color {
                cell.fg(Color::Red)
            } else {
                cell
            });
        }
        table.add_row(row);
    }
    for kind in RuleKind::ALL {
        let columns: Vec<Vec<&Finding>> = cmp
            .regimes
            .iter()
            .map(|r| shown(r, kind, style.applicable_only))
            .collect();
        let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
        let any_rule_of_kind = cmp
            .regimes
            .iter()
            .any(|r| r.rules.iter().any(|f| kind_of(f) == Some(kind)));
        if !any_rule_of_kind {
            continue;
        }
        for i in 0..rows.max(1) {
            let label = if i == 0 {
                section(kind).to_string()
            } else {
                String::new()
            };
            let label_cell = if style.color && i == 0 {
                Cell::new(label).add_attribute(Attribute::Bold)
            } else {
                Cell::new(label)
            };
            let mut row = vec![label_cell];
            for (r, col) in cmp.regimes.iter().zip(&columns) {
                let cell = match col.get(i) {
                    Some(f) => styled(cell_text(f), Some(f.status), style.color),
                    None if i == 0 && r.error.is_none() => {
                        styled("— none —".into(), None, style.color)
                    }
                    None => Cell::new(""),
                };
                row.push(cell);
            }
            table.add_row(row);
        }
    }
    let mut row = vec![Cell::new("DATES & AMOUNTS")];
    for r in &cmp.regimes {
        row.push(Cell::new(unbroken(&computed_text(r))));
    }
    table.add_row(row);
    table.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    use juxta_core::report::{KernelInfo, RegimeReport};

    fn failed_comparison() -> Comparison {
        let ok = RegimeReport {
            id: "ok".into(),
            jurisdiction: Some("XX".into()),
            name: Some("A regime that worked".into()),
            version: Some("1.0.0".into()),
            plugin_sha256: "a".repeat(64),
            rules: vec![Finding {
                id: "XX-OBL-1".into(),
                kind: RuleKind::Obligation,
                status: Status::Applies,
                title: "Do it".into(),
                citation: "s. 1".into(),
                explanation: String::new(),
                due: "2027-01-01".parse().ok(),
                due_at: None,
                state: None,
                summary: String::new(),
                facts_used: Default::default(),
                missing_facts: vec![],
                open_questions: vec![],
                provenance: None,
                confirmation: None,
                counterparts: vec![],
                would_change: vec![],
            }],
            computed: Default::default(),
            computed_undetermined: Default::default(),
            computed_bounds: Default::default(),
            error: None,
            open_questions: Default::default(),
            computed_info: Default::default(),
            effective: vec![],
        };
        let broken = RegimeReport::failed(
            "broken",
            None,
            &"b".repeat(64),
            "plugin `broken`: manifest: ran out of fuel".into(),
        );
        Comparison {
            profile: "p.toml".into(),
            as_of: juxta_sdk::Date::new(2026, 9, 1).unwrap(),
            kernel: KernelInfo {
                version: "0".into(),
                facts_schema: "1".into(),
            },
            regimes: vec![broken, ok],
            facts: vec![],
            what_if: None,
        }
    }

    #[test]
    fn a_failed_regime_shows_an_error_cell_and_the_others_their_rows() {
        let style = Style {
            color: false,
            width: 120,
            applicable_only: false,
            today: None,
        };
        let out = render(&failed_comparison(), &style);
        assert!(out.contains("✖ this regime failed"), "{out}");
        assert!(out.contains("ran out of fuel"), "{out}");
        assert!(out.contains("✔ APPLIES · XX-OBL-1"), "{out}");
        assert!(tally(&failed_comparison()).contains("broken: failed"));
    }

    #[test]
    fn wrapped_lines_never_pass_the_width() {
        let text = format!(
            "• {} and a {} word",
            "short words ".repeat(20),
            "x".repeat(70)
        );
        let out = wrap(&text, 40, "  ");
        for l in out.lines() {
            assert!(l.chars().count() <= 40, "{l:?}");
        }
        assert_eq!(
            out.split_whitespace().collect::<String>(),
            text.split_whitespace().collect::<String>()
        );
        assert!(out.lines().skip(1).all(|l| l.starts_with("  ")));
    }
}
