package org.devicebridge.simulator.home;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpHandler;
import org.devicebridge.simulator.CloudSimulator;
import org.devicebridge.simulator.FaultInjector;
import org.devicebridge.simulator.SimulatorServer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Strict simulator of the home cloud (docs/cloud-contracts.md section 4): capability actions,
 * {@code POST /home/v1.0/devices/actions} with {@code Authorization: Bearer <oauth token>}.
 *
 * <p>Order of checks: path ({@code 404}), method ({@code 405}, {@code Allow: POST}), bearer
 * ({@code 401}), injected faults ({@link #failNextCalls}, the random {@code 503} share),
 * {@code Content-Type: application/json} and body structure ({@code 400}: not JSON, not an
 * object, unknown fields, {@code devices}/{@code actions} missing, empty or not arrays, a device
 * {@code id} or action {@code type} not a string, {@code state} not an object,
 * {@code state.instance} not a string), no known device at all ({@code 404 "devices not
 * found"}). Otherwise {@code 200} with, per device and capability in request order,
 * {@code DONE} or {@code ERROR} with {@code error_code} and {@code error_message}, decided in this
 * order: {@code DEVICE_NOT_FOUND} (unknown device), {@code INVALID_ACTION} / {@code INVALID_VALUE}
 * (see {@code Capabilities}), then the device patterns ({@code DEVICE_UNREACHABLE},
 * {@code DEVICE_BUSY}, {@code NOT_SUPPORTED_IN_CURRENT_MODE}, {@code INTERNAL_ERROR}).
 * Every error body is {@code {"request_id":"..","status":"error","message":".."}}; every
 * {@code request_id} equals the response's {@code X-Request-ID}.
 *
 * <p>Create it with {@link SimulatorServer#addHomeCloud(HomeCloudSettings)}. All inspection and
 * mutator methods are thread-safe and may be called while requests are served.
 */
public final class HomeCloudSimulator implements CloudSimulator {

    /** Path prefix of this cloud. */
    public static final String PREFIX = "/home";

    private final String serverBaseUrl;
    private volatile HomeCloudSettings settings;
    private final HomeState state = new HomeState();
    private final FaultInjector faults;
    private final HomeApiHandler handler;

    /**
     * Creates the cloud; it serves nothing until mounted, normally through
     * {@link SimulatorServer#addHomeCloud(HomeCloudSettings)}.
     *
     * @param settings      initial settings
     * @param serverBaseUrl base URL of the server it will be mounted on, {@code http://127.0.0.1:PORT}
     */
    public HomeCloudSimulator(HomeCloudSettings settings, String serverBaseUrl) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.serverBaseUrl = Objects.requireNonNull(serverBaseUrl, "serverBaseUrl");
        this.faults = new FaultInjector(settings.randomSeed());
        this.handler = new HomeApiHandler(PREFIX, this::settings, state, faults);
    }

    @Override
    public Map<String, HttpHandler> handlers() {
        return Map.of(PREFIX, handler);
    }

    /** The home base URL, {@code http://127.0.0.1:PORT/home}. */
    public String baseUrl() {
        return serverBaseUrl + PREFIX;
    }

    /** The current settings. */
    public HomeCloudSettings settings() {
        return settings;
    }

    // ---- runtime mutators -------------------------------------------------------------

    /** Replaces the settings with a changed copy, e.g. {@code s -> s.toBuilder().busyDevicePattern("x").build()}. */
    public synchronized void updateSettings(UnaryOperator<HomeCloudSettings> change) {
        settings = Objects.requireNonNull(change.apply(settings), "settings");
    }

    /** Delay before every response from now on. */
    public void setLatency(Duration latency) {
        updateSettings(s -> s.toBuilder().latency(latency).build());
    }

    /** Random {@code 503} share (0..1) of authenticated requests from now on. */
    public void setTransient5xxShare(double share) {
        updateSettings(s -> s.toBuilder().transient5xxShare(share).build());
    }

    /**
     * The next {@code count} authenticated requests answer {@code status} with the error body,
     * without any effect; a {@code 429} carries {@code Retry-After: 1}. Replaces an earlier,
     * unfinished request.
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

    /** All requests received under {@code /home}, whatever their answer. */
    public long requestCount() {
        return state.requestCount();
    }

    /**
     * Copies of the bodies of the authenticated requests, in arrival order (a body that is not
     * JSON appears as a text node holding it).
     */
    public List<JsonNode> requests() {
        return state.requests();
    }

    /**
     * The device's applied capability states, {@code {"<type>":{"<instance>":<value>}}}, e.g.
     * {@code stateOf("lamp-1").path("devices.capabilities.on_off").path("on").asBoolean()};
     * an empty object before anything was applied. Relative {@code range} changes are summed
     * (brightness kept within 0..100).
     */
    public JsonNode stateOf(String deviceId) {
        return state.stateOf(deviceId);
    }

    /** Capability actions applied ({@code DONE}) to the device. */
    public int timesApplied(String deviceId) {
        return state.timesApplied(deviceId);
    }

    /** Nothing to stop: the cloud has no threads of its own. */
    @Override
    public void close() {
        // no own threads
    }
}
