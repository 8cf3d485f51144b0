#!/usr/bin/env bash
# Intake throughput: one JSON Lines batch of LINES pull-model actions (kind "command": no cloud call,
# so only reading, pre-flight, planning and the ledger writes are measured), dropped into the inbox
# of a bridge running in a JVM of -Xmx256m, on H2 (file) and on PostgreSQL (127.0.0.1:5432, db test,
# trust auth, a fresh schema dropped afterwards).
# Prints per database: records/s from "request opened" to "intake complete" (the bridge's own log
# lines) and per CPU-second of the bridge (other work on the machine slows the first, not the second);
# the heap: peak before and after a GC (GC log), and the live heap at each tenth of the batch (a full
# GC and its histogram: flat means nothing grows with the batch); the H2 file's size per command.
# Usage: bench/intake.sh [lines] [databases]      (defaults: 1000000 "h2 pg")
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-1000000}
DBS=${2:-h2 pg}
PG_URL=${BENCH_PG_URL:-jdbc:postgresql://127.0.0.1:5432/test}
PG_USER=${BENCH_PG_USER:-postgres}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# (re)build the jar when it is missing or older than the sources: a stale jar measures old code
if [ ! -f target/device-action-bridge.jar ] || [ -n "$(find src routes config pom.xml -newer target/device-action-bridge.jar -print -quit)" ]; then
  mvn -B -q -DskipTests package
fi

python3 - "$LINES" > "$WORK/batch.jsonl" <<'PY'
import sys
n = int(sys.argv[1])
out = sys.stdout
for i in range(n):
    out.write('{"kind":"command","id":"a%07d","device":"gw-%06d","command":"set-config","params":{"interval":%d,"profile":"standard"}}\n'
              % (i, i % 50000, 60 + i % 5))
PY
echo "batch: $LINES lines, $(du -h "$WORK/batch.jsonl" | cut -f1)"

cpu_ticks() { awk '{print $14 + $15}' /proc/$1/stat; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

run() {
  local db=$1 dir="$WORK/$1" schema="bench_intake_$$"
  mkdir -p "$dir/inbox"
  local dbargs=(-Dbridge.db.url="jdbc:h2:file:$dir/ledger")
  if [ "$db" = pg ]; then
    dbargs=(-Dbridge.db.url="$PG_URL" -Dbridge.db.user="$PG_USER" -Dbridge.db.schema="$schema")
  fi
  java -Xmx256m -Xlog:gc:file="$dir/gc.log":uptime "${dbargs[@]}" \
       -Dbridge.inbox.dir="$dir/inbox" -Dbridge.outbox.dir="$dir/outbox" -Dbridge.archive.dir="$dir/archive" \
       -Dbridge.deadletter.dir="$dir/dl" -Dbridge.examples.seed=false -Dbridge.http.host=127.0.0.1 \
       -Dbridge.http.port="$(free_port)" -Dbridge.management.port="$(free_port)" -Dbridge.jms.data-dir="$dir/broker" \
       -Dbridge.jms.embedded-port= -Dbridge.inbox.min-age=100 -Dbridge.inbox.poll-delay=100 \
       -Dbridge.progress.every-records=$((LINES / 10)) -Dcamel.main.auto-configuration-log-summary=false \
       -jar target/device-action-bridge.jar > "$dir/run.log" 2>&1 &
  local pid=$!
  # the batch is moved in complete (written elsewhere, renamed), as a producer should
  sleep 5
  cp "$WORK/batch.jsonl" "$dir/batch.jsonl.part" && mv "$dir/batch.jsonl.part" "$dir/inbox/batch.jsonl"
  local cpu0 cpu1 waited=0
  cpu0=$(cpu_ticks $pid)
  local probes=0 seen
  : > "$dir/live.txt"
  until grep -q "intake complete" "$dir/run.log"; do
    sleep 2; waited=$((waited + 2))
    # at each progress line (every 10% of the batch), the live heap: a full GC and the histogram's total
    seen=$(grep -c "records read" "$dir/run.log" || true)
    if [ "$seen" -gt "$probes" ]; then
      probes=$seen
      jcmd $pid GC.class_histogram 2>/dev/null | awk '/^Total/ {printf "%d\n", $3 / 1048576}' >> "$dir/live.txt" || true
    fi
    if ! kill -0 $pid 2>/dev/null; then echo "  $db: the bridge stopped"; tail -20 "$dir/run.log"; return 1; fi
    if [ $waited -gt ${BENCH_TIMEOUT:-7200} ]; then echo "  $db: no 'intake complete' after ${waited}s"; break; fi
  done
  cpu1=$(cpu_ticks $pid)
  local size="-"
  [ "$db" = h2 ] && size=$(stat -c %s "$dir/ledger.mv.db")
  kill $pid; wait $pid 2>/dev/null || true
  if [ "$db" = pg ]; then
    psql -q -h 127.0.0.1 -U "$PG_USER" -d test -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  fi
  python3 - "$db" "$LINES" "$dir" "$size" "$((cpu1 - cpu0))" "$(getconf CLK_TCK)" <<'PY'
import re, sys
db, lines, d, size = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
cpu = int(sys.argv[5]) / int(sys.argv[6])
log = open(d + "/run.log", errors="replace").read()
def t(s):
    h, m, rest = s.split(":"); return int(h) * 3600 + int(m) * 60 + float(rest)
opened = re.search(r"^(\d\d:\d\d:\d\d\.\d+) .*batch\.jsonl.*(?:opened|open)", log, re.M)
done = re.search(r"^(\d\d:\d\d:\d\d\.\d+) .*intake complete", log, re.M)
if not opened or not done:
    print(f"  {db}: no timing found"); sys.exit(0)
secs = t(done.group(1)) - t(opened.group(1))
secs += 86400 if secs < 0 else 0
gc = [(float(u), int(a), int(b)) for u, a, b in re.findall(r"^\[(\d+\.\d+)s\].*Pause.* (\d+)M->(\d+)M\(\d+M\)", open(d + "/gc.log").read(), re.M)]
peak_before = max((a for _, a, _ in gc), default=0)
peak_after = max((b for _, _, b in gc), default=0)
live = [int(x) for x in open(d + "/live.txt").read().split()]
per = "" if size == "-" else f"; H2 file {int(size) / 1e9:.2f} GB, {int(size) / lines:.0f} bytes per command"
print(f"  {db}: {lines} records in {secs:.1f} s = {lines / secs:.0f} records/s ({lines / cpu:.0f} records per CPU-second of the bridge, "
      f"{cpu:.0f} CPU s); heap (-Xmx256m): peak {peak_before} MB before a GC, {peak_after} MB after; live heap (full GC) at each "
      f"tenth of the batch: {' '.join(str(x) for x in live)} MB{per}")
PY
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
for db in $DBS; do
  run "$db"
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine slows the wall-clock figures, not the CPU ones)"
