//! The host's budget for the CEL a plugin hands over, under nesting and size pressure.
//!
//! The input is not CEL text but a program that builds a manifest: each pair of bytes picks a
//! construction (wrap in brackets, double the expression, nest a comprehension over a string
//! list parameter whose length the first byte sets, chain values that double a string, long
//! sums, member and index chains, long literals, backtracking regexes) and a repeat count. So
//! libFuzzer explores exactly the shapes that once overflowed the stack or exhausted memory:
//! deep, wide, long and combinatorial. The oracle: compiling is refused or succeeds, and a
//! regime that compiles evaluates the seed profiles, each within the run-time budget; never a
//! panic, a stack overflow, an allocation past libFuzzer's RSS limit, or a run past its timeout.
#![no_main]

mod common;

use std::fmt::Write;
use std::sync::Arc;

use juxta_core::eval::Facts;
use juxta_core::regime::{Regime, Source};
use libfuzzer_sys::fuzz_target;

const HEAD: &str = r#"[regime]
id = "fuzz"
name = "Fuzz"
jurisdiction = "XX"
version = "0.1.0"
facts_schema = "1"
case_key = "xx"

[parameters.big]
title = "Big"
type = "number"
values = [{ value = 1e25, source = "s. 1" }]
"#;

/// Builds a manifest from the construction program in `data`.
fn manifest(data: &[u8]) -> String {
    let mut bytes = data.iter().copied();
    // Up to 12,750 items: past the 10,000-item limit on parameter lists, sometimes.
    let list_len = usize::from(bytes.next().unwrap_or(2)) * 50;
    let mut text = String::from(HEAD);
    let items: Vec<String> = (0..list_len).map(|i| format!("\"s{i}\"")).collect();
    let _ = write!(
        text,
        "\n[parameters.list]\ntitle = \"List\"\ntype = \"string_list\"\nvalues = [{{ value = [{}], source = \"s. 2\" }}]\n",
        items.join(", ")
    );
    let _ = write!(
        text,
        "\n[values.V0]\ntitle = \"v\"\ntype = \"string\"\nvalue = \"'abcdefgh'\"\n"
    );
    let mut values = 0usize;
    let mut expr = String::from("model.training_compute_flop > params.big");
    while let (Some(op), Some(n)) = (bytes.next(), bytes.next()) {
        let n = usize::from(n);
        expr = match op % 12 {
            0 => format!("({expr})"),
            1 => format!("({expr}) || ({expr})"),
            2 => format!("params.list.exists(v, {expr})"),
            3 => format!("params.list.map(v, params.list.size() > {n}).exists(w, {expr})"),
            4 => format!("({expr}) && {} > 0", vec!["1"; n * 8 + 1].join(" + ")),
            5 => format!("{}({expr})", "!".repeat(n)),
            6 => {
                values += 1;
                let _ = write!(
                    text,
                    "\n[values.V{values}]\ntitle = \"v\"\ntype = \"string\"\nvalue = \"V{p} + V{p}\"\n",
                    p = values - 1
                );
                format!("({expr}) && size(V{values}) > {n}")
            }
            7 => format!("({expr}) && params{} == 1", ".x".repeat(n)),
            8 => format!("({expr}) && [1]{} == 1", "[0]".repeat(n)),
            9 => format!("({expr}) && 'a{}' != ''", "x".repeat(n * 64)),
            10 => format!(
                "({expr}) && provider.name.matches('^{}$')",
                "(a|aa)*".repeat(n % 16 + 1)
            ),
            _ => format!("{}{expr}{}", "(".repeat(n), ")".repeat(n)),
        };
        if expr.len() > 1 << 20 {
            break;
        }
    }
    let _ = write!(
        text,
        "\n[[rules]]\nid = \"XX-1\"\nkind = \"obligation\"\ntitle = \"t\"\ncitation = \"s. 4\"\nsummary = \"s\"\ncondition = '''{expr}'''\n"
    );
    text
}

fuzz_target!(|data: &[u8]| {
    if data.len() > 512 {
        return;
    }
    let text = manifest(data);
    if let Ok(regime) = Regime::compile(
        &Source {
            origin: "fuzz",
            text: &text,
        },
        Arc::clone(common::schema()),
    ) {
        for profile in common::profiles() {
            // Ok, or an error such as the run-time budget: either way, it returns.
            let _ = regime.evaluate(&Facts::new(profile, common::schema()), None);
        }
    }
});
