package org.devicebridge;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Health (readiness of the ledger and each cloud) and Prometheus metrics, scraped as a monitor would.
 * The healthy bridge with its broker is shared by two tests, of which only one runs actions (the
 * metrics count every action of the bridge); the unhealthy ones are bridges of their own.
 */
class ObservabilityTest extends AllCloudsTestSupport {

    private final HttpClient http = HttpClient.newHttpClient();

    @Override
    Map<String, String> sharedBridgeProperties() {
        return TestBridge.WITH_BROKER;
    }

    private HttpResponse<String> scrape(TestBridge bridge, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bridge.property("bridge.management.port") + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void exposesActionsByStateCloudCallsAndRateLimitMetrics() throws Exception {
        TestBridge bridge = sharedBridge();
        bridge.drop("mixed.json", Batches.document("obs-1", Batches.credentials("a", "door-1"),
                "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[\"HW-1\",\"HW-2\"]}",
                "{\"kind\":\"capability\",\"device\":\"lamp-1\",\"actions\":[{\"type\":\"devices.capabilities.on_off\",\"state\":{\"instance\":\"on\",\"value\":true}}]}"));
        awaitFinal(bridge, "obs-1", 4, Duration.ofSeconds(20));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = scrape(bridge, "/observe/metrics").body();
            assertThat(metrics).contains("bridge_commands{kind=\"bulk\",state=\"Command Success\"} 2.0");
            assertThat(metrics).contains("bridge_commands{kind=\"credentials\",state=\"Command Success\"} 1.0");
            assertThat(metrics).contains("bridge_cloud_calls_seconds_count{cloud=\"network\",operation=\"bulk-action\",status=\"200\"} 1");
            assertThat(metrics).contains("bridge_cloud_calls_seconds_count{cloud=\"access\",operation=\"create-action\",status=\"201\"} 1");
            assertThat(metrics).contains("bridge_cloud_calls_seconds_count{cloud=\"home\",operation=\"capability-action\",status=\"200\"} 1");
            assertThat(metrics).contains("bridge_polls_per_action_count 1");
            assertThat(metrics).contains("bridge_rate_limit_waits_total{cloud=\"network\"}");
            assertThat(metrics).contains("bridge_rate_limit_queue{cloud=\"network\"} 0.0");
        });
    }

    @Test
    void reportsReadyWithTheLedgerAndEachCloud() throws Exception {
        TestBridge bridge = sharedBridge();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> health = scrape(bridge, "/observe/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"").contains("ledger").contains("broker").contains("cloud-access")
                    .contains("cloud-network").contains("cloud-home");
        });
    }

    @Test
    void answersReadinessFromTheLastBackgroundProbeAndLivenessFromMemory() throws Exception {
        startClouds(n -> n, h -> h);
        TestBridge bridge = startBridge("bridge", Map.of("bridge.health.refresh-interval", "1h"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(scrape(bridge, "/observe/health/ready").statusCode())
                .isEqualTo(200));   // every consumer has started

        List<String> probedAt = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ready = scrape(bridge, "/observe/health/ready?data=true");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            probedAt.add(checkedAt(ready.body(), "ledger"));
        }
        HttpResponse<String> live = scrape(bridge, "/observe/health/live");

        assertThat(probedAt).doesNotContainNull().containsOnly(probedAt.get(0));   // probed once, at start
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).contains("\"status\":\"UP\"").doesNotContain("ledger").doesNotContain("cloud-");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {   // kept once the context has fully started
            HttpResponse<String> kept = scrape(bridge, "/observe/health/ready");
            assertThat(kept.statusCode()).isEqualTo(200);
            assertThat(kept.body()).startsWith("{\"status\":\"UP\",\"checks\":[")
                    .contains("{\"name\":\"consumers\",\"status\":\"UP\"}", "{\"name\":\"ledger\",\"status\":\"UP\"}",
                            "{\"name\":\"cloud-access\",\"status\":\"UP\"}", "{\"name\":\"context\",\"status\":\"UP\"}")
                    .doesNotContain("consumer:").doesNotContain("data").doesNotContain("checked_at");
        });
    }

    private static String checkedAt(String health, String check) {
        for (com.fasterxml.jackson.databind.JsonNode c : TestBridge.json(health).path("checks")) {
            if (c.path("name").asText().equals(check)) {
                return c.at("/data/checked_at").asText(null);
            }
        }
        throw new AssertionError("no check " + check + " in " + health);
    }

    @Test
    void reportsNotReadyWhenTheBrokerIsUnreachable() throws Exception {
        startClouds(n -> n, h -> h);
        TestBridge bridge = startBridge("bridge", Map.of("bridge.jms.enabled", "true",
                "bridge.jms.url", "tcp://127.0.0.1:" + TestBridge.freePort()));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> health = scrape(bridge, "/observe/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("\"name\":\"broker\"").contains("the message broker is unreachable");
        });
    }

    @Test
    void reportsNotReadyWhenACloudDidNotAnswer() throws Exception {
        startClouds(n -> n, h -> h);
        TestBridge bridge = startBridge("bridge", Map.of("bridge.home.base-url", "http://127.0.0.1:" + TestBridge.freePort() + "/home",
                "bridge.retry.max-attempts", "1"));
        bridge.drop("lamp.json", Batches.document("down-1",
                "{\"kind\":\"capability\",\"device\":\"lamp-1\",\"actions\":[{\"type\":\"devices.capabilities.on_off\",\"state\":{\"instance\":\"on\",\"value\":true}}]}"));
        awaitFinal(bridge, "down-1", 1, Duration.ofSeconds(20));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> health = scrape(bridge, "/observe/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("cloud-home").contains("no answer");
            HttpResponse<String> ready = scrape(bridge, "/observe/health/ready");   // not ready: every check run and told in full
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("\"name\":\"cloud-home\"").contains("no answer").contains("consumer:");
        });
    }
}
