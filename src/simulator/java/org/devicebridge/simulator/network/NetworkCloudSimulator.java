package org.devicebridge.simulator.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpHandler;
import org.devicebridge.simulator.CloudSimulator;
import org.devicebridge.simulator.FaultInjector;
import org.devicebridge.simulator.SimulatorServer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Strict simulator of the network cloud (docs/cloud-contracts.md section 3): the bulk device action
 * v3.0, {@code POST /network/v3/devices/action?access_token=<token>}, with a sliding-window rate
 * limit per token, per-device results and fault injection.
 *
 * <p>Order of checks: path ({@code 404 not_found}), method ({@code 405 method_not_allowed},
 * {@code Allow: POST}), token ({@code 401 invalid_token}), rate window ({@code 429
 * rate_limit_exceeded} with {@code Retry-After}). A request that passes the rate window is
 * <em>admitted</em>: it occupies a slot of the window whatever its answer (injected fault,
 * {@code 400} or {@code 200}); a {@code 401} or {@code 429} never does. Admitted requests then
 * meet the injected faults ({@link #failNextCalls}, the random {@code 503} share), the
 * {@code Content-Type: application/json} and body rules ({@code 400}) and finally get the
 * {@code 200} result map. Error bodies are {@code {"error":"<code>","message":".."}}; every
 * response carries {@code X-Request-ID}. The token is never logged: log lines show the path only.
 *
 * <p>Create it with {@link SimulatorServer#addNetworkCloud(NetworkCloudSettings)}. All inspection
 * and mutator methods are thread-safe and may be called while requests are served.
 */
public final class NetworkCloudSimulator implements CloudSimulator {

    /** Path prefix of this cloud. */
    public static final String PREFIX = "/network";

    private final String serverBaseUrl;
    private volatile NetworkCloudSettings settings;
    private final NetworkState state = new NetworkState();
    private final SlidingWindow window;
    private final FaultInjector faults;
    private final NetworkApiHandler handler;

    /**
     * Creates the cloud; it serves nothing until mounted, normally through
     * {@link SimulatorServer#addNetworkCloud(NetworkCloudSettings)}.
     *
     * @param settings      initial settings
     * @param serverBaseUrl base URL of the server it will be mounted on, {@code http://127.0.0.1:PORT}
     */
    public NetworkCloudSimulator(NetworkCloudSettings settings, String serverBaseUrl) {
        this(settings, serverBaseUrl, Clock.systemUTC());
    }

    /**
     * Creates the cloud on a clock of its own: its rate window and the times it records follow
     * {@code clock} (a test moves one by hand instead of waiting). Mount it with
     * {@link SimulatorServer#add}.
     */
    public NetworkCloudSimulator(NetworkCloudSettings settings, String serverBaseUrl, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.serverBaseUrl = Objects.requireNonNull(serverBaseUrl, "serverBaseUrl");
        this.window = new SlidingWindow(Objects.requireNonNull(clock, "clock"));
        this.faults = new FaultInjector(settings.randomSeed());
        this.handler = new NetworkApiHandler(PREFIX, this::settings, state, window, faults);
    }

    @Override
    public Map<String, HttpHandler> handlers() {
        return Map.of(PREFIX, handler);
    }

    /** The network base URL, {@code http://127.0.0.1:PORT/network}. */
    public String baseUrl() {
        return serverBaseUrl + PREFIX;
    }

    /** The current settings. */
    public NetworkCloudSettings settings() {
        return settings;
    }

    // ---- runtime mutators -------------------------------------------------------------

    /** Replaces the settings with a changed copy, e.g. {@code s -> s.toBuilder().maxDevicesPerRequest(5).build()}. */
    public synchronized void updateSettings(UnaryOperator<NetworkCloudSettings> change) {
        settings = Objects.requireNonNull(change.apply(settings), "settings");
    }

    /** Delay before every response from now on. */
    public void setLatency(Duration latency) {
        updateSettings(s -> s.toBuilder().latency(latency).build());
    }

    /**
     * The rate limit from now on; requests already admitted keep their slots (so lowering the
     * limit may refuse the next requests until enough slots expire).
     */
    public void setRateLimit(int limit, Duration window) {
        updateSettings(s -> s.toBuilder().rateLimit(limit, window).build());
    }

    /** Random {@code 503} share (0..1) of admitted requests from now on. */
    public void setTransient5xxShare(double share) {
        updateSettings(s -> s.toBuilder().transient5xxShare(share).build());
    }

    /**
     * The next {@code count} admitted requests (token valid, within the rate limit) answer
     * {@code status} with the error body and without effect on devices; they still occupy their
     * window slot. A {@code 429} carries {@code Retry-After: 1}. Replaces an earlier, unfinished request.
     */
    public void failNextCalls(int count, int status) {
        faults.failNext(count, status);
    }

    /**
     * The next {@code count} {@code 200} answers take effect as usual but go out garbled: the body
     * cut short, as if lost on its way. Replaces an earlier, unfinished request.
     */
    public void garbleNextAnswers(int count) {
        faults.garbleNext(count);
    }

    // ---- inspection -------------------------------------------------------------------

    /** Times (the simulator's clock) of the admitted requests, oldest first. */
    public List<Instant> acceptedRequestTimes() {
        return window.admittedTimes();
    }

    /** All requests received under {@code /network}, whatever their answer. */
    public long requestCount() {
        return state.requestCount();
    }

    /** Requests the rate limiter refused with {@code 429} (injected {@code 429}s not included). */
    public long tooManyRequestsCount() {
        return state.tooManyRequestsCount();
    }

    /**
     * The most admitted requests within any interval of the current {@code rateWindow}; never
     * above {@code rateLimit} unless the limit was changed at run time.
     */
    public int maxRequestsInAnyWindow() {
        return window.maxInAnyWindow(settings.rateWindow());
    }

    /** The most admitted requests within any interval of the given length. */
    public int maxRequestsInAnyWindow(Duration length) {
        return window.maxInAnyWindow(Objects.requireNonNull(length, "length"));
    }

    /**
     * Copies of the bodies of the admitted requests, in arrival order (a body that is not JSON
     * appears as a text node holding it).
     */
    public List<JsonNode> requests() {
        return state.requests();
    }

    /** How often an action was applied ({@code 1}) to the HWID or MAC, exactly as sent. */
    public int timesApplied(String device) {
        return state.timesApplied(device);
    }

    /** How often an action of the given {@code types} value was applied to the device. */
    public int timesApplied(String device, String type) {
        return state.timesApplied(device, type);
    }

    /** Nothing to stop: the cloud has no threads of its own. */
    @Override
    public void close() {
        // no own threads
    }
}
