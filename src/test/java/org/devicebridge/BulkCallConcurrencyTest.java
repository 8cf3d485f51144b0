package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bulk calls run on workers of their own: a call the network cloud does not answer holds up its
 * own chunk only, never the chunks of other requests behind it.
 */
class BulkCallConcurrencyTest extends AllCloudsTestSupport {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HttpServer cloud;
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger hanging = new AtomicInteger();

    /** A network cloud that applies every device, but holds its answer to any call naming a HANG- device until released. */
    private String startStallingCloud() throws IOException {
        cloud = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        cloud.setExecutor(Executors.newCachedThreadPool());
        cloud.createContext("/v3/devices/action", exchange -> {
            JsonNode body = MAPPER.readTree(exchange.getRequestBody());
            ObjectNode answer = MAPPER.createObjectNode();
            boolean hang = false;
            for (JsonNode id : body.path("ids")) {
                answer.put(id.asText(), 1);
                hang |= id.asText().startsWith("HANG-");
            }
            if (hang) {
                hanging.incrementAndGet();
                try {
                    released.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] bytes = answer.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("X-Request-ID", "req-" + System.nanoTime());
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        cloud.start();
        return "http://127.0.0.1:" + cloud.getAddress().getPort();
    }

    @AfterEach
    void stopCloud() {
        released.countDown();
        if (cloud != null) {
            cloud.stop(0);
        }
    }

    @Test
    void aCallTheCloudDoesNotAnswerHoldsUpNoOtherChunk() throws Exception {
        startClouds(n -> n, h -> h);
        TestBridge bridge = startBridge("bridge", Map.of("bridge.network.base-url", startStallingCloud(),
                "bridge.network.concurrency", "2"));

        bridge.drop("stuck.json", Batches.document("stuck-1", "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[\"HANG-1\",\"HANG-2\"]}"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> hanging.get() == 1);
        bridge.drop("other.json", Batches.document("other-1", "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[\"HW-1\",\"HW-2\"]}"));

        List<CommandRecord> other = awaitFinal(bridge, "other-1", 2, Duration.ofSeconds(15));
        assertThat(other).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(bridge.commands("stuck-1")).as("still waiting for its answer").extracting(CommandRecord::state)
                .containsOnly(CommandState.INITIATED);

        released.countDown();
        assertThat(awaitFinal(bridge, "stuck-1", 2, Duration.ofSeconds(15))).extracting(CommandRecord::state)
                .containsOnly(CommandState.SUCCESS);
    }
}
