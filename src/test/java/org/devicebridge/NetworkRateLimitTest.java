package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.ledger.RequestRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The network cloud's rate limit is never exceeded, whatever triggers and instances produce the
 * work and however long the ledger writes before a call take: shortened windows (10 calls per 2 s,
 * or 4 s, the bridge adding a 500 ms margin) stand in for the real 10 per minute, and the
 * simulator's own clock judges.
 */
class NetworkRateLimitTest extends AllCloudsTestSupport {

    private static final String API_TOKEN = "op_test_1f3e5d7c9b2a4c6e";
    private static final Map<String, String> SHORT_WINDOW = Map.of(
            "bridge.network.rate-limit", "10", "bridge.network.rate-window", "2s", "bridge.network.rate-margin", "500ms");

    @Test
    void neverExceedsTheWindowWithAFileDropAndAnApiPostOnTwoInstancesAtOnce() {
        startClouds(n -> n.rateLimit(10, Duration.ofSeconds(2)), h -> h);
        Map<String, String> shared = new HashMap<>(SHORT_WINDOW);
        shared.put("bridge.db.url", "jdbc:h2:file:" + dir.resolve("shared-ledger").toAbsolutePath());
        shared.put("bridge.api.token", API_TOKEN);
        shared.put("bridge.network.chunk-size", "10");   // the calls count, not the devices: 10 a call keeps the work small
        TestBridge fileInstance = startBridge("first", shared);
        TestBridge apiInstance = startBridge("second", shared);

        CompletableFuture<HttpResponse<String>> posted = CompletableFuture.supplyAsync(() -> postBatch(apiInstance,
                Batches.document("rate-api", "{\"kind\":\"bulk\",\"type\":\"re_identify\",\"ids\":[" + ids("B-", 0, 120) + "]}")));
        fileInstance.drop("a.json", Batches.document("rate-file", "{\"kind\":\"bulk\",\"type\":\"re_identify\",\"ids\":["
                + ids("A-", 0, 130) + "]}"));

        assertThat(posted.join().statusCode()).isEqualTo(202);
        List<CommandRecord> fromFile = awaitFinal(fileInstance, "rate-file", 130, Duration.ofSeconds(60));
        List<CommandRecord> fromApi = awaitFinal(fileInstance, "rate-api", 120, Duration.ofSeconds(60));

        assertThat(fileInstance.commandStore().request("rate-file").orElseThrow().source()).isEqualTo("file");
        assertThat(fileInstance.commandStore().request("rate-api").orElseThrow().source()).isEqualTo("http");
        assertThat(fromFile).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(fromApi).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(network.requestCount()).as("calls of %s devices",
                network.requests().stream().map(r -> r.path("ids").size()).toList()).isEqualTo(25);   // three windows' worth
        assertThat(network.tooManyRequestsCount()).isZero();
        assertThat(network.maxRequestsInAnyWindow()).isLessThanOrEqualTo(10);
    }

    @Test
    void neverExceedsTheWindowWhenTheLedgerWritesBeforeACallAreSlow() {
        startClouds(n -> n.rateLimit(10, Duration.ofSeconds(4)), h -> h);
        TestBridge bridge = startBridge("bridge", Map.of("bridge.network.rate-limit", "10", "bridge.network.rate-window", "4s",
                "bridge.network.rate-margin", "500ms", "bridge.network.chunk-size", "10"));
        // The first chunk's Command Initiated writes take 2 s, four times the margin (the audit saw 2-4 s
        // under load); the nine calls after it go as fast as the bridge can. Were the slot timed when
        // the chunk was claimed, the eleventh call would follow the first by 2.5 s, within the 4 s window.
        AtomicBoolean slowed = new AtomicBoolean();
        bridge.context().getRegistry().lookupByNameAndType("transitions", LedgerTransitions.class).onStateChanged(e -> {
            if (e.change().to() == CommandState.INITIATED && slowed.compareAndSet(false, true)) {
                slowLedgerWrite(Duration.ofSeconds(2));
            }
        });

        bridge.drop("slow.json", Batches.document("slow", "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[" + ids("S-", 0, 150) + "]}"));

        List<CommandRecord> done = awaitFinal(bridge, "slow", 150, Duration.ofSeconds(30));
        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(network.requestCount()).isEqualTo(15);
        assertThat(network.tooManyRequestsCount()).isZero();
        assertThat(network.maxRequestsInAnyWindow()).isLessThanOrEqualTo(10);
    }

    private static final int BULK_WORKERS = 2;

    @Test
    void aSmallBatchIsNotStarvedByAHugeOne() {
        startClouds(n -> n.rateLimit(10, Duration.ofSeconds(2)), h -> h);
        Map<String, String> settings = new HashMap<>(SHORT_WINDOW);
        settings.put("bridge.network.concurrency", String.valueOf(BULK_WORKERS));
        settings.put("bridge.network.chunk-size", "10");   // 30 calls of 10 devices
        TestBridge bridge = startBridge("bridge", settings);
        bridge.drop("huge.json", Batches.document("huge", "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[" + ids("H-", 0, 300) + "]}"));
        await().until(() -> network.requestCount() >= 3);

        bridge.drop("urgent.json", Batches.document("urgent", "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[\"U-1\"]}"));

        awaitFinal(bridge, "urgent", 1, Duration.ofSeconds(20));
        Instant takenIn = bridge.commandStore().request("urgent").orElseThrow().intakeDoneAt();
        long callsBefore = network.acceptedRequestTimes().stream().filter(t -> t.isBefore(takenIn)).count();
        List<JsonNode> calls = network.requests();
        int urgentCall = calls.indexOf(calls.stream().filter(c -> c.path("ids").toString().contains("\"U-1\"")).findFirst().orElseThrow());
        // the huge batch's chunks claimed before the urgent one arrived may still leave after it: one per bulk worker
        assertThat(urgentCall - callsBefore).as("calls of the huge batch between the urgent one's intake and its call")
                .isLessThanOrEqualTo(BULK_WORKERS);

        awaitFinal(bridge, "huge", 300, Duration.ofSeconds(60));
        await().until(() -> bridge.commandStore().request("huge").orElseThrow().finishedAt() != null);
        RequestRecord urgent = bridge.commandStore().request("urgent").orElseThrow();
        RequestRecord huge = bridge.commandStore().request("huge").orElseThrow();
        assertThat(urgent.finishedAt()).isBefore(huge.finishedAt().minusSeconds(2));
        assertThat(network.maxRequestsInAnyWindow()).isLessThanOrEqualTo(10);
    }

    @Test
    void warnsAtIntakeWhenTheRateLimitCannotSendEveryDeviceBeforeItsDeadlineAndSendsNoneAfterIt() throws Exception {
        startClouds(n -> n.rateLimit(10, Duration.ofSeconds(2)), h -> h);
        Map<String, String> settings = new HashMap<>(SHORT_WINDOW);
        settings.put("bridge.network.chunk-size", "10");
        TestBridge bridge = startBridge("bridge", settings);

        // 25 calls of 10 devices at 10 calls per 2.5 s: the last goes 5 s after the first, past the 3 s deadline. The
        // dispatcher waits until the batch is read, so that the warning counts all 250 devices (none is sent before)
        bridge.context().getRouteController().suspendRoute("network-dispatch");
        bridge.drop("tight.json", Batches.document("tight", "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"deadline\":\"PT3S\",\"ids\":["
                + ids("T-", 0, 250) + "]}"));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> bridge.commandStore().request("tight").map(RequestRecord::intakeComplete).orElse(false));
        bridge.context().getRouteController().resumeRoute("network-dispatch");

        await().atMost(Duration.ofSeconds(10)).until(() -> LeakSearch.testLog().contains(
                "request tight: its 250 bulk devices cannot all be sent before their deadline"));
        List<CommandRecord> done = awaitFinal(bridge, "tight", 250, Duration.ofSeconds(20));
        assertThat(done).extracting(CommandRecord::state).contains(CommandState.SUCCESS, CommandState.TIMEOUT)
                .containsOnly(CommandState.SUCCESS, CommandState.TIMEOUT);
        assertThat(done).filteredOn(c -> c.state() == CommandState.TIMEOUT).allSatisfy(c -> {
            assertThat(c.reason()).contains("passed in state Command Queued");
            assertThat(network.timesApplied(c.device())).as("a device timed out was never sent").isZero();
        });
        assertThat(done).filteredOn(c -> c.state() == CommandState.SUCCESS)
                .allSatisfy(c -> assertThat(network.timesApplied(c.device())).isEqualTo(1));
    }

    /** {@code POST /commands/v0/requests/} on the instance's status API; answers the response. */
    private static HttpResponse<String> postBatch(TestBridge bridge, String document) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bridge.property("bridge.http.port")
                        + "/commands/v0/requests/")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + API_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(document)).build();
        try {
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stands in for a database slow under load, inside the chunk's ledger writes: a fault, not a wait for an outcome. */
    private static void slowLedgerWrite(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
