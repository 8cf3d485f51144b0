package org.devicebridge;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API key and the webhook secret never show in logs, result files, dead letters or the ledger,
 * whatever happens: successes, refusals by the cloud, transient errors, bad webhooks.
 */
class SecretsNeverLeakTest extends AccessFlowTestSupport {

    @Test
    void apiKeyAndWebhookSecretAppearNowhere() throws Exception {
        // the secrets are given as override properties, the way -D options on the command line give them
        startBridge(s -> s, Map.of("bridge.retry.max-attempts", "1"));
        cloud.failNextCalls(1, 503);
        bridge.drop("mixed.jsonl", Batches.jsonLines(List.of(
                Batches.credentials("ok", "door-1"),
                Batches.credentials("ghost", "unknown-door"),
                Batches.credentials("bad", "door-2", "not-hex!"),
                "{broken")));
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(bridge.webhookUrl()))
                .header("X-Signature", "sha256=" + TestBridge.WEBHOOK_SECRET)
                .POST(HttpRequest.BodyPublishers.ofString("{\"event_id\":\"x\",\"note\":\"" + TestBridge.API_KEY + "\"}"))
                .build(), HttpResponse.BodyHandlers.discarding());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> Files.exists(bridge.outbox().resolve("mixed.summary.json")));

        for (String secret : List.of(TestBridge.API_KEY, TestBridge.WEBHOOK_SECRET)) {
            assertThat(ledgerText()).doesNotContain(secret);
            assertThat(filesText(dir)).doesNotContain(secret);
            assertThat(Files.readString(Path.of("target/test-logs/bridge-tests.log"))).doesNotContain(secret);
        }
    }

    /** Every value of every row of every ledger table, as text. */
    private String ledgerText() {
        JdbcTemplate jdbc = new JdbcTemplate(bridge.context().getRegistry().lookupByNameAndType("ledgerDataSource", DataSource.class));
        StringBuilder all = new StringBuilder();
        for (String table : List.of("bridge_request", "bridge_command", "bridge_transition", "bridge_call", "bridge_intake_error",
                "CAMEL_MESSAGEPROCESSED")) {
            jdbc.queryForList("SELECT * FROM " + table).forEach(row -> all.append(row.values()).append('\n'));
        }
        assertThat(all).contains("unknown-door"); // the dump really holds the run
        return all.toString();
    }

    /** Every file the bridge wrote (outbox, dead letters, archive), except the ledger database itself. */
    private static String filesText(Path root) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".db")).toList()) {
                all.append(Files.readString(f, StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }
}
