package org.devicebridge;

import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.access.AccessCloudSimulator;
import org.devicebridge.simulator.home.HomeCloudSettings;
import org.devicebridge.simulator.home.HomeCloudSimulator;
import org.devicebridge.simulator.network.NetworkCloudSettings;
import org.devicebridge.simulator.network.NetworkCloudSimulator;
import org.junit.jupiter.api.AfterEach;
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
 */
abstract class AllCloudsTestSupport {

    static final String NETWORK_TOKEN = "nt_test_0c1d2e3f4a5b6c7d";
    static final String HOME_TOKEN = "ht_test_8e9f0a1b2c3d4e5f";

    @TempDir
    Path dir;

    SimulatorServer server;
    AccessCloudSimulator access;
    NetworkCloudSimulator network;
    HomeCloudSimulator home;
    final List<TestBridge> bridges = new ArrayList<>();

    /** Starts the three simulated clouds. */
    void startClouds(UnaryOperator<NetworkCloudSettings.Builder> networkSettings,
                     UnaryOperator<HomeCloudSettings.Builder> homeSettings) {
        server = SimulatorServer.start(0);
        access = server.addAccessCloud(AccessCloudSettings.builder(TestBridge.API_KEY).processingDelay(Duration.ofMillis(200)).build());
        network = server.addNetworkCloud(networkSettings.apply(NetworkCloudSettings.builder(NETWORK_TOKEN)).build());
        home = server.addHomeCloud(homeSettings.apply(HomeCloudSettings.builder(HOME_TOKEN)).build());
    }

    /** A bridge on all three clouds, in its own folder under the test's; {@code extra} wins. */
    TestBridge startBridge(String name, Map<String, String> extra) {
        Map<String, String> p = new HashMap<>();
        p.put("bridge.network.base-url", server.baseUrl() + "/network");
        p.put("bridge.network.token", NETWORK_TOKEN);
        p.put("bridge.network.tick", "50");
        p.put("bridge.home.base-url", server.baseUrl() + "/home");
        p.put("bridge.home.token", HOME_TOKEN);
        p.put("bridge.home.tick", "100");
        p.putAll(extra);
        TestBridge bridge = TestBridge.in(dir.resolve(name), server.baseUrl() + "/access", p).start();
        bridges.add(bridge);
        return bridge;
    }

    TestBridge startBridge() {
        startClouds(n -> n, h -> h);
        return startBridge("bridge", Map.of());
    }

    @AfterEach
    void stopAll() {
        bridges.forEach(TestBridge::close);
        if (server != null) {
            server.close();
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
