package org.devicebridge.simulator.access;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.simulator.HexIds;
import org.devicebridge.simulator.SimulatorHttp;
import org.devicebridge.simulator.SimulatorServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers {@code DEVICE_ACTION_UPDATED} events asynchronously, signed with
 * {@code X-Signature: sha256=<hex HMAC-SHA256 of the raw body>}.
 *
 * <p>At least once, never retried: with the settings' duplicate share an event is delivered a
 * second time with the identical body; with reordering each delivery waits a random 0..500 ms.
 * Failures are logged (target without query string, never the secret) and dropped.
 */
final class WebhookSender implements AutoCloseable {

    static final String SIGNATURE_HEADER = "X-Signature";
    static final String EVENT_TYPE = "DEVICE_ACTION_UPDATED";
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
    private static final int MAX_REORDER_DELAY_MS = 500;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final ScheduledExecutorService scheduler;
    private final ExecutorService clientExecutor;
    private final HttpClient client;
    private final Random random;
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();

    WebhookSender(ScheduledExecutorService scheduler, long seed) {
        this.scheduler = scheduler;
        this.clientExecutor = Executors.newCachedThreadPool(SimulatorServer.daemonThreads("simulator-webhook-"));
        // HTTP/1.1 as a cloud's webhooks come: the JDK client's default (HTTP/2 over cleartext) failed a burst of
        // events beyond the receiver's concurrent streams ("too many concurrent streams") instead of queueing them
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).executor(clientExecutor).build();
        this.random = new Random(seed);
    }

    /** Sends the action's current state as an event when the settings name a webhook URL. */
    void notify(ObjectNode actionJson, String occurredAt, AccessCloudSettings settings) {
        if (settings.webhookUrl() == null) {
            return;
        }
        ObjectNode event = SimulatorHttp.JSON.createObjectNode()
                .put("event_id", HexIds.random(32))
                .put("event_type", EVENT_TYPE)
                .put("occurred_at", occurredAt);
        event.set("data", actionJson);
        byte[] body = SimulatorHttp.toBytes(event);
        HttpRequest request = HttpRequest.newBuilder(URI.create(settings.webhookUrl()))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header(SIGNATURE_HEADER, "sha256=" + sign(body, settings.webhookSecret()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        String eventId = event.get("event_id").asText();
        schedule(request, eventId, settings.webhookReorder());
        if (roll() < settings.webhookDuplicateShare()) {
            schedule(request, eventId, settings.webhookReorder());
        }
    }

    /** Deliveries attempted so far (duplicates included). */
    long attempts() {
        return attempts.get();
    }

    /** Deliveries the receiver answered with {@code 2xx}. */
    long acknowledged() {
        return acknowledged.get();
    }

    /**
     * Lower-case hex HMAC-SHA256 of {@code body} keyed with the UTF-8 bytes of {@code secret}.
     *
     * @param body   the exact bytes sent
     * @param secret the shared secret
     * @return 64 lower-case hexadecimal characters
     */
    static String sign(byte[] body, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    @Override
    public void close() {
        clientExecutor.shutdownNow();
    }

    private void schedule(HttpRequest request, String eventId, boolean reorder) {
        long delay = reorder ? (long) (roll() * (MAX_REORDER_DELAY_MS + 1)) : 0;
        try {
            scheduler.schedule(() -> deliver(request, eventId), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("simulator closing, webhook event {} dropped", eventId);
        }
    }

    private void deliver(HttpRequest request, String eventId) {
        attempts.incrementAndGet();
        String target = withoutQuery(request.uri());
        try {
            client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                if (error != null) {
                    LOG.warn("webhook event {} to {} failed: {}", eventId, target, error.toString());
                } else if (response.statusCode() / 100 != 2) {
                    LOG.warn("webhook event {} to {} answered {}", eventId, target, response.statusCode());
                } else {
                    acknowledged.incrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("simulator closing, webhook event {} dropped", eventId);
        }
    }

    private synchronized double roll() {
        return random.nextDouble();
    }

    private static String withoutQuery(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + uri.getRawPath();
    }
}
