package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.simulator.network.NetworkCloudSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bulk actions on the network cloud: per-device results, chunks of 100, MAC normalisation,
 * pre-flight. The tests share one bridge, with request ids and file names of their own, and each
 * starts once the earlier ones are done, so that it may count the network cloud's calls or make it
 * fail its next ones.
 */
class BulkActionFlowTest extends AllCloudsTestSupport {

    /** The tests make a dozen calls, more than the real cloud's 10 a minute: here bridge and cloud allow 100 (NetworkRateLimitTest tests the limit). */
    @Override
    Map<String, String> sharedBridgeProperties() {
        return Map.of("bridge.network.rate-limit", "100", "bridge.network.rate-window", "1m");
    }

    @Override
    NetworkCloudSettings.Builder sharedNetworkCloud(NetworkCloudSettings.Builder settings) {
        return settings.rateLimit(100, Duration.ofMinutes(1));
    }

    @BeforeEach
    void earlierTestsDone() {
        awaitEarlierTestsDone();
    }

    @Test
    void recordsEachDevicesAnswerAsItsOwnCommand() {
        TestBridge bridge = sharedBridge();
        long callsBefore = network.requestCount();
        bridge.drop("bulk.json", Batches.document("bulk-1",
                "{\"kind\":\"bulk\",\"id\":\"ex\",\"type\":\"exempt\",\"ids\":[\"HW-1\",\"legacy-2\",\"unknown-3\"],\"params\":{\"exempt_time\":24}}"));

        Map<String, CommandRecord> byDevice = awaitFinal(bridge, "bulk-1", 3, Duration.ofSeconds(15)).stream()
                .collect(Collectors.toMap(CommandRecord::device, c -> c));

        assertThat(byDevice.get("HW-1").state()).isEqualTo(CommandState.SUCCESS);
        assertThat(byDevice.get("legacy-2").state()).isEqualTo(CommandState.FAILURE);
        assertThat(byDevice.get("legacy-2").reason()).isEqualTo("not supported");
        assertThat(byDevice.get("unknown-3").state()).isEqualTo(CommandState.FAILURE);
        assertThat(byDevice.get("unknown-3").reason()).isEqualTo("failed");
        assertThat(network.requestCount() - callsBefore).isEqualTo(1);
        assertThat(bridge.ledger().calls(byDevice.get("HW-1").id())).allSatisfy(c -> assertThat(c.vendorRequestId()).isNotBlank());
    }

    @Test
    void logsOneLinePerCallWithItsOutcomeCountsAndEachDeviceOnlyAtDebug() throws Exception {
        TestBridge bridge = sharedBridge();
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
        TestBridge bridge = sharedBridge(n -> n.latency(Duration.ofSeconds(5)), h -> h);
        bridge.drop("slow.json", Batches.document("slow-1",
                "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"deadline\":\"PT2S\",\"ids\":[\"HW-1\",\"HW-2\"]}"));

        List<CommandRecord> done = awaitFinal(bridge, "slow-1", 2, Duration.ofSeconds(20));

        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(done).extracting(CommandRecord::vendorStatus).containsOnly("1");
        assertThat(done.get(0).finishedAt()).as("answered after the deadline").isAfter(done.get(0).deadlineAt());
    }

    @Test
    void writesOneResultLinePerDevice() throws Exception {
        TestBridge bridge = sharedBridge();
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
        TestBridge bridge = sharedBridge();
        int callsBefore = network.requests().size();
        bridge.drop("big.json", Batches.document("big-1",
                "{\"kind\":\"bulk\",\"type\":\"unexempt\",\"ids\":[" + ids("HW-", 0, 250) + "]}"));

        List<CommandRecord> done = awaitFinal(bridge, "big-1", 250, Duration.ofSeconds(20));

        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(callsSince(callsBefore)).hasSize(3);
        assertThat(callsSince(callsBefore)).allSatisfy(r -> assertThat(r.path("ids").size()).isLessThanOrEqualTo(100));
    }

    @Test
    void sendsMacAddressesNormalised() {
        TestBridge bridge = sharedBridge();
        int callsBefore = network.requests().size();
        bridge.drop("macs.json", Batches.document("macs-1",
                "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"macs\":[\"AA-BB-CC-DD-EE-01\",\"aabb.ccdd.ee02\"]}"));

        List<CommandRecord> done = awaitFinal(bridge, "macs-1", 2, Duration.ofSeconds(15));

        assertThat(done).extracting(CommandRecord::device).containsExactly("aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02");
        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(callsSince(callsBefore).get(0).path("macs").toString()).isEqualTo("[\"aa:bb:cc:dd:ee:01\",\"aa:bb:cc:dd:ee:02\"]");
    }

    @Test
    void neverSendsAnInvalidBulkAction() {
        TestBridge bridge = sharedBridge();
        long callsBefore = network.requestCount();
        bridge.drop("bad.json", Batches.document("bad-1",
                "{\"kind\":\"bulk\",\"type\":\"exempt\",\"ids\":[\"HW-1\"],\"params\":{\"exempt_time\":65000}}",
                "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"macs\":[\"not-a-mac\"]}"));

        List<CommandRecord> done = awaitFinal(bridge, "bad-1", 2, Duration.ofSeconds(15));

        assertThat(done).allSatisfy(c -> assertThat(c.invalid()).isTrue());
        assertThat(done.get(0).reason()).contains("params.exempt_time");
        assertThat(done.get(1).reason()).contains("macs[0]");
        assertThat(network.requestCount()).isEqualTo(callsBefore);
    }

    @Test
    void retriesATransientFailureWithoutLosingTheChunk() {
        TestBridge bridge = sharedBridge();
        network.failNextCalls(1, 503);
        bridge.drop("retry.json", Batches.document("retry-1", "{\"kind\":\"bulk\",\"type\":\"delete\",\"ids\":[\"HW-1\",\"HW-2\"]}"));

        List<CommandRecord> done = awaitFinal(bridge, "retry-1", 2, Duration.ofSeconds(15));

        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(bridge.ledger().calls(done.get(0).id())).extracting(c -> c.httpStatus()).containsExactly(503, 200);
    }

    @Test
    void honoursRetryAfterOfA429WithoutLosingTheChunk() {
        TestBridge bridge = sharedBridge();
        network.failNextCalls(1, 429);
        bridge.drop("busy.json", Batches.document("busy-1", "{\"kind\":\"bulk\",\"type\":\"delete\",\"ids\":[\"HW-1\",\"HW-2\"]}"));

        List<CommandRecord> done = awaitFinal(bridge, "busy-1", 2, Duration.ofSeconds(15));

        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        var calls = bridge.ledger().calls(done.get(1).id());
        assertThat(calls).extracting(c -> c.httpStatus()).containsExactly(429, 200);
        assertThat(Duration.between(calls.get(0).at(), calls.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    /** The network cloud's admitted calls after the first {@code before}. */
    private List<JsonNode> callsSince(int before) {
        List<JsonNode> all = network.requests();
        return all.subList(before, all.size());
    }
}
