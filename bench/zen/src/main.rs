//! `zen-bench IN.jsonl OUT.jsonl`: evaluates the zen-expression port of the juxta regimes
//! `eu-ai-act-gpai` and `us-ai-eo-2026` (rules/*.txt) on every JSON Lines profile of IN, and
//! writes one record per profile to OUT, shaped like `juxta batch`'s wide record:
//!
//! `{"id":…,"line":…,"as_of":…,"error":null,"regimes":{"eu-ai-act-gpai":{"error":null,
//!   "rules":{"EU-CLS-SCOPE":"applies",…},"computed":{"compliance_due":"2026-07-03",…}},…}}`
//!
//! Every expression is compiled once; per record the profile is parsed into a zen `Variable`,
//! the parameters in force on its `evaluation.as_of` are put in it as `params`, the values and
//! blocks are evaluated in file order and stored in it under their names, then the rules and the
//! computed values are evaluated. Single-threaded, one VM.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use zen_expression::expression::Standard;
use zen_expression::variable::{Symbol, Variable};
use zen_expression::vm::VM;
use zen_expression::{Expression, Isolate, Scope};

const REGIMES: [(&str, &str); 2] = [
    (
        "eu-ai-act-gpai.txt",
        include_str!("../rules/eu-ai-act-gpai.txt"),
    ),
    (
        "us-ai-eo-2026.txt",
        include_str!("../rules/us-ai-eo-2026.txt"),
    ),
];

type Expr = Expression<Standard>;

struct Regime {
    id: String,
    /// (first day in force, the `params` object of that period), by increasing day.
    epochs: Vec<(String, Variable)>,
    require: Option<Expr>,
    /// Values and blocks, in evaluation order.
    steps: Vec<(Symbol, Expr)>,
    rules: Vec<(String, Expr)>,
    /// (name, when, value)
    computed: Vec<(String, Expr, Expr)>,
}

/// One `KIND NAME: EXPRESSION` entry of a rules file, continuation lines joined.
struct Entry {
    line: usize,
    head: String,
    body: String,
}

fn entries(text: &str) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        if raw.starts_with(char::is_whitespace) {
            if let Some(last) = out.last_mut() {
                last.body.push(' ');
                last.body.push_str(raw.trim());
            }
            continue;
        }
        let (head, body) = match raw.split_once(": ") {
            Some((h, b)) => (h.trim().to_string(), b.trim().to_string()),
            None => (raw.trim().to_string(), String::new()),
        };
        out.push(Entry {
            line: i + 1,
            head,
            body,
        });
    }
    out
}

fn load(file: &str, text: &str, isolate: &mut Isolate) -> Result<Regime> {
    let mut id = None;
    // name -> [(from, value)]
    let mut params: Vec<(String, Vec<(String, Variable)>)> = Vec::new();
    let mut require = None;
    let mut steps = Vec::new();
    let mut rules = Vec::new();
    let mut whens: Vec<(String, Expr)> = Vec::new();
    let mut computed = Vec::new();
    for e in entries(text) {
        let at = || format!("{file}:{}", e.line);
        let mut words = e.head.split_whitespace();
        let kind = words.next().unwrap_or_default();
        let name = words.next().unwrap_or_default().to_string();
        let mut compile = |src: &str| {
            isolate
                .compile_standard(src)
                .map_err(|err| anyhow::anyhow!("{}: {err}: {src}", at()))
        };
        match kind {
            "regime" => id = Some(name),
            "param" => {
                let from = words
                    .next()
                    .with_context(|| format!("{}: param without a day", at()))?;
                let value: Variable = serde_json::from_str(&e.body)
                    .with_context(|| format!("{}: bad parameter value", at()))?;
                match params.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, values)) => values.push((from.to_string(), value)),
                    None => params.push((name, vec![(from.to_string(), value)])),
                }
            }
            "require" => require = Some(compile(&e.body)?),
            "value" | "block" => steps.push((Symbol::from(name.as_str()), compile(&e.body)?)),
            "rule" => rules.push((name, compile(&e.body)?)),
            "when" => whens.push((name, compile(&e.body)?)),
            "computed" => {
                let pos = whens
                    .iter()
                    .position(|(n, _)| *n == name)
                    .with_context(|| format!("{}: computed {name} without its `when`", at()))?;
                let (_, when) = whens.remove(pos);
                computed.push((name, when, compile(&e.body)?));
            }
            other => bail!("{}: unknown entry kind {other:?}", at()),
        }
    }
    // Periods: each day on which some parameter changes value starts one. In a period each
    // parameter has the value whose `from` is the latest on or before the period's first day,
    // or its first value before any (docs/semantics.md, "Parameters with dated values").
    let mut days: Vec<String> = params
        .iter()
        .flat_map(|(_, v)| v.iter().map(|(d, _)| d.clone()))
        .collect();
    days.sort();
    days.dedup();
    let epochs = days
        .iter()
        .map(|day| {
            let obj = Variable::empty_object();
            for (name, values) in &params {
                let v = values
                    .iter()
                    .rev()
                    .find(|(from, _)| from.as_str() <= day.as_str())
                    .unwrap_or(&values[0]);
                obj.dot_insert(name, v.1.clone());
            }
            (day.clone(), obj)
        })
        .collect();
    Ok(Regime {
        id: id.with_context(|| format!("{file}: no `regime` line"))?,
        epochs,
        require,
        steps,
        rules,
        computed,
    })
}

impl Regime {
    /// The `params` object in force on `as_of` (an ISO date, so strings compare as days).
    fn params(&self, as_of: &str) -> &Variable {
        let i = self
            .epochs
            .partition_point(|(from, _)| from.as_str() <= as_of);
        &self.epochs[i.saturating_sub(1)].1
    }
}

fn write_json_str(out: &mut String, s: &str) {
    // serde_json escapes as JSON requires; writing to a String cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

fn write_value(out: &mut String, v: &Variable) -> Result<()> {
    match v {
        Variable::String(s) => write_json_str(out, s),
        Variable::Number(n) => write!(out, "{}", n.normalize())?,
        Variable::Bool(b) => write!(out, "{b}")?,
        Variable::Null => out.push_str("null"),
        other => out.push_str(&serde_json::to_string(&other.to_value())?),
    }
    Ok(())
}

/// Evaluates one regime on a profile and appends its result object; Err for an evaluation error.
fn eval_regime(
    r: &Regime,
    profile: &Variable,
    scope: &Scope,
    vm: &mut VM,
    params_key: &Symbol,
    as_of: &str,
    out: &mut String,
) -> Result<()> {
    let Variable::Object(obj) = profile else {
        bail!("the profile is not an object")
    };
    obj.borrow_mut()
        .insert(params_key.clone(), r.params(as_of).clone());
    if let Some(req) = &r.require
        && req.evaluate_with_scope(scope, vm)?.as_bool() != Some(true)
    {
        bail!("incomplete profile: the zen port covers complete profiles only (see README)");
    }
    for (name, expr) in &r.steps {
        let v = expr
            .evaluate_with_scope(scope, vm)
            .with_context(|| format!("{}", name.as_str()))?;
        obj.borrow_mut().insert(name.clone(), v);
    }
    out.push_str("{\"error\":null,\"rules\":{");
    for (i, (id, expr)) in r.rules.iter().enumerate() {
        let status = match expr
            .evaluate_with_scope(scope, vm)
            .with_context(|| id.clone())?
        {
            Variable::Bool(true) => "applies",
            Variable::Bool(false) => "does_not_apply",
            other => bail!("{id}: not a boolean: {other:?}"),
        };
        if i > 0 {
            out.push(',');
        }
        write!(out, "\"{id}\":\"{status}\"")?;
    }
    out.push_str("},\"computed\":{");
    let mut first = true;
    for (name, when, value) in &r.computed {
        match when
            .evaluate_with_scope(scope, vm)
            .with_context(|| name.clone())?
        {
            Variable::Bool(true) => {}
            Variable::Bool(false) => continue,
            other => bail!("when {name}: not a boolean: {other:?}"),
        }
        let v = value
            .evaluate_with_scope(scope, vm)
            .with_context(|| name.clone())?;
        if !first {
            out.push(',');
        }
        first = false;
        write!(out, "\"{name}\":")?;
        write_value(out, &v)?;
    }
    out.push_str("}}");
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        bail!("usage: zen-bench IN.jsonl OUT.jsonl");
    }
    let start = Instant::now();
    let mut isolate = Isolate::new();
    let regimes = REGIMES
        .iter()
        .map(|(file, text)| load(file, text, &mut isolate))
        .collect::<Result<Vec<_>>>()?;
    let input = BufReader::with_capacity(
        1 << 20,
        File::open(&args[1]).with_context(|| args[1].clone())?,
    );
    let mut output = BufWriter::with_capacity(
        1 << 20,
        File::create(&args[2]).with_context(|| args[2].clone())?,
    );
    let params_key = Symbol::from("params");
    let mut vm = VM::new();
    let mut out = String::with_capacity(4096);
    let mut regime_out = String::with_capacity(2048);
    let (mut records, mut errors) = (0usize, 0usize);
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        records += 1;
        out.clear();
        write!(out, "{{\"id\":")?;
        let profile: Variable = match serde_json::from_str(&line) {
            Ok(p) => p,
            Err(err) => {
                errors += 1;
                write!(out, "null,\"line\":{},\"as_of\":null,\"error\":", n + 1)?;
                write_json_str(&mut out, &format!("malformed JSON: {err}"));
                out.push_str(",\"regimes\":{}}\n");
                output.write_all(out.as_bytes())?;
                continue;
            }
        };
        match profile.dot("model.id") {
            Some(Variable::String(id)) => write_json_str(&mut out, &id),
            _ => out.push_str("null"),
        }
        let as_of = match profile.dot("evaluation.as_of") {
            Some(Variable::String(s)) => s.to_string(),
            _ => String::new(),
        };
        write!(out, ",\"line\":{},\"as_of\":", n + 1)?;
        write_json_str(&mut out, &as_of);
        out.push_str(",\"error\":null,\"regimes\":{");
        let scope = Scope::new(profile.clone());
        for (i, r) in regimes.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_json_str(&mut out, &r.id);
            out.push(':');
            regime_out.clear();
            match eval_regime(
                r,
                &profile,
                &scope,
                &mut vm,
                &params_key,
                &as_of,
                &mut regime_out,
            ) {
                Ok(()) => out.push_str(&regime_out),
                Err(err) => {
                    errors += 1;
                    out.push_str("{\"error\":");
                    write_json_str(&mut out, &format!("{err:#}"));
                    out.push_str(",\"rules\":{},\"computed\":{}}");
                }
            }
        }
        out.push_str("}}\n");
        output.write_all(out.as_bytes())?;
    }
    output.flush()?;
    let secs = start.elapsed().as_secs_f64();
    let rules: usize = regimes.iter().map(|r| r.rules.len()).sum();
    eprintln!(
        "zen-bench: {records} records, {rules} rules each, {errors} errors, {secs:.3} s, {:.2} µs/record",
        secs * 1e6 / records.max(1) as f64
    );
    Ok(())
}
