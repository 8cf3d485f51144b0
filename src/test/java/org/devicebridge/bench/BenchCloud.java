package org.devicebridge.bench;

import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.access.AccessCloudSimulator;

import java.io.IOException;
import java.time.Duration;

/**
 * The engine bench's access cloud, in a process of its own: the built-in simulator's access cloud
 * on {@code 127.0.0.1} (webhooks off) behind {@link CountingAccessCloud}'s counters.
 *
 * <p>Arguments: {@code processing-delay-ms upload-url-ttl-seconds}; the API key comes from the
 * environment ({@code BENCH_ACCESS_API_KEY}). Prints {@code BENCH_CLOUD <base url>} once it serves,
 * and ends when its standard input closes (the bench that started it ended) or after 6 hours.
 */
public final class BenchCloud {

    private BenchCloud() {
    }

    public static void main(String[] args) throws IOException {
        String apiKey = System.getenv("BENCH_ACCESS_API_KEY");
        if (apiKey == null || apiKey.isBlank()) {
            System.err.println("BENCH_ACCESS_API_KEY is not set");
            System.exit(2);
        }
        AccessCloudSettings settings = AccessCloudSettings.builder(apiKey)
                .processingDelay(Duration.ofMillis(Long.parseLong(args[0])))
                .uploadUrlTtl(Duration.ofSeconds(Long.parseLong(args[1])))
                .webhook(null, null)
                .build();
        SimulatorServer server = SimulatorServer.start(0);
        server.add(new CountingAccessCloud(new AccessCloudSimulator(settings, server.baseUrl())));
        System.out.println("BENCH_CLOUD " + server.baseUrl());
        System.out.flush();
        Thread limit = new Thread(() -> {
            try {
                Thread.sleep(Duration.ofHours(6).toMillis());
            } catch (InterruptedException e) {
                return;
            }
            System.exit(0);
        }, "bench-cloud-limit");
        limit.setDaemon(true);
        limit.start();
        // the bench holds our stdin open while it runs; EOF means it is gone
        while (System.in.read() >= 0) {
            // nothing is sent on stdin
        }
        server.close();
        System.exit(0);
    }
}
