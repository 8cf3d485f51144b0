package org.devicebridge.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP client for the simulator tests (no simulator classes involved on the wire). */
final class TestHttp {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String apiKey;

    TestHttp(String apiKey) {
        this.apiKey = apiKey;
    }

    /** A response with its body parsed as JSON when there is one. */
    record Response(int status, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return JSON.readTree(raw.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    Response get(String url) {
        return send(authorised(url).GET());
    }

    Response post(String url, String body) {
        return send(authorised(url).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Creates an action for the device and returns the 201 body. */
    JsonNode createAction(String accessBaseUrl, String deviceId) {
        Response response = post(accessBaseUrl + "/v1/devices/" + deviceId + "/actions",
                "{\"type\":\"UPDATE_CREDENTIALS_AND_SCHEDULES\"}");
        if (response.status() != 201) {
            throw new AssertionError("create answered " + response.status() + ": " + response.raw().body());
        }
        return response.json();
    }

    /** PUTs a payload to an upload URL the way a correct client does: JSON, no credentials. */
    Response upload(String uploadUrl, String payload) {
        return send(HttpRequest.newBuilder(URI.create(uploadUrl)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(payload)));
    }

    Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpRequest.Builder authorised(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + apiKey);
    }

    static HttpRequest.Builder anonymous(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
    }

    /** A valid payload with one credential and one schedule. */
    static String validPayload() {
        return """
                {"credentials":[{"id":"1A2B3C4DFFFFFFFFFFFFFFFFFFFFFFFF","holder":"Ada Lovelace",
                  "schedule_ids":["office-hours"],"valid_from":"2026-01-01T00:00:00Z","valid_until":null}],
                 "schedules":[{"id":"office-hours","timezone":"Europe/Berlin",
                  "intervals":[{"days":["MON","TUE","WED","THU","FRI"],"start":"08:00","end":"18:00"}]}]}
                """;
    }
}
