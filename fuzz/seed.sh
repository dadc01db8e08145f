#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds from the repository: profiles, cases, manifests and
# every condition of the bundled regimes.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/profile corpus/manifest corpus/expression
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
