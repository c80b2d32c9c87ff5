#!/usr/bin/env bash
# Benchmarks the verify hot path of the all-in-one jar against the floor of its stack, in the same run: a minimal
# Spring Boot application on the same versions (../shared/bench/floor) with a no-op JSON POST and a POST doing one
# SHA-256 and one EVALSHA on a Redis of its own. Verify runs as the unscoped bootstrap key, as a gateway key scoped to
# the keys' owner, on keys with three allowed networks, on keys with three named limits (one shared by the owner's
# keys) and the same networks against keys with one limit, with well-formed unknown keys (what a flood of made-up keys
# costs) and with malformed keys (answered from the key alone). It also measures how long a revocation and a
# creation take to show in verify answers.
#
#   bench/verify-bench.sh            (from anywhere; builds the jars first if they are missing)
#
# What it does, all on 127.0.0.1 with ports picked at random, in a temporary data directory:
#   1. starts all-in-one/target/spendsync.jar (embedded MongoDB-wire server and Redis) with a root key made for
#      this run only, and waits for /actuator/health to be UP; builds the floor application once (cached in
#      FLOOR_CACHE) and starts it on a redis-server of its own, the same binary the app's embedded Redis runs
#   2. creates KEYS keys (one permission, a rate limit the load never reaches) and waits until every one verifies
#      VALID; gives the floor's Redis the same keys
#   3. warms every endpoint up, then loads them with wrk in ROUNDS alternating rounds: verify (unscoped, scoped,
#      unknown keys, malformed keys), the same verify on the non-blocking port (SPENDSYNC_VERIFY_PORT: valid and
#      malformed keys), floor /lua, floor /noop; around each run it reads the JVM's and Redis's CPU
#      time and the JVM's allocated bytes (after a forced GC), and Redis INFO commandstats around verify
#   4. the light load: verify (both ports) and floor /lua with LIGHT_THREADS and LIGHT_CONNECTIONS, alternating, for p50/p99
#   5. revokes REVOCATIONS keys one by one, timing revoke response -> first verify answering REVOKED, and creates
#      CREATIONS keys one by one, timing create response -> first verify answering VALID
#   6. prints one table; stops everything it started and deletes the temporary directory, even on failure
#
# Settings (environment): THREADS=2 CONNECTIONS=16 ROUNDS=3 DURATION=5s (per round and endpoint) WARMUP=10s KEYS=100
#   LIGHT_THREADS=1 LIGHT_CONNECTIONS=2 REVOCATIONS=100 REVOKE_JITTER_MS=500 (random pause before each revocation or
#   creation, see bench_helper.py) UNKNOWN_KEYS=1000 MALFORMED_KEYS=1000 CREATIONS=200
#   FLOOR_SRC (default ../shared/bench/floor beside the repository) FLOOR_CACHE (default ~/.cache/spendsync-bench)
#   JAVA_OPTS (extra JVM flags, for both JVMs), FLOOR_JAVA_OPTS (the floor's, if not the same: a JFR recording of the
#   app only, say), KEEP_WORK=1 (keep the temporary directory, with logs and raw JSON).
# Needs: java 17+ (with jcmd), python3 (standard library only), wrk, unzip.
# Exit status: 0 clean run, 2 run finished but with errors or non-VALID verifications, 1 failure.
set -euo pipefail

THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-5s}"
WARMUP="${WARMUP:-10s}"
KEYS="${KEYS:-100}"
REVOCATIONS="${REVOCATIONS:-100}"
REVOKE_JITTER_MS="${REVOKE_JITTER_MS:-500}"
UNKNOWN_KEYS="${UNKNOWN_KEYS:-1000}"
CREATIONS="${CREATIONS:-200}"
MALFORMED_KEYS="${MALFORMED_KEYS:-1000}"
LIGHT_THREADS="${LIGHT_THREADS:-1}"
LIGHT_CONNECTIONS="${LIGHT_CONNECTIONS:-2}"
# shellcheck disable=SC2034 # read by bench-lib.sh
STARTUP_TIMEOUT_S=120
# The run counts uses in Redis before and after the load; a usage flush in between would move them out of sight.
export SPENDSYNC_USAGE_FLUSH_INTERVAL=PT1H

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"
JAR="$REPO_DIR/all-in-one/target/spendsync.jar"
HELPER=(python3 "$BENCH_DIR/bench_helper.py")
FLOOR_SRC="${FLOOR_SRC:-$(dirname "$REPO_DIR")/shared/bench/floor}"
FLOOR_CACHE="${FLOOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/spendsync-bench}"

# shellcheck source=bench/bench-lib.sh
source "$BENCH_DIR/bench-lib.sh"

# ------------------------------------------------------------------------------------------------ steps

record_settings() {
  "${HELPER[@]}" machine "$REDIS_PORT" "$LOADAVG_AT_START" > "$WORK/machine.json"
  cat > "$WORK/settings.json" <<EOF
{"threads": $THREADS, "connections": $CONNECTIONS, "rounds": $ROUNDS, "duration": "$DURATION", "warmup": "$WARMUP",
 "keys": $KEYS, "light_threads": $LIGHT_THREADS, "light_connections": $LIGHT_CONNECTIONS}
EOF
}

# The floor application, built once per version of its sources with the project's Maven wrapper.
build_floor() {
  [[ -f "$FLOOR_SRC/pom.xml" ]] || die "the floor application is not at $FLOOR_SRC (set FLOOR_SRC)"
  local digest build
  digest="$(cat "$FLOOR_SRC/pom.xml" "$FLOOR_SRC"/src/main/java/floor/*.java | sha256sum | cut -c1-12)"
  build="$FLOOR_CACHE/floor-$digest"
  FLOOR_JAR="$build/target/floor-1.jar"
  if [[ ! -f "$FLOOR_JAR" ]]; then
    log "building the floor application into $build"
    rm -rf "$build" && mkdir -p "$build"
    cp -r "$FLOOR_SRC/pom.xml" "$FLOOR_SRC/src" "$REPO_DIR/.mvn" "$REPO_DIR/mvnw" "$build/"
    (cd "$build" && ./mvnw -q -B -DskipTests package) || die "the floor application did not build"
  fi
}

# The floor on a redis-server of its own: the binary embedded-redis ships in the app jar, as the app runs it.
start_floor() {
  local ports redis_jar binary
  read -r -a ports <<< "$("${HELPER[@]}" free-ports 2)"
  FLOOR_PORT="${ports[0]}"; FLOOR_REDIS_PORT="${ports[1]}"
  # member patterns rather than a pipe into grep, which would end unzip with SIGPIPE under pipefail
  redis_jar="$(unzip -Z1 "$JAR" 'BOOT-INF/lib/embedded-redis-*.jar')"
  unzip -p "$JAR" "$redis_jar" > "$WORK/embedded-redis.jar"
  binary="$(unzip -Z1 "$WORK/embedded-redis.jar" 'redis-server-*-linux-amd64')"
  unzip -p "$WORK/embedded-redis.jar" "$binary" > "$WORK/redis-server" && chmod +x "$WORK/redis-server"
  "$WORK/redis-server" --port "$FLOOR_REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    > "$WORK/floor-redis.log" 2>&1 &
  OWNED_PIDS+=("$!")
  log "starting the floor: http://127.0.0.1:$FLOOR_PORT ($binary :$FLOOR_REDIS_PORT)"
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
  java ${FLOOR_JAVA_OPTS-${JAVA_OPTS:-}} -jar "$FLOOR_JAR" --server.address=127.0.0.1 --server.port="$FLOOR_PORT" \
    --spring.data.redis.host=127.0.0.1 --spring.data.redis.port="$FLOOR_REDIS_PORT" \
    --management.endpoints.web.exposure.include=health,prometheus > "$WORK/floor.log" 2>&1 &
  FLOOR_PID=$!
  OWNED_PIDS+=("$FLOOR_PID")
  run_child "${HELPER[@]}" wait-health "$FLOOR_PORT" "$STARTUP_TIMEOUT_S" "$FLOOR_PID" \
    || die "the floor did not become healthy (see $WORK/floor.log)"
}

command_stats() { "${HELPER[@]}" redis-info "$REDIS_PORT" commandstats > "$WORK/$1"; }

# costs SIDE FILE: CPU and allocation counters of the app's or the floor's JVM and Redis
costs() {
  if [[ $1 == app ]]; then
    "${HELPER[@]}" costs "$APP_PID" "$REDIS_PORT" "http://127.0.0.1:$APP_PORT/actuator/prometheus" BENCH_ROOT_KEY \
      > "$2"
  else
    "${HELPER[@]}" costs "$FLOOR_PID" "$FLOOR_REDIS_PORT" "http://127.0.0.1:$FLOOR_PORT/actuator/prometheus" > "$2"
  fi
}

# run_wrk NAME LUA URL DURATION RESULT_FILE [CALLER_KEY [KEYS_FILE]]: one bounded wrk run (-d and --timeout bound
# it in time); WRK_THREADS and WRK_CONNECTIONS override THREADS and CONNECTIONS
run_wrk() {
  local name=$1 script=$2 url=$3 duration=$4 result=$5 caller=${6:-} keys=${7:-$WORK/keys.tsv}
  local threads=${WRK_THREADS:-$THREADS} connections=${WRK_CONNECTIONS:-$CONNECTIONS}
  log "wrk $name: -t$threads -c$connections -d$duration $url"
  BENCH_VERIFY_AS="$caller" BENCH_RESULT_FILE="$result" BENCH_KEYS_FILE="$keys" \
    run_child wrk -t"$threads" -c"$connections" -d"$duration" --timeout 5s --latency -s "$BENCH_DIR/$script" \
    "$url" > "$WORK/wrk-$name.txt"
  [[ -s "$result" ]] || die "wrk $name wrote no result (see $WORK/wrk-$name.txt)"
}

# measured NAME SIDE URL [CALLER_KEY [KEYS_FILE]]: a run of round length, with its CPU and allocation costs
measured() {
  local name=$1 side=$2 url=$3
  shift 3
  costs "$side" "$WORK/cost-$name-before.json"
  run_wrk "$name" wrk-verify.lua "$url" "$DURATION" "$WORK/wrk-$name.json" "$@"
  costs "$side" "$WORK/cost-$name-after.json"
}

load_test() {
  local verify="http://127.0.0.1:$APP_PORT/v1/keys/verify" fast="http://127.0.0.1:$VERIFY_PORT/v1/keys/verify"
  local lua="http://127.0.0.1:$FLOOR_PORT/lua" noop="http://127.0.0.1:$FLOOR_PORT/noop"
  # Warm every path first (JIT, connection pools, Redis script caches), so no measured run pays for it.
  run_wrk verify-warmup wrk-verify.lua "$verify" "$WARMUP" "$WORK/warmup-verify.json"
  run_wrk scoped-warmup wrk-verify.lua "$verify" "$WARMUP" "$WORK/warmup-scoped.json" "$SCOPED_KEY"
  run_wrk allowlist-warmup wrk-verify.lua "$verify" "$WARMUP" "$WORK/warmup-allowlist.json" "" "$WORK/allowlisted.tsv"
  run_wrk limits-warmup wrk-verify.lua "$verify" "$WARMUP" "$WORK/warmup-limits.json" "" "$WORK/limited.tsv"
  run_wrk unknown-warmup wrk-verify.lua "$verify" "$WARMUP" "$WORK/warmup-unknown.json" "" "$WORK/unknown.tsv"
  run_wrk malformed-warmup wrk-verify.lua "$verify" "$WARMUP" "$WORK/warmup-malformed.json" "" "$WORK/malformed.tsv"
  run_wrk fast-warmup wrk-verify.lua "$fast" "$WARMUP" "$WORK/warmup-fast.json"
  run_wrk fastmalformed-warmup wrk-verify.lua "$fast" "$WARMUP" "$WORK/warmup-fastmalformed.json" "" "$WORK/malformed.tsv"
  run_wrk lua-warmup wrk-verify.lua "$lua" "$WARMUP" "$WORK/warmup-lua.json"
  run_wrk noop-warmup wrk-verify.lua "$noop" "$WARMUP" "$WORK/warmup-noop.json"

  # The endpoints alternate in ROUNDS short runs rather than one long run each, so that a change in what else the
  # machine is doing hits every side alike instead of skewing their ratios.
  "${HELPER[@]}" usage "$REDIS_PORT" "$WORK/keys.tsv" > "$WORK/usage-before.json"
  local round
  for (( round = 1; round <= ROUNDS; round++ )); do
    command_stats "cmd-verify-$round-before.json"
    measured "verify-$round" app "$verify"
    command_stats "cmd-verify-$round-after.json"
    measured "scoped-$round" app "$verify" "$SCOPED_KEY"
    command_stats "cmd-allowlist-$round-before.json"
    measured "allowlist-$round" app "$verify" "" "$WORK/allowlisted.tsv"
    command_stats "cmd-allowlist-$round-after.json"
    command_stats "cmd-limits-$round-before.json"
    measured "limits-$round" app "$verify" "" "$WORK/limited.tsv"
    command_stats "cmd-limits-$round-after.json"
    measured "unknown-$round" app "$verify" "" "$WORK/unknown.tsv"
    measured "malformed-$round" app "$verify" "" "$WORK/malformed.tsv"
    measured "fast-$round" app "$fast"
    measured "fastmalformed-$round" app "$fast" "" "$WORK/malformed.tsv"
    measured "lua-$round" floor "$lua"
    measured "noop-$round" floor "$noop"
  done
  "${HELPER[@]}" usage "$REDIS_PORT" "$WORK/keys.tsv" > "$WORK/usage-after.json"
  for (( round = 1; round <= ROUNDS; round++ )); do
    WRK_THREADS=$LIGHT_THREADS WRK_CONNECTIONS=$LIGHT_CONNECTIONS \
      run_wrk "light-verify-$round" wrk-verify.lua "$verify" "$DURATION" "$WORK/wrk-light-verify-$round.json"
    WRK_THREADS=$LIGHT_THREADS WRK_CONNECTIONS=$LIGHT_CONNECTIONS \
      run_wrk "light-lua-$round" wrk-verify.lua "$lua" "$DURATION" "$WORK/wrk-light-lua-$round.json"
    WRK_THREADS=$LIGHT_THREADS WRK_CONNECTIONS=$LIGHT_CONNECTIONS \
      run_wrk "light-fast-$round" wrk-verify.lua "$fast" "$DURATION" "$WORK/wrk-light-fast-$round.json"
  done
}

# ------------------------------------------------------------------------------------------------ main

main() {
  # Other work on the machine skews every figure; the load average before we add ours is printed with them.
  LOADAVG_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"
  require_tools "wrk: install it, e.g. on Debian/Ubuntu: sudo apt-get install -y wrk" jcmd unzip
  local setting
  for setting in THREADS CONNECTIONS ROUNDS KEYS REVOCATIONS UNKNOWN_KEYS MALFORMED_KEYS CREATIONS LIGHT_THREADS \
      LIGHT_CONNECTIONS; do
    [[ "${!setting}" =~ ^[1-9][0-9]*$ ]] || die "$setting must be a positive whole number, not '${!setting}'"
  done
  [[ "$REVOKE_JITTER_MS" =~ ^[0-9]+$ ]] || die "REVOKE_JITTER_MS must be a whole number, not '$REVOKE_JITTER_MS'"
  (( REVOCATIONS <= KEYS )) || die "REVOCATIONS ($REVOCATIONS) must not exceed KEYS ($KEYS): it revokes the load's keys"
  build_jar_if_missing
  build_floor
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/spendsync-bench.XXXXXX")"
  # the same verify, served without blocking on a port of its own (NonBlockingVerifyServer)
  VERIFY_PORT="$("${HELPER[@]}" free-ports 1)"
  export SPENDSYNC_VERIFY_PORT="$VERIFY_PORT"
  start_app
  start_floor
  record_settings

  log "creating $KEYS keys"
  run_child "${HELPER[@]}" create-keys "$APP_PORT" "$KEYS" "$WORK/keys.tsv"
  log "creating $KEYS keys with an allowlist"
  run_child "${HELPER[@]}" create-keys "$APP_PORT" "$KEYS" "$WORK/allowlisted.tsv" allowlist
  log "creating $KEYS keys with 3 named limits (one shared by the owner) and an allowlist"
  run_child "${HELPER[@]}" create-keys "$APP_PORT" "$KEYS" "$WORK/limited.tsv" limits
  SCOPED_KEY="$("${HELPER[@]}" scoped-gateway-key "$APP_PORT")"
  "${HELPER[@]}" unknown-keys "$UNKNOWN_KEYS" "$WORK/unknown.tsv"
  "${HELPER[@]}" malformed-keys "$MALFORMED_KEYS" "$WORK/malformed.tsv"
  "${HELPER[@]}" seed-floor "$FLOOR_REDIS_PORT" "$WORK/keys.tsv"

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
