package org.devicebridge;

import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code bridge.jms.enabled=false}: a bridge without queues and without a broker, which still runs its file batches. */
class QueuesOffTest extends AccessFlowTestSupport {

    @Test
    void startsWithoutABrokerAndRunsAFileBatch() {
        startBridge(s -> s, Map.of("bridge.jms.enabled", "false"));

        bridge.drop("no-queues.json", Batches.document("no-queues-1",
                Batches.credentials("a1", "door-1"), Batches.credentials("a2", "door-2")));

        List<CommandRecord> done = awaitFinal("no-queues-1", 2);
        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(bridge.outbox().resolve("no-queues.summary.json")));
        assertThat(bridge.context().getRoute("intake-queue")).as("the intake queue's route").isNull();
        assertThat(bridge.context().getRoute("events-topic")).as("the events topic's route").isNull();
        assertThat(bridge.context().getRoute("intake-files")).as("the inbox's route").isNotNull();
        assertThat(dir.resolve("broker")).as("the embedded broker's journal").doesNotExist();
    }
}
