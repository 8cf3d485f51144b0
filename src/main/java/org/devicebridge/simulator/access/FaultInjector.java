package org.devicebridge.simulator.access;

import java.util.Random;

/**
 * Decides whether a call fails on purpose: first the queued "fail the next n calls" failures,
 * then (when asked to) the random {@code 5xx} and {@code 429} shares of the settings.
 */
final class FaultInjector {

    private final Random random;
    private int remaining;
    private int status;

    FaultInjector(long seed) {
        this.random = new Random(seed);
    }

    /** Makes the next {@code count} checked calls answer {@code status} (replaces an earlier request). */
    synchronized void failNext(int count, int failureStatus) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        if (failureStatus < 400 || failureStatus > 599) {
            throw new IllegalArgumentException("status must be 4xx or 5xx: " + failureStatus);
        }
        this.remaining = count;
        this.status = failureStatus;
    }

    /**
     * Throws the failure this call gets, if any.
     *
     * @param settings   current settings (shares and {@code Retry-After})
     * @param withShares whether the random shares apply to this call
     */
    synchronized void check(AccessCloudSettings settings, boolean withShares) throws AccessApiException {
        if (remaining > 0) {
            remaining--;
            throw AccessApiException.injected(status, settings.retryAfterSeconds());
        }
        if (!withShares) {
            return;
        }
        double roll = random.nextDouble();
        if (roll < settings.transient5xxShare()) {
            throw AccessApiException.injected(503, settings.retryAfterSeconds());
        }
        if (roll < settings.transient5xxShare() + settings.tooManyRequestsShare()) {
            throw AccessApiException.injected(429, settings.retryAfterSeconds());
        }
    }
}
