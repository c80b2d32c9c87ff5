#!/usr/bin/env python3
"""Helpers for bench/integrity-bench.sh: commands under concurrent clients, the online integrity check, the exports
for the offline verifier, and the summary. Standard library only; the root key comes from BENCH_ROOT_KEY.

Subcommands (each prints one JSON line, except summary):
  commands PORT LABEL CLIENTS N         N creations, then N rotations of those keys, by CLIENTS connections at once:
                                        ops/s, p50/p99 of each
  check PORT LABEL                      GET /v1/audit-logs/integrity once: its time and what it checked
  export PORT DIR                       the stored events, the seals and the public key into DIR
  summary WORKDIR                       chaining on against off, and the checks against the plain read
"""
import concurrent.futures
import json
import os
import statistics
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_helper import LOOPBACK, Api, fail  # noqa: E402
from scale_helper import REQUEST_TIMEOUT_S, emit, stats  # noqa: E402


def run_clients(port, clients, items, call):
    """Runs call(api, item) for each item over CLIENTS connections; returns (latencies ms, results, errors, s)."""
    def work(part):
        api, latencies, results, errors = Api(port, timeout=REQUEST_TIMEOUT_S), [], [], 0
        for item in part:
            started = time.perf_counter()
            try:
                result = call(api, item)
                latencies.append((time.perf_counter() - started) * 1000)
                results.append(result)
            except (RuntimeError, OSError):
                errors += 1
                api.close()
        api.close()
        return latencies, results, errors

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        parts = list(pool.map(work, [items[c::clients] for c in range(clients)]))
    seconds = time.perf_counter() - started
    return ([ms for p in parts for ms in p[0]], [r for p in parts for r in p[1]], sum(p[2] for p in parts), seconds)


def commands(port, label, clients, count):
    def create(api, i):
        status, answer = api.request("POST", "/v1/keys", {"ownerId": f"owner-{i % 50}", "name": f"integrity-{i}",
                                                          "permissions": ["payments:read"]})
        if status != 201:
            raise RuntimeError(f"create: HTTP {status}")
        return answer["keyId"]

    def rotate(api, key_id):
        status, _ = api.request("POST", f"/v1/keys/{key_id}/rotate", {"gracePeriodSeconds": 3600})
        if status != 200:
            raise RuntimeError(f"rotate: HTTP {status}")
        return key_id

    created_ms, key_ids, create_errors, create_s = run_clients(port, clients, list(range(count)), create)
    rotated_ms, _, rotate_errors, rotate_s = run_clients(port, clients, key_ids, rotate)
    emit({"phase": "commands", "label": label, "clients": clients,
          "create": {**stats(created_ms), "ops_per_s": len(created_ms) / create_s, "errors": create_errors},
          "rotate": {**stats(rotated_ms), "ops_per_s": len(rotated_ms) / rotate_s, "errors": rotate_errors}})


def check(port, label):
    api = Api(port, timeout=3600)
    started = time.perf_counter()
    status, report = api.request("GET", "/v1/audit-logs/integrity")
    seconds = time.perf_counter() - started
    if status != 200:
        fail(f"integrity check: HTTP {status} {report}")
    emit({"phase": "check", "label": label, "seconds": seconds, "events": report["eventsChecked"],
          "seals": report["sealsChecked"], "verified": report["verified"],
          "events_per_s": report["eventsChecked"] / seconds})


def export(port, directory):
    for path, name in (("/v1/audit-logs/integrity/events", "events.ndjson"), ("/v1/audit-logs/seals", "seals.ndjson"),
                       ("/v1/audit-logs/integrity/public-key", "public-key.pem")):
        request = urllib.request.Request(f"http://{LOOPBACK}:{port}{path}",
                                         headers={"Authorization": "Bearer " + os.environ.get("BENCH_ROOT_KEY", "")})
        with urllib.request.urlopen(request, timeout=3600) as response, open(os.path.join(directory, name), "wb") as f:
            while chunk := response.read(1 << 20):
                f.write(chunk)


def summary(workdir):
    records = [json.loads(line) for line in open(os.path.join(workdir, "results.jsonl")) if line.strip()]
    machine = next((r for r in records if r["phase"] == "machine"), None)
    line = "-" * 100
    print(line)
    print("Audit chaining and sealing: commands with it on against off, and the checks against a plain read (same run)")
    if machine:
        print(f"machine: {machine['cpus']} CPUs, {machine['cpu_model']}; {machine['java']}; "
              f"load average before the run {machine['loadavg']}")
    print(line)
    by_label = {}
    for r in (r for r in records if r["phase"] == "commands"):
        by_label.setdefault(r["label"], []).append(r)
    print(f"{'4 clients':<22}{'round':>6}{'create/s':>10}{'p50':>8}{'p99':>8}{'rotate/s':>10}{'p50':>8}{'p99':>8}")
    for label in ("on", "off"):
        for i, r in enumerate(by_label.get(label, []), 1):
            c, o = r["create"], r["rotate"]
            print(f"chaining {label:<13}{i:>6}{c['ops_per_s']:>10.1f}{c['p50_ms']:>8.1f}{c['p99_ms']:>8.1f}"
                  f"{o['ops_per_s']:>10.1f}{o['p50_ms']:>8.1f}{o['p99_ms']:>8.1f}")
    verdicts = []
    if by_label.get("on") and by_label.get("off"):
        for kind in ("create", "rotate"):
            on = statistics.median(r[kind]["ops_per_s"] for r in by_label["on"])
            off = statistics.median(r[kind]["ops_per_s"] for r in by_label["off"])
            verdicts.append((f"{kind}/s, on / off (median of rounds)", f"{on / off:.3f}", ">= 0.90", on / off >= 0.9))
    print(line)
    scans = [r for r in records if r["phase"] == "scan"]
    checks = [r for r in records if r["phase"] == "check"]
    offline = [r for r in records if r["phase"] == "offline"]
    if scans:
        scan = scans[-1]
        scan_rate = scan["events"] / scan["seconds"]
        print(f"plain-driver read of domainevents: {scan['events']:,} events in {scan['seconds']:.2f} s, "
              f"{scan_rate:,.0f} events/s")
        for name, rows in (("online check (GET /v1/audit-logs/integrity)", checks),
                           ("offline verifier (verify-audit on the exports)", offline)):
            for r in rows:
                rate = r["events"] / r["seconds"]
                print(f"{name}: {r['events']:,} events, {r['seals']} seals in {r['seconds']:.2f} s, {rate:,.0f} "
                      f"events/s, ratio {rate / scan_rate:.2f}, verified {r['verified']}")
                verdicts.append((name.split(" (")[0] + " / plain read", f"{rate / scan_rate:.2f}", ">= 0.5",
                                 rate / scan_rate >= 0.5))
    print(line)
    print(f"{'goal':<50}{'measured':>14}{'target':>12}{'verdict':>10}")
    for label, value, target, ok in verdicts:
        print(f"{label:<50}{value:>14}{target:>12}{'met' if ok else 'NOT met':>10}")
    print(line)
    print("Embedded default (MongoDB-wire server on H2), not MongoDB; ratios compare figures of the same run.")
    return 0 if all(v[3] for v in verdicts) else 2


def main(argv):
    if len(argv) < 2:
        fail(__doc__)
    command, args = argv[1], argv[2:]
    if command == "commands":
        commands(int(args[0]), args[1], int(args[2]), int(args[3]))
    elif command == "check":
        check(int(args[0]), args[1])
    elif command == "export":
        export(int(args[0]), args[1])
    elif command == "summary":
        return summary(args[0])
    else:
        fail(f"unknown command {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
