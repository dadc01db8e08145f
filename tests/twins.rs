//! TOML and JSON twins: the same profile written in both formats, with its numbers spelt in
//! any of the ways both allow (`3e25`, `3.0e25`, `3E+25`, `30000000000000000000000000`, `0.3e26`,
//! …), gets byte-identical reports from every regime. The numbers are drawn at and around every
//! legal threshold, at exact thirds, as sums landing exactly on a threshold, and one unit of the
//! 17th significant digit away from them, where IEEE doubles cannot tell them apart.
//!
//! Exactness itself is checked too, against integer arithmetic done here: every number drawn is
//! an integer, so `3 × modification > base` and `base + modification > 10^26` are computed in
//! `u128` and compared with what the regimes answer.

use juxta_core::eval::Facts;
use juxta_core::profile::{Format, Profile};
use juxta_core::regime::Regime;
use juxta_core::report::{RegimeReport, Status};
use juxta_tests::{regime, regime_ids};

use juxta_cli::generate::Rng;

/// An exact non-negative integer, as the generator knows it.
type Exact = u128;

const E23: Exact = 100_000_000_000_000_000_000_000;
const E25: Exact = 100 * E23;
const E26: Exact = 10 * E25;

/// Values at and around a threshold: itself, one unit of its 17th significant digit either
/// side, a tenth either side, and a few round neighbours.
fn around(t: Exact) -> Vec<Exact> {
    let ulp17 = t / 10u128.pow(16);
    vec![
        t,
        t + ulp17,
        t - ulp17,
        t + t / 10,
        t - t / 10,
        t * 3,
        t / 2,
        t * 12 / 10,
    ]
}

/// Every spelling of `v` that TOML and JSON both read as a number.
fn spellings(v: Exact) -> Vec<String> {
    let digits = v.to_string();
    let trimmed = digits.trim_end_matches('0');
    let exp = digits.len() - 1;
    let (head, tail) = trimmed.split_at(1);
    let mantissa = if tail.is_empty() {
        head.to_string()
    } else {
        format!("{head}.{tail}")
    };
    let mut out = vec![
        digits.clone(),
        format!("{mantissa}e{exp}"),
        format!("{mantissa}E+{exp}"),
        format!(
            "{}e{exp}",
            if tail.is_empty() {
                format!("{head}.0")
            } else {
                format!("{mantissa}0")
            }
        ),
        format!("0.{trimmed}e{}", exp + 1),
        format!("{digits}.0"),
    ];
    if exp >= 2 && trimmed.len() < exp {
        // Two digits before the point: `30e24`.
        let (two, rest) = trimmed.split_at(trimmed.len().min(2));
        let two = format!("{two:0<2}");
        let m = if rest.is_empty() {
            two
        } else {
            format!("{two}.{rest}")
        };
        out.push(format!("{m}e{}", exp - 1));
    }
    out
}

struct Numbers {
    training: Option<Exact>,
    base: Option<Exact>,
    modification: Option<Exact>,
    turnover: Exact,
    revenue: Exact,
}

fn draw(rng: &mut Rng) -> Numbers {
    let threshold = *rng.pick(&[E23, E25, E26]);
    let derivative = rng.chance(0.6);
    let turnover = *rng.pick(&around(500_000_000)); // 3 % of 5e8 is the EUR 15 M cap exactly
    let revenue = *rng.pick(&around(500_000_000)); // SB 53's large-developer threshold
    if !derivative {
        return Numbers {
            training: Some(*rng.pick(&around(threshold))),
            base: None,
            modification: None,
            turnover,
            revenue,
        };
    }
    let base = *rng.pick(&around(threshold));
    let modification = match rng.next_u64() % 5 {
        // Exactly a third of the base (the base is drawn divisible by 3 when it matters).
        0 => (base - base % 3) / 3,
        1 => (base - base % 3) / 3 + base / 10u128.pow(17).max(1),
        // Base + modification lands exactly on a threshold above the base.
        2 => around(threshold * 10)
            .into_iter()
            .find(|t| *t > base)
            .map_or(base / 3, |t| t - base),
        3 => *rng.pick(&around(threshold)),
        _ => base / 7,
    };
    let base = if rng.next_u64().is_multiple_of(5) {
        base - base % 3
    } else {
        base
    };
    Numbers {
        training: None,
        base: (!rng.chance(0.15)).then_some(base),
        modification: Some(modification),
        turnover,
        revenue,
    }
}

/// One profile as TOML and as JSON, each number spelt independently in each.
fn twins(rng: &mut Rng, n: &Numbers, index: usize) -> (String, String) {
    let country = *rng.pick(&["FR", "DE", "US", "GB"]);
    let as_of = *rng.pick(&["2026-09-01", "2027-01-15", "2025-09-01"]);
    let sr = rng.chance(0.5);
    let mut spell = |v: Exact| {
        let all = spellings(v);
        all[(rng.next_u64() % all.len() as u64) as usize].clone()
    };
    let mut toml = format!(
        "schema_version = \"1.1\"\n[evaluation]\nas_of = {as_of}\n[provider]\nname = \"Twin {index}\"\ncountry = \"{country}\"\nworldwide_annual_turnover_eur = {}\nannual_gross_revenue_usd = {}\n[model]\nid = \"twin-{index}\"\noutput_modalities = [\"text\"]\n",
        spell(n.turnover),
        spell(n.revenue)
    );
    let mut json_model = format!("\"id\": \"twin-{index}\", \"output_modalities\": [\"text\"]");
    let (turnover_j, revenue_j) = (spell(n.turnover), spell(n.revenue));
    if let Some(t) = n.training {
        toml.push_str(&format!("training_compute_flop = {}\n", spell(t)));
        json_model.push_str(&format!(", \"training_compute_flop\": {}", spell(t)));
    }
    let mut json_derivation = String::new();
    if n.base.is_some() || n.modification.is_some() {
        toml.push_str("[derivation]\nbase_model_id = \"base\"\n");
        let mut fields = vec!["\"base_model_id\": \"base\"".to_string()];
        if let Some(b) = n.base {
            toml.push_str(&format!("base_training_compute_flop = {}\n", spell(b)));
            fields.push(format!("\"base_training_compute_flop\": {}", spell(b)));
            toml.push_str(&format!("base_is_systemic_risk = {sr}\n"));
            fields.push(format!("\"base_is_systemic_risk\": {sr}"));
        }
        if let Some(m) = n.modification {
            toml.push_str(&format!("modification_compute_flop = {}\n", spell(m)));
            fields.push(format!("\"modification_compute_flop\": {}", spell(m)));
        }
        json_derivation = format!(", \"derivation\": {{{}}}", fields.join(", "));
    }
    let rest_toml = "[release]\nfirst_external_release_date = 2026-10-01\nweights_public = false\nlicence_is_free_open_source = false\narchitecture_and_usage_info_public = false\ndeployed = true\ndeployment_date = 2026-06-01\n[eu]\nplaced_on_market = true\nplacing_date = 2026-10-01\ncommission_sr_decision = \"none\"\n[us]\ncyber_benchmark_result = \"meets_covered_threshold\"\n[ca]\ndeveloper_in_california = true\navailable_in_california = true\n";
    toml.push_str(rest_toml);
    let json = format!(
        "{{\"schema_version\": \"1.1\", \"evaluation\": {{\"as_of\": \"{as_of}\"}}, \"provider\": {{\"name\": \"Twin {index}\", \"country\": \"{country}\", \"worldwide_annual_turnover_eur\": {turnover_j}, \"annual_gross_revenue_usd\": {revenue_j}}}, \"model\": {{{json_model}}}{json_derivation}, \"release\": {{\"first_external_release_date\": \"2026-10-01\", \"weights_public\": false, \"licence_is_free_open_source\": false, \"architecture_and_usage_info_public\": false, \"deployed\": true, \"deployment_date\": \"2026-06-01\"}}, \"eu\": {{\"placed_on_market\": true, \"placing_date\": \"2026-10-01\", \"commission_sr_decision\": \"none\"}}, \"us\": {{\"cyber_benchmark_result\": \"meets_covered_threshold\"}}, \"ca\": {{\"developer_in_california\": true, \"available_in_california\": true}}}}"
    );
    (toml, json)
}

fn reports(regimes: &[Regime], text: &str, format: Format) -> Vec<RegimeReport> {
    let schema = juxta_tests::schema();
    let profile =
        Profile::parse(text, format, "twin", &schema).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let facts = Facts::new(&profile, &schema);
    regimes
        .iter()
        .map(|r| {
            let ev = r.evaluate(&facts, None).unwrap();
            RegimeReport::from_evaluation(r, &ev, &facts, "source")
        })
        .collect()
}

fn status(reports: &[RegimeReport], rule: &str) -> Status {
    reports
        .iter()
        .flat_map(|r| &r.rules)
        .find(|f| f.id == rule)
        .map(|f| f.status)
        .unwrap()
}

#[test]
fn toml_and_json_twins_get_byte_identical_reports_and_the_exact_answer() {
    let regimes: Vec<Regime> = regime_ids().iter().map(|id| regime(id)).collect();
    let mut rng = Rng::new(0x7117_5e25);
    let (mut thirds, mut sums_on_threshold, mut beyond_doubles) = (0, 0, 0);
    for index in 0..1500 {
        let n = draw(&mut rng);
        let (toml, json) = twins(&mut rng, &n, index);
        let from_toml = reports(&regimes, &toml, Format::Toml);
        let from_json = reports(&regimes, &json, Format::Json);
        let (a, b) = (
            serde_json::to_string(&from_toml).unwrap(),
            serde_json::to_string(&from_json).unwrap(),
        );
        assert!(a == b, "profile {index} differs:\n{toml}\n{json}");
        // The plain interpreter, exact too, agrees with the fast path on these boundaries.
        if index % 3 == 0 {
            let schema = juxta_tests::schema();
            let profile = Profile::parse(&toml, Format::Toml, "twin", &schema).unwrap();
            let facts = Facts::new(&profile, &schema);
            for r in &regimes {
                let fast = r.evaluate(&facts, None).unwrap();
                let plain = r.evaluate_reference(&facts, None).unwrap();
                for (i, rule) in r.rules.iter().enumerate() {
                    assert_eq!(
                        fast.rules[i].truth, plain.rules[i],
                        "profile {index} {}: fast path and interpreter disagree\n{toml}",
                        rule.id
                    );
                }
            }
        }

        // The exact answer, by integer arithmetic.
        if let (Some(base), Some(m)) = (n.base, n.modification) {
            let provider = 3 * m > base;
            assert_eq!(
                status(&from_toml, "EU-CLS-PROVIDER"),
                if provider {
                    Status::Applies
                } else {
                    Status::DoesNotApply
                },
                "profile {index}: 3 × {m} > {base} is {provider}\n{toml}"
            );
            let frontier = base + m > E26;
            assert_eq!(
                status(&from_toml, "CA-CLS-FRONTIER-MODEL") == Status::Applies,
                frontier,
                "profile {index}: {base} + {m} > 1e26 is {frontier}\n{toml}"
            );
            thirds += usize::from(3 * m == base);
            sums_on_threshold += usize::from([E23, E25, E26].contains(&(base + m)));
            // Where the doubles of the operands disagree with the exact answer.
            let doubled = 3.0 * (m as f64) > base as f64;
            beyond_doubles += usize::from(doubled != provider);
        }
        if let Some(t) = n.training {
            let frontier = t > E26;
            assert_eq!(
                status(&from_toml, "CA-CLS-FRONTIER-MODEL") == Status::Applies,
                frontier,
                "profile {index}: {t} > 1e26 is {frontier}\n{toml}"
            );
        }
    }
    // The draw really exercised the boundaries.
    assert!(thirds >= 50, "only {thirds} exact thirds");
    assert!(
        sums_on_threshold >= 30,
        "only {sums_on_threshold} sums exactly on a threshold"
    );
    assert!(
        beyond_doubles >= 10,
        "only {beyond_doubles} profiles where doubles answer wrong"
    );
}

#[test]
fn every_spelling_of_a_number_is_that_number() {
    use juxta_core::number::Number;
    for v in around(E25).into_iter().chain(around(3 * E25)) {
        let want = Number::parse_decimal(&v.to_string()).unwrap();
        for s in spellings(v) {
            assert_eq!(Number::parse_decimal(&s).unwrap(), want, "{s} is not {v}");
        }
    }
    let all = spellings(3 * E25);
    for s in ["3e25", "3.0e25", "3E+25", "30000000000000000000000000"] {
        assert!(all.iter().any(|x| x == s), "{s} missing from {all:?}");
    }
}
