#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds from the repository: profiles, cases, manifests and
# every condition of the bundled regimes.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/profile corpus/manifest corpus/expression corpus/budget
cp ../examples/*.toml corpus/profile/
for f in ../regimes/*/tests/*.toml; do
  cp "$f" "corpus/profile/$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f")"
done
for f in ../regimes/*/regime.toml; do cp "$f" "corpus/manifest/$(basename "$(dirname "$f")").toml"; done
python3 - <<'PY'
import glob, os, re
n = 0
for path in glob.glob("../regimes/*/regime.toml"):
    text = open(path).read()
    for m in re.finditer(r"^(?:condition|when|value)\s*=\s*(?:'''(.*?)'''|'([^'\n]*)'|\"([^\"\n]*)\")", text, re.S | re.M):
        expr = next(g for g in m.groups() if g is not None)
        n += 1
        open(f"corpus/expression/seed-{n:03}", "w").write(expr)
print(f"{n} expression seeds")
PY
# Construction programs for the budget target: a list length, then (operation, count) pairs.
printf '\x02\x00\x01' > corpus/budget/seed-brackets
printf '\x14\x02\x01\x02\x01\x03\x01' > corpus/budget/seed-comprehensions
printf '\x01\x06\x01\x06\x01\x06\x01\x06\x01\x06\x01' > corpus/budget/seed-doubling
printf '\x01\x01\x00\x01\x00\x01\x00\x01\x00\x04\xff' > corpus/budget/seed-wide
