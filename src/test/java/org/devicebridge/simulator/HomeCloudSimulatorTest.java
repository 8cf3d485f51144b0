package org.devicebridge.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.simulator.home.HomeCloudSettings;
import org.devicebridge.simulator.home.HomeCloudSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpRequest;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The home cloud (docs/cloud-contracts.md section 4) over real HTTP on loopback. */
class HomeCloudSimulatorTest {

    private static final String TOKEN = "oauth_test_0123456789";
    private static final String ON_OFF = "devices.capabilities.on_off";

    private SimulatorServer server;
    private HomeCloudSimulator home;
    private final TestHttp http = new TestHttp(TOKEN);

    @BeforeEach
    void start() {
        server = SimulatorServer.start(0);
        home = server.addHomeCloud(HomeCloudSettings.builder(TOKEN).build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String actionsUrl() {
        return home.baseUrl() + "/v1.0/devices/actions";
    }

    private TestHttp.Response post(String body) {
        return http.post(actionsUrl(), body);
    }

    /** One device with one action. */
    private static String oneAction(String deviceId, String type, String state) {
        return "{\"devices\":[{\"id\":\"" + deviceId + "\",\"actions\":[{\"type\":\"" + type + "\",\"state\":"
                + state + "}]}]}";
    }

    private static String turnOn(String deviceId) {
        return oneAction(deviceId, ON_OFF, "{\"instance\":\"on\",\"value\":true}");
    }

    private static JsonNode firstResult(TestHttp.Response response) {
        return response.json().path("devices").get(0).path("capabilities").get(0).path("state").path("action_result");
    }

    private static void assertErrorBody(TestHttp.Response response, int status) {
        assertThat(response.status()).isEqualTo(status);
        String requestId = response.header("X-Request-ID");
        assertThat(requestId).matches("[0-9a-f]{32}");
        assertThat(response.json().path("request_id").asText()).isEqualTo(requestId);
        assertThat(response.json().path("status").asText()).isEqualTo("error");
        assertThat(response.json().path("message").asText()).isNotBlank();
    }

    // ---- authentication and routing --------------------------------------------------

    @Test
    void missingBearerTokenAnswers401WithTheErrorBody() {
        TestHttp.Response response = http.send(TestHttp.anonymous(actionsUrl()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(turnOn("lamp-1"))));

        assertErrorBody(response, 401);
        assertThat(home.timesApplied("lamp-1")).isZero();
    }

    @Test
    void wrongBearerTokenAnswers401WithoutEchoingAnyToken() {
        TestHttp.Response response = new TestHttp("oauth_wrong").post(actionsUrl(), turnOn("lamp-1"));

        assertErrorBody(response, 401);
        assertThat(response.raw().body()).doesNotContain("oauth_wrong").doesNotContain(TOKEN);
    }

    @Test
    void wrongMethodAnswers405WithAllowPost() {
        TestHttp.Response response = http.get(actionsUrl());

        assertErrorBody(response, 405);
        assertThat(response.header("Allow")).isEqualTo("POST");
    }

    @Test
    void unknownPathUnderHomeAnswers404WithTheErrorBody() {
        assertErrorBody(http.post(home.baseUrl() + "/v1.0/devices/action", turnOn("lamp-1")), 404);
    }

    // ---- outcomes -----------------------------------------------------------------------

    @Test
    void validActionOnAKnownDeviceIsDoneAndApplied() {
        TestHttp.Response response = post(turnOn("lamp-1"));

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.path("status").asText()).isEqualTo("ok");
        assertThat(body.path("request_id").asText()).isEqualTo(response.header("X-Request-ID")).matches("[0-9a-f]{32}");
        JsonNode device = body.path("devices").get(0);
        assertThat(device.path("id").asText()).isEqualTo("lamp-1");
        JsonNode capability = device.path("capabilities").get(0);
        assertThat(capability.path("type").asText()).isEqualTo(ON_OFF);
        assertThat(capability.path("state").path("instance").asText()).isEqualTo("on");
        assertThat(capability.path("state").path("action_result").path("status").asText()).isEqualTo("DONE");
        assertThat(capability.path("state").path("action_result").has("error_code")).isFalse();
        assertThat(home.stateOf("lamp-1").path(ON_OFF).path("on").asBoolean()).isTrue();
        assertThat(home.timesApplied("lamp-1")).isEqualTo(1);
    }

    @Test
    void requestWhereNoDeviceIsKnownAnswers404DevicesNotFound() {
        TestHttp.Response response = post("""
                {"devices":[{"id":"unknown-1","actions":[{"type":"devices.capabilities.on_off","state":{"instance":"on","value":true}}]},
                            {"id":"unknown-2","actions":[{"type":"devices.capabilities.on_off","state":{"instance":"on","value":true}}]}]}""");

        assertErrorBody(response, 404);
        assertThat(response.json().path("message").asText()).isEqualTo("devices not found");
    }

    @Test
    void unknownDeviceAmongKnownOnesGetsDeviceNotFoundForEachCapability() {
        TestHttp.Response response = post("""
                {"devices":[
                  {"id":"lamp-1","actions":[{"type":"devices.capabilities.on_off","state":{"instance":"on","value":true}}]},
                  {"id":"unknown-9","actions":[
                     {"type":"devices.capabilities.on_off","state":{"instance":"on","value":true}},
                     {"type":"devices.capabilities.range","state":{"instance":"brightness","value":40}}]}]}""");

        assertThat(response.status()).isEqualTo(200);
        JsonNode unknown = response.json().path("devices").get(1);
        assertThat(unknown.path("id").asText()).isEqualTo("unknown-9");
        assertThat(unknown.path("capabilities")).hasSize(2);
        for (JsonNode capability : unknown.path("capabilities")) {
            assertThat(capability.path("state").path("action_result").path("status").asText()).isEqualTo("ERROR");
            assertThat(capability.path("state").path("action_result").path("error_code").asText())
                    .isEqualTo("DEVICE_NOT_FOUND");
            assertThat(capability.path("state").path("action_result").path("error_message").asText()).isNotBlank();
        }
        assertThat(response.json().path("devices").get(0).path("capabilities").get(0).path("state")
                .path("action_result").path("status").asText()).isEqualTo("DONE");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "offline-lamp, DEVICE_UNREACHABLE",
            "busy-lamp, DEVICE_BUSY",
            "locked-lamp, NOT_SUPPORTED_IN_CURRENT_MODE",
            "broken-lamp, INTERNAL_ERROR"})
    void devicePatternsAnswerTheirErrorCodeWithoutApplying(String deviceId, String errorCode) {
        TestHttp.Response response = post(turnOn(deviceId));

        assertThat(response.status()).isEqualTo(200);
        assertThat(firstResult(response).path("status").asText()).isEqualTo("ERROR");
        assertThat(firstResult(response).path("error_code").asText()).isEqualTo(errorCode);
        assertThat(firstResult(response).path("error_message").asText()).isNotBlank();
        assertThat(home.timesApplied(deviceId)).isZero();
        assertThat(home.stateOf(deviceId).isEmpty()).isTrue();
    }

    @Test
    void unknownCapabilityTypeIsInvalidAction() {
        TestHttp.Response response = post(oneAction("lamp-1", "devices.capabilities.teleport",
                "{\"instance\":\"on\",\"value\":true}"));

        assertThat(firstResult(response).path("error_code").asText()).isEqualTo("INVALID_ACTION");
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource({
            "devices.capabilities.on_off, off",
            "devices.capabilities.range, humidity",
            "devices.capabilities.color_setting, scene",
            "devices.capabilities.mode, ''"})
    void unknownInstanceOfAKnownTypeIsInvalidAction(String type, String instance) {
        TestHttp.Response response = post(oneAction("lamp-1", type,
                "{\"instance\":\"" + instance + "\",\"value\":true}"));

        assertThat(firstResult(response).path("error_code").asText()).isEqualTo("INVALID_ACTION");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "devices.capabilities.on_off | {\"instance\":\"on\",\"value\":\"yes\"}",
            "devices.capabilities.on_off | {\"instance\":\"on\"}",
            "devices.capabilities.on_off | {\"instance\":\"on\",\"value\":true,\"relative\":true}",
            "devices.capabilities.on_off | {\"instance\":\"on\",\"value\":true,\"colour\":1}",
            "devices.capabilities.range | {\"instance\":\"brightness\",\"value\":101}",
            "devices.capabilities.range | {\"instance\":\"brightness\",\"value\":-1}",
            "devices.capabilities.range | {\"instance\":\"brightness\",\"value\":150,\"relative\":true}",
            "devices.capabilities.range | {\"instance\":\"brightness\",\"value\":10,\"relative\":\"yes\"}",
            "devices.capabilities.range | {\"instance\":\"temperature\",\"value\":\"hot\"}",
            "devices.capabilities.range | {\"instance\":\"volume\",\"value\":-3}",
            "devices.capabilities.range | {\"instance\":\"channel\",\"value\":1.5}",
            "devices.capabilities.color_setting | {\"instance\":\"rgb\",\"value\":16777216}",
            "devices.capabilities.color_setting | {\"instance\":\"rgb\",\"value\":-1}",
            "devices.capabilities.color_setting | {\"instance\":\"rgb\",\"value\":\"#ff0000\"}",
            "devices.capabilities.color_setting | {\"instance\":\"hsv\",\"value\":{\"h\":10,\"s\":20}}",
            "devices.capabilities.color_setting | {\"instance\":\"hsv\",\"value\":{\"h\":400,\"s\":20,\"v\":30}}",
            "devices.capabilities.color_setting | {\"instance\":\"temperature_k\",\"value\":4500.5}",
            "devices.capabilities.mode | {\"instance\":\"thermostat\",\"value\":5}",
            "devices.capabilities.mode | {\"instance\":\"fan_speed\",\"value\":\"\"}",
            "devices.capabilities.toggle | {\"instance\":\"mute\",\"value\":\"on\"}"})
    void wrongValueShapeIsInvalidValue(String type, String state) {
        TestHttp.Response response = post(oneAction("lamp-1", type, state));

        assertThat(response.status()).isEqualTo(200);
        assertThat(firstResult(response).path("status").asText()).isEqualTo("ERROR");
        assertThat(firstResult(response).path("error_code").asText()).isEqualTo("INVALID_VALUE");
        assertThat(home.timesApplied("lamp-1")).isZero();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "devices.capabilities.on_off | {\"instance\":\"on\",\"value\":false}",
            "devices.capabilities.range | {\"instance\":\"brightness\",\"value\":0}",
            "devices.capabilities.range | {\"instance\":\"brightness\",\"value\":-30,\"relative\":true}",
            "devices.capabilities.range | {\"instance\":\"temperature\",\"value\":21.5}",
            "devices.capabilities.range | {\"instance\":\"volume\",\"value\":7}",
            "devices.capabilities.range | {\"instance\":\"channel\",\"value\":42,\"relative\":false}",
            "devices.capabilities.color_setting | {\"instance\":\"rgb\",\"value\":16777215}",
            "devices.capabilities.color_setting | {\"instance\":\"hsv\",\"value\":{\"h\":360,\"s\":100,\"v\":0}}",
            "devices.capabilities.color_setting | {\"instance\":\"temperature_k\",\"value\":4500}",
            "devices.capabilities.mode | {\"instance\":\"fan_speed\",\"value\":\"high\"}",
            "devices.capabilities.toggle | {\"instance\":\"backlight\",\"value\":true}"})
    void everyDocumentedValueShapeIsDone(String type, String state) {
        TestHttp.Response response = post(oneAction("lamp-1", type, state));

        assertThat(firstResult(response).path("status").asText()).isEqualTo("DONE");
        assertThat(home.timesApplied("lamp-1")).isEqualTo(1);
    }

    @Test
    void severalDevicesInOneCallGetTheirOwnResultsInRequestOrder() {
        TestHttp.Response response = post("""
                {"devices":[
                  {"id":"lamp-1","actions":[
                     {"type":"devices.capabilities.on_off","state":{"instance":"on","value":true}},
                     {"type":"devices.capabilities.color_setting","state":{"instance":"rgb","value":255}}]},
                  {"id":"offline-2","actions":[{"type":"devices.capabilities.on_off","state":{"instance":"on","value":true}}]},
                  {"id":"thermo-3","actions":[{"type":"devices.capabilities.mode","state":{"instance":"thermostat","value":"heat"}}]}]}""");

        assertThat(response.status()).isEqualTo(200);
        JsonNode devices = response.json().path("devices");
        assertThat(devices).hasSize(3);
        assertThat(devices.get(0).path("id").asText()).isEqualTo("lamp-1");
        assertThat(devices.get(0).path("capabilities")).hasSize(2);
        assertThat(devices.get(0).path("capabilities").get(1).path("state").path("action_result").path("status")
                .asText()).isEqualTo("DONE");
        assertThat(devices.get(1).path("capabilities").get(0).path("state").path("action_result").path("error_code")
                .asText()).isEqualTo("DEVICE_UNREACHABLE");
        assertThat(devices.get(2).path("id").asText()).isEqualTo("thermo-3");
        assertThat(home.stateOf("lamp-1").path("devices.capabilities.color_setting").path("rgb").asInt()).isEqualTo(255);
        assertThat(home.stateOf("thermo-3").path("devices.capabilities.mode").path("thermostat").asText())
                .isEqualTo("heat");
    }

    @Test
    void invalidCapabilityDoesNotStopTheOtherCapabilitiesOfTheDevice() {
        TestHttp.Response response = post("""
                {"devices":[{"id":"lamp-1","actions":[
                   {"type":"devices.capabilities.range","state":{"instance":"brightness","value":500}},
                   {"type":"devices.capabilities.on_off","state":{"instance":"on","value":true}}]}]}""");

        JsonNode capabilities = response.json().path("devices").get(0).path("capabilities");
        assertThat(capabilities.get(0).path("state").path("action_result").path("error_code").asText())
                .isEqualTo("INVALID_VALUE");
        assertThat(capabilities.get(1).path("state").path("action_result").path("status").asText()).isEqualTo("DONE");
        assertThat(home.timesApplied("lamp-1")).isEqualTo(1);
    }

    @Test
    void relativeRangeChangesAddToTheAppliedValue() {
        post(oneAction("lamp-1", "devices.capabilities.range", "{\"instance\":\"brightness\",\"value\":50}"));
        post(oneAction("lamp-1", "devices.capabilities.range",
                "{\"instance\":\"brightness\",\"value\":-20,\"relative\":true}"));

        assertThat(home.stateOf("lamp-1").path("devices.capabilities.range").path("brightness").asInt()).isEqualTo(30);
    }

    // ---- 400 rules ----------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "not json",
            "[]",
            "{}",
            "{\"devices\":[]}",
            "{\"devices\":{}}",
            "{\"devices\":[{\"actions\":[{\"type\":\"devices.capabilities.on_off\",\"state\":{\"instance\":\"on\",\"value\":true}}]}]}",
            "{\"devices\":[{\"id\":\"lamp-1\",\"actions\":[]}]}",
            "{\"devices\":[{\"id\":\"lamp-1\",\"actions\":[{\"type\":\"devices.capabilities.on_off\"}]}]}",
            "{\"devices\":[{\"id\":\"lamp-1\",\"actions\":[{\"type\":\"devices.capabilities.on_off\",\"state\":{\"value\":true}}]}]}",
            "{\"devices\":[{\"id\":7,\"actions\":[{\"type\":\"devices.capabilities.on_off\",\"state\":{\"instance\":\"on\",\"value\":true}}]}]}",
            "{\"devices\":[{\"id\":\"lamp-1\",\"actions\":[{\"type\":\"devices.capabilities.on_off\",\"state\":{\"instance\":\"on\",\"value\":true}}]}],\"extra\":1}"})
    void malformedBodyAnswers400WithTheErrorBody(String body) {
        assertErrorBody(post(body), 400);
    }

    @Test
    void missingJsonContentTypeAnswers400() {
        TestHttp.Response response = http.send(http.authorised(actionsUrl()).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(turnOn("lamp-1"))));

        assertErrorBody(response, 400);
    }

    // ---- faults, latency, counters ----------------------------------------------------

    @Test
    void failNextCallsAnswersTheStatusWithoutEffectThenRecovers() {
        home.failNextCalls(1, 500);

        TestHttp.Response failed = post(turnOn("lamp-1"));
        TestHttp.Response retried = post(turnOn("lamp-1"));

        assertErrorBody(failed, 500);
        assertThat(retried.status()).isEqualTo(200);
        assertThat(home.timesApplied("lamp-1")).isEqualTo(1);
    }

    @Test
    void latencyDelaysTheAnswer() {
        home.setLatency(Duration.ofMillis(300));

        long started = System.nanoTime();
        post(turnOn("lamp-1"));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void requestsRecordsAuthenticatedBodiesAndRequestCountCountsAll() {
        post(turnOn("lamp-1"));
        new TestHttp("oauth_wrong").post(actionsUrl(), turnOn("lamp-2"));

        assertThat(home.requests()).hasSize(1);
        assertThat(home.requests().get(0).path("devices").get(0).path("id").asText()).isEqualTo("lamp-1");
        assertThat(home.requestCount()).isEqualTo(2);
    }

    // ---- settings -----------------------------------------------------------------------

    @Test
    void settingsHaveTheDocumentedDefaults() {
        HomeCloudSettings settings = HomeCloudSettings.builder("t").build();

        assertThat(settings.latency()).isZero();
        assertThat(settings.unknownDevicePattern()).isEqualTo("unknown-.*");
        assertThat(settings.unreachableDevicePattern()).isEqualTo("offline-.*");
        assertThat(settings.busyDevicePattern()).isEqualTo("busy-.*");
    }

    @Test
    void settingsToStringHidesTheToken() {
        assertThat(HomeCloudSettings.builder("oauth_very_secret").build().toString()).doesNotContain("oauth_very_secret");
    }

    @Test
    void settingsRejectInvalidValues() {
        assertThatThrownBy(() -> HomeCloudSettings.builder("").build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HomeCloudSettings.builder("t").latency(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HomeCloudSettings.builder("t").transient5xxShare(-0.1).build())
                .isInstanceOf(IllegalArgumentException.class);
    }
}
