#!/usr/bin/env bash
# Benchmarks the embedded MongoDB-wire server's storage: mongo-java-server's stock H2 backend against the indexed
# one (embedded-servers, com.spendsync.embedded.mongo), in one JVM and one run, on H2 files in a temporary directory.
#
#   bench/embedded-mongo-bench.sh            (from anywhere; compiles embedded-servers first)
#
# What it measures (bench/EmbeddedMongoBench.java has the details): at DOCUMENTS audit entries and DOCUMENTS Axon
# events, shaped and indexed as the services store them, the audit newest-first page with a filter, Axon's tracking
# query, an aggregate load, a count and a full read in batches of 1000 on each backend; then the time to open a store
# of START_EVENTS events with the indexed backend after a clean close and after a crash (indexes rebuilt).
#
# Settings (environment): DOCUMENTS=100000 START_EVENTS=1000000 REPEAT=30 JAVA_OPTS="-Xmx2g"
# Needs: java 17+. Prints one Markdown table.
set -euo pipefail

DOCUMENTS="${DOCUMENTS:-100000}"
START_EVENTS="${START_EVENTS:-1000000}"
REPEAT="${REPEAT:-30}"
JAVA_OPTS="${JAVA_OPTS:--Xmx2g}"

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

CLASSPATH_FILE="$(mktemp)"
trap 'rm -f "$CLASSPATH_FILE"' EXIT

log "compiling embedded-servers and resolving its classpath"
(cd "$REPO_DIR" && ./mvnw -q -B -pl embedded-servers -am -DskipTests compile \
  && ./mvnw -q -B -pl embedded-servers dependency:build-classpath -Dmdep.outputFile="$CLASSPATH_FILE")
CLASSPATH="$REPO_DIR/embedded-servers/target/classes:$(cat "$CLASSPATH_FILE")"

log "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); DOCUMENTS=$DOCUMENTS START_EVENTS=$START_EVENTS REPEAT=$REPEAT"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
OUTPUT="$(mktemp)"
trap 'rm -f "$CLASSPATH_FILE" "$OUTPUT"' EXIT
# the libraries log to stdout; the program's table is the lines that start with "|"
if ! java $JAVA_OPTS -cp "$CLASSPATH" "$BENCH_DIR/EmbeddedMongoBench.java" "$DOCUMENTS" "$START_EVENTS" "$REPEAT" \
    > "$OUTPUT" 2>&1; then
  grep -v ' INFO \| DEBUG \|^\s*at ' "$OUTPUT" | tail -n 40 >&2
  exit 1
fi
grep '^|' "$OUTPUT"
log "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
