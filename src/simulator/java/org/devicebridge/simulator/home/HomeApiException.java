package org.devicebridge.simulator.home;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.simulator.SimulatorApiException;
import org.devicebridge.simulator.SimulatorHttp;

/**
 * An error answer of the home cloud: {@code {"request_id":"..","status":"error","message":".."}},
 * thrown by request handling and turned into a response by the handler. Messages never echo the token.
 */
final class HomeApiException extends SimulatorApiException {

    private static final long serialVersionUID = 1L;

    HomeApiException(int status, String message) {
        super(status, message);
    }

    static HomeApiException badRequest(String message) {
        return new HomeApiException(400, message);
    }

    static HomeApiException notFound(String path) {
        return new HomeApiException(404, "no resource at " + path);
    }

    static HomeApiException methodNotAllowed(String method, String allowed) {
        HomeApiException e = new HomeApiException(405, method + " is not allowed here; use " + allowed);
        e.header("Allow", allowed);
        return e;
    }

    /** An injected failure; {@code 429} carries {@code Retry-After: 1}. */
    static HomeApiException injected(int status) {
        HomeApiException e = new HomeApiException(status, injectedMessage(status, 1));
        e.retryAfterIfTooManyRequests(1);
        return e;
    }

    @Override
    public ObjectNode body(String requestId) {
        return SimulatorHttp.JSON.createObjectNode()
                .put("request_id", requestId)
                .put("status", "error")
                .put("message", getMessage());
    }
}
