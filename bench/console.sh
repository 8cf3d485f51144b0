#!/usr/bin/env bash
# What one poll of the operator console costs over a big ledger: an H2 file with a request of BIG
# credentials commands (a third final) beside SMALL requests of ten and a call log of 20,000 calls;
# each read the console makes timed (median and worst of 20), cold and warm, and H2's plan of each
# query (which index serves it).
# Usage: bench/console.sh [big] [small]      (defaults: 100000 200)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f target/device-action-bridge.jar ] || [ -n "$(find src routes config pom.xml -newer target/device-action-bridge.jar -print -quit)" ]; then
  mvn -B -q -DskipTests package
fi
mvn -B -q -o test-compile
exec java -XX:TieredStopAtLevel=1 -cp "target/classes:target/test-classes:target/lib/*" org.devicebridge.bench.ConsoleBench "$@"
