# shellcheck shell=bash
# Distributed mode on this machine for the bench scripts (sourced): the infra mode and service jars as separate
# processes on free loopback ports, each service's settings in its environment, and whatever was started stopped
# at exit (SIGTERM, then SIGKILL after 30 s). The caller sets REPO_DIR and WORK, and calls `trap stop_all EXIT`.

STARTED_PIDS=()

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# await_line FILE PATTERN SECONDS
await_line() {
  local _
  for _ in $(seq $(( $3 * 2 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.5; done
  echo "timed out waiting for '$2' in $1" >&2; tail -n 30 "$1" >&2; exit 1
}

# start_infra: the embedded MongoDB-wire server and Redis alone; exports MONGODB_URI and REDIS_URL
start_infra() {
  local mongo_port redis_port
  mongo_port=$(free_port); redis_port=$(free_port)
  SPENDSYNC_MODE=infra SPENDSYNC_DATA_DIR="$WORK/infra" SPENDSYNC_EMBEDDED_MONGO_PORT=$mongo_port \
    SPENDSYNC_EMBEDDED_REDIS_PORT=$redis_port java -jar "$REPO_DIR/all-in-one/target/spendsync.jar" \
    > "$WORK/infra.log" 2>&1 &
  STARTED_PIDS+=($!)
  await_line "$WORK/infra.log" '^REDIS_URL=' 60
  export MONGODB_URI="mongodb://127.0.0.1:$mongo_port" REDIS_URL="redis://127.0.0.1:$redis_port"
}

# start_service SERVICE NAME PORT: the service's jar as NAME on PORT; sets SERVICE_PID
start_service() {
  SERVER_PORT=$3 SPENDSYNC_NODE_ID="$2" SPENDSYNC_DATA_DIR="$WORK/$2" \
    java -jar "$REPO_DIR/$1/target/$1-exec.jar" > "$WORK/$2.log" 2>&1 &
  SERVICE_PID=$!
  STARTED_PIDS+=($!)
  await_line "$WORK/$2.log" 'Started .* in ' 120
}

stop_all() {
  local pid _
  for pid in "${STARTED_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STARTED_PIDS[@]}"; do
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [[ "${KEEP_WORK:-0}" == 1 ]] || rm -rf "$WORK"
}
