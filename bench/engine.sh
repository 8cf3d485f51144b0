#!/usr/bin/env bash
# Engine benchmark of the access cloud's two-step action (docs/engine.md, "The benchmark"). Not a test:
# it starts a simulated access cloud in its own process (counting every call per device), then
#   throughput (default): the same 2,000 actions through a raw java.net.http driver (async, 100 in
#                         flight) and through the bridge (--once, fresh H2 ledger); both rates, the
#                         ratio, creates/PUTs/polls per action, one create + one PUT per device;
#   backlog:              calls/s and CPU of a running bridge with 1,000 and 100,000 due commands,
#                         create -> PUT delays and expired upload URLs; idle CPU with 100,000 open;
#   scaleout:             one vs two bridges on one PostgreSQL schema, sharing the machine, then each on a CPU
#                         budget of its own (a cgroup quota), then one of two killed -9
#                         (skipped when PostgreSQL does not answer on 127.0.0.1:5432);
#   idle:                 idle CPU only, with the biggest backlog, and the busiest threads;
#   all:                  the three.
# Usage: bench/engine.sh [-Dbench.option=value | -Dbridge.key=value ...] [throughput|backlog|scaleout|all ...]
#   bench options: actions (2000), in-flight (100), processing-delay-ms (200), poll-initial-ms (200),
#   poll-max-ms (1000), upload-url-ttl-s (600), backlog.sizes (1000,100000), window-s (30; 660 outlasts
#   the upload URL lifetime), idle-window-s (30), idle-settle-s (180: start-up and JIT work settle before the idle window),
#   scaleout.actions (6000), scaleout.cpu-cap (0.3 of a core per bridge; 0: no capped pair), pg.url, pg.user, bridge.options-file (config/jvm.options, the JVM options users run the bridge
#   with; blank: the JVM's defaults), bridge.jvm-options (more JVM options of every bridge, e.g. a JFR recording),
#   h2-settings (added to the H2 URL, e.g. ";PAGE_SIZE=1024");
#   -Dbridge.* keys are passed on to every bridge.
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/build-if-stale.sh
build_if_stale engine

run_bench org.devicebridge.bench.EngineBench "$@"
