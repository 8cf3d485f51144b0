package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.ledger.CommandRecord;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.devicebridge.ledger.CommandState.CANCELLED;
import static org.devicebridge.ledger.CommandState.FAILURE;
import static org.devicebridge.ledger.CommandState.INITIATED;
import static org.devicebridge.ledger.CommandState.SUCCESS;

/**
 * Each upload replaces a door's whole credentials-and-schedules database: at most one action per
 * door is open in the cloud at a time, a newer document supersedes older ones nothing was sent
 * for yet, and what the door holds is read back and compared with the upload before the command
 * ends. Over real HTTP with the simulator, which tells how many actions of a door it saw open at once.
 */
class OneActionPerDeviceTest extends AccessFlowTestSupport {

    private static final String OLD_ID = "A0A0A0A0";
    private static final String NEW_ID = "B1B1B1B1";

    @Test
    void twoRequestsForTheSameFiftyDoorsNeverOpenTwoActionsOnADoorAndEveryDoorEndsWithTheNewerDocument() {
        startBridge();
        List<String> doors = IntStream.rangeClosed(1, 50).mapToObj(i -> "race-door-" + i).toList();
        bridge.drop("hourly-hr-sync.json", Batches.document("hr-sync-older",
                doors.stream().map(d -> Batches.credentials("old-" + d, d, OLD_ID)).toArray(String[]::new)));
        await().atMost(Duration.ofSeconds(20)).until(() -> bridge.commands("hr-sync-older").size() == 50);
        bridge.drop("manual-fix.json", Batches.document("manual-fix-newer",
                doors.stream().map(d -> Batches.credentials("new-" + d, d, NEW_ID)).toArray(String[]::new)));

        List<CommandRecord> newer = awaitFinal("manual-fix-newer", 50, Duration.ofSeconds(60));
        List<CommandRecord> older = awaitFinal("hr-sync-older", 50, Duration.ofSeconds(60));

        assertThat(newer).extracting(CommandRecord::state).containsOnly(SUCCESS);
        for (String door : doors) {
            assertThat(cloud.mostOpenAtOnce(door)).as("actions of %s open at once", door).isEqualTo(1);
            assertThat(cloud.appliedFor(door).path("credentials").get(0).path("id").asText()).as(door)
                    .isEqualTo(NEW_ID + "F".repeat(24));
        }
        // the older document either ran first (to its end) or was superseded by the newer one before anything was sent
        for (CommandRecord c : older) {
            String newerId = newer.stream().filter(n -> n.device().equals(c.device())).findFirst().orElseThrow().id();
            assertThat(c.state()).isIn(SUCCESS, CANCELLED);
            if (c.state() == CANCELLED) {
                assertThat(c.reason()).contains("superseded by command " + newerId);
            }
        }
    }

    @Test
    void aNewerDocumentSupersedesAnOlderOneNotYetSentNamingIt() {
        // the door stays busy with the first document long enough for the second and the third to be taken in
        // behind it, also on a loaded machine (with 2 s the first could finish before the third was read)
        startBridge(s -> s.processingDelay(Duration.ofSeconds(6)), Map.of());
        bridge.drop("first.json", Batches.document("door-first", Batches.credentials("first", "busy-door", "0000000A")));
        await().atMost(Duration.ofSeconds(20)).until(() -> bridge.commands("door-first").stream()
                .anyMatch(c -> c.state().rank() >= INITIATED.rank()));
        bridge.drop("second.json", Batches.document("door-second", Batches.credentials("second", "busy-door", "0000000B")));
        await().atMost(Duration.ofSeconds(20)).until(() -> bridge.commands("door-second").size() == 1);
        bridge.drop("third.json", Batches.document("door-third", Batches.credentials("third", "busy-door", "0000000C")));

        CommandRecord third = awaitFinal("door-third", 1).get(0);
        CommandRecord second = awaitFinal("door-second", 1).get(0);
        CommandRecord first = awaitFinal("door-first", 1).get(0);

        assertThat(first.state()).isEqualTo(SUCCESS);
        assertThat(second.state()).isEqualTo(CANCELLED);
        assertThat(second.reason()).contains("superseded by command " + third.id()).contains("nothing was sent");
        assertThat(bridge.callLog().calls(second.id())).isEmpty();
        assertThat(third.state()).isEqualTo(SUCCESS);
        assertThat(cloud.createCount("busy-door")).isEqualTo(2);
        assertThat(cloud.mostOpenAtOnce("busy-door")).isEqualTo(1);
        assertThat(cloud.appliedFor("busy-door").path("credentials").get(0).path("id").asText()).startsWith("0000000C");
    }

    @Test
    void inOrderRunsEveryDocumentOneAfterTheOther() {
        startBridge(s -> s.processingDelay(Duration.ofMillis(500)), Map.of("bridge.access.per-device", "in-order"));
        bridge.drop("a.json", Batches.document("in-order-a", Batches.credentials("a", "queue-door", "0000000A")));
        await().atMost(Duration.ofSeconds(20)).until(() -> bridge.commands("in-order-a").size() == 1);
        bridge.drop("b.json", Batches.document("in-order-b", Batches.credentials("b", "queue-door", "0000000B")));
        await().atMost(Duration.ofSeconds(20)).until(() -> bridge.commands("in-order-b").size() == 1);
        bridge.drop("c.json", Batches.document("in-order-c", Batches.credentials("c", "queue-door", "0000000C")));

        assertThat(awaitFinal("in-order-c", 1).get(0).state()).isEqualTo(SUCCESS);
        assertThat(awaitFinal("in-order-b", 1).get(0).state()).isEqualTo(SUCCESS);
        assertThat(awaitFinal("in-order-a", 1).get(0).state()).isEqualTo(SUCCESS);
        assertThat(cloud.createCount("queue-door")).isEqualTo(3);
        assertThat(cloud.mostOpenAtOnce("queue-door")).isEqualTo(1);
        assertThat(cloud.appliedFor("queue-door").path("credentials").get(0).path("id").asText()).startsWith("0000000C");
    }

    @Test
    void confirmsEachResultOnTheDeviceAndCountsItInTheSummary() throws Exception {
        sharedBridge();
        bridge.drop("confirm.json", Batches.document("confirm-1",
                Batches.credentials("a", "confirm-door-1", "abc"), Batches.credentials("b", "confirm-door-2")));

        List<CommandRecord> done = awaitFinal("confirm-1", 2);

        assertThat(done).extracting(CommandRecord::state).containsOnly(SUCCESS);
        assertThat(bridge.callLog().calls(done.get(0).id())).extracting(call -> call.operation()).endsWith("read-back");
        await().until(() -> Files.exists(bridge.outbox().resolve("confirm.summary.json")));
        JsonNode summary = TestBridge.json(Files.readString(bridge.outbox().resolve("confirm.summary.json")));
        assertThat(summary.path("confirmed").asInt()).isEqualTo(2);
        assertThat(summary.has("simulated")).isFalse();
    }

    @Test
    void aDoorHoldingLessThanUploadedEndsFailureSayingWhatDiffersNeverTheValues() {
        sharedBridge();
        awaitEarlierTestsDone();
        cloud.setDeviceCapacity(1);   // the door keeps one credential; the cloud still says RESOLVED
        try {
            bridge.drop("full-door.json", Batches.document("full-door-1", """
                    {"kind":"credentials","id":"two","device":"full-door","payload":{"credentials":[
                    {"id":"1a","holder":"Ada Lovelace","schedule_ids":["office"]},
                    {"id":"2b","holder":"Grace Hopper","schedule_ids":["office"]}],
                    "schedules":[{"id":"office","timezone":"Europe/Berlin","intervals":[{"days":["MON"],"start":"08:00","end":"18:00"}]}]}}"""));

            CommandRecord c = awaitFinal("full-door-1", 1).get(0);

            assertThat(c.state()).isEqualTo(FAILURE);
            assertThat(c.vendorStatus()).isEqualTo("RESOLVED");
            assertThat(c.reason()).contains("does not hold the document uploaded")
                    .contains("the device holds 1 credentials and 1 schedules, the document uploaded 2 and 1")
                    .contains("credential 2BFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF missing on the device")
                    .doesNotContain("Grace").doesNotContain("Ada");
        } finally {
            cloud.setDeviceCapacity(Integer.MAX_VALUE);
        }
    }

    @Test
    void withReadBackOffResolvedIsSuccessOnTheCloudsWord() {
        startBridge(s -> s, Map.of("bridge.access.read-back", "false"));
        bridge.drop("trust.json", Batches.document("trust-1", Batches.credentials("a", "trust-door")));

        CommandRecord c = awaitFinal("trust-1", 1).get(0);

        assertThat(c.state()).isEqualTo(SUCCESS);
        assertThat(bridge.callLog().calls(c.id())).extracting(call -> call.operation()).doesNotContain("read-back");
    }
}
