#!/bin/sh
# Builds `juxta` with the system's allocator (glibc malloc) and with mimalloc, then runs the
# batch-vs-floor benchmark with both beside the default build (jemalloc), in one run
# (BENCHMARKS.md, issue 17). From the repository root: sh kernel/cli/benches/allocators.sh
set -eu
out="$(pwd)/target/allocators"
mkdir -p "$out"
cargo build --release --locked -p juxta-cli --bin juxta --no-default-features
cp target/release/juxta "$out/juxta-glibc"
cargo build --release --locked -p juxta-cli --bin juxta --no-default-features --features mimalloc
cp target/release/juxta "$out/juxta-mimalloc"
cargo build --release --locked -p juxta-cli --bin juxta --example json_floor
JUXTA_ALLOCATORS="glibc=$out/juxta-glibc mimalloc=$out/juxta-mimalloc" \
  cargo bench --locked -p juxta-cli --bench floor
