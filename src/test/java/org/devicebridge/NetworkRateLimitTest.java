package org.devicebridge;

import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.ledger.RequestRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The network cloud's rate limit is never exceeded, whatever triggers and instances produce the
 * work and however long the ledger writes before a call take: shortened windows (10 calls per 2 s,
 * or 8 s, the bridge adding a 500 ms margin) stand in for the real 10 per minute, and the
 * simulator's own clock judges.
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
    void neverExceedsTheWindowWhenTheLedgerWritesBeforeACallAreSlow() {
        startClouds(n -> n.rateLimit(10, Duration.ofSeconds(8)), h -> h);
        TestBridge bridge = startBridge("bridge", Map.of("bridge.network.rate-limit", "10", "bridge.network.rate-window", "8s",
                "bridge.network.rate-margin", "500ms", "bridge.network.chunk-size", "10"));
        // The first chunk's Command Initiated writes take 3 s, six times the margin (the audit saw 2-4 s
        // under load); the nine calls after it go as fast as the bridge can. Were the slot timed when
        // the chunk was claimed, the eleventh call would follow the first by 5.5 s, within the 8 s window.
        AtomicBoolean slowed = new AtomicBoolean();
        bridge.context().getRegistry().lookupByNameAndType("transitions", LedgerTransitions.class).onStateChanged(e -> {
            if (e.change().to() == CommandState.INITIATED && slowed.compareAndSet(false, true)) {
                slowLedgerWrite(Duration.ofSeconds(3));
            }
        });

        bridge.drop("slow.json", Batches.document("slow", "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[" + ids("S-", 0, 150) + "]}"));

        List<CommandRecord> done = awaitFinal(bridge, "slow", 150, Duration.ofSeconds(30));
        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(network.requestCount()).isEqualTo(15);
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

    /** Stands in for a database slow under load, inside the chunk's ledger writes: a fault, not a wait for an outcome. */
    private static void slowLedgerWrite(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
