#!/usr/bin/env bash
# Benchmark of the cheap probes and the status list (docs/status-api.md "Benchmark"). Not a test:
# starts the bridge jar with its built-in simulator, fills its ledger with some thousands of commands
# over the API, then measures req/s and p50 of a static page of the same HTTP server, liveness,
# readiness, the whole health document, and the status list with limit=100, in rounds that take the
# targets in turn, and prints each rate as a ratio of the static page's (the machine may be busy:
# compare ratios, not raw rates).
# Usage: bench/status-api.sh [-Dbench.option=value ...] [jar]
#   options: bench.commands (5000), bench.clients (4), bench.seconds (4), bench.rounds (3), bench.heap (512m)
#   jar: default target/device-action-bridge.jar, rebuilt when older than the sources
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_OPTS=()
JAR=
for arg in "$@"; do
  case "$arg" in
    -D*) JAVA_OPTS+=("$arg") ;;
    *) JAR=$arg ;;
  esac
done
source bench/build-if-stale.sh
build_if_stale status-api
exec java "${JAVA_OPTS[@]}" -Dbench.jar="${JAR:-target/device-action-bridge.jar}" \
     -cp "target/classes:target/test-classes:target/lib/*" org.devicebridge.bench.StatusApiBench
