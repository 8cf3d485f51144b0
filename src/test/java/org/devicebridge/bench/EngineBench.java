package org.devicebridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.cloud.BackoffSchedule;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The engine benchmark (docs/engine.md, "The benchmark"), run by {@code bench/engine.sh}. Not a test:
 * it prints figures and judges nothing but its own bounds.
 *
 * <p>Scenarios (arguments; default {@code throughput}):
 * <ul>
 *   <li>{@code throughput}: the same N two-step actions first through {@link RawDriver}, then
 *       through {@code java -jar target/device-action-bridge.jar --once} on a fresh H2 ledger, against
 *       one {@link BenchCloud}; both rates (cloud's view: first create to the last poll answered with a
 *       final status), their ratio, creates/PUTs/polls per action, one create and one PUT per device;</li>
 *   <li>{@code backlog}: a long-running bridge on an H2 ledger seeded with 1,000 and with 100,000
 *       due commands: cloud calls/s and the bridge's CPU over a window, create-to-PUT delays and
 *       expired upload URLs; then 100,000 open commands none due: idle CPU;</li>
 *   <li>{@code scaleout}: one vs two bridges on one PostgreSQL schema (skipped without PostgreSQL),
 *       sharing the machine, then each on a CPU budget of its own ({@link CpuCap}), then two with one
 *       killed (-9) mid-run; each run until the ledger has every command final.</li>
 * </ul>
 * Options are system properties ({@code -Dbench.actions=2000}, see {@link #main}); every
 * {@code -Dbridge.*} given to the bench is passed on to each bridge.
 */
public final class EngineBench {

    private static final String API_KEY = "bench_" + HexFormat.of().formatHex(randomBytes());

    private final Path workDir = Path.of("").toAbsolutePath();
    private final Path jar = workDir.resolve("target/device-action-bridge.jar");
    private final Path logs = workDir.resolve("target/bench-engine");
    private final Path tmp;
    private final int actions = Integer.getInteger("bench.actions", 2_000);
    private final int inFlight = Integer.getInteger("bench.in-flight", 100);
    private final long processingMs = Long.getLong("bench.processing-delay-ms", 200);
    private final long uploadTtlS = Long.getLong("bench.upload-url-ttl-s", 600);
    private final Duration pollInitial = Duration.ofMillis(Long.getLong("bench.poll-initial-ms", 200));
    private final Duration pollMax = Duration.ofMillis(Long.getLong("bench.poll-max-ms", 1_000));
    private final List<Integer> backlogSizes = Arrays.stream(System.getProperty("bench.backlog.sizes", "1000,100000")
            .split(",")).map(String::trim).map(Integer::valueOf).toList();
    private final Duration window = Duration.ofSeconds(Long.getLong("bench.window-s", 30));
    /**
     * A backlog's warm-up ends after 5 s, or once this share of it is final: 1,000 actions are all
     * done within 5 s, and measuring what was left after that measured nothing.
     */
    private static final double WARM_UP_SHARE = 0.2;
    /** A backlog's window ends once this share of it is final: past it few actions are left in flight, and the rate falls with them. */
    private static final double WINDOW_END_SHARE = 0.8;
    private final Duration idleWindow = Duration.ofSeconds(Long.getLong("bench.idle-window-s", 30));
    /** How long the idle bridge runs before its CPU is measured: start-up work (class loading, the JIT compiling the hot paths) settles. */
    private final Duration idleSettle = Duration.ofSeconds(Long.getLong("bench.idle-settle-s", 180));
    private final int scaleoutActions = Integer.getInteger("bench.scaleout.actions", 6_000);
    /** Each bridge's CPU budget in cores for the second scale-out pair ({@link CpuCap}); 0: that pair is not run. */
    private final double scaleoutCpuCap = Double.parseDouble(System.getProperty("bench.scaleout.cpu-cap", "0.3"));
    private final String pgUrl = System.getProperty("bench.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String cloudBase;
    private long cloudPid;
    /** A copy of the biggest backlog's ledger as seeded, for the idle run. */
    private Path seededCopy;

    private EngineBench() throws IOException {
        Files.createDirectories(logs);
        tmp = Files.createTempDirectory("bench-engine-");
    }

    /**
     * @param args scenarios: {@code throughput} (default), {@code backlog}, {@code scaleout}, {@code all}
     */
    public static void main(String[] args) throws Exception {
        Set<String> scenarios = new LinkedHashSet<>(args.length == 0 ? List.of("throughput") : List.of(args));
        if (scenarios.remove("all")) {
            scenarios.addAll(List.of("throughput", "backlog", "scaleout"));
        }
        for (String s : scenarios) {
            if (!List.of("throughput", "backlog", "scaleout", "idle").contains(s)) {
                System.err.println("unknown scenario '" + s + "': throughput, backlog, scaleout, idle or all");
                System.exit(2);
            }
        }
        EngineBench bench = new EngineBench();
        System.out.printf(Locale.ROOT, "engine bench: %d cores, load average %s (others build here too: figures are noisy)%n",
                Runtime.getRuntime().availableProcessors(), loadAverage());
        Process cloud = bench.startCloud();
        try {
            for (String s : scenarios) {
                switch (s) {
                    case "throughput" -> bench.throughput();
                    case "backlog" -> bench.backlog();
                    case "scaleout" -> bench.scaleout();
                    case "idle" -> bench.idleRun(bench.backlogSizes.stream().max(Integer::compare).orElse(100_000));
                    default -> throw new IllegalStateException(s);
                }
            }
        } finally {
            cloud.getOutputStream().close();   // its stdin: EOF ends it
            if (!cloud.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                cloud.destroyForcibly();
            }
            deleteTree(bench.tmp);
        }
        System.out.printf(Locale.ROOT, "(load average at the end %s; bridge logs: %s/)%n", loadAverage(),
                bench.workDir.relativize(bench.logs));
        System.exit(0);
    }

    // ================================================================ scenario: throughput

    private void throughput() throws Exception {
        System.out.printf(Locale.ROOT, "== throughput: %,d two-step actions (create -> PUT -> poll), cloud: simulator in its own process, "
                        + "processing %d ms, webhooks off; poll %d ms doubling to %d ms; %d in flight for the raw driver%n",
                actions, processingMs, pollInitial.toMillis(), pollMax.toMillis(), inFlight);
        List<BenchActions.Action> batch = BenchActions.make("door", actions);

        reset();
        // the same calls as the bridge: a read-back of each resolved action unless the bridge is told to skip it
        boolean readBack = Boolean.parseBoolean(System.getProperty("bridge.access.read-back", "true"));
        double rawCpu0 = ownCpuSeconds();
        RawDriver.Result raw = new RawDriver(cloudBase + "/access", API_KEY, backoff(), readBack).run(batch, inFlight, Duration.ofMinutes(10));
        double rawCpu = ownCpuSeconds() - rawCpu0;
        JsonNode rawStats = stats(true);
        double rawRate = rate(rawStats, actions);
        System.out.printf(Locale.ROOT, "  raw driver (java.net.http, async, %d in flight%s): %s%n", inFlight,
                readBack ? ", read-back" : "", line(rawStats, actions));
        System.out.printf(Locale.ROOT, "      driver's own view: %d resolved, %d failed, %d unfinished, first call to last final %.1f s%n",
                raw.resolved(), raw.failed(), raw.unfinished(), raw.seconds());

        reset();
        Path dir = tmp.resolve("throughput");
        Files.createDirectories(dir.resolve("inbox"));
        Path staged = dir.resolve("bench-throughput.json.tmp");
        Files.writeString(staged, BenchActions.batchDocument("bench-throughput-" + System.currentTimeMillis(), batch));
        Files.move(staged, dir.resolve("inbox/bench-throughput.json"), StandardCopyOption.ATOMIC_MOVE);
        Map<String, String> settings = bridgeSettings(dir);
        long started = System.currentTimeMillis();
        Integer exit = null;
        double bridgeCpu = 0;
        long bridgeWritten = 0;
        try (BridgeProcess bridge = BridgeProcess.start(workDir, jar, dir, "bridge-once", settings, API_KEY, "--once")) {
            long until = System.currentTimeMillis() + Duration.ofMinutes(16).toMillis();
            while (exit == null && System.currentTimeMillis() < until) {
                bridgeCpu = Math.max(bridgeCpu, bridge.cpuSeconds()); // read while it runs: /proc forgets it at exit
                bridgeWritten = Math.max(bridgeWritten, bridge.bytesWritten());
                exit = bridge.waitFor(Duration.ofMillis(200));
            }
            keepLog(bridge, "throughput");
        }
        double processS = (System.currentTimeMillis() - started) / 1000.0;
        JsonNode bridgeStats = stats(true);
        double bridgeRate = rate(bridgeStats, actions);
        System.out.printf(Locale.ROOT, "  bridge --once (H2, fresh ledger):                 %s%n", line(bridgeStats, actions));
        String summary = summary(dir.resolve("outbox/bench-throughput.summary.json"));
        System.out.printf(Locale.ROOT, "      exit code %s; %s; whole process %.1f s with start-up and intake%n",
                exit == null ? "none (killed after 16 min)" : exit, summary, processS);
        System.out.printf(Locale.ROOT, "  ratio bridge/raw: %.2f (target >= 0.8)%n", rawRate > 0 ? bridgeRate / rawRate : 0);
        System.out.printf(Locale.ROOT, "  CPU per action: bridge %.1f ms (the whole --once process, start-up and intake included), "
                + "raw driver %.1f ms (the bench's own process while it ran)%n", bridgeCpu * 1000 / actions, rawCpu * 1000 / actions);
        System.out.printf(Locale.ROOT, "  bridge's writes per action (ledger file, sockets, logs): %,d bytes%n", bridgeWritten / actions);
        long commits = commits(dir.resolve("ledger.mv.db"));
        System.out.printf(Locale.ROOT, "  ledger commits (H2 chunks written, migrations included): %,d, %.2f per action%n", commits,
                (double) commits / actions);
        System.out.printf(Locale.ROOT, "  bridge settings: %s%n", settingsShown(settings));
    }

    /** How many commits an H2 file holds the trace of: its store's version (one per chunk written), read once the bridge stopped. */
    private static long commits(Path file) {
        if (!Files.exists(file)) {
            return 0;
        }
        try (org.h2.mvstore.MVStore store = new org.h2.mvstore.MVStore.Builder().fileName(file.toString()).readOnly().open()) {
            return store.getCurrentVersion();
        }
    }

    /** CPU seconds used so far by this (the bench's) process. */
    private static double ownCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    /** "N final in S s -> R actions/s; per action ...; one create + one PUT: k/N". */
    private static String line(JsonNode s, int n) {
        double seconds = span(s);
        return String.format(Locale.ROOT, "%,d final in %.1f s -> %.0f actions/s; per action %.2f creates, %.2f PUTs, %.2f polls, "
                        + "%.2f read-backs (%d other calls, %d non-2xx); one create + one PUT: %,d of %,d devices",
                s.path("finals").asLong(), seconds, rate(s, n), per(s, "creates", n), per(s, "puts", n), per(s, "polls", n),
                per(s, "read_backs", n),
                s.path("other").asLong(), s.path("non2xx").asLong(), s.path("devices_one_create_one_put").asLong(), n);
    }

    /** The cloud's view: from its first create to the last poll it answered with a final status. */
    private static double span(JsonNode s) {
        long first = s.path("first_create_at").asLong();
        long last = s.path("last_final_at").asLong();
        return first > 0 && last > first ? (last - first) / 1000.0 : 0;
    }

    private static double rate(JsonNode s, int n) {
        double seconds = span(s);
        return seconds > 0 ? s.path("finals").asLong() / seconds : 0;
    }

    private static double per(JsonNode s, String field, int n) {
        return s.path(field).asLong() / (double) n;
    }

    private static String summary(Path file) {
        try {
            JsonNode s = BenchActions.JSON.readTree(file.toFile());
            double seconds = Duration.between(Instant.parse(s.path("started_at").asText()),
                    Instant.parse(s.path("finished_at").asText())).toMillis() / 1000.0;
            return String.format(Locale.ROOT, "summary: %d succeeded, %d failed, %d timed out; started_at to finished_at %.1f s "
                            + "(intake included) -> %.0f actions/s", s.path("succeeded").asInt(), s.path("failed").asInt(),
                    s.path("timed_out").asInt(), seconds, s.path("total").asInt() / seconds);
        } catch (IOException | RuntimeException e) {
            return "no summary file (" + e.getClass().getSimpleName() + ")";
        }
    }

    // ================================================================ scenario: backlog

    private void backlog() throws Exception {
        System.out.printf(Locale.ROOT, "== backlog: a running bridge (H2) on a ledger seeded with N due access commands; "
                + "measured over %d s after a 5 s warm-up (cloud calls, the bridge's CPU from /proc); a backlog done sooner "
                + "from %.0f %% of it final to %.0f %%%n", window.toSeconds(), WARM_UP_SHARE * 100, WINDOW_END_SHARE * 100);
        List<double[]> rates = new ArrayList<>();
        for (int n : backlogSizes) {
            rates.add(new double[] {n, backlogRun(n)});
        }
        if (rates.size() >= 2) {
            double[] small = rates.stream().min(Comparator.comparingDouble(r -> r[0])).orElseThrow();
            double[] big = rates.stream().max(Comparator.comparingDouble(r -> r[0])).orElseThrow();
            System.out.printf(Locale.ROOT, "  calls/s at %,d open vs %,d open: %.2fx (target >= 0.8)%n",
                    (int) big[0], (int) small[0], small[1] > 0 ? big[1] / small[1] : 0);
        }
        idleRun(backlogSizes.stream().max(Integer::compare).orElse(100_000));
    }

    /** @return cloud calls per second over the window */
    private double backlogRun(int n) throws Exception {
        Path dir = tmp.resolve("backlog-" + n);
        Files.createDirectories(dir);
        Instant now = Instant.now();
        long seedingStart = System.currentTimeMillis();
        BenchLedger.seed(h2Url(dir), "sa", null, "bench-backlog-" + n, BenchActions.make("backlog", n), now,
                now.plus(Duration.ofHours(3)));
        double seedingSeconds = (System.currentTimeMillis() - seedingStart) / 1000.0;
        if (n == backlogSizes.stream().max(Integer::compare).orElseThrow()) {
            seededCopy = tmp.resolve("seeded-" + n + ".mv.db");
            Files.copy(dir.resolve("ledger.mv.db"), seededCopy, StandardCopyOption.REPLACE_EXISTING);
        }
        reset();
        Map<String, String> settings = bridgeSettings(dir);
        try (BridgeProcess bridge = BridgeProcess.start(workDir, jar, dir, "bridge-backlog-" + n, settings, API_KEY)) {
            long until = System.currentTimeMillis() + 180_000;
            while (stats(false).path("calls").asLong() == 0 && bridge.alive() && System.currentTimeMillis() < until) {
                Thread.sleep(200);
            }
            if (stats(false).path("calls").asLong() == 0) {
                System.out.printf(Locale.ROOT, "  %,d open: the bridge made no call within 3 min (alive: %s); see its log%n", n, bridge.alive());
                keepLog(bridge, "backlog-" + n);
                return 0;
            }
            sleepUntilFinal(Duration.ofSeconds(5), (long) Math.ceil(n * WARM_UP_SHARE));
            JsonNode s0 = stats(false);
            double cpu0 = bridge.cpuSeconds();
            long t0 = System.currentTimeMillis();
            long end = t0 + window.toMillis();
            JsonNode s1 = s0;
            while (System.currentTimeMillis() < end && bridge.alive()) {
                Thread.sleep(100);
                s1 = stats(false);
                if (s1.path("finals").asLong() >= (long) (n * WINDOW_END_SHARE)) {
                    break;   // a small backlog nearly done before the window ends: the window ends here
                }
            }
            double cpu1 = bridge.cpuSeconds();
            long t1 = System.currentTimeMillis();
            JsonNode full = stats(true);
            double seconds = (t1 - t0) / 1000.0;
            long calls = s1.path("calls").asLong() - s0.path("calls").asLong();
            double callsPerS = calls / seconds;
            double cpu = (cpu1 - cpu0) / seconds;
            System.out.printf(Locale.ROOT, "  %,7d open: %.0f calls/s over %.1f s (%,d creates, %,d PUTs, %,d polls, %,d other); "
                            + "bridge CPU %.0f %% of a core -> %.0f calls per CPU-second; seeded in %.1f s%n",
                    n, callsPerS, seconds, diff(s0, s1, "creates"), diff(s0, s1, "puts"), diff(s0, s1, "polls"), diff(s0, s1, "other"),
                    cpu * 100, cpu > 0 ? callsPerS / cpu : 0, seedingSeconds);
            System.out.printf(Locale.ROOT, "           create -> PUT (cloud's clock, since start): %,d PUTs, p50 %.1f s, p99 %.1f s, max %.1f s; "
                            + "%,d created actions still awaiting their PUT, oldest %.0f s; expired upload URLs (lifetime %d s): %d PUTs refused, "
                            + "%d unused past their lifetime%n",
                    full.path("put_delays").asLong(), full.path("put_delay_p50_ms").asLong() / 1000.0,
                    full.path("put_delay_p99_ms").asLong() / 1000.0, full.path("put_delay_max_ms").asLong() / 1000.0,
                    full.path("devices_awaiting_put").asLong(), full.path("oldest_awaiting_put_ms").asLong() / 1000.0,
                    uploadTtlS, full.path("puts_expired").asLong(), full.path("upload_urls_expired_unused").asLong());
            keepLog(bridge, "backlog-" + n);
            return callsPerS;
        } finally {
            deleteTree(dir);
        }
    }

    /** The busiest thread groups (names without their numbers) between two samples, as "name x.x". */
    private static String topThreads(Map<String, Double> before, Map<String, Double> after, double seconds) {
        Map<String, Double> byGroup = new java.util.TreeMap<>();
        after.forEach((thread, cpu) -> byGroup.merge(thread.replaceAll("#(\\d+|vm)$", "").replaceAll("\\d+", "N"),
                cpu - before.getOrDefault(thread, 0.0), Double::sum));
        return byGroup.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(8)
                .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue() / seconds * 100))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private void idleRun(int n) throws Exception {
        Path dir = tmp.resolve("idle-" + n);
        Files.createDirectories(dir);
        Instant now = Instant.now();
        if (seededCopy != null) {   // the backlog's ledger as it was seeded, every step moved a day ahead
            Files.move(seededCopy, dir.resolve("ledger.mv.db"));
            BenchLedger.reschedule(h2Url(dir), "sa", null, now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(2)));
        } else {
            BenchLedger.seed(h2Url(dir), "sa", null, "bench-idle-" + n, BenchActions.make("idle", n),
                    now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(2)));
        }
        reset();
        try (BridgeProcess bridge = BridgeProcess.start(workDir, jar, dir, "bridge-idle-" + n, bridgeSettings(dir), API_KEY)) {
            if (!bridge.awaitStarted(Duration.ofMinutes(3))) {
                System.out.printf(Locale.ROOT, "  idle: the bridge did not start within 3 min; see its log%n");
                keepLog(bridge, "idle-" + n);
                return;
            }
            Thread.sleep(idleSettle.toMillis());   // start-up work (class loading, the JIT compiling the hot paths) settles
            double cpu0 = bridge.cpuSeconds();
            Map<String, Double> threads0 = bridge.cpuSecondsByThread();
            long t0 = System.currentTimeMillis();
            Thread.sleep(idleWindow.toMillis());
            double cpu1 = bridge.cpuSeconds();
            Map<String, Double> threads1 = bridge.cpuSecondsByThread();
            double seconds = (System.currentTimeMillis() - t0) / 1000.0;
            System.out.printf(Locale.ROOT, "  idle, %,d open and none due for a day: bridge CPU %.1f %% of a core over %.0f s "
                            + "(target <= 5 %%); %d cloud calls%n",
                    n, (cpu1 - cpu0) / seconds * 100, seconds, stats(false).path("calls").asLong());
            System.out.printf(Locale.ROOT, "    where it goes (threads, %% of a core): %s%n", topThreads(threads0, threads1, seconds));
            keepLog(bridge, "idle-" + n);
        } finally {
            deleteTree(dir);
        }
    }

    /** Waits {@code d}, or less once {@code finals} actions are final. */
    private void sleepUntilFinal(Duration d, long finals) throws InterruptedException, IOException {
        long until = System.currentTimeMillis() + d.toMillis();
        while (System.currentTimeMillis() < until && stats(false).path("finals").asLong() < finals) {
            Thread.sleep(50);
        }
    }

    private static long diff(JsonNode a, JsonNode b, String field) {
        return b.path(field).asLong() - a.path(field).asLong();
    }

    // ================================================================ scenario: scaleout

    private void scaleout() throws Exception {
        String user = postgresUser();
        if (user == null) {
            System.out.printf(Locale.ROOT, "== scaleout: skipped: no PostgreSQL answers at %s (users postgres and root tried)%n", pgUrl);
            return;
        }
        System.out.printf(Locale.ROOT, "== scaleout: %,d seeded access commands on one PostgreSQL schema (%s, user %s), bridges started "
                        + "first, then every command made due at once; cloud's view: first create to last final%n",
                scaleoutActions, pgUrl, user);
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "  -- the bridges share this machine's %d cores with the cloud and PostgreSQL%n", cores);
        double one = scaleoutRun(user, 1, false, 0);
        double two = scaleoutRun(user, 2, false, 0);
        System.out.printf(Locale.ROOT, "  two instances / one, one machine: %.2fx%n", one > 0 ? two / one : 0);
        if (scaleoutCpuCap > 0) {
            StringBuilder whyNot = new StringBuilder();
            Optional<CpuCap> probe = CpuCap.create("device-bridge-bench-probe", scaleoutCpuCap, whyNot);
            probe.ifPresent(CpuCap::close);
            if (probe.isEmpty()) {
                System.out.printf(Locale.ROOT, "  -- each bridge on a CPU budget of its own: skipped: %s%n", whyNot);
            } else {
                System.out.printf(Locale.ROOT, "  -- each bridge capped at %.2f of a core (a cgroup's CPU quota), as if on a machine of its own; "
                        + "the cloud and PostgreSQL uncapped%n", scaleoutCpuCap);
                double oneCapped = scaleoutRun(user, 1, false, scaleoutCpuCap);
                double twoCapped = scaleoutRun(user, 2, false, scaleoutCpuCap);
                System.out.printf(Locale.ROOT, "  two instances / one, each on its own CPU budget: %.2fx (target >= 1.6)%n",
                        oneCapped > 0 ? twoCapped / oneCapped : 0);
            }
        }
        scaleoutRun(user, 2, true, 0);
    }

    /**
     * @param cpuCap each bridge's CPU budget in cores ({@link CpuCap}); 0: none
     * @return actions per second
     */
    private double scaleoutRun(String user, int instances, boolean killOne, double cpuCap) throws Exception {
        String schema = "bench_engine_" + System.currentTimeMillis() + "_" + instances + (killOne ? "_kill" : "");
        int n = scaleoutActions;
        Instant now = Instant.now();
        BenchLedger.seed(pgUrl, user, schema, "bench-scaleout", BenchActions.make("scale", n),
                now.plus(Duration.ofDays(1)), now.plus(Duration.ofHours(3)));
        reset();
        List<BridgeProcess> bridges = new ArrayList<>();
        List<CpuCap> caps = new ArrayList<>();
        String label = instances + (instances == 1 ? " instance" : " instances") + (killOne ? ", one killed -9 mid-run" : "")
                + (cpuCap > 0 ? String.format(Locale.ROOT, ", %.2f core each", cpuCap) : "");
        try {
            for (int i = 0; i < instances; i++) {
                Path dir = tmp.resolve(schema + "-" + i);
                Map<String, String> settings = bridgeSettings(dir);
                settings.put("bridge.db.url", pgUrl);
                settings.put("bridge.db.user", user);
                settings.put("bridge.db.schema", schema);
                BridgeProcess bridge = BridgeProcess.start(workDir, jar, dir, "bridge-" + i, settings, API_KEY);
                bridges.add(bridge);
                if (cpuCap > 0) {
                    CpuCap cap = CpuCap.create("device-bridge-bench-" + i, cpuCap, new StringBuilder())
                            .orElseThrow(() -> new IllegalStateException("the CPU cap could be made once, not now"));
                    caps.add(cap);
                    cap.add(bridge.pid());
                }
            }
            for (BridgeProcess b : bridges) {
                if (!b.awaitStarted(Duration.ofMinutes(3))) {
                    System.out.printf(Locale.ROOT, "  %s: a bridge did not start within 3 min; see %s%n", label, keepLog(b, schema));
                    return 0;
                }
            }
            Thread.sleep(2_000);
            try (Connection c = DriverManager.getConnection(pgUrl, user, "")) {
                try (var st = c.prepareStatement("UPDATE " + schema + ".bridge_command SET next_attempt_at = ?")) {
                    st.setObject(1, OffsetDateTime.now(ZoneOffset.UTC));
                    st.executeUpdate();
                }
            }
            long go = System.currentTimeMillis();
            double[] cpuAtGo = bridges.stream().mapToDouble(BridgeProcess::cpuSeconds).toArray();
            double cloudCpuAtGo = BridgeProcess.cpuSeconds(cloudPid);
            double postgresCpuAtGo = postgresCpuSeconds();
            double[] cpuUsed = new double[bridges.size()];
            long killedAt = 0;
            long killedCreates = 0;
            long until = go + Duration.ofMinutes(10).toMillis();
            JsonNode s = stats(false);
            while (s.path("finals").asLong() < n && System.currentTimeMillis() < until) {
                Thread.sleep(250);
                s = stats(false);
                if (killOne && killedAt == 0 && s.path("creates").asLong() >= n / 3) {
                    cpuUsed[0] = bridges.get(0).cpuSeconds() - cpuAtGo[0];
                    bridges.get(0).kill9();
                    killedAt = System.currentTimeMillis();
                    killedCreates = s.path("creates").asLong();
                }
            }
            double runS = (System.currentTimeMillis() - go) / 1000.0;
            for (int i = 0; i < bridges.size(); i++) {
                if (bridges.get(i).alive()) {
                    cpuUsed[i] = bridges.get(i).cpuSeconds() - cpuAtGo[i];
                }
            }
            double cloudCpu = BridgeProcess.cpuSeconds(cloudPid) - cloudCpuAtGo;
            double postgresCpu = postgresCpuSeconds() - postgresCpuAtGo;
            // the cloud has answered every last poll; the ledger records the outcomes (after a kill, once the dead one's leases end)
            long ledgerUntil = System.currentTimeMillis() + Duration.ofMinutes(3).toMillis();
            long open = openCommands(user, schema);
            while (open > 0 && System.currentTimeMillis() < ledgerUntil) {
                Thread.sleep(250);
                open = openCommands(user, schema);
            }
            long ledgerDoneAt = System.currentTimeMillis();
            JsonNode full = stats(true);
            double rate = rate(full, n);
            System.out.printf(Locale.ROOT, "  %s: %s%n", label, line(full, n));
            System.out.printf(Locale.ROOT, "      CPU from the go to the end (%.0f s), core-seconds: bridges %s, cloud %.1f, PostgreSQL %.1f%n",
                    runS, Arrays.stream(cpuUsed).mapToObj(c -> String.format(Locale.ROOT, "%.1f", c)).reduce((a, b) -> a + " + " + b)
                            .orElse(""), cloudCpu, postgresCpu);
            System.out.printf(Locale.ROOT, "      devices with more than one create: %d, more than one PUT: %d%n",
                    full.path("devices_more_than_one_create").asLong(), full.path("devices_more_than_one_put").asLong());
            System.out.printf(Locale.ROOT, "      the ledger: %s%n", open == 0
                    ? String.format(Locale.ROOT, "every command final %.1f s after the go", (ledgerDoneAt - go) / 1000.0)
                    : open + " commands still open 3 min after the cloud's last final");
            if (killOne) {
                long lastFinal = full.path("last_final_at").asLong();
                System.out.printf(Locale.ROOT, "      killed instance 0 (pid %d) %.1f s after the go, at %,d creates; the survivor brought "
                                + "all to a final state: %s (the cloud's last final %.1f s after the kill, the ledger's %.1f s; lease %s)%n",
                        bridges.get(0).pid(), (killedAt - go) / 1000.0, killedCreates,
                        full.path("finals").asLong() >= n && open == 0 ? "yes" : "NO, " + full.path("finals").asLong() + " of " + n
                                + " final at the cloud, " + open + " open in the ledger",
                        (lastFinal - killedAt) / 1000.0, (ledgerDoneAt - killedAt) / 1000.0,
                        System.getProperty("bridge.access.lease", "1m (default)"));
            }
            for (int i = 0; i < bridges.size(); i++) {
                keepLog(bridges.get(i), schema + "-" + i);
            }
            for (BridgeProcess b : bridges) {
                b.close();
            }
            System.out.printf(Locale.ROOT, "      ledger states: %s%n", BenchLedger.states(pgUrl, user, schema));
            return rate;
        } finally {
            for (BridgeProcess b : bridges) {
                b.close();
            }
            caps.forEach(CpuCap::close);
            try (Connection c = DriverManager.getConnection(pgUrl, user, ""); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    /** The schema's commands not final yet. */
    private long openCommands(String user, String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(pgUrl, user, ""); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT COUNT(*) FROM " + schema + ".bridge_command WHERE finished_at IS NULL AND internal = FALSE")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** CPU seconds of every process named {@code postgres} on this machine (its server and backends), from /proc. */
    private static double postgresCpuSeconds() {
        double sum = 0;
        try (var pids = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) pids.filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit))::iterator) {
                try {
                    if (Files.readString(p.resolve("comm")).trim().equals("postgres")) {
                        sum += Math.max(0, BridgeProcess.cpuSeconds(Long.parseLong(p.getFileName().toString())));
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return sum;
    }

    private String postgresUser() {
        DriverManager.setLoginTimeout(3);
        for (String user : List.of(System.getProperty("bench.pg.user", "postgres"), "root")) {
            try (Connection c = DriverManager.getConnection(pgUrl, user, "")) {
                if (c.isValid(3)) {
                    return user;
                }
            } catch (SQLException e) {
                // next user
            }
        }
        return null;
    }

    // ================================================================ the cloud and the bridges

    private Process startCloud() throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), BenchCloud.class.getName(),
                String.valueOf(processingMs), String.valueOf(uploadTtlS));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(logs.resolve("cloud.log").toFile());
        pb.environment().put("BENCH_ACCESS_API_KEY", API_KEY);
        Process p = pb.start();
        cloudPid = p.pid();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("BENCH_CLOUD ")) {
                cloudBase = line.substring("BENCH_CLOUD ".length()).trim();
                break;
            }
        }
        if (cloudBase == null) {
            throw new IllegalStateException("the bench cloud did not start; see " + logs.resolve("cloud.log"));
        }
        Thread drain = new Thread(() -> {
            try {
                out.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // the cloud ended
            }
        }, "cloud-stdout");
        drain.setDaemon(true);
        drain.start();
        return p;
    }

    private void reset() throws IOException, InterruptedException {
        http.send(HttpRequest.newBuilder(URI.create(cloudBase + "/bench/reset")).POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
    }

    private JsonNode stats(boolean full) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(cloudBase + "/bench/stats" + (full ? "" : "?quick")))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
        return BenchActions.JSON.readTree(r.body());
    }

    private BackoffSchedule backoff() {
        return new BackoffSchedule(Duration.ofMillis(100), Duration.ofSeconds(1), 8, pollInitial, pollMax);
    }

    /**
     * The bench's bridge settings, then {@code bridge.access.concurrency} = the raw driver's in-flight
     * count when the configuration knows that key, then every {@code -Dbridge.*} given to the bench.
     */
    private Map<String, String> bridgeSettings(Path dir) throws IOException {
        Map<String, String> s = BridgeProcess.settings(dir, cloudBase + "/access", pollInitial, pollMax);
        Properties defaults = new Properties();
        try (var in = Files.newInputStream(workDir.resolve("config/application.properties"))) {
            defaults.load(in);
        }
        if (defaults.containsKey("bridge.access.concurrency")) {
            s.put("bridge.access.concurrency", String.valueOf(inFlight));
        }
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bridge."))
                .forEach(k -> s.put(k, System.getProperty(k)));
        return s;
    }

    /** The settings that shape the engine, for the record (paths and ports left out). */
    private static String settingsShown(Map<String, String> s) {
        return s.entrySet().stream()
                .filter(e -> e.getKey().matches("bridge\\.(access|poll|retry)\\..*|bridge\\.db\\.pool-size"))
                .filter(e -> !e.getKey().equals("bridge.access.base-url"))
                .map(e -> e.getKey() + "=" + e.getValue()).reduce((a, b) -> a + " " + b).orElse("");
    }

    private static String h2Url(Path dir) {
        return "jdbc:h2:file:" + dir.resolve("ledger").toAbsolutePath();
    }

    private Path keepLog(BridgeProcess bridge, String name) {
        Path kept = logs.resolve(name + ".log");
        try {
            Files.copy(bridge.log(), kept, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // the log is a courtesy
        }
        return workDir.relativize(kept);
    }

    /** Shared with the other benches of this package. */
    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temporary files; the OS cleans up
        }
    }

    /** Shared with the other benches of this package. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Shared with the other benches of this package. */
    static byte[] randomBytes() {
        byte[] b = new byte[12];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }
}
