package org.devicebridge;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The network cloud's token travels in the URL and the home cloud's as a bearer token: neither
 * shows in logs, results, dead letters or the ledger, through successes, refusals and errors.
 */
class CloudTokensNeverLeakTest extends AllCloudsTestSupport {

    @Test
    void networkAndHomeTokensAppearNowhere() throws Exception {
        startClouds(n -> n, h -> h);
        // with the broker, whose journal is among the files searched
        TestBridge bridge = startBridge("bridge", Map.of("bridge.retry.max-attempts", "1", "bridge.jms.enabled", "true"));
        network.failNextCalls(1, 503);
        home.failNextCalls(1, 400);
        bridge.drop("tokens.json", Batches.document("tokens-1",
                "{\"kind\":\"bulk\",\"type\":\"exempt\",\"ids\":[\"HW-1\",\"unknown-2\"]}",
                "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[\"HW-3\"]}",
                "{\"kind\":\"bulk\",\"type\":\"exempt\",\"ids\":[\"HW-4\"],\"params\":{\"exempt_time\":-1}}",
                "{\"kind\":\"capability\",\"device\":\"offline-1\",\"actions\":[{\"type\":\"devices.capabilities.on_off\",\"state\":{\"instance\":\"on\",\"value\":true}}]}",
                "{\"kind\":\"capability\",\"device\":\"unknown-9\",\"actions\":[{\"type\":\"devices.capabilities.on_off\",\"state\":{\"instance\":\"on\",\"value\":true}}]}"));

        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(bridge.outbox().resolve("tokens.summary.json")));

        for (String token : new String[] {NETWORK_TOKEN, HOME_TOKEN}) {
            assertThat(LeakSearch.ledgerText(bridge, "unknown-2")).doesNotContain(token);
            assertThat(LeakSearch.filesText(dir)).doesNotContain(token);
            assertThat(LeakSearch.testLog()).doesNotContain(token);
        }
        assertThat(LeakSearch.testLog()).doesNotContain("access_token=" + NETWORK_TOKEN.substring(0, 6));
    }
}
