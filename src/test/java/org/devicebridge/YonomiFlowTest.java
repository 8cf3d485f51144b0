package org.devicebridge;

import org.devicebridge.ledger.CallRecord;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.YonomiCloudSettings;
import org.devicebridge.simulator.access.YonomiCloudSimulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.devicebridge.ledger.CommandState.FAILURE;
import static org.devicebridge.ledger.CommandState.IN_PROGRESS;
import static org.devicebridge.ledger.CommandState.SUCCESS;

/**
 * The access cloud's Yonomi dialect end to end, over real HTTP: the bridge
 * ({@code bridge.access.dialect=yonomi}) against the simulated platform: OAuth2 token endpoint,
 * GraphQL, upload URLs, events, Basic-auth webhooks with the challenge. The tests share one bridge
 * and one platform, each with request ids and devices of its own; they run one after the other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class YonomiFlowTest {

    static final String CLIENT_ID = "bridge-m2m-client";
    static final String CLIENT_SECRET = "ycs_test_5e4d3c2b1a0918f7";
    static final String INSTALLATION = "inst-7f3a9c";
    static final String HOOK_USER = "yonomi-hooks";
    static final String HOOK_PASSWORD = "whpw_test_8a7b6c5d4e3f";

    @TempDir
    static Path dir;

    private SimulatorServer server;
    private YonomiCloudSimulator cloud;
    private YonomiCloudSettings cloudDefaults;
    private TestBridge bridge;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The bridge's settings for the platform {@code cloud}: what a Yonomi user configures. */
    static Map<String, String> yonomiSettings(YonomiCloudSimulator cloud) {
        Map<String, String> p = new HashMap<>();
        p.put("bridge.access.dialect", "yonomi");
        p.put("bridge.access.token-url", cloud.tokenUrl());
        p.put("bridge.access.client-id", CLIENT_ID);
        p.put("bridge.access.client-secret", CLIENT_SECRET);
        p.put("bridge.access.installation-id", INSTALLATION);
        p.put("bridge.access.webhook-user", HOOK_USER);
        p.put("bridge.access.webhook-password", HOOK_PASSWORD);
        return p;
    }

    static YonomiCloudSimulator platform(SimulatorServer server) {
        return YonomiCloudSimulator.mount(server, YonomiCloudSettings.of(CLIENT_ID, CLIENT_SECRET, INSTALLATION)
                .withProcessingDelay(Duration.ofMillis(300)));
    }

    @BeforeAll
    void start() {
        server = SimulatorServer.start(0);
        cloud = platform(server);
        bridge = TestBridge.in(dir, cloud.baseUrl(), yonomiSettings(cloud));
        cloud.updateSettings(s -> s.withWebhook(bridge.webhookUrl(), HOOK_USER, HOOK_PASSWORD));
        cloudDefaults = cloud.settings();
        bridge.start();
    }

    @AfterEach
    void restorePlatform() {
        cloud.updateSettings(s -> cloudDefaults);
    }

    @AfterAll
    void stop() {
        bridge.close();
        server.close();
    }

    @Test
    void appliesTheDataFileToEveryDeviceOfABatch() {
        bridge.drop("yonomi-sync.json", Batches.document("y-sync-1", dataFile("a1", "front-lock", "c0ffee"),
                dataFile("a2", "back-lock", "1A2B3C4D5E6F708192A3B4C5D6E7F801")));

        List<CommandRecord> done = awaitFinal("y-sync-1", 2);

        assertThat(done).extracting(CommandRecord::state).containsOnly(SUCCESS);
        assertThat(done).extracting(CommandRecord::vendorStatus).containsOnly("RESOLVED");
        assertThat(cloud.appliedFor("front-lock").path("credentials").get(0).path("credential").asText())
                .isEqualTo("C0FFEEFFFFFFFFFFFFFFFFFFFFFFFFFF");
        assertThat(cloud.createCount("front-lock")).isEqualTo(1);
        assertThat(cloud.uploadsWithAuthorizationHeader()).isZero();
        // each event is posted without credentials first, answered with the challenge, then posted with them
        await().atMost(Duration.ofSeconds(10)).until(() -> cloud.webhookChallenges() > 0 && cloud.webhooksAcknowledged() > 0);
    }

    @Test
    void aRejectedActionEndsInCommandFailure() {
        bridge.drop("rejected.json", Batches.document("y-rejected-1", dataFile("r1", "rejecting-lock", "abc")));

        CommandRecord c = awaitFinal("y-rejected-1", 1).get(0);

        assertThat(c.state()).isEqualTo(FAILURE);
        assertThat(c.vendorStatus()).isEqualTo("REJECTED");
        assertThat(c.reason()).contains("REJECTED");
    }

    @Test
    void anUnknownDeviceFailsNamingTheDevice() {
        bridge.drop("ghost.json", Batches.document("y-ghost-1", dataFile("g1", "unknown-lock", "abc")));

        CommandRecord c = awaitFinal("y-ghost-1", 1).get(0);

        assertThat(c.state()).isEqualTo(FAILURE);
        assertThat(c.reason()).contains("unknown device 'unknown-lock'").contains("NOT_FOUND");
        assertThat(bridge.callLog().calls(c.id())).extracting(CallRecord::operation).containsExactly("create-action");
    }

    @Test
    void renewsAnExpiredTokenOnceAndGoesOnWithTheBatch() {
        bridge.drop("warm.json", Batches.document("y-warm-1", dataFile("w1", "warm-lock", "abc")));
        awaitFinal("y-warm-1", 1);
        long issued = cloud.tokensIssued();
        long refused = cloud.refusedTokens();

        cloud.expireTokens(); // mid-batch: the token the bridge holds is refused from now on
        bridge.drop("after-expiry.json", Batches.document("y-expiry-1", dataFile("e1", "expiry-lock-1", "abc"),
                dataFile("e2", "expiry-lock-2", "abd"), dataFile("e3", "expiry-lock-3", "abe")));

        assertThat(awaitFinal("y-expiry-1", 3)).extracting(CommandRecord::state).containsOnly(SUCCESS);
        assertThat(cloud.refusedTokens()).isGreaterThan(refused);
        assertThat(cloud.tokensIssued()).isEqualTo(issued + 1); // renewed once, shared by every call
    }

    @Test
    void requestsANewUploadUrlWhenTheUploadUrlExpired() {
        cloud.expireNextUploadUrls(1);
        bridge.drop("late.json", Batches.document("y-late-1", dataFile("l1", "late-lock", "abc")));

        CommandRecord c = awaitFinal("y-late-1", 1).get(0);

        assertThat(c.state()).isEqualTo(SUCCESS);
        assertThat(cloud.createCount("late-lock")).isEqualTo(2);
        assertThat(bridge.callLog().calls(c.id())).extracting(CallRecord::httpStatus).contains(403);
    }

    @Test
    void requestsAnotherUploadUrlWhenTheAnswerToTheFirstWasLost() {
        cloud.garbleNextAnswers(1); // the platform made the action, its answer is cut short on the way
        bridge.drop("lost.json", Batches.document("y-lost-1", dataFile("lost1", "lost-lock", "abc")));

        CommandRecord c = awaitFinal("y-lost-1", 1).get(0);

        assertThat(c.state()).isEqualTo(SUCCESS);
        // the first action never got data, so changed nothing on the device
        assertThat(cloud.statusesFor("lost-lock")).containsExactly("AWAITING_DATA", "RESOLVED");
    }

    @Test
    void retriesAnInternalGraphQlErrorWithBackoff() {
        cloud.answerNextWithError(1, "INTERNAL");
        bridge.drop("internal.json", Batches.document("y-internal-1", dataFile("i1", "internal-lock", "abc")));

        CommandRecord c = awaitFinal("y-internal-1", 1).get(0);

        assertThat(c.state()).isEqualTo(SUCCESS);
        assertThat(bridge.callLog().calls(c.id()).get(0).error()).contains("GraphQL INTERNAL");
    }

    @Test
    void pollsTheActionEventsWhenNoWebhookComes() {
        cloud.updateSettings(s -> s.withWebhook(null, null, null));
        bridge.drop("polled.json", Batches.document("y-polled-1", dataFile("p1", "polled-lock", "abc")));

        CommandRecord c = awaitFinal("y-polled-1", 1).get(0);

        assertThat(c.state()).isEqualTo(SUCCESS);
        assertThat(bridge.callLog().calls(c.id())).extracting(CallRecord::operation).contains("poll-action");
    }

    @Test
    void challengesAWebhookWithoutCredentialsAndRefusesWrongOnes() throws Exception {
        String body = event(UUID.randomUUID().toString(), "no-such-action", "RESOLVED", Instant.now());

        HttpResponse<String> anonymous = post(body, null);
        HttpResponse<String> wrong = post(body, basic(HOOK_USER, "not-the-password"));
        HttpResponse<String> right = post(body, basic(HOOK_USER, HOOK_PASSWORD));

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic realm="));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(right.statusCode()).isEqualTo(204);
    }

    @Test
    void duplicateAndOutOfOrderEventsNeverMoveAnActionBackwards() throws Exception {
        cloud.updateSettings(s -> s.withProcessingDelay(Duration.ofMinutes(10))); // the platform itself says no more than PENDING
        bridge.drop("hooked.json", Batches.document("y-hooked-1", dataFile("h1", "hooked-lock", "abc")));
        await().atMost(Duration.ofSeconds(20)).until(() -> bridge.commands("y-hooked-1").size() == 1
                && bridge.commands("y-hooked-1").get(0).state() == IN_PROGRESS);
        CommandRecord c = bridge.commands("y-hooked-1").get(0);
        String resolved = event(UUID.randomUUID().toString(), c.vendorRef(), "RESOLVED", Instant.now());
        String olderPending = event(UUID.randomUUID().toString(), c.vendorRef(), "PENDING", Instant.now().minusSeconds(5));

        assertThat(post(resolved, basic(HOOK_USER, HOOK_PASSWORD)).statusCode()).isEqualTo(204);
        assertThat(post(resolved, basic(HOOK_USER, HOOK_PASSWORD)).statusCode()).isEqualTo(204);
        assertThat(post(olderPending, basic(HOOK_USER, HOOK_PASSWORD)).statusCode()).isEqualTo(204);

        CommandRecord after = bridge.commandStore().command(c.id()).orElseThrow();
        assertThat(after.state()).isEqualTo(SUCCESS);
        List<CommandState> path = bridge.reads().transitions(c.id()).stream().map(t -> t.to()).toList();
        assertThat(path).filteredOn(s -> s == SUCCESS).hasSize(1);
        assertThat(path.get(path.size() - 1)).isEqualTo(SUCCESS);
    }

    @Test
    void aTokenRefusedAgainAfterRenewingItOnceFailsTheCommandSayingSo() {
        long issued = cloud.tokensIssued();
        cloud.failNextCalls(2, 401); // the call and its repeat with a renewed token

        bridge.drop("refused.json", Batches.document("y-refused-1", dataFile("t1", "refused-lock", "abc")));
        CommandRecord c = awaitFinal("y-refused-1", 1).get(0);

        assertThat(c.state()).isEqualTo(FAILURE);
        assertThat(c.reason()).contains("HTTP 401").contains("refused again after renewing it once");
        assertThat(cloud.tokensIssued()).isEqualTo(issued + 1);
    }

    @Test
    void aWrongClientSecretFailsTheCommandNamingTheTokenEndpoint(@TempDir Path own) {
        Map<String, String> wrong = new HashMap<>(yonomiSettings(cloud));
        wrong.put("bridge.access.client-secret", "ycs_not_the_secret_0000");
        try (TestBridge misconfigured = TestBridge.in(own, cloud.baseUrl(), wrong).start()) {
            misconfigured.drop("wrong.json", Batches.document("y-wrong-1", dataFile("x1", "wrong-lock", "abc")));

            await().atMost(Duration.ofSeconds(20)).until(() -> misconfigured.commands("y-wrong-1").size() == 1
                    && misconfigured.commands("y-wrong-1").get(0).state().isFinal());
            CommandRecord c = misconfigured.commands("y-wrong-1").get(0);
            assertThat(c.state()).isEqualTo(FAILURE);
            assertThat(c.reason()).contains("the token endpoint refused the client credentials (invalid_client)")
                    .doesNotContain("ycs_not_the_secret_0000");
            assertThat(cloud.createCount("wrong-lock")).isZero();
        }
    }

    @Test
    void theBuiltInSimulatorSpeaksTheDialectWhenNothingElseIsConfiguredWithFormClientAuthentication(@TempDir Path own) {
        // only the dialect chosen: URLs, client, installation and webhook user are the built-in simulator's
        // (and the client's id and secret go as form fields, the token endpoint's other way)
        try (TestBridge simulated = TestBridge.in(own, "", Map.of("bridge.simulator.enabled", "true",
                "bridge.access.dialect", "yonomi", "bridge.access.token-client-auth", "form",
                "bridge.simulator.access.processing-delay", "200ms")).start()) {
            simulated.drop("simulated.json", Batches.document("y-simulated-1", dataFile("s1", "sim-lock", "abc")));

            await().atMost(Duration.ofSeconds(20)).until(() -> simulated.commands("y-simulated-1").size() == 1
                    && simulated.commands("y-simulated-1").get(0).state() == SUCCESS);
            assertThat(simulated.callLog().calls(simulated.commands("y-simulated-1").get(0).id()))
                    .extracting(CallRecord::operation).startsWith("create-action", "upload-payload");
        }
    }

    // ------------------------------------------------------------- helpers

    /** A credentials action whose payload is a Yonomi data file: one credential, one schedule. */
    static String dataFile(String actionId, String device, String code) {
        return """
                {"kind":"credentials","id":"%s","device":"%s","payload":{"credentials":[{"id":"emp-%s","credential":"%s","active":"ACTIVE","transportTechnology":"PROX","function":"NORMAL","activation":"2026-01-01T00:00:00.000Z","expiration":"2027-01-01T00:00:00.000Z","primarySchedules":[{"id":"always"}]}],"schedules":[{"id":"always","type":"ALWAYS_ACTIVE"}]}}"""
                .formatted(actionId, device, actionId, code).strip();
    }

    private List<CommandRecord> awaitFinal(String requestId, int expected) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            List<CommandRecord> cs = bridge.commands(requestId);
            return cs.size() == expected && cs.stream().allMatch(c -> c.state().isFinal());
        });
        return bridge.commands(requestId);
    }

    private static String event(String id, String actionId, String status, Instant at) {
        return new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("id", id).put("eventType", "DEVICE_ACTION_UPDATED").put("installationId", INSTALLATION)
                .put("deviceId", "hooked-lock").put("actionId", actionId).put("traitName", "CredentialsAndSchedulesV1")
                .put("actionStatus", status).put("createdAt", at.toString()).toString();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> post(String body, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(bridge.webhookUrl())).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
