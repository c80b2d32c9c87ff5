#!/usr/bin/env python3
"""Helpers for bench/scale-bench.sh: timed commands, audit queries, idle CPU and memory of a process, and the summary.
Standard library only; the HTTP client, key format and percentile come from bench_helper.py.

Every loop is bounded in count and in time (its budget), and every socket has a timeout, so a slow store cannot hang
the bench: a phase that runs out of time says so ("over_budget") with what it measured until then. The root key is
read from the environment (BENCH_ROOT_KEY), never from argv.

Subcommands (each prints one JSON line):
  commands PORT STORE KEY_IDS_FILE N BUDGET_S   N x (create, PATCH, rotate) one at a time, PATCH and rotate on keys
                                                of KEY_IDS_FILE (a key id first on each line); p50/p99 per command
  create-throughput PORT STORE N CLIENTS BUDGET_S
                                                N creations by CLIENTS connections at once: keys/s
  first-verify PORT STORE SECRETS_FILE BUDGET_S verify each key of SECRETS_FILE once ("keyId<TAB>key"): codes and
                                                p50/p99 (on a seeded store Redis has none of them yet)
  audit PORT STORE SEED_JSON KEY_IDS_FILE ROUNDS BUDGET_S
                                                every filter shape of GET /v1/audit-logs and cursor walks: p50/p99
  idle PID STORE SECONDS                        CPU the process used over SECONDS, as a fraction of one core
  memory PID STORE                              its resident set (VmRSS, VmHWM)
  summary WORKDIR                               the side-by-side table, ratios and goals, from WORKDIR/results.jsonl
"""
import concurrent.futures
import json
import os
import random
import statistics
import sys
import time
import urllib.parse
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_helper import LOOPBACK, Api, fail, percentile  # noqa: E402,F401
from event_store_helper import TimedApi  # noqa: E402

REQUEST_TIMEOUT_S = 120


def stats(values):
    if not values:
        return {"n": 0}
    s = sorted(values)
    return {"n": len(s), "p50_ms": percentile(s, 50), "p99_ms": percentile(s, 99), "max_ms": s[-1],
            "mean_ms": statistics.fmean(s)}


def emit(record):
    print(json.dumps(record), flush=True)


def read_first_column(path):
    with open(path) as f:
        return [line.split("\t")[0].strip() for line in f if line.strip()]


# ---------------------------------------------------------------- commands

def timed_request(api, method, path, body, expected):
    started = time.perf_counter()
    status, answer = api.request(method, path, body)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if status != expected:
        raise RuntimeError(f"{method} {path}: HTTP {status} {answer}")
    return elapsed_ms, answer


def commands(port, store, key_ids_path, count, budget_s):
    """One client, one command at a time, the three kinds interleaved so that drift hits all alike. PATCH and rotate
    each take a key of their own from the file, so no key is changed twice."""
    key_ids = read_first_column(key_ids_path)
    if len(key_ids) < 2 * count:
        fail(f"commands: need {2 * count} key ids in {key_ids_path}, have {len(key_ids)}")
    api = TimedApi(port, timeout=REQUEST_TIMEOUT_S)
    samples = {"create": [], "patch": [], "rotate": []}
    started = time.perf_counter()
    over_budget, errors = False, []
    for i in range(count):
        if time.perf_counter() - started > budget_s:
            over_budget = True
            break
        try:
            ms, _ = timed_request(api, "POST", "/v1/keys", {"ownerId": f"owner-{i % 100}", "name": f"scale-{i}",
                                                            "permissions": ["payments:read"]}, 201)
            samples["create"].append(ms)
            ms, _ = timed_request(api, "PATCH", f"/v1/keys/{key_ids[2 * i]}",
                                  {"metadata": {"team": f"team-{i % 40}", "changedBy": "scale-bench"}}, 200)
            samples["patch"].append(ms)
            ms, _ = timed_request(api, "POST", f"/v1/keys/{key_ids[2 * i + 1]}/rotate", {"gracePeriodSeconds": 3600},
                                  200)
            samples["rotate"].append(ms)
        except (RuntimeError, OSError) as e:
            errors.append(str(e)[:300])
            if len(errors) >= 5:
                break
            api.close()
    emit({"phase": "commands", "store": store, "asked": count, "over_budget": over_budget, "budget_s": budget_s,
          "seconds": time.perf_counter() - started, "errors": errors,
          **{name: stats(values) for name, values in samples.items()}})


def create_throughput(port, store, count, clients, budget_s):
    deadline = time.perf_counter() + budget_s

    def create(indexes):
        api, done, errors = Api(port, timeout=REQUEST_TIMEOUT_S), 0, 0
        for i in indexes:
            if time.perf_counter() > deadline:
                break
            try:
                status, _ = api.request("POST", "/v1/keys", {"ownerId": f"burst-{i % 50}", "name": f"burst-{i}",
                                                             "permissions": ["payments:read"]})
                done += status == 201
                errors += status != 201
            except OSError:
                errors += 1
                api.close()
        api.close()
        return done, errors

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(create, [range(c, count, clients) for c in range(clients)]))
    seconds = time.perf_counter() - started
    created = sum(r[0] for r in results)
    emit({"phase": "create-throughput", "store": store, "clients": clients, "asked": count, "created": created,
          "errors": sum(r[1] for r in results), "seconds": seconds, "keys_per_s": created / seconds,
          "over_budget": created + sum(r[1] for r in results) < count})


def first_verify(port, store, secrets_path, budget_s):
    api = TimedApi(port, timeout=REQUEST_TIMEOUT_S)
    codes, samples = {}, []
    started = time.perf_counter()
    with open(secrets_path) as f:
        keys = [line.rstrip("\n").split("\t")[1] for line in f if "\t" in line]
    over_budget = False
    for key in keys:
        if time.perf_counter() - started > budget_s:
            over_budget = True
            break
        began = time.perf_counter()
        status, body = api.verify(key)
        samples.append((time.perf_counter() - began) * 1000)
        code = body.get("code") if status == 200 and body else f"HTTP {status}"
        codes[code] = codes.get(code, 0) + 1
    emit({"phase": "first-verify", "store": store, "keys": len(keys), "over_budget": over_budget,
          "codes": codes, **stats(samples)})


# ---------------------------------------------------------------- audit queries

def audit(port, store, seed_path, key_ids_path, rounds, budget_s):
    """Every filter of GET /v1/audit-logs (docs/api.md) alone, two together, and cursor walks 20 pages deep, in
    rounds so that drift hits every shape alike; limit 50, one keep-alive connection."""
    with open(seed_path) as f:
        seed = json.load(f)
    first = datetime.fromisoformat(seed["first"].replace("Z", "+00:00"))
    last = datetime.fromisoformat(seed["last"].replace("Z", "+00:00"))
    key_ids = read_first_column(key_ids_path)
    rng = random.Random(11)

    def iso(t):
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")

    def window(minutes):
        begin = first + (last - first - timedelta(minutes=minutes)) * rng.random()
        return {"from": iso(begin), "to": iso(begin + timedelta(minutes=minutes))}

    shapes = {
        "no filter": lambda: {},
        "userId (1 of 100 owners)": lambda: {"userId": f"owner-{rng.randrange(100)}"},
        "actor (root key: the API's changes)": lambda: {"actor": "key_bootstrapRootKey000000"},
        "actor (system:deadlines, rare)": lambda: {"actor": "system:deadlines"},
        "eventType (ApiKeyRevoked)": lambda: {"eventType": "ApiKeyRevoked"},
        "eventType (ApiKeyUsed, most)": lambda: {"eventType": "ApiKeyUsed"},
        "severity (WARNING)": lambda: {"severity": "WARNING"},
        "resourceType (api_key)": lambda: {"resourceType": "api_key"},
        "resourceId (one key)": lambda: {"resourceId": rng.choice(key_ids)},
        "from + to (10 minutes)": lambda: window(10),
        "userId + eventType": lambda: {"userId": f"owner-{rng.randrange(100)}", "eventType": "ApiKeyUpdated"},
        "userId + from + to (1 day)": lambda: {"userId": f"owner-{rng.randrange(100)}", **window(24 * 60)},
    }
    deep_shapes = {"deep pages, no filter (hops 1-20)": {}, "deep pages, userId (hops 1-20)": None}
    api = TimedApi(port, timeout=REQUEST_TIMEOUT_S)
    samples = {name: [] for name in list(shapes) + list(deep_shapes)}
    samples["baseline: GET /actuator/health/liveness"] = []
    errors, done, over_budget = 0, 0, False
    started = time.perf_counter()
    for round_ in range(1, rounds + 1):
        if time.perf_counter() - started > budget_s:
            over_budget = True
            break
        for name, params in shapes.items():
            if time.perf_counter() - started > budget_s:
                over_budget = True
                break
            status, _, ms = api.timed("/v1/audit-logs?" + urllib.parse.urlencode({**params(), "limit": 50}))
            errors += status != 200
            samples[name].append(ms)
        status, _, ms = api.timed("/actuator/health/liveness")
        samples["baseline: GET /actuator/health/liveness"].append(ms)
        if round_ % 5 == 1 and not over_budget:
            for name, filters in deep_shapes.items():
                filters = filters if filters is not None else {"userId": f"owner-{rng.randrange(100)}"}
                status, body, _ = api.timed("/v1/audit-logs?" + urllib.parse.urlencode({**filters, "limit": 50}))
                for _ in range(20):
                    cursor = (body or {}).get("nextCursor")
                    if status != 200 or not cursor or time.perf_counter() - started > budget_s:
                        break
                    status, body, ms = api.timed("/v1/audit-logs?" + urllib.parse.urlencode(
                        {**filters, "limit": 50, "cursor": cursor}))
                    errors += status != 200
                    samples[name].append(ms)
        done = round_
        print(f"  audit ({store}): round {round_}/{rounds}, {time.perf_counter() - started:.0f}s", file=sys.stderr)
    emit({"phase": "audit", "store": store, "rounds": done, "rounds_asked": rounds, "budget_s": budget_s,
          "over_budget": over_budget, "errors": errors, "seconds": time.perf_counter() - started,
          "shapes": {name: stats(values) for name, values in samples.items()}})


# ---------------------------------------------------------------- the process

def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15 of stat), in clock ticks


def idle(pid, store, seconds):
    ticks_per_s = os.sysconf("SC_CLK_TCK")
    before, started = cpu_ticks(pid), time.monotonic()
    time.sleep(seconds)
    used = (cpu_ticks(pid) - before) / ticks_per_s
    elapsed = time.monotonic() - started
    emit({"phase": "idle", "store": store, "seconds": elapsed, "cpu_seconds": used, "core_fraction": used / elapsed})


def memory(pid, store):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) // 1024
    emit({"phase": "memory", "store": store, "rss_mb": values.get("VmRSS"), "peak_rss_mb": values.get("VmHWM")})


# ---------------------------------------------------------------- summary

def summary(workdir):
    results = {}
    with open(os.path.join(workdir, "results.jsonl")) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                results.setdefault((r["phase"], r.get("store"), r.get("name")), r)

    def get(phase, store, name=None):
        return results.get((phase, store, name))

    rows, verdicts = [], []

    def goal(label, value, target, ok):
        verdicts.append((label, value, target, "met" if ok else "NOT met"))

    line = "-" * 100
    print(line)
    print("SpendSync at scale: seeded store against a fresh one (all-in-one jar, embedded default, same run)")
    print(line)
    machine = get("machine", None)
    if machine:
        print(f"machine: {machine['cpus']} CPUs, {machine['cpu_model']}; {machine['java']}; "
              f"load average before the run {machine['loadavg']}")
    seed = get("seed", "seeded")
    if seed:
        print(f"seeded: {seed['seeded']:,} events of {seed['keys']:,} keys, {seed['documents']:,} documents in all, "
              f"in {seed['seconds']:.0f} s")
    print(line)
    files = [get("store-file", "seeded", when) for when in ("after-seeding", "after-start", "after-phases", "after-restart")]
    if any(files):
        print("seeded store's file: " + ", ".join(f"{f['mb']:,} MB {f['name']}" for f in files if f))
    for store in ("seeded", "seeded-restart", "fresh"):
        s = get("startup", store)
        m = get("memory", store)
        if s:
            print(f"start-up ({store}): {s['seconds']:.1f} s to healthy" + (
                f"; RSS {m['rss_mb']} MB (peak {m['peak_rss_mb']} MB) at the end" if m else ""))
    idle_ = get("idle", "seeded")
    if idle_:
        print(f"idle CPU (seeded, {idle_['seconds']:.0f} s): {idle_['core_fraction'] * 100:.1f}% of a core")
        goal("idle CPU, seeded", f"{idle_['core_fraction'] * 100:.1f}%", "< 5%", idle_["core_fraction"] < 0.05)

    seeded_cmd, fresh_cmd = get("commands", "seeded"), get("commands", "fresh")
    if seeded_cmd or fresh_cmd:
        print(line)
        print(f"{'command (one client)':<28}{'seeded p50':>12}{'p99':>10}{'fresh p50':>12}{'p99':>10}"
              f"{'ratio p50':>11}{'ratio p99':>11}")
        for name in ("create", "patch", "rotate"):
            a = (seeded_cmd or {}).get(name, {"n": 0})
            b = (fresh_cmd or {}).get(name, {"n": 0})
            if a["n"] and b["n"]:
                r50, r99 = a["p50_ms"] / b["p50_ms"], a["p99_ms"] / b["p99_ms"]
                print(f"{name:<28}{a['p50_ms']:>12.1f}{a['p99_ms']:>10.1f}{b['p50_ms']:>12.1f}{b['p99_ms']:>10.1f}"
                      f"{r50:>11.2f}{r99:>11.2f}")
                goal(f"{name}: seeded / fresh p50, p99", f"{r50:.2f}, {r99:.2f}", "<= 1.5", max(r50, r99) <= 1.5)
            else:
                print(f"{name:<28} not measured on both stores")
        for store, r in (("seeded", seeded_cmd), ("fresh", fresh_cmd)):
            if r and (r["over_budget"] or r["errors"]):
                print(f"  {store}: {'over budget, ' if r['over_budget'] else ''}{len(r['errors'])} error(s) "
                      f"{r['errors'][:1]}")

    print(line)
    for store in ("seeded", "fresh"):
        fv = get("first-verify", store)
        if fv and fv["n"]:
            print(f"first verify of each key ({store}, Redis has {'none' if store == 'seeded' else 'all'} of them): "
                  f"p50 {fv['p50_ms']:.1f} ms, p99 {fv['p99_ms']:.1f} ms, codes {fv['codes']}"
                  + (" (over budget)" if fv["over_budget"] else ""))
    valid_s, valid_f, unknown_s = get("verify", "seeded", "valid"), get("verify", "fresh", "valid"), \
        get("verify", "seeded", "unknown")
    for label, r in (("valid verify, seeded", valid_s), ("valid verify, fresh", valid_f),
                     ("unknown-key verify, seeded", unknown_s), ("unknown-key verify, fresh",
                                                                 get("verify", "fresh", "unknown"))):
        if r:
            print(f"{label:<32}{r['rps']:>10,.0f} req/s   p50 {r['p50_us'] / 1000:.2f} ms  p99 "
                  f"{r['p99_us'] / 1000:.2f} ms  errors {r['errors']}")
    if valid_s and valid_f:
        ratio = valid_s["rps"] / valid_f["rps"]
        goal("valid verify: seeded / fresh", f"{ratio:.2f}", ">= 0.9", ratio >= 0.9)
    if valid_s and unknown_s:
        ratio = unknown_s["rps"] / valid_s["rps"]
        goal("unknown / valid verify, seeded", f"{ratio:.2f}", ">= 0.8", ratio >= 0.8)

    for store in ("seeded", "fresh"):
        a = get("audit", store)
        if not a:
            continue
        print(line)
        print(f"GET /v1/audit-logs ({store}; {a['rounds']} rounds of {a['rounds_asked']}"
              f"{', OVER BUDGET' if a['over_budget'] else ''}; errors {a['errors']})"
              f"{'':<6}{'n':>5}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
        worst = 0
        for name, s in a["shapes"].items():
            if s["n"]:
                print(f"  {name:<58}{s['n']:>5}{s['p50_ms']:>10.1f}{s['p99_ms']:>10.1f}{s['max_ms']:>10.1f}")
                if not name.startswith("baseline"):
                    worst = max(worst, s["p99_ms"])
            else:
                print(f"  {name:<58} not reached")
        complete = not a["over_budget"] and all(s["n"] for s in a["shapes"].values())
        if store == "seeded":
            goal("audit p99, every shape, seeded", f"{worst:.0f} ms" + ("" if complete else " (partial)"),
                 "<= 20 ms", complete and worst <= 20)

    scans = [r for (phase, store, _), r in results.items() if phase == "scan"]
    replays = [r for (phase, store, _), r in results.items() if phase == "rebuild"]
    if scans or replays:
        print(line)
        baseline = scans[0]["events_per_s"] if scans else None
        for r in scans:
            print(f"plain-driver scan of domainevents ({r['name']}): {r['events']:,} events in {r['seconds']:.1f} s, "
                  f"{r['events_per_s']:,.0f} events/s")
        for r in replays:
            if r.get("skipped"):
                print(f"rebuild {r['name']:<24} not run: {r['skipped']}")
                goal(f"rebuild {r['name']} / scan", "not run", ">= 0.3", False)
                continue
            ratio = r["events_per_s"] / baseline if baseline else float("nan")
            state = (f"OVER BUDGET: {r['handled']:,.0f} of {r['events']:,} events in {r['seconds']:.0f} s"
                     if r["timed_out"] else f"{r['events']:,} events in {r['seconds']:.1f} s")
            print(f"rebuild {r['name']:<24}{r['events_per_s']:>10,.0f} events/s  ratio {ratio:.3f}  {state}")
            goal(f"rebuild {r['name']} / scan", f"{ratio:.3f}" + (" (partial)" if r["timed_out"] else ""),
                 ">= 0.3", not r["timed_out"] and ratio >= 0.3)

    burst = get("create-throughput", "fresh")
    if burst:
        print(line)
        print(f"creating keys, {burst['clients']} clients, fresh store: {burst['keys_per_s']:.0f} keys/s "
              f"({burst['created']} in {burst['seconds']:.1f} s, errors {burst['errors']}"
              f"{', over budget' if burst['over_budget'] else ''})")
        goal("create keys/s, 8 clients, fresh", f"{burst['keys_per_s']:.0f}", ">= 300", burst["keys_per_s"] >= 300)

    print(line)
    print(f"{'goal':<44}{'measured':>22}{'target':>12}{'':>4}verdict")
    for label, value, target, verdict in verdicts:
        print(f"{label:<44}{value:>22}{target:>12}{'':>4}{verdict}")
    print(line)
    print("Embedded default (MongoDB-wire server on H2 and Redis in the app's process), not MongoDB. Ratios compare")
    print("figures of the same run; the machine's other load moves both sides (see the load average).")
    print(line)
    return 0 if verdicts and all(v[3] == "met" for v in verdicts) else 2


def main(argv):
    if len(argv) < 2:
        fail(__doc__)
    command, args = argv[1], argv[2:]
    if command == "commands":
        commands(int(args[0]), args[1], args[2], int(args[3]), float(args[4]))
    elif command == "create-throughput":
        create_throughput(int(args[0]), args[1], int(args[2]), int(args[3]), float(args[4]))
    elif command == "first-verify":
        first_verify(int(args[0]), args[1], args[2], float(args[3]))
    elif command == "audit":
        audit(int(args[0]), args[1], args[2], args[3], int(args[4]), float(args[5]))
    elif command == "idle":
        idle(int(args[0]), args[1], float(args[2]))
    elif command == "memory":
        memory(int(args[0]), args[1])
    elif command == "summary":
        return summary(args[0])
    else:
        fail(f"unknown command {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
