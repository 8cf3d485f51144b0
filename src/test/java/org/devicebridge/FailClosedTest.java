package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.access.AccessCloudSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Never a silent simulator: with one cloud configured for real, nothing is simulated unless asked
 * for; an action of a cloud neither configured nor simulated is refused by pre-flight, naming the
 * missing setting, and {@code --once} exits 1. When the simulator does stand in, every result line
 * and summary of its actions says so. And the ports a service opens stay on loopback by default.
 * Runs {@code --once} as a job would, the "real" access cloud a simulator the test starts on its own port.
 */
class FailClosedTest {

    private static final String BULK = "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[\"HW-1\",\"HW-2\"]}";

    @TempDir
    Path dir;

    private SimulatorServer server;

    @AfterEach
    void stopCloud() {
        if (server != null) {
            server.close();
        }
    }

    /** An access cloud of the test's own: the one cloud configured "for real". */
    private AccessCloudSimulator realAccessCloud() {
        server = SimulatorServer.start(0);
        return server.addAccessCloud(AccessCloudSettings.builder(TestBridge.API_KEY).processingDelay(Duration.ofMillis(200)).build());
    }

    private String[] args(String... extra) {
        return TestBridge.onceCommandLine(dir, extra);
    }

    private String[] withRealAccessCloud(String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("-Dbridge.access.base-url=" + server.baseUrl() + "/access",
                "-Dbridge.access.api-key=" + TestBridge.API_KEY));
        a.addAll(List.of(extra));
        return args(a.toArray(String[]::new));
    }

    private void drop(String name, String content) throws Exception {
        Files.createDirectories(dir.resolve("inbox"));
        Files.writeString(dir.resolve("inbox").resolve(name), content);
    }

    /** What the test log got since it was {@code length} long. */
    private static String logSince(long length) throws java.io.IOException {
        byte[] all = Files.readAllBytes(LeakSearch.TEST_LOG);
        return new String(all, (int) length, all.length - (int) length, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private List<JsonNode> results(String base) throws Exception {
        return Files.readAllLines(dir.resolve("outbox/" + base + ".results.jsonl")).stream().filter(l -> !l.isBlank())
                .map(TestBridge::json).toList();
    }

    private JsonNode summary(String base) throws Exception {
        return TestBridge.json(Files.readString(dir.resolve("outbox/" + base + ".summary.json")));
    }

    @Test
    void aMixedBatchWithOneCloudConfiguredRunsItsActionsForRealAndRefusesTheOthersNamingTheMissingSetting() throws Exception {
        AccessCloudSimulator access = realAccessCloud();
        drop("mixed.jsonl", Batches.jsonLines(List.of(Batches.credentials("door", "real-door-1"), BULK)));

        assertThat(BridgeMain.run(withRealAccessCloud())).isEqualTo(1);

        List<JsonNode> lines = results("mixed");
        assertThat(lines.get(0).path("state").asText()).isEqualTo("Command Success");
        assertThat(lines.get(0).has("simulated")).isFalse();
        assertThat(lines.get(1).path("state").asText()).isEqualTo("Command Failure");
        assertThat(lines.get(1).path("reason").asText()).contains("the network cloud is not configured: set bridge.network.base-url");
        assertThat(summary("mixed").has("simulated")).isFalse();
        assertThat(summary("mixed").path("invalid").asInt()).isEqualTo(1);
        assertThat(access.createCount("real-door-1")).isEqualTo(1);
    }

    @Test
    void theDemoWithoutAnyCloudConfiguredSimulatesEveryCloudAndEveryResultAndSummarySaysSo() throws Exception {
        drop("demo.jsonl", Batches.jsonLines(List.of(Batches.credentials("door", "demo-door-1"), BULK)));
        long logBefore = Files.size(LeakSearch.TEST_LOG);

        assertThat(BridgeMain.run(args())).isEqualTo(0);

        assertThat(results("demo")).allSatisfy(line -> assertThat(line.path("simulated").asBoolean()).isTrue());
        assertThat(summary("demo").path("simulated").asInt()).isEqualTo(3);   // one door, two bulk devices
        String log = logSince(logBefore);
        assertThat(log.lines().filter(l -> l.contains(" WARN ") && l.contains("SIMULATED: the built-in simulator stands in for"))).hasSize(1);
        assertThat(log).contains("3 actions: 3 succeeded").contains("SIMULATED: 3 ran on the built-in simulator, no real device touched");
    }

    @Test
    void askedForExplicitlyTheSimulatorStandsInOnlyForTheCloudsWithoutABaseUrl() throws Exception {
        AccessCloudSimulator access = realAccessCloud();
        drop("asked.jsonl", Batches.jsonLines(List.of(Batches.credentials("door", "real-door-2"), BULK)));

        assertThat(BridgeMain.run(withRealAccessCloud("-Dbridge.simulator.enabled=true"))).isEqualTo(0);

        List<JsonNode> lines = results("asked");
        assertThat(lines.get(0).has("simulated")).as("the access cloud is the real one").isFalse();
        assertThat(lines.get(1).path("simulated").asBoolean()).as("the network cloud is simulated").isTrue();
        assertThat(summary("asked").path("simulated").asInt()).isEqualTo(2);   // the two bulk devices
        assertThat(access.createCount("real-door-2")).isEqualTo(1);
    }

    @Test
    void withTheSimulatorOffAndNoCloudConfiguredTheBridgeDoesNotStart() {
        assertThat(BridgeMain.run(args("-Dbridge.simulator.enabled=false"))).isEqualTo(2);
        assertThat(BridgeMain.run(args("-Dbridge.simulator.enabled=sometimes"))).isEqualTo(2);
    }

    @Test
    void theManagementPortStaysOnLoopbackUnlessOpenedDeliberately() {
        assertThat(BridgeMain.run(args("-Dbridge.management.host=0.0.0.0"))).isEqualTo(2);
        assertThat(BridgeMain.run(args("-Dbridge.management.host=0.0.0.0", "-Dbridge.management.open=true"))).isEqualTo(0);
    }

    @Test
    void theApiAndManagementPortsListenOnLoopbackByDefault() throws Exception {
        Properties defaults = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("config/application.properties"))) {
            defaults.load(in);
        }
        assertThat(defaults.getProperty("bridge.http.host")).isEqualTo("127.0.0.1");
        assertThat(defaults.getProperty("bridge.management.host")).isEqualTo("127.0.0.1");
        assertThat(defaults.getProperty("camel.management.host")).isEqualTo("{{bridge.management.host}}");
        assertThat(defaults.getProperty("bridge.simulator.enabled")).isEqualTo("auto");
    }
}
