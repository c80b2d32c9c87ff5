#!/usr/bin/env bash
# The audit trail's checks at scale (issue 12): the online check and the offline verifier over about a million
# chained and sealed events, against a plain driver read of the same events through the same index, in one run.
#
#   bench/integrity-scale-bench.sh                 (KEYS=48000: 960,000 key events + 96,000 facts)
#   KEYS=2000 ROUNDS=1 bench/integrity-scale-bench.sh   (a quick try)
#
# The store is seeded on the embedded MongoDB-wire server run on its own (bench/EmbeddedMongoServer.java) by
# bench/TrailTool.java, which chains with the app's own EventChain and seals with its Seal and SigningKey, one seal
# per 1,000 keys. Then ROUNDS rounds of: plain read, online check, plain read (so drift hits both alike); one period
# check (the last PERIOD_SEALS seals, open to now); the exports and the offline verifier (`java -jar spendsync.jar
# verify-audit`, a JVM of its own) once. Settings: KEYS ROUNDS=2 PERIOD_SEALS=5 KEEP_WORK=1 DATA_DIR (reuse a
# seeded store: seeding is skipped if DATA_DIR/seeded exists).
# Needs: java 17+, python3 (standard library only), unzip.
# Exit status: 0 every goal met, 2 a goal missed, 1 failure.
set -euo pipefail

KEYS="${KEYS:-48000}"
ROUNDS="${ROUNDS:-2}"
PERIOD_SEALS="${PERIOD_SEALS:-5}"

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"
JAR="$REPO_DIR/all-in-one/target/spendsync.jar"
# shellcheck source=bench/bench-lib.sh
source "$BENCH_DIR/bench-lib.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ -f "$JAR" ]] || (cd "$REPO_DIR" && ./mvnw -q -B package -DskipTests)
WORK="$(mktemp -d)"
DATA="${DATA_DIR:-$WORK/data}"
mkdir -p "$DATA"
LOADAVG_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"
record() { printf '%s\n' "$1" >> "$WORK/results.jsonl"; }

mkdir -p "$WORK/app-lib"
unzip -q -j -o "$JAR" 'BOOT-INF/lib/*' -d "$WORK/app-lib"
APP_CP="$(find "$WORK/app-lib" -name '*.jar' | sort | paste -sd:)"
trail_tool() { java -Xmx2g -cp "$APP_CP" "$BENCH_DIR/TrailTool.java" "$@"; }

port="$("${BENCH_HELPER[@]}" free-ports 1)"
log "embedded MongoDB-wire server on $DATA, :$port"
java -Xmx6g -cp "$APP_CP" "$BENCH_DIR/EmbeddedMongoServer.java" "$DATA" "$port" > "$WORK/server.log" 2>&1 &
OWNED_PIDS+=("$!")
started=$SECONDS
until grep -q '^ready ' "$WORK/server.log"; do
  kill -0 "${OWNED_PIDS[0]}" 2>/dev/null || die "the server exited: $(tail -n 5 "$WORK/server.log")"
  (( SECONDS - started < 1800 )) || die "the server did not start in 1800 s"
  sleep 0.5
done
URI="mongodb://127.0.0.1:$port"

if [[ ! -f "$DATA/seeded" ]]; then
  log "seeding $KEYS keys"
  record "$(run_child trail_tool seed "$URI" "$DATA" "$KEYS" 2> "$WORK/seed.log")"
  touch "$DATA/seeded"
  log "seeded: $(tail -n 1 "$WORK/results.jsonl")"
fi

for round in $(seq 1 "$ROUNDS"); do
  log "round $round: plain read, online check, plain read"
  record "$(run_child trail_tool read "$URI")"
  record "$(run_child trail_tool online "$URI" "$DATA")"
  record "$(run_child trail_tool read "$URI")"
done

# seals are numbered from 0, one per 1,000 keys
from="$(run_child trail_tool seal-instant "$URI" $(( (KEYS + 999) / 1000 - PERIOD_SEALS )) | tr -d '"')"
log "period check from $from (the last $PERIOD_SEALS seals)"
record "$(run_child trail_tool online "$URI" "$DATA" "$from")"

log "exports, then the offline verifier"
record "$(run_child trail_tool export "$URI" "$DATA" "$WORK/export")"
t0=$(date +%s%N)
report="$(java -Xmx2g -jar "$JAR" verify-audit --events "$WORK/export/events.ndjson" --seals "$WORK/export/seals.ndjson" \
  --public-key "$WORK/export/public-key.pem" || true)"
t1=$(date +%s%N)
record "$(python3 -c "
import json, sys
r = json.loads(sys.argv[1])
print(json.dumps({'phase': 'offline', 'seconds': (int(sys.argv[2]) - int(sys.argv[3])) / 1e9, 'events': r['eventsChecked'], 'seals': r['sealsChecked'], 'verified': r['verified'], 'problems': r['problemCount']}))
" "$report" "$t1" "$t0")"
record "$(run_child trail_tool read "$URI")"

python3 - "$WORK/results.jsonl" "$LOADAVG_AT_START" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
def rate(row): return row["events"] / row["seconds"]
reads = [rate(r) for r in rows if r["phase"] == "read"]
online = [rate(r) for r in rows if r["phase"] == "online"]
offline = [rate(r) for r in rows if r["phase"] == "offline"]
period = [r for r in rows if r["phase"] == "online-period"]
seed = [r for r in rows if r["phase"] == "seed"]
base = statistics.median(reads)
print(f"machine load average at start: {sys.argv[2]}")
if seed:
    print(f"seeded: {seed[0]['events']:,} events, {seed[0]['seals']} seals in {seed[0]['seconds']:.0f} s")
print(f"plain read: {', '.join(f'{r:,.0f}' for r in reads)} events/s (median {base:,.0f})")
print(f"online check: {', '.join(f'{r:,.0f}' for r in online)} events/s, ratio {statistics.median(online) / base:.2f} (goal >= 0.5)")
print(f"offline verifier: {offline[0]:,.0f} events/s, ratio {offline[0] / base:.2f} (goal >= 0.5)")
for r in period:
    print(f"period check: {r['events']:,} events, {r['seals']} seals in {r['seconds']:.2f} s, verified {r['verified']}")
print("verified:", all(r.get("verified", True) for r in rows))
ok = statistics.median(online) / base >= 0.5 and offline[0] / base >= 0.5 and all(r.get("verified", True) for r in rows)
sys.exit(0 if ok else 2)
PY
