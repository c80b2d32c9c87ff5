#!/usr/bin/env bash
# Benchmarks rebuilding each view from the event store against reading the same events with the plain MongoDB
# driver, in the same run.
#
#   bench/replay-bench.sh            (from anywhere; builds the jar first if it is missing)
#
# What it does, all on 127.0.0.1 with ports picked at random, in a temporary data directory:
#   1. starts all-in-one/target/spendsync.jar (embedded MongoDB-wire server and Redis) with a root key made for
#      this run only, and waits until it is UP and its projections have caught up
#   2. inserts KEYS x 4 key events (Created, Updated, Updated, Revoked) straight into spendsync_audit.domainevents,
#      in axon-mongo's document format (bench/EventStoreTool.java, with the driver jars from the app's jar)
#   3. baseline: reads the whole collection with the plain driver and parses every event (events/s)
#   4. rebuilds each view in VIEWS, one at a time (the app refuses overlapping rebuilds): POST
#      /v1/admin/projections/{view}/replay, then polls GET /v1/admin/projections until it is running and caught up
#      again, at most REPLAY_TIMEOUT_S each; events/s = N / seconds. A rebuild not done by then is reported as
#      partial: the events it handled in that time (Axon's counter on /actuator/prometheus) / seconds
#      (the views after a partial one are skipped: the app refuses a rebuild while another runs)
#   5. baseline again (so drift during the run shows), prints one table; stops the app and deletes the temporary
#      directory, even on failure
#
# Settings (environment): KEYS=25000 (N = 4 x KEYS + the few events the app writes itself)
#   VIEWS="redis-validation-view key-query-view audit-view key-deadlines" REPLAY_TIMEOUT_S=1200
#   JAVA_OPTS (extra JVM flags), KEEP_WORK=1 (keep the temporary directory, with the app log and raw JSON).
# Needs: java 17+, python3 (standard library only), unzip.
# The figures are the embedded server's, not MongoDB's: the table says so.
# Exit status: 0 clean run, 2 run finished but a replay was partial, 1 failure.
set -euo pipefail

KEYS="${KEYS:-25000}"
VIEWS="${VIEWS:-redis-validation-view key-query-view audit-view key-deadlines}"
REPLAY_TIMEOUT_S="${REPLAY_TIMEOUT_S:-1200}"

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"
JAR="$REPO_DIR/all-in-one/target/spendsync.jar"
HELPER=(python3 "$BENCH_DIR/event_store_helper.py")
# shellcheck source=bench/event-store-bench-lib.sh disable=SC2034 # JAR, LOADAVG_AT_START: used by the library
source "$BENCH_DIR/event-store-bench-lib.sh"

baseline_scan() {
  log "baseline: reading spendsync_audit.domainevents with the plain driver ($1)"
  run_child event_store_tool scan "$MONGO_URI" > "$WORK/scan-$1.json"
  log "baseline $1: $(cat "$WORK/scan-$1.json")"
}

replay_views() {
  local view events
  # N is the store as the baseline read it; each rebuild request adds one event, which is noise at 100k.
  events="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$WORK/scan-before.json")"
  : > "$WORK/replays.jsonl"
  for view in $VIEWS; do
    log "replaying $view ($events events, at most ${REPLAY_TIMEOUT_S}s)"
    run_child "${HELPER[@]}" replay "$APP_PORT" "$view" "$REPLAY_TIMEOUT_S" "$events" >> "$WORK/replays.jsonl"
    log "  $(tail -n 1 "$WORK/replays.jsonl")"
    if grep -q '"timed_out": true' <(tail -n 1 "$WORK/replays.jsonl"); then
      # The rebuild goes on and the app refuses another (409) until it is done; waiting for it would make the run
      # as long as the rebuild, so the views after it are left for a run of their own (VIEWS=...).
      log "  $view did not finish in ${REPLAY_TIMEOUT_S}s; skipping the views after it"
      break
    fi
    # the next rebuild is refused (409) until every projection is idle, and must not share the CPUs with this one
    run_child "${HELPER[@]}" wait-idle "$APP_PORT" "$REPLAY_TIMEOUT_S"
  done
}

main() {
  # Other work on the machine skews every figure; the load average before we add ours is printed with them.
  LOADAVG_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"
  require_tools "unzip: it takes the MongoDB driver out of the jar"
  [[ "$KEYS" =~ ^[1-9][0-9]*$ ]] || die "KEYS must be a positive whole number, not '$KEYS'"
  [[ "$REPLAY_TIMEOUT_S" =~ ^[1-9][0-9]*$ ]] || die "REPLAY_TIMEOUT_S must be a positive whole number"
  build_jar_if_missing
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/spendsync-replay-bench.XXXXXX")"
  extract_driver
  record_machine
  start_app
  seed_events
  baseline_scan before
  replay_views
  # a partial rebuild still runs meanwhile, so this baseline shares the CPUs with it: the report shows both
  baseline_scan after
  local status=0
  "${HELPER[@]}" replay-report "$WORK" || status=$?
  return "$status"
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
main "$@"
