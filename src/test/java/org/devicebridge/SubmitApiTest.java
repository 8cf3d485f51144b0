package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /commands/v0/requests/} over real HTTP: a batch document (BATCH-FORMAT.md) becomes a
 * request in the ledger; a retried POST (same {@code request_id}, same {@code Idempotency-Key}, or
 * the very same body) answers what the first one created and creates nothing new; the same key
 * with a different document is refused (422).
 */
class SubmitApiTest extends StatusApiTestSupport {

    @Test
    void acceptsABatchWith201AndItsRequestAndCommandIds() {
        String request = unique("submit");
        String device = unique("gw");

        HttpResponse<String> r = post(REQUESTS, OPERATOR_TOKEN, "application/json",
                Batches.document(request, command(device, "reboot"), command(device, "ping")));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode content = content(r);
        assertThat(content.path("request_id").asText()).isEqualTo(request);
        assertThat(content.path("replayed").asBoolean()).isFalse();
        assertThat(content.path("rejected")).isEmpty();
        assertThat(texts(content.path("command_ids"))).hasSize(2)
                .containsExactlyElementsOf(list("request=" + request).path("items").findValuesAsText("id"));
    }

    @Test
    void acceptsABatchAlsoWithoutTheTrailingSlash() {
        String request = unique("noslash");

        HttpResponse<String> r = post("/commands/v0/requests", OPERATOR_TOKEN, "application/json",
                Batches.document(request, command(unique("gw"), "reboot")));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(list("request=" + request).path("total").asInt()).isEqualTo(1);
    }

    @Test
    void acceptsAJsonContentTypeWithACharset() {
        HttpResponse<String> r = post(REQUESTS, OPERATOR_TOKEN, "application/json; charset=utf-8",
                Batches.document(unique("charset"), command(unique("gw"), "reboot")));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    @Test
    void answersARepeatedRequestIdWith200AndTheSameCommandsCreatingNothingNew() {
        String request = unique("twice");
        String document = Batches.document(request, command(unique("gw"), "reboot"), bulk("HW-1", "HW-2"));
        JsonNode first = submit(document);
        int commandsBefore = list("limit=1").path("total").asInt();

        HttpResponse<String> again = post(REQUESTS, OPERATOR_TOKEN, "application/json", document);

        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        JsonNode second = content(again);
        assertThat(second.path("replayed").asBoolean()).isTrue();
        assertThat(second.path("request_id").asText()).isEqualTo(request);
        assertThat(texts(second.path("command_ids"))).hasSize(3).containsExactlyElementsOf(texts(first.path("command_ids")));
        assertThat(list("limit=1").path("total").asInt()).isEqualTo(commandsBefore);
        assertThat(list("request=" + request).path("total").asInt()).isEqualTo(3);
    }

    @Test
    void refusesTheSameRequestIdWithAnotherDocumentWith422CreatingNothing() {
        String request = unique("same-id");
        String document = Batches.document(request, command(unique("gw"), "reboot"));
        JsonNode first = submit(document);
        int commandsBefore = list("limit=1").path("total").asInt();

        HttpResponse<String> other = post(REQUESTS, OPERATOR_TOKEN, "application/json",
                Batches.document(request, command(unique("gw"), "update"), command(unique("gw"), "ping")));

        assertError(other, 422, "request_id: request " + request + " was submitted before with a different document");
        assertThat(list("limit=1").path("total").asInt()).isEqualTo(commandsBefore);
        assertThat(list("request=" + request).path("items").findValuesAsText("command")).containsExactly("reboot");
        HttpResponse<String> same = post(REQUESTS, OPERATOR_TOKEN, "application/json", document);
        assertThat(same.statusCode()).as("the same document still replays").isEqualTo(200);
        assertThat(texts(content(same).path("command_ids"))).containsExactlyElementsOf(texts(first.path("command_ids")));
    }

    @Test
    void refusesTheSameIdempotencyKeyWithAnotherDocumentWith422CreatingNothing() {
        String key = unique("key");
        String document = "{\"actions\":[" + command(unique("gw"), "reboot") + "]}";
        HttpResponse<String> first = post(REQUESTS, OPERATOR_TOKEN, "application/json", document, "Idempotency-Key", key);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        int commandsBefore = list("limit=1").path("total").asInt();

        HttpResponse<String> other = post(REQUESTS, OPERATOR_TOKEN, "application/json",
                "{\"actions\":[" + command(unique("gw"), "update") + "]}", "Idempotency-Key", key);
        HttpResponse<String> reformatted = post(REQUESTS, OPERATOR_TOKEN, "application/json", document.replace(",", ", "),
                "Idempotency-Key", key);

        assertError(other, 422, "Idempotency-Key: request api:" + key + " was submitted before with a different document");
        assertError(reformatted, 422, "Idempotency-Key");   // the same document means the same bytes
        assertThat(list("limit=1").path("total").asInt()).isEqualTo(commandsBefore);
        HttpResponse<String> same = post(REQUESTS, OPERATOR_TOKEN, "application/json", document, "Idempotency-Key", key);
        assertThat(same.statusCode()).as("the same document still replays").isEqualTo(200);
        assertThat(content(same).path("replayed").asBoolean()).isTrue();
    }

    @Test
    void answersARepeatedIdempotencyKeyWith200AndTheSameCommandsCreatingNothingNew() {
        String key = unique("key");
        String document = "{\"actions\":[" + command(unique("gw"), "reboot") + "]}";
        HttpResponse<String> first = post(REQUESTS, OPERATOR_TOKEN, "application/json", document, "Idempotency-Key", key);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        int commandsBefore = list("limit=1").path("total").asInt();

        HttpResponse<String> again = post(REQUESTS, OPERATOR_TOKEN, "application/json", document, "Idempotency-Key", key);

        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(content(again).path("replayed").asBoolean()).isTrue();
        assertThat(content(again).path("request_id").asText()).isEqualTo(content(first).path("request_id").asText()).contains(key);
        assertThat(texts(content(again).path("command_ids"))).hasSize(1)
                .containsExactlyElementsOf(texts(content(first).path("command_ids")));
        assertThat(list("limit=1").path("total").asInt()).isEqualTo(commandsBefore);
    }

    @Test
    void treatsTheSameBodyUnderTwoIdempotencyKeysAsTwoRequests() {
        String document = "{\"actions\":[" + command(unique("gw"), "reboot") + "]}";

        HttpResponse<String> first = post(REQUESTS, OPERATOR_TOKEN, "application/json", document, "Idempotency-Key", unique("k"));
        HttpResponse<String> second = post(REQUESTS, OPERATOR_TOKEN, "application/json", document, "Idempotency-Key", unique("k"));

        assertThat(List.of(first.statusCode(), second.statusCode())).containsExactly(201, 201);
        assertThat(texts(content(second).path("command_ids"))).doesNotContainAnyElementsOf(texts(content(first).path("command_ids")));
    }

    @Test
    void answersTheVerySameBodyWithoutRequestIdOrKeyAsAReplay() {
        String document = "{\"actions\":[" + command(unique("gw"), "reboot") + "]}";
        JsonNode first = submit(document);

        HttpResponse<String> again = post(REQUESTS, OPERATOR_TOKEN, "application/json", document);

        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(texts(content(again).path("command_ids"))).containsExactlyElementsOf(texts(first.path("command_ids")));
    }

    @Test
    void listsInvalidRecordsAsRejectedNamingTheFieldAndTakesTheRest() {
        String request = unique("partly");
        String valid = command(unique("gw"), "reboot");
        String noCommand = "{\"kind\":\"command\",\"device\":\"" + unique("gw") + "\"}";
        String badNotBefore = "{\"kind\":\"command\",\"device\":\"gw-1\",\"command\":\"reboot\",\"not_before\":\"tomorrow\"}";
        String unknownKind = "{\"kind\":\"teleport\",\"device\":\"gw-1\"}";
        String badCredential = Batches.credentials("c1", "door-1", "not-hex!");

        HttpResponse<String> r = post(REQUESTS, OPERATOR_TOKEN, "application/json",
                Batches.document(request, valid, noCommand, badNotBefore, unknownKind, badCredential));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode content = content(r);
        assertThat(content.path("command_ids")).hasSize(1);
        List<String> reasons = content.path("rejected").findValuesAsText("reason");
        assertThat(reasons).hasSize(4);
        assertThat(reasons.get(0)).contains("command: missing");
        assertThat(reasons.get(1)).contains("not_before: 'tomorrow'");
        assertThat(reasons.get(2)).contains("kind: unknown kind 'teleport'");
        assertThat(reasons.get(3)).contains("credentials[0].id");
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
        assertThat(content(again).path("command_ids")).isEqualTo(first.path("command_ids"));
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
    @ValueSource(strings = {"{}", "[]", "\"actions\"", "{\"actions\":{}}", "{\"request_id\":\"x\"}", "not json", "{\"actions\":["})
    void refusesADocumentWithoutAnActionsArrayNamingActions(String body) {
        assertBadRequestNaming(post(REQUESTS, OPERATOR_TOKEN, "application/json", body), "actions");
    }

    @Test
    void acceptsARequestIdOf200Characters() {
        String request = unique("long") + "-";
        request = request + "r".repeat(200 - request.length());

        HttpResponse<String> r = post(REQUESTS, OPERATOR_TOKEN, "application/json", Batches.document(request, command(unique("gw"), "reboot")));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
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
