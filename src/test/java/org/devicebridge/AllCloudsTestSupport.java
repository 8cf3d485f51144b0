package org.devicebridge;

import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.access.AccessCloudSimulator;
import org.devicebridge.simulator.home.HomeCloudSettings;
import org.devicebridge.simulator.home.HomeCloudSimulator;
import org.devicebridge.simulator.network.NetworkCloudSettings;
import org.devicebridge.simulator.network.NetworkCloudSimulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.awaitility.Awaitility.await;

/**
 * Base of the end-to-end tests over all three clouds: the simulator with the access, network and
 * home clouds on a loopback port, and the real bridge configured for all of them.
 * <p>
 * Booting a bridge takes about a second, so the tests of a class share one where they can
 * ({@link #sharedBridge}): it is started by the first test that asks for it and stopped after the
 * last test of the class; the tests on it keep apart by request ids, devices and file names of
 * their own. A test that needs other clouds or bridge settings, or several bridges, starts its own
 * ({@link #startClouds}, {@link #startBridge}), stopped after the test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AllCloudsTestSupport {

    static final String NETWORK_TOKEN = "nt_test_0c1d2e3f4a5b6c7d";
    static final String HOME_TOKEN = "ht_test_8e9f0a1b2c3d4e5f";

    /** The test's own folder (bridges of its own live there). */
    @TempDir
    Path dir;

    /** The shared bridge's folder. */
    @TempDir
    static Path sharedDir;

    /** The clouds the running test talks to: the shared ones, or its own. */
    SimulatorServer server;
    AccessCloudSimulator access;
    NetworkCloudSimulator network;
    HomeCloudSimulator home;
    /** The test's own bridges. */
    final List<TestBridge> bridges = new ArrayList<>();

    private SimulatorServer sharedServer;
    private AccessCloudSimulator sharedAccess;
    private NetworkCloudSimulator sharedNetwork;
    private HomeCloudSimulator sharedHome;
    private AccessCloudSettings sharedAccessSettings;
    private NetworkCloudSettings sharedNetworkSettings;
    private HomeCloudSettings sharedHomeSettings;
    private TestBridge shared;

    /** Starts the three simulated clouds for the test. */
    void startClouds(UnaryOperator<NetworkCloudSettings.Builder> networkSettings,
                     UnaryOperator<HomeCloudSettings.Builder> homeSettings) {
        server = SimulatorServer.start(0);
        access = server.addAccessCloud(AccessCloudSettings.builder(TestBridge.API_KEY).processingDelay(Duration.ofMillis(200)).build());
        network = server.addNetworkCloud(networkSettings.apply(NetworkCloudSettings.builder(NETWORK_TOKEN)).build());
        home = server.addHomeCloud(homeSettings.apply(HomeCloudSettings.builder(HOME_TOKEN)).build());
    }

    /** A bridge of the test's own on its clouds, in its own folder under the test's; {@code extra} wins. */
    TestBridge startBridge(String name, Map<String, String> extra) {
        TestBridge bridge = TestBridge.in(dir.resolve(name), server.baseUrl() + "/access", onAllClouds(server, extra)).start();
        bridges.add(bridge);
        return bridge;
    }

    TestBridge startBridge() {
        startClouds(n -> n, h -> h);
        return startBridge("bridge", Map.of());
    }

    /**
     * The class's bridge (with {@link #sharedBridgeProperties()}) on its clouds, the network and
     * home clouds changed by the given settings for this test only.
     */
    TestBridge sharedBridge(UnaryOperator<NetworkCloudSettings.Builder> networkSettings,
                            UnaryOperator<HomeCloudSettings.Builder> homeSettings) {
        if (shared == null) {
            startClouds(this::sharedNetworkCloud, h -> h);
            sharedServer = server;
            sharedAccess = access;
            sharedNetwork = network;
            sharedHome = home;
            sharedAccessSettings = access.settings();
            sharedNetworkSettings = network.settings();
            sharedHomeSettings = home.settings();
            shared = TestBridge.in(sharedDir.resolve(getClass().getSimpleName()), server.baseUrl() + "/access",
                    onAllClouds(server, sharedBridgeProperties())).start();
        }
        server = sharedServer;
        access = sharedAccess;
        network = sharedNetwork;
        home = sharedHome;
        network.updateSettings(s -> networkSettings.apply(s.toBuilder()).build());
        home.updateSettings(s -> homeSettings.apply(s.toBuilder()).build());
        return shared;
    }

    TestBridge sharedBridge() {
        return sharedBridge(n -> n, h -> h);
    }

    /** What the class's shared bridge is configured with, beyond the test defaults and the clouds. */
    Map<String, String> sharedBridgeProperties() {
        return Map.of();
    }

    /** The class's shared network cloud, where a class needs it otherwise (with its bridge configured to match). */
    NetworkCloudSettings.Builder sharedNetworkCloud(NetworkCloudSettings.Builder settings) {
        return settings;
    }

    /**
     * Waits until the requests the earlier tests made on the shared bridge are finished and
     * reported: from then on nothing of theirs calls a cloud, so a test may count the clouds' calls
     * or make a cloud fail its next ones.
     */
    void awaitEarlierTestsDone() {
        if (shared != null) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> shared.commandStore().openRequests().isEmpty());
        }
    }

    private static Map<String, String> onAllClouds(SimulatorServer server, Map<String, String> extra) {
        Map<String, String> p = new HashMap<>();
        p.put("bridge.network.base-url", server.baseUrl() + "/network");
        p.put("bridge.network.token", NETWORK_TOKEN);
        p.put("bridge.network.tick", "50");
        p.put("bridge.home.base-url", server.baseUrl() + "/home");
        p.put("bridge.home.token", HOME_TOKEN);
        p.put("bridge.home.tick", "100");
        p.putAll(extra);
        return p;
    }

    /** After each test: its own bridges and clouds are stopped; the shared clouds get their settings back. */
    @AfterEach
    void stopAll() {
        bridges.forEach(TestBridge::close);
        bridges.clear();
        if (server != null && server != sharedServer) {
            server.close();
        }
        if (sharedServer != null) {
            sharedAccess.updateSettings(s -> sharedAccessSettings);
            sharedNetwork.updateSettings(s -> sharedNetworkSettings);
            sharedHome.updateSettings(s -> sharedHomeSettings);
        }
        server = null;
        access = null;
        network = null;
        home = null;
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

    List<CommandRecord> awaitFinal(TestBridge bridge, String requestId, int expected, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            List<CommandRecord> cs = bridge.commands(requestId);
            return cs.size() == expected && cs.stream().allMatch(c -> c.state().isFinal());
        });
        return bridge.commands(requestId);
    }

    static String ids(String prefix, int from, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            ids.add("\"" + prefix + i + "\"");
        }
        return String.join(",", ids);
    }
}
