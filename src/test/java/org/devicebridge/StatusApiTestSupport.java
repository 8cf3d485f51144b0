package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.api.ApiGate;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Base of the tests of the bridge's own HTTP API (docs/cloud-contracts.md section 5): every test
 * of a class on the class's bridge ({@link #sharedBridge}) on the three simulated clouds, called
 * over loopback HTTP with {@link HttpClient}. Tests keep apart by their own request and device
 * ids. Every answer is checked for the {@code X-Request-ID} of the API conventions (docs/cloud-contracts.md section 1) and for the absence of a Java
 * stack trace, whatever the test is about.
 */
abstract class StatusApiTestSupport extends AllCloudsTestSupport {

    static final String OPERATOR_TOKEN = "op_test_5b7e9c1d3f2a4b6c";
    static final String DEVICE_TOKEN = "dev_test_7a1c3e5b9d2f4a6c";
    static final String STATUS = "/commands/v0/status/";
    static final String INBOX = "/v2/command-inbox/";
    static final String REQUESTS = "/commands/v0/requests/";

    private static final AtomicInteger UNIQUE = new AtomicInteger();

    TestBridge bridge;
    // HTTP/1.1: an h2c upgrade of a large answer (/openapi.yaml) fails now and then (docs/operations.md)
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void onTheSharedBridge() {
        bridge = sharedBridge();
    }

    @Override
    Map<String, String> sharedBridgeProperties() {
        Map<String, String> properties = new HashMap<>(moreProperties());
        properties.put("bridge.api.token", OPERATOR_TOKEN);
        properties.put("bridge.api.device-token", DEVICE_TOKEN);
        return properties;
    }

    /** What a test class adds to the bridge's configuration. */
    Map<String, String> moreProperties() {
        return Map.of();
    }

    /** A name no other test of the run uses (request ids, device ids). */
    static String unique(String prefix) {
        return prefix + "-" + UNIQUE.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 100_000_000L, 36);
    }

    // ---------------------------------------------------------------- HTTP

    HttpResponse<String> get(String pathAndQuery, String token) {
        return send(request(pathAndQuery, token).GET().build());
    }

    HttpResponse<String> put(String path, String token, String contentType, String body) {
        HttpRequest.Builder b = request(path, token).PUT(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b.build());
    }

    HttpResponse<String> putState(String commandId, String token, String body) {
        return put(STATUS + commandId + "/", token, "application/json", body);
    }

    HttpResponse<String> post(String path, String token, String contentType, String body, String... headers) {
        HttpRequest.Builder b = request(path, token).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    /** Any method on any path, without a body. */
    HttpResponse<String> call(String method, String pathAndQuery, String token) {
        return send(request(pathAndQuery, token).method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    /**
     * {@code POST /commands/v0/requests/} with the operator token; expects 202 (taken in in the
     * background), waits until its intake is complete and answers the request's status
     * ({@code GET /commands/v0/requests/{id}/}) with {@code command_ids} added: its commands' ids in
     * batch order, rejected records left out.
     */
    JsonNode submit(String document) {
        HttpResponse<String> r = post(REQUESTS, OPERATOR_TOKEN, "application/json", document);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return awaitTaken(content(r).path("request_id").asText());
    }

    /** Waits until the request's intake is complete; answers its status with {@code command_ids} added (see {@link #submit}). */
    JsonNode awaitTaken(String requestId) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> requestStatus(requestId).path("intake_complete").asBoolean());
        com.fasterxml.jackson.databind.node.ObjectNode status = (com.fasterxml.jackson.databind.node.ObjectNode) requestStatus(requestId);
        com.fasterxml.jackson.databind.node.ArrayNode ids = status.putArray("command_ids");
        list("request=" + query(requestId) + "&limit=1000").path("items").forEach(c -> {
            if (!c.path("reason").asText("").startsWith("invalid:")) {
                ids.add(c.path("id").asText());
            }
        });
        return status;
    }

    /** {@code GET /commands/v0/requests/{id}/} with the operator token; expects 200 and answers its content. */
    JsonNode requestStatus(String requestId) {
        HttpResponse<String> r = get(REQUESTS + query(requestId) + "/", OPERATOR_TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return content(r);
    }

    /** Submits one action per string, as one request; answers the command ids in batch order. */
    List<String> submitActions(String requestId, String... actions) {
        JsonNode content = submit(Batches.document(requestId, actions));
        List<String> ids = new ArrayList<>();
        content.path("command_ids").forEach(id -> ids.add(id.asText()));
        return ids;
    }

    /** The device's inbox, fetched with the device token: the commands' ids, in the order delivered. */
    List<String> fetchInbox(String device) {
        HttpResponse<String> r = get(INBOX + "?device_id=" + query(device), DEVICE_TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        content(r).path("commands").forEach(c -> ids.add(c.path("id").asText()));
        return ids;
    }

    /** The command's status object, with its transitions. */
    JsonNode status(String commandId) {
        HttpResponse<String> r = get(STATUS + commandId + "/", OPERATOR_TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return content(r);
    }

    String stateOf(String commandId) {
        return status(commandId).path("state").asText();
    }

    /** The "to" state of each of the command's transitions, in order. */
    List<String> transitionsOf(String commandId) {
        List<String> to = new ArrayList<>();
        status(commandId).path("transitions").forEach(t -> to.add(t.path("to").asText()));
        return to;
    }

    void awaitState(String commandId, String state) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(stateOf(commandId)).isEqualTo(state));
    }

    /** Waits until every command of the list filtered by {@code query} is final; answers that list's items. */
    JsonNode awaitAllFinal(String query, int expected) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode items = list(query).path("items");
            if (items.size() != expected) {
                return false;
            }
            for (JsonNode item : items) {
                if (!List.of("Command Success", "Command Failure", "Command TimeOut", "Command Cancelled")
                        .contains(item.path("state").asText())) {
                    return false;
                }
            }
            return true;
        });
        return list(query).path("items");
    }

    /** {@code GET /commands/v0/status/?<query>} with the operator token; expects 200 and answers its content. */
    JsonNode list(String query) {
        HttpResponse<String> r = get(STATUS + "?" + query, OPERATOR_TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return content(r);
    }

    static JsonNode content(HttpResponse<String> r) {
        JsonNode body = TestBridge.json(r.body());
        assertThat(body.path("code").asInt(-1)).as(r.body()).isZero();
        return body.path("content");
    }

    /**
     * A 4xx/5xx in the envelope with the error model: its code, {@code "object":"error"}, a
     * {@code type}, a message naming {@code named}, {@code fields} (a list), no content, the
     * request id of the header.
     */
    static void assertError(HttpResponse<String> r, int status, String named) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = TestBridge.json(r.body());
        assertThat(body.path("code").asInt()).isEqualTo(status);
        assertThat(body.path("object").asText()).as(r.body()).isEqualTo("error");
        assertThat(body.path("type").asText()).as(r.body()).matches("[a-z_]+");
        assertThat(body.path("fields").isArray()).as(r.body()).isTrue();
        assertThat(body.path("message").asText()).contains(named);
        assertThat(body.path("content").isNull()).as(r.body()).isTrue();
        assertThat(body.path("request_id").asText()).isEqualTo(r.headers().firstValue("X-Request-ID").orElseThrow());
    }

    /** A 400 {@code validation_error} whose message names the parameter or field first ({@code "limit: ..."}), as does {@code fields}. */
    static void assertBadRequestNaming(HttpResponse<String> r, String field) {
        assertError(r, 400, field);
        JsonNode body = TestBridge.json(r.body());
        assertThat(body.path("message").asText()).startsWith(field + ": ");
        assertThat(body.path("type").asText()).isEqualTo("validation_error");
        assertThat(body.path("fields").findValuesAsText("name")).contains(field);
    }

    static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String stateJson(String state) {
        return "{\"state\":\"" + state + "\"}";
    }

    static String command(String device, String command) {
        return "{\"kind\":\"command\",\"device\":\"" + device + "\",\"command\":\"" + command + "\",\"params\":{}}";
    }

    static String bulk(String... devices) {
        return "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[\"" + String.join("\",\"", devices) + "\"]}";
    }

    static String capability(String device) {
        return "{\"kind\":\"capability\",\"device\":\"" + device + "\",\"actions\":[{\"type\":\"devices.capabilities.on_off\","
                + "\"state\":{\"instance\":\"on\",\"value\":true}}]}";
    }

    private HttpRequest.Builder request(String pathAndQuery, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + pathAndQuery)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + bridge.property("bridge.http.port");
    }

    /** Sends, and checks what every answer of the API must have (docs/cloud-contracts.md section 1): an X-Request-ID, no stack trace. */
    private HttpResponse<String> send(HttpRequest request) {
        HttpResponse<String> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertThat(r.headers().firstValue("X-Request-ID")).as("X-Request-ID of %s %s", request.method(), request.uri())
                .hasValueSatisfying(id -> assertThat(id).isNotBlank().hasSizeLessThanOrEqualTo(32));
        assertThat(r.body()).as("answer of %s %s", request.method(), request.uri())
                .doesNotContain("at org.").doesNotContain("Exception").doesNotContain("\tat ");
        return r;
    }

    static String unauthorized() {
        return ApiGate.UNAUTHORIZED;
    }
}
