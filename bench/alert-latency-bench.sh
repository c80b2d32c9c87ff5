#!/usr/bin/env bash
# Alert latency: time from the commit of the event that raises an alert to the SMTP server and the Slack endpoint
# receiving the message, p50/p95/p99 over ALERTS alerts (default 200) created at RATE per second (default 5), in
# all-in-one mode on the embedded servers, side by side with the channels alone (mail sender call and direct POST to
# receipt) in the same run. SMTP is GreenMail and Slack a local HTTP receiver, both in the benchmark's JVM; the
# benchmark is a test class (AlertLatencyBench) that a plain `./mvnw verify` skips.
#
#   bench/alert-latency-bench.sh            # ALERTS=500 RATE=10 bench/alert-latency-bench.sh for other figures
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ALERTS="${ALERTS:-200}"
RATE="${RATE:-5}"
cd "$REPO_DIR"
./mvnw -q -B install -DskipTests
./mvnw -q -B -pl all-in-one test -Dtest=AlertLatencyBench -Dbench=true -Dbench.alerts="$ALERTS" \
  -Dbench.rate="$RATE" -Dsurefire.failIfNoSpecifiedTests=false
printf '\n# machine: %s, %s cores, %s\n' "$(uname -m)" "$(nproc)" "$(java -version 2>&1 | head -1)"
cat all-in-one/target/alert-latency-bench.txt
