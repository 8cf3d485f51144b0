package org.devicebridge;

import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ledger's housekeeping routes in the running bridge (routes/engine/ledger-housekeeping.yaml):
 * a request past its retention leaves the ledger once reported and once the events topic has
 * published its events; its result files stay. The H2 file is compacted and synced alongside.
 */
class LedgerHousekeepingFlowTest extends AccessFlowTestSupport {

    @Test
    void aReportedRequestPastItsRetentionLeavesTheLedgerAndItsResultFilesStay() {
        startBridge(s -> s, Map.of("bridge.ledger.retention", "1s", "bridge.ledger.retention-check-interval", "200ms",
                "bridge.db.compact-interval", "300ms"));
        bridge.drop("short-lived.json", Batches.document("short-lived-1",
                Batches.credentials("a1", "door-1"), Batches.credentials("a2", "door-2")));
        awaitFinal("short-lived-1", 2);
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(bridge.outbox().resolve("short-lived.summary.json")));

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> bridge.commandStore().request("short-lived-1").isEmpty());

        assertThat(bridge.commands("short-lived-1")).isEmpty();
        assertThat(bridge.outbox().resolve("short-lived.results.jsonl")).exists();
        assertThat(bridge.outbox().resolve("short-lived.summary.json")).exists();
        for (String route : new String[] {"ledger-retention", "ledger-compaction", "ledger-sync"}) {
            assertThat(bridge.context().getRouteController().getRouteStatus(route)).as(route).isEqualTo(ServiceStatus.Started);
        }
    }
}
