package org.devicebridge.simulator.network;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.simulator.SimulatorApiException;
import org.devicebridge.simulator.SimulatorHttp;

/**
 * An error answer of the network cloud: {@code {"error":"<code>","message":".."}}, thrown by
 * request handling and turned into a response by the handler. Messages never echo the token.
 */
final class NetworkApiException extends SimulatorApiException {

    private static final long serialVersionUID = 1L;

    private final String code;

    NetworkApiException(int status, String code, String message) {
        super(status, message);
        this.code = code;
    }

    static NetworkApiException badRequest(String code, String message) {
        return new NetworkApiException(400, code, message);
    }

    static NetworkApiException invalidToken(String message) {
        return new NetworkApiException(401, "invalid_token", message);
    }

    static NetworkApiException notFound(String path) {
        return new NetworkApiException(404, "not_found", "no resource at " + path);
    }

    static NetworkApiException methodNotAllowed(String method, String allowed) {
        NetworkApiException e = new NetworkApiException(405, "method_not_allowed",
                method + " is not allowed here; use " + allowed);
        e.header("Allow", allowed);
        return e;
    }

    static NetworkApiException rateLimited(long retryAfterSeconds, int limit, String window) {
        NetworkApiException e = new NetworkApiException(429, "rate_limit_exceeded",
                "rate limit of " + limit + " requests per " + window + " exceeded; retry after "
                        + retryAfterSeconds + " s");
        e.header("Retry-After", Long.toString(retryAfterSeconds));
        return e;
    }

    /** An injected failure; {@code 429} carries {@code Retry-After: 1}. */
    static NetworkApiException injected(int status) {
        NetworkApiException e = new NetworkApiException(status, codeFor(status), injectedMessage(status, 1));
        e.retryAfterIfTooManyRequests(1);
        return e;
    }

    String code() {
        return code;
    }

    /** The body; the network cloud's error format has no request id. */
    @Override
    public ObjectNode body(String requestId) {
        return SimulatorHttp.JSON.createObjectNode().put("error", code).put("message", getMessage());
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "invalid_token";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 409 -> "conflict";
            case 429 -> "rate_limit_exceeded";
            case 500 -> "internal_error";
            case 502 -> "bad_gateway";
            case 503 -> "service_unavailable";
            case 504 -> "gateway_timeout";
            default -> "error";
        };
    }
}
