package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bridge's status API over real HTTP (docs/cloud-contracts.md section 5): listing and
 * filtering every kind of command, one command with its transitions, what may be changed on a cloud
 * command, the bearer tokens, and the request id of the API conventions (docs/cloud-contracts.md section 1) on every answer.
 */
class StatusApiTest extends StatusApiTestSupport {

    @AfterEach
    void restoreAccessCloudSpeed() {
        access.setProcessingDelay(Duration.ofMillis(200));
    }

    // ---------------------------------------------------------------- list

    @Test
    void listsTheCommandsOfARequestWithTotalLimitAndOffset() {
        String request = unique("list");
        List<String> ids = submitActions(request, command(unique("gw"), "reboot"), command(unique("gw"), "ping"));

        JsonNode page = list("request=" + request);

        assertThat(page.path("total").asInt()).isEqualTo(2);
        assertThat(page.path("limit").asInt()).isEqualTo(50);
        assertThat(page.path("offset").asInt()).isZero();
        assertThat(page.path("items").findValuesAsText("id")).containsExactlyElementsOf(ids);
        assertThat(page.path("items").findValuesAsText("state")).containsOnly("Command Queued");
        assertThat(page.path("items").findValuesAsText("request_id")).containsOnly(request);
    }

    @Test
    void listsCommandsAlsoWithoutTheTrailingSlash() {
        String request = unique("noslash");
        List<String> ids = submitActions(request, command(unique("gw"), "reboot"));

        HttpResponse<String> r = get("/commands/v0/status?request=" + request, OPERATOR_TOKEN);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(content(r).path("items").findValuesAsText("id")).containsExactlyElementsOf(ids);
    }

    @Test
    void filtersBySeveralCommaSeparatedRequestIds() {
        String first = unique("req-a");
        String second = unique("req-b");
        String other = unique("req-c");
        List<String> wanted = new ArrayList<>(submitActions(first, command(unique("gw"), "reboot")));
        wanted.addAll(submitActions(second, command(unique("gw"), "reboot"), command(unique("gw"), "ping")));
        submitActions(other, command(unique("gw"), "reboot"));

        JsonNode page = list("request=" + first + "," + second);

        assertThat(page.path("total").asInt()).isEqualTo(3);
        assertThat(page.path("items").findValuesAsText("id")).containsExactlyInAnyOrderElementsOf(wanted);
    }

    @Test
    void filtersBySeveralCommaSeparatedDevices() {
        String a = unique("dev-a");
        String b = unique("dev-b");
        String c = unique("dev-c");
        submitActions(unique("devices"), command(a, "reboot"), command(b, "reboot"), command(c, "reboot"), command(a, "ping"));

        JsonNode page = list("device=" + a + "," + b);

        assertThat(page.path("total").asInt()).isEqualTo(3);
        assertThat(page.path("items").findValuesAsText("device")).containsExactlyInAnyOrder(a, a, b);
    }

    @Test
    void filtersByState() {
        String device = unique("gw");
        String request = unique("state");
        List<String> ids = submitActions(request, command(device, "reboot"), command(device, "ping"));
        assertThat(putState(ids.get(1), OPERATOR_TOKEN, stateJson("Command Cancelled")).statusCode()).isEqualTo(200);

        JsonNode cancelled = list("request=" + request + "&state=" + query("Command Cancelled"));
        JsonNode queued = list("request=" + request + "&state=" + query("Command Queued"));

        assertThat(cancelled.path("items").findValuesAsText("id")).containsExactly(ids.get(1));
        assertThat(queued.path("items").findValuesAsText("id")).containsExactly(ids.get(0));
    }

    @Test
    void combinesRequestDeviceAndStateFilters() {
        String a = unique("dev-a");
        String b = unique("dev-b");
        String request = unique("combined");
        List<String> ids = submitActions(request, command(a, "reboot"), command(a, "ping"), command(b, "reboot"));
        submitActions(unique("combined-other"), command(a, "reboot"));
        putState(ids.get(0), OPERATOR_TOKEN, stateJson("Command Cancelled"));

        JsonNode page = list("request=" + request + "&device=" + a + "&state=" + query("Command Queued"));

        assertThat(page.path("total").asInt()).isEqualTo(1);
        assertThat(page.path("items").findValuesAsText("id")).containsExactly(ids.get(1));
    }

    @Test
    void listsTheInternalCommandOfAnAbandonedActionMarkedInternal() {
        String request = abandonOneAccessAction();

        JsonNode items = list("request=" + request).path("items");

        assertThat(items).hasSize(2);
        JsonNode internal = only(items, true);
        assertThat(internal.path("state").asText()).isEqualTo("Command Cancelled");
        assertThat(internal.path("reason").asText()).contains("abandoned");
        assertThat(only(items, false).path("state").asText()).isEqualTo("Command Success");
    }

    @Test
    void hidesInternalCommandsWhenAskedToExcludeThem() {
        String request = abandonOneAccessAction();

        JsonNode page = list("request=" + request + "&exclude_internal_commands=true");

        assertThat(page.path("total").asInt()).isEqualTo(1);
        assertThat(page.path("items").findValuesAsText("internal")).containsExactly("false");
        assertThat(list("request=" + request + "&exclude_internal_commands=false").path("total").asInt()).isEqualTo(2);
    }

    /** The access cloud refuses the first upload (its URL expired): the bridge abandons that action, recording an internal command. */
    private String abandonOneAccessAction() {
        String request = unique("abandon");
        access.failNextUploads(1, 403);
        submit(Batches.document(request, Batches.credentials("a1", unique("door"))));
        awaitAllFinal("request=" + request, 2);
        return request;
    }

    private static JsonNode only(JsonNode items, boolean internal) {
        List<JsonNode> matching = StreamSupport.stream(items.spliterator(), false)
                .filter(i -> i.path("internal").asBoolean() == internal).toList();
        assertThat(matching).hasSize(1);
        return matching.get(0);
    }

    // ---------------------------------------------------------------- pagination

    @Test
    void answersAnEmptyPageWhenNothingMatches() {
        JsonNode page = list("request=" + unique("nothing"));

        assertThat(page.path("total").asInt()).isZero();
        assertThat(page.path("items")).isEmpty();
    }

    @Test
    void answersAnEmptyPageForAnOffsetPastTheEnd() {
        String request = unique("past");
        submitActions(request, command(unique("gw"), "reboot"), command(unique("gw"), "ping"));

        JsonNode page = list("request=" + request + "&offset=2");

        assertThat(page.path("total").asInt()).isEqualTo(2);
        assertThat(page.path("items")).isEmpty();
    }

    @Test
    void answersTheLastPartialPage() {
        String request = unique("pages");
        List<String> ids = submitActions(request, command(unique("gw"), "a"), command(unique("gw"), "b"),
                command(unique("gw"), "c"), command(unique("gw"), "d"), command(unique("gw"), "e"));

        JsonNode first = list("request=" + request + "&limit=2&offset=0");
        JsonNode second = list("request=" + request + "&limit=2&offset=2");
        JsonNode last = list("request=" + request + "&limit=2&offset=4");

        assertThat(last.path("total").asInt()).isEqualTo(5);
        assertThat(last.path("limit").asInt()).isEqualTo(2);
        assertThat(last.path("offset").asInt()).isEqualTo(4);
        List<String> all = new ArrayList<>(first.path("items").findValuesAsText("id"));
        all.addAll(second.path("items").findValuesAsText("id"));
        all.addAll(last.path("items").findValuesAsText("id"));
        assertThat(last.path("items")).hasSize(1);
        assertThat(all).containsExactlyElementsOf(ids);
    }

    @Test
    void acceptsLimitTwoTheSmallestPage() {
        String request = unique("limit2");
        List<String> ids = submitActions(request, command(unique("gw"), "a"), command(unique("gw"), "b"), command(unique("gw"), "c"));

        JsonNode page = list("request=" + request + "&limit=2");

        assertThat(page.path("items").findValuesAsText("id")).containsExactly(ids.get(0), ids.get(1));
        assertThat(page.path("has_more").asBoolean()).isTrue();
        assertThat(page.path("total").asInt()).isEqualTo(3);
    }

    @Test
    void acceptsLimitThousand() {
        String request = unique("limit1000");
        List<String> ids = submitActions(request, command(unique("gw"), "a"), command(unique("gw"), "b"));

        JsonNode page = list("request=" + request + "&limit=1000");

        assertThat(page.path("limit").asInt()).isEqualTo(1000);
        assertThat(page.path("items").findValuesAsText("id")).containsExactlyElementsOf(ids);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "1001", "-1", "ten", "1.5"})
    void rejectsALimitOutsideTwoToThousandNamingLimit(String limit) {
        assertBadRequestNaming(get(STATUS + "?limit=" + limit, OPERATOR_TOKEN), "limit");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "first"})
    void rejectsANegativeOrNonNumericOffsetNamingOffset(String offset) {
        assertBadRequestNaming(get(STATUS + "?offset=" + offset, OPERATOR_TOKEN), "offset");
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "1", "maybe"})
    void rejectsANonBooleanExcludeInternalCommands(String value) {
        assertBadRequestNaming(get(STATUS + "?exclude_internal_commands=" + value, OPERATOR_TOKEN), "exclude_internal_commands");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Queued", "Command Done", "command queued"})
    void rejectsAnUnknownStateNamingState(String state) {
        assertBadRequestNaming(get(STATUS + "?state=" + query(state), OPERATOR_TOKEN), "state");
    }

    // ---------------------------------------------------------------- the common list conventions

    @Test
    void pagesWithACursorAfterTheLastIdSeen() {
        String request = unique("cursor");
        List<String> ids = submitActions(request, command(unique("gw"), "a"), command(unique("gw"), "b"),
                command(unique("gw"), "c"), command(unique("gw"), "d"), command(unique("gw"), "e"));

        List<String> seen = new ArrayList<>();
        String after = null;
        boolean more = true;
        while (more) {
            JsonNode page = list("request=" + request + "&limit=2" + (after == null ? "" : "&after=" + after));
            assertThat(page.path("after").isNull() ? null : page.path("after").asText()).isEqualTo(after);
            page.path("items").forEach(i -> seen.add(i.path("id").asText()));
            after = seen.get(seen.size() - 1);
            more = page.path("has_more").asBoolean();
        }

        assertThat(seen).containsExactlyElementsOf(ids);
    }

    @Test
    void listsNewestFirstWithOrderDesc() {
        String request = unique("desc");
        List<String> ids = submitActions(request, command(unique("gw"), "a"), command(unique("gw"), "b"), command(unique("gw"), "c"));

        JsonNode page = list("request=" + request + "&order=DESC");
        JsonNode next = list("request=" + request + "&order=DESC&limit=2&after=" + ids.get(2));

        assertThat(page.path("order").asText()).isEqualTo("DESC");
        assertThat(page.path("items").findValuesAsText("id")).containsExactly(ids.get(2), ids.get(1), ids.get(0));
        assertThat(next.path("items").findValuesAsText("id")).containsExactly(ids.get(1), ids.get(0));
        assertThat(next.path("has_more").asBoolean()).isFalse();
    }

    @Test
    void includesTheTotalCountWhenAsked() {
        String request = unique("count");
        submitActions(request, command(unique("gw"), "a"), command(unique("gw"), "b"), command(unique("gw"), "c"));

        JsonNode page = list("request=" + request + "&limit=2&include=total_count");

        assertThat(page.path("object").asText()).isEqualTo("list");
        assertThat(page.path("total_count").asInt()).isEqualTo(3);
        assertThat(page.path("items")).hasSize(2);
        assertThat(list("request=" + request).has("total_count")).isFalse();
    }

    @Test
    void filtersWithInAndNotInOperators() {
        String a = unique("lamp-a");
        String b = unique("lamp-b");
        String c = unique("lamp-c");
        String request = unique("in");
        submitActions(request, command(a, "on"), command(b, "on"), command(c, "on"));

        JsonNode in = list("request__eq=" + request + "&device__in=" + a + "," + b);
        JsonNode notIn = list("request__eq=" + request + "&device__nin=" + a + "," + b);

        assertThat(in.path("items").findValuesAsText("device")).containsExactly(a, b);
        assertThat(in.path("total").asInt()).isEqualTo(2);
        assertThat(notIn.path("items").findValuesAsText("device")).containsExactly(c);
    }

    @Test
    void filtersByKindAndStateWithEqualAndNotEqual() {
        String request = unique("kinds");
        List<String> ids = submitActions(request, command(unique("gw"), "reboot"), command(unique("gw"), "ping"),
                bulk(unique("HW-")));
        putState(ids.get(0), OPERATOR_TOKEN, stateJson("Command Cancelled"));

        JsonNode commands = list("request=" + request + "&kind__eq=command");
        JsonNode notCancelledCommands = list("request=" + request + "&kind__eq=command&state__neq=" + query("Command Cancelled"));
        JsonNode others = list("request=" + request + "&kind__neq=command");

        assertThat(commands.path("items").findValuesAsText("id")).containsExactly(ids.get(0), ids.get(1));
        assertThat(notCancelledCommands.path("items").findValuesAsText("id")).containsExactly(ids.get(1));
        assertThat(others.path("items").findValuesAsText("kind")).containsOnly("bulk");
    }

    @Test
    void filtersByTimeRangeInRfc3339AndTheShortForm() {
        String request = unique("times");
        List<String> ids = submitActions(request, command(unique("gw"), "a"));
        String created = status(ids.get(0)).path("created_at").asText();
        java.time.Instant at = java.time.Instant.parse(created);
        String shortForm = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC)
                .format(at.minusSeconds(1));

        JsonNode from = list("request=" + request + "&created_at__gte=" + query(at.minusSeconds(1).toString()));
        JsonNode until = list("request=" + request + "&created_at__lte=" + query(at.minusSeconds(60).toString()));
        JsonNode shortFrom = list("request=" + request + "&created_at__gte=" + shortForm);
        JsonNode offset = list("request=" + request + "&created_at__gte="
                + query(at.minusSeconds(1).atOffset(java.time.ZoneOffset.ofHours(2)).toString()));

        assertThat(from.path("items").findValuesAsText("id")).containsExactly(ids.get(0));
        assertThat(until.path("items")).isEmpty();
        assertThat(shortFrom.path("items").findValuesAsText("id")).containsExactly(ids.get(0));
        assertThat(offset.path("items").findValuesAsText("id")).containsExactly(ids.get(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"colour=red", "device__like=lamp", "owner__eq=ada", "device__lte=lamp", "created_at__gte=yesterday",
            "state__in=" + "Command%20Done", "order=sideways", "include=everything", "after=" + "x"})
    void rejectsAnUnknownParameterOperatorOrValueNamingIt(String parameter) {
        HttpResponse<String> r = get(STATUS + "?" + parameter, OPERATOR_TOKEN);

        assertBadRequestNaming(r, parameter.substring(0, parameter.indexOf('=')));
    }

    @Test
    void namesEveryParameterAtFaultAtOnce() {
        HttpResponse<String> r = get(STATUS + "?colour=red&limit=1&device__like=x", OPERATOR_TOKEN);

        assertError(r, 400, "colour");
        assertThat(TestBridge.json(r.body()).path("fields").findValuesAsText("name")).containsExactlyInAnyOrder("limit", "colour", "device__like");
    }

    @Test
    void answersErrorsInTheCommonErrorModelKeepingTheEnvelope() {
        JsonNode unauthorized = TestBridge.json(get(STATUS, null).body());
        JsonNode notFound = TestBridge.json(get(STATUS + "00000000-0000-0000-0000-000000000000/", OPERATOR_TOKEN).body());
        JsonNode noPath = TestBridge.json(get("/nothing/here", OPERATOR_TOKEN).body());

        assertThat(unauthorized.path("type").asText()).isEqualTo("invalid_auth");
        assertThat(notFound.path("type").asText()).isEqualTo("not_found");
        assertThat(noPath.path("type").asText()).isEqualTo("unrecognized_request");
        assertThat(List.of(unauthorized, notFound, noPath)).allSatisfy(e -> {
            assertThat(e.path("object").asText()).isEqualTo("error");
            assertThat(e.path("fields")).isEmpty();
            assertThat(e.has("content")).isTrue();
        });
    }

    // ---------------------------------------------------------------- one command

    @Test
    void answersOneCommandWithItsTransitions() {
        String device = unique("gw");
        String id = submitActions(unique("one"), command(device, "reboot")).get(0);

        JsonNode c = status(id);

        assertThat(c.path("id").asText()).isEqualTo(id);
        assertThat(c.path("device").asText()).isEqualTo(device);
        assertThat(c.path("kind").asText()).isEqualTo("command");
        assertThat(c.path("command").asText()).isEqualTo("reboot");
        assertThat(c.path("state").asText()).isEqualTo("Command Queued");
        assertThat(c.path("transitions")).hasSize(1);
        assertThat(c.path("transitions").get(0).path("from").isNull()).isTrue();
        assertThat(c.path("transitions").get(0).path("to").asText()).isEqualTo("Command Queued");
    }

    @Test
    void answersOneCommandAlsoWithoutTheTrailingSlash() {
        String id = submitActions(unique("one"), command(unique("gw"), "reboot")).get(0);

        HttpResponse<String> r = get(STATUS + id, OPERATOR_TOKEN);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(content(r).path("id").asText()).isEqualTo(id);
    }

    @Test
    void answers404ForAnUnknownCommandId() {
        assertError(get(STATUS + "00000000-0000-0000-0000-000000000000/", OPERATOR_TOKEN), 404, "Not Found");
    }

    @Test
    void answers404WhenUpdatingAnUnknownCommandId() {
        assertError(putState("00000000-0000-0000-0000-000000000000", OPERATOR_TOKEN, stateJson("Command Cancelled")), 404,
                "Not Found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-command", "12345", "0000000000000000000000000000000000zz"})
    void answers404ForAMalformedCommandId(String id) {
        assertError(get(STATUS + id + "/", OPERATOR_TOKEN), 404, "Not Found");
    }

    @Test
    void answers404ForAMalformedCommandIdOnUpdate() {
        assertError(putState("not-a-command", OPERATOR_TOKEN, stateJson("Command Cancelled")), 404, "Not Found");
    }

    // ---------------------------------------------------------------- every kind, with its transitions

    @Test
    void showsACredentialsCommandThroughBothStepsOfTheAccessCloud() {
        String request = unique("creds");
        String id = submitActions(request, Batches.credentials("c1", unique("door"))).get(0);
        awaitState(id, "Command Success");

        JsonNode c = status(id);

        assertThat(c.path("kind").asText()).isEqualTo("credentials");
        assertThat(c.path("transitions").findValuesAsText("to"))
                .containsSubsequence("Command Queued", "Command Initiated", "Command Acknowledged", "Command Success");
        JsonNode created = transition(c, "Command Initiated");
        assertThat(created.path("vendor_status").asText()).isEqualTo("AWAITING_DATA");    // step 1: the action is created
        assertThat(created.path("vendor_request_id").asText()).isNotBlank();
        assertThat(transition(c, "Command Acknowledged").path("vendor_request_id").asText()).isNotBlank(); // step 2: uploaded
        assertThat(c.path("vendor_request_ids")).isNotEmpty();
    }

    @Test
    void showsEachDeviceOfABulkActionAsItsOwnCommandWithItsTransitions() {
        String request = unique("bulk");
        submit(Batches.document(request, bulk("HW-1", "HW-2", "legacy-3")));

        Map<String, JsonNode> byDevice = StreamSupport.stream(awaitAllFinal("request=" + request, 3).spliterator(), false)
                .collect(Collectors.toMap(i -> i.path("device").asText(), i -> i));

        assertThat(byDevice.keySet()).containsExactlyInAnyOrder("HW-1", "HW-2", "legacy-3");
        assertThat(byDevice.values()).allSatisfy(i -> assertThat(i.path("kind").asText()).isEqualTo("bulk"));
        assertThat(byDevice.get("HW-1").path("state").asText()).isEqualTo("Command Success");
        assertThat(byDevice.get("legacy-3").path("state").asText()).isEqualTo("Command Failure");
        assertThat(transitionsOf(byDevice.get("HW-2").path("id").asText()))
                .containsExactly("Command Queued", "Command Initiated", "Command Success");
        assertThat(transitionsOf(byDevice.get("legacy-3").path("id").asText()))
                .containsExactly("Command Queued", "Command Initiated", "Command Failure");
    }

    @Test
    void showsACapabilityCommandWithItsTransitionsAndEachCapabilitysOutcome() {
        String id = submitActions(unique("cap"), capability("lamp-1")).get(0);
        awaitState(id, "Command Success");

        JsonNode c = status(id);

        assertThat(c.path("kind").asText()).isEqualTo("capability");
        assertThat(c.path("transitions").findValuesAsText("to"))
                .containsExactly("Command Queued", "Command Initiated", "Command Success");
        assertThat(c.path("capabilities").findValuesAsText("status")).containsExactly("DONE");
    }

    private static JsonNode transition(JsonNode status, String to) {
        for (JsonNode t : status.path("transitions")) {
            if (t.path("to").asText().equals(to)) {
                return t;
            }
        }
        throw new AssertionError("no transition to " + to + " in " + status);
    }

    // ---------------------------------------------------------------- PUT on a cloud command

    @Test
    void refusesToCancelACloudCommandAlreadySentWithoutForce() {
        String id = credentialsCommandWaitingOnItsDevice();

        HttpResponse<String> r = putState(id, OPERATOR_TOKEN, stateJson("Command Cancelled"));

        assertError(r, 409, "force");
        assertThat(transitionsOf(id)).doesNotContain("Command Cancelled");   // still in flight (Acknowledged, or In Progress once polled)
    }

    @Test
    void cancelsACloudCommandAlreadySentWithForce() {
        String id = credentialsCommandWaitingOnItsDevice();

        HttpResponse<String> r = putState(id, OPERATOR_TOKEN, "{\"state\":\"Command Cancelled\",\"reason\":\"operator stopped it\",\"force\":true}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(content(r).path("state").asText()).isEqualTo("Command Cancelled");
        assertThat(content(r).path("reason").asText()).isEqualTo("operator stopped it");
        JsonNode last = content(r).path("transitions").get(content(r).path("transitions").size() - 1);
        assertThat(last.path("from").asText()).isIn("Command Acknowledged", "Command In Progress");
        assertThat(last.path("to").asText()).isEqualTo("Command Cancelled");
        assertThat(stateOf(id)).isEqualTo("Command Cancelled");
    }

    @Test
    void refusesToSetSuccessOnACloudCommand() {
        String id = credentialsCommandWaitingOnItsDevice();

        HttpResponse<String> r = putState(id, OPERATOR_TOKEN, stateJson("Command Success"));

        assertError(r, 409, "comes from its cloud");
        assertThat(transitionsOf(id)).doesNotContain("Command Success");
    }

    @Test
    void refusesToCancelAFinishedCloudCommand() {
        String id = submitActions(unique("done"), capability("lamp-2")).get(0);
        awaitState(id, "Command Success");

        HttpResponse<String> r = putState(id, OPERATOR_TOKEN, "{\"state\":\"Command Cancelled\",\"force\":true}");

        assertError(r, 409, "final");
        assertThat(stateOf(id)).isEqualTo("Command Success");
    }

    /** A credentials action uploaded to an access cloud that takes its time: Acknowledged (then In Progress once polled) for a while. */
    private String credentialsCommandWaitingOnItsDevice() {
        access.setProcessingDelay(Duration.ofSeconds(30));
        String id = submitActions(unique("slow"), Batches.credentials("s1", unique("door"))).get(0);
        // the first poll moves it on to In Progress, which a loaded machine may do before this looks
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(stateOf(id)).isIn("Command Acknowledged", "Command In Progress"));
        return id;
    }

    // ---------------------------------------------------------------- auth

    @Test
    void answers401WithoutAToken() {
        for (HttpResponse<String> r : List.of(get(STATUS, null), get(STATUS + someCommand() + "/", null),
                get(INBOX + "?device_id=gw-1", null), putState(someCommand(), null, stateJson("Command Cancelled")),
                post(REQUESTS, null, "application/json", Batches.document(unique("anon"), command("gw-1", "reboot"))))) {
            assertError(r, 401, unauthorized());
        }
    }

    @Test
    void answers401WithAWrongToken() {
        for (String authorization : List.of("wrong-token", OPERATOR_TOKEN + "x", OPERATOR_TOKEN.substring(1))) {
            assertError(get(STATUS, authorization), 401, unauthorized());
            assertError(get(INBOX + "?device_id=gw-1", authorization), 401, unauthorized());
        }
    }

    @Test
    void answers401WithAnOtherSchemeThanBearer() {
        HttpResponse<String> r = sendWithAuthorization("Basic " + OPERATOR_TOKEN);

        assertError(r, 401, unauthorized());
    }

    @Test
    void tellsNothingAboutDevicesOrCommandsWithoutAValidToken() {
        String device = unique("secret-gw");
        String id = submitActions(unique("hidden"), command(device, "reboot")).get(0);

        for (HttpResponse<String> r : List.of(get(INBOX + "?device_id=" + device, "wrong"), get(STATUS + "?device=" + device, null),
                get(STATUS + id + "/", "wrong"))) {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(TestBridge.json(r.body()).path("message").asText()).isEqualTo(unauthorized());
            assertThat(r.body()).doesNotContain(id).doesNotContain("reboot").doesNotContain("Command ");
        }
        assertThat(stateOf(id)).as("a refused inbox call delivers nothing").isEqualTo("Command Queued");
    }

    @Test
    void refusesTheDeviceTokenOnListGetAndSubmit() {
        String id = someCommand();

        assertError(get(STATUS, DEVICE_TOKEN), 401, unauthorized());
        assertError(get("/commands/v0/status", DEVICE_TOKEN), 401, unauthorized());
        assertError(get(STATUS + id + "/", DEVICE_TOKEN), 401, unauthorized());
        assertError(post(REQUESTS, DEVICE_TOKEN, "application/json", Batches.document(unique("dev"), command("gw-1", "reboot"))),
                401, unauthorized());
    }

    @Test
    void acceptsTheDeviceTokenOnTheInboxAndOnStatusReports() {
        String device = unique("gw");
        String id = submitActions(unique("devtoken"), command(device, "reboot")).get(0);

        HttpResponse<String> inbox = get(INBOX + "?device_id=" + device, DEVICE_TOKEN);
        HttpResponse<String> report = putState(id, DEVICE_TOKEN, stateJson("Command Acknowledged"));

        assertThat(inbox.statusCode()).as(inbox.body()).isEqualTo(200);
        assertThat(content(inbox).path("commands").findValuesAsText("id")).containsExactly(id);
        assertThat(report.statusCode()).as(report.body()).isEqualTo(200);
        assertThat(content(report).path("state").asText()).isEqualTo("Command Acknowledged");
    }

    @Test
    void acceptsTheOperatorTokenOnEveryEndpoint() {
        String device = unique("gw");
        String request = unique("optoken");

        HttpResponse<String> submitted = post(REQUESTS, OPERATOR_TOKEN, "application/json",
                Batches.document(request, command(device, "reboot")));
        String id = awaitTaken(request).path("command_ids").get(0).asText();
        HttpResponse<String> progress = get(REQUESTS + request + "/", OPERATOR_TOKEN);
        HttpResponse<String> listed = get(STATUS + "?request=" + request, OPERATOR_TOKEN);
        HttpResponse<String> inbox = get(INBOX + "?device_id=" + device, OPERATOR_TOKEN);
        HttpResponse<String> one = get(STATUS + id + "/", OPERATOR_TOKEN);
        HttpResponse<String> report = putState(id, OPERATOR_TOKEN, stateJson("Command Acknowledged"));

        assertThat(List.of(submitted, progress, listed, inbox, one, report)).extracting(HttpResponse::statusCode)
                .containsExactly(202, 200, 200, 200, 200, 200);
    }

    private String someCommand() {
        return submitActions(unique("some"), command(unique("gw"), "reboot")).get(0);
    }

    private HttpResponse<String> sendWithAuthorization(String authorization) {
        try {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl() + STATUS))
                    .header("Authorization", authorization).GET().build();
            HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(r.headers().firstValue("X-Request-ID")).isPresent();
            return r;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- request id, errors

    @Test
    void givesEveryAnswerItsOwnRequestIdOfAtMost32Characters() {
        List<HttpResponse<String>> answers = List.of(get(STATUS, OPERATOR_TOKEN), get(STATUS, OPERATOR_TOKEN),
                get(STATUS + "?limit=0", OPERATOR_TOKEN), get(STATUS, null),
                get(STATUS + "00000000-0000-0000-0000-000000000000/", OPERATOR_TOKEN), get("/openapi.yaml", null));

        List<String> ids = answers.stream().map(r -> r.headers().firstValue("X-Request-ID").orElseThrow()).toList();

        assertThat(ids).allSatisfy(id -> assertThat(id).isNotBlank().hasSizeLessThanOrEqualTo(32));
        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void carriesTheRequestIdOfTheHeaderInEveryErrorBody() {
        for (HttpResponse<String> r : List.of(get(STATUS + "?limit=0", OPERATOR_TOKEN), get(STATUS, null),
                get(STATUS + "bad-id/", OPERATOR_TOKEN), putState(someCommand(), OPERATOR_TOKEN, "{}"))) {
            JsonNode body = TestBridge.json(r.body());
            assertThat(body.path("request_id").asText()).isEqualTo(r.headers().firstValue("X-Request-ID").orElseThrow());
            assertThat(body.path("code").asInt()).isEqualTo(r.statusCode());
        }
    }

    @Test
    void neverAnswersAStackTraceEvenForGarbageInput() {
        String id = someCommand();
        List<HttpResponse<String>> answers = List.of(
                get(STATUS + "?limit=99999999999999999999&offset=%00", OPERATOR_TOKEN),
                get(STATUS + "?state=%FF%FE", OPERATOR_TOKEN),
                get(STATUS + "?request=" + "x,".repeat(2000), OPERATOR_TOKEN),
                put(STATUS + id + "/", OPERATOR_TOKEN, "application/json", "{\"state\":"),
                put(STATUS + id + "/", OPERATOR_TOKEN, "application/json", "[1,2,3]"),
                put(STATUS + id + "/", OPERATOR_TOKEN, "application/json", "{\"state\":{\"nested\":true}}"),
                post(REQUESTS, OPERATOR_TOKEN, "application/json", "{\"actions\":[{\"kind\":"),
                post(REQUESTS, OPERATOR_TOKEN, "application/json", "\u0000\u0001"));

        assertThat(answers).allSatisfy(r -> {
            assertThat(r.statusCode()).as(r.body()).isBetween(200, 499);
            assertThat(r.body()).doesNotContain("at org.").doesNotContain("Exception").doesNotContain("at java.");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"/nothing/here", "/commands/v0/unknown/", "/commands/v0/status/x/y/z", "/v2/command-inbox/more",
            "/webhooks/other", "/openapi.json"})
    void answersAPathTheApiDoesNotServeWith404InTheEnvelope(String path) {
        for (String token : java.util.Arrays.asList(OPERATOR_TOKEN, null)) {
            HttpResponse<String> r = get(path, token);

            assertError(r, 404, "Not Found");
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        }
        assertError(call("POST", path, OPERATOR_TOKEN), 404, "Not Found");
    }

    @Test
    void answersAMethodAPathDoesNotServeWith405InTheEnvelope() {
        List<HttpResponse<String>> answers = List.of(call("DELETE", STATUS, OPERATOR_TOKEN), call("PATCH", "/openapi.yaml", null),
                call("POST", INBOX + "?device_id=gw-1", DEVICE_TOKEN), call("PUT", REQUESTS, OPERATOR_TOKEN),
                call("GET", "/webhooks/access", null), call("DELETE", STATUS + someCommand() + "/", OPERATOR_TOKEN));

        assertThat(answers).allSatisfy(r -> {
            assertError(r, 405, "Method Not Allowed");
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        });
    }

    // ---------------------------------------------------------------- the OpenAPI document

    @Test
    void servesTheOpenApiDocumentWithoutAToken() {
        HttpResponse<String> r = get("/openapi.yaml", null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("yaml"));
        assertThat(r.body()).contains("openapi:").contains("/commands/v0/status/").contains("/v2/command-inbox/");
    }

    @Test
    void refusesTheDeviceTokenOnACloudCommand() {
        String requestId = unique("devtoken");
        String id = submitActions(requestId, bulk(unique("HW-"))).get(0);

        HttpResponse<String> r = putState(id, DEVICE_TOKEN, stateJson("Command Cancelled"));

        assertError(r, 403, "device token");
    }

    @Test
    void takesARepeatedQueryParameterAsAList() {
        String first = unique("rep-a");
        String second = unique("rep-b");
        submitActions(first, command(unique("gw-"), "reboot"));
        submitActions(second, command(unique("gw-"), "reboot"));

        JsonNode page = list("request=" + first + "&request=" + second);

        assertThat(page.path("total").asInt()).isEqualTo(2);
    }

    @Test
    void rejectsADeviceIdLongerThanTheLedgerKeepsNamingTheField() {
        JsonNode content = submit(Batches.document(unique("long"), command("d".repeat(201), "reboot")));

        assertThat(content.path("command_ids")).isEmpty();
        assertThat(content.path("rejected").get(0).path("reason").asText()).contains("device");
    }
}
