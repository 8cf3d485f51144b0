package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The pull model over real HTTP: devices fetch their commands from {@code GET /v2/command-inbox/}
 * and report progress with {@code PUT /commands/v0/status/{id}/}; {@code not_before} holds a command
 * back, a deadline ends it, and only legal moves of the state machine are made.
 */
class CommandInboxTest extends StatusApiTestSupport {

    // ---------------------------------------------------------------- delivery

    @Test
    void deliversADevicesQueuedCommandAsCommandInitiated() {
        String device = unique("gw");
        String id = submitActions(unique("deliver"), command(device, "reboot")).get(0);

        HttpResponse<String> r = get(INBOX + "?device_id=" + device, DEVICE_TOKEN);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode delivered = content(r).path("commands");
        assertThat(content(r).path("device_id").asText()).isEqualTo(device);
        assertThat(delivered).hasSize(1);
        assertThat(delivered.get(0).path("id").asText()).isEqualTo(id);
        assertThat(delivered.get(0).path("command").asText()).isEqualTo("reboot");
        assertThat(delivered.get(0).path("state").asText()).isEqualTo("Command Initiated");
        assertThat(stateOf(id)).isEqualTo("Command Initiated");
    }

    @Test
    void deliversAlsoWithoutTheTrailingSlash() {
        String device = unique("gw");
        String id = submitActions(unique("deliver"), command(device, "reboot")).get(0);

        HttpResponse<String> r = get("/v2/command-inbox?device_id=" + device, DEVICE_TOKEN);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(content(r).path("commands").findValuesAsText("id")).containsExactly(id);
    }

    @Test
    void deliversTheOldestCommandFirst() {
        String device = unique("gw");
        List<String> first = submitActions(unique("older"), command(device, "update"), command(device, "configure"));
        String later = submitActions(unique("newer"), command(device, "reboot")).get(0);

        List<String> delivered = fetchInbox(device);

        assertThat(delivered).containsExactly(first.get(0), first.get(1), later);
    }

    @Test
    void redeliversCommandsDeliveredButNotYetAcknowledged() {
        String device = unique("gw");
        List<String> ids = submitActions(unique("again"), command(device, "update"), command(device, "reboot"));
        assertThat(fetchInbox(device)).containsExactlyElementsOf(ids);

        List<String> second = fetchInbox(device);

        assertThat(second).containsExactlyElementsOf(ids);
        assertThat(transitionsOf(ids.get(0))).containsExactly("Command Queued", "Command Initiated");   // delivered once, not moved again
    }

    @Test
    void stopsDeliveringACommandOnceTheDeviceAcknowledgedIt() {
        String device = unique("gw");
        List<String> ids = submitActions(unique("acked"), command(device, "update"), command(device, "reboot"));
        fetchInbox(device);
        assertThat(putState(ids.get(0), DEVICE_TOKEN, stateJson("Command Acknowledged")).statusCode()).isEqualTo(200);

        assertThat(fetchInbox(device)).containsExactly(ids.get(1));
    }

    @Test
    void neverShowsADeviceAnotherDevicesCommands() {
        String mine = unique("gw-mine");
        String other = unique("gw-other");
        List<String> ids = submitActions(unique("mixed"), command(mine, "reboot"), command(other, "reboot"),
                command(mine + "-suffix", "reboot"), command(mine.toUpperCase(), "reboot"));

        HttpResponse<String> r = get(INBOX + "?device_id=" + mine, DEVICE_TOKEN);

        assertThat(content(r).path("commands").findValuesAsText("id")).containsExactly(ids.get(0));
        assertThat(r.body()).doesNotContain(other).doesNotContain(ids.get(1)).doesNotContain(ids.get(2)).doesNotContain(ids.get(3));
        assertThat(stateOf(ids.get(1))).as("another device's command stays undelivered").isEqualTo("Command Queued");
    }

    @Test
    void answersAnEmptyInboxForADeviceWithNothingQueued() {
        assertThat(fetchInbox(unique("idle"))).isEmpty();
    }

    @Test
    void neverDeliversACloudCommand() {
        String device = unique("door");
        submitActions(unique("cloud"), Batches.credentials("c1", device));

        assertThat(fetchInbox(device)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {INBOX, INBOX + "?device_id=", INBOX + "?device_id=%20", INBOX + "?device=gw-1"})
    void requiresADeviceIdNamingIt(String pathAndQuery) {
        assertBadRequestNaming(get(pathAndQuery, DEVICE_TOKEN), "device_id");
    }

    // ---------------------------------------------------------------- status reports (PUT)

    @Test
    void followsTheDevicesReportsFromInitiatedToSuccess() {
        String device = unique("gw");
        String id = submitActions(unique("chain"), command(device, "update")).get(0);
        fetchInbox(device);

        for (String state : List.of("Command Acknowledged", "Command In Progress", "Command Success")) {
            HttpResponse<String> r = putState(id, DEVICE_TOKEN, "{\"state\":\"" + state + "\",\"reason\":\"device says " + state + "\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(content(r).path("state").asText()).isEqualTo(state);
        }

        JsonNode c = status(id);
        assertThat(c.path("transitions").findValuesAsText("to")).containsExactly("Command Queued", "Command Initiated",
                "Command Acknowledged", "Command In Progress", "Command Success");
        assertThat(c.path("transitions").get(4).path("from").asText()).isEqualTo("Command In Progress");
        assertThat(c.path("transitions").get(4).path("reason").asText()).isEqualTo("device says Command Success");
        assertThat(c.path("finished_at").asText()).isNotBlank();
    }

    @Test
    void recordsAFailureReportedByTheDeviceWithItsReason() {
        String device = unique("gw");
        String id = submitActions(unique("fail"), command(device, "update")).get(0);
        fetchInbox(device);

        HttpResponse<String> r = putState(id, DEVICE_TOKEN, "{\"state\":\"Command Failure\",\"reason\":\"disk full\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(status(id).path("state").asText()).isEqualTo("Command Failure");
        assertThat(status(id).path("reason").asText()).isEqualTo("disk full");
    }

    @Test
    void refusesToLeaveAFinalState() {
        String device = unique("gw");
        String id = submitActions(unique("final"), command(device, "update")).get(0);
        fetchInbox(device);
        putState(id, DEVICE_TOKEN, stateJson("Command Success"));

        HttpResponse<String> r = putState(id, DEVICE_TOKEN, stateJson("Command Failure"));

        assertError(r, 409, "it is final");
        assertThat(TestBridge.json(r.body()).path("message").asText()).contains("Command Success").contains("Command Failure");
        assertThat(stateOf(id)).isEqualTo("Command Success");
    }

    @Test
    void refusesToMoveBackwards() {
        String device = unique("gw");
        String id = submitActions(unique("back"), command(device, "update")).get(0);
        fetchInbox(device);
        putState(id, DEVICE_TOKEN, stateJson("Command In Progress"));

        HttpResponse<String> r = putState(id, DEVICE_TOKEN, stateJson("Command Acknowledged"));

        assertError(r, 409, "only move forward");
        assertThat(stateOf(id)).isEqualTo("Command In Progress");
    }

    @Test
    void refusesToSetTheStateTheCommandIsAlreadyIn() {
        String device = unique("gw");
        String id = submitActions(unique("same"), command(device, "update")).get(0);
        fetchInbox(device);
        putState(id, DEVICE_TOKEN, stateJson("Command Acknowledged"));

        assertError(putState(id, DEVICE_TOKEN, stateJson("Command Acknowledged")), 409, "Command Acknowledged");
        assertThat(transitionsOf(id)).containsExactly("Command Queued", "Command Initiated", "Command Acknowledged");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Command Queued", "Command Initiated"})
    void refusesStatesOnlyTheBridgeSetsNamingState(String state) {
        String device = unique("gw");
        String id = submitActions(unique("notsettable"), command(device, "update")).get(0);

        assertBadRequestNaming(putState(id, DEVICE_TOKEN, stateJson(state)), "state");
        assertThat(stateOf(id)).isEqualTo("Command Queued");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"state\":\"Command Done\"}", "{\"state\":\"acknowledged\"}", "{\"state\":42}",
            "{\"reason\":\"no state\"}", "{\"state\":null}"})
    void refusesAMissingOrUnknownStateNamingState(String body) {
        String id = submitActions(unique("badstate"), command(unique("gw"), "update")).get(0);

        assertBadRequestNaming(putState(id, DEVICE_TOKEN, body), "state");
        assertThat(stateOf(id)).isEqualTo("Command Queued");
    }

    @Test
    void refusesAReasonThatIsNotAString() {
        String id = submitActions(unique("reason"), command(unique("gw"), "update")).get(0);

        assertBadRequestNaming(putState(id, DEVICE_TOKEN, "{\"state\":\"Command Cancelled\",\"reason\":{\"why\":1}}"), "reason");
        assertThat(stateOf(id)).isEqualTo("Command Queued");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{}", "not json", "{\"state\":", "[\"Command Cancelled\"]", "\"Command Cancelled\""})
    void refusesAMissingOrMalformedBody(String body) {
        String id = submitActions(unique("badbody"), command(unique("gw"), "update")).get(0);

        HttpResponse<String> r = putState(id, DEVICE_TOKEN, body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertBadRequestNaming(r, "body");
        assertThat(stateOf(id)).isEqualTo("Command Queued");
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "application/xml"})
    void refusesABodyThatIsNotJsonNamingContentType(String contentType) {
        String id = submitActions(unique("ctype"), command(unique("gw"), "update")).get(0);

        HttpResponse<String> r = put(STATUS + id + "/", DEVICE_TOKEN, contentType, stateJson("Command Cancelled"));

        assertBadRequestNaming(r, "Content-Type");
        assertThat(stateOf(id)).isEqualTo("Command Queued");
    }

    @Test
    void acceptsAStatusReportAlsoWithoutTheTrailingSlash() {
        String device = unique("gw");
        String id = submitActions(unique("noslash"), command(device, "update")).get(0);
        fetchInbox(device);

        HttpResponse<String> r = put(STATUS + id, DEVICE_TOKEN, "application/json", stateJson("Command Acknowledged"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(stateOf(id)).isEqualTo("Command Acknowledged");
    }

    // ---------------------------------------------------------------- who may move what from where

    @ParameterizedTest
    @ValueSource(strings = {"Command Acknowledged", "Command In Progress", "Command Success", "Command Failure"})
    void refusesProgressOnAQueuedCommandNeverDeliveredNamingItsState(String progress) {
        String id = submitActions(unique("undelivered"), command(unique("gw"), "update")).get(0);

        for (String token : List.of(DEVICE_TOKEN, OPERATOR_TOKEN)) {
            HttpResponse<String> r = putState(id, token, stateJson(progress));

            assertError(r, 409, "from 'Command Queued'");
            assertThat(TestBridge.json(r.body()).path("message").asText()).contains("not delivered");
        }
        assertThat(transitionsOf(id)).containsExactly("Command Queued");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Command Acknowledged", "Command Success"})
    void refusesProgressOnAScheduledCommandBeforeItsNotBefore(String progress) {
        String device = unique("gw");
        String id = submitActions(unique("early"), scheduled(device, "reboot", Instant.now().plusSeconds(3600))).get(0);

        HttpResponse<String> r = putState(id, DEVICE_TOKEN, stateJson(progress));

        assertError(r, 409, "from 'Command Scheduled'");
        assertThat(transitionsOf(id)).containsExactly("Command Scheduled");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Command Cancelled", "Command TimeOut"})
    void refusesADeviceTheStatesThatAreTheOperatorsToSet(String state) {
        String device = unique("gw");
        String id = submitActions(unique("devcancel"), command(device, "update")).get(0);
        fetchInbox(device);

        HttpResponse<String> r = putState(id, DEVICE_TOKEN, stateJson(state));

        assertError(r, 409, "operator");
        assertThat(stateOf(id)).isEqualTo("Command Initiated");
    }

    @Test
    void refusesCommandScheduledByPutNamingWhoSetsIt() {
        String device = unique("gw");
        String id = submitActions(unique("resched"), command(device, "update")).get(0);

        for (String token : List.of(DEVICE_TOKEN, OPERATOR_TOKEN)) {
            assertError(putState(id, token, stateJson("Command Scheduled")), 409, "set by the bridge");
        }
        assertThat(stateOf(id)).isEqualTo("Command Queued");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Command Cancelled", "Command TimeOut"})
    void letsTheOperatorEndACommandFromEveryStateThatIsNotFinal(String end) {
        String device = unique("gw");
        String queued = submitActions(unique("end-q"), command(device, "a")).get(0);
        String scheduled = submitActions(unique("end-s"), scheduled(device, "b", Instant.now().plusSeconds(3600))).get(0);
        List<String> delivered = submitActions(unique("end-d"), command(device, "c"), command(device, "d"), command(device, "e"));
        fetchInbox(device);
        putState(delivered.get(1), DEVICE_TOKEN, stateJson("Command Acknowledged"));
        putState(delivered.get(2), DEVICE_TOKEN, stateJson("Command In Progress"));

        for (String id : List.of(queued, scheduled, delivered.get(0), delivered.get(1), delivered.get(2))) {
            String before = stateOf(id);

            HttpResponse<String> r = putState(id, OPERATOR_TOKEN, "{\"state\":\"" + end + "\",\"reason\":\"operator\"}");

            assertThat(r.statusCode()).as("%s from %s: %s", end, before, r.body()).isEqualTo(200);
            assertThat(stateOf(id)).isEqualTo(end);
        }
    }

    @Test
    void letsTheOperatorReportProgressOnADeliveredCommand() {
        String device = unique("gw");
        String id = submitActions(unique("op-progress"), command(device, "update")).get(0);
        fetchInbox(device);

        HttpResponse<String> r = putState(id, OPERATOR_TOKEN, stateJson("Command Success"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(transitionsOf(id)).containsExactly("Command Queued", "Command Initiated", "Command Success");
    }

    // ---------------------------------------------------------------- cancel

    @Test
    void cancelsAQueuedCommandSoItIsNeverDelivered() {
        String device = unique("gw");
        String id = submitActions(unique("cancel"), command(device, "reboot")).get(0);

        HttpResponse<String> r = putState(id, OPERATOR_TOKEN, "{\"state\":\"Command Cancelled\",\"reason\":\"not needed\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(content(r).path("state").asText()).isEqualTo("Command Cancelled");
        assertThat(content(r).path("reason").asText()).isEqualTo("not needed");
        assertThat(fetchInbox(device)).isEmpty();
    }

    @Test
    void cancelsAScheduledCommandSoItIsNeverReleased() throws Exception {
        String device = unique("gw");
        Instant notBefore = Instant.now().plusSeconds(1);
        // nothing is released until the cancel is in, however slowly this machine gets there
        bridge.context().getRouteController().suspendRoute("scheduled-commands");
        String id;
        try {
            id = submitActions(unique("cancel-later"), scheduled(device, "reboot", notBefore)).get(0);
            assertThat(stateOf(id)).isEqualTo("Command Scheduled");

            HttpResponse<String> r = putState(id, OPERATOR_TOKEN, stateJson("Command Cancelled"));

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(notBefore));   // it would be due now
        } finally {
            bridge.context().getRouteController().resumeRoute("scheduled-commands");
        }
        // the device keeps asking while the release timer runs again: never given it (each answer is kept, as
        // a command handed out once is not handed out again)
        List<String> given = new java.util.ArrayList<>();
        Instant until = Instant.now().plusMillis(1500);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            given.addAll(fetchInbox(device));
            return Instant.now().isAfter(until);
        });
        assertThat(given).isEmpty();
        assertThat(transitionsOf(id)).containsExactly("Command Scheduled", "Command Cancelled");
    }

    // ---------------------------------------------------------------- not_before and deadline

    @Test
    void holdsACommandBackUntilItsNotBeforeAndThenDeliversIt() {
        String device = unique("gw");
        Instant notBefore = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.MILLIS);
        String id = submitActions(unique("later"), scheduled(device, "reboot", notBefore)).get(0);

        assertThat(stateOf(id)).isEqualTo("Command Scheduled");
        assertThat(status(id).path("not_before").asText()).isEqualTo(notBefore.toString());
        assertThat(fetchInbox(device)).isEmpty();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(fetchInbox(device)).containsExactly(id));
        JsonNode c = status(id);
        assertThat(c.path("transitions").findValuesAsText("to"))
                .containsExactly("Command Scheduled", "Command Queued", "Command Initiated");
        assertThat(Instant.parse(c.path("transitions").get(1).path("at").asText())).isAfterOrEqualTo(notBefore);
    }

    @Test
    void endsACommandNeverAcknowledgedBeforeItsDeadlineAsTimeOut() {
        String device = unique("gw");
        String action = "{\"kind\":\"command\",\"device\":\"" + device + "\",\"command\":\"reboot\",\"deadline\":\"PT1S\"}";
        String id = submitActions(unique("deadline"), action).get(0);
        assertThat(fetchInbox(device)).containsExactly(id);    // delivered, but the device never answers

        awaitState(id, "Command TimeOut");

        assertThat(fetchInbox(device)).isEmpty();
        assertError(putState(id, DEVICE_TOKEN, stateJson("Command Acknowledged")), 409, "final");
    }

    // ---------------------------------------------------------------- end to end

    @Test
    void reportsACommandTheDeviceCompletedInTheRequestsResultFile() {
        String device = unique("gw");
        String request = unique("e2e");
        String id = submitActions(request, command(device, "update")).get(0);

        assertThat(fetchInbox(device)).containsExactly(id);
        assertThat(putState(id, DEVICE_TOKEN, stateJson("Command Acknowledged")).statusCode()).isEqualTo(200);
        assertThat(putState(id, DEVICE_TOKEN, stateJson("Command Success")).statusCode()).isEqualTo(200);

        Path summary = bridge.outbox().resolve(request + ".summary.json");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(summary));
        List<JsonNode> lines = bridge.jsonLines(bridge.outbox().resolve(request + ".results.jsonl"));
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).path("command_id").asText()).isEqualTo(id);
        assertThat(lines.get(0).path("device").asText()).isEqualTo(device);
        assertThat(lines.get(0).path("kind").asText()).isEqualTo("command");
        assertThat(lines.get(0).path("state").asText()).isEqualTo("Command Success");
        assertThat(TestBridge.json(readString(summary)).path("succeeded").asInt())
                .isEqualTo(1);
    }

    private static String scheduled(String device, String command, Instant notBefore) {
        return "{\"kind\":\"command\",\"device\":\"" + device + "\",\"command\":\"" + command + "\",\"not_before\":\"" + notBefore + "\"}";
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
