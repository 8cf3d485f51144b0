package org.devicebridge;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API key and the webhook secret never show in logs, result files, dead letters or the ledger,
 * whatever happens: successes, refusals by the cloud, transient errors, bad webhooks.
 */
class SecretsNeverLeakTest extends AccessFlowTestSupport {

    @Test
    void apiKeyAndWebhookSecretAppearNowhere() throws Exception {
        // the secrets are given as override properties, the way -D options on the command line give them
        // with the broker, whose journal is among the files searched
        startBridge(s -> s, Map.of("bridge.retry.max-attempts", "1", "bridge.jms.enabled", "true"));
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
            assertThat(LeakSearch.ledgerText(bridge, "unknown-door")).doesNotContain(secret);
            assertThat(LeakSearch.filesText(dir)).doesNotContain(secret);
            assertThat(LeakSearch.testLog()).doesNotContain(secret);
        }
    }
}
