//! # juxta-render
//!
//! Renders a [`Comparison`] for people: the terminal table, GitHub-flavoured Markdown and the
//! self-contained HTML report. Every renderer is a pure function of the comparison (and, for the
//! terminal, its width and colour; for HTML, today's date): it loads no regime and evaluates
//! nothing, so a result saved as JSON renders exactly as the comparison that produced it.
//!
//! This crate depends on `juxta-core` for the view model only, never on `juxta-host`: the
//! offline app compiles it to WebAssembly.
//!
//! Every string in a comparison that came from a profile or a plugin (titles, citations,
//! reasons, errors) has its control and bidi characters shown, not obeyed: [`render`] passes the
//! comparison through [`visible::value`] once before any renderer sees it.
#![forbid(unsafe_code)]

pub mod csv;
pub mod explain;
pub mod html;
pub mod ics;
pub mod markdown;
pub mod summary;
pub mod table;
#[cfg(feature = "terminal")]
pub mod terminal;
pub mod visible;

use juxta_core::report::Comparison;
use juxta_sdk::Date;

/// A format for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// The side-by-side table for a terminal.
    Table,
    /// GitHub-flavoured Markdown.
    Markdown,
    /// One self-contained HTML page.
    Html,
    /// One row per rule, RFC 4180.
    Csv,
    /// An RFC 5545 calendar of the dated duties and the law's dates.
    Ics,
}

/// How to render ([`Options::new`], then set what differs).
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Options {
    /// Leave out rules that do not apply.
    pub applicable_only: bool,
    /// Colour the terminal table.
    pub color: bool,
    /// The terminal table's total width, in columns (`None`: [`natural_width`]).
    pub width: Option<u16>,
    /// The day the report is made (the HTML timeline's "today" mark).
    pub today: Date,
}

impl Options {
    /// Everything shown, no colour, the natural width, made on `today`.
    pub fn new(today: Date) -> Options {
        Options {
            applicable_only: false,
            color: false,
            width: None,
            today,
        }
    }
}

/// Why a comparison could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The comparison's strings could not be made visible.
    #[error("{0}")]
    Visible(String),
    /// The HTML template failed.
    #[error(transparent)]
    Html(#[from] html::HtmlError),
    /// The terminal table was asked of a build without it (the offline app).
    #[error("this build of juxta-render has no terminal table (feature `terminal`)")]
    NoTerminal,
}

/// Renders a comparison in a format for people, with every string from a profile or a plugin
/// made visible first.
pub fn render(cmp: &Comparison, format: Format, options: &Options) -> Result<String, RenderError> {
    let cmp = visible::value(cmp).map_err(RenderError::Visible)?;
    Ok(match format {
        #[cfg(not(feature = "terminal"))]
        Format::Table => return Err(RenderError::NoTerminal),
        #[cfg(feature = "terminal")]
        Format::Table => terminal::report(
            &cmp,
            &terminal::Style {
                color: options.color,
                width: options
                    .width
                    .unwrap_or_else(|| natural_width(cmp.regimes.len())),
                applicable_only: options.applicable_only,
                today: (options.today != cmp.as_of).then_some(options.today),
            },
        ),
        Format::Markdown => markdown::render(
            &cmp,
            options.applicable_only,
            (options.today != cmp.as_of).then_some(options.today),
        ),
        Format::Html => html::render(&cmp, options.today, options.applicable_only)?,
        Format::Csv => csv::render(&cmp, options.applicable_only),
        Format::Ics => ics::render(&cmp),
    })
}

/// The width at which the terminal table keeps every regime's name on one line and its dates
/// unbroken: 58 columns per regime beside the 22-column section labels, and at least 140.
pub fn natural_width(regimes: usize) -> u16 {
    let wanted = 22 + 58 * regimes;
    u16::try_from(wanted.max(140)).unwrap_or(u16::MAX)
}
