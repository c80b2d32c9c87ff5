#!/usr/bin/env python3
"""Helpers for bench/replay-bench.sh and bench/audit-query-bench.sh: HTTP with keep-alive and precise timing, and the
reports. Standard library only; the HTTP client, key format and percentile come from bench_helper.py.

Every loop here is bounded in count and in time, and every socket has a timeout, so a stuck server cannot hang the
bench. The root key is read from the environment (BENCH_ROOT_KEY), never from argv.

Subcommands:
  wait-idle PORT TIMEOUT_S             wait until no projection is rebuilding and every segment is caught up
  replay PORT NAME TIMEOUT_S EVENTS    ask for a rebuild of one projection and time it until it has caught up again;
                                       prints JSON (events/s = EVENTS / seconds)
  audit-queries PORT ROUNDS SEED_JSON BUDGET_S
                                       time the audit query shapes and the liveness baseline, interleaved, for ROUNDS
                                       rounds or until BUDGET_S seconds have passed (then fewer rounds); JSON
  replay-report WORKDIR                the replay summary table
  audit-report WORKDIR                 the audit query summary table
"""
import http.client
import json
import os
import random
import statistics
import sys
import time
import urllib.parse
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_helper import LOOPBACK, Api, fail, percentile  # noqa: E402

POLL_S = 0.25
EMBEDDED_CAVEAT = ("These are timings of the embedded MongoDB-wire server (mongo-java-server on H2, in the app's\n"
                   "process), NOT of MongoDB: it ignores non-unique secondary indexes, so every filtered or sorted\n"
                   "query scans the whole collection. Compare figures within one run only.")


def projections(api):
    status, body = api.request("GET", "/v1/admin/projections")
    if status != 200:
        fail(f"GET /v1/admin/projections: HTTP {status} {body}")
    return {p["name"]: p for p in body}


def idle(projection):
    return (projection["status"] == "running" and not projection["replaying"]
            and all(s["caughtUp"] for s in projection["segments"]))


def wait_idle(port, timeout_s):
    api = Api(port)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if all(idle(p) for p in projections(api).values()):
            return
        time.sleep(POLL_S)
    fail(f"projections not caught up within {timeout_s}s: {json.dumps(list(projections(api).values()))}")


def processed(api, name):
    """Events the processor has handled since the app started, from Axon's message monitor on /actuator/prometheus
    (summed over its segments): it tells how far a rebuild got when it does not finish in time."""
    conn = http.client.HTTPConnection(LOOPBACK, api.port, timeout=30)
    try:
        conn.request("GET", "/actuator/prometheus")
        text = conn.getresponse().read().decode()
    finally:
        conn.close()
    metric = name.replace("-", "_") + "_processedCounter_total "
    for line in text.splitlines():
        if line.startswith(metric):
            return float(line.split()[-1])
    fail(f"no {metric.strip()} on /actuator/prometheus")


def replay(port, name, timeout_s, events):
    """Times one rebuild from the 202 to the first poll that sees it running and caught up again. The resolution is
    the poll interval (POLL_S), small against rebuilds of 100k events. If it does not finish within timeout_s, the
    rate so far is what it handled in that time (events/s of a partial replay)."""
    api = Api(port, timeout=30)
    processed_before = processed(api, name)
    started = time.perf_counter()
    status, body = api.request("POST", f"/v1/admin/projections/{name}/replay")
    if status != 202:
        fail(f"replay {name}: HTTP {status} {body}")
    deadline = started + timeout_s
    last_report, current = started, None
    polls = 0
    while time.perf_counter() < deadline:
        time.sleep(POLL_S)
        polls += 1
        current = projections(api)[name]
        now = time.perf_counter()
        if not current["replaying"] and current["status"] == "running":
            seconds = now - started
            print(json.dumps({"name": name, "events": events, "seconds": seconds, "events_per_s": events / seconds,
                              "timed_out": False, "polls": polls}))
            return
        if current["status"] == "error":
            fail(f"projection {name} is in error: {current}")
        if now - last_report >= 30:  # progress, so a long rebuild is visibly alive
            done = processed(api, name) - processed_before
            print(f"  {name}: {now - started:.0f}s, {done:,.0f} of {events:,} events handled", file=sys.stderr)
            last_report = now
    # Timed out: the rate over the part it did. The processor goes on rebuilding; wait-idle or the app's stop follows.
    done = processed(api, name) - processed_before
    seconds = time.perf_counter() - started
    print(json.dumps({"name": name, "events": events, "seconds": seconds, "handled": done,
                      "events_per_s": done / seconds, "timed_out": True, "polls": polls}))


# ---------------------------------------------------------------- audit queries

class TimedApi(Api):
    """Times only the request and its response: a connection Tomcat closed (every 100 requests) is reopened before
    the clock starts, so no sample includes a TCP connect."""

    def timed(self, path):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=self.timeout)
            self.conn.connect()
        started = time.perf_counter()
        status, body = self.request("GET", path)
        elapsed_ms = (time.perf_counter() - started) * 1000
        return status, body, elapsed_ms


def audit_queries(port, rounds, seed_path, budget_s):
    with open(seed_path) as f:
        seed = json.load(f)
    keys = seed["keys"]
    first = datetime.fromisoformat(seed["first"].replace("Z", "+00:00"))
    last = datetime.fromisoformat(seed["last"].replace("Z", "+00:00"))
    rng = random.Random(7)
    api = TimedApi(port, timeout=120)

    def iso(t):
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")

    def time_range():
        # a 10-minute window somewhere in the seeded span: about 1,200 entries
        start = first + (last - first - timedelta(minutes=10)) * rng.random()
        return {"from": iso(start), "to": iso(start + timedelta(minutes=10))}

    shapes = {
        "unfiltered, first page": lambda: {},
        "by userId": lambda: {"userId": f"owner-{rng.randrange(100)}"},
        "by resourceId": lambda: {"resourceId": "key_bench" + f"{rng.randrange(keys):017d}"},
        "by eventType + severity": lambda: {"eventType": "ApiKeyRevoked", "severity": "WARNING"},
        "by time range (10 min)": time_range,
    }
    samples = {name: [] for name in shapes}
    samples["deep page (cursor hop 1-20)"] = []
    samples["baseline: GET /actuator/health/liveness"] = []
    errors = 0
    deep_every = 10  # a cursor walk is 21 requests; one every 10 rounds keeps the run's length reasonable
    started = time.perf_counter()
    # The shapes and the baseline alternate within each round, so drift in what the machine does hits all alike.
    done = 0
    for round_ in range(1, rounds + 1):
        if time.perf_counter() - started > budget_s:
            print(f"  audit queries: time budget of {budget_s:.0f}s used after {done} rounds", file=sys.stderr)
            break
        for name, params in shapes.items():
            query = urllib.parse.urlencode({**params(), "limit": 50})
            status, body, ms = api.timed(f"/v1/audit-logs?{query}")
            errors += status != 200
            samples[name].append(ms)
        status, _, ms = api.timed("/actuator/health/liveness")
        errors += status != 200
        samples["baseline: GET /actuator/health/liveness"].append(ms)
        if round_ % deep_every == 1:
            status, body, _ = api.timed("/v1/audit-logs?limit=50")
            for _ in range(20):
                cursor = (body or {}).get("nextCursor")
                if status != 200 or not cursor:
                    errors += 1
                    break
                status, body, ms = api.timed("/v1/audit-logs?" + urllib.parse.urlencode({"limit": 50,
                                                                                       "cursor": cursor}))
                errors += status != 200
                samples["deep page (cursor hop 1-20)"].append(ms)
        done = round_
        if round_ % 10 == 0 or round_ <= 3:
            print(f"  audit queries: round {round_}/{rounds}, {time.perf_counter() - started:.0f}s", file=sys.stderr)

    def stats(values):
        s = sorted(values)
        return {"n": len(s), "p50": percentile(s, 50), "p99": percentile(s, 99), "max": s[-1],
                "mean": statistics.fmean(s)}

    print(json.dumps({"rounds": done, "rounds_asked": rounds, "budget_s": budget_s, "errors": errors, "seconds": time.perf_counter() - started,
                      "shapes": {name: stats(values) for name, values in samples.items() if values}}))


# ---------------------------------------------------------------- reports

def load(workdir, name):
    with open(os.path.join(workdir, name)) as f:
        return json.load(f)


LINE = "-" * 88
W = 40


def header(title, workdir):
    m = load(workdir, "machine.json")
    print(LINE)
    print(title)
    print(LINE)
    print(f"{'machine':<{W}}{m['cpus']} CPUs, {m['cpu_model']}")
    print(f"{'java':<{W}}{m['java']}")
    print(f"{'load average before the run':<{W}}{m['loadavg']}")
    seed = load(workdir, "seed.json")
    print(f"{'seeded':<{W}}{seed['seeded']:,} ({seed['keys']:,} keys x Created, Updated, Updated, Revoked)")


def replay_report(workdir):
    header("SpendSync replay benchmark (all-in-one jar, embedded servers, loopback, same run)", workdir)
    before, after = load(workdir, "scan-before.json"), load(workdir, "scan-after.json")
    print(f"{'events in the store (N)':<{W}}{before['events']:,}")
    print(LINE)
    print(f"{'':<{W}}{'seconds':>10}{'events/s':>12}{'ratio to baseline':>20}")
    # The ratio is to the scan before the replays, on an idle app; the one after shows drift, and shares the CPUs
    # with a rebuild that did not finish in time.
    baseline = before["events_per_s"]
    print(f"{'baseline: plain driver scan, before':<{W}}{before['seconds']:>10.2f}{baseline:>12,.0f}{1:>20.3f}")
    print(f"{'baseline: plain driver scan, after':<{W}}{after['seconds']:>10.2f}{after['events_per_s']:>12,.0f}"
          f"{after['events_per_s'] / baseline:>20.3f}")
    ok = True
    with open(os.path.join(workdir, "replays.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if r["timed_out"]:
                ok = False
                print(f"{'replay ' + r['name'] + ' (partial)':<{W}}{r['seconds']:>10.2f}{r['events_per_s']:>12,.0f}"
                      f"{r['events_per_s'] / baseline:>20.3f}   {r['handled']:,.0f} of {r['events']:,} in time")
            else:
                print(f"{'replay ' + r['name']:<{W}}{r['seconds']:>10.2f}{r['events_per_s']:>12,.0f}"
                      f"{r['events_per_s'] / baseline:>20.3f}")
    print(LINE)
    print("A replay is timed from POST /v1/admin/projections/{name}/replay (202) to the first poll (every")
    print(f"{POLL_S} s) of GET /v1/admin/projections showing it running and no longer replaying; events/s = N / that.")
    print("The baseline reads the same collection with the plain MongoDB driver (find(), batches of 1000) and")
    print("parses each event's payload and metadata JSON; it writes nothing, so the ratio is the cost of a view's")
    print("processing and writes on top of reading the store. A partial replay's rate is the events it handled")
    print("(Axon's processedCounter on /actuator/prometheus) / the time allowed; the scan after it then runs")
    print("alongside the unfinished rebuild.")
    print(EMBEDDED_CAVEAT)
    print(LINE)
    return 0 if ok else 2


def audit_report(workdir):
    header("SpendSync audit query benchmark (all-in-one jar, embedded servers, loopback, same run)", workdir)
    result = load(workdir, "audit-queries.json")
    entries = load(workdir, "audit-entries.json")
    print(f"{'audit entries (audit_logs)':<{W}}{entries['entries']:,} before the queries "
          f"(written straight into the view's collection)")
    print(f"{'requests':<{W}}{result['rounds']} rounds (of {result['rounds_asked']} asked, time budget "
          f"{result['budget_s']:.0f}s), one of each shape per round, limit 50, keep-alive")
    print(LINE)
    base = result["shapes"]["baseline: GET /actuator/health/liveness"]
    print(f"{'GET /v1/audit-logs ...':<{W}}{'n':>6}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'p50 / base':>12}")
    for name, s in result["shapes"].items():
        print(f"{name:<{W}}{s['n']:>6}{s['p50']:>10.1f}{s['p99']:>10.1f}{s['max']:>10.1f}{s['p50'] / base['p50']:>12.0f}")
    print(f"{'errors':<{W}}{result['errors']}")
    print(LINE)
    print("Every audit read is itself recorded (an AuditLogRead event, then an entry), by design; the entries grow")
    print("by one per request during the run. The deep page is every hop of a walk following nextCursor 20 times")
    print("from the first page, in rounds 1, 11, 21, ... The baseline is the liveness probe on the same")
    print("connection, interleaved with the queries.")
    print(EMBEDDED_CAVEAT)
    print(LINE)
    return 0 if result["errors"] == 0 else 2


def main(argv):
    if len(argv) < 2:
        fail(__doc__)
    command, args = argv[1], argv[2:]
    if command == "wait-idle":
        wait_idle(int(args[0]), float(args[1]))
    elif command == "replay":
        replay(int(args[0]), args[1], float(args[2]), int(args[3]))
    elif command == "audit-queries":
        audit_queries(int(args[0]), int(args[1]), args[2], float(args[3]))
    elif command == "replay-report":
        return replay_report(args[0])
    elif command == "audit-report":
        return audit_report(args[0])
    else:
        fail(f"unknown command {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
