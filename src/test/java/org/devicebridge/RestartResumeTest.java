package org.devicebridge;

import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A bridge stopped while its actions are pending on the device, and started again on the same
 * ledger, resumes polling and finishes them, without creating or uploading anything twice.
 */
class RestartResumeTest extends AccessFlowTestSupport {

    @Test
    void resumesPollingAfterRestartWithoutSecondCreateOrUpload() {
        // no webhooks: only the ledger's polling can finish the actions after the restart
        startBridge(s -> s.processingDelay(Duration.ofSeconds(3)).webhook(null, null), TestBridge.ledgerFile(dir));
        bridge.drop("restart.json", Batches.document("restart-1",
                Batches.credentials("a", "door-1"), Batches.credentials("b", "door-2"), Batches.credentials("c", "door-3")));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            List<CommandRecord> cs = bridge.commands("restart-1");
            return cs.size() == 3 && cs.stream().allMatch(c -> c.state().rank() >= CommandState.ACKNOWLEDGED.rank());
        });
        assertThat(bridge.commands("restart-1")).noneMatch(c -> c.state().isFinal());

        bridge.stop();
        bridge.start();

        List<CommandRecord> done = awaitFinal("restart-1", 3);
        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        for (CommandRecord c : done) {
            assertThat(cloud.createCount(c.device())).as("creates for %s", c.device()).isEqualTo(1);
            assertThat(cloud.uploadCount(c.vendorRef())).as("uploads for %s", c.device()).isEqualTo(1);
        }
    }

    @Test
    void finishesRequestStartedBeforeRestartWithItsResultFiles() {
        startBridge(s -> s.processingDelay(Duration.ofSeconds(2)).webhook(null, null), TestBridge.ledgerFile(dir));
        bridge.drop("before.json", Batches.document("before-1", Batches.credentials("a", "door-9")));
        await().atMost(Duration.ofSeconds(10)).until(() -> bridge.commands("before-1").stream()
                .anyMatch(c -> c.state() == CommandState.ACKNOWLEDGED || c.state() == CommandState.IN_PROGRESS));

        bridge.stop();
        bridge.start();

        awaitFinal("before-1", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> bridge.outbox().resolve("before.summary.json").toFile().exists());
        assertThat(bridge.jsonLines(bridge.outbox().resolve("before.results.jsonl")))
                .extracting(n -> n.path("state").asText()).containsExactly("Command Success");
    }
}
