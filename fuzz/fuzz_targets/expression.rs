//! Any text as a rule condition (the CEL static checker and lowering): compiling must never
//! panic, and a condition that compiles must give the same status by the fast path and by the
//! plain interpreter on the seed profiles.
#![no_main]

mod common;

use std::sync::Arc;

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

[parameters.when]
title = "When"
type = "date"
values = [{ value = 2025-08-02, source = "s. 2" }]

[parameters.list]
title = "List"
type = "string_list"
values = [{ value = ["text", "speech"], source = "s. 3" }]

[values.C]
title = "Compute"
type = "number"
value = "has(model.training_compute_flop) ? model.training_compute_flop : model.training_compute_flop"

[blocks.PLACED]
title = "Placed"
condition = "eu.placed_on_market"

[blocks.Q]
title = "Unsettled"
condition = 'open_question("XX-OQ")'

[open_questions.XX-OQ]
question = "?"

[[rules]]
id = "XX-1"
kind = "obligation"
title = "t"
citation = "s. 4"
summary = "s"
condition = '''
"#;

fuzz_target!(|data: &[u8]| {
    let Ok(expr) = std::str::from_utf8(data) else {
        return;
    };
    if expr.contains("'''") || expr.len() > 2000 {
        return;
    }
    let text = format!("{HEAD}{expr}'''\n");
    if let Ok(regime) = Regime::compile(
        &Source {
            origin: "fuzz",
            text: &text,
        },
        Arc::clone(common::schema()),
    ) {
        for profile in common::profiles() {
            common::evaluate_and_compare(&regime, profile);
        }
    }
});
