#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60). Needs a nightly toolchain and cargo-fuzz.
#   fuzz/run.sh 60        # CI
#   fuzz/run.sh 3600      # by hand
# A crash stops the run, prints libFuzzer's report and leaves the input in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
./seed.sh
mkdir -p logs
for target in profile manifest expression budget; do
  echo "== fuzz $target for ${seconds}s"
  if cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
      > "logs/$target.log" 2>&1; then
    grep -E "^Done [0-9]+ runs" "logs/$target.log" || tail -3 "logs/$target.log"
  else
    tail -60 "logs/$target.log"
    echo "fuzz target $target failed: its input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
