package org.devicebridge;

import org.devicebridge.access.AccessCloudAdapter;
import org.devicebridge.intake.ActionIntake;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.NewCommand;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A process that dies between sending a call and recording its answer must not, after restart,
 * create a second action or upload twice: the bridge first finds out what happened.
 */
class LostAnswerRecoveryTest extends AccessFlowTestSupport {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void adoptsTheActionWhoseCreateAnswerWasLostInsteadOfCreatingAnother() throws Exception {
        startBridge(s -> s.webhook(null, null), Map.of());
        // what the cloud saw before the "crash": the create arrived, its answer never got recorded
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(cloud.baseUrl() + "/v1/devices/door-5/actions"))
                .header("Authorization", "Bearer " + TestBridge.API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"UPDATE_CREDENTIALS_AND_SCHEDULES\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(201);
        String lostActionId = TestBridge.json(created.body()).path("id").asText();

        String commandId = recordCommandIn(AccessCloudAdapter.CREATE_SENT, "door-5");

        CommandRecord done = awaitFinal("lost-1", 1).get(0);
        assertThat(done.state()).isEqualTo(CommandState.SUCCESS);
        assertThat(done.vendorRef()).isEqualTo(lostActionId);
        assertThat(cloud.createCount("door-5")).isEqualTo(1);
        assertThat(bridge.ledger().calls(commandId)).extracting(c -> c.operation()).first().isEqualTo("find-lost-action");
    }

    @Test
    void createsTheActionWhenTheLostCreateNeverReachedTheCloud() {
        startBridge(s -> s.webhook(null, null), Map.of());

        recordCommandIn(AccessCloudAdapter.CREATE_SENT, "door-6");

        assertThat(awaitFinal("lost-1", 1).get(0).state()).isEqualTo(CommandState.SUCCESS);
        assertThat(cloud.createCount("door-6")).isEqualTo(1);
    }

    @Test
    void looksAgainWhenTheLookupAnswerCameGarbledAndThenAdoptsTheAction() throws Exception {
        startBridge(s -> s.webhook(null, null), Map.of());
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(cloud.baseUrl() + "/v1/devices/door-7/actions"))
                .header("Authorization", "Bearer " + TestBridge.API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"UPDATE_CREDENTIALS_AND_SCHEDULES\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        String lostActionId = TestBridge.json(created.body()).path("id").asText();
        cloud.garbleNextAnswers(1);   // the bridge's lookup of the lost action

        String commandId = recordCommandIn(AccessCloudAdapter.CREATE_SENT, "door-7");

        CommandRecord done = awaitFinal("lost-1", 1).get(0);
        assertThat(done.state()).isEqualTo(CommandState.SUCCESS);
        assertThat(done.vendorRef()).isEqualTo(lostActionId);
        assertThat(cloud.createCount("door-7")).isEqualTo(1);
        assertThat(bridge.ledger().calls(commandId)).extracting(c -> c.operation())
                .startsWith("find-lost-action", "find-lost-action", "upload-payload");
        assertThat(bridge.ledger().calls(commandId).get(0).error()).contains("answer unreadable");
    }

    /** A command as the ledger holds it after a crash mid-call: in the given phase, due now. */
    private String recordCommandIn(String phase, String device) {
        Ledger ledger = bridge.ledger();
        ledger.openRequest("lost-1", "file", "lost.json");
        String id = ActionIntake.commandId("lost-1", 0, 0);
        String payload = TestBridge.json(Batches.credentials("a", device)).path("payload").toString()
                .replace("1a2b3c4d", "1A2B3C4DFFFFFFFFFFFFFFFFFFFFFFFF");
        ledger.recordCommand(new NewCommand(id, "lost-1", 0, 0, "line 1", "a", "credentials", device, CommandState.QUEUED,
                payload, phase, ledger.now(), ledger.now().plus(Duration.ofMinutes(5)), null));
        ledger.completeIntake("lost-1");
        return id;
    }
}
