package org.devicebridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.cloud.BackoffSchedule;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline: what a plain client does against the same cloud. {@code java.net.http}, async, at
 * most {@code inFlight} actions at a time, each create -> PUT -> poll with the bridge's own poll
 * backoff ({@link BackoffSchedule#pollDelay}: first poll {@code initial} after the upload, then
 * doubling to the cap), and, when {@code readBack} (as the bridge's {@code bridge.access.read-back}),
 * a read of what the device holds once the action is resolved. Transient answers (429, 5xx, I/O) are
 * retried up to 8 times, an expired upload URL (403) creates a new action; nothing is stored anywhere.
 */
final class RawDriver {

    /** What the driver saw. Times: wall-clock ms. */
    record Result(int resolved, int failed, int unfinished, long firstCallAt, long lastFinalAt) {
        double seconds() {
            return (lastFinalAt - firstCallAt) / 1000.0;
        }
    }

    private static final int MAX_ATTEMPTS = 8;
    private static final int MAX_RECREATES = 3;

    private final String accessBase;
    private final String apiKey;
    private final BackoffSchedule backoff;
    private final boolean readBack;
    private final HttpClient client;
    private final ExecutorService timers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "raw-driver-timer");
        t.setDaemon(true);
        return t;
    });

    RawDriver(String accessBase, String apiKey, BackoffSchedule backoff, boolean readBack) {
        this.accessBase = accessBase;
        this.readBack = readBack;
        this.apiKey = apiKey;
        this.backoff = backoff;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    Result run(List<BenchActions.Action> actions, int inFlight, Duration maxTime) throws InterruptedException {
        long until = System.currentTimeMillis() + maxTime.toMillis();
        Semaphore slots = new Semaphore(inFlight);
        CountDownLatch done = new CountDownLatch(actions.size());
        AtomicLong first = new AtomicLong(Long.MAX_VALUE);
        AtomicLong last = new AtomicLong();
        AtomicInteger resolved = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        for (BenchActions.Action a : actions) {
            if (!slots.tryAcquire(Math.max(0, until - System.currentTimeMillis()), TimeUnit.MILLISECONDS)) {
                break;
            }
            first.accumulateAndGet(System.currentTimeMillis(), Math::min);
            create(a, 0, 0).whenComplete((ok, error) -> {
                if (Boolean.TRUE.equals(ok)) {
                    resolved.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
                last.accumulateAndGet(System.currentTimeMillis(), Math::max);
                slots.release();
                done.countDown();
            });
        }
        done.await(Math.max(0, until - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
        timers.shutdownNow();
        int finished = resolved.get() + failed.get();
        return new Result(resolved.get(), failed.get(), actions.size() - finished,
                first.get() == Long.MAX_VALUE ? 0 : first.get(), last.get());
    }

    // ---------------------------------------------------------------- the steps

    private CompletableFuture<Boolean> create(BenchActions.Action a, int attempt, int recreates) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(accessBase + "/v1/devices/" + a.device() + "/actions"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"UPDATE_CREDENTIALS_AND_SCHEDULES\"}"))
                .build();
        return send(request).thenCompose(r -> {
            if (r != null && r.statusCode() == 201) {
                JsonNode action = json(r.body());
                return put(a, action.path("id").asText(), action.path("upload_url").asText(), 0, recreates);
            }
            if (transientFailure(r) && attempt + 1 < MAX_ATTEMPTS) {
                return later(backoff.retryDelay(attempt + 1, null), () -> create(a, attempt + 1, recreates));
            }
            return CompletableFuture.completedFuture(false);
        });
    }

    private CompletableFuture<Boolean> put(BenchActions.Action a, String actionId, String uploadUrl, int attempt, int recreates) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(uploadUrl))   // pre-authorised: no API key
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(a.payload()))
                .build();
        return send(request).thenCompose(r -> {
            if (r != null && (r.statusCode() == 200 || r.statusCode() == 409)) {
                return later(backoff.pollDelay(0), () -> poll(a, actionId, 0, 0));
            }
            if (r != null && r.statusCode() == 403 && recreates < MAX_RECREATES) {
                return create(a, 0, recreates + 1);
            }
            if (transientFailure(r) && attempt + 1 < MAX_ATTEMPTS) {
                return later(backoff.retryDelay(attempt + 1, null), () -> put(a, actionId, uploadUrl, attempt + 1, recreates));
            }
            return CompletableFuture.completedFuture(false);
        });
    }

    private CompletableFuture<Boolean> poll(BenchActions.Action a, String actionId, int polls, int attempt) {
        return send(get("/v1/device-actions/" + actionId)).thenCompose(r -> {
            if (r != null && r.statusCode() == 200) {
                String status = json(r.body()).path("status").asText("");
                if (status.equals("RESOLVED")) {
                    return readBack ? readBack(a, 0) : CompletableFuture.completedFuture(true);
                }
                if (status.equals("REJECTED")) {
                    return CompletableFuture.completedFuture(false);
                }
                return later(backoff.pollDelay(polls + 1), () -> poll(a, actionId, polls + 1, 0));
            }
            if (transientFailure(r) && attempt + 1 < MAX_ATTEMPTS) {
                return later(backoff.retryDelay(attempt + 1, null), () -> poll(a, actionId, polls, attempt + 1));
            }
            return CompletableFuture.completedFuture(false);
        });
    }

    /** What the device holds now, read once its action is resolved: a document to read (the bridge compares it with the upload). */
    private CompletableFuture<Boolean> readBack(BenchActions.Action a, int attempt) {
        return send(get("/v1/devices/" + a.device() + "/credentials-and-schedules")).thenCompose(r -> {
            if (r != null && r.statusCode() == 200) {
                return CompletableFuture.completedFuture(json(r.body()).isObject());
            }
            if (transientFailure(r) && attempt + 1 < MAX_ATTEMPTS) {
                return later(backoff.retryDelay(attempt + 1, null), () -> readBack(a, attempt + 1));
            }
            return CompletableFuture.completedFuture(false);
        });
    }

    // ---------------------------------------------------------------- plumbing

    /** A GET of the access cloud's {@code path} with the API key. */
    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create(accessBase + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + apiKey)
                .GET()
                .build();
    }

    /** The answer, or null for no answer (an I/O error or a timeout). */
    private CompletableFuture<HttpResponse<String>> send(HttpRequest request) {
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((r, e) -> e == null ? r : null);
    }

    private static boolean transientFailure(HttpResponse<String> r) {
        return r == null || r.statusCode() == 429 || r.statusCode() >= 500;
    }

    private <T> CompletableFuture<T> later(Duration delay, java.util.function.Supplier<CompletableFuture<T>> next) {
        return CompletableFuture.supplyAsync(() -> null,
                        CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, timers))
                .thenCompose(ignored -> next.get());
    }

    private static JsonNode json(String body) {
        try {
            return BenchActions.JSON.readTree(body);
        } catch (Exception e) {
            return BenchActions.JSON.createObjectNode();
        }
    }
}
