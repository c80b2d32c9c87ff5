#!/usr/bin/env bash
# Benchmarks audit queries (GET /v1/audit-logs) over KEYS x 4 entries against the liveness probe of the same server,
# in the same run.
#
#   bench/audit-query-bench.sh       (from anywhere; builds the jar first if it is missing)
#
# What it does, all on 127.0.0.1 with ports picked at random, in a temporary data directory:
#   1. starts all-in-one/target/spendsync.jar (embedded MongoDB-wire server and Redis) with a root key made for
#      this run only, and waits until it is UP and its projections have caught up
#   2. writes the audit entries of KEYS x 4 key events (Created, Updated, Updated, Revoked) straight into the audit
#      view's collection, audit_logs, as the view stores them (bench/EventStoreTool.java seed-audit)
#   3. times ROUNDS rounds of: a first page unfiltered, by userId (~1% of the entries), by resourceId (one key),
#      by eventType + severity (a quarter), by a 10-minute time range, and GET /actuator/health/liveness as the
#      baseline, on one keep-alive connection; rounds 1, 11, 21, ... also walk 20 pages deep following nextCursor
#   4. prints p50/p99 per shape; stops the app and deletes the temporary directory, even on failure
#
# Settings (environment): KEYS=25000 ROUNDS=200 BUDGET_S=900 (the query phase stops after this many seconds even if
#   fewer rounds are done: on the embedded server one query over 100k entries takes seconds)
#   JAVA_OPTS (extra JVM flags), KEEP_WORK=1 (keep the temporary directory, with the app log and raw JSON).
# Needs: java 17+, python3 (standard library only), unzip.
# The figures are the embedded server's, not MongoDB's: the table says so.
# Exit status: 0 clean run, 2 run finished but with errors, 1 failure.
set -euo pipefail

KEYS="${KEYS:-25000}"
ROUNDS="${ROUNDS:-200}"
BUDGET_S="${BUDGET_S:-900}"

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"
JAR="$REPO_DIR/all-in-one/target/spendsync.jar"
HELPER=(python3 "$BENCH_DIR/event_store_helper.py")
# shellcheck source=bench/event-store-bench-lib.sh disable=SC2034 # JAR, LOADAVG_AT_START: used by the library
source "$BENCH_DIR/event-store-bench-lib.sh"

# The entries go straight into the view's collection, as the audit view writes them: on the embedded server a
# replay of 100k events into the view takes far longer than a benchmark run (see replay-bench.sh and
# docs/performance.md), and what is measured here is reading the view, not filling it.
seed_audit_entries() {
  log "waiting until the projections are caught up with the bootstrap events"
  run_child "${HELPER[@]}" wait-idle "$APP_PORT" 120
  log "writing $KEYS keys x 4 audit entries into spendsync_audit.audit_logs (direct inserts, batches of 1000)"
  run_child event_store_tool seed-audit "$MONGO_URI" "$KEYS" > "$WORK/seed.json"
  run_child event_store_tool count "$MONGO_URI" audit_logs > "$WORK/audit-entries.json"
  log "seeded: $(cat "$WORK/seed.json"); entries $(cat "$WORK/audit-entries.json")"
}

main() {
  LOADAVG_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"
  require_tools "unzip: it takes the MongoDB driver out of the jar"
  local setting
  for setting in KEYS ROUNDS BUDGET_S; do
    [[ "${!setting}" =~ ^[1-9][0-9]*$ ]] || die "$setting must be a positive whole number, not '${!setting}'"
  done
  build_jar_if_missing
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/spendsync-audit-bench.XXXXXX")"
  extract_driver
  record_machine
  start_app
  seed_audit_entries
  log "timing audit queries: $ROUNDS rounds, at most ${BUDGET_S}s"
  run_child "${HELPER[@]}" audit-queries "$APP_PORT" "$ROUNDS" "$WORK/seed.json" "$BUDGET_S" \
    > "$WORK/audit-queries.json"
  local status=0
  "${HELPER[@]}" audit-report "$WORK" || status=$?
  return "$status"
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
main "$@"
