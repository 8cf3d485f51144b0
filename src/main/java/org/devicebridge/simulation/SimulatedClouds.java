package org.devicebridge.simulation;

import java.time.Duration;

/**
 * A simulator of the device clouds, as the bridge sees it: started with plain values, answering with
 * the base URLs it listens on. The bridge never names an implementation; it finds one with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/org.devicebridge.simulation.SimulatedClouds}),
 * so the simulator can live apart (its own source root, and only in the runnable jar) and the bridge
 * reaches it over HTTP on loopback like any other cloud.
 */
public interface SimulatedClouds {

    /**
     * Starts one HTTP server on loopback with the clouds asked for.
     *
     * @param plan the port and the clouds to mount, with their secrets and behaviour
     * @return the running simulator; closing it stops the server
     */
    Running start(Plan plan);

    /**
     * What to start.
     *
     * @param port    the port to listen on (0: any free one)
     * @param access  the access cloud, or null for none
     * @param network the network cloud, or null for none
     * @param home    the home cloud, or null for none
     */
    record Plan(int port, Access access, Network network, Home home) {
    }

    /**
     * The access cloud: the REST dialect, or the Yonomi dialect when {@code yonomi} is given (it then
     * takes only the key, the processing delay and the webhooks).
     *
     * @param key      the API key (REST) or the client secret (Yonomi)
     * @param webhooks where and how to send webhooks, or null for none
     * @param yonomi   the Yonomi dialect's client and installation, or null for the REST dialect
     */
    record Access(String key, Duration processingDelay, double transient5xxShare, double tooManyRequestsShare,
                  double garbledAnswerShare, Webhooks webhooks, Yonomi yonomi) {
    }

    /**
     * The access cloud's webhooks.
     *
     * @param user   the Basic user (Yonomi dialect only)
     * @param secret the HMAC secret (REST) or the Basic password (Yonomi)
     */
    record Webhooks(String url, String user, String secret, double duplicateShare, boolean reorder) {
    }

    /** The Yonomi dialect's client, installation and the header the installation travels in. */
    record Yonomi(String clientId, String installationId, String installationHeader) {
    }

    /** The network cloud and its rate limit. */
    record Network(String token, int rateLimit, Duration rateWindow, Duration latency, double transient5xxShare,
                   double garbledAnswerShare) {
    }

    /** The home cloud. */
    record Home(String token, Duration latency, double transient5xxShare, double garbledAnswerShare) {
    }

    /** A started simulator: base URLs of the clouds mounted (null for those not asked for). */
    interface Running extends AutoCloseable {

        /** The server's own base URL. */
        String baseUrl();

        String accessBaseUrl();

        /** The Yonomi dialect's OAuth2 token URL (null in the REST dialect). */
        String accessTokenUrl();

        String networkBaseUrl();

        String homeBaseUrl();

        @Override
        void close();
    }
}
