package org.devicebridge;

import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.RequestRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The network cloud's rate limit is never exceeded, whatever triggers and instances produce the
 * work: a shortened window (10 calls per 2 s) stands in for the real 10 per minute.
 */
class NetworkRateLimitTest extends AllCloudsTestSupport {

    private static final Map<String, String> SHORT_WINDOW = Map.of(
            "bridge.network.rate-limit", "10", "bridge.network.rate-window", "2s", "bridge.network.rate-margin", "500ms");

    @Test
    void neverExceedsTheWindowWithTwoInstancesFedAtOnce() {
        startClouds(n -> n.rateLimit(10, Duration.ofSeconds(2)), h -> h);
        String sharedLedger = "jdbc:h2:file:" + dir.resolve("shared-ledger").toAbsolutePath();
        TestBridge first = startBridge("first", Map.of("bridge.db.url", sharedLedger, "bridge.network.rate-limit", "10",
                "bridge.network.rate-window", "2s", "bridge.network.rate-margin", "500ms"));
        TestBridge second = startBridge("second", Map.of("bridge.db.url", sharedLedger, "bridge.network.rate-limit", "10",
                "bridge.network.rate-window", "2s", "bridge.network.rate-margin", "500ms"));

        first.drop("a.json", Batches.document("rate-a", "{\"kind\":\"bulk\",\"type\":\"re_identify\",\"ids\":[" + ids("A-", 0, 1800) + "]}"));
        second.drop("b.json", Batches.document("rate-b", "{\"kind\":\"bulk\",\"type\":\"re_identify\",\"ids\":[" + ids("B-", 0, 1700) + "]}"));

        List<CommandRecord> a = awaitFinal(first, "rate-a", 1800, Duration.ofSeconds(40));
        List<CommandRecord> b = awaitFinal(first, "rate-b", 1700, Duration.ofSeconds(40));

        assertThat(a).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(b).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(network.requestCount()).as("calls of %s devices",
                network.requests().stream().map(r -> r.path("ids").size()).toList()).isEqualTo(35);
        assertThat(network.tooManyRequestsCount()).isZero();
        assertThat(network.maxRequestsInAnyWindow()).isLessThanOrEqualTo(10);
    }

    @Test
    void aSmallBatchIsNotStarvedByAHugeOne() {
        startClouds(n -> n.rateLimit(10, Duration.ofSeconds(2)), h -> h);
        TestBridge bridge = startBridge("bridge", SHORT_WINDOW);
        bridge.drop("huge.json", Batches.document("huge", "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[" + ids("H-", 0, 3000) + "]}"));
        org.awaitility.Awaitility.await().until(() -> network.requestCount() >= 3);

        bridge.drop("urgent.json", Batches.document("urgent", "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[\"U-1\"]}"));

        awaitFinal(bridge, "urgent", 1, Duration.ofSeconds(20));
        awaitFinal(bridge, "huge", 3000, Duration.ofSeconds(40));
        org.awaitility.Awaitility.await().until(() -> bridge.ledger().request("huge").orElseThrow().finishedAt() != null
                && bridge.ledger().request("urgent").orElseThrow().finishedAt() != null);
        RequestRecord urgent = bridge.ledger().request("urgent").orElseThrow();
        RequestRecord huge = bridge.ledger().request("huge").orElseThrow();
        assertThat(urgent.finishedAt()).isBefore(huge.finishedAt().minusSeconds(2));
        assertThat(network.maxRequestsInAnyWindow()).isLessThanOrEqualTo(10);
    }
}
