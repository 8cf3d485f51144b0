package org.devicebridge.simulator.access;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.simulator.SimulatorHttp;
import org.devicebridge.simulator.SimulatorServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers Yonomi events the Basic-auth way: each delivery is first posted without credentials;
 * when the receiver answers {@code 401} with {@code WWW-Authenticate: Basic}, it is posted again with
 * {@code Authorization: Basic base64(user:password)}. Never retried otherwise; duplicates and
 * reordering by the settings' dice.
 */
final class YonomiWebhookSender implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(YonomiWebhookSender.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final ScheduledExecutorService scheduler;
    private final ExecutorService clientExecutor;
    private final HttpClient client;
    private final Random random;
    private final AtomicLong challenges = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();

    YonomiWebhookSender(ScheduledExecutorService scheduler, long seed) {
        this.scheduler = scheduler;
        this.clientExecutor = Executors.newCachedThreadPool(SimulatorServer.daemonThreads("simulator-yonomi-webhook-"));
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).executor(clientExecutor).build();
        this.random = new Random(seed);
    }

    void send(ObjectNode event, YonomiCloudSettings settings) {
        if (settings.webhookUrl() == null) {
            return;
        }
        byte[] body = SimulatorHttp.toBytes(event);
        schedule(body, settings);
        if (roll() < settings.webhookDuplicateShare()) {
            schedule(body, settings);
        }
    }

    /** Deliveries answered {@code 401} with the Basic challenge. */
    long challenges() {
        return challenges.get();
    }

    /** Deliveries the receiver answered with {@code 2xx}. */
    long acknowledged() {
        return acknowledged.get();
    }

    private void schedule(byte[] body, YonomiCloudSettings settings) {
        long delay = settings.webhookReorder() ? (long) (roll() * 501) : 0;
        try {
            scheduler.schedule(() -> clientExecutor.execute(() -> deliver(body, settings)), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("simulator closing, webhook event dropped");
        }
    }

    private void deliver(byte[] body, YonomiCloudSettings settings) {
        try {
            HttpResponse<Void> first = client.send(request(body, settings, null), HttpResponse.BodyHandlers.discarding());
            HttpResponse<Void> answer = first;
            if (first.statusCode() == 401 && first.headers().firstValue("WWW-Authenticate").orElse("").regionMatches(true, 0, "Basic", 0, 5)) {
                challenges.incrementAndGet();
                String credentials = Base64.getEncoder().encodeToString((settings.webhookUser() + ":" + settings.webhookPassword())
                        .getBytes(StandardCharsets.UTF_8));
                answer = client.send(request(body, settings, "Basic " + credentials), HttpResponse.BodyHandlers.discarding());
            }
            if (answer.statusCode() / 100 == 2) {
                acknowledged.incrementAndGet();
            } else {
                LOG.warn("yonomi webhook to {} answered {}", URI.create(settings.webhookUrl()).getPath(), answer.statusCode());
            }
        } catch (java.io.IOException e) {
            LOG.warn("yonomi webhook failed: {}", e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static HttpRequest request(byte[] body, YonomiCloudSettings settings, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(settings.webhookUrl())).timeout(TIMEOUT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b.build();
    }

    private synchronized double roll() {
        return random.nextDouble();
    }

    @Override
    public void close() {
        clientExecutor.shutdownNow();
    }
}
