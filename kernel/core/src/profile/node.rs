//! The parsed document: a tree of values with byte spans, whichever reader (TOML in
//! [`super::tree`], JSON in [`super::json`]) produced it.

use std::borrow::Cow;
use std::ops::Range;

/// Nesting deeper than this is refused before parsing, so that no parser recurses without bound.
pub const MAX_DEPTH: usize = 64;

/// A value with its span, if known.
///
/// Text borrows from the document where it can (a JSON string without escapes, a TOML key):
/// a tree of a JSON line allocates nothing per string. A tree built without a document (a
/// Parquet row) owns its text: `Tree<'static>`.
#[derive(Clone, Debug)]
pub struct Tree<'a> {
    /// The value.
    pub node: Node<'a>,
    /// Byte range in the source, if known.
    pub span: Option<Range<usize>>,
}

/// A key with its span, if known.
#[derive(Clone, Debug)]
pub struct Key<'a> {
    /// The key.
    pub name: Cow<'a, str>,
    /// Byte range in the source, if known.
    pub span: Option<Range<usize>>,
}

/// A value.
#[derive(Clone, Debug)]
pub enum Node<'a> {
    /// A table / object, in source order.
    Table(Vec<(Key<'a>, Tree<'a>)>),
    /// An array.
    Array(Vec<Tree<'a>>),
    /// A string.
    String(Cow<'a, str>),
    /// An integer.
    Integer(i64),
    /// A number as written in decimal (`3e25`, `1.5`, an integer beyond `i64`), read exactly by
    /// validation.
    Decimal(Cow<'a, str>),
    /// A binary double (a Parquet `double`), or TOML's `nan` / `inf` (validation refuses them).
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A TOML date, time or date-time, as written.
    Datetime(String),
    /// JSON `null`.
    Null,
}

impl Node<'_> {
    /// A short description of the value's type, for messages ("a string", "a table").
    pub fn describe(&self) -> String {
        match self {
            Node::Table(_) => "a table".into(),
            Node::Array(_) => "an array".into(),
            Node::String(s) if s.len() <= 40 => format!("the string `{s}`"),
            Node::String(_) => "a string".into(),
            Node::Integer(i) => format!("the integer `{i}`"),
            Node::Decimal(d) if d.len() <= 40 => format!("the number `{d}`"),
            Node::Decimal(_) => "a number".into(),
            Node::Float(f) => format!("the number `{f}`"),
            Node::Bool(b) => format!("the boolean `{b}`"),
            Node::Datetime(d) => format!("the date-time `{d}`"),
            Node::Null => "`null`".into(),
        }
    }
}

/// Why a document could not be parsed at all.
#[derive(Clone, Debug)]
pub struct SyntaxError {
    /// What is wrong.
    pub message: String,
    /// Where, if known.
    pub span: Option<Range<usize>>,
}
