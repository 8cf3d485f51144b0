package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /commands/v0/requests/} over real HTTP: a batch document (docs/batch-format.md) is checked
 * to its end and answered {@code 202} with its request id and status location at once; its records
 * are taken in the background through the same intake as every other trigger, and its progress is
 * {@code GET /commands/v0/requests/{id}/}. A retried POST (same {@code request_id}, same
 * {@code Idempotency-Key}, or the very same body) answers what the first one created (200) and
 * creates nothing new; the same key with a different document is refused (422).
 */
class SubmitApiTest extends StatusApiTestSupport {

    @Test
    void acceptsABatchWith202ItsRequestIdAndStatusLocationAndTakesItInTheBackground() {
        String request = unique("submit");
        String device = unique("gw");

        HttpResponse<String> r = post(REQUESTS, OPERATOR_TOKEN, "application/json",
                Batches.document(request, command(device, "reboot"), command(device, "ping")));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode content = content(r);
        assertThat(content.path("request_id").asText()).isEqualTo(request);
        assertThat(content.path("replayed").asBoolean()).isFalse();
        assertThat(content.path("status_url").asText()).isEqualTo(REQUESTS + request + "/");
        assertThat(r.headers().firstValue("Location")).hasValue(REQUESTS + request + "/");
        JsonNode taken = awaitTaken(request);
        assertThat(taken.path("records_read").asInt()).isEqualTo(2);
        assertThat(taken.path("commands").asInt()).isEqualTo(2);
        assertThat(taken.path("rejected")).isEmpty();
        assertThat(taken.path("state").asText()).isIn("running", "finished");
        assertThat(taken.path("counts").path("Command Queued").asInt()).isEqualTo(2);
        assertThat(texts(taken.path("command_ids"))).hasSize(2)
                .containsExactlyElementsOf(list("request=" + request).path("items").findValuesAsText("id"));
    }

    @Test
    void answersAPostOf500ActionsBeforeReadingThemAndShowsItsProgress() {
        String request = unique("five-hundred");
        String[] actions = IntStream.range(0, 500).mapToObj(i -> command(unique("gw"), "reboot")).toArray(String[]::new);
        String document = Batches.document(request, actions);

        // the ledger holds the write of record 10 for as long as this test needs: the answer must come all the same
        // (how fast it comes is bench/api-submit.sh's business, not a test's)
        try (IntakeHold hold = IntakeHold.on(bridge, 10)) {
            HttpResponse<String> r = post(REQUESTS, OPERATOR_TOKEN, "application/json", document);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(hold::reached);
            JsonNode progress = requestStatus(request);
            assertThat(progress.path("records_read").asInt()).as("answered while its records were being read").isLessThan(500);
            assertThat(progress.path("state").asText()).isEqualTo("reading");
        }
        JsonNode taken = awaitTaken(request);
        assertThat(taken.path("records_read").asInt()).isEqualTo(500);
        assertThat(taken.path("commands").asInt()).isEqualTo(500);
        assertThat(list("request=" + request + "&limit=2").path("total").asInt()).isEqualTo(500);
    }

    @Test
    void acceptsABatchAlsoWithoutTheTrailingSlash() {
        String request = unique("noslash");

        HttpResponse<String> r = post("/commands/v0/requests", OPERATOR_TOKEN, "application/json",
                Batches.document(request, command(unique("gw"), "reboot")));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(awaitTaken(request).path("commands").asInt()).isEqualTo(1);
    }

    @Test
    void acceptsAJsonContentTypeWithACharset() {
        HttpResponse<String> r = post(REQUESTS, OPERATOR_TOKEN, "application/json; charset=utf-8",
                Batches.document(unique("charset"), command(unique("gw"), "reboot")));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    }

    @Test
    void answersARepeatedRequestIdWith200AndTheSameCommandsCreatingNothingNew() {
        String request = unique("twice");
        String document = Batches.document(request, command(unique("gw"), "reboot"), bulk("HW-1", "HW-2"));
        JsonNode first = submit(document);
        int commandsBefore = list("limit=2").path("total").asInt();

        HttpResponse<String> again = post(REQUESTS, OPERATOR_TOKEN, "application/json", document);

        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        JsonNode second = content(again);
        assertThat(second.path("replayed").asBoolean()).isTrue();
        assertThat(second.path("request_id").asText()).isEqualTo(request);
        assertThat(second.path("commands").asInt()).isEqualTo(3);
        assertThat(texts(first.path("command_ids"))).hasSize(3);
        assertThat(list("limit=2").path("total").asInt()).isEqualTo(commandsBefore);
        assertThat(list("request=" + request).path("items").findValuesAsText("id"))
                .containsExactlyElementsOf(texts(first.path("command_ids")));
    }

    @Test
    void refusesTheSameRequestIdWithAnotherDocumentWith422CreatingNothing() {
        String request = unique("same-id");
        String document = Batches.document(request, command(unique("gw"), "reboot"));
        submit(document);
        int commandsBefore = list("limit=2").path("total").asInt();

        HttpResponse<String> other = post(REQUESTS, OPERATOR_TOKEN, "application/json",
                Batches.document(request, command(unique("gw"), "update"), command(unique("gw"), "ping")));

        assertError(other, 422, "request_id: request " + request + " was submitted before with a different document");
        assertThat(list("limit=2").path("total").asInt()).isEqualTo(commandsBefore);
        assertThat(list("request=" + request).path("items").findValuesAsText("command")).containsExactly("reboot");
        HttpResponse<String> same = post(REQUESTS, OPERATOR_TOKEN, "application/json", document);
        assertThat(same.statusCode()).as("the same document still replays").isEqualTo(200);
        assertThat(content(same).path("commands").asInt()).isEqualTo(1);
    }

    @Test
    void refusesTheSameIdempotencyKeyWithAnotherDocumentWith422CreatingNothing() {
        String key = unique("key");
        String document = "{\"actions\":[" + command(unique("gw"), "reboot") + "]}";
        HttpResponse<String> first = post(REQUESTS, OPERATOR_TOKEN, "application/json", document, "Idempotency-Key", key);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        awaitTaken("api:" + key);
        int commandsBefore = list("limit=2").path("total").asInt();

        HttpResponse<String> other = post(REQUESTS, OPERATOR_TOKEN, "application/json",
                "{\"actions\":[" + command(unique("gw"), "update") + "]}", "Idempotency-Key", key);
        HttpResponse<String> reformatted = post(REQUESTS, OPERATOR_TOKEN, "application/json", document.replace(",", ", "),
                "Idempotency-Key", key);

        assertError(other, 422, "Idempotency-Key: request api:" + key + " was submitted before with a different document");
        assertError(reformatted, 422, "Idempotency-Key");   // the same document means the same bytes
        assertThat(list("limit=2").path("total").asInt()).isEqualTo(commandsBefore);
        HttpResponse<String> same = post(REQUESTS, OPERATOR_TOKEN, "application/json", document, "Idempotency-Key", key);
        assertThat(same.statusCode()).as("the same document still replays").isEqualTo(200);
        assertThat(content(same).path("replayed").asBoolean()).isTrue();
    }

    @Test
    void answersARepeatedIdempotencyKeyWith200AndTheSameRequestCreatingNothingNew() {
        String key = unique("key");
        String document = "{\"actions\":[" + command(unique("gw"), "reboot") + "]}";
        HttpResponse<String> first = post(REQUESTS, OPERATOR_TOKEN, "application/json", document, "Idempotency-Key", key);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        String requestId = content(first).path("request_id").asText();
        awaitTaken(requestId);
        int commandsBefore = list("limit=2").path("total").asInt();

        HttpResponse<String> again = post(REQUESTS, OPERATOR_TOKEN, "application/json", document, "Idempotency-Key", key);

        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(content(again).path("replayed").asBoolean()).isTrue();
        assertThat(content(again).path("request_id").asText()).isEqualTo(requestId).contains(key);
        assertThat(content(again).path("commands").asInt()).isEqualTo(1);
        assertThat(list("limit=2").path("total").asInt()).isEqualTo(commandsBefore);
    }

    @Test
    void treatsTheSameBodyUnderTwoIdempotencyKeysAsTwoRequests() {
        String document = "{\"actions\":[" + command(unique("gw"), "reboot") + "]}";

        HttpResponse<String> first = post(REQUESTS, OPERATOR_TOKEN, "application/json", document, "Idempotency-Key", unique("k"));
        HttpResponse<String> second = post(REQUESTS, OPERATOR_TOKEN, "application/json", document, "Idempotency-Key", unique("k"));

        assertThat(List.of(first.statusCode(), second.statusCode())).containsExactly(202, 202);
        assertThat(texts(awaitTaken(content(second).path("request_id").asText()).path("command_ids")))
                .doesNotContainAnyElementsOf(texts(awaitTaken(content(first).path("request_id").asText()).path("command_ids")));
    }

    @Test
    void answersTheVerySameBodyWithoutRequestIdOrKeyAsAReplay() {
        String document = "{\"actions\":[" + command(unique("gw"), "reboot") + "]}";
        HttpResponse<String> first = post(REQUESTS, OPERATOR_TOKEN, "application/json", document);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        awaitTaken(content(first).path("request_id").asText());

        HttpResponse<String> again = post(REQUESTS, OPERATOR_TOKEN, "application/json", document);

        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(content(again).path("request_id").asText()).isEqualTo(content(first).path("request_id").asText());
    }

    @Test
    void listsInvalidRecordsAsRejectedNamingTheFieldAndTakesTheRest() {
        String request = unique("partly");
        String valid = command(unique("gw"), "reboot");
        String noCommand = "{\"kind\":\"command\",\"device\":\"" + unique("gw") + "\"}";
        String badNotBefore = "{\"kind\":\"command\",\"device\":\"gw-1\",\"command\":\"reboot\",\"not_before\":\"tomorrow\"}";
        String unknownKind = "{\"kind\":\"teleport\",\"device\":\"gw-1\"}";
        String badCredential = Batches.credentials("c1", "door-1", "not-hex!");
        String unknownField = "{\"kind\":\"command\",\"device\":\"gw-1\",\"command\":\"reboot\",\"colour\":\"red\"}";

        HttpResponse<String> r = post(REQUESTS, OPERATOR_TOKEN, "application/json",
                Batches.document(request, valid, noCommand, badNotBefore, unknownKind, badCredential, unknownField));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode content = awaitTaken(request);
        assertThat(content.path("command_ids")).hasSize(1);
        List<String> reasons = content.path("rejected").findValuesAsText("reason");
        assertThat(reasons).hasSize(5);
        assertThat(reasons.get(0)).contains("command: missing");
        assertThat(reasons.get(1)).contains("not_before: 'tomorrow'");
        assertThat(reasons.get(2)).contains("kind: unknown kind 'teleport'");
        assertThat(reasons.get(3)).contains("credentials[0].id");
        assertThat(reasons.get(4)).contains("colour: unknown field; a command action has kind, id, not_before, deadline, device, "
                + "command, params");
        assertThat(content.path("rejected_total").asInt()).isEqualTo(5);
        assertThat(content.path("rejected").findValuesAsText("record")).allSatisfy(ref -> assertThat(ref).isNotBlank());
        assertThat(list("request=" + request + "&state=" + query("Command Queued")).path("total").asInt()).isEqualTo(1);
    }

    @Test
    void answersAReplayOfABatchWithInvalidRecordsWithTheSameRejections() {
        String request = unique("partly-again");
        String document = Batches.document(request, command(unique("gw"), "reboot"), "{\"kind\":\"command\",\"device\":\"gw-1\"}");
        JsonNode first = submit(document);

        HttpResponse<String> again = post(REQUESTS, OPERATOR_TOKEN, "application/json", document);

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(content(again).path("rejected")).isEqualTo(first.path("rejected"));
        assertThat(content(again).path("commands")).isEqualTo(first.path("commands"));
    }

    @Test
    void requestIdsThatDifferOnlyInCharactersAFileNameCannotHoldNeverShareResultFiles() throws Exception {
        String key = unique("fold");
        List<String> requestIds = new ArrayList<>();
        for (String k : List.of(key + "/1", key + "_1", key + ":1")) {
            HttpResponse<String> r = post(REQUESTS, OPERATOR_TOKEN, "application/json", "{\"actions\":[" + bulk(unique("HW")) + "]}",
                    "Idempotency-Key", k);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            requestIds.add(content(r).path("request_id").asText());
        }

        java.util.Map<String, java.nio.file.Path> summaries = new java.util.HashMap<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            summaries.clear();
            try (var files = java.nio.file.Files.list(bridge.outbox())) {
                files.filter(p -> p.getFileName().toString().endsWith(".summary.json")).forEach(p -> {
                    String id = TestBridge.json(readString(p)).path("request_id").asText();
                    if (requestIds.contains(id)) {
                        summaries.put(id, p);
                    }
                });
            }
            return summaries.size() == 3;
        });
        assertThat(summaries.values()).doesNotHaveDuplicates();
        assertThat(summaries.values()).allSatisfy(p -> assertThat(p.getFileName().toString()).startsWith("api_" + key + "_1-"));
    }

    private static String readString(java.nio.file.Path p) {
        try {
            return java.nio.file.Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void answersAnUnknownRequestWith404() {
        assertError(get(REQUESTS + "no-such-request/", OPERATOR_TOKEN), 404, "no request no-such-request");
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "text/csv"})
    void refusesABodyThatIsNotJsonNamingContentType(String contentType) {
        String request = unique("ctype");

        assertBadRequestNaming(post(REQUESTS, OPERATOR_TOKEN, contentType, Batches.document(request, command("gw-1", "reboot"))),
                "Content-Type");
        assertThat(list("request=" + request).path("total").asInt()).isZero();
    }

    @Test
    void refusesAnEmptyBodyNamingIt() {
        assertBadRequestNaming(post(REQUESTS, OPERATOR_TOKEN, "application/json", ""), "body");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "[]", "\"actions\"", "{\"actions\":{}}", "{\"request_id\":\"x\"}", "not json", "{\"actions\":[",
            "{\"request_id\":\"truncated-1\",\"actions\":[{\"kind\":\"command\",\"device\":\"gw-1\",\"command\":\"reboot\"}",
            "{\"request_id\":\"twice-1\",\"actions\":[],\"actions\":[]}", "{\"actions\":[]} {\"actions\":[]}"})
    void refusesADocumentThatIsNoBatchOrDoesNotParseToItsEndNamingActions(String body) {
        assertBadRequestNaming(post(REQUESTS, OPERATOR_TOKEN, "application/json", body), "actions");
        assertThat(list("request=truncated-1,twice-1").path("total").asInt()).isZero();
    }

    @Test
    void refusesADocumentNestedTooDeeplyNamingActions() {
        String deep = "{\"actions\":[{\"kind\":\"command\",\"device\":\"gw-1\",\"command\":\"x\",\"params\":{\"p\":"
                + "[".repeat(100_000) + "]".repeat(100_000) + "}}]}";

        HttpResponse<String> r = post(REQUESTS, OPERATOR_TOKEN, "application/json", deep);

        assertBadRequestNaming(r, "actions");
        assertThat(TestBridge.json(r.body()).path("message").asText()).contains("nested too deeply");
    }

    @Test
    void acceptsARequestIdOf200Characters() {
        String request = unique("long") + "-";
        request = request + "r".repeat(200 - request.length());

        HttpResponse<String> r = post(REQUESTS, OPERATOR_TOKEN, "application/json", Batches.document(request, command(unique("gw"), "reboot")));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(content(r).path("request_id").asText()).isEqualTo(request);
    }

    @Test
    void refusesARequestIdLongerThan200CharactersNamingIt() {
        String request = unique("too-long") + "-" + "r".repeat(200);

        assertBadRequestNaming(post(REQUESTS, OPERATOR_TOKEN, "application/json",
                Batches.document(request, command(unique("gw"), "reboot"))), "request_id");
        assertThat(list("request=" + request).path("total").asInt()).isZero();
    }

    @Test
    void refusesARequestIdHoldingANulCharacterNamingIt() {
        assertBadRequestNaming(post(REQUESTS, OPERATOR_TOKEN, "application/json",
                "{\"request_id\":\"nul\\u0000id\",\"actions\":[" + command(unique("gw"), "reboot") + "]}"), "request_id");
    }

    @Test
    void refusesAnIdempotencyKeyTooLongForARequestIdNamingIt() {
        String document = "{\"actions\":[" + command(unique("gw"), "reboot") + "]}";
        String key = unique("key") + "-" + "k".repeat(200);

        assertBadRequestNaming(post(REQUESTS, OPERATOR_TOKEN, "application/json", document, "Idempotency-Key", key), "Idempotency-Key");
        assertThat(list("request=api:" + key).path("total").asInt()).isZero();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
