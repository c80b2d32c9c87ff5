#!/usr/bin/env bash
# Verify throughput through nginx (deploy/nginx/spendsync.conf) with one and with two query sides behind it, and a
# query side called directly as the baseline, in alternating rounds of one run, with the CPU each request cost the
# query-side JVMs and nginx together. On 2 cores two query sides compete with each other, nginx and wrk for the
# same CPU: read the ratios and the CPU per request, not a scaling claim. Needs nginx, wrk; build first:
# ./mvnw -q package -DskipTests
#   bench/nginx-verify-bench.sh [rounds (3)] [seconds per run (15)]
set -euo pipefail
REPO_DIR="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_DIR="$REPO_DIR/bench"
ROUNDS="${1:-3}"
DURATION="${2:-15}"
THREADS=2
CONNECTIONS=16
WORK="$(mktemp -d)"
# shellcheck source=bench/distributed-lib.sh
source "$BENCH_DIR/distributed-lib.sh"
NGINX_PIDS=()
stop_everything() {
  local pid
  for pid in "${NGINX_PIDS[@]}"; do kill -QUIT "$pid" 2>/dev/null || true; done
  stop_all
}
trap stop_everything EXIT
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[[ -x "$NGINX" ]] || { echo "nginx is missing (apt-get install nginx)" >&2; exit 1; }

start_infra
COMMAND_PORT=$(free_port); start_service command-side command-side "$COMMAND_PORT"
Q1_PORT=$(free_port); start_service query-side query-side-1 "$Q1_PORT"; Q1_PID=$SERVICE_PID
Q2_PORT=$(free_port); start_service query-side query-side-2 "$Q2_PORT"; Q2_PID=$SERVICE_PID
ROOT_KEY="$(cat "$WORK/command-side/bootstrap-key")"
export BENCH_ROOT_KEY="$ROOT_KEY" BENCH_KEYS_FILE="$WORK/keys.tsv"

python3 - "$COMMAND_PORT" "$Q1_PORT" "$ROOT_KEY" "$BENCH_KEYS_FILE" <<'PY'
import json, sys, time, urllib.request
command, query, root, out = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def call(port, path, body):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", json.dumps(body).encode(),
        {"Authorization": "Bearer " + root, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as reply:
        return json.load(reply)
with open(out, "w") as keys:
    for i in range(200):
        created = call(command, "/v1/keys", {"ownerId": "bench", "name": f"k{i}", "permissions": ["payments:read"],
                                             "rateLimit": {"limit": 1000000, "windowSeconds": 60}})
        keys.write(f"{created['keyId']}\t{created['key']}\n")
time.sleep(2)
PY

# start_nginx NAME UPSTREAM_PORTS...: the shipped routes on a free port, the query sides given; sets NGINX_PORT
start_nginx() {
  local name=$1; shift
  local home="$WORK/nginx-$name" port
  port=$(free_port)
  mkdir -p "$home"
  sed "s/listen 8080;/listen 127.0.0.1:$port;/" "$REPO_DIR/deploy/nginx/spendsync.conf" > "$home/spendsync.conf"
  {
    echo "upstream spendsync_commands { server 127.0.0.1:$COMMAND_PORT; keepalive 8; }"
    echo "upstream spendsync_alerts { server 127.0.0.1:$COMMAND_PORT; }"
    echo "upstream spendsync_queries {"
    for p in "$@"; do echo "  server 127.0.0.1:$p max_fails=2 fail_timeout=5s;"; done
    echo "  keepalive 32;"
    echo "}"
  } > "$home/upstreams.conf"
  cat > "$home/nginx.conf" <<CONF
worker_processes 1;
pid $home/nginx.pid;
error_log $home/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $home/body; proxy_temp_path $home/proxy; fastcgi_temp_path $home/fastcgi;
  uwsgi_temp_path $home/uwsgi; scgi_temp_path $home/scgi;
  include $home/upstreams.conf;
  include $home/spendsync.conf;
}
CONF
  "$NGINX" -p "$home" -c "$home/nginx.conf" -g 'daemon off;' > "$home/stdout" 2>&1 &
  NGINX_PIDS+=($!)
  for _ in $(seq 40); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.25; done
  NGINX_PORT=$port
}
start_nginx one "$Q1_PORT"; NGINX_ONE=$NGINX_PORT
start_nginx two "$Q1_PORT" "$Q2_PORT"; NGINX_TWO=$NGINX_PORT

# CPU ticks (user + system) of the query sides and of this bench's nginx masters and workers
cpu_ticks() {
  local total=0 pid
  for pid in "$Q1_PID" "$Q2_PID" "${NGINX_PIDS[@]}" $(for n in "${NGINX_PIDS[@]}"; do pgrep -P "$n"; done); do
    [[ -r "/proc/$pid/stat" ]] || continue
    total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat") ))
  done
  echo "$total"
}

# measure NAME URL: one wrk run; appends "name requests seconds cpu_ticks p50_us p99_us errors" to results
measure() {
  local before after
  before=$(cpu_ticks)
  BENCH_RESULT_FILE="$WORK/$1.json" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency \
    -s "$BENCH_DIR/wrk-verify.lua" "$2" > "$WORK/$1.txt"
  after=$(cpu_ticks)
  python3 - "$1" "$WORK/$1.json" "$(( after - before ))" >> "$WORK/results" <<'PY'
import json, sys
r = json.load(open(sys.argv[2]))
errors = sum(r["errors"].values())
print(sys.argv[1].rsplit("-", 1)[0], r["requests"], r["duration_us"] / 1e6, sys.argv[3], r["p50_us"], r["p99_us"], errors)
PY
}

echo "warming up" >&2
for target in "direct http://127.0.0.1:$Q1_PORT" "one http://127.0.0.1:$NGINX_ONE" "two http://127.0.0.1:$NGINX_TWO"; do
  set -- $target
  BENCH_RESULT_FILE="$WORK/warm.json" wrk -t"$THREADS" -c"$CONNECTIONS" -d10s --timeout 5s \
    -s "$BENCH_DIR/wrk-verify.lua" "$2/v1/keys/verify" > /dev/null
done
for round in $(seq "$ROUNDS"); do
  echo "round $round of $ROUNDS" >&2
  measure "direct-$round" "http://127.0.0.1:$Q1_PORT/v1/keys/verify"
  measure "nginx1-$round" "http://127.0.0.1:$NGINX_ONE/v1/keys/verify"
  measure "nginx2-$round" "http://127.0.0.1:$NGINX_TWO/v1/keys/verify"
done

python3 - "$WORK/results" "$(getconf CLK_TCK)" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
tick_ms = 1000 / int(sys.argv[2])
by = {}
for name, requests, seconds, ticks, p50, p99, errors in rows:
    by.setdefault(name, []).append((int(requests) / float(seconds), int(ticks) * tick_ms / int(requests),
                                    int(p50) / 1000, int(p99) / 1000, int(errors)))
base = statistics.median(r[0] for r in by["direct"])
print(f"{'target':10} {'req/s (median)':>15} {'ratio':>6} {'CPU ms/req':>11} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
for name in ("direct", "nginx1", "nginx2"):
    runs = by[name]
    rps = statistics.median(r[0] for r in runs)
    print(f"{name:10} {rps:15.0f} {rps / base:6.2f} {statistics.median(r[1] for r in runs):11.3f} "
          f"{statistics.median(r[2] for r in runs):7.2f} {statistics.median(r[3] for r in runs):7.2f} "
          f"{sum(r[4] for r in runs):6d}")
print("runs (req/s):", {name: [round(r[0]) for r in runs] for name, runs in by.items()})
PY
