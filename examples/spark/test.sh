#!/usr/bin/env bash
# Runs juxta on Apache Spark (local mode) and checks the result equals `juxta batch` run
# directly on the same file, record for record. Needs Python 3 and Java 17; installs PySpark
# from PyPI if it is missing.
#
#   JUXTA=target/debug/juxta examples/spark/test.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
juxta="$(realpath "${JUXTA:-target/debug/juxta}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -c "import pyspark" 2>/dev/null || python3 -m pip install --quiet "pyspark==3.5.3"

"$juxta" generate -n 5000 --seed 7 --broken-every 97 -o "$work/profiles.jsonl"
code=0
"$juxta" batch "$work/profiles.jsonl" -o "$work/direct.jsonl" --quiet || code=$?
[ "$code" = 3 ] || { echo "expected exit 3 (some records broken), got $code"; exit 1; }

python3 "$here/evaluate.py" --juxta "$juxta" --input "$work/profiles.jsonl" --output "$work/spark" --partitions 4 2> "$work/spark.log" \
  || { tail -50 "$work/spark.log"; exit 1; }

python3 - "$work/direct.jsonl" "$work/spark" <<'PY'
import glob, json, sys
direct = [json.loads(l) for l in open(sys.argv[1])]
spark = [json.loads(l) for f in sorted(glob.glob(sys.argv[2] + "/part-*")) for l in open(f)]
assert len(direct) == 5000, len(direct)
assert len(spark) == len(direct), (len(spark), len(direct))
for d, s in zip(direct, spark):
    assert d == s, f"line {d['line']} differs:\n direct {d}\n spark  {s}"
errors = sum(1 for d in direct if d["error"])
regimes = {"eu-ai-act-gpai", "us-ai-eo-2026", "us-ca-sb53", "us-ny-raise"}
assert all(set(d["regimes"]) == regimes for d in direct if not d["error"]), "four columns per record"
print(f"spark: {len(spark)} records over 4 partitions equal `juxta batch` ({errors} error records in-band)")
PY
