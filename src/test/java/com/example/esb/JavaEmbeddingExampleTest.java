package com.example.esb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.BufferedWriter;
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
 * The Java application of docs/embedding.md (examples/embedding/java, {@link EsbApplication}), run
 * as it is written, with only its folders, port, database and cloud moved for the test: a JSON Lines
 * batch of 300 records dropped into its folder is taken in through its {@code file:} endpoint, and
 * the bridge's status API on the application's own HTTP server tells its progress. The actions
 * themselves are held back (YamlEmbeddingExampleTest runs them to the end).
 */
class JavaEmbeddingExampleTest {

    private static final String API_KEY = "ak_java_example_7a8b9c";
    private static final String API_TOKEN = "api-token-java-example";
    private static final int RECORDS = 300;

    @TempDir
    Path dir;

    private SimulatorServer simulator;
    private EsbApplication app;

    @AfterEach
    void stopAll() {
        if (app != null) {
            app.close();
        }
        if (simulator != null) {
            simulator.close();
        }
    }

    @Test
    void takesAJsonLinesDropThroughItsFileEndpointAndAnswersTheStatusApiOnItsOwnServer() throws Exception {
        simulator = SimulatorServer.start(0);
        simulator.addAccessCloud(AccessCloudSettings.builder(API_KEY).processingDelay(Duration.ofMillis(100)).build());
        Properties bridge = new Properties();
        bridge.setProperty("bridge.access.base-url", simulator.baseUrl() + "/access");
        bridge.setProperty("bridge.access.api-key", API_KEY);
        bridge.setProperty("bridge.api.token", API_TOKEN);
        bridge.setProperty("bridge.outbox.dir", dir.resolve("outbox").toString());
        // the intake is what this test is about: the actions are not sent (the dispatcher looks again in 10 minutes)
        bridge.setProperty("bridge.access.tick", "600000");
        int port = YamlEmbeddingExampleTest.freePort();
        app = EsbApplication.start("jdbc:h2:mem:java-example-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", port, dir.resolve("drop"),
                dir.resolve("rejected"), bridge);

        Path part = dir.resolve("doors.jsonl.part");
        try (BufferedWriter out = Files.newBufferedWriter(part, StandardCharsets.UTF_8)) {
            for (int i = 0; i < RECORDS; i++) {
                out.write(YamlEmbeddingExampleTest.credentials("door-" + i));
                out.newLine();
            }
        }
        Files.move(part, Files.createDirectories(dir.resolve("drop")).resolve("doors.jsonl"));

        JdbcTemplate ledger = new JdbcTemplate(app.database());
        await().atMost(Duration.ofSeconds(60)).until(() -> ledger.queryForList(
                "SELECT intake_complete FROM bridge_request WHERE source = 'esb-java'", Boolean.class).contains(true));
        String requestId = ledger.queryForObject("SELECT id FROM bridge_request WHERE source = 'esb-java'", String.class);
        assertThat(requestId).startsWith("esb-java:doors.jsonl:");
        assertThat(ledger.queryForObject("SELECT COUNT(*) FROM bridge_command WHERE request_id = ?", Integer.class, requestId))
                .isEqualTo(RECORDS);
        assertThat(dir.resolve("drop/.done/doors.jsonl")).exists();

        HttpResponse<String> progress = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/commands/v0/requests/" + requestId))
                .header("Authorization", "Bearer " + API_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(progress.statusCode()).isEqualTo(200);
        JsonNode body = new ObjectMapper().readTree(progress.body());
        assertThat(body.toString()).contains(requestId).contains(String.valueOf(RECORDS));

        // the operator console comes with the API: its page at the server's root, its JSON beside the API's
        HttpResponse<String> console = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/console/v0/requests?source=esb-java"))
                .header("Authorization", "Bearer " + API_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(console.statusCode()).as(console.body()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(console.body()).at("/content/items/0/request_id").asText()).isEqualTo(requestId);
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).contains("Operator token");
    }
}
