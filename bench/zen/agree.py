#!/usr/bin/env python3
"""Compare juxta's and the zen port's statuses, record by record and rule by rule.

    python3 agree.py JUXTA_OUT.jsonl ZEN_OUT.jsonl

JUXTA_OUT is the output of `juxta batch IN -o JUXTA_OUT --regime eu-ai-act-gpai
--regime us-ai-eo-2026` (the default wide layout); ZEN_OUT that of `zen-bench IN ZEN_OUT` on the
same IN. Records are paired by line number (and their ids must match). For every regime and rule
of juxta's record the two statuses must be equal; a rule juxta has and zen does not, a record or
regime that failed on one side only, or a record on one side only counts as a disagreement too.
The computed values (`computed`: deadlines as dates, amounts compared as doubles) are compared as
well and reported apart. Exit status 0 when nothing disagrees, 1 otherwise.
"""

import json
import sys
from collections import Counter


def load(path):
    with open(path, encoding="utf-8") as f:
        return {r["line"]: r for r in map(json.loads, f)}


def same_value(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return a == b


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    jx, zn = load(argv[1]), load(argv[2])
    records = compared = 0
    rule_dis, comp_dis, other = Counter(), Counter(), Counter()
    statuses = Counter()
    examples = []

    def note(kind, line, what):
        if len(examples) < 10:
            examples.append(f"  line {line}: {kind}: {what}")

    for line in sorted(set(jx) | set(zn)):
        records += 1
        j, z = jx.get(line), zn.get(line)
        if j is None or z is None:
            other["record on one side only"] += 1
            note("record", line, "juxta only" if z is None else "zen only")
            continue
        if j.get("id") != z.get("id"):
            other["ids differ"] += 1
            note("id", line, f"{j.get('id')!r} vs {z.get('id')!r}")
        if j.get("error") or z.get("error"):
            if not (j.get("error") and z.get("error")):
                other["record failed on one side"] += 1
                note("error", line, j.get("error") or z.get("error"))
            continue
        for rid, jr in j["regimes"].items():
            zr = z["regimes"].get(rid)
            if zr is None or jr.get("error") or zr.get("error"):
                if zr is None or bool(jr.get("error")) != bool(zr.get("error")):
                    other["regime failed or missing on one side"] += 1
                    note(rid, line, (jr.get("error") or (zr or {}).get("error") or "missing"))
                continue
            for rule, js in jr["rules"].items():
                compared += 1
                statuses[js] += 1
                zs = zr["rules"].get(rule)
                if zs != js:
                    rule_dis[f"{rid} {rule}"] += 1
                    note("rule", line, f"{rule}: juxta {js}, zen {zs}")
            for rule in zr["rules"].keys() - jr["rules"].keys():
                other["rule in zen only"] += 1
                note("rule", line, f"{rule} in zen only")
            jc, zc = jr.get("computed", {}), zr.get("computed", {})
            for name in jc.keys() | zc.keys():
                if not same_value(jc.get(name), zc.get(name)):
                    comp_dis[f"{rid} {name}"] += 1
                    note("computed", line, f"{name}: juxta {jc.get(name)!r}, zen {zc.get(name)!r}")

    total = sum(rule_dis.values()) + sum(other.values())
    print(f"records: {records}; rule statuses compared: {compared} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))})")
    print(f"rule disagreements: {sum(rule_dis.values())}; other disagreements: {sum(other.values())}; "
          f"computed-value disagreements: {sum(comp_dis.values())}")
    if compared:
        print(f"agreement on rules: {100.0 * (compared - sum(rule_dis.values())) / compared:.4f} %")
    for k, v in (rule_dis + comp_dis + other).most_common():
        print(f"  {v:8}  {k}")
    if examples:
        print("first disagreements:")
        print("\n".join(examples))
    sys.exit(1 if total or comp_dis else 0)


if __name__ == "__main__":
    main(sys.argv)
