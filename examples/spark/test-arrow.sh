#!/usr/bin/env bash
# Runs juxta in Spark's own Python workers (local mode, `mapInArrow`, four partitions) and checks
# the result equals `juxta batch` run directly on the same Parquet inventory, record for record.
# Needs Java 17, PySpark and the juxta package (pip install ./bindings/python).
#
#   JUXTA=target/debug/juxta examples/spark/test-arrow.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
juxta="$(realpath "${JUXTA:-target/debug/juxta}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -c "import pyspark, pandas" 2>/dev/null || python3 -m pip install --quiet "pyspark==3.5.3" pandas

# An inventory as a lake holds it: struct columns, Zstandard, its own row number, and a
# column juxta does not know (left out, and named in the summary).
"$juxta" generate -n 5000 --seed 7 --broken-every 97 -o "$work/profiles.jsonl"
python3 - "$work/profiles.jsonl" "$work/inventory.parquet" <<'PY'
import json, sys
import pyarrow as pa, pyarrow.parquet as pq
rows = []
for line in open(sys.argv[1]):
    try:
        rows.append(json.loads(line))
    except ValueError:
        pass  # a malformed line cannot be a row of a table; invalid profiles stay
table = pa.Table.from_pylist(rows)
table = table.append_column("row", pa.array(range(1, len(rows) + 1), pa.int64()))
table = table.append_column("owner_team", pa.array([f"team-{i % 5}" for i in range(len(rows))]))
pq.write_table(table, sys.argv[2], compression="zstd", row_group_size=700)
PY
code=0
"$juxta" batch "$work/inventory.parquet" -o "$work/direct.parquet" --passthrough owner_team 2> "$work/batch.log" || code=$?
[ "$code" = 3 ] || { cat "$work/batch.log"; echo "expected exit 3 (some records invalid), got $code"; exit 1; }
grep -qE 'left out: (.*, )?`row`( |,|$)' "$work/batch.log" || { cat "$work/batch.log"; echo "the unknown column is not named"; exit 1; }

python3 "$here/evaluate_arrow.py" --input "$work/inventory.parquet" --output "$work/spark" \
  --line-column row --passthrough owner_team --partitions 4 2> "$work/spark.log" \
  || { tail -50 "$work/spark.log"; exit 1; }

python3 - "$work/direct.parquet" "$work/spark" <<'PY'
import sys
import pyarrow.parquet as pq
direct = pq.read_table(sys.argv[1])
spark = pq.read_table(sys.argv[2]).sort_by("line")
assert spark.column_names == direct.column_names, (spark.column_names, direct.column_names)
d, s = direct.to_pylist(), spark.to_pylist()
assert len(d) == len(s) == direct.num_rows, (len(d), len(s))
for a, b in zip(d, s):
    assert a == b, f"line {a['line']} differs:\n direct {a}\n spark  {b}"
errors = sum(1 for a in d if a["error"])
assert errors > 0, "the inventory has invalid profiles"
files = len(list(pq.ParquetDataset(sys.argv[2]).files))
print(f"spark mapInArrow: {len(s)} records from {files} files equal `juxta batch` ({errors} error records in-band)")
PY
