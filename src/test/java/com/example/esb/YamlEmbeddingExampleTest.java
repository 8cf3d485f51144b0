package com.example.esb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.main.Main;
import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Camel Main YAML application of docs/embedding.md (examples/embedding/yaml), run as it is
 * written, with only its folders, ports, database and cloud moved for the test: batch files from
 * its own {@code file:} endpoint (a JSON document and a JSON Lines file) end in the ledger, a file
 * that is no batch goes to its rejected folder, and the bridge's status API and access-cloud webhook
 * receiver answer on the application's own HTTP server. Polling is held off for 10 minutes, so the
 * actions can only finish through webhooks received there.
 */
class YamlEmbeddingExampleTest {

    private static final String API_KEY = "ak_yaml_example_1a2b3c";
    private static final String WEBHOOK_SECRET = "whsec_yaml_example_4d5e6f";
    private static final String API_TOKEN = "api-token-yaml-example";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path dir;
    private static int port;
    private static SimulatorServer simulator;
    private static Main main;
    private static JdbcTemplate ledger;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startTheExampleApplication() throws Exception {
        dir = Files.createTempDirectory("yaml-embedding-");
        port = freePort();
        simulator = SimulatorServer.start(0);
        simulator.addAccessCloud(AccessCloudSettings.builder(API_KEY).processingDelay(Duration.ofMillis(200))
                .webhook("http://127.0.0.1:" + port + "/webhooks/access", WEBHOOK_SECRET).webhookDuplicateShare(0).build());
        Properties p = new Properties();
        p.setProperty("camel.beans.ledgerDb.jdbcUrl", "jdbc:h2:mem:yaml-example-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        p.setProperty("bridge.http.port", String.valueOf(port));
        p.setProperty("esb.drop.dir", dir.resolve("drop").toString());
        p.setProperty("esb.rejected.dir", dir.resolve("rejected").toString());
        p.setProperty("bridge.outbox.dir", dir.resolve("outbox").toString());
        p.setProperty("bridge.simulator.enabled", "false");
        p.setProperty("bridge.access.base-url", simulator.baseUrl() + "/access");
        p.setProperty("bridge.access.api-key", API_KEY);
        p.setProperty("bridge.access.webhook-secret", WEBHOOK_SECRET);
        p.setProperty("bridge.api.token", API_TOKEN);
        p.setProperty("bridge.access.tick", "100");
        p.setProperty("bridge.poll.initial-interval", "10m");
        p.setProperty("bridge.poll.max-interval", "10m");
        main = new Main();
        main.setPropertyPlaceholderLocations("file:examples/embedding/yaml/application.properties");
        main.setOverrideProperties(p);
        main.start();
        ledger = new JdbcTemplate(main.getCamelContext().getRegistry().lookupByNameAndType("ledgerDb", DataSource.class));
    }

    @AfterAll
    static void stopAll() {
        if (main != null) {
            main.stop();
        }
        if (simulator != null) {
            simulator.close();
        }
    }

    @Test
    void takesAJsonDocumentAndAJsonLinesFileFromTheApplicationsFileEndpointAndFinishesThemThroughItsWebhooks() throws Exception {
        drop("orders.json", """
                {"request_id":"yaml-doc-1","actions":[%s,%s]}""".formatted(credentials("door-1"), credentials("door-2")));
        drop("more-orders.jsonl", credentials("door-3") + "\n" + credentials("door-4") + "\n");

        await().atMost(Duration.ofSeconds(30)).until(() -> ledger.queryForObject(
                "SELECT COUNT(*) FROM bridge_command WHERE state = 'Command Success' AND (request_id = 'yaml-doc-1' "
                        + "OR request_id LIKE 'esb-drop:more-orders.jsonl:%')", Integer.class) == 4);
        assertThat(ledger.queryForList("SELECT source FROM bridge_request", String.class)).containsOnly("esb-drop");
        assertThat(ledger.queryForList("SELECT id FROM bridge_request", String.class))
                .contains("yaml-doc-1").anyMatch(id -> id.startsWith("esb-drop:more-orders.jsonl:"));
        // polling is held off: only the webhooks received on the application's server moved the actions
        // (then each is read back from the device to confirm it)
        assertThat(ledger.queryForList("SELECT DISTINCT operation FROM bridge_call", String.class))
                .containsExactlyInAnyOrder("create-action", "upload-payload", "read-back");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("drop/.done/more-orders.jsonl")));
    }

    @Test
    void answersTheStatusApiOnTheApplicationsServer() throws Exception {
        drop("api-check.json", """
                {"request_id":"yaml-api-1","actions":[%s]}""".formatted(credentials("door-9")));
        await().atMost(Duration.ofSeconds(30)).until(() -> ledger.queryForObject(
                "SELECT COUNT(*) FROM bridge_request WHERE id = 'yaml-api-1'", Integer.class) == 1);

        HttpResponse<String> request = get("/commands/v0/requests/yaml-api-1", API_TOKEN);
        HttpResponse<String> anonymous = get("/commands/v0/requests/yaml-api-1", null);

        assertThat(request.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(request.body());
        assertThat(body.toString()).contains("yaml-api-1");
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    @Test
    void refusesAnUnsignedWebhookOnTheApplicationsServer() throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base() + "/webhooks/access"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"evt-1\"}")).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(401);
    }

    @Test
    void movesAFileThatIsNoBatchToTheApplicationsRejectedFolder() throws Exception {
        drop("not-a-batch.json", "[1, 2, 3]");

        // the route copies it there through a file: endpoint, which shows the file before all of it is written
        Path rejected = dir.resolve("rejected/not-a-batch.json");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(rejected) && Files.size(rejected) == "[1, 2, 3]".length());
        assertThat(Files.readString(rejected)).isEqualTo("[1, 2, 3]");
        assertThat(ledger.queryForList("SELECT id FROM bridge_request", String.class)).noneMatch(id -> id.contains("not-a-batch"));
    }

    private static void drop(String name, String content) throws IOException {
        Path drop = Files.createDirectories(dir.resolve("drop"));
        Path temporary = Files.writeString(dir.resolve(name + ".part"), content, StandardCharsets.UTF_8);
        Files.move(temporary, drop.resolve(name));
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String base() {
        return "http://127.0.0.1:" + port;
    }

    static String credentials(String device) {
        return """
                {"kind":"credentials","device":"%s","payload":{"credentials":[{"id":"ab12","holder":"Ada","schedule_ids":[]}],\
                "schedules":[]}}""".formatted(device);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
