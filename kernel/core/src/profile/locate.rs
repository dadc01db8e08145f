//! Finds where a value sits in a JSON text, for diagnostics.
//!
//! serde_json does not report positions of values it parsed successfully, so when validation
//! finds a problem at `model.training_compute_flop` this scanner walks the (already valid) text
//! again to the key and value at that path. It runs only when there is an error to report.

use std::ops::Range;

/// One step of a path into a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

/// Spans of the key (if the last step is a key) and of the value at `path`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// The key's span, quotes included.
    pub key: Option<Range<usize>>,
    /// The value's span.
    pub value: Option<Range<usize>>,
}

/// Locates `path` in the JSON `text`; `None` where it cannot be found.
pub fn locate_json(text: &str, path: &[Step]) -> Found {
    let mut s = Scanner {
        b: text.as_bytes(),
        i: 0,
    };
    s.ws();
    s.find(path, None).unwrap_or_default()
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && self.b[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    /// At the start of a value: finds `path` inside it, or returns its span if `path` is empty.
    fn find(&mut self, path: &[Step], key: Option<Range<usize>>) -> Option<Found> {
        let start = self.i;
        match (path.first(), self.b.get(self.i)?) {
            (None, _) => {
                self.skip_value()?;
                Some(Found {
                    key,
                    value: Some(start..self.i),
                })
            }
            (Some(Step::Key(want)), b'{') => {
                self.i += 1;
                loop {
                    self.ws();
                    match self.b.get(self.i)? {
                        b'}' => return None,
                        b',' => {
                            self.i += 1;
                            continue;
                        }
                        b'"' => {}
                        _ => return None,
                    }
                    let key_start = self.i;
                    let name = self.string()?;
                    let key_span = key_start..self.i;
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return None;
                    }
                    self.i += 1;
                    self.ws();
                    if &name == want {
                        return self.find(&path[1..], Some(key_span));
                    }
                    self.skip_value()?;
                }
            }
            (Some(Step::Index(want)), b'[') => {
                self.i += 1;
                let mut index = 0;
                loop {
                    self.ws();
                    match self.b.get(self.i)? {
                        b']' => return None,
                        b',' => {
                            self.i += 1;
                            index += 1;
                            continue;
                        }
                        _ => {}
                    }
                    if index == *want {
                        return self.find(&path[1..], None);
                    }
                    self.skip_value()?;
                }
            }
            _ => None,
        }
    }

    /// Reads a string starting at its opening quote; returns its content (escapes kept raw
    /// except `\"` and `\\`, which is enough to compare keys).
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = Vec::new();
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'"' => {
                    self.i += 1;
                    return String::from_utf8(out).ok();
                }
                b'\\' => {
                    let next = *self.b.get(self.i + 1)?;
                    if next == b'"' || next == b'\\' {
                        out.push(next);
                    } else {
                        out.extend_from_slice(&[c, next]);
                    }
                    self.i += 2;
                }
                _ => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
        None
    }

    fn skip_value(&mut self) -> Option<()> {
        match *self.b.get(self.i)? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => {
                let mut depth = 0usize;
                while let Some(&c) = self.b.get(self.i) {
                    match c {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
                None
            }
            _ => {
                while let Some(&c) = self.b.get(self.i) {
                    if c == b',' || c == b'}' || c == b']' || c.is_ascii_whitespace() {
                        break;
                    }
                    self.i += 1;
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys_and_array_items() {
        let text = r#"{"model": {"id": "x", "output_modalities": ["text", "sound"]},
 "eu": {"placing_date": "2026-13-01"}}"#;
        let found = locate_json(
            text,
            &[Step::Key("eu".into()), Step::Key("placing_date".into())],
        );
        assert_eq!(&text[found.value.unwrap()], "\"2026-13-01\"");
        assert_eq!(&text[found.key.unwrap()], "\"placing_date\"");
        let found = locate_json(
            text,
            &[
                Step::Key("model".into()),
                Step::Key("output_modalities".into()),
                Step::Index(1),
            ],
        );
        assert_eq!(&text[found.value.unwrap()], "\"sound\"");
        assert_eq!(
            locate_json(text, &[Step::Key("us".into())]),
            Found::default()
        );
    }
}
