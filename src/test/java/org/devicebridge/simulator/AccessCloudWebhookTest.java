package org.devicebridge.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.access.AccessCloudSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Webhook delivery: content, signature, duplicates, reordering and failing receivers. */
class AccessCloudWebhookTest {

    private static final String API_KEY = "ak_webhooks";
    private static final String SECRET = "whsec_shared";

    /** One received delivery: the exact body bytes and the signature header. */
    record Delivery(byte[] body, String signature) {
        JsonNode json() {
            try {
                return TestHttp.JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final AtomicInteger receiverStatus = new AtomicInteger(204);
    /** Deliveries that offered to switch the connection to HTTP/2 (an "Upgrade: h2c" header). */
    private final AtomicInteger upgradeOffers = new AtomicInteger();
    private final TestHttp http = new TestHttp(API_KEY);
    private HttpServer receiver;
    private SimulatorServer server;
    private AccessCloudSimulator access;

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        receiver.createContext("/hooks/access", exchange -> {
            if (exchange.getRequestHeaders().containsKey("Upgrade")) {
                upgradeOffers.incrementAndGet();
            }
            try (InputStream in = exchange.getRequestBody()) {
                deliveries.add(new Delivery(in.readAllBytes(), exchange.getRequestHeaders().getFirst("X-Signature")));
            }
            exchange.sendResponseHeaders(receiverStatus.get(), -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        receiver.stop(0);
    }

    private void startSimulator(UnaryOperator<AccessCloudSettings.Builder> extra) {
        server = SimulatorServer.start(0);
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/access";
        access = server.addAccessCloud(extra.apply(AccessCloudSettings.builder(API_KEY)
                .processingDelay(Duration.ofMillis(50))
                .webhook(url, SECRET)).build());
    }

    private String runActionToTheEnd(String payload) {
        JsonNode created = http.createAction(access.baseUrl(), "door-1");
        http.upload(created.path("upload_url").asText(), payload);
        return created.path("id").asText();
    }

    @Test
    void signsWebhookWithHmacSha256() throws Exception {
        startSimulator(b -> b);

        String actionId = runActionToTheEnd(TestHttp.validPayload());

        await().atMost(Duration.ofSeconds(5)).until(() -> deliveries.size() == 2);
        // plain HTTP/1.1, as a cloud's webhooks come: an HTTP/2 receiver (the bridge's) failed a burst of events beyond
        // its concurrent streams when the simulator's client upgraded the connection ("too many concurrent streams")
        assertThat(upgradeOffers).as("deliveries offering an upgrade to HTTP/2").hasValue(0);
        for (Delivery delivery : deliveries) {
            assertThat(delivery.signature()).isEqualTo("sha256=" + hmacSha256Hex(delivery.body(), SECRET));
        }
        assertThat(deliveries).extracting(d -> d.json().path("data").path("status").asText())
                .containsExactlyInAnyOrder("PENDING", "RESOLVED");
        JsonNode event = deliveries.get(0).json();
        assertThat(event.path("event_id").asText()).isNotEmpty();
        assertThat(event.path("event_type").asText()).isEqualTo("DEVICE_ACTION_UPDATED");
        assertThat(Instant.parse(event.path("occurred_at").asText())).isNotNull();
        assertThat(event.path("data").path("id").asText()).isEqualTo(actionId);
        assertThat(event.path("data").path("object").asText()).isEqualTo("device-action");
        assertThat(new String(deliveries.get(0).body(), StandardCharsets.UTF_8)).doesNotContain(API_KEY, SECRET);
    }

    @Test
    void rejectedEventCarriesTheReason() {
        startSimulator(b -> b);

        runActionToTheEnd("{\"credentials\":[]}");

        await().atMost(Duration.ofSeconds(5)).until(() -> deliveries.stream()
                .anyMatch(d -> d.json().path("data").path("status").asText().equals("REJECTED")));
        JsonNode rejected = deliveries.stream().map(Delivery::json)
                .filter(e -> e.path("data").path("status").asText().equals("REJECTED")).findFirst().orElseThrow();
        assertThat(rejected.path("data").path("reason").asText()).contains("schedules");
    }

    @Test
    void duplicateShareOfOneDeliversEveryEventTwiceWithTheSameEventId() {
        startSimulator(b -> b.webhookDuplicateShare(1.0));

        runActionToTheEnd(TestHttp.validPayload());

        await().atMost(Duration.ofSeconds(5)).until(() -> deliveries.size() == 4);
        Map<String, List<Delivery>> byEvent = deliveries.stream()
                .collect(Collectors.groupingBy(d -> d.json().path("event_id").asText()));
        assertThat(byEvent).hasSize(2);
        byEvent.values().forEach(copies -> {
            assertThat(copies).hasSize(2);
            assertThat(copies.get(0).body()).isEqualTo(copies.get(1).body());
            assertThat(copies.get(0).signature()).isEqualTo(copies.get(1).signature());
        });
    }

    @Test
    void reorderedDeliveryStillDeliversEveryEventOnce() {
        startSimulator(b -> b.webhookReorder(true).processingDelay(Duration.ZERO));

        runActionToTheEnd(TestHttp.validPayload());

        await().atMost(Duration.ofSeconds(5)).until(() -> deliveries.size() == 2);
        assertThat(deliveries).extracting(d -> d.json().path("data").path("status").asText())
                .containsExactlyInAnyOrder("PENDING", "RESOLVED");
    }

    @Test
    void failingReceiverNeitherBlocksNorChangesTheAction() {
        receiverStatus.set(500);
        startSimulator(b -> b);

        String actionId = runActionToTheEnd(TestHttp.validPayload());

        await().atMost(Duration.ofSeconds(5)).until(() -> access.webhookDeliveries() == 2 && deliveries.size() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                access.action(actionId).path("status").asText().equals("RESOLVED"));
        assertThat(access.webhookDeliveriesAcknowledged()).isZero();
    }

    @Test
    void sendsNoWebhookWithoutUrl() {
        server = SimulatorServer.start(0);
        access = server.addAccessCloud(AccessCloudSettings.builder(API_KEY)
                .processingDelay(Duration.ofMillis(10)).build());

        String actionId = runActionToTheEnd(TestHttp.validPayload());

        await().atMost(Duration.ofSeconds(5)).until(() ->
                access.action(actionId).path("status").asText().equals("RESOLVED"));
        assertThat(access.webhookDeliveries()).isZero();
    }

    private static String hmacSha256Hex(byte[] body, String secret) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
