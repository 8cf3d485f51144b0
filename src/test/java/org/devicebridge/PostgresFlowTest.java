package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.ledger.CommandRecord;
import org.junit.jupiter.api.AfterAll;
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
 * The two-step action end to end with the ledger on PostgreSQL: the tests share one bridge on a
 * fresh schema, each with a request and devices of its own. Skipped when PostgreSQL is not
 * reachable, unless {@code CI=true}.
 */
class PostgresFlowTest extends AccessFlowTestSupport {

    private String schema;

    @BeforeEach
    void freshSchemaForTheClass() {
        PostgresAvailability.assumeAvailable(); // here, not in @BeforeAll: a skip then shows on every test, with its reason
        if (schema == null) {
            schema = PostgresAvailability.freshSchema();
        }
    }

    @AfterAll
    void dropSchema() {
        stopShared(); // the bridge lets go of the schema first
        if (schema != null) {
            PostgresAvailability.dropSchema(schema);
        }
    }

    @Override
    Map<String, String> sharedBridgeProperties() {
        return PostgresAvailability.ledgerIn(schema);
    }

    @Test
    void appliesCredentialsToEveryDeviceOfADroppedBatch() {
        sharedBridge();
        bridge.drop("hr-sync.json", Batches.document("hr-sync-1",
                Batches.credentials("a1", "hr-door-1"), Batches.credentials("a2", "hr-door-2", "c0ffee")));

        List<CommandRecord> done = awaitFinal("hr-sync-1", 2);

        assertThat(done).extracting(CommandRecord::state).containsOnly(SUCCESS);
        assertThat(done).extracting(CommandRecord::vendorStatus).containsOnly("RESOLVED");
        assertThat(path(bridge, done.get(0).id())).startsWith(QUEUED, INITIATED).endsWith(SUCCESS);
        assertThat(cloud.appliedFor("hr-door-2").path("credentials").get(0).path("id").asText())
                .isEqualTo("C0FFEEFFFFFFFFFFFFFFFFFFFFFFFFFF");
        assertThat(cloud.createCount("hr-door-1")).isEqualTo(1);
    }

    @Test
    void writesResultLinesAndSummaryOnceTheBatchIsFinished() throws Exception {
        sharedBridge();
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
        // marked reported in the ledger once its files are written
        await().untilAsserted(() -> assertThat(bridge.commandStore().request("nightly-1"))
                .hasValueSatisfying(r -> assertThat(r.reportedAt()).isNotNull()));
    }
}
