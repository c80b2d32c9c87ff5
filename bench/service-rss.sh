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
# shellcheck source=bench/distributed-lib.sh
source "$REPO_DIR/bench/distributed-lib.sh"
trap stop_all EXIT
export JAVA_TOOL_OPTIONS="-XX:MaxRAM=1g -XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError"

start_infra
declare -A PORT PID
for service in command-side query-side alerting-projector; do
  PORT[$service]=$(free_port)
  start_service "$service" "$service" "${PORT[$service]}"
  PID[$service]=$SERVICE_PID
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
