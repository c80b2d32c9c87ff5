# shellcheck shell=bash
# What every bench script shares (sourced, not run): starting the all-in-one jar on a temporary data directory with
# a root key made for the run, random loopback ports, and stopping whatever it started, whatever happens.
# The caller sets BENCH_DIR, REPO_DIR and JAR before sourcing, installs the traps
# (cleanup on EXIT), and calls require_tools with the tools it needs beyond java and python3.

STARTUP_TIMEOUT_S="${STARTUP_TIMEOUT_S:-180}"
STOP_TIMEOUT_S=30
BENCH_HELPER=(python3 "$BENCH_DIR/bench_helper.py")

WORK=""        # temporary directory: data dir, app log, raw results
APP_PID=""     # the java process we started
REDIS_PID=""   # the redis-server the app started (embedded-redis runs it as a separate process)
CHILD_PID=""   # the step running now (see run_child)
OWNED_PIDS=()  # other processes a bench started in the background (stop_pid), stopped by cleanup too

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
  stop_app
  local pid
  for pid in "${OWNED_PIDS[@]}"; do
    stop_pid "$pid"
  done
  if [[ -n "$WORK" && -d "$WORK" ]]; then
    if (( status == 1 )) && [[ -f "${APP_LOG:-$WORK/app.log}" ]]; then
      log "last lines of the app log:"
      tail -n 40 "${APP_LOG:-$WORK/app.log}" >&2 || true
    fi
    if [[ "${KEEP_WORK:-0}" == 1 ]]; then
      log "kept $WORK"
    else
      rm -rf "$WORK"
    fi
  fi
  exit "$status"
}

# stop_pid PID: SIGTERM, then SIGKILL after STOP_TIMEOUT_S, for a background process this script started.
stop_pid() {
  local pid=$1 waited=0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && (( waited < STOP_TIMEOUT_S * 10 )); do
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Stops the app this script started, if it runs, and the embedded Redis it started: by cleanup, and by a bench that
# runs the app more than once.
stop_app() {
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
  APP_PID=""
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
  REDIS_PID=""
}

# ------------------------------------------------------------------------------------------------ steps

# Each argument: a tool, or "tool:hint" to say how to get it.
require_tools() {
  local tool
  for tool in java python3 "$@"; do
    command -v "${tool%%:*}" >/dev/null || die "${tool%%:*} not found${tool#"${tool%%:*}"}"
  done
}

build_jar_if_missing() {
  if [[ ! -f "$JAR" ]]; then
    log "building $JAR (not found)"
    (cd "$REPO_DIR" && ./mvnw -q -B package -DskipTests)
    [[ -f "$JAR" ]] || die "build did not produce $JAR"
  fi
}

start_app() {
  local ports
  read -r -a ports <<< "$("${BENCH_HELPER[@]}" free-ports 3)"
  APP_PORT="${ports[0]}"; MONGO_PORT="${ports[1]}"; REDIS_PORT="${ports[2]}"
  # shellcheck disable=SC2034 # read by the event-store benches
  MONGO_URI="mongodb://127.0.0.1:$MONGO_PORT"
  # A root key made for this run: nothing secret is committed, and the app does not print it. A restart on the same
  # data directory (KEEP_ROOT_KEY=1) keeps the key that store's first start was given.
  if [[ -z "${KEEP_ROOT_KEY:-}" || -z "${BENCH_ROOT_KEY:-}" ]]; then
    BENCH_ROOT_KEY="$("${BENCH_HELPER[@]}" keygen)"
  fi
  export BENCH_ROOT_KEY
  log "starting the app: http://127.0.0.1:$APP_PORT (embedded MongoDB :$MONGO_PORT, Redis :$REDIS_PORT)"
  # SERVER_ADDRESS keeps the HTTP port on loopback too; the embedded servers bind to 127.0.0.1 by themselves.
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
  SPENDSYNC_DATA_DIR="${APP_DATA_DIR:-$WORK/data}" SERVER_ADDRESS=127.0.0.1 SERVER_PORT="$APP_PORT" \
    SPENDSYNC_EMBEDDED_MONGO_PORT="$MONGO_PORT" SPENDSYNC_EMBEDDED_REDIS_PORT="$REDIS_PORT" \
    SPENDSYNC_BOOTSTRAP_KEY="$BENCH_ROOT_KEY" \
    java ${JAVA_OPTS:-} -jar "$JAR" > "${APP_LOG:-$WORK/app.log}" 2>&1 &
  APP_PID=$!
  local started=$SECONDS started_ns
  started_ns=$(date +%s%N)
  run_child "${BENCH_HELPER[@]}" wait-health "$APP_PORT" "$STARTUP_TIMEOUT_S" "$APP_PID" || die "the app did not become healthy"
  kill -0 "$APP_PID" 2>/dev/null || die "the app exited"
  # shellcheck disable=SC2034 # read by scale-bench.sh
  APP_STARTUP_S="$(( ($(date +%s%N) - started_ns) / 1000000 ))e-3"
  REDIS_PID="$(redis_pid)"
  log "app UP after $((SECONDS - started))s (pid $APP_PID, embedded redis-server pid $REDIS_PID)"
}

redis_pid() { "${BENCH_HELPER[@]}" redis-info "$REDIS_PORT" server process_id; }

