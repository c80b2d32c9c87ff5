#!/usr/bin/env python3
"""Helpers for bench/verify-bench.sh: the parts that are clumsy in bash (key format, HTTP with keep-alive and
precise timing, the Redis wire protocol, statistics). Standard library only, so the bench needs no pip install.

Every loop here is bounded both in count and in time, and every socket has a timeout, so a stuck server cannot
hang the bench. Secrets (the root key) are read from the environment, never from argv, so they stay out of `ps`.

Subcommands (see verify-bench.sh for how they are chained):
  free-ports N                     N distinct free TCP ports on 127.0.0.1
  keygen                           a well-formed ss_live_ key (the bootstrap root key for this run only)
  wait-health PORT TIMEOUT_S PID   wait until GET /actuator/health says UP (fail early if PID exits)
  create-keys PORT N OUT [allowlist|limits]  create N keys, wait until each verifies VALID, write "keyId<TAB>key"
                                   lines; with allowlist, each key may be used from 3 networks, the last one
                                   127.0.0.0/8; with limits, also 3 named limits, one of them shared by the owner
  scoped-gateway-key PORT          create a keys:verify key scoped to the bench keys' owner, print it once VALID
  redis-info PORT SECTION [FIELD]  INFO <section> as JSON (commandstats -> {cmd: calls}, else {field: value}),
                                   or just the one field
  machine REDIS_PORT LOADAVG       what the figures were measured on, as JSON
  usage PORT KEYS_FILE             sum of the valid/rejected usage counters of the keys (as the verify script counts)
  revoke-latency PORT KEYS_FILE N JITTER_MS
                                   revoke N keys, each after a random pause of up to JITTER_MS; time from each
                                   revoke response to the first verify saying REVOKED
  malformed-keys N OUT             N keys that fail the format check (bad checksum): answered without Redis
  seed-floor REDIS_PORT KEYS_FILE  the floor application's Redis hash (id, owner, status) for each key
  costs PID REDIS_PORT URL [AUTH]  CPU seconds of PID and of that Redis so far, and the JVM's allocated bytes
                                   (Micrometer's jvm_gc_memory_allocated_bytes_total at URL, after a forced GC)
  report WORKDIR                   the summary table, from the JSON files the other steps left in WORKDIR
"""
import concurrent.futures
import hashlib
import http.client
import json
import math
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import zlib

LOOPBACK = "127.0.0.1"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
VERIFY_PERMISSION = "payments:read"


def fail(message):
    print(f"bench_helper: {message}", file=sys.stderr)
    sys.exit(1)


# ---------------------------------------------------------------- ports and keys

def free_ports(count):
    # Bind them all before closing any, so the N ports are distinct; the usual small race with other processes
    # remains, and the app would then fail to start, which the bench reports.
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind((LOOPBACK, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def base62(value, width):
    digits = []
    for _ in range(width):
        value, rest = divmod(value, 62)
        digits.append(BASE62[rest])
    if value:
        raise ValueError("does not fit")
    return "".join(reversed(digits))


def keygen():
    # Same format as ApiKeySecret: prefix + 32 random bytes as 43 base62 digits + CRC32 (IEEE, as java.util.zip.CRC32)
    # of everything before, as 6 base62 digits.
    body = "ss_live_" + base62(int.from_bytes(secrets.token_bytes(32), "big"), 43)
    return body + base62(zlib.crc32(body.encode("ascii")), 6)


# ---------------------------------------------------------------- HTTP

class Api:
    """One keep-alive connection to the app. Tomcat closes a connection after 100 requests (its default), so a
    request that finds the connection closed is retried once on a fresh one."""

    def __init__(self, port, timeout=5.0):
        self.port = port
        self.timeout = timeout
        self.root_key = os.environ.get("BENCH_ROOT_KEY", "")
        self.conn = None

    def request(self, method, path, body=None, auth=True):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if auth:
            headers["Authorization"] = "Bearer " + self.root_key
        payload = json.dumps(body) if body is not None else None
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, (json.loads(data) if data else None)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def verify(self, key):
        return self.request("POST", "/v1/keys/verify", {"key": key, "permissions": [VERIFY_PERMISSION]})

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def process_alive(pid):
    # An exited child of the bench script stays a zombie until bash reaps it, so look at its state, not just its pid.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def wait_health(port, timeout_s, app_pid):
    api = Api(port, timeout=2.0)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not process_alive(app_pid):  # stop waiting as soon as the app has died
            fail(f"the app (pid {app_pid}) exited before it was UP")
        try:
            status, body = api.request("GET", "/actuator/health", auth=False)
            if status == 200 and body and body.get("status") == "UP":
                return
        except (OSError, http.client.HTTPException, ValueError):
            api.close()
        time.sleep(0.25)
    fail(f"app on port {port} not UP within {timeout_s}s")


def wait_code(api, key, wanted, timeout_s, max_polls):
    """Polls verify until it answers `wanted`; returns (time seen, polls) or fails. Bounded in time and count."""
    deadline = time.perf_counter() + timeout_s
    for polls in range(1, max_polls + 1):
        status, body = api.verify(key)
        now = time.perf_counter()
        if status == 200 and body.get("code") == wanted:
            return now, polls
        if now > deadline:
            break
    fail(f"verify did not answer {wanted} within {timeout_s}s / {max_polls} polls (last: {status} {body})")


# The allowlisted keys' networks: the load comes from 127.0.0.1, which only the last block admits, so every
# verification compares its source with all three.
ALLOWLIST = ["203.0.113.0/24", "2001:db8::/48", "127.0.0.0/8"]
# Issue 14's key: a per-key limit, a customer-wide one that every bench key of the owner draws from, and a third;
# none of them reached by the load, so each is decided and charged on every verification measured.
NAMED_LIMITS = [{"name": "default", "limit": 1_000_000, "windowSeconds": 60},
                {"name": "tokens", "limit": 1_000_000, "windowSeconds": 60, "shared": "owner"},
                {"name": "writes", "limit": 1_000_000, "windowSeconds": 3600}]


def create_keys(port, count, out_path, kind=None, workers=4):
    # A few connections in parallel: key creation writes the event store, which is slow on the embedded servers,
    # and this is set-up, not a measurement.
    started = time.perf_counter()

    def create(indexes):
        api, rows = Api(port), []
        for i in indexes:
            # a rate limit that the load never reaches: its check is part of every verification measured
            request = {"ownerId": "bench", "name": f"bench-{i}", "permissions": [VERIFY_PERMISSION],
                       "rateLimit": {"limit": 1_000_000, "windowSeconds": 60}}
            if kind in ("allowlist", "limits"):
                request["allowedSources"] = ALLOWLIST
            if kind == "limits":
                del request["rateLimit"]
                request["rateLimits"] = NAMED_LIMITS
            status, body = api.request("POST", "/v1/keys", request)
            if status != 201:
                raise RuntimeError(f"create key: HTTP {status} {body}")
            rows.append((body["keyId"], body["key"]))
        # The view is eventually consistent: a key is usable for the load only once verify says VALID.
        for _, key in rows:
            wait_code(api, key, "VALID", timeout_s=10, max_polls=10_000)
        api.close()
        return rows

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        rows = [row for part in pool.map(create, [range(w, count, workers) for w in range(workers)]) for row in part]
    with open(out_path, "w") as out:
        out.writelines(f"{key_id}\t{key}\n" for key_id, key in rows)
    print(f"created {count} keys, all VALID, in {time.perf_counter() - started:.1f}s", file=sys.stderr)


def scoped_gateway_key(port):
    """A gateway key holding keys:verify, scoped to the owner of the bench keys; printed once verify knows it."""
    api = Api(port)
    status, body = api.request("POST", "/v1/keys", {"ownerId": "bench-gateway", "name": "scoped gateway",
                                                    "permissions": ["keys:verify"], "scope": {"owners": ["bench*"]}})
    if status != 201:
        fail(f"create scoped gateway key: HTTP {status} {body}")
    # it lacks the permission the load asks for: usable once verify knows it at all
    wait_code(api, body["key"], "INSUFFICIENT_PERMISSIONS", timeout_s=10, max_polls=10_000)
    api.close()
    print(body["key"])


def unknown_keys(count, out_path):
    """Well-formed keys that no key has: the checksum is public, so an attacker makes them for free."""
    with open(out_path, "w") as out:
        out.writelines(f"unknown-{i}\t{keygen()}\n" for i in range(count))


def malformed_keys(count, out_path):
    """Keys of the right shape whose checksum is wrong: verify answers MALFORMED from the key alone."""
    with open(out_path, "w") as out:
        for i in range(count):
            key = keygen()
            last = BASE62[(BASE62.index(key[-1]) + 1) % len(BASE62)]
            out.write(f"malformed-{i}\t{key[:-1]}{last}\n")


def seed_floor(redis_port, keys_path):
    """The floor application's view of each key: ss:v:{sha256 hex} with id, owner and status, as its script reads."""
    for key_id, key in read_keys(keys_path):
        digest = hashlib.sha256(key.encode("ascii")).hexdigest()
        redis_command(redis_port, "HSET", "ss:v:{" + digest + "}", "id", key_id, "owner", "bench", "status", "ACTIVE")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def allocated_bytes(pid, url, auth):
    # Micrometer adds to this counter at each GC what the young generation grew by since the one before; a forced
    # GC first makes it count everything allocated until now.
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=60, check=True)
    request = urllib.request.Request(url, headers={"Authorization": "Bearer " + auth} if auth else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith("jvm_gc_memory_allocated_bytes_total"):
                return float(line.split()[-1])
    fail(f"no jvm_gc_memory_allocated_bytes_total at {url}")


def costs(pid, redis_port, url, auth_env):
    fields = info(redis_port, "cpu")
    allocated = allocated_bytes(pid, url, os.environ.get(auth_env) if auth_env else None)
    print(json.dumps({"jvm_cpu_s": cpu_seconds(pid), "allocated_bytes": allocated,
                      "redis_cpu_s": float(fields["used_cpu_user"]) + float(fields["used_cpu_sys"])}))


def create_latency(port, count, jitter_ms):
    """Creates `count` keys one at a time, timing create response -> first verify answering VALID."""
    rng = random.Random()
    commands, polls_api = Api(port), Api(port)
    visible_ms, polls_needed = [], []
    for i in range(count):
        time.sleep(rng.uniform(0, jitter_ms / 1000))  # not locked onto the phase of a poller, as for revocations
        status, body = commands.request("POST", "/v1/keys", {"ownerId": "bench-created", "name": f"created-{i}",
                                                             "permissions": [VERIFY_PERMISSION]})
        answered = time.perf_counter()
        if status != 201:
            fail(f"create key: HTTP {status} {body}")
        seen, polls = wait_code(polls_api, body["key"], "VALID", timeout_s=5, max_polls=50_000)
        visible_ms.append((seen - answered) * 1000)
        polls_needed.append(polls)
    s = sorted(visible_ms)
    print(json.dumps({"n": count, "jitter_ms": jitter_ms,
                      "visible_ms": {"p50": percentile(s, 50), "p99": percentile(s, 99), "max": s[-1]},
                      "first_poll_valid": sum(1 for p in polls_needed if p == 1)}))


def read_keys(path):
    with open(path) as f:
        return [tuple(line.rstrip("\n").split("\t")) for line in f if line.strip()]


def percentile(sorted_values, p):
    # nearest-rank, the same definition for every figure we print ourselves
    rank = math.ceil(p / 100 * len(sorted_values))
    return sorted_values[max(0, min(len(sorted_values), rank) - 1)]


def revoke_latency(port, keys_path, count, jitter_ms):
    keys = read_keys(keys_path)[:count]
    rng = random.Random()
    if len(keys) < count:
        fail(f"need {count} keys, have {len(keys)}")
    # Two connections: the revoke must not wait behind a verify poll, nor the polls behind a reconnect of the other.
    commands, polls_api = Api(port), Api(port)
    revoke_ms, visible_ms, polls_needed, verify_rtt_ms = [], [], [], []
    for key_id, key in keys:
        # a verify round trip on the idle server: the resolution of the measurement below
        t = time.perf_counter()
        status, body = polls_api.verify(key)
        verify_rtt_ms.append((time.perf_counter() - t) * 1000)
        if body.get("code") != "VALID":
            fail(f"key {key_id} not VALID before revoke: {body}")
        # A random pause first: revoking right after the previous revocation showed up would lock onto the phase of
        # any timer in the pipeline (a processor that looks for new events every N ms), and measure the same point
        # of its cycle every time instead of the spread a revocation arriving at any moment sees.
        time.sleep(rng.uniform(0, jitter_ms / 1000))
        sent = time.perf_counter()
        status, body = commands.request("POST", f"/v1/keys/{key_id}/revoke", {"reason": "bench"})
        answered = time.perf_counter()
        if status != 200:
            fail(f"revoke {key_id}: HTTP {status} {body}")
        seen, polls = wait_code(polls_api, key, "REVOKED", timeout_s=5, max_polls=50_000)
        revoke_ms.append((answered - sent) * 1000)
        visible_ms.append((seen - answered) * 1000)
        polls_needed.append(polls)

    def stats(values):
        s = sorted(values)
        return {"p50": percentile(s, 50), "p99": percentile(s, 99), "max": s[-1], "mean": statistics.fmean(s)}

    print(json.dumps({"n": count, "jitter_ms": jitter_ms, "visible_ms": stats(visible_ms), "revoke_call_ms": stats(revoke_ms),
                      "verify_rtt_ms": stats(verify_rtt_ms), "polls": stats(polls_needed),
                      "first_poll_revoked": sum(1 for p in polls_needed if p == 1)}))


# ---------------------------------------------------------------- Redis

def redis_command(port, *args):
    """One command over RESP; enough of the protocol for INFO (bulk string) and HMGET (array of bulk strings)."""
    with socket.create_connection((LOOPBACK, port), timeout=5) as s:
        s.sendall(b"".join([f"*{len(args)}\r\n".encode()]
                           + [f"${len(a.encode())}\r\n{a}\r\n".encode() for a in args]))
        reader = s.makefile("rb")

        def read_reply():
            line = reader.readline().rstrip(b"\r\n")
            kind, rest = line[:1], line[1:]
            if kind == b"-":
                fail(f"redis: {rest.decode()}")
            if kind in (b"+", b":"):
                return rest.decode()
            if kind == b"$":
                size = int(rest)
                return None if size < 0 else reader.read(size + 2)[:-2].decode()
            if kind == b"*":
                return [read_reply() for _ in range(int(rest))]
            fail(f"redis: unexpected reply {line!r}")

        return read_reply()


def redis_info(port, section, field=None):
    result = info(port, section)
    print(result[field] if field else json.dumps(result))


def info(port, section):
    """INFO <section> as a dict (commandstats: {command: calls})."""
    result = {}
    for line in redis_command(port, "INFO", section).splitlines():
        if not line or line.startswith("#") or ":" not in line:
            continue
        name, value = line.split(":", 1)
        if section == "commandstats":  # cmdstat_evalsha:calls=12,usec=34,...
            result[name.removeprefix("cmdstat_")] = int(dict(f.split("=") for f in value.split(","))["calls"])
        else:
            result[name] = value
    return result


def usage(port, keys_path):
    # The verify script counts every use in ss:u:{sha256 hex of the key} (see ValidationViewKeys): summing the
    # counters of our keys tells whether the load's verifications were really VALID, without making wrk parse bodies.
    valid = rejected = 0
    for _, key in read_keys(keys_path):
        digest = hashlib.sha256(key.encode("ascii")).hexdigest()
        v, r = redis_command(port, "HMGET", "ss:u:{" + digest + "}", "valid", "rejected")
        valid += int(v or 0)
        rejected += int(r or 0)
    print(json.dumps({"valid": valid, "rejected": rejected}))


# ---------------------------------------------------------------- report

def first_line(command):
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        return (result.stdout + result.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unknown"


def machine(redis_port, loadavg):
    cpu_model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    redis_version = "unknown"
    for line in redis_command(redis_port, "INFO", "server").splitlines():
        if line.startswith("redis_version:"):
            redis_version = line.split(":", 1)[1].strip()
    print(json.dumps({"cpus": os.cpu_count(), "cpu_model": cpu_model, "java": first_line(["java", "-version"]),
                      "wrk": " ".join(first_line(["wrk", "-v"]).split()[:2]), "redis": redis_version,
                      "loadavg": loadavg}))


def load(workdir, name):
    with open(os.path.join(workdir, name)) as f:
        return json.load(f)


def command_delta(before, after):
    # INFO is our own probe, not part of the work being measured
    return {c: after.get(c, 0) - before.get(c, 0) for c in after if c != "info" and after.get(c, 0) != before.get(c, 0)}


def combine(runs):
    """The rounds of one endpoint as one run: summed counts, and percentiles from the merged latency histograms."""
    histogram = {}
    for run in runs:
        for value, count in run["histogram"]:
            histogram[value] = histogram.get(value, 0) + count
    total = sum(histogram.values())

    def percentile_us(p):
        wanted, seen = p / 100 * total, 0
        for value in sorted(histogram):
            seen += histogram[value]
            if seen >= wanted:
                return value
        return max(histogram)

    requests = sum(run["requests"] for run in runs)
    return {"requests": requests, "rps": requests / (sum(run["duration_us"] for run in runs) / 1e6),
            "p50_us": percentile_us(50), "p99_us": percentile_us(99),
            "errors": sum(sum(run["errors"].values()) for run in runs)}


def cost_per_request(workdir, name, requests):
    """CPU microseconds of the JVM and of Redis, and bytes the JVM allocated, per completed request of one run."""
    before, after = load(workdir, f"cost-{name}-before.json"), load(workdir, f"cost-{name}-after.json")
    return {"jvm_cpu_us": (after["jvm_cpu_s"] - before["jvm_cpu_s"]) * 1e6 / requests,
            "redis_cpu_us": (after["redis_cpu_s"] - before["redis_cpu_s"]) * 1e6 / requests,
            "allocated_bytes": (after["allocated_bytes"] - before["allocated_bytes"]) / requests}


def report(workdir):
    settings = load(workdir, "settings.json")
    machine = load(workdir, "machine.json")
    rounds = range(1, settings["rounds"] + 1)
    sides = ("verify", "scoped", "allowlist", "limits", "unknown", "malformed", "fast", "fastmalformed", "lua",
             "noop")
    runs = {side: [load(workdir, f"wrk-{side}-{r}.json") for r in rounds] for side in sides}
    combined = {side: combine(runs[side]) for side in sides}
    light = {side: combine([load(workdir, f"wrk-light-{side}-{r}.json") for r in rounds])
             for side in ("verify", "fast", "lua")}
    costs = {}
    for side in sides:
        per_round = [cost_per_request(workdir, f"{side}-{r}", run["requests"]) for r, run in zip(rounds, runs[side])]
        costs[side] = {field: statistics.median(c[field] for c in per_round) for field in per_round[0]}
    created = load(workdir, "create.json")
    verify_cmds = {}
    for r in rounds:
        for command, calls in command_delta(load(workdir, f"cmd-verify-{r}-before.json"),
                                            load(workdir, f"cmd-verify-{r}-after.json")).items():
            verify_cmds[command] = verify_cmds.get(command, 0) + calls
    use_before, use_after = load(workdir, "usage-before.json"), load(workdir, "usage-after.json")
    revoke = load(workdir, "revoke.json")

    def ms(us):
        return f"{us / 1000:.2f} ms"

    def rps(run):
        return run["requests"] / (run["duration_us"] / 1e6)

    def ratio(top, bottom, goal=None, label=None):
        """The ratio of combined req/s, its per-round values, and the median of those."""
        values = [rps(t) / rps(b) for t, b in zip(runs[top], runs[bottom])]
        overall = combined[top]["rps"] / combined[bottom]["rps"]
        verdict = "" if goal is None else f"   goal >= {goal}: {'met' if statistics.median(values) >= goal else 'NOT met'}"
        print(f"{label:<{w}}{overall:>12.2f}   median of rounds {statistics.median(values):.2f}"
              f" ({', '.join(f'{v:.2f}' for v in values)}){verdict}")

    n = combined["verify"]["requests"]
    total = sum(verify_cmds.values())
    w = 40
    line = "-" * 100
    print(line)
    print("SpendSync verify against the floor of its stack (all-in-one jar and ../shared/bench/floor, same run)")
    print(line)
    print(f"{'machine':<{w}}{machine['cpus']} CPUs, {machine['cpu_model']}")
    print(f"{'java':<{w}}{machine['java']}")
    print(f"{'wrk / redis':<{w}}{machine['wrk']} / redis {machine['redis']}")
    print(f"{'load average before the run':<{w}}{machine['loadavg']}")
    print(f"{'wrk settings (each endpoint)':<{w}}-t{settings['threads']} -c{settings['connections']}, "
          f"{settings['rounds']} rounds x {settings['duration']}, alternating, after {settings['warmup']} warm-ups;")
    print(f"{'':<{w}}verify rotates over {settings['keys']} keys (a permission asked, a rate limit checked)")
    print(line)
    print(f"{'':<{w}}{'requests/s':>12}{'p50':>10}{'p99':>10}{'errors':>7}{'JVM CPU':>10}{'Redis CPU':>11}"
          f"{'allocated':>11}")
    print(f"{'':<{w}}{'':>12}{'':>10}{'':>10}{'':>7}{'us/req':>10}{'us/req':>11}{'bytes/req':>11}")
    labels = {"verify": "POST /v1/keys/verify (valid key)", "scoped": "  same, by a scoped gateway key",
              "allowlist": "  same, keys with 3 allowed networks",
              "limits": "  same, 3 named limits + 3 networks",
              "unknown": "  same, unknown keys (NOT_FOUND)", "malformed": "  same, malformed keys (MALFORMED)",
              "fast": "non-blocking port, valid key", "fastmalformed": "  same, malformed keys (MALFORMED)",
              "lua": "floor POST /lua (SHA-256 + EVALSHA)", "noop": "floor POST /noop (JSON in and out)"}
    for side in sides:
        run, cost = combined[side], costs[side]
        print(f"{labels[side]:<{w}}{run['rps']:>12,.0f}{ms(run['p50_us']):>10}{ms(run['p99_us']):>10}"
              f"{run['errors']:>7}{cost['jvm_cpu_us']:>10.0f}{cost['redis_cpu_us']:>11.1f}"
              f"{cost['allocated_bytes']:>11,.0f}")
    print(f"{'':<{w}}(CPU and allocations: medians of the rounds' per-request figures)")
    print(line)
    ratio("verify", "lua", 0.9, "verify(valid) / floor /lua")
    ratio("malformed", "noop", 0.9, "verify(malformed) / floor /noop")
    ratio("verify", "noop", 0.5, "verify(valid) / floor /noop")
    ratio("unknown", "verify", 0.8, "verify(unknown) / verify(valid)")
    ratio("scoped", "verify", None, "verify(scoped) / verify(unscoped)")
    ratio("allowlist", "verify", 0.9, "verify(allowlist) / verify(valid)")
    ratio("limits", "verify", 0.9, "verify(3 limits+nets) / verify(1 limit)")
    ratio("fast", "lua", 0.9, "non-blocking(valid) / floor /lua")
    ratio("fastmalformed", "noop", 0.9, "non-blocking(malformed) / floor /noop")
    ratio("fast", "noop", 0.5, "non-blocking(valid) / floor /noop")
    ratio("fast", "verify", None, "non-blocking(valid) / verify(valid)")
    lv, ll = light["verify"], light["lua"]
    print(f"{'light load':<{w}}-t{settings['light_threads']} -c{settings['light_connections']}:"
          f" verify {lv['rps']:,.0f} req/s p50 {ms(lv['p50_us'])} p99 {ms(lv['p99_us'])};"
          f" floor /lua {ll['rps']:,.0f} req/s p50 {ms(ll['p50_us'])} p99 {ms(ll['p99_us'])}")
    print(f"{'  goal: verify p99 <= 1.5 ms':<{w}}{'met' if lv['p99_us'] <= 1500 else 'NOT met'}")
    lf = light["fast"]
    print(f"{'  non-blocking port':<{w}}{lf['rps']:,.0f} req/s p50 {ms(lf['p50_us'])} p99 {ms(lf['p99_us'])}"
          f"   goal p99 <= 1.5 ms: {'met' if lf['p99_us'] <= 1500 else 'NOT met'}")
    print(line)
    print(f"{'Redis commands per verify (total)':<{w}}{total / n:>12.3f}   (INFO commandstats, {total:,} / {n:,})")
    print(f"{'  evalsha: round trips from the app':<{w}}{verify_cmds.get('evalsha', 0) / n:>12.3f}")
    others = ", ".join(f"{command} {calls / n:.2f}" for command, calls in
                       sorted(verify_cmds.items(), key=lambda item: -item[1]) if command != "evalsha")
    print(f"{'  run inside the verify script':<{w}}{(total - verify_cmds.get('evalsha', 0)) / n:>12.3f}   ({others})")
    for keyset, label in (("allowlist", "allowlisted keys"), ("limits", "3 limits + nets")):
        counted = {}
        for r in rounds:
            for command, calls in command_delta(load(workdir, f"cmd-{keyset}-{r}-before.json"),
                                                load(workdir, f"cmd-{keyset}-{r}-after.json")).items():
                counted[command] = counted.get(command, 0) + calls
        requests = combined[keyset]["requests"]
        print(f"{'  ' + label + ': evalsha per verify':<{w}}{counted.get('evalsha', 0) / requests:>12.3f}"
              f"   (all Redis commands {sum(counted.values()) / requests:.3f})")
    valid = use_after["valid"] - use_before["valid"]
    rejected = use_after["rejected"] - use_before["rejected"]
    print(f"{'verifications counted VALID':<{w}}{valid:>12,}   (rejected {rejected}; wrk completed"
          f" {n + combined['scoped']['requests']:,} valid ones, the rest were in flight when wrk stopped)")
    print(line)
    v, r, t = revoke["visible_ms"], revoke["revoke_call_ms"], revoke["verify_rtt_ms"]
    print(f"{'revoke -> verify says REVOKED':<{w}}p50 {v['p50']:.1f} ms, p99 {v['p99']:.1f} ms, max {v['max']:.1f} ms"
          f"  (n={revoke['n']}, each after a random 0-{revoke['jitter_ms']} ms pause)")
    print(f"{'  target < 100 ms':<{w}}{'met' if v['p99'] < 100 else 'NOT met'} (p99)")
    print(f"{'  the revoke call itself':<{w}}p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms")
    print(f"{'  resolution: idle verify RTT':<{w}}p50 {t['p50']:.2f} ms"
          f"  ({revoke['first_poll_revoked']}/{revoke['n']} REVOKED on the first poll)")
    c = created["visible_ms"]
    print(f"{'create -> verify says VALID':<{w}}p50 {c['p50']:.1f} ms, p99 {c['p99']:.1f} ms, max {c['max']:.1f} ms"
          f"  (n={created['n']}, each after a random 0-{created['jitter_ms']} ms pause)")
    print(f"{'  target < 100 ms':<{w}}{'met' if c['p99'] < 100 else 'NOT met'} (p99)"
          f"  ({created['first_poll_valid']}/{created['n']} VALID on the first poll)")
    print(line)
    print("Notes: the floor is a minimal Spring Boot application on the same versions (web, actuator, Prometheus,")
    print("Lettuce), started with the same JVM flags, on a redis-server of its own (the app's embedded binary).")
    print("wrk is closed-loop (latency at saturation, not at a fixed rate) and shares the CPUs with both JVMs and")
    print("Redis; compare figures within one run only. Allocated bytes come from Micrometer's")
    print("jvm_gc_memory_allocated_bytes_total with a forced GC before and after each run (includes what the")
    print("JVM's background threads allocated meanwhile).")
    print(line)
    ok = all(combined[side]["errors"] == 0 for side in sides) and rejected == 0 \
        and valid >= n + combined["scoped"]["requests"]
    if not ok:
        print("WARNING: errors or non-VALID verifications during the load: the figures above are not clean.")
    return 0 if ok else 2


def main(argv):
    if len(argv) < 2:
        fail(__doc__)
    command, args = argv[1], argv[2:]
    if command == "free-ports":
        print(" ".join(map(str, free_ports(int(args[0])))))
    elif command == "keygen":
        print(keygen())
    elif command == "wait-health":
        wait_health(int(args[0]), float(args[1]), int(args[2]))
    elif command == "scoped-gateway-key":
        scoped_gateway_key(int(args[0]))
    elif command == "create-keys":
        create_keys(int(args[0]), int(args[1]), args[2], args[3] if len(args) > 3 else None)
    elif command == "redis-info":
        redis_info(int(args[0]), args[1], args[2] if len(args) > 2 else None)
    elif command == "machine":
        machine(int(args[0]), args[1])
    elif command == "usage":
        usage(int(args[0]), args[1])
    elif command == "revoke-latency":
        revoke_latency(int(args[0]), args[1], int(args[2]), int(args[3]))
    elif command == "unknown-keys":
        unknown_keys(int(args[0]), args[1])
    elif command == "malformed-keys":
        malformed_keys(int(args[0]), args[1])
    elif command == "seed-floor":
        seed_floor(int(args[0]), args[1])
    elif command == "costs":
        costs(int(args[0]), int(args[1]), args[2], args[3] if len(args) > 3 else None)
    elif command == "create-latency":
        create_latency(int(args[0]), int(args[1]), int(args[2]))
    elif command == "report":
        return report(args[0])
    else:
        fail(f"unknown command {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
