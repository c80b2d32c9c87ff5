#!/usr/bin/env bash
# What the tamper-evident trail costs (issue 12): commands with chaining and sealing on against off, alternating
# in one run, and the online check and offline verifier against a plain-driver read of the same events.
#
#   bench/integrity-bench.sh               (from anywhere; builds the jar first if it is missing)
#   KEYS=200 ROUNDS=1 bench/integrity-bench.sh   (a quick try)
#
# Each round starts the all-in-one jar twice on fresh stores, once with SPENDSYNC_AUDIT_CHAIN_EVENTS=true (the
# default) and once with false, in the order on, off, then off, on in the next round, so drift hits both alike;
# each time CLIENTS clients create KEYS keys and then rotate each once. After the last "on" start, still running: a
# seal, the online check, the plain-driver read of domainevents, then the exports and the offline verifier.
# Settings: KEYS=1000 CLIENTS=4 ROUNDS=2 SEAL_INTERVAL=PT5S JAVA_OPTS, KEEP_WORK=1 (keep the temporary directory).
# Needs: java 17+, python3 (standard library only), unzip.
# Exit status: 0 every goal met, 2 a goal missed, 1 failure.
set -euo pipefail

KEYS="${KEYS:-1000}"
CLIENTS="${CLIENTS:-4}"
ROUNDS="${ROUNDS:-2}"
SEAL_INTERVAL="${SEAL_INTERVAL:-PT5S}"
STARTUP_TIMEOUT_S="${STARTUP_TIMEOUT_S:-180}"

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"
JAR="$REPO_DIR/all-in-one/target/spendsync.jar"
INTEGRITY=(python3 "$BENCH_DIR/integrity_helper.py")
# shellcheck source=bench/event-store-bench-lib.sh disable=SC2034 # JAR, LOADAVG_AT_START: used by the library
source "$BENCH_DIR/event-store-bench-lib.sh"

record() { printf '%s\n' "$1" >> "$WORK/results.jsonl"; }

# one_start on|off LAST: a fresh store, the commands; with LAST, the checks too
one_start() {
  local chain=$1 last=$2
  APP_DATA_DIR="$WORK/data-$chain-$RANDOM"
  APP_LOG="$WORK/app-$chain.log"
  export SPENDSYNC_AUDIT_CHAIN_EVENTS SPENDSYNC_AUDIT_SEAL_INTERVAL="$SEAL_INTERVAL"
  SPENDSYNC_AUDIT_CHAIN_EVENTS=$([[ $chain == on ]] && echo true || echo false)
  start_app
  log "[chaining $chain] $CLIENTS clients: $KEYS creations, then $KEYS rotations"
  record "$("${INTEGRITY[@]}" commands "$APP_PORT" "$chain" "$CLIENTS" "$KEYS")"
  if [[ $last == last ]]; then
    log "[chaining $chain] waiting for a seal, then the online check and the plain read"
    sleep "$(python3 -c "import re,sys; m=re.fullmatch(r'PT(\d+)S', sys.argv[1]); print(int(m.group(1)) * 2 if m else 10)" "$SEAL_INTERVAL")"
    record "$("${INTEGRITY[@]}" check "$APP_PORT" "$chain")"
    record "$(with_fields "$(event_store_tool scan "$MONGO_URI")" phase=scan)"
    log "[chaining $chain] exports, then the offline verifier"
    mkdir -p "$WORK/export"
    "${INTEGRITY[@]}" export "$APP_PORT" "$WORK/export"
    local started report
    started=$(date +%s%N)
    report="$(java -jar "$JAR" verify-audit --events "$WORK/export/events.ndjson" --seals "$WORK/export/seals.ndjson" \
      --public-key "$WORK/export/public-key.pem" || true)"
    record "$(python3 -c "
import json, sys
r = json.loads(sys.argv[1]); s = (int(sys.argv[2]) - int(sys.argv[3])) / 1e9
print(json.dumps({'phase': 'offline', 'seconds': s, 'events': r['eventsChecked'], 'seals': r['sealsChecked'], 'verified': r['verified']}))
" "$report" "$(date +%s%N)" "$started")"
  fi
  stop_app
}


main() {
  LOADAVG_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"
  require_tools "unzip: it takes the MongoDB driver out of the app's jar"
  build_jar_if_missing
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/spendsync-integrity-bench.XXXXXX")"
  chmod 700 "$WORK"
  : > "$WORK/results.jsonl"
  extract_driver
  record_machine
  record "$(with_fields "$(cat "$WORK/machine.json")" phase=machine)"
  local round
  for (( round = 1; round <= ROUNDS; round++ )); do
    if (( round % 2 == 1 )); then
      one_start on no; one_start off no
    else
      one_start off no; one_start on no
    fi
  done
  one_start on last
  local status=0
  "${INTEGRITY[@]}" summary "$WORK" || status=$?
  return "$status"
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
main "$@"
