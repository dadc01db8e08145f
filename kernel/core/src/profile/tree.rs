//! A parsed document as a tree of values with byte spans, from TOML or JSON.
//!
//! TOML carries spans natively; JSON is read by our own [`super::json`] reader, which records
//! them too. Numbers written in decimal keep their text ([`Node::Decimal`]), so that validation
//! reads the exact value the profile states, whatever the format.

use std::borrow::Cow;

use toml::de::{DeTable, DeValue};

pub use super::node::{Key, MAX_DEPTH, Node, SyntaxError, Tree};

/// Parses a TOML document.
pub fn parse_toml(text: &str) -> Result<Tree<'_>, SyntaxError> {
    check_depth(text)?;
    let table = DeTable::parse(text).map_err(|e| SyntaxError {
        message: e.message().to_string(),
        span: e.span(),
    })?;
    let span = table.span();
    Ok(Tree {
        node: toml_table(table.into_inner()),
        span: Some(span),
    })
}

fn toml_table(table: DeTable<'_>) -> Node<'_> {
    Node::Table(
        table
            .into_iter()
            .map(|(k, v)| {
                let key = Key {
                    span: Some(k.span()),
                    name: k.into_inner(),
                };
                (key, toml_value(v))
            })
            .collect(),
    )
}

fn toml_value(value: serde_spanned::Spanned<DeValue<'_>>) -> Tree<'_> {
    let span = value.span();
    let node = match value.into_inner() {
        DeValue::String(s) => Node::String(s),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            match i64::from_str_radix(&digits, i.radix()) {
                // `-0` stays text, so that validation can refuse a negative zero.
                Ok(0) if digits.starts_with('-') => Node::Decimal(Cow::Owned(digits)),
                Ok(n) => Node::Integer(n),
                // Out of i64 range: a decimal integer is still exact; others name the field.
                Err(_) if i.radix() == 10 => Node::Decimal(Cow::Owned(digits)),
                Err(_) => Node::Float(f64::INFINITY),
            }
        }
        DeValue::Float(f) => parse_toml_float(f.as_str()),
        DeValue::Boolean(b) => Node::Bool(b),
        DeValue::Datetime(d) => Node::Datetime(d.to_string()),
        DeValue::Array(items) => Node::Array(items.into_iter().map(toml_value).collect()),
        DeValue::Table(t) => toml_table(t),
    };
    Tree {
        node,
        span: Some(span),
    }
}

fn parse_toml_float(text: &str) -> Node<'static> {
    let clean = text.replace('_', "");
    match clean.trim_start_matches(['+', '-']) {
        "nan" => Node::Float(f64::NAN),
        "inf" if clean.starts_with('-') => Node::Float(f64::NEG_INFINITY),
        "inf" => Node::Float(f64::INFINITY),
        _ => Node::Decimal(Cow::Owned(clean)),
    }
}

/// Parses a JSON document (see [`super::json`]). Duplicate keys are an error, never a silent
/// overwrite.
pub fn parse_json(text: &str) -> Result<Tree<'_>, SyntaxError> {
    super::json::parse(text)
}

/// Refuses documents nested deeper than [`MAX_DEPTH`], looking only at brackets outside
/// strings and comments. Cheap, and it keeps every parser's recursion bounded.
pub(crate) fn check_depth(text: &str) -> Result<(), SyntaxError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => {
                let quote = bytes[i];
                let triple = bytes.get(i..i + 3) == Some(&[quote, quote, quote][..]);
                if triple {
                    i += 3;
                    while i < bytes.len() && bytes.get(i..i + 3) != Some(&[quote, quote, quote][..])
                    {
                        i += if quote == b'"' && bytes[i] == b'\\' {
                            2
                        } else {
                            1
                        };
                    }
                    i += 3;
                } else {
                    i += 1;
                    while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
                        i += if quote == b'"' && bytes[i] == b'\\' {
                            2
                        } else {
                            1
                        };
                    }
                    i += 1;
                }
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(SyntaxError {
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                        span: Some(i..i + 1),
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_keeps_spans() {
        let text = "[model]\ntraining_compute_flop = 3e25\n";
        let tree = parse_toml(text).unwrap();
        let Node::Table(top) = tree.node else {
            panic!()
        };
        let Node::Table(model) = &top[0].1.node else {
            panic!()
        };
        let span = model[0].1.span.clone().unwrap();
        assert_eq!(&text[span], "3e25");
    }

    #[test]
    fn toml_special_floats_are_kept_for_validation() {
        let tree = parse_toml("a = nan\nb = -inf\nc = 1_000.5").unwrap();
        let Node::Table(top) = tree.node else {
            panic!()
        };
        assert!(matches!(top[0].1.node, Node::Float(f) if f.is_nan()));
        assert!(matches!(top[1].1.node, Node::Float(f) if f == f64::NEG_INFINITY));
        assert!(matches!(&top[2].1.node, Node::Decimal(d) if d == "1000.5"));
    }

    #[test]
    fn json_duplicate_keys_are_refused() {
        let err = parse_json("{\"a\": 1,\n \"a\": 2}").unwrap_err();
        assert!(err.message.contains("duplicate key `a`"), "{}", err.message);
        assert!(err.span.is_some());
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!("a = {}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_toml(&deep).unwrap_err().message.contains("nesting"));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_json(&deep).unwrap_err().message.contains("nesting"));
        // Brackets inside strings and comments do not count.
        let text = format!("a = \"{}\" # {}\n", "[".repeat(100), "{".repeat(100));
        assert!(parse_toml(&text).is_ok());
    }
}
