# shellcheck shell=bash
# Shared by replay-bench.sh and audit-query-bench.sh (sourced, not run): starting the all-in-one jar on a temporary
# data directory, seeding its event store with KEYS x 4 events, and cleaning up whatever happens. The style and the
# cleanup follow verify-bench.sh; see there for why each step is done this way.
# The caller sets BENCH_DIR, REPO_DIR, JAR and HELPER before sourcing, and installs the traps (see the end of each
# script).

STARTUP_TIMEOUT_S=180
STOP_TIMEOUT_S=30

WORK=""        # temporary directory: data dir, app log, driver jars, raw results
APP_PID=""     # the java process we started
REDIS_PID=""   # the redis-server the app started (embedded-redis runs it as a separate process)
CHILD_PID=""   # the helper step running now (see run_child)

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Runs one step in the background and waits for it, so Ctrl-C or a TERM interrupts `wait` and the trap runs at once.
run_child() {
  "$@" &
  CHILD_PID=$!
  local status=0
  wait "$CHILD_PID" || status=$?
  CHILD_PID=""
  return "$status"
}

redis_pid() { python3 "$BENCH_DIR/bench_helper.py" redis-info "$REDIS_PORT" server process_id; }

# Stops what this script started, whatever happened: SIGTERM first so Spring shuts down in order (it also stops the
# embedded Redis), SIGKILL only after STOP_TIMEOUT_S; the Redis process separately, in case the JVM could not.
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

check_tools() {
  command -v java >/dev/null || die "java not found (Java 17+ is needed to run the jar)"
  command -v python3 >/dev/null || die "python3 not found"
  command -v unzip >/dev/null || die "unzip not found (it takes the MongoDB driver out of the jar)"
}

build_jar_if_missing() {
  if [[ ! -f "$JAR" ]]; then
    log "building $JAR (not found)"
    (cd "$REPO_DIR" && ./mvnw -q -B package -DskipTests)
    [[ -f "$JAR" ]] || die "build did not produce $JAR"
  fi
}

# The seeder and the baseline use the very MongoDB driver the app uses, taken from the fat jar, so no download.
extract_driver() {
  mkdir -p "$WORK/lib"
  unzip -q -j -o "$JAR" 'BOOT-INF/lib/mongodb-driver-sync-*' 'BOOT-INF/lib/mongodb-driver-core-*' \
    'BOOT-INF/lib/bson-[0-9]*' -d "$WORK/lib"
  DRIVER_CP="$(find "$WORK/lib" -name '*.jar' | sort | paste -sd:)"
  [[ "$(tr ':' '\n' <<< "$DRIVER_CP" | wc -l)" -eq 3 ]] || die "expected 3 driver jars in $JAR, found: $DRIVER_CP"
}

# event_store_tool ARGS...: the Java single-file program, with the driver on its class path
event_store_tool() {
  java -cp "$DRIVER_CP" "$BENCH_DIR/EventStoreTool.java" "$@"
}

start_app() {
  local ports
  read -r -a ports <<< "$(python3 "$BENCH_DIR/bench_helper.py" free-ports 3)"
  APP_PORT="${ports[0]}"; MONGO_PORT="${ports[1]}"; REDIS_PORT="${ports[2]}"
  MONGO_URI="mongodb://127.0.0.1:$MONGO_PORT"
  # A root key made for this run only: nothing secret is committed, and the app does not print it.
  BENCH_ROOT_KEY="$(python3 "$BENCH_DIR/bench_helper.py" keygen)"
  export BENCH_ROOT_KEY
  log "starting the app: http://127.0.0.1:$APP_PORT (embedded MongoDB-wire server :$MONGO_PORT, Redis :$REDIS_PORT)"
  # SERVER_ADDRESS keeps the HTTP port on loopback too; the embedded servers bind to 127.0.0.1 by themselves.
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
  SPENDSYNC_DATA_DIR="$WORK/data" SERVER_ADDRESS=127.0.0.1 SERVER_PORT="$APP_PORT" \
    SPENDSYNC_EMBEDDED_MONGO_PORT="$MONGO_PORT" SPENDSYNC_EMBEDDED_REDIS_PORT="$REDIS_PORT" \
    SPENDSYNC_BOOTSTRAP_KEY="$BENCH_ROOT_KEY" \
    java ${JAVA_OPTS:-} -jar "$JAR" > "$WORK/app.log" 2>&1 &
  APP_PID=$!
  local started=$SECONDS
  run_child python3 "$BENCH_DIR/bench_helper.py" wait-health "$APP_PORT" "$STARTUP_TIMEOUT_S" "$APP_PID" \
    || die "the app did not become healthy"
  kill -0 "$APP_PID" 2>/dev/null || die "the app exited"
  REDIS_PID="$(redis_pid)"
  log "app UP after $((SECONDS - started))s (pid $APP_PID, embedded redis-server pid $REDIS_PID)"
}

# Seeds with the app running: the events get timestamps an hour and more in the past, so the running processors
# (already past them) do not see them; only the replays, which start from the beginning of the store, do.
seed_events() {
  log "waiting until the projections are caught up with the bootstrap events"
  run_child "${HELPER[@]}" wait-idle "$APP_PORT" 120
  log "seeding $KEYS keys x 4 events into spendsync_audit.domainevents (direct inserts, batches of 1000)"
  run_child event_store_tool seed "$MONGO_URI" "$KEYS" > "$WORK/seed.json"
  log "seeded: $(cat "$WORK/seed.json")"
}

record_machine() {
  python3 - "$LOADAVG_AT_START" > "$WORK/machine.json" <<'PY'
import json, os, subprocess, sys
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.strip().splitlines()[0]
print(json.dumps({"cpus": os.cpu_count(), "cpu_model": model, "java": java, "loadavg": sys.argv[1]}))
PY
}
