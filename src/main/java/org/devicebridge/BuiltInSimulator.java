package org.devicebridge;

import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.access.YonomiCloudSettings;
import org.devicebridge.simulator.access.YonomiCloudSimulator;
import org.devicebridge.simulator.home.HomeCloudSettings;
import org.devicebridge.simulator.network.NetworkCloudSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Starts the built-in simulator of the three device clouds ({@code bridge.simulator.*}) for runs
 * on embedded defaults. The simulator is a guest: the bridge reaches it only over HTTP on
 * loopback, like any other cloud. Secrets not configured are made up at random for this run, so
 * no secret ever needs to be written into configuration.
 */
final class BuiltInSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BuiltInSimulator.class);

    private final SimulatorServer server;
    private final String accessBaseUrl;
    private final String apiKey;
    private final String webhookSecret;
    private final String networkBaseUrl;
    private final String networkToken;
    private final String homeBaseUrl;
    private final String homeToken;
    private final CloudEndpoints.Simulated yonomi;

    private BuiltInSimulator(SimulatorServer server, String accessBaseUrl, String apiKey, String webhookSecret,
                             String networkBaseUrl, String networkToken, String homeBaseUrl, String homeToken,
                             CloudEndpoints.Simulated yonomi) {
        this.server = server;
        this.accessBaseUrl = accessBaseUrl;
        this.apiKey = apiKey;
        this.webhookSecret = webhookSecret;
        this.networkBaseUrl = networkBaseUrl;
        this.networkToken = networkToken;
        this.homeBaseUrl = homeBaseUrl;
        this.homeToken = homeToken;
        this.yonomi = yonomi == null ? new CloudEndpoints.Simulated(null, null, null, null) : yonomi;
    }

    static BuiltInSimulator start(Settings settings, CloudChoice choice) {
        boolean yonomiDialect = AccessDialects.yonomi(settings);
        // the access cloud's secret and its webhooks' (rest: API key and HMAC secret; yonomi: client secret and Basic password)
        String key = settings.secret(yonomiDialect ? "bridge.access.client-secret" : "bridge.access.api-key").orElse("sim_" + randomHex());
        String secret = settings.secret(yonomiDialect ? "bridge.access.webhook-password" : "bridge.access.webhook-secret")
                .orElse(randomHex());
        String networkToken = settings.secret("bridge.network.token").orElse("sim_" + randomHex());
        String homeToken = settings.secret("bridge.home.token").orElse("sim_" + randomHex());
        SimulatorServer server = SimulatorServer.start(settings.integer("bridge.simulator.port"));
        try {
            var access = AccessCloudSettings.builder(key)
                    .processingDelay(settings.duration("bridge.simulator.access.processing-delay"))
                    .transient5xxShare(settings.decimal("bridge.simulator.access.transient-5xx-share"))
                    .tooManyRequestsShare(settings.decimal("bridge.simulator.access.too-many-requests-share"))
                    .garbledAnswerShare(settings.decimal("bridge.simulator.access.garbled-answer-share", 0));
            if (settings.bool("bridge.simulator.access.webhooks")) {
                access.webhook("http://127.0.0.1:" + settings.integer("bridge.http.port", 1, 65535) + "/webhooks/access", secret)
                        .webhookDuplicateShare(settings.decimal("bridge.simulator.access.webhook-duplicate-share"))
                        .webhookReorder(settings.bool("bridge.simulator.access.webhook-reorder"));
            }
            String accessUrl;
            CloudEndpoints.Simulated yonomi = null;
            if (AccessDialects.yonomi(settings)) { // the access cloud in the Yonomi dialect, its secrets as above
                var platform = YonomiCloudSimulator.mount(server, YonomiCloudSettings.of(
                                settings.get("bridge.access.client-id", "simulated-client"), key,
                                settings.get("bridge.access.installation-id", "simulated-installation"))
                        .withInstallationHeader(settings.required("bridge.access.installation-header"))
                        .withProcessingDelay(settings.duration("bridge.simulator.access.processing-delay")));
                String user = settings.get("bridge.access.webhook-user", "simulated-webhooks");
                if (settings.bool("bridge.simulator.access.webhooks")) {
                    platform.updateSettings(s -> s.withWebhook("http://127.0.0.1:" + settings.integer("bridge.http.port", 1, 65535)
                            + "/webhooks/access", user, secret));
                }
                accessUrl = platform.baseUrl();
                yonomi = new CloudEndpoints.Simulated(platform.tokenUrl(), platform.settings().clientId(),
                        platform.settings().installationId(), user);
            } else {
                accessUrl = server.addAccessCloud(access.build()).baseUrl();
            }
            String networkUrl = server.addNetworkCloud(NetworkCloudSettings.builder(networkToken)
                    .rateLimit(settings.integer("bridge.simulator.network.rate-limit"),
                            settings.duration("bridge.simulator.network.rate-window"))
                    .latency(settings.duration("bridge.simulator.network.latency"))
                    .transient5xxShare(settings.decimal("bridge.simulator.network.transient-5xx-share"))
                    .garbledAnswerShare(settings.decimal("bridge.simulator.network.garbled-answer-share", 0))
                    .build()).baseUrl();
            String homeUrl = server.addHomeCloud(HomeCloudSettings.builder(homeToken)
                    .latency(settings.duration("bridge.simulator.home.latency"))
                    .transient5xxShare(settings.decimal("bridge.simulator.home.transient-5xx-share"))
                    .garbledAnswerShare(settings.decimal("bridge.simulator.home.garbled-answer-share", 0))
                    .build()).baseUrl();
            LOG.warn("SIMULATED: the built-in simulator stands in for the {} cloud(s) on {}; no real device is touched by "
                    + "{} actions ({}=auto|true|false, docs/running-for-real.md)", String.join(", ", choice.simulated()),
                    server.baseUrl(), String.join(", ", choice.simulatedKinds()), CloudChoice.SETTING);
            LOG.debug("built-in simulator: access cloud {}, network cloud {}, home cloud {}", accessUrl, networkUrl, homeUrl);
            return new BuiltInSimulator(server, accessUrl, key, secret, networkUrl, networkToken, homeUrl, homeToken, yonomi);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The Yonomi dialect's settings the simulator stands in with (all null in the REST dialect). */
    CloudEndpoints.Simulated yonomiSettings() {
        return yonomi;
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

    String networkBaseUrl() {
        return networkBaseUrl;
    }

    String networkToken() {
        return networkToken;
    }

    String homeBaseUrl() {
        return homeBaseUrl;
    }

    String homeToken() {
        return homeToken;
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
