package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.ledger.CommandRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.devicebridge.ledger.CommandState.INITIATED;
import static org.devicebridge.ledger.CommandState.QUEUED;
import static org.devicebridge.ledger.CommandState.SUCCESS;

/**
 * The two-step action end to end with the ledger on PostgreSQL, each test in a fresh schema.
 * Skipped when PostgreSQL is not reachable, unless {@code CI=true}.
 */
class PostgresFlowTest extends AccessFlowTestSupport {

    private String schema;

    @BeforeEach
    void freshSchema() {
        PostgresAvailability.assumeAvailable();
        schema = PostgresAvailability.freshSchema();
    }

    @AfterEach
    void dropSchema() {
        if (schema != null) {
            stopAll(); // the bridge lets go of the schema first
            PostgresAvailability.dropSchema(schema);
        }
    }

    private Map<String, String> onPostgres() {
        return PostgresAvailability.ledgerIn(schema);
    }

    @Test
    void appliesCredentialsToEveryDeviceOfADroppedBatch() {
        startBridge(s -> s, onPostgres());
        bridge.drop("hr-sync.json", Batches.document("hr-sync-1",
                Batches.credentials("a1", "door-1"), Batches.credentials("a2", "door-2", "c0ffee")));

        List<CommandRecord> done = awaitFinal("hr-sync-1", 2);

        assertThat(done).extracting(CommandRecord::state).containsOnly(SUCCESS);
        assertThat(done).extracting(CommandRecord::vendorStatus).containsOnly("RESOLVED");
        assertThat(path(bridge, done.get(0).id())).startsWith(QUEUED, INITIATED).endsWith(SUCCESS);
        assertThat(cloud.appliedFor("door-2").path("credentials").get(0).path("id").asText())
                .isEqualTo("C0FFEEFFFFFFFFFFFFFFFFFFFFFFFFFF");
        assertThat(cloud.createCount("door-1")).isEqualTo(1);
    }

    @Test
    void writesResultLinesAndSummaryOnceTheBatchIsFinished() throws Exception {
        startBridge(s -> s, onPostgres());
        bridge.drop("nightly.json", Batches.document("nightly-1",
                Batches.credentials("front", "door-1"), Batches.credentials("back", "door-2")));
        awaitFinal("nightly-1", 2);

        await().until(() -> Files.exists(bridge.outbox().resolve("nightly.summary.json")));
        List<JsonNode> results = bridge.jsonLines(bridge.outbox().resolve("nightly.results.jsonl"));
        assertThat(results).extracting(r -> r.path("action_id").asText()).containsExactly("front", "back");
        assertThat(results.get(0).path("state").asText()).isEqualTo(SUCCESS.label());
        assertThat(results.get(0).path("vendor_request_ids")).isNotEmpty();
        JsonNode summary = TestBridge.json(Files.readString(bridge.outbox().resolve("nightly.summary.json")));
        assertThat(summary.path("request_id").asText()).isEqualTo("nightly-1");
        assertThat(summary.path("succeeded").asInt()).isEqualTo(2);
        assertThat(bridge.commandStore().request("nightly-1")).hasValueSatisfying(r -> assertThat(r.reportedAt()).isNotNull());
    }
}
