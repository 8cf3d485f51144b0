package org.devicebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.ledger.CallRecord;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.devicebridge.ledger.CommandState.ACKNOWLEDGED;
import static org.devicebridge.ledger.CommandState.FAILURE;
import static org.devicebridge.ledger.CommandState.IN_PROGRESS;
import static org.devicebridge.ledger.CommandState.SUCCESS;
import static org.devicebridge.ledger.CommandState.TIMEOUT;

/**
 * How the bridge copes when the access cloud misbehaves (docs/cloud-contracts.md sections 1-2): transient
 * answers are retried with backoff and Retry-After, permanent ones fail the command at once with
 * the cloud's words and request id, expired upload URLs lead to a new action, REJECTED and
 * deadlines end the command, and an unreachable cloud is an I/O error, not a crash. The tests share
 * one bridge, with request ids and devices of their own, and each starts once the earlier ones are
 * done, since it makes the shared cloud fail its next calls; those with another retry setting or
 * without a cloud have bridges of their own.
 */
class AccessFailureHandlingTest extends AccessFlowTestSupport {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @BeforeEach
    void earlierTestsDone() {
        awaitEarlierTestsDone();
    }

    @Test
    void retriesTransient503sOnCreateWithBackoffAndThenSucceeds() {
        sharedBridge();
        cloud.failNextCalls(3, 503);
        bridge.drop("retry.json", Batches.document("retry-503", Batches.credentials("a1", "door-503")));

        CommandRecord c = awaitFinal("retry-503", 1).get(0);

        assertThat(c.state()).isEqualTo(SUCCESS);
        List<CallRecord> creates = creates(c);
        assertThat(creates).extracting(CallRecord::httpStatus).containsExactly(503, 503, 503, 201);
        assertThat(creates).allSatisfy(call -> assertThat(call.vendorRequestId()).isNotBlank());
        // backoff grows: the third retry waits at least half of 4 x the 100 ms initial delay
        assertThat(Duration.between(creates.get(2).at(), creates.get(3).at())).isGreaterThanOrEqualTo(Duration.ofMillis(190));
        assertThat(cloud.createCount("door-503")).isEqualTo(1);
    }

    @Test
    void waitsAtLeastRetryAfterBeforeRetryingA429() {
        sharedBridge(s -> s.retryAfterSeconds(1));
        cloud.failNextCalls(1, 429);
        bridge.drop("slow-down.json", Batches.document("retry-429", Batches.credentials("a1", "door-429")));

        CommandRecord c = awaitFinal("retry-429", 1).get(0);

        assertThat(c.state()).isEqualTo(SUCCESS);
        List<CallRecord> creates = creates(c);
        assertThat(creates).extracting(CallRecord::httpStatus).containsExactly(429, 201);
        // the 429 is recorded when its answer came, the retry when its answer came: >= Retry-After apart
        assertThat(Duration.between(creates.get(0).at(), creates.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void givesUpAfterMaxAttemptsTransientFailuresNamingTheLastStatus() {
        startBridge(s -> s, Map.of("bridge.retry.max-attempts", "2"));
        cloud.failNextCalls(10, 503);
        bridge.drop("down.json", Batches.document("give-up", Batches.credentials("a1", "door-1")));

        CommandRecord c = awaitFinal("give-up", 1).get(0);

        assertThat(c.state()).isEqualTo(FAILURE);
        assertThat(c.reason()).contains("gave up").contains("HTTP 503");
        assertThat(creates(c)).extracting(CallRecord::httpStatus).containsExactly(503, 503);
        assertThat(cloud.createCount("door-1")).isZero();
    }

    @Test
    void failsAnUnknownDeviceAtOnceWithStatusAndRequestIdWhileTheRestOfTheBatchSucceeds() {
        sharedBridge();
        bridge.drop("mixed.json", Batches.document("unknown-1",
                Batches.credentials("a1", "door-1"), Batches.credentials("a2", "unknown-door-9"),
                Batches.credentials("a3", "door-2")));

        List<CommandRecord> done = awaitFinal("unknown-1", 3);

        CommandRecord unknown = done.get(1);
        assertThat(unknown.device()).isEqualTo("unknown-door-9");
        assertThat(unknown.state()).isEqualTo(FAILURE);
        List<CallRecord> calls = bridge.callLog().calls(unknown.id());
        assertThat(calls).extracting(CallRecord::httpStatus).containsExactly(404);   // no retry
        String requestId = calls.get(0).vendorRequestId();
        assertThat(requestId).isNotBlank();
        assertThat(unknown.reason()).contains("unknown device").contains("unknown-door-9").contains("404").contains(requestId);
        assertThat(List.of(done.get(0), done.get(2))).extracting(CommandRecord::state).containsOnly(SUCCESS);
    }

    @Test
    void createsANewActionAndUploadsAgainWhenTheUploadUrlExpired() {
        sharedBridge();
        cloud.failNextUploads(1, 403);
        bridge.drop("expired.json", Batches.document("expired-1", Batches.credentials("a1", "door-403")));

        CommandRecord c = awaitFinal("expired-1", 1).get(0);

        assertThat(c.state()).isEqualTo(SUCCESS);
        assertThat(cloud.createCount("door-403")).isEqualTo(2);
        List<String> actions = cloud.actionsFor("door-403").stream().map(a -> a.path("id").asText()).toList();
        assertThat(actions).hasSize(2);
        assertThat(cloud.uploadCount(actions.get(0))).isZero();
        assertThat(cloud.uploadCount(actions.get(1))).isEqualTo(1);
        assertThat(c.vendorRef()).isEqualTo(actions.get(1));
        assertThat(bridge.callLog().calls(c.id())).filteredOn(call -> call.operation().equals("upload-payload"))
                .extracting(CallRecord::httpStatus).containsExactly(403, 200);
    }

    @Test
    void mapsARejectedWebhookToFailureWithTheCloudsReason() throws Exception {
        sharedBridge(s -> s.processingDelay(Duration.ofSeconds(30)));
        bridge.drop("reject.json", Batches.document("reject-1", Batches.credentials("a1", "door-1")));
        await().atMost(Duration.ofSeconds(10)).until(() -> bridge.commands("reject-1").stream()
                .anyMatch(c -> c.state() == ACKNOWLEDGED || c.state() == IN_PROGRESS));
        CommandRecord pending = bridge.commands("reject-1").get(0);
        String reason = "schedule 'night-shift' of credential 1A2BFFFFFFFFFFFFFFFFFFFFFFFFFFFF is unknown";

        int status = postSignedEvent(rejected(pending.vendorRef(), reason));

        assertThat(status).isEqualTo(204);
        CommandRecord c = awaitFinal("reject-1", 1).get(0);
        assertThat(c.state()).isEqualTo(FAILURE);
        assertThat(c.vendorStatus()).isEqualTo("REJECTED");
        assertThat(c.reason()).contains("REJECTED").contains(reason);
    }

    @Test
    void endsInTimeOutOnceTheActionsDeadlinePassed() {
        sharedBridge(s -> s.processingDelay(Duration.ofSeconds(60)));
        bridge.drop("late.json", Batches.document("late-1", withDeadline(Batches.credentials("a1", "door-1"), "PT1S")));

        CommandRecord c = awaitFinal("late-1", 1).get(0);

        assertThat(c.state()).isEqualTo(TIMEOUT);
        assertThat(c.reason()).contains("deadline");
        assertThat(path(bridge, c.id())).last().isEqualTo(TIMEOUT);
    }

    @Test
    void aCreateAnsweredAfterTheDeadlineIsNotFollowedByItsUpload() {
        sharedBridge(s -> s.webhook(null, null));
        awaitEarlierTestsDone(); // their calls would be held too
        CountDownLatch calls = cloud.holdCalls();
        try {
            bridge.drop("late-create.json", Batches.document("late-create-1",
                    withDeadline(Batches.credentials("a1", "door-late-create"), "PT1S")));
            await().atMost(Duration.ofSeconds(10)).until(() -> cloud.heldCalls() == 1); // the create is out
            Instant deadline = bridge.commands("late-create-1").get(0).deadlineAt();
            await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(deadline.plusMillis(200)));
        } finally {
            calls.countDown(); // its answer comes after the deadline
        }

        CommandRecord c = awaitFinal("late-create-1", 1).get(0);

        assertThat(c.state()).isEqualTo(TIMEOUT);
        assertThat(c.vendorRef()).as("the action was created").isNotNull();
        assertThat(cloud.uploadCount(c.vendorRef())).as("no new call after the deadline, not even the upload due at once").isZero();
    }

    @Test
    void failsWithTheIoErrorWhenTheCloudIsUnreachable() {
        int closedPort = TestBridge.freePort();
        bridge = TestBridge.in(dir, "http://127.0.0.1:" + closedPort + "/access", Map.of("bridge.retry.max-attempts", "2")).start();
        bridge.drop("nowhere.json", Batches.document("io-1", Batches.credentials("a1", "door-1")));

        CommandRecord c = awaitFinal("io-1", 1).get(0);

        assertThat(c.state()).isEqualTo(FAILURE);
        assertThat(c.reason()).contains("gave up").contains("I/O error").doesNotContain(TestBridge.API_KEY);
        // two calls in all (max-attempts), whichever step they were: neither got an answer
        assertThat(bridge.callLog().calls(c.id())).hasSize(2).allSatisfy(call -> {
            assertThat(call.httpStatus()).isNull();
            assertThat(call.error()).contains("I/O error").doesNotContain(TestBridge.API_KEY);
        });
    }

    @Test
    void recoversWhenTheCloudAnswersAgainAfterIoErrors() throws Exception {
        int port = TestBridge.freePort();
        bridge = TestBridge.in(dir, "http://127.0.0.1:" + port + "/access", Map.of()).start();
        bridge.drop("later.json", Batches.document("io-2", Batches.credentials("a1", "door-1")));
        await().atMost(Duration.ofSeconds(10)).until(() -> bridge.commands("io-2").stream()
                .anyMatch(c -> bridge.callLog().calls(c.id()).stream().anyMatch(call -> call.httpStatus() == null)));

        // the cloud comes up; the dispatcher is held meanwhile so no call sees a half-mounted server
        bridge.context().getRouteController().suspendRoute("access-dispatch");
        server = SimulatorServer.start(port);
        cloud = server.addAccessCloud(AccessCloudSettings.builder(TestBridge.API_KEY).processingDelay(Duration.ofMillis(300))
                .webhook(bridge.webhookUrl(), TestBridge.WEBHOOK_SECRET).build());
        bridge.context().getRouteController().resumeRoute("access-dispatch");

        CommandRecord c = awaitFinal("io-2", 1).get(0);
        assertThat(c.state()).isEqualTo(SUCCESS);
        List<CallRecord> creates = creates(c);
        assertThat(creates.get(0).httpStatus()).isNull();
        assertThat(creates.get(creates.size() - 1).httpStatus()).isEqualTo(201);
        assertThat(cloud.createCount("door-1")).isEqualTo(1);
    }

    @Test
    void takesAnUploadAnswered409AsAlreadyReceived() {
        sharedBridge();
        // the simulator's injected 409 leaves the action untouched, so the bridge finds it still
        // AWAITING_DATA on its next poll and uploads again: nothing fails, no new action
        cloud.failNextUploads(1, 409);
        bridge.drop("twice.json", Batches.document("conflict-1", Batches.credentials("a1", "door-409")));

        CommandRecord c = awaitFinal("conflict-1", 1).get(0);

        assertThat(c.state()).isEqualTo(SUCCESS);
        assertThat(bridge.callLog().calls(c.id())).filteredOn(call -> call.operation().equals("upload-payload"))
                .extracting(CallRecord::httpStatus).startsWith(409);
        assertThat(path(bridge, c.id())).contains(ACKNOWLEDGED).doesNotContain(FAILURE);
        assertThat(cloud.createCount("door-409")).isEqualTo(1);
    }

    @Test
    void adoptsTheActionWhoseCreateAnswerCameGarbledInsteadOfFailingOrCreatingAnother() {
        sharedBridge(s -> s.webhook(null, null));
        cloud.garbleNextAnswers(1);   // the create takes effect; its 201 body is cut short on the way back
        bridge.drop("garbled-create.json", Batches.document("garbled-create", Batches.credentials("a1", "garbled-create-door")));

        CommandRecord c = awaitFinal("garbled-create", 1).get(0);

        assertThat(c.state()).isEqualTo(SUCCESS);
        assertThat(cloud.createCount("garbled-create-door")).isEqualTo(1);
        assertThat(c.vendorRef()).isEqualTo(cloud.actionsFor("garbled-create-door").get(0).path("id").asText());
        List<CallRecord> calls = bridge.callLog().calls(c.id());
        assertThat(calls).extracting(CallRecord::operation).startsWith("create-action", "find-lost-action", "upload-payload");
        assertThat(calls.get(0).httpStatus()).isEqualTo(201);
        assertThat(calls.get(0).error()).contains("answer unreadable");
        assertThat(path(bridge, c.id())).doesNotContain(FAILURE);
    }

    @Test
    void pollsInsteadOfUploadingAgainWhenTheUploadAnswerCameGarbled() {
        sharedBridge(s -> s.webhook(null, null));
        cloud.garbleNextUploads(1);   // received; its 200 answer garbled
        bridge.drop("garbled-upload.json", Batches.document("garbled-upload", Batches.credentials("a1", "garbled-upload-door")));

        CommandRecord c = awaitFinal("garbled-upload", 1).get(0);

        assertThat(c.state()).isEqualTo(SUCCESS);
        assertThat(cloud.createCount("garbled-upload-door")).isEqualTo(1);
        assertThat(cloud.uploadCount(c.vendorRef())).isEqualTo(1);
        List<CallRecord> calls = bridge.callLog().calls(c.id());
        assertThat(calls).filteredOn(call -> call.operation().equals("upload-payload")).singleElement()
                .satisfies(call -> assertThat(call.error()).contains("answer unreadable"));
        assertThat(calls).extracting(CallRecord::operation).containsSubsequence("upload-payload", "poll-action");
        assertThat(path(bridge, c.id())).doesNotContain(FAILURE);
    }

    @Test
    void pollsAgainWhenAPollAnswerCameGarbled() {
        startBridge(s -> s.webhook(null, null), Map.of("bridge.poll.initial-interval", "1s"));
        bridge.drop("garbled.json", Batches.document("garbled-poll", Batches.credentials("a1", "door-1")));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> bridge.commands("garbled-poll").stream().anyMatch(c -> c.state() == ACKNOWLEDGED));
        cloud.garbleNextAnswers(1);   // the first poll, due a second after the upload

        CommandRecord c = awaitFinal("garbled-poll", 1).get(0);

        assertThat(c.state()).isEqualTo(SUCCESS);
        List<CallRecord> polls = bridge.callLog().calls(c.id()).stream().filter(call -> call.operation().equals("poll-action")).toList();
        assertThat(polls).hasSizeGreaterThanOrEqualTo(2);
        assertThat(polls.get(0).httpStatus()).isEqualTo(200);
        assertThat(polls.get(0).error()).contains("answer unreadable");
        assertThat(path(bridge, c.id())).doesNotContain(FAILURE);
    }

    @Test
    void givesUpOnGarbledAnswersAfterMaxAttemptsSayingSoAndNeverCreatesASecondAction() {
        startBridge(s -> s.webhook(null, null), Map.of("bridge.retry.max-attempts", "3"));
        cloud.garbleNextAnswers(10);
        bridge.drop("garbled.json", Batches.document("garbled-always", Batches.credentials("a1", "door-1")));

        CommandRecord c = awaitFinal("garbled-always", 1).get(0);

        assertThat(c.state()).isEqualTo(FAILURE);
        assertThat(c.reason()).contains("gave up").contains("after 3 attempts").contains("answer unreadable");
        assertThat(bridge.callLog().calls(c.id())).extracting(CallRecord::operation)
                .containsExactly("create-action", "find-lost-action", "find-lost-action");
        assertThat(cloud.createCount("door-1")).isEqualTo(1);
    }

    // ------------------------------------------------------------------ helpers

    private List<CallRecord> creates(CommandRecord c) {
        return bridge.callLog().calls(c.id()).stream().filter(call -> call.operation().equals("create-action")).toList();
    }

    private static String withDeadline(String action, String deadline) {
        return action.replaceFirst("^\\{", "{\"deadline\":\"" + deadline + "\",");
    }

    /** A DEVICE_ACTION_UPDATED event as the cloud sends it: the action now REJECTED with a reason. */
    private String rejected(String actionId, String reason) {
        ObjectNode action = (ObjectNode) cloud.action(actionId).deepCopy();
        action.put("status", "REJECTED").put("reason", reason).put("updated_at", Instant.now().toString());
        action.remove("upload_url");
        ObjectNode event = MAPPER.createObjectNode()
                .put("event_id", UUID.randomUUID().toString().replace("-", ""))
                .put("event_type", "DEVICE_ACTION_UPDATED")
                .put("occurred_at", Instant.now().toString());
        event.set("data", action);
        return event.toString();
    }

    /** POSTs a webhook to the bridge, signed like a real cloud does; returns the HTTP status. */
    private int postSignedEvent(String body) throws Exception {
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(TestBridge.WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(raw));
        HttpRequest request = HttpRequest.newBuilder(URI.create(bridge.webhookUrl()))
                .header("Content-Type", "application/json")
                .header("X-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(raw))
                .timeout(Duration.ofSeconds(10))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
