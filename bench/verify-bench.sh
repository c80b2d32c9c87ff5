#!/usr/bin/env bash
# Benchmarks the verify hot path of the all-in-one jar against a no-op endpoint of the same server, in the same run,
# and measures how long a revocation takes to show in verify answers, and a creation. Verify runs three times per
# round: as the unscoped bootstrap key, as a gateway key scoped to the keys' owner (the scope check is part of the
# same script call), and with well-formed unknown keys (what a flood of made-up keys costs, against valid ones).
#
#   bench/verify-bench.sh            (from anywhere; builds the jar first if it is missing)
#
# What it does, all on 127.0.0.1 with ports picked at random, in a temporary data directory:
#   1. starts all-in-one/target/spendsync.jar (embedded MongoDB-wire server and Redis) with a root key made for
#      this run only, and waits for /actuator/health to be UP
#   2. creates KEYS keys and waits until every one verifies VALID (the view is eventually consistent)
#   3. warms up, then loads POST /v1/keys/verify (rotating over the keys; unscoped, then scoped caller, then
#      UNKNOWN_KEYS made-up keys) and GET /actuator/info with wrk, alternating ROUNDS times, reading Redis INFO
#      commandstats around each load
#   4. revokes REVOCATIONS keys one by one, timing revoke response -> first verify answering REVOKED
#   4b. creates CREATIONS keys one by one, timing create response -> first verify answering VALID
#   5. prints one table; stops the app (and its embedded Redis) and deletes the temporary directory, even on failure
#
# Settings (environment): THREADS=2 CONNECTIONS=16 ROUNDS=3 DURATION=5s (per round and endpoint) WARMUP=5s KEYS=100
#   REVOCATIONS=100 REVOKE_JITTER_MS=500 (random pause before each revocation or creation, see bench_helper.py)
#   UNKNOWN_KEYS=1000 CREATIONS=200
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
UNKNOWN_KEYS="${UNKNOWN_KEYS:-1000}"
CREATIONS="${CREATIONS:-200}"
# shellcheck disable=SC2034 # read by bench-lib.sh
STARTUP_TIMEOUT_S=120
# The run counts uses in Redis before and after the load; a usage flush in between would move them out of sight.
export SPENDSYNC_USAGE_FLUSH_INTERVAL=PT1H

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"
JAR="$REPO_DIR/all-in-one/target/spendsync.jar"
HELPER=(python3 "$BENCH_DIR/bench_helper.py")

# shellcheck source=bench/bench-lib.sh
source "$BENCH_DIR/bench-lib.sh"

# ------------------------------------------------------------------------------------------------ steps

record_settings() {
  "${HELPER[@]}" machine "$REDIS_PORT" "$LOADAVG_AT_START" > "$WORK/machine.json"
  cat > "$WORK/settings.json" <<EOF
{"threads": $THREADS, "connections": $CONNECTIONS, "rounds": $ROUNDS, "duration": "$DURATION", "warmup": "$WARMUP",
 "keys": $KEYS}
EOF
}

command_stats() { "${HELPER[@]}" redis-info "$REDIS_PORT" commandstats > "$WORK/$1"; }

# run_wrk NAME LUA PATH DURATION RESULT_FILE [CALLER_KEY [KEYS_FILE]]: one bounded wrk run (-d and --timeout bound
# it in time)
run_wrk() {
  local name=$1 script=$2 path=$3 duration=$4 result=$5 caller=${6:-} keys=${7:-$WORK/keys.tsv}
  log "wrk $name: -t$THREADS -c$CONNECTIONS -d$duration http://127.0.0.1:$APP_PORT$path"
  BENCH_VERIFY_AS="$caller" BENCH_RESULT_FILE="$result" BENCH_KEYS_FILE="$keys" \
    run_child wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout 5s --latency -s "$BENCH_DIR/$script" \
    "http://127.0.0.1:$APP_PORT$path" > "$WORK/wrk-$name.txt"
  [[ -s "$result" ]] || die "wrk $name wrote no result (see $WORK/wrk-$name.txt)"
}

load_test() {
  # Warm both paths first (JIT, connection pools, Redis script cache), so neither measured run pays for it.
  run_wrk verify-warmup wrk-verify.lua /v1/keys/verify "$WARMUP" "$WORK/warmup-verify.json"
  run_wrk scoped-warmup wrk-verify.lua /v1/keys/verify "$WARMUP" "$WORK/warmup-scoped.json" "$SCOPED_KEY"
  run_wrk unknown-warmup wrk-verify.lua /v1/keys/verify "$WARMUP" "$WORK/warmup-unknown.json" "" "$WORK/unknown.tsv"
  run_wrk baseline-warmup wrk-baseline.lua /actuator/info "$WARMUP" "$WORK/warmup-baseline.json"

  # Verify and baseline alternate in ROUNDS short runs rather than one long run each, so that a change in what else
  # the machine is doing hits both sides alike instead of skewing their ratio.
  "${HELPER[@]}" usage "$REDIS_PORT" "$WORK/keys.tsv" > "$WORK/usage-before.json"
  local round
  for (( round = 1; round <= ROUNDS; round++ )); do
    command_stats "cmd-verify-$round-before.json"
    run_wrk "verify-$round" wrk-verify.lua /v1/keys/verify "$DURATION" "$WORK/wrk-verify-$round.json"
    command_stats "cmd-verify-$round-after.json"
    run_wrk "scoped-$round" wrk-verify.lua /v1/keys/verify "$DURATION" "$WORK/wrk-scoped-$round.json" "$SCOPED_KEY"
    run_wrk "unknown-$round" wrk-verify.lua /v1/keys/verify "$DURATION" "$WORK/wrk-unknown-$round.json" "" \
      "$WORK/unknown.tsv"
    # Redis commands seen during the baseline are background activity: the liveness probe does not use Redis.
    command_stats "cmd-baseline-$round-before.json"
    run_wrk "baseline-$round" wrk-baseline.lua /actuator/info "$DURATION" "$WORK/wrk-baseline-$round.json"
    command_stats "cmd-baseline-$round-after.json"
  done
  "${HELPER[@]}" usage "$REDIS_PORT" "$WORK/keys.tsv" > "$WORK/usage-after.json"
}

# ------------------------------------------------------------------------------------------------ main

main() {
  # Other work on the machine skews every figure; the load average before we add ours is printed with them.
  LOADAVG_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"
  require_tools "wrk: install it, e.g. on Debian/Ubuntu: sudo apt-get install -y wrk"
  local setting
  for setting in THREADS CONNECTIONS ROUNDS KEYS REVOCATIONS UNKNOWN_KEYS CREATIONS; do
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
  SCOPED_KEY="$("${HELPER[@]}" scoped-gateway-key "$APP_PORT")"
  "${HELPER[@]}" unknown-keys "$UNKNOWN_KEYS" "$WORK/unknown.tsv"

  load_test

  log "measuring revocation latency over $REVOCATIONS revocations"
  run_child "${HELPER[@]}" revoke-latency "$APP_PORT" "$WORK/keys.tsv" "$REVOCATIONS" "$REVOKE_JITTER_MS" \
    > "$WORK/revoke.json"
  log "measuring creation latency over $CREATIONS creations"
  run_child "${HELPER[@]}" create-latency "$APP_PORT" "$CREATIONS" "$REVOKE_JITTER_MS" > "$WORK/create.json"

  local status=0
  "${HELPER[@]}" report "$WORK" || status=$?
  return "$status"
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
main "$@"
