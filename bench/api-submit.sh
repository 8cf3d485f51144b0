#!/usr/bin/env bash
# The API does not hold the caller: times three POSTs of 500 credentials actions each to
# /commands/v0/requests/ on a bridge running on its built-in simulator (dispatch going on meanwhile).
# Usage: bench/api-submit.sh [jar]      (default: target/device-action-bridge.jar, rebuilt when stale)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ] && { [ ! -f target/device-action-bridge.jar ] || [ -n "$(find src routes config pom.xml -newer target/device-action-bridge.jar -print -quit)" ]; }; then
  mvn -B -q -DskipTests package
fi
JAR=$(realpath "${1:-target/device-action-bridge.jar}"); W=$(mktemp -d); PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
MPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -c "
import json
print(json.dumps({'request_id':'api-500','actions':[{'kind':'credentials','id':'a%d'%i,'device':'door-%d'%i,'payload':{'credentials':[{'id':'1a2b3c4d','holder':'Ada','schedule_ids':['office']}],'schedules':[{'id':'office','timezone':'Europe/Berlin','intervals':[{'days':['MON','FRI'],'start':'08:00','end':'18:00'}]}]}} for i in range(500)]}))" > $W/doc.json
cd $W && java -Xmx256m -Dbridge.db.url=jdbc:h2:file:$W/ledger -Dbridge.inbox.dir=$W/inbox -Dbridge.outbox.dir=$W/outbox -Dbridge.archive.dir=$W/archive -Dbridge.deadletter.dir=$W/dl -Dbridge.examples.seed=false -Dbridge.http.host=127.0.0.1 -Dbridge.http.port=$PORT -Dbridge.management.port=$MPORT -Dbridge.jms.data-dir=$W/broker -Dbridge.jms.embedded-port= -Dbridge.api.token=tok_bench_0123456789 -jar $JAR > run.log 2>&1 &
PID=$!
until grep -q "Started\|started in" $W/run.log 2>/dev/null; do sleep 1; done; sleep 3
# one POST first: the JVM's first request warms up its HTTP and JSON code
curl -s -o /dev/null -H "Authorization: Bearer tok_bench_0123456789" -H "Content-Type: application/json" -d '{"actions":[{"kind":"command","device":"warm","command":"x"}]}' http://127.0.0.1:$PORT/commands/v0/requests/
for i in 1 2 3; do
  sed -i "s/\"api-500[^\"]*\"/\"api-500-$i\"/" $W/doc.json
  curl -s -o $W/answer.json -w "POST 500 actions: HTTP %{http_code} after %{time_total} s\n" -H "Authorization: Bearer tok_bench_0123456789" -H "Content-Type: application/json" --data-binary @$W/doc.json http://127.0.0.1:$PORT/commands/v0/requests/
done
head -c 300 $W/answer.json; echo
kill $PID; wait $PID 2>/dev/null; rm -rf $W
