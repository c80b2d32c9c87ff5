#!/usr/bin/env bash
# Benchmarks the verify hot path of the all-in-one jar against a no-op endpoint of the same server, in the same run,
# and measures how long a revocation takes to show in verify answers.
#
#   bench/verify-bench.sh            (from anywhere; builds the jar first if it is missing)
#
# What it does, all on 127.0.0.1 with ports picked at random, in a temporary data directory:
#   1. starts all-in-one/target/spendsync.jar (embedded MongoDB-wire server and Redis) with a root key made for
#      this run only, and waits for /actuator/health to be UP
#   2. creates KEYS keys and waits until every one verifies VALID (the view is eventually consistent)
#   3. warms up, then loads POST /v1/keys/verify (rotating over the keys) and GET /actuator/health/liveness with wrk,
#      alternating ROUNDS times, reading Redis INFO commandstats before and after each load
#   4. revokes REVOCATIONS keys one by one, timing revoke response -> first verify answering REVOKED
#   5. prints one table; stops the app (and its embedded Redis) and deletes the temporary directory, even on failure
#
# Settings (environment): THREADS=2 CONNECTIONS=16 ROUNDS=3 DURATION=5s (per round and endpoint) WARMUP=5s KEYS=100
#   REVOCATIONS=100 REVOKE_JITTER_MS=500 (random pause before each revocation, see bench_helper.py)
#   JAVA_OPTS (extra JVM flags), KEEP_WORK=1 (keep the temporary directory, with the app log and raw JSON).
# Needs: java 17+, python3 (standard library only), wrk.
# Exit status: 0 clean run, 2 run finished but with errors or non-VALID verifications, 1 failure.
set -euo pipefail

THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-5s}"
WARMUP="${WARMUP:-5s}"
KEYS="${KEYS:-100}"
REVOCATIONS="${REVOCATIONS:-100}"
REVOKE_JITTER_MS="${REVOKE_JITTER_MS:-500}"
STARTUP_TIMEOUT_S=120
STOP_TIMEOUT_S=30

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"
JAR="$REPO_DIR/all-in-one/target/spendsync.jar"
HELPER=(python3 "$BENCH_DIR/bench_helper.py")

WORK=""        # temporary directory: data dir, app log, raw results
APP_PID=""     # the java process we started
REDIS_PID=""   # the redis-server the app started (embedded-redis runs it as a separate process)
CHILD_PID=""   # the wrk or helper step running now (see run_child)

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Runs one step in the background and waits for it: bash runs a trap only once the foreground command ends, but
# interrupts `wait` at once, so Ctrl-C or a TERM stops the bench right away and cleanup stops the step too.
run_child() {
  "$@" &
  CHILD_PID=$!
  local status=0
  wait "$CHILD_PID" || status=$?
  CHILD_PID=""
  return "$status"
}

# ------------------------------------------------------------------------------------------------ cleanup

# Stops what this script started, whatever happened. SIGTERM first so Spring shuts down in order (it also stops the
# embedded Redis); SIGKILL only after STOP_TIMEOUT_S. The Redis process is checked separately because a killed JVM
# cannot stop it, and it is only signalled if that pid is still a redis-server (pids get reused).
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "$CHILD_PID" ]] && kill -0 "$CHILD_PID" 2>/dev/null; then
    log "stopping the running step (pid $CHILD_PID)"
    kill -TERM "$CHILD_PID" 2>/dev/null || true
    wait "$CHILD_PID" 2>/dev/null || true
  fi
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then
    if [[ -z "$REDIS_PID" && -n "${REDIS_PORT:-}" ]]; then
      REDIS_PID="$(redis_pid 2>/dev/null || true)"
    fi
    log "stopping the app (pid $APP_PID)"
    kill -TERM "$APP_PID" 2>/dev/null || true
    local waited=0
    while kill -0 "$APP_PID" 2>/dev/null && (( waited < STOP_TIMEOUT_S * 10 )); do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$APP_PID" 2>/dev/null; then
      log "app did not stop in ${STOP_TIMEOUT_S}s, killing it"
      kill -KILL "$APP_PID" 2>/dev/null || true
    fi
    wait "$APP_PID" 2>/dev/null || true
  fi
  if [[ -n "$REDIS_PID" ]] && kill -0 "$REDIS_PID" 2>/dev/null \
      && tr '\0' ' ' < "/proc/$REDIS_PID/cmdline" 2>/dev/null | grep -q redis-server; then
    # embedded-redis runs a copy of redis-server from a /tmp/redis-<n> directory it deletes when the JVM exits
    # normally; after a SIGKILL that is ours to delete too
    local binary_dir
    binary_dir="$(dirname "$(readlink "/proc/$REDIS_PID/exe" 2>/dev/null || echo /nonexistent/x)")"
    log "stopping the embedded Redis left behind (pid $REDIS_PID)"
    kill -TERM "$REDIS_PID" 2>/dev/null || true
    local waited=0
    while kill -0 "$REDIS_PID" 2>/dev/null && (( waited < 50 )); do
      sleep 0.1
      waited=$((waited + 1))
    done
    if [[ "$(basename "$binary_dir")" == redis-[0-9]* ]] && ! kill -0 "$REDIS_PID" 2>/dev/null; then
      rm -rf "$binary_dir"
    fi
  fi
  if [[ -n "$WORK" && -d "$WORK" ]]; then
    if (( status == 1 )) && [[ -f "$WORK/app.log" ]]; then
      log "last lines of the app log:"
      tail -n 40 "$WORK/app.log" >&2 || true
    fi
    if [[ "${KEEP_WORK:-0}" == 1 ]]; then
      log "kept $WORK"
    else
      rm -rf "$WORK"
    fi
  fi
  exit "$status"
}

# ------------------------------------------------------------------------------------------------ steps

check_tools() {
  command -v java >/dev/null || die "java not found (Java 17+ is needed to run the jar)"
  command -v python3 >/dev/null || die "python3 not found"
  command -v wrk >/dev/null || die "wrk not found; install it, e.g. on Debian/Ubuntu: sudo apt-get install -y wrk"
}

build_jar_if_missing() {
  if [[ ! -f "$JAR" ]]; then
    log "building $JAR (not found)"
    (cd "$REPO_DIR" && ./mvnw -q -B package -DskipTests)
    [[ -f "$JAR" ]] || die "build did not produce $JAR"
  fi
}

record_settings() {
  "${HELPER[@]}" machine "$REDIS_PORT" "$LOADAVG_AT_START" > "$WORK/machine.json"
  cat > "$WORK/settings.json" <<EOF
{"threads": $THREADS, "connections": $CONNECTIONS, "rounds": $ROUNDS, "duration": "$DURATION", "warmup": "$WARMUP",
 "keys": $KEYS}
EOF
}

start_app() {
  local ports
  read -r -a ports <<< "$("${HELPER[@]}" free-ports 3)"
  APP_PORT="${ports[0]}"; MONGO_PORT="${ports[1]}"; REDIS_PORT="${ports[2]}"
  # A root key made for this run: nothing secret is committed, and the app does not print it.
  BENCH_ROOT_KEY="$("${HELPER[@]}" keygen)"
  export BENCH_ROOT_KEY
  log "starting the app: http://127.0.0.1:$APP_PORT (embedded MongoDB :$MONGO_PORT, Redis :$REDIS_PORT)"
  # SERVER_ADDRESS keeps the HTTP port on loopback too; the embedded servers bind to 127.0.0.1 by themselves.
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
  SPENDSYNC_DATA_DIR="$WORK/data" SERVER_ADDRESS=127.0.0.1 SERVER_PORT="$APP_PORT" \
    SPENDSYNC_EMBEDDED_MONGO_PORT="$MONGO_PORT" SPENDSYNC_EMBEDDED_REDIS_PORT="$REDIS_PORT" \
    SPENDSYNC_BOOTSTRAP_KEY="$BENCH_ROOT_KEY" \
    java ${JAVA_OPTS:-} -jar "$JAR" > "$WORK/app.log" 2>&1 &
  APP_PID=$!
  local started=$SECONDS
  run_child "${HELPER[@]}" wait-health "$APP_PORT" "$STARTUP_TIMEOUT_S" "$APP_PID" || die "the app did not become healthy"
  kill -0 "$APP_PID" 2>/dev/null || die "the app exited"
  REDIS_PID="$(redis_pid)"
  log "app UP after $((SECONDS - started))s (pid $APP_PID, embedded redis-server pid $REDIS_PID)"
}

redis_pid() { "${HELPER[@]}" redis-info "$REDIS_PORT" server process_id; }

command_stats() { "${HELPER[@]}" redis-info "$REDIS_PORT" commandstats > "$WORK/$1"; }

# run_wrk NAME LUA PATH DURATION RESULT_FILE: one bounded wrk run (-d and --timeout bound it in time)
run_wrk() {
  local name=$1 script=$2 path=$3 duration=$4 result=$5
  log "wrk $name: -t$THREADS -c$CONNECTIONS -d$duration http://127.0.0.1:$APP_PORT$path"
  BENCH_RESULT_FILE="$result" BENCH_KEYS_FILE="$WORK/keys.tsv" \
    run_child wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout 5s --latency -s "$BENCH_DIR/$script" \
    "http://127.0.0.1:$APP_PORT$path" > "$WORK/wrk-$name.txt"
  [[ -s "$result" ]] || die "wrk $name wrote no result (see $WORK/wrk-$name.txt)"
}

load_test() {
  # Warm both paths first (JIT, connection pools, Redis script cache), so neither measured run pays for it.
  run_wrk verify-warmup wrk-verify.lua /v1/keys/verify "$WARMUP" "$WORK/warmup-verify.json"
  run_wrk baseline-warmup wrk-baseline.lua /actuator/health/liveness "$WARMUP" "$WORK/warmup-baseline.json"

  # Verify and baseline alternate in ROUNDS short runs rather than one long run each, so that a change in what else
  # the machine is doing hits both sides alike instead of skewing their ratio.
  "${HELPER[@]}" usage "$REDIS_PORT" "$WORK/keys.tsv" > "$WORK/usage-before.json"
  local round
  for (( round = 1; round <= ROUNDS; round++ )); do
    command_stats "cmd-verify-$round-before.json"
    run_wrk "verify-$round" wrk-verify.lua /v1/keys/verify "$DURATION" "$WORK/wrk-verify-$round.json"
    command_stats "cmd-verify-$round-after.json"
    # Redis commands seen during the baseline are background activity: the liveness probe does not use Redis.
    command_stats "cmd-baseline-$round-before.json"
    run_wrk "baseline-$round" wrk-baseline.lua /actuator/health/liveness "$DURATION" "$WORK/wrk-baseline-$round.json"
    command_stats "cmd-baseline-$round-after.json"
  done
  "${HELPER[@]}" usage "$REDIS_PORT" "$WORK/keys.tsv" > "$WORK/usage-after.json"
}

# ------------------------------------------------------------------------------------------------ main

main() {
  # Other work on the machine skews every figure; the load average before we add ours is printed with them.
  LOADAVG_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"
  check_tools
  local setting
  for setting in THREADS CONNECTIONS ROUNDS KEYS REVOCATIONS; do
    [[ "${!setting}" =~ ^[1-9][0-9]*$ ]] || die "$setting must be a positive whole number, not '${!setting}'"
  done
  [[ "$REVOKE_JITTER_MS" =~ ^[0-9]+$ ]] || die "REVOKE_JITTER_MS must be a whole number, not '$REVOKE_JITTER_MS'"
  (( REVOCATIONS <= KEYS )) || die "REVOCATIONS ($REVOCATIONS) must not exceed KEYS ($KEYS): it revokes the load's keys"
  build_jar_if_missing
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/spendsync-bench.XXXXXX")"
  start_app
  record_settings

  log "creating $KEYS keys"
  run_child "${HELPER[@]}" create-keys "$APP_PORT" "$KEYS" "$WORK/keys.tsv"

  load_test

  log "measuring revocation latency over $REVOCATIONS revocations"
  run_child "${HELPER[@]}" revoke-latency "$APP_PORT" "$WORK/keys.tsv" "$REVOCATIONS" "$REVOKE_JITTER_MS" \
    > "$WORK/revoke.json"

  local status=0
  "${HELPER[@]}" report "$WORK" || status=$?
  return "$status"
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
main "$@"
