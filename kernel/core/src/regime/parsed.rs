//! Parsed CEL, kept: the expressions of a manifest with the trees the CEL parser gives them, so
//! that compiling a bundled manifest does not run the parser (about half of a cold start).
//!
//! A [`ParseCache`] maps the exact text of an expression to its tree and its tokens' offsets,
//! which is all the lowerer takes from a parse. Parsing is a pure function of the text (juxta's
//! environment adds no macros), so an entry is right for that text wherever it appears, and a
//! text the cache does not hold is parsed as before: a stale cache is slower, never wrong.
//!
//! The caches of the bundled regimes are written by `juxta regime build` beside the plugins
//! (`plugins/dist/<id>.parsed`), embedded in the binary like them, and checked by a test that
//! writes them again and compares the bytes. They are never read from anywhere a user or an
//! attacker could write. The format is ours, versioned with the cel crate's version: a cache of
//! another version is not used at all.
//!
//! Format (integers are LEB128): the magic `juxta-parsed`, the format version, the cel
//! version; then entries, each the text and its encoded tree with offsets, length-prefixed.

use std::collections::HashMap;

use cel::IdedExpr;
use cel::common::ast::{
    CallExpr, ComprehensionExpr, EntryExpr, Expr, IdedEntryExpr, ListExpr, LiteralValue,
    MapEntryExpr, MapExpr, SelectExpr, SourceInfo, StructExpr, StructFieldExpr,
};

/// What identifies the trees a cache holds: the format's version and the parser's.
const MAGIC: &[u8] = b"juxta-parsed";
const FORMAT: u64 = 1;
/// The version of the cel crate whose parser made the trees (Cargo.lock; a test checks it).
pub const CEL_VERSION: &str = "0.15.0";
/// Trees nest no deeper than the budget allows expressions to (`budget::MAX_EXPRESSION_DEPTH`
/// is far below); deeper data is not a tree this module wrote.
const MAX_DEPTH: usize = 512;

/// One parsed expression: its tree and the offsets of its tokens (in characters of the text).
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The tree, as `Program::expression` gives it.
    pub root: IdedExpr,
    /// `(id, start, stop)` of every node that has an offset, in the order of the tree.
    pub offsets: Vec<(u64, u32, u32)>,
}

impl Parsed {
    /// The offsets as the parser's `SourceInfo`.
    pub fn source_info(&self) -> SourceInfo {
        let mut info = SourceInfo::default();
        for &(id, start, stop) in &self.offsets {
            info.add_offset(id, start, stop);
        }
        info
    }

    /// A parse's tree and the offsets of its nodes.
    pub fn of(root: &IdedExpr, info: &SourceInfo) -> Parsed {
        let mut offsets = Vec::new();
        visit_ids(root, &mut |id| {
            if let Some((start, stop)) = info.offset_for(id) {
                offsets.push((id, start, stop));
            }
        });
        Parsed {
            root: root.clone(),
            offsets,
        }
    }
}

/// The parsed expressions of one or more manifests, decoded when looked up. Its bytes are
/// embedded in the binary (`'static`): a cache is never read from a file.
#[derive(Debug, Default)]
pub struct ParseCache {
    entries: HashMap<&'static str, &'static [u8]>,
}

/// Where a compilation's parses come from (a cache, else the parser) and, when asked, where
/// they are recorded (to write a cache).
#[derive(Debug, Default)]
pub struct Parses {
    /// Trees to use instead of parsing.
    pub cache: Option<ParseCache>,
    /// Every expression parsed or found, with its parse, in the order met; `None` records none.
    pub record: Option<Vec<(String, Parsed)>>,
}

impl Parses {
    /// Parses taken from `cache` where it holds them, recording none.
    pub fn using(cache: Option<ParseCache>) -> Parses {
        Parses {
            cache,
            record: None,
        }
    }
}

/// Calls `f` with the id of every node of a tree that can carry an offset, in tree order.
pub fn visit_ids(e: &IdedExpr, f: &mut impl FnMut(u64)) {
    f(e.id);
    match &e.expr {
        Expr::Call(c) => {
            if let Some(t) = &c.target {
                visit_ids(t, f);
            }
            c.args.iter().for_each(|a| visit_ids(a, f));
        }
        Expr::Select(s) => visit_ids(&s.operand, f),
        Expr::Comprehension(c) => {
            visit_ids(&c.iter_range, f);
            visit_ids(&c.accu_init, f);
            visit_ids(&c.loop_cond, f);
            visit_ids(&c.loop_step, f);
            visit_ids(&c.result, f);
        }
        Expr::List(l) => l.elements.iter().for_each(|x| visit_ids(x, f)),
        Expr::Map(m) => {
            for entry in &m.entries {
                if let EntryExpr::MapEntry(me) = &entry.expr {
                    visit_ids(&me.key, f);
                    visit_ids(&me.value, f);
                }
            }
        }
        Expr::Struct(s) => {
            for entry in &s.entries {
                if let EntryExpr::StructField(sf) = &entry.expr {
                    visit_ids(&sf.value, f);
                }
            }
        }
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

impl ParseCache {
    /// The cache in `bytes`, or `None` if they are not a cache of this format and parser.
    pub fn new(bytes: &'static [u8]) -> Option<ParseCache> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(MAGIC.len())? != MAGIC || r.uint()? != FORMAT || r.str()? != CEL_VERSION {
            return None;
        }
        let mut entries = HashMap::new();
        while !r.done() {
            let text = r.str()?;
            let len = usize::try_from(r.uint()?).ok()?;
            entries.insert(text, r.take(len)?);
        }
        Some(ParseCache { entries })
    }

    /// The parse of exactly this text, if the cache holds it (and it decodes).
    pub fn get(&self, text: &str) -> Option<Parsed> {
        let mut r = Reader {
            bytes: self.entries.get(text)?,
            at: 0,
        };
        let root = r.expr(0)?;
        let n = usize::try_from(r.uint()?).ok()?;
        let mut offsets = Vec::with_capacity(n.min(r.bytes.len()));
        for _ in 0..n {
            let id = r.uint()?;
            let start = u32::try_from(r.uint()?).ok()?;
            let stop = u32::try_from(r.uint()?).ok()?;
            offsets.push((id, start, stop));
        }
        r.done().then_some(Parsed { root, offsets })
    }

    /// How many expressions it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A cache of these parses, in the order given (a text given twice is kept once): the bytes
/// [`ParseCache::new`] reads.
pub fn encode<'t>(parses: impl IntoIterator<Item = (&'t str, &'t Parsed)>) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    uint(&mut out, FORMAT);
    str(&mut out, CEL_VERSION);
    let mut seen = std::collections::HashSet::new();
    for (text, parsed) in parses {
        if !seen.insert(text) {
            continue;
        }
        let mut entry = Vec::new();
        expr(&mut entry, &parsed.root);
        uint(&mut entry, parsed.offsets.len() as u64);
        for &(id, start, stop) in &parsed.offsets {
            uint(&mut entry, id);
            uint(&mut entry, u64::from(start));
            uint(&mut entry, u64::from(stop));
        }
        str(&mut out, text);
        uint(&mut out, entry.len() as u64);
        out.extend_from_slice(&entry);
    }
    out
}

fn uint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn str(out: &mut Vec<u8>, s: &str) {
    uint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            str(out, s);
        }
    }
}

fn exprs(out: &mut Vec<u8>, xs: &[IdedExpr]) {
    uint(out, xs.len() as u64);
    for x in xs {
        expr(out, x);
    }
}

fn entries(out: &mut Vec<u8>, xs: &[IdedEntryExpr]) {
    uint(out, xs.len() as u64);
    for x in xs {
        uint(out, x.id);
        match &x.expr {
            EntryExpr::StructField(f) => {
                out.push(0);
                str(out, &f.field);
                expr(out, &f.value);
                out.push(u8::from(f.optional));
            }
            EntryExpr::MapEntry(m) => {
                out.push(1);
                expr(out, &m.key);
                expr(out, &m.value);
                out.push(u8::from(m.optional));
            }
        }
    }
}

fn expr(out: &mut Vec<u8>, e: &IdedExpr) {
    uint(out, e.id);
    match &e.expr {
        Expr::Unspecified => out.push(0),
        Expr::Call(c) => {
            out.push(1);
            str(out, &c.func_name);
            match &c.target {
                None => out.push(0),
                Some(t) => {
                    out.push(1);
                    expr(out, t);
                }
            }
            exprs(out, &c.args);
        }
        Expr::Comprehension(c) => {
            out.push(2);
            expr(out, &c.iter_range);
            str(out, &c.iter_var);
            opt_str(out, c.iter_var2.as_deref());
            str(out, &c.accu_var);
            expr(out, &c.accu_init);
            expr(out, &c.loop_cond);
            expr(out, &c.loop_step);
            expr(out, &c.result);
        }
        Expr::Ident(name) => {
            out.push(3);
            str(out, name);
        }
        Expr::List(l) => {
            out.push(4);
            exprs(out, &l.elements);
            uint(out, l.optional_indices.len() as u64);
            for &i in &l.optional_indices {
                uint(out, i as u64);
            }
        }
        Expr::Literal(lit) => {
            out.push(5);
            match lit {
                LiteralValue::Boolean(b) => {
                    out.push(0);
                    out.push(u8::from(*b.inner()));
                }
                LiteralValue::Bytes(b) => {
                    out.push(1);
                    uint(out, b.inner().len() as u64);
                    out.extend_from_slice(b.inner());
                }
                LiteralValue::Double(d) => {
                    out.push(2);
                    out.extend_from_slice(&d.inner().to_bits().to_le_bytes());
                }
                LiteralValue::Int(i) => {
                    out.push(3);
                    out.extend_from_slice(&i.inner().to_le_bytes());
                }
                LiteralValue::Null => out.push(4),
                LiteralValue::String(s) => {
                    out.push(5);
                    str(out, s.inner());
                }
                LiteralValue::UInt(u) => {
                    out.push(6);
                    out.extend_from_slice(&u.inner().to_le_bytes());
                }
            }
        }
        Expr::Map(m) => {
            out.push(6);
            entries(out, &m.entries);
        }
        Expr::Select(s) => {
            out.push(7);
            expr(out, &s.operand);
            str(out, &s.field);
            out.push(u8::from(s.test));
        }
        Expr::Struct(s) => {
            out.push(8);
            str(out, &s.type_name);
            entries(out, &s.entries);
        }
    }
}

/// Reads what the functions above wrote; `None` at anything else.
struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn done(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn take(&mut self, n: usize) -> Option<&'b [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(out)
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn flag(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn uint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.uint()?).ok()?;
        // Every element takes at least a byte: a count beyond the bytes left is not ours.
        (n <= self.bytes.len() - self.at).then_some(n)
    }

    fn str(&mut self) -> Option<&'b str> {
        let n = self.len()?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }

    fn eight(&mut self) -> Option<[u8; 8]> {
        self.take(8)?.try_into().ok()
    }

    fn exprs(&mut self, depth: usize) -> Option<Vec<IdedExpr>> {
        let n = self.len()?;
        (0..n).map(|_| self.expr(depth)).collect()
    }

    fn entries(&mut self, depth: usize) -> Option<Vec<IdedEntryExpr>> {
        let n = self.len()?;
        (0..n)
            .map(|_| {
                let id = self.uint()?;
                let expr = match self.byte()? {
                    0 => EntryExpr::StructField(StructFieldExpr {
                        field: self.string()?,
                        value: self.expr(depth)?,
                        optional: self.flag()?,
                    }),
                    1 => EntryExpr::MapEntry(MapEntryExpr {
                        key: self.expr(depth)?,
                        value: self.expr(depth)?,
                        optional: self.flag()?,
                    }),
                    _ => return None,
                };
                Some(IdedEntryExpr { id, expr })
            })
            .collect()
    }

    fn expr(&mut self, depth: usize) -> Option<IdedExpr> {
        if depth > MAX_DEPTH {
            return None;
        }
        let d = depth + 1;
        let id = self.uint()?;
        let expr = match self.byte()? {
            0 => Expr::Unspecified,
            1 => Expr::Call(CallExpr {
                func_name: self.string()?,
                target: match self.flag()? {
                    false => None,
                    true => Some(Box::new(self.expr(d)?)),
                },
                args: self.exprs(d)?,
            }),
            2 => Expr::Comprehension(Box::new(ComprehensionExpr {
                iter_range: self.expr(d)?,
                iter_var: self.string()?,
                iter_var2: match self.flag()? {
                    false => None,
                    true => Some(self.string()?),
                },
                accu_var: self.string()?,
                accu_init: self.expr(d)?,
                loop_cond: self.expr(d)?,
                loop_step: self.expr(d)?,
                result: self.expr(d)?,
            })),
            3 => Expr::Ident(self.string()?),
            4 => {
                let elements = self.exprs(d)?;
                let n = self.len()?;
                let optional_indices = (0..n)
                    .map(|_| usize::try_from(self.uint()?).ok())
                    .collect::<Option<Vec<_>>>()?;
                Expr::List(ListExpr {
                    elements,
                    optional_indices,
                })
            }
            5 => Expr::Literal(match self.byte()? {
                0 => LiteralValue::Boolean(self.flag()?.into()),
                1 => {
                    let n = self.len()?;
                    LiteralValue::Bytes(self.take(n)?.to_vec().into())
                }
                2 => LiteralValue::Double(f64::from_bits(u64::from_le_bytes(self.eight()?)).into()),
                3 => LiteralValue::Int(i64::from_le_bytes(self.eight()?).into()),
                4 => LiteralValue::Null,
                5 => LiteralValue::String(self.string()?.into()),
                6 => LiteralValue::UInt(u64::from_le_bytes(self.eight()?).into()),
                _ => return None,
            }),
            6 => Expr::Map(MapExpr {
                entries: self.entries(d)?,
            }),
            7 => Expr::Select(SelectExpr {
                operand: Box::new(self.expr(d)?),
                field: self.string()?,
                test: self.flag()?,
            }),
            8 => Expr::Struct(StructExpr {
                type_name: self.string()?,
                entries: self.entries(d)?,
            }),
            _ => return None,
        };
        Some(IdedExpr { id, expr })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Parsed {
        let env = crate::regime::builtins::environment();
        let program = env
            .compile(text)
            .unwrap_or_else(|e| panic!("{text}: {e:?}"));
        Parsed::of(program.expression(), program.source_info())
    }

    #[test]
    fn every_kind_of_node_reads_back_as_parsed() {
        let texts = [
            "a.b > 1e25 && !(c || d) ? 'x' : b\"\\x01y\"",
            "[1, 2u, -3, 4.5, null, true].exists(x, x == 2) && {'k': [1]}.all(k, has(m.k))",
            "size(s) == 3 && s.startsWith(\"é\") && t.map(x, x * 2).filter(y, y > 1) == [] ",
            "x.exists_one(v, v) || [1].all(i, i in [1, 2]) || google.protobuf.Int64Value{value: 1} == 1",
        ];
        let parses: Vec<Parsed> = texts.iter().map(|t| parse(t)).collect();
        let bytes: &'static [u8] = encode(texts.iter().copied().zip(&parses)).leak();
        let cache = ParseCache::new(bytes).unwrap_or_else(|| panic!("the header reads"));
        assert_eq!(cache.len(), texts.len());
        for (text, parsed) in texts.iter().zip(&parses) {
            assert_eq!(cache.get(text).as_ref(), Some(parsed), "{text}");
            assert!(!parsed.offsets.is_empty());
        }
        assert_eq!(cache.get("a.b > 1e25"), None);
    }

    #[test]
    fn anything_else_is_no_cache_and_no_panic() {
        let parsed = parse("a + 1 == 2");
        let bytes = encode([("a + 1 == 2", &parsed)]);
        assert!(ParseCache::new(b"").is_none());
        assert!(ParseCache::new(b"juxta-parsed\x02").is_none());
        let mut other = bytes.clone();
        let at = MAGIC.len() + 2; // the cel version's first byte
        other[at] = b'9';
        assert!(ParseCache::new(other.leak()).is_none());
        // Every truncation and every flipped byte reads as no cache or no entry, never a panic.
        let whole: &'static [u8] = bytes.clone().leak();
        for cut in 0..whole.len() {
            if let Some(c) = ParseCache::new(&whole[..cut]) {
                let _ = c.get("a + 1 == 2");
            }
        }
        for i in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0xff;
            if let Some(c) = ParseCache::new(flipped.leak()) {
                let _ = c.get("a + 1 == 2");
            }
        }
    }
}
