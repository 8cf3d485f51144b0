package org.devicebridge;

import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Starts the built-in simulator of the device clouds ({@code bridge.simulator.*}) for runs on
 * embedded defaults. The simulator is a guest: the bridge reaches it only over HTTP on loopback,
 * like any other cloud. Without a configured API key or webhook secret, random ones are made for
 * this run, so no secret ever needs to be written into configuration.
 */
final class BuiltInSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BuiltInSimulator.class);

    private final SimulatorServer server;
    private final String accessBaseUrl;
    private final String apiKey;
    private final String webhookSecret;

    private BuiltInSimulator(SimulatorServer server, String accessBaseUrl, String apiKey, String webhookSecret) {
        this.server = server;
        this.accessBaseUrl = accessBaseUrl;
        this.apiKey = apiKey;
        this.webhookSecret = webhookSecret;
    }

    static BuiltInSimulator start(Settings settings, String apiKey, String webhookSecret) {
        String key = apiKey != null ? apiKey : "sim_" + randomHex();
        String secret = webhookSecret != null ? webhookSecret : randomHex();
        SimulatorServer server = SimulatorServer.start(settings.integer("bridge.simulator.port", 0));
        var access = AccessCloudSettings.builder(key)
                .processingDelay(settings.duration("bridge.simulator.access.processing-delay", Duration.ofSeconds(3)))
                .transient5xxShare(settings.decimal("bridge.simulator.access.transient-5xx-share", 0))
                .tooManyRequestsShare(settings.decimal("bridge.simulator.access.too-many-requests-share", 0));
        if (settings.bool("bridge.simulator.access.webhooks", true)) {
            access.webhook("http://127.0.0.1:" + settings.integer("bridge.http.port", 8080) + "/webhooks/access", secret)
                    .webhookDuplicateShare(settings.decimal("bridge.simulator.access.webhook-duplicate-share", 0))
                    .webhookReorder(settings.bool("bridge.simulator.access.webhook-reorder", false));
        }
        String base = server.addAccessCloud(access.build()).baseUrl();
        LOG.info("built-in simulator: access cloud at {}", base);
        return new BuiltInSimulator(server, base, key, secret);
    }

    String accessBaseUrl() {
        return accessBaseUrl;
    }

    String apiKey() {
        return apiKey;
    }

    String webhookSecret() {
        return webhookSecret;
    }

    @Override
    public void close() {
        server.close();
    }

    private static String randomHex() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
