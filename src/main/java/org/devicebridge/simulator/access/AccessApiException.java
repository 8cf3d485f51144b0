package org.devicebridge.simulator.access;

import com.sun.net.httpserver.HttpExchange;
import org.devicebridge.simulator.SimulatorHttp;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** An error answer of the access cloud, thrown by request handling and sent by the handler. */
final class AccessApiException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final transient Map<String, String> fields;
    private final transient Map<String, String> headers = new LinkedHashMap<>();

    AccessApiException(int status, String type, String message, Map<String, String> fields) {
        super(message, null, false, false);
        this.status = status;
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
        e.headers.put("Allow", allowed);
        return e;
    }

    /** An injected failure; {@code 429} carries {@code Retry-After}. */
    static AccessApiException injected(int status, int retryAfterSeconds) {
        AccessApiException e = new AccessApiException(status, typeFor(status),
                status == 429 ? "too many requests, retry after " + retryAfterSeconds + " s"
                        : "simulated failure " + status, Map.of());
        if (status == 429) {
            e.headers.put("Retry-After", Integer.toString(retryAfterSeconds));
        }
        return e;
    }

    int status() {
        return status;
    }

    void send(HttpExchange exchange) throws IOException {
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        SimulatorHttp.sendError(exchange, status, type, getMessage(), fields);
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
