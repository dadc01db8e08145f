//! `juxta compare --format markdown`: the side-by-side comparison as a GitHub-flavoured
//! Markdown table, for documents and pull requests. Every string from a profile or a plugin is
//! escaped, so a name cannot break the table or inject markup.

use juxta_core::report::Comparison;
use juxta_sdk::Date;
use juxta_sdk::manifest::RuleKind;

use crate::table::{
    cell_text, change_value, computed_text, error_text, heading, kind_of, open_question_lines,
    section, tally,
};

/// Escapes text for a Markdown table cell: markup characters, pipes, and HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Multi-line text as one cell: lines escaped and joined with `<br>`.
fn cell(text: &str) -> String {
    text.lines().map(escape).collect::<Vec<_>>().join("<br>")
}

/// Renders a comparison (and the changes of a what-if question, if any). `cmp` must already be
/// made visible ([`crate::visible::value`]).
pub(crate) fn render(cmp: &Comparison, applicable_only: bool, today: Option<Date>) -> String {
    let mut out = format!("## juxta · {}\n\n", escape(&cmp.profile));
    for line in &heading(cmp) {
        out.push_str(&format!("{}  \n", escape(line)));
    }
    out.push_str("\n**Summary**\n\n");
    for r in &cmp.regimes {
        out.push_str(&format!("- {}\n", escape(&crate::summary::line(r, today))));
    }
    out.push('\n');
    out.push_str("| |");
    for r in &cmp.regimes {
        let name = r.name.clone().unwrap_or_else(|| r.id.clone());
        let sub = match (&r.jurisdiction, &r.version) {
            (Some(j), Some(v)) => format!("{j} · {} {v}", r.id),
            _ => r.id.clone(),
        };
        out.push_str(&format!(" **{}**<br>{} |", escape(&name), escape(&sub)));
    }
    out.push('\n');
    out.push_str("|---|");
    for _ in &cmp.regimes {
        out.push_str("---|");
    }
    out.push('\n');
    if cmp.regimes.iter().any(|r| r.error.is_some()) {
        out.push_str("| **ERROR** |");
        for r in &cmp.regimes {
            out.push_str(&format!(" {} |", cell(&error_text(r))));
        }
        out.push('\n');
    }
    for kind in RuleKind::ALL {
        if !cmp
            .regimes
            .iter()
            .any(|r| r.rules.iter().any(|f| kind_of(f) == Some(kind)))
        {
            continue;
        }
        let label = section(kind).replace('\n', "<br>");
        out.push_str(&format!("| **{label}** |"));
        for r in &cmp.regimes {
            let items: Vec<String> = r
                .rules
                .iter()
                .filter(|f| kind_of(f) == Some(kind))
                .filter(|f| {
                    !applicable_only || f.status != juxta_core::report::Status::DoesNotApply
                })
                .map(|f| cell(&cell_text(f)))
                .collect();
            let text = if items.is_empty() && r.error.is_none() {
                "— none —".to_string()
            } else {
                items.join("<br><br>")
            };
            out.push_str(&format!(" {text} |"));
        }
        out.push('\n');
    }
    out.push_str("| **DATES & AMOUNTS** |");
    for r in &cmp.regimes {
        out.push_str(&format!(" {} |", cell(&computed_text(r))));
    }
    out.push_str(
        "\n\n✔ applies · ✘ does not apply · ? undetermined: the facts it needs are listed\n\n",
    );
    for line in tally(cmp).lines() {
        out.push_str(&format!("- {}\n", escape(line)));
    }
    let open = open_question_lines(cmp);
    if !open.is_empty() {
        out.push_str("\n**Open questions of the law**\n\n");
        for line in open {
            out.push_str(&format!("- {}\n", escape(&line)));
        }
    }
    if let Some(changes) = cmp.what_if.as_ref().map(|w| &w.changes) {
        out.push_str("\n### What changed against the profile as written\n\n");
        if changes.is_empty() {
            out.push_str("Nothing.\n");
        } else {
            out.push_str("| regime | rule or value | before | after |\n|---|---|---|---|\n");
            for c in changes {
                out.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    escape(&c.regime),
                    escape(&if c.title.is_empty() {
                        c.item.clone()
                    } else {
                        format!("{} — {}", c.item, c.title)
                    }),
                    escape(&change_value(&c.from)),
                    escape(&change_value(&c.to))
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_pipes_and_html_are_escaped() {
        assert_eq!(
            escape("<script>alert('x')</script> | *a* [b](c)"),
            "&lt;script&gt;alert('x')&lt;/script&gt; \\| \\*a\\* \\[b\\](c)"
        );
    }
}
