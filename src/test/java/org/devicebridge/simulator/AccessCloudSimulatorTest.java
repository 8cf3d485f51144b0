package org.devicebridge.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.access.AccessCloudSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The access cloud's API, uploads, lifecycle and fault injection, over real HTTP on loopback. */
class AccessCloudSimulatorTest {

    private static final String API_KEY = "ak_test_0123456789";

    private SimulatorServer server;
    private AccessCloudSimulator access;
    private TestHttp http;

    @BeforeEach
    void start() {
        server = SimulatorServer.start(0);
        access = server.addAccessCloud(AccessCloudSettings.builder(API_KEY)
                .processingDelay(Duration.ofMillis(100))
                .build());
        http = new TestHttp(API_KEY);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String actions(String deviceId) {
        return access.baseUrl() + "/v1/devices/" + deviceId + "/actions";
    }

    private String action(String actionId) {
        return access.baseUrl() + "/v1/device-actions/" + actionId;
    }

    private JsonNode awaitFinalStatus(String actionId) {
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            String status = http.get(action(actionId)).json().path("status").asText();
            return status.equals("RESOLVED") || status.equals("REJECTED");
        });
        return http.get(action(actionId)).json();
    }

    // ---- authentication and conventions ----------------------------------------------

    @Test
    void rejectsMissingBearerTokenWith401AndRequestId() {
        TestHttp.Response response = http.send(TestHttp.anonymous(actions("door-1"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"UPDATE_CREDENTIALS_AND_SCHEDULES\"}")));

        assertThat(response.status()).isEqualTo(401);
        String requestId = response.header("X-Request-ID");
        assertThat(requestId).matches("[0-9a-f]{32}");
        JsonNode body = response.json();
        assertThat(body.path("object").asText()).isEqualTo("error");
        assertThat(body.path("code").asInt()).isEqualTo(401);
        assertThat(body.path("type").asText()).isEqualTo("invalid_auth");
        assertThat(body.path("fields").isArray()).isTrue();
        assertThat(body.path("request_id").asText()).isEqualTo(requestId);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(access.createCount("door-1")).isZero();
    }

    @Test
    void rejectsWrongApiKeyWith401InvalidApikey() {
        TestHttp.Response response = new TestHttp("ak_wrong").get(access.baseUrl() + "/v1/device-actions");

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.json().path("type").asText()).isEqualTo("invalid_apikey");
        assertThat(response.raw().body()).doesNotContain("ak_wrong").doesNotContain(API_KEY);
    }

    @Test
    void unknownPathUnderAccessAnswers404WithErrorBody() {
        TestHttp.Response response = http.get(access.baseUrl() + "/v2/whatever");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().path("object").asText()).isEqualTo("error");
        assertThat(response.json().path("request_id").asText()).isEqualTo(response.header("X-Request-ID"));
    }

    @Test
    void wrongMethodAnswers405MethodNotSupported() {
        TestHttp.Response response = http.send(http.authorised(action("0123")).DELETE());

        assertThat(response.status()).isEqualTo(405);
        assertThat(response.json().path("type").asText()).isEqualTo("method_not_supported");
        assertThat(response.header("Allow")).isEqualTo("GET");
    }

    // ---- step 1: create and read actions ---------------------------------------------

    @Test
    void createsActionAwaitingDataWithUploadUrlOutsideTheApiPrefix() {
        TestHttp.Response response = http.post(actions("door-1"), "{\"type\":\"UPDATE_CREDENTIALS_AND_SCHEDULES\"}");

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.header("X-Request-ID")).matches("[0-9a-f]{32}");
        JsonNode created = response.json();
        assertThat(created.path("object").asText()).isEqualTo("device-action");
        assertThat(created.path("id").asText()).matches("[0-9a-f]{32}");
        assertThat(created.path("device_id").asText()).isEqualTo("door-1");
        assertThat(created.path("type").asText()).isEqualTo("UPDATE_CREDENTIALS_AND_SCHEDULES");
        assertThat(created.path("status").asText()).isEqualTo("AWAITING_DATA");
        assertThat(created.path("upload_url").asText())
                .startsWith(server.baseUrl() + "/uploads/")
                .doesNotStartWith(access.baseUrl());
        assertThat(Instant.parse(created.path("upload_url_expires_at").asText())).isAfter(Instant.now());
        assertThat(created.has("reason")).isFalse();
        assertThat(Instant.parse(created.path("created_at").asText())).isNotNull();
        assertThat(access.createCount("door-1")).isEqualTo(1);
    }

    @Test
    void getActionReturnsTheSameActionObject() {
        JsonNode created = http.createAction(access.baseUrl(), "door-1");

        TestHttp.Response response = http.get(action(created.path("id").asText()));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json()).isEqualTo(created);
        assertThat(access.action(created.path("id").asText())).isEqualTo(created);
    }

    @Test
    void unknownActionAnswers404NotFound() {
        TestHttp.Response response = http.get(action("0123456789abcdef0123456789abcdef"));

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().path("type").asText()).isEqualTo("not_found");
        assertThat(access.action("0123456789abcdef0123456789abcdef").isMissingNode()).isTrue();
    }

    @Test
    void unknownDeviceAnswers404() {
        TestHttp.Response create = http.post(actions("unknown-door"), "{\"type\":\"UPDATE_CREDENTIALS_AND_SCHEDULES\"}");
        TestHttp.Response applied = http.get(access.baseUrl() + "/v1/devices/unknown-door/credentials-and-schedules");

        assertThat(create.status()).isEqualTo(404);
        assertThat(create.json().path("type").asText()).isEqualTo("not_found");
        assertThat(applied.status()).isEqualTo(404);
        assertThat(access.createCount("unknown-door")).isZero();
    }

    @Test
    void rejectsWrongActionTypeNamingTheField() {
        TestHttp.Response response = http.post(actions("door-1"), "{\"type\":\"REBOOT\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("type").asText()).isEqualTo("validation_error");
        assertThat(response.json().path("fields").get(0).path("name").asText()).isEqualTo("type");
    }

    @Test
    void rejectsMissingActionTypeNamingTheField() {
        TestHttp.Response response = http.post(actions("door-1"), "{}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("fields").get(0).path("name").asText()).isEqualTo("type");
    }

    @Test
    void rejectsMalformedCreateBodyAsValidationError() {
        TestHttp.Response response = http.post(actions("door-1"), "{\"type\":");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("type").asText()).isEqualTo("validation_error");
        assertThat(response.json().path("fields").get(0).path("name").asText()).isEqualTo("body");
        assertThat(access.createCount("door-1")).isZero();
    }

    // ---- step 2: upload and asynchronous resolution -----------------------------------

    @Test
    void acceptedUploadAnswers200WithEmptyBodyAndMakesTheActionPending() {
        access.setProcessingDelay(Duration.ofMinutes(5));
        JsonNode created = http.createAction(access.baseUrl(), "door-1");

        TestHttp.Response upload = http.upload(created.path("upload_url").asText(), TestHttp.validPayload());

        assertThat(upload.status()).isEqualTo(200);
        assertThat(upload.raw().body()).isEmpty();
        assertThat(upload.header("X-Request-ID")).matches("[0-9a-f]{32}");
        JsonNode pending = http.get(action(created.path("id").asText())).json();
        assertThat(pending.path("status").asText()).isEqualTo("PENDING");
        assertThat(pending.has("upload_url")).isFalse();
        assertThat(pending.has("upload_url_expires_at")).isFalse();
        assertThat(access.uploadCount(created.path("id").asText())).isEqualTo(1);
    }

    @Test
    void resolvesValidPayloadAndExposesAppliedCredentials() {
        JsonNode created = http.createAction(access.baseUrl(), "door-1");
        http.upload(created.path("upload_url").asText(), TestHttp.validPayload());

        JsonNode done = awaitFinalStatus(created.path("id").asText());

        assertThat(done.path("status").asText()).isEqualTo("RESOLVED");
        assertThat(done.has("reason")).isFalse();
        JsonNode applied = http.get(access.baseUrl() + "/v1/devices/door-1/credentials-and-schedules").json();
        assertThat(applied.path("device_id").asText()).isEqualTo("door-1");
        assertThat(applied.path("credentials").get(0).path("id").asText()).isEqualTo("1A2B3C4DFFFFFFFFFFFFFFFFFFFFFFFF");
        assertThat(applied.path("schedules").get(0).path("id").asText()).isEqualTo("office-hours");
        assertThat(Instant.parse(applied.path("updated_at").asText())).isNotNull();
        assertThat(access.appliedFor("door-1")).isEqualTo(applied);
    }

    @Test
    void appliedCredentialsAreEmptyBeforeAnythingWasApplied() {
        TestHttp.Response response = http.get(access.baseUrl() + "/v1/devices/door-9/credentials-and-schedules");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().path("credentials").isArray()).isTrue();
        assertThat(response.json().path("credentials")).isEmpty();
        assertThat(response.json().path("schedules")).isEmpty();
        assertThat(response.json().path("updated_at").isNull()).isTrue();
    }

    @Test
    void newPayloadReplacesWhatTheDeviceHad() {
        JsonNode first = http.createAction(access.baseUrl(), "door-1");
        http.upload(first.path("upload_url").asText(), TestHttp.validPayload());
        awaitFinalStatus(first.path("id").asText());
        JsonNode second = http.createAction(access.baseUrl(), "door-1");

        http.upload(second.path("upload_url").asText(), "{\"credentials\":[],\"schedules\":[]}");
        awaitFinalStatus(second.path("id").asText());

        assertThat(access.appliedFor("door-1").path("credentials")).isEmpty();
        assertThat(access.appliedFor("door-1").path("schedules")).isEmpty();
    }

    @Test
    void rejectsCredentialReferencingUnknownSchedule() {
        JsonNode created = http.createAction(access.baseUrl(), "door-1");
        http.upload(created.path("upload_url").asText(), TestHttp.validPayload().replace(
                "\"schedule_ids\":[\"office-hours\"]", "\"schedule_ids\":[\"night-shift\"]"));

        JsonNode done = awaitFinalStatus(created.path("id").asText());

        assertThat(done.path("status").asText()).isEqualTo("REJECTED");
        assertThat(done.path("reason").asText()).contains("credentials[0].schedule_ids[0]").contains("night-shift");
        assertThat(access.appliedFor("door-1").path("credentials")).isEmpty();
    }

    @Test
    void uploadAfterExpiryAnswers403() {
        JsonNode created = http.createAction(access.baseUrl(), "door-1");
        access.expireUploadUrls();

        TestHttp.Response upload = http.upload(created.path("upload_url").asText(), TestHttp.validPayload());

        assertThat(upload.status()).isEqualTo(403);
        assertThat(upload.json().path("request_id").asText()).isEqualTo(upload.header("X-Request-ID"));
        assertThat(http.get(action(created.path("id").asText())).json().path("status").asText())
                .isEqualTo("AWAITING_DATA");
        assertThat(access.uploadCount(created.path("id").asText())).isZero();
    }

    @Test
    void uploadUrlExpiresAfterItsTtl() {
        access.setUploadUrlTtl(Duration.ZERO);
        JsonNode created = http.createAction(access.baseUrl(), "door-1");

        TestHttp.Response upload = http.upload(created.path("upload_url").asText(), TestHttp.validPayload());

        assertThat(upload.status()).isEqualTo(403);
    }

    @Test
    void secondUploadAnswers409() {
        JsonNode created = http.createAction(access.baseUrl(), "door-1");
        String uploadUrl = created.path("upload_url").asText();
        http.upload(uploadUrl, TestHttp.validPayload());

        TestHttp.Response second = http.upload(uploadUrl, TestHttp.validPayload());

        assertThat(second.status()).isEqualTo(409);
        assertThat(access.uploadCount(created.path("id").asText())).isEqualTo(1);
    }

    @Test
    void uploadToUnknownTokenAnswers404() {
        TestHttp.Response upload = http.upload(server.baseUrl() + "/uploads/not-a-token", TestHttp.validPayload());

        assertThat(upload.status()).isEqualTo(404);
    }

    @Test
    void uploadWithAuthorizationHeaderIsRefusedAndCounted() {
        JsonNode created = http.createAction(access.baseUrl(), "door-1");

        TestHttp.Response upload = http.send(http.authorised(created.path("upload_url").asText())
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(TestHttp.validPayload())));

        assertThat(upload.status()).isEqualTo(400);
        assertThat(upload.json().path("message").asText()).contains("pre-authorised");
        assertThat(access.uploadsWithAuthorizationHeader()).isEqualTo(1);
        assertThat(access.uploadCount(created.path("id").asText())).isZero();
    }

    @Test
    void uploadWithoutJsonContentTypeAnswers400() {
        JsonNode created = http.createAction(access.baseUrl(), "door-1");

        TestHttp.Response upload = http.send(TestHttp.anonymous(created.path("upload_url").asText())
                .header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofString(TestHttp.validPayload())));

        assertThat(upload.status()).isEqualTo(400);
        assertThat(upload.json().path("fields").get(0).path("name").asText()).isEqualTo("Content-Type");
        assertThat(access.uploadCount(created.path("id").asText())).isZero();
    }

    // ---- list ------------------------------------------------------------------------

    @Test
    void listFiltersByDeviceAndStatusWithPagination() {
        access.setProcessingDelay(Duration.ofMinutes(5));
        String a1 = http.createAction(access.baseUrl(), "door-a").path("id").asText();
        JsonNode a2 = http.createAction(access.baseUrl(), "door-a");
        String a3 = http.createAction(access.baseUrl(), "door-a").path("id").asText();
        String a4 = http.createAction(access.baseUrl(), "door-a").path("id").asText();
        http.createAction(access.baseUrl(), "door-b");
        http.upload(a2.path("upload_url").asText(), TestHttp.validPayload());
        String filter = access.baseUrl() + "/v1/device-actions?device_id__eq=door-a&status__in=AWAITING_DATA";

        JsonNode page1 = http.get(filter + "&limit=2&include=total_count").json();
        String after = page1.path("data").get(1).path("id").asText();
        JsonNode page2 = http.get(filter + "&limit=2&after=" + after).json();

        assertThat(page1.path("object").asText()).isEqualTo("list");
        assertThat(page1.path("limit").asInt()).isEqualTo(2);
        assertThat(page1.path("order").asText()).isEqualTo("ASC");
        assertThat(page1.path("after").isNull()).isTrue();
        assertThat(page1.path("has_more").asBoolean()).isTrue();
        assertThat(page1.path("total_count").asInt()).isEqualTo(3);
        assertThat(page2.path("has_more").asBoolean()).isFalse();
        assertThat(page2.path("after").asText()).isEqualTo(after);
        assertThat(page2.has("total_count")).isFalse();
        assertThat(ids(page1)).hasSize(2).doesNotContain(a2.path("id").asText());
        assertThat(concat(ids(page1), ids(page2))).containsExactlyInAnyOrder(a1, a3, a4);
    }

    @Test
    void listOrdersDescendingByCreation() {
        http.createAction(access.baseUrl(), "door-a");
        http.createAction(access.baseUrl(), "door-a");
        http.createAction(access.baseUrl(), "door-a");

        JsonNode asc = http.get(access.baseUrl() + "/v1/device-actions?order=ASC").json();
        JsonNode desc = http.get(access.baseUrl() + "/v1/device-actions?order=DESC").json();

        assertThat(desc.path("order").asText()).isEqualTo("DESC");
        assertThat(ids(desc)).containsExactlyElementsOf(reversed(ids(asc)));
    }

    @Test
    void listFiltersWithNinAndCreatedAtRange() {
        JsonNode first = http.createAction(access.baseUrl(), "door-a");
        http.createAction(access.baseUrl(), "door-b");
        String from = first.path("created_at").asText();

        JsonNode list = http.get(access.baseUrl() + "/v1/device-actions?device_id__nin=door-b,door-c"
                + "&created_at__gte=" + from + "&created_at__lte=2999-01-01T00:00:00Z").json();

        assertThat(ids(list)).containsExactly(first.path("id").asText());
    }

    @Test
    void listRejectsLimitOutsideRangeNamingLimit() {
        TestHttp.Response tooSmall = http.get(access.baseUrl() + "/v1/device-actions?limit=1");
        TestHttp.Response tooLarge = http.get(access.baseUrl() + "/v1/device-actions?limit=1001");

        assertThat(tooSmall.status()).isEqualTo(400);
        assertThat(tooSmall.json().path("fields").get(0).path("name").asText()).isEqualTo("limit");
        assertThat(tooLarge.status()).isEqualTo(400);
        assertThat(tooLarge.json().path("type").asText()).isEqualTo("validation_error");
    }

    @Test
    void listRejectsUnknownFilterAndStatusNamingTheParameter() {
        TestHttp.Response unknownField = http.get(access.baseUrl() + "/v1/device-actions?colour__eq=red");
        TestHttp.Response unknownStatus = http.get(access.baseUrl() + "/v1/device-actions?status__eq=DONE");

        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.json().path("fields").get(0).path("name").asText()).isEqualTo("colour__eq");
        assertThat(unknownStatus.status()).isEqualTo(400);
        assertThat(unknownStatus.json().path("fields").get(0).path("name").asText()).isEqualTo("status__eq");
    }

    // ---- fault injection and counters ---------------------------------------------------

    @Test
    void failNextCallsAnswersTheStatusWithoutEffectThenRecovers() {
        access.failNextCalls(2, 503);

        TestHttp.Response first = http.post(actions("door-1"), "{\"type\":\"UPDATE_CREDENTIALS_AND_SCHEDULES\"}");
        TestHttp.Response second = http.post(actions("door-1"), "{\"type\":\"UPDATE_CREDENTIALS_AND_SCHEDULES\"}");
        TestHttp.Response third = http.post(actions("door-1"), "{\"type\":\"UPDATE_CREDENTIALS_AND_SCHEDULES\"}");

        assertThat(first.status()).isEqualTo(503);
        assertThat(first.json().path("request_id").asText()).isEqualTo(first.header("X-Request-ID"));
        assertThat(second.status()).isEqualTo(503);
        assertThat(third.status()).isEqualTo(201);
        assertThat(access.createCount("door-1")).isEqualTo(1);
    }

    @Test
    void injected429CarriesRetryAfter() {
        access.failNextCalls(1, 429);

        TestHttp.Response response = http.get(access.baseUrl() + "/v1/device-actions");

        assertThat(response.status()).isEqualTo(429);
        assertThat(response.header("Retry-After")).isEqualTo("1");
    }

    @Test
    void faultSharesApplyToApiCallsButNotToUploads() {
        JsonNode created = http.createAction(access.baseUrl(), "door-1");
        access.setFaultShares(0.0, 1.0);

        TestHttp.Response get = http.get(action(created.path("id").asText()));
        TestHttp.Response upload = http.upload(created.path("upload_url").asText(), TestHttp.validPayload());

        assertThat(get.status()).isEqualTo(429);
        assertThat(upload.status()).isEqualTo(200);
        access.setFaultShares(1.0, 0.0);
        assertThat(http.get(action(created.path("id").asText())).status()).isEqualTo(503);
    }

    @Test
    void failNextUploadsAnswersTheStatusAndKeepsTheActionAwaitingData() {
        JsonNode created = http.createAction(access.baseUrl(), "door-1");
        access.failNextUploads(1, 500);

        TestHttp.Response failed = http.upload(created.path("upload_url").asText(), TestHttp.validPayload());
        TestHttp.Response retried = http.upload(created.path("upload_url").asText(), TestHttp.validPayload());

        assertThat(failed.status()).isEqualTo(500);
        assertThat(retried.status()).isEqualTo(200);
        assertThat(access.uploadCount(created.path("id").asText())).isEqualTo(1);
    }

    @Test
    void totalCallsCountsApiCallsAndUploads() {
        JsonNode created = http.createAction(access.baseUrl(), "door-1");
        http.get(action(created.path("id").asText()));
        http.upload(created.path("upload_url").asText(), TestHttp.validPayload());
        new TestHttp("wrong").get(access.baseUrl() + "/v1/device-actions");

        assertThat(access.totalCalls()).isEqualTo(4);
    }

    @Test
    void actionsForListsTheDevicesActionsInCreationOrder() {
        String first = http.createAction(access.baseUrl(), "door-1").path("id").asText();
        http.createAction(access.baseUrl(), "door-2");
        String second = http.createAction(access.baseUrl(), "door-1").path("id").asText();

        assertThat(access.actionsFor("door-1")).extracting(node -> node.path("id").asText())
                .containsExactlyInAnyOrder(first, second);
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.path("data").forEach(node -> ids.add(node.path("id").asText()));
        return ids;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<String> reversed(List<String> ids) {
        List<String> copy = new ArrayList<>(ids);
        Collections.reverse(copy);
        return copy;
    }
}
