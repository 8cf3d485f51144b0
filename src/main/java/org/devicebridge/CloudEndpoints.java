package org.devicebridge;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;

/**
 * Where each device cloud is and its secret: from {@code bridge.<cloud>.base-url} and the
 * cloud's secret key, or from the built-in simulator when it is enabled. A cloud without a base
 * URL is not used (its kind of action is refused at intake); at least one must be configured.
 */
record CloudEndpoints(Endpoint access, String accessWebhookSecret, Endpoint network, Endpoint home, Simulated simulated) {

    private static final Logger LOG = LoggerFactory.getLogger(CloudEndpoints.class);

    /** A cloud's base URL and secret (API key or token); both null when the cloud is not configured. */
    record Endpoint(String baseUrl, String secret) {
        boolean configured() {
            return baseUrl != null;
        }
    }

    /** What the built-in simulator stands in with for the Yonomi dialect's settings (all null without it). */
    record Simulated(String tokenUrl, String clientId, String installationId, String webhookUser) {
    }

    String accessTokenUrl() {
        return simulated.tokenUrl();
    }

    String accessClientId() {
        return simulated.clientId();
    }

    String accessInstallationId() {
        return simulated.installationId();
    }

    String accessWebhookUser() {
        return simulated.webhookUser();
    }

    /** @param simulator the started built-in simulator, or null */
    static CloudEndpoints resolve(Settings settings, CloudChoice choice, BuiltInSimulator simulator) {
        boolean simAccess = simulator != null && choice.simulated().contains("access");
        boolean simNetwork = simulator != null && choice.simulated().contains("network");
        boolean simHome = simulator != null && choice.simulated().contains("home");
        boolean yonomi = AccessDialects.yonomi(settings);
        // the access cloud's secret: the REST dialect's API key, or the Yonomi client's secret
        Endpoint access = endpoint(settings, "access", yonomi ? "client-secret" : "api-key", simAccess ? simulator.accessBaseUrl() : null,
                simAccess ? simulator.apiKey() : null);
        Endpoint network = endpoint(settings, "network", "token", simNetwork ? simulator.networkBaseUrl() : null,
                simNetwork ? simulator.networkToken() : null);
        Endpoint home = endpoint(settings, "home", "token", simHome ? simulator.homeBaseUrl() : null,
                simHome ? simulator.homeToken() : null);
        if (!access.configured() && !network.configured() && !home.configured()) {
            throw new BadConfigurationException("bridge.access.base-url",
                    "(or bridge.network.base-url, bridge.home.base-url) is required when bridge.simulator.enabled=false");
        }
        // the webhooks' secret: the REST dialect's HMAC key, or the Yonomi webhooks' Basic password
        String webhookKey = yonomi ? "bridge.access.webhook-password" : "bridge.access.webhook-secret";
        String webhookSecret = settings.secret(webhookKey).orElse(simAccess ? simulator.webhookSecret() : null);
        if (access.configured() && webhookSecret == null) {
            LOG.warn("{} is not set: access-cloud webhooks are refused (401); polling alone tracks actions", webhookKey);
        }
        // the simulator's token URL, client and installation only where it stands in for the access cloud
        Simulated simulated = simAccess ? simulator.yonomiSettings()
                : new Simulated(null, null, null, null);
        return new CloudEndpoints(access, webhookSecret, network, home, simulated);
    }

    private static Endpoint endpoint(Settings settings, String cloud, String secretName, String simulatorUrl, String simulatorSecret) {
        String urlKey = "bridge." + cloud + ".base-url";
        String secretKey = "bridge." + cloud + "." + secretName;
        String url = settings.optional(urlKey).orElse(simulatorUrl);
        if (url == null) {
            return new Endpoint(null, null);
        }
        String secret = settings.secret(secretKey).orElse(simulatorSecret);
        if (secret == null) {
            throw new BadConfigurationException(secretKey, "is required with " + urlKey + " (set " + secretKey.toUpperCase()
                    .replace('.', '_').replace('-', '_') + ", or " + secretKey + "-file to a file holding it)");
        }
        checkTransport(urlKey, url);
        return new Endpoint(url, secret);
    }

    /** HTTPS for real clouds; plain http only on loopback (simulator, tests). */
    static void checkTransport(String key, String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new BadConfigurationException(key, "is not a URL: " + e.getMessage());
        }
        String host = uri.getHost() == null ? "" : uri.getHost();
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
        if ("https".equalsIgnoreCase(uri.getScheme()) || ("http".equalsIgnoreCase(uri.getScheme()) && loopback)) {
            return;
        }
        throw new BadConfigurationException(key, "must be an https:// URL (plain http:// only for loopback addresses), not " + url);
    }
}
