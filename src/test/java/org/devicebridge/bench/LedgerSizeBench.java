package org.devicebridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The H2 ledger's size on disk (docs/ledger-storage.md), run by {@code bench/ledger-size.sh}. Not a
 * test: it prints figures. Each scenario runs the bridge as an operator does ({@code java -jar
 * target/device-action-bridge.jar}, a service, its built-in simulator) on a fresh H2 file ledger.
 *
 * <ul>
 *   <li>{@code finished}: N two-step access actions (create, PUT, poll), dropped as batch files of
 *       {@code bench.file-actions} each, run to a final state; then the bridge runs on until the
 *       file's size settles (no longer shrinking for {@code bench.settle-s}); prints the file's bytes
 *       per finished command while it runs, and again after a graceful stop;</li>
 *   <li>{@code service}: a batch dropped every {@code bench.service.every-s} for
 *       {@code bench.service.minutes}, with {@code bridge.ledger.retention} short; prints the
 *       file's size over time (bounded growth), then what the ledger holds at the end.</li>
 * </ul>
 * After each run the ledger is opened read-only and its content listed: rows and disk space per
 * table, and how much of the file H2 counts as live.
 */
public final class LedgerSizeBench {

    private static final String API_KEY = "bench_" + HexFormat.of().formatHex(EngineBench.randomBytes());

    private final Path workDir = Path.of("").toAbsolutePath();
    private final Path jar = workDir.resolve("target/device-action-bridge.jar");
    private final Path logs = workDir.resolve("target/bench-ledger-size");
    private final Path tmp;
    private final int actions = Integer.getInteger("bench.actions", 20_000);
    private final int fileActions = Integer.getInteger("bench.file-actions", 1_000);
    private final Duration settle = Duration.ofSeconds(Long.getLong("bench.settle-s", 75));
    /** The longest wait for the file to settle (a ledger of 100,000 commands takes longer than 10 min: the event topic catches up first). */
    private final Duration settleMax = Duration.ofSeconds(Long.getLong("bench.settle-max-s", 600));
    private final long processingMs = Long.getLong("bench.processing-delay-ms", 200);
    private final int serviceBatch = Integer.getInteger("bench.service.batch", 200);
    private final Duration serviceEvery = Duration.ofSeconds(Long.getLong("bench.service.every-s", 5));
    private final Duration serviceLength = Duration.ofMinutes(Long.getLong("bench.service.minutes", 8));
    private final String serviceRetention = System.getProperty("bench.service.retention", "2m");
    private final Duration sampleEvery = Duration.ofSeconds(Long.getLong("bench.sample-s", 30));

    private LedgerSizeBench() throws IOException {
        Files.createDirectories(logs);
        tmp = Files.createTempDirectory("bench-ledger-size-");
    }

    /** @param args scenarios: {@code finished} (default), {@code service}, {@code all} */
    public static void main(String[] args) throws Exception {
        Set<String> scenarios = new LinkedHashSet<>(args.length == 0 ? List.of("finished") : List.of(args));
        if (scenarios.remove("all")) {
            scenarios.addAll(List.of("finished", "service"));
        }
        for (String s : scenarios) {
            if (!List.of("finished", "service").contains(s)) {
                System.err.println("unknown scenario '" + s + "': finished, service or all");
                System.exit(2);
            }
        }
        LedgerSizeBench bench = new LedgerSizeBench();
        System.out.printf(Locale.ROOT, "ledger size bench: %d cores, load average %s%n", Runtime.getRuntime().availableProcessors(),
                EngineBench.loadAverage());
        try {
            for (String s : scenarios) {
                if (s.equals("finished")) {
                    bench.finished();
                } else {
                    bench.service();
                }
            }
        } finally {
            EngineBench.deleteTree(bench.tmp);
        }
        System.out.printf(Locale.ROOT, "(load average at the end %s; bridge logs: %s/)%n", EngineBench.loadAverage(), bench.workDir.relativize(bench.logs));
        System.exit(0);
    }

    // ================================================================ scenario: finished

    private void finished() throws Exception {
        Path dir = tmp.resolve("finished");
        Map<String, String> settings = settings(dir);
        System.out.printf(Locale.ROOT, "== finished: %,d two-step access actions (create -> PUT -> poll) in files of %,d, built-in "
                + "simulator (processing %d ms, its webhooks on), fresh H2 file ledger; settled: the file no smaller for %d s%n",
                actions, fileActions, processingMs, settle.toSeconds());
        System.out.printf(Locale.ROOT, "  bridge settings: %s%n", shown(settings));
        Path ledgerFile = dir.resolve("ledger.mv.db");
        long started = System.currentTimeMillis();
        try (BridgeProcess bridge = BridgeProcess.start(workDir, jar, dir, "bridge", settings, API_KEY)) {
            if (!bridge.awaitStarted(Duration.ofMinutes(3))) {
                System.out.printf(Locale.ROOT, "  the bridge did not start within 3 min; see %s%n", keepLog(bridge, "finished"));
                return;
            }
            int files = 0;
            for (int from = 0; from < actions; from += fileActions) {
                drop(dir, "size-" + files++, from, Math.min(fileActions, actions - from));
            }
            long maxSize = 0;
            long nextSample = 0;
            Outbox out = Outbox.read(dir);
            while (out.summaries() < files && bridge.alive() && System.currentTimeMillis() - started < Duration.ofMinutes(60).toMillis()) {
                Thread.sleep(1_000);
                maxSize = Math.max(maxSize, size(ledgerFile));
                out = Outbox.read(dir);
                if (System.currentTimeMillis() >= nextSample) {
                    nextSample = System.currentTimeMillis() + sampleEvery.toMillis();
                    System.out.printf(Locale.ROOT, "  %4.0f s: %,7d of %,d final; file %s%n", (System.currentTimeMillis() - started) / 1000.0,
                            out.total(), actions, mb(size(ledgerFile)));
                }
            }
            double runS = (System.currentTimeMillis() - started) / 1000.0;
            System.out.printf(Locale.ROOT, "  all final after %.0f s: %s; largest file meanwhile %s%n", runS, out, mb(maxSize));
            long settled = settle(bridge, ledgerFile);
            System.out.printf(Locale.ROOT, "  settled, bridge running:   file %s = %,.0f bytes per finished command%n", mb(settled),
                    settled / (double) out.total());
            bridge.close();
            keepLog(bridge, "finished");
            long closed = size(ledgerFile);
            System.out.printf(Locale.ROOT, "  after a graceful stop:     file %s = %,.0f bytes per finished command%n", mb(closed),
                    closed / (double) out.total());
            contents(dir, out.total());
            keepLedger(ledgerFile, "finished");
        } finally {
            EngineBench.deleteTree(dir);
        }
    }

    /** Waits until the file has not become smaller for {@link #settle} (at most {@link #settleMax}); its size then. */
    private long settle(BridgeProcess bridge, Path file) throws InterruptedException {
        long smallest = size(file);
        long smallestAt = System.currentTimeMillis();
        long until = System.currentTimeMillis() + settleMax.toMillis();
        long nextSample = 0;
        while (System.currentTimeMillis() - smallestAt < settle.toMillis() && System.currentTimeMillis() < until && bridge.alive()) {
            Thread.sleep(2_000);
            long s = size(file);
            if (System.currentTimeMillis() >= nextSample) {
                nextSample = System.currentTimeMillis() + sampleEvery.toMillis();
                System.out.printf(Locale.ROOT, "      settling: file %s%n", mb(s));
            }
            if (s < smallest) {
                smallest = s;
                smallestAt = System.currentTimeMillis();
            }
        }
        if (System.currentTimeMillis() >= until) {
            System.out.printf(Locale.ROOT, "      not settled within %d s (-Dbench.settle-max-s): the size then%n", settleMax.toSeconds());
        }
        return size(file);
    }

    // ================================================================ scenario: service

    private void service() throws Exception {
        Path dir = tmp.resolve("service");
        Map<String, String> settings = settings(dir);
        settings.put("bridge.ledger.retention", serviceRetention);
        settings.put("bridge.ledger.retention-check-interval", "10s");
        System.out.printf(Locale.ROOT, "== service: a batch of %,d access actions every %d s for %d min, bridge.ledger.retention=%s "
                        + "(checked every 10 s); built-in simulator (processing %d ms); file size every %d s%n",
                serviceBatch, serviceEvery.toSeconds(), serviceLength.toMinutes(), serviceRetention, processingMs, sampleEvery.toSeconds());
        System.out.printf(Locale.ROOT, "  bridge settings: %s%n", shown(settings));
        Path ledgerFile = dir.resolve("ledger.mv.db");
        try (BridgeProcess bridge = BridgeProcess.start(workDir, jar, dir, "bridge", settings, API_KEY)) {
            if (!bridge.awaitStarted(Duration.ofMinutes(3))) {
                System.out.printf(Locale.ROOT, "  the bridge did not start within 3 min; see %s%n", keepLog(bridge, "service"));
                return;
            }
            long started = System.currentTimeMillis();
            long end = started + serviceLength.toMillis();
            long nextDrop = started;
            long nextSample = started;
            int dropped = 0;
            List<long[]> samples = new ArrayList<>();
            while (System.currentTimeMillis() < end && bridge.alive()) {
                long now = System.currentTimeMillis();
                if (now >= nextDrop) {
                    drop(dir, "service-" + dropped / serviceBatch, dropped, serviceBatch);
                    dropped += serviceBatch;
                    nextDrop += serviceEvery.toMillis();
                }
                if (now >= nextSample) {
                    nextSample += sampleEvery.toMillis();
                    Outbox out = Outbox.read(dir);
                    long size = size(ledgerFile);
                    samples.add(new long[] {now - started, size});
                    System.out.printf(Locale.ROOT, "  %4.0f s: %,7d dropped, %,7d final; file %s%n", (now - started) / 1000.0, dropped,
                            out.total(), mb(size));
                }
                Thread.sleep(Math.max(1, Math.min(nextDrop, nextSample) - System.currentTimeMillis()));
            }
            Outbox out = Outbox.read(dir);
            long half = samples.stream().filter(s -> s[0] >= serviceLength.toMillis() / 2).mapToLong(s -> s[1]).max().orElse(0);
            long firstHalf = samples.stream().filter(s -> s[0] < serviceLength.toMillis() / 2).mapToLong(s -> s[1]).max().orElse(0);
            System.out.printf(Locale.ROOT, "  after %d min: %,d dropped, %,d final (%.0f actions/s); largest file in the first half %s, "
                            + "in the second half %s%n", serviceLength.toMinutes(), dropped, out.total(),
                    out.total() / (double) serviceLength.toSeconds(), mb(firstHalf), mb(half));
            long running = size(ledgerFile);
            bridge.close();
            keepLog(bridge, "service");
            System.out.printf(Locale.ROOT, "  file at the end, bridge running %s; after a graceful stop %s%n", mb(running), mb(size(ledgerFile)));
            contents(dir, -1);
            keepLedger(ledgerFile, "service");
        } finally {
            EngineBench.deleteTree(dir);
        }
    }

    // ================================================================ what the ledger holds

    /**
     * Opens the stopped bridge's ledger read-only and prints its rows and disk space per table (with its indexes, and its rows alone), and
     * the share of the file H2 counts as used.
     *
     * @param finished finished commands of the run (bytes per command), or -1: the commands found
     */
    private static void contents(Path dir, long finished) throws SQLException {
        String url = "jdbc:h2:file:" + dir.resolve("ledger").toAbsolutePath() + ";ACCESS_MODE_DATA=r";
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC' "
                    + "AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            long commands = count(st, "BRIDGE_COMMAND");
            long per = finished > 0 ? finished : Math.max(1, commands);
            long total = 0;
            long rowsOnly = 0;
            StringBuilder lines = new StringBuilder();
            for (String t : tables) {
                long rows = count(st, t);
                long rowBytes;
                long allBytes;
                // DB_OBJECT_SIZE: the rows alone (DISK_SPACE_USED, the same); DB_OBJECT_TOTAL_SIZE: with every index
                try (ResultSet rs = st.executeQuery("SELECT DB_OBJECT_SIZE('TABLE', 'PUBLIC', '" + t + "'), "
                        + "DB_OBJECT_TOTAL_SIZE('TABLE', 'PUBLIC', '" + t + "')")) {
                    rs.next();
                    rowBytes = rs.getLong(1);
                    allBytes = rs.getLong(2);
                }
                total += allBytes;
                rowsOnly += rowBytes;
                if (allBytes > 0 && rows > 0) {
                    lines.append(String.format(Locale.ROOT, "      %-26s %,9d rows %,12d bytes (%,6.0f per command; the rows alone %,6.0f)%n",
                            t.toLowerCase(Locale.ROOT), rows, allBytes, allBytes / (double) per, rowBytes / (double) per));
                }
            }
            FileStore<?> store = ((SessionLocal) c.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore().getMvStore()
                    .getFileStore();
            System.out.printf(Locale.ROOT, "  what the ledger holds (opened read-only): %,d commands; tables with their indexes "
                            + "%,d bytes (%,.0f per command; the rows alone %,.0f); H2: %d %% of the file in chunks, %d %% of the chunks live%n",
                    commands, total, total / (double) per, rowsOnly / (double) per, store.getFillRate(), store.getChunksFillRate());
            System.out.print(lines);
        }
    }

    private static long count(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM PUBLIC.\"" + table + "\"")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ================================================================ the bridge, its inbox and outbox

    private Map<String, String> settings(Path dir) {
        Map<String, String> s = BridgeProcess.settings(dir, "", Duration.ofMillis(200), Duration.ofSeconds(1));
        s.remove("bridge.access.base-url");
        s.put("bridge.simulator.enabled", "true");
        s.put("bridge.simulator.access.processing-delay", processingMs + "ms");
        s.put("bridge.progress.interval", "30s");
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bridge."))
                .forEach(k -> s.put(k, System.getProperty(k)));
        return s;
    }

    /** Drops a batch file of {@code count} actions into the inbox, renamed into place. */
    private static void drop(Path dir, String name, int from, int count) throws IOException {
        List<BenchActions.Action> batch = BenchActions.make("d" + from, count);   // devices d<from>-000000 ...
        Path staged = dir.resolve(name + ".json.part");
        Files.writeString(staged, BenchActions.batchDocument(name, batch));
        Files.move(staged, dir.resolve("inbox/" + name + ".json"), StandardCopyOption.ATOMIC_MOVE);
    }

    /** The summaries in the outbox: how many, and their actions by outcome. */
    private record Outbox(int summaries, long total, long succeeded, long other) {
        static Outbox read(Path dir) throws IOException {
            Path outbox = dir.resolve("outbox");
            if (!Files.isDirectory(outbox)) {
                return new Outbox(0, 0, 0, 0);
            }
            int n = 0;
            long total = 0;
            long succeeded = 0;
            try (DirectoryStream<Path> files = Files.newDirectoryStream(outbox, "*.summary.json")) {
                for (Path f : files) {
                    try {
                        JsonNode s = BenchActions.JSON.readTree(f.toFile());
                        n++;
                        total += s.path("total").asLong();
                        succeeded += s.path("succeeded").asLong();
                    } catch (IOException e) {
                        // being written: the next look reads it
                    }
                }
            }
            return new Outbox(n, total, succeeded, total - succeeded);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%,d batches, %,d actions (%,d succeeded, %,d not)", summaries, total, succeeded, other);
        }
    }

    private static String shown(Map<String, String> s) {
        return s.entrySet().stream().filter(e -> e.getKey().matches("bridge\\.(db|ledger|simulator)\\..*"))
                .map(e -> e.getKey().equals("bridge.db.url") ? "H2 URL settings: " + e.getValue().replaceFirst("^[^;]*", "")
                        : e.getKey() + "=" + e.getValue()).reduce((a, b) -> a + " " + b).orElse("");
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

    /** With {@code -Dbench.keep-ledger=true}, a copy of the stopped ledger's file beside the logs, for H2's tools. */
    private void keepLedger(Path ledgerFile, String name) throws IOException {
        if (Boolean.getBoolean("bench.keep-ledger")) {
            Path kept = logs.resolve(name + ".mv.db");
            Files.copy(ledgerFile, kept, StandardCopyOption.REPLACE_EXISTING);
            System.out.printf(Locale.ROOT, "  the ledger's file kept: %s%n", workDir.relativize(kept));
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%,.1f MB", bytes / 1e6);
    }
}
