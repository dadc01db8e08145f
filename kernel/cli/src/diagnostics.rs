//! Error reports for people: the source line, a caret under the problem, and a hint.
//!
//! Library crates return plain `thiserror` values carrying spans; this is the only place that
//! turns them into miette diagnostics.

use std::fmt;

use juxta_core::cases::CaseError;
use juxta_core::profile::ProfileError;
use juxta_core::regime::RegimeError;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

/// One diagnostic: a message, and optionally the source with a labelled span.
#[derive(Debug)]
struct Report {
    /// An error (`×`) or a warning (`⚠`).
    severity: miette::Severity,
    message: String,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
}

/// Lines longer than this are not quoted in a diagnostic (a 10 MB string stays out of the
/// terminal); the message still names the file, line and column.
const MAX_QUOTED_LINE: usize = 400;

/// Whether the line holding `offset` is short enough to quote.
fn quotable(text: &str, offset: usize) -> bool {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    end - start <= MAX_QUOTED_LINE
}

/// Renders diagnostics, in colour or not.
pub struct Renderer {
    color: bool,
    width: usize,
}

impl Renderer {
    /// A renderer; messages wrap at 100 columns on a terminal and never otherwise (logs and
    /// pipelines grep them).
    pub fn new(color: bool, terminal: bool) -> Renderer {
        Renderer {
            color,
            width: if terminal { 100 } else { usize::MAX / 4 },
        }
    }

    fn render(&self, report: &Report) -> String {
        // Messages, file names and quoted source are shown with control and bidi characters
        // escaped (the source with same-length stand-ins, so its spans still point right),
        // before miette adds its colours.
        let esc = |t: &str| crate::visible::escape(t).into_owned();
        let report = Report {
            severity: report.severity,
            message: esc(&report.message),
            source: report.source.as_ref().map(|s| {
                NamedSource::new(
                    esc(s.name()),
                    crate::visible::same_length(s.inner()).into_owned(),
                )
            }),
            labels: report
                .labels
                .iter()
                .map(|l| LabeledSpan::new_with_span(l.label().map(esc), *l.inner()))
                .collect(),
            help: report.help.as_deref().map(esc),
        };
        let report = &report;
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(self.width);
        let mut out = String::new();
        if handler.render_report(&mut out, report).is_err() {
            out = format!("error: {}\n", report.message);
        }
        out
    }

    /// A profile's problems, each with its source line.
    pub fn profile_error(&self, e: &ProfileError, text: Option<&str>) -> String {
        e.problems
            .iter()
            .map(|p| {
                let place = p
                    .location
                    .as_ref()
                    .map(|l| format!(":{}:{}", l.line, l.column))
                    .unwrap_or_default();
                let field = p
                    .field
                    .as_ref()
                    .map(|f| format!("`{f}`: "))
                    .unwrap_or_default();
                let (source, labels) = match (text, &p.location) {
                    (Some(t), Some(l)) if quotable(t, l.span.start) => (
                        Some(NamedSource::new(&e.origin, t.to_string())),
                        vec![LabeledSpan::at(l.span.clone(), p.message.clone())],
                    ),
                    _ => (None, Vec::new()),
                };
                self.render(&Report {
                    severity: miette::Severity::Error,
                    message: format!("{}{place}: {field}{}", e.origin, p.message),
                    source,
                    labels,
                    help: p.help.clone(),
                })
            })
            .collect()
    }

    /// A regime's compilation problems, each pointing into its manifest.
    pub fn regime_error(&self, e: &RegimeError, text: Option<&str>) -> String {
        e.problems
            .iter()
            .map(|(p, loc)| {
                let place = loc
                    .as_ref()
                    .map(|l| format!(":{}:{}", l.line, l.column))
                    .unwrap_or_default();
                let expr = p
                    .expression
                    .as_ref()
                    .map(|x| format!(" in `{x}`"))
                    .unwrap_or_default();
                let (source, labels) = match (text, loc) {
                    (Some(t), Some(l)) if quotable(t, l.span.start) => (
                        Some(NamedSource::new(&e.origin, t.to_string())),
                        vec![LabeledSpan::at(l.span.clone(), p.message.clone())],
                    ),
                    _ => (None, Vec::new()),
                };
                let regime = e
                    .regime
                    .as_ref()
                    .map(|r| format!("regime `{r}`, "))
                    .unwrap_or_default();
                self.render(&Report {
                    severity: miette::Severity::Error,
                    message: format!(
                        "{}{place}: {regime}{}: {}{expr}",
                        e.origin, p.item, p.message
                    ),
                    source,
                    labels,
                    help: p.help.clone(),
                })
            })
            .collect()
    }

    /// A case file that could not be loaded.
    pub fn case_error(&self, e: &CaseError, text: &str) -> String {
        match e {
            CaseError::Profile(p) => self.profile_error(p, Some(text)),
            other => self.plain(&other.to_string()),
        }
    }

    /// A finding at an optional span of `text` (from `origin`), labelled, with a hint; a
    /// warning is marked `⚠`, not with an error's `×`.
    #[allow(clippy::too_many_arguments, reason = "the parts of one diagnostic")]
    pub fn located(
        &self,
        origin: &str,
        text: &str,
        heading: String,
        span: Option<std::ops::Range<usize>>,
        label: &str,
        help: Option<String>,
        warning: bool,
    ) -> String {
        let (source, labels) = match span {
            Some(s) if quotable(text, s.start) => (
                Some(NamedSource::new(origin, text.to_string())),
                vec![LabeledSpan::at(s, label.to_string())],
            ),
            _ => (None, Vec::new()),
        };
        self.render(&Report {
            severity: if warning {
                miette::Severity::Warning
            } else {
                miette::Severity::Error
            },
            message: heading,
            source,
            labels,
            help,
        })
    }

    /// A message without source.
    pub fn plain(&self, message: &str) -> String {
        self.render(&Report {
            severity: miette::Severity::Error,
            message: message.to_string(),
            source: None,
            labels: Vec::new(),
            help: None,
        })
    }
}
