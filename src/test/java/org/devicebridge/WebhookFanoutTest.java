package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.devicebridge.fanout.DeliveryRecord;
import org.devicebridge.fanout.SubscriberFanout;
import org.devicebridge.fanout.SubscriberLedger;
import org.devicebridge.ledger.CommandRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Webhooks out: every state change of a batch reaches each subscriber signed, in order, with
 * stable event ids, then the request's summary; a failing or absent subscriber gets everything
 * later and never slows the batch. The subscribers are real HTTP servers on loopback.
 */
class WebhookFanoutTest extends AccessFlowTestSupport {

    private static final String SECRET = "whsec_out_7e6d5c4b3a29f1";
    private static final String OTHER_SECRET = "whsec_out_0a9b8c7d6e5f42";

    private final List<Receiver> receivers = new ArrayList<>();

    @AfterEach
    void stopReceivers() {
        receivers.forEach(Receiver::close);
        receivers.clear();
    }

    @Test
    void sendsEveryStateChangeSignedInOrderWithStableEventIds() {
        Receiver audit = receiver(TestBridge.freePort(), 0);
        startBridge(s -> s, subscribers(Map.of("audit", audit.url())));
        bridge.drop("fan.json", Batches.document("fan-1", Batches.credentials("a1", "door-1"), Batches.credentials("a2", "door-2")));

        List<CommandRecord> commands = awaitFinal("fan-1", 2);
        List<JsonNode> events = awaitSummary(audit, "fan-1");

        assertThat(audit.calls).allSatisfy(call -> assertThat(call.signature()).isEqualTo(hmac(SECRET, call.body())));
        assertThat(eventIds(events)).containsExactlyElementsOf(expectedEventIds("fan-1"));
        for (CommandRecord c : commands) {
            assertThat(events).filteredOn(e -> e.path("data").path("command_id").asText().equals(c.id()))
                    .extracting(e -> e.path("data").path("state").asText())
                    .containsExactlyElementsOf(path(bridge, c.id()).stream().map(s -> s.label()).toList());
        }
        JsonNode summary = events.get(events.size() - 1);
        assertThat(summary.path("event_type").asText()).isEqualTo("REQUEST_SUMMARY");
        assertThat(summary.path("event_id").asText()).isEqualTo("summary-fan-1");
        assertThat(summary.path("data").path("succeeded").asInt()).isEqualTo(2);
        assertThat(events.get(0).path("event_type").asText()).isEqualTo("COMMAND_STATUS_UPDATED");
        assertThat(events.get(0).path("occurred_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
    }

    @Test
    void retriesAFailingSubscriberUntilItTakesEveryEventInOrder() {
        Receiver flaky = receiver(TestBridge.freePort(), 3);
        startBridge(s -> s, subscribers(Map.of("flaky", flaky.url())));
        bridge.drop("flaky.json", Batches.document("flaky-1", Batches.credentials("a1", "door-1"), Batches.credentials("a2", "door-2")));

        awaitFinal("flaky-1", 2);
        List<JsonNode> events = awaitSummary(flaky, "flaky-1");

        assertThat(eventIds(events)).containsExactlyElementsOf(expectedEventIds("flaky-1"));
        String first = eventIds(events).get(0);
        assertThat(flaky.calls.subList(0, 4)).extracting(call -> call.json().path("event_id").asText()).containsOnly(first);
        assertThat(flaky.calls.subList(0, 4)).extracting(Call::answer).containsExactly(500, 500, 500, 204);
        DeliveryRecord log = deliveryLog("flaky").get(first);
        assertThat(log.attempts()).isEqualTo(4);
        assertThat(log.httpStatus()).isEqualTo(204);
        assertThat(log.lastError()).isEqualTo("HTTP 500");
        assertThat(log.delivered()).isTrue();
        // the log keeps the events that failed at least once; those taken at the first attempt have no row
        assertThat(deliveryLog("flaky")).containsOnlyKeys(first);
        assertThat(new JdbcTemplate(dataSource()).queryForObject("SELECT attempts FROM bridge_webhook_delivery "
                + "WHERE subscriber = 'flaky' AND event_id = ?", Integer.class, first)).isEqualTo(4);
        SubscriberLedger webhooks = new SubscriberLedger(dataSource());
        assertThat(webhooks.recentFailures("flaky", Instant.now().minus(Duration.ofHours(1)))).isEqualTo(1);
        assertThat(webhooks.recentFailures("flaky", Instant.now().plusSeconds(1))).isZero();
    }

    @Test
    void aSubscriberThatIsDownNeitherSlowsTheBatchNorMissesAnEvent() {
        int port = TestBridge.freePort(); // nothing listens there yet
        startBridge(s -> s, subscribers(Map.of("late", "http://127.0.0.1:" + port + "/events")));
        bridge.drop("down.json", Batches.document("down-1", Batches.credentials("a1", "door-1"), Batches.credentials("a2", "door-2"),
                Batches.credentials("a3", "door-3")));

        // the batch ends while the subscriber is still down and none of its events could be delivered (below): the engine
        // never waits for a delivery (no timed bound here: speed is the benchmarks' business)
        awaitFinal("down-1", 3, Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> !deliveryLog("late").isEmpty());
        assertThat(deliveryLog("late").values()).allSatisfy(d -> {
            assertThat(d.delivered()).isFalse();
            assertThat(d.lastError()).startsWith("I/O error");
        });

        Receiver late = receiver(port, 0);
        List<JsonNode> events = awaitSummary(late, "down-1");
        assertThat(eventIds(events)).containsExactlyElementsOf(expectedEventIds("down-1"));
        // only the event it was down for failed; it is delivered now, and the ones after it went at the first attempt
        assertThat(deliveryLog("late")).containsOnlyKeys(eventIds(events).get(0));
        assertThat(deliveryLog("late").values()).allSatisfy(d -> assertThat(d.delivered()).isTrue());
    }

    @Test
    void subscriberSecretsAppearInNoLogAndNoLedgerTable() throws Exception {
        Receiver flaky = receiver(TestBridge.freePort(), 2);
        Map<String, String> props = subscribers(Map.of("flaky", flaky.url(), "gone", "http://127.0.0.1:" + TestBridge.freePort() + "/x"));
        props.put("bridge.webhooks.gone.secret", OTHER_SECRET);
        startBridge(s -> s, props);
        bridge.drop("quiet.json", Batches.document("quiet-1", Batches.credentials("a1", "door-1")));
        awaitFinal("quiet-1", 1);
        awaitSummary(flaky, "quiet-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> !deliveryLog("gone").isEmpty());

        StringBuilder ledger = new StringBuilder(LeakSearch.ledgerText(bridge, "door-1"));
        JdbcTemplate jdbc = new JdbcTemplate(dataSource());
        for (String table : List.of("bridge_subscriber", "bridge_finished_request", "bridge_webhook_delivery")) {
            jdbc.queryForList("SELECT * FROM " + table).forEach(row -> ledger.append(row.values()).append('\n'));
        }
        assertThat(ledger).contains("flaky", "gone", "quiet-1", "transition-"); // the tables were read: cursors, a finished request, failed events
        for (String secret : List.of(SECRET, OTHER_SECRET)) {
            assertThat(ledger.toString()).doesNotContain(secret);
            assertThat(LeakSearch.testLog()).doesNotContain(secret);
            assertThat(flaky.calls).allSatisfy(call -> assertThat(new String(call.body(), StandardCharsets.UTF_8)).doesNotContain(secret));
        }
    }

    @Test
    void sendsEveryStateChangeInOrderWithTheLedgerOnPostgres() {
        PostgresAvailability.assumeAvailable();
        String schema = PostgresAvailability.freshSchema();
        try {
            Receiver audit = receiver(TestBridge.freePort(), 1);
            Map<String, String> props = subscribers(Map.of("audit", audit.url()));
            props.putAll(PostgresAvailability.ledgerIn(schema));
            startBridge(s -> s, props);
            bridge.drop("pg.json", Batches.document("pg-1", Batches.credentials("a1", "door-1"), Batches.credentials("a2", "door-2")));

            awaitFinal("pg-1", 2);
            List<JsonNode> events = awaitSummary(audit, "pg-1");

            assertThat(eventIds(events)).containsExactlyElementsOf(expectedEventIds("pg-1"));
            assertThat(audit.calls).allSatisfy(call -> assertThat(call.signature()).isEqualTo(hmac(SECRET, call.body())));
            assertThat(deliveryLog("audit").get(eventIds(events).get(0)).attempts()).isEqualTo(2);
        } finally {
            stopAll(); // the bridge lets go of the schema first
            PostgresAvailability.dropSchema(schema);
        }
    }

    @Test
    void refusesAPlainHttpSubscriberOffLoopback() {
        Map<String, String> props = subscribers(Map.of("remote", "http://hooks.example.com/events"));
        TestBridge remote = TestBridge.in(dir.resolve("remote"), "http://127.0.0.1:1/access", props);

        assertThatThrownBy(remote::start).hasStackTraceContaining("bridge.webhooks.remote.url must be an https:// URL");
        remote.close();
    }

    // ---------------------------------------------------------------- helpers

    /** Properties for subscribers by name and URL, all with {@link #SECRET}, and short ticks. */
    private static Map<String, String> subscribers(Map<String, String> urls) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("bridge.webhooks.subscribers", String.join(",", urls.keySet()));
        urls.forEach((name, url) -> {
            p.put("bridge.webhooks." + name + ".url", url);
            p.put("bridge.webhooks." + name + ".secret", SECRET);
        });
        p.put("bridge.webhooks.tick", "100");
        p.put("bridge.webhooks.batch-size", "20");
        return p;
    }

    /** Waits for the request's summary, then returns the events the receiver accepted, in arrival order. */
    private List<JsonNode> awaitSummary(Receiver receiver, String requestId) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> receiver.accepted().stream().anyMatch(e -> e.path("event_id").asText().equals("summary-" + requestId)));
        return receiver.accepted();
    }

    /** The request's state changes as the ledger holds them, as event ids, then its summary. */
    private List<String> expectedEventIds(String requestId) {
        List<String> ids = new ArrayList<>(new JdbcTemplate(dataSource()).queryForList("SELECT t.id FROM bridge_transition t "
                + "JOIN bridge_command c ON c.list_no = t.command_no WHERE c.request_id = ? AND c.internal = FALSE ORDER BY t.id",
                Long.class, requestId).stream().map(id -> "transition-" + id).toList());
        ids.add("summary-" + requestId);
        return ids;
    }

    private static List<String> eventIds(List<JsonNode> events) {
        return events.stream().map(e -> e.path("event_id").asText()).toList();
    }

    private Map<String, DeliveryRecord> deliveryLog(String subscriber) {
        SubscriberFanout fanout = bridge.context().getRegistry().lookupByNameAndType("subscriberFanout", SubscriberFanout.class);
        Map<String, DeliveryRecord> byEvent = new LinkedHashMap<>();
        fanout.deliveries(subscriber, 1000).forEach(d -> byEvent.put(d.eventId(), d));
        return byEvent;
    }

    private DataSource dataSource() {
        return bridge.context().getRegistry().lookupByNameAndType("ledgerDataSource", DataSource.class);
    }

    private static String hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Receiver receiver(int port, int failFirst) {
        Receiver r = new Receiver(port, failFirst);
        receivers.add(r);
        return r;
    }

    /** One POST as the subscriber saw it, and what it answered. */
    record Call(String signature, byte[] body, JsonNode json, int answer) {
    }

    /** A webhook subscriber on loopback: answers 500 to its first {@code failFirst} calls, 204 after. */
    static final class Receiver implements AutoCloseable {

        final List<Call> calls = new CopyOnWriteArrayList<>();
        private final HttpServer server;
        private final AtomicInteger failuresLeft;

        Receiver(int port, int failFirst) {
            failuresLeft = new AtomicInteger(failFirst);
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", exchange -> {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                int answer = failuresLeft.getAndDecrement() > 0 ? 500 : 204;
                calls.add(new Call(exchange.getRequestHeaders().getFirst("X-Signature"), body,
                        TestBridge.json(new String(body, StandardCharsets.UTF_8)), answer));
                exchange.sendResponseHeaders(answer, -1);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/events";
        }

        List<JsonNode> accepted() {
            return calls.stream().filter(c -> c.answer() < 300).map(Call::json).toList();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
