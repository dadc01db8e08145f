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

/// Whether `text` has a steering character: `text.chars().any(is_steering)`, eight bytes at a
/// time. Reports are mostly printable ASCII, and a whole comparison's JSON passes through here.
pub fn has_steering(text: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    let b = text.as_bytes();
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for c in chunks.by_ref() {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        // A byte below 0x20 (exact as zero or not), or one of 0x7F and above (a carry from
        // 0xFF only adds a false alarm): anything but printable ASCII is looked at byte by byte.
        let below = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        let above = (w.wrapping_add(ONES) | w) & HIGH;
        if (below | above) != 0 && steering_at(b, at, at + 8) {
            return true;
        }
        at += 8;
    }
    steering_at(b, at, b.len())
}

/// Whether a steering character starts at a byte of `b[from..to]` (`b` is UTF-8; a sequence
/// may run past `to`). Continuation bytes are never mistaken for the lead bytes looked for.
fn steering_at(b: &[u8], from: usize, to: usize) -> bool {
    (from..to).any(|i| match b[i] {
        b'\n' | b'\t' => false,
        0x00..=0x1f | 0x7f => true,
        // U+0080..U+009F.
        0xc2 => matches!(b.get(i + 1), Some(0x80..=0x9f)),
        // U+202A..U+202E and U+2066..U+2069.
        0xe2 => matches!(
            (b.get(i + 1), b.get(i + 2)),
            (Some(0x80), Some(0xaa..=0xae)) | (Some(0x81), Some(0xa6..=0xa9))
        ),
        _ => false,
    })
}

/// `text` with every steering character written as `\u{…}`; borrowed when there is none.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !has_steering(text) {
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
    if !has_steering(text) {
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
    if !has_steering(&text) {
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
    fn has_steering_is_any_char_steering() {
        let chars = (0..=0x10ffffu32).filter_map(char::from_u32);
        for c in chars {
            // At every offset within and across an eight-byte chunk.
            for pad in [0, 6, 7] {
                let text = format!("{}{c}é—{}", "a".repeat(pad), "b".repeat(9));
                assert_eq!(has_steering(&text), is_steering(c), "{c:?} after {pad}");
            }
        }
        assert!(!has_steering(""));
        assert!(has_steering("\r"));
        assert!(!has_steering("line\n\tnext — «ok»"));
    }

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
        assert!(!has_steering(&text), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), v);
    }
}
