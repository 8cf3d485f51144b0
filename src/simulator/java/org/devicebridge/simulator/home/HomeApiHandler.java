package org.devicebridge.simulator.home;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.devicebridge.simulator.FaultInjector;
import org.devicebridge.simulator.SimulatorHttp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code POST {prefix}/v1.0/devices/actions}, checked in this order: path ({@code 404}), method
 * ({@code 405}), bearer token ({@code 401}), injected faults, {@code Content-Type} and body
 * structure ({@code 400}), no known device ({@code 404}); else {@code 200} with one result per
 * capability (garbled, cut short, for the injected share, the actions applied all the same). The
 * latency is slept before any answer. The body's {@code request_id} is the
 * {@code X-Request-ID} of the response.
 */
final class HomeApiHandler implements HttpHandler {

    static final String ACTIONS_PATH = "/v1.0/devices/actions";

    private static final Logger LOG = LoggerFactory.getLogger(HomeApiHandler.class);

    private final String prefix;
    private final Supplier<HomeCloudSettings> settings;
    private final HomeState state;
    private final FaultInjector faults;

    HomeApiHandler(String prefix, Supplier<HomeCloudSettings> settings, HomeState state, FaultInjector faults) {
        this.prefix = prefix;
        this.settings = settings;
        this.state = state;
        this.faults = faults;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        state.countRequest();
        byte[] body = SimulatorHttp.readBody(exchange);
        HomeCloudSettings current = settings.get();
        SimulatorHttp.answerJson(exchange, current.latency(), LOG, "home cloud",
                () -> faults.garbles(current.garbledAnswerShare()),
                () -> process(exchange, body, current, SimulatorHttp.requestId(exchange)));
    }

    private JsonNode process(HttpExchange exchange, byte[] body, HomeCloudSettings current, String requestId)
            throws HomeApiException {
        SimulatorHttp.requirePath(exchange, prefix, ACTIONS_PATH, HomeApiException::notFound);
        SimulatorHttp.requireMethod(exchange, "POST", HomeApiException::methodNotAllowed);
        checkBearer(exchange, current.token());
        JsonNode parsed = SimulatorHttp.parseJsonOrNull(body);
        state.recordRequest(SimulatorHttp.asRecorded(parsed, body));
        faults.check(current.transient5xxShare(), HomeApiException::injected);
        if (!SimulatorHttp.hasJsonContentType(exchange)) {
            throw HomeApiException.badRequest("Content-Type must be application/json");
        }
        if (parsed == null) {
            throw HomeApiException.badRequest("the body is not valid JSON");
        }
        HomeRequest request = HomeRequest.parse(parsed);
        Pattern unknown = Pattern.compile(current.unknownDevicePattern());
        if (request.devices().stream().allMatch(d -> unknown.matcher(d.id()).matches())) {
            throw new HomeApiException(404, "devices not found");
        }
        return apply(request, current, unknown, requestId);
    }

    private ObjectNode apply(HomeRequest request, HomeCloudSettings current, Pattern unknown, String requestId) {
        ObjectNode answer = SimulatorHttp.JSON.createObjectNode()
                .put("status", "ok")
                .put("request_id", requestId);
        ArrayNode devices = answer.putArray("devices");
        for (HomeRequest.DeviceActions device : request.devices()) {
            ObjectNode deviceResult = devices.addObject().put("id", device.id());
            ArrayNode capabilities = deviceResult.putArray("capabilities");
            String deviceError = unknown.matcher(device.id()).matches() ? "DEVICE_NOT_FOUND" : null;
            for (HomeRequest.Action action : device.actions()) {
                ObjectNode result = capabilities.addObject().put("type", action.type());
                ObjectNode actionResult = result.putObject("state")
                        .put("instance", action.instance())
                        .putObject("action_result");
                Capabilities.Verdict verdict = deviceError != null
                        ? new Capabilities.Verdict(deviceError, "device " + device.id() + " not found")
                        : Capabilities.check(action.type(), action.instance(), action.state());
                if (verdict.ok()) {
                    verdict = deviceCondition(device.id(), current);
                }
                if (verdict.ok()) {
                    state.apply(device.id(), action);
                    actionResult.put("status", "DONE");
                } else {
                    actionResult.put("status", "ERROR")
                            .put("error_code", verdict.errorCode())
                            .put("error_message", verdict.message());
                }
            }
        }
        return answer;
    }

    private static Capabilities.Verdict deviceCondition(String deviceId, HomeCloudSettings current) {
        if (deviceId.matches(current.unreachableDevicePattern())) {
            return new Capabilities.Verdict("DEVICE_UNREACHABLE", "device " + deviceId + " is unreachable");
        }
        if (deviceId.matches(current.busyDevicePattern())) {
            return new Capabilities.Verdict("DEVICE_BUSY", "device " + deviceId + " is busy");
        }
        if (deviceId.matches(current.modeLockedDevicePattern())) {
            return new Capabilities.Verdict("NOT_SUPPORTED_IN_CURRENT_MODE",
                    "device " + deviceId + " does not accept this in its current mode");
        }
        if (deviceId.matches(current.brokenDevicePattern())) {
            return new Capabilities.Verdict("INTERNAL_ERROR", "device " + deviceId + " failed internally");
        }
        return Capabilities.Verdict.OK;
    }

    private static void checkBearer(HttpExchange exchange, String token) throws HomeApiException {
        switch (SimulatorHttp.checkBearer(exchange, token)) {
            case MISSING -> throw new HomeApiException(401,
                    "missing Authorization header (expected: Bearer <oauth token>)");
            case MALFORMED -> throw new HomeApiException(401,
                    "malformed Authorization header (expected: Bearer <oauth token>)");
            case WRONG -> throw new HomeApiException(401, "the OAuth token is invalid");
            case VALID -> {
                // authenticated
            }
        }
    }
}
