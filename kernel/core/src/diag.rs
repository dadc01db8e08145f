//! Positions in source text and "did you mean" suggestions, shared by every diagnostic.

use std::fmt;
use std::ops::Range;

/// A position in a source text: 1-based line and column, and the byte span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte range in the source.
    pub span: Range<usize>,
}

impl Location {
    /// The location of a byte span in `text`.
    pub fn of(text: &str, span: Range<usize>) -> Location {
        let start = span.start.min(text.len());
        let before = &text.as_bytes()[..start];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let column = text
            .get(line_start..start)
            .map_or(start - line_start, |s| s.chars().count())
            + 1;
        Location { line, column, span }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Names as a list for a message: `` `a`, `b`, `c` ``.
pub fn code_list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items
        .into_iter()
        .map(|i| format!("`{}`", i.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word_lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (levenshtein(&word_lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance between two strings, by characters, counting a transposition of two adjacent
/// characters as one edit (optimal string alignment): `modle` is one edit from `model`.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_lines_and_columns() {
        let text = "a = 1\nbb = 2\n";
        let loc = Location::of(text, 6..8);
        assert_eq!((loc.line, loc.column), (2, 1));
        let loc = Location::of(text, 11..12);
        assert_eq!((loc.line, loc.column), (2, 6));
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["training_compute_flop", "output_modalities", "id"];
        assert_eq!(
            did_you_mean("training_compute_flops", names),
            Some("training_compute_flop")
        );
        assert_eq!(
            did_you_mean("trainig_compute_flop", names),
            Some("training_compute_flop")
        );
        assert_eq!(did_you_mean("colour", names), None);
        assert_eq!(did_you_mean("modle", ["model", "eu"]), Some("model"));
    }
}
