package org.devicebridge.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answer of a simulated cloud, thrown while a request is handled and turned into the
 * response by the handler: a status, extra response headers ({@code Allow}, {@code Retry-After})
 * and a JSON body in the cloud's own error format. Messages never echo a secret.
 */
public abstract class SimulatorApiException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Map<String, String> headers = new LinkedHashMap<>();

    /**
     * @param status  the HTTP status of the answer
     * @param message the error message, part of the body
     */
    protected SimulatorApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    /** The HTTP status of the answer. */
    public final int status() {
        return status;
    }

    /**
     * The cloud's error body.
     *
     * @param requestId the request id of the exchange ({@link SimulatorHttp#requestId})
     */
    public abstract JsonNode body(String requestId);

    /** Sets this answer's extra headers on the response. */
    public final void setHeaders(HttpExchange exchange) {
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
    }

    /** Sends this answer now: headers, status and body. */
    public final void send(HttpExchange exchange) throws IOException {
        setHeaders(exchange);
        SimulatorHttp.sendJson(exchange, status, body(SimulatorHttp.requestId(exchange)));
    }

    /** Adds an extra response header (for the factories of the clouds' exceptions). */
    protected final void header(String name, String value) {
        headers.put(name, value);
    }

    /** For an injected {@code 429}: adds {@code Retry-After}; other statuses get no header. */
    protected final void retryAfterIfTooManyRequests(long retryAfterSeconds) {
        if (status == 429) {
            header("Retry-After", Long.toString(retryAfterSeconds));
        }
    }

    /** The message of an injected failure; a {@code 429} tells when to retry. */
    protected static String injectedMessage(int status, long retryAfterSeconds) {
        return status == 429 ? "too many requests, retry after " + retryAfterSeconds + " s"
                : "simulated failure " + status;
    }
}
