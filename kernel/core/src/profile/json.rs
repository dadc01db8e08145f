//! A strict JSON reader (RFC 8259) into the profile [`Tree`], with a span on every key and
//! value and every number kept as the text it was written in.
//!
//! Why not serde_json: it reads `3e25` as 3.0000000000000005e25 (without `float_roundtrip`),
//! and even correctly rounded it hands over a double, never the decimal the profile wrote, so
//! one profile could get different legal answers as TOML and as JSON. It also reports no
//! positions for values it read successfully, which validation needs for every diagnostic.
//!
//! Nesting is bounded ([`MAX_DEPTH`]), so the recursion is too; duplicate keys are an error,
//! never a silent overwrite; a leading byte-order mark is skipped.

use std::borrow::Cow;
use std::collections::HashSet;

use super::node::{Key, MAX_DEPTH, Node, SyntaxError, Tree};

/// Parses a JSON document.
pub fn parse(text: &str) -> Result<Tree<'_>, SyntaxError> {
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        i: 0,
        depth: 0,
        // Room for a profile's tables and lists without growing.
        entries: Vec::with_capacity(32),
        items: Vec::with_capacity(8),
    };
    if text.starts_with('\u{feff}') {
        p.i = '\u{feff}'.len_utf8();
    }
    p.ws();
    let tree = p.value()?;
    p.ws();
    if p.i < p.b.len() {
        return Err(p.error("trailing characters"));
    }
    Ok(tree)
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    depth: usize,
    /// The entries of the objects being read, innermost last: each object's entries are
    /// gathered here and moved into a vector of their exact size when it closes (one
    /// allocation per object, none to grow it).
    entries: Vec<(Key<'a>, Tree<'a>)>,
    /// The same for the items of arrays.
    items: Vec<Tree<'a>>,
}

impl<'a> Parser<'a> {
    fn error(&self, message: &str) -> SyntaxError {
        SyntaxError {
            message: message.to_string(),
            span: Some(self.i..self.i.saturating_add(1).min(self.b.len()).max(self.i)),
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Result<Tree<'a>, SyntaxError> {
        let start = self.i;
        let node = match self.b.get(self.i) {
            None => return Err(self.error("EOF while parsing a value")),
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Node::String(self.string()?),
            Some(b't') => self.word(b"true", Node::Bool(true))?,
            Some(b'f') => self.word(b"false", Node::Bool(false))?,
            Some(b'n') => self.word(b"null", Node::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.error("expected value")),
        };
        Ok(Tree {
            node,
            span: Some(start..self.i),
        })
    }

    fn word(&mut self, word: &[u8], node: Node<'a>) -> Result<Node<'a>, SyntaxError> {
        // Byte by byte: four or five bytes are not worth a call to `memcmp`.
        let here = self.b.get(self.i..self.i + word.len());
        if here.is_some_and(|h| h.iter().zip(word).all(|(a, b)| a == b)) {
            self.i += word.len();
            Ok(node)
        } else {
            Err(self.error("expected value"))
        }
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(&format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<Node<'a>, SyntaxError> {
        self.enter()?;
        self.i += 1;
        let first = self.entries.len();
        let result = self.object_entries(first);
        let entries = take_from(&mut self.entries, first);
        result?;
        self.depth -= 1;
        Ok(Node::Table(entries))
    }

    /// Reads an object's entries onto `self.entries` from `first`, through the closing brace.
    fn object_entries(&mut self, first: usize) -> Result<(), SyntaxError> {
        let mut seen: HashSet<Cow<'a, str>> = HashSet::new();
        self.ws();
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            let key_start = self.i;
            match self.b.get(self.i) {
                Some(b'"') => {}
                None => return Err(self.error("EOF while parsing an object")),
                Some(b'}') if self.entries.len() > first => {
                    return Err(self.error("trailing comma"));
                }
                Some(_) => return Err(self.error("key must be a string")),
            }
            let name = self.string()?;
            let key_span = key_start..self.i;
            // Profiles have a handful of keys per table; a hostile one with thousands must not
            // cost a quadratic search.
            let these = &self.entries[first..];
            let duplicate = if these.len() < 16 {
                these.iter().any(|(k, _)| k.name == name)
            } else {
                if seen.is_empty() {
                    seen.extend(these.iter().map(|(k, _)| k.name.clone()));
                }
                !seen.insert(name.clone())
            };
            if duplicate {
                return Err(SyntaxError {
                    message: format!("duplicate key `{name}`"),
                    span: Some(key_span),
                });
            }
            self.ws();
            match self.b.get(self.i) {
                Some(b':') => self.i += 1,
                None => return Err(self.error("EOF while parsing an object")),
                Some(_) => return Err(self.error("expected `:`")),
            }
            self.ws();
            let value = self.value()?;
            self.entries.push((
                Key {
                    name,
                    span: Some(key_span),
                },
                value,
            ));
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(());
                }
                None => return Err(self.error("EOF while parsing an object")),
                Some(_) => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self) -> Result<Node<'a>, SyntaxError> {
        self.enter()?;
        self.i += 1;
        let first = self.items.len();
        let result = self.array_items(first);
        let items = take_from(&mut self.items, first);
        result?;
        self.depth -= 1;
        Ok(Node::Array(items))
    }

    /// Reads an array's items onto `self.items` from `first`, through the closing bracket.
    fn array_items(&mut self, first: usize) -> Result<(), SyntaxError> {
        self.ws();
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            match self.b.get(self.i) {
                None => return Err(self.error("EOF while parsing a list")),
                Some(b']') if self.items.len() > first => {
                    return Err(self.error("trailing comma"));
                }
                _ => {}
            }
            let item = self.value()?;
            self.items.push(item);
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                None => return Err(self.error("EOF while parsing a list")),
                Some(_) => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    /// A number, kept as written: an integer that fits `i64`, else its decimal text.
    fn number(&mut self) -> Result<Node<'a>, SyntaxError> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.b.get(p.i).is_some_and(u8::is_ascii_digit) {
                p.i += 1;
            }
            p.i - s
        };
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        let n = digits(self);
        if n == 0 {
            return Err(self.error("invalid number"));
        }
        if n > 1 && self.b[int_start] == b'0' {
            self.i = int_start + 1;
            return Err(self.error("invalid number: leading zero"));
        }
        let mut integer = true;
        if self.b.get(self.i) == Some(&b'.') {
            integer = false;
            self.i += 1;
            if digits(self) == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.b.get(self.i) {
            integer = false;
            self.i += 1;
            if let Some(b'+' | b'-') = self.b.get(self.i) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("invalid number"));
            }
        }
        let text = &self.text[start..self.i];
        // `-0` stays text, so that validation can refuse a negative zero.
        if integer
            && let Ok(i) = text.parse::<i64>()
            && (i != 0 || !text.starts_with('-'))
        {
            return Ok(Node::Integer(i));
        }
        Ok(Node::Decimal(Cow::Borrowed(text)))
    }

    /// A string: borrowed from the document unless it has escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        self.i += 1; // the opening quote
        let start = self.i;
        // Fast path: no escapes. Eight bytes at a time while none of them is a quote, a
        // backslash or a control character, then byte by byte.
        while let Some(word) = self.b.get(self.i..self.i + 8) {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(word);
            if let Some(at) = first_special(u64::from_le_bytes(bytes)) {
                self.i += at;
                break;
            }
            self.i += 8;
        }
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'"' => {
                    let s = &self.text[start..self.i];
                    self.i += 1;
                    return Ok(Cow::Borrowed(s));
                }
                b'\\' => break,
                0x00..=0x1f => {
                    return Err(self.error(
                        "control character (\\u0000-\\u001F) found while parsing a string",
                    ));
                }
                _ => self.i += 1,
            }
        }
        let mut out = self.text[start..self.i].to_string();
        loop {
            match self.b.get(self.i) {
                None => return Err(self.error("EOF while parsing a string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.b.get(self.i) {
                        None => return Err(self.error("EOF while parsing a string")),
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if self.b.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return Err(self.error("lone leading surrogate in hex escape"));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.error("invalid unicode code point"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            let c = char::from_u32(code)
                                .ok_or_else(|| self.error("invalid unicode code point"))?;
                            out.push(c);
                            continue;
                        }
                        Some(_) => return Err(self.error("invalid escape")),
                    };
                    out.push(c);
                    self.i += 1;
                }
                Some(0x00..=0x1f) => {
                    return Err(self.error(
                        "control character (\\u0000-\\u001F) found while parsing a string",
                    ));
                }
                Some(_) => {
                    // Copy the run up to the next quote, escape or control character.
                    let run = self.i;
                    while self
                        .b
                        .get(self.i)
                        .is_some_and(|&c| c != b'"' && c != b'\\' && c >= 0x20)
                    {
                        self.i += 1;
                    }
                    out.push_str(&self.text[run..self.i]);
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self
            .b
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.error("EOF while parsing a string"))?;
        let mut v = 0u32;
        for &d in digits {
            let x = (d as char)
                .to_digit(16)
                .ok_or_else(|| self.error("invalid escape"))?;
            v = v * 16 + x;
        }
        self.i += 4;
        Ok(v)
    }
}

/// The elements of `v` from `first` on, moved out into a vector of their own, of their exact
/// size (one copy of the bytes); `v` keeps its room for the next object or array.
fn take_from<T>(v: &mut Vec<T>, first: usize) -> Vec<T> {
    if first == 0 {
        // `split_off(0)` would hand over `v` itself and allocate `v` anew.
        let mut out = Vec::with_capacity(v.len());
        out.append(v);
        out
    } else {
        v.split_off(first)
    }
}

/// The place of the first of the eight bytes of `word` (in memory order: `word` is read
/// little-endian) that is `"`, `\\` or below 0x20, the bytes that end a string's fast path.
///
/// The tests are the zero-byte tests of "Bit Twiddling Hacks": each may also flag a byte above
/// one it rightly flags (a borrow runs upwards), never one below, so the lowest flag of the
/// three is exact.
fn first_special(word: u64) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let quote = zero(word ^ (ONES * u64::from(b'"')));
    let backslash = zero(word ^ (ONES * u64::from(b'\\')));
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    let flags = quote | backslash | control;
    // At most 63 / 8 = 7: the cast is exact.
    (flags != 0).then(|| (flags.trailing_zeros() / 8) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(text: &str) -> Node<'_> {
        parse(text).unwrap().node
    }

    fn error(text: &str) -> String {
        parse(text).unwrap_err().message
    }

    #[test]
    fn numbers_keep_their_text() {
        let Node::Table(t) =
            node(r#"{"a": 3e25, "b": 30000000000000000000000000, "c": 3, "d": -0.0, "e": 3E+25}"#)
        else {
            panic!()
        };
        let got: Vec<String> = t.iter().map(|(_, v)| format!("{:?}", v.node)).collect();
        assert_eq!(
            got,
            [
                r#"Decimal("3e25")"#,
                r#"Decimal("30000000000000000000000000")"#,
                "Integer(3)",
                r#"Decimal("-0.0")"#,
                r#"Decimal("3E+25")"#
            ]
        );
    }

    #[test]
    fn every_key_and_value_has_its_span() {
        let text = "{\"model\": {\"training_compute_flop\": 3e25}}";
        let Node::Table(top) = node(text) else {
            panic!()
        };
        let Node::Table(model) = &top[0].1.node else {
            panic!()
        };
        let (key, value) = &model[0];
        assert_eq!(
            &text[key.span.clone().unwrap()],
            "\"training_compute_flop\""
        );
        assert_eq!(&text[value.span.clone().unwrap()], "3e25");
    }

    #[test]
    fn the_eight_byte_scan_finds_every_special_byte_in_every_place() {
        let specials = [b'"', b'\\', 0x00, 0x01, 0x1f, b'\n'];
        for at in 0..8 {
            for special in specials {
                let mut bytes = *b"abcd\xc3\xa9fg";
                bytes[at] = special;
                assert_eq!(
                    first_special(u64::from_le_bytes(bytes)),
                    Some(at),
                    "{special:#x} at {at}"
                );
                // Whatever follows it (another special byte, a borrow's neighbour), the
                // first is found where it is.
                for later in at + 1..8 {
                    for next in specials.into_iter().chain([0x02, 0x21, 0x5d, 0x23]) {
                        let mut two = bytes;
                        two[later] = next;
                        assert_eq!(first_special(u64::from_le_bytes(two)), Some(at));
                    }
                }
            }
        }
        for plain in [
            *b"abcdefgh",
            *b"\xff\x80 !#[]~",
            *b"\x7f\x21\x23\x5b\x5d\x20\xe2\x82",
        ] {
            assert_eq!(first_special(u64::from_le_bytes(plain)), None);
        }
        // Long strings with the special byte at every offset still parse exactly.
        for at in 0..20 {
            let mut text = "x".repeat(20);
            text.insert_str(at, "\\n");
            assert!(
                matches!(node(&format!("\"{text}\"")), Node::String(s) if s == text.replacen("\\n", "\n", 1))
            );
            let raw = format!("\"{}\u{1}{}\"", "y".repeat(at), "y".repeat(5));
            assert!(parse(&raw).is_err(), "control character at {at}");
        }
    }

    #[test]
    fn strings_unescape() {
        assert!(
            matches!(node(r#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#), Node::String(s) if s == "a\"b\\c/d\n\u{e9}\u{1f600}")
        );
        assert!(matches!(node("\"caf\u{e9}\""), Node::String(s) if s == "caf\u{e9}"));
    }

    #[test]
    fn malformed_documents_are_refused_with_a_position() {
        for (text, message) in [
            ("", "EOF while parsing a value"),
            ("{", "EOF while parsing an object"),
            ("[1,", "EOF while parsing a list"),
            ("{\"a\" 1}", "expected `:`"),
            ("{\"a\": 1 \"b\": 2}", "expected `,` or `}`"),
            ("[1 2]", "expected `,` or `]`"),
            ("{1: 2}", "key must be a string"),
            ("{\"a\": 1,}", "trailing comma"),
            ("[1,]", "trailing comma"),
            ("01", "invalid number: leading zero"),
            ("1.", "invalid number"),
            ("-", "invalid number"),
            ("1e", "invalid number"),
            ("nul", "expected value"),
            ("NaN", "expected value"),
            ("\"a\u{1}\"", "control character"),
            ("\"\\x\"", "invalid escape"),
            ("\"\\ud800\"", "lone leading surrogate"),
            ("\"abc", "EOF while parsing a string"),
            ("{} {}", "trailing characters"),
            ("{\"a\": 1, \"a\": 2}", "duplicate key `a`"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.message.contains(message), "{text:?}: {}", e.message);
            assert!(e.span.is_some(), "{text:?}");
        }
    }

    #[test]
    fn nesting_is_bounded_and_duplicates_are_found_in_big_objects() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(error(&deep).contains("nesting deeper than 64"));
        let many: Vec<String> = (0..5000).map(|i| format!("\"k{i}\": {i}")).collect();
        assert!(parse(&format!("{{{}}}", many.join(","))).is_ok());
        let dup = format!("{{{}, \"k4999\": 0}}", many.join(","));
        assert!(error(&dup).contains("duplicate key `k4999`"));
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        assert!(matches!(node("\u{feff}{}"), Node::Table(t) if t.is_empty()));
    }
}
