//! `juxta compare --format html`: one self-contained page (inline CSS and SVG, no script, no
//! network) with the regimes side by side, every row's citation, due date and an expandable
//! explanation, a header with the profile's key facts, and a timeline of every deadline and
//! effective date across regimes with today and `as_of` marked.
//!
//! Rendered with askama: the template (`templates/report.html`) is checked at compile time
//! and every value is HTML-escaped unless marked otherwise; only numbers computed here (SVG
//! coordinates) are written unescaped.

use askama::Template;

/// The report's style sheet exactly as the page carries it (the text between `<style>` and
/// `</style>` of `templates/report.html`, which has no template syntax): the offline app
/// shows the report's body live and carries this style once.
pub const STYLE: &str = {
    const PAGE: &str = include_str!("../templates/report.html");
    const OPEN: &str = "<style>";
    const CLOSE: &str = "</style>";
    let bytes = PAGE.as_bytes();
    let (mut start, mut end, mut i) = (0, 0, 0);
    while i + CLOSE.len() <= bytes.len() {
        if start == 0 && starts_with_at(bytes, i, OPEN.as_bytes()) {
            start = i + OPEN.len();
        } else if start != 0 && starts_with_at(bytes, i, CLOSE.as_bytes()) {
            end = i;
            break;
        }
        i += 1;
    }
    let (_, rest) = PAGE.split_at(start);
    let (style, _) = rest.split_at(end - start);
    style
};

const fn starts_with_at(bytes: &[u8], at: usize, prefix: &[u8]) -> bool {
    let mut j = 0;
    while j < prefix.len() {
        if bytes[at + j] != prefix[j] {
            return false;
        }
        j += 1;
    }
    true
}
use std::collections::BTreeMap;

use juxta_core::eval::flip::describe;
use juxta_core::report::{Comparison, Finding, FindingIndex, OpenQuestion, Status};
use juxta_sdk::Date;
use juxta_sdk::manifest::RuleKind;

use crate::table::{change_value, computed_text, computed_title, kind_of, section, tally};

/// One rule in a cell.
struct Row {
    id: String,
    title: String,
    /// `applies`, `does-not-apply` or `undetermined` (a CSS class).
    class: &'static str,
    /// The status in words, with its symbol: never colour alone.
    label: &'static str,
    citation: String,
    due: Option<String>,
    /// Where the duty stands (`OVERDUE since …`, `due in 12 days`), and its CSS class.
    state: Option<(String, &'static str)>,
    explanation: String,
    needs: String,
    /// Open questions, each with its text.
    open: Vec<String>,
    /// Where the legal basis is known from, if not from the instrument.
    provenance: Option<String>,
    /// How firmly it is confirmed.
    confirmation: Option<String>,
    /// How its counterparts in the other compared regimes differ.
    elsewhere: Vec<String>,
    /// What would change it, one fact at a time (`juxta explain`).
    flips: Vec<String>,
}

/// One group of rules (REQUIRED, INVITED, …) across the regimes.
struct Section {
    label: String,
    note: String,
    kind: &'static str,
    /// Per regime: its name (shown above the cell when the columns stack) and its rules.
    cells: Vec<(String, Vec<Row>)>,
}

/// One regime's column head.
struct Column {
    id: String,
    name: String,
    sub: String,
    error: Option<String>,
    computed: Vec<String>,
}

/// One mark on the timeline.
struct Marker {
    x: f64,
    y: f64,
    date: String,
    label: String,
    regime: String,
    /// `deadline` (a computed date: a circle), `deadline overdue`, or `effective` (a date of
    /// the law: a diamond).
    kind: &'static str,
    /// `past` or `future`, against `as_of`.
    when: &'static str,
    /// Where the label goes (alternating, to keep neighbours apart).
    label_y: f64,
}

/// One lane of the timeline: a regime.
struct Lane {
    name: String,
    y: f64,
}

/// A vertical line: today or `as_of`.
struct Line {
    x: f64,
    label: String,
    date: String,
    class: &'static str,
}

/// A tick of the time axis.
struct Tick {
    x: f64,
    label: String,
}

struct Timeline {
    width: f64,
    height: f64,
    axis_y: f64,
    lanes: Vec<Lane>,
    markers: Vec<Marker>,
    lines: Vec<Line>,
    ticks: Vec<Tick>,
}

struct ChangeRow {
    regime: String,
    item: String,
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct Report {
    /// The page's title: the model and its provider.
    title: String,
    /// One line per regime.
    summaries: Vec<(String, String, String, bool)>,
    profile: String,
    as_of: String,
    today: String,
    facts: Vec<(String, String)>,
    what_if: Option<String>,
    columns: Vec<Column>,
    any_error: bool,
    sections: Vec<Section>,
    timeline: Timeline,
    changes: Option<Vec<ChangeRow>>,
    tallies: Vec<String>,
    kernel: String,
}

fn row(f: &Finding, questions: &BTreeMap<String, OpenQuestion>, elsewhere: Vec<String>) -> Row {
    let (class, label) = match f.status {
        Status::Applies => ("applies", "✔ Applies"),
        Status::DoesNotApply => ("does-not-apply", "✘ Does not apply"),
        Status::Undetermined => ("undetermined", "? Undetermined"),
    };
    Row {
        id: f.id.clone(),
        title: f.title.clone(),
        class,
        label,
        citation: f.citation.clone(),
        due: f.due_text(),
        state: f.state.map(|s| (s.label(), s.as_str())),
        explanation: f.explanation.clone(),
        needs: f.missing_facts.join(", "),
        open: f
            .open_questions
            .iter()
            .map(|id| match questions.get(id) {
                Some(q) => format!("{id}: {}", q.question),
                None => id.clone(),
            })
            .collect(),
        provenance: f.provenance.clone(),
        confirmation: f.confirmation.clone(),
        elsewhere,
        flips: f.would_change.iter().map(describe).collect(),
    }
}

fn section_note(kind: RuleKind) -> &'static str {
    match kind {
        RuleKind::Obligation => "what the law requires of the lab",
        RuleKind::Invitation => "voluntary offers",
        RuleKind::NonObligation => "stated non-duties",
        RuleKind::GovernmentDuty => "duties of government, not of the lab",
        RuleKind::Penalty => "exposure to penalties",
        RuleKind::Classification => "how the law classifies the model and the provider",
    }
}

/// Every dated event: computed dates of each regime (deadlines) and its date parameters in
/// force on `as_of` (effective dates), as (regime column index, date, label, kind).
fn events(cmp: &Comparison) -> Vec<(usize, Date, String, &'static str)> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, r) in cmp.regimes.iter().enumerate() {
        // Deadlines only for a regime that asks something of the model (a duty or an offer
        // applies), each labelled with the rules due that day, or with what the date is.
        let applies = r.rules.iter().any(|f| {
            f.status == Status::Applies
                && matches!(f.kind, RuleKind::Obligation | RuleKind::Invitation)
        });
        for (name, value) in r.computed.iter().filter(|_| applies) {
            if let Some(d) = value.as_date() {
                let due: Vec<&str> = r
                    .rules
                    .iter()
                    .filter(|f| f.status == Status::Applies && f.due == Some(d))
                    .map(|f| f.id.as_str())
                    .collect();
                if seen.insert((i, d)) {
                    let title = computed_title(r, name).0;
                    let label = if due.is_empty() {
                        title
                    } else {
                        format!("{title}: {}", due.join(", "))
                    };
                    let overdue = d < cmp.as_of && !due.is_empty();
                    out.push((
                        i,
                        d,
                        label,
                        if overdue {
                            "deadline overdue"
                        } else {
                            "deadline"
                        },
                    ));
                }
            }
        }
        // A date of the law once per lane, and not where a deadline already marks the day.
        for e in &r.effective {
            if seen.insert((i, e.date)) {
                out.push((i, e.date, e.title.clone(), "effective"));
            }
        }
    }
    out
}

fn timeline(cmp: &Comparison, today: Date) -> Timeline {
    let events = events(cmp);
    let as_of: Date = cmp.as_of;
    let days: Vec<i64> = events
        .iter()
        .map(|(_, d, _, _)| d.days_since_epoch())
        .chain([today.days_since_epoch(), as_of.days_since_epoch()])
        .collect();
    let (lo, hi) = (
        days.iter().copied().min().unwrap_or(0) - 45,
        days.iter().copied().max().unwrap_or(0) + 45,
    );
    let (left, right, width) = (190.0, 30.0, 1200.0);
    let span = ((hi - lo).max(1)) as f64;
    let x = |d: Date| left + (d.days_since_epoch() - lo) as f64 / span * (width - left - right);
    let lane_height = 86.0;
    let top = 40.0;
    let lanes: Vec<Lane> = cmp
        .regimes
        .iter()
        .enumerate()
        .map(|(i, r)| Lane {
            name: r.jurisdiction.clone().unwrap_or_else(|| r.id.clone()),
            y: top + lane_height * i as f64 + lane_height / 2.0,
        })
        .collect();
    let mut sorted = events;
    sorted.sort_by_key(|(i, d, _, _)| (*i, *d));
    let mut markers = Vec::new();
    let mut last_lane = usize::MAX;
    let mut flip = false;
    for (i, d, label, kind) in sorted {
        if i != last_lane {
            flip = false;
            last_lane = i;
        }
        flip = !flip;
        let y = lanes.get(i).map_or(top, |l| l.y);
        markers.push(Marker {
            x: x(d),
            y,
            date: d.to_string(),
            label,
            regime: cmp.regimes.get(i).map(|r| r.id.clone()).unwrap_or_default(),
            kind,
            when: if d < as_of { "past" } else { "future" },
            label_y: if flip { y - 14.0 } else { y + 24.0 },
        });
    }
    let axis_y = top + lane_height * lanes.len() as f64 + 10.0;
    let mut ticks = Vec::new();
    if let (Ok(first), Ok(last)) = (
        Date::from_days_since_epoch(lo),
        Date::from_days_since_epoch(hi),
    ) {
        for year in first.year()..=last.year() + 1 {
            for month in [1u8, 7] {
                if let Ok(d) = Date::new(year, month, 1)
                    && d >= first
                    && d <= last
                {
                    ticks.push(Tick {
                        x: x(d),
                        label: format!("{year}-{month:02}"),
                    });
                }
            }
        }
    }
    let lines = vec![
        Line {
            x: x(today),
            label: format!("today {today}"),
            date: today.to_string(),
            class: "today",
        },
        Line {
            x: x(as_of),
            label: format!("as of {as_of}"),
            date: as_of.to_string(),
            class: "as-of",
        },
    ];
    Timeline {
        width,
        height: axis_y + 36.0,
        axis_y,
        lanes,
        markers,
        lines,
        ticks,
    }
}

/// The facts a report's header shows, when the profile gives them.
const KEY_FACTS: &[&str] = &[
    "model.id",
    "provider.name",
    "provider.country",
    "model.training_compute_flop",
    "derivation.base_model_id",
    "derivation.base_training_compute_flop",
    "derivation.modification_compute_flop",
    "model.output_modalities",
    "release.first_external_release_date",
    "release.deployment_date",
    "release.weights_public",
    "eu.placed_on_market",
    "eu.placing_date",
    "us.cyber_benchmark_result",
];

/// The page could not be rendered.
#[derive(Debug, thiserror::Error)]
#[error("cannot render the HTML report: {0}")]
pub struct HtmlError(#[from] askama::Error);

/// Renders the report. `cmp` must already be made visible ([`crate::visible::value`]); `today`
/// is the day the report is made.
pub(crate) fn render(
    cmp: &Comparison,
    today: Date,
    applicable_only: bool,
) -> Result<String, HtmlError> {
    let facts: Vec<(String, String)> = KEY_FACTS
        .iter()
        .filter_map(|p| cmp.fact_text(p).map(|v| (p.to_string(), v.to_string())))
        .collect();
    let what_if = cmp.what_if.as_ref().map(|w| w.text.clone());
    let changes = cmp.what_if.as_ref().map(|w| w.changes.as_slice());
    let columns = cmp
        .regimes
        .iter()
        .map(|r| Column {
            id: r.id.clone(),
            name: r.name.clone().unwrap_or_else(|| r.id.clone()),
            sub: match (&r.jurisdiction, &r.version) {
                (Some(j), Some(v)) => format!("{j} · {} {v}", r.id),
                _ => r.id.clone(),
            },
            error: r.error.clone(),
            computed: computed_text(r).lines().map(str::to_string).collect(),
        })
        .collect();
    let index = FindingIndex::new(&cmp.regimes);
    let sections = RuleKind::ALL
        .into_iter()
        .filter(|k| {
            cmp.regimes
                .iter()
                .any(|r| r.rules.iter().any(|f| kind_of(f) == Some(*k)))
        })
        .map(|k| Section {
            label: section(k).lines().next().unwrap_or_default().to_string(),
            note: section_note(k).to_string(),
            kind: k.as_str(),
            cells: cmp
                .regimes
                .iter()
                .map(|r| {
                    let name = r.name.clone().unwrap_or_else(|| r.id.clone());
                    let rows = r
                        .rules
                        .iter()
                        .filter(|f| kind_of(f) == Some(k))
                        .filter(|f| !applicable_only || f.status != Status::DoesNotApply)
                        .map(|f| row(f, &r.open_questions, index.counterpart_lines(f)))
                        .collect();
                    (name, rows)
                })
                .collect(),
        })
        .collect();
    let heading = crate::table::heading(cmp);
    let report = Report {
        title: heading
            .first()
            .map(|h| h.split(" · law applied").next().unwrap_or(h).to_string())
            .unwrap_or_else(|| cmp.profile.clone()),
        summaries: cmp
            .regimes
            .iter()
            .map(|r| {
                let name = r.name.clone().unwrap_or_else(|| r.id.clone());
                match crate::summary::Summary::of(r) {
                    Some(s) => (
                        r.id.clone(),
                        name,
                        format!(
                            "{} — {}",
                            s.scope(),
                            s.duties((today != cmp.as_of).then_some(today))
                        ),
                        !s.overdue.is_empty(),
                    ),
                    None => (r.id.clone(), name, "✖ failed".into(), false),
                }
            })
            .collect(),
        profile: cmp.profile.clone(),
        as_of: cmp.as_of.to_string(),
        today: today.to_string(),
        facts,
        what_if,
        any_error: cmp.regimes.iter().any(|r| r.error.is_some()),
        columns,
        sections,
        timeline: timeline(cmp, today),
        changes: changes.map(|cs| {
            cs.iter()
                .map(|c| ChangeRow {
                    regime: c.regime.clone(),
                    item: if c.title.is_empty() {
                        c.item.clone()
                    } else {
                        format!("{} — {}", c.item, c.title)
                    },
                    from: change_value(&c.from),
                    to: change_value(&c.to),
                })
                .collect()
        }),
        tallies: tally(cmp).lines().map(str::to_string).collect(),
        kernel: format!(
            "juxta {} · facts schema {}",
            cmp.kernel.version, cmp.kernel.facts_schema
        ),
    };
    Ok(report.render()?)
}

#[cfg(test)]
mod tests {
    use super::STYLE;

    #[test]
    fn the_style_is_the_template_s_and_holds_no_template_syntax() {
        let page = include_str!("../templates/report.html");
        assert!(page.contains(&format!("<style>{STYLE}</style>")));
        assert!(STYLE.contains(".rule.applies"));
        for syntax in ["{{", "{%", "{#"] {
            assert!(
                !STYLE.contains(syntax),
                "the report's style holds `{syntax}`"
            );
        }
    }
}
