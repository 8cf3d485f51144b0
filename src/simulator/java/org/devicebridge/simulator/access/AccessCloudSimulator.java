package org.devicebridge.simulator.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.sun.net.httpserver.HttpHandler;
import org.devicebridge.simulator.CloudSimulator;
import org.devicebridge.simulator.FaultInjector;
import org.devicebridge.simulator.SimulatorServer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Strict simulator of the access cloud (docs/cloud-contracts.md sections 1 and 2): the two-step
 * credentials-and-schedules action with asynchronous resolution, signed webhooks and fault
 * injection.
 *
 * <p>Serves {@code /access/v1/...} (bearer-authenticated API) and {@code /uploads/{token}}
 * (pre-authorised upload URLs) on a {@link SimulatorServer}; create it with
 * {@link SimulatorServer#addAccessCloud(AccessCloudSettings)}. All inspection and mutator
 * methods are thread-safe and may be called while requests are served.
 */
public final class AccessCloudSimulator implements CloudSimulator {

    /** Path prefix of the authenticated API. */
    public static final String API_PREFIX = "/access";
    /** Path prefix of the upload URLs (deliberately outside {@link #API_PREFIX}). */
    public static final String UPLOAD_PREFIX = "/uploads";

    private final String serverBaseUrl;
    private volatile AccessCloudSettings settings;
    private final ActionStore store = new ActionStore();
    private final ActionJson json;
    private final FaultInjector apiFaults;
    private final FaultInjector uploadFaults;
    private final ScheduledExecutorService scheduler;
    private final WebhookSender webhooks;
    private final AccessApiHandler apiHandler;
    private final UploadHandler uploadHandler;
    private final AtomicLong totalCalls = new AtomicLong();

    /**
     * Creates the cloud; it serves nothing until mounted, normally through
     * {@link SimulatorServer#addAccessCloud(AccessCloudSettings)}.
     *
     * @param settings      initial settings
     * @param serverBaseUrl base URL of the server it will be mounted on, {@code http://127.0.0.1:PORT}
     */
    public AccessCloudSimulator(AccessCloudSettings settings, String serverBaseUrl) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.serverBaseUrl = Objects.requireNonNull(serverBaseUrl, "serverBaseUrl");
        this.json = new ActionJson(serverBaseUrl + UPLOAD_PREFIX);
        this.apiFaults = new FaultInjector(settings.randomSeed());
        this.uploadFaults = new FaultInjector(settings.randomSeed() + 1);
        this.scheduler = Executors.newScheduledThreadPool(2, SimulatorServer.daemonThreads("simulator-access-"));
        this.webhooks = new WebhookSender(scheduler, settings.randomSeed() + 2);
        ActionProcessor processor = new ActionProcessor(store, json, webhooks, scheduler, this::settings);
        Runnable counter = totalCalls::incrementAndGet;
        this.apiHandler = new AccessApiHandler(API_PREFIX, store, json, apiFaults, this::settings, counter);
        this.uploadHandler = new UploadHandler(UPLOAD_PREFIX, store, processor, uploadFaults, this::settings, counter);
    }

    @Override
    public Map<String, HttpHandler> handlers() {
        return Map.of(API_PREFIX, apiHandler, UPLOAD_PREFIX, uploadHandler);
    }

    /** The access base URL, {@code http://127.0.0.1:PORT/access} (the bridge's {@code bridge.access.base-url}). */
    public String baseUrl() {
        return serverBaseUrl + API_PREFIX;
    }

    /** The current settings. */
    public AccessCloudSettings settings() {
        return settings;
    }

    // ---- runtime mutators -------------------------------------------------------------

    /** Replaces the settings with a changed copy, e.g. {@code s -> s.toBuilder().webhookReorder(true).build()}. */
    public synchronized void updateSettings(UnaryOperator<AccessCloudSettings> change) {
        settings = Objects.requireNonNull(change.apply(settings), "settings");
    }

    /** Processing delay of uploads accepted from now on. */
    public void setProcessingDelay(Duration delay) {
        updateSettings(s -> s.toBuilder().processingDelay(delay).build());
    }

    /** Upload URL lifetime of actions created from now on. */
    public void setUploadUrlTtl(Duration ttl) {
        updateSettings(s -> s.toBuilder().uploadUrlTtl(ttl).build());
    }

    /** Random {@code 503} and {@code 429} shares (0..1) of authenticated API calls from now on. */
    public void setFaultShares(double transient5xxShare, double tooManyRequestsShare) {
        updateSettings(s -> s.toBuilder().transient5xxShare(transient5xxShare)
                .tooManyRequestsShare(tooManyRequestsShare).build());
    }

    /** Webhook target and secret from now on; a {@code null} URL stops webhooks. */
    public void setWebhook(String url, String secret) {
        updateSettings(s -> s.toBuilder().webhook(url, secret).build());
    }

    /**
     * The next {@code count} authenticated API calls (after a successful bearer check, uploads
     * excluded) answer {@code status} with the error body, without any effect; a {@code 429}
     * carries {@code Retry-After}. Replaces an earlier, unfinished request.
     */
    public void failNextCalls(int count, int status) {
        apiFaults.failNext(count, status);
    }

    /** Like {@link #failNextCalls} for upload {@code PUT}s (checked after the Authorization-header rule). */
    public void failNextUploads(int count, int status) {
        uploadFaults.failNext(count, status);
    }

    /**
     * The next {@code count} successful authenticated API answers (create, list, get) take effect
     * as usual but go out garbled: the body cut short, as if lost on its way. Replaces an earlier,
     * unfinished request.
     */
    public void garbleNextAnswers(int count) {
        apiFaults.garbleNext(count);
    }

    /**
     * Upload {@code PUT}s arriving from now on are held (at most 30 s each) until the latch returned is counted down:
     * a call in flight that a test can look at.
     */
    public CountDownLatch holdUploads() {
        return uploadHandler.hold.hold();
    }

    /** Upload {@code PUT}s held now ({@link #holdUploads}). */
    public int heldUploads() {
        return uploadHandler.hold.held();
    }

    /** Like {@link #holdUploads} for API calls (create, list, get): an answer that comes as late as the test wants. */
    public CountDownLatch holdCalls() {
        return apiHandler.hold.hold();
    }

    /** API calls held now ({@link #holdCalls}). */
    public int heldCalls() {
        return apiHandler.hold.held();
    }

    /** Like {@link #garbleNextAnswers} for accepted upload {@code PUT}s: received, but answered with a garbled body. */
    public void garbleNextUploads(int count) {
        uploadFaults.garbleNext(count);
    }

    /**
     * Devices keep at most {@code credentials} credentials of a document applied from now on (a
     * full memory): the rest is lost, the action still ends {@code RESOLVED}. Only reading the
     * device's data back shows it. {@code Integer.MAX_VALUE}: no limit (the default).
     */
    public void setDeviceCapacity(int credentials) {
        store.deviceCapacity(credentials);
    }

    /** Lets every current upload URL expire now: their next {@code PUT} answers {@code 403}. */
    public void expireUploadUrls() {
        store.expireUploadUrls(Times.now());
    }

    // ---- inspection -------------------------------------------------------------------

    /** Actions created (201) for a device. */
    public int createCount(String deviceId) {
        return store.createCount(deviceId);
    }

    /**
     * The most actions of a device open at the same time (waiting for their data with a valid
     * upload URL, or being applied), as seen at each create: 1 when they never overlapped.
     */
    public int mostOpenAtOnce(String deviceId) {
        return store.mostOpenAtOnce(deviceId);
    }

    /** Uploads accepted (200) for an action: 0 or 1. */
    public int uploadCount(String actionId) {
        return store.uploadCount(actionId);
    }

    /** All requests received by this cloud: API calls (any outcome) and upload {@code PUT}s. */
    public long totalCalls() {
        return totalCalls.get();
    }

    /** Upload requests refused because they carried an {@code Authorization} header. */
    public long uploadsWithAuthorizationHeader() {
        return uploadHandler.uploadsWithAuthorizationHeader();
    }

    /** Webhook deliveries attempted (duplicates included). */
    public long webhookDeliveries() {
        return webhooks.attempts();
    }

    /** Webhook deliveries the receiver answered with {@code 2xx}. */
    public long webhookDeliveriesAcknowledged() {
        return webhooks.acknowledged();
    }

    /**
     * A snapshot of an action as {@code GET /v1/device-actions/{id}} would show it, or a
     * {@link MissingNode} when unknown (so {@code action(id).path("status").asText()} is safe).
     */
    public JsonNode action(String actionId) {
        return store.find(actionId).<JsonNode>map(json::action).orElse(MissingNode.getInstance());
    }

    /** Snapshots of a device's actions in creation order. */
    public List<JsonNode> actionsFor(String deviceId) {
        return store.all().stream().filter(a -> a.deviceId().equals(deviceId))
                .<JsonNode>map(json::action).toList();
    }

    /**
     * The device's applied credentials and schedules, as {@code GET .../credentials-and-schedules}
     * shows them (empty arrays and null {@code updated_at} before anything was applied).
     */
    public JsonNode appliedFor(String deviceId) {
        return json.applied(deviceId, store.applied(deviceId));
    }

    /** Stops processing and webhook delivery at once; pending actions stay {@code PENDING}. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        webhooks.close();
        try {
            scheduler.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
