package org.devicebridge.simulator.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.devicebridge.simulator.FaultInjector;
import org.devicebridge.simulator.SimulatorHttp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code POST {prefix}/v3/devices/action?access_token=..}, checked in this order:
 * path ({@code 404}), method ({@code 405}), token ({@code 401}), rate window ({@code 429}),
 * then, for admitted requests only, injected faults, {@code Content-Type}, body rules
 * ({@code 400}) and the per-device results ({@code 200}; garbled, cut short, for the injected share,
 * the devices applied all the same). The latency is slept before any answer.
 *
 * <p>Only the path is ever logged, never the query string that carries the token.
 */
final class NetworkApiHandler implements HttpHandler {

    static final String ACTION_PATH = "/v3/devices/action";

    private static final Logger LOG = LoggerFactory.getLogger(NetworkApiHandler.class);

    private final String prefix;
    private final Supplier<NetworkCloudSettings> settings;
    private final NetworkState state;
    private final SlidingWindow window;
    private final FaultInjector faults;

    NetworkApiHandler(String prefix, Supplier<NetworkCloudSettings> settings, NetworkState state,
                      SlidingWindow window, FaultInjector faults) {
        this.prefix = prefix;
        this.settings = settings;
        this.state = state;
        this.window = window;
        this.faults = faults;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        state.countRequest();
        byte[] body = SimulatorHttp.readBody(exchange);
        NetworkCloudSettings current = settings.get();
        SimulatorHttp.answerJson(exchange, current.latency(), LOG, "network cloud",
                () -> faults.garbles(current.garbledAnswerShare()), () -> process(exchange, body, current));
    }

    private JsonNode process(HttpExchange exchange, byte[] body, NetworkCloudSettings current)
            throws NetworkApiException {
        SimulatorHttp.requirePath(exchange, prefix, ACTION_PATH, NetworkApiException::notFound);
        SimulatorHttp.requireMethod(exchange, "POST", NetworkApiException::methodNotAllowed);
        checkToken(exchange, current.token());
        OptionalLong retryAfter = window.tryAdmit(current.rateLimit(), current.rateWindow());
        if (retryAfter.isPresent()) {
            state.countTooManyRequests();
            throw NetworkApiException.rateLimited(retryAfter.getAsLong(), current.rateLimit(),
                    current.rateWindow().toString());
        }
        JsonNode parsed = SimulatorHttp.parseJsonOrNull(body);
        state.recordRequest(SimulatorHttp.asRecorded(parsed, body));
        faults.check(current.transient5xxShare(), NetworkApiException::injected);
        if (!SimulatorHttp.hasJsonContentType(exchange)) {
            throw NetworkApiException.badRequest("invalid_content_type", "Content-Type must be application/json");
        }
        if (parsed == null) {
            throw NetworkApiException.badRequest("invalid_json", "the body is not valid JSON");
        }
        NetworkRequest request = NetworkRequest.parse(parsed, current.maxDevicesPerRequest());
        return apply(request, current);
    }

    private ObjectNode apply(NetworkRequest request, NetworkCloudSettings current) {
        Pattern unknown = Pattern.compile(request.byMac() ? current.unknownMacPattern() : current.unknownDevicePattern());
        Pattern unsupported = Pattern.compile(request.byMac() ? current.unsupportedMacPattern() : current.unsupportedPattern());
        boolean unknownGroup = request.groupId() != null && !current.knownGroups().contains(request.groupId());
        ObjectNode results = SimulatorHttp.JSON.createObjectNode();
        List<String> devices = request.devices();
        for (String device : devices) {
            int result;
            if (unknown.matcher(device).matches()) {
                result = 0;
            } else if (unsupported.matcher(device).matches()) {
                result = -1;
            } else if (unknownGroup) {
                result = 0;
            } else {
                result = 1;
                state.recordApplied(device, request.type());
            }
            results.put(device, result);
        }
        return results;
    }

    private static void checkToken(HttpExchange exchange, String token) throws NetworkApiException {
        Map<String, List<String>> query;
        try {
            query = SimulatorHttp.queryParameters(exchange);
        } catch (IllegalArgumentException e) {
            throw NetworkApiException.badRequest("invalid_request", "malformed query string");
        }
        List<String> given = query.get("access_token");
        if (given == null || given.isEmpty() || given.get(0).isEmpty()) {
            throw NetworkApiException.invalidToken("missing access_token query parameter");
        }
        if (given.size() > 1 || !SimulatorHttp.sameSecret(given.get(0), token)) {
            throw NetworkApiException.invalidToken("the access token is invalid");
        }
    }
}
