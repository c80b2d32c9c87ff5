#!/usr/bin/env bash
# What minting a secret in a given Redis Cluster slot costs (every rotation, and since owner-wide limits every
# creation): ApiKeySecret.inSlot against the search before it, alternating in one JVM (bench/SlotSearchBench.java).
#
#   bench/slot-search-bench.sh [ROUNDS] [MINTS_PER_ROUND]      (from anywhere; compiles shared-events first)
#
# Needs: java 17+. Prints the milliseconds per mint of each and their ratio.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"
CLASSES="$REPO_DIR/shared-events/target/classes"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

(cd "$REPO_DIR" && ./mvnw -q -B -pl shared-events -DskipTests compile)
# compiled beside the module's classes rather than run as a source file: it calls the package's own derivation, which
# a source-file launch would load in another class loader
javac -cp "$CLASSES" -d "$OUT" "$BENCH_DIR/SlotSearchBench.java"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$CLASSES:$OUT" com.spendsync.api.keyformat.SlotSearchBench "$@"
