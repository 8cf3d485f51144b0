package org.devicebridge.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import org.devicebridge.Batches;
import org.devicebridge.TestBridge;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.home.HomeCloudSettings;
import org.devicebridge.simulator.network.NetworkCloudSettings;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bridge's API against its OpenAPI document ({@code src/main/resources/openapi/bridge-api.yaml}),
 * on the real bridge over real HTTP: the document is fetched from the running bridge
 * ({@code GET /openapi.yaml}, no token) and must be the repository's file; then every endpoint is
 * called with good and bad inputs and EVERY answer, successes and errors alike, is validated
 * against it (documented status, {@code X-Request-ID}, content type, body schema). Good requests
 * must be accepted by the document too, and a bad request that the document's constraints cover
 * must be refused by both the bridge and the document. At the end every documented answer must
 * have been seen at least once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiContractTest {

    static final String OPERATOR_TOKEN = "op_test_5b7e2c91d4a3f6e0";
    static final String DEVICE_TOKEN = "dev_test_1f2e3d4c5b6a7980";
    static final String OWN_DEVICE = "gw-own";
    static final String OWN_TOKEN = "dt_own_6e4c2a0f8d6b4a29";
    static final String NETWORK_TOKEN = "nt_test_0c1d2e3f4a5b6c7d";
    static final String HOME_TOKEN = "ht_test_8e9f0a1b2c3d4e5f";
    static final Path DOCUMENT = Path.of("src/main/resources/openapi/bridge-api.yaml");
    static final String SETUP = "contract-setup";
    static final Pattern REQUEST_ID = Pattern.compile("[0-9a-f]{32}");
    static final String ON = "{\"type\":\"devices.capabilities.on_off\",\"state\":{\"instance\":\"on\",\"value\":true}}";
    static final String DIM = "{\"type\":\"devices.capabilities.range\",\"state\":{\"instance\":\"brightness\",\"value\":40}}";
    /** Documented answers no test can provoke from a healthy bridge packaged as usual. */
    static final Set<String> NOT_PROVOKED = Set.of("GET /openapi.yaml 404", "GET /openapi.yaml 500",
            "POST /webhooks/access 408"); // a client that stalls mid-body for 30 s

    @TempDir
    static Path dir;

    // HTTP/1.1: the JDK client's default offers an h2c upgrade on a connection's first request, and an upgraded GET of
    // /openapi.yaml fails now and then ("protocol error: Frame type(110) ... exceeds MAX_FRAME_SIZE", docs/operations.md)
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final AtomicInteger testsPassed = new AtomicInteger();
    private SimulatorServer server;
    private TestBridge bridge;
    private OpenApiValidation doc;
    private Map<String, Pattern> templates;

    @BeforeAll
    void startBridgeAndSubmitEveryKind() throws Exception {
        server = SimulatorServer.start(0);
        server.addAccessCloud(AccessCloudSettings.builder(TestBridge.API_KEY).processingDelay(Duration.ofMillis(200)).build());
        server.addNetworkCloud(NetworkCloudSettings.builder(NETWORK_TOKEN).build());
        server.addHomeCloud(HomeCloudSettings.builder(HOME_TOKEN).build());
        bridge = startBridge("bridge");

        // the document as the running bridge serves it, without a token
        HttpResponse<String> served = send(HttpRequest.newBuilder(uri(bridge, "/openapi.yaml")).GET().build());
        assertThat(served.statusCode()).as("GET /openapi.yaml: %s", served.body()).isEqualTo(200);
        doc = OpenApiValidation.of(served.body());
        templates = new HashMap<>();
        doc.model().getPaths().keySet().forEach(t -> templates.put(t, Pattern.compile(
                Pattern.quote(t.replaceAll("/$", "")).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q") + "/?")));
        check(served, null);

        Answer setup = submitWithRejectedRecords(Batches.document(SETUP,
                Batches.credentials("door-1-creds", "door-1"),
                "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[\"HW-1\",\"HW-2\"]}",
                "{\"kind\":\"capability\",\"id\":\"lamp-1\",\"device\":\"lamp-1\",\"actions\":[" + ON + "," + DIM + "]}",
                "{\"kind\":\"capability\",\"device\":\"offline-lamp\",\"actions\":[" + ON + "]}",
                "{\"kind\":\"command\",\"device\":\"gw-1\",\"command\":\"reboot\",\"params\":{\"delay\":5}}",
                "{\"kind\":\"command\",\"id\":\"later\",\"device\":\"gw-1\",\"command\":\"reboot\",\"not_before\":\"2099-12-01T02:00:00Z\"}",
                Batches.credentials("bad-creds", "door-2", "zz"),
                "{\"kind\":\"nope\",\"device\":\"x\"}"));
        assertThat(setup.status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> bridge.commands(SETUP).stream()
                .filter(c -> !c.kind().equals("command")).allMatch(c -> c.state().isFinal()));
    }

    @AfterAll
    void stopAndCheckCoverage() {
        try {
            if (bridge != null) {
                bridge.close();
            }
            if (server != null) {
                server.close();
            }
        } finally {
            long tests = java.util.Arrays.stream(getClass().getDeclaredMethods()).filter(m -> m.isAnnotationPresent(Test.class)).count();
            if (doc != null && testsPassed.get() == tests) { // the whole class ran and passed
                Set<String> missing = new TreeSet<>(doc.documentedAnswers());
                missing.removeAll(seen);
                missing.removeAll(NOT_PROVOKED);
                assertThat(missing).as("documented answers never provoked (seen: %s)", new TreeSet<>(seen)).isEmpty();
            }
        }
    }

    // ================================================================ the document

    @Test
    void servesTheDocumentKeptInTheRepositoryWithoutAToken() throws IOException {
        Answer anonymous = call("GET", "/openapi.yaml", null, null);
        Answer wrongToken = call("GET", "/openapi.yaml", "not-a-token", null);

        for (Answer a : List.of(anonymous, wrongToken)) {
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.response().headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/yaml"));
            assertThat(a.body()).isEqualTo(Files.readString(DOCUMENT, StandardCharsets.UTF_8));
        }
        assertThat(doc.specification()).isEqualTo(anonymous.body());
        assertThat(doc.model().getOpenapi()).isEqualTo("3.0.3");
        passed();
    }

    // ================================================================ GET /commands/v0/status/

    @Test
    void listsEveryKindOfCommandAsTheDocumentSays() {
        Answer page = ok("GET", "/commands/v0/status/?request=" + SETUP, OPERATOR_TOKEN, null);

        JsonNode content = page.json().path("content");
        List<JsonNode> items = list(content.path("items"));
        assertThat(content.path("total").asInt()).isEqualTo(items.size()).isEqualTo(bridge.commands(SETUP).size());
        assertThat(content.path("limit").asInt()).isEqualTo(50);
        assertThat(content.path("offset").asInt()).isZero();
        assertThat(items).extracting(i -> i.path("kind").asText()).contains("credentials", "bulk", "capability", "command");
        for (JsonNode item : items) {
            assertThat(item.path("id").asText()).isEqualTo(item.path("command_id").asText());
            assertThat(item.has("transitions")).as("transitions only on one command").isFalse();
            if (item.path("kind").asText().equals("command") && !item.path("state").asText().equals("Command Failure")) {
                assertThat(item.has("command") && item.has("params") && item.has("not_before")).as("command fields of %s", item).isTrue();
            }
        }
        JsonNode lamp = byDevice(items, "lamp-1");
        assertThat(lamp.path("capabilities")).hasSize(2);
        JsonNode offline = byDevice(items, "offline-lamp");
        assertThat(offline.path("state").asText()).isEqualTo("Command Failure");
        assertThat(offline.path("capabilities").get(0).has("error_code")).isTrue();
        assertThat(byDevice(items, "door-2").path("reason").asText()).startsWith("invalid:");
        assertThat(items).filteredOn(i -> i.path("action_id").asText("").equals("later"))
                .singleElement().satisfies(i -> {
                    assertThat(i.path("state").asText()).isEqualTo("Command Scheduled");
                    assertThat(i.path("not_before").asText()).isEqualTo("2099-12-01T02:00:00Z");
                });
        passed();
    }

    @Test
    void filtersAndPagesTheList() {
        int total = bridge.commands(SETUP).size();

        Answer devices = ok("GET", "/commands/v0/status/?device=HW-1,HW-2&request=" + SETUP + ",nobody", OPERATOR_TOKEN, null);
        assertThat(list(devices.json().at("/content/items"))).extracting(i -> i.path("device").asText()).containsExactly("HW-1", "HW-2");

        Answer scheduled = ok("GET", "/commands/v0/status/?state=" + enc("Command Scheduled") + "&request=" + SETUP, OPERATOR_TOKEN, null);
        assertThat(list(scheduled.json().at("/content/items"))).isNotEmpty()
                .allSatisfy(i -> assertThat(i.path("state").asText()).isEqualTo("Command Scheduled"));

        Answer external = ok("GET", "/commands/v0/status/?exclude_internal_commands=true&request=" + SETUP, OPERATOR_TOKEN, null);
        assertThat(list(external.json().at("/content/items"))).allSatisfy(i -> assertThat(i.path("internal").asBoolean()).isFalse());
        ok("GET", "/commands/v0/status/?exclude_internal_commands=false&request=" + SETUP, OPERATOR_TOKEN, null);

        Answer page = ok("GET", "/commands/v0/status/?request=" + SETUP + "&limit=2&offset=1", OPERATOR_TOKEN, null);
        assertThat(page.json().at("/content/total").asInt()).isEqualTo(total);
        assertThat(page.json().at("/content/limit").asInt()).isEqualTo(2);
        assertThat(page.json().at("/content/offset").asInt()).isEqualTo(1);
        assertThat(page.json().at("/content/items")).hasSize(2);

        Answer beyond = ok("GET", "/commands/v0/status/?request=" + SETUP + "&limit=1000&offset=" + (total + 5), OPERATOR_TOKEN, null);
        assertThat(beyond.json().at("/content/items")).isEmpty();
        assertThat(beyond.json().at("/content/total").asInt()).isEqualTo(total);

        Answer none = ok("GET", "/commands/v0/status/?device=no-such-device", OPERATOR_TOKEN, null);
        assertThat(none.json().at("/content/total").asInt()).isZero();

        Answer noSlash = ok("GET", "/commands/v0/status?limit=2&request=" + SETUP, OPERATOR_TOKEN, null);
        assertThat(noSlash.json().at("/content/items")).hasSize(2);
        assertThat(noSlash.json().at("/content/has_more").asBoolean()).isTrue();

        String second = noSlash.json().at("/content/items/1/id").asText();
        Answer next = ok("GET", "/commands/v0/status/?request=" + SETUP + "&limit=2&after=" + second + "&include=total_count", OPERATOR_TOKEN, null);
        assertThat(next.json().at("/content/after").asText()).isEqualTo(second);
        assertThat(next.json().at("/content/total_count").asInt()).isEqualTo(total);
        Answer newest = ok("GET", "/commands/v0/status/?request__eq=" + SETUP + "&order=DESC&kind__in=bulk,command&device__nin=HW-2"
                + "&state__neq=" + enc("Command Queued") + "&created_at__gte=2020-01-01T00:00:00Z&updated_at__lte=20990101T000000Z"
                + "&finished_at__neq=2020-01-01T00:00:00Z", OPERATOR_TOKEN, null);
        assertThat(newest.json().at("/content/order").asText()).isEqualTo("DESC");
        assertThat(list(newest.json().at("/content/items"))).isNotEmpty()
                .allSatisfy(i -> assertThat(i.path("kind").asText()).isIn("bulk", "command"));
        passed();
    }

    @Test
    void refusesBadListParametersWith400() {
        for (String query : List.of("limit=0", "limit=1", "limit=1001", "limit=abc", "limit=1.5", "offset=-1", "offset=x",
                "state=" + enc("Command Done"), "state=queued", "exclude_internal_commands=maybe", "order=up", "include=all",
                "state__eq=queued", "after=" + "x".repeat(65))) {
            Answer a = refused(400, "GET", "/commands/v0/status/?" + query, OPERATOR_TOKEN, null, true);
            String field = query.substring(0, query.indexOf('='));
            assertThat(a.json().path("message").asText()).as(query).startsWith(field + ":");
            assertThat(a.json().path("type").asText()).isEqualTo("validation_error");
            assertThat(a.json().at("/fields/0/name").asText()).isEqualTo(field);
        }
        // what no schema of the document can refuse: names it does not list, values only the ledger can judge
        for (String query : List.of("colour=red", "device__like=x", "device__lte=x", "created_at__gte=yesterday", "after=no-such-command")) {
            Answer a = refused(400, "GET", "/commands/v0/status/?" + query, OPERATOR_TOKEN, null, false);
            assertThat(a.json().at("/fields/0/name").asText()).isEqualTo(query.substring(0, query.indexOf('=')));
        }
        passed();
    }

    // ================================================================ GET /commands/v0/status/{id}/

    @Test
    void getsOneCommandWithItsTransitions() {
        for (CommandRecord c : bridge.commands(SETUP)) {
            Answer a = ok("GET", "/commands/v0/status/" + c.id() + "/", OPERATOR_TOKEN, null);
            JsonNode content = a.json().path("content");
            assertThat(content.path("id").asText()).isEqualTo(c.id());
            assertThat(content.path("state").asText()).isEqualTo(c.state().label());
            assertThat(content.path("transitions")).isNotEmpty();
            assertThat(content.path("transitions").get(0).path("from").isNull()).isTrue();
        }
        String any = bridge.commands(SETUP).get(0).id();
        ok("GET", "/commands/v0/status/" + any, OPERATOR_TOKEN, null);
        passed();
    }

    @Test
    void answers404ForAnUnknownOrMalformedCommandId() {
        refused(404, "GET", "/commands/v0/status/00000000-0000-0000-0000-000000000000/", OPERATOR_TOKEN, null, false);
        refused(404, "PUT", "/commands/v0/status/00000000-0000-0000-0000-000000000000/", OPERATOR_TOKEN,
                "{\"state\":\"Command Cancelled\"}", false);
        for (String id : List.of("abc", "0000", "not-a-command-id-but-36-characters!!")) {
            Answer get = refused(404, "GET", "/commands/v0/status/" + enc(id) + "/", OPERATOR_TOKEN, null, false);
            assertThat(get.json().path("type").asText()).isEqualTo("not_found");
            refused(404, "PUT", "/commands/v0/status/" + enc(id) + "/", DEVICE_TOKEN, "{\"state\":\"Command Cancelled\"}", false);
        }
        passed();
    }

    // ================================================================ GET /v2/command-inbox/ and PUT /commands/v0/status/{id}/

    @Test
    void aDeviceFetchesItsCommandsAndReportsTheirProgress() {
        String request = "contract-flow";
        submit(Batches.document(request, "{\"kind\":\"command\",\"id\":\"flow\",\"device\":\"gw-flow\",\"command\":\"update\","
                + "\"params\":{\"version\":\"2.1\",\"force\":true},\"deadline\":\"PT1H\"}"));
        String id = bridge.commands(request).get(0).id();

        Answer inbox = ok("GET", "/v2/command-inbox/?device_id=gw-flow", DEVICE_TOKEN, null);
        assertThat(inbox.json().at("/content/device_id").asText()).isEqualTo("gw-flow");
        JsonNode delivered = inbox.json().at("/content/commands/0");
        assertThat(delivered.path("id").asText()).isEqualTo(id);
        assertThat(delivered.path("state").asText()).isEqualTo("Command Initiated");
        assertThat(delivered.path("params").path("version").asText()).isEqualTo("2.1");
        ok("GET", "/v2/command-inbox?device_id=gw-flow", OPERATOR_TOKEN, null); // delivered again until acknowledged

        Answer ack = ok("PUT", "/commands/v0/status/" + id + "/", DEVICE_TOKEN, "{\"state\":\"Command Acknowledged\",\"reason\":null}");
        assertThat(ack.json().at("/content/state").asText()).isEqualTo("Command Acknowledged");
        assertThat(ack.json().path("message").asText()).isEqualTo("Command status updated");
        ok("PUT", "/commands/v0/status/" + id, DEVICE_TOKEN, "{\"state\":\"Command In Progress\",\"reason\":\"flashing\"}");
        Answer done = ok("PUT", "/commands/v0/status/" + id + "/", DEVICE_TOKEN, "{\"state\":\"Command Success\",\"reason\":\"" + "r".repeat(2000) + "\"}");
        JsonNode content = done.json().path("content");
        assertThat(content.path("state").asText()).isEqualTo("Command Success");
        assertThat(content.path("finished_at").isTextual()).isTrue();
        assertThat(list(content.path("transitions"))).extracting(t -> t.path("to").asText()).containsExactly("Command Queued",
                "Command Initiated", "Command Acknowledged", "Command In Progress", "Command Success");

        Answer again = refused(409, "PUT", "/commands/v0/status/" + id + "/", DEVICE_TOKEN, "{\"state\":\"Command Failure\"}", false);
        assertThat(again.json().path("message").asText()).contains("final");
        Answer empty = ok("GET", "/v2/command-inbox/?device_id=gw-flow", DEVICE_TOKEN, null);
        assertThat(empty.json().at("/content/commands")).isEmpty();
        passed();
    }

    @Test
    void theInboxNeedsADeviceId() {
        refused(400, "GET", "/v2/command-inbox/", DEVICE_TOKEN, null, true);
        refused(400, "GET", "/v2/command-inbox/?device_id=", DEVICE_TOKEN, null, true);
        Answer a = refused(400, "GET", "/v2/command-inbox/?device=gw-1", OPERATOR_TOKEN, null, true);
        assertThat(a.json().path("message").asText()).startsWith("device_id:");
        Answer unknown = ok("GET", "/v2/command-inbox/?device_id=" + enc("no such device"), DEVICE_TOKEN, null);
        assertThat(unknown.json().at("/content/commands")).isEmpty();
        passed();
    }

    @Test
    void refusesBadStateUpdatesWith400AndLeavesTheCommandAlone() {
        String request = "contract-bad-put";
        submit(Batches.document(request, "{\"kind\":\"command\",\"device\":\"gw-bad\",\"command\":\"reboot\"}"));
        String path = "/commands/v0/status/" + bridge.commands(request).get(0).id() + "/";

        for (String body : List.of("{}", "{\"reason\":\"no state\"}", "{\"state\":\"Command Done\"}", "{\"state\":\"Command Queued\"}",
                "{\"state\":\"Command Initiated\"}", "{\"state\":5}", "{\"state\":\"Command Acknowledged\",\"reason\":123}",
                "{\"state\":\"Command Acknowledged\",\"reason\":\"" + "r".repeat(2001) + "\"}", "[]",
                "[{\"state\":\"Command Acknowledged\"}]", "")) {
            refused(400, "PUT", path, DEVICE_TOKEN, body, true);
        }
        Answer broken = call("PUT", path, DEVICE_TOKEN, "{\"state\":", "Content-Type", "application/json");
        assertThat(broken.status()).isEqualTo(400);
        Answer plain = call("PUT", path, DEVICE_TOKEN, "{\"state\":\"Command Acknowledged\"}", "Content-Type", "text/plain");
        assertThat(plain.status()).isEqualTo(400);
        assertThat(plain.json().path("message").asText()).startsWith("Content-Type:");
        assertThat(doc.requestProblems(plain.request(), plain.requestBody())).isNotEmpty();

        Answer still = ok("GET", path, OPERATOR_TOKEN, null);
        assertThat(still.json().at("/content/state").asText()).isEqualTo("Command Queued");
        assertThat(still.json().at("/content/transitions")).hasSize(1);
        passed();
    }

    @Test
    void refusesIllegalMovesWith409() {
        String request = "contract-409";
        submit(Batches.document(request, "{\"kind\":\"command\",\"device\":\"gw-409\",\"command\":\"reboot\"}"));
        String id = bridge.commands(request).get(0).id();
        Answer undelivered = refused(409, "PUT", "/commands/v0/status/" + id + "/", DEVICE_TOKEN, "{\"state\":\"Command Acknowledged\"}", false);
        assertThat(undelivered.json().path("message").asText()).contains("'Command Queued'").contains("not delivered");
        ok("GET", "/v2/command-inbox/?device_id=gw-409", DEVICE_TOKEN, null);
        ok("PUT", "/commands/v0/status/" + id + "/", DEVICE_TOKEN, "{\"state\":\"Command In Progress\"}");
        Answer backwards = refused(409, "PUT", "/commands/v0/status/" + id + "/", DEVICE_TOKEN, "{\"state\":\"Command Acknowledged\"}", false);
        assertThat(backwards.json().path("message").asText()).contains("only move forward");
        Answer bridgeOnly = refused(409, "PUT", "/commands/v0/status/" + id + "/", OPERATOR_TOKEN, "{\"state\":\"Command Scheduled\"}", false);
        assertThat(bridgeOnly.json().path("message").asText()).contains("set by the bridge");
        Answer operatorsOwn = refused(409, "PUT", "/commands/v0/status/" + id + "/", DEVICE_TOKEN, "{\"state\":\"Command Cancelled\"}", false);
        assertThat(operatorsOwn.json().path("message").asText()).contains("operator");

        CommandRecord bulk = bridge.commands(SETUP).stream().filter(c -> c.kind().equals("bulk")).findFirst().orElseThrow();
        Answer fromCloud = refused(409, "PUT", "/commands/v0/status/" + bulk.id() + "/", OPERATOR_TOKEN, "{\"state\":\"Command Success\"}", false);
        assertThat(fromCloud.json().path("message").asText()).contains("comes from its cloud");
        refused(409, "PUT", "/commands/v0/status/" + bulk.id() + "/", OPERATOR_TOKEN, "{\"state\":\"Command Cancelled\",\"force\":true}", false);
        passed();
    }

    @Test
    void cancelsAScheduledCommandAlsoWithForceAsAQueryParameter() {
        String request = "contract-cancel";
        submit(Batches.document(request,
                "{\"kind\":\"command\",\"device\":\"gw-cancel\",\"command\":\"reboot\",\"not_before\":\"2099-01-01T00:00:00+02:00\"}",
                "{\"kind\":\"command\",\"device\":\"gw-cancel\",\"command\":\"reset\",\"not_before\":\"2099-01-01T00:00:00Z\"}"));
        List<CommandRecord> commands = bridge.commands(request);

        Answer cancelled = ok("PUT", "/commands/v0/status/" + commands.get(0).id() + "/", OPERATOR_TOKEN,
                "{\"state\":\"Command Cancelled\",\"reason\":\"maintenance window moved\"}");
        assertThat(cancelled.json().at("/content/state").asText()).isEqualTo("Command Cancelled");
        assertThat(cancelled.json().at("/content/reason").asText()).isEqualTo("maintenance window moved");
        assertThat(cancelled.json().at("/content/not_before").asText()).isEqualTo("2098-12-31T22:00:00Z");
        Answer forced = ok("PUT", "/commands/v0/status/" + commands.get(1).id() + "/?force=true", OPERATOR_TOKEN,
                "{\"state\":\"Command Cancelled\",\"force\":false}");
        assertThat(forced.json().at("/content/reason").isNull()).isTrue();
        passed();
    }

    // ================================================================ POST /commands/v0/requests/

    @Test
    void submitsABatchOnceAndAnswersARetryWithWhatItCreated() {
        String document = Batches.document("contract-submit", Batches.credentials("one", "door-9"),
                "{\"kind\":\"command\",\"device\":\"gw-9\",\"command\":\"reboot\"}", "{\"kind\":\"teleport\"}");

        Answer first = submitWithRejectedRecords(document);
        assertThat(first.status()).isEqualTo(202);
        JsonNode accepted = first.json().path("content");
        assertThat(accepted.path("request_id").asText()).isEqualTo("contract-submit");
        assertThat(accepted.path("replayed").asBoolean()).isFalse();
        assertThat(first.response().headers().firstValue("Location")).hasValue("/commands/v0/requests/contract-submit/");
        JsonNode created = ok("GET", accepted.path("status_url").asText(), OPERATOR_TOKEN, null).json().path("content");
        assertThat(created.path("commands").asInt()).isEqualTo(2);
        assertThat(created.at("/rejected/0/reason").asText()).contains("teleport");
        assertThat(ok("GET", "/commands/v0/requests/contract-submit", OPERATOR_TOKEN, null).json().at("/content/records_read").asInt())
                .isEqualTo(3);

        Answer retry = submitWithRejectedRecords(document);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.json().at("/content/replayed").asBoolean()).isTrue();
        assertThat(retry.json().at("/content/commands")).isEqualTo(created.path("commands"));
        assertThat(retry.json().at("/content/rejected")).isEqualTo(created.path("rejected"));

        String keyed = "{\"actions\":[{\"kind\":\"command\",\"device\":\"gw-10\",\"command\":\"reboot\"}]}";
        Answer withKey = ok("POST", "/commands/v0/requests/", OPERATOR_TOKEN, keyed, "Idempotency-Key", "contract-key-1");
        assertThat(withKey.status()).isEqualTo(202);
        assertThat(withKey.json().at("/content/request_id").asText()).isEqualTo("api:contract-key-1");
        awaitTaken("api:contract-key-1");
        Answer keyedRetry = ok("POST", "/commands/v0/requests", OPERATOR_TOKEN, keyed, "Idempotency-Key", "contract-key-1");
        assertThat(keyedRetry.status()).isEqualTo(200);
        Answer keyReused = call("POST", "/commands/v0/requests/", OPERATOR_TOKEN, keyed.replace("gw-10", "gw-11"),
                "Content-Type", "application/json", "Idempotency-Key", "contract-key-1");
        assertThat(keyReused.status()).isEqualTo(422);
        assertThat(keyReused.json().path("message").asText()).startsWith("Idempotency-Key:");
        Answer idReused = call("POST", "/commands/v0/requests/", OPERATOR_TOKEN, Batches.document("contract-submit"),
                "Content-Type", "application/json");
        assertThat(idReused.status()).isEqualTo(422);
        assertThat(idReused.json().path("message").asText()).startsWith("request_id:");

        Answer digest = submit("{\"actions\":[]}");
        assertThat(digest.status()).isEqualTo(202);
        assertThat(digest.json().at("/content/request_id").asText()).startsWith("api:");
        Answer empty = ok("GET", digest.json().at("/content/status_url").asText(), OPERATOR_TOKEN, null);
        assertThat(empty.json().at("/content/commands").asInt()).isZero();

        refused(404, "GET", "/commands/v0/requests/no-such-request/", OPERATOR_TOKEN, null, false);
        refused(400, "GET", "/commands/v0/requests/" + "r".repeat(201) + "/", OPERATOR_TOKEN, null, true);
        passed();
    }

    @Test
    void refusesBadSubmissionsWith400() {
        for (String body : List.of("", "[]", "{}", "{\"actions\":{}}", "{\"actions\":\"x\"}", "\"text\"")) {
            Answer a = refused(400, "POST", "/commands/v0/requests/", OPERATOR_TOKEN, body, true);
            assertThat(a.json().path("message").asText()).matches("(body|actions): .*");
        }
        for (String body : List.of("{\"actions\":[", "{\"actions\":[]} []", "{\"actions\":[],\"actions\":[]}")) {
            Answer broken = call("POST", "/commands/v0/requests/", OPERATOR_TOKEN, body, "Content-Type", "application/json");
            assertThat(broken.status()).isEqualTo(400);
            assertThat(broken.json().path("message").asText()).startsWith("actions: ");
        }
        Answer plain = call("POST", "/commands/v0/requests/", OPERATOR_TOKEN, "{\"actions\":[]}", "Content-Type", "text/plain");
        assertThat(plain.status()).isEqualTo(400);
        assertThat(doc.requestProblems(plain.request(), plain.requestBody())).isNotEmpty();

        // the ledger keeps request ids of up to 200 characters
        Answer longId = refused(400, "POST", "/commands/v0/requests/", OPERATOR_TOKEN, Batches.document("r".repeat(201)), true);
        assertThat(longId.json().path("message").asText()).startsWith("request_id:");
        assertThat(submit(Batches.document("r".repeat(200))).status()).isEqualTo(202);
        Answer longKey = call("POST", "/commands/v0/requests/", OPERATOR_TOKEN, "{\"actions\":[]}", "Content-Type", "application/json",
                "Idempotency-Key", "k".repeat(197));
        assertThat(longKey.status()).isEqualTo(400);
        assertThat(longKey.json().path("message").asText()).startsWith("Idempotency-Key:");
        assertThat(doc.requestProblems(longKey.request(), longKey.requestBody())).isNotEmpty();
        assertThat(ok("POST", "/commands/v0/requests/", OPERATOR_TOKEN, "{\"actions\":[]}", "Idempotency-Key", "k".repeat(196)).status())
                .isEqualTo(202);
        passed();
    }

    /** A record with an over-long field is rejected on its own (the batch goes on), never a 500. */
    @Test
    void aRecordWithAnOverlongFieldIsRejectedNotA500() {
        String request = "contract-overlong";
        Answer a = submitWithRejectedRecords(Batches.document(request,
                "{\"kind\":\"command\",\"id\":\"" + "i".repeat(201) + "\",\"device\":\"gw-long\",\"command\":\"reboot\"}",
                "{\"kind\":\"command\",\"device\":\"" + "d".repeat(201) + "\",\"command\":\"reboot\"}",
                "{\"kind\":\"command\",\"device\":\"gw-long\",\"command\":\"reboot\",\"deadline\":\"" + "P".repeat(3000) + "\"}",
                "{\"kind\":\"" + "k".repeat(3000) + "\"}",
                "{\"kind\":\"command\",\"device\":\"gw-long\",\"command\":\"" + "c".repeat(3000) + "\"}"));

        assertThat(a.status()).isEqualTo(202);
        JsonNode progress = ok("GET", "/commands/v0/requests/" + request + "/", OPERATOR_TOKEN, null).json().path("content");
        assertThat(progress.path("commands").asInt()).isEqualTo(1);
        assertThat(progress.path("rejected")).hasSize(4);
        ok("GET", "/commands/v0/status/?request=" + request, OPERATOR_TOKEN, null);
        passed();
    }

    /**
     * The failed command a rejected {@code command} action leaves has the document's types too:
     * {@code not_before} is a time or null, whatever the record said (a client parses it as a time).
     */
    @Test
    void aRejectedCommandActionIsShownWithTheDocumentsTypes() {
        String request = "contract-rejected-command";
        Answer a = submitWithRejectedRecords(Batches.document(request,
                "{\"kind\":\"command\",\"device\":\"gw-r\",\"command\":\"reboot\",\"not_before\":\"soon\"}",
                "{\"kind\":\"command\",\"device\":\"gw-r\",\"command\":5,\"params\":\"x\",\"not_before\":42}",
                "{\"kind\":\"command\",\"device\":\"gw-r\",\"command\":\"reboot\",\"deadline\":\"whenever\"}",
                "{\"kind\":\"command\",\"command\":\"reboot\"}"));

        assertThat(a.status()).isEqualTo(202);
        assertThat(ok("GET", "/commands/v0/requests/" + request + "/", OPERATOR_TOKEN, null).json().at("/content/rejected")).hasSize(4);
        Answer page = ok("GET", "/commands/v0/status/?request=" + request, OPERATOR_TOKEN, null);
        for (JsonNode item : list(page.json().at("/content/items"))) {
            assertThat(item.path("state").asText()).isEqualTo("Command Failure");
            ok("GET", "/commands/v0/status/" + item.path("id").asText() + "/", OPERATOR_TOKEN, null);
        }
        passed();
    }

    // ================================================================ 401, 403 and tokens

    @Test
    void theDeviceTokenMayOnlyReportOnCommandsOfItsInbox() {
        for (CommandRecord c : bridge.commands(SETUP)) {
            if (!c.kind().equals("command") && !c.invalid()) {
                Answer a = refused(403, "PUT", "/commands/v0/status/" + c.id() + "/", DEVICE_TOKEN, "{\"state\":\"Command Cancelled\"}", false);
                assertThat(a.json().path("message").asText()).contains("device token");
            }
        }
        passed();
    }

    @Test
    void aDevicesOwnTokenOpensOnlyItsOwnInboxAndCommands() {
        String request = "contract-own";
        submit(Batches.document(request, "{\"kind\":\"command\",\"device\":\"" + OWN_DEVICE + "\",\"command\":\"reboot\"}",
                "{\"kind\":\"command\",\"device\":\"gw-someone-else\",\"command\":\"reboot\"}"));
        List<CommandRecord> commands = bridge.commands(request);

        Answer inbox = ok("GET", "/v2/command-inbox/?device_id=" + OWN_DEVICE, OWN_TOKEN, null);
        assertThat(inbox.json().at("/content/commands/0/id").asText()).isEqualTo(commands.get(0).id());
        ok("PUT", "/commands/v0/status/" + commands.get(0).id() + "/", OWN_TOKEN, "{\"state\":\"Command Acknowledged\"}");

        Answer othersInbox = refused(403, "GET", "/v2/command-inbox/?device_id=gw-someone-else", OWN_TOKEN, null, false);
        assertThat(othersInbox.body()).doesNotContain("gw-someone-else");
        Answer othersCommand = refused(404, "PUT", "/commands/v0/status/" + commands.get(1).id() + "/", OWN_TOKEN,
                "{\"state\":\"Command Acknowledged\"}", false);
        assertThat(othersCommand.json().path("message").asText()).isEqualTo("Not Found: no command " + commands.get(1).id());
        assertThat(call("GET", "/commands/v0/status/", OWN_TOKEN, null).status()).isEqualTo(401);
        passed();
    }

    @Test
    void answers401ToAMissingOrWrongTokenOnEveryPath() {
        String id = bridge.commands(SETUP).get(0).id();
        List<String[]> endpoints = List.of(
                new String[] {"GET", "/commands/v0/status/", null},
                new String[] {"GET", "/commands/v0/status/" + id + "/", null},
                new String[] {"PUT", "/commands/v0/status/" + id + "/", "{\"state\":\"Command Cancelled\"}"},
                new String[] {"GET", "/v2/command-inbox/?device_id=gw-1", null},
                new String[] {"POST", "/commands/v0/requests/", "{\"actions\":[]}"},
                new String[] {"GET", "/commands/v0/requests/" + SETUP + "/", null});
        for (String[] e : endpoints) {
            for (String authorization : new String[] {null, "Bearer wrong-token", "Bearer ", "Basic " + OPERATOR_TOKEN, OPERATOR_TOKEN,
                    "Bearer " + OPERATOR_TOKEN + "x"}) {
                Answer a = authorization == null ? call(e[0], e[1], null, e[2], "Content-Type", "application/json")
                        : call(e[0], e[1], null, e[2], "Content-Type", "application/json", "Authorization", authorization);
                assertThat(a.status()).as("%s %s with %s", e[0], e[1], authorization).isEqualTo(401);
                assertThat(a.json().path("message").asText()).isEqualTo(ApiGate.UNAUTHORIZED);
                assertThat(a.body()).doesNotContain(OPERATOR_TOKEN);
            }
        }
        // the device token opens only the inbox and the status reports
        for (String[] e : List.of(endpoints.get(0), endpoints.get(1), endpoints.get(4))) {
            Answer a = call(e[0], e[1], DEVICE_TOKEN, e[2], "Content-Type", "application/json");
            assertThat(a.status()).as("%s %s with the device token", e[0], e[1]).isEqualTo(401);
        }
        ok("GET", "/v2/command-inbox/?device_id=nobody", DEVICE_TOKEN, null);
        assertThat(call("GET", "/commands/v0/status/?limit=2&request=" + SETUP, null, null, "Authorization", "bearer " + OPERATOR_TOKEN).status())
                .as("the scheme is case-insensitive").isEqualTo(200);
        passed();
    }

    // ================================================================ the operator console's endpoints

    @Test
    void theConsoleEndpointsAnswerAsTheDocumentSays() {
        JsonNode requests = ok("GET", "/console/v0/requests?limit=100", OPERATOR_TOKEN, null).json().path("content");
        assertThat(requests.path("items").findValuesAsText("request_id")).contains(SETUP);
        ok("GET", "/console/v0/requests?state=finished&source=http", OPERATOR_TOKEN, null);
        refused(400, "GET", "/console/v0/requests?limit=0", OPERATOR_TOKEN, null, true);
        refused(400, "GET", "/console/v0/requests?source=" + "x".repeat(21), OPERATOR_TOKEN, null, true);
        assertThat(call("GET", "/console/v0/requests", null, null).status()).isEqualTo(401);

        JsonNode request = ok("GET", "/console/v0/requests/" + SETUP + "?state=Command%20Failure,Command%20Success&limit=5",
                OPERATOR_TOKEN, null).json().path("content");
        assertThat(request.path("source_label").asText()).isEqualTo("API");
        assertThat(request.at("/commands_page/items").size()).isBetween(1, 5);
        refused(400, "GET", "/console/v0/requests/" + SETUP + "?state=Done", OPERATOR_TOKEN, null, false);
        refused(400, "GET", "/console/v0/requests/" + SETUP + "?from=last", OPERATOR_TOKEN, null, true);
        JsonNode second = ok("GET", "/console/v0/requests/" + SETUP + "?limit=1&from=" + request.at("/commands_page/next_from").asText(),
                OPERATOR_TOKEN, null).json().path("content");
        assertThat(second.at("/commands_page/items/0/id").asText()).isNotEqualTo(request.at("/commands_page/items/0/id").asText());
        refused(404, "GET", "/console/v0/requests/no-such-request", OPERATOR_TOKEN, null, false);
        assertThat(call("GET", "/console/v0/requests/" + SETUP, DEVICE_TOKEN, null).status()).isEqualTo(401);

        String id = bridge.commands(SETUP).get(0).id();
        JsonNode command = ok("GET", "/console/v0/commands/" + id, OPERATOR_TOKEN, null).json().path("content");
        assertThat(command.path("transitions").size()).isPositive();
        refused(404, "GET", "/console/v0/commands/abc", OPERATOR_TOKEN, null, false);
        refused(404, "GET", "/console/v0/commands/00000000-0000-0000-0000-000000000000", OPERATOR_TOKEN, null, false);
        assertThat(call("GET", "/console/v0/commands/" + id, null, null).status()).isEqualTo(401);

        ok("GET", "/console/v0/clouds", OPERATOR_TOKEN, null);
        assertThat(call("GET", "/console/v0/clouds", null, null).status()).isEqualTo(401);
        ok("GET", "/console/v0/fanout", OPERATOR_TOKEN, null);
        assertThat(call("GET", "/console/v0/fanout", null, null).status()).isEqualTo(401);

        Answer cancel = submit(Batches.document("contract-console-cancel",
                "{\"kind\":\"command\",\"device\":\"gw-9\",\"command\":\"reboot\",\"not_before\":\"2099-12-01T02:00:00Z\"}"));
        assertThat(cancel.status()).isEqualTo(202);
        refused(400, "POST", "/console/v0/requests/contract-console-cancel/cancel", OPERATOR_TOKEN, "{\"reason\":5}", true);
        JsonNode cancelled = ok("POST", "/console/v0/requests/contract-console-cancel/cancel", OPERATOR_TOKEN, "{\"force\":false}")
                .json().path("content");
        assertThat(cancelled.path("cancelled").asInt()).isEqualTo(1);
        refused(404, "POST", "/console/v0/requests/no-such-request/cancel", OPERATOR_TOKEN, "{}", false);
        assertThat(call("POST", "/console/v0/requests/contract-console-cancel/cancel", null, "{}", "Content-Type", "application/json")
                .status()).isEqualTo(401);
        passed();
    }

    // ================================================================ POST /webhooks/access

    @Test
    void theWebhookReceiverAnswersAsTheDocumentSays() {
        String event = "{\"event_id\":\"contract-event-1\",\"event_type\":\"DEVICE_ACTION_UPDATED\",\"occurred_at\":\"2026-01-01T00:00:00Z\","
                + "\"data\":{\"object\":\"device-action\",\"id\":\"0123456789abcdef0123456789abcdef\",\"status\":\"RESOLVED\"}}";

        Answer received = ok("POST", "/webhooks/access", null, event, "X-Signature", sign(event));
        assertThat(received.status()).isEqualTo(204);
        assertThat(received.body()).isEmpty();
        assertThat(ok("POST", "/webhooks/access", null, event, "X-Signature", sign(event)).status()).as("a repeated event").isEqualTo(204);

        Answer forged = call("POST", "/webhooks/access", null, event, "Content-Type", "application/json",
                "X-Signature", "sha256=" + "0".repeat(64));
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.json().path("message").asText()).contains("X-Signature");
        Answer unsigned = call("POST", "/webhooks/access", null, event, "Content-Type", "application/json");
        assertThat(unsigned.status()).isEqualTo(401);
        assertThat(doc.requestProblems(unsigned.request(), event)).as("the document requires the signature").isNotEmpty();
        Answer form = call("POST", "/webhooks/access", null, "status=RESOLVED", "Content-Type", "application/x-www-form-urlencoded");
        assertThat(form.status()).isEqualTo(401);

        Answer huge = call("POST", "/webhooks/access", null, "x".repeat(1024 * 1024 + 1), "Content-Type", "application/json",
                "X-Signature", "sha256=" + "0".repeat(64));
        assertThat(huge.status()).isEqualTo(413);
        passed();
    }

    /** {@code sha256=<hex HMAC-SHA256>} of the body with the bridge's webhook secret, computed here. */
    private static String sign(String body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(TestBridge.WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ================================================================ 500

    @Test
    void answersAnInternalFailureWith500AndNoDetailsOnEveryPath() {
        TestBridge broken = startBridge("broken");
        try {
            Answer before = call(broken, "POST", "/commands/v0/requests/", OPERATOR_TOKEN,
                    Batches.document("doomed", "{\"kind\":\"command\",\"device\":\"gw-x\",\"command\":\"reboot\"}"), "Content-Type", "application/json");
            assertThat(before.status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> broken.commandStore().request("doomed").orElseThrow().intakeComplete());
            String id = broken.commands("doomed").get(0).id();
            broken.context().getRegistry().lookupByNameAndType("ledgerDataSource", HikariDataSource.class).close();

            List<Answer> answers = List.of(
                    call(broken, "GET", "/commands/v0/status/", OPERATOR_TOKEN, null),
                    call(broken, "GET", "/commands/v0/status/" + id + "/", OPERATOR_TOKEN, null),
                    call(broken, "PUT", "/commands/v0/status/" + id + "/", DEVICE_TOKEN, "{\"state\":\"Command Acknowledged\"}",
                            "Content-Type", "application/json"),
                    call(broken, "GET", "/v2/command-inbox/?device_id=gw-x", DEVICE_TOKEN, null),
                    call(broken, "POST", "/commands/v0/requests/", OPERATOR_TOKEN, "{\"actions\":[]}", "Content-Type", "application/json"),
                    call(broken, "GET", "/commands/v0/requests/doomed/", OPERATOR_TOKEN, null),
                    call(broken, "POST", "/webhooks/access", null, "{\"event_id\":\"e-broken\",\"event_type\":\"DEVICE_ACTION_UPDATED\",\"data\":{}}",
                            "Content-Type", "application/json", "X-Signature",
                            sign("{\"event_id\":\"e-broken\",\"event_type\":\"DEVICE_ACTION_UPDATED\",\"data\":{}}")));
            for (Answer a : answers) {
                assertThat(a.status()).as("%s %s: %s", a.request().method(), a.request().uri(), a.body()).isEqualTo(500);
                String requestId = a.json().path("request_id").asText();
                assertThat(a.json().path("message").asText()).isEqualTo("Internal server error (request id " + requestId + ")");
            }
            // the token check comes first, and the document needs no database
            assertThat(call(broken, "GET", "/commands/v0/status/", null, null).status()).isEqualTo(401);
            assertThat(call(broken, "GET", "/openapi.yaml", null, null).status()).isEqualTo(200);
        } finally {
            broken.close();
        }
        passed();
    }

    // ================================================================ 503

    @Test
    void answersWith503AndRetryAfterOnEveryPathWhileTheLedgerIsUnreachable() throws Exception {
        // the ledger on an H2 server of the test's own, stopped once a command is in
        int dbPort = TestBridge.freePort();
        Server database = Server.createTcpServer("-tcpPort", String.valueOf(dbPort), "-ifNotExists", "-baseDir",
                dir.resolve("unreachable").toString()).start();
        TestBridge cut = startBridge("unreachable", Map.of("bridge.db.url", "jdbc:h2:tcp://127.0.0.1:" + dbPort + "/./ledger",
                "bridge.db.connection-timeout", "1s"));
        try {
            Answer before = call(cut, "POST", "/commands/v0/requests/", OPERATOR_TOKEN,
                    Batches.document("cut-off", "{\"kind\":\"command\",\"device\":\"gw-x\",\"command\":\"reboot\"}"), "Content-Type", "application/json");
            assertThat(before.status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> cut.commandStore().request("cut-off").orElseThrow().intakeComplete());
            String id = cut.commands("cut-off").get(0).id();
            database.stop();

            String event = "{\"event_id\":\"e-cut\",\"event_type\":\"DEVICE_ACTION_UPDATED\",\"data\":{}}";
            List<Answer> answers = List.of(
                    call(cut, "GET", "/commands/v0/status/", OPERATOR_TOKEN, null),
                    call(cut, "GET", "/commands/v0/status/" + id + "/", OPERATOR_TOKEN, null),
                    call(cut, "PUT", "/commands/v0/status/" + id + "/", DEVICE_TOKEN, "{\"state\":\"Command Acknowledged\"}",
                            "Content-Type", "application/json"),
                    call(cut, "GET", "/v2/command-inbox/?device_id=gw-x", DEVICE_TOKEN, null),
                    call(cut, "POST", "/commands/v0/requests/", OPERATOR_TOKEN, "{\"actions\":[]}", "Content-Type", "application/json"),
                    call(cut, "GET", "/commands/v0/requests/cut-off/", OPERATOR_TOKEN, null),
                    call(cut, "POST", "/webhooks/access", null, event, "Content-Type", "application/json", "X-Signature", sign(event)));
            for (Answer a : answers) {
                assertThat(a.status()).as("%s %s: %s", a.request().method(), a.request().uri(), a.body()).isEqualTo(503);
                assertThat(a.response().headers().firstValue("Retry-After")).hasValue("5");
                assertThat(a.json().path("message").asText()).contains("ledger is unreachable").contains("retry later");
            }
            assertThat(call(cut, "GET", "/openapi.yaml", null, null).status()).isEqualTo(200);
        } finally {
            cut.close();
            database.stop();
        }
        passed();
    }

    // ================================================================ the check itself

    /**
     * The check has teeth: real answers, each altered in one way a code change could, are refused
     * (a wrong type, a missing or unknown field, a null where none may be, an unknown state, an
     * undocumented status, a missing X-Request-ID, another content type).
     */
    @Test
    void theDocumentRefusesAnAnswerThatDiffersInAnyWay() {
        CommandRecord cmd = bridge.commands(SETUP).stream().filter(c -> c.kind().equals("command")).findFirst().orElseThrow();
        String path = "/commands/v0/status/" + cmd.id() + "/";
        Answer one = ok("GET", path, OPERATOR_TOKEN, null);
        Answer page = ok("GET", "/commands/v0/status/?request=" + SETUP, OPERATOR_TOKEN, null);
        Answer error = refused(404, "GET", "/commands/v0/status/00000000-0000-0000-0000-000000000000/", OPERATOR_TOKEN, null, false);
        String requestId = one.response().headers().firstValue("X-Request-ID").orElseThrow();

        assertThat(problems("GET", path, 200, requestId, "application/json", one.body())).as("unaltered").isEmpty();
        Map<String, String> alterations = new java.util.LinkedHashMap<>();
        alterations.put("internal as a string", one.body().replace("\"internal\":false", "\"internal\":\"false\""));
        alterations.put("state missing", one.body().replaceFirst("\"state\":\"[^\"]+\",", ""));
        alterations.put("unknown state", one.body().replaceFirst("\"state\":\"[^\"]+\"", "\"state\":\"Command Done\""));
        alterations.put("created_at null", one.body().replaceFirst("\"created_at\":\"[^\"]+\"", "\"created_at\":null"));
        alterations.put("created_at not a time", one.body().replaceFirst("\"created_at\":\"[^\"]+\"", "\"created_at\":\"yesterday\""));
        alterations.put("vendor_request_ids of numbers", one.body().replace("\"vendor_request_ids\":[]", "\"vendor_request_ids\":[1]"));
        alterations.put("params not an object", one.body().replaceFirst("\"params\":\\{[^}]*}", "\"params\":[]"));
        alterations.put("an undocumented field", one.body().replace("\"internal\":false", "\"internal\":false,\"payload\":\"{}\""));
        alterations.put("transitions missing", one.body().replaceFirst(",\"transitions\":\\[.*]}}$", "}}"));
        alterations.put("code not 0", one.body().replaceFirst("\\{\"code\":0", "{\"code\":1"));
        alterations.put("content null", "{\"code\":0,\"message\":\"OK\",\"content\":null}");
        for (var a : alterations.entrySet()) {
            assertThat(a.getValue()).as(a.getKey()).isNotEqualTo(one.body());
            assertThat(problems("GET", path, 200, requestId, "application/json", a.getValue())).as(a.getKey()).isNotEmpty();
        }
        assertThat(problems("GET", "/commands/v0/status/", 200, requestId, "application/json",
                page.body().replaceFirst("\"total\":\\d+", "\"total\":\"7\""))).as("total as a string").isNotEmpty();
        assertThat(problems("GET", "/commands/v0/status/", 200, requestId, "application/json",
                page.body().replaceFirst("\"action_id\":null", "\"action_id\":5"))).as("action_id a number").isNotEmpty();
        assertThat(problems("GET", path, 200, null, "application/json", one.body())).as("no X-Request-ID").isNotEmpty();
        assertThat(problems("GET", path, 418, requestId, "application/json", one.body())).as("undocumented status").isNotEmpty();
        assertThat(problems("GET", path, 200, requestId, "text/html", one.body())).as("another content type").isNotEmpty();
        assertThat(problems("GET", path, 404, requestId, "application/json", error.body())).as("unaltered error").isEmpty();
        assertThat(problems("GET", path, 404, requestId, "application/json", error.body().replace("\"content\":null", "\"content\":{\"id\":\"x\"}")))
                .as("an error with content").isNotEmpty();
        assertThat(problems("GET", path, 404, requestId, "application/json", error.body().replaceFirst(",\"request_id\":\"[0-9a-f]+\"", "")))
                .as("an error without request_id").isNotEmpty();
        assertThat(problems("GET", path, 404, requestId, "application/json", error.body().replace("\"code\":404", "\"code\":0")))
                .as("an error with code 0").isNotEmpty();
        passed();
    }

    private List<String> problems(String method, String path, int status, String requestId, String contentType, String body) {
        var b = com.atlassian.oai.validator.model.SimpleResponse.Builder.status(status).withContentType(contentType).withBody(body);
        if (requestId != null) {
            b.withHeader("X-Request-ID", requestId);
        }
        var report = doc.response(method, path, b.build());
        return report.getMessages().stream().filter(m -> m.getLevel() == com.atlassian.oai.validator.report.ValidationReport.Level.ERROR)
                .map(m -> m.getKey() + ": " + m.getMessage()).toList();
    }

    // ================================================================ helpers

    record Answer(HttpRequest request, String requestBody, HttpResponse<String> response, JsonNode json) {
        int status() {
            return response.statusCode();
        }

        String body() {
            return response.body();
        }
    }

    private TestBridge startBridge(String name) {
        return startBridge(name, Map.of());
    }

    private TestBridge startBridge(String name, Map<String, String> extra) {
        Map<String, String> p = new HashMap<>();
        p.put("bridge.network.base-url", server.baseUrl() + "/network");
        p.put("bridge.network.token", NETWORK_TOKEN);
        p.put("bridge.network.tick", "50");
        p.put("bridge.home.base-url", server.baseUrl() + "/home");
        p.put("bridge.home.token", HOME_TOKEN);
        p.put("bridge.home.tick", "100");
        p.put("bridge.api.token", OPERATOR_TOKEN);
        p.put("bridge.api.device-token", DEVICE_TOKEN);
        Path tokens = dir.resolve(name + "-device-tokens.properties");
        try {
            Files.writeString(tokens, OWN_DEVICE + "=" + OWN_TOKEN + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        p.put("bridge.api.device-tokens-file", tokens.toString());
        p.putAll(extra);
        return TestBridge.in(dir.resolve(name), server.baseUrl() + "/access", p).start();
    }

    /** A call the bridge must take (2xx) and the document must accept. */
    private Answer ok(String method, String path, String token, String body, String... headers) {
        Answer a = call(method, path, token, body, withJson(body, headers));
        assertThat(a.status()).as("%s %s: %s", method, path, a.body()).isBetween(200, 299);
        doc.assertRequestValid(a.request(), body);
        return a;
    }

    /**
     * A call the bridge must refuse with {@code status}; with {@code documentRefusesToo}, the
     * document's constraints must refuse the request as well (the document and the code agree).
     */
    private Answer refused(int status, String method, String path, String token, String body, boolean documentRefusesToo) {
        Answer a = call(method, path, token, body, withJson(body));
        assertThat(a.status()).as("%s %s %s: %s", method, path, body, a.body()).isEqualTo(status);
        if (documentRefusesToo) {
            assertThat(doc.requestProblems(a.request(), body)).as("the document's objections to %s %s %s", method, path, body).isNotEmpty();
        } else {
            doc.assertRequestValid(a.request(), body);
        }
        return a;
    }

    private static String[] withJson(String body, String... headers) {
        if (body == null) {
            return headers;
        }
        String[] out = java.util.Arrays.copyOf(headers, headers.length + 2);
        out[headers.length] = "Content-Type";
        out[headers.length + 1] = "application/json";
        return out;
    }

    /**
     * {@code POST /commands/v0/requests/} of a document with records its kind's schema refuses (an
     * unknown kind, a wrong type, a field too long): the document describes only actions the
     * bridge can take, so it refuses the body, while the bridge takes the document and rejects
     * those records one by one. Waits until its records are taken in.
     */
    private Answer submitWithRejectedRecords(String document) {
        Answer a = call("POST", "/commands/v0/requests/", OPERATOR_TOKEN, document, "Content-Type", "application/json");
        assertThat(a.status()).as(a.body()).isIn(200, 202);
        assertThat(doc.requestProblems(a.request(), document)).as("the document's objections to %s", document).isNotEmpty();
        if (a.status() == 202) {
            awaitTaken(a.json().at("/content/request_id").asText());
        }
        return a;
    }

    /** {@code POST /commands/v0/requests/}; when accepted (202), waits until its records are taken in. */
    private Answer submit(String document) {
        Answer a = ok("POST", "/commands/v0/requests/", OPERATOR_TOKEN, document);
        if (a.status() == 202) {
            awaitTaken(a.json().at("/content/request_id").asText());
        }
        return a;
    }

    private void awaitTaken(String requestId) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> bridge.commandStore().request(requestId).map(r -> r.intakeComplete()).orElse(false));
    }

    private Answer call(String method, String path, String token, String body, String... headers) {
        return call(bridge, method, path, token, body, headers);
    }

    /** Sends one call and validates its answer against the document, whatever it is. */
    private Answer call(TestBridge target, String method, String path, String token, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(target, path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> response = send(b.build());
        return new Answer(response.request(), body, response, check(response, body));
    }

    /** Every answer: the document's word on it, then the API conventions (docs/cloud-contracts.md section 1) the document states in prose. */
    private JsonNode check(HttpResponse<String> response, String requestBody) {
        doc.assertResponseValid(response);
        String method = response.request().method();
        String path = response.request().uri().getPath();
        String template = templates.entrySet().stream().filter(e -> e.getValue().matcher(path).matches()).map(Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new AssertionError("no documented path for " + path));
        seen.add(method + " " + template + " " + response.statusCode());

        String requestId = response.headers().firstValue("X-Request-ID").orElseThrow(() -> new AssertionError("no X-Request-ID"));
        assertThat(requestId).matches(REQUEST_ID);
        if ((path.equals("/openapi.yaml") && response.statusCode() == 200) || response.statusCode() == 204) {
            return null;
        }
        JsonNode json = TestBridge.json(response.body());
        if (response.statusCode() >= 400) {
            assertThat(json.path("code").asInt()).isEqualTo(response.statusCode());
            assertThat(json.path("request_id").asText()).isEqualTo(requestId);
            assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
        } else {
            assertThat(json.path("code").asInt()).isZero();
        }
        return json;
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static URI uri(TestBridge target, String path) {
        return URI.create("http://127.0.0.1:" + target.property("bridge.http.port") + path);
    }

    private void passed() {
        testsPassed.incrementAndGet();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static List<JsonNode> list(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).collect(Collectors.toCollection(ArrayList::new));
    }

    private static JsonNode byDevice(List<JsonNode> items, String device) {
        return items.stream().filter(i -> i.path("device").asText().equals(device)).findFirst()
                .orElseThrow(() -> new AssertionError("no command for " + device + " in " + items));
    }
}
