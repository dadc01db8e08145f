//! Text that cannot steer the terminal.
//!
//! Strings from profiles, plugins and file names reach the table, `regimes`, Markdown,
//! `explain` and diagnostics. A control character there (ESC starts the sequences that clear
//! the screen, set the window title or move the cursor; CR overwrites a line; C1 `U+009B` is a
//! one-character CSI) or a bidirectional override (`U+202E` makes a failed cell read as
//! something else) would let whoever wrote the string repaint what the reader sees. Every such
//! character is shown visibly instead, as `\u{1b}`; newlines and tabs are kept. Output that
//! juxta itself colours (the table, diagnostics) is escaped *before* the colours are added.

use std::borrow::Cow;

/// Whether `c` can steer a terminal or reorder text: C0 and C1 controls (except newline and
/// tab) and DEL, and the bidirectional embeddings, overrides and isolates (the characters of
/// "Trojan Source"). The plain direction marks (LRM, RLM, ALM) are kept: right-to-left names
/// need them, and they reorder nothing beyond neutral punctuation.
pub fn is_steering(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every steering character written as `\u{…}`; borrowed when there is none.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_steering) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        // A CR that ends a CRLF line is a line ending, not an overwrite.
        if c == '\r' && chars.peek() == Some(&'\n') {
            out.push(c);
        } else if is_steering(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` with every steering character replaced by a character of the same UTF-8 length
/// (`?` for one byte, `??` for two, `\u{FFFD}` for three), so that byte spans into it stay
/// valid: for the source a diagnostic quotes.
pub fn same_length(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_steering) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            out.push(c);
        } else if is_steering(c) {
            match c.len_utf8() {
                1 => out.push('?'),
                2 => out.push_str("??"),
                _ => out.push('\u{FFFD}'),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JSON text with the steering characters serde_json leaves raw (DEL, C1, bidirectional
/// controls) written as `\uXXXX`: the same JSON value, safe to print. They can only occur
/// inside strings, where the escape means the same character.
pub fn json(text: String) -> String {
    if !text.chars().any(is_steering) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_steering(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Every string in a serialisable value, map keys included, escaped with [`escape`] (through
/// its JSON form): for reports rendered for people, so that no renderer can forget a field.
/// Fails closed: an error, never the unescaped value.
pub fn value<T: serde::Serialize + serde::de::DeserializeOwned>(v: &T) -> Result<T, String> {
    fn walk(v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::String(s) => serde_json::Value::String(escape(&s).into_owned()),
            serde_json::Value::Array(items) => {
                serde_json::Value::Array(items.into_iter().map(walk).collect())
            }
            serde_json::Value::Object(map) => serde_json::Value::Object(
                map.into_iter()
                    .map(|(k, v)| (escape(&k).into_owned(), walk(v)))
                    .collect(),
            ),
            other => other,
        }
    }
    let j = serde_json::to_value(v).map_err(|e| format!("cannot prepare the report: {e}"))?;
    serde_json::from_value(walk(j)).map_err(|e| format!("cannot prepare the report: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_and_keeps_lines() {
        assert_eq!(escape("plain\ttext\nnext"), "plain\ttext\nnext");
        assert_eq!(escape("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape("\u{202e}deliated"), "\\u{202e}deliated");
        assert_eq!(escape("x\ry"), "x\\u{d}y");
        assert_eq!(escape("x\r\ny"), "x\r\ny");
        assert_eq!(escape("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape("caf\u{e9} \u{4e2d}"), "caf\u{e9} \u{4e2d}");
        // Direction marks stay: right-to-left names need them.
        assert_eq!(escape("\u{5e9}\u{200f}"), "\u{5e9}\u{200f}");
    }

    #[test]
    fn same_length_keeps_byte_offsets() {
        for s in ["a\u{1b}b", "a\u{9b}b", "a\u{202e}b", "plain"] {
            assert_eq!(same_length(s).len(), s.len(), "{s:?}");
            assert!(!same_length(s).chars().any(is_steering));
        }
    }

    #[test]
    fn json_stays_the_same_value() {
        let v = serde_json::json!({ "t": "a\u{202e}b\u{7f}\u{9b}\u{1b}" });
        let text = json(serde_json::to_string(&v).unwrap());
        assert!(!text.chars().any(is_steering), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), v);
    }
}
