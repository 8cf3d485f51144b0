#!/usr/bin/env bash
# The H2 ledger's size on disk (docs/ledger-storage.md). Not a test: it runs the bridge as a service with its
# built-in simulator on a fresh H2 file ledger and prints
#   finished (default): N two-step access actions (create -> PUT -> poll) run to a final state, then the
#                       file's bytes per finished command once its size settles (bridge running), and after
#                       a graceful stop;
#   service:            a batch dropped every few seconds for several minutes with bridge.ledger.retention
#                       short: the file's size over time (growth must level off);
#   all:                both.
# After each run the ledger is opened read-only: rows and bytes per table, the share of the file H2 counts live.
# Usage: bench/ledger-size.sh [-Dbench.option=value | -Dbridge.key=value ...] [finished|service|all ...]
#   bench options: actions (20000; 100000 for the big run), file-actions (1000 per batch file), settle-s (75), settle-max-s (600),
#   processing-delay-ms (200), service.batch (200), service.every-s (5), service.minutes (8),
#   service.retention (2m), sample-s (30), h2-settings (added to the H2 URL, e.g. ";RETENTION_TIME=5000"),
#   keep-ledger (false: true keeps a copy of the stopped ledger's file beside the logs); -Dbridge.* keys are passed on to the bridge.
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/build-if-stale.sh
build_if_stale ledger-size

run_bench org.devicebridge.bench.LedgerSizeBench "$@"
