package org.devicebridge.simulator.access;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.devicebridge.simulator.FaultInjector;
import org.devicebridge.simulator.SimulatorHttp;

import java.io.IOException;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The authenticated API under {@code /access}: bearer check, injected faults, then routing.
 *
 * <pre>
 * POST /v1/devices/{device_id}/actions
 * GET  /v1/devices/{device_id}/credentials-and-schedules
 * GET  /v1/device-actions
 * GET  /v1/device-actions/{action_id}
 * </pre>
 */
final class AccessApiHandler implements HttpHandler {

    private final String prefix;
    private final ActionStore store;
    private final ActionJson json;
    private final FaultInjector faults;
    private final Supplier<AccessCloudSettings> settings;
    private final Runnable callCounter;
    /** API calls held for a test ({@link AccessCloudSimulator#holdCalls}). */
    final CallHold hold = new CallHold();

    AccessApiHandler(String prefix, ActionStore store, ActionJson json, FaultInjector faults,
                     Supplier<AccessCloudSettings> settings, Runnable callCounter) {
        this.prefix = prefix;
        this.store = store;
        this.json = json;
        this.faults = faults;
        this.settings = settings;
        this.callCounter = callCounter;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        callCounter.run();
        byte[] body = SimulatorHttp.readBody(exchange);
        hold.await();
        AccessCloudSettings current = settings.get();
        try {
            BearerAuth.check(exchange, current.apiKey());
            faults.check(current.transient5xxShare(), current.tooManyRequestsShare(),
                    status -> AccessApiException.injected(status, current.retryAfterSeconds()));
            route(exchange, body, current);
        } catch (AccessApiException e) {
            e.send(exchange);
        }
    }

    private void route(HttpExchange exchange, byte[] body, AccessCloudSettings current)
            throws AccessApiException, IOException {
        String rawPath = SimulatorHttp.pathBelow(exchange, prefix);
        String[] segments = rawPath.startsWith("/") ? rawPath.substring(1).split("/", -1) : new String[0];
        if (segments.length == 4 && segments[0].equals("v1") && segments[1].equals("devices")
                && !segments[2].isEmpty()) {
            String deviceId = SimulatorHttp.decodeSegment(segments[2]);
            if (segments[3].equals("actions")) {
                SimulatorHttp.requireMethod(exchange, "POST", AccessApiException::methodNotSupported);
                create(exchange, deviceId, body, current);
                return;
            }
            if (segments[3].equals("credentials-and-schedules")) {
                SimulatorHttp.requireMethod(exchange, "GET", AccessApiException::methodNotSupported);
                requireKnownDevice(deviceId, current);
                send(exchange, 200, json.applied(deviceId, store.applied(deviceId)), current);
                return;
            }
        }
        if (segments.length == 2 && segments[0].equals("v1") && segments[1].equals("device-actions")) {
            SimulatorHttp.requireMethod(exchange, "GET", AccessApiException::methodNotSupported);
            ActionQuery query = ActionQuery.parse(SimulatorHttp.queryParameters(exchange));
            send(exchange, 200, query.run(store.all(), json), current);
            return;
        }
        if (segments.length == 3 && segments[0].equals("v1") && segments[1].equals("device-actions")
                && !segments[2].isEmpty()) {
            SimulatorHttp.requireMethod(exchange, "GET", AccessApiException::methodNotSupported);
            String id = SimulatorHttp.decodeSegment(segments[2]);
            DeviceAction action = store.find(id)
                    .orElseThrow(() -> AccessApiException.notFound("device action " + id + " not found"));
            send(exchange, 200, json.action(action), current);
            return;
        }
        throw AccessApiException.unrecognized(exchange.getRequestURI().getRawPath());
    }

    private void create(HttpExchange exchange, String deviceId, byte[] body, AccessCloudSettings current)
            throws AccessApiException, IOException {
        requireKnownDevice(deviceId, current);
        JsonNode request;
        try {
            request = SimulatorHttp.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw AccessApiException.validation("body", "malformed JSON");
        }
        if (request == null || !request.isObject()) {
            throw AccessApiException.validation("body", "must be a JSON object");
        }
        JsonNode type = request.get("type");
        if (type == null || type.isNull()) {
            throw AccessApiException.validation("type", "is required");
        }
        if (!type.isTextual() || !type.asText().equals(DeviceAction.UPDATE_CREDENTIALS_AND_SCHEDULES)) {
            throw AccessApiException.validation("type", "must be " + DeviceAction.UPDATE_CREDENTIALS_AND_SCHEDULES);
        }
        DeviceAction action = store.create(deviceId, Times.now(), current.uploadUrlTtl());
        send(exchange, 201, json.action(action), current);
    }

    /** A successful answer; garbled (cut short) when the fault injector says so, what the call did stands. */
    private void send(HttpExchange exchange, int status, JsonNode body, AccessCloudSettings current) throws IOException {
        if (faults.garbles(current.garbledAnswerShare())) {
            SimulatorHttp.sendGarbled(exchange, status, body);
        } else {
            SimulatorHttp.sendJson(exchange, status, body);
        }
    }

    private static void requireKnownDevice(String deviceId, AccessCloudSettings current) throws AccessApiException {
        if (Pattern.matches(current.unknownDevicePattern(), deviceId)) {
            throw AccessApiException.notFound("device " + deviceId + " not found");
        }
    }
}
