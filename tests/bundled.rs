//! The bundled plugins are exactly the regimes in `regimes/`, checksummed, and import nothing.

use std::sync::Arc;

use juxta_host::bundled::{BUNDLED, sha256_hex};
use juxta_host::{Limits, Sandbox};

#[test]
fn each_bundled_manifest_is_its_regime_toml() {
    let sandbox = Sandbox::new(Limits::default()).unwrap();
    for b in BUNDLED {
        let plugin = sandbox
            .load(b.bytes, b.id())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut instance = sandbox.instantiate(&plugin, b.id(), None).unwrap();
        let manifest = instance.manifest().unwrap();
        let source = std::fs::read_to_string(
            juxta_tests::repo()
                .join("regimes")
                .join(b.id())
                .join("regime.toml"),
        )
        .unwrap();
        assert!(
            manifest == source,
            "plugins/dist/{} is stale: its manifest differs from regimes/{}/regime.toml; run `cargo run -- regime build plugins/{}`",
            b.file,
            b.id(),
            b.id()
        );
    }
}

/// Each bundled manifest as `build.rs` read it (JSON, which starting juxta reads instead of the
/// TOML) is what reading its text gives, spans included, and it compiles to the same regime.
#[test]
fn each_bundled_manifest_as_read_is_its_text_read() {
    for b in BUNDLED {
        let text = b.manifest.unwrap();
        let json = b
            .read
            .unwrap_or_else(|| panic!("{}: built without its manifest as read", b.id()));
        let source = juxta_core::regime::Source {
            origin: b.id(),
            text,
        };
        let read = juxta_core::regime::Regime::read(&source).unwrap_or_else(|e| panic!("{e}"));
        let decoded: juxta_sdk::manifest::Manifest = serde_json::from_str(json).unwrap();
        assert_eq!(format!("{decoded:?}"), format!("{read:?}"), "{}", b.id());
        assert_eq!(serde_json::to_string(&read).unwrap(), json, "{}", b.id());
        // Each expression's span is where its text is.
        for (name, block) in decoded.blocks.iter() {
            let span = block.condition.span();
            assert!(
                text[span].contains(block.condition.get_ref().as_str()),
                "{}: block {name}",
                b.id()
            );
        }
    }
}

/// Each bundled manifest's parse cache is what the parser gives its expressions today: written
/// again and compared byte for byte (`JUXTA_BLESS=1` writes it instead, as `juxta regime
/// build` does). A stale cache would only be slower, never wrong (a text it lacks is parsed),
/// but the cold start is measured with it.
#[test]
fn each_bundled_parse_cache_is_fresh() {
    let set = juxta_host::RegimeSet::bundled(Arc::new(Sandbox::new(Limits::default()).unwrap()));
    let bless = std::env::var_os("JUXTA_BLESS").is_some();
    for b in BUNDLED {
        let manifest = b.manifest.unwrap();
        let origin = format!("regimes/{}/regime.toml", b.id());
        let source = juxta_core::regime::Source {
            origin: &origin,
            text: manifest,
        };
        let fresh = juxta_core::regime::Regime::parse_cache(&source, Arc::clone(set.schema()))
            .unwrap_or_else(|e| panic!("{e}"));
        let path = juxta_tests::repo()
            .join("plugins/dist")
            .join(format!("{}.parsed", b.id()));
        if bless {
            std::fs::write(&path, &fresh).unwrap();
            continue;
        }
        assert!(
            b.parsed == Some(fresh.as_slice()),
            "plugins/dist/{}.parsed is stale (or missing): run `cargo run -- regime build plugins/{}`, or `JUXTA_BLESS=1 cargo test -p juxta-tests --test juxta bundled::each_bundled_parse_cache_is_fresh`",
            b.id(),
            b.id()
        );
        // Every expression of the manifest is in it, and each reads back as parsed.
        let cache = juxta_core::regime::parsed::ParseCache::new(b.parsed.unwrap()).unwrap();
        assert!(cache.len() > 10, "{}: {} expressions", b.id(), cache.len());
    }
}

#[test]
fn every_regime_is_bundled() {
    let bundled: Vec<&str> = BUNDLED.iter().map(|b| b.id()).collect();
    for id in juxta_tests::regime_ids() {
        assert!(bundled.contains(&id.as_str()), "regime {id} is not bundled");
    }
}

#[test]
fn bundled_plugins_match_their_checksums() {
    for b in BUNDLED {
        let sha = b.verified_sha256().unwrap_or_else(|e| panic!("{e}"));
        // build.rs computed it from the file: it is the embedded bytes' checksum.
        assert_eq!(
            sha,
            sha256_hex(b.bytes),
            "{}: the checksum build.rs computed",
            b.file
        );
        let on_disk = std::fs::read(juxta_tests::repo().join("plugins/dist").join(b.file)).unwrap();
        assert_eq!(
            on_disk, b.bytes,
            "the embedded {} is not the file in plugins/dist",
            b.file
        );
    }
}

#[test]
fn bundled_plugins_import_nothing_and_speak_abi_1() {
    let sandbox = Sandbox::new(Limits::default()).unwrap();
    for b in BUNDLED {
        // `load` refuses any import; it also checks the exported interface and its version.
        let plugin = sandbox
            .load(b.bytes, b.id())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plugin.abi_version(), "1.0.0");
    }
    let set = juxta_host::RegimeSet::bundled(Arc::new(sandbox));
    assert_eq!(set.entries().len(), BUNDLED.len());
}

#[test]
fn the_bundled_regimes_evaluate_without_the_interpreter() {
    for id in juxta_tests::regime_ids() {
        let regime = juxta_tests::regime(&id);
        assert_eq!(
            regime.interpreted_leaves(),
            Vec::<&str>::new(),
            "regime {id}: leaves without a native form"
        );
    }
}

#[test]
fn every_counterpart_names_a_bundled_regime_and_one_of_its_rules() {
    let regimes: Vec<_> = juxta_tests::regime_ids()
        .iter()
        .map(|id| juxta_tests::regime(id))
        .collect();
    let mut checked = 0;
    for r in &regimes {
        for rule in &r.rules {
            for c in &rule.counterparts {
                let other = regimes
                    .iter()
                    .find(|o| o.id() == c.regime)
                    .unwrap_or_else(|| panic!("{}: no regime `{}`", rule.id, c.regime));
                if let Some(id) = &c.rule {
                    assert!(
                        other.rules.iter().any(|x| &x.id == id),
                        "{}: `{}` has no rule `{id}`",
                        rule.id,
                        c.regime
                    );
                }
                assert!(!c.difference.trim().is_empty(), "{}", rule.id);
                checked += 1;
            }
        }
    }
    // New York and California cross-reference each other.
    assert!(checked >= 40, "only {checked} counterparts");
}

#[test]
fn the_bundled_regimes_are_far_within_the_hosts_budget() {
    use juxta_core::regime::budget::{MAX_LEAF_COST, MAX_REGIME_COST};
    for id in juxta_tests::regime_ids() {
        let r = juxta_tests::regime(&id);
        let worst = (0..r.rules.len()).map(|i| r.rule_cost(i)).max().unwrap();
        let total = r.total_cost();
        eprintln!("{id}: the most expensive rule costs {worst} steps, the regime {total}");
        assert!(worst * 100 < MAX_LEAF_COST, "{id}: {worst}");
        assert!(total * 100 < MAX_REGIME_COST, "{id}: {total}");
    }
}

/// A parse cache names the cel version whose parser made its trees: the one in Cargo.lock.
#[test]
fn the_parse_caches_name_the_locked_cel() {
    let lock = std::fs::read_to_string(juxta_tests::repo().join("Cargo.lock")).unwrap();
    let locked = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"cel\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
        .map(|v| v.trim_matches('"').to_string());
    assert_eq!(
        locked.as_deref(),
        Some(juxta_core::regime::parsed::CEL_VERSION),
        "cel was upgraded: set CEL_VERSION in kernel/core/src/regime/parsed.rs and rebuild the bundled plugins"
    );
}

/// `juxta regime build` writes a regime's parse cache against the schema of that regime alone;
/// the bundled binary compiles it against every regime's: the two caches are the same bytes.
#[test]
fn a_parse_cache_does_not_depend_on_the_other_regimes() {
    for b in BUNDLED {
        let manifest = b.manifest.unwrap();
        let alone = Arc::new(juxta_core::regime::schema_for([manifest]).unwrap());
        let source = juxta_core::regime::Source {
            origin: b.id(),
            text: manifest,
        };
        let cache = juxta_core::regime::Regime::parse_cache(&source, alone)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(b.parsed == Some(cache.as_slice()), "{}", b.id());
    }
}
