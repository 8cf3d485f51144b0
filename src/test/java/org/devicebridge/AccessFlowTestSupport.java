package org.devicebridge;

import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.access.AccessCloudSimulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.awaitility.Awaitility.await;

/**
 * Base of the end-to-end tests of the access-cloud flow: the simulator on a loopback port, the
 * real bridge talking to it over HTTP.
 * <p>
 * Booting a bridge takes about a second, so the tests of a class share one where they can
 * ({@link #sharedBridge}): it is started by the first test that asks for it and stopped after the
 * last test of the class; the tests on it keep apart by request ids, devices and file names of
 * their own. A test that needs another bridge setting, or a bridge it breaks, stops or restarts,
 * starts one of its own ({@link #startBridge}), on fresh folders and a fresh ledger, stopped after
 * the test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AccessFlowTestSupport {

    /** The test's own folder (a bridge of its own lives there). */
    @TempDir
    Path dir;

    /** The shared bridge's folder. */
    @TempDir
    static Path sharedDir;

    /** What the running test talks to: the shared bridge and its simulator, or its own. */
    SimulatorServer server;
    AccessCloudSimulator cloud;
    TestBridge bridge;

    private SimulatorServer sharedServer;
    private AccessCloudSimulator sharedCloud;
    private AccessCloudSettings sharedCloudSettings;
    private TestBridge shared;

    /** Simulator with webhooks to the bridge, then a bridge of the test's own in {@link #dir}; both stopped after the test. */
    TestBridge startBridge(UnaryOperator<AccessCloudSettings.Builder> cloudSettings, Map<String, String> bridgeProperties) {
        server = SimulatorServer.start(0);
        bridge = TestBridge.in(dir, server.baseUrl() + "/access", bridgeProperties);
        cloud = server.addAccessCloud(cloudSettings.apply(defaultCloudSettings(bridge)).build());
        return bridge.start();
    }

    TestBridge startBridge() {
        return startBridge(s -> s, Map.of());
    }

    /**
     * The class's bridge (with {@link #sharedBridgeProperties()}) on its simulator, the simulator
     * changed by {@code cloudSettings} for this test only.
     */
    TestBridge sharedBridge(UnaryOperator<AccessCloudSettings.Builder> cloudSettings) {
        if (shared == null) {
            sharedServer = SimulatorServer.start(0);
            shared = TestBridge.in(sharedDir.resolve(getClass().getSimpleName()), sharedServer.baseUrl() + "/access",
                    sharedBridgeProperties());
            sharedCloud = sharedServer.addAccessCloud(defaultCloudSettings(shared).build());
            sharedCloudSettings = sharedCloud.settings();
            shared.start();
        }
        server = sharedServer;
        cloud = sharedCloud;
        bridge = shared;
        cloud.updateSettings(s -> cloudSettings.apply(s.toBuilder()).build());
        return bridge;
    }

    TestBridge sharedBridge() {
        return sharedBridge(s -> s);
    }

    /** What the class's shared bridge is configured with, beyond the test defaults. */
    Map<String, String> sharedBridgeProperties() {
        return Map.of();
    }

    /**
     * Waits until the requests the earlier tests made on the shared bridge are finished and
     * reported: from then on nothing of theirs calls the cloud, so a test may count the cloud's
     * calls or make it fail its next ones.
     */
    void awaitEarlierTestsDone() {
        if (shared != null) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> shared.commandStore().openRequests().isEmpty());
        }
    }

    private static AccessCloudSettings.Builder defaultCloudSettings(TestBridge bridge) {
        return AccessCloudSettings.builder(TestBridge.API_KEY)
                .processingDelay(Duration.ofMillis(300))
                .webhook(bridge.webhookUrl(), TestBridge.WEBHOOK_SECRET);
    }

    /** After each test: a bridge of its own is stopped; the shared simulator gets its settings back. */
    @AfterEach
    void stopAll() {
        if (bridge != null && bridge != shared) {
            bridge.close();
        }
        if (server != null && server != sharedServer) {
            server.close();
        }
        if (sharedCloud != null) {
            sharedCloud.updateSettings(s -> sharedCloudSettings);
        }
        bridge = null;
        server = null;
        cloud = null;
    }

    @AfterAll
    void stopShared() {
        if (shared != null) {
            shared.close();
            shared = null;
        }
        if (sharedServer != null) {
            sharedServer.close();
            sharedServer = null;
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
