package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.devicebridge.ledger.CallLog;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.ledger.WorkQueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The real bridge for a test: the same Camel Main assembly as the command line
 * ({@link BridgeApp}), routes from {@code routes/}, on its own folders, ledger database and HTTP
 * port. It talks to a cloud over real HTTP (the test starts the simulator, or another server).
 * <p>
 * What a test does not need stays off unless it asks: the ledger is an in-memory H2 database
 * ({@link #ledgerFile} for one that outlives a restart), and the queues are off, so there is no
 * broker ({@link #WITH_BROKER} for the embedded one).
 */
public final class TestBridge implements AutoCloseable {

    public static final String API_KEY = "ak_test_4f1c2e9a7b6d5c3e";
    public static final String WEBHOOK_SECRET = "whsec_test_9d8c7b6a5f4e";

    /** The queues on ({@code bridge.jms.enabled}), on the embedded broker unless the test names another. */
    public static final Map<String, String> WITH_BROKER = Map.of("bridge.jms.enabled", "true");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path dir;
    private final Map<String, String> properties;
    private Main main;

    private TestBridge(Path dir, Map<String, String> properties) {
        this.dir = dir;
        this.properties = properties;
    }

    /** A bridge in {@code dir} with test defaults (fast ticks, in-memory ledger, no queues); {@code extra} wins. */
    public static TestBridge in(Path dir, String accessBaseUrl, Map<String, String> extra) {
        Map<String, String> p = new HashMap<>();
        p.put("bridge.simulator.enabled", "false");
        p.put("bridge.access.base-url", accessBaseUrl);
        p.put("bridge.access.api-key", API_KEY);
        p.put("bridge.access.webhook-secret", WEBHOOK_SECRET);
        p.put("bridge.http.host", "127.0.0.1");
        p.put("bridge.http.port", String.valueOf(freePort()));
        p.put("bridge.management.port", String.valueOf(freePort()));
        p.put("bridge.db.url", "jdbc:h2:mem:ledger-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        p.put("bridge.inbox.dir", dir.resolve("inbox").toString());
        p.put("bridge.archive.dir", dir.resolve("archive").toString());
        p.put("bridge.deadletter.dir", dir.resolve("deadletter").toString());
        p.put("bridge.outbox.dir", dir.resolve("outbox").toString());
        p.put("bridge.examples.seed", "false");
        p.put("bridge.inbox.min-age", "100");
        p.put("bridge.inbox.poll-delay", "100");
        p.put("bridge.access.tick", "100");
        // tests watch single actions go through every state, with short simulated processing: the
        // dispatcher never backs off while idle here (bench/engine.sh idle runs the default)
        p.put("bridge.access.idle-after", String.valueOf(Integer.MAX_VALUE));
        p.put("bridge.deadline.check-interval", "200");
        p.put("bridge.results.check-interval", "200");
        p.put("bridge.retry.initial-delay", "100ms");
        p.put("bridge.retry.max-delay", "1s");
        p.put("bridge.poll.initial-interval", "200ms");
        p.put("bridge.poll.max-interval", "1s");
        // readiness and health answer the background probe's last result: probed often, a change shows soon
        p.put("bridge.health.refresh-interval", "500ms");
        // the embedded broker: its own journal, reached in-VM only (no port to collide on)
        p.put("bridge.jms.data-dir", dir.resolve("broker").toString());
        p.put("bridge.jms.embedded-port", "");
        p.put("bridge.jms.events-tick", "100");
        p.put("bridge.jms.enabled", "false");
        p.putAll(extra);
        return new TestBridge(dir, p);
    }

    /** The ledger in an H2 file under {@code dir}, as the command line has it: for tests that restart the bridge on it. */
    public static Map<String, String> ledgerFile(Path dir) {
        return Map.of("bridge.db.url", "jdbc:h2:file:" + dir.resolve("ledger").toAbsolutePath());
    }

    /**
     * The command line of a one-shot run ({@code BridgeMain.run}) on the built-in simulator, in
     * {@code dir} with test defaults (fast ticks, free ports, an H2 file there, no queues unless
     * {@code extra} turns them on); {@code extra} last, so it wins.
     */
    public static String[] onceCommandLine(Path dir, String... extra) {
        List<String> a = new ArrayList<>(List.of("--once",
                "-Dbridge.http.host=127.0.0.1",
                "-Dbridge.http.port=" + freePort(),
                "-Dbridge.management.port=" + freePort(),
                "-Dbridge.db.url=jdbc:h2:file:" + dir.resolve("ledger").toAbsolutePath(),
                "-Dbridge.inbox.dir=" + dir.resolve("inbox"),
                "-Dbridge.outbox.dir=" + dir.resolve("outbox"),
                "-Dbridge.archive.dir=" + dir.resolve("archive"),
                "-Dbridge.deadletter.dir=" + dir.resolve("deadletter"),
                "-Dbridge.jms.enabled=false",
                "-Dbridge.jms.data-dir=" + dir.resolve("broker"),
                "-Dbridge.jms.embedded-port=" + freePort(),
                "-Dbridge.examples.seed=false",
                "-Dbridge.simulator.access.processing-delay=200ms",
                "-Dbridge.inbox.min-age=100",
                "-Dbridge.inbox.poll-delay=100",
                "-Dbridge.access.tick=100",
                "-Dbridge.results.check-interval=200",
                "-Dcamel.main.auto-configuration-log-summary=false"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    public TestBridge start() {
        main = BridgeApp.create(null, properties);
        try {
            main.start();
        } catch (Exception e) {
            throw new IllegalStateException("bridge did not start", e);
        }
        return this;
    }

    /** Stops the bridge (its ledger stays on disk); {@link #start()} brings it back on the same database. */
    public void stop() {
        if (main != null) {
            main.stop();
            main = null;
        }
    }

    /** Stops the bridge for good: an in-memory ledger goes with it. */
    @Override
    public void close() {
        stop();
        String url = properties.get("bridge.db.url");
        if (url.startsWith("jdbc:h2:mem:")) {
            try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            } catch (SQLException e) {
                throw new IllegalStateException("could not drop the in-memory ledger", e);
            }
        }
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public Ledger ledger() {
        return context().getRegistry().lookupByNameAndType("ledger", Ledger.class);
    }

    public WorkQueue workQueue() {
        return context().getRegistry().lookupByNameAndType("workQueue", WorkQueue.class);
    }

    public CommandStore commandStore() {
        return context().getRegistry().lookupByNameAndType("commandStore", CommandStore.class);
    }

    public CallLog callLog() {
        return context().getRegistry().lookupByNameAndType("callLog", CallLog.class);
    }

    public LedgerReads reads() {
        return context().getRegistry().lookupByNameAndType("ledgerReads", LedgerReads.class);
    }

    public String property(String key) {
        return properties.get(key);
    }

    public String webhookUrl() {
        return "http://127.0.0.1:" + properties.get("bridge.http.port") + "/webhooks/access";
    }

    public Path inbox() {
        return dir.resolve("inbox");
    }

    public Path outbox() {
        return dir.resolve("outbox");
    }

    public Path archive() {
        return dir.resolve("archive");
    }

    public Path deadletter() {
        return dir.resolve("deadletter");
    }

    /** Drops a batch the way a careful producer does: written elsewhere, then moved in. */
    public void drop(String name, String content) {
        try {
            Files.createDirectories(inbox());
            Path tmp = Files.createTempFile(dir, "drop", ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, inbox().resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The request's commands in batch order. */
    public List<CommandRecord> commands(String requestId) {
        List<CommandRecord> out = new ArrayList<>();
        reads().forEachCommand(requestId, out::add);
        return out;
    }

    public List<JsonNode> jsonLines(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(l -> !l.isBlank()).map(TestBridge::json).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
