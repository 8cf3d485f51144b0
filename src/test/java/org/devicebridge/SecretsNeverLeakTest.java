package org.devicebridge;

import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.YonomiCloudSimulator;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API key and the webhook secret never show in logs, result files, dead letters or the ledger,
 * whatever happens: successes, refusals by the cloud, transient errors, bad webhooks. Nor, in the
 * Yonomi dialect, the OAuth2 client secret, the access tokens and the webhooks' Basic password.
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

    @Test
    void yonomiClientSecretAccessTokensAndWebhookPasswordAppearNowhere() throws Exception {
        try (SimulatorServer yonomiServer = SimulatorServer.start(0)) {
            YonomiCloudSimulator platform = YonomiFlowTest.platform(yonomiServer);
            Map<String, String> properties = new HashMap<>(YonomiFlowTest.yonomiSettings(platform));
            properties.put("bridge.retry.max-attempts", "1");
            properties.put("bridge.jms.enabled", "true");
            bridge = TestBridge.in(dir, platform.baseUrl(), properties);
            platform.updateSettings(s -> s.withWebhook(bridge.webhookUrl(), YonomiFlowTest.HOOK_USER, YonomiFlowTest.HOOK_PASSWORD));
            bridge.start();
            platform.expireTokens(); // none yet; the first renewal comes with the first 401 below
            bridge.drop("yonomi-mixed.jsonl", Batches.jsonLines(List.of(
                    YonomiFlowTest.dataFile("ok", "lock-1", "abc"),
                    YonomiFlowTest.dataFile("ghost", "unknown-lock", "abd"),
                    YonomiFlowTest.dataFile("refused", "rejecting-lock", "abe"),
                    YonomiFlowTest.dataFile("bad", "lock-2", "not-hex!"),
                    "{broken")));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> Files.exists(bridge.outbox().resolve("yonomi-mixed.summary.json")));
            platform.expireTokens();
            platform.failNextCalls(1, 503);
            bridge.drop("yonomi-more.json", Batches.document("yonomi-more", YonomiFlowTest.dataFile("again", "lock-3", "abf")));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> Files.exists(bridge.outbox().resolve("yonomi-more.summary.json")));
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(bridge.webhookUrl()))
                    .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                            ("intruder:" + YonomiFlowTest.CLIENT_SECRET).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"x\",\"note\":\"" + YonomiFlowTest.HOOK_PASSWORD + "\"}"))
                    .build(), HttpResponse.BodyHandlers.discarding());

            List<String> secrets = new java.util.ArrayList<>(platform.issuedTokens());
            assertThat(secrets).as("tokens issued").hasSizeGreaterThanOrEqualTo(2);
            secrets.add(YonomiFlowTest.CLIENT_SECRET);
            secrets.add(YonomiFlowTest.HOOK_PASSWORD);
            for (String secret : secrets) {
                assertThat(LeakSearch.ledgerText(bridge, "unknown-lock")).doesNotContain(secret);
                assertThat(LeakSearch.filesText(dir)).doesNotContain(secret);
                assertThat(LeakSearch.testLog()).doesNotContain(secret);
            }
        }
    }
}
