# shellcheck shell=bash
# Shared by replay-bench.sh and audit-query-bench.sh (sourced, not run): on top of bench-lib.sh, seeding the event
# store with KEYS x 4 events through the MongoDB driver taken from the app's own jar.

# shellcheck source=bench/bench-lib.sh
source "$BENCH_DIR/bench-lib.sh"

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

# with_fields JSON KEY=VALUE...: the JSON object with string fields added
with_fields() {
  python3 - "$@" <<'PY'
import json, sys
record = json.loads(sys.argv[1])
for pair in sys.argv[2:]:
    key, _, value = pair.partition("=")
    record[key] = value
print(json.dumps(record))
PY
}
