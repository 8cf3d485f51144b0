package org.devicebridge.cloud;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;

import java.time.Duration;

/**
 * Prepares a Camel exchange for one call through the route's fixed {@code http} endpoint, and
 * reads the answer back. The target URL travels in {@code CamelHttpUri} (one endpoint for every
 * per-action URL), and all other headers are cleared first so nothing of a previous answer or of
 * the trigger is sent to a cloud.
 */
public class CloudCall {

    public static final String REQUEST_ID_HEADER = "X-Request-ID";
    private static final String STARTED = "bridge.callStartedNanos";

    private final Redactor redactor;

    public CloudCall(Redactor redactor) {
        this.redactor = redactor;
    }

    /**
     * @param bearer API key for {@code Authorization: Bearer}, or null for a call that must not carry one
     *               (pre-authorised upload URLs)
     * @param json   request body, or null
     */
    public void prepare(Exchange exchange, String method, String url, String bearer, String json) {
        Message in = exchange.getIn();
        in.removeHeaders("*");
        // as the enum camel-http reads it: a String would be converted on every call, through a type
        // converter lookup that misses and is not cached (a tenth of the bridge's allocations)
        in.setHeader(Exchange.HTTP_METHOD, HttpMethods.valueOf(method));
        in.setHeader(Exchange.HTTP_URI, url);
        in.setHeader("Accept", "application/json");
        if (bearer != null) {
            in.setHeader("Authorization", "Bearer " + bearer);
        }
        if (json != null) {
            in.setHeader(Exchange.CONTENT_TYPE, "application/json");
        }
        in.setBody(json);
        exchange.removeProperty(Exchange.EXCEPTION_CAUGHT);
        exchange.setProperty(STARTED, System.nanoTime());
    }

    /** Reads the answer of the call made since {@link #prepare}; an I/O error caught by the route counts as "no answer". */
    public CloudResponse read(Exchange exchange) {
        long started = exchange.getProperty(STARTED, System.nanoTime(), Long.class);
        long durationMs = (System.nanoTime() - started) / 1_000_000;
        Message in = exchange.getIn();
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String requestId = in.getHeader(REQUEST_ID_HEADER, String.class);
        if (error != null) {
            exchange.removeProperty(Exchange.EXCEPTION_CAUGHT);
            String message = error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
            return new CloudResponse(null, "", null, null, redactor.text(message), durationMs);
        }
        Integer status = in.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String body = in.getBody(String.class);
        return new CloudResponse(status, body == null ? "" : body, requestId, retryAfter(in.getHeader("Retry-After", String.class)),
                null, durationMs);
    }

    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return null; // an HTTP-date: fall back to our own backoff
        }
    }
}
