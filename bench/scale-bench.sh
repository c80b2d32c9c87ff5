#!/usr/bin/env bash
# Benchmarks the all-in-one jar on a store of an installation's size against a fresh store, in one run: the same
# commands, verification, audit queries and rebuilds on both sides, with ratios and the goals of issue 10.
#
#   bench/scale-bench.sh             (from anywhere; builds the jar first if it is missing)
#   KEYS=5000 bench/scale-bench.sh   (a quick try: about 100,000 events)
#
# What it does, all on 127.0.0.1 with ports picked at random, in a temporary directory:
#   1. seeds the store: bench/EventStoreTool.java seed-history writes KEYS keys' histories (about 20 events a key:
#      50,000 keys make about 1,000,000 events) in axon-mongo's format and the view documents every projection would
#      have built. SEED_MODE=running (the default) seeds the running app's embedded store, whose processors are past
#      the seeded events (stamped an hour and more ago); SEED_MODE=before-start seeds a data directory before the
#      app's first start, with the embedded MongoDB-wire server on its own (bench/EmbeddedMongoServer.java) and
#      tracking tokens at the end of the store, so that start-up on a large store is measured too, and a restart
#      after the phases (indexes as stored). Plaintext secrets of a sample of keys go to an owner-only file in the
#      temporary directory.
#      Redis is not seeded: a key's first verification misses Redis, is answered from the MongoDB key view and
#      refills Redis (the verify fallback), which phase first-verify measures before the load.
#   2. runs the phases in PHASES on the seeded store (start-up time: on the seeded store with before-start only)
#   3. starts the jar on a fresh store, creates VERIFY_KEYS keys through the API, and runs the same phases there
#   4. prints one JSON line per phase as it ends, then the summary with the ratios and which goals are met
#
# Phases (PHASES, default all): idle (CPU over IDLE_S on the seeded store), verify (first verification of each
#   sampled key, then wrk on valid and on well-formed unknown keys), commands (create, PATCH, rotate, one client),
#   audit (every filter shape and cursor walks, seeded store), rebuild (each view in VIEWS against a plain-driver
#   read of domainevents, seeded store), burst (creating keys with BURST_CLIENTS clients, fresh store). Start-up
#   time and memory are always recorded.
# Settings (environment): KEYS=50000 SAMPLE=1000 (keys whose secrets are kept for the verify load) VERIFY_KEYS=1000
#   (keys created on the fresh store) COMMANDS=100 (of each kind) THREADS=2 CONNECTIONS=16 DURATION=10s WARMUP=5s
#   IDLE_S=60 IDLE_SETTLE_S=30 AUDIT_ROUNDS=50 BURST_KEYS=2000 BURST_CLIENTS=8
#   VIEWS="key-query-view audit-view key-deadlines alerting redis-validation-view"
#   Time budgets in seconds, after which a phase stops and reports "over budget" with what it measured:
#   SEED_BUDGET_S=3600 COMMAND_BUDGET_S=600 VERIFY_BUDGET_S=600 AUDIT_BUDGET_S=600 REBUILD_BUDGET_S=600 (per view)
#   BURST_BUDGET_S=120; CHECK_VIEWS=1 (with PHASES=rebuild: compare each rebuilt view with the seeded documents)
#   JAVA_OPTS (extra JVM flags), KEEP_WORK=1 (keep the temporary directory).
# Needs: java 17+, python3 (standard library only), unzip, wrk.
# Exit status: 0 every goal met, 2 run finished but a goal was missed or a phase ran over budget, 1 failure.
set -euo pipefail

KEYS="${KEYS:-50000}"
SAMPLE="${SAMPLE:-1000}"
VERIFY_KEYS="${VERIFY_KEYS:-1000}"
COMMANDS="${COMMANDS:-100}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-5s}"
IDLE_S="${IDLE_S:-60}"
IDLE_SETTLE_S="${IDLE_SETTLE_S:-30}"
AUDIT_ROUNDS="${AUDIT_ROUNDS:-50}"
BURST_KEYS="${BURST_KEYS:-2000}"
BURST_CLIENTS="${BURST_CLIENTS:-8}"
VIEWS="${VIEWS:-key-query-view audit-view key-deadlines alerting redis-validation-view}"
PHASES="${PHASES:-idle verify commands audit rebuild burst}"
SEED_MODE="${SEED_MODE:-running}"
SEED_BUDGET_S="${SEED_BUDGET_S:-3600}"
COMMAND_BUDGET_S="${COMMAND_BUDGET_S:-600}"
VERIFY_BUDGET_S="${VERIFY_BUDGET_S:-600}"
AUDIT_BUDGET_S="${AUDIT_BUDGET_S:-600}"
REBUILD_BUDGET_S="${REBUILD_BUDGET_S:-600}"
BURST_BUDGET_S="${BURST_BUDGET_S:-120}"
# A seeded store starts with its processors claiming tokens and the sweepers' first pass over the views.
STARTUP_TIMEOUT_S="${STARTUP_TIMEOUT_S:-900}"
# The verify load counts on Redis only; a usage flush in the middle would write events under the load.
export SPENDSYNC_USAGE_FLUSH_INTERVAL="${SPENDSYNC_USAGE_FLUSH_INTERVAL:-PT1H}"

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"
JAR="$REPO_DIR/all-in-one/target/spendsync.jar"
HELPER=(python3 "$BENCH_DIR/event_store_helper.py")
SCALE=(python3 "$BENCH_DIR/scale_helper.py")
# shellcheck source=bench/event-store-bench-lib.sh disable=SC2034 # JAR, LOADAVG_AT_START: used by the library
source "$BENCH_DIR/event-store-bench-lib.sh"

phase_on() { [[ " $PHASES " == *" $1 "* ]]; }

# record JSON...: one result line, on the output and in results.jsonl for the summary
record() {
  local line
  for line in "$@"; do
    printf '%s\n' "$line" | tee -a "$WORK/results.jsonl"
  done
}

# run_record CMD...: runs one step (run_child, so a stop signal stops it at once) and records the JSON line it prints
run_record() {
  run_child "$@" > "$WORK/step.json"
  record "$(cat "$WORK/step.json")"
}


# ------------------------------------------------------------------------------------------------ seeding

extract_app_jars() {
  mkdir -p "$WORK/app-lib"
  unzip -q -j -o "$JAR" 'BOOT-INF/lib/*' -d "$WORK/app-lib"
  APP_CP="$(find "$WORK/app-lib" -name '*.jar' | sort | paste -sd:)"
}

# Seeds the store of the running app (SEED_MODE=running): its processors are past the seeded events already.
seed_running_app() {
  log "seeding $KEYS keys into the running app's store"
  run_child timeout "$SEED_BUDGET_S" java -cp "$DRIVER_CP" "$BENCH_DIR/EventStoreTool.java" seed-history \
    "$MONGO_URI" "$KEYS" "$SAMPLE" "$WORK/secrets.tsv" "$WORK/active-keys.txt" into-running-app \
    > "$WORK/seed.json" 2> "$WORK/seed.log" || die "seeding failed or ran over SEED_BUDGET_S: $(tail -n 5 "$WORK/seed.log")"
  log "seeded: $(cat "$WORK/seed.json")"
  record "$(with_fields "$(cat "$WORK/seed.json")" phase=seed store=seeded mode=running)"
}

seed_store() {
  local port started
  port="$("${BENCH_HELPER[@]}" free-ports 1)"
  log "seeding $KEYS keys into $SEEDED_DIR (embedded MongoDB-wire server on its own, :$port)"
  java -cp "$APP_CP" "$BENCH_DIR/EmbeddedMongoServer.java" "$SEEDED_DIR" "$port" > "$WORK/seed-server.log" 2>&1 &
  local server=$!
  OWNED_PIDS+=("$server")
  started=$SECONDS
  until grep -q '^ready ' "$WORK/seed-server.log"; do
    kill -0 "$server" 2>/dev/null || die "the seeding server exited: $(tail -n 5 "$WORK/seed-server.log")"
    (( SECONDS - started < 120 )) || die "the seeding server did not start in 120 s"
    sleep 0.2
  done
  run_child timeout "$SEED_BUDGET_S" java -cp "$DRIVER_CP" "$BENCH_DIR/EventStoreTool.java" seed-history \
    "mongodb://127.0.0.1:$port" "$KEYS" "$SAMPLE" "$WORK/secrets.tsv" "$WORK/active-keys.txt" \
    > "$WORK/seed.json" 2> "$WORK/seed.log" || die "seeding failed or ran over SEED_BUDGET_S: $(tail -n 5 "$WORK/seed.log")"
  log "seeded: $(cat "$WORK/seed.json")"
  # the H2 store writes its last changes when the server closes
  stop_pid "$server"
  record "$(with_fields "$(cat "$WORK/seed.json")" phase=seed store=seeded)"
}

# ------------------------------------------------------------------------------------------------ phases

# store_file WHEN: the size of the seeded store's H2 file now
store_file() {
  record "{\"phase\": \"store-file\", \"store\": \"seeded\", \"name\": \"$1\", \"mb\": $(( $(stat -c %s "$SEEDED_DIR/mongo/mongo.mv") >> 20 ))}"
}

# start_on STORE DATA_DIR [LABEL]: the app on that data directory; records start-up time (as LABEL's)
start_on() {
  STORE=$1
  APP_DATA_DIR=$2
  APP_LOG="$WORK/app-${3:-$STORE}.log"
  start_app
  record "{\"phase\": \"startup\", \"store\": \"${3:-$STORE}\", \"seconds\": $APP_STARTUP_S}"
  log "waiting until the projections are caught up"
  run_child "${HELPER[@]}" wait-idle "$APP_PORT" "$STARTUP_TIMEOUT_S"
}

# run_wrk NAME KEYS_FILE RESULT: one bounded wrk run of POST /v1/keys/verify over the keys of KEYS_FILE
run_wrk() {
  local name=$1 keys=$2 duration=$3 result=$4
  BENCH_VERIFY_AS="" BENCH_RESULT_FILE="$result" BENCH_KEYS_FILE="$keys" \
    run_child wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout 5s --latency -s "$BENCH_DIR/wrk-verify.lua" \
    "http://127.0.0.1:$APP_PORT/v1/keys/verify" > "$WORK/wrk-$STORE-$name.txt"
  [[ -s "$result" ]] || die "wrk $name wrote no result (see $WORK/wrk-$STORE-$name.txt)"
}

verify_phase() {
  local keys=$1 kind result
  log "[$STORE] first verification of each key (Redis refill from the key view)"
  run_record "${SCALE[@]}" first-verify "$APP_PORT" "$STORE" "$keys" "$VERIFY_BUDGET_S"
  "${BENCH_HELPER[@]}" unknown-keys "$SAMPLE" "$WORK/unknown.tsv"
  for kind in valid unknown; do
    local file=$keys
    [[ $kind == unknown ]] && file="$WORK/unknown.tsv"
    log "[$STORE] wrk: $kind keys, warm-up $WARMUP, then $DURATION"
    run_wrk "$kind-warmup" "$file" "$WARMUP" "$WORK/wrk-$STORE-$kind-warmup.json"
    result="$WORK/wrk-$STORE-$kind.json"
    run_wrk "$kind" "$file" "$DURATION" "$result"
    record "$(python3 - "$result" "$STORE" "$kind" <<'PY'
import json, os, sys
sys.path.insert(0, os.environ["BENCH_DIR"])
from bench_helper import combine
run = json.load(open(sys.argv[1]))
print(json.dumps({"phase": "verify", "store": sys.argv[2], "name": sys.argv[3], **combine([run])}))
PY
)"
  done
}

commands_phase() {
  local key_ids=$1
  log "[$STORE] $COMMANDS x create, PATCH, rotate (one client, at most ${COMMAND_BUDGET_S}s)"
  run_record "${SCALE[@]}" commands "$APP_PORT" "$STORE" "$key_ids" "$COMMANDS" "$COMMAND_BUDGET_S"
}

idle_phase() {
  # the start's own work (JIT, the sweepers ending the graces that ran out while the app was down) first
  log "[$STORE] idle CPU over ${IDLE_S}s, after ${IDLE_SETTLE_S}s to settle"
  run_child sleep "$IDLE_SETTLE_S"
  run_record "${SCALE[@]}" idle "$APP_PID" "$STORE" "$IDLE_S"
}

audit_phase() {
  log "[$STORE] audit queries: $AUDIT_ROUNDS rounds, at most ${AUDIT_BUDGET_S}s"
  run_record "${SCALE[@]}" audit "$APP_PORT" "$STORE" "$WORK/seed.json" "$WORK/active-keys.txt" \
    "$AUDIT_ROUNDS" "$AUDIT_BUDGET_S"
}

scan_baseline() {
  log "[$STORE] baseline: reading domainevents with the plain driver ($1)"
  run_child event_store_tool scan "$MONGO_URI" > "$WORK/step.json"
  record "$(with_fields "$(cat "$WORK/step.json")" phase=scan store="$STORE" name="$1")"
}

# The collections each view keeps in MongoDB, as "database.collection" (the validation view lives in Redis).
view_collections() {
  case $1 in
    key-query-view) echo spendsync.api_keys ;;
    audit-view) echo spendsync_audit.audit_logs spendsync_audit.audit_log_aggregates ;;
    key-deadlines) echo spendsync.key_deadlines ;;
    alerting) echo spendsync.alert_key_state ;;
  esac
}

# check_view BEFORE|AFTER VIEW: with CHECK_VIEWS=1, a copy of the view's documents before its rebuild, and after it
# a comparison of the rebuilt documents with that copy: the proof that seed-history writes what the projections
# would (run it with PHASES=rebuild, so that no command has changed a seeded key in between)
check_view() {
  [[ "${CHECK_VIEWS:-0}" == 1 ]] || return 0
  local when=$1 view=$2 target
  for target in $(view_collections "$view"); do
    if [[ $when == before ]]; then
      run_child event_store_tool copy-collection "$MONGO_URI" "${target%%.*}" "${target#*.}" "${target#*.}_seeded" \
        > /dev/null
    else
      run_child event_store_tool compare-collection "$MONGO_URI" "${target%%.*}" "${target#*.}_seeded" \
        "${target#*.}" > "$WORK/step.json"
      record "$(with_fields "$(cat "$WORK/step.json")" phase=view-check store="$STORE" name="$target")"
    fi
  done
}

rebuild_phase() {
  local view events over=""
  scan_baseline before
  events="$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1]) if "\"scan\"" in l][-1]["events"])' \
    "$WORK/results.jsonl")"
  for view in $VIEWS; do
    if [[ -n "$over" ]]; then
      # the app refuses a rebuild while another runs, and the unfinished one goes on
      record "{\"phase\": \"rebuild\", \"store\": \"$STORE\", \"name\": \"$view\", \"skipped\": \"$over was still rebuilding\"}"
      continue
    fi
    check_view before "$view"
    log "[$STORE] rebuilding $view ($events events, at most ${REBUILD_BUDGET_S}s)"
    local line
    run_child "${HELPER[@]}" replay "$APP_PORT" "$view" "$REBUILD_BUDGET_S" "$events" > "$WORK/step.json"
    line="$(cat "$WORK/step.json")"
    record "$(with_fields "$line" phase=rebuild store="$STORE")"
    if grep -q '"timed_out": true' <<< "$line"; then
      over=$view
    else
      run_child "${HELPER[@]}" wait-idle "$APP_PORT" "$REBUILD_BUDGET_S"
      check_view after "$view"
    fi
  done
  [[ -n "$over" ]] || scan_baseline after
}

burst_phase() {
  log "[$STORE] creating $BURST_KEYS keys with $BURST_CLIENTS clients (at most ${BURST_BUDGET_S}s)"
  run_record "${SCALE[@]}" create-throughput "$APP_PORT" "$STORE" "$BURST_KEYS" "$BURST_CLIENTS" "$BURST_BUDGET_S"
}

# ------------------------------------------------------------------------------------------------ main

main() {
  LOADAVG_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"
  require_tools "unzip: it takes the jars out of the app's jar" "wrk: e.g. sudo apt-get install -y wrk"
  local setting
  for setting in KEYS SAMPLE VERIFY_KEYS COMMANDS THREADS CONNECTIONS IDLE_S IDLE_SETTLE_S AUDIT_ROUNDS BURST_KEYS BURST_CLIENTS \
      SEED_BUDGET_S COMMAND_BUDGET_S VERIFY_BUDGET_S AUDIT_BUDGET_S REBUILD_BUDGET_S BURST_BUDGET_S; do
    [[ "${!setting}" =~ ^[1-9][0-9]*$ ]] || die "$setting must be a positive whole number, not '${!setting}'"
  done
  [[ "$SEED_MODE" == running || "$SEED_MODE" == before-start ]] || die "SEED_MODE is running or before-start"
  (( 2 * COMMANDS <= VERIFY_KEYS )) || die "COMMANDS ($COMMANDS) must be at most half of VERIFY_KEYS ($VERIFY_KEYS)"
  build_jar_if_missing
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/spendsync-scale-bench.XXXXXX")"
  chmod 700 "$WORK"
  export BENCH_DIR
  : > "$WORK/results.jsonl"
  extract_driver
  extract_app_jars
  record_machine
  record "$(with_fields "$(cat "$WORK/machine.json")" phase=machine)"

  SEEDED_DIR="$WORK/seeded"
  if [[ "$SEED_MODE" == before-start ]]; then
    seed_store
    store_file after-seeding
    start_on seeded "$SEEDED_DIR"
    store_file after-start
  else
    start_on seeded "$SEEDED_DIR" empty-before-seeding
    seed_running_app
  fi
  (( $(wc -l < "$WORK/active-keys.txt") >= 2 * COMMANDS )) || die "too few active keys seeded for $COMMANDS commands"

  phase_on idle && idle_phase
  phase_on verify && verify_phase "$WORK/secrets.tsv"
  phase_on commands && commands_phase "$WORK/active-keys.txt"
  phase_on audit && audit_phase
  phase_on rebuild && rebuild_phase
  run_record "${SCALE[@]}" memory "$APP_PID" "$STORE"
  store_file after-phases
  stop_app
  if [[ "$SEED_MODE" == before-start ]]; then
    KEEP_ROOT_KEY=1 start_on seeded "$SEEDED_DIR" seeded-restart
    store_file after-restart
    stop_app
  fi

  start_on fresh "$WORK/fresh"
  if phase_on verify || phase_on commands; then
    log "[fresh] creating $VERIFY_KEYS keys through the API (each verified VALID before the load)"
    run_child "${BENCH_HELPER[@]}" create-keys "$APP_PORT" "$VERIFY_KEYS" "$WORK/fresh-keys.tsv"
    chmod 600 "$WORK/fresh-keys.tsv"
  fi
  phase_on verify && verify_phase "$WORK/fresh-keys.tsv"
  phase_on commands && commands_phase "$WORK/fresh-keys.tsv"
  phase_on burst && burst_phase
  run_record "${SCALE[@]}" memory "$APP_PID" "$STORE"
  stop_app

  local status=0
  "${SCALE[@]}" summary "$WORK" || status=$?
  return "$status"
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
main "$@"
