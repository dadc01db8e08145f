//! Realistic, varied model profiles for tests, benchmarks and pipeline trials
//! (`juxta generate`).
//!
//! Profiles come from archetypes seen in the legal cases — closed frontier models, open-weights
//! releases, specialised models, fine-tunes above and below a third of their base, legacy
//! models, designated and rebutted models, covered pre-release models, vulnerability-detection
//! start-ups — with compute clustered around the legal thresholds (including exactly 1e23 and
//! 1e25), dates around the days the law changes, and a share of facts left unknown. The output
//! is a pure function of the seed: the same seed gives the same bytes on every machine.

use serde_json::{Map, Value, json};

/// A small deterministic generator (SplitMix64): no dependency, identical on every platform.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform float in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A uniform integer in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as i64
    }

    /// One of the items.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
}

const EU: &[&str] = &[
    "FR", "DE", "NL", "IT", "ES", "SE", "FI", "IE", "PL", "LT", "GR", "EL", "AT",
];
const NON_EU: &[&str] = &[
    "US", "US", "US", "GB", "CN", "CA", "CH", "JP", "KR", "IL", "NO", "AE",
];
const LICENCES: &[&str] = &[
    "Apache-2.0",
    "MIT",
    "proprietary",
    "llama-style community licence",
    "CC-BY-4.0",
    "OpenRAIL-M",
];
const NAMES: &[&str] = &[
    "Northwind",
    "Lumen",
    "Cascade",
    "Sequana",
    "Redwood",
    "Thameside",
    "Kleinwerk",
    "Pinecrest",
    "Calanque",
    "Rheinblick",
    "Sentinel",
    "Aurora",
    "Baltic",
    "Meridian",
];

/// A date as `YYYY-MM-DD`, `days` after 2024-01-01.
fn date(days: i64) -> String {
    let start = juxta_sdk::Date::new(2024, 1, 1)
        .map(|d| d.days_since_epoch())
        .unwrap_or(0);
    juxta_sdk::Date::from_days_since_epoch(start + days.clamp(0, 4000))
        .map(|d| d.to_string())
        .unwrap_or_else(|_| "2026-01-01".into())
}

/// Log-uniform compute between 10^lo and 10^hi, sometimes exactly on a threshold.
fn compute(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    if rng.chance(0.04) {
        return *rng.pick(&[1e23, 1e25, 1e26]);
    }
    let exp = lo + rng.unit() * (hi - lo);
    let v = 10f64.powf(exp);
    // Two significant digits, as labs report compute.
    let scale = 10f64.powi(v.log10().floor() as i32 - 1);
    (v / scale).round() * scale
}

/// The archetypes, with their weights.
const ARCHETYPES: &[(&str, u32)] = &[
    ("frontier-closed", 14),
    ("open-weights", 16),
    ("mid-closed", 16),
    ("small", 10),
    ("specialised", 6),
    ("fine-tune", 14),
    ("legacy", 8),
    ("designated-or-rebutted", 5),
    ("us-only", 6),
    ("vuln-startup", 5),
];

/// Generates profile number `index` (as a JSON object).
pub fn profile(rng: &mut Rng, index: u64) -> Value {
    let total: u32 = ARCHETYPES.iter().map(|(_, w)| w).sum();
    let mut roll = (rng.next_u64() % u64::from(total)) as u32;
    let archetype = ARCHETYPES
        .iter()
        .find(|(_, w)| {
            if roll < *w {
                true
            } else {
                roll -= w;
                false
            }
        })
        .map_or("small", |(a, _)| a);

    let as_of = rng.range(500, 1460); // 2025-05 .. 2027-12
    let eu_provider = rng.chance(0.35) || archetype == "open-weights" && rng.chance(0.4);
    let country = if eu_provider {
        rng.pick(EU)
    } else {
        rng.pick(NON_EU)
    };
    let name = format!(
        "{} {}",
        rng.pick(NAMES),
        rng.pick(&["AI", "Labs", "Intelligence", "Systems", "Models"])
    );
    let (lo, hi) = match archetype {
        "frontier-closed" | "designated-or-rebutted" => (24.8, 26.6),
        "open-weights" => (22.5, 25.3),
        "mid-closed" => (23.5, 25.2),
        "small" | "vuln-startup" => (21.0, 23.3),
        "specialised" => (22.8, 24.0),
        "legacy" => (23.5, 25.8),
        _ => (23.0, 26.0),
    };
    let training = compute(rng, lo, hi);
    let placing = match archetype {
        "legacy" => rng.range(120, 577), // 2024-05 .. 2025-07-31 (and sometimes the boundary)
        _ => as_of + rng.range(-400, 240),
    };
    let placing = if rng.chance(0.03) { 578 } else { placing }; // exactly 2025-08-02
    let release = placing - if rng.chance(0.2) { rng.range(1, 60) } else { 0 };
    let open = archetype == "open-weights" || (archetype == "fine-tune" && rng.chance(0.4));

    let mut provider = Map::new();
    provider.insert("name".into(), json!(name));
    provider.insert("country".into(), json!(country));
    provider.insert(
        "worldwide_annual_turnover_eur".into(),
        json!(compute(rng, 5.5, 11.3).round()),
    );
    provider.insert(
        "builds_ai_vuln_detection_tools".into(),
        json!(archetype == "vuln-startup" || rng.chance(0.03)),
    );

    let mut model = Map::new();
    model.insert("id".into(), json!(format!("model-{index:07}")));
    let modalities: &[&str] = match archetype {
        "specialised" => &["text"],
        "small" if rng.chance(0.3) => &["other"],
        _ if rng.chance(0.4) => &["text", "speech", "text_to_image"],
        _ => &["text"],
    };
    model.insert("output_modalities".into(), json!(modalities));
    if archetype == "specialised" {
        model.insert("significant_generality".into(), json!(false));
    }
    if training > 1e25 || rng.chance(0.1) {
        model.insert(
            "sr_threshold_date".into(),
            json!(date(placing - rng.range(14, 200))),
        );
    }

    let mut doc = Map::new();
    doc.insert("schema_version".into(), json!("1"));
    doc.insert("evaluation".into(), json!({ "as_of": date(as_of) }));

    if archetype == "fine-tune" {
        let base = compute(rng, 23.5, 25.8);
        let share = *rng.pick(&[0.05, 0.2, 1.0 / 3.0, 0.34, 0.5, 1.2]);
        let mut derivation = Map::new();
        derivation.insert(
            "base_model_id".into(),
            json!(format!("base-{}", rng.range(1, 40))),
        );
        derivation.insert("base_training_compute_flop".into(), json!(base));
        derivation.insert("base_is_systemic_risk".into(), json!(base > 1e25));
        derivation.insert("modification_compute_flop".into(), json!(base * share));
        if rng.chance(0.25) {
            derivation.remove("base_training_compute_flop");
        }
        doc.insert("derivation".into(), Value::Object(derivation));
    } else {
        model.insert("training_compute_flop".into(), json!(training));
    }

    let mut release_t = Map::new();
    release_t.insert("first_external_release_date".into(), json!(date(release)));
    release_t.insert("weights_public".into(), json!(open));
    release_t.insert(
        "licence".into(),
        json!(if open {
            rng.pick(&LICENCES[..2])
        } else {
            rng.pick(LICENCES)
        }),
    );
    release_t.insert(
        "licence_is_free_open_source".into(),
        json!(open && rng.chance(0.85)),
    );
    release_t.insert("architecture_and_usage_info_public".into(), json!(open));

    let mut eu = Map::new();
    let in_eu = archetype != "us-only" && archetype != "vuln-startup" && rng.chance(0.9);
    eu.insert("placed_on_market".into(), json!(in_eu));
    if in_eu {
        eu.insert("placing_date".into(), json!(date(placing)));
    }
    let decision = match archetype {
        "designated-or-rebutted" => *rng.pick(&[
            "designated",
            "rebuttal_accepted",
            "rebuttal_pending",
            "rebuttal_rejected",
        ]),
        _ => "none",
    };
    eu.insert("commission_sr_decision".into(), json!(decision));
    eu.insert("cop_signatory".into(), json!(rng.chance(0.5)));

    let mut us = Map::new();
    if training > 5e24 && rng.chance(0.6) {
        let meets = training > 2e25 && rng.chance(0.6);
        us.insert(
            "cyber_benchmark_result".into(),
            json!(if meets {
                "meets_covered_threshold"
            } else {
                "below_covered_threshold"
            }),
        );
    }
    us.insert("program_participant".into(), json!(rng.chance(0.4)));

    doc.insert("provider".into(), Value::Object(provider));
    doc.insert("model".into(), Value::Object(model));
    doc.insert("release".into(), Value::Object(release_t));
    doc.insert("eu".into(), Value::Object(eu));
    doc.insert("us".into(), Value::Object(us));

    // Unknowns: each optional fact is left out with a small probability.
    for table in ["provider", "model", "release", "eu", "us", "derivation"] {
        if let Some(Value::Object(t)) = doc.get_mut(table) {
            let keys: Vec<String> = t.keys().cloned().collect();
            for k in keys {
                if k != "id" && rng.chance(0.07) {
                    t.remove(&k);
                }
            }
        }
    }
    schema_1_1_and_california(rng, &mut doc, archetype, release, country);
    Value::Object(doc)
}

/// The facts schemas 1.1 and 1.2 add, the `ca` and then the `ny` namespace: drawn after
/// everything else, so the facts of schema 1 are the same for a seed as before they existed.
fn schema_1_1_and_california(
    rng: &mut Rng,
    doc: &mut Map<String, Value>,
    archetype: &str,
    release: i64,
    country: &str,
) {
    let add = |doc: &mut Map<String, Value>, table: &str, key: &str, value: Value| {
        if let Some(Value::Object(t)) = doc.get_mut(table) {
            t.insert(key.into(), value);
        }
    };
    let revenue = if rng.chance(0.03) {
        5e8 // exactly the large-developer threshold
    } else {
        compute(rng, 6.5, 11.3).round()
    };
    let deployed = rng.chance(0.85);
    let deployment = release + if rng.chance(0.3) { rng.range(0, 45) } else { 0 };
    let drop = |rng: &mut Rng| rng.chance(0.07);
    if !drop(rng) {
        add(doc, "provider", "annual_gross_revenue_usd", json!(revenue));
    }
    if !drop(rng) {
        add(doc, "release", "deployed", json!(deployed));
    }
    if deployed && !drop(rng) && rng.chance(0.8) {
        add(doc, "release", "deployment_date", json!(date(deployment)));
    }
    let mut ca = Map::new();
    let in_california = if country == "US" {
        rng.chance(0.5)
    } else {
        rng.chance(0.05)
    };
    ca.insert("developer_in_california".into(), json!(in_california));
    ca.insert(
        "available_in_california".into(),
        json!(archetype != "us-only" || rng.chance(0.8)),
    );
    let other = match archetype {
        "frontier-closed" | "designated-or-rebutted" => rng.chance(0.6),
        _ => rng.chance(0.05),
    };
    // Facts schema 1.2 made this a core fact; a few profiles still write the old name.
    let old_name = rng.chance(0.1);
    if old_name {
        ca.insert("has_other_frontier_model".into(), json!(other));
    }
    if rng.chance(0.05) {
        ca.insert(
            "incident_discovery_date".into(),
            json!(date(release + rng.range(0, 300))),
        );
        ca.insert("incident_imminent_risk".into(), json!(rng.chance(0.3)));
    }
    let keys: Vec<String> = ca.keys().cloned().collect();
    for k in keys {
        if drop(rng) {
            ca.remove(&k);
        }
    }
    doc.insert("ca".into(), Value::Object(ca));
    if !old_name && !drop(rng) {
        add(doc, "provider", "has_other_frontier_model", json!(other));
    }
    doc.insert("schema_version".into(), json!("1.2"));
    new_york(rng, doc, archetype, release, country, other);
}

/// The `ny` namespace: drawn last, so the earlier facts are the same for a seed as before.
fn new_york(
    rng: &mut Rng,
    doc: &mut Map<String, Value>,
    archetype: &str,
    release: i64,
    country: &str,
    other: bool,
) {
    let mut ny = Map::new();
    let us = country == "US";
    ny.insert(
        "developed_in_new_york".into(),
        json!(if us {
            rng.chance(0.3)
        } else {
            rng.chance(0.03)
        }),
    );
    ny.insert(
        "deployed_in_new_york".into(),
        json!(archetype != "vuln-startup" && rng.chance(0.85)),
    );
    ny.insert("operating_in_new_york".into(), json!(rng.chance(0.5)));
    if other {
        ny.insert(
            "other_frontier_model_in_new_york".into(),
            json!(rng.chance(0.7)),
        );
    }
    if rng.chance(0.02) {
        ny.insert(
            "section_1426_exception".into(),
            json!(*rng.pick(&["ny_academic_research", "empire_ai", "none"])),
        );
    }
    if rng.chance(0.05) {
        ny.insert(
            "incident_trigger_date".into(),
            json!(date(release + rng.range(0, 300))),
        );
        ny.insert("incident_imminent_risk".into(), json!(rng.chance(0.3)));
    }
    let keys: Vec<String> = ny.keys().cloned().collect();
    for k in keys {
        if rng.chance(0.07) {
            ny.remove(&k);
        }
    }
    doc.insert("ny".into(), Value::Object(ny));
}

/// One line of a deliberately broken file: malformed JSON or a profile that fails validation.
pub fn broken_line(rng: &mut Rng, index: u64) -> String {
    match rng.range(0, 4) {
        0 => format!("{{\"schema_version\": \"1\", \"model\": {{\"id\": \"model-{index:07}\""),
        1 => format!(
            "{{\"schema_version\": \"1\", \"evaluation\": {{\"as_of\": \"2026-02-30\"}}, \"model\": {{\"id\": \"model-{index:07}\"}}}}"
        ),
        2 => format!(
            "{{\"schema_version\": \"1\", \"evaluation\": {{\"as_of\": \"2026-09-01\"}}, \"model\": {{\"id\": \"model-{index:07}\", \"training_compute_flops\": 3e25}}}}"
        ),
        3 => "not json at all".to_string(),
        _ => format!(
            "{{\"schema_version\": \"1\", \"evaluation\": {{\"as_of\": \"2026-09-01\"}}, \"model\": {{\"id\": \"model-{index:07}\", \"training_compute_flop\": -5}}}}"
        ),
    }
}

/// `count` profiles as JSON Lines; every `broken_every`-th line (if any) is broken.
pub fn jsonl(seed: u64, count: u64, broken_every: Option<u64>) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::new();
    for i in 0..count {
        let line = match broken_every {
            Some(k) if k > 0 && (i + 1) % k == 0 => broken_line(&mut rng, i),
            _ => profile(&mut rng, i).to_string(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        assert_eq!(jsonl(7, 50, Some(10)), jsonl(7, 50, Some(10)));
        assert_ne!(jsonl(7, 50, None), jsonl(8, 50, None));
    }

    #[test]
    fn every_archetype_appears() {
        let text = jsonl(1, 2000, None);
        assert!(text.contains("\"derivation\""));
        assert!(text.contains("rebuttal_accepted"));
        assert!(text.contains("meets_covered_threshold"));
        assert!(text.contains("\"significant_generality\":false"));
    }
}
