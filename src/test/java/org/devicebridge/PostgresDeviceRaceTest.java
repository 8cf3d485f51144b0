package org.devicebridge;

import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.access.AccessCloudSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.devicebridge.ledger.CommandState.CANCELLED;
import static org.devicebridge.ledger.CommandState.SUCCESS;

/**
 * Two bridge instances on one PostgreSQL ledger, each taking in a document for the same doors at
 * the same moment: both claim from the one work queue, and still no door ever has two actions open
 * in the cloud at once, and every door ends with the document taken in last. Skipped when
 * PostgreSQL is not reachable, unless {@code CI=true}.
 */
class PostgresDeviceRaceTest {

    @TempDir
    Path dir;

    private SimulatorServer server;
    private TestBridge first;
    private TestBridge second;
    private String schema;

    @AfterEach
    void stopAll() {
        for (TestBridge b : new TestBridge[] {first, second}) {
            if (b != null) {
                b.close();
            }
        }
        if (server != null) {
            server.close();
        }
        if (schema != null) {
            PostgresAvailability.dropSchema(schema);
        }
    }

    @Test
    void twoInstancesRacingForTheSameDoorsNeverOpenTwoActionsOnADoor() {
        PostgresAvailability.assumeAvailable();
        schema = PostgresAvailability.freshSchema();
        server = SimulatorServer.start(0);
        AccessCloudSimulator cloud = server.addAccessCloud(AccessCloudSettings.builder(TestBridge.API_KEY)
                .processingDelay(Duration.ofMillis(300)).build());   // no webhooks: two instances, polling finds out
        first = TestBridge.in(dir.resolve("first"), server.baseUrl() + "/access", PostgresAvailability.ledgerIn(schema)).start();
        second = TestBridge.in(dir.resolve("second"), server.baseUrl() + "/access", PostgresAvailability.ledgerIn(schema)).start();
        List<String> doors = IntStream.rangeClosed(1, 10).mapToObj(i -> "pg-race-door-" + i).toList();

        first.drop("from-first.json", Batches.document("race-first",
                doors.stream().map(d -> Batches.credentials("first-" + d, d, "0000000A")).toArray(String[]::new)));
        second.drop("from-second.json", Batches.document("race-second",
                doors.stream().map(d -> Batches.credentials("second-" + d, d, "0000000B")).toArray(String[]::new)));

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() ->
                allFinal(first.commands("race-first"), doors.size()) && allFinal(first.commands("race-second"), doors.size()));
        List<CommandRecord> all = new java.util.ArrayList<>(first.commands("race-first"));
        all.addAll(first.commands("race-second"));

        // each either ran (one after the other) or was superseded before anything was sent for it
        assertThat(all).extracting(CommandRecord::state).allSatisfy(state -> assertThat(state).isIn(SUCCESS, CANCELLED));
        for (String door : doors) {
            assertThat(cloud.mostOpenAtOnce(door)).as("actions of %s open at once", door).isEqualTo(1);
            List<CommandRecord> ofDoor = all.stream().filter(c -> c.device().equals(door)).toList();
            CommandRecord newest = ofDoor.stream().max(java.util.Comparator.comparing(CommandRecord::createdAt)
                    .thenComparing(CommandRecord::requestId)).orElseThrow();
            assertThat(newest.state()).as(door).isEqualTo(SUCCESS);
            String expected = newest.requestId().equals("race-first") ? "0000000A" : "0000000B";
            assertThat(cloud.appliedFor(door).path("credentials").get(0).path("id").asText()).as(door).startsWith(expected);
        }
    }

    private static boolean allFinal(List<CommandRecord> commands, int expected) {
        return commands.size() == expected && commands.stream().allMatch(c -> c.state().isFinal());
    }
}
