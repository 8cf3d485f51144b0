package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.devicebridge.ledger.CommandState.ACKNOWLEDGED;
import static org.devicebridge.ledger.CommandState.INITIATED;
import static org.devicebridge.ledger.CommandState.IN_PROGRESS;
import static org.devicebridge.ledger.CommandState.QUEUED;
import static org.devicebridge.ledger.CommandState.SUCCESS;

/**
 * The two-step action end to end: file drop -> create -> upload -> resolution -> result files. The
 * tests share one bridge, with request ids, devices and file names of their own.
 */
class TwoStepActionFlowTest extends AccessFlowTestSupport {

    @Test
    void appliesCredentialsToEveryDeviceOfADroppedBatch() {
        sharedBridge();
        bridge.drop("hr-sync.json", Batches.document("hr-sync-1",
                Batches.credentials("a1", "hr-door-1"), Batches.credentials("a2", "hr-door-2", "c0ffee")));

        List<CommandRecord> done = awaitFinal("hr-sync-1", 2);

        assertThat(done).extracting(CommandRecord::state).containsOnly(SUCCESS);
        assertThat(done).extracting(CommandRecord::vendorStatus).containsOnly("RESOLVED");
        assertThat(cloud.appliedFor("hr-door-2").path("credentials").get(0).path("id").asText())
                .isEqualTo("C0FFEEFFFFFFFFFFFFFFFFFFFFFFFFFF");
        assertThat(cloud.createCount("hr-door-1")).isEqualTo(1);
        assertThat(cloud.uploadsWithAuthorizationHeader()).isZero();
    }

    @Test
    void recordsEveryStateOfTheActionInOrder() {
        sharedBridge(s -> s.webhookDuplicateShare(0));
        bridge.drop("one.json", Batches.document("order-1", Batches.credentials("a1", "door-7")));

        CommandRecord c = awaitFinal("order-1", 1).get(0);

        assertThat(path(bridge, c.id())).containsExactly(QUEUED, INITIATED, ACKNOWLEDGED, IN_PROGRESS, SUCCESS);
        List<String> calls = bridge.callLog().calls(c.id()).stream().map(call -> call.operation()).toList();
        // polls until a poll or the cloud's webhook says RESOLVED (a webhook may come before the first poll: none then)
        assertThat(calls).startsWith("create-action", "upload-payload").endsWith("read-back");
        assertThat(calls.subList(2, calls.size() - 1)).allSatisfy(op -> assertThat(op).isEqualTo("poll-action"));
        assertThat(bridge.callLog().calls(c.id())).allSatisfy(call -> assertThat(call.vendorRequestId()).isNotBlank());
    }

    @Test
    void theUploadAfterItsCreateIsTakenWithTheCreatesOutcomeMarkedSentAndMadeAtOnce() {
        // a dispatcher that looks for due steps every 5 s only (after a look that found work, once more at once): the
        // upload following its create within 2 s is not its doing
        startBridge(s -> s.webhook(null, null), Map.of("bridge.access.tick", "5000"));
        CountDownLatch uploads = cloud.holdUploads();
        CommandRecord c;
        try {
            bridge.drop("chained.json", Batches.document("chained-1", Batches.credentials("a1", "chained-door-1")));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> bridge.commands("chained-1").stream().anyMatch(x -> x.state() == INITIATED));
            c = bridge.commands("chained-1").get(0);
            JdbcTemplate jdbc = new JdbcTemplate(bridge.context()
                    .getRegistry().lookupByNameAndType("ledgerDataSource", DataSource.class));

            // the create's outcome took the upload as a claim would, and the upload is out (held by the cloud)
            await().atMost(Duration.ofSeconds(2)).until(() -> cloud.heldUploads() == 1);
            Map<String, Object> row = jdbc.queryForMap(
                    "SELECT phase, lease_owner, lease_until FROM bridge_command WHERE id = ?", c.id());
            assertThat(row.get("phase")).as("stored before the PUT left: a crash now polls, never uploads blindly")
                    .isEqualTo("UPLOAD_SENT");
            assertThat(row.get("lease_owner")).as("leased, as a claim leases").isNotNull();
            assertThat(row.get("lease_until")).isNotNull();
            assertThat(path(bridge, c.id())).containsExactly(QUEUED, INITIATED);
            assertThat(bridge.callLog().calls(c.id())).extracting(call -> call.operation()).containsExactly("create-action");
        } finally {
            uploads.countDown();
        }

        assertThat(awaitFinal("chained-1", 1, Duration.ofSeconds(30)).get(0).state()).isEqualTo(SUCCESS);
        assertThat(cloud.createCount("chained-door-1")).isEqualTo(1);
        assertThat(bridge.callLog().calls(c.id())).extracting(call -> call.operation())
                .startsWith("create-action", "upload-payload").endsWith("read-back");
    }

    @Test
    void writesResultLinesAndSummaryNamedAfterTheInput() throws Exception {
        sharedBridge();
        bridge.drop("nightly.json", Batches.document("nightly-1",
                Batches.credentials("front", "door-1"), Batches.credentials("back", "door-2")));
        awaitFinal("nightly-1", 2);

        await().until(() -> Files.exists(bridge.outbox().resolve("nightly.summary.json")));
        List<JsonNode> results = bridge.jsonLines(bridge.outbox().resolve("nightly.results.jsonl"));
        assertThat(results).extracting(r -> r.path("action_id").asText()).containsExactly("front", "back");
        assertThat(results.get(0).path("state").asText()).isEqualTo(CommandState.SUCCESS.label());
        assertThat(results.get(0).path("vendor_request_ids")).isNotEmpty();
        JsonNode summary = TestBridge.json(Files.readString(bridge.outbox().resolve("nightly.summary.json")));
        assertThat(summary.path("request_id").asText()).isEqualTo("nightly-1");
        assertThat(summary.path("total").asInt()).isEqualTo(2);
        assertThat(summary.path("succeeded").asInt()).isEqualTo(2);
        assertThat(summary.path("failed").asInt()).isZero();
    }

    @Test
    void archivesTheOriginalFileInDone() {
        sharedBridge();
        bridge.drop("keep-me.json", Batches.document("keep-1", Batches.credentials("a", "door-1")));
        awaitFinal("keep-1", 1);

        await().until(() -> Files.isDirectory(bridge.archive().resolve("done"))
                && Files.list(bridge.archive().resolve("done")).anyMatch(p -> p.getFileName().toString().endsWith("keep-me.json")));
        assertThat(bridge.inbox().resolve("keep-me.json")).doesNotExist();
    }
}
