package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.devicebridge.ledger.CallRecord;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.Transition;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bulk actions on the network cloud: per-device results, chunks of 100, MAC normalisation, pre-flight,
 * and chunks whose call went wrong (no answer, 429, an answer cut short) sent again as one call.
 */
class BulkActionFlowTest extends AllCloudsTestSupport {

    @Test
    void recordsEachDevicesAnswerAsItsOwnCommand() {
        TestBridge bridge = startBridge();
        bridge.drop("bulk.json", Batches.document("bulk-1",
                "{\"kind\":\"bulk\",\"id\":\"ex\",\"type\":\"exempt\",\"ids\":[\"HW-1\",\"legacy-2\",\"unknown-3\"],\"params\":{\"exempt_time\":24}}"));

        Map<String, CommandRecord> byDevice = awaitFinal(bridge, "bulk-1", 3, Duration.ofSeconds(15)).stream()
                .collect(Collectors.toMap(CommandRecord::device, c -> c));

        assertThat(byDevice.get("HW-1").state()).isEqualTo(CommandState.SUCCESS);
        assertThat(byDevice.get("legacy-2").state()).isEqualTo(CommandState.FAILURE);
        assertThat(byDevice.get("legacy-2").reason()).isEqualTo("not supported");
        assertThat(byDevice.get("unknown-3").state()).isEqualTo(CommandState.FAILURE);
        assertThat(byDevice.get("unknown-3").reason()).isEqualTo("failed");
        assertThat(network.requestCount()).isEqualTo(1);
        assertThat(bridge.ledger().calls(byDevice.get("HW-1").id())).allSatisfy(c -> assertThat(c.vendorRequestId()).isNotBlank());
    }

    @Test
    void logsOneLinePerCallWithItsOutcomeCountsAndEachDeviceOnlyAtDebug() throws Exception {
        TestBridge bridge = startBridge();
        bridge.drop("counted.json", Batches.document("counted-1",
                "{\"kind\":\"bulk\",\"type\":\"exempt\",\"ids\":[\"CNT-1\",\"CNT-2\",\"legacy-CNT-3\",\"unknown-CNT-4\"]}"));

        awaitFinal(bridge, "counted-1", 4, Duration.ofSeconds(15));

        await().until(() -> LeakSearch.testLog().contains("(request counted-1)"));
        List<String> lines = LeakSearch.testLog().lines().toList();
        assertThat(lines).filteredOn(l -> l.contains("(request counted-1)")).singleElement().satisfies(l -> assertThat(l)
                .contains(" INFO ").endsWith("bulk exempt on 4 devices: HTTP 200: 2 applied, 1 failed, 1 not supported (request counted-1)"));
        assertThat(lines).as("each device's final state")
                .filteredOn(l -> l.contains("StateChangeLog") && l.matches(".* bulk (legacy-|unknown-)?CNT-\\d \\(.*\\): Command (Success|Failure).*"))
                .hasSize(4).allSatisfy(l -> assertThat(l).contains(" DEBUG "));
    }

    @Test
    void aDeviceWhoseCallIsInFlightAtItsDeadlineEndsWithTheCloudsAnswer() {
        startClouds(n -> n.latency(Duration.ofSeconds(5)), h -> h);
        TestBridge bridge = startBridge("bridge", Map.of());
        bridge.drop("slow.json", Batches.document("slow-1",
                "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"deadline\":\"PT2S\",\"ids\":[\"HW-1\",\"HW-2\"]}"));

        List<CommandRecord> done = awaitFinal(bridge, "slow-1", 2, Duration.ofSeconds(20));

        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(done).extracting(CommandRecord::vendorStatus).containsOnly("1");
        assertThat(done.get(0).finishedAt()).as("answered after the deadline").isAfter(done.get(0).deadlineAt());
    }

    @Test
    void writesOneResultLinePerDevice() throws Exception {
        TestBridge bridge = startBridge();
        bridge.drop("lines.json", Batches.document("lines-1",
                "{\"kind\":\"bulk\",\"id\":\"renew\",\"type\":\"renew_ip\",\"ids\":[\"HW-1\",\"HW-2\"]}"));
        awaitFinal(bridge, "lines-1", 2, Duration.ofSeconds(15));

        await().until(() -> Files.exists(bridge.outbox().resolve("lines.summary.json")));
        List<JsonNode> lines = bridge.jsonLines(bridge.outbox().resolve("lines.results.jsonl"));
        assertThat(lines).extracting(l -> l.path("device").asText()).containsExactly("HW-1", "HW-2");
        assertThat(lines).extracting(l -> l.path("action_id").asText()).containsOnly("renew");
        assertThat(lines).extracting(l -> l.path("vendor_status").asText()).containsOnly("1");
    }

    @Test
    void sendsAtMostOneHundredDevicesPerCall() {
        TestBridge bridge = startBridge();
        bridge.drop("big.json", Batches.document("big-1",
                "{\"kind\":\"bulk\",\"type\":\"unexempt\",\"ids\":[" + ids("HW-", 0, 250) + "]}"));

        List<CommandRecord> done = awaitFinal(bridge, "big-1", 250, Duration.ofSeconds(20));

        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(network.requests()).hasSize(3);
        assertThat(network.requests()).allSatisfy(r -> assertThat(r.path("ids").size()).isLessThanOrEqualTo(100));
    }

    @Test
    void sendsMacAddressesNormalised() {
        TestBridge bridge = startBridge();
        bridge.drop("macs.json", Batches.document("macs-1",
                "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"macs\":[\"AA-BB-CC-DD-EE-01\",\"aabb.ccdd.ee02\"]}"));

        List<CommandRecord> done = awaitFinal(bridge, "macs-1", 2, Duration.ofSeconds(15));

        assertThat(done).extracting(CommandRecord::device).containsExactly("aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02");
        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(network.requests().get(0).path("macs").toString()).isEqualTo("[\"aa:bb:cc:dd:ee:01\",\"aa:bb:cc:dd:ee:02\"]");
    }

    @Test
    void neverSendsAnInvalidBulkAction() {
        TestBridge bridge = startBridge();
        bridge.drop("bad.json", Batches.document("bad-1",
                "{\"kind\":\"bulk\",\"type\":\"exempt\",\"ids\":[\"HW-1\"],\"params\":{\"exempt_time\":65000}}",
                "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"macs\":[\"not-a-mac\"]}"));

        List<CommandRecord> done = awaitFinal(bridge, "bad-1", 2, Duration.ofSeconds(15));

        assertThat(done).allSatisfy(c -> assertThat(c.invalid()).isTrue());
        assertThat(done.get(0).reason()).contains("params.exempt_time");
        assertThat(done.get(1).reason()).contains("macs[0]");
        assertThat(network.requestCount()).isZero();
    }

    @Test
    void retriesATransientFailureWithoutLosingTheChunk() {
        TestBridge bridge = startBridge();
        network.failNextCalls(1, 503);
        bridge.drop("retry.json", Batches.document("retry-1", "{\"kind\":\"bulk\",\"type\":\"delete\",\"ids\":[\"HW-1\",\"HW-2\"]}"));

        List<CommandRecord> done = awaitFinal(bridge, "retry-1", 2, Duration.ofSeconds(15));

        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(bridge.ledger().calls(done.get(0).id())).extracting(c -> c.httpStatus()).containsExactly(503, 200);
    }

    @Test
    void honoursRetryAfterOfA429WithoutLosingTheChunk() {
        TestBridge bridge = startBridge();
        network.failNextCalls(1, 429);
        bridge.drop("busy.json", Batches.document("busy-1", "{\"kind\":\"bulk\",\"type\":\"delete\",\"ids\":[\"HW-1\",\"HW-2\"]}"));

        List<CommandRecord> done = awaitFinal(bridge, "busy-1", 2, Duration.ofSeconds(15));

        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        var calls = bridge.ledger().calls(done.get(1).id());
        assertThat(calls).extracting(c -> c.httpStatus()).containsExactly(429, 200);
        assertThat(Duration.between(calls.get(0).at(), calls.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    // ------------------------------------------------------------------ answers that go wrong: the chunk goes again as one

    @Test
    void sendsAChunkWhoseAnswerCameGarbledAgainWholeInOneCall() {
        TestBridge bridge = startBridge();
        network.garbleNextAnswers(1);   // the cloud applies the 22 devices; its 200 body is cut short on the way back
        bridge.drop("garbled.json", Batches.document("garbled-1",
                "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[" + ids("HW-", 0, 22) + "]}"));

        List<CommandRecord> done = awaitFinal(bridge, "garbled-1", 22, Duration.ofSeconds(15));

        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(network.requests()).hasSize(2);
        assertThat(network.requests().get(1).path("ids")).isEqualTo(network.requests().get(0).path("ids")).hasSize(22);
        assertThat(network.timesApplied("HW-0")).as("applied by the call whose answer was lost, and again").isEqualTo(2);
        assertThat(done).allSatisfy(c -> {
            assertThat(bridge.ledger().calls(c.id())).extracting(CallRecord::httpStatus).containsExactly(200, 200);
            assertThat(bridge.ledger().calls(c.id()).get(0).error()).contains("answer unreadable");
            assertThat(bridge.ledger().transitions(c.id())).extracting(Transition::to).doesNotContain(CommandState.FAILURE);
        });
    }

    @Test
    void sendsAChunkRefusedWith429WithoutRetryAfterAgainAsOneCall() throws Exception {
        try (ScriptedNetworkCloud cloud = new ScriptedNetworkCloud((exchange, request) ->
                ScriptedNetworkCloud.send(exchange, 429, "{\"error\":\"rate_limit_exceeded\",\"message\":\"slow down\"}"))) {
            // the production-like retry delay: jitter drawn per device would spread the 22 over half a second, many ticks
            TestBridge bridge = startBridgeOn(cloud, SECOND_RETRY);
            bridge.drop("busy.json", Batches.document("busy-22",
                    "{\"kind\":\"bulk\",\"type\":\"exempt\",\"ids\":[" + ids("HW-", 0, 22) + "]}"));

            List<CommandRecord> done = awaitFinal(bridge, "busy-22", 22, Duration.ofSeconds(15));

            assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
            assertThat(cloud.requests).as("one call, then the same chunk in one call").hasSize(2);
            assertThat(cloud.requests.get(1).path("ids")).isEqualTo(cloud.requests.get(0).path("ids")).hasSize(22);
            assertThat(done).allSatisfy(c -> assertThat(bridge.ledger().calls(c.id())).extracting(CallRecord::httpStatus)
                    .containsExactly(429, 200));
        }
    }

    @Test
    void sendsAChunkWhoseCallTimedOutAgainAsOneCall() throws Exception {
        try (ScriptedNetworkCloud cloud = new ScriptedNetworkCloud((exchange, request) -> {
            Thread.sleep(1500);   // the cloud's side: it answers long after the bridge stopped waiting
            ScriptedNetworkCloud.send(exchange, 200, ScriptedNetworkCloud.applied(request, Integer.MAX_VALUE));
        })) {
            Map<String, String> properties = new HashMap<>(SECOND_RETRY);
            properties.put("bridge.cloud.response-timeout", "500ms");
            TestBridge bridge = startBridgeOn(cloud, properties);
            bridge.drop("slow.json", Batches.document("slow-22",
                    "{\"kind\":\"bulk\",\"type\":\"exempt\",\"ids\":[" + ids("HW-", 0, 22) + "]}"));

            List<CommandRecord> done = awaitFinal(bridge, "slow-22", 22, Duration.ofSeconds(15));

            assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
            assertThat(cloud.requests).hasSize(2);
            assertThat(cloud.requests.get(1).path("ids")).isEqualTo(cloud.requests.get(0).path("ids")).hasSize(22);
            assertThat(done).allSatisfy(c -> assertThat(bridge.ledger().calls(c.id())).extracting(CallRecord::httpStatus)
                    .containsExactly(null, 200));
        }
    }

    @Test
    void sendsTheDevicesAnAnswerLeftOutAgainTogetherAndKeepsTheOthersAnswers() throws Exception {
        try (ScriptedNetworkCloud cloud = new ScriptedNetworkCloud((exchange, request) ->
                ScriptedNetworkCloud.send(exchange, 200, ScriptedNetworkCloud.applied(request, 10)))) {
            TestBridge bridge = startBridgeOn(cloud, Map.of());
            bridge.drop("partial.json", Batches.document("partial-22",
                    "{\"kind\":\"bulk\",\"type\":\"exempt\",\"ids\":[" + ids("HW-", 0, 22) + "]}"));

            List<CommandRecord> done = awaitFinal(bridge, "partial-22", 22, Duration.ofSeconds(15));

            assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
            assertThat(cloud.requests).hasSize(2);
            assertThat(cloud.requests.get(1).path("ids").toString()).isEqualTo("[" + ids("HW-", 10, 12) + "]");
            assertThat(bridge.ledger().calls(done.get(0).id())).hasSize(1);
            assertThat(bridge.ledger().calls(done.get(21).id())).hasSize(2);
        }
    }

    private static final Map<String, String> SECOND_RETRY = Map.of("bridge.retry.initial-delay", "1s", "bridge.retry.max-delay", "2s");

    private TestBridge startBridgeOn(ScriptedNetworkCloud cloud, Map<String, String> extra) {
        startClouds(n -> n, h -> h);
        Map<String, String> p = new HashMap<>(extra);
        p.put("bridge.network.base-url", cloud.baseUrl());
        return startBridge("bridge", p);
    }

    /**
     * A network cloud of the test's own, for answers the simulator does not give: the first call is
     * answered as scripted, every later one applies each device sent ({@code 1}).
     */
    private static final class ScriptedNetworkCloud implements AutoCloseable {

        interface FirstAnswer {
            void send(HttpExchange exchange, JsonNode request) throws Exception;
        }

        final List<JsonNode> requests = new CopyOnWriteArrayList<>();
        private final HttpServer server;
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final FirstAnswer first;

        ScriptedNetworkCloud(FirstAnswer first) throws IOException {
            this.first = first;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(threads);
            server.createContext("/network/v3/devices/action", this::handle);
            server.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/network";
        }

        private void handle(HttpExchange exchange) {
            try (exchange) {
                JsonNode request = TestBridge.json(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                requests.add(request);
                if (requests.size() == 1) {
                    first.send(exchange, request);
                } else {
                    send(exchange, 200, applied(request, Integer.MAX_VALUE));
                }
            } catch (Exception e) {
                // the bridge stopped waiting: nothing to answer to
            }
        }

        /** The answer that the first {@code howMany} devices of the request were applied; the others left out. */
        static String applied(JsonNode request, int howMany) {
            StringBuilder answer = new StringBuilder("{");
            for (int i = 0; i < Math.min(howMany, request.path("ids").size()); i++) {
                answer.append(i == 0 ? "" : ",").append('"').append(request.path("ids").get(i).asText()).append("\":1");
            }
            return answer.append('}').toString();
        }

        static void send(HttpExchange exchange, int status, String json) throws IOException {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("X-Request-ID", "scripted-" + System.nanoTime());
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
