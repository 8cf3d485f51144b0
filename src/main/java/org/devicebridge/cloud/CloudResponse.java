package org.devicebridge.cloud;

import java.time.Duration;

/**
 * What a cloud answered to one call, as the adapters read it.
 *
 * @param status     HTTP status, or null when there was no answer (I/O error, timeout)
 * @param body       response body (may be empty)
 * @param requestId  the cloud's {@code X-Request-ID} (or its body's request id), or null
 * @param retryAfter the {@code Retry-After} of a 429/503, or null
 * @param ioError    redacted description of the I/O error when status is null
 * @param durationMs how long the call took
 */
public record CloudResponse(Integer status, String body, String requestId, Duration retryAfter, String ioError, long durationMs) {

    public boolean ok() {
        return status != null && status >= 200 && status < 300;
    }

    /** 429, 5xx and I/O errors are worth trying again; every other 4xx is permanent for that request. */
    public boolean transientFailure() {
        return status == null || status == 429 || status >= 500;
    }

    /** Short description for the ledger and the logs, e.g. {@code HTTP 503} or {@code I/O error: Connection refused}. */
    public String describe() {
        return status == null ? "I/O error: " + ioError : "HTTP " + status;
    }
}
