package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import org.devicebridge.ledger.CallRecord;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.Transition;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.devicebridge.ledger.CommandState.ACKNOWLEDGED;
import static org.devicebridge.ledger.CommandState.IN_PROGRESS;
import static org.devicebridge.ledger.CommandState.SUCCESS;

/**
 * The access cloud's DEVICE_ACTION_UPDATED webhooks, received by the real bridge over HTTP:
 * signed events move actions on at once; unsigned, repeated, late or unknown ones change nothing.
 * <p>
 * Polling is held off (first poll after 10 minutes) so that only webhooks can move an action
 * past {@code Command Acknowledged}. Tests that post their own events set the simulator
 * without its webhooks and with a long processing delay, so nothing else moves the action. The
 * tests share one bridge, each with an action of its own.
 */
class AccessWebhookReceiverTest extends AccessFlowTestSupport {

    /**
     * Only webhooks move an action on: no poll for 10 minutes, and a RESOLVED event ends the command
     * on the cloud's word (no read-back of the device: the events these tests post are about actions
     * the simulated device never applied; OneActionPerDeviceTest covers the read-back).
     */
    private static final Map<String, String> NO_POLL_FOR_10_MINUTES = Map.of(
            "bridge.poll.initial-interval", "10m",
            "bridge.poll.max-interval", "10m",
            "bridge.access.read-back", "false");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Path TEST_LOG = LeakSearch.TEST_LOG;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int actionsInFlight;

    @Override
    Map<String, String> sharedBridgeProperties() {
        return NO_POLL_FOR_10_MINUTES;
    }

    @Test
    void signedWebhookFinishesTheActionWithoutWaitingForTheNextPoll() {
        sharedBridge(s -> s.processingDelay(Duration.ofMillis(300)).webhookDuplicateShare(0));
        bridge.drop("hooked.json", Batches.document("hooked-1", Batches.credentials("a1", "hooked-door")));

        // well before the first poll, due 10 minutes after the upload
        CommandRecord done = awaitFinal("hooked-1", 1, Duration.ofSeconds(10)).get(0);

        assertThat(done.state()).isEqualTo(SUCCESS);
        assertThat(done.vendorStatus()).isEqualTo("RESOLVED");
        assertThat(bridge.callLog().calls(done.id())).extracting(CallRecord::operation)
                .containsExactly("create-action", "upload-payload");
    }

    @Test
    void refusesAnEventWithAWrongSignatureAndChangesNothing() throws Exception {
        CommandRecord inFlight = startWithOneActionAwaitingTheDevice();
        String body = event(UUID.randomUUID().toString(), inFlight, "RESOLVED", null);

        HttpResponse<String> answer = post(body, "X-Signature", signature(body, "whsec_someone_elses_secret"));

        assertThat(answer.statusCode()).isEqualTo(401);
        assertUnchanged(inFlight);
    }

    @Test
    void refusesAnEventWithoutSignature() throws Exception {
        CommandRecord inFlight = startWithOneActionAwaitingTheDevice();
        String body = event(UUID.randomUUID().toString(), inFlight, "RESOLVED", null);

        HttpResponse<String> answer = post(body);

        assertThat(answer.statusCode()).isEqualTo(401);
        assertUnchanged(inFlight);
    }

    @Test
    void appliesAnEventDeliveredTwiceOnlyOnce() throws Exception {
        CommandRecord inFlight = startWithOneActionAwaitingTheDevice();
        String body = event(UUID.randomUUID().toString(), inFlight, "PENDING", null);

        HttpResponse<String> first = postSigned(body);
        HttpResponse<String> second = postSigned(body);

        assertThat(first.statusCode()).isBetween(200, 299);
        assertThat(second.statusCode()).isBetween(200, 299);
        assertThat(bridge.commandStore().command(inFlight.id()).orElseThrow().state()).isEqualTo(IN_PROGRESS);
        assertThat(path(bridge, inFlight.id())).filteredOn(s -> s == IN_PROGRESS).hasSize(1);
    }

    @Test
    void appliesAnEventDeliveredSeveralTimesAtOnceOnlyOnceAndAcknowledgesEveryDelivery() throws Exception {
        CommandRecord inFlight = startWithOneActionAwaitingTheDevice();
        String body = event(UUID.randomUUID().toString(), inFlight, "PENDING", null);
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> deliveries = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                deliveries.add(senders.submit(() -> postSigned(body)));
            }
            for (Future<HttpResponse<String>> delivery : deliveries) {
                assertThat(delivery.get(20, TimeUnit.SECONDS).statusCode()).isBetween(200, 299);
            }
        } finally {
            senders.shutdownNow();
        }

        assertThat(bridge.commandStore().command(inFlight.id()).orElseThrow().state()).isEqualTo(IN_PROGRESS);
        assertThat(path(bridge, inFlight.id())).filteredOn(s -> s == IN_PROGRESS).hasSize(1);
    }

    @Test
    void anEventWhileAStepHoldsTheCommandChangesNothing() throws Exception {
        CommandRecord inFlight = startWithOneActionAwaitingTheDevice();
        JdbcTemplate jdbc = ledgerJdbc();
        // a step is out for the command (its upload or a poll on the wire): the test takes the lease as a claim would
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> jdbc.update(
                "UPDATE bridge_command SET lease_owner = 'a-step-in-flight', lease_until = ? WHERE id = ? "
                        + "AND (lease_until IS NULL OR lease_until < ?)",
                Instant.now().plusSeconds(300).atOffset(java.time.ZoneOffset.UTC), inFlight.id(),
                Instant.now().atOffset(java.time.ZoneOffset.UTC)) == 1);
        CommandState before = bridge.commandStore().command(inFlight.id()).orElseThrow().state();

        HttpResponse<String> answer = postSigned(event(UUID.randomUUID().toString(), inFlight, "REJECTED", "not applied"));

        assertThat(answer.statusCode()).as("acknowledged: later polls see the status").isBetween(200, 299);
        CommandRecord after = bridge.commandStore().command(inFlight.id()).orElseThrow();
        assertThat(after.state()).as("the step in flight records its own answer and moves the command on").isEqualTo(before);
        assertThat(jdbc.queryForObject("SELECT lease_owner FROM bridge_command WHERE id = ?", String.class, inFlight.id()))
                .as("the step keeps its lease").isEqualTo("a-step-in-flight");
        jdbc.update("UPDATE bridge_command SET lease_owner = NULL, lease_until = NULL WHERE id = ?", inFlight.id());
    }

    @Test
    void lateEventDoesNotMoveAFinishedCommandBackwards() throws Exception {
        CommandRecord inFlight = startWithOneActionAwaitingTheDevice();
        assertThat(postSigned(event(UUID.randomUUID().toString(), inFlight, "RESOLVED", null)).statusCode())
                .isBetween(200, 299);
        assertThat(bridge.commandStore().command(inFlight.id()).orElseThrow().state()).isEqualTo(SUCCESS);
        List<Transition> afterResolved = bridge.reads().transitions(inFlight.id());

        HttpResponse<String> late = postSigned(event(UUID.randomUUID().toString(), inFlight, "PENDING", null));

        assertThat(late.statusCode()).isBetween(200, 299);
        CommandRecord now = bridge.commandStore().command(inFlight.id()).orElseThrow();
        assertThat(now.state()).isEqualTo(SUCCESS);
        assertThat(now.state().label()).isEqualTo("Command Success");
        assertThat(now.vendorStatus()).isEqualTo("RESOLVED");
        assertThat(bridge.reads().transitions(inFlight.id())).isEqualTo(afterResolved);
    }

    @Test
    void acknowledgesAnEventForAnUnknownActionAndChangesNothing() throws Exception {
        CommandRecord inFlight = startWithOneActionAwaitingTheDevice();
        String body = event(UUID.randomUUID().toString(), "0123456789ABCDEF0123456789ABCDEF", inFlight.device(),
                "RESOLVED", null);

        HttpResponse<String> answer = postSigned(body);

        assertThat(answer.statusCode()).isBetween(200, 299);
        assertUnchanged(inFlight);
    }

    @Test
    void refusesEveryRequestWithoutAValidSignatureWith401WhateverItsContentTypeAndLogsNoError() throws Exception {
        CommandRecord inFlight = startWithOneActionAwaitingTheDevice();
        String event = event(UUID.randomUUID().toString(), inFlight, "RESOLVED", null);
        String boundary = "b0undary";
        String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"event\"\r\n\r\n" + event + "\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"e.json\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + event + "\r\n--" + boundary + "--\r\n";
        long logBefore = logLength();
        int eventIdsBefore = eventIdsTaken();
        List<String[]> requests = List.of(   // Content-Type, body (curl -d sends the first kind)
                new String[] {"application/x-www-form-urlencoded", "status=RESOLVED&data.id=" + inFlight.vendorRef()},
                new String[] {"application/x-www-form-urlencoded", event},        // a JSON event posted as a form: field names no header may carry
                new String[] {"application/x-www-form-urlencoded", ""},
                new String[] {"multipart/form-data; boundary=" + boundary, multipart},
                new String[] {"multipart/form-data; boundary=" + boundary, ""},
                new String[] {"text/plain", event},
                new String[] {"application/octet-stream", "\u0000\u0001\u00ff"},
                new String[] {null, ""},
                new String[] {"application/json", ""});

        for (String[] r : requests) {
            for (String[] signature : List.<String[]>of(new String[0], new String[] {"X-Signature", signature(event, "whsec_someone_elses")},
                    new String[] {"X-Signature", "sha256=zz"})) {
                HttpResponse<String> answer = postRaw(r[0], bytes(r[1]), signature);

                String what = r[0] + " " + r[1].length() + " bytes, " + List.of(signature);
                assertThat(answer.statusCode()).as(what).isEqualTo(401);
                assertThat(answer.headers().firstValue("Content-Type")).as(what).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
                JsonNode body = TestBridge.json(answer.body());
                assertThat(body.path("code").asInt()).as(what).isEqualTo(401);
                assertThat(body.path("message").asText()).as(what).contains("X-Signature");
                assertThat(body.path("request_id").asText()).as(what).isEqualTo(answer.headers().firstValue("X-Request-ID").orElseThrow());
                assertThat(answer.headers().map().keySet()).as("no request header or form field echoed: %s", what)
                        .doesNotContain("status", "data.id", "event", "user-agent", "x-signature");
            }
        }
        assertUnchanged(inFlight);
        assertThat(eventIdsTaken()).as("no event id taken").isEqualTo(eventIdsBefore);
        assertThat(logSince(logBefore)).doesNotContain(" ERROR ").doesNotContain("Exception").doesNotContain("\tat ")
                .contains("access webhook refused");
    }

    @Test
    void verifiesTheSignatureOverTheRawBytesAlsoOfAnEventPostedAsAForm() throws Exception {
        CommandRecord inFlight = startWithOneActionAwaitingTheDevice();
        String body = event(UUID.randomUUID().toString(), inFlight, "RESOLVED", null);

        HttpResponse<String> answer = postRaw("application/x-www-form-urlencoded", bytes(body), "X-Signature",
                signature(body, TestBridge.WEBHOOK_SECRET));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(204);
        assertThat(answer.headers().firstValue("X-Request-ID")).isPresent();
        assertThat(bridge.commandStore().command(inFlight.id()).orElseThrow().state()).isEqualTo(SUCCESS);
    }

    @Test
    void refusesABodyOfMoreThanOneMebibyteWith413AndChangesNothing() throws Exception {
        CommandRecord inFlight = startWithOneActionAwaitingTheDevice();
        byte[] huge = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(huge, (byte) 'x');

        HttpResponse<String> answer = postRaw("application/json", huge, "X-Signature", "sha256=" + "0".repeat(64));

        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(TestBridge.json(answer.body()).path("request_id").asText())
                .isEqualTo(answer.headers().firstValue("X-Request-ID").orElseThrow());
        assertUnchanged(inFlight);
    }

    @Test
    void answers503WithRetryAfterWhileTheLedgerIsUnreachableAndAppliesTheEventOnceItIsBack() throws Exception {
        // the ledger on an H2 server of the test's own, which the test stops and starts again
        int dbPort = TestBridge.freePort();
        Server database = ledgerServer(dbPort);
        try {
            Map<String, String> properties = new HashMap<>(NO_POLL_FOR_10_MINUTES);
            properties.put("bridge.db.url", "jdbc:h2:tcp://127.0.0.1:" + dbPort + "/./ledger");
            properties.put("bridge.db.connection-timeout", "1s");
            CommandRecord inFlight = startWithOneActionAwaitingTheDevice(properties);
            String body = event(UUID.randomUUID().toString(), inFlight, "RESOLVED", null);
            long logBefore = logLength();

            database.stop();
            HttpResponse<String> whileDown = postSigned(body);

            assertThat(whileDown.statusCode()).as(whileDown.body()).isEqualTo(503);
            assertThat(whileDown.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
            assertThat(whileDown.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            JsonNode error = TestBridge.json(whileDown.body());
            assertThat(error.path("code").asInt()).isEqualTo(503);
            assertThat(error.path("message").asText()).contains("ledger").contains("retry later").doesNotContain("Exception");
            assertThat(error.path("request_id").asText()).isEqualTo(whileDown.headers().firstValue("X-Request-ID").orElseThrow());
            assertThat(whileDown.body()).doesNotContain("\tat ").doesNotContain("jdbc");
            assertThat(logSince(logBefore)).contains("the ledger is unreachable").contains("/webhooks/access -> 503");

            database = ledgerServer(dbPort);
            // the pool lets go of the connections the outage broke: on PostgreSQL their SQLSTATE 08xxx makes it do so
            // itself; H2's stopped server reports 90121, which HikariCP does not take for a broken connection
            bridge.context().getRegistry().lookupByNameAndType("ledgerDataSource", HikariDataSource.class)
                    .getHikariPoolMXBean().softEvictConnections();
            // the cloud delivers again, as it does after a 503, until the bridge takes the event
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> postSigned(body).statusCode(), s -> s == 204);
            assertThat(bridge.commandStore().command(inFlight.id()).orElseThrow().state()).isEqualTo(SUCCESS);
        } finally {
            if (bridge != null) {
                bridge.close();
                bridge = null;
            }
            database.stop();
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Sets the simulator without webhooks and with devices that take 10 minutes, drops one action
     * (the test's own: request and device) and waits until its payload is uploaded.
     */
    private CommandRecord startWithOneActionAwaitingTheDevice() {
        sharedBridge(s -> s.webhook(null, null).processingDelay(Duration.ofMinutes(10)));
        return dropOneActionAwaitingTheDevice();
    }

    /** The same on a bridge of the test's own, with {@code bridgeProperties}. */
    private CommandRecord startWithOneActionAwaitingTheDevice(Map<String, String> bridgeProperties) {
        startBridge(s -> s.webhook(null, null).processingDelay(Duration.ofMinutes(10)), bridgeProperties);
        return dropOneActionAwaitingTheDevice();
    }

    private CommandRecord dropOneActionAwaitingTheDevice() {
        String request = "in-flight-" + (++actionsInFlight);
        bridge.drop(request + ".json", Batches.document(request, Batches.credentials("a1", "door-" + request)));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            List<CommandRecord> cs = bridge.commands(request);
            return cs.size() == 1 && cs.get(0).state() == ACKNOWLEDGED;
        });
        CommandRecord c = bridge.commands(request).get(0);
        assertThat(c.vendorRef()).isNotBlank();
        assertThat(cloud.action(c.vendorRef()).path("status").asText()).isEqualTo("PENDING");
        return c;
    }

    /** An H2 TCP server for the ledger, its files in the test's folder. */
    private Server ledgerServer(int port) throws java.sql.SQLException {
        return Server.createTcpServer("-tcpPort", String.valueOf(port), "-ifNotExists", "-baseDir", dir.toString()).start();
    }

    private void assertUnchanged(CommandRecord before) {
        CommandRecord now = bridge.commandStore().command(before.id()).orElseThrow();
        assertThat(now.state()).isEqualTo(before.state());
        assertThat(now.vendorStatus()).isEqualTo(before.vendorStatus());
        assertThat(now.finishedAt()).isNull();
        assertThat(path(bridge, before.id())).last().isEqualTo(before.state());
        assertThat(bridge.reads().transitions(before.id())).extracting(Transition::to)
                .doesNotContain(CommandState.SUCCESS, CommandState.FAILURE);
    }

    private static String event(String eventId, CommandRecord c, String status, String reason) {
        return event(eventId, c.vendorRef(), c.device(), status, reason);
    }

    /** A DEVICE_ACTION_UPDATED event as docs/cloud-contracts.md section 2 describes it. */
    private static String event(String eventId, String actionId, String device, String status, String reason) {
        ObjectNode e = MAPPER.createObjectNode()
                .put("event_id", eventId)
                .put("event_type", "DEVICE_ACTION_UPDATED")
                .put("occurred_at", Instant.now().toString());
        ObjectNode data = e.putObject("data")
                .put("object", "device-action")
                .put("id", actionId)
                .put("device_id", device)
                .put("type", "UPDATE_CREDENTIALS_AND_SCHEDULES")
                .put("status", status);
        if (reason != null) {
            data.put("reason", reason);
        }
        return e.toString();
    }

    private HttpResponse<String> postSigned(String body) throws IOException, InterruptedException {
        return post(body, "X-Signature", signature(body, TestBridge.WEBHOOK_SECRET));
    }

    /** {@code sha256=<hex HMAC-SHA256 of the raw body>}, computed here, independently of the bridge's code. */
    private static String signature(String body, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(bytes(body)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> post(String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(bridge.webhookUrl()))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(body)));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A POST of exactly these bytes, with this Content-Type (none when null). */
    private HttpResponse<String> postRaw(String contentType, byte[] body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(bridge.webhookUrl()))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The webhook event ids the bridge has taken (and will not apply again). */
    private int eventIdsTaken() {
        return ledgerJdbc().queryForObject("SELECT COUNT(*) FROM CAMEL_MESSAGEPROCESSED", Integer.class);
    }

    private JdbcTemplate ledgerJdbc() {
        return new JdbcTemplate(bridge.context().getRegistry().lookupByNameAndType("ledgerDataSource", DataSource.class));
    }

    private static long logLength() throws IOException {
        return Files.size(TEST_LOG);
    }

    /** What the test log got since it was {@code length} long. */
    private static String logSince(long length) throws IOException {
        byte[] all = Files.readAllBytes(TEST_LOG);
        return new String(all, (int) length, all.length - (int) length, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
