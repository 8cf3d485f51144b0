#!/usr/bin/env bash
# Bulk throughput under the network cloud's rate limit, for a 5,000-device batch.
#   1. the plan at the real limit (10 calls a minute), from --dry-run;
#   2. a real run against the built-in simulator with the window shortened (10 calls per WINDOW
#      seconds, same margin ratio), timed, and projected back to the real minute;
#   3. the baseline in the same run: the best any client can do under the limit.
# Usage: bench/bulk-rate.sh [devices] [short window seconds]      (defaults: 5000 6)
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${1:-5000}
WINDOW=${2:-6}
WORK=$(mktemp -d)
trap 'cp "$WORK/run.log" target/bench-bulk-rate.log 2>/dev/null; rm -rf "$WORK"' EXIT

# (re)build the jar when it is missing or older than the sources: a stale jar measures old code
if [ ! -f target/device-action-bridge.jar ] || [ -n "$(find src routes config pom.xml -newer target/device-action-bridge.jar -print -quit)" ]; then
  mvn -B -q -DskipTests package
fi

python3 - "$DEVICES" > "$WORK/bulk.json" <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps({"request_id": "bench-bulk", "actions": [
    {"kind": "bulk", "type": "exempt", "ids": ["HW-%05d" % i for i in range(n)], "params": {"exempt_time": 0}}]}))
PY

echo "== plan at the real limit (10 calls per minute + 1 s margin)"
java -jar target/device-action-bridge.jar --dry-run "$WORK/bulk.json" 2>/dev/null | grep -E "network cloud|invalid records"

MARGIN_MS=$(( WINDOW * 1000 / 60 ))          # the same 1/60 margin as 1 s on a minute
echo "== measured: built-in simulator with 10 calls per ${WINDOW}s (bridge window ${WINDOW}s + ${MARGIN_MS}ms)"
mkdir -p "$WORK/inbox" && cp "$WORK/bulk.json" "$WORK/inbox/"
START=$(date +%s%N)
java -Dbridge.inbox.dir="$WORK/inbox" -Dbridge.outbox.dir="$WORK/outbox" -Dbridge.archive.dir="$WORK/archive" \
     -Dbridge.deadletter.dir="$WORK/dl" -Dbridge.db.url="jdbc:h2:file:$WORK/ledger" -Dbridge.examples.seed=false \
     -Dbridge.http.port=0 -Dbridge.simulator.network.rate-window=${WINDOW}s -Dbridge.network.rate-window=${WINDOW}s \
     -Dbridge.network.rate-margin=${MARGIN_MS}ms -Dbridge.inbox.min-age=100 -Dbridge.inbox.poll-delay=100 \
     -jar target/device-action-bridge.jar --once > "$WORK/run.log" 2>&1 || { tail -20 "$WORK/run.log"; exit 1; }
END=$(date +%s%N)
python3 - "$START" "$END" "$WORK" "$DEVICES" "$WINDOW" "$MARGIN_MS" <<'PY'
import json, re, sys, glob
from datetime import datetime
start, end, work, devices, window, margin = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
log = open(work + "/run.log").read()
times = [datetime.strptime(t, "%H:%M:%S.%f") for t in re.findall(r"^(\d\d:\d\d:\d\d\.\d+) .*bulk exempt on \d+ devices: HTTP 200", log, re.M)]
too_many = len(re.findall(r"bulk \w+ on \d+ devices: HTTP 429", log))
summary = json.load(open(glob.glob(work + "/outbox/*.summary.json")[0]))
t0 = datetime.fromisoformat(summary["started_at"].replace("Z", "+00:00"))
t1 = datetime.fromisoformat(summary["finished_at"].replace("Z", "+00:00"))
busy = (t1 - t0).total_seconds()
calls = len(times)
span = (times[-1] - times[0]).total_seconds()
short_window = window + margin / 1000.0
ideal_short = (calls - 1) // 10 * short_window
overhead = busy - ideal_short                      # intake, bookkeeping, call latency: does not scale with the window
real_eta = (calls - 1) // 10 * 61.0 + overhead
worst = max(sum(1 for u in times if 0 <= (u - t).total_seconds() < window) for t in times)
print(f"  {devices} devices: {summary['succeeded']} succeeded, {summary['failed']} failed; {calls} calls, {too_many} answered 429; "
      f"at most {worst} calls in any {window} s")
print(f"  first to last call {span:.1f} s (the limit allows {ideal_short:.1f} s at the earliest); whole request {busy:.1f} s, "
      f"process {(end - start) / 1e9:.1f} s with start-up")
print(f"  projected at the real limit: {real_eta / 60:.2f} min -> {devices * 60 / real_eta:.0f} devices/min")
ideal = (calls - 1) // 10 * 60
print(f"== baseline: the limit alone (10 calls x 100 devices a minute, first 10 at once): last call {ideal // 60} min after the first "
      f"-> {devices / (ideal / 60):.0f} devices/min at best; 1000 devices/min sustained on a long batch")
PY
