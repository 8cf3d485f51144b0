package org.devicebridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded broker's start-up problems are named by the key that fixes them. */
class EmbeddedBrokerTest {

    @TempDir
    Path dir;

    @Test
    void aPortInUseIsBadConfigurationOfTheEmbeddedPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> EmbeddedBroker.start(dir.resolve("broker"), taken.getLocalPort(), "in", "in.DLQ"))
                    .isInstanceOf(BadConfigurationException.class)
                    .hasMessageContaining("bridge.jms.embedded-port")
                    .hasMessageContaining("port " + taken.getLocalPort() + " on the loopback address is in use");
        }
    }
}
