//! Hostile plugins: each must fail with a clear error naming the plugin and the phase, must not
//! take the process down, and must leave the other regimes' results intact.

use std::sync::Arc;
use std::time::Duration;

use juxta_core::profile::{Format, Profile};
use juxta_core::report::{Comparison, Status};
use juxta_host::bundled::BUNDLED;
use juxta_host::{Limits, Origin, PluginSource, RegimeSet, Sandbox};
use juxta_tests::{CALL_ERR, component, plugin_wat, tiny_manifest, wit};

fn limits() -> Limits {
    Limits {
        manifest_fuel: 20_000_000,
        call_fuel: 5_000_000,
        ..Limits::default()
    }
}

/// The bundled regimes plus one extra plugin, evaluated on the closed-frontier example.
fn compare_with(bytes: &[u8], limits: Limits) -> Comparison {
    let mut set = RegimeSet::bundled(Arc::new(Sandbox::new(limits).unwrap()));
    set.load(vec![PluginSource {
        name: "hostile".into(),
        origin: Origin::File("hostile.wasm".into()),
        bytes,
        expected_sha256: None,
        refused: None,
        manifest: None,
        sha256: None,
        read: None,
        parsed: None,
    }]);
    let text =
        std::fs::read_to_string(juxta_tests::repo().join("examples/closed-frontier.toml")).unwrap();
    let profile =
        Profile::parse(&text, Format::Toml, "closed-frontier.toml", set.schema()).unwrap();
    set.compare(&profile, "closed-frontier.toml")
}

/// The hostile column's error, after checking that the bundled columns came out whole.
fn hostile_error(cmp: &Comparison) -> String {
    for b in BUNDLED {
        let r = cmp.regimes.iter().find(|r| r.id == b.id()).unwrap();
        assert!(r.error.is_none(), "{} failed too: {:?}", b.id(), r.error);
        assert!(!r.rules.is_empty());
    }
    let hostile: Vec<_> = cmp
        .regimes
        .iter()
        .filter(|r| BUNDLED.iter().all(|b| b.id() != r.id))
        .collect();
    assert_eq!(hostile.len(), 1);
    assert!(
        hostile[0].rules.is_empty(),
        "a failed regime reports no rules"
    );
    hostile[0]
        .error
        .clone()
        .expect("the hostile plugin must fail")
}

fn abi1(manifest: &str, manifest_body: &str, call_body: &str, extra: &str) -> Vec<u8> {
    component(
        &plugin_wat("1.0.0", manifest, manifest_body, call_body, extra),
        juxta_sdk::WIT,
    )
}

#[test]
fn a_well_behaved_fixture_loads_and_evaluates() {
    let cmp = compare_with(
        &abi1(&tiny_manifest("fixture", ""), "", CALL_ERR, ""),
        limits(),
    );
    let r = cmp.regimes.iter().find(|r| r.id == "fixture").unwrap();
    assert!(r.error.is_none(), "{:?}", r.error);
    assert_eq!(r.rules[0].status, Status::Applies);
}

#[test]
fn an_endless_loop_in_manifest_runs_out_of_fuel() {
    let cmp = compare_with(&abi1("", "(loop $l (br $l))", CALL_ERR, ""), limits());
    let e = hostile_error(&cmp);
    assert!(
        e.contains("plugin `hostile`: manifest: ran out of fuel"),
        "{e}"
    );
}

#[test]
fn an_endless_loop_hits_the_wall_clock_deadline_when_fuel_is_plentiful() {
    let l = Limits {
        manifest_fuel: u64::MAX / 4,
        manifest_time: Duration::from_millis(200),
        ..Limits::default()
    };
    let started = std::time::Instant::now();
    let cmp = compare_with(&abi1("", "(loop $l (br $l))", CALL_ERR, ""), l);
    let e = hostile_error(&cmp);
    assert!(
        e.contains("manifest: exceeded its time limit of 200 ms"),
        "{e}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_trap_fails_the_column() {
    let e = hostile_error(&compare_with(
        &abi1("", "unreachable", CALL_ERR, ""),
        limits(),
    ));
    assert!(e.contains("manifest: trapped"), "{e}");
}

#[test]
fn memory_growth_past_the_cap_fails_the_column() {
    let body = "(loop $l (drop (memory.grow (i32.const 64))) (br $l))";
    let e = hostile_error(&compare_with(&abi1("", body, CALL_ERR, ""), limits()));
    assert!(e.contains("exceeded its memory limit of 64 MiB"), "{e}");
}

#[test]
fn runaway_recursion_overflows_the_stack_cap() {
    let e = hostile_error(&compare_with(
        &abi1("", "(call $deep)", CALL_ERR, "(func $deep (call $deep))"),
        limits(),
    ));
    assert!(e.contains("overflowed its stack"), "{e}");
}

#[test]
fn a_huge_manifest_is_refused() {
    // Returns 5 MiB of zero bytes as the manifest string.
    let wat = r#"(module
  (memory (export "memory") 100)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "juxta:regime/plugin@1.0.0#manifest") (result i32)
    (i32.store (i32.const 16) (i32.const 64)) (i32.store (i32.const 20) (i32.const 5242880)) (i32.const 16))
  (func (export "juxta:regime/plugin@1.0.0#call") (param i32 i32 i32 i32) (result i32) unreachable))"#;
    let e = hostile_error(&compare_with(&component(wat, juxta_sdk::WIT), limits()));
    assert!(e.contains("returned a manifest of 5242880 bytes"), "{e}");
}

#[test]
fn a_component_with_an_import_is_refused() {
    let wat = plugin_wat(
        "1.0.0",
        "",
        "",
        CALL_ERR,
        r#"(import "$root" "log" (func (param i32 i32)))"#,
    );
    let bytes = component(&wat, &wit("1.0.0", "import log: func(message: string);"));
    let e = hostile_error(&compare_with(&bytes, limits()));
    assert!(
        e.contains("load: imports `log`; a juxta plugin may import nothing"),
        "{e}"
    );
}

#[test]
fn a_wasi_import_is_refused() {
    let wasi = "package wasi:cli@0.2.0 {\n  interface environment { get-arguments: func() -> list<string>; }\n}\n";
    let wit_text = format!(
        "{}\n{wasi}",
        wit("1.0.0", "import wasi:cli/environment@0.2.0;")
    );
    let wat = plugin_wat(
        "1.0.0",
        "",
        "",
        CALL_ERR,
        r#"(import "wasi:cli/environment@0.2.0" "get-arguments" (func (param i32)))"#,
    );
    let bytes = component(&wat, &wit_text);
    let e = hostile_error(&compare_with(&bytes, limits()));
    assert!(e.contains("imports `wasi:cli/environment@0.2.0`"), "{e}");
}

#[test]
fn a_plugin_for_another_major_abi_version_is_refused_with_both_versions() {
    let bytes = component(
        &plugin_wat("2.0.0", &tiny_manifest("v2", ""), "", CALL_ERR, ""),
        &wit("2.0.0", ""),
    );
    let e = hostile_error(&compare_with(&bytes, limits()));
    assert!(
        e.contains("built for plugin ABI juxta:regime@2.0.0; this juxta supports juxta:regime@1.x"),
        "{e}"
    );
}

#[test]
fn a_core_module_is_refused() {
    let core = wat::parse_str(plugin_wat("1.0.0", "", "", CALL_ERR, "")).unwrap();
    let e = hostile_error(&compare_with(&core, limits()));
    assert!(
        e.contains("core WebAssembly module, not a component"),
        "{e}"
    );
}

#[test]
fn garbage_bytes_are_refused() {
    let e = hostile_error(&compare_with(b"this is not wasm at all", limits()));
    assert!(e.contains("load: not a valid WebAssembly component"), "{e}");
}

#[test]
fn a_manifest_that_is_not_toml_is_refused_at_the_manifest_phase() {
    let e = hostile_error(&compare_with(
        &abi1("[regime\nid = ", "", CALL_ERR, ""),
        limits(),
    ));
    assert!(
        e.contains("plugin `hostile`: manifest: the manifest does not compile"),
        "{e}"
    );
}

#[test]
fn a_rule_reading_an_unknown_fact_is_a_load_error_naming_regime_rule_and_path() {
    let manifest = tiny_manifest("typo", "").replace(
        "model.training_compute_flop > 1e24",
        "model.training_compute_flops > 1e24",
    );
    let e = hostile_error(&compare_with(&abi1(&manifest, "", CALL_ERR, ""), limits()));
    assert!(e.contains("plugin `typo`: manifest"), "{e}");
    assert!(
        e.contains("regime `typo`: block BIG: unknown fact `model.training_compute_flops`"),
        "{e}"
    );
    assert!(
        e.contains("did you mean `model.training_compute_flop`?"),
        "{e}"
    );
}

#[test]
fn a_plugin_claiming_a_bundled_regime_id_is_refused_naming_both_origins() {
    let manifest = tiny_manifest("eu-ai-act-gpai", "");
    let cmp = compare_with(&abi1(&manifest, "", CALL_ERR, ""), limits());
    let eu: Vec<_> = cmp
        .regimes
        .iter()
        .filter(|r| r.id == "eu-ai-act-gpai")
        .collect();
    assert_eq!(eu.len(), 1, "one column per id");
    assert!(
        eu[0].error.is_none() && eu[0].rules.len() == 22,
        "the bundled regime is unaffected"
    );
    // The impostor is a column of its own, named by its file: it cannot shadow the real one.
    let clash = cmp
        .regimes
        .iter()
        .find(|r| r.id == "plugin:hostile.wasm")
        .unwrap();
    let e = clash.error.as_ref().unwrap();
    assert!(
        e.contains("claimed twice: by bundled and by hostile.wasm"),
        "{e}"
    );
}

#[test]
fn a_plugin_claiming_a_bundled_namespace_is_refused_naming_both_regimes() {
    let manifest = tiny_manifest(
        "xx-copycat",
        "\n[namespace]\nname = \"ca\"\n[namespace.facts.anything]\ntype = \"bool\"\nmeaning = \"m\"\n",
    );
    let e = hostile_error(&compare_with(&abi1(&manifest, "", CALL_ERR, ""), limits()));
    assert!(e.contains("plugin `xx-copycat`: manifest"), "{e}");
    assert!(
        e.contains("namespace `ca` is declared by both regime `us-ca-sb53` and regime `xx-copycat` (the other is bundled)"),
        "{e}"
    );
}

#[test]
fn a_third_party_namespace_is_validated_in_profiles_and_read_by_its_rules() {
    let manifest = tiny_manifest(
        "xx-state",
        "\n[namespace]\nname = \"xx\"\n[namespace.facts.registered]\ntype = \"bool\"\nmeaning = \"m\"\n\n[[rules]]\nid = \"XX-OBL-REG\"\nkind = \"obligation\"\ntitle = \"Registered\"\ncitation = \"s. 2\"\ncondition = \"xx.registered\"\nsummary = \"register\"\n",
    );
    let mut set = RegimeSet::bundled(Arc::new(Sandbox::new(limits()).unwrap()));
    let bytes = abi1(&manifest, "", CALL_ERR, "");
    set.load(vec![PluginSource {
        name: "xx-state".into(),
        origin: Origin::File("xx-state.wasm".into()),
        bytes: &bytes,
        expected_sha256: None,
        refused: None,
        manifest: None,
        sha256: None,
        read: None,
        parsed: None,
    }]);
    let base = "schema_version = \"1.1\"\n[evaluation]\nas_of = 2026-09-01\n";
    let ok = Profile::parse(
        &format!("{base}[xx]\nregistered = true\n"),
        Format::Toml,
        "p.toml",
        set.schema(),
    )
    .unwrap();
    let cmp = set.compare(&ok, "p.toml");
    let xx = cmp.regimes.iter().find(|r| r.id == "xx-state").unwrap();
    assert!(xx.error.is_none(), "{:?}", xx.error);
    let rule = xx.rules.iter().find(|r| r.id == "XX-OBL-REG").unwrap();
    assert_eq!(serde_json::to_value(rule.status).unwrap(), "applies");
    assert!(
        cmp.regimes.iter().all(|r| r.error.is_none()),
        "the bundled regimes still load"
    );
    let err = Profile::parse(
        &format!("{base}[xx]\nregistred = 1\n"),
        Format::Toml,
        "p.toml",
        set.schema(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("did you mean `xx.registered`?"), "{err}");
}

const CALLING_MANIFEST_TAIL: &str = r#"
[functions.verdict]
params = []
returns = "bool"
doc = "asks the plugin"

[[rules]]
id = "XX-CLS-ASK"
kind = "classification"
title = "Asked"
citation = "Test Act, s. 2"
condition = "verdict()"
summary = "the plugin says so"
"#;

#[test]
fn a_custom_function_is_called_in_the_sandbox() {
    // `call` answers ok("true"), from a data segment at 1100.
    let call = "(i32.store8 (i32.const 32) (i32.const 0)) (i32.store (i32.const 36) (i32.const 1100)) (i32.store (i32.const 40) (i32.const 4)) (i32.const 32)";
    let bytes = abi1(
        &tiny_manifest("asker", CALLING_MANIFEST_TAIL),
        "",
        call,
        r#"(data (i32.const 1100) "true")"#,
    );
    let cmp = compare_with(&bytes, limits());
    let r = cmp.regimes.iter().find(|r| r.id == "asker").unwrap();
    assert!(r.error.is_none(), "{:?}", r.error);
    let ask = r.rules.iter().find(|f| f.id == "XX-CLS-ASK").unwrap();
    assert_eq!(ask.status, Status::Applies);
}

#[test]
fn a_custom_function_that_loops_fails_only_its_column() {
    let bytes = abi1(
        &tiny_manifest("looper", CALLING_MANIFEST_TAIL),
        "",
        "(loop $l (br $l)) unreachable",
        "",
    );
    let e = hostile_error(&compare_with(&bytes, limits()));
    assert!(e.contains("regime `looper`: rule XX-CLS-ASK"), "{e}");
    assert!(
        e.contains("plugin `looper` 0.1.0: call: `verdict`: ran out of fuel"),
        "{e}"
    );
}

#[test]
fn a_custom_function_returning_garbage_fails_only_its_column() {
    let call = "(i32.store8 (i32.const 32) (i32.const 0)) (i32.store (i32.const 36) (i32.const 1100)) (i32.store (i32.const 40) (i32.const 5)) (i32.const 32)";
    let bytes = abi1(
        &tiny_manifest("liar", CALLING_MANIFEST_TAIL),
        "",
        call,
        r#"(data (i32.const 1100) "maybe")"#,
    );
    let e = hostile_error(&compare_with(&bytes, limits()));
    assert!(e.contains("the plugin returned invalid JSON"), "{e}");
}

#[test]
fn a_huge_result_from_a_custom_function_is_refused() {
    // `call` answers ok(<2 MiB of zero bytes>).
    let call = "(i32.store8 (i32.const 32) (i32.const 0)) (i32.store (i32.const 36) (i32.const 65536)) (i32.store (i32.const 40) (i32.const 2097152)) (i32.const 32)";
    let manifest = tiny_manifest("bigmouth", CALLING_MANIFEST_TAIL);
    let wat = plugin_wat("1.0.0", &manifest, "", call, "").replace(
        "(memory (export \"memory\") 2)",
        "(memory (export \"memory\") 40)",
    );
    let e = hostile_error(&compare_with(&component(&wat, juxta_sdk::WIT), limits()));
    assert!(
        e.contains("call: `verdict` returned 2097152 bytes; the limit is 1048576 bytes"),
        "{e}"
    );
}

#[test]
fn a_rule_with_a_syntax_error_is_refused_naming_the_rule_and_line() {
    let manifest =
        tiny_manifest("broken-syntax", "").replace("condition = \"BIG\"", "condition = \"BIG &&\"");
    let e = hostile_error(&compare_with(&abi1(&manifest, "", CALL_ERR, ""), limits()));
    assert!(
        e.contains("plugin `broken-syntax`: manifest: the manifest does not compile"),
        "{e}"
    );
    assert!(
        e.contains("plugin `hostile` (hostile.wasm):18:20:"),
        "the TOML line of the rule: {e}"
    );
    assert!(e.contains("rule XX-CLS-BIG: syntax error"), "{e}");
}

#[test]
fn a_cel_cost_bomb_is_refused_at_load() {
    let nested = "model.output_modalities.exists(a, model.output_modalities.exists(b, model.output_modalities.exists(c, a == b && b == c)))";
    let manifest = tiny_manifest("bomb", "")
        .replace("condition = \"BIG\"", &format!("condition = '{nested}'"));
    let e = hostile_error(&compare_with(&abi1(&manifest, "", CALL_ERR, ""), limits()));
    assert!(
        e.contains("rule XX-CLS-BIG: comprehensions nested deeper than 2 levels"),
        "{e}"
    );
    // Under the token limit, over the node limit once parsed.
    let huge = vec!["model.training_compute_flop > 1.0"; 130].join(" && ");
    let manifest =
        tiny_manifest("bomb", "").replace("condition = \"BIG\"", &format!("condition = '{huge}'"));
    let e = hostile_error(&compare_with(&abi1(&manifest, "", CALL_ERR, ""), limits()));
    assert!(e.contains("exceeds the limit of 500"), "{e}");
    // Over the token limit: refused before it is parsed.
    let huger = vec!["model.training_compute_flop > 1.0"; 300].join(" && ");
    let manifest =
        tiny_manifest("bomb", "").replace("condition = \"BIG\"", &format!("condition = '{huger}'"));
    let e = hostile_error(&compare_with(&abi1(&manifest, "", CALL_ERR, ""), limits()));
    assert!(e.contains("expression of more than 1000 tokens"), "{e}");
}

#[test]
fn a_stateful_plugin_cannot_make_results_depend_on_call_order() {
    // `call` counts its calls in a global and answers "true" only on the first call of an
    // instance. Every call runs in a fresh instance, so every call is the first.
    let call = "(global.set $calls (i32.add (global.get $calls) (i32.const 1))) \
                (i32.store8 (i32.const 32) (i32.const 0)) \
                (i32.store (i32.const 36) (select (i32.const 1100) (i32.const 1104) (i32.eq (global.get $calls) (i32.const 1)))) \
                (i32.store (i32.const 40) (select (i32.const 4) (i32.const 5) (i32.eq (global.get $calls) (i32.const 1)))) \
                (i32.const 32)";
    let extra = "(global $calls (mut i32) (i32.const 0)) (data (i32.const 1100) \"truefalse\")";
    let manifest = tiny_manifest("counter", CALLING_MANIFEST_TAIL).replace(
        "condition = \"verdict()\"",
        "condition = \"verdict() && verdict() && verdict()\"",
    );
    let cmp = compare_with(&abi1(&manifest, "", call, extra), limits());
    let r = cmp.regimes.iter().find(|r| r.id == "counter").unwrap();
    assert!(r.error.is_none(), "{:?}", r.error);
    assert_eq!(
        r.rules
            .iter()
            .find(|f| f.id == "XX-CLS-ASK")
            .unwrap()
            .status,
        Status::Applies
    );
}

#[test]
fn clocks_and_randomness_cannot_be_imported() {
    for (package, interface, func) in [
        ("wasi:clocks@0.2.0", "wall-clock", "now: func() -> u64;"),
        (
            "wasi:random@0.2.0",
            "random",
            "get-random-u64: func() -> u64;",
        ),
    ] {
        let name = func.split(':').next().unwrap();
        let wit_text = format!(
            "{}\npackage {package} {{\n  interface {interface} {{ {func} }}\n}}\n",
            wit(
                "1.0.0",
                &format!("import {package}/{interface};")
                    .replace("@0.2.0/", "/")
                    .replace(
                        &format!("{}/{interface}", package.split('@').next().unwrap()),
                        &format!("{}/{interface}@0.2.0", package.split('@').next().unwrap())
                    )
            )
        );
        let import = format!(
            "(import \"{}/{interface}@0.2.0\" \"{name}\" (func (result i64)))",
            package.split('@').next().unwrap()
        );
        let bytes = component(&plugin_wat("1.0.0", "", "", CALL_ERR, &import), &wit_text);
        let e = hostile_error(&compare_with(&bytes, limits()));
        assert!(e.contains("load: imports") && e.contains(interface), "{e}");
    }
}

// The host's own budget for the CEL a plugin hands over (kernel/core/src/regime/budget.rs):
// each hostile manifest is refused as its own failed column, quickly, naming what is wrong.

fn refused_manifest(extra: &str, needle: &str) {
    let started = std::time::Instant::now();
    let manifest = tiny_manifest("greedy", extra);
    let e = hostile_error(&compare_with(&abi1(&manifest, "", CALL_ERR, ""), limits()));
    assert!(e.contains("plugin `greedy`"), "{e}");
    assert!(e.contains(needle), "missing `{needle}` in {e}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

fn rule(condition: &str) -> String {
    format!(
        "\n[[rules]]\nid = \"XX-CLS-GREEDY\"\nkind = \"classification\"\ntitle = \"Greedy\"\ncitation = \"s. 9\"\ncondition = '''{condition}'''\nsummary = \"greedy\"\n"
    )
}

#[test]
fn a_five_thousand_term_sum_is_refused_before_it_is_parsed() {
    let sum = vec!["model.training_compute_flop"; 5000].join(" + ");
    refused_manifest(
        &rule(&format!("{sum} > 1e24")),
        "rule XX-CLS-GREEDY: expression of 150004 bytes exceeds the limit of 16384",
    );
    let sum = vec!["1.0"; 2000].join("+");
    refused_manifest(
        &rule(&format!("{sum} > 1e24")),
        "rule XX-CLS-GREEDY: expression of more than 1000 tokens exceeds the limit",
    );
}

#[test]
fn deeply_nested_brackets_are_refused_before_they_are_parsed() {
    let deep = format!("{}true{}", "(".repeat(10_000), ")".repeat(10_000));
    refused_manifest(
        &rule(&deep),
        "expression of 20004 bytes exceeds the limit of 16384",
    );
    let deep = format!("{}true{}", "(".repeat(1_000), ")".repeat(1_000));
    refused_manifest(&rule(&deep), "brackets nested deeper than 24 levels");
}

#[test]
fn a_value_that_doubles_a_string_47_times_is_refused_at_load() {
    let mut extra =
        String::from("\n[values.V0]\ntitle = \"v\"\ntype = \"string\"\nvalue = \"'abcdefgh'\"\n");
    for i in 1..48 {
        extra.push_str(&format!(
            "\n[values.V{i}]\ntitle = \"v\"\ntype = \"string\"\nvalue = \"V{} + V{}\"\n",
            i - 1,
            i - 1
        ));
    }
    extra.push_str(&rule("size(V47) > 0"));
    // The copying costs more than the budget before the string grows past a megabyte.
    refused_manifest(
        &extra,
        "value V17: worst-case cost of 1.0e6 exceeds the budget of 1.0e6 in `V16 + V16`",
    );
}

fn big_list(n: usize) -> String {
    let items: Vec<String> = (0..n).map(|i| format!("\"s{i}\"")).collect();
    format!(
        "\n[parameters.big]\ntitle = \"big\"\ntype = \"string_list\"\nvalues = [{{ from = 2020-01-01, value = [{}], source = \"s. 1\" }}]\n",
        items.join(", ")
    )
}

#[test]
fn nested_comprehensions_over_a_long_parameter_are_refused_at_load() {
    refused_manifest(
        &format!(
            "{}{}",
            big_list(5000),
            rule("params.big.exists(a, params.big.exists(b, a == b))")
        ),
        "rule XX-CLS-GREEDY: worst-case cost of 3.3e8 exceeds the budget of 1.0e6",
    );
    refused_manifest(
        &format!(
            "{}{}",
            big_list(5000),
            rule("size(params.big.map(a, params.big.map(b, a + b))) > 0")
        ),
        "exceeds the budget",
    );
}

#[test]
fn a_parameter_list_past_its_limit_is_refused() {
    refused_manifest(
        &format!("{}{}", big_list(100_000), rule("'x' in params.big")),
        "a list of at most 10000 strings",
    );
}

#[test]
fn a_megabyte_or_chain_is_refused_by_its_length() {
    let chain = vec!["model.training_compute_flop > 1e24"; 110_000].join(" || ");
    assert!(chain.len() > 3_800_000);
    refused_manifest(&rule(&chain), "exceeds the limit of 16384");
}

#[test]
fn blocks_chained_deeper_than_the_limit_are_refused() {
    let mut extra = String::from("\n[blocks.B0]\ntitle = \"b\"\ncondition = \"true\"\n");
    for i in 1..200 {
        extra.push_str(&format!(
            "\n[blocks.B{i}]\ntitle = \"b\"\ncondition = \"B{}\"\n",
            i - 1
        ));
    }
    extra.push_str(&rule("B199"));
    refused_manifest(
        &extra,
        "refer to one another 200 levels deep; the limit is 64",
    );
}

#[test]
fn brackets_nested_to_the_limit_still_compile_and_evaluate() {
    let deep = format!(
        "{}model.training_compute_flop > 1e24{}",
        "(".repeat(24),
        ")".repeat(24)
    );
    let manifest = tiny_manifest("nested", &rule(&deep));
    let cmp = compare_with(&abi1(&manifest, "", CALL_ERR, ""), limits());
    let r = cmp.regimes.iter().find(|r| r.id == "nested").unwrap();
    assert!(r.error.is_none(), "{:?}", r.error);
    assert!(
        r.rules
            .iter()
            .any(|f| f.id == "XX-CLS-GREEDY" && f.status == Status::Applies)
    );
}

#[test]
fn a_constant_regular_expression_that_does_not_compile_is_refused_at_load() {
    refused_manifest(
        &rule("provider.name.matches('(')"),
        "`(` is not a valid regular expression",
    );
}
