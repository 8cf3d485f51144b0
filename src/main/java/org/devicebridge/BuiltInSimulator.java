package org.devicebridge;

import org.devicebridge.simulation.SimulatedClouds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.ServiceLoader;

/**
 * Starts the built-in simulator of the three device clouds ({@code bridge.simulator.*}) for runs
 * on embedded defaults. The simulator is a guest: the bridge finds it only through
 * {@link SimulatedClouds} and {@link ServiceLoader} (it lives in its own source root and ships in the
 * runnable jar, not in the library) and reaches it only over HTTP on loopback, like any other cloud.
 * Secrets not configured are made up at random for this run, so no secret ever needs to be written
 * into configuration.
 */
final class BuiltInSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BuiltInSimulator.class);

    private final SimulatedClouds.Running server;
    private final String accessBaseUrl;
    private final String apiKey;
    private final String webhookSecret;
    private final String networkBaseUrl;
    private final String networkToken;
    private final String homeBaseUrl;
    private final String homeToken;
    private final CloudEndpoints.Simulated yonomi;

    private BuiltInSimulator(SimulatedClouds.Running server, String apiKey, String webhookSecret, String networkToken,
                             String homeToken, CloudEndpoints.Simulated yonomi) {
        this.server = server;
        this.accessBaseUrl = server.accessBaseUrl();
        this.apiKey = apiKey;
        this.webhookSecret = webhookSecret;
        this.networkBaseUrl = server.networkBaseUrl();
        this.networkToken = networkToken;
        this.homeBaseUrl = server.homeBaseUrl();
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
        SimulatedClouds.Webhooks webhooks = null;
        String user = null;
        if (yonomiDialect) {
            user = settings.get("bridge.access.webhook-user", "simulated-webhooks");
        }
        if (settings.bool("bridge.simulator.access.webhooks")) {
            String url = "http://127.0.0.1:" + settings.integer("bridge.http.port", 1, 65535) + "/webhooks/access";
            webhooks = yonomiDialect
                    ? new SimulatedClouds.Webhooks(url, user, secret, 0, false)
                    : new SimulatedClouds.Webhooks(url, null, secret,
                            settings.decimal("bridge.simulator.access.webhook-duplicate-share"),
                            settings.bool("bridge.simulator.access.webhook-reorder"));
        }
        SimulatedClouds.Yonomi yonomiPlatform = yonomiDialect // the access cloud in the Yonomi dialect, its secrets as above
                ? new SimulatedClouds.Yonomi(settings.get("bridge.access.client-id", "simulated-client"),
                        settings.get("bridge.access.installation-id", "simulated-installation"),
                        settings.required("bridge.access.installation-header"))
                : null;
        var plan = new SimulatedClouds.Plan(settings.integer("bridge.simulator.port"),
                new SimulatedClouds.Access(key, settings.duration("bridge.simulator.access.processing-delay"),
                        settings.decimal("bridge.simulator.access.transient-5xx-share"),
                        settings.decimal("bridge.simulator.access.too-many-requests-share"),
                        settings.decimal("bridge.simulator.access.garbled-answer-share", 0), webhooks, yonomiPlatform),
                new SimulatedClouds.Network(networkToken, settings.integer("bridge.simulator.network.rate-limit"),
                        settings.duration("bridge.simulator.network.rate-window"),
                        settings.duration("bridge.simulator.network.latency"),
                        settings.decimal("bridge.simulator.network.transient-5xx-share"),
                        settings.decimal("bridge.simulator.network.garbled-answer-share", 0)),
                new SimulatedClouds.Home(homeToken, settings.duration("bridge.simulator.home.latency"),
                        settings.decimal("bridge.simulator.home.transient-5xx-share"),
                        settings.decimal("bridge.simulator.home.garbled-answer-share", 0)));
        SimulatedClouds.Running server = find(choice).start(plan);
        LOG.warn("SIMULATED: the built-in simulator stands in for the {} cloud(s) on {}; no real device is touched by "
                + "{} actions ({}=auto|true|false, docs/running-for-real.md)", String.join(", ", choice.simulated()),
                server.baseUrl(), String.join(", ", choice.simulatedKinds()), CloudChoice.SETTING);
        LOG.debug("built-in simulator: access cloud {}, network cloud {}, home cloud {}", server.accessBaseUrl(),
                server.networkBaseUrl(), server.homeBaseUrl());
        CloudEndpoints.Simulated yonomi = yonomiPlatform == null ? null : new CloudEndpoints.Simulated(server.accessTokenUrl(),
                yonomiPlatform.clientId(), yonomiPlatform.installationId(), user);
        return new BuiltInSimulator(server, key, secret, networkToken, homeToken, yonomi);
    }

    /** The simulator on the classpath; failing closed, with what to do, when there is none. */
    private static SimulatedClouds find(CloudChoice choice) {
        return ServiceLoader.load(SimulatedClouds.class, BuiltInSimulator.class.getClassLoader()).findFirst()
                .orElseThrow(() -> new BadConfigurationException(CloudChoice.SETTING, "asks for the built-in simulator for the "
                        + String.join(", ", choice.simulated()) + " cloud(s), but it is not on the classpath: it ships in the "
                        + "runnable jar (target/device-action-bridge.jar, classifier app), not in the library jar; set "
                        + "each cloud's base URL (bridge.<cloud>.base-url), or run the runnable jar"));
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
