package org.devicebridge.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.access.AccessCloudSimulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The device's payload rules: what ends an action REJECTED, with which reason, and what is accepted. */
class AccessCloudPayloadRulesTest {

    private static final String API_KEY = "ak_rules";
    private static final String VALID = TestHttp.validPayload();

    private static SimulatorServer server;
    private static AccessCloudSimulator access;
    private static final TestHttp HTTP = new TestHttp(API_KEY);

    @BeforeAll
    static void start() {
        server = SimulatorServer.start(0);
        access = server.addAccessCloud(AccessCloudSettings.builder(API_KEY)
                .processingDelay(Duration.ofMillis(20)).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> invalidPayloads() {
        return Stream.of(
                Arguments.of("malformed JSON", "{\"credentials\":[", "malformed JSON"),
                Arguments.of("empty body", "", "malformed JSON"),
                Arguments.of("not an object", "[]", "JSON object"),
                Arguments.of("missing credentials", "{\"schedules\":[]}", "credentials: missing array"),
                Arguments.of("schedules not an array", "{\"credentials\":[],\"schedules\":{}}", "schedules: must be an array"),
                Arguments.of("lower-case credential id",
                        VALID.replace("1A2B3C4DFFFFFFFFFFFFFFFFFFFFFFFF", "1a2b3c4dffffffffffffffffffffffff"), "credentials[0].id"),
                Arguments.of("credential id of 31 characters",
                        VALID.replace("1A2B3C4DFFFFFFFFFFFFFFFFFFFFFFFF", "1A2B3C4DFFFFFFFFFFFFFFFFFFFFFFF"), "credentials[0].id"),
                Arguments.of("non-hex credential id",
                        VALID.replace("1A2B3C4DFFFFFFFFFFFFFFFFFFFFFFFF", "1A2B3C4GFFFFFFFFFFFFFFFFFFFFFFFF"), "credentials[0].id"),
                Arguments.of("unknown schedule",
                        VALID.replace("[\"office-hours\"]", "[\"nights\"]"), "credentials[0].schedule_ids[0]"),
                Arguments.of("bad start time", VALID.replace("\"08:00\"", "\"8:00\""), "schedules[0].intervals[0].start"),
                Arguments.of("hour 25", VALID.replace("\"18:00\"", "\"25:00\""), "schedules[0].intervals[0].end"),
                Arguments.of("24:00 as start", VALID.replace("\"08:00\"", "\"24:00\""), "schedules[0].intervals[0].start"),
                Arguments.of("unknown day", VALID.replace("\"MON\"", "\"MONDAY\""), "schedules[0].intervals[0].days[0]"),
                Arguments.of("unknown time zone", VALID.replace("Europe/Berlin", "Europe/Atlantis"), "schedules[0].timezone"),
                Arguments.of("start not before end", VALID.replace("\"18:00\"", "\"08:00\""), "not before end"),
                Arguments.of("bad valid_from", VALID.replace("2026-01-01T00:00:00Z", "yesterday"), "credentials[0].valid_from"),
                Arguments.of("duplicate credential id", """
                        {"credentials":[{"id":"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF","schedule_ids":[]},
                                        {"id":"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF","schedule_ids":[]}],"schedules":[]}
                        """, "credentials[1].id"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPayloads")
    void rejectsInvalidPayloadNamingTheFirstProblem(String description, String payload, String expectedInReason) {
        JsonNode done = uploadAndAwaitEnd("door-" + description.replace(' ', '-'), payload);

        assertThat(done.path("status").asText()).isEqualTo("REJECTED");
        assertThat(done.path("reason").asText()).contains(expectedInReason);
        assertThat(done.has("upload_url")).isFalse();
    }

    @Test
    void reportsTheFirstOfSeveralProblems() {
        String payload = VALID.replace("Europe/Berlin", "Mars/Olympus").replace("1A2B3C4D", "xyz");

        JsonNode done = uploadAndAwaitEnd("door-two-problems", payload);

        assertThat(done.path("reason").asText()).contains("schedules[0].timezone").doesNotContain("credentials");
    }

    @Test
    void accepts2400AsEndOfDay() {
        JsonNode done = uploadAndAwaitEnd("door-all-day",
                VALID.replace("\"08:00\"", "\"00:00\"").replace("\"18:00\"", "\"24:00\""));

        assertThat(done.path("status").asText()).isEqualTo("RESOLVED");
    }

    @Test
    void acceptsCredentialWithoutScheduleAndEmptyDatabase() {
        JsonNode done = uploadAndAwaitEnd("door-minimal",
                "{\"credentials\":[{\"id\":\"ABCDEF0123456789FFFFFFFFFFFFFFFF\",\"schedule_ids\":[]}],\"schedules\":[]}");

        assertThat(done.path("status").asText()).isEqualTo("RESOLVED");
    }

    private static JsonNode uploadAndAwaitEnd(String deviceId, String payload) {
        JsonNode created = HTTP.createAction(access.baseUrl(), deviceId);
        String id = created.path("id").asText();
        assertThat(HTTP.upload(created.path("upload_url").asText(), payload).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                access.action(id).path("status").asText().matches("RESOLVED|REJECTED"));
        return HTTP.get(access.baseUrl() + "/v1/device-actions/" + id).json();
    }
}
