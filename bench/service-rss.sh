#!/usr/bin/env bash
# Memory of each service in distributed mode, for the Kubernetes resource requests (deploy/k8s): starts the infra
# mode and the three service jars as the manifests run them (JAVA_TOOL_OPTIONS of the ConfigMap, a 1 GiB limit
# emulated with -XX:MaxRAM), creates keys, verifies them under load, and prints each JVM's resident set now and at
# its peak (VmRSS, VmHWM). Build first: ./mvnw -q package -DskipTests
#   bench/service-rss.sh [verifications (default 20000)]
set -euo pipefail
REPO_DIR="$(cd "$(dirname "$0")/.." && pwd)"
VERIFICATIONS="${1:-20000}"
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
await_line() {  # file pattern seconds
  for _ in $(seq $(( $3 * 2 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.5; done
  echo "timed out waiting for '$2' in $1" >&2; tail -n 30 "$1" >&2; exit 1
}
export JAVA_TOOL_OPTIONS="-XX:MaxRAM=1g -XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError"

MONGO_PORT=$(free_port); REDIS_PORT=$(free_port)
SPENDSYNC_MODE=infra SPENDSYNC_DATA_DIR="$WORK/infra" SPENDSYNC_EMBEDDED_MONGO_PORT=$MONGO_PORT \
  SPENDSYNC_EMBEDDED_REDIS_PORT=$REDIS_PORT java -jar "$REPO_DIR/all-in-one/target/spendsync.jar" > "$WORK/infra.log" 2>&1 &
PIDS+=($!)
await_line "$WORK/infra.log" '^REDIS_URL=' 60
export MONGODB_URI="mongodb://127.0.0.1:$MONGO_PORT" REDIS_URL="redis://127.0.0.1:$REDIS_PORT"

declare -A PORT PID
for service in command-side query-side alerting-projector; do
  PORT[$service]=$(free_port)
  SERVER_PORT=${PORT[$service]} SPENDSYNC_NODE_ID="$service-rss" SPENDSYNC_DATA_DIR="$WORK/$service" \
    java -jar "$REPO_DIR/$service/target/$service-exec.jar" > "$WORK/$service.log" 2>&1 &
  PID[$service]=$!
  PIDS+=($!)
  await_line "$WORK/$service.log" 'Started .* in ' 120
done
ROOT_KEY="$(cat "$WORK/command-side/bootstrap-key")"

python3 - "${PORT[command-side]}" "${PORT[query-side]}" "$ROOT_KEY" "$VERIFICATIONS" <<'PY'
import json, sys, threading, time, urllib.request
command, query, root, total = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def call(port, path, body):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", json.dumps(body).encode(),
        {"Authorization": "Bearer " + root, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as reply:
        return json.load(reply)
keys = [call(command, "/v1/keys", {"ownerId": "rss", "name": f"k{i}", "permissions": ["payments:read"],
        "rateLimit": {"limit": 1000000, "windowSeconds": 60}})["key"] for i in range(200)]
time.sleep(2)
def verify(n, offset):
    for i in range(n):
        call(query, "/v1/keys/verify", {"key": keys[(offset + i) % len(keys)], "permissions": ["payments:read"]})
threads = [threading.Thread(target=verify, args=(total // 4, t * 50)) for t in range(4)]
[t.start() for t in threads]; [t.join() for t in threads]
PY
sleep 2
printf '%-20s %10s %10s\n' service 'RSS MiB' 'peak MiB'
for service in command-side query-side alerting-projector; do
  rss=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/${PID[$service]}/status")
  hwm=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/${PID[$service]}/status")
  printf '%-20s %10s %10s\n' "$service" "$rss" "$hwm"
done
