package org.devicebridge;

import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.access.AccessCloudSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.awaitility.Awaitility.await;

/**
 * Base of the end-to-end tests of the access-cloud flow: the simulator on a loopback port, the
 * real bridge talking to it over HTTP, each on fresh folders and a fresh ledger.
 */
abstract class AccessFlowTestSupport {

    @TempDir
    Path dir;

    SimulatorServer server;
    AccessCloudSimulator cloud;
    TestBridge bridge;

    /** Simulator with webhooks to the bridge, then the bridge. */
    TestBridge startBridge(UnaryOperator<AccessCloudSettings.Builder> cloudSettings, Map<String, String> bridgeProperties) {
        server = SimulatorServer.start(0);
        bridge = TestBridge.in(dir, server.baseUrl() + "/access", bridgeProperties);
        AccessCloudSettings.Builder settings = AccessCloudSettings.builder(TestBridge.API_KEY)
                .processingDelay(Duration.ofMillis(300))
                .webhook(bridge.webhookUrl(), TestBridge.WEBHOOK_SECRET);
        cloud = server.addAccessCloud(cloudSettings.apply(settings).build());
        return bridge.start();
    }

    TestBridge startBridge() {
        return startBridge(s -> s, Map.of());
    }

    @AfterEach
    void stopAll() {
        if (bridge != null) {
            bridge.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Waits until every command of the request is final, and returns them. */
    List<CommandRecord> awaitFinal(String requestId, int expected, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            List<CommandRecord> cs = bridge.commands(requestId);
            return cs.size() == expected && cs.stream().allMatch(c -> c.state().isFinal());
        });
        return bridge.commands(requestId);
    }

    List<CommandRecord> awaitFinal(String requestId, int expected) {
        return awaitFinal(requestId, expected, Duration.ofSeconds(20));
    }

    static List<CommandState> path(TestBridge bridge, String commandId) {
        return bridge.reads().transitions(commandId).stream().map(t -> t.to()).toList();
    }
}
