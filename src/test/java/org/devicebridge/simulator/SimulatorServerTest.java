package org.devicebridge.simulator;

import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.access.AccessCloudSimulator;
import org.devicebridge.simulator.home.HomeCloudSettings;
import org.devicebridge.simulator.home.HomeCloudSimulator;
import org.devicebridge.simulator.network.NetworkCloudSettings;
import org.devicebridge.simulator.network.NetworkCloudSimulator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared loopback server and the access cloud's settings. */
class SimulatorServerTest {

    private final TestHttp http = new TestHttp("ak_server");

    @Test
    void bindsLoopbackOnARandomPortAndMountsTheAccessCloud() {
        try (SimulatorServer server = SimulatorServer.start(0)) {
            AccessCloudSimulator access = server.addAccessCloud(AccessCloudSettings.builder("ak_server").build());

            assertThat(server.baseUrl()).matches("http://127\\.0\\.0\\.1:\\d+").endsWith(":" + server.port());
            assertThat(server.port()).isPositive();
            assertThat(access.baseUrl()).isEqualTo(server.baseUrl() + "/access");
        }
    }

    @Test
    void mountsTheThreeCloudsSideBySideUnderTheirOwnPrefixes() {
        try (SimulatorServer server = SimulatorServer.start(0)) {
            AccessCloudSimulator access = server.addAccessCloud(AccessCloudSettings.builder("ak_server").build());
            NetworkCloudSimulator network = server.addNetworkCloud(NetworkCloudSettings.builder("nt_server").build());
            HomeCloudSimulator home = server.addHomeCloud(HomeCloudSettings.builder("oauth_server").build());

            assertThat(access.baseUrl()).isEqualTo(server.baseUrl() + "/access");
            assertThat(network.baseUrl()).isEqualTo(server.baseUrl() + "/network");
            assertThat(home.baseUrl()).isEqualTo(server.baseUrl() + "/home");
        }
    }

    @Test
    void refusesASecondNetworkOrHomeCloud() {
        try (SimulatorServer server = SimulatorServer.start(0)) {
            server.addNetworkCloud(NetworkCloudSettings.builder("nt_server").build());
            server.addHomeCloud(HomeCloudSettings.builder("oauth_server").build());

            assertThatThrownBy(() -> server.addNetworkCloud(NetworkCloudSettings.builder("nt_other").build()))
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> server.addHomeCloud(HomeCloudSettings.builder("oauth_other").build()))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void unknownPathOutsideAnyCloudAnswers404WithRequestId() {
        try (SimulatorServer server = SimulatorServer.start(0)) {
            TestHttp.Response response = http.send(TestHttp.anonymous(server.baseUrl() + "/nothing/here").GET());

            assertThat(response.status()).isEqualTo(404);
            assertThat(response.header("X-Request-ID")).matches("[0-9a-f]{32}");
            assertThat(response.json().path("request_id").asText()).isEqualTo(response.header("X-Request-ID"));
            assertThat(response.json().path("object").asText()).isEqualTo("error");
        }
    }

    @Test
    void pathThatOnlyLooksLikeAPrefixIsNotRoutedToTheCloud() {
        try (SimulatorServer server = SimulatorServer.start(0)) {
            AccessCloudSimulator access = server.addAccessCloud(AccessCloudSettings.builder("ak_server").build());

            TestHttp.Response response = http.get(server.baseUrl() + "/accessories/v1/device-actions");

            assertThat(response.status()).isEqualTo(404);
            assertThat(access.totalCalls()).isZero();
        }
    }

    @Test
    void refusesASecondAccessCloud() {
        try (SimulatorServer server = SimulatorServer.start(0)) {
            server.addAccessCloud(AccessCloudSettings.builder("ak_server").build());

            assertThatThrownBy(() -> server.addAccessCloud(AccessCloudSettings.builder("ak_other").build()))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void closeReleasesThePortPromptly() throws IOException {
        SimulatorServer server = SimulatorServer.start(0);
        server.addAccessCloud(AccessCloudSettings.builder("ak_server").processingDelay(Duration.ofHours(1)).build());
        int port = server.port();

        long started = System.nanoTime();
        server.close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThatThrownBy(() -> new Socket(InetAddress.getByName("127.0.0.1"), port).close())
                .isInstanceOf(IOException.class);
    }

    @Test
    void settingsToStringHidesApiKeyAndWebhookSecret() {
        AccessCloudSettings settings = AccessCloudSettings.builder("ak_very_secret")
                .webhook("http://127.0.0.1:1/hook", "whsec_very_secret").build();

        assertThat(settings.toString()).doesNotContain("ak_very_secret").doesNotContain("whsec_very_secret");
    }

    @Test
    void settingsHaveTheDocumentedDefaults() {
        AccessCloudSettings settings = AccessCloudSettings.builder("ak").build();

        assertThat(settings.processingDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.uploadUrlTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.retryAfterSeconds()).isEqualTo(1);
        assertThat(settings.unknownDevicePattern()).isEqualTo("unknown-.*");
        assertThat(settings.webhookUrl()).isNull();
    }

    @Test
    void settingsRequireAnApiKeyAndASecretWithAWebhookUrl() {
        assertThatThrownBy(() -> AccessCloudSettings.builder(" ").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AccessCloudSettings.builder("ak").webhook("http://127.0.0.1:1/h", null).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AccessCloudSettings.builder("ak").transient5xxShare(1.5).build())
                .isInstanceOf(IllegalArgumentException.class);
    }
}
