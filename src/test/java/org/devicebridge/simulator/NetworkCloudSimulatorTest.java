package org.devicebridge.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.HandClock;
import org.devicebridge.simulator.network.NetworkCloudSettings;
import org.devicebridge.simulator.network.NetworkCloudSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The network cloud (docs/cloud-contracts.md section 3) over real HTTP on loopback, on a clock the tests
 * move by hand: the rate window's tests advance it instead of waiting for real time to pass.
 */
class NetworkCloudSimulatorTest {

    private static final String TOKEN = "nt_test_0123456789";

    private SimulatorServer server;
    private NetworkCloudSimulator network;
    private final HandClock clock = new HandClock(Instant.parse("2026-03-10T09:15:30.123Z"));
    private final TestHttp http = new TestHttp("unused");

    @BeforeEach
    void start() {
        server = SimulatorServer.start(0);
        network = server.add(new NetworkCloudSimulator(NetworkCloudSettings.builder(TOKEN).build(), server.baseUrl(), clock));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String actionUrl(String token) {
        return network.baseUrl() + "/v3/devices/action" + (token == null ? "" : "?access_token=" + token);
    }

    private TestHttp.Response post(String body) {
        return postWithToken(TOKEN, body);
    }

    private TestHttp.Response postWithToken(String token, String body) {
        return http.send(TestHttp.anonymous(actionUrl(token)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static String ids(String type, String... ids) {
        return "{\"types\":\"" + type + "\",\"ids\":[" + quoted(ids) + "]}";
    }

    private static String quoted(String... values) {
        return java.util.Arrays.stream(values).map(v -> "\"" + v + "\"").collect(Collectors.joining(","));
    }

    private static void assertBadRequest(TestHttp.Response response, String code) {
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("error").asText()).isEqualTo(code);
        assertThat(response.json().path("message").asText()).isNotBlank();
        assertThat(response.header("X-Request-ID")).matches("[0-9a-f]{32}");
    }

    // ---- authentication and routing --------------------------------------------------

    @Test
    void missingAccessTokenAnswers401InvalidToken() {
        TestHttp.Response response = postWithToken(null, ids("renew_ip", "hw-1"));

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.json().path("error").asText()).isEqualTo("invalid_token");
        assertThat(response.header("X-Request-ID")).matches("[0-9a-f]{32}");
        assertThat(network.timesApplied("hw-1")).isZero();
    }

    @Test
    void wrongAccessTokenAnswers401WithoutEchoingAnyToken() {
        TestHttp.Response response = postWithToken("nt_wrong", ids("renew_ip", "hw-1"));

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.json().path("error").asText()).isEqualTo("invalid_token");
        assertThat(response.raw().body()).doesNotContain("nt_wrong").doesNotContain(TOKEN);
    }

    @Test
    void tokenInAnAuthorizationHeaderInsteadOfTheUrlAnswers401() {
        TestHttp.Response response = http.send(TestHttp.anonymous(actionUrl(null))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ids("renew_ip", "hw-1"))));

        assertThat(response.status()).isEqualTo(401);
    }

    @Test
    void wrongMethodAnswers405WithAllowPost() {
        TestHttp.Response response = http.send(TestHttp.anonymous(actionUrl(TOKEN)).GET());

        assertThat(response.status()).isEqualTo(405);
        assertThat(response.json().path("error").asText()).isEqualTo("method_not_allowed");
        assertThat(response.header("Allow")).isEqualTo("POST");
    }

    @Test
    void unknownPathUnderNetworkAnswers404WithErrorBodyAndRequestId() {
        TestHttp.Response response = http.send(TestHttp.anonymous(network.baseUrl() + "/v2/devices/action?access_token="
                + TOKEN).POST(HttpRequest.BodyPublishers.ofString(ids("renew_ip", "hw-1"))));

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().path("error").asText()).isEqualTo("not_found");
        assertThat(response.header("X-Request-ID")).matches("[0-9a-f]{32}");
        assertThat(response.raw().body()).doesNotContain(TOKEN);
    }

    // ---- results ----------------------------------------------------------------------

    @Test
    void appliedHwidsAnswer1KeyedExactlyAsSent() {
        TestHttp.Response response = post(ids("renew_ip", "HW-A1", "hw-b2"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("X-Request-ID")).matches("[0-9a-f]{32}");
        assertThat(response.header("Content-Type")).startsWith("application/json");
        JsonNode body = response.json();
        assertThat(body.size()).isEqualTo(2);
        assertThat(body.path("HW-A1").asInt()).isEqualTo(1);
        assertThat(body.path("hw-b2").asInt()).isEqualTo(1);
        assertThat(network.timesApplied("HW-A1")).isEqualTo(1);
        assertThat(network.timesApplied("HW-A1", "renew_ip")).isEqualTo(1);
    }

    @Test
    void unknownHwidAnswers0AndUnsupportedHwidAnswersMinus1() {
        JsonNode body = post(ids("delete", "hw-1", "unknown-7", "legacy-3")).json();

        assertThat(body.path("hw-1").intValue()).isEqualTo(1);
        assertThat(body.path("unknown-7").intValue()).isZero();
        assertThat(body.path("legacy-3").intValue()).isEqualTo(-1);
        assertThat(network.timesApplied("unknown-7")).isZero();
        assertThat(network.timesApplied("legacy-3")).isZero();
    }

    @Test
    void macsAnswer1Or0ForUnknownFfFfOrMinus1ForUnsupportedEeEe() {
        TestHttp.Response response = post("""
                {"types":"exempt","macs":["00:1a:2b:3c:4d:5e","ff:ff:00:00:00:01","ee:ee:00:00:00:02"],
                 "params":{"exempt_time":0}}""");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().path("00:1a:2b:3c:4d:5e").intValue()).isEqualTo(1);
        assertThat(response.json().path("ff:ff:00:00:00:01").intValue()).isZero();
        assertThat(response.json().path("ee:ee:00:00:00:02").intValue()).isEqualTo(-1);
        assertThat(network.timesApplied("00:1a:2b:3c:4d:5e", "exempt")).isEqualTo(1);
    }

    @Test
    void assignToAnUnknownGroupAnswers0PerDeviceNotA400() {
        TestHttp.Response response = post("""
                {"types":"assign_to_group","ids":["hw-1","hw-2"],"params":{"group_id":"no-such-group"}}""");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().path("hw-1").intValue()).isZero();
        assertThat(response.json().path("hw-2").intValue()).isZero();
        assertThat(network.timesApplied("hw-1")).isZero();
    }

    @Test
    void assignToGroupWithoutGroupIdUsesTheKnownDefaultGroup() {
        TestHttp.Response response = post(ids("assign_to_group", "hw-1"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().path("hw-1").intValue()).isEqualTo(1);
    }

    @Test
    void assignToAConfiguredKnownGroupAnswers1() {
        network.updateSettings(s -> s.toBuilder().knownGroups(Set.of("default", "quarantine")).build());

        TestHttp.Response response = post("""
                {"types":"assign_to_group","ids":["hw-1"],"params":{"group_id":"quarantine"}}""");

        assertThat(response.json().path("hw-1").intValue()).isEqualTo(1);
    }

    @Test
    void exactlyOneHundredDevicesAreAccepted() {
        String[] devices = IntStream.range(0, 100).mapToObj(i -> "hw-" + i).toArray(String[]::new);

        TestHttp.Response response = post(ids("renew_ip", devices));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().size()).isEqualTo(100);
    }

    @Test
    void receivedBodiesAreRecordedInArrivalOrder() {
        post(ids("renew_ip", "hw-1"));
        post(ids("delete", "hw-2"));

        List<JsonNode> requests = network.requests();

        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).path("types").asText()).isEqualTo("renew_ip");
        assertThat(requests.get(1).path("ids").get(0).asText()).isEqualTo("hw-2");
    }

    // ---- 400 rules ----------------------------------------------------------------------

    @Test
    void oneHundredAndOneDevicesAnswer400TooManyDevices() {
        String[] devices = IntStream.range(0, 101).mapToObj(i -> "hw-" + i).toArray(String[]::new);

        assertBadRequest(post(ids("renew_ip", devices)), "too_many_devices");
        assertThat(network.timesApplied("hw-0")).isZero();
    }

    @Test
    void bothIdsAndMacsAnswer400() {
        assertBadRequest(post("{\"types\":\"delete\",\"ids\":[\"hw-1\"],\"macs\":[\"00:1a:2b:3c:4d:5e\"]}"),
                "conflicting_parameters");
    }

    @Test
    void neitherIdsNorMacsAnswers400() {
        assertBadRequest(post("{\"types\":\"delete\"}"), "missing_parameter");
    }

    @Test
    void exemptTimeOf65000Answers400() {
        assertBadRequest(post("{\"types\":\"exempt\",\"ids\":[\"hw-1\"],\"params\":{\"exempt_time\":65000}}"),
                "invalid_exempt_time");
    }

    @Test
    void exemptTimeOf64999IsAccepted() {
        TestHttp.Response response = post("{\"types\":\"exempt\",\"ids\":[\"hw-1\"],\"params\":{\"exempt_time\":64999}}");

        assertThat(response.status()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1.5", "\"24\"", "null", "true"})
    void exemptTimeThatIsNotAnIntegerFrom0To64999Answers400(String value) {
        assertBadRequest(post("{\"types\":\"exempt\",\"ids\":[\"hw-1\"],\"params\":{\"exempt_time\":" + value + "}}"),
                "invalid_exempt_time");
    }

    @ParameterizedTest
    @ValueSource(strings = {"reboot", "DELETE", "re-identify", ""})
    void unknownTypeAnswers400InvalidType(String type) {
        assertBadRequest(post(ids(type, "hw-1")), "invalid_type");
    }

    @Test
    void missingTypesAnswers400() {
        assertBadRequest(post("{\"ids\":[\"hw-1\"]}"), "missing_parameter");
    }

    @Test
    void typesThatIsNotAStringAnswers400() {
        assertBadRequest(post("{\"types\":[\"delete\"],\"ids\":[\"hw-1\"]}"), "invalid_type");
    }

    @ParameterizedTest
    @ValueSource(strings = {"00:1A:2B:3C:4D:5E", "00-1a-2b-3c-4d-5e", "001a2b3c4d5e", "00:1a:2b:3c:4d", "0:1a:2b:3c:4d:5e"})
    void macThatIsNotLowerCaseColonSeparatedAnswers400(String mac) {
        assertBadRequest(post("{\"types\":\"renew_ip\",\"macs\":[\"" + mac + "\"]}"), "invalid_mac");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"hw-1\"", "[1,2]", "[\"hw-1\",null]", "[\"\"]", "[]", "{}"})
    void idsThatAreNotANonEmptyArrayOfStringsAnswer400(String ids) {
        assertBadRequest(post("{\"types\":\"renew_ip\",\"ids\":" + ids + "}"), "invalid_parameter");
    }

    @Test
    void aDeviceGivenTwiceAnswers400() {
        assertBadRequest(post(ids("renew_ip", "hw-1", "hw-1")), "duplicate_device");
    }

    @Test
    void bodyThatIsNotJsonAnswers400() {
        assertBadRequest(post("types=delete&ids=hw-1"), "invalid_json");
    }

    @Test
    void bodyThatIsNotAnObjectAnswers400() {
        assertBadRequest(post("[\"hw-1\"]"), "invalid_body");
    }

    @Test
    void missingJsonContentTypeAnswers400() {
        TestHttp.Response response = http.send(TestHttp.anonymous(actionUrl(TOKEN)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(ids("renew_ip", "hw-1"))));

        assertBadRequest(response, "invalid_content_type");
    }

    @Test
    void unknownTopLevelFieldAnswers400() {
        assertBadRequest(post("{\"types\":\"delete\",\"ids\":[\"hw-1\"],\"force\":true}"), "unknown_parameter");
    }

    @Test
    void unknownParamsFieldAnswers400() {
        assertBadRequest(post("{\"types\":\"exempt\",\"ids\":[\"hw-1\"],\"params\":{\"exempt_hours\":5}}"),
                "unknown_parameter");
    }

    @Test
    void paramThatDoesNotBelongToTheTypeAnswers400() {
        assertBadRequest(post("{\"types\":\"delete\",\"ids\":[\"hw-1\"],\"params\":{\"exempt_time\":5}}"),
                "invalid_parameter");
        assertBadRequest(post("{\"types\":\"exempt\",\"ids\":[\"hw-1\"],\"params\":{\"group_id\":\"default\"}}"),
                "invalid_parameter");
    }

    @Test
    void emptyOrNonStringGroupIdAnswers400() {
        assertBadRequest(post("{\"types\":\"assign_to_group\",\"ids\":[\"hw-1\"],\"params\":{\"group_id\":\"\"}}"),
                "invalid_group_id");
    }

    // ---- rate limit ---------------------------------------------------------------------

    @Test
    void fourthRequestWithinTheWindowAnswers429WithRetryAfter() {
        network.setRateLimit(3, Duration.ofSeconds(1));

        List<Integer> first = IntStream.range(0, 3).mapToObj(i -> post(ids("renew_ip", "hw-" + i)).status()).toList();
        TestHttp.Response fourth = post(ids("renew_ip", "hw-3"));

        assertThat(first).containsOnly(200);
        assertThat(fourth.status()).isEqualTo(429);
        assertThat(fourth.header("Retry-After")).isEqualTo("1");
        assertThat(fourth.json().path("error").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(fourth.header("X-Request-ID")).matches("[0-9a-f]{32}");
        assertThat(network.tooManyRequestsCount()).isEqualTo(1);
        assertThat(network.timesApplied("hw-3")).isZero();
    }

    @Test
    void theWindowFreesASlotOnceTheOldestAcceptedRequestIsOlderThanTheWindow() {
        network.setRateLimit(3, Duration.ofSeconds(1));
        IntStream.range(0, 3).forEach(i -> post(ids("renew_ip", "hw-" + i)));
        assertThat(post(ids("renew_ip", "hw-3")).status()).isEqualTo(429);

        clock.advance(Duration.ofMillis(999));
        assertThat(post(ids("renew_ip", "hw-3")).status()).as("a moment before the oldest is a window old").isEqualTo(429);

        clock.advance(Duration.ofMillis(1));
        assertThat(post(ids("renew_ip", "hw-3")).status()).isEqualTo(200);
        List<Instant> accepted = network.acceptedRequestTimes();
        assertThat(accepted).hasSize(4);
        assertThat(Duration.between(accepted.get(0), accepted.get(3))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void waitingRetryAfterSecondsIsEnoughForTheNextRequest() {
        network.setRateLimit(1, Duration.ofMillis(1500));
        post(ids("renew_ip", "hw-1"));
        clock.advance(Duration.ofMillis(200));
        TestHttp.Response refused = post(ids("renew_ip", "hw-2"));
        assertThat(refused.header("Retry-After")).isEqualTo("2");

        clock.advance(Duration.ofSeconds(Long.parseLong(refused.header("Retry-After"))));

        assertThat(post(ids("renew_ip", "hw-2")).status()).isEqualTo(200);
    }

    @Test
    void retryAfterRoundsTheRemainingWindowUpToWholeSeconds() {
        network.setRateLimit(1, Duration.ofMinutes(1));
        post(ids("renew_ip", "hw-1"));
        clock.advance(Duration.ofMillis(1));

        TestHttp.Response refused = post(ids("renew_ip", "hw-2"));

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isEqualTo("60");
    }

    @Test
    void refusedRequestsDoNotOccupyWindowSlots() {
        network.setRateLimit(3, Duration.ofSeconds(1));
        IntStream.range(0, 3).forEach(i -> post(ids("renew_ip", "hw-" + i)));
        clock.advance(Duration.ofMillis(500));
        IntStream.range(0, 4).forEach(i -> assertThat(post(ids("renew_ip", "late-" + i)).status()).isEqualTo(429));
        clock.advance(Duration.ofMillis(500)); // the accepted ones are a window old; the refused ones only half

        List<Integer> next = IntStream.range(0, 3).mapToObj(i -> post(ids("renew_ip", "next-" + i)).status()).toList();

        assertThat(next).containsOnly(200);
        assertThat(network.tooManyRequestsCount()).isEqualTo(4);
    }

    @Test
    void invalidRequestsThatPassTheLimiterStillOccupyASlot() {
        network.setRateLimit(2, Duration.ofMinutes(1));

        TestHttp.Response invalid = post("{\"types\":\"reboot\",\"ids\":[\"hw-1\"]}");
        TestHttp.Response valid = post(ids("renew_ip", "hw-1"));
        TestHttp.Response third = post(ids("renew_ip", "hw-1"));

        assertThat(invalid.status()).isEqualTo(400);
        assertThat(valid.status()).isEqualTo(200);
        assertThat(third.status()).isEqualTo(429);
    }

    @Test
    void unauthenticatedRequestsDoNotOccupyWindowSlots() {
        network.setRateLimit(1, Duration.ofMinutes(1));

        postWithToken("nt_wrong", ids("renew_ip", "hw-1"));
        TestHttp.Response valid = post(ids("renew_ip", "hw-1"));

        assertThat(valid.status()).isEqualTo(200);
        assertThat(network.acceptedRequestTimes()).hasSize(1);
    }

    @Test
    void maxRequestsInAnyWindowNeverExceedsTheLimitUnderABurst() {
        network.setRateLimit(3, Duration.ofSeconds(5));

        IntStream.range(0, 10).forEach(i -> post(ids("renew_ip", "hw-" + i)));

        assertThat(network.acceptedRequestTimes()).hasSize(3);
        assertThat(network.tooManyRequestsCount()).isEqualTo(7);
        assertThat(network.maxRequestsInAnyWindow()).isEqualTo(3);
    }

    @Test
    void maxRequestsInAnyWindowCountsOnlyRequestsWithinOneWindowLength() {
        network.setRateLimit(10, Duration.ofSeconds(1));
        post(ids("renew_ip", "hw-1"));
        post(ids("renew_ip", "hw-2"));
        clock.advance(Duration.ofMillis(1200));
        IntStream.range(0, 3).forEach(i -> post(ids("renew_ip", "later-" + i)));

        assertThat(network.maxRequestsInAnyWindow()).isEqualTo(3);
        assertThat(network.maxRequestsInAnyWindow(Duration.ofSeconds(30))).isEqualTo(5);
        assertThat(network.acceptedRequestTimes()).isSorted();
    }

    @Test
    void theDefaultLimitIsTenPerMinute() {
        List<Integer> statuses = IntStream.range(0, 11).mapToObj(i -> post(ids("renew_ip", "hw-" + i)).status()).toList();

        assertThat(statuses.subList(0, 10)).containsOnly(200);
        assertThat(statuses.get(10)).isEqualTo(429);
    }

    // ---- faults, latency, counters ----------------------------------------------------

    @Test
    void failNextCallsAnswersTheStatusWithoutEffectThenRecovers() {
        network.failNextCalls(2, 503);

        TestHttp.Response first = post(ids("renew_ip", "hw-1"));
        TestHttp.Response second = post(ids("renew_ip", "hw-1"));
        TestHttp.Response third = post(ids("renew_ip", "hw-1"));

        assertThat(first.status()).isEqualTo(503);
        assertThat(first.json().path("error").asText()).isEqualTo("service_unavailable");
        assertThat(second.status()).isEqualTo(503);
        assertThat(third.status()).isEqualTo(200);
        assertThat(network.timesApplied("hw-1")).isEqualTo(1);
    }

    @Test
    void garbleNextAnswersAppliesTheDevicesButCutsTheAnswerShortThenRecovers() {
        network.garbleNextAnswers(1);

        TestHttp.Response garbled = post(ids("renew_ip", "hw-1", "hw-2"));
        TestHttp.Response whole = post(ids("renew_ip", "hw-1", "hw-2"));

        assertThat(garbled.status()).isEqualTo(200);
        String full = "{\"hw-1\":1,\"hw-2\":1}";
        assertThat(garbled.raw().body()).isNotEmpty().hasSizeLessThan(full.length()).satisfies(b -> assertThat(full).startsWith(b));
        assertThatThrownBy(garbled::json).as("cut short: no JSON").isInstanceOf(java.io.UncheckedIOException.class);
        assertThat(whole.json().path("hw-1").asInt()).isEqualTo(1);
        assertThat(network.timesApplied("hw-1")).as("applied by both calls").isEqualTo(2);
    }

    @Test
    void garbledAnswerShareOfOneCutsEverySuccessfulAnswerShort() {
        network.updateSettings(s -> s.toBuilder().garbledAnswerShare(1.0).build());

        TestHttp.Response garbled = post(ids("renew_ip", "hw-1"));

        assertThat(garbled.status()).isEqualTo(200);
        assertThatThrownBy(garbled::json).isInstanceOf(java.io.UncheckedIOException.class);
        assertThat(network.timesApplied("hw-1")).isEqualTo(1);
        assertThat(post(ids("renew_ip", "")).status()).as("errors are never garbled").isEqualTo(400);
    }

    @Test
    void injected429CarriesRetryAfter() {
        network.failNextCalls(1, 429);

        TestHttp.Response response = post(ids("renew_ip", "hw-1"));

        assertThat(response.status()).isEqualTo(429);
        assertThat(response.header("Retry-After")).isEqualTo("1");
        assertThat(network.tooManyRequestsCount()).isZero();
    }

    @Test
    void transient5xxShareOfOneAnswersEveryAdmittedRequest503() {
        network.setTransient5xxShare(1.0);

        assertThat(post(ids("renew_ip", "hw-1")).status()).isEqualTo(503);
    }

    @Test
    void latencyDelaysTheAnswer() {
        network.setLatency(Duration.ofMillis(300));

        long started = System.nanoTime();
        TestHttp.Response response = post(ids("renew_ip", "hw-1"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void requestCountCountsEveryRequestWhateverItsAnswer() {
        post(ids("renew_ip", "hw-1"));
        postWithToken("nt_wrong", ids("renew_ip", "hw-1"));
        http.send(TestHttp.anonymous(network.baseUrl() + "/elsewhere").GET());

        assertThat(network.requestCount()).isEqualTo(3);
    }

    // ---- settings -----------------------------------------------------------------------

    @Test
    void settingsHaveTheDocumentedDefaults() {
        NetworkCloudSettings settings = NetworkCloudSettings.builder("t").build();

        assertThat(settings.rateLimit()).isEqualTo(10);
        assertThat(settings.rateWindow()).isEqualTo(Duration.ofMinutes(1));
        assertThat(settings.maxDevicesPerRequest()).isEqualTo(100);
        assertThat(settings.latency()).isZero();
        assertThat(settings.unknownDevicePattern()).isEqualTo("unknown-.*");
        assertThat(settings.unsupportedPattern()).isEqualTo("legacy-.*");
        assertThat(settings.knownGroups()).containsExactly("default");
    }

    @Test
    void settingsToStringHidesTheToken() {
        assertThat(NetworkCloudSettings.builder("nt_very_secret").build().toString()).doesNotContain("nt_very_secret");
    }

    @Test
    void settingsRejectInvalidValues() {
        assertThatThrownBy(() -> NetworkCloudSettings.builder(" ").build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetworkCloudSettings.builder("t").rateLimit(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetworkCloudSettings.builder("t").rateWindow(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetworkCloudSettings.builder("t").transient5xxShare(2).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetworkCloudSettings.builder("t").unknownDevicePattern("(").build())
                .isInstanceOf(RuntimeException.class);
    }
}
