#!/usr/bin/env python3
"""Complete `juxta generate` profiles for the zen comparison.

    python3 complete.py IN.jsonl OUT.jsonl [--seed N]

`juxta generate` leaves facts out on purpose (a quarter of its profiles lack a placing date, three
quarters a US benchmark result), and the zen port covers complete profiles only: those where every
fact that a rule of eu-ai-act-gpai or us-ai-eo-2026 reads outside a `has()` test is present, and
the facts of their computed values too (README.md, "Complete profiles"). This script keeps every
fact a profile gives and fills in each missing one with a plausible value drawn from a generator
seeded by the seed and the line number, so the same input and seed give the same output.

Facts read only under `has()` stay as generated, present or absent, since both engines decide
without them: `model.significant_generality` (absent: the indicative criterion decides),
`derivation.base_training_compute_flop` (absent: the Guidelines' fallback thresholds, which then
need `derivation.base_is_systemic_risk`), and the presence of `[derivation]` itself. Some
derivatives keep `model.training_compute_flop` absent where base and modification compute are
both known, so the derived value `C` takes its fallback (base + modification).

Numbers are written so that the law's boundaries occur: exactly 1e23 and 1e25 FLOP, and
modifications of exactly one third of the base model's compute (1e25 of 3e25), which only exact
arithmetic decides correctly. Profiles stay valid: cumulative compute is never below the
modification compute it includes. Lines that are not JSON objects are dropped (and counted).
"""

import argparse
import json
import random
import sys
from datetime import date, timedelta

COMPUTE = [6.4e21, 5e22, 1e23, 1.5e23, 8e23, 2.8e24, 9e24, 1e25, 1.2e25, 3e25, 8e25, 1e26, 4e26]
MODALITIES = [["text"], ["text", "speech"], ["text", "speech", "text_to_image"], ["text_to_image"],
              ["text_to_video"], ["other"], ["other", "text"], ["speech"]]
COUNTRIES = ["US", "US", "US", "GB", "FR", "DE", "CN", "CA", "EL", "GR", "IE", "CH", "NO", "JP", "NL"]
DECISIONS = ["none"] * 12 + ["designated", "rebuttal_pending", "rebuttal_accepted", "rebuttal_rejected"]
TURNOVER = [2.5e6, 4.3e6, 1.8e7, 9.1e7, 5.3e8, 8e9, 1.8e10, 1.234567891e11]


def some_date(rng):
    return (date(2024, 6, 1) + timedelta(days=rng.randrange(0, 5 * 365))).isoformat()


def fill(table, key, value):
    """Set table[key] to value() unless the profile gives it; return the value now in force."""
    if key not in table:
        table[key] = value()
    return table[key]


def complete(p, rng):
    model = p.setdefault("model", {})
    eu = p.setdefault("eu", {})
    us = p.setdefault("us", {})
    release = p.setdefault("release", {})
    provider = p.setdefault("provider", {})

    # Derivation: the modification compute is read outside has(); the base compute is optional,
    # and without it the base model's systemic-risk status decides.
    d = p.get("derivation")
    if d is not None:
        own = model.get("training_compute_flop")
        if "modification_compute_flop" not in d:
            if "base_training_compute_flop" in d and rng.random() < 0.3:
                # exactly one third, or just above it
                b = d["base_training_compute_flop"]
                d["modification_compute_flop"] = b / 3 if rng.random() < 0.5 else b / 2
            else:
                d["modification_compute_flop"] = rng.choice(COMPUTE[:9])
            if own is not None and d["modification_compute_flop"] > own:
                d["modification_compute_flop"] = own
        if "base_training_compute_flop" not in d:
            fill(d, "base_is_systemic_risk", lambda: rng.random() < 0.3)
        if own is None and not ("base_training_compute_flop" in d and rng.random() < 0.5):
            m = d["modification_compute_flop"]
            model["training_compute_flop"] = max(m, m + d.get("base_training_compute_flop", rng.choice(COMPUTE)))

    else:
        fill(model, "training_compute_flop", lambda: rng.choice(COMPUTE))
    fill(model, "output_modalities", lambda: list(rng.choice(MODALITIES)))
    fill(model, "sr_threshold_date", lambda: some_date(rng))

    fill(eu, "placed_on_market", lambda: rng.random() < 0.8)
    fill(eu, "commission_sr_decision", lambda: rng.choice(DECISIONS))
    released = fill(release, "first_external_release_date", lambda: some_date(rng))
    fill(eu, "placing_date", lambda: released if rng.random() < 0.7 else some_date(rng))

    fill(release, "licence_is_free_open_source", lambda: rng.random() < 0.3)
    fill(release, "weights_public", lambda: rng.random() < 0.35)
    fill(release, "architecture_and_usage_info_public", lambda: rng.random() < 0.35)

    fill(provider, "country", lambda: rng.choice(COUNTRIES))
    fill(provider, "worldwide_annual_turnover_eur", lambda: rng.choice(TURNOVER))
    fill(provider, "builds_ai_vuln_detection_tools", lambda: rng.random() < 0.2)

    fill(us, "cyber_benchmark_result",
         lambda: rng.choice(["meets_covered_threshold", "below_covered_threshold"]))
    return p


def main():
    ap = argparse.ArgumentParser(description="Complete `juxta generate` profiles for the zen comparison.")
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--seed", type=int, default=0, help="seed of the filled-in values (default 0)")
    a = ap.parse_args()
    kept = dropped = 0
    with open(a.input, encoding="utf-8") as src, open(a.output, "w", encoding="utf-8") as dst:
        for n, line in enumerate(src, 1):
            try:
                p = json.loads(line)
            except ValueError:
                p = None
            if not isinstance(p, dict):
                dropped += 1
                continue
            complete(p, random.Random(f"{a.seed}:{n}"))
            dst.write(json.dumps(p, separators=(",", ":"), sort_keys=True) + "\n")
            kept += 1
    print(f"complete.py: {kept} profiles written, {dropped} lines dropped", file=sys.stderr)


if __name__ == "__main__":
    main()
