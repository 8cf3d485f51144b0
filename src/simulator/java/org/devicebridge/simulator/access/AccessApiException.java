package org.devicebridge.simulator.access;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.simulator.SimulatorApiException;
import org.devicebridge.simulator.SimulatorHttp;

import java.util.Map;

/**
 * An error answer of the access cloud in the device-management error model (see
 * {@link SimulatorHttp#errorBody}), thrown by request handling and sent by the handler.
 */
final class AccessApiException extends SimulatorApiException {

    private static final long serialVersionUID = 1L;

    private final String type;
    private final transient Map<String, String> fields;

    AccessApiException(int status, String type, String message, Map<String, String> fields) {
        super(status, message);
        this.type = type;
        this.fields = fields;
    }

    static AccessApiException validation(String field, String message) {
        return new AccessApiException(400, "validation_error", field + ": " + message, Map.of(field, message));
    }

    static AccessApiException notFound(String message) {
        return new AccessApiException(404, "not_found", message, Map.of());
    }

    static AccessApiException unrecognized(String path) {
        return new AccessApiException(404, "unrecognized_request", "no resource at " + path, Map.of());
    }

    static AccessApiException methodNotSupported(String method, String allowed) {
        AccessApiException e = new AccessApiException(405, "method_not_supported",
                method + " is not supported here; use " + allowed, Map.of());
        e.header("Allow", allowed);
        return e;
    }

    /** An injected failure; {@code 429} carries {@code Retry-After}. */
    static AccessApiException injected(int status, int retryAfterSeconds) {
        AccessApiException e = new AccessApiException(status, typeFor(status),
                injectedMessage(status, retryAfterSeconds), Map.of());
        e.retryAfterIfTooManyRequests(retryAfterSeconds);
        return e;
    }

    @Override
    public JsonNode body(String requestId) {
        return SimulatorHttp.errorBody(status(), type, getMessage(), fields, requestId);
    }

    private static String typeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "invalid_auth";
            case 403 -> "access_denied";
            case 404 -> "not_found";
            case 409 -> "conflict";
            case 429 -> "too_many_requests";
            case 500 -> "internal_server_error";
            case 502 -> "bad_gateway";
            case 503 -> "service_unavailable";
            case 504 -> "gateway_timeout";
            default -> "error";
        };
    }
}
