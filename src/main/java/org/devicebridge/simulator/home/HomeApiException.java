package org.devicebridge.simulator.home;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.simulator.SimulatorHttp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answer of the home cloud: {@code {"request_id":"..","status":"error","message":".."}},
 * thrown by request handling and turned into a response by the handler. Messages never echo the token.
 */
final class HomeApiException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Map<String, String> headers = new LinkedHashMap<>();

    HomeApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static HomeApiException badRequest(String message) {
        return new HomeApiException(400, message);
    }

    static HomeApiException methodNotAllowed(String method) {
        HomeApiException e = new HomeApiException(405, method + " is not allowed here; use POST");
        e.headers.put("Allow", "POST");
        return e;
    }

    /** An injected failure; {@code 429} carries {@code Retry-After: 1}. */
    static HomeApiException injected(int status) {
        HomeApiException e = new HomeApiException(status,
                status == 429 ? "too many requests, retry after 1 s" : "simulated failure " + status);
        if (status == 429) {
            e.headers.put("Retry-After", "1");
        }
        return e;
    }

    int status() {
        return status;
    }

    Map<String, String> headers() {
        return headers;
    }

    ObjectNode body(String requestId) {
        return SimulatorHttp.JSON.createObjectNode()
                .put("request_id", requestId)
                .put("status", "error")
                .put("message", getMessage());
    }
}
