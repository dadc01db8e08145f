//! Source mapping: where a sub-expression of a manifest expression stands in the manifest (its
//! byte span) and how it reads (its text), from the token offsets the CEL parser records; and
//! the problems of one manifest item, located that way.

use std::ops::Range;

use cel::IdedExpr;
use cel::common::ast::SourceInfo;

use crate::regime::parsed::{Parsed, visit_ids};
use crate::regime::source::{Item, Problem, ProblemKind};

/// One expression of the manifest, and where its tokens are.
#[derive(Default)]
pub(super) struct ExprSource {
    /// The expression as written.
    text: String,
    /// The byte offset of each character of `text`, and its length last.
    char_to_byte: Vec<usize>,
    /// The parser's offsets of the expression's tokens, in characters, once it parsed.
    info: Option<SourceInfo>,
    /// Where the expression's content starts in the manifest, if known.
    base: Option<usize>,
}

impl ExprSource {
    /// An expression written at `base` in the manifest, not parsed yet.
    pub(super) fn new(text: String, base: Option<usize>) -> Self {
        let char_to_byte = text
            .char_indices()
            .map(|(b, _)| b)
            .chain([text.len()])
            .collect();
        ExprSource {
            text,
            char_to_byte,
            info: None,
            base,
        }
    }

    /// Keeps the offsets of the parsed expression's tokens (those [`Parsed::of`] kept).
    pub(super) fn set_offsets(&mut self, parsed: &Parsed) {
        self.info = Some(parsed.source_info());
    }

    /// Byte span in the manifest of the character at a 1-based line and column of the
    /// expression (where the parser reports a syntax error).
    fn span_at(&self, line: usize, col: usize) -> Option<Range<usize>> {
        let text = &self.text;
        let byte = text
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum::<usize>()
            + text.split_inclusive('\n').nth(line - 1).map_or(0, |l| {
                l.char_indices().nth(col - 1).map_or(l.len(), |(b, _)| b)
            });
        self.base.map(|b| b + byte..b + byte + 1)
    }

    /// Byte span in the manifest of a sub-expression.
    pub(super) fn span_of(&self, e: &IdedExpr) -> Option<Range<usize>> {
        let (start, stop) = self.char_range(e)?;
        let base = self.base?;
        let start_b = *self.char_to_byte.get(start)?;
        let stop_b = *self
            .char_to_byte
            .get(stop + 1)
            .or(self.char_to_byte.last())?;
        Some(base + start_b..base + stop_b)
    }

    /// The source text of a sub-expression (its tokens' hull, with brackets re-balanced).
    pub(super) fn text_of(&self, e: &IdedExpr) -> String {
        let Some((start, stop)) = self.char_range(e) else {
            return self.text.clone();
        };
        let chars: Vec<char> = self.text.chars().collect();
        // CEL records the `has(…)` macro's expansion from its `(`: take the name back.
        let start = if chars.get(start) == Some(&'(')
            && start >= 3
            && chars[start - 3..start].iter().collect::<String>() == "has"
        {
            start - 3
        } else {
            start
        };
        let mut end = (stop + 1).min(chars.len());
        let mut balance: i32 = chars[start..end]
            .iter()
            .map(|c| match c {
                '(' | '[' | '{' => 1,
                ')' | ']' | '}' => -1,
                _ => 0,
            })
            .sum();
        while balance > 0 && end < chars.len() {
            match chars[end] {
                '(' | '[' | '{' => balance += 1,
                ')' | ']' | '}' => balance -= 1,
                _ => {}
            }
            end += 1;
        }
        chars[start..end]
            .iter()
            .collect::<String>()
            .trim()
            .to_string()
    }

    /// The characters a sub-expression spans: the hull of its tokens' offsets, extended over a
    /// trailing field name (CEL records the `.` of `a.b`, not the `b`).
    fn char_range(&self, e: &IdedExpr) -> Option<(usize, usize)> {
        let info = self.info.as_ref()?;
        let mut range: Option<(u32, u32)> = None;
        visit_ids(e, &mut |id| {
            if let Some((s, t)) = info.offset_for(id) {
                range = Some(match range {
                    None => (s, t),
                    Some((a, b)) => (a.min(s), b.max(t)),
                });
            }
        });
        let (start, mut stop) = range.map(|(s, t)| (s as usize, t as usize))?;
        let chars: Vec<char> = self.text.chars().collect();
        while chars
            .get(stop + 1)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
            && chars
                .get(stop)
                .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        {
            stop += 1;
        }
        Some((start, stop))
    }
}

/// Where the problems of one manifest item go, each located in the expression being read.
pub(super) struct Reporter<'a> {
    /// The item (`rule EU-OBL-53-1a`).
    item: &'a Item,
    problems: &'a mut Vec<Problem>,
    /// The expression being read.
    pub(super) expr: ExprSource,
}

impl<'a> Reporter<'a> {
    /// Problems of `item`, added to `problems`.
    pub(super) fn new(item: &'a Item, problems: &'a mut Vec<Problem>) -> Self {
        Reporter {
            item,
            problems,
            expr: ExprSource::default(),
        }
    }

    /// How many problems have been found so far, this item's and those before.
    pub(super) fn count(&self) -> usize {
        self.problems.len()
    }

    /// A problem with the sub-expression `at`, or with the whole expression.
    pub(super) fn report(&mut self, at: Option<&IdedExpr>, message: String, help: Option<String>) {
        self.report_kind(ProblemKind::Compile, at, message, help);
    }

    /// A problem of a given kind with the sub-expression `at`, or with the whole expression.
    pub(super) fn report_kind(
        &mut self,
        kind: ProblemKind,
        at: Option<&IdedExpr>,
        message: String,
        help: Option<String>,
    ) {
        let span = at.and_then(|e| self.expr.span_of(e));
        // A whole expression is shown only up to a few hundred characters: a hostile one can
        // be megabytes long.
        if at.is_none() && self.expr.text.chars().count() > 240 {
            let head: String = self.expr.text.chars().take(240).collect();
            self.problems.push(Problem {
                kind,
                item: self.item.clone(),
                span,
                expression: Some(format!("{head}…")),
                message,
                help,
            });
            return;
        }
        self.problems.push(Problem {
            kind,
            item: self.item.clone(),
            span,
            expression: Some(at.map_or_else(|| self.expr.text.clone(), |e| self.expr.text_of(e))),
            message,
            help,
        });
    }

    /// A syntax error the parser reports at a 1-based line and column of the expression.
    pub(super) fn syntax_error(&mut self, line: usize, col: usize, message: &str) {
        self.problems.push(Problem {
            kind: ProblemKind::Syntax,
            item: self.item.clone(),
            span: self.expr.span_at(line, col),
            expression: Some(self.expr.text.clone()),
            message: format!("syntax error: {message}"),
            help: None,
        });
    }
}

/// The number of nodes of an expression.
pub(super) fn count_nodes(e: &IdedExpr) -> usize {
    let mut n = 0;
    visit_ids(e, &mut |_| n += 1);
    n
}
